// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lazy freeing of vmap areas (Linux free_vmap_area_noflush and
 * __purge_vmap_area_lazy).
 *
 * Unmapping an area needs a TLB flush on every CPU before its addresses
 * can be reused, and one flush per vfree would dominate. So a freed area
 * stays reserved, marked VM_LAZY_FREE, on vmap_purge_list, and its pages
 * count into vmap_lazy_nr. When vmap_lazy_nr exceeds lazy_max_pages(), or
 * when an allocation finds no room, the whole list is purged as one
 * batch: one flush over the range covering every area in it, then each
 * area's range is given back to the allocator (__free_vmap_area) and its
 * pages leave vmap_lazy_nr.
 *
 * lazy_max_pages() = fls(num_online_cpus()) * (32 MiB / PAGE_SIZE):
 * 24,576 pages on a four-CPU system (the figure quoted on LKML,
 * https://lkml.org/lkml/2019/7/16/276).
 *
 * This follows v4.19 and v5.2 (the seed's), where the lazily freed area
 * stays in the busy tree until the purge. Later kernels take it off the
 * busy tree at once (v5.10 keeps such areas in a purge tree of their own,
 * merged like the free tree); the space they reserve and the batch are
 * the same.
 * v5.10 runs the purge inline in free_vmap_area_noflush; later kernels
 * queue it as a work item. The model returns "a purge is due" from
 * free_vmap_area_noflush and lets the kernel choose: inline, or a work
 * item on its run queue.
 */

import type { VmapBackend } from './backend';
import { PAGE_SHIFT, ULONG_MAX, VM_LAZY_FREE, type VmapArea } from './vmap_area';

/** fls: the 1-based index of the most significant set bit, 0 for 0. */
export const fls = (x: number): number => (x === 0 ? 0 : 32 - Math.clz32(x));

export function lazy_max_pages(nrOnlineCpus: number): number {
  return fls(nrOnlineCpus) * ((32 * 1024 * 1024) >> Number(PAGE_SHIFT));
}

export type FlushTlbKernelRange = (start: bigint, end: bigint) => void;

export class VmapLazyPurge {
  /** Pages of lazily freed areas not yet purged (Linux vmap_lazy_nr). */
  vmap_lazy_nr = 0;
  readonly vmap_purge_list: VmapArea[] = [];
  /** Purges done, and areas they released (statistics). */
  purges = 0;
  purged = 0;

  constructor(
    readonly lazyMaxPages: number,
    private readonly flush_tlb_kernel_range: FlushTlbKernelRange,
  ) {}

  /** Queue a busy area for the purge. True when vmap_lazy_nr is over the threshold: purge now. */
  free_vmap_area_noflush(va: VmapArea): boolean {
    va.flags = VM_LAZY_FREE;
    this.vmap_lazy_nr += Number((va.va_end - va.va_start) >> PAGE_SHIFT);
    this.vmap_purge_list.push(va);
    return this.vmap_lazy_nr > this.lazyMaxPages;
  }

  /** Purge the whole list as one batch; false when it was empty. */
  __purge_vmap_area_lazy(backend: VmapBackend, start = ULONG_MAX, end = 0n): boolean {
    const batch = this.vmap_purge_list.splice(0);
    if (batch.length === 0) return false;
    for (const va of batch) {
      if (va.va_start < start) start = va.va_start;
      if (va.va_end > end) end = va.va_end;
    }
    this.flush_tlb_kernel_range(start, end);
    for (const va of batch) {
      const nr = Number((va.va_end - va.va_start) >> PAGE_SHIFT);
      backend.free_busy(va);
      this.vmap_lazy_nr -= nr;
    }
    this.purges++;
    this.purged += batch.length;
    return true;
  }
}
