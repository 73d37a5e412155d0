import { describe, expect, it } from 'vitest';
import {
  check_page_allocator,
  GFP_HIGHUSER_MOVABLE,
  GFP_KERNEL,
  MIGRATE_MOVABLE,
  MIGRATE_UNMOVABLE,
  ZONE_DMA,
  ZONE_DMA32,
  ZONE_NORMAL,
  mm_init_buddy,
} from '../../../../kernel-model/mm/page_alloc';
import { Memblock } from '../../../../kernel-model/mm/memblock';
import { GuestRam } from '../../../../emulator/memory/guest-ram';
import { MIGRATE_TYPES } from '../../../../kernel-model/mm/page_alloc/mmzone';
import { bootSmall, MiB, nrFree, onCpu } from '../helpers';

/** Head of the smallest non-empty movable list of order >= k in a zone, and that order. */
function smallestMovable(pgalloc: ReturnType<typeof bootSmall>['pgalloc'], zone: number, k: number): [number, number] {
  const z = pgalloc.zones[zone]!;
  for (let o = k; o < pgalloc.maxOrder; o++) {
    const head = z.freeHead[o * MIGRATE_TYPES + MIGRATE_MOVABLE]!;
    if (head !== -1) return [head, o];
  }
  throw new Error('no movable block');
}

describe('buddy split (expand)', () => {
  it('takes the smallest sufficient block and gives back the upper halves, one per order', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 128, maxOrder: 8 });
    const before = nrFree(pgalloc, ZONE_NORMAL);
    const [head, j] = smallestMovable(pgalloc, ZONE_NORMAL, 1);
    const pfn = pgalloc.alloc_pages(GFP_HIGHUSER_MOVABLE, 1)!;
    expect(pfn).toBe(head);
    const after = nrFree(pgalloc, ZONE_NORMAL);
    const expected = before.slice();
    expected[j]!--;
    for (let o = 1; o < j; o++) expected[o]!++;
    expect(after).toEqual(expected);
    // the halves are free blocks at pfn + 2^o for o = 1..j-1
    for (let o = 1; o < j; o++) {
      expect(pgalloc.mem_map.PageBuddy(pfn + (1 << o))).toBe(true);
      expect(pgalloc.mem_map.page_private(pfn + (1 << o))).toBe(o);
    }
    expect(pgalloc.page_count(pfn)).toBe(1);
    expect(pgalloc.page_count(pfn + 1)).toBe(0);
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });
});

