// SPDX-License-Identifier: GPL-2.0-only
/*
 * The zoned buddy page allocator: alloc_pages() and __free_pages()
 * (mm/page_alloc.c, Linux 5.10, the kernel the uConsole ships).
 *
 *   alloc_pages(gfp, order)
 *     order >= MAX_ORDER           WARN_ON_ONCE, NULL
 *     zonelist walk from gfp_zone(gfp) down to ZONE_DMA
 *       watermark check (low on the first pass, min on the second)
 *       order 0:  the CPU's pcp list (pcp.ts), refilled in batches
 *       order>0:  __rmqueue: smallest block of the migratetype, else
 *                 steal from another type (buddy.ts, fallback.ts)
 *     prep_new_page: refcount 1, zeroed if __GFP_ZERO
 *     nothing found: drain the pcp lists once if the caller may reclaim,
 *     then "page allocation failure" (unless __GFP_NOWARN) and NULL
 *
 *   __free_pages(pfn, order)
 *     put_page_testzero: only the last reference frees
 *     free_pages_prepare: every page of the block must look free-able,
 *       else "BUG: Bad page state" and nothing is freed
 *     order 0: onto the CPU's pcp list; order>0: __free_one_page, merging
 *
 * A "struct page *" is its PFN here (a number; null for NULL at the API).
 * The split and merge code lives in buddy.ts, migratetype fallback in
 * fallback.ts, per-CPU lists in pcp.ts, watermarks in watermark.ts and
 * boot-time setup (zones, mem_map, memblock_free_all) in mm_init.ts.
 *
 * Modelled as CONFIG_DEBUG_VM: pages are checked when they leave a pcp
 * list and when they are freed, a free with refcount already 0 is
 * reported instead of underflowing. Also 5.10's: MIGRATE_CMA pageblocks
 * (movable requests may use them, ALLOC_CMA, see buddy.ts __rmqueue;
 * unmovable ones never), page isolation for alloc_contig_range
 * (contig.ts), the highatomic reserve (reserve_highatomic_pageblock for
 * order > 0 ALLOC_HARDER allocations, unreserve_highatomic_pageblock in
 * the slow path), watermark boosting after a fallback steal with kswapd's
 * decay (kswapd() here), and __free_pages of a non-compound block whose
 * head keeps a reference freeing its tail pages. Not modelled: reclaim,
 * compaction, the OOM killer, cpusets and NUMA, compound pages
 * (__GFP_COMP is accepted and ignored). With nothing reclaimable in this
 * kernel, "direct reclaim" can only mean draining the pcp lists and
 * giving back highatomic reserves, the things Linux's reclaim path does
 * that change the outcome here.
 *
 * Invariants: see mmzone.ts (free lists and counters) and pcp.ts (pcp
 * lists); debug_vm.ts checks them all. The emulated CPUs never run kernel
 * code concurrently, so there is no zone->lock.
 */

import { reserve_highatomic_pageblock, unreserve_highatomic_pageblock } from './highatomic';
import type { LinearMap } from '../../arch/arm64/memory';
import type { GuestRam } from '../../../emulator/memory/guest-ram';
import {
  __GFP_ATOMIC,
  __GFP_DIRECT_RECLAIM,
  __GFP_HIGH,
  __GFP_KSWAPD_RECLAIM,
  __GFP_MEMALLOC,
  __GFP_NOMEMALLOC,
  __GFP_NOWARN,
  __GFP_ZERO,
  gfp_migratetype,
  gfp_zone,
} from './gfp';
import {
  ALLOC_CMA,
  ALLOC_CPUSET,
  ALLOC_HARDER,
  ALLOC_NO_WATERMARKS,
  ALLOC_NOFRAGMENT,
  ALLOC_WMARK_LOW,
  ALLOC_WMARK_MASK,
  ALLOC_WMARK_MIN,
  PAGE_MAPPING_FLAGS,
  WATERMARK_BOOST_FACTOR_DEFAULT,
  type BuddyConfig,
} from './internal';
import {
  __mod_zone_freepage_state,
  MAX_NR_ZONES,
  MIGRATE_HIGHATOMIC,
  MIGRATE_MOVABLE,
  MIGRATE_UNMOVABLE,
  WMARK_MIN,
  ZONE_NORMAL,
  type Zone,
} from './mmzone';
import {
  NIL,
  PAGE_FLAGS_CHECK_AT_FREE,
  PAGE_FLAGS_CHECK_AT_PREP,
  PAGE_MAPCOUNT_RESET,
  PAGE_SHIFT,
  PAGE_SIZE,
  PAGE_WORDS,
  W_FLAGS,
  W_FLAGS_HI,
  W_INDEX,
  W_MAPCOUNT,
  W_MAPPING,
  W_MEMCG,
  W_PRIVATE,
  W_REFCOUNT,
  type MemMap,
} from './mm_types';
import { __free_one_page, __rmqueue, __rmqueue_smallest } from './buddy';
import { drain_pages_zone, free_unref_page_commit, rmqueue_pcplist } from './pcp';
import { zone_watermark_fast } from './watermark';
import { Reporter, type ReportHooks } from './report';
import { alloc_memarea, free_memarea, type MemareaStats } from './memarea';
import { __count_vm_events, sum_vm_event } from './vm_event';
import { PAGEOUTRUN, PGALLOC_DMA, PGFREE } from '../vmstat_items';
import type { PercpuPlace, PercpuWords } from '../percpu/words';

