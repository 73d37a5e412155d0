// SPDX-License-Identifier: GPL-2.0-only
/*
 * Contiguous ranges out of the buddy allocator: alloc_contig_range and
 * free_contig_range (mm/page_alloc.c, 5.10), with the page isolation they
 * stand on (mm/page_isolation.c start_isolate_page_range,
 * undo_isolate_page_range, test_pages_isolated; set_migratetype_isolate,
 * unset_migratetype_isolate) and isolate_freepages_range
 * (mm/compaction.c). This is what cma_alloc calls.
 *
 *   1. isolate every pageblock of [start, end) widened to MAX_ORDER
 *      blocks: its type becomes MIGRATE_ISOLATE, its free pages move to
 *      the isolate lists and leave NR_FREE_PAGES, and nothing frees into
 *      it but to the isolate lists (pcp.ts, buddy.ts);
 *   2. drain the per-CPU lists, so that their pages come home;
 *   3. migrate the pages in use out of the range: Linux moves LRU and
 *      __PageMovable pages to new homes. This kernel has no LRU, and no
 *      user of __SetPageMovable: a page in use in the range cannot be
 *      moved, and the range is busy ("alloc_contig_range: [%lx, %lx) PFNs
 *      busy", -EBUSY), which cma_alloc answers by trying further on;
 *   4. take the free blocks of the range off the isolate lists, hand the
 *      pages out one by one (refcount 1 each, not compound) and give back
 *      what sticks out at either end;
 *   5. undo the isolation: each pageblock gets its type back, its free
 *      pages their lists and their count, and free blocks that the
 *      isolation kept from merging merge now.
 */

import {
  __mod_zone_freepage_state,
  del_page_from_free_list,
  MIGRATE_CMA,
  MIGRATE_ISOLATE,
  MIGRATE_MOVABLE,
} from './mmzone';
import { __free_one_page } from './buddy';
import { move_freepages_block } from './fallback';
import { isBuddyType, PG_reserved, W_FLAGS, W_MAPCOUNT, W_PRIVATE, W_REFCOUNT } from './mm_types';
import type { PageAllocator } from './page_alloc';

export const EBUSY = 16;
export const EINVAL = 22;

const alignDown = (x: number, a: number): number => x - (x % a);
const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;

/**
 * has_unmovable_pages, for the pageblock at pfn: a CMA pageblock is fine
 * for a CMA request ("consider them movable here"); otherwise any page in
 * use that is not free is unmovable in this kernel (nothing is on an LRU).
 */
function has_unmovable_pages(pgalloc: PageAllocator, pfn: number, migratetype: number): boolean {
  const mem_map = pgalloc.mem_map;
  const mt = mem_map.get_pageblock_migratetype(pfn);
  if (mt === MIGRATE_CMA) return migratetype !== MIGRATE_CMA;
  const end = pfn + (1 << pgalloc.pageblockOrder);
  for (let p = pfn; p < end; ) {
    const i = mem_map.idx(p);
    if (mem_map.w[i + W_FLAGS]! & (1 << PG_reserved)) return true;
    if (isBuddyType(mem_map.w[i + W_MAPCOUNT]!)) p += 1 << mem_map.w[i + W_PRIVATE]!;
    else if (mem_map.w[i + W_REFCOUNT] === 0) p++;
    else return true;
  }
  return false;
}

/** set_migratetype_isolate: -EBUSY when the pageblock is isolated already or holds unmovable pages. */
function set_migratetype_isolate(pgalloc: PageAllocator, pfn: number, migratetype: number): number {
  const mem_map = pgalloc.mem_map;
  const zone = pgalloc.page_zone(pfn);
  const mt = mem_map.get_pageblock_migratetype(pfn);
  if (mt === MIGRATE_ISOLATE || has_unmovable_pages(pgalloc, pfn, migratetype)) return -EBUSY;
  mem_map.set_pageblock_migratetype(pfn, MIGRATE_ISOLATE);
  zone.nr_isolate_pageblock++;
  const moved = move_freepages_block(pgalloc, zone, pfn, MIGRATE_ISOLATE);
  __mod_zone_freepage_state(zone, -moved, mt);
  return 0;
}

/** unset_migratetype_isolate: the type back, the free pages back on their lists, counted, merged. */
function unset_migratetype_isolate(pgalloc: PageAllocator, pfn: number, migratetype: number): void {
  const mem_map = pgalloc.mem_map;
  const zone = pgalloc.page_zone(pfn);
  if (mem_map.get_pageblock_migratetype(pfn) !== MIGRATE_ISOLATE) return;
  mem_map.set_pageblock_migratetype(pfn, migratetype);
  zone.nr_isolate_pageblock--;
  const i = mem_map.idx(pfn);
  const order = mem_map.w[i + W_PRIVATE]!;
  if (isBuddyType(mem_map.w[i + W_MAPCOUNT]!) && order >= pgalloc.pageblockOrder && order < pgalloc.maxOrder - 1) {
    // "Isolation and free will make these pages to be merged": take the block off and free it again.
    const buddy = pfn ^ (1 << order);
    if (mem_map.pfn_valid(buddy) && mem_map.get_pageblock_migratetype(buddy) !== MIGRATE_ISOLATE) {
      del_page_from_free_list(mem_map, zone, pfn, order);
      __free_one_page(pgalloc, zone, pfn, order, migratetype, false);
      return;
    }
  }
  const moved = move_freepages_block(pgalloc, zone, pfn, migratetype);
  __mod_zone_freepage_state(zone, moved, migratetype);
}

