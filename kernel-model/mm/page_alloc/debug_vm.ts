// SPDX-License-Identifier: GPL-2.0-only
/*
 * A consistency checker for the page allocator, in the spirit of
 * CONFIG_DEBUG_VM (VM_BUG_ON_PAGE, bad_range, page_is_buddy's
 * "VM_BUG_ON_PAGE(page_count(buddy) != 0)") but over the whole state at
 * once, so that tests can call it after every operation.
 *
 * It walks every free list and every pcp list, marking each page it
 * meets in a scratch map, then scans all of mem_map:
 *
 *   lists     links agree both ways, head and tail arrays match the ends,
 *             no cycles
 *   blocks    each buddy-list entry is PageBuddy with the list's order
 *             (private) and migratetype (index), aligned to its order,
 *             inside its zone, refcount 0, not reserved; its tail pages
 *             are untyped, refcount 0 and on no list
 *   uniqueness every free page is in exactly one free block or on
 *             exactly one pcp list
 *   buddies   no free block has its buddy free at the same order in the
 *             same zone (it would have been merged), below MAX_ORDER-1
 *   flags     every PageBuddy page is the head of a listed block; every
 *             page marked onPcp is on a pcp list
 *   counters  free_area[o].nr_free, NR_FREE_PAGES and pcp->count equal
 *             what the lists hold; NR_FREE_PAGES <= managed_pages
 *
 * Cost: O(pages in mem_map), a debugging tool.
 */

import { free_list_index, MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_PCPTYPES, MIGRATE_TYPES, type Zone } from './mmzone';
import {
  isBuddyType,
  NIL,
  PAGE_MAPCOUNT_RESET,
  PAGE_WORDS,
  PG_reserved,
  W_FLAGS,
  W_FLAGS_HI,
  W_INDEX,
  W_LRU_NEXT,
  W_LRU_PREV,
  W_MAPCOUNT,
  W_PRIVATE,
  W_REFCOUNT,
  zonenum_of,
} from './mm_types';
import type { PageAllocator } from './page_alloc';

const SEEN_HEAD = 1;
const SEEN_TAIL = 2;
const SEEN_PCP = 3;

const hx = (pfn: number): string => '0x' + pfn.toString(16);

class Checker {
  readonly errors: string[] = [];
  readonly seen: Uint8Array;
  private readonly limit = 50;

  constructor(private readonly pgalloc: PageAllocator) {
    this.seen = new Uint8Array(pgalloc.mem_map.nrPages);
  }

  fail(msg: string): void {
    if (this.errors.length < this.limit) this.errors.push(msg);
  }

  word(pfn: number, w: number): number {
    return this.pgalloc.mem_map.w[this.pgalloc.mem_map.idx(pfn) + w]!;
  }

  /** Walk one list; calls visit(pfn) for each entry. @returns the entry count. */
  walk(name: string, head: number, tail: number, visit: (pfn: number) => void): number {
    const mem_map = this.pgalloc.mem_map;
    let prev = NIL;
    let n = 0;
    for (let pfn = head; pfn !== NIL; pfn = this.word(pfn, W_LRU_NEXT)) {
      if (!mem_map.pfn_valid(pfn)) {
        this.fail(`${name}: link to invalid pfn ${pfn}`);
        return n;
      }
      if (this.word(pfn, W_LRU_PREV) !== prev) this.fail(`${name}: pfn ${hx(pfn)} prev link ${this.word(pfn, W_LRU_PREV)} != ${prev}`);
      if (++n > mem_map.nrPages) {
        this.fail(`${name}: cycle`);
        return n;
      }
      visit(pfn);
      prev = pfn;
    }
    if (prev !== tail) this.fail(`${name}: tail ${tail} != last entry ${prev}`);
    return n;
  }