export interface PageAllocatorInit {
  ram: GuestRam;
  mem_map: MemMap;
  zones: Zone[];
  maxOrder: number;
  nrCpus: number;
  hooks: ReportHooks;
  /**
   * smp_processor_id() of the caller: the booted kernel reads it from the
   * running core's per-CPU data (TPIDR_EL1); a bare allocator with no
   * kernel around it says which CPU its caller stands for.
   */
  smp_processor_id: () => number;
  /** The linear map, for the kernel virtual addresses of __get_free_pages and free_pages. */
  linear: LinearMap;
  /** Where the per-CPU pagesets and event counters live. */
  percpu: PercpuPlace;
}

/** Where 5.10.32 has WARN_ON_ONCE(order >= MAX_ORDER) (see report.ts). */
const MAX_ORDER_WARN_SITE = 'mm/page_alloc.c:4935';

export class PageAllocator implements BuddyConfig {
  readonly ram: GuestRam;
  readonly mem_map: MemMap;
  /** node_zones[]: DMA, DMA32, Normal, Movable. */
  readonly zones: readonly Zone[];
  readonly maxOrder: number;
  readonly pageblockOrder: number;
  readonly nrCpus: number;
  readonly report: Reporter;
  /** The CPU the caller runs on (its pcp lists; the CPU named in reports). */
  readonly smp_processor_id: () => number;
  readonly linear: LinearMap;
  page_group_by_mobility_disabled = false;
  /** vm.watermark_boost_factor */
  watermark_boost_factor = WATERMARK_BOOST_FACTOR_DEFAULT;
  /** kswapd was woken (a boosted zone) and has not run since. */
  kswapd_pending = false;
  /** wakeup_kswapd's way to the kswapd thread, once the kernel has one (kswapd_init). */
  wakeup_kswapd?: () => void;
  /** kswapd runs (balance_pgdat) so far. */
  kswapd_runs = 0;
  /** min_free_kbytes (1024 until init_per_zone_wmark_min runs, as in Linux). */
  min_free_kbytes = 1024;
  /** totalreserve_pages: high watermarks plus lowmem reserves (MemAvailable). */
  totalreserve_pages = 0;
  /** Where the allocator's per-CPU objects live (the first chunk in the booted kernel). */
  readonly percpu: PercpuPlace;
  /** vm_event_states: every CPU's event counters. */
  readonly vm_events: PercpuWords;
  /** pgdat->per_cpu_nodestats, from setup_per_cpu_pageset on. */
  per_cpu_nodestats?: PercpuWords;
  /** memarea's work counters. */
  readonly memareaStats: MemareaStats = { searches: 0, blocksScanned: 0, drains: 0 };
  /** ALLOC_NOFRAGMENT for each highest zone index whose preferred zone is ZONE_NORMAL. */
  private readonly nofragment = new Int32Array(MAX_NR_ZONES);

  constructor(init: PageAllocatorInit) {
    this.ram = init.ram;
    this.mem_map = init.mem_map;
    this.zones = init.zones;
    this.maxOrder = init.maxOrder;
    this.pageblockOrder = init.mem_map.pageblockOrder;
    this.nrCpus = init.nrCpus;
    this.report = new Reporter(init.hooks);
    this.smp_processor_id = init.smp_processor_id;
    this.linear = init.linear;
    this.percpu = init.percpu;
    this.vm_events = init.percpu.static_var('vm_event_states');
    this.update_nofragment();
  }

