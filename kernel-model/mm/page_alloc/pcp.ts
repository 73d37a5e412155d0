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
 * Each zone's pageset is a real per-CPU object: struct per_cpu_pageset
 * (layout in mm/percpu/static_vars.ts), every zone on the static
 * boot_pageset until setup_per_cpu_pageset gives each populated zone its
 * own from alloc_percpu, as 5.10's setup_zone_pageset does. In the booted
 * kernel both live in the first chunk of the per-CPU areas, in guest
 * memory: CPU c's copy is in its unit, where ARM64 code on that core
 * reads it through TPIDR_EL1. The TypeScript side holds them as one Int32
 * view over all units (PercpuWords) and indexes it with the CPU the
 * caller runs on, which is this_cpu_ptr's answer. The list heads keep
 * the model's page links: the first and last PFN of the list (NIL when
 * empty) in the low words of lists[mt].next and .prev, as the lru words
 * of struct page hold PFNs. The emulated cores never run kernel code
 * concurrently, so no locking or irq disabling is modelled.
 *
 * Invariants (checked by debug_vm.ts): count of a CPU = length of its
 * three lists; pages on them are order-0, refcount 0, not PageBuddy, not
 * counted in NR_FREE_PAGES, and marked in mm's onPcp map.
 */

import { __free_one_page, __rmqueue } from './buddy';
import { list_add, list_add_tail, list_del, MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_PCPTYPES, type Zone } from './mmzone';
import { NIL, PAGE_SIZE, W_INDEX } from './mm_types';
import type { BuddyConfig } from './internal';
import type { PercpuWords } from '../percpu/words';
import { LIST_HEAD_SIZE, PCP_BATCH, PCP_COUNT, PCP_HIGH, PCP_LISTS_OFF, PCPSET_STAT_THRESHOLD, PER_CPU_PAGESET_SIZE } from '../percpu/static_vars';

/* struct per_cpu_pageset, in 32-bit words. */
const W_COUNT = PCP_COUNT >> 2;
const W_HIGH = PCP_HIGH >> 2;
const W_BATCH = PCP_BATCH >> 2;
const W_LISTS = PCP_LISTS_OFF >> 2;
const W_LIST = LIST_HEAD_SIZE >> 2;
/** list_head.prev is two words after .next. */
const W_PREV = 2;

/** One zone's pageset on every CPU. */
export class PerCpuPages {
  /** Words of every CPU's copy (guest memory in the booted kernel). */
  readonly w: Int32Array;
  /** `w` two words on: prev[li] is the .prev of the list_head whose .next is w[li]. */
  readonly prev: Int32Array;
  readonly at: number;
  readonly stride: number;
  /** zone->pageset, the __percpu pointer (undefined for a host buffer). */
  readonly ptr?: bigint;

  constructor(place: PercpuWords, readonly nrCpus: number) {
    this.ptr = place.ptr;
    this.w = place.w;
    this.prev = new Int32Array(place.w.buffer, place.w.byteOffset + W_PREV * 4, place.w.length - W_PREV);
    this.at = place.at;
    this.stride = place.stride;
  }

  /** Word index of CPU cpu's per_cpu_pageset (per_cpu_ptr(zone->pageset, cpu)). */
  base(cpu: number): number {
    return this.at + cpu * this.stride;
  }
  count(cpu: number): number {
    return this.w[this.base(cpu) + W_COUNT]!;
  }
  high(cpu: number): number {
    return this.w[this.base(cpu) + W_HIGH]!;
  }
  batch(cpu: number): number {
    return this.w[this.base(cpu) + W_BATCH]!;
  }
  /** First and last PFN of cpu's lists[mt] (NIL when empty). */
  head(cpu: number, mt: number): number {
    return this.w[pcp_list_index(this, cpu, mt)]!;
  }
  tail(cpu: number, mt: number): number {
    return this.prev[pcp_list_index(this, cpu, mt)]!;
  }
  /** Set high and batch directly (tests and benchmarks; the kernel uses pageset_set_batch). */
  set_high_batch(cpu: number, high: number, batch: number): void {
    this.w[this.base(cpu) + W_HIGH] = high;
    this.w[this.base(cpu) + W_BATCH] = batch;
  }
  /** stat_threshold of cpu's pageset (an s8 after per_cpu_pages). */
  stat_threshold(cpu: number): number {
    return (this.w[this.base(cpu) + (PCPSET_STAT_THRESHOLD >> 2)]! << 24) >> 24;
  }
  set_stat_threshold(cpu: number, threshold: number): void {
    const i = this.base(cpu) + (PCPSET_STAT_THRESHOLD >> 2);
    this.w[i] = (this.w[i]! & ~0xff) | (threshold & 0xff);
  }
}

