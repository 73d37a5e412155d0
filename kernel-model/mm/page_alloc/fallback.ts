// SPDX-License-Identifier: GPL-2.0-only
/*
 * Falling back between migrate types (mm/page_alloc.c, 5.10:
 * __rmqueue_fallback, find_suitable_fallback, steal_suitable_fallback).
 *
 * Memory is grouped by mobility in pageblocks (2^pageblock_order pages,
 * 2 MiB on arm64 4K). Each pageblock has a migratetype in the pageblock
 * bitmap; free blocks sit on the list of the type they were freed as.
 * When the preferred type's lists are empty the allocator takes a block
 * from another type, in this order (fallbacks[]):
 *
 *   Unmovable   -> Reclaimable, Movable
 *   Movable     -> Reclaimable, Unmovable
 *   Reclaimable -> Unmovable,   Movable
 *
 * It looks for the *largest* foreign block first (roughly: the pageblock
 * with the most free pages), and when the block is big enough, or the
 * request is unmovable/reclaimable, it steals all free pages of that
 * pageblock and, if at least half of the pageblock is free or alike, takes
 * over the pageblock's type, so that later frees land on the right list
 * and mixing stays confined to few pageblocks.
 *
 * Stealing part of a pageblock boosts the zone's watermarks
 * (boost_watermark: by a pageblock, at most watermark_boost_factor/10000
 * of the high mark) and, for callers that may wake kswapd, marks the
 * zone so that kswapd is woken after the allocation; kswapd's
 * balance_pgdat takes the boost away again (PageAllocator.kswapd).
 * Highatomic pageblocks are never claimed, and CMA pageblocks are no
 * fallback of anyone's (fallbacks[] does not name them). The claim
 * decision counts, as move_freepages does, the in-use pages of the
 * pageblock that look movable: PageLRU or __PageMovable.
 */

import {
  free_area_empty,
  get_page_from_free_area,
  MIGRATE_HIGHATOMIC,
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_UNMOVABLE,
  move_to_free_list,
  type Zone,
} from './mmzone';
import { isBuddyType, NIL, PG_lru, W_FLAGS, W_MAPCOUNT, W_MAPPING, W_PRIVATE } from './mm_types';
import { ALLOC_KSWAPD, ALLOC_NOFRAGMENT, PAGE_MAPPING_FLAGS, PAGE_MAPPING_MOVABLE, type BuddyConfig } from './internal';
import { mult_frac } from './watermark';

/** fallbacks[MIGRATE_TYPES][]: where each pcp type may borrow from, in order. */
const FALLBACKS: readonly (readonly number[])[] = [
  /* MIGRATE_UNMOVABLE */ [MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE],
  /* MIGRATE_MOVABLE */ [MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE],
  /* MIGRATE_RECLAIMABLE */ [MIGRATE_UNMOVABLE, MIGRATE_MOVABLE],
];

/** find_suitable_fallback's "can steal" answer, beside the migratetype in the low bits. */
const CAN_STEAL = 0x100;
const FALLBACK_MT_MASK = CAN_STEAL - 1;

/**
 * can_steal_fallback: big blocks, and unmovable or reclaimable requests,
 * may take a whole pageblock.
 */
export function can_steal_fallback(cfg: BuddyConfig, order: number, startMt: number): boolean {
  if (order >= cfg.pageblockOrder) return true;
  return (
    order >= cfg.pageblockOrder >> 1 ||
    startMt === MIGRATE_RECLAIMABLE ||
    startMt === MIGRATE_UNMOVABLE ||
    cfg.page_group_by_mobility_disabled
  );
}

/**
 * find_suitable_fallback: the first migratetype, in fallback order, with
 * a free block of `order`.
 * @returns that migratetype, with CAN_STEAL or'ed in when the whole
 *          pageblock may be stolen, or -1 when there is none (Linux returns
 *          the steal answer through a pointer; we return both in one int).
 */
export function find_suitable_fallback(cfg: BuddyConfig, zone: Zone, order: number, mt: number, onlyStealable: boolean): number {
  if (zone.nrFree[order] === 0) return -1;
  let canSteal = false;
  for (const fallbackMt of FALLBACKS[mt] ?? []) {
    if (free_area_empty(zone, order, fallbackMt)) continue;
    if (can_steal_fallback(cfg, order, mt)) canSteal = true;
    if (!onlyStealable || canSteal) return fallbackMt | (canSteal ? CAN_STEAL : 0);
  }
  return -1;
}

/** What move_freepages_block found: free pages moved, and in-use pages that look movable. */
export const movedCounts = { movable: 0 };

/**
 * move_freepages_block: move every free block that starts in pfn's
 * pageblock to the `mt` lists, counting in movedCounts.movable the
 * in-use pages that are PageLRU or __PageMovable.
 * @returns pages moved (0 when the pageblock leaves the zone).
 */
