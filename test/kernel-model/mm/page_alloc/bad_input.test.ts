import { describe, expect, it } from 'vitest';
import {
  check_page_allocator,
  GFP_DMA,
  GFP_DMA32,
  GFP_KERNEL,
  __GFP_NOWARN,
  ZONE_DMA,
} from '../../../../kernel-model/mm/page_alloc';
import { page_bad_reason } from '../../../../kernel-model/mm/page_alloc/page_alloc';
import { PAGE_FLAGS_CHECK_AT_FREE, W_FLAGS, W_MAPCOUNT, W_MAPPING, W_MEMCG, W_REFCOUNT } from '../../../../kernel-model/mm/page_alloc/mm_types';
import { bootSmall, nrFree, onCpu } from '../helpers';

/** A booted allocator whose log starts empty after boot. */
function fresh(maxOrder?: number) {
  const b = bootSmall({ ramMiB: 128, maxOrder });
  b.log.length = 0;
  return b;
}

const badPageHeader = (pfn: number): string => `BUG: Bad page state in process swapper  pfn:${pfn.toString(16).padStart(5, '0')}`;

describe('freeing a page twice', () => {
  it('order 0, page still on the pcp list: reported, list untouched', () => {
    const { pgalloc: pgalloc, log } = fresh();
    const p = pgalloc.alloc_pages(GFP_KERNEL, 0)!;
    pgalloc.__free_pages(p, 0);
    const count = pgalloc.nr_pcp_pages();
    pgalloc.__free_pages(p, 0);
    expect(log[0]).toBe(badPageHeader(p));
    // 5.10 mm/debug.c: "page:%p refcount:%d mapcount:%d mapping:%p index:%#lx pfn:%#lx"
    expect(log[1]).toMatch(/^page:[0-9a-f]{16} refcount:0 mapcount:0 mapping:0000000000000000 index:0x[0-9a-f]+ pfn:0x[0-9a-f]+$/);
    expect(log[1]!.endsWith(` pfn:0x${p.toString(16)}`)).toBe(true);
    expect(log).toContain('page dumped because: VM_BUG_ON_PAGE(page_ref_count(page) == 0)');
    expect(log).toContain('Disabling lock debugging due to kernel taint');
    expect(pgalloc.nr_pcp_pages()).toBe(count);
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });

  it('order 0, page already back in the buddy lists: the dump shows PageBuddy (mapcount -128)', () => {
    const { pgalloc: pgalloc, log } = fresh();
    // Take an order-1 block and free only its first page: with the buddy
    // still allocated the page cannot merge, so after the drain it heads
    // an order-0 free block of its own.
    const p = pgalloc.alloc_pages(GFP_KERNEL, 1)!;
    pgalloc.split_page(p, 1);
    pgalloc.__free_pages(p, 0);
    pgalloc.drain_all_pages();
    expect(pgalloc.mem_map.PageBuddy(p)).toBe(true);
    expect(pgalloc.mem_map.page_private(p)).toBe(0);
    const before = pgalloc.zones.map((_, z) => nrFree(pgalloc, z));
    pgalloc.__free_pages(p, 0);
    expect(log[0]).toBe(badPageHeader(p));
    expect(log[1]).toMatch(/ refcount:0 mapcount:-128 /);
    expect(pgalloc.zones.map((_, z) => nrFree(pgalloc, z))).toEqual(before);
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });

  it('order 3', () => {
    const { pgalloc: pgalloc, log } = fresh();
    const p = pgalloc.alloc_pages(GFP_KERNEL, 3)!;
    pgalloc.__free_pages(p, 3);
    const free = pgalloc.nr_free_pages();
    pgalloc.__free_pages(p, 3);
    expect(log).toContain(badPageHeader(p));
    expect(pgalloc.nr_free_pages()).toBe(free);
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });
});

