import { describe, expect, it } from 'vitest';
import { check_page_allocator, GFP_KERNEL, GFP_HIGHUSER_MOVABLE, ZONE_NORMAL } from '../../../../kernel-model/mm/page_alloc';
import { zone_batchsize } from '../../../../kernel-model/mm/page_alloc/pcp';
import { MIGRATE_MOVABLE, MIGRATE_PCPTYPES } from '../../../../kernel-model/mm/page_alloc/mmzone';
import { bootSmall, onCpu } from '../helpers';

describe('zone_batchsize and pcp high', () => {
  it('follows zone_batchsize: ~1/1000 of the zone, at most 1 MiB, /4, rounded to 2^n - 1', () => {
    expect(zone_batchsize(238896)).toBe(63); // CM4 4 GB, ZONE_DMA estimate
    expect(zone_batchsize(758016)).toBe(63); // capped at 1 MiB worth
    expect(zone_batchsize(16128)).toBe(3);
    expect(zone_batchsize(8064)).toBe(0); // "LIFO batch:0" on tiny zones
    expect(zone_batchsize(0)).toBe(0);
  });

  it('sets batch and high = 6 * batch on every CPU after boot', () => {
    const { pgalloc: pa } = bootSmall({ ramMiB: 256 });
    const z = pa.zones[ZONE_NORMAL]!;
    const batch = zone_batchsize(z.managed_pages);
    expect(batch).toBeGreaterThan(1);
    for (let cpu = 0; cpu < pa.nrCpus; cpu++) {
      expect(z.pcp.batch(cpu)).toBe(batch);
      expect(z.pcp.high(cpu)).toBe(6 * batch);
    }
  });
});

describe('per-CPU lists', () => {
  it('refills a batch from the buddy lists and hands pages out first-in first-out', () => {
    const { pgalloc: pa } = bootSmall({ ramMiB: 256 });
    const z = pa.zones[ZONE_NORMAL]!;
    const batch = z.pcp.batch(0);
    const freeBefore = z.nr_free_pages;
    onCpu(0, () => pa.alloc_pages(GFP_HIGHUSER_MOVABLE, 0));
    expect(z.pcp.count(0)).toBe(batch - 1);
    expect(z.nr_free_pages).toBe(freeBefore - batch); // pcp pages are not in NR_FREE_PAGES
    // The refill was appended to the list in the order the buddy lists gave it
    // (rmqueue_bulk: list_add_tail), and allocations take from the head.
    const listed: number[] = [];
    for (let p = z.pcp.head(0, MIGRATE_MOVABLE); p !== -1; p = pa.mem_map.lru_next(p)) listed.push(p);
    expect(listed).toHaveLength(batch - 1);
    const next = listed.map(() => onCpu(0, () => pa.alloc_pages(GFP_HIGHUSER_MOVABLE, 0))!);
    expect(next).toEqual(listed);
    expect(check_page_allocator(pa)).toEqual([]);
  });

  it('is LIFO: the page freed last is the next one handed out on that CPU', () => {
    const { pgalloc: pa } = bootSmall({ ramMiB: 256 });
    const a = onCpu(1, () => pa.alloc_pages(GFP_KERNEL, 0))!;
    const b = onCpu(1, () => pa.alloc_pages(GFP_KERNEL, 0))!;
    onCpu(1, () => pa.__free_pages(a, 0));
    onCpu(1, () => pa.__free_pages(b, 0));
    expect(onCpu(1, () => pa.alloc_pages(GFP_KERNEL, 0))).toBe(b);
    expect(onCpu(1, () => pa.alloc_pages(GFP_KERNEL, 0))).toBe(a);
  });

  it('keeps CPUs apart: a page freed on CPU 2 is not handed out on CPU 3', () => {
    const { pgalloc: pa } = bootSmall({ ramMiB: 256 });
    const p = onCpu(2, () => pa.alloc_pages(GFP_KERNEL, 0))!;
    onCpu(2, () => pa.__free_pages(p, 0));
    expect(onCpu(3, () => pa.alloc_pages(GFP_KERNEL, 0))).not.toBe(p);
    expect(onCpu(2, () => pa.alloc_pages(GFP_KERNEL, 0))).toBe(p);
  });

  it('spills a batch back to the buddy lists when the list reaches high', () => {
    const { pgalloc: pa } = bootSmall({ ramMiB: 256 });
    const z = pa.zones[ZONE_NORMAL]!;
    const { high, batch } = { high: z.pcp.high(0), batch: z.pcp.batch(0) };
    const pages: number[] = [];
    for (let i = 0; i < high + batch; i++) pages.push(onCpu(0, () => pa.alloc_pages(GFP_KERNEL, 0))!);
    // drain what refills left behind so that the count starts at 0
    pa.drain_all_pages();
    for (let i = 0; i < high - 1; i++) onCpu(0, () => pa.__free_pages(pages[i]!, 0));
    expect(z.pcp.count(0)).toBe(high - 1);
    onCpu(0, () => pa.__free_pages(pages[high - 1]!, 0));
    expect(z.pcp.count(0)).toBe(high - batch);
    expect(check_page_allocator(pa)).toEqual([]);
  });

  it('drain_all_pages empties every list into the buddy allocator', () => {
    const { pgalloc: pa } = bootSmall({ ramMiB: 256 });
    for (let cpu = 0; cpu < 4; cpu++) onCpu(cpu, () => pa.__free_pages(pa.alloc_pages(GFP_KERNEL, 0)!, 0));
    expect(pa.nr_pcp_pages()).toBeGreaterThan(0);
    const free = pa.nr_free_pages();
    const pcp = pa.nr_pcp_pages();
    pa.drain_all_pages();
    expect(pa.nr_pcp_pages()).toBe(0);
    expect(pa.nr_free_pages()).toBe(free + pcp);
    for (const z of pa.zones) for (let cpu = 0; cpu < 4; cpu++) for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) expect(z.pcp.head(cpu, mt)).toBe(-1);
    expect(check_page_allocator(pa)).toEqual([]);
  });

  it('before setup_per_cpu_pageset every freed page goes straight back (boot pagesets)', () => {
    const { pgalloc: pa } = bootSmall({ ramMiB: 256 });
    const z = pa.zones[ZONE_NORMAL]!;
    z.pcp.set_high_batch(0, 0, 1);
    pa.drain_all_pages();
    const p = onCpu(0, () => pa.alloc_pages(GFP_KERNEL, 0))!;
    expect(z.pcp.count(0)).toBe(0);
    onCpu(0, () => pa.__free_pages(p, 0));
    expect(z.pcp.count(0)).toBe(0);
    expect(pa.mem_map.PageBuddy(p) || pa.mem_map.PageBuddy(p & ~1)).toBe(true);
  });
});
