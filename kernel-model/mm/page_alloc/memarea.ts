// SPDX-License-Identifier: GPL-2.0-only
/*
 * memarea: arbitrary-size physically contiguous allocations on top of the
 * buddy allocator's own free lists (after Ingo Molnar's
 * memarea-2.4.15-D6, linux-kernel, 12 Nov 2001, never merged; its role
 * went to CMA and alloc_contig_range).
 *
 *   alloc_memarea(gfp, pages, align?)  -> first PFN, or null
 *   free_memarea(pfn, pages)
 *
 * No power-of-two size, no alignment limit: "if there is a sufficiently
 * sized physically continuous piece of RAM available, the allocator will
 * find it", even when it is far larger than the largest buddy block
 * (2^(MAX_ORDER-1) pages). That is the seed's point: with memarea for the
 * rare huge request, MAX_ORDER can shrink (max_order=6 here) and the hot
 * buddy paths get cheaper, while a 2 MiB or 64 MiB request still succeeds.
 *
 * Algorithm. A run of free memory is a sequence of buddy free blocks that
 * touch in PFN order. The free lists are not in PFN order, so:
 *
 *   1. collect: walk the free lists of the zone (all orders, the three
 *      ordinary migratetypes: never the highatomic reserve, CMA
 *      pageblocks, which only movable allocations and cma_alloc may
 *      use, or isolated ones) and record each block's head PFN in an
 *      Int32Array sized from the nr_free counters                    O(F)
 *   2. sort the PFNs                                           O(F log F)
 *   3. sweep: merge touching blocks into runs, and in each run try the
 *      first start aligned to `align` pages; the first run that holds the
 *      request wins (first fit, lowest PFN)                          O(F)
 *   4. carve: take the blocks of [start, start+pages) off their lists;
 *      the parts of the first and last block that stick out go back as
 *      aligned buddy blocks                                  O(k + log)
 *
 * A record is the PFN alone: the block's order is already in its head
 * page's private word (set_buddy_order), which the sweep reads in PFN
 * order. Nothing has to be packed beside the PFN, so no MAX_ORDER can
 * overflow a field (packing pfn * 16 + order, as this file once did,
 * misread every block of order 16 and above: max_order=17..19).
 *
 * F is the number of free blocks in the zone, k the number of blocks the
 * area covers. Allocated memory between free blocks is never looked at:
 * the gap between two records *is* the allocated run, skipped in one
 * step, so the cost grows with the number of free blocks, not with the
 * number of pages (Ingo's version had to step through mem_map; his worst
 * case was "~256K iterations ... on a 1 GB box"). If no run fits, the
 * zone's per-CPU lists are drained (their pages may fill a gap) and the
 * search runs once more.
 *
 * Why not keep a PFN-ordered index of free blocks instead (a tree or a
 * page-granularity bitmap, Ingo's "possible future improvement")? It
 * would make the search O(log F), but every buddy list insertion and
 * removal would have to update it: "a real runtime (and cache footprint)
 * overhead in the buddy allocator". memarea is for rare requests; sorting
 * on demand costs the buddy hot paths nothing, which was the patch's
 * promise ("no impact on the performance of the page allocator").
 *
 * The area is handed out like an order-N block: the first page holds the
 * reference (refcount 1), the others are refcount 0, untyped and off all
 * lists. Taking a block touches only its head page, so a large area costs
 * O(k), not O(pages) (unless __GFP_ZERO asks for the memory to be
 * cleared). free_memarea checks every page, as free_pages_prepare does for
 * a block, then gives the range back in aligned pieces that merge with
 * their buddies: O(pages). Pageblocks the area covers completely take the
 * request's migratetype, as a stolen pageblock would.
 */

import {
  del_page_from_free_list,
  free_list_index,
  MIGRATE_PCPTYPES,
  WMARK_MIN,
  type Zone,
} from './mmzone';
import { __GFP_NOWARN, __GFP_ZERO, gfp_migratetype, gfp_zone } from './gfp';
import { NIL, PAGE_SIZE, W_INDEX, W_LRU_NEXT, W_PRIVATE, W_REFCOUNT } from './mm_types';
import { __free_pages_range } from './buddy';
import { __zone_watermark_ok } from './watermark';
import type { PageAllocator } from './page_alloc';
import { PGALLOC_DMA, PGFREE } from '../vmstat_items';

