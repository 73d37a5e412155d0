import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootUconsole, type Uconsole } from '../../../../api/uconsole';
import { PAGE_OFFSET, VMALLOC_START } from '../../../../kernel-model/arch/arm64/memory';
import { PROT } from '../../../../kernel-model/arch/arm64/pgtable';
import { KernelFault } from '../../../../kernel-model/mm/maccess';
import { GFP_KERNEL } from '../../../../kernel-model/mm/page_alloc';

let u: Uconsole;
beforeAll(async () => {
  u = await bootUconsole({ board: 'uconsole-cm4', ram: '1G' });
});
afterAll(() => u.shutdown());

/** Two pages with known contents, and a kernel VA (in the vmalloc range, unused) to map them at. */
function twoPages(): { pa1: number; pa2: number; va: bigint } {
  const k = u.kernel;
  const [p1, p2] = k.on(0, () => [k.mm.pgalloc.alloc_pages(GFP_KERNEL, 0)!, k.mm.pgalloc.alloc_pages(GFP_KERNEL, 0)!]);
  const pa1 = p1! * 4096;
  const pa2 = p2! * 4096;
  u.machine.ram.setU64(pa1, 0x1111n);
  u.machine.ram.setU64(pa2, 0x2222n);
  return { pa1, pa2, va: VMALLOC_START + 0x4000_0000n };
}

describe('kcall: functions of the kernel image on a chosen core', () => {
  it('passes arguments in x0.. and returns x0, on every core', () => {
    for (const c of u.machine.cores) {
      u.machine.ram.setU64(0x0300_0000 + 8 * c.index, 0xabc0n + BigInt(c.index));
      expect(u.kernel.kcall(c.index, 'probe_read64', PAGE_OFFSET + BigInt(0x0300_0000 + 8 * c.index))).toBe(0xabc0n + BigInt(c.index));
    }
  });

  it('refuses an unknown symbol in one line', () => {
    expect(() => u.kernel.kcall(1, 'no_such_function')).toThrow(/kcall: no symbol "no_such_function" in the kernel image/);
  });

  it('a fault in the called code is an oops of the calling thread: reported with PC, address and instruction; the machine goes on', () => {
    // Kernel data is never executable (PXN): calling into the linear map takes an instruction abort.
    expect(() => u.kernel.kcall(2, PAGE_OFFSET + 0x0300_0000n)).toThrow(
      /kcall 0xffffff8003000000 on cpu2: guest fault: insn abort at cpu2 EL1 PC 0xffffff8003000000 \(.*\): address 0xffffff8003000000, ESR 0x8600000e \(level 2 permission fault\)/);
    expect(u.dmesg()).toMatch(/Internal error: Oops: guest fault: insn abort at cpu2/);
    expect(u.machine.halted).toBe(false);
    expect(u.kernel.kcall(2, 'raw_smp_processor_id')).toBe(2n);
  });

});

describe('TLB maintenance', () => {
  it('a changed mapping is not seen until flushed; after flush_tlb_kernel_range on one core, every core sees it', () => {
    const k = u.kernel;
    const { pa1, pa2, va } = twoPages();
    const swapper = k.arch.pgtables.swapper;
    k.on(0, () => swapper.map(va, pa1, 4096, PROT.KERNEL)); // table pages come from the page allocator
    k.flush_tlb_kernel_range(va, va + 4096n);
    const readAll = (): bigint[] => u.machine.cores.map((c) => k.kcall(c.index, 'probe_read64', va));
    expect(readAll()).toEqual([0x1111n, 0x1111n, 0x1111n, 0x1111n]); // every core now caches the translation

    swapper.unmap(va);
    k.on(0, () => swapper.map(va, pa2, 4096, PROT.KERNEL));
    expect(k.arch.kmem.read64(va)).toBe(0x2222n); // TypeScript walks the tables: no TLB on its side
    expect(readAll()).toEqual([0x1111n, 0x1111n, 0x1111n, 0x1111n]); // the cores still use their stale entries

    k.kcall(0, 'flush_tlb_kernel_range', va, va + 4096n); // tlbi vaale1is on cpu0, broadcast
    expect(readAll()).toEqual([0x2222n, 0x2222n, 0x2222n, 0x2222n]);

    swapper.unmap(va);
    k.flush_tlb_kernel_range(va, va + 4096n);
    expect(() => k.arch.kmem.read64(va)).toThrow(KernelFault);
    expect(readAll()).toEqual(Array(4).fill(-14n)); // -EFAULT: unmapped everywhere
  });

  it('flush_tlb_all (tlbi vmalle1is) from one core reaches the others too', () => {
    const k = u.kernel;
    const { pa1, pa2, va } = twoPages();
    const swapper = k.arch.pgtables.swapper;
    k.on(0, () => swapper.map(va + 0x10000n, pa1, 4096, PROT.KERNEL));
    k.flush_tlb_kernel_range(va, va + 0x20000n);
    expect(k.kcall(3, 'probe_read64', va + 0x10000n)).toBe(0x1111n);
    swapper.unmap(va + 0x10000n);
    k.on(0, () => swapper.map(va + 0x10000n, pa2, 4096, PROT.KERNEL));
    expect(k.kcall(3, 'probe_read64', va + 0x10000n)).toBe(0x1111n);
    k.kcall(1, 'flush_tlb_all');
    expect(k.kcall(3, 'probe_read64', va + 0x10000n)).toBe(0x2222n);
  });
});

