// SPDX-License-Identifier: GPL-2.0-only
/*
 * Both chunk allocators against the naive first-fit oracle, through the
 * shared model checker, with the invariant checker after every command.
 *
 * Where the answers must be equal:
 *   - area map, sizes and alignments multiples of 4: it is first fit over
 *     its areas, and with 4-byte multiples it never keeps a tiny tail or
 *     hands a tiny head to the area before, so every byte is where a
 *     byte-granular first fit would put it;
 *   - bitmap, alignment <= 4 bytes: every free run smaller than a block's
 *     contig hint is smaller than the request too, so the block walk
 *     finds the first fit; the one exception is a chunk contig hint that
 *     lags after a free (v4.14 updates it on free only when a page or a
 *     block becomes free or the free spans blocks): the allocator then
 *     says -1 where the oracle finds room, and the test checks that the
 *     hint is indeed below the request.
 * Elsewhere the oracle follows the allocator (take) after checking that
 * the place it chose was free and aligned:
 *   - area map with odd sizes: tails under 4 bytes stay in the
 *     allocation, heads under 4 bytes join the area before;
 *   - bitmap with larger alignments: a block's contig hint is tried at
 *     its own alignment, so a smaller but better-aligned run before it can
 *     be skipped ("Poor alignment can cause the allocator to skip over
 *     blocks and chunks that have valid free areas", pcpu_find_block_fit).
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check_bitmap_refreshed, check_chunk, check_empty_pages } from '../../../../kernel-model/mm/percpu/check';
import { pcpu_chunk_refresh_hint } from '../../../../kernel-model/mm/percpu/bitmap-hints';
import { NaiveChunk } from '../../../../kernel-model/mm/percpu/oracle';
import { PAGE_SIZE, PCPU_MIN_ALLOC_SIZE, type PcpuAllocMap } from '../../../../kernel-model/mm/percpu/percpu-internal';
import { BitmapChunk } from '../../../../kernel-model/mm/percpu/bitmap-chunk';
import { checkModel } from '../../../helpers/model-check';
import { makeChunk, type Geometry, type TestChunk } from './helpers';

type Cmd =
  | { op: 'alloc'; size: number; align: number; atomic: boolean }
  | { op: 'free'; pick: number }
  | { op: 'populate'; page: number }
  | { op: 'depopulate'; page: number }
  | { op: 'refresh' };

interface Sys extends TestChunk {
  oracle: NaiveChunk;
  live: number[];
  exact: boolean;
}

const ALIGNS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096];

const size = (mult4: boolean): fc.Arbitrary<number> =>
  fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 65, max: 1500 }), fc.integer({ min: 1500, max: 9000 })).map((s) => (mult4 ? Math.ceil(s / 4) * 4 : s));

function commands(mult4: boolean, aligns: number[]): fc.Arbitrary<Cmd> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('alloc' as const), size: size(mult4), align: fc.constantFrom(...aligns), atomic: fc.boolean() }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('populate' as const), page: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('depopulate' as const), page: fc.nat() }) },
  );
}

const isPopulated = (s: Sys, page: number): boolean => (s.chunk.populated[page >>> 5]! & (1 << (page & 31))) !== 0;

/** pcpu_alloc's population step: pages under a fresh allocation, for the allocation. */
function populateFor(s: Sys, off: number, bytes: number): void {
  for (let p = Math.floor(off / PAGE_SIZE); p < Math.ceil((off + bytes) / PAGE_SIZE); p++) {
    if (!isPopulated(s, p)) s.chunk.pcpu_chunk_populated(p, p + 1, true);
  }
}

function stepAlloc(s: Sys, c: Extract<Cmd, { op: 'alloc' }>): void {
  const off = s.chunk.alloc(c.size, c.align, c.atomic);
  if (off < 0) {
    expect(off).toBe(-1);
    if (c.atomic) return; // the oracle knows nothing of population
    const o = s.oracle.alloc(c.size, c.align);
    if (o >= 0) {
      // Only the lagging chunk hint of the bitmap allocator may refuse room that exists.
      expect(s.chunk).toBeInstanceOf(BitmapChunk);
      const chunk = s.chunk as BitmapChunk;
      expect(chunk.contig_bits * PCPU_MIN_ALLOC_SIZE).toBeLessThan(Math.ceil(c.size / 4) * 4 + ((-chunk.contig_bits_start * 4) & (Math.max(c.align, 4) - 1)));
      s.oracle.free(o);
    }
    return;
  }
  const bytes = s.chunk.sizeAt(off);
  expect(bytes).toBeGreaterThanOrEqual(c.size);
  expect(off % c.align).toBe(0);
  if (c.atomic) {
    for (let p = Math.floor(off / PAGE_SIZE); p < Math.ceil((off + bytes) / PAGE_SIZE); p++) expect(isPopulated(s, p)).toBe(true);
  }
  if (s.exact && !c.atomic) {
    expect(off).toBe(s.oracle.alloc(c.size, c.align));
  } else {
    expect(s.oracle.isFree(off, bytes)).toBe(true);
    s.oracle.take(off, bytes);
  }
  populateFor(s, off, bytes);
  s.live.push(off);
}

