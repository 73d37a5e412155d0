// SPDX-License-Identifier: GPL-2.0-only
/*
 * The buddy free lists of one zone: split and merge (mm/page_alloc.c,
 * __free_one_page, expand, __rmqueue_smallest, __rmqueue).
 *
 * A free block of order o is 2^o pages starting at a PFN that is a
 * multiple of 2^o. Its buddy is the block of the same order it was split
 * from, at `pfn ^ (1 << o)`:
 *
 *     order 2   |<------------- 0..3 ------------->|
 *     order 1   |<---- 0..1 ---->|<---- 2..3 ---->|      buddy(0, 1) = 2
 *     order 0   |   0   |   1   |   2   |   3   |      buddy(2, 0) = 3
 *
 * Allocation (__rmqueue_smallest) takes the smallest block of at least the
 * requested order from the preferred migratetype's lists and gives the
 * unused halves back one order at a time (expand). Freeing
 * (__free_one_page) merges a block with its buddy for as long as the
 * buddy is free, of the same order and in the same zone, then puts the
 * result on a list: first (LIFO, cache-warm) normally, last when the
 * next-higher buddy is free too and a merge looks likely soon
 * (buddy_merge_likely).
 *
 * Invariants kept here (checked by debug_vm.ts): a block and its buddy
 * are never both free at the same order below MAX_ORDER-1 within one
 * zone; NR_FREE_PAGES moves by exactly the pages that enter or leave the
 * free lists (expand moves pages between lists, not out of them).
 *
 * These functions work on one zone and know nothing of per-CPU lists,
 * watermarks or GFP flags: page_alloc.ts and pcp.ts call them. No
 * CONFIG_DEBUG_PAGEALLOC guard pages. Isolation (MIGRATE_ISOLATE, for
 * alloc_contig_range) follows 5.10's two-stage merge loop: below
 * pageblock_order blocks merge freely; at or above it, while the zone has
 * isolated pageblocks, a block does not merge with a buddy whose
 * pageblock is isolated when its own is not, or the other way round, and
 * free pages on isolated pageblocks are not counted in NR_FREE_PAGES.
 */

import {
  __mod_zone_freepage_state,
  add_to_free_list,
  add_to_free_list_tail,
  del_page_from_free_list,
  get_page_from_free_area,
  MIGRATE_CMA,
  MIGRATE_ISOLATE,
  set_buddy_order,
  type Zone,
} from './mmzone';
import { isBuddyType, NIL, W_FLAGS_HI, W_INDEX, W_MAPCOUNT, W_PRIVATE } from './mm_types';
import { __rmqueue_fallback } from './fallback';
import { ALLOC_CMA, type BuddyConfig } from './internal';

/**
 * page_is_buddy: is `buddy` the free head of a block of `order` in the
 * same zone as the page at word index `i`?
 */
export function page_is_buddy(cfg: BuddyConfig, i: number, buddyPfn: number, order: number): boolean {
  const mem_map = cfg.mem_map;
  if (buddyPfn < mem_map.basePfn || buddyPfn >= mem_map.endPfn) return false; // pfn_valid_within
  const w = mem_map.w;
  const bi = mem_map.idx(buddyPfn);
  if (!isBuddyType(w[bi + W_MAPCOUNT]!)) return false;
  if (w[bi + W_PRIVATE] !== order) return false;
  // page_zone_id(page) != page_zone_id(buddy): zones never merge.
  return w[bi + W_FLAGS_HI] === w[i + W_FLAGS_HI];
}

/**
 * buddy_merge_likely: after freeing `pfn` at `order`, is the buddy of the
 * combined block one order up already free? Then the block goes to the
 * tail, so that it stays free long enough to merge.
 */
function buddy_merge_likely(cfg: BuddyConfig, pfn: number, order: number): boolean {
  if (order >= cfg.maxOrder - 2) return false;
  const buddyPfn = pfn ^ (1 << order);
  const combined = buddyPfn & pfn;
  const higherBuddy = combined ^ (1 << (order + 1));
  return page_is_buddy(cfg, cfg.mem_map.idx(combined), higherBuddy, order + 1);
}

/**
 * __free_one_page: return a block to the zone's free lists, merging it
 * with free buddies. `pfn` must be aligned to `order` and the pages must
 * already be in the free state (refcount 0, no flags, untyped).
 *
 * @param toTail FPI_TO_TAIL: put the result last on its list.
 */
