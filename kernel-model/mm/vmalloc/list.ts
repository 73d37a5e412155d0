// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vmap area allocator the seed replaced (vmap_allocator=list): Linux
 * mm/vmalloc.c alloc_vmap_area and __free_vmap_area as they were from
 * v2.6.28 (Nick Piggin's rewrite around vmap_area) to v5.1, before
 * commit 68ad4a330433 (v5.2); this follows the v4.19 text.
 *
 * Only busy areas are recorded, in vmap_area_root (a red-black tree by
 * address) and vmap_area_list (the same order). Free space is whatever
 * lies between them, so an allocation looks for a hole:
 *
 *   1. find a starting point: the busy area at or after ALIGN(vstart)
 *      (a tree descent), or, through the cache below, the area allocated
 *      last;
 *   2. walk the busy list from there, moving addr past each area that the
 *      request would collide with, until the request fits before the next
 *      area or runs past vend.
 *
 * Step 2 is O(N) in the busy areas it passes, which is what the seed
 * measured: with 15,000 one-page areas in front (long_busy_list_alloc_test)
 * every search walks all of them.
 *
 * The hole cache (free_vmap_cache with cached_hole_size, cached_vstart,
 * cached_align) lets a search start where the last allocation ended, as
 * long as the request cannot use any hole below that point:
 *   - cached_hole_size is the largest hole a walk has stepped over since
 *     the cache was last reset; a request smaller than it starts over
 *     from vstart;
 *   - a lower vstart or a smaller alignment than the last request's also
 *     starts over (holes below may then fit);
 *   - freeing an area at or below the cached one moves the cache back to
 *     the area before it (the hole opens below the cache); freeing one
 *     that ends below cached_vstart drops the cache.
 * cached_hole_size is not lowered on those moves, and a request exactly
 * as large as it keeps using the cache although such a hole fits, so this
 * allocator is lowest-address-first except in that case; the tests show
 * it.
 *
 * Not modelled: vmap_area_pcpu_hole (only pcpu_get_vm_areas read it) and
 * the RCU deferral of the node's kfree (the model frees at once).
 *
 * Invariants (check.ts): busy areas do not overlap and lie in the space;
 * the list is the tree's in-order sequence; the cached node is a busy
 * area; the node cache's live objects = busy areas.
 */

import type { VmapBackend, VmapSpace } from './backend';
import { insert_vmap_area, unlink_va, VaTree } from './va_tree';
import { rb_prev } from '../../lib/rbtree';
import { ALIGN, wraps, type VmapArea, type VmapAreaCache } from './vmap_area';

export class ListVmapAllocator implements VmapBackend {
  readonly kind = 'list';
  readonly busy = new VaTree();
  free_vmap_cache: VmapArea | null = null;
  cached_hole_size = 0n;
  cached_vstart = 0n;
  cached_align = 0n;
  /** Busy areas stepped over by the hole searches (the O(N) part), for benchmarks and tests. */
  walked = 0;
  /** Nodes the fit search has visited (VmapBackend.visited): the busy areas walked. */
  get visited(): number {
    return this.walked;
  }

  constructor(
    readonly cache: VmapAreaCache,
    readonly space: VmapSpace,
  ) {}

  init(early: readonly VmapArea[]): void {
    for (const va of early) insert_vmap_area(va, this.busy);
  }

  preload(_cpu: number): void {}

  /** The lowest busy area ending at or after addr; stops at one that contains addr. */
  private first_at_or_after(addr: bigint): VmapArea | null {
    let n = this.busy.root.rb_node;
    let first: VmapArea | null = null;
    while (n) {
      if (n.va_end >= addr) {
        first = n;
        if (n.va_start <= addr) break;
        n = n.rb_left;
      } else {
        n = n.rb_right;
      }
    }
    return first;
  }

  /** The hole search of alloc_vmap_area before v5.2; null on overflow. */
  find_hole(size: bigint, align: bigint, vstart: bigint, vend: bigint): bigint | null {
    const cached = this.free_vmap_cache;
    let useCache = cached !== null && !(size < this.cached_hole_size || vstart < this.cached_vstart || align < this.cached_align);
    let addr = 0n;
    if (useCache) {
      addr = ALIGN(cached!.va_end, align);
      if (addr < vstart) useCache = false;
    }
    if (!useCache) {
      this.cached_hole_size = 0n;
      this.free_vmap_cache = null;
    }
    // Remember the least permissive parameters the cache was used with.
    this.cached_vstart = vstart;
    this.cached_align = align;

    let first: VmapArea | null;
    if (useCache) {
      first = cached;
      if (wraps(addr, size)) return null;
    } else {
      addr = ALIGN(vstart, align);
      if (wraps(addr, size)) return null;
      first = this.first_at_or_after(addr);
    }

    // Walk the busy areas until the request fits in front of one.
    while (first && addr + size > first.va_start && addr + size <= vend) {
      this.walked++;
      if (addr + this.cached_hole_size < first.va_start) this.cached_hole_size = first.va_start - addr;
      addr = ALIGN(first.va_end, align);
      if (wraps(addr, size)) return null;
      first = first.list_next;
    }
    // ALIGN can wrap to 0 for a huge alignment, hence the vstart test.
    if (addr + size > vend || addr < vstart) return null;
    return addr;
  }

  alloc_busy(va: VmapArea, size: bigint, align: bigint, vstart: bigint, vend: bigint, _cpu: number): boolean {
    const addr = this.find_hole(size, align, vstart, vend);
    if (addr === null) return false;
    va.va_start = addr;
    va.va_end = addr + size;
    insert_vmap_area(va, this.busy);
    this.free_vmap_cache = va;
    return true;
  }

  free_busy(va: VmapArea): void {
    const cached = this.free_vmap_cache;
    if (cached) {
      if (va.va_end < this.cached_vstart) this.free_vmap_cache = null;
      // The hole opens at or below the cached area: resume from the area before it.
      else if (va.va_start <= cached.va_start) this.free_vmap_cache = rb_prev(va);
    }
    unlink_va(va, this.busy);
    va.flags = 0;
    this.cache.free(va);
  }

  nodes(): number {
    return this.busy.count;
  }
}
