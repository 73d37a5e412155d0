// SPDX-License-Identifier: GPL-2.0-only
/*
 * pool: fixed-size items carved from pages (NetBSD sys/kern/subr_pool.c,
 * pool_init / pool_get / pool_put / pool_grow / pool_reclaim).
 *
 * A pool hands out items of one size. It gets its memory a "page" at a
 * time from a backing allocator (struct pool_allocator: pa_alloc, pa_free,
 * pa_pagesz; the page need not be PAGE_SIZE, vmem's quantum caches use
 * pages of several PAGE_SIZEs and kmem's caches pages of exactly one item
 * size) and splits each page into pr_itemsperpage items:
 *
 *   page   |item 0|item 1|item 2| ... |item n-1|slack|
 *          ^ph_page                            (pa_pagesz - n * pr_size)
 *
 * Every page has a header (struct pool_item_header) kept off the page, as
 * NetBSD does for PR_NOTOUCH pools: the items are addresses the pool never
 * dereferences, so a pool can manage any resource an arena can hand out,
 * and the item memory stays untouched until the caller owns it. A header
 * holds the page's free items as a stack plus a per-item free flag (the
 * flag is NetBSD's PR_NOTOUCH bitmap; it is what turns a double free into
 * a one-line report instead of a corrupted free list).
 *
 * Pages sit on three lists, by how many of their items are out:
 *
 *   pr_emptypages   nmissing == 0          (idle: may go back to pa_free)
 *   pr_partpages    0 < nmissing < ipp     (preferred for pool_get)
 *   pr_fullpages    nmissing == ipp
 *
 * pool_get takes from a partly used page first, so that idle pages stay
 * idle and can be given back; pool_put moves the page between lists and,
 * once more than pr_maxidle pages are idle, returns the page at once
 * (NetBSD's pr_maxpages high-water mark, unlimited by default: idle pages
 * are then given back only by pool_reclaim). Headers are also kept sorted
 * by page address, so pool_put finds an item's page by binary search
 * (NetBSD's pr_phtree, needed because PR_NOALIGN pages are not aligned to
 * their size).
 *
 * Units: item and page addresses are `number`s in whatever space the
 * backing allocator hands out (byte addresses, exact below 2^53).
 *
 * Invariants (pool_check in pool_cache_check.ts): every page's nmissing equals
 * ipp minus its free items and matches the list it is on; the free flags
 * and the free stack agree; pages do not overlap; pr_nout, pr_nitems,
 * pr_npages and pr_nidle are the sums over the pages.
 */

import { cannot_sleep, hex, KASSERTMSG, type Printf } from '../diagnostic';

/** Flags of pool_get and pool_cache_get (sys/pool.h; KM_SLEEP == PR_WAITOK). */
export const PR_WAITOK = 0x01;
export const PR_NOWAIT = 0x02;

const FILE = 'subr_pool.c';

/** struct pool_allocator: where a pool gets its pages. */
export interface PoolAllocator {
  /** Bytes per page (pa_pagesz). */
  readonly pa_pagesz: number;
  /** A page of pa_pagesz bytes, or null. */
  pa_alloc(pp: Pool, flags: number): number | null;
  pa_free(pp: Pool, page: number): void;
}

export type PhListName = 'empty' | 'part' | 'full';

/** A page list (NetBSD's LIST_HEAD of pool_item_header), doubly linked through the pages. */
export class PhList {
  head: PoolPage | null = null;
  size = 0;

  add(ph: PoolPage): void {
    ph.ph_prev = null;
    ph.ph_next = this.head;
    if (this.head) this.head.ph_prev = ph;
    this.head = ph;
    this.size++;
  }

  delete(ph: PoolPage): void {
    if (ph.ph_prev) ph.ph_prev.ph_next = ph.ph_next;
    else this.head = ph.ph_next;
    if (ph.ph_next) ph.ph_next.ph_prev = ph.ph_prev;
    ph.ph_prev = ph.ph_next = null;
    this.size--;
  }

  has(ph: PoolPage): boolean {
    for (let p = this.head; p; p = p.ph_next) if (p === ph) return true;
    return false;
  }

  *[Symbol.iterator](): Generator<PoolPage> {
    for (let p = this.head; p; p = p.ph_next) yield p;
  }
}

/** struct pool_item_header: one page of the pool. */
export class PoolPage {
  /** Items of this page that are out (allocated or cached above the pool). */
  ph_nmissing = 0;
  /** Indexes of the free items; the top of the stack is handed out first. */
  readonly ph_freestack: Int32Array;
  ph_nfree: number;
  /** 1 where the item is free: the PR_NOTOUCH bitmap. */
  readonly ph_isfree: Uint8Array;
  /** Which of the pool's page lists holds the page, and the links in it. */
  ph_list: PhListName = 'empty';
  ph_prev: PoolPage | null = null;
  ph_next: PoolPage | null = null;

