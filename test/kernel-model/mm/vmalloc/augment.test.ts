// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { CountingVmapAreaCache, FitType, SIZEOF_VMAP_AREA_V5_10, ULONG_MAX } from '../../../../kernel-model/mm/vmalloc';
import { augmentOf, expectClean, freePages, make, P, VE, VS } from './helpers';

/** An augment allocator whose space is exactly the vmalloc range, so offsets read simply. */
const fresh = (opts = {}) => make('augment', { space: { start: VS, end: VE }, ...opts });

describe('augment allocator: fit types', () => {
  it('splits free areas by FL, LE, RE and NE fits, and the free areas are what each split leaves', () => {
    const { vmap } = fresh();
    const a = augmentOf(vmap);
    const top = Number((VE - VS) / P);

    expect(vmap.alloc(4n * P, P, VS, VE)).toBe(VS); // LE: the left edge of the only free area
    expect(a.fitCounts[FitType.LE_FIT_TYPE]).toBe(1);
    expect(vmap.alloc(P, P, VS, VE)).toBe(VS + 4n * P); // LE again
    expect(vmap.free(VS)).toBe(true);
    expect(freePages(vmap)).toEqual([[0, 4], [5, top]]);
    expectClean(vmap);

    // FL: exactly the 4-page hole. Alignment 1, because at PAGE_SIZE alignment
    // v5.10 looks for size + align - 1 bytes and passes this hole over (next test).
    expect(vmap.alloc(4n * P, 1n, VS, VE)).toBe(VS);
    expect(a.fitCounts[FitType.FL_FIT_TYPE]).toBe(1);
    expect(freePages(vmap)).toEqual([[5, top]]);
    vmap.free(VS);

    expect(vmap.alloc(P, P, VS + 3n * P, VE)).toBe(VS + 3n * P); // RE: the hole's right edge
    expect(a.fitCounts[FitType.RE_FIT_TYPE]).toBe(1);
    expect(freePages(vmap)).toEqual([[0, 3], [5, top]]);

    expect(vmap.alloc(P, P, VS + P, VE)).toBe(VS + P); // NE: strictly inside [0, 3)
    expect(a.fitCounts[FitType.NE_FIT_TYPE]).toBe(1);
    expect(freePages(vmap)).toEqual([[0, 1], [2, 3], [5, top]]);
    expectClean(vmap);
  });

  it('v5.10 search length: at PAGE_SIZE alignment an exactly fitting hole off the search path is passed over', () => {
    const { vmap } = fresh();
    vmap.alloc(4n * P, P, VS, VE);
    vmap.alloc(P, P, VS, VE);
    vmap.free(VS);
    // Free: [0, 4) and [5, top). The search wants 4 pages + 4095 bytes, which
    // only [5, top) offers, so the request lands at page 5 although [0, 4)
    // fits it exactly (Linux changed this in 2021: "mm/vmalloc: do not adjust the search size for alignment overhead").
    expect(vmap.alloc(4n * P, P, VS, VE)).toBe(VS + 5n * P);
    // A one-page request searches for 2 pages - 1 byte, which the hole has.
    expect(vmap.alloc(P, P, VS, VE)).toBe(VS);
    expectClean(vmap);
  });

  it('an NE split uses the preloaded node; other fits leave the preload in place for the next one', () => {
    const cache = new CountingVmapAreaCache(SIZEOF_VMAP_AREA_V5_10);
    const { vmap } = fresh({ nrCpus: 2, cache });
    const a = augmentOf(vmap);
    const before = cache.allocs;
    vmap.alloc(P, P, VS + 10n * P, VE, { cpu: 1 });
    expect(a.fitCounts[FitType.NE_FIT_TYPE]).toBe(1);
    // The request's node and CPU 1's preload, which the split consumed: no third allocation.
    expect(cache.allocs - before).toBe(2);
    expect(a.ne_fit_preload_node).toEqual([null, null]);
    vmap.alloc(P, P, VS + 11n * P, VE, { cpu: 0 }); // LE: CPU 0's preload stays
    expect(a.ne_fit_preload_node[0]).not.toBeNull();
    expect(cache.allocs - before).toBe(4);
    vmap.alloc(P, P, VS + 20n * P, VE, { cpu: 0 }); // NE: consumes it
    expect(a.fitCounts[FitType.NE_FIT_TYPE]).toBe(2);
    expect(a.ne_fit_preload_node[0]).toBeNull();
    expect(cache.allocs - before).toBe(5);
    expectClean(vmap);
  });

  it('a request whose own node cannot be allocated returns null (ENOMEM: no space warning) and changes nothing', () => {
    let fail = false;
    const cache = new CountingVmapAreaCache(SIZEOF_VMAP_AREA_V5_10, () => fail);
    const { vmap, log } = fresh({ cache });
    vmap.alloc(P, P, VS, VE);
    const before = freePages(vmap);
    fail = true;
    expect(vmap.alloc(P, P, VS + 8n * P, VE)).toBeNull();
    fail = false;
    expect(log).toEqual([]);
    expect(freePages(vmap)).toEqual(before);
    expect(augmentOf(vmap).fitCounts[FitType.NE_FIT_TYPE]).toBe(0);
    expectClean(vmap);
  });

  it('an NE split with no preloaded node and a failing cache falls back cleanly', () => {
    let n = 0;
    let failFrom = Infinity;
    const cache = new CountingVmapAreaCache(SIZEOF_VMAP_AREA_V5_10, () => ++n >= failFrom);
    const { vmap, log } = fresh({ cache });
    const a = augmentOf(vmap);
    // Allocation 1 is the request's node, 2 the preload; fail the preload and the split's own try.
    failFrom = n + 2;
    expect(vmap.alloc(P, P, VS + 8n * P, VE)).toBeNull();
    expect(log).toEqual(['vmap allocation for size 4096 failed: use vmalloc=<size> to increase size']);
    expect(freePages(vmap)).toEqual([[0, Number((VE - VS) / P)]]);
    expect(cache.active).toBe(a.nodes());
    expectClean(vmap);
  });
});