export function __free_one_page(cfg: BuddyConfig, zone: Zone, pfn: number, order: number, mt: number, toTail: boolean): void {
  const mem_map = cfg.mem_map;
  const maxOrder = cfg.maxOrder;
  if (mt !== MIGRATE_ISOLATE) __mod_zone_freepage_state(zone, 1 << order, mt);
  while (order < maxOrder - 1) {
    const buddyPfn = pfn ^ (1 << order);
    if (!page_is_buddy(cfg, mem_map.idx(pfn), buddyPfn, order)) break;
    if (order >= cfg.pageblockOrder && zone.nr_isolate_pageblock > 0) {
      // "prevent merge between freepages on isolate pageblock and normal pageblock"
      const buddyMt = mem_map.get_pageblock_migratetype(buddyPfn);
      if (mt !== buddyMt && (mt === MIGRATE_ISOLATE || buddyMt === MIGRATE_ISOLATE)) break;
    }
    del_page_from_free_list(mem_map, zone, buddyPfn, order);
    pfn &= buddyPfn;
    order++;
  }
  set_buddy_order(mem_map, pfn, order);
  if (toTail || buddy_merge_likely(cfg, pfn, order)) add_to_free_list_tail(mem_map, zone, pfn, order, mt);
  else add_to_free_list(mem_map, zone, pfn, order, mt);
}

/**
 * expand: a block of order `high` at `pfn` was taken for a request of
 * order `low`; give back the upper halves, largest first.
 *
 *   high=3, low=0:  [ A | . | B . | C . . . ]   A returned, B (order 1)
 *                                               and C (order 2) stay free
 */
export function expand(cfg: BuddyConfig, zone: Zone, pfn: number, low: number, high: number, mt: number): void {
  const mem_map = cfg.mem_map;
  let size = 1 << high;
  while (high > low) {
    high--;
    size >>= 1;
    add_to_free_list(mem_map, zone, pfn + size, high, mt);
    set_buddy_order(mem_map, pfn + size, high);
  }
}

/**
 * __rmqueue_smallest: take the smallest block of at least `order` from
 * the `mt` lists, split it down to `order`.
 * @returns the PFN (its index word set to mt, set_pcppage_migratetype), or NIL.
 */
export function __rmqueue_smallest(cfg: BuddyConfig, zone: Zone, order: number, mt: number): number {
  for (let current = order; current < cfg.maxOrder; current++) {
    const pfn = get_page_from_free_area(zone, current, mt);
    if (pfn === NIL) continue;
    del_page_from_free_list(cfg.mem_map, zone, pfn, current);
    expand(cfg, zone, pfn, order, current, mt);
    cfg.mem_map.w[cfg.mem_map.idx(pfn) + W_INDEX] = mt;
    return pfn;
  }
  return NIL;
}

/**
 * __rmqueue: __rmqueue_smallest, and when the preferred migratetype has
 * nothing, the CMA lists (ALLOC_CMA: movable requests only), then steal
 * from another type (__rmqueue_fallback) and retry. With ALLOC_CMA,
 * 5.10 first balances movable allocations between the regular and the
 * CMA area: "allocating from CMA when over half of the zone's free
 * memory is in the CMA area". NR_FREE_PAGES is the caller's to adjust.
 */
export function __rmqueue(cfg: BuddyConfig, zone: Zone, order: number, mt: number, allocFlags: number): number {
  if (allocFlags & ALLOC_CMA && zone.nr_free_cma_pages > Math.floor(zone.nr_free_pages / 2)) {
    const pfn = __rmqueue_smallest(cfg, zone, order, MIGRATE_CMA);
    if (pfn !== NIL) return pfn;
  }
  for (;;) {
    let pfn = __rmqueue_smallest(cfg, zone, order, mt);
    if (pfn !== NIL) return pfn;
    if (allocFlags & ALLOC_CMA) {
      pfn = __rmqueue_smallest(cfg, zone, order, MIGRATE_CMA); // __rmqueue_cma_fallback
      if (pfn !== NIL) return pfn;
    }
    if (!__rmqueue_fallback(cfg, zone, order, mt, allocFlags)) return NIL;
  }
}

/** __ffs for a PFN: the order of the largest aligned block that can start there. */
function pfn_alignment_order(pfn: number, maxOrder: number): number {
  if (pfn === 0) return maxOrder - 1;
  return Math.min(maxOrder - 1, 31 - Math.clz32(pfn & -pfn));
}

/**
 * __free_pages_range: give free pages [start, end) back as the largest
 * aligned blocks that fit, as memblock's __free_pages_memory cuts a free
 * range (order = min(MAX_ORDER-1, __ffs(start)), shrunk to fit), each
 * merged with its buddies. The pages must be in the free state already.
 *
 * @param mt migratetype for every piece, or -1 for each piece's pageblock type
 */
export function __free_pages_range(cfg: BuddyConfig, zone: Zone, start: number, end: number, toTail: boolean, mt: number): void {
  while (start < end) {
    let order = pfn_alignment_order(start, cfg.maxOrder);
    while (start + (1 << order) > end) order--;
    __free_one_page(cfg, zone, start, order, mt >= 0 ? mt : cfg.mem_map.get_pageblock_migratetype(start), toTail);
    start += 1 << order;
  }
}