/** start_isolate_page_range: every pageblock of [start, end), or none (undone on the first refusal). */
export function start_isolate_page_range(pgalloc: PageAllocator, start: number, end: number, migratetype: number): number {
  const pb = 1 << pgalloc.pageblockOrder;
  for (let pfn = start; pfn < end; pfn += pb) {
    if (!pgalloc.mem_map.pfn_valid(pfn)) continue;
    if (set_migratetype_isolate(pgalloc, pfn, migratetype) !== 0) {
      undo_isolate_page_range(pgalloc, start, pfn, migratetype);
      return -EBUSY;
    }
  }
  return 0;
}

export function undo_isolate_page_range(pgalloc: PageAllocator, start: number, end: number, migratetype: number): void {
  const pb = 1 << pgalloc.pageblockOrder;
  for (let pfn = start; pfn < end; pfn += pb) if (pgalloc.mem_map.pfn_valid(pfn)) unset_migratetype_isolate(pgalloc, pfn, migratetype);
}

/** test_pages_isolated: the first PFN of [start, end) that is not free on an isolated pageblock, or end. */
function test_pages_isolated(pgalloc: PageAllocator, start: number, end: number): number {
  const mem_map = pgalloc.mem_map;
  const pb = 1 << pgalloc.pageblockOrder;
  for (let pfn = alignDown(start, pb); pfn < end; pfn += pb) if (mem_map.get_pageblock_migratetype(pfn) !== MIGRATE_ISOLATE) return Math.max(pfn, start);
  let pfn = start;
  while (pfn < end) {
    const i = mem_map.idx(pfn);
    if (!isBuddyType(mem_map.w[i + W_MAPCOUNT]!)) break;
    pfn += 1 << mem_map.w[i + W_PRIVATE]!;
  }
  return pfn;
}

/**
 * isolate_freepages_range: take the free blocks of [start, end) off the
 * isolate lists; every page gets its own reference.
 * @returns the end of the last block taken (may lie past end).
 */
function isolate_freepages_range(pgalloc: PageAllocator, start: number, end: number): number {
  const mem_map = pgalloc.mem_map;
  let pfn = start;
  while (pfn < end) {
    const i = mem_map.idx(pfn);
    const order = mem_map.w[i + W_PRIVATE]!;
    del_page_from_free_list(mem_map, pgalloc.page_zone(pfn), pfn, order);
    for (let p = pfn; p < pfn + (1 << order); p++) mem_map.set_page_count(p, 1); // split_map_pages
    pfn += 1 << order;
  }
  return pfn;
}

/**
 * alloc_contig_range: pages [start, end) for the caller, each with
 * refcount 1, or a negative errno (-EBUSY when a page is in the way).
 * @param migratetype MIGRATE_CMA for a CMA area, MIGRATE_MOVABLE otherwise
 */
export function alloc_contig_range(pgalloc: PageAllocator, start: number, end: number, migratetype: number): number {
  const mem_map = pgalloc.mem_map;
  if (!(start < end) || !mem_map.pfn_valid(start) || !mem_map.pfn_valid(end - 1)) return -EINVAL;
  if (pgalloc.page_zone(start) !== pgalloc.page_zone(end - 1)) return -EINVAL;
  const maxNr = 1 << (pgalloc.maxOrder - 1);
  const isoStart = alignDown(start, maxNr);
  const isoEnd = Math.min(alignUp(end, maxNr), mem_map.endPfn);
  let ret = start_isolate_page_range(pgalloc, isoStart, isoEnd, migratetype);
  if (ret) return ret;
  pgalloc.drain_all_pages(pgalloc.page_zone(start));
  // __alloc_contig_migrate_range: nothing here can be migrated (no LRU, no __PageMovable users).

  // The free block holding `start` may begin below it (outer_start).
  let outerStart = start;
  for (let order = 0; !mem_map.PageBuddy(outerStart); ) {
    if (++order >= pgalloc.maxOrder) {
      outerStart = start;
      break;
    }
    outerStart = alignDown(start, 1 << order);
  }
  if (outerStart !== start && outerStart + (1 << mem_map.page_private(outerStart)) <= start) outerStart = start;

  const busy = test_pages_isolated(pgalloc, outerStart, end);
  if (busy < end) {
    pgalloc.report.printk(`alloc_contig_range: [${outerStart.toString(16)}, ${end.toString(16)}) PFNs busy`);
    ret = -EBUSY;
  } else {
    const outerEnd = isolate_freepages_range(pgalloc, outerStart, end);
    if (start !== outerStart) free_contig_range(pgalloc, outerStart, start - outerStart);
    if (end !== outerEnd) free_contig_range(pgalloc, end, outerEnd - end);
  }
  undo_isolate_page_range(pgalloc, isoStart, isoEnd, migratetype);
  return ret;
}

/**
 * free_contig_range: one reference off each page; "N pages are still in
 * use!" when some had more.
 */
export function free_contig_range(pgalloc: PageAllocator, pfn: number, nr: number): void {
  let stillUsed = 0;
  for (let p = pfn; p < pfn + nr; p++) {
    if (pgalloc.page_count(p) !== 1) stillUsed++;
    pgalloc.__free_pages(p, 0);
  }
  if (stillUsed) pgalloc.report.printk(`${stillUsed} pages are still in use!`);
}

export { MIGRATE_CMA, MIGRATE_MOVABLE };
