import { afterEach, describe, expect, it } from 'vitest';
import { Machine } from '../../emulator/machine';
import { loadAsm, smallMachine } from '../helpers/machine';
import type { Trap } from '../../emulator/traps';

let m: Machine | undefined;
afterEach(() => {
  m?.dispose();
  m = undefined;
});

function collectTraps(machine: Machine): Trap[] {
  const traps: Trap[] = [];
  machine.onTrap = (t, mm) => {
    traps.push(t);
    mm.core(t.core).state = 'off';
    return 'stop';
  };
  return traps;
}

describe('machine', () => {
  it('shares one RAM between cores and TypeScript', async () => {
    m = await smallMachine();
    await loadAsm(m, 0x10000, `
      mov64 x1, 0x20000
      mov x0, #42
      str x0, [x1]
      1: b 1b`);
    await loadAsm(m, 0x11000, `
      mov64 x1, 0x20000
      1: ldr x0, [x1]
      cbz x0, 1b
      add x0, x0, #1
      str x0, [x1, #8]
      hvc #1`);
    const traps = collectTraps(m);
    m.start(1, 0x11000n);
    m.start(0, 0x10000n);
    m.run({ until: () => traps.length > 0, maxRounds: 100 });
    expect(traps[0]).toMatchObject({ kind: 'hvc', core: 1, imm: 1, el: 1 });
    expect(m.ram.u64(0x20008)).toBe(43n);
    expect(m.core(1).x(0)).toBe(43n);
  });

  it('gives each core its CPU model in MIDR_EL1 and its affinity in MPIDR_EL1', async () => {
    m = await Machine.create({ board: 'uconsole-a06', ram: 2 * 2 ** 30 });
    const syms = await loadAsm(m, 0x10000, `
      start: mrs x0, midr_el1
      mpidr: mrs x1, mpidr_el1
      hvc #0`);
    const traps = collectTraps(m);
    for (const c of m.cores) {
      c.interceptSystemInstructions(syms.get('start')!, syms.get('mpidr')!);
      m.start(c.index, 0x10000n);
    }
    m.run({ until: () => traps.length === 6 });
    expect(m.cores.map((c) => Number(c.x(0)).toString(16))).toEqual(['410fd034', '410fd034', '410fd034', '410fd034', '410fd082', '410fd082']);
    expect(m.cores.map((c) => Number(c.x(1)).toString(16))).toEqual(['80000000', '80000001', '80000002', '80000003', '80000100', '80000101']);
  });

  it('delivers svc, brk, hvc and undefined instructions with their syndromes', async () => {
    m = await smallMachine();
    const traps = collectTraps(m);
    await loadAsm(m, 0x10000, 'svc #0x123');
    await loadAsm(m, 0x11000, 'brk #0x456');
    await loadAsm(m, 0x12000, 'nop\nhvc #0x789');
    await loadAsm(m, 0x13000, '.word 0x00000000');
    [0x10000, 0x11000, 0x12000, 0x13000].forEach((pc, i) => m!.start(i, BigInt(pc)));
    m.run({ maxRounds: 3 });
    const byCore = Object.fromEntries(traps.map((t) => [t.core, t]));
    expect(byCore[0]).toMatchObject({ kind: 'svc', imm: 0x123, esr: 0x56000123, pc: 0x10004n });
    expect(byCore[1]).toMatchObject({ kind: 'brk', imm: 0x456, esr: 0xf2000456, pc: 0x11000n });
    expect(byCore[2]).toMatchObject({ kind: 'hvc', imm: 0x789, pc: 0x12008n });
    expect(byCore[2]!.esr >>> 26).toBe(0x16);
    expect(byCore[3]).toMatchObject({ kind: 'undef', pc: 0x13000n });
    expect(m.describeTrap(byCore[3]!)).toMatch(/undefined instruction at cpu3 EL1 PC 0x0000000000013000 \(udf #0\)/);
  });

  it('answers svc inside the trap hook when onFastSvc takes it, without stopping the core', async () => {
    m = await smallMachine();
    const traps = collectTraps(m);
    const seen: bigint[] = [];
    m.onFastSvc = (call) => {
      if (call.nr === 99n) return undefined; // this one goes the slow way
      seen.push(call.arg(0));
      return call.arg(0) * 2n;
    };
    await loadAsm(m, 0x10000, `
      mov x19, #0
      mov x20, #5
      1: add x0, x19, #1
      mov x8, #1
      svc #0
      add x19, x19, x0
      subs x20, x20, #1
      b.ne 1b
      mov x8, #99
      svc #7`);
    m.start(0, 0x10000n);
    m.run({ until: () => traps.length > 0 });
    expect(seen).toEqual([1n, 3n, 9n, 27n, 81n]); // x19 = x19 + 2 * (x19 + 1)
    expect(m.core(0).x(19)).toBe(242n);
    expect(traps).toHaveLength(1);
    expect(traps[0]).toMatchObject({ kind: 'svc', imm: 7 });
  });

  it('writes the console through the PL011 data register and reads an idle flag register', async () => {
    m = await smallMachine();
    let out = '';
    m.onConsole((b) => (out += String.fromCharCode(b)));
    const traps = collectTraps(m);
    await loadAsm(m, 0x10000, `
      mov64 x1, 0xfe201000
      ldr w2, [x1, #0x18]
      mov w0, #104
      str w0, [x1]
      mov w0, #105
      str w0, [x1]
      hvc #0`);
    m.start(0, 0x10000n);
    m.run({ until: () => traps.length > 0 });
    expect(out).toBe('hi');
    expect(Number(m.core(0).x(2)) & 0x90).toBe(0x90); // TXFE | RXFE, not BUSY
  });

  it('parks a core in WFE until an event or a write to its watched word', async () => {
    m = await smallMachine();
    const traps = collectTraps(m);
    await loadAsm(m, 0x10000, `
      mov64 x1, 0x20000
      1: wfe
      ldr x0, [x1]
      cbz x0, 1b
      hvc #7`);
    m.start(1, 0x10000n);
    m.core(1).wfeWatch = { pa: 0x20000, value: 0n };
    expect(m.run({ maxRounds: 10 })).toBe('idle');
    expect(m.core(1).state).toBe('wfe');
    m.ram.setU64(0x20000, 5n);
    m.run({ until: () => traps.length > 0, maxRounds: 10 });
    expect(traps[0]).toMatchObject({ kind: 'hvc', imm: 7, core: 1 });
  });

  it('makes code rewritten from TypeScript visible to every core that already ran the old code', async () => {
    m = await smallMachine();
    const traps = collectTraps(m);
    const runOn = (cpu: number): bigint => {
      traps.length = 0;
      m!.start(cpu, 0x10000n);
      m!.run({ until: () => traps.length > 0, maxRounds: 5 });
      return m!.core(cpu).x(0);
    };
    await loadAsm(m, 0x10000, 'mov x0, #1\nhvc #0');
    expect([runOn(0), runOn(1)]).toEqual([1n, 1n]); // both cores have translated it
    await loadAsm(m, 0x10000, 'mov x0, #2\nhvc #0');
    expect([runOn(0), runOn(1)]).toEqual([2n, 2n]);
  });

  it('forgets a WFE that code loaded later overwrote', async () => {
    m = await smallMachine();
    const traps = collectTraps(m);
    await loadAsm(m, 0x10000, 'wfe\nhvc #2');
    await loadAsm(m, 0x10000, 'nop\nhvc #2');
    m.start(0, 0x10000n);
    m.run({ until: () => traps.length > 0, maxRounds: 5 });
    expect(traps[0]).toMatchObject({ kind: 'hvc', imm: 2 });
  });

  it('wakes WFE-parked cores when another core executes SEV', async () => {
    m = await smallMachine();
    const traps = collectTraps(m);
    await loadAsm(m, 0x10000, `
      1: wfe
      hvc #1`);
    await loadAsm(m, 0x11000, `
      mov x0, #0
      1: add x0, x0, #1
      cmp x0, #100
      b.ne 1b
      sev
      2: wfi
      b 2b`);
    m.start(1, 0x10000n);
    m.run({ maxRounds: 5 });
    expect(m.core(1).state).toBe('wfe');
    m.start(0, 0x11000n);
    m.run({ until: () => traps.length > 0, maxRounds: 10 });
    expect(traps[0]).toMatchObject({ kind: 'hvc', imm: 1, core: 1 });
    expect(m.core(0).state).toBe('wfi');
  });

  it('reports a jump to unmapped memory and an unimplemented device without dying', async () => {
    m = await smallMachine();
    const traps = collectTraps(m);
    await loadAsm(m, 0x10000, `
      mov64 x0, 0x800000000
      br x0`);
    await loadAsm(m, 0x11000, `
      mov64 x1, 0xff800000
      ldr w0, [x1]`);
    m.start(0, 0x10000n);
    m.start(1, 0x11000n);
    m.run({ maxRounds: 3 });
    const t0 = traps.find((t) => t.core === 0)!;
    const t1 = traps.find((t) => t.core === 1)!;
    expect(t0).toMatchObject({ kind: 'unmapped', far: 0x800000000n });
    expect(m.describeTrap(t0)).toMatch(/fetch of unmapped memory at cpu0 EL1 PC 0x0000000800000000 .*address 0x0000000800000000/);
    expect(t1.kind).toBe('device');
    // The PC of a device access is known to its translated block only (see Trap.inBlock).
    expect(m.describeTrap(t1)).toMatch(/read from unimplemented device arm-local at PA 0xff800000 at cpu1 EL1 in the block at PC 0x0000000000011000 \(mov x1, #0\)/);
  });

  it('reports a store to unmapped memory with its block and its address, though the block runs on (no access exit checks)', async () => {
    m = await smallMachine();
    const traps = collectTraps(m);
    // Two stores to unmapped memory in one block, then one to RAM: the first is the fault.
    await loadAsm(m, 0x10000, `
      mov x2, #5
      mov64 x1, 0x800000000
      str x2, [x1]
      mov64 x1, 0x900000000
      str x2, [x1]
      mov64 x3, 0x12000
      str x2, [x3]`);
    m.start(0, 0x10000n);
    m.run({ maxRounds: 3 });
    const t = traps.find((x) => x.core === 0)!;
    expect(t).toMatchObject({ kind: 'unmapped', far: 0x800000000n, pc: 0x10000n });
    expect(m.describeTrap(t)).toMatch(/write of unmapped memory at cpu0 EL1 in the block at PC 0x0000000000010000 .*address 0x0000000800000000/);
  });

  it('reports a fetch from an I/O region as a guest fault (the same refusal as from a VA shadow\'s data-only part)', async () => {
    m = await smallMachine();
    const traps = collectTraps(m);
    await loadAsm(m, 0x10000, `
      mov64 x0, 0xfe201000
      br x0`);
    m.start(0, 0x10000n);
    m.run({ maxRounds: 3 });
    expect(traps[0]).toMatchObject({ kind: 'device', core: 0, pc: 0xfe201000n, far: 0xfe201000n });
    expect(m.describeTrap(traps[0]!)).toMatch(/^guest fault: fetch from an I\/O region \(a device window or the data-only part of a VA shadow\) at cpu0 EL1 PC 0x00000000fe201000/);
  });

  it('interleaves cores deterministically', async () => {
    const runOnce = async (): Promise<bigint[]> => {
      const mm = await smallMachine({ sliceInsns: 7 });
      try {
        // Each core appends its id to a shared log, taking slots with ldaxr/stlxr.
        for (let c = 0; c < 4; c++) {
          await loadAsm(mm, 0x10000 + c * 0x1000, `
            mov64 x1, 0x20000
            mov x3, #${c + 1}
            mov x4, #50
            1: ldaxr x2, [x1]
            add x5, x2, #1
            stlxr w7, x5, [x1]
            cbnz w7, 1b
            add x6, x1, x2, lsl #3
            str x3, [x6, #8]
            subs x4, x4, #1
            b.ne 1b
            2: wfi
            b 2b`);
          mm.start(c, BigInt(0x10000 + c * 0x1000));
        }
        mm.run();
        const n = Number(mm.ram.u64(0x20000));
        return Array.from({ length: n }, (_, i) => mm.ram.u64(0x20008 + i * 8));
      } finally {
        mm.dispose();
      }
    };
    const a = await runOnce();
    const b = await runOnce();
    expect(a).toEqual(b);
    expect(a).toHaveLength(200); // no slot lost: exclusives hold across cores
    expect(new Set(a.slice(0, 20)).size).toBe(4); // the cores really interleave
  });
});