  /* ======================= allocation ======================= */

  /**
   * alloc_pages: 2^order contiguous pages.
   * @returns the PFN of the first page, or null.
   */
  alloc_pages(gfp: number, order: number): number | null {
    const cpu = this.smp_processor_id();
    // Bad arguments are rare: their reports live in functions of their own,
    // which keeps this one small enough for the JIT to inline the hot path.
    if (!((order >>> 0) < this.maxOrder && order === (order | 0)) || (cpu >>> 0) >= this.nrCpus)
      return this.alloc_pages_bad_args(gfp, order, cpu);
    const highest = gfp_zone(gfp);
    let mt = gfp_migratetype(gfp);
    if (highest < 0 || mt < 0) return this.warn_bad_gfp(gfp, cpu);
    // current_alloc_flags: movable requests may use CMA pageblocks.
    const cma = mt === MIGRATE_MOVABLE ? ALLOC_CMA : 0;
    if (this.page_group_by_mobility_disabled) mt = MIGRATE_UNMOVABLE;
    // First attempt: low watermark, no fragmenting fallbacks (alloc_flags_nofragment).
    const first = ALLOC_WMARK_LOW | (gfp & __GFP_KSWAPD_RECLAIM) | this.nofragment[highest]! | cma;
    let pfn = this.get_page_from_freelist(gfp, order, first, highest, mt, cpu);
    if (pfn === NIL) pfn = this.__alloc_pages_slowpath(gfp, order, highest, mt, cpu);
    return pfn === NIL ? null : pfn;
  }

  /** alloc_pages with an order >= MAX_ORDER (WARN_ON_ONCE unless __GFP_NOWARN, then NULL), or a CPU that does not exist. */
  private alloc_pages_bad_args(gfp: number, order: number, cpu: number): null {
    if ((cpu >>> 0) >= this.nrCpus) throw new RangeError(`alloc_pages: no CPU ${cpu}`);
    if (!(gfp & __GFP_NOWARN)) this.report.warn_on_once('max_order', MAX_ORDER_WARN_SITE, '__alloc_pages_nodemask', cpu);
    return null;
  }

  /** A GFP_ZONE_BAD zone combination or both mobility bits: a one-time warning, NULL. */
  private warn_bad_gfp(gfp: number, cpu: number): null {
    this.report.warn_on_once(`gfp:${gfp}`, 'include/linux/gfp.h', 'gfp_zone', cpu);
    return null;
  }

  alloc_page(gfp: number): number | null {
    return this.alloc_pages(gfp, 0);
  }

  /** __get_free_pages: the block's kernel virtual address in the linear map (page_address), 0n on failure. */
  __get_free_pages(gfp: number, order: number): bigint {
    const pfn = this.alloc_pages(gfp, order);
    return pfn === null ? 0n : this.linear.page_address(pfn);
  }

  /**
   * get_page_from_freelist: the zonelist walk. Zones are tried from
   * `highest` down; a zone below its watermark is skipped.
   */
  private get_page_from_freelist(gfp: number, order: number, allocFlags: number, highest: number, mt: number, cpu: number): number {
    const zones = this.zones;
    for (;;) {
      for (let z = highest; z >= 0; z--) {
        const zone = zones[z]!;
        if (zone.present_pages === 0) continue; // not in the zonelist
        if (!(allocFlags & ALLOC_NO_WATERMARKS)) {
          const mark = zone.watermark[allocFlags & ALLOC_WMARK_MASK]! + zone.watermark_boost; // wmark_pages
          if (!zone_watermark_fast(zone, order, mark, highest, allocFlags) && !this.boost_ignored(zone, order, gfp, highest, allocFlags)) continue;
        }
        const pfn = this.rmqueue(zone, order, allocFlags, mt, cpu);
        if (pfn !== NIL) {
          this.prep_new_page(pfn, order, gfp);
          // "If this is a high-order atomic allocation then check if the pageblock should be reserved for the future"
          if (order && allocFlags & ALLOC_HARDER) reserve_highatomic_pageblock(this, pfn, zone);
          return pfn;
        }
      }
      // On UMA the whole zonelist may be fragmented: retry allowing fallbacks.
      if (!(allocFlags & ALLOC_NOFRAGMENT)) return NIL;
      allocFlags &= ~ALLOC_NOFRAGMENT;
    }
  }

