// CMA in the page allocator (MIGRATE_CMA pageblocks, ALLOC_CMA, cma_alloc/cma_release
// over alloc_contig_range), and the other 5.10 behaviours: watermark boost and decay,
// the highatomic reserve, the __free_pages tail case, movable counting in steal.
import { reserve_highatomic_pageblock, unreserve_highatomic_pageblock } from '../../../kernel-model/mm/page_alloc/highatomic';
import { describe, expect, it } from 'vitest';
import {
  check_page_allocator,
  GFP_HIGHUSER_MOVABLE,
  GFP_KERNEL,
  GFP_DMA,
  __GFP_MOVABLE,
  __GFP_NOWARN,
  meminfo,
  pagetypeinfo,
} from '../../../kernel-model/mm/page_alloc';
import { MIGRATE_CMA, MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE, MIGRATE_UNMOVABLE, free_list_index } from '../../../kernel-model/mm/page_alloc/mmzone';
import { PG_lru, W_FLAGS } from '../../../kernel-model/mm/page_alloc/mm_types';
import { move_freepages_block, movedCounts } from '../../../kernel-model/mm/page_alloc/fallback';
import { bootSmall, MiB, onCpu } from './helpers';

const CMA_BASE = 16 * MiB;
const CMA_SIZE = 8 * MiB;
const inCma = (pfn: number): boolean => pfn >= CMA_BASE / 4096 && pfn < (CMA_BASE + CMA_SIZE) / 4096;

describe('CMA pageblocks in the page allocator', () => {
  it('hands the area to the buddy allocator as MIGRATE_CMA at cma_init_reserved_areas, and says so in /proc', () => {
    const b = bootSmall({ cma: [CMA_BASE, CMA_SIZE] });
    const pa = b.pgalloc;
    const dma = pa.zones[0]!;
    expect(dma.cma_pages).toBe(CMA_SIZE / 4096);
    expect(dma.nr_free_cma_pages).toBe(CMA_SIZE / 4096);
    for (let pfn = CMA_BASE / 4096; pfn < (CMA_BASE + CMA_SIZE) / 4096; pfn += 512) expect(pa.mem_map.get_pageblock_migratetype(pfn)).toBe(MIGRATE_CMA);
    // Memory: is printed before activation: the area is cma-reserved, not reserved, and not yet free.
    expect(b.log.find((l) => l.startsWith('Memory:'))).toMatch(/ 8192K cma-reserved\)$/);
    const mi = meminfo(pa, { cmaTotalPages: b.cma.totalcma_pages, cmaFreePages: b.cma.nr_free_cma_pages(pa) });
    expect(mi).toMatch(/\nCmaTotal:           8192 kB\nCmaFree:            8192 kB\n$/);
    // The CMA column of the pageblock counts: 4 pageblocks of DMA are CMA.
    const blocks = pagetypeinfo(pa).split('\n').find((l) => l.startsWith('Node 0, zone      DMA') && !l.includes('type'))!;
    expect(blocks.trim().split(/\s+/).slice(4)).toEqual([expect.any(String), expect.any(String), '0', '0', '4', '0']);
    expect(check_page_allocator(pa)).toEqual([]);
  });

  it('never gives CMA pages to unmovable allocations, even when memory runs out', () => {
    const { pgalloc: pa } = bootSmall({ cma: [CMA_BASE, CMA_SIZE] });
    const got: number[] = [];
    for (;;) {
      const pfn = onCpu(got.length % 4, () => pa.alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0));
      if (pfn === null) break;
      got.push(pfn);
    }
    expect(got.length).toBeGreaterThan(5000);
    expect(got.filter(inCma)).toEqual([]);
    expect(pa.zones[0]!.nr_free_cma_pages).toBe(CMA_SIZE / 4096); // untouched
    expect(check_page_allocator(pa)).toEqual([]);
  });

  it('lets movable allocations use them, first when over half of the zone\'s free memory is CMA (5.10\'s balancing)', () => {
    // ZONE_DMA is the first 32 MiB; a 16 MiB area in it is more than half of its free memory.
    const { pgalloc: pa } = bootSmall({ cma: [CMA_BASE, 16 * MiB] });
    const dma = pa.zones[0]!;
    expect(dma.nr_free_cma_pages).toBeGreaterThan(dma.nr_free_pages / 2);
    const first = pa.alloc_pages(GFP_DMA | __GFP_MOVABLE, 3)!;
    expect(inCma(first) || first >= CMA_BASE / 4096).toBe(true);
    expect(pa.mem_map.get_pageblock_migratetype(first)).toBe(MIGRATE_CMA);
    // Unmovable GFP_DMA in the same zone does not.
    const un = pa.alloc_pages(GFP_DMA, 3)!;
    expect(pa.mem_map.get_pageblock_migratetype(un)).not.toBe(MIGRATE_CMA);
    pa.__free_pages(first, 3);
    pa.__free_pages(un, 3);
    expect(dma.nr_free_cma_pages).toBe(16 * MiB / 4096);
    expect(check_page_allocator(pa)).toEqual([]);
  });

  it('with a small area movable allocations take regular memory first, then CMA', () => {
    const { pgalloc: pa } = bootSmall({ cma: [CMA_BASE, 4 * MiB] });
    const first = pa.alloc_pages(GFP_HIGHUSER_MOVABLE, 0)!;
    expect(inCma(first)).toBe(false);
    const got: number[] = [];
    for (let pfn = pa.alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 0); pfn !== null; pfn = pa.alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 0)) got.push(pfn);
    expect(got.filter((p) => p >= CMA_BASE / 4096 && p < (CMA_BASE + 4 * MiB) / 4096).length).toBeGreaterThan(900);
    for (const p of got) pa.__free_pages(p, 0);
    pa.__free_pages(first, 0);
    expect(check_page_allocator(pa)).toEqual([]);
  });
});

