// SPDX-License-Identifier: GPL-2.0-only
/*
 * Zones and their free areas (include/linux/mmzone.h).
 *
 * A zone is a PFN span with one set of buddy free lists:
 *
 *   zone->free_area[order].free_list[migratetype]   order 0..MAX_ORDER-1
 *   zone->free_area[order].nr_free                   blocks of that order
 *
 * Each list is doubly linked through the lru words of the head pages of
 * the free blocks in mem_map (guest memory). The list heads themselves
 * live here, as Linux keeps them in struct zone: `freeHead[li]` and
 * `freeTail[li]` hold the first and last PFN of list li = order *
 * MIGRATE_TYPES + migratetype, NIL when empty. A head page's `index` word
 * names the migratetype list it is on, its `private` word its order, and
 * its _mapcount says PageBuddy.
 *
 * Invariants (checked by debug_vm.ts):
 *   - every PageBuddy page is on exactly one free list, the one named by
 *     its (private, index), and nothing else is on a free list;
 *   - a block of order o starts at a PFN aligned to 2^o, inside the zone;
 *   - nr_free[o] = number of blocks on the order-o lists;
 *   - nr_free_pages (the NR_FREE_PAGES counter, which /proc/meminfo's
 *     MemFree shows) = sum over o of nr_free[o] << o; pages sitting on the
 *     per-CPU lists are *not* in it, as in Linux.
 *
 * Zones on the board (arm64, CONFIG_ZONE_DMA and CONFIG_ZONE_DMA32):
 * ZONE_DMA, ZONE_DMA32, ZONE_NORMAL and ZONE_MOVABLE (always empty here:
 * no kernelcore=/movablecore=).
 */

import {
  NIL,
  PAGE_BUDDY_MAPCOUNT_VALUE,
  PAGE_MAPCOUNT_RESET,
  W_INDEX,
  W_LRU_NEXT,
  W_LRU_PREV,
  W_MAPCOUNT,
  W_PRIVATE,
  type MemMap,
} from './mm_types';
import type { PerCpuPages } from './pcp';

/* enum migratetype (CONFIG_CMA and CONFIG_MEMORY_ISOLATION, as on the Pi kernel). */
export const MIGRATE_UNMOVABLE = 0;
export const MIGRATE_MOVABLE = 1;
export const MIGRATE_RECLAIMABLE = 2;
export const MIGRATE_PCPTYPES = 3;
export const MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES;
export const MIGRATE_CMA = 4;
export const MIGRATE_ISOLATE = 5;
export const MIGRATE_TYPES = 6;
export const migratetype_names: readonly string[] = ['Unmovable', 'Movable', 'Reclaimable', 'HighAtomic', 'CMA', 'Isolate'];

/* enum zone_type */
export const ZONE_DMA = 0;
export const ZONE_DMA32 = 1;
export const ZONE_NORMAL = 2;
export const ZONE_MOVABLE = 3;
export const MAX_NR_ZONES = 4;
export const zone_names: readonly string[] = ['DMA', 'DMA32', 'Normal', 'Movable'];

/* enum zone_watermarks */
export const WMARK_MIN = 0;
export const WMARK_LOW = 1;
export const WMARK_HIGH = 2;

/** sysctl_lowmem_reserve_ratio defaults (mm/page_alloc.c, 5.10). */
export const LOWMEM_RESERVE_RATIO: readonly number[] = [256, 256, 32, 0];

