import { describe, expect, it } from 'vitest';
import {
  check_page_allocator,
  GFP_HIGHUSER_MOVABLE,
  GFP_KERNEL,
  __GFP_NOWARN,
  __GFP_ZERO,
  ZONE_NORMAL,
  type PageAllocator,
} from '../../../../kernel-model/mm/page_alloc';
import { bootSmall, nrFree, rng } from '../helpers';

/** Free pages of a zone, one byte per page, from the free lists (the naive view). */
function freeMap(pgalloc: PageAllocator, zoneIdx: number): Uint8Array {
  const z = pgalloc.zones[zoneIdx]!;
  const map = new Uint8Array(z.spanned_pages);
  for (let li = 0; li < z.freeHead.length; li++) {
    const order = Math.floor(li / 6);
    for (let p = z.freeHead[li]!; p !== -1; p = pgalloc.mem_map.lru_next(p)) map.fill(1, p - z.zone_start_pfn, p - z.zone_start_pfn + (1 << order));
  }
  return map;
}

/** The oracle: scan page by page, zones highest first, for the first aligned run of free pages. */
function oracleFirstFit(pgalloc: PageAllocator, pages: number, align: number): number | null {
  for (const z of pgalloc.zonelist()) {
    const map = freeMap(pgalloc, z.idx);
    let run = 0;
    for (let i = 0; i < map.length; i++) {
      run = map[i] ? run + 1 : 0;
      const start = z.zone_start_pfn + i - run + 1;
      // the first aligned start inside the current run
      const s0 = Math.ceil(start / align) * align;
      if (run && s0 + pages - 1 === z.zone_start_pfn + i) return s0;
    }
  }
  return null;
}

/** Turn a memarea into order-0 pages we can free one by one (refcount 1 each). */
function splitArea(pgalloc: PageAllocator, pfn: number, pages: number): [number, number][] {
  const out: [number, number][] = [];
  for (let p = pfn; p < pfn + pages; p++) {
    if (p !== pfn) pgalloc.get_page(p);
    out.push([p, 0]);
  }
  return out;
}

function allNrFree(pgalloc: PageAllocator): number[][] {
  return pgalloc.zones.map((_, z) => nrFree(pgalloc, z));
}