describe('buddy merge (__free_one_page)', () => {
  it('merges a freed block with its free buddies back to the original block', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 128, maxOrder: 8 });
    const before = nrFree(pgalloc, ZONE_NORMAL);
    const [, j] = smallestMovable(pgalloc, ZONE_NORMAL, 2);
    const pfn = pgalloc.alloc_pages(GFP_HIGHUSER_MOVABLE, 2)!;
    pgalloc.__free_pages(pfn, 2);
    expect(nrFree(pgalloc, ZONE_NORMAL)).toEqual(before);
    expect(pgalloc.mem_map.PageBuddy(pfn)).toBe(true);
    expect(pgalloc.mem_map.page_private(pfn)).toBe(j);
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });

  it('merges order-0 pages only when both buddies are free, in either order', () => {
    for (const firstFreed of [0, 1]) {
      const { pgalloc: pgalloc } = bootSmall({ ramMiB: 128, maxOrder: 8 });
      const before = nrFree(pgalloc, ZONE_NORMAL);
      const p = pgalloc.alloc_pages(GFP_HIGHUSER_MOVABLE, 1)!;
      pgalloc.split_page(p, 1);
      const [first, second] = firstFreed === 0 ? [p, p + 1] : [p + 1, p];
      pgalloc.__free_pages(first, 0);
      pgalloc.drain_all_pages();
      expect(pgalloc.mem_map.PageBuddy(first)).toBe(true); // alone: its buddy is still allocated
      expect(pgalloc.mem_map.page_private(first)).toBe(0);
      pgalloc.__free_pages(second, 0);
      pgalloc.drain_all_pages();
      expect(pgalloc.mem_map.PageBuddy(first)).toBe(p === first); // merged: only the lower half heads a block
      expect(nrFree(pgalloc, ZONE_NORMAL)).toEqual(before);
      expect(check_page_allocator(pgalloc)).toEqual([]);
    }
  });

  it('restores the same free blocks whatever the order of frees (merging is canonical)', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 128, maxOrder: 11 });
    const initial = pgalloc.zones.map((_, z) => nrFree(pgalloc, z));
    const got: number[] = [];
    for (let i = 0; i < 3000; i++) got.push(onCpu(i % 4, () => pgalloc.alloc_pages(GFP_KERNEL, 0))!);
    const odd = got.filter((_, i) => i % 2 === 1);
    const even = got.filter((_, i) => i % 2 === 0).reverse();
    for (const p of [...odd, ...even]) onCpu((p >> 3) % 4, () => pgalloc.__free_pages(p, 0));
    pgalloc.drain_all_pages();
    expect(pgalloc.zones.map((_, z) => nrFree(pgalloc, z))).toEqual(initial);
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });

  it('does not merge buddies that lie in different zones', () => {
    // No reservations below 64 MiB: DMA [0,32M) and DMA32 [32M,64M) are one free order-13 block each,
    // buddies of each other at order 13, and MAX_ORDER 15 would allow the merge.
    const ram = GuestRam.fromArrayBuffers(128 * MiB);
    const memblock = new Memblock(ram);
    memblock.memblock_add(0, 128 * MiB);
    const pgalloc = mm_init_buddy({ ram, memblock, zoneLimits: { dmaBits: 25, dma32Bits: 26 }, nrCpus: 1, maxOrder: 15, sectionSizeBits: 27, printk: () => {} });
    expect(nrFree(pgalloc, ZONE_DMA)[13]).toBe(1);
    expect(nrFree(pgalloc, ZONE_DMA32)[13]).toBe(1);
    expect(pgalloc.mem_map.page_private(0)).toBe(13);
    expect(pgalloc.mem_map.page_private(0x2000)).toBe(13);
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });
});

describe('migratetype fallback', () => {
  it('an unmovable request steals a whole movable pageblock and claims it', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 128 });
    const pfn = pgalloc.alloc_pages(GFP_KERNEL, 3)!;
    expect(pgalloc.mem_map.get_pageblock_migratetype(pfn)).toBe(MIGRATE_UNMOVABLE);
    // the rest of the stolen block now sits on the unmovable lists
    const z = pgalloc.zones[ZONE_NORMAL]!;
    let unmovable = 0;
    for (let o = 0; o < pgalloc.maxOrder; o++) if (z.freeHead[o * MIGRATE_TYPES + MIGRATE_UNMOVABLE] !== -1) unmovable++;
    expect(unmovable).toBeGreaterThan(0);
    // and the next unmovable request is served from it without another steal
    const next = pgalloc.alloc_pages(GFP_KERNEL, 3)!;
    expect(next >> pgalloc.pageblockOrder).toBe(pfn >> pgalloc.pageblockOrder);
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });

  it('GFP_KERNEL prefers the highest zone; GFP_DMA and GFP_DMA32 stay low', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 128 });
    expect(pgalloc.mem_map.page_zonenum(pgalloc.alloc_pages(GFP_KERNEL, 0)!)).toBe(ZONE_NORMAL);
    expect(pgalloc.mem_map.page_zonenum(pgalloc.alloc_pages(GFP_KERNEL | 0x04, 0)!)).toBe(ZONE_DMA32);
    expect(pgalloc.mem_map.page_zonenum(pgalloc.alloc_pages(GFP_KERNEL | 0x01, 0)!)).toBe(ZONE_DMA);
  });

  it('falls back to a lower zone when the preferred one is exhausted', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 128 });
    const normal = pgalloc.zones[ZONE_NORMAL]!;
    const seen = new Set<number>();
    for (let i = 0; i < normal.managed_pages + 64; i++) seen.add(pgalloc.mem_map.page_zonenum(pgalloc.alloc_pages(GFP_KERNEL, 0)!));
    expect(seen.has(ZONE_DMA32)).toBe(true);
    // Normal stopped at its low watermark, it was not emptied
    expect(normal.nr_free_pages).toBeGreaterThan(0);
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });
});