  /**
   * zone_watermark_fast's second chance: "Ignore watermark boosting for
   * GFP_ATOMIC order-0 allocations when checking the min watermark".
   */
  private boost_ignored(zone: Zone, order: number, gfp: number, highest: number, allocFlags: number): boolean {
    if (order || !(gfp & __GFP_ATOMIC) || !zone.watermark_boost || (allocFlags & ALLOC_WMARK_MASK) !== ALLOC_WMARK_MIN) return false;
    return zone_watermark_fast(zone, order, zone.watermark[WMARK_MIN]!, highest, allocFlags);
  }

  /** rmqueue: order 0 from the pcp list, larger orders from the buddy lists; a boosted zone wakes kswapd. */
  private rmqueue(zone: Zone, order: number, allocFlags: number, mt: number, cpu: number): number {
    const pfn = order === 0 ? this.rmqueue_pcp(zone, allocFlags, mt, cpu) : this.rmqueue_buddy(zone, order, allocFlags, mt, cpu);
    if (zone.boosted_watermark_flag) {
      zone.boosted_watermark_flag = false;
      this.kswapd_pending = true; // wakeup_kswapd
      this.wakeup_kswapd?.();
    }
    return pfn;
  }

  /**
   * kswapd's balance_pgdat, as far as it goes in a kernel with nothing to
   * reclaim: boost reclaim makes no progress and stops at once, and the
   * boosts it was woken for are taken away ("decay"). The booted kernel's
   * kswapd0 thread runs it when woken (mm/kswapd.ts); a bare
   * allocator's user calls it. Returns whether it had work.
   */
  kswapd(): boolean {
    const had = this.kswapd_pending || this.zones.some((z) => z.watermark_boost > 0);
    this.kswapd_pending = false;
    if (!had) return false;
    this.kswapd_runs++;
    this.count_vm_events(PAGEOUTRUN, 1); // balance_pgdat
    for (const z of this.zones) z.watermark_boost = 0;
    return true;
  }

  /** rmqueue's order-0 half: a page from the pcp list that passes check_new_pcp (bad ones are dropped). */
  private rmqueue_pcp(zone: Zone, allocFlags: number, mt: number, cpu: number): number {
    for (;;) {
      const pfn = rmqueue_pcplist(this, zone, mt, allocFlags, cpu);
      if (pfn === NIL) return NIL;
      if (page_expected_state(this.mem_map.w, this.mem_map.idx(pfn), PAGE_FLAGS_CHECK_AT_PREP)) {
        __count_vm_events(this.vm_events, cpu, PGALLOC_DMA + zone.idx, 1);
        return pfn;
      }
      this.check_new_page_bad(pfn, cpu);
    }
  }

  /** rmqueue's order > 0 half: a block from the buddy lists (highatomic first for ALLOC_HARDER) that passes check_new_pages. */
  private rmqueue_buddy(zone: Zone, order: number, allocFlags: number, mt: number, cpu: number): number {
    for (;;) {
      let pfn = NIL;
      if (allocFlags & ALLOC_HARDER) pfn = __rmqueue_smallest(this, zone, order, MIGRATE_HIGHATOMIC);
      if (pfn === NIL) pfn = __rmqueue(this, zone, order, mt, allocFlags);
      if (pfn === NIL) return NIL;
      __mod_zone_freepage_state(zone, -(1 << order), this.mem_map.w[this.mem_map.idx(pfn) + W_INDEX]!);
      if (!this.check_new_pages(pfn, order, cpu)) {
        __count_vm_events(this.vm_events, cpu, PGALLOC_DMA + zone.idx, 1 << order);
        return pfn;
      }
    }
  }

  /** prep_new_page / post_alloc_hook: the head gets the reference. */
  private prep_new_page(pfn: number, order: number, gfp: number): void {
    const w = this.mem_map.w;
    const i = this.mem_map.idx(pfn);
    w[i + W_PRIVATE] = 0;
    w[i + W_REFCOUNT] = 1;
    if (gfp & __GFP_ZERO) this.ram.fill(pfn * PAGE_SIZE, PAGE_SIZE << order, 0);
  }