describe('one page_bad_reason for both directions (5.10 mm/page_alloc.c)', () => {
  /** Allocate an order-0 page, free it to the pcp list, corrupt it there: the next order-0 allocation on the CPU meets it first. */
  function corruptedOnPcp(word: number, value: number) {
    const b = fresh();
    const p = b.pgalloc.alloc_pages(GFP_KERNEL, 0)!;
    b.pgalloc.__free_pages(p, 0);
    b.pgalloc.mem_map.w[b.pgalloc.mem_map.idx(p) + word] = value;
    return { ...b, p };
  }

  /** Allocate an order-0 page, corrupt it, free it. */
  function corruptedWhileAllocated(word: number, value: number) {
    const b = fresh();
    const p = b.pgalloc.alloc_pages(GFP_KERNEL, 0)!;
    b.pgalloc.mem_map.w[b.pgalloc.mem_map.idx(p) + word] = value;
    b.pgalloc.__free_pages(p, 0);
    return { ...b, p };
  }

  const reasonOf = (log: string[]): string | undefined => log.find((l) => l.startsWith('page dumped because: '));

  it.each([
    ['the high word of mapping', W_MAPPING + 1, 1, 'non-NULL mapping'],
    ['the low word of mapping', W_MAPPING, 0x1000, 'non-NULL mapping'],
    ['mem_cgroup', W_MEMCG, 0x40, 'page still charged to cgroup'],
    ['_mapcount', W_MAPCOUNT, 0, 'nonzero mapcount'],
  ])('%s: the same reason when the page is handed out and when it is freed', (_what, word, value, reason) => {
    const out = corruptedOnPcp(word, value);
    const q = out.pgalloc.alloc_pages(GFP_KERNEL, 0)!;
    expect(q).not.toBe(out.p); // the bad page is dropped (check_new_pcp), another one served
    expect(out.log[0]).toBe(badPageHeader(out.p));
    expect(reasonOf(out.log)).toBe(`page dumped because: ${reason}`);

    const back = corruptedWhileAllocated(word, value);
    expect(back.log[0]).toBe(badPageHeader(back.p));
    expect(reasonOf(back.log)).toBe(`page dumped because: ${reason}`);
  });

  it('flags name the check that failed: PAGE_FLAGS_CHECK_AT_PREP out, PAGE_FLAGS_CHECK_AT_FREE in', () => {
    const out = corruptedOnPcp(W_FLAGS, 1 << 16); // PG_head: only the PREP mask has it
    out.pgalloc.alloc_pages(GFP_KERNEL, 0);
    expect(reasonOf(out.log)).toBe('page dumped because: PAGE_FLAGS_CHECK_AT_PREP flag(s) set');
    const back = corruptedWhileAllocated(W_FLAGS, 1 << 9); // PG_slab
    expect(reasonOf(back.log)).toBe('page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set');
  });

  it('the last failing test wins, as in page_bad_reason', () => {
    const b = fresh();
    const p = b.pgalloc.alloc_pages(GFP_KERNEL, 0)!;
    expect(page_bad_reason(b.pgalloc.mem_map, p, PAGE_FLAGS_CHECK_AT_FREE)).toBe('nonzero _refcount');
    b.pgalloc.mem_map.w[b.pgalloc.mem_map.idx(p) + W_MAPPING + 1] = 7;
    expect(page_bad_reason(b.pgalloc.mem_map, p, PAGE_FLAGS_CHECK_AT_FREE)).toBe('nonzero _refcount');
    b.pgalloc.mem_map.w[b.pgalloc.mem_map.idx(p) + W_REFCOUNT] = 0;
    expect(page_bad_reason(b.pgalloc.mem_map, p, PAGE_FLAGS_CHECK_AT_FREE)).toBe('non-NULL mapping');
    b.pgalloc.mem_map.w[b.pgalloc.mem_map.idx(p) + W_MAPPING + 1] = 0;
    expect(page_bad_reason(b.pgalloc.mem_map, p, PAGE_FLAGS_CHECK_AT_FREE)).toBeNull();
  });
});

