// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-CPU page lists for order-0 pages (struct per_cpu_pages, 5.10:
 * rmqueue_pcplist, free_unref_page, free_pcppages_bulk, zone_batchsize).
 *
 * Most allocations are single pages, and most single pages are freed
 * soon after. Each CPU therefore keeps, per zone, a short list of free
 * order-0 pages per pcp migratetype (unmovable, movable, reclaimable):
 *
 *   alloc   take the first page of lists[mt]; when empty, refill with
 *           `batch` pages from the buddy lists (rmqueue_bulk, appended in
 *           PFN order so that consecutive allocations are contiguous)
 *   free    put the page first on lists[pageblock mt] (LIFO: the page is
 *           still warm in this CPU's cache); when count reaches `high`,
 *           give `batch` pages back to the buddy lists (free_pcppages_bulk,
 *           oldest first, round robin over the lists)
 *
 * batch is about a thousandth of the zone, capped at 1 MiB worth, divided
 * by 4 and rounded to 2^n - 1 (zone_batchsize: "a power of 2 value was
 * found to be more likely to have suboptimal cache aliasing properties");
 * high = 6 * batch (pageset_set_batch). Before setup_per_cpu_pageset()
 * the boot pagesets have high = 0 and batch = 1: every freed page goes
 * straight back to the buddy lists.
 *
 * Here "per CPU" is a plain array indexed by the CPU number the caller
 * passes (the emulated cores never run kernel code concurrently, so no
 * locking or irq disabling is modelled); the list heads are host typed
 * arrays, the links are the lru words of the pages in guest memory, as
 * for the buddy lists.
 *
 * Invariants (checked by debug_vm.ts): count[cpu] = length of that CPU's
 * three lists; pages on them are order-0, refcount 0, not PageBuddy, not
 * counted in NR_FREE_PAGES, and marked in mm's onPcp map.
 */

import { __free_one_page, __rmqueue } from './buddy';
import { list_add, list_add_tail, list_del, MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_PCPTYPES, type Zone } from './mmzone';
import { NIL, PAGE_SIZE, W_INDEX } from './mm_types';
import type { BuddyConfig } from './internal';

export class PerCpuPages {
  /** First/last PFN of lists[mt] of each CPU, at pcp_list_index(cpu, mt). */
  readonly head: Int32Array;
  readonly tail: Int32Array;
  /** Pages on all lists of the CPU. */
  readonly count: Int32Array;
  readonly high: Int32Array;
  readonly batch: Int32Array;

  constructor(readonly nrCpus: number) {
    this.head = new Int32Array(nrCpus * MIGRATE_PCPTYPES).fill(NIL);
    this.tail = new Int32Array(nrCpus * MIGRATE_PCPTYPES).fill(NIL);
    this.count = new Int32Array(nrCpus);
    this.high = new Int32Array(nrCpus);
    this.batch = new Int32Array(nrCpus);
    for (let cpu = 0; cpu < nrCpus; cpu++) pageset_set_batch(this, cpu, 0); // boot_pageset
  }
}

/** Index of cpu's lists[mt] in PerCpuPages.head/tail. */
export function pcp_list_index(cpu: number, mt: number): number {
  return cpu * MIGRATE_PCPTYPES + mt;
}

/** rounddown_pow_of_two for positive ints. */
function rounddownPow2(x: number): number {
  return 2 ** Math.floor(Math.log2(x));
}

/** zone_batchsize: the pcp batch for a zone of `managedPages` pages. */
export function zone_batchsize(managedPages: number): number {
  let batch = Math.floor(managedPages / 1024);
  if (batch * PAGE_SIZE > 1024 * 1024) batch = (1024 * 1024) / PAGE_SIZE; // "no more than a meg"
  batch = Math.floor(batch / 4); // "we effectively *= 4 below"
  if (batch < 1) batch = 1;
  return rounddownPow2(batch + (batch >> 1)) - 1;
}

/** pageset_set_batch: high = 6 * batch, batch at least 1. */
export function pageset_set_batch(pcp: PerCpuPages, cpu: number, batch: number): void {
  pcp.high[cpu] = 6 * batch;
  pcp.batch[cpu] = Math.max(1, batch);
}

/**
 * rmqueue_bulk: move up to `count` order-0 pages of type `mt` from the
 * buddy lists to the tail of cpu's pcp list.
 * @returns pages moved.
 */
export function rmqueue_bulk(cfg: BuddyConfig, zone: Zone, count: number, mt: number, allocFlags: number, cpu: number): number {
  const pcp = zone.pcp;
  const li = pcp_list_index(cpu, mt);
  let i = 0;
  for (; i < count; i++) {
    const pfn = __rmqueue(cfg, zone, 0, mt, allocFlags);
    if (pfn === NIL) break;
    list_add_tail(cfg.mem_map, pcp.head, pcp.tail, li, pfn);
    cfg.mem_map.onPcp[cfg.mem_map.slot(pfn)] = 1;
    if (cfg.mem_map.w[cfg.mem_map.idx(pfn) + W_INDEX] === MIGRATE_CMA) zone.nr_free_cma_pages--;
  }
  zone.nr_free_pages -= i;
  return i;
}

/**
 * rmqueue_pcplist: one order-0 page of type `mt` from cpu's list,
 * refilling it from the buddy lists when empty.
 * @returns the PFN or NIL.
 */
export function rmqueue_pcplist(cfg: BuddyConfig, zone: Zone, mt: number, allocFlags: number, cpu: number): number {
  const pcp = zone.pcp;
  const li = pcp_list_index(cpu, mt);
  let pfn = pcp.head[li]!;
  if (pfn === NIL) {
    pcp.count[cpu] += rmqueue_bulk(cfg, zone, pcp.batch[cpu]!, mt, allocFlags, cpu);
    pfn = pcp.head[li]!;
    if (pfn === NIL) return NIL;
  }
  list_del(cfg.mem_map, pcp.head, pcp.tail, li, pfn);
  cfg.mem_map.onPcp[cfg.mem_map.slot(pfn)] = 0;
  pcp.count[cpu]--;
  return pfn;
}

/**
 * free_unref_page_commit: put a free order-0 page on cpu's list for its
 * pageblock's migratetype `mt` and spill a batch when the list is full.
 */
export function free_unref_page_commit(cfg: BuddyConfig, zone: Zone, pfn: number, mt: number, cpu: number): void {
  const mem_map = cfg.mem_map;
  const pcp = zone.pcp;
  // A page of an isolated pageblock goes straight to the isolate list (free_one_page).
  if (mt === MIGRATE_ISOLATE) return __free_one_page(cfg, zone, pfn, 0, mt, false);
  mem_map.w[mem_map.idx(pfn) + W_INDEX] = mt; // set_pcppage_migratetype
  // Only the three pcp types have lists; HIGHATOMIC and CMA pages ride on
  // the movable list but keep their type in `index` for the way back.
  const listMt = mt >= MIGRATE_PCPTYPES ? MIGRATE_MOVABLE : mt;
  list_add(mem_map, pcp.head, pcp.tail, pcp_list_index(cpu, listMt), pfn);
  mem_map.onPcp[mem_map.slot(pfn)] = 1;
  if (++pcp.count[cpu] >= pcp.high[cpu]!) free_pcppages_bulk(cfg, zone, pcp.batch[cpu]!, cpu);
}

/**
 * free_pcppages_bulk: return `count` pages from cpu's lists to the buddy
 * lists, taking the oldest (last) page of each list in turn, and more
 * from fuller lists once others run empty (the batch_free dance of 5.10).
 */
export function free_pcppages_bulk(cfg: BuddyConfig, zone: Zone, count: number, cpu: number): void {
  const mem_map = cfg.mem_map;
  const pcp = zone.pcp;
  const base = pcp_list_index(cpu, 0);
  let migratetype = 0;
  let batchFree = 0;
  count = Math.min(pcp.count[cpu]!, count);
  while (count > 0) {
    let li: number;
    do {
      batchFree++;
      if (++migratetype === MIGRATE_PCPTYPES) migratetype = 0;
      li = base + migratetype;
    } while (pcp.head[li] === NIL);
    // This is the only non-empty list: free all from it.
    if (batchFree === MIGRATE_PCPTYPES) batchFree = count;
    do {
      const pfn = pcp.tail[li]!;
      list_del(mem_map, pcp.head, pcp.tail, li, pfn);
      mem_map.onPcp[mem_map.slot(pfn)] = 0;
      pcp.count[cpu]--;
      // get_pcppage_migratetype; the pageblock's own when some pageblock is isolated
      const mt = zone.nr_isolate_pageblock > 0 ? mem_map.get_pageblock_migratetype(pfn) : mem_map.w[mem_map.idx(pfn) + W_INDEX]!;
      __free_one_page(cfg, zone, pfn, 0, mt, false);
    } while (--count > 0 && --batchFree > 0 && pcp.head[li] !== NIL);
  }
}

/** drain_pages_zone: give all of cpu's pages in this zone back to the buddy lists. */
export function drain_pages_zone(cfg: BuddyConfig, zone: Zone, cpu: number): void {
  if (zone.pcp.count[cpu]! > 0) free_pcppages_bulk(cfg, zone, zone.pcp.count[cpu]!, cpu);
}