  /**
   * __alloc_pages_slowpath, as far as it applies: the min watermark (less
   * for __GFP_HIGH / __GFP_ATOMIC), no watermarks for __GFP_MEMALLOC, a
   * pcp drain for callers that may reclaim, then the failure report.
   * __GFP_NOFAIL cannot loop forever here; it fails like the rest.
   */
  private __alloc_pages_slowpath(gfp: number, order: number, highest: number, mt: number, cpu: number): number {
    const cma = gfp_migratetype(gfp) === MIGRATE_MOVABLE ? ALLOC_CMA : 0; // current_alloc_flags
    const allocFlags = gfp_to_alloc_flags(gfp) | cma;
    let pfn = this.get_page_from_freelist(gfp, order, allocFlags, highest, mt, cpu);
    if (pfn !== NIL) return pfn;
    if (gfp & __GFP_MEMALLOC && !(gfp & __GFP_NOMEMALLOC)) {
      pfn = this.get_page_from_freelist(gfp, order, ALLOC_NO_WATERMARKS | cma, highest, mt, cpu);
      if (pfn !== NIL) return pfn;
    }
    if (gfp & __GFP_DIRECT_RECLAIM) {
      // "pages are pinned on the per-cpu lists or in high alloc reserves. Shrink them and try again"
      unreserve_highatomic_pageblock(this, highest, mt, false);
      this.drain_all_pages();
      pfn = this.get_page_from_freelist(gfp, order, allocFlags, highest, mt, cpu);
      if (pfn !== NIL) return pfn;
      // should_reclaim_retry, out of retries: "Before OOM, exhaust highatomic_reserve"
      while (unreserve_highatomic_pageblock(this, highest, mt, true)) {
        pfn = this.get_page_from_freelist(gfp, order, allocFlags, highest, mt, cpu);
        if (pfn !== NIL) return pfn;
      }
    }
    this.report.warn_alloc(this, gfp, `page allocation failure: order:${order}`, cpu);
    return NIL;
  }

  /* ========================= freeing ========================= */

  /**
   * __free_pages: drop a reference to a block of 2^order pages; the last
   * reference frees it. Bad input is reported and ignored.
   */
  __free_pages(pfn: number, order: number): void {
    const cpu = this.smp_processor_id();
    const mem_map = this.mem_map;
    const orderOk = (order >>> 0) < this.maxOrder && order === (order | 0);
    if (!(mem_map.pfn_valid(pfn) && (cpu >>> 0) < this.nrCpus && orderOk && (pfn & ((1 << order) - 1)) === 0))
      return this.free_pages_bad_args(pfn, order, cpu);
    const i = mem_map.idx(pfn);
    const ref = mem_map.w[i + W_REFCOUNT]!;
    // put_page_testzero; with CONFIG_DEBUG_VM a zero count is a bug, not an underflow.
    if (ref <= 0) return this.report.bad_page(mem_map, pfn, 'VM_BUG_ON_PAGE(page_ref_count(page) == 0)', cpu);
    mem_map.w[i + W_REFCOUNT] = ref - 1;
    if (ref === 1) return this.free_the_page(pfn, order, cpu);
    // 5.10: "else if (!PageHead(page)) while (order-- > 0) free_the_page(page + (1 << order), order);"
    // Someone else holds the head of a non-compound block (no compound pages here): the tail halves go back now.
    while (order-- > 0) this.free_the_page(pfn + (1 << order), order, cpu);
  }

  /** free_the_page: order 0 to the pcp list, larger blocks to the buddy lists. */
  private free_the_page(pfn: number, order: number, cpu: number): void {
    if (order === 0) this.free_unref_page(pfn, cpu);
    else this.__free_pages_ok(pfn, order, cpu);
  }

  /** What __free_pages says about a PFN without a struct page, a CPU that does not exist, or an order the block cannot have. */
  private free_pages_bad_args(pfn: number, order: number, cpu: number): void {
    const mem_map = this.mem_map;
    if (!mem_map.pfn_valid(pfn)) return this.report.bad_pfn(pfn, '__free_pages of a pfn outside mem_map');
    if ((cpu >>> 0) >= this.nrCpus) throw new RangeError(`__free_pages: no CPU ${cpu}`);
    if (!((order >>> 0) < this.maxOrder && order === (order | 0))) return this.report.bad_page(mem_map, pfn, 'VM_BUG_ON(order >= MAX_ORDER)', cpu);
    this.report.bad_page(mem_map, pfn, 'VM_BUG_ON_PAGE(pfn & ((1 << order) - 1))', cpu);
  }

  free_page(pfn: number): void {
    this.__free_pages(pfn, 0);
  }

  /** free_pages: by kernel virtual address, as __get_free_pages returned it (0n: nothing). */
  free_pages(addr: bigint, order: number): void {
    if (addr !== 0n) this.__free_pages(this.linear.virt_to_page(addr), order);
  }