export function move_freepages_block(cfg: BuddyConfig, zone: Zone, pfn: number, mt: number): number {
  const nr = 1 << cfg.pageblockOrder;
  let start = pfn - (pfn & (nr - 1));
  const end = start + nr - 1;
  if (!zone.zone_spans_pfn(start)) start = pfn;
  if (!zone.zone_spans_pfn(end)) return 0;
  const mem_map = cfg.mem_map;
  const w = mem_map.w;
  let moved = 0;
  let movable = 0;
  movedCounts.movable = 0;
  for (let p = start; p <= end; ) {
    const i = mem_map.idx(p);
    if (!isBuddyType(w[i + W_MAPCOUNT]!)) {
      if (w[i + W_FLAGS]! & (1 << PG_lru) || (w[i + W_MAPPING]! & PAGE_MAPPING_FLAGS) === PAGE_MAPPING_MOVABLE) movable++;
      p++;
      continue;
    }
    const order = w[i + W_PRIVATE]!;
    move_to_free_list(mem_map, zone, p, order, mt);
    p += 1 << order;
    moved += 1 << order;
  }
  movedCounts.movable = movable;
  return moved;
}

/**
 * boost_watermark: raise the zone's watermarks by a pageblock, up to
 * watermark_boost_factor/10000 of the high mark (at least a pageblock);
 * not in zones smaller than four pageblocks, nor before the marks exist.
 */
export function boost_watermark(cfg: BuddyConfig, zone: Zone): boolean {
  if (!cfg.watermark_boost_factor) return false;
  const pb = 1 << cfg.pageblockOrder;
  if (pb * 4 > zone.managed_pages) return false;
  let maxBoost = mult_frac(zone.watermark[2]!, cfg.watermark_boost_factor, 10000);
  if (!maxBoost) return false;
  maxBoost = Math.max(pb, maxBoost);
  zone.watermark_boost = Math.min(zone.watermark_boost + pb, maxBoost);
  return true;
}

/** change_pageblock_range: a block of start_order >= pageblock_order changes all its pageblocks. */
function change_pageblock_range(cfg: BuddyConfig, pfn: number, startOrder: number, mt: number): void {
  const nrBlocks = 1 << (startOrder - cfg.pageblockOrder);
  for (let k = 0; k < nrBlocks; k++) cfg.mem_map.set_pageblock_migratetype(pfn + (k << cfg.pageblockOrder), mt);
}

/**
 * steal_suitable_fallback: move the found block (and, when allowed, the
 * rest of its pageblock's free pages) to the requested type's lists, and
 * claim the pageblock when at least half of it is free or alike.
 */
function steal_suitable_fallback(cfg: BuddyConfig, zone: Zone, pfn: number, allocFlags: number, startMt: number, wholeBlock: boolean): void {
  const mem_map = cfg.mem_map;
  const currentOrder = mem_map.page_private(pfn);
  const oldBlockType = mem_map.get_pageblock_migratetype(pfn);
  const singlePage = (): void => move_to_free_list(mem_map, zone, pfn, currentOrder, startMt);

  if (oldBlockType === MIGRATE_HIGHATOMIC) return singlePage();
  if (currentOrder >= cfg.pageblockOrder) {
    change_pageblock_range(cfg, pfn, currentOrder, startMt);
    return singlePage();
  }
  // "Boost watermarks to increase reclaim pressure to reduce the likelihood of future fallbacks."
  if (boost_watermark(cfg, zone) && allocFlags & ALLOC_KSWAPD) zone.boosted_watermark_flag = true;
  if (!wholeBlock) return singlePage();

  const freePages = move_freepages_block(cfg, zone, pfn, startMt);
  const movablePages = movedCounts.movable;
  let alikePages: number;
  if (startMt === MIGRATE_MOVABLE) alikePages = movablePages;
  else if (oldBlockType === MIGRATE_MOVABLE) alikePages = (1 << cfg.pageblockOrder) - (freePages + movablePages);
  else alikePages = 0;

  if (freePages === 0) return singlePage();
  if (freePages + alikePages >= 1 << (cfg.pageblockOrder - 1) || cfg.page_group_by_mobility_disabled)
    mem_map.set_pageblock_migratetype(pfn, startMt);
}

/**
 * __rmqueue_fallback: move a suitable foreign block to the `startMt`
 * lists so that __rmqueue_smallest can take it.
 * @returns true when something was moved.
 */
export function __rmqueue_fallback(cfg: BuddyConfig, zone: Zone, order: number, startMt: number, allocFlags: number): boolean {
  // ALLOC_NOFRAGMENT: do not mix types inside a pageblock on the first pass.
  const minOrder = allocFlags & ALLOC_NOFRAGMENT ? cfg.pageblockOrder : order;
  let found = -1;
  let currentOrder = cfg.maxOrder - 1;
  for (; currentOrder >= minOrder; currentOrder--) {
    found = find_suitable_fallback(cfg, zone, currentOrder, startMt, false);
    if (found !== -1) break;
  }
  if (found === -1) return false;

  // A movable request that cannot steal the whole block had better split
  // the smallest foreign block than the largest one.
  if (!(found & CAN_STEAL) && startMt === MIGRATE_MOVABLE && currentOrder > order) {
    for (currentOrder = order; currentOrder < cfg.maxOrder; currentOrder++) {
      found = find_suitable_fallback(cfg, zone, currentOrder, startMt, false);
      if (found !== -1) break;
    }
    if (found === -1) return false;
  }

  const pfn = get_page_from_free_area(zone, currentOrder, found & FALLBACK_MT_MASK);
  if (pfn === NIL) return false;
  steal_suitable_fallback(cfg, zone, pfn, allocFlags, startMt, (found & CAN_STEAL) !== 0);
  return true;
}