  checkFreeBlock(zone: Zone, order: number, mt: number, pfn: number): void {
    const mem_map = this.pgalloc.mem_map;
    const where = `zone ${zone.name} order ${order} ${mt}: pfn ${hx(pfn)}`;
    if (!isBuddyType(this.word(pfn, W_MAPCOUNT))) this.fail(`${where} on a free list without PageBuddy`);
    if (this.word(pfn, W_PRIVATE) !== order) this.fail(`${where} has order ${this.word(pfn, W_PRIVATE)}`);
    if (this.word(pfn, W_INDEX) !== mt) this.fail(`${where} says migratetype ${this.word(pfn, W_INDEX)}`);
    if (pfn & ((1 << order) - 1)) this.fail(`${where} not aligned to its order`);
    if (!zone.zone_spans_pfn(pfn) || pfn + (1 << order) > zone.zone_end_pfn()) this.fail(`${where} outside the zone`);
    if (zonenum_of(this.word(pfn, W_FLAGS_HI)) !== zone.idx) this.fail(`${where} belongs to another zone`);
    if (this.word(pfn, W_REFCOUNT) !== 0) this.fail(`${where} has refcount ${this.word(pfn, W_REFCOUNT)}`);
    if (this.word(pfn, W_FLAGS) & (1 << PG_reserved)) this.fail(`${where} is PG_reserved`);
    if (this.seen[mem_map.slot(pfn)]) this.fail(`${where} is on more than one list`);
    this.seen[mem_map.slot(pfn)] = SEEN_HEAD;
    // CMA pageblocks keep their free pages on the CMA lists, and only they do.
    const pbMt = mem_map.get_pageblock_migratetype(pfn);
    if ((mt === MIGRATE_CMA) !== (pbMt === MIGRATE_CMA)) this.fail(`${where} lies in a pageblock of migratetype ${pbMt}`);
    // The tails, slot by slot with the word index stepping along: this loop
    // visits every free page, the bulk of the checker's time.
    const { w, onPcp } = mem_map;
    const seen = this.seen;
    const end = Math.min(pfn + (1 << order), mem_map.endPfn);
    for (let p = pfn + 1, slot = mem_map.slot(p), i = mem_map.idx(p); p < end; p++, slot++, i += PAGE_WORDS) {
      if (seen[slot]) this.fail(`${where}: tail ${hx(p)} also in another free block or pcp list`);
      if (w[i + W_MAPCOUNT] !== PAGE_MAPCOUNT_RESET) this.fail(`${where}: tail ${hx(p)} has _mapcount ${w[i + W_MAPCOUNT]}`);
      if (w[i + W_REFCOUNT] !== 0) this.fail(`${where}: tail ${hx(p)} has refcount ${w[i + W_REFCOUNT]}`);
      if (onPcp[slot]) this.fail(`${where}: tail ${hx(p)} is marked as a pcp page`);
      seen[slot] = SEEN_TAIL;
    }
    // Buddies are never both free at one order (they would have merged).
    if (order < this.pgalloc.maxOrder - 1) {
      const buddy = pfn ^ (1 << order);
      const isolated = (p: number): boolean => mem_map.get_pageblock_migratetype(p) === MIGRATE_ISOLATE;
      // ... except across the edge of an isolated pageblock (__free_one_page does not merge there).
      const fenced = order >= this.pgalloc.pageblockOrder && isolated(pfn) !== isolated(buddy);
      if (
        !fenced &&
        mem_map.pfn_valid(buddy) &&
        isBuddyType(this.word(buddy, W_MAPCOUNT)) &&
        this.word(buddy, W_PRIVATE) === order &&
        this.word(buddy, W_FLAGS_HI) === this.word(pfn, W_FLAGS_HI)
      )
        this.fail(`${where} and its buddy ${hx(buddy)} are both free`);
    }
  }

