// SPDX-License-Identifier: GPL-2.0-only
/*
 * The highatomic reserve (mm/page_alloc.c, 5.10): a high-order allocation
 * that had to dig (ALLOC_HARDER: GFP_ATOMIC and friends) claims its
 * pageblock as MIGRATE_HIGHATOMIC, so that the next such request finds
 * contiguous memory there; at most one pageblock plus 1% of the zone.
 * When an allocation would otherwise fail, the reserve is given back, one
 * pageblock at a time, keeping the last one unless forced.
 */

import type { PageAllocator } from './page_alloc';
import { MIGRATE_CMA, MIGRATE_HIGHATOMIC, MIGRATE_ISOLATE, get_page_from_free_area, type Zone } from './mmzone';
import { move_freepages_block } from './fallback';
import { NIL } from './mm_types';

/**
 * reserve_highatomic_pageblock: make the pageblock of a high-order
 * atomic allocation MIGRATE_HIGHATOMIC, up to one pageblock plus 1% of
 * the zone; never a CMA or isolated one.
 */
export function reserve_highatomic_pageblock(pgalloc: PageAllocator, pfn: number, zone: Zone): void {
  const pb = 1 << pgalloc.pageblockOrder;
  const maxManaged = Math.floor(zone.managed_pages / 100) + pb;
  if (zone.nr_reserved_highatomic >= maxManaged) return;
  const mt = pgalloc.mem_map.get_pageblock_migratetype(pfn);
  if (mt === MIGRATE_HIGHATOMIC || mt === MIGRATE_ISOLATE || mt === MIGRATE_CMA) return;
  zone.nr_reserved_highatomic += pb;
  pgalloc.mem_map.set_pageblock_migratetype(pfn, MIGRATE_HIGHATOMIC);
  move_freepages_block(pgalloc, zone, pfn, MIGRATE_HIGHATOMIC);
}

/**
 * unreserve_highatomic_pageblock: give a highatomic pageblock back to
 * `mt` (keeping one per zone unless forced), its free pages moved.
 * @returns true when free pages were moved.
 */
export function unreserve_highatomic_pageblock(pgalloc: PageAllocator, highest: number, mt: number, force: boolean): boolean {
  const pb = 1 << pgalloc.pageblockOrder;
  for (const zone of pgalloc.zonelist(highest)) {
    if (!force && zone.nr_reserved_highatomic <= pb) continue;
    for (let order = 0; order < pgalloc.maxOrder; order++) {
      const pfn = get_page_from_free_area(zone, order, MIGRATE_HIGHATOMIC);
      if (pfn === NIL) continue;
      if (pgalloc.mem_map.get_pageblock_migratetype(pfn) === MIGRATE_HIGHATOMIC)
        zone.nr_reserved_highatomic -= Math.min(pb, zone.nr_reserved_highatomic);
      pgalloc.mem_map.set_pageblock_migratetype(pfn, mt);
      if (move_freepages_block(pgalloc, zone, pfn, mt)) return true;
    }
  }
  return false;
}
