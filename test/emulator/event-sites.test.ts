import { afterEach, describe, expect, it } from 'vitest';
import { storePathStats } from '../../emulator/unicorn/store-path';
import type { Machine } from '../../emulator/machine';
import type { ExecMode } from '../../emulator/core';
import { A64 } from '../../emulator/traps';
import { assemble } from '../../emulator/arm64/assembler';
import { loadAsm, smallMachine } from '../helpers/machine';

/** add x3, x3, #1 */
const ADD_X3_X3_1 = 0x91000463;

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
    // The deterministic mode's counter is TCG ops in each block (uc_store_path.c,
    // "The block counter inline"); code-hook-sites' is a call: both must cut alike.
    const inlined = storePathStats()?.inlineCountedBlocks ?? 0n;
    for (const slice of [1, 2, 3, 4, 5, 6, 7, 9, 13, 17]) {
      const native = await handshake('deterministic', slice);
      const hooked = await handshake('code-hook-sites', slice);
      expect(native.ends, `slices of ${slice}`).toEqual(hooked.ends);
      expect(native.m.core(0).x(3)).toBe(301n);
      for (const m of [native.m, hooked.m]) m.dispose();
      machines = [];
    }
    if (process.env.UCONSOLE_STORE_PATH !== 'off' && process.env.UCONSOLE_INLINE_COUNT !== 'off')
      expect(storePathStats()!.inlineCountedBlocks, 'no block was counted inline').toBeGreaterThan(inlined);
  });

  /**
   * A site address whose instruction is no longer a site (here the SEV
   * rewritten into an add, as another address space's code at the same VA
   * would be): the instruction there must still run, once per pass. The
   * two modes may cut such slices differently (the exits' blocks are
   * translated without the stale exit once run over), each the same from
   * run to run.
   */
  async function rewrittenSite(exec: ExecMode, sliceInsns: number): Promise<{ ends: [string, number][]; x3: bigint; x0: bigint }> {
    const m = await smallMachine({ exec, sliceInsns });
    try {
      return await runRewritten(m);
    } finally {
      m.dispose();
    }
  }

  async function runRewritten(m: Machine): Promise<{ ends: [string, number][]; x3: bigint; x0: bigint }> {
    const pa = 0x10000;
    const a = await assemble(`
      mov x3, #0
      mov x0, #0
      1: add x0, x0, #1
      sev
      cmp x0, #100
      b.ne 1b
      hvc #7`, BigInt(pa));
    m.loadCode(pa, a.bytes);
    const words = new Uint32Array(a.bytes.buffer, a.bytes.byteOffset, a.bytes.length / 4);
    const sev = pa + 4 * words.indexOf(A64.SEV);
    m.ram.write(sev, new Uint8Array(new Uint32Array([ADD_X3_X3_1]).buffer));
    for (const c of m.cores) c.invalidateCode(BigInt(sev), BigInt(sev + 4));
    const ends: [string, number][] = [];
    const core = m.core(0);
    const run = core.runSlice.bind(core);
    core.runSlice = (budget) => {
      const e = run(budget);
      ends.push([e.kind, e.insns]);
      return e;
    };
    m.onTrap = (t, mm) => {
      ends.push([`trap ${t.kind} #${t.imm}`, 0]);
      mm.core(t.core).state = 'off';
      return 'stop';
    };
    m.start(0, BigInt(pa));
    m.run({ maxRounds: 10_000 });
    return { ends, x3: core.x(3), x0: core.x(0) };
  }

  it('run the instruction at a site address that holds something else now, counting every instruction once', async () => {
    for (const slice of [1, 3, 4, 7, 1000]) {
      for (const exec of ['deterministic', 'code-hook-sites'] as const) {
        const a = await rewrittenSite(exec, slice);
        const b = await rewrittenSite(exec, slice);
        expect(a.x3, `${exec}, slices of ${slice}`).toBe(100n);
        expect(a.x0).toBe(100n);
        expect(a.ends).toContainEqual(['trap hvc #7', 0]);
        expect(b.ends).toEqual(a.ends);
        // The two movs, 100 passes of 4 instructions (the add at the old site among them), the hvc.
        expect(a.ends.reduce((n, [, i]) => n + i, 0)).toBe(2 + 100 * 4 + 1);
      }
    }
    const free = await rewrittenSite('free-running', 1000);
    expect(free.x3).toBe(100n);
  });
});