describe('alloc_memarea / free_memarea', () => {
  it('hands out sizes and alignments that are not powers of two, and takes them back', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 128 });
    const initial = allNrFree(pgalloc);
    const free = pgalloc.nr_free_pages();
    const cases: [number, number][] = [
      [1, 1],
      [3, 1],
      [777, 3],
      [1000, 1000],
      [5000, 7],
      [1025, 513],
    ];
    const got: [number, number][] = [];
    for (const [pages, align] of cases) {
      const pfn = pgalloc.alloc_memarea(GFP_KERNEL, pages, align)!;
      expect(pfn).not.toBeNull();
      expect(pfn % align).toBe(0);
      expect(pgalloc.page_count(pfn)).toBe(1);
      for (let p = pfn; p < pfn + pages; p++) expect(pgalloc.mem_map.PageBuddy(p)).toBe(false);
      got.push([pfn, pages]);
      expect(check_page_allocator(pgalloc)).toEqual([]);
    }
    // disjoint
    const sorted = got.slice().sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]![0]).toBeGreaterThanOrEqual(sorted[i - 1]![0] + sorted[i - 1]![1]);
    expect(pgalloc.nr_free_pages()).toBe(free - cases.reduce((s, [p]) => s + p, 0));
    for (const [pfn, pages] of got) pgalloc.free_memarea(pfn, pages);
    expect(pgalloc.nr_free_pages()).toBe(free);
    expect(allNrFree(pgalloc)).toEqual(initial);
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });

  it('serves one area far larger than the largest buddy block', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 256 });
    const pages = 20000; // 78 MiB; a buddy block is at most 1024 pages
    const pfn = pgalloc.alloc_memarea(GFP_HIGHUSER_MOVABLE, pages)!;
    expect(pfn).not.toBeNull();
    expect(pgalloc.mem_map.page_zonenum(pfn)).toBe(pgalloc.mem_map.page_zonenum(pfn + pages - 1));
    pgalloc.free_memarea(pfn, pages);
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });

  it('agrees with a naive page-by-page first-fit oracle on fragmented memory', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 64 });
    const random = rng(7);
    const held: [number, number][] = [];
    for (let round = 0; round < 30; round++) {
      // fragment: random buddy allocations and frees
      for (let i = 0; i < 200; i++) {
        if (held.length && random() < 0.45) {
          const [p, o] = held.splice(Math.floor(random() * held.length), 1)[0]!;
          pgalloc.__free_pages(p, o);
        } else {
          const o = Math.floor(random() * random() * 8);
          const p = pgalloc.alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, o);
          if (p !== null) held.push([p, o]);
        }
      }
      pgalloc.drain_all_pages(); // the oracle sees only buddy blocks, like the first search
      const pages = 1 + Math.floor(random() * 600);
      const align = 1 + Math.floor(random() * 40);
      const expected = oracleFirstFit(pgalloc, pages, align);
      const got = pgalloc.alloc_memarea(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, pages, align);
      expect(got).toBe(expected);
      if (got !== null) held.push(...splitArea(pgalloc, got, pages));
      expect(check_page_allocator(pgalloc)).toEqual([]);
    }
  });

  it('is first fit by PFN and honours the alignment within a run', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 128 });
    const z = pgalloc.zones[ZONE_NORMAL]!;
    const a = pgalloc.alloc_memarea(GFP_KERNEL, 10)!;
    expect(a).toBe(z.zone_start_pfn); // Normal starts fully free
    const b = pgalloc.alloc_memarea(GFP_KERNEL, 10, 64)!;
    expect(b).toBe(z.zone_start_pfn + 64);
    const c = pgalloc.alloc_memarea(GFP_KERNEL, 54)!;
    expect(c).toBe(a + 10); // fills the gap between them exactly
    for (const [p, n] of [[a, 10], [b, 10], [c, 54]] as const) pgalloc.free_memarea(p, n);
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });

  it('zeroes the area for __GFP_ZERO', () => {
    const { pgalloc: pgalloc, ram } = bootSmall({ ramMiB: 64 });
    const probe = pgalloc.alloc_memarea(GFP_KERNEL, 300)!;
    ram.fill(probe * 4096, 300 * 4096, 0x5a);
    pgalloc.free_memarea(probe, 300);
    const pfn = pgalloc.alloc_memarea(GFP_KERNEL | __GFP_ZERO, 300)!;
    expect(pfn).toBe(probe);
    expect(ram.read(pfn * 4096, 300 * 4096).every((b) => b === 0)).toBe(true);
  });

  it('claims the pageblocks it covers for the request migratetype', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 128 });
    const pfn = pgalloc.alloc_memarea(GFP_KERNEL, 3 * 512)!;
    const first = Math.ceil(pfn / 512) * 512;
    for (let pb = first; pb + 512 <= pfn + 3 * 512; pb += 512) expect(pgalloc.mem_map.get_pageblock_migratetype(pb)).toBe(0);
  });

  it('reports bad frees like the buddy allocator does', () => {
    const { pgalloc: pgalloc, log } = bootSmall({ ramMiB: 64 });
    const pfn = pgalloc.alloc_memarea(GFP_KERNEL, 100)!;
    pgalloc.free_memarea(pfn, 100);
    log.length = 0;
    pgalloc.free_memarea(pfn, 100);
    expect(log[0]).toMatch(/^BUG: Bad page state in process swapper  pfn:/);
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });

  it('search work grows with the number of free blocks, not with the number of free pages', () => {
    // Same free page count, very different fragmentation.
    const few = bootSmall({ ramMiB: 256 }).pgalloc;
    few.alloc_memarea(GFP_KERNEL, 100);
    const scannedFew = few.memareaStats.blocksScanned;
    let freeBlocks = 0;
    for (const z of few.zonelist()) for (let o = 0; o < few.maxOrder; o++) freeBlocks += z.nrFree[o]!;
    expect(scannedFew).toBeLessThanOrEqual(freeBlocks + 16);
    expect(scannedFew).toBeLessThan(few.nr_free_pages() / 100);

    const many = bootSmall({ ramMiB: 256 }).pgalloc;
    const z = many.zones[ZONE_NORMAL]!;
    // checkerboard the Normal zone: allocate everything as pages, free every other one
    const pages: number[] = [];
    for (;;) {
      const p = many.alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);
      if (p === null || many.mem_map.page_zonenum(p) !== ZONE_NORMAL) {
        if (p !== null) many.__free_pages(p, 0);
        break;
      }
      pages.push(p);
    }
    for (const p of pages) if (p % 2) many.__free_pages(p, 0);
    many.drain_all_pages();
    const normalBlocks = Array.from(z.nrFree).reduce((s, n) => s + n, 0);
    many.alloc_memarea(GFP_KERNEL | __GFP_NOWARN, 100);
    expect(many.memareaStats.blocksScanned).toBeGreaterThanOrEqual(normalBlocks);
    expect(many.memareaStats.blocksScanned).toBeGreaterThan(10 * scannedFew);
  });
});