  /** get_page: take another reference. */
  get_page(pfn: number): void {
    this.mem_map.w[this.mem_map.idx(pfn) + W_REFCOUNT]++;
  }

  /**
   * split_page: turn a non-compound block of 2^order pages into 2^order
   * order-0 pages, each with its own reference, to be freed one by one.
   */
  split_page(pfn: number, order: number): void {
    const w = this.mem_map.w;
    for (let p = pfn + 1; p < pfn + (1 << order); p++) w[this.mem_map.idx(p) + W_REFCOUNT] = 1;
  }

  page_count(pfn: number): number {
    return this.mem_map.page_refcount(pfn);
  }

  /** free_unref_page: an order-0 page goes to this CPU's pcp list. */
  private free_unref_page(pfn: number, cpu: number): void {
    if (!this.free_pages_prepare(pfn, 0, cpu)) return;
    __count_vm_events(this.vm_events, cpu, PGFREE, 1);
    free_unref_page_commit(this, this.page_zone(pfn), pfn, this.mem_map.get_pageblock_migratetype(pfn), cpu);
  }

  /** __free_pages_ok: a higher-order block goes straight to the buddy lists. */
  private __free_pages_ok(pfn: number, order: number, cpu: number): void {
    if (!this.free_pages_prepare(pfn, order, cpu)) return;
    const zone = this.page_zone(pfn);
    __count_vm_events(this.vm_events, cpu, PGFREE, 1 << order);
    __free_one_page(this, zone, pfn, order, this.mem_map.get_pageblock_migratetype(pfn), false);
  }

  /** free_pages_prepare: check a block before it is freed. */
  private free_pages_prepare(pfn: number, order: number, cpu: number): boolean {
    return this.free_range_prepare(pfn, 1 << order, cpu);
  }

  /**
   * free_pages_prepare for any number of pages (memarea uses it too):
   * check every page of [pfn, pfn+nr) (tails first, then the head); any
   * bad page stops the whole free. A single page, the common case, has a
   * path of its own that the JIT can inline whole.
   */
  free_range_prepare(pfn: number, nr: number, cpu: number): boolean {
    if (nr !== 1) return this.free_block_prepare(pfn, nr, cpu);
    const mem_map = this.mem_map;
    const w = mem_map.w;
    const i = mem_map.idx(pfn);
    if (w[i + W_MAPPING]! & PAGE_MAPPING_FLAGS) clear_mapping_flags(w, i);
    if (!page_expected_state(w, i, PAGE_FLAGS_CHECK_AT_FREE) || mem_map.onPcp[mem_map.slot(pfn)] !== 0) {
      this.check_free_page_bad(pfn, w[i + W_FLAGS_HI]!, cpu);
      return false;
    }
    w[i + W_FLAGS] &= ~PAGE_FLAGS_CHECK_AT_PREP;
    return true;
  }

  /** free_range_prepare for more than one page: every page is checked (and reported) even after a bad one. */
  private free_block_prepare(pfn: number, nr: number, cpu: number): boolean {
    const mem_map = this.mem_map;
    const w = mem_map.w;
    const i = mem_map.idx(pfn);
    const zoneHi = w[i + W_FLAGS_HI]!;
    const end = pfn + nr;
    if (w[i + W_MAPPING]! & PAGE_MAPPING_FLAGS) clear_mapping_flags(w, i);
    if (end > mem_map.endPfn) {
      this.report.bad_page(mem_map, pfn, 'VM_BUG_ON_PAGE(bad_range(zone, page))', cpu);
      return false;
    }
    let bad = 0;
    // The tails: pfn, word index and mem_map slot step together.
    for (let p = pfn + 1, pi = i + PAGE_WORDS, slot = mem_map.slot(p); p < end; p++, pi += PAGE_WORDS, slot++) {
      if (!this.check_free_page(p, pi, slot, zoneHi, cpu)) bad++;
      else w[pi + W_FLAGS] &= ~PAGE_FLAGS_CHECK_AT_PREP;
    }
    if (!this.check_free_page(pfn, i, mem_map.slot(pfn), zoneHi, cpu)) bad++;
    if (bad) return false;
    w[i + W_FLAGS] &= ~PAGE_FLAGS_CHECK_AT_PREP;
    return true;
  }