function step(s: Sys, c: Cmd): void {
  switch (c.op) {
    case 'alloc':
      return stepAlloc(s, c);
    case 'free': {
      if (!s.live.length) return;
      const [off] = s.live.splice(c.pick % s.live.length, 1) as [number];
      expect(s.chunk.free(off)).toBe(true);
      expect(s.oracle.free(off)).toBe(true);
      return;
    }
    case 'populate': {
      const p = c.page % s.chunk.nr_pages;
      if (!isPopulated(s, p)) s.chunk.pcpu_chunk_populated(p, p + 1, false);
      return;
    }
    case 'refresh': {
      // pcpu_chunk_refresh_hint on demand: afterwards the hints are exact.
      if (!(s.chunk instanceof BitmapChunk)) return;
      pcpu_chunk_refresh_hint(s.chunk);
      expect(check_bitmap_refreshed(s.chunk)).toEqual([]);
      return;
    }
    case 'depopulate': {
      const p = c.page % s.chunk.nr_pages;
      const lo = Math.max(p * PAGE_SIZE, s.oracle.start);
      const hi = Math.min((p + 1) * PAGE_SIZE, s.oracle.end);
      if (isPopulated(s, p) && lo === p * PAGE_SIZE && hi === lo + PAGE_SIZE && s.oracle.isFree(lo, PAGE_SIZE)) s.chunk.pcpu_chunk_depopulated(p, p + 1);
      return;
    }
  }
}

function spec(kind: PcpuAllocMap, g: Geometry, exact: boolean, cmd: fc.Arbitrary<Cmd>) {
  const start = g.start_offset ?? 0;
  const end = g.nr_pages * PAGE_SIZE - (g.end_offset ?? 0);
  return {
    setup: (): Sys => ({ ...makeChunk(kind, g), oracle: new NaiveChunk(start, end, kind === 'bitmap' ? 4 : 2), live: [], exact }),
    command: cmd,
    step,
    check: (s: Sys) => [...check_chunk(s.chunk), ...check_empty_pages([s.chunk], s.empty)],
    teardown: (s: Sys) => {
      for (const off of s.live) expect(s.chunk.free(off)).toBe(true);
      expect(s.chunk.isEmpty()).toBe(true);
      expect(s.chunk.freeBytes()).toBe(end - start);
      // A bitmap chunk with a hidden head or tail may end with its hint
      // lagging: no free made its first or last page free.
      if (kind === 'area' || (!g.start_offset && !g.end_offset)) expect(s.chunk.contigBytes()).toBe(end - start);
      expect(s.log).toEqual([]);
    },
  };
}

const plain: Geometry = { nr_pages: 4 };
const firstChunk: Geometry = { nr_pages: 3, start_offset: 1000, end_offset: 2052, populated: true };
const RUNS = { numRuns: 120, maxLength: 200, seed: 10 };

describe.each(['bitmap', 'area'] as const)('%s chunk against the first-fit oracle', (kind) => {
  const exactAligns = kind === 'bitmap' ? [1, 2, 4] : ALIGNS.filter((a) => a >= 4);
  it('gives the oracle’s offsets where both are first fit (new chunk)', () => {
    checkModel(spec(kind, plain, true, commands(true, exactAligns)), RUNS);
  });
  it('gives the oracle’s offsets where both are first fit (first chunk: hidden head and tail, populated)', () => {
    checkModel(spec(kind, firstChunk, true, commands(true, exactAligns)), RUNS);
  });
  it('hands out free, aligned areas for any size and alignment (where it is not first fit: see the file header)', () => {
    checkModel(spec(kind, plain, false, commands(false, ALIGNS)), RUNS);
    checkModel(spec(kind, firstChunk, false, commands(false, ALIGNS)), { ...RUNS, seed: 11 });
  });
});

describe('bitmap chunk refresh (pcpu_chunk_refresh_hint)', () => {
  const withRefresh = fc.oneof(
    { weight: 8, arbitrary: commands(false, ALIGNS) },
    { weight: 1, arbitrary: fc.constant({ op: 'refresh' as const }) },
  );
  it('leaves the chunk hint and the empty populated pages exact, from any state (new chunk)', () => {
    checkModel(spec('bitmap', plain, false, withRefresh), { ...RUNS, seed: 21 });
  });
  it('and in a first chunk with hidden head and tail', () => {
    checkModel(spec('bitmap', firstChunk, false, withRefresh), { ...RUNS, seed: 22 });
  });
});

/** Both allocators driven by one sequence, compared with each other directly. */
interface Pair {
  bitmap: TestChunk;
  area: TestChunk;
  live: number[];
}

describe('bitmap and area map on the same sequence', () => {
  it('give the same offsets for 4-byte multiples at alignment <= 4, except where the bitmap’s lagging chunk hint refuses', () => {
    const cmd = fc.oneof(
      { weight: 3, arbitrary: fc.record({ op: fc.constant('alloc' as const), size: size(true), align: fc.constantFrom(1, 2, 4) }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat() }) },
    );
    checkModel(
      {
        setup: (): Pair => ({ bitmap: makeChunk('bitmap', plain), area: makeChunk('area', plain), live: [] }),
        command: cmd,
        step: (p: Pair, c) => {
          if (c.op === 'free') {
            if (!p.live.length) return;
            const [off] = p.live.splice(c.pick % p.live.length, 1) as [number];
            expect(p.bitmap.chunk.free(off)).toBe(true);
            expect(p.area.chunk.free(off)).toBe(true);
            return;
          }
          const b = p.bitmap.chunk.alloc(c.size, c.align);
          const a = p.area.chunk.alloc(c.size, c.align);
          if (b === -1 && a >= 0) {
            // The area map is first fit; the bitmap refused only because its chunk hint lags.
            expect((p.bitmap.chunk as BitmapChunk).contig_bits * 4).toBeLessThan(c.size);
            p.area.chunk.free(a);
            return;
          }
          expect(b).toBe(a);
          if (b >= 0) p.live.push(b);
        },
        check: (p: Pair) => [...check_chunk(p.bitmap.chunk), ...check_chunk(p.area.chunk)],
      },
      { numRuns: 80, maxLength: 200, seed: 12 },
    );
  });
});