  constructor(readonly ph_page: number, ipp: number) {
    this.ph_freestack = new Int32Array(ipp);
    // Push in reverse so that the lowest item is handed out first.
    for (let i = 0; i < ipp; i++) this.ph_freestack[i] = ipp - 1 - i;
    this.ph_nfree = ipp;
    this.ph_isfree = new Uint8Array(ipp).fill(1);
  }
}

export interface PoolOptions {
  /** Item size in bytes (rounded up to the alignment). */
  size: number;
  /** Item alignment (power of two; 0 means the natural one, 8). */
  align?: number;
  /** pr_wchan: the name in reports and statistics. */
  name: string;
  palloc: PoolAllocator;
  /** Idle pages kept before pages are returned at once (pr_maxpages); default unlimited. */
  maxidle?: number;
  printf?: Printf;
}

/** The smallest pool alignment (NetBSD: ALIGN(1) of the architecture, 8 on LP64). */
const POOL_MIN_ALIGN = 8;

export class Pool {
  readonly pr_wchan: string;
  readonly pr_size: number;
  readonly pr_align: number;
  readonly pr_alloc: PoolAllocator;
  readonly pr_itemsperpage: number;
  pr_maxidle: number;
  readonly pr_printf: Printf;
  /** Every page, sorted by address. */
  readonly pr_pages: PoolPage[] = [];
  readonly pr_emptypages = new PhList();
  readonly pr_partpages = new PhList();
  readonly pr_fullpages = new PhList();
  /** Items out of the pool. */
  pr_nout = 0;
  /** Free items in the pool's pages. */
  pr_nitems = 0;
  /** Statistics, as vmstat -m prints them. */
  pr_nget = 0;
  pr_nput = 0;
  pr_nfail = 0;
  pr_npagealloc = 0;
  pr_npagefree = 0;
  pr_hiwat = 0;

  constructor(o: PoolOptions) {
    const align = o.align || POOL_MIN_ALIGN;
    KASSERTMSG((align & (align - 1)) === 0, 'powerof2(align)', FILE, () => `pool ${o.name} align ${align}`);
    KASSERTMSG(o.size > 0, 'size > 0', FILE, () => `pool ${o.name}`);
    this.pr_wchan = o.name;
    this.pr_align = align;
    this.pr_size = Math.ceil(o.size / align) * align;
    this.pr_alloc = o.palloc;
    this.pr_itemsperpage = Math.floor(o.palloc.pa_pagesz / this.pr_size);
    KASSERTMSG(this.pr_itemsperpage > 0, 'pr_itemsperpage > 0', FILE, () => `pool ${o.name}: item ${this.pr_size} > page ${o.palloc.pa_pagesz}`);
    this.pr_maxidle = o.maxidle ?? Infinity;
    this.pr_printf = o.printf ?? (() => {});
  }

  get pr_npages(): number {
    return this.pr_pages.length;
  }

  get pr_nidle(): number {
    return this.pr_emptypages.size;
  }
}

/** pool_init */
export function pool_init(o: PoolOptions): Pool {
  return new Pool(o);
}

/* ---- page lists */

function ph_listof(pp: Pool, ph: PoolPage): PhList {
  return ph.ph_list === 'empty' ? pp.pr_emptypages : ph.ph_list === 'part' ? pp.pr_partpages : pp.pr_fullpages;
}

/** Put the page on the list its nmissing calls for. */
function ph_relist(pp: Pool, ph: PoolPage): void {
  const want = ph.ph_nmissing === 0 ? 'empty' : ph.ph_nmissing === pp.pr_itemsperpage ? 'full' : 'part';
  if (want === ph.ph_list) return;
  ph_listof(pp, ph).delete(ph);
  ph.ph_list = want;
  ph_listof(pp, ph).add(ph);
}