describe('cma_alloc and cma_release (alloc_contig_range)', () => {
  it('takes the whole area and gives it back', () => {
    const { pgalloc: pa, cma, area } = bootSmall({ cma: [CMA_BASE, CMA_SIZE] });
    const before = pa.nr_free_pages();
    const pfn = cma.cma_alloc(pa, area!, CMA_SIZE / 4096, 0)!;
    expect(pfn).toBe(CMA_BASE / 4096);
    expect(pa.page_count(pfn)).toBe(1);
    expect(pa.page_count(pfn + 2047)).toBe(1);
    expect(pa.nr_free_pages()).toBe(before - CMA_SIZE / 4096);
    expect(pa.zones[0]!.nr_free_cma_pages).toBe(0);
    expect(check_page_allocator(pa)).toEqual([]);
    expect(cma.cma_release(pa, area!, pfn, CMA_SIZE / 4096)).toBe(true);
    pa.drain_all_pages();
    expect(pa.nr_free_pages()).toBe(before);
    expect(area!.alloc_pages_success).toBe(CMA_SIZE / 4096);
    expect(check_page_allocator(pa)).toEqual([]);
  });

  it('honours the alignment and goes past a range with a page in the way', () => {
    const b = bootSmall({ cma: [CMA_BASE, 16 * MiB] });
    const { pgalloc: pa, cma, area } = b;
    const inTheWay = pa.alloc_pages(GFP_DMA | __GFP_MOVABLE, 0)!; // balancing puts it in the area
    expect(inTheWay >= CMA_BASE / 4096 && inTheWay < (CMA_BASE + 16 * MiB) / 4096).toBe(true);
    const got = cma.cma_alloc(pa, area!, 1024, 10)!;
    expect(got).not.toBeNull();
    expect(got % 1024).toBe(0);
    expect(inTheWay >= got && inTheWay < got + 1024).toBe(false);
    expect(cma.cma_release(pa, area!, got, 1024)).toBe(true);
    expect(check_page_allocator(pa)).toEqual([]);
  });

  it('fails with NULL, counts the failure and reports the busy range when pages cannot move', () => {
    const b = bootSmall({ cma: [CMA_BASE, 16 * MiB] });
    const { pgalloc: pa, cma, area } = b;
    const inTheWay = pa.alloc_pages(GFP_DMA | __GFP_MOVABLE, 0)!;
    const whole = 16 * MiB / 4096;
    expect(cma.cma_alloc(pa, area!, whole, 0)).toBeNull();
    expect(area!.alloc_pages_fail).toBe(whole);
    expect(b.log.some((l) => /^alloc_contig_range: \[[0-9a-f]+, [0-9a-f]+\) PFNs busy$/.test(l))).toBe(true);
    expect(b.log).toContain(`cma: cma_alloc: alloc failed, req-size: ${whole} pages, ret: -16`);
    expect(b.log.find((l) => l.startsWith('cma: number of available pages: '))).toMatch(/=> 4096 free of 4096 total pages$/);
    expect(check_page_allocator(pa)).toEqual([]);
    // Isolation is undone: the area's pageblocks are CMA again and movable allocations still reach them.
    expect(pa.mem_map.get_pageblock_migratetype(CMA_BASE / 4096)).toBe(MIGRATE_CMA);
    pa.__free_pages(inTheWay, 0);
    pa.drain_all_pages();
    const all = cma.cma_alloc(pa, area!, whole, 0);
    expect(all).toBe(CMA_BASE / 4096);
    expect(check_page_allocator(pa)).toEqual([]);
  });

  it('refuses requests beyond the area and releases of pages that are not its own', () => {
    const b = bootSmall({ cma: [CMA_BASE, CMA_SIZE] });
    const { pgalloc: pa, cma, area } = b;
    expect(cma.cma_alloc(pa, area!, CMA_SIZE / 4096 + 1, 0)).toBeNull();
    expect(area!.alloc_pages_fail).toBe(CMA_SIZE / 4096 + 1);
    expect(cma.cma_alloc(pa, area!, 0, 0)).toBeNull();
    expect(cma.cma_release(pa, area!, 5, 1)).toBe(false);
    expect(cma.cma_release(pa, area!, CMA_BASE / 4096, CMA_SIZE / 4096 + 1)).toBe(false);
    expect(b.log.filter((l) => l.includes('alloc failed'))).toEqual([]);
    expect(check_page_allocator(pa)).toEqual([]);
  });
});

