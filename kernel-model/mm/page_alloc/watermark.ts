// SPDX-License-Identifier: GPL-2.0-only
/*
 * Watermarks and reserves (mm/page_alloc.c, 5.10: init_per_zone_wmark_min,
 * __setup_per_zone_wmarks, setup_per_zone_lowmem_reserve,
 * calculate_totalreserve_pages, __zone_watermark_ok).
 *
 * Each zone has three marks, in pages:
 *
 *   min   the zone's share of min_free_kbytes (proportional to its
 *         managed pages); ordinary allocations may not go below it
 *   low   min + max(min / 4, 0.1% of the zone)   (watermark_scale_factor 10)
 *   high  min + 2 * that distance
 *
 * min_free_kbytes = sqrt(16 * lowmem kbytes), clamped to [128, 262144]
 * ("16MB: 512k ... 4096MB: 8192k"), unless the user set vm.min_free_kbytes.
 * The first allocation attempt checks `low`; the slow path checks `min`,
 * lowered by half for __GFP_HIGH and by a quarter more for __GFP_ATOMIC.
 * On top of the mark, a zone keeps lowmem_reserve[classzone] pages for
 * callers that could have used a higher zone (ratio 256 for DMA and
 * DMA32, 32 for Normal), so that GFP_KERNEL does not eat all of ZONE_DMA.
 *
 * Without kswapd there is no reclaim to restore the marks: they only make
 * allocations fail early, exactly as on a machine with nothing to reclaim.
 */

import {
  LOWMEM_RESERVE_RATIO, MAX_NR_ZONES, MIGRATE_CMA, MIGRATE_HIGHATOMIC, MIGRATE_PCPTYPES, WMARK_HIGH, WMARK_LOW, WMARK_MIN, free_area_empty, type Zone,
} from './mmzone';
import { ALLOC_CMA, ALLOC_HARDER, ALLOC_HIGH, ALLOC_OOM } from './internal';
import { PAGE_SHIFT } from './mm_types';

/** watermark_scale_factor default: 10 = 0.1% of the zone. */
export const WATERMARK_SCALE_FACTOR = 10;

