// SPDX-License-Identifier: GPL-2.0-only
/*
 * Definitions shared by the page allocator's files (mm/internal.h).
 */

import type { MemMap } from './mm_types';

/* alloc_flags: the watermark to check, and what the caller may dip into. */
export const ALLOC_WMARK_MIN = 0;
export const ALLOC_WMARK_LOW = 1;
export const ALLOC_WMARK_HIGH = 2;
export const ALLOC_NO_WATERMARKS = 0x04;
export const ALLOC_WMARK_MASK = ALLOC_NO_WATERMARKS - 1;
export const ALLOC_OOM = 0x08;
export const ALLOC_HARDER = 0x10;
export const ALLOC_HIGH = 0x20;
export const ALLOC_CPUSET = 0x40;
export const ALLOC_CMA = 0x80;
export const ALLOC_NOFRAGMENT = 0x100;
export const ALLOC_KSWAPD = 0x800;

/** PAGE_ALLOC_COSTLY_ORDER: above this, Linux gives up sooner. */
export const PAGE_ALLOC_COSTLY_ORDER = 3;

/** HUGETLB_PAGE_ORDER on arm64 with 4K pages (PMD_SHIFT 21 - PAGE_SHIFT 12). */
export const HUGETLB_PAGE_ORDER = 9;

/**
 * The geometry the buddy code needs: what zone-level functions take as
 * their first argument (the PageAllocator provides it).
 */
export interface BuddyConfig {
  readonly mem_map: MemMap;
  /** MAX_ORDER, exclusive: orders 0..MAX_ORDER-1 exist. */
  readonly maxOrder: number;
  readonly pageblockOrder: number;
  /** page_group_by_mobility_disabled (set when memory is too small for grouping). */
  page_group_by_mobility_disabled: boolean;
  /** vm.watermark_boost_factor (default 15000; 0 disables boosting). */
  watermark_boost_factor: number;
}

/** The default of vm.watermark_boost_factor in 5.10 (mm/page_alloc.c). */
export const WATERMARK_BOOST_FACTOR_DEFAULT = 15000;

/** PAGE_MAPPING_MOVABLE: the low bits of page->mapping of a non-LRU movable page (__SetPageMovable). */
export const PAGE_MAPPING_MOVABLE = 0x2;
export const PAGE_MAPPING_FLAGS = 0x3;

/**
 * pageblock_order for a given MAX_ORDER: a pageblock is a PMD-sized huge
 * page (order 9 on arm64 4K), but never larger than the largest buddy
 * block, as pageblock-flags.h has clamped it since 2022
 * (min(HUGETLB_PAGE_ORDER, MAX_ORDER - 1)); with max_order=6 a pageblock
 * is order 5.
 */
export function pageblock_order_for(maxOrder: number): number {
  return Math.min(HUGETLB_PAGE_ORDER, maxOrder - 1);
}
