// SPDX-License-Identifier: GPL-2.0-only
// MachineOptions.devices: per-core device models carved out of the board's unimplemented windows.
import { afterEach, describe, expect, it } from 'vitest';
import { Machine } from '../../emulator/machine';
import type { MmioDevice } from '../../emulator/devices/mmio';
import { loadAsm } from '../helpers/machine';
import type { Trap } from '../../emulator/traps';

let m: Machine | undefined;
afterEach(() => {
  m?.dispose();
  m = undefined;
});

/** Reads as 0x100 + the core that reads it. */
class WhoAmI implements MmioDevice {
  readonly name = 'whoami';
  readonly size = 0x1000;
  constructor(private readonly core: number) {}
  read(): number {
    return 0x100 + this.core;
  }
  write(): void {}
}

function runCore(machine: Machine, cpu: number, pc: bigint): Trap | undefined {
  let trap: Trap | undefined;
  machine.onTrap = (t) => {
    trap = t;
    return 'stop';
  };
  machine.start(cpu, pc);
  machine.run({ until: () => trap !== undefined, maxRounds: 100 });
  return trap;
}

describe('per-core devices', () => {
  it('each core reaches its own model; the rest of the window stays unimplemented', async () => {
    m = await Machine.create({ board: 'uconsole-cm4', ram: 2 ** 30, devices: [{ base: 0xff84_1000, size: 0x1000, forCore: (c) => new WhoAmI(c) }] });
    await loadAsm(m, 0x10000, `
        mov64 x1, 0xff841000
        ldr w0, [x1]
        hvc #0`);
    expect(runCore(m, 2, 0x10000n)?.kind).toBe('hvc');
    expect(m.core(2).x(0)).toBe(0x102n);
    expect(runCore(m, 1, 0x10000n)?.kind).toBe('hvc');
    expect(m.core(1).x(0)).toBe(0x101n);
    await loadAsm(m, 0x11000, `
        mov64 x1, 0xff840ffc
        ldr w0, [x1]
        hvc #0`);
    const t = runCore(m, 0, 0x11000n);
    expect(t?.kind).toBe('device');
    expect(t?.detail).toMatch(/unimplemented device arm-local at PA 0xff840ffc/);
  });
});