/** A run found by the sweep: the area's start PFN and the sorted-record index of the run's first block. */
interface Fit {
  start: number;
  firstRecord: number;
}

/** Work counters, for benchmarks and tests (no clocks): searches run, free blocks looked at, pcp drains. */
export interface MemareaStats {
  searches: number;
  blocksScanned: number;
  drains: number;
}

/** Step 1: the head PFN of every free block of the zone, in a buffer of exactly that many records. */
function collect_free_blocks(zone: Zone, pgalloc: PageAllocator): Int32Array {
  const mem_map = pgalloc.mem_map;
  let total = 0;
  for (let order = 0; order < pgalloc.maxOrder; order++) total += zone.nrFree[order]!;
  const records = new Int32Array(total);
  let n = 0;
  for (let order = 0; order < pgalloc.maxOrder; order++) {
    for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) {
      for (let pfn = zone.freeHead[free_list_index(order, mt)]!; pfn !== NIL && n < total; pfn = mem_map.w[mem_map.idx(pfn) + W_LRU_NEXT]!) {
        records[n++] = pfn;
      }
    }
  }
  return records.subarray(0, n);
}

/** Pages in the free block headed by pfn (buddy_order of a PageBuddy head). */
function block_pages(pgalloc: PageAllocator, pfn: number): number {
  return 2 ** pgalloc.mem_map.w[pgalloc.mem_map.idx(pfn) + W_PRIVATE]!;
}

/** Step 3: first fit over runs of touching blocks in the sorted records. */
function find_fit(pgalloc: PageAllocator, sorted: Int32Array, pages: number, align: number): Fit | null {
  let i = 0;
  while (i < sorted.length) {
    const first = i;
    const runStart = sorted[i]!;
    let runEnd = runStart + block_pages(pgalloc, runStart);
    i++;
    while (i < sorted.length && sorted[i] === runEnd) {
      runEnd += block_pages(pgalloc, runEnd);
      i++;
    }
    const start = Math.ceil(runStart / align) * align;
    if (start + pages <= runEnd) return { start, firstRecord: first };
  }
  return null;
}

/** Steps 1-3 for one zone. */
function find_area(pgalloc: PageAllocator, zone: Zone, pages: number, align: number): { fit: Fit; sorted: Int32Array } | null {
  const sorted = collect_free_blocks(zone, pgalloc).sort(); // a typed array sorts numerically
  pgalloc.memareaStats.searches++;
  pgalloc.memareaStats.blocksScanned += sorted.length;
  const fit = find_fit(pgalloc, sorted, pages, align);
  return fit ? { fit, sorted } : null;
}

/**
 * Step 4: take [start, start+pages) out of the free lists; give back what
 * sticks out. A block's order is read just before the block is taken,
 * and the heads still to come keep theirs: what goes back of one block
 * is in pieces smaller than the block, whose buddies lie inside the same
 * block, so their merging never reaches another record.
 */
function carve_area(pgalloc: PageAllocator, zone: Zone, sorted: Int32Array, fit: Fit, pages: number): void {
  const mem_map = pgalloc.mem_map;
  const start = fit.start;
  const end = start + pages;
  for (let r = fit.firstRecord; r < sorted.length; r++) {
    const bpfn = sorted[r]!;
    if (bpfn >= end) break;
    const i = mem_map.idx(bpfn);
    const order = mem_map.w[i + W_PRIVATE]!;
    const bend = bpfn + 2 ** order;
    if (bend <= start) continue;
    const mt = mem_map.w[i + W_INDEX]!;
    del_page_from_free_list(mem_map, zone, bpfn, order);
    zone.nr_free_pages -= 2 ** order;
    if (bpfn < start) __free_pages_range(pgalloc, zone, bpfn, start, false, mt);
    if (bend > end) __free_pages_range(pgalloc, zone, end, bend, false, mt);
  }
}