/** int_sqrt: floor of the square root, exact for safe integers. */
export function int_sqrt(x: number): number {
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

/** mult_frac(x, n, d) without overflow, as include/linux/kernel.h computes it. */
export function mult_frac(x: number, n: number, d: number): number {
  return Math.floor(x / d) * n + Math.floor(((x % d) * n) / d);
}

/**
 * nr_free_zone_pages: pages above the high watermark in the zones at or
 * below `offset` (the zonelist of node 0).
 */
export function nr_free_zone_pages(zones: readonly Zone[], offset: number): number {
  let sum = 0;
  for (let z = 0; z <= offset && z < zones.length; z++) {
    const zone = zones[z]!;
    if (!zone.populated_zone()) continue;
    const size = zone.managed_pages;
    const high = zone.high_wmark_pages();
    if (size > high) sum += size - high;
  }
  return sum;
}

/** min_free_kbytes for a machine with `lowmemKbytes` of lowmem. */
export function compute_min_free_kbytes(lowmemKbytes: number): number {
  return Math.min(Math.max(int_sqrt(lowmemKbytes * 16), 128), 262144);
}

/** __setup_per_zone_wmarks: min/low/high of every zone from min_free_kbytes. */
export function setup_per_zone_wmarks(zones: readonly Zone[], minFreeKbytes: number): void {
  const pagesMin = minFreeKbytes >> (PAGE_SHIFT - 10);
  let lowmemPages = 0;
  for (const zone of zones) lowmemPages += zone.managed_pages; // no ZONE_HIGHMEM on arm64
  for (const zone of zones) {
    let tmp = lowmemPages === 0 ? 0 : Math.floor((pagesMin * zone.managed_pages) / lowmemPages);
    zone.watermark[WMARK_MIN] = tmp;
    tmp = Math.max(Math.floor(tmp / 4), mult_frac(zone.managed_pages, WATERMARK_SCALE_FACTOR, 10000));
    zone.watermark[WMARK_LOW] = zone.watermark[WMARK_MIN]! + tmp;
    zone.watermark[WMARK_HIGH] = zone.watermark[WMARK_MIN]! + tmp * 2;
  }
}

/**
 * setup_per_zone_lowmem_reserve: zone i keeps (managed pages of zones
 * i+1..j) / ratio[i] back from allocations whose highest zone is j.
 */
export function setup_per_zone_lowmem_reserve(zones: readonly Zone[]): void {
  for (let i = 0; i < MAX_NR_ZONES - 1; i++) {
    const zone = zones[i]!;
    const ratio = LOWMEM_RESERVE_RATIO[i]!;
    const clear = ratio === 0 || zone.managed_pages === 0;
    let managed = 0;
    for (let j = i + 1; j < MAX_NR_ZONES; j++) {
      managed += zones[j]!.managed_pages;
      zone.lowmem_reserve[j] = clear ? 0 : Math.floor(managed / ratio);
    }
  }
}

/**
 * calculate_totalreserve_pages: per zone, the largest lowmem reserve plus
 * the high watermark, capped at the zone's managed pages. MemAvailable
 * subtracts this.
 */
export function calculate_totalreserve_pages(zones: readonly Zone[]): number {
  let total = 0;
  for (let i = 0; i < zones.length; i++) {
    const zone = zones[i]!;
    let max = 0;
    for (let j = i; j < MAX_NR_ZONES; j++) max = Math.max(max, zone.lowmem_reserve[j]!);
    max += zone.high_wmark_pages();
    total += Math.min(max, zone.managed_pages);
  }
  return total;
}

/** Pages a request may not count as free: the order's own tail, the highatomic reserve, free CMA without ALLOC_CMA. */
function __zone_watermark_unusable_free(zone: Zone, order: number, allocFlags: number): number {
  let unusable = (1 << order) - 1;
  if (!(allocFlags & (ALLOC_HARDER | ALLOC_OOM))) unusable += zone.nr_reserved_highatomic;
  if (!(allocFlags & ALLOC_CMA)) unusable += zone.nr_free_cma_pages;
  return unusable;
}

/**
 * __zone_watermark_ok: would `freePages` stay above `mark` (adjusted for
 * the caller's rights) plus the lowmem reserve, and is a block of at
 * least `order` actually free?
 */
export function __zone_watermark_ok(
  zone: Zone,
  order: number,
  mark: number,
  highestZoneidx: number,
  allocFlags: number,
  freePages: number,
): boolean {
  const harder = (allocFlags & (ALLOC_HARDER | ALLOC_OOM)) !== 0;
  let min = mark;
  freePages -= __zone_watermark_unusable_free(zone, order, allocFlags);
  if (allocFlags & ALLOC_HIGH) min -= Math.floor(min / 2);
  if (harder) min -= allocFlags & ALLOC_OOM ? Math.floor(min / 2) : Math.floor(min / 4);
  if (freePages <= min + zone.lowmem_reserve[highestZoneidx]!) return false;
  if (order === 0) return true;
  for (let o = order; o < zone.maxOrder; o++) {
    if (zone.nrFree[o] === 0) continue;
    for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) if (!free_area_empty(zone, o, mt)) return true;
    if (allocFlags & ALLOC_CMA && !free_area_empty(zone, o, MIGRATE_CMA)) return true;
    if (harder && !free_area_empty(zone, o, MIGRATE_HIGHATOMIC)) return true;
  }
  return false;
}

export function zone_watermark_ok(zone: Zone, order: number, mark: number, highestZoneidx: number, allocFlags: number): boolean {
  return __zone_watermark_ok(zone, order, mark, highestZoneidx, allocFlags, zone.nr_free_pages);
}

/** zone_watermark_fast: the order-0 shortcut first, then the full check. */
export function zone_watermark_fast(zone: Zone, order: number, mark: number, highestZoneidx: number, allocFlags: number): boolean {
  const freePages = zone.nr_free_pages;
  if (order === 0) {
    const reserved = __zone_watermark_unusable_free(zone, 0, allocFlags);
    const usable = freePages - Math.min(freePages, reserved);
    if (usable > mark + zone.lowmem_reserve[highestZoneidx]!) return true;
  }
  return __zone_watermark_ok(zone, order, mark, highestZoneidx, allocFlags, freePages);
}