  /**
   * check_free_page: may this page go back to the free lists? Besides
   * page_expected_state, two checks of the model: the page must not sit
   * on a pcp list, and must be in the block head's zone (bad_range). Kept
   * this small because every page of every free runs it; the report is
   * check_free_page_bad's. `i` and `slot` are mem_map.idx(pfn) and
   * mem_map.slot(pfn), which the callers' loops step along.
   */
  private check_free_page(pfn: number, i: number, slot: number, zoneHi: number, cpu: number): boolean {
    const mem_map = this.mem_map;
    if (page_expected_state(mem_map.w, i, PAGE_FLAGS_CHECK_AT_FREE) && mem_map.onPcp[slot] === 0 && mem_map.w[i + W_FLAGS_HI] === zoneHi) return true;
    this.check_free_page_bad(pfn, zoneHi, cpu);
    return false;
  }

  /**
   * check_free_page_bad: report with page_bad_reason()'s words; a page on
   * a pcp list that looks free otherwise says so, and a page of another
   * zone says bad_range, over any other reason.
   */
  private check_free_page_bad(pfn: number, zoneHi: number, cpu: number): void {
    const mem_map = this.mem_map;
    let reason = page_bad_reason(mem_map, pfn, PAGE_FLAGS_CHECK_AT_FREE);
    if (reason === null && mem_map.onPcp[mem_map.slot(pfn)] !== 0) reason = 'page on a per-cpu list';
    if (mem_map.w[mem_map.idx(pfn) + W_FLAGS_HI] !== zoneHi) reason = 'VM_BUG_ON_PAGE(bad_range(zone, page))';
    this.report.bad_page(mem_map, pfn, reason, cpu);
  }

  /** check_new_pages: every page of a block about to be handed out. @returns true if bad. */
  private check_new_pages(pfn: number, order: number, cpu: number): boolean {
    const w = this.mem_map.w;
    for (let p = pfn, i = this.mem_map.idx(pfn), end = pfn + (1 << order); p < end; p++, i += PAGE_WORDS) {
      if (!page_expected_state(w, i, PAGE_FLAGS_CHECK_AT_PREP)) {
        this.check_new_page_bad(p, cpu);
        return true;
      }
    }
    return false;
  }

  /** check_new_page_bad: report a page that failed page_expected_state on its way out. */
  private check_new_page_bad(pfn: number, cpu: number): void {
    this.report.bad_page(this.mem_map, pfn, page_bad_reason(this.mem_map, pfn, PAGE_FLAGS_CHECK_AT_PREP), cpu);
  }

  /* ======================= pcp and zones ======================= */

  /** drain_all_pages: every CPU's pcp pages back to the buddy lists (one zone, or all). */
  drain_all_pages(zone?: Zone): void {
    for (let cpu = 0; cpu < this.nrCpus; cpu++) {
      if (zone) drain_pages_zone(this, zone, cpu);
      else for (const z of this.zones) if (z.populated_zone()) drain_pages_zone(this, z, cpu);
    }
  }

  /** page_zone */
  page_zone(pfn: number): Zone {
    return this.zones[this.mem_map.page_zonenum(pfn)]!;
  }

  /** The zonelist of node 0 for `highest`: populated zones, highest first. */
  zonelist(highest = MAX_NR_ZONES - 1): Zone[] {
    const out: Zone[] = [];
    for (let z = Math.min(highest, MAX_NR_ZONES - 1); z >= 0; z--) if (this.zones[z]!.populated_zone()) out.push(this.zones[z]!);
    return out;
  }

  /** nr_free_pages(): NR_FREE_PAGES over all zones (pcp pages excluded, as in Linux). */
  nr_free_pages(): number {
    let n = 0;
    for (const z of this.zones) n += z.nr_free_pages;
    return n;
  }

  /** totalram_pages(): pages managed by the buddy allocator. */
  totalram_pages(): number {
    let n = 0;
    for (const z of this.zones) n += z.managed_pages;
    return n;
  }

  /** Pages sitting on pcp lists, all CPUs and zones (empty zones share boot_pageset: counted once). */
  nr_pcp_pages(): number {
    let n = 0;
    for (const pcp of new Set(this.zones.map((z) => z.pcp))) for (let c = 0; c < this.nrCpus; c++) n += pcp.count(c);
    return n;
  }

  /** count_vm_events on the caller's CPU. */
  count_vm_events(item: number, n: number, cpu = this.smp_processor_id()): void {
    __count_vm_events(this.vm_events, cpu, item, n);
  }