describe('watermark boost and its decay', () => {
  it('a fallback steal of part of a pageblock boosts the zone and wakes kswapd, which takes the boost away', () => {
    const { pgalloc: pa } = bootSmall({ ramMiB: 64 });
    const dma32 = pa.zones[1]!;
    // Fill memory with movable pages, then free every other page of a stretch: only order-0 movable blocks are free.
    const got: number[] = [];
    for (let pfn = pa.alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 0); pfn !== null; pfn = pa.alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 0)) got.push(pfn);
    pa.drain_all_pages();
    const freed = got.filter((p) => dma32.zone_spans_pfn(p) && p % 2 === 0);
    for (const p of freed) pa.__free_pages(p, 0);
    pa.drain_all_pages();
    expect(dma32.watermark_boost).toBe(0);
    const high = dma32.watermark[2]!;
    const un = pa.alloc_pages(GFP_KERNEL, 0)!; // unmovable: steals order-0 movable blocks
    expect(un).not.toBeNull();
    expect(dma32.watermark_boost).toBeGreaterThan(0);
    expect(dma32.watermark_boost).toBeLessThanOrEqual(Math.max(512, Math.floor((high * 15000) / 10000)));
    expect(dma32.high_wmark_pages()).toBe(high + dma32.watermark_boost);
    expect(pa.kswapd_pending).toBe(true);
    expect(pa.kswapd()).toBe(true);
    expect(dma32.watermark_boost).toBe(0);
    expect(pa.kswapd()).toBe(false);
    // vm.watermark_boost_factor = 0 turns it off.
    pa.watermark_boost_factor = 0;
    pa.alloc_pages(GFP_KERNEL, 0);
    expect(pa.zones.every((z) => z.watermark_boost === 0)).toBe(true);
    expect(check_page_allocator(pa)).toEqual([]);
  });
});