describe('augment allocator: merging on free', () => {
  // Busy x y z w at pages 0..3, the rest free.
  const setup = () => {
    const f = fresh();
    for (let i = 0n; i < 4n; i++) expect(f.vmap.alloc(P, P, VS, VE)).toBe(VS + i * P);
    return f;
  };
  const top = Number((VE - VS) / P);

  it('no neighbour free: a new free area', () => {
    const { vmap } = setup();
    vmap.free(VS + P);
    expect(freePages(vmap)).toEqual([[1, 2], [4, top]]);
    expectClean(vmap);
  });

  it('merges with the next free area (right)', () => {
    const { vmap } = setup();
    vmap.free(VS + 3n * P);
    expect(freePages(vmap)).toEqual([[3, top]]);
    expectClean(vmap);
  });

  it('merges with the previous free area (left)', () => {
    const { vmap } = setup();
    vmap.free(VS);
    vmap.free(VS + P);
    expect(freePages(vmap)).toEqual([[0, 2], [4, top]]);
    expectClean(vmap);
  });

  it('merges with both neighbours into one area, freeing two nodes', () => {
    const { vmap } = setup();
    const a = augmentOf(vmap);
    vmap.free(VS);
    vmap.free(VS + 2n * P);
    expect(freePages(vmap)).toEqual([[0, 1], [2, 3], [4, top]]);
    const nodes = a.cache.active;
    vmap.free(VS + P);
    expect(freePages(vmap)).toEqual([[0, 3], [4, top]]);
    expect(a.cache.active).toBe(nodes - 2);
    vmap.free(VS + 3n * P);
    expect(freePages(vmap)).toEqual([[0, top]]);
    expectClean(vmap);
  });
});

describe('augment allocator: the whole KVA space', () => {
  it('starts as one free area [1, ULONG_MAX) around the early areas', () => {
    const { vmap } = make('augment', { early: [{ start: VS, size: 512n * P, caller: 'kernel image' }] });
    const a = augmentOf(vmap);
    expect([...a.free.list].map((va) => [va.va_start, va.va_end])).toEqual([
      [1n, VS],
      [VS + 512n * P, ULONG_MAX],
    ]);
    expect(vmap.find(VS + 5n)?.caller).toBe('kernel image');
    // vmalloc never hands the image out: the first allocation lands after it.
    expect(vmap.alloc(P, P, VS, VE)).toBe(VS + 512n * P);
    expectClean(vmap);
  });

  it('subtree_max_size at the root is the largest free area', () => {
    const { vmap } = fresh();
    const a = augmentOf(vmap);
    for (let i = 0; i < 100; i++) vmap.alloc(P * BigInt(1 + (i % 7)), P, VS, VE);
    for (let i = 0; i < 100; i += 3) vmap.free([...vmap.busy_areas()][i % 50]!.va_start);
    const largest = [...a.free.list].reduce((m, va) => (va.va_end - va.va_start > m ? va.va_end - va.va_start : m), 0n);
    expect(a.free.root.rb_node!.subtree_max_size).toBe(largest);
    expectClean(vmap);
  });
});
