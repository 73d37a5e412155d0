// SPDX-License-Identifier: GPL-2.0-only
/*
 * Wired kernel pages for the object allocators (slab, kmem, the magazine
 * pools), and the one address unit they share.
 *
 * The allocators below manage addresses as `number`s (subr_vmem.ts,
 * subr_pool.ts); kernel virtual addresses do not fit one, so they work in
 * kernel offsets, `koff = va - PAGE_OFFSET`, the distance from the bottom
 * of the 39-bit kernel half. The linear map starts there (koff = pa -
 * PHYS_OFFSET) and the vmalloc range lies above it (koff below 2^39), so
 * every kernel address the allocators can get is exact. Conversions to
 * and from bigint happen only at the kernel-facing edges.
 *
 * Pages come from the buddy allocator (alloc_pages) and are reached
 * through the linear map, as Linux's slab pages (page_address) and
 * NetBSD's pool pages on a direct-mapped port (uvm_km_alloc_poolpage via
 * PMAP_MAP_POOLPAGE) are.
 */

import type { Kernel } from '../../kernel';
import { PAGE_END, PAGE_OFFSET } from '../../arch/arm64/memory';
import { PAGE_SIZE } from '../../arch/arm64/page-def';
import { KernelFault } from '../maccess';
import type { PageAllocator } from '../page_alloc';

/** Size of the linear map in kernel offsets: koff below it is linear. */
export const LINEAR_SPAN = Number(PAGE_END - PAGE_OFFSET);

export class KernelPages {
  constructor(private readonly k: Kernel, private readonly pgalloc: PageAllocator) {}

  private get physOffset(): number {
    return this.k.arch.linear.physOffset;
  }

  koff(va: bigint): number {
    return Number(va - PAGE_OFFSET);
  }

  va(koff: number): bigint {
    return PAGE_OFFSET + BigInt(koff);
  }

  /** The PFN of a linear-map kernel offset. */
  pfn(koff: number): number {
    return Math.floor((koff + this.physOffset) / PAGE_SIZE);
  }

  /** The linear-map kernel offset of a PFN (page_address). */
  koffOfPfn(pfn: number): number {
    return pfn * PAGE_SIZE - this.physOffset;
  }

  /** The physical address of a kernel offset, or undefined if nothing maps it. */
  pa(koff: number): number | undefined {
    if (koff >= 0 && koff < LINEAR_SPAN) return koff + this.physOffset;
    return this.k.arch.kmem.translate(this.va(koff));
  }

  /** A live view of `count` 32-bit words at koff (within one page); a KernelFault if unmapped. */
  words(koff: number, count: number): Uint32Array {
    const pa = this.pa(koff);
    if (pa === undefined) throw new KernelFault(this.va(koff), false);
    return this.k.machine.ram.view(Uint32Array, pa, count, 4);
  }

  /** memset(koff, byte, len), page by page. */
  memset(koff: number, byte: number, len: number): void {
    let off = 0;
    while (off < len) {
      const n = Math.min(len - off, PAGE_SIZE - ((koff + off) % PAGE_SIZE));
      const pa = this.pa(koff + off);
      if (pa === undefined) throw new KernelFault(this.va(koff + off), true);
      this.k.machine.ram.fill(pa, n, byte);
      off += n;
    }
  }

  /** alloc_pages(gfp, order): the block's linear-map kernel offset, or null. */
  alloc(gfp: number, order: number): number | null {
    const pfn = this.pgalloc.alloc_pages(gfp, order);
    return pfn === null ? null : this.koffOfPfn(pfn);
  }

  /** __free_pages of a block alloc() returned. */
  free(koff: number, order: number): void {
    this.pgalloc.__free_pages(this.pfn(koff), order);
  }
}