describe('freeing with the wrong order', () => {
  it('too large, over a page on a pcp list, a free buddy block and an allocated page: nothing is freed', () => {
    const { pgalloc: pgalloc, log } = fresh();
    const p = pgalloc.alloc_pages(GFP_KERNEL, 3)!;
    pgalloc.split_page(p, 3);
    pgalloc.__free_pages(p + 4, 0); // pcp
    pgalloc.__free_pages(p + 6, 0);
    pgalloc.__free_pages(p + 7, 0);
    pgalloc.drain_all_pages(); // p+6, p+7 merge into an order-1 block; p+4 alone
    pgalloc.__free_pages(p + 5, 0); // p+5 now sits on the pcp list
    const free = pgalloc.nr_free_pages();
    pgalloc.__free_pages(p, 3);
    expect(log).toContain(badPageHeader(p + 1));
    expect(log).toContain('page dumped because: nonzero _refcount');
    expect(log).toContain(badPageHeader(p + 4));
    expect(log).toContain('page dumped because: nonzero mapcount');
    expect(log).toContain(badPageHeader(p + 5));
    expect(log).toContain('page dumped because: page on a per-cpu list');
    expect(pgalloc.nr_free_pages()).toBe(free);
    expect(pgalloc.mem_map.PageBuddy(p + 6)).toBe(true);
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });

  it('too small: only the head is freed, the tail pages leak, as in Linux, and the lists stay sane', () => {
    const { pgalloc: pgalloc, log } = fresh();
    const p = pgalloc.alloc_pages(GFP_KERNEL, 2)!;
    pgalloc.__free_pages(p, 0);
    expect(log).toEqual([]);
    expect(check_page_allocator(pgalloc)).toEqual([]);
    pgalloc.__free_pages(p + 1, 0); // a tail has no reference of its own
    expect(log).toContain(badPageHeader(p + 1));
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });

  it('misaligned for its order', () => {
    const { pgalloc: pa, log } = fresh();
    const p = pa.alloc_pages(GFP_KERNEL, 2)!;
    pa.__free_pages(p + 1, 1);
    expect(log).toContain('page dumped because: VM_BUG_ON_PAGE(pfn & ((1 << order) - 1))');
    expect(pa.page_count(p)).toBe(1);
    expect(check_page_allocator(pa)).toEqual([]);
  });

  it('order >= MAX_ORDER', () => {
    const { pgalloc: pa, log } = fresh();
    const p = pa.alloc_pages(GFP_KERNEL, 0)!;
    pa.__free_pages(p, 11);
    expect(log).toContain('page dumped because: VM_BUG_ON(order >= MAX_ORDER)');
    expect(pa.page_count(p)).toBe(1);
    expect(check_page_allocator(pa)).toEqual([]);
  });
});

describe('freeing what was never allocated', () => {
  it('a reserved page (the kernel image): PAGE_FLAGS_CHECK_AT_FREE, flags show "reserved"', () => {
    const { pgalloc: pa, log } = fresh();
    const pfn = 0x200;
    pa.__free_pages(pfn, 0);
    expect(log[0]).toBe(badPageHeader(pfn));
    expect(log[1]).toMatch(/refcount:0 mapcount:0/);
    expect(log[2]).toBe('flags: 0x1000(reserved)');
    expect(log[3]).toMatch(/^raw: 0000000000001000 [0-9a-f]{16} [0-9a-f]{16} 0000000000000000$/);
    expect(log).toContain('page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set');
    expect(pa.mem_map.PageReserved(pfn)).toBe(true);
    expect(pa.mem_map.PageBuddy(pfn)).toBe(false);
    expect(check_page_allocator(pa)).toEqual([]);
  });

  it('a PFN with no struct page', () => {
    const { pgalloc: pa, log } = fresh();
    pa.__free_pages(pa.mem_map.endPfn + 5, 0);
    expect(log[0]).toBe(badPageHeader(pa.mem_map.endPfn + 5));
    expect(check_page_allocator(pa)).toEqual([]);
  });
});

