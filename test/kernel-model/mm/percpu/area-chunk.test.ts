// SPDX-License-Identifier: GPL-2.0-only
/* The area map (v4.13): splits, merges, map growth, tiny heads and tails, bad input. */

import { describe, expect, it } from 'vitest';
import { AreaChunk, PCPU_DFL_MAP_ALLOC } from '../../../../kernel-model/mm/percpu/area-chunk';
import { check_area_chunk } from '../../../../kernel-model/mm/percpu/check';
import { HostMetaAllocator, PCPU_ENOMEM } from '../../../../kernel-model/mm/percpu/percpu-internal';
import { makeChunk } from './helpers';

const fresh = (nr_pages = 4, populated = false) => {
  const t = makeChunk('area', { nr_pages, populated });
  return { ...t, chunk: t.chunk as AreaChunk };
};

const entries = (c: AreaChunk): number[] => Array.from(c.map.subarray(0, c.map_used + 1));

describe('area map', () => {
  it('splits the first free area and keeps offsets with the in-use bit', () => {
    const { chunk } = fresh();
    expect(chunk.alloc(8, 4)).toBe(0);
    expect(chunk.alloc(16, 4)).toBe(8);
    expect(entries(chunk)).toEqual([0 | 1, 8 | 1, 24, 16384 | 1]);
    expect([chunk.first_free, chunk.free_size]).toEqual([2, 16360]);
    expect(check_area_chunk(chunk)).toEqual([]);
  });

  it('free merges with free neighbours (the memmove of the old free path)', () => {
    const { chunk } = fresh();
    const [a, b, c] = [chunk.alloc(8, 4), chunk.alloc(8, 4), chunk.alloc(8, 4)];
    chunk.free(b);
    expect(entries(chunk)).toEqual([1, 8, 16 | 1, 24, 16385]);
    chunk.free(a);
    expect(entries(chunk)).toEqual([0, 16 | 1, 24, 16385]);
    chunk.free(c);
    expect(entries(chunk)).toEqual([0, 16385]);
    expect([chunk.first_free, chunk.contig_hint, chunk.free_size]).toEqual([0, 16384, 16384]);
  });

  it('a tail shorter than an int stays in the allocation', () => {
    const { chunk } = fresh(1);
    expect(chunk.alloc(4094, 2)).toBe(0);
    expect(chunk.sizeAt(0)).toBe(4096);
    expect(chunk.free_size).toBe(0);
    expect(check_area_chunk(chunk)).toEqual([]);
  });

  it('a head shorter than an int joins the allocation before it', () => {
    const { chunk } = fresh(1);
    expect(chunk.alloc(2, 2)).toBe(0);
    expect(chunk.alloc(4, 4)).toBe(4);
    expect(chunk.sizeAt(0)).toBe(4);
    expect(chunk.free_size).toBe(4096 - 8);
    expect(check_area_chunk(chunk)).toEqual([]);
  });

  it('contig_hint is an upper bound: it may stay high after an allocation, and a failed full scan makes it exact', () => {
    const { chunk } = fresh(1);
    const a = chunk.alloc(1000, 4);
    chunk.alloc(8, 4);
    chunk.free(a);
    chunk.alloc(3000, 4); // from the tail area; the scan stopped there
    // Free areas are 1000 and 88 bytes, the hint still says the whole unit.
    expect(chunk.contig_hint).toBe(4096);
    expect(chunk.alloc(2000, 4)).toBe(-1); // full scan, nothing fits
    expect(chunk.contig_hint).toBe(1000);
    expect(check_area_chunk(chunk)).toEqual([]);
  });

  it('grows its map from 16 entries by doubling, keeping 64 spare for non-atomic requests', () => {
    const { chunk, meta } = fresh();
    expect(chunk.map_alloc).toBe(PCPU_DFL_MAP_ALLOC);
    chunk.alloc(4, 4); // 1 + 64 > 16: 128 entries
    expect(chunk.map_alloc).toBe(128);
    for (let i = 0; i < 70; i++) chunk.alloc(4, 4);
    expect(chunk.map_alloc).toBe(256);
    expect(chunk.metaBytes().map).toBe(1024);
    expect(meta.bytes).toBe(chunk.metaBytes().total);
    expect(check_area_chunk(chunk)).toEqual([]);
  });

  it('a map that cannot grow: PCPU_ENOMEM, chunk unchanged', () => {
    const { chunk, meta } = fresh();
    meta.failAfter = 0;
    const before = entries(chunk);
    expect(chunk.alloc(4, 4)).toBe(PCPU_ENOMEM);
    expect(entries(chunk)).toEqual(before);
    expect(chunk.map_alloc).toBe(PCPU_DFL_MAP_ALLOC);
    expect(check_area_chunk(chunk)).toEqual([]);
  });

  it('atomic requests never grow the map: they need 3 spare entries and skip the chunk otherwise', () => {
    const { chunk } = fresh(4);
    chunk.pcpu_chunk_populated(0, 4, false);
    let n = 0;
    while (chunk.alloc(4, 4, true) >= 0) n++;
    expect(n).toBe(13); // map_used 14 + 3 > 16
    expect(chunk.free_size).toBe(16384 - 52);
    expect(chunk.alloc(4, 4, false)).toBe(52); // a sleeping request grows it
  });

  it('atomic requests use populated pages only', () => {
    const { chunk } = fresh(4);
    chunk.pcpu_chunk_populated(2, 3, false);
    expect(chunk.alloc(64, 4, true)).toBe(8192);
    expect(chunk.alloc(8192, 4, true)).toBe(-1);
    expect(check_area_chunk(chunk)).toEqual([]);
  });

  it('counts empty populated pages exactly', () => {
    const { chunk, empty } = fresh(4, true);
    expect(chunk.nr_empty_pop_pages).toBe(4);
    const a = chunk.alloc(4, 4);
    const b = chunk.alloc(5000, 4);
    expect(chunk.nr_empty_pop_pages).toBe(2);
    chunk.free(a);
    expect(chunk.nr_empty_pop_pages).toBe(2);
    chunk.free(b);
    expect(chunk.nr_empty_pop_pages).toBe(4);
    expect(empty.value).toBe(4);
  });

  it.each([
    [0, 2, 'illegal size (0) or align (2) for percpu allocation'],
    [7, 3, 'illegal size (8) or align (3) for percpu allocation'],
    [40000, 4, 'illegal size (40000) or align (4) for percpu allocation'],
  ])('alloc(%s, %s): -1 and Linux’s warning', (size, align, text) => {
    const { chunk, log } = fresh();
    expect(chunk.alloc(size, align)).toBe(-1);
    expect(log[2]).toBe(text);
    expect(entries(chunk)).toEqual([0, 16385]);
  });

  it.each([[4], [3], [0], [99999]])('free(%s) of no allocation: false, a warning, map unchanged', (off) => {
    const { chunk, log } = fresh();
    chunk.alloc(8, 4);
    chunk.free(chunk.alloc(8, 4));
    chunk.alloc(8, 4);
    if (off === 0) chunk.free(0);
    log.length = 0;
    const before = entries(chunk);
    expect(chunk.free(off)).toBe(false);
    expect(log[2]).toBe(`percpu: free of offset ${off}: no allocation starts there in this chunk`);
    expect(entries(chunk)).toEqual(before);
    expect(check_area_chunk(chunk)).toEqual([]);
  });

  it('the first chunk layout: a used head, the region, the sentinel', () => {
    const c = AreaChunk.create({ nr_pages: 2, start_offset: 100, end_offset: 96, populated: true, meta: new HostMetaAllocator(), printk: () => {} })!;
    expect(Array.from(c.map.subarray(0, 3))).toEqual([1, 100, 8096 | 1]);
    expect(c.alloc(4, 4)).toBe(100);
    expect(c.free(0)).toBe(false);
    expect(check_area_chunk(c)).toEqual([]);
  });
});