  /** PGFREE over all CPUs (pages freed). */
  get pgfree(): number {
    return sum_vm_event(this.vm_events, this.nrCpus, PGFREE);
  }

  /**
   * alloc_flags_nofragment, precomputed: ALLOC_NOFRAGMENT when the
   * preferred zone (first populated zone of the zonelist) is ZONE_NORMAL.
   */
  update_nofragment(): void {
    for (let h = 0; h < MAX_NR_ZONES; h++) {
      const preferred = this.zonelist(h)[0];
      this.nofragment[h] = preferred && preferred.idx === ZONE_NORMAL ? ALLOC_NOFRAGMENT : 0;
    }
  }

  /* ========================= memarea ========================= */

  /** alloc_memarea: `pages` contiguous pages, any size, optional alignment in pages. See memarea.ts. */
  alloc_memarea(gfp: number, pages: number, align = 1): number | null {
    return alloc_memarea(this, gfp, pages, align, this.smp_processor_id());
  }

  /** free_memarea: give back what alloc_memarea returned. */
  free_memarea(pfn: number, pages: number): void {
    free_memarea(this, pfn, pages, this.smp_processor_id());
  }

  /** Physical address of a PFN. */
  static page_to_phys(pfn: number): number {
    return pfn * PAGE_SIZE;
  }
  static phys_to_pfn(pa: number): number {
    return Math.floor(pa / 2 ** PAGE_SHIFT);
  }
}

/** free_pages_prepare: "if (PageMappingFlags(page)) page->mapping = NULL;" (anon and __PageMovable pages). */
function clear_mapping_flags(w: Int32Array, i: number): void {
  w[i + W_MAPPING] = 0;
  w[i + W_MAPPING + 1] = 0;
}

/**
 * page_expected_state (mm/page_alloc.c, 5.10) on the struct page at word
 * index i: untyped (_mapcount -1), and no mapping, no reference, no memcg
 * and no flag of `checkFlags`, the last four tested as Linux does with one
 * OR over the words (a page passes about every time).
 */
function page_expected_state(w: Int32Array, i: number, checkFlags: number): boolean {
  return (
    w[i + W_MAPCOUNT] === PAGE_MAPCOUNT_RESET &&
    (w[i + W_MAPPING]! | w[i + W_MAPPING + 1]! | w[i + W_REFCOUNT]! | w[i + W_MEMCG]! | w[i + W_MEMCG + 1]! | (w[i + W_FLAGS]! & checkFlags)) === 0
  );
}

/**
 * page_bad_reason (mm/page_alloc.c, 5.10): why a page failed
 * page_expected_state(page, flags), in the words of the "page dumped
 * because:" line. Every test runs and the last one that fails wins, as
 * in Linux; null when the page looks fine. The free path passes
 * PAGE_FLAGS_CHECK_AT_FREE, the allocation path PAGE_FLAGS_CHECK_AT_PREP.
 */
export function page_bad_reason(mem_map: MemMap, pfn: number, flags: number): string | null {
  const w = mem_map.w;
  const i = mem_map.idx(pfn);
  let reason: string | null = null;
  if (w[i + W_MAPCOUNT] !== PAGE_MAPCOUNT_RESET) reason = 'nonzero mapcount';
  if ((w[i + W_MAPPING]! | w[i + W_MAPPING + 1]!) !== 0) reason = 'non-NULL mapping';
  if (w[i + W_REFCOUNT] !== 0) reason = 'nonzero _refcount';
  if (w[i + W_FLAGS]! & flags)
    reason = flags === PAGE_FLAGS_CHECK_AT_PREP ? 'PAGE_FLAGS_CHECK_AT_PREP flag(s) set' : 'PAGE_FLAGS_CHECK_AT_FREE flag(s) set';
  if ((w[i + W_MEMCG]! | w[i + W_MEMCG + 1]!) !== 0) reason = 'page still charged to cgroup'; // CONFIG_MEMCG
  return reason;
}

/** gfp_to_alloc_flags: what the slow path may use. */
export function gfp_to_alloc_flags(gfp: number): number {
  let flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;
  flags |= gfp & (__GFP_HIGH | __GFP_KSWAPD_RECLAIM); // == ALLOC_HIGH, ALLOC_KSWAPD
  if (gfp & __GFP_ATOMIC) {
    if (!(gfp & __GFP_NOMEMALLOC)) flags |= ALLOC_HARDER;
    flags &= ~ALLOC_CPUSET;
  }
  return flags;
}
