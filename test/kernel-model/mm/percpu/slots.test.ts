// SPDX-License-Identifier: GPL-2.0-only
/* Chunk slots, pcpu_alloc's chunk search and creation, its failure warnings, the global counters. */

import { describe, expect, it } from 'vitest';
import { AreaChunk } from '../../../../kernel-model/mm/percpu/area-chunk';
import { BitmapChunk } from '../../../../kernel-model/mm/percpu/bitmap-chunk';
import { check_chunk, check_empty_pages } from '../../../../kernel-model/mm/percpu/check';
import { HostMetaAllocator, PcpuEmptyPages, pcpu_nr_slots, pcpu_size_to_slot, __pcpu_size_to_slot, type PcpuAllocMap, type PcpuChunk } from '../../../../kernel-model/mm/percpu/percpu-internal';
import { PcpuChunkSet, type PcpuChunkSetOptions } from '../../../../kernel-model/mm/percpu/slots';
import { PcpuGlobalStats } from '../../../../kernel-model/mm/percpu/stats';

const UNIT = 32 << 10;

function makeSet(kind: PcpuAllocMap, over: Partial<PcpuChunkSetOptions> = {}) {
  const log: string[] = [];
  const printk = (l: string) => log.push(l);
  const meta = new HostMetaAllocator();
  const emptyPages = new PcpuEmptyPages();
  const stats = new PcpuGlobalStats(UNIT);
  const create = (): PcpuChunk | null => {
    const o = { nr_pages: UNIT / 4096, meta, printk, emptyPages };
    return kind === 'bitmap' ? BitmapChunk.create(o) : AreaChunk.create(o);
  };
  const set = new PcpuChunkSet({ unit_size: UNIT, printk, emptyPages, stats, create, ...over });
  return { set, log, meta, emptyPages, stats };
}

/** Every chunk is on the list of its slot, once. */
function slotErrors(set: PcpuChunkSet): string[] {
  const errors: string[] = [];
  const seen = new Set<PcpuChunk>();
  for (let slot = 0; slot < set.nr_slots; slot++) {
    for (const c of set.slotList(slot)) {
      if (c.slot() !== slot) errors.push(`chunk with slot ${c.slot()} on list ${slot}`);
      if (seen.has(c)) errors.push('chunk on two lists');
      seen.add(c);
    }
  }
  if (seen.size !== set.chunks.length) errors.push('chunk missing from the lists');
  return errors;
}

describe('slot function', () => {
  it('is Linux’s formula: max(fls(size) - 5 + 2, 1), the unit size last', () => {
    // mm/percpu.c's comment says "1-31 bytes share the same slot"; the
    // formula's + 2 puts 1-15 in slot 1 and 16-31 in slot 2.
    expect([1, 15, 16, 31, 32, 63, 64, 4096].map(__pcpu_size_to_slot)).toEqual([1, 1, 2, 2, 3, 3, 4, 10]);
    expect(pcpu_nr_slots(UNIT)).toBe(__pcpu_size_to_slot(UNIT) + 2);
    expect(pcpu_size_to_slot(UNIT, UNIT)).toBe(pcpu_nr_slots(UNIT) - 1);
  });
});

describe('area map growth through pcpu_alloc', () => {
  it('a map that cannot grow: NULL and "failed to extend area map", nothing allocated', () => {
    const { set, log, meta, stats } = makeSet('area');
    expect(set.alloc(8, 4)).not.toBeNull(); // chunk created, map grown to 128 entries
    for (let i = 0; i < 63; i++) set.alloc(8, 4);
    meta.failAfter = 0; // the next growth (map_used 65 + 64 > 128) fails
    expect(set.alloc(8, 4)).toBeNull();
    expect(log).toEqual(['percpu: allocation failed, size=8 align=4 atomic=0, failed to extend area map']);
    expect(stats.nr_cur_alloc).toBe(64);
    expect(check_chunk(set.chunks[0]!)).toEqual([]);
  });
});

