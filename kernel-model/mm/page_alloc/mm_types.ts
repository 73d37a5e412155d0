// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct page in guest memory (mem_map).
 *
 * One 64-byte struct page per page frame, as on arm64 (sizeof(struct page)
 * = 64, STRUCT_PAGE_MAX_SHIFT = 6), in one array allocated from memblock,
 * like the buffer sparse_init() fills with SPARSEMEM_VMEMMAP. The array
 * covers whole memory sections, so page frames in holes between RAM banks
 * have a struct page too (PG_reserved, never freed), exactly as Linux's
 * init_unavailable_range() leaves them.
 *
 * Layout of one struct page, in 32-bit words (little endian), following
 * include/linux/mm_types.h for a 64-bit kernel:
 *
 *   word  0- 1  flags       PG_* bits low, zone number in bits 62-63
 *   word  2- 3  lru.next    \ free-list / pcp-list links; we store the
 *   word  4- 5  lru.prev    / next and previous PFN (NIL = -1) in the low
 *                             word instead of a struct page pointer
 *   word  6- 7  mapping     always 0 here
 *   word  8- 9  index       migratetype of the list a free page is on
 *                             (Linux keeps it there for pcp pages:
 *                             set_pcppage_migratetype; we do the same for
 *                             buddy lists, so that unlinking the first or
 *                             last entry knows which list head to update)
 *   word 10-11  private     buddy order of a free block's head page
 *   word 12     _mapcount   -1, or the page_type: PageBuddy = ~PG_buddy
 *   word 13     _refcount   1 while in use or reserved, 0 when free
 *   word 14-15  memcg_data  always 0
 *
 * Everything the allocator reads on its hot paths lives in the low words
 * of these fields, so one Int32Array view (`w`) over the whole mem_map
 * serves them all. Two numbers locate a page, and every file goes
 * through MemMap's helpers for them rather than spelling out the
 * arithmetic:
 *
 *   mem_map.slot(pfn) = pfn - basePfn          its place in mem_map (and in
 *                                          per-page host maps like onPcp)
 *   mem_map.idx (pfn)  = slot << PAGE_WORDS_SHIFT  word 0 of its struct page in `w`
 *
 * The zone number sits in the top ZONES_WIDTH bits of the flags' high
 * word: page_zonenum() is zonenum_of(w[idx + W_FLAGS_HI]).
 *
 * Units: PFNs are page frame numbers (physical address >> 12) and fit an
 * int32 for any board up to 8 TiB; word indexes are int32 too.
 */

import type { GuestRam } from '../../../emulator/memory/guest-ram';

import { PAGE_SHIFT, PAGE_SIZE } from '../../arch/arm64/page-def';

export { PAGE_SHIFT, PAGE_SIZE };
/** sizeof(struct page) on arm64. */
export const STRUCT_PAGE_SIZE = 64;
export const PAGE_WORDS = STRUCT_PAGE_SIZE / 4;
/** log2(PAGE_WORDS): a mem_map slot times PAGE_WORDS is a shift. */
export const PAGE_WORDS_SHIFT = 4;
/** The empty link. */
export const NIL = -1;

/* Word offsets inside one struct page. */
export const W_FLAGS = 0;
export const W_FLAGS_HI = 1;
export const W_LRU_NEXT = 2;
export const W_LRU_PREV = 4;
export const W_MAPPING = 6;
export const W_INDEX = 8;
export const W_PRIVATE = 10;
export const W_MAPCOUNT = 12;
export const W_REFCOUNT = 13;
/** page->mem_cgroup (memcg_data since 5.11); 0 here, no memory cgroups charge pages. */
export const W_MEMCG = 14;

