// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { useUconsole } from '../../../../helpers/boot';
import { NR } from '../../../../../kernel-model/include/unistd';
import { check_mm } from '../../../../../kernel-model/mm/mmap_check';
import type { Trap } from '../../../../../emulator/traps';

const booted = useUconsole();

/** Run EL0 code on CPU 1, counting the data aborts the fast path took and those that stopped the core. */
async function runCounting(src: string): Promise<{ fast: number; handled: number; trapped: number; ret: bigint; signal?: number }> {
  const u = booted.u;
  const m = u.kernel.machine;
  const fastFault = m.onFastFault!;
  const onTrap = m.onTrap!;
  const n = { fast: 0, handled: 0, trapped: 0 };
  m.onFastFault = (t, mach) => {
    n.fast++;
    const r = fastFault(t, mach);
    if (r) n.handled++;
    return r;
  };
  m.onTrap = (t: Trap, mach) => {
    if (t.kind === 'data-abort') n.trapped++;
    return onTrap(t, mach);
  };
  try {
    const buf = u.userBuffer(1);
    const { assemble } = await import('../../../../../emulator/arm64/assembler');
    buf.writeCode((await assemble(src, buf.va)).bytes);
    const r = u.kernel.harness.runUser(1, buf.va);
    return { ...n, ret: r.ret, signal: r.signal };
  } finally {
    m.onFastFault = fastFault;
    m.onTrap = onTrap;
  }
}

describe('the page-fault fast path (do_page_fault_fast)', () => {
  it('maps the pages of a first touch without stopping the core; the slow path keeps permission faults', async () => {
    const u = booted.u;
    const mm = u.kernel.harness.process().mm;
    const pages = 64;
    const addr = u.syscall(1, NR.mmap, 0, pages * 4096, 3, 0x22, -1, 0);
    const rss0 = mm.rss;
    const touch = `mov64 x1, ${addr}\nmov x2, #${pages}\n1: str x2, [x1]\nldr x3, [x1, #8]\nadd x1, x1, #4096\nsubs x2, x2, #1\nb.ne 1b\nmov x0, #0\nbrk #0x100`;
    const first = await runCounting(touch);
    expect(first.ret).toBe(0n);
    expect(first.handled).toBe(pages);
    expect(first.trapped).toBe(0);
    expect(mm.rss).toBe(rss0 + pages);
    expect(u.kernel.harness.process().mm.lookup(addr + 4096n * 10n)).toBeDefined();
    expect(check_mm(mm)).toEqual([]);
    // Read-only now: the first store faults, the fast path declines, the trap delivers SIGSEGV.
    expect(u.syscall(1, NR.mprotect, addr, pages * 4096, 1)).toBe(0n);
    const ro = await runCounting(touch);
    expect(ro.signal).toBe(11);
    expect(ro.handled).toBe(0);
    expect(ro.trapped).toBe(1);
    expect(u.syscall(1, NR.munmap, addr, pages * 4096)).toBe(0n);
    expect(mm.rss).toBe(rss0);
  });

  it('leaves a fault outside any area to the slow path (SIGSEGV)', async () => {
    const r = await runCounting('mov64 x1, 0x70000000\nldr x2, [x1]\nmov x0, #0\nbrk #0x100');
    expect(r.signal).toBe(11);
    expect(r.handled).toBe(0);
    expect(r.trapped).toBe(1);
  });

  it('tries a failing allocation once: the slow path takes its result and kills the task', async () => {
    const u = booted.u;
    const mm = u.kernel.harness.process().mm;
    const addr = u.syscall(1, NR.mmap, 0, 4096, 3, 0x22, -1, 0);
    let attempts = 0;
    u.kernel.user.mem.faults.page = () => (attempts++, true);
    try {
      const r = await runCounting(`mov64 x1, ${addr}\nstr x1, [x1]\nmov x0, #0\nbrk #0x100`);
      expect(r.signal).toBe(9);
      expect(r.fast).toBe(1);
      expect(r.trapped).toBe(1);
      expect(attempts).toBe(1);
    } finally {
      u.kernel.user.mem.faults.page = undefined;
    }
    expect(u.dmesg()).toMatch(/Out of memory: Killed process \d+/);
    expect(check_mm(mm)).toEqual([]);
  });
});