describe('the seed experiment: max_order=6', () => {
  it('the buddy allocator alone cannot give 2 MiB; memarea can, and so can MAX_ORDER 11', () => {
    const small = bootSmall({ ramMiB: 128, maxOrder: 6 });
    expect(small.pgalloc.pageblockOrder).toBe(5);
    small.log.length = 0;
    expect(small.pgalloc.alloc_pages(GFP_KERNEL, 5)).not.toBeNull(); // 128 KiB, the largest buddy block
    expect(small.pgalloc.alloc_pages(GFP_KERNEL, 9)).toBeNull(); // 2 MiB: order >= MAX_ORDER
    expect(small.log[1]).toBe('WARNING: CPU: 0 PID: 0 at mm/page_alloc.c:4935 __alloc_pages_nodemask');
    const area = small.pgalloc.alloc_memarea(GFP_KERNEL, 512)!; // 2 MiB
    expect(area).not.toBeNull();
    const big = small.pgalloc.alloc_memarea(GFP_KERNEL, 4096)!; // 16 MiB
    expect(big).not.toBeNull();
    const odd = small.pgalloc.alloc_memarea(GFP_KERNEL, 1000, 512)!; // 3.9 MiB at a 2 MiB boundary
    expect(odd % 512).toBe(0);
    expect(check_page_allocator(small.pgalloc)).toEqual([]);
    small.pgalloc.free_memarea(area, 512);
    small.pgalloc.free_memarea(big, 4096);
    small.pgalloc.free_memarea(odd, 1000);
    expect(check_page_allocator(small.pgalloc)).toEqual([]);

    const large = bootSmall({ ramMiB: 128, maxOrder: 11 });
    expect(large.pgalloc.alloc_pages(GFP_KERNEL, 9)).not.toBeNull();
  });

  it('with max_order=6 the free lists hold order-5 blocks at most and /proc/buddyinfo has 6 columns', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 64, maxOrder: 6 });
    for (const z of pgalloc.zones) expect(z.nrFree.length).toBe(6);
    expect(pgalloc.zones.some((z) => z.nrFree[5]! > 0)).toBe(true);
  });
});

describe('large MAX_ORDER (max_order=17..19, 1 GiB sections)', () => {
  it('reads free blocks of order 16 and above correctly: a 1.1 GiB area on 2 GiB succeeds with MAX_ORDER 17 as with 11', () => {
    for (const maxOrder of [11, 17]) {
      const { pgalloc: pgalloc } = bootSmall({ ramMiB: 2048, maxOrder, sectionSizeBits: 30 });
      // With MAX_ORDER 17 the Normal zone's free memory lies in order-16 blocks (256 MiB).
      if (maxOrder === 17) expect(pgalloc.zones[ZONE_NORMAL]!.nrFree[16]).toBeGreaterThan(0);
      const free = pgalloc.nr_free_pages();
      const pfn = pgalloc.alloc_memarea(GFP_KERNEL, 300000);
      expect(pfn).not.toBeNull();
      expect(pgalloc.nr_free_pages()).toBe(free - 300000);
      expect(check_page_allocator(pgalloc)).toEqual([]);
      pgalloc.free_memarea(pfn!, 300000);
      expect(pgalloc.nr_free_pages()).toBe(free);
      expect(check_page_allocator(pgalloc)).toEqual([]);
    }
  });
});