/* enum pageflags (include/linux/page-flags.h, 5.10), bit numbers. */
export const PG_locked = 0;
export const PG_referenced = 1;
export const PG_uptodate = 2;
export const PG_dirty = 3;
export const PG_lru = 4;
export const PG_active = 5;
export const PG_workingset = 6;
export const PG_waiters = 7;
export const PG_error = 8;
export const PG_slab = 9;
export const PG_owner_priv_1 = 10;
export const PG_arch_1 = 11;
export const PG_reserved = 12;
export const PG_private = 13;
export const PG_private_2 = 14;
export const PG_writeback = 15;
export const PG_head = 16;
export const PG_mappedtodisk = 17;
export const PG_reclaim = 18;
export const PG_swapbacked = 19;
export const PG_unevictable = 20;
export const PG_mlocked = 21;
export const NR_PAGEFLAGS = 22;

/** pageflag_names for %pGp, in bit order (include/trace/events/mmflags.h). */
export const PAGEFLAG_NAMES: readonly string[] = [
  'locked', 'referenced', 'uptodate', 'dirty', 'lru', 'active', 'workingset', 'waiters', 'error', 'slab',
  'owner_priv_1', 'arch_1', 'reserved', 'private', 'private_2', 'writeback', 'head', 'mappedtodisk',
  'reclaim', 'swapbacked', 'unevictable', 'mlocked',
];

/** Flags that must be clear when a page is freed (PAGE_FLAGS_CHECK_AT_FREE, 5.10). */
export const PAGE_FLAGS_CHECK_AT_FREE =
  (1 << PG_lru) | (1 << PG_locked) | (1 << PG_private) | (1 << PG_private_2) | (1 << PG_writeback) |
  (1 << PG_reserved) | (1 << PG_slab) | (1 << PG_active) | (1 << PG_unevictable) | (1 << PG_mlocked);
/** Flags that must be clear when a page is handed out (PAGE_FLAGS_CHECK_AT_PREP). */
export const PAGE_FLAGS_CHECK_AT_PREP = (1 << NR_PAGEFLAGS) - 1;

/* Page types live in _mapcount (include/linux/page-flags.h PAGE_TYPE_OPS). */
export const PAGE_TYPE_BASE = 0xf0000000 | 0;
export const PG_buddy = 0x00000080;
/** _mapcount of a page with no mappings and no type. */
export const PAGE_MAPCOUNT_RESET = -1;
/** _mapcount of a free buddy block's head: -1 with PG_buddy cleared = -129. */
export const PAGE_BUDDY_MAPCOUNT_VALUE = ~PG_buddy;

/** Zone number position in page->flags (ZONES_PGSHIFT with ZONES_WIDTH 2, high word). */
export const ZONES_SHIFT_HI = 30;
/** ZONES_MASK: (1 << ZONES_WIDTH) - 1. */
export const ZONES_MASK = 3;

/** page_zonenum() from the high word of page->flags. */
export function zonenum_of(flagsHi: number): number {
  return (flagsHi >>> ZONES_SHIFT_HI) & ZONES_MASK;
}

/* The pageblock bitmap (include/linux/pageblock-flags.h): NR_PAGEBLOCK_BITS
 * per pageblock, the migratetype in the low PB_migratetype_bits of them. */
export const NR_PAGEBLOCK_BITS = 4;
/** MIGRATETYPE_MASK: (1 << PB_migratetype_bits) - 1. */
export const MIGRATETYPE_MASK = 7;
const PAGEBLOCK_BITS_MASK = (1 << NR_PAGEBLOCK_BITS) - 1;

export class MemMapError extends Error {
  override name = 'MemMapError';
}

/** __free_pages_core's mask over one struct page: everything kept but PG_reserved and the reference count. */
const FREE_CORE_KEEP = (() => {
  const keep = new Int32Array(PAGE_WORDS).fill(-1);
  keep[W_FLAGS] = ~(1 << PG_reserved);
  keep[W_REFCOUNT] = 0;
  return new Uint8Array(keep.buffer);
})();
const FREE_CORE_SET = new Uint8Array(STRUCT_PAGE_SIZE);

/**
 * The mem_map array: struct pages for PFNs [basePfn, endPfn), plus the
 * pageblock flags (the SPARSEMEM usemap), both in guest memory.
 */