/** Word index of cpu's lists[mt].next in PerCpuPages.w (its .prev: the same index in .prev). */
export function pcp_list_index(pcp: PerCpuPages, cpu: number, mt: number): number {
  return pcp.at + cpu * pcp.stride + W_LISTS + mt * W_LIST;
}

/** pageset_init and pageset_set_batch(0): empty lists, count 0, boot high and batch. */
export function setup_pageset(pcp: PerCpuPages, cpu: number): void {
  const base = pcp.base(cpu);
  pcp.w.fill(0, base, base + (PER_CPU_PAGESET_SIZE >> 2));
  for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) {
    const li = pcp_list_index(pcp, cpu, mt);
    pcp.w[li] = NIL;
    pcp.prev[li] = NIL;
  }
  pageset_set_batch(pcp, cpu, 0);
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
  pcp.set_high_batch(cpu, 6 * batch, Math.max(1, batch));
}

/**
 * rmqueue_bulk: move up to `count` order-0 pages of type `mt` from the
 * buddy lists to the tail of cpu's pcp list.
 * @returns pages moved.
 */
export function rmqueue_bulk(cfg: BuddyConfig, zone: Zone, count: number, mt: number, allocFlags: number, cpu: number): number {
  const pcp = zone.pcp;
  const li = pcp_list_index(pcp, cpu, mt);
  let i = 0;
  for (; i < count; i++) {
    const pfn = __rmqueue(cfg, zone, 0, mt, allocFlags);
    if (pfn === NIL) break;
    list_add_tail(cfg.mem_map, pcp.w, pcp.prev, li, pfn);
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
  const w = pcp.w;
  const base = pcp.at + cpu * pcp.stride;
  const li = base + W_LISTS + mt * W_LIST;
  let pfn = w[li]!;
  if (pfn === NIL) {
    w[base + W_COUNT] += rmqueue_bulk(cfg, zone, w[base + W_BATCH]!, mt, allocFlags, cpu);
    pfn = w[li]!;
    if (pfn === NIL) return NIL;
  }
  list_del(cfg.mem_map, w, pcp.prev, li, pfn);
  cfg.mem_map.onPcp[cfg.mem_map.slot(pfn)] = 0;
  w[base + W_COUNT]--;
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
  const w = pcp.w;
  const base = pcp.at + cpu * pcp.stride;
  list_add(mem_map, w, pcp.prev, base + W_LISTS + listMt * W_LIST, pfn);
  mem_map.onPcp[mem_map.slot(pfn)] = 1;
  if (++w[base + W_COUNT]! >= w[base + W_HIGH]!) free_pcppages_bulk(cfg, zone, w[base + W_BATCH]!, cpu);
}

/**
 * free_pcppages_bulk: return `count` pages from cpu's lists to the buddy
 * lists, taking the oldest (last) page of each list in turn, and more
 * from fuller lists once others run empty (the batch_free dance of 5.10).
 */
export function free_pcppages_bulk(cfg: BuddyConfig, zone: Zone, count: number, cpu: number): void {
  const mem_map = cfg.mem_map;
  const pcp = zone.pcp;
  const w = pcp.w;
  const countAt = pcp.base(cpu) + W_COUNT;
  const lists = pcp_list_index(pcp, cpu, 0);
  let migratetype = 0;
  let batchFree = 0;
  count = Math.min(w[countAt]!, count);
  while (count > 0) {
    let li: number;
    do {
      batchFree++;
      if (++migratetype === MIGRATE_PCPTYPES) migratetype = 0;
      li = lists + migratetype * W_LIST;
    } while (w[li] === NIL);
    // This is the only non-empty list: free all from it.
    if (batchFree === MIGRATE_PCPTYPES) batchFree = count;
    do {
      const pfn = pcp.prev[li]!;
      list_del(mem_map, w, pcp.prev, li, pfn);
      mem_map.onPcp[mem_map.slot(pfn)] = 0;
      w[countAt]--;
      // get_pcppage_migratetype; the pageblock's own when some pageblock is isolated
      const mt = zone.nr_isolate_pageblock > 0 ? mem_map.get_pageblock_migratetype(pfn) : mem_map.w[mem_map.idx(pfn) + W_INDEX]!;
      __free_one_page(cfg, zone, pfn, 0, mt, false);
    } while (--count > 0 && --batchFree > 0 && w[li] !== NIL);
  }
}

/** drain_pages_zone: give all of cpu's pages in this zone back to the buddy lists. */
export function drain_pages_zone(cfg: BuddyConfig, zone: Zone, cpu: number): void {
  const n = zone.pcp.count(cpu);
  if (n > 0) free_pcppages_bulk(cfg, zone, n, cpu);
}