describe('asking for too much', () => {
  it('order >= MAX_ORDER: NULL and a one-time WARNING, silent with __GFP_NOWARN', () => {
    const { pgalloc: pa, log } = fresh();
    expect(pa.alloc_pages(GFP_KERNEL | __GFP_NOWARN, 11)).toBeNull();
    expect(log).toEqual([]);
    expect(pa.alloc_pages(GFP_KERNEL, 11)).toBeNull();
    expect(log).toEqual([
      '------------[ cut here ]------------',
      'WARNING: CPU: 0 PID: 0 at mm/page_alloc.c:4935 __alloc_pages_nodemask',
      'Modules linked in:',
      '---[ end trace 0000000000000000 ]---',
    ]);
    expect(pa.alloc_pages(GFP_KERNEL, 12)).toBeNull();
    expect(log).toHaveLength(4); // WARN_ON_ONCE
    expect(check_page_allocator(pa)).toEqual([]);
  });

  it('more than the zone has: page allocation failure with Mem-Info, or silence with __GFP_NOWARN', () => {
    const { pgalloc: pa, log } = fresh();
    const got: number[] = [];
    for (;;) {
      const p = pa.alloc_pages(GFP_DMA | GFP_KERNEL | __GFP_NOWARN, 10);
      if (p === null) break;
      got.push(p);
    }
    expect(got.length).toBeGreaterThan(0);
    expect(log).toEqual([]);
    expect(pa.alloc_pages(GFP_KERNEL | GFP_DMA, 10)).toBeNull();
    expect(log[0]).toBe('swapper: page allocation failure: order:10, mode:0xcc1(GFP_KERNEL|GFP_DMA), nodemask=(null)');
    expect(log[1]).toBe('Mem-Info:');
    expect(log.some((l) => /^DMA: (\d+\*\d+kB (\([UMEHCI]+\) )?)+= \d+kB$/.test(l))).toBe(true);
    expect(log.some((l) => /^DMA free:\d+kB min:\d+kB low:\d+kB high:\d+kB reserved_highatomic:0KB /.test(l))).toBe(true);
    // The DMA zone stopped at its watermark instead of running dry.
    expect(pa.zones[ZONE_DMA]!.nr_free_pages).toBeGreaterThan(0);
    for (const p of got) pa.__free_pages(p, 10);
    expect(check_page_allocator(pa)).toEqual([]);
  });

  it('a GFP_ZONE_BAD combination (DMA|DMA32) gets NULL and a warning', () => {
    const { pgalloc: pa, log } = fresh();
    expect(pa.alloc_pages(GFP_KERNEL | GFP_DMA | GFP_DMA32, 0)).toBeNull();
    expect(log[1]).toBe('WARNING: CPU: 0 PID: 0 at include/linux/gfp.h gfp_zone');
  });

  it('a memarea larger than any zone', () => {
    const { pgalloc: pa, log } = fresh();
    expect(pa.alloc_memarea(GFP_KERNEL | __GFP_NOWARN, 1 << 20)).toBeNull();
    expect(log).toEqual([]);
    expect(pa.alloc_memarea(GFP_KERNEL, 1 << 20)).toBeNull();
    expect(log[0]).toBe('swapper: memarea allocation failure: pages:1048576 align:1, mode:0xcc0(GFP_KERNEL), nodemask=(null)');
    expect(check_page_allocator(pa)).toEqual([]);
  });
});

describe('report hooks', () => {
  it('names the current task and calls dump_stack for the CPU', () => {
    const calls: number[] = [];
    const b = bootSmall({ ramMiB: 64, report: { comm: () => 'insmod', dumpStack: (cpu) => calls.push(cpu) } });
    b.log.length = 0;
    onCpu(2, () => b.pgalloc.__free_pages(0x200, 0));
    expect(b.log[0]).toBe('BUG: Bad page state in process insmod  pfn:00200');
    expect(calls).toEqual([2]);
  });
});
