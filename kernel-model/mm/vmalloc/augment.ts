// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vmap area allocator of Uladzislau Rezki's "mm/vmap: keep track of
 * free blocks for vmap allocation" (Linux commit 68ad4a330433, v5.2;
 * LKML "[RFC PATCH v2 0/1] improve vmap allocation", 21 Mar 2019), as it
 * stands in v5.10 (vmap_allocator=augment, the default).
 *
 * Free space is kept explicitly: the KVA space [1, ULONG_MAX) minus the
 * busy areas is a set of maximal free areas, each a vmap_area in
 * free_vmap_area_root (a red-black tree sorted by va_start) and in
 * free_vmap_area_list (the same order, for O(1) neighbours). Every node
 * also holds subtree_max_size, the largest free area in its subtree, so a
 * search can tell from a subtree's root whether anything below is big
 * enough, and steer to the lowest free area that fits in O(log n):
 *
 *   find_vmap_lowest_match  descend left while the left subtree has a
 *                           block of at least size + align - 1 bytes (and
 *                           the node lies above vstart), else try this
 *                           node, else go right if the right subtree is
 *                           big enough, else climb back to the first
 *                           ancestor whose right subtree is.
 *   classify_va_fit_type    how the request sits in the block it found:
 *                           FL (the whole block), LE (its left edge), RE
 *                           (its right edge), NE (strictly inside).
 *   adjust_va_to_fit_type   FL removes the block; LE and RE shrink it; NE
 *                           shrinks it to the right remainder and inserts
 *                           the left remainder as a new node, searching
 *                           from the split node rather than the root. NE
 *                           needs a node while holding the lock, so
 *                           alloc_vmap_area preloads a spare one per CPU
 *                           (ne_fit_preload_node) beforehand.
 *   merge_or_add_vmap_area  on free: find where the area would go, merge
 *                           it into the previous and/or next free area
 *                           when they touch, else insert it.
 *
 * After every change of a node's size the augmented values are repaired
 * upwards (augment_tree_propagate_from), stopping at the first node whose
 * value does not change.
 *
 * The search length is size + align - 1, as in v5.10: enough to hold the
 * request at any alignment of the block's start. So a block that could
 * hold the request only because its start happens to be aligned is not
 * descended to (it is still taken when it lies on the search path). The
 * lowest address is therefore found among blocks of at least that
 * length; Linux later returned to the exact size for page alignment
 * ("mm/vmalloc: do not adjust the search size for alignment overhead",
 * 2021). The tests state this difference.
 *
 * Invariants (check.ts verifies them all):
 *   - free and busy areas tile [space.start, space.end) without overlap;
 *   - no two free areas touch (they would have been merged); none is empty;
 *   - each free node's subtree_max_size = max(its size, its children's);
 *   - each list is its tree's in-order sequence;
 *   - the node cache's live objects = busy + free + preloaded nodes.
 */

import { rb_declare_callbacks_max } from '../../lib/rbtree_augmented';
import type { VmapBackend, VmapSpace } from './backend';
import { find_va_links, find_va_siblings, insert_vmap_area, link_va, unlink_va, VaTree } from './va_tree';
import { ALIGN, va_size, wraps, type VmapArea, type VmapAreaCache } from './vmap_area';

export enum FitType {
  NOTHING_FIT = 0,
  FL_FIT_TYPE = 1,
  LE_FIT_TYPE = 2,
  RE_FIT_TYPE = 3,
  NE_FIT_TYPE = 4,
}

const { callbacks: free_vmap_area_rb_augment_cb, compute: compute_subtree_max_size } = rb_declare_callbacks_max<VmapArea>(
  (va) => va.subtree_max_size,
  (va, v) => {
    va.subtree_max_size = v;
  },
  va_size,
);
export { compute_subtree_max_size };

const get_subtree_max_size = (va: VmapArea | null): bigint => (va ? va.subtree_max_size : 0n);

