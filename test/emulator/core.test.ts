import { afterEach, describe, expect, it } from 'vitest';
import type { Machine } from '../../emulator/machine';
import type { SliceEnd } from '../../emulator/core';
import { loadAsm, smallMachine } from '../helpers/machine';

let machines: Machine[] = [];
afterEach(() => {
  for (const m of machines) m.dispose();
  machines = [];
});

async function machine(opts: Parameters<typeof smallMachine>[0] = {}): Promise<Machine> {
  const m = await smallMachine(opts);
  machines.push(m);
  return m;
}

/** Blocks of known sizes: a 3-instruction head, then 100 rounds of a 4-instruction loop body, then hvc. */
const LOOP = `
    mov x0, #100
    mov x1, #0
    mov x2, #0
1:  add x1, x1, #1
    add x2, x2, x1
    subs x0, x0, #1
    b.ne 1b
    hvc #1`;

/** Run cpu0 from 0x10000 in slices of `budget` until it traps; every slice's end. */
function slices(m: Machine, budget: number): SliceEnd[] {
  const core = m.core(0);
  const ends: SliceEnd[] = [];
  m.start(0, 0x10000n);
  for (let i = 0; i < 10_000 && core.state === 'running'; i++) ends.push(core.runSlice(budget));
  return ends;
}

describe('slices counted by translated blocks', () => {
  it('end at the first block boundary at or past the budget, and resume where that block starts', async () => {
    const m = await machine();
    await loadAsm(m, 0x10000, LOOP);
    const ends = slices(m, 6);
    // 7 = the head block and one loop block (3 + 4), 8 = two loop blocks; the hvc block is counted whole.
    expect(ends.map((e) => e.insns).slice(0, 3)).toEqual([7, 8, 8]);
    expect(ends.at(-1)!.kind).toBe('trap');
    const core = m.core(0);
    expect([core.x(1), core.x(2)]).toEqual([100n, 5050n]); // no block skipped, none run twice
    expect(ends.reduce((s, e) => s + e.insns, 0)).toBe(3 + 4 * 100 + 1);
    expect(core.insns).toBe(404);
  });

  it('give the same boundaries and results with a code hook on every instruction (the 2.0.1 stale-PC case)', async () => {
    const plain = await machine();
    const lines: string[] = [];
    const traced = await machine({ trace: (l) => lines.push(l) });
    for (const m of [plain, traced]) await loadAsm(m, 0x10000, LOOP);
    const a = slices(plain, 5);
    const b = slices(traced, 5);
    expect(b.map((e) => [e.kind, e.insns])).toEqual(a.map((e) => [e.kind, e.insns]));
    expect([traced.core(0).x(1), traced.core(0).x(2)]).toEqual([100n, 5050n]);
    expect(lines).toHaveLength(404); // every instruction traced once
    expect(lines[0]).toMatch(/^cpu0 0000000000010000: mov x0, #0x64$/);
  });

  it('in the counted mode (Unicorn\'s own count, kept to compare) end after exactly the budget', async () => {
    const m = await machine({ exec: 'counted' });
    await loadAsm(m, 0x10000, LOOP);
    const ends = slices(m, 5);
    expect(ends).toHaveLength(Math.ceil(404 / 5)); // the hvc is the 404th instruction
    expect(ends.slice(0, -1).every((e) => e.kind === 'budget')).toBe(true);
    expect([m.core(0).x(1), m.core(0).x(2)]).toEqual([100n, 5050n]);
  });

  it('are the same from run to run', async () => {
    const run = async (): Promise<number[]> => {
      const m = await machine();
      await loadAsm(m, 0x10000, LOOP);
      return slices(m, 9).map((e) => e.insns);
    };
    expect(await run()).toEqual(await run());
  });
});
