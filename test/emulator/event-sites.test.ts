import { afterEach, describe, expect, it } from 'vitest';
import type { Machine } from '../../emulator/machine';
import type { ExecMode } from '../../emulator/core';
import { A64 } from '../../emulator/traps';
import { loadAsm, smallMachine } from '../helpers/machine';

let machines: Machine[] = [];
afterEach(() => {
  for (const m of machines) m.dispose();
  machines = [];
});

describe('event sites without code hooks', () => {
  /** cpu1 waits in WFE for a flag; cpu0 counts, sets the flag, SEVs, then WFIs. */
  async function handshake(exec: ExecMode, sliceInsns = 50): Promise<{ ends: [number, string, number][]; m: Machine }> {
    const m = await smallMachine({ exec, sliceInsns });
    machines.push(m);
    await loadAsm(m, 0x10000, `
      mov64 x1, 0x20000
      mov x0, #0
      1: add x0, x0, #1
      cmp x0, #300
      b.ne 1b
      str x0, [x1]
      sev
      add x3, x0, #1
      2: wfi
      b 2b`);
    await loadAsm(m, 0x11000, `
      mov64 x1, 0x20000
      sevl
      1: wfe
      ldr x0, [x1]
      cbz x0, 1b
      hvc #7`);
    const ends: [number, string, number][] = [];
    for (const c of m.cores.slice(0, 2)) {
      const run = c.runSlice.bind(c);
      c.runSlice = (budget) => {
        const e = run(budget);
        ends.push([c.index, e.kind, e.insns]);
        return e;
      };
    }
    m.onTrap = (t, mm) => {
      ends.push([t.core, `trap ${t.kind} #${t.imm}`, 0]);
      mm.core(t.core).state = 'off';
      return 'stop';
    };
    m.start(0, 0x10000n);
    m.start(1, 0x11000n);
    m.run({ maxRounds: 10_000 }); // ends sooner, once both cores wait or stopped
    return { ends, m };
  }

  it('work the same in the counted mode', async () => {
    const counted = await handshake('counted');
    expect(counted.ends).toContainEqual([1, 'trap hvc #7', 0]);
    expect(counted.m.core(0).state).toBe('wfi');
  });

  it('park in WFE and WFI, wake on SEV, with the same slices as code hooks on each site', async () => {
    const native = await handshake('deterministic');
    const hooked = await handshake('code-hook-sites');
    expect(native.ends).toEqual(hooked.ends);
    expect(native.ends).toContainEqual([1, 'trap hvc #7', 0]);
    expect(native.ends.filter(([c, k]) => c === 1 && k === 'parked').length).toBeGreaterThan(0); // cpu1 really waited
    expect(native.m.core(0).state).toBe('wfi');
    expect(native.m.core(0).x(3)).toBe(301n); // the instruction after SEV ran in the same slice
    const cpu0 = native.m.core(0);
    expect(cpu0.fetchWord(cpu0.pc - 4n)).toBe(A64.WFI); // parked after its wfi
  });

  it('give the same slices as code hooks whatever instruction the budget runs out at (sites mid-block and at block starts)', async () => {
    // The WFE at 1: starts a block (cbz branches to it); the SEV is in the
    // middle of one; the WFI starts one (b 2b). Small budgets make slices
    // end right before, at and after each of them.
    for (const slice of [1, 2, 3, 4, 5, 6, 7, 9, 13, 17]) {
      const native = await handshake('deterministic', slice);
      const hooked = await handshake('code-hook-sites', slice);
      expect(native.ends, `slices of ${slice}`).toEqual(hooked.ends);
      expect(native.m.core(0).x(3)).toBe(301n);
      for (const m of [native.m, hooked.m]) m.dispose();
      machines = [];
    }
  });
});