export class Zone {
  readonly name: string;
  zone_start_pfn = 0;
  spanned_pages = 0;
  present_pages = 0;
  /** Pages the buddy allocator manages (present minus reserved). */
  managed_pages = 0;
  /** _watermark[WMARK_MIN/LOW/HIGH], in pages. */
  readonly watermark = new Float64Array(3);
  /** lowmem_reserve[classzone]: pages kept back from allocations that could use a higher zone. */
  readonly lowmem_reserve = new Float64Array(MAX_NR_ZONES);
  /** NR_FREE_PAGES (isolated free pages excluded, as in Linux). */
  nr_free_pages = 0;
  /** NR_FREE_CMA_PAGES: the part of NR_FREE_PAGES on MIGRATE_CMA lists. */
  nr_free_cma_pages = 0;
  /** zone->cma_pages: pages handed over by cma_init_reserved_areas (/proc/zoneinfo's "cma"). */
  cma_pages = 0;
  /** zone->nr_isolate_pageblock: pageblocks now MIGRATE_ISOLATE. */
  nr_isolate_pageblock = 0;
  nr_reserved_highatomic = 0;
  /** zone->watermark_boost, in pages (boost_watermark). */
  watermark_boost = 0;
  /** ZONE_BOOSTED_WATERMARK in zone->flags: wake kswapd after this allocation. */
  boosted_watermark_flag = false;
  /** First and last PFN of each free list, index order * MIGRATE_TYPES + migratetype. */
  readonly freeHead: Int32Array;
  readonly freeTail: Int32Array;
  /** free_area[order].nr_free */
  readonly nrFree: Int32Array;
  /** zone->pageset: boot_pageset from build_all_zonelists, the zone's own from setup_per_cpu_pageset. */
  pcp!: PerCpuPages;

  constructor(readonly idx: number, readonly maxOrder: number) {
    this.name = zone_names[idx]!;
    this.freeHead = new Int32Array(maxOrder * MIGRATE_TYPES).fill(NIL);
    this.freeTail = new Int32Array(maxOrder * MIGRATE_TYPES).fill(NIL);
    this.nrFree = new Int32Array(maxOrder);
  }

  zone_end_pfn(): number {
    return this.zone_start_pfn + this.spanned_pages;
  }
  populated_zone(): boolean {
    return this.present_pages !== 0;
  }
  managed_zone(): boolean {
    return this.managed_pages !== 0;
  }
  zone_spans_pfn(pfn: number): boolean {
    return pfn >= this.zone_start_pfn && pfn < this.zone_end_pfn();
  }
  /** min_wmark_pages etc.: the mark plus the current boost, as 5.10's wmark_pages(). */
  min_wmark_pages(): number {
    return this.watermark[WMARK_MIN]! + this.watermark_boost;
  }
  low_wmark_pages(): number {
    return this.watermark[WMARK_LOW]! + this.watermark_boost;
  }
  high_wmark_pages(): number {
    return this.watermark[WMARK_HIGH]! + this.watermark_boost;
  }
}

/**
 * __mod_zone_freepage_state: NR_FREE_PAGES, and NR_FREE_CMA_PAGES for a
 * MIGRATE_CMA block. Callers leave isolated blocks out, as Linux's do.
 */
export function __mod_zone_freepage_state(zone: Zone, nr: number, mt: number): void {
  zone.nr_free_pages += nr;
  if (mt === MIGRATE_CMA) zone.nr_free_cma_pages += nr;
}

/** Index of free_area[order].free_list[mt] in freeHead/freeTail. */
export function free_list_index(order: number, mt: number): number {
  return order * MIGRATE_TYPES + mt;
}

/** free_area_empty */
export function free_area_empty(zone: Zone, order: number, mt: number): boolean {
  return zone.freeHead[free_list_index(order, mt)] === NIL;
}

/** get_page_from_free_area: the first block on the list, or NIL. */
export function get_page_from_free_area(zone: Zone, order: number, mt: number): number {
  return zone.freeHead[free_list_index(order, mt)]!;
}

/* ---- raw list primitives over (head, tail) arrays and lru words ---- */

/** list_add: put pfn first on list li. */
export function list_add(mem_map: MemMap, head: Int32Array, tail: Int32Array, li: number, pfn: number): void {
  const w = mem_map.w;
  const i = mem_map.idx(pfn);
  const first = head[li]!;
  w[i + W_LRU_NEXT] = first;
  w[i + W_LRU_PREV] = NIL;
  if (first === NIL) tail[li] = pfn;
  else w[mem_map.idx(first) + W_LRU_PREV] = pfn;
  head[li] = pfn;
}

