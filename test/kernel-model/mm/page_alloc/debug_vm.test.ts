import { describe, expect, it } from 'vitest';
import { assert_page_allocator_sane, check_page_allocator, GFP_KERNEL, VmBug, ZONE_NORMAL } from '../../../../kernel-model/mm/page_alloc';
import { add_to_free_list, del_page_from_free_list, set_buddy_order, MIGRATE_MOVABLE, MIGRATE_TYPES } from '../../../../kernel-model/mm/page_alloc/mmzone';
import { PAGE_BUDDY_MAPCOUNT_VALUE, W_LRU_PREV, W_MAPCOUNT } from '../../../../kernel-model/mm/page_alloc/mm_types';
import { bootSmall } from '../helpers';

/** The checker must see corruption, or a clean result proves nothing. */
describe('the debug checker catches corruption', () => {
  it('is clean after boot and throws VmBug through assert_page_allocator_sane when not', () => {
    const { pgalloc: pa } = bootSmall();
    expect(check_page_allocator(pa)).toEqual([]);
    pa.zones[ZONE_NORMAL]!.nr_free_pages++;
    expect(() => assert_page_allocator_sane(pa)).toThrow(VmBug);
  });

  it('a PageBuddy page that is on no list', () => {
    const { pgalloc: pa } = bootSmall();
    const p = pa.alloc_pages(GFP_KERNEL, 0)!;
    pa.mem_map.w[pa.mem_map.idx(p) + W_MAPCOUNT] = PAGE_BUDDY_MAPCOUNT_VALUE;
    expect(check_page_allocator(pa).join('\n')).toMatch(/PageBuddy but on no free list/);
  });

  it('a broken back link', () => {
    const { pgalloc: pa } = bootSmall();
    const z = pa.zones[0]!;
    let li = 0;
    while (z.freeHead[li] === -1 || pa.mem_map.lru_next(z.freeHead[li]!) === -1) li++;
    const second = pa.mem_map.lru_next(z.freeHead[li]!);
    pa.mem_map.w[pa.mem_map.idx(second) + W_LRU_PREV] = 12345;
    expect(check_page_allocator(pa).join('\n')).toMatch(/prev link/);
  });

  it('a wrong nr_free counter', () => {
    const { pgalloc: pa } = bootSmall();
    pa.zones[1]!.nrFree[3]++;
    expect(check_page_allocator(pa).join('\n')).toMatch(/nr_free/);
  });

  it('two free buddies of the same order that were not merged', () => {
    const { pgalloc: pa } = bootSmall();
    const z = pa.zones[1]!;
    const head = z.freeHead[1 * MIGRATE_TYPES + MIGRATE_MOVABLE]!;
    expect(head).not.toBe(-1);
    // Split the order-1 block into two order-0 blocks by hand.
    del_page_from_free_list(pa.mem_map, z, head, 1);
    for (const p of [head, head + 1]) {
      add_to_free_list(pa.mem_map, z, p, 0, MIGRATE_MOVABLE);
      set_buddy_order(pa.mem_map, p, 0);
    }
    expect(check_page_allocator(pa).join('\n')).toMatch(/and its buddy .* are both free/);
  });

  it('a wrong pcp count', () => {
    const { pgalloc: pa } = bootSmall();
    const p = pa.alloc_pages(GFP_KERNEL, 0)!;
    pa.__free_pages(p, 0);
    const z = pa.page_zone(p);
    z.pcp.w[z.pcp.base(0)]++; // per_cpu_pages.count is the pageset's first word
    expect(check_page_allocator(pa).join('\n')).toMatch(/pcp->count/);
  });
});
