// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page allocator suite, on a booted uConsole (real struct pages and
 * free lists in guest memory):
 *
 *  - order-0 alloc+free pairs per second through the per-CPU lists ("pcp")
 *    and without them ("no-pcp": every pageset at high = 0, batch = 1, as
 *    the boot pagesets are, so each page goes to and from the buddy lists);
 *  - alloc+free pairs per second at each order;
 *  - fragmentation: fill memory with order-0 pages, free every other one,
 *    then ask for each order: how many requests the buddy allocator serves;
 *  - memarea: time per call against the request size, against the number
 *    of free blocks with free pages fixed, and against free pages with free
 *    blocks fixed (the seed's claim: cost follows free blocks, not pages).
 */

import type { Kernel } from '../kernel-model/kernel';
import { bootUconsole } from '../api/uconsole';
import { GFP_KERNEL, __GFP_NOWARN, type PageAllocator } from '../kernel-model/mm/page_alloc';
import { pageset_set_batch } from '../kernel-model/mm/page_alloc/pcp';
import { gitRevision, timeMs, type BenchReport, type BenchRow } from './report';

export interface PageParams {
  board: string;
  ram: string;
  /** Kernel command line (e.g. "max_order=6"); the board's cmdline.txt when absent. */
  cmdline?: string;
  /** Order-0 alloc+free pairs per measurement. */
  pairs: number;
  /** Pairs per order for the per-order figures. */
  orderPairs: number;
  /** memarea calls averaged per point. */
  memareaCalls: number;
}

export const PAGE_DEFAULTS: PageParams = { board: 'uconsole-cm4', ram: '1G', pairs: 2_000_000, orderPairs: 100_000, memareaCalls: 20 };

const GFP = GFP_KERNEL | __GFP_NOWARN;

/** Alloc+free pairs per second, a quarter of them on each of CPUs 0-3 (each CPU's own pcp lists). */
function pairsPerSecond(k: Kernel, pgalloc: PageAllocator, order: number, n: number): number {
  const ms = timeMs(() => {
    for (let cpu = 0; cpu < 4; cpu++) {
      k.on(cpu, () => {
        for (let i = 0; i < n / 4; i++) {
          const pfn = pgalloc.alloc_pages(GFP, order);
          if (pfn === null) throw new Error(`order-${order} allocation failed during the benchmark`);
          pgalloc.__free_pages(pfn, order);
        }
      });
    }
  });
  return (n * 1000) / ms;
}

/** Run fn with every per-CPU pageset at high = 0 / batch = 1 (no caching), then restore. */
function withoutPcp<T>(pgalloc: PageAllocator, fn: () => T): T {
  const cpus = [...Array(pgalloc.nrCpus).keys()];
  const saved = pgalloc.zones.map((z) => cpus.map((cpu) => [z.pcp.high(cpu), z.pcp.batch(cpu)] as const));
  pgalloc.drain_all_pages();
  for (const z of pgalloc.zones) for (const cpu of cpus) pageset_set_batch(z.pcp, cpu, 0);
  try {
    return fn();
  } finally {
    pgalloc.zones.forEach((z, i) => cpus.forEach((cpu) => z.pcp.set_high_batch(cpu, ...saved[i]![cpu]!)));
  }
}

/**
 * Run fn with every zone's watermarks and lowmem reserves at 0, so that a
 * fill takes every free page (as a PF_MEMALLOC task may), then restore.
 */
function withoutWatermarks<T>(pgalloc: PageAllocator, fn: () => T): T {
  const saved = pgalloc.zones.map((z) => ({ wm: z.watermark.slice(), lr: z.lowmem_reserve.slice() }));
  for (const z of pgalloc.zones) {
    z.watermark.fill(0);
    z.lowmem_reserve.fill(0);
  }
  try {
    return fn();
  } finally {
    pgalloc.zones.forEach((z, i) => {
      z.watermark.set(saved[i]!.wm);
      z.lowmem_reserve.set(saved[i]!.lr);
    });
  }
}

/** Allocate every free order-0 page; returns their PFNs. */
function fillMemory(pgalloc: PageAllocator): Int32Array {
  const pfns = new Int32Array(pgalloc.nr_free_pages() + 1024);
  let n = 0;
  for (;;) {
    const pfn = pgalloc.alloc_pages(GFP, 0);
    if (pfn === null) break;
    pfns[n++] = pfn;
  }
  pgalloc.drain_all_pages();
  for (;;) {
    const pfn = pgalloc.alloc_pages(GFP, 0);
    if (pfn === null) break;
    pfns[n++] = pfn;
  }
  return pfns.subarray(0, n).sort();
}

function freeBlocks(pgalloc: PageAllocator): number {
  let n = 0;
  for (const z of pgalloc.zones) for (const v of z.nrFree) n += v;
  return n;
}

/**
 * Free `runs` runs of `runLen` pages (a power of two), each aligned to its
 * length, with the block beside it (its buddy) left allocated: every run
 * becomes exactly one free block of order log2(runLen). Returns the indexes
 * in `pfns` of the pages freed.
 */
function freeAlignedRuns(pgalloc: PageAllocator, pfns: Int32Array, runs: number, runLen: number): Int32Array {
  const index = new Map<number, number>();
  pfns.forEach((pfn, i) => index.set(pfn, i));
  const freed: number[] = [];
  const last = pfns[pfns.length - 1]!;
  let s = Math.ceil(pfns[0]! / (2 * runLen)) * 2 * runLen;
  for (let r = 0; r < runs && s + runLen <= last; s += 2 * runLen) {
    let whole = true;
    for (let p = s; p < s + runLen && whole; p++) whole = index.has(p);
    if (!whole) continue;
    for (let p = s; p < s + runLen; p++) {
      pgalloc.__free_pages(p, 0);
      freed.push(index.get(p)!);
    }
    r++;
  }
  pgalloc.drain_all_pages();
  return Int32Array.from(freed);
}

function reallocate(pgalloc: PageAllocator, pfns: Int32Array, idx: Int32Array): void {
  for (const i of idx) {
    const pfn = pgalloc.alloc_pages(GFP, 0);
    if (pfn === null) throw new Error('could not take back freed pages');
    pfns[i] = pfn;
  }
  pfns.sort();
}

/** ms per memarea call that must search every free block (the request is larger than every run). */
function memareaSearchMs(pgalloc: PageAllocator, pages: number, calls: number): number {
  return timeMs(() => {
    for (let i = 0; i < calls; i++) {
      const pfn = pgalloc.alloc_memarea(GFP, pages);
      if (pfn !== null) pgalloc.free_memarea(pfn, pages);
    }
  }) / calls;
}

export async function benchPage(p: PageParams, progress: (s: string) => void): Promise<BenchReport> {
  const rows: BenchRow[] = [];
  const add = (variant: string, test: string, metric: string, unit: string, value: number): void => {
    rows.push({ variant, test, metric, unit, value });
  };
  const u = await bootUconsole({ board: p.board, ram: p.ram, cmdline: p.cmdline });
  try {
    const k = u.kernel;
    const pgalloc = k.mm.pgalloc;
    progress('order-0 pairs');
    add('pcp', 'order0-pairs', 'ops_per_s', 'pairs/s', pairsPerSecond(k, pgalloc, 0, p.pairs));
    add('no-pcp', 'order0-pairs', 'ops_per_s', 'pairs/s', withoutPcp(pgalloc, () => pairsPerSecond(k, pgalloc, 0, p.pairs)));

    progress('pairs per order');
    for (let order = 1; order < pgalloc.maxOrder; order++) add('buddy', `order${order}-pairs`, 'ops_per_s', 'pairs/s', pairsPerSecond(k, pgalloc, order, p.orderPairs));
    // The rest runs as kernel code on CPU 0.
    k.on(0, () => {

    progress('memarea against request size');
    for (const pages of [1, 3, 100, 1000, 5000, 20_000]) {
      add('memarea', `size-${pages}-pages`, 'alloc_free_ms', 'ms', timeMs(() => {
        for (let i = 0; i < p.memareaCalls; i++) {
          const pfn = pgalloc.alloc_memarea(GFP, pages, 1);
          if (pfn === null) throw new Error(`memarea of ${pages} pages failed`);
          pgalloc.free_memarea(pfn, pages);
        }
      }) / p.memareaCalls);
    }

    // Filling memory to the last page needs the watermarks out of the way.
    withoutWatermarks(pgalloc, () => {
      progress('fragmentation');
      const pfns = fillMemory(pgalloc);
      // Every other page free: memory is all free, but in single pages.
      const everyOther = Int32Array.from({ length: Math.floor(pfns.length / 2) }, (_, i) => 2 * i);
      for (const i of everyOther) pgalloc.__free_pages(pfns[i]!, 0);
      pgalloc.drain_all_pages();
      add('buddy', 'fragmented', 'free_pages', 'pages', pgalloc.nr_free_pages());
      for (let order = 0; order < pgalloc.maxOrder; order++) {
        const got: number[] = [];
        for (let i = 0; i < 64; i++) {
          const pfn = pgalloc.alloc_pages(GFP, order);
          if (pfn === null) break;
          got.push(pfn);
        }
        add('buddy', `fragmented-order${order}`, 'served_of_64', 'allocations', got.length);
        for (const pfn of got) pgalloc.__free_pages(pfn, order);
      }
      pgalloc.drain_all_pages();
      reallocate(pgalloc, pfns, everyOther);

      // A failing search (the request is one page longer than every run) visits every free block.
      const searchPoint = (test: string, runs: number, runLen: number): void => {
        const freed = freeAlignedRuns(pgalloc, pfns, runs, runLen);
        add('memarea', test, 'free_blocks', 'blocks', freeBlocks(pgalloc));
        add('memarea', test, 'free_pages', 'pages', pgalloc.nr_free_pages());
        add('memarea', test, 'search_ms', 'ms', memareaSearchMs(pgalloc, runLen + 1, p.memareaCalls));
        reallocate(pgalloc, pfns, freed);
      };
      progress('memarea against free blocks (free pages fixed at 65536)');
      for (const runs of [256, 1024, 4096, 16_384]) searchPoint(`search-65536-pages-in-${runs}-blocks`, runs, 65_536 / runs);
      progress('memarea against free pages (free blocks fixed at 256)');
      for (const runLen of [8, 64, 256]) searchPoint(`search-256-blocks-of-${runLen}-pages`, 256, runLen);
      for (const pfn of pfns) pgalloc.__free_pages(pfn, 0);
      pgalloc.drain_all_pages();
    });
    });
  } finally {
    u.shutdown();
  }
  return {
    suite: 'page',
    board: p.board,
    cmdline: u.kernel.arch.cmdlineText,
    revision: gitRevision(),
    params: { board: p.board, ram: p.ram, pairs: p.pairs, orderPairs: p.orderPairs, memareaCalls: p.memareaCalls, maxOrder: u.kernel.mm.pgalloc.maxOrder },
    results: rows,
  };
}