/** list_add_tail: put pfn last on list li. */
export function list_add_tail(mem_map: MemMap, head: Int32Array, tail: Int32Array, li: number, pfn: number): void {
  const w = mem_map.w;
  const i = mem_map.idx(pfn);
  const last = tail[li]!;
  w[i + W_LRU_PREV] = last;
  w[i + W_LRU_NEXT] = NIL;
  if (last === NIL) head[li] = pfn;
  else w[mem_map.idx(last) + W_LRU_NEXT] = pfn;
  tail[li] = pfn;
}

/** list_del: unlink pfn from list li; its own links become NIL. */
export function list_del(mem_map: MemMap, head: Int32Array, tail: Int32Array, li: number, pfn: number): void {
  const w = mem_map.w;
  const i = mem_map.idx(pfn);
  const next = w[i + W_LRU_NEXT]!;
  const prev = w[i + W_LRU_PREV]!;
  if (prev === NIL) head[li] = next;
  else w[mem_map.idx(prev) + W_LRU_NEXT] = next;
  if (next === NIL) tail[li] = prev;
  else w[mem_map.idx(next) + W_LRU_PREV] = prev;
  w[i + W_LRU_NEXT] = NIL;
  w[i + W_LRU_PREV] = NIL;
}

/* ---- free_area operations (mm/page_alloc.c) ---- */

/** set_buddy_order: mark pfn as the head of a free block of `order`. */
export function set_buddy_order(mem_map: MemMap, pfn: number, order: number): void {
  const i = mem_map.idx(pfn);
  mem_map.w[i + W_PRIVATE] = order;
  mem_map.w[i + W_MAPCOUNT] = PAGE_BUDDY_MAPCOUNT_VALUE;
}

/** add_to_free_list: a block not on any list goes first on free_list[mt] of its order. */
export function add_to_free_list(mem_map: MemMap, zone: Zone, pfn: number, order: number, mt: number): void {
  mem_map.w[mem_map.idx(pfn) + W_INDEX] = mt;
  list_add(mem_map, zone.freeHead, zone.freeTail, free_list_index(order, mt), pfn);
  zone.nrFree[order]++;
}

/** add_to_free_list_tail: the same, last on the list (less likely to be reused soon). */
export function add_to_free_list_tail(mem_map: MemMap, zone: Zone, pfn: number, order: number, mt: number): void {
  mem_map.w[mem_map.idx(pfn) + W_INDEX] = mt;
  list_add_tail(mem_map, zone.freeHead, zone.freeTail, free_list_index(order, mt), pfn);
  zone.nrFree[order]++;
}

/** move_to_free_list: a block already on a list moves to the tail of free_list[mt]. */
export function move_to_free_list(mem_map: MemMap, zone: Zone, pfn: number, order: number, mt: number): void {
  const i = mem_map.idx(pfn);
  const oldMt = mem_map.w[i + W_INDEX]!;
  list_del(mem_map, zone.freeHead, zone.freeTail, free_list_index(order, oldMt), pfn);
  mem_map.w[i + W_INDEX] = mt;
  list_add_tail(mem_map, zone.freeHead, zone.freeTail, free_list_index(order, mt), pfn);
}

/**
 * del_page_from_free_list: take a block off its list; it stops being
 * PageBuddy and its order is forgotten (NR_FREE_PAGES is the caller's
 * business, as in Linux).
 */
export function del_page_from_free_list(mem_map: MemMap, zone: Zone, pfn: number, order: number): void {
  const i = mem_map.idx(pfn);
  const mt = mem_map.w[i + W_INDEX]!;
  list_del(mem_map, zone.freeHead, zone.freeTail, free_list_index(order, mt), pfn);
  mem_map.w[i + W_MAPCOUNT] = PAGE_MAPCOUNT_RESET;
  mem_map.w[i + W_PRIVATE] = 0;
  zone.nrFree[order]--;
}