/** Pageblocks lying wholly inside the area take the request's migratetype. */
function claim_pageblocks(pgalloc: PageAllocator, start: number, end: number, mt: number): void {
  const nr = 1 << pgalloc.pageblockOrder;
  for (let pb = Math.ceil(start / nr) * nr; pb + nr <= end; pb += nr) pgalloc.mem_map.set_pageblock_migratetype(pb, mt);
}

/** Is there room in the zone without going below the min watermark? */
function memarea_watermark_ok(zone: Zone, pages: number, highest: number): boolean {
  return __zone_watermark_ok(zone, 0, zone.watermark[WMARK_MIN]! + pages, highest, 0, zone.nr_free_pages);
}

/**
 * alloc_memarea: `pages` physically contiguous pages whose first PFN is a
 * multiple of `align`, from the zones gfp allows (highest first).
 * @returns the first PFN, or null (with a warning unless __GFP_NOWARN).
 */
export function alloc_memarea(pgalloc: PageAllocator, gfp: number, pages: number, align: number, cpu: number): number | null {
  if (!Number.isInteger(pages) || pages < 1 || !Number.isInteger(align) || align < 1) {
    pgalloc.report.warn_on_once(`memarea:${pages}:${align}`, 'mm/page_alloc/memarea.ts', 'alloc_memarea', cpu);
    return null;
  }
  const highest = gfp_zone(gfp);
  const mt = gfp_migratetype(gfp);
  if (highest < 0 || mt < 0) {
    pgalloc.report.warn_on_once(`gfp:${gfp}`, 'include/linux/gfp.h', 'gfp_zone', cpu);
    return null;
  }
  for (const zone of pgalloc.zonelist(highest)) {
    if (!memarea_watermark_ok(zone, pages, highest)) continue;
    let found = find_area(pgalloc, zone, pages, align);
    if (!found) {
      pgalloc.drain_all_pages(zone);
      pgalloc.memareaStats.drains++;
      found = find_area(pgalloc, zone, pages, align);
    }
    if (!found) continue;
    carve_area(pgalloc, zone, found.sorted, found.fit, pages);
    const start = found.fit.start;
    const i = pgalloc.mem_map.idx(start);
    pgalloc.mem_map.w[i + W_PRIVATE] = 0;
    pgalloc.mem_map.w[i + W_REFCOUNT] = 1;
    claim_pageblocks(pgalloc, start, start + pages, mt);
    pgalloc.count_vm_events(PGALLOC_DMA + zone.idx, pages, cpu);
    if (gfp & __GFP_ZERO) pgalloc.ram.fill(start * PAGE_SIZE, pages * PAGE_SIZE, 0);
    return start;
  }
  if (!(gfp & __GFP_NOWARN)) pgalloc.report.warn_alloc(pgalloc, gfp, `memarea allocation failure: pages:${pages} align:${align}`, cpu);
  return null;
}

/**
 * free_memarea: return an area from alloc_memarea. Drops the head's
 * reference; when it was the last, every page is checked and the range
 * goes back to the buddy lists in aligned pieces.
 */
export function free_memarea(pgalloc: PageAllocator, pfn: number, pages: number, cpu: number): void {
  const mem_map = pgalloc.mem_map;
  if (!Number.isInteger(pages) || pages < 1 || !mem_map.pfn_valid(pfn) || !mem_map.pfn_valid(pfn + pages - 1))
    return pgalloc.report.bad_pfn(pfn, `free_memarea of [${pfn}, +${pages}) outside mem_map`);
  const i = mem_map.idx(pfn);
  const ref = mem_map.w[i + W_REFCOUNT]!;
  if (ref <= 0) return pgalloc.report.bad_page(mem_map, pfn, 'VM_BUG_ON_PAGE(page_ref_count(page) == 0)', cpu);
  mem_map.w[i + W_REFCOUNT] = ref - 1;
  if (ref !== 1) return;
  if (!pgalloc.free_range_prepare(pfn, pages, cpu)) return;
  pgalloc.count_vm_events(PGFREE, pages, cpu);
  __free_pages_range(pgalloc, pgalloc.page_zone(pfn), pfn, pfn + pages, false, -1);
}