/** Index in pr_pages of the last page starting at or below addr, -1 if none. */
function ph_search(pp: Pool, addr: number): number {
  let lo = 0;
  let hi = pp.pr_pages.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (pp.pr_pages[mid]!.ph_page <= addr) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** pr_find_pagehead: the page holding item v, or undefined. */
export function pr_find_pagehead(pp: Pool, v: number): PoolPage | undefined {
  const i = ph_search(pp, v);
  if (i < 0) return undefined;
  const ph = pp.pr_pages[i]!;
  return v < ph.ph_page + pp.pr_itemsperpage * pp.pr_size ? ph : undefined;
}

/* ---- growing and shrinking */

/** pool_grow: one more page from the backing allocator; false if it had none. */
function pool_grow(pp: Pool, flags: number): boolean {
  const page = pp.pr_alloc.pa_alloc(pp, flags);
  if (page === null) return false;
  const ph = new PoolPage(page, pp.pr_itemsperpage);
  pp.pr_pages.splice(ph_search(pp, page) + 1, 0, ph);
  pp.pr_emptypages.add(ph);
  pp.pr_nitems += pp.pr_itemsperpage;
  pp.pr_npagealloc++;
  pp.pr_hiwat = Math.max(pp.pr_hiwat, pp.pr_pages.length);
  return true;
}

/** Give an idle page back to the backing allocator. */
function pr_pagefree(pp: Pool, ph: PoolPage): void {
  pp.pr_emptypages.delete(ph);
  pp.pr_pages.splice(ph_search(pp, ph.ph_page), 1);
  pp.pr_nitems -= pp.pr_itemsperpage;
  pp.pr_npagefree++;
  pp.pr_alloc.pa_free(pp, ph.ph_page);
}

/** pool_reclaim: return every idle page; the number returned. */
export function pool_reclaim(pp: Pool): number {
  const idle = [...pp.pr_emptypages];
  for (const ph of idle) pr_pagefree(pp, ph);
  return idle.length;
}

/* ---- items */

/** The page pool_get should take from: a partly used one first (pool_update_curpage). */
function pr_curpage(pp: Pool): PoolPage | null {
  return pp.pr_partpages.head ?? pp.pr_emptypages.head;
}

/** pool_get: an item, or null when the backing allocator has no page. */
export function pool_get(pp: Pool, flags: number): number | null {
  let ph = pr_curpage(pp);
  if (!ph) {
    if (!pool_grow(pp, flags)) {
      pp.pr_nfail++;
      if (flags & PR_WAITOK) cannot_sleep(pp.pr_printf, 'pool_get', pp.pr_wchan);
      return null;
    }
    ph = pr_curpage(pp)!;
  }
  const idx = ph.ph_freestack[--ph.ph_nfree]!;
  ph.ph_isfree[idx] = 0;
  ph.ph_nmissing++;
  ph_relist(pp, ph);
  pp.pr_nitems--;
  pp.pr_nout++;
  pp.pr_nget++;
  return ph.ph_page + idx * pp.pr_size;
}

/**
 * The page and item index of v, after the checks pool_put makes before
 * it changes anything (pool_do_put, pr_item_bitmap_put).
 */
function pr_item_lookup(pp: Pool, v: number): { ph: PoolPage; idx: number } {
  const ph = pr_find_pagehead(pp, v);
  KASSERTMSG(ph !== undefined, 'ph != NULL', FILE, () => `pool_put: [${pp.pr_wchan}] page header missing, page ${hex(v)}`);
  const off = v - ph.ph_page;
  KASSERTMSG(off % pp.pr_size === 0, '(v - ph->ph_page) % pr_size == 0', FILE, () => `pool_put: [${pp.pr_wchan}] ${hex(v)} is not an item start`);
  const idx = off / pp.pr_size;
  KASSERTMSG(ph.ph_isfree[idx] === 0, '(*bitmap & mask) == 0', FILE, () => `pool_put: ${pp.pr_wchan}: freeing free block ${hex(v)}`);
  return { ph, idx };
}

/** pool_put: give item v back; panics (one line, nothing changed) on a bad or free item. */
export function pool_put(pp: Pool, v: number): void {
  const { ph, idx } = pr_item_lookup(pp, v);
  ph.ph_isfree[idx] = 1;
  ph.ph_freestack[ph.ph_nfree++] = idx;
  ph.ph_nmissing--;
  ph_relist(pp, ph);
  pp.pr_nitems++;
  pp.pr_nout--;
  pp.pr_nput++;
  if (ph.ph_nmissing === 0 && pp.pr_emptypages.size > pp.pr_maxidle) pr_pagefree(pp, ph);
}

/** Whether item v is handed out by the pool (for the checkers and oracles). */
export function pool_item_out(pp: Pool, v: number): boolean {
  const ph = pr_find_pagehead(pp, v);
  if (!ph) return false;
  const off = v - ph.ph_page;
  return off % pp.pr_size === 0 && ph.ph_isfree[off / pp.pr_size] === 0;
}

/** pool_destroy: the pool must have nothing out; its pages go back. */
export function pool_destroy(pp: Pool): void {
  KASSERTMSG(pp.pr_nout === 0, 'pp->pr_nout == 0', FILE, () => `pool_destroy: pool busy: still out: ${pp.pr_nout}`);
  pool_reclaim(pp);
}