export class AugmentVmapAllocator implements VmapBackend {
  readonly kind = 'augment';
  readonly busy = new VaTree();
  readonly free = new VaTree(free_vmap_area_rb_augment_cb);
  /** One spare node per CPU for NE splits (Linux's per-CPU ne_fit_preload_node). */
  readonly ne_fit_preload_node: (VmapArea | null)[];
  /** How each allocation split its block, for tests and statistics. */
  readonly fitCounts = [0, 0, 0, 0, 0];
  /** Tree nodes the fit search has visited (VmapBackend.visited). */
  visited = 0;

  constructor(
    readonly cache: VmapAreaCache,
    readonly space: VmapSpace,
    nrCpus = 1,
  ) {
    this.ne_fit_preload_node = new Array<VmapArea | null>(nrCpus).fill(null);
  }

  /** vmalloc_init: import the early busy areas, then lay the free space around them (vmap_init_free_space). */
  init(early: readonly VmapArea[]): void {
    for (const va of early) insert_vmap_area(va, this.busy);
    let start = this.space.start;
    for (const busy of this.busy.list) {
      if (busy.va_start > start) this.insert_free(start, busy.va_start);
      start = busy.va_end;
    }
    if (this.space.end > start) this.insert_free(start, this.space.end);
  }

  private insert_free(start: bigint, end: bigint): void {
    const va = this.cache.alloc();
    if (!va) throw new Error('vmalloc_init: no memory for the free vmap areas');
    va.va_start = start;
    va.va_end = end;
    link_va(va, this.free, find_va_links(va, this.free));
    this.augment_tree_propagate_from(va);
  }

  private augment_tree_propagate_from(va: VmapArea): void {
    free_vmap_area_rb_augment_cb.propagate(va, null);
  }

  preload(cpu: number): void {
    if (this.ne_fit_preload_node[cpu]) return;
    // A failed preload is harmless: the NE split tries the cache again itself.
    this.ne_fit_preload_node[cpu] = this.cache.alloc();
  }

  /**
   * Put a freed range back into the free space (Linux
   * merge_or_add_vmap_area), merging with touching neighbours. Returns
   * the free area that now holds the range.
   */
  merge_or_add_vmap_area(va: VmapArea): VmapArea {
    const link = find_va_links(va, this.free);
    const { prev, next } = find_va_siblings(this.free, link);
    let merged = false;
    if (next && next.va_start === va.va_end) {
      next.va_start = va.va_start;
      this.cache.free(va);
      va = next;
      merged = true;
    }
    if (prev && prev.va_end === va.va_start) {
      // Both neighbours: unlink next before prev grows, as v5.10 does;
      // growing prev first could leave values the erase's rotations
      // "normalise" from a stale subtree.
      if (merged) unlink_va(va, this.free);
      prev.va_end = va.va_end;
      this.cache.free(va);
      va = prev;
      merged = true;
    }
    if (!merged) link_va(va, this.free, link);
    this.augment_tree_propagate_from(va);
    return va;
  }

  /** The lowest free area that can hold the request (Linux find_vmap_lowest_match, v5.10). */
  find_vmap_lowest_match(size: bigint, align: bigint, vstart: bigint): VmapArea | null {
    // Enough for the request at any alignment of the block's start.
    const length = size + align - 1n;
    let node = this.free.root.rb_node;
    while (node) {
      this.visited++;
      if (get_subtree_max_size(node.rb_left) >= length && vstart < node.va_start) {
        node = node.rb_left;
        continue;
      }
      if (is_within_this_va(node, size, align, vstart)) return node;
      if (get_subtree_max_size(node.rb_right) >= length) {
        node = node.rb_right;
        continue;
      }
      // Nothing fits below: climb to the first ancestor that fits or whose
      // right subtree is big enough. The vstart restriction is why this
      // can happen (once): the left turns above were not taken on size.
      let found: VmapArea | null = null;
      while ((node = node.rb_parent)) {
        this.visited++;
        if (is_within_this_va(node, size, align, vstart)) return node;
        if (get_subtree_max_size(node.rb_right) >= length && vstart <= node.va_start) {
          found = node.rb_right;
          break;
        }
      }
      node = found;
    }
    return null;
  }

