import { afterEach, describe, expect, it, vi } from 'vitest';
import { bootUconsole, type BootOptions } from '../../api/uconsole';
import { Core, type SliceEnd } from '../../emulator/core';
import { NR } from '../../kernel-model/include/unistd';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Every slice a boot (and a few system calls after it) ran: core, how it ended, instructions, where it stopped. */
async function bootRecord(opts: BootOptions): Promise<{ slices: string[]; dmesg: string; insns: number[] }> {
  const spy = vi.spyOn(Core.prototype, 'runSlice');
  const u = await bootUconsole({ board: 'uconsole-cm4', ...opts });
  try {
    for (const c of u.machine.cores) u.syscall(c.index, NR.gettid);
    const slices = spy.mock.results.map((r, i) => {
      const core = spy.mock.contexts[i] as Core;
      const end = r.value as SliceEnd;
      return `cpu${core.index} ${end.kind} ${end.insns}`;
    });
    return { slices, dmesg: u.dmesg(), insns: u.machine.cores.map((c) => c.insns) };
  } finally {
    spy.mockRestore();
    u.shutdown();
  }
}

describe('deterministic execution of the booted machine', () => {
  it('boots twice to the same slices, instruction for instruction, and the same log', async () => {
    const a = await bootRecord({});
    const b = await bootRecord({});
    expect(a.slices.length).toBeGreaterThan(20);
    expect(b.slices).toEqual(a.slices);
    expect(b.insns).toEqual(a.insns);
    expect(b.dmesg).toBe(a.dmesg);
    expect(a.insns.every((n) => n > 0)).toBe(true);
  });

  it('gives the same slices with the event sites caught by code hooks instead of the native block hook', async () => {
    const native = await bootRecord({});
    const hooked = await bootRecord({ exec: 'code-hook-sites' });
    expect(hooked.slices).toEqual(native.slices);
    expect(hooked.dmesg).toBe(native.dmesg);
  });

  it('gives the same slices with --trace (a code hook on every instruction)', async () => {
    let lines = 0;
    const native = await bootRecord({});
    const traced = await bootRecord({ trace: () => lines++ });
    expect(traced.slices).toEqual(native.slices);
    // Counted by blocks started: a block cut short by a trap counts whole but is traced in part.
    const counted = native.insns.reduce((s, n) => s + n, 0);
    expect(lines).toBeGreaterThan(counted * 0.9);
    expect(lines).toBeLessThanOrEqual(counted);
  });
});