describe.each(['bitmap', 'area'] as const)('%s chunks on the slot lists', (kind) => {
  it('creates a chunk when none serves, relocates chunks as they fill and empty', () => {
    const { set, stats, emptyPages } = makeSet(kind);
    const got = Array.from({ length: 300 }, () => set.alloc(200, 4)!);
    expect(set.chunks.length).toBe(2); // 163 areas of 200 bytes in 32 KiB
    expect(got[0]!.chunk).not.toBe(got[299]!.chunk);
    expect(slotErrors(set)).toEqual([]);
    for (const c of set.chunks) expect(check_chunk(c)).toEqual([]);
    expect(check_empty_pages(set.chunks, emptyPages)).toEqual([]);
    for (const g of got.slice(0, 150)) expect(set.free(g.chunk, g.off)).toBe(true);
    expect(slotErrors(set)).toEqual([]);
    expect(stats).toMatchObject({ nr_alloc: 300, nr_dealloc: 150, nr_cur_alloc: 150, nr_max_alloc: 300, nr_chunks: 2, nr_max_chunks: 2, min_alloc_size: 200, max_alloc_size: 200 });
    // The emptier first chunk is now on a higher slot, searched later than the fuller one.
    expect(got[0]!.chunk.slot()).toBeGreaterThan(got[299]!.chunk.slot());
    expect(set.alloc(200, 4)!.chunk).toBe(got[299]!.chunk);
  });

  it('populates the pages under each allocation, for the allocation', () => {
    const populated: number[][] = [];
    const { set } = makeSet(kind, { populate: (_c, rs, re) => (populated.push([rs, re]), true) });
    const a = set.alloc(5000, 4096)!;
    expect(a.off).toBe(0);
    expect(populated).toEqual([[0, 2]]);
    expect(a.chunk.nr_populated).toBe(2);
    expect(a.chunk.nr_empty_pop_pages).toBe(0);
    set.alloc(12000, 4); // one call for the run of pages 2-4
    expect(populated).toEqual([[0, 2], [2, 5]]);
  });

  it('a population failure frees the area again and warns', () => {
    const { set, log, stats } = makeSet(kind, { populate: () => false });
    expect(set.alloc(64, 4)).toBeNull();
    expect(log).toEqual(['percpu: allocation failed, size=64 align=4 atomic=0, failed to populate']);
    expect(set.chunks[0]!.isEmpty()).toBe(true);
    expect(stats.nr_cur_alloc).toBe(0);
    expect(check_chunk(set.chunks[0]!)).toEqual([]);
  });

  it('chunk creation failing: NULL with Linux’s warning, ten times, then "limit reached" and silence', () => {
    const { set, log } = makeSet(kind, { create: () => null });
    for (let i = 0; i < 12; i++) expect(set.alloc(8, 4)).toBeNull();
    expect(log.length).toBe(11);
    expect(log[0]).toBe('percpu: allocation failed, size=8 align=4 atomic=0, failed to allocate new chunk');
    expect(log[10]).toBe('percpu: limit reached, disable warning');
  });

  it('alloc_off answers what alloc answers, as an offset in the chunk it leaves in found', () => {
    const a = makeSet(kind);
    const b = makeSet(kind);
    for (const size of [4, 8, 100, 4096, 8, 20000, 12]) {
      const r = a.set.alloc(size, 4);
      const off = b.set.alloc_off(size, 4);
      expect(off).toBe(r ? r.off : -1);
      if (r) expect(b.set.chunks.indexOf(b.set.found!)).toBe(a.set.chunks.indexOf(r.chunk));
    }
    expect(b.log).toEqual(a.log);
    expect(b.set.alloc_off(0, 4)).toBe(-1);
    expect(b.log).toContain('illegal size (0) or align (4) for percpu allocation');
    expect(check_chunk(b.set.chunks[0]!)).toEqual([]);
  });

  it('an atomic request fails quietly when no populated page has room', () => {
    const { set, log } = makeSet(kind);
    expect(set.alloc(8, 4)).not.toBeNull(); // page 0 populated for it
    expect(set.alloc(8, 4, true)!.off).toBe(8);
    expect(set.alloc(8192, 4, true)).toBeNull();
    expect(log).toEqual([]);
  });

  it('a chunk that becomes free beside another free one asks for the balance work, which keeps one', () => {
    const released: PcpuChunk[] = [];
    const { set, meta, emptyPages, stats } = makeSet(kind, { release: (c) => released.push(c) });
    const got = Array.from({ length: 300 }, () => set.alloc(200, 4)!);
    const [c0, c1] = [got[0]!.chunk, got[299]!.chunk];
    for (const g of got.filter((g) => g.chunk === c0)) set.free(g.chunk, g.off);
    expect(set.needBalance(c0)).toBe(false); // the only free chunk
    for (const g of got.filter((g) => g.chunk === c1)) set.free(g.chunk, g.off);
    expect(set.needBalance(c1)).toBe(true);
    expect(set.pcpu_balance_free()).toBe(1);
    expect(set.chunks.length).toBe(1);
    expect(released.length).toBe(1);
    expect(stats.nr_chunks).toBe(1);
    expect(meta.bytes).toBe(set.chunks[0]!.metaBytes().total);
    expect(check_empty_pages(set.chunks, emptyPages)).toEqual([]);
  });

  it('reserved allocations come from the reserved chunk only, and fail there with Linux’s reason', () => {
    const log: string[] = [];
    const reserved = (kind === 'bitmap' ? BitmapChunk : AreaChunk).create({ nr_pages: 1, reserved: true, populated: true, meta: new HostMetaAllocator(), printk: (l) => log.push(l) })!;
    const { set, log: setLog } = makeSet(kind, { reserved });
    expect(set.allocReserved(4000, 4)!.chunk).toBe(reserved);
    expect(set.allocReserved(200, 4)).toBeNull();
    expect(setLog).toEqual(['percpu: allocation failed, size=200 align=4 atomic=0, alloc from reserved chunk failed']);
    expect(reserved.relocate).toBeNull();
    expect(set.chunks).toEqual([]);
  });

  it('the balance work keeps empty populated pages for atomic allocations, all of them after an atomic failure', () => {
    const { set, emptyPages } = makeSet(kind);
    expect(set.needPopulation()).toBe(true);
    expect(set.pcpu_balance_populated()).toBe(4); // no chunk yet: one is created
    expect(set.chunks.length).toBe(1);
    expect(emptyPages.value).toBe(4);
    expect(set.needPopulation()).toBe(false);
    expect(set.pcpu_balance_populated()).toBe(0);
    expect(set.alloc(8, 4, true)!.off).toBe(0);
    expect(set.alloc(UNIT, 4, true)).toBeNull(); // needs unpopulated pages
    expect(set.atomic_alloc_failed).toBe(true);
    expect(set.pcpu_balance_populated()).toBe(4);
    const c = set.chunks[0]!;
    expect(c.nr_populated).toBe(8);
    expect(check_chunk(c)).toEqual([]);
    expect(check_empty_pages(set.chunks, emptyPages)).toEqual([]);
  });

  it('destroying an empty chunk gives back all its metadata', () => {
    const { set, meta, stats } = makeSet(kind);
    const a = set.alloc(8, 4)!;
    set.free(a.chunk, a.off);
    set.destroy(a.chunk);
    expect(meta.bytes).toBe(0);
    expect(set.chunks).toEqual([]);
    expect(stats.nr_chunks).toBe(0);
  });
});