  /** Carve [nva_start_addr, +size) out of free area `va` (Linux adjust_va_to_fit_type). */
  adjust_va_to_fit_type(va: VmapArea, nva_start_addr: bigint, size: bigint, type: FitType, cpu: number): boolean {
    let lva: VmapArea | null = null;
    switch (type) {
      case FitType.FL_FIT_TYPE:
        unlink_va(va, this.free);
        this.cache.free(va);
        return true;
      case FitType.LE_FIT_TYPE:
        va.va_start += size;
        break;
      case FitType.RE_FIT_TYPE:
        va.va_end = nva_start_addr;
        break;
      case FitType.NE_FIT_TYPE:
        lva = this.ne_fit_preload_node[cpu] ?? null;
        this.ne_fit_preload_node[cpu] = null;
        lva ??= this.cache.alloc();
        if (!lva) return false;
        lva.va_start = va.va_start;
        lva.va_end = nva_start_addr;
        va.va_start = nva_start_addr + size;
        break;
      default:
        return false;
    }
    this.augment_tree_propagate_from(va);
    if (lva) {
      // The left remainder sorts just before va: search from va, not the root.
      link_va(lva, this.free, find_va_links(lva, this.free, va));
      this.augment_tree_propagate_from(lva);
    }
    return true;
  }

  /** Linux __alloc_vmap_area: the start of the carved range, or null. */
  __alloc_vmap_area(size: bigint, align: bigint, vstart: bigint, vend: bigint, cpu: number): bigint | null {
    const va = this.find_vmap_lowest_match(size, align, vstart);
    if (!va) return null;
    const nva_start_addr = ALIGN(va.va_start > vstart ? va.va_start : vstart, align);
    if (nva_start_addr + size > vend) return null;
    const type = classify_va_fit_type(va, nva_start_addr, size);
    // find_vmap_lowest_match only returns blocks that fit (Linux: WARN_ON_ONCE).
    if (type === FitType.NOTHING_FIT) throw new Error('vmap: lowest match does not fit the request');
    if (!this.adjust_va_to_fit_type(va, nva_start_addr, size, type, cpu)) return null;
    this.fitCounts[type]!++;
    return nva_start_addr;
  }

  alloc_busy(va: VmapArea, size: bigint, align: bigint, vstart: bigint, vend: bigint, cpu: number): boolean {
    const addr = this.__alloc_vmap_area(size, align, vstart, vend, cpu);
    if (addr === null) return false;
    va.va_start = addr;
    va.va_end = addr + size;
    insert_vmap_area(va, this.busy);
    return true;
  }

  /** __free_vmap_area: the busy area leaves the busy tree and its range merges into the free space. */
  free_busy(va: VmapArea): void {
    unlink_va(va, this.busy);
    va.flags = 0;
    this.merge_or_add_vmap_area(va);
  }

  nodes(): number {
    return this.busy.count + this.free.count + this.ne_fit_preload_node.filter(Boolean).length;
  }
}

/** Can `va` hold size bytes at `align`, at or above vstart? (Linux is_within_this_va) */
export function is_within_this_va(va: VmapArea, size: bigint, align: bigint, vstart: bigint): boolean {
  const nva_start_addr = ALIGN(va.va_start > vstart ? va.va_start : vstart, align);
  // ALIGN can wrap to 0 for a huge alignment; the sum can wrap for a huge size.
  if (wraps(nva_start_addr, size) || nva_start_addr < vstart) return false;
  return nva_start_addr + size <= va.va_end;
}

export function classify_va_fit_type(va: VmapArea, nva_start_addr: bigint, size: bigint): FitType {
  if (nva_start_addr < va.va_start || nva_start_addr + size > va.va_end) return FitType.NOTHING_FIT;
  if (va.va_start === nva_start_addr) return va.va_end === nva_start_addr + size ? FitType.FL_FIT_TYPE : FitType.LE_FIT_TYPE;
  if (va.va_end === nva_start_addr + size) return FitType.RE_FIT_TYPE;
  return FitType.NE_FIT_TYPE;
}