export class MemMap {
  /** Int32 view of the whole struct page array. */
  readonly w: Int32Array;
  /** NR_PAGEBLOCK_BITS = 4 per pageblock, two pageblocks per byte. */
  readonly pageblockFlags: Uint8Array;
  /**
   * Model bookkeeping in host memory, not part of struct page: 1 while
   * the page sits on a per-CPU list. Linux has no such mark (a pcp page
   * looks like the tail of an allocated block); we need it to refuse a
   * wrong-order free that would reach into a pcp list instead of
   * corrupting it.
   */
  readonly onPcp: Uint8Array;
  readonly endPfn: number;

  /**
   * @param pa           physical address of the struct page array (64-byte aligned)
   * @param basePfn      first PFN described (section aligned)
   * @param nrPages      number of struct pages
   * @param usemapPa     physical address of the pageblock bitmap
   * @param pageblockOrder pageblock_order
   */
  constructor(
    private readonly ram: GuestRam,
    readonly pa: number,
    readonly basePfn: number,
    readonly nrPages: number,
    readonly usemapPa: number,
    readonly pageblockOrder: number,
  ) {
    this.w = ram.view(Int32Array, pa, nrPages * PAGE_WORDS, 4);
    this.pageblockFlags = ram.bytes(usemapPa, MemMap.usemapBytes(nrPages, pageblockOrder));
    this.onPcp = new Uint8Array(nrPages);
    this.endPfn = basePfn + nrPages;
  }

  /** Bytes of pageblock bitmap for nrPages frames (4 bits per pageblock). */
  static usemapBytes(nrPages: number, pageblockOrder: number): number {
    const blocks = Math.ceil(nrPages / 2 ** pageblockOrder);
    return Math.ceil(blocks / 2);
  }

  /** pfn_valid: does the PFN have a struct page? */
  pfn_valid(pfn: number): boolean {
    return Number.isInteger(pfn) && pfn >= this.basePfn && pfn < this.endPfn;
  }

  /** pfn's place in mem_map: 0 for basePfn (also the index into onPcp). */
  slot(pfn: number): number {
    return pfn - this.basePfn;
  }

  /** Index of word 0 of pfn's struct page in `w`. */
  idx(pfn: number): number {
    return (pfn - this.basePfn) << PAGE_WORDS_SHIFT;
  }

  /** Physical address of pfn's struct page (what a debugger would follow). */
  page_struct_pa(pfn: number): number {
    return this.pa + (pfn - this.basePfn) * STRUCT_PAGE_SIZE;
  }

  /* ---- field accessors (the hot paths index `w` directly) ---- */

  flags(pfn: number): number {
    return this.w[this.idx(pfn) + W_FLAGS]!;
  }
  page_refcount(pfn: number): number {
    return this.w[this.idx(pfn) + W_REFCOUNT]!;
  }
  page_mapcount_raw(pfn: number): number {
    return this.w[this.idx(pfn) + W_MAPCOUNT]!;
  }
  page_private(pfn: number): number {
    return this.w[this.idx(pfn) + W_PRIVATE]!;
  }
  page_index(pfn: number): number {
    return this.w[this.idx(pfn) + W_INDEX]!;
  }
  lru_next(pfn: number): number {
    return this.w[this.idx(pfn) + W_LRU_NEXT]!;
  }
  lru_prev(pfn: number): number {
    return this.w[this.idx(pfn) + W_LRU_PREV]!;
  }
  page_zonenum(pfn: number): number {
    return zonenum_of(this.w[this.idx(pfn) + W_FLAGS_HI]!);
  }

  PageReserved(pfn: number): boolean {
    return (this.flags(pfn) & (1 << PG_reserved)) !== 0;
  }
  /** PageBuddy: the page type says "free block head" (PageType(page, PG_buddy)). */
  PageBuddy(pfn: number): boolean {
    return isBuddyType(this.w[this.idx(pfn) + W_MAPCOUNT]!);
  }

  /** __init_single_page: a fresh, in-use, untyped page of `zone`. */
  init_single_page(pfn: number, zone: number): void {
    this.init_pages(pfn, pfn + 1, zone, false);
  }