describe('the highatomic reserve', () => {
  it('reserves the pageblock of a high-order atomic allocation, keeps it from others, and gives it back under pressure', () => {
    const { pgalloc: pa } = bootSmall({ ramMiB: 64 });
    const zone = pa.zones[1]!;
    const pfn = pa.alloc_pages(GFP_KERNEL, 2)!;
    reserve_highatomic_pageblock(pa, pfn, zone);
    expect(pa.mem_map.get_pageblock_migratetype(pfn)).toBe(MIGRATE_HIGHATOMIC);
    expect(zone.nr_reserved_highatomic).toBe(512);
    const pb = pfn - (pfn % 512);
    let onHighatomic = 0;
    for (let o = 0; o < pa.maxOrder; o++) for (let p = zone.freeHead[free_list_index(o, MIGRATE_HIGHATOMIC)]!; p !== -1; p = pa.mem_map.lru_next(p)) onHighatomic += 1 << o;
    expect(onHighatomic).toBeGreaterThan(400);
    // A second reservation of the same pageblock changes nothing; the limit is one pageblock + 1%.
    reserve_highatomic_pageblock(pa, pfn, zone);
    expect(zone.nr_reserved_highatomic).toBe(512);
    // Not forced, the last reserved pageblock stays.
    expect(unreserve_highatomic_pageblock(pa, 1, MIGRATE_UNMOVABLE, false)).toBe(false);
    expect(unreserve_highatomic_pageblock(pa, 1, MIGRATE_UNMOVABLE, true)).toBe(true);
    expect(zone.nr_reserved_highatomic).toBe(0);
    expect(pa.mem_map.get_pageblock_migratetype(pb)).toBe(MIGRATE_UNMOVABLE);
    pa.__free_pages(pfn, 2);
    expect(check_page_allocator(pa)).toEqual([]);
  });
});

describe('__free_pages of a non-compound block whose head is still referenced', () => {
  it('frees the tail pages at once (5.10), the head when its last reference goes', () => {
    const { pgalloc: pa } = bootSmall({ ramMiB: 64 });
    const before = pa.nr_free_pages() + pa.nr_pcp_pages();
    const pfn = pa.alloc_pages(GFP_KERNEL, 3)!;
    pa.get_page(pfn);
    pa.__free_pages(pfn, 3);
    expect(pa.page_count(pfn)).toBe(1);
    expect(pa.nr_free_pages() + pa.nr_pcp_pages()).toBe(before - 1);
    expect(check_page_allocator(pa)).toEqual([]);
    pa.__free_pages(pfn, 0);
    expect(pa.nr_free_pages() + pa.nr_pcp_pages()).toBe(before);
    expect(check_page_allocator(pa)).toEqual([]);
  });
});

describe('movable pages counted in the steal decision', () => {
  it('move_freepages_block counts in-use PageLRU and __PageMovable pages', () => {
    const { pgalloc: pa } = bootSmall({ ramMiB: 64 });
    const zone = pa.zones[1]!;
    const a = pa.alloc_pages(GFP_HIGHUSER_MOVABLE, 0)!;
    const b = pa.alloc_pages(GFP_HIGHUSER_MOVABLE, 0)!;
    pa.mem_map.w[pa.mem_map.idx(a) + W_FLAGS] |= 1 << PG_lru;
    pa.mem_map.w[pa.mem_map.idx(b) + 6] = 2; // page->mapping = PAGE_MAPPING_MOVABLE (__SetPageMovable)
    move_freepages_block(pa, zone, a, MIGRATE_MOVABLE);
    expect(movedCounts.movable).toBe(a >> 9 === b >> 9 ? 2 : 1);
    pa.mem_map.w[pa.mem_map.idx(a) + W_FLAGS] &= ~(1 << PG_lru);
    pa.__free_pages(a, 0);
    pa.__free_pages(b, 0); // free_pages_prepare clears the mapping flags
    expect(check_page_allocator(pa)).toEqual([]);
  });
});