describe('kernel virtual memory from TypeScript', () => {
  it('reads and writes through the linear map and the image, and faults on holes', () => {
    const k = u.kernel;
    const mem = k.arch.kmem;
    mem.write64(PAGE_OFFSET + 0x0400_0000n, 0x0123_4567_89ab_cdefn);
    expect(u.machine.ram.u64(0x0400_0000)).toBe(0x0123_4567_89ab_cdefn);
    expect(k.kcall(1, 'probe_read64', PAGE_OFFSET + 0x0400_0000n)).toBe(0x0123_4567_89ab_cdefn);
    mem.write(PAGE_OFFSET + 0x0400_0ffcn, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)); // across a page boundary
    expect([...mem.read(PAGE_OFFSET + 0x0400_0ffcn, 8)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(mem.read32(k.vaddr('_head') + 0x38n)).toBe(0x644d5241); // the Image magic, through KIMAGE_VADDR
    expect(() => mem.read64(PAGE_OFFSET + 0x3b40_0000n)).toThrow(/Unable to handle kernel paging request at virtual address ffffff803b400000/);
    expect(mem.copy_from_kernel_nofault(PAGE_OFFSET + 0x3b40_0000n, 8)).toBeUndefined();
  });

  it('__va, __pa, page_address and virt_to_page are the linear map', () => {
    const lm = u.kernel.arch.linear;
    expect(lm.__va(0x1234_5000)).toBe(PAGE_OFFSET + 0x1234_5000n);
    expect(lm.__pa(PAGE_OFFSET + 0x1234_5678n)).toBe(0x1234_5678);
    expect(lm.page_address(0x12345)).toBe(PAGE_OFFSET + 0x1234_5000n);
    expect(lm.virt_to_page(PAGE_OFFSET + 0x1234_5678n)).toBe(0x12345);
    expect(() => lm.__pa(VMALLOC_START)).toThrow(/not a linear-map address/);
  });

  it('__get_free_pages returns a kernel virtual address, and free_pages takes it back', () => {
    const k = u.kernel;
    const pgalloc = k.mm.pgalloc;
    k.on(1, () => pgalloc.drain_all_pages());
    const free = pgalloc.nr_free_pages();
    const addr = k.on(1, () => pgalloc.__get_free_pages(GFP_KERNEL, 2));
    expect(addr >= PAGE_OFFSET).toBe(true);
    k.arch.kmem.write64(addr + 3n * 4096n, 77n);
    expect(k.kcall(2, 'probe_read64', addr + 3n * 4096n)).toBe(77n);
    k.on(1, () => pgalloc.free_pages(addr, 2));
    k.on(1, () => pgalloc.drain_all_pages());
    expect(pgalloc.nr_free_pages()).toBe(free);
  });
});

describe('a kcall that never comes back', () => {
  it('parks its core for good: the run ends with a report naming it, not a hang', () => {
    expect(() => u.kernel.kcall(3, 'cpu_idle')).toThrow(/no runnable task, \d+ waiting: .*kcall\/3\[\d+\] on cpu3: kcall cpu_idle/);
  });
});