  checkZone(zone: Zone): void {
    let pages = 0;
    let cmaPages = 0;
    for (let order = 0; order < this.pgalloc.maxOrder; order++) {
      let blocks = 0;
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
        const li = free_list_index(order, mt);
        const n = this.walk(`zone ${zone.name} free_list[${order}][${mt}]`, zone.freeHead[li]!, zone.freeTail[li]!, (pfn) =>
          this.checkFreeBlock(zone, order, mt, pfn),
        );
        blocks += n;
        // Free pages on isolated pageblocks are not in NR_FREE_PAGES; CMA ones are in NR_FREE_CMA_PAGES too.
        if (mt !== MIGRATE_ISOLATE) pages += n << order;
        if (mt === MIGRATE_CMA) cmaPages += n << order;
      }
      if (blocks !== zone.nrFree[order]) this.fail(`zone ${zone.name} free_area[${order}].nr_free ${zone.nrFree[order]} != ${blocks} listed`);
    }
    if (pages !== zone.nr_free_pages) this.fail(`zone ${zone.name} NR_FREE_PAGES ${zone.nr_free_pages} != ${pages} on the free lists`);
    if (cmaPages !== zone.nr_free_cma_pages) this.fail(`zone ${zone.name} NR_FREE_CMA_PAGES ${zone.nr_free_cma_pages} != ${cmaPages} on the CMA lists`);
    if (zone.nr_free_pages > zone.managed_pages) this.fail(`zone ${zone.name} has more free pages than managed`);
    this.checkPcp(zone);
  }

  checkPcp(zone: Zone): void {
    const mem_map = this.pgalloc.mem_map;
    const pcp = zone.pcp;
    for (let cpu = 0; cpu < this.pgalloc.nrCpus; cpu++) {
      let n = 0;
      for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) {
        n += this.walk(`zone ${zone.name} cpu ${cpu} pcp list ${mt}`, pcp.head(cpu, mt), pcp.tail(cpu, mt), (pfn) => {
          const where = `zone ${zone.name} cpu ${cpu} pcp ${mt}: pfn ${hx(pfn)}`;
          if (isBuddyType(this.word(pfn, W_MAPCOUNT))) this.fail(`${where} is PageBuddy`);
          if (this.word(pfn, W_REFCOUNT) !== 0) this.fail(`${where} has refcount ${this.word(pfn, W_REFCOUNT)}`);
          if (!mem_map.onPcp[mem_map.slot(pfn)]) this.fail(`${where} is not marked as a pcp page`);
          if (zonenum_of(this.word(pfn, W_FLAGS_HI)) !== zone.idx) this.fail(`${where} belongs to another zone`);
          if (this.seen[mem_map.slot(pfn)]) this.fail(`${where} is also on another list`);
          this.seen[mem_map.slot(pfn)] = SEEN_PCP;
        });
      }
      if (n !== pcp.count(cpu)) this.fail(`zone ${zone.name} cpu ${cpu} pcp->count ${pcp.count(cpu)} != ${n} listed`);
    }
  }

  /** Every PageBuddy page heads a listed block; every onPcp page is on a pcp list. */
  scanMemMap(): void {
    const mem_map = this.pgalloc.mem_map;
    const { w, onPcp } = mem_map;
    const seen = this.seen;
    // Slot by slot, the word index stepping with it: the one pass over all
    // of mem_map, which dominates the checker's time on big machines.
    for (let slot = 0, i = 0; slot < mem_map.nrPages; slot++, i += PAGE_WORDS) {
      const s = seen[slot];
      if (s !== SEEN_HEAD && isBuddyType(w[i + W_MAPCOUNT]!)) this.fail(`pfn ${hx(mem_map.basePfn + slot)} is PageBuddy but on no free list`);
      if (s !== SEEN_PCP && onPcp[slot]) this.fail(`pfn ${hx(mem_map.basePfn + slot)} is marked pcp but on no pcp list`);
    }
  }
}

/** check_page_allocator: every violation found, as text (empty when sane). */
export function check_page_allocator(pgalloc: PageAllocator): string[] {
  const c = new Checker(pgalloc);
  for (const zone of pgalloc.zones) c.checkZone(zone);
  c.scanMemMap();
  return c.errors;
}

export class VmBug extends Error {
  override name = 'VmBug';
}

/** VM_BUG_ON for the whole allocator: throws VmBug listing the violations. */
export function assert_page_allocator_sane(pgalloc: PageAllocator): void {
  const errors = check_page_allocator(pgalloc);
  if (errors.length) throw new VmBug(`page allocator inconsistent:\n  ${errors.join('\n  ')}`);
}