  /**
   * __init_single_page for [from, to): zeroed struct pages (mm_zero_struct_page),
   * refcount 1, _mapcount -1, empty links, the zone in the flags;
   * PG_reserved too when `reserved` (init_unavailable_range).
   */
  init_pages(from: number, to: number, zone: number, reserved: boolean): void {
    const w = this.w;
    const start = this.idx(from);
    const end = this.idx(to);
    if (end <= start) return;
    w.fill(0, start, start + PAGE_WORDS);
    w[start + W_FLAGS] = reserved ? 1 << PG_reserved : 0;
    w[start + W_FLAGS_HI] = zone << ZONES_SHIFT_HI;
    w[start + W_LRU_NEXT] = NIL;
    w[start + W_LRU_PREV] = NIL;
    w[start + W_MAPCOUNT] = PAGE_MAPCOUNT_RESET;
    w[start + W_REFCOUNT] = 1;
    // Every struct page of the range is the same 64 bytes: the RAM repeats
    // the first through the rest (on every host core where it can: a 4 GB
    // board's 64 MB mem_map is mostly the host's first touches of it).
    this.ram.replicate(this.page_struct_pa(from), STRUCT_PAGE_SIZE, (to - from) * STRUCT_PAGE_SIZE);
  }

  /**
   * __free_pages_core's per-page part for [from, to): PG_reserved cleared
   * and the reference count 0 in every struct page (memblock_free_all's
   * ranges, a CMA area's pageblocks), by the RAM on every host core where
   * it can (a 4 GB board's free pages are 64 MB of struct pages).
   */
  free_pages_core_prepare(from: number, to: number): void {
    if (from < this.basePfn || to > this.endPfn) throw new MemMapError(`pfns 0x${from.toString(16)}-0x${to.toString(16)} are outside mem_map`);
    if (to > from) this.ram.maskRecords(this.page_struct_pa(from), (to - from) * STRUCT_PAGE_SIZE, FREE_CORE_KEEP, FREE_CORE_SET);
  }

  SetPageReserved(pfn: number): void {
    this.w[this.idx(pfn) + W_FLAGS] |= 1 << PG_reserved;
  }
  ClearPageReserved(pfn: number): void {
    this.w[this.idx(pfn) + W_FLAGS] &= ~(1 << PG_reserved);
  }
  set_page_count(pfn: number, v: number): void {
    this.w[this.idx(pfn) + W_REFCOUNT] = v;
  }

  /*
   * ---- pageblock flags (get/set_pfnblock_flags_mask) ----
   * pb is the pageblock's number in mem_map; two pageblocks share a byte,
   * the even one in the low nibble. Every free reads the migratetype, so
   * pb stays written out here (a helper method for it measured slower on
   * the order-0 free path).
   */

  get_pageblock_migratetype(pfn: number): number {
    const pb = (pfn - this.basePfn) >> this.pageblockOrder;
    return (this.pageblockFlags[pb >> 1]! >> ((pb & 1) * NR_PAGEBLOCK_BITS)) & MIGRATETYPE_MASK;
  }

  set_pageblock_migratetype(pfn: number, mt: number): void {
    const pb = (pfn - this.basePfn) >> this.pageblockOrder;
    const shift = (pb & 1) * NR_PAGEBLOCK_BITS;
    const b = pb >> 1;
    this.pageblockFlags[b] = (this.pageblockFlags[b]! & ~(PAGEBLOCK_BITS_MASK << shift)) | ((mt & MIGRATETYPE_MASK) << shift);
  }

  /** The 16 raw 32-bit words of a struct page, for dumps. */
  raw(pfn: number): Int32Array {
    const i = this.idx(pfn);
    return this.w.subarray(i, i + PAGE_WORDS);
  }
}

/** PageType(page, PG_buddy) on a raw _mapcount word. */
export function isBuddyType(mapcount: number): boolean {
  return (mapcount & (PAGE_TYPE_BASE | PG_buddy)) === PAGE_TYPE_BASE;
}

export const pfn_to_phys = (pfn: number): number => pfn * PAGE_SIZE;
export const phys_to_pfn = (pa: number): number => Math.floor(pa / PAGE_SIZE);
