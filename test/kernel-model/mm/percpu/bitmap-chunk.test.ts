// SPDX-License-Identifier: GPL-2.0-only
/* The bitmap allocator's hint paths, one by one, and its bad input. */

import { describe, expect, it } from 'vitest';
import { BitmapChunk } from '../../../../kernel-model/mm/percpu/bitmap-chunk';
import { MD_CONTIG_HINT, MD_CONTIG_HINT_START, MD_FIRST_FREE, MD_LEFT_FREE, MD_RIGHT_FREE, MD_WORDS } from '../../../../kernel-model/mm/percpu/bitmap-hints';
import { check_bitmap_chunk, count_empty_pop_pages } from '../../../../kernel-model/mm/percpu/check';
import { HostMetaAllocator, PcpuEmptyPages } from '../../../../kernel-model/mm/percpu/percpu-internal';
import { makeChunk } from './helpers';

const fresh = (nr_pages = 4, populated = false) => {
  const t = makeChunk('bitmap', { nr_pages, populated });
  return { ...t, chunk: t.chunk as BitmapChunk };
};

const block = (c: BitmapChunk, i: number) => {
  const b = i * MD_WORDS;
  const md = c.md_blocks;
  return { contig_hint: md[b + MD_CONTIG_HINT], contig_hint_start: md[b + MD_CONTIG_HINT_START], left_free: md[b + MD_LEFT_FREE], right_free: md[b + MD_RIGHT_FREE], first_free: md[b + MD_FIRST_FREE] };
};

const trueEmpty = (c: BitmapChunk): number => count_empty_pop_pages(c, (byte, len) => {
  for (let b = byte >>> 2; b < (byte + len) >>> 2; b++) if (c.alloc_map[b >>> 5]! & (1 << (b & 31))) return false;
  return true;
});

describe('bitmap chunk hints', () => {
  it('an allocation inside a block updates that block and the chunk hint', () => {
    const { chunk } = fresh();
    expect(chunk.alloc(4, 4)).toBe(0);
    expect(block(chunk, 0)).toEqual({ contig_hint: 1023, contig_hint_start: 1, left_free: 0, right_free: 1023, first_free: 1 });
    expect(block(chunk, 1)).toEqual({ contig_hint: 1024, contig_hint_start: 0, left_free: 1024, right_free: 1024, first_free: 0 });
    expect([chunk.contig_bits, chunk.contig_bits_start, chunk.first_bit, chunk.free_bytes]).toEqual([4095, 1, 1, 16380]);
    expect(check_bitmap_chunk(chunk)).toEqual([]);
  });

  it('an allocation across blocks clears the blocks it covers and trims both ends', () => {
    const { chunk } = fresh();
    expect(chunk.alloc(32, 4)).toBe(0);
    expect(chunk.alloc(8192, 4)).toBe(32); // bits [8, 2056)
    expect(block(chunk, 0)).toMatchObject({ contig_hint: 0, left_free: 0, right_free: 0 });
    expect(block(chunk, 1)).toMatchObject({ contig_hint: 0, left_free: 0, right_free: 0 });
    expect(block(chunk, 2)).toEqual({ contig_hint: 1016, contig_hint_start: 8, left_free: 0, right_free: 1016, first_free: 8 });
    expect(chunk.sizeAt(32)).toBe(8192);
    expect(check_bitmap_chunk(chunk)).toEqual([]);
  });

  it('a block hint that fits is used before breaking it: first fit from the block’s first_free', () => {
    const { chunk } = fresh();
    const a = chunk.alloc(400, 4);
    chunk.alloc(400, 4);
    chunk.alloc(400, 4);
    chunk.free(a); // bits [0, 100) free again, block 0's hint is now the tail run
    expect(chunk.alloc(40, 4)).toBe(0);
    expect(check_bitmap_chunk(chunk)).toEqual([]);
  });

  it('the chunk hint lags after a free that neither frees a page nor spans blocks, and catches up when a page becomes free', () => {
    const { chunk } = fresh();
    const a = chunk.alloc(4000, 4); // bits [0, 1000)
    const b = chunk.alloc(96, 4); // bits [1000, 1024): block 0 full
    const c = chunk.alloc(2048, 4); // bits [1024, 1536)
    expect(chunk.free(c)).toBe(true); // frees page 1: refresh, hint [1024, 4096)
    expect([chunk.contig_bits_start, chunk.contig_bits]).toEqual([1024, 3072]);
    expect(chunk.free(b)).toBe(true); // run is now [1000, 4096), but no page became free
    expect([chunk.contig_bits_start, chunk.contig_bits]).toEqual([1024, 3072]);
    // 3096 bits are free in one run; the hint says 3072, so the request is refused.
    expect(chunk.alloc(3096 * 4, 4)).toBe(-1);
    expect(check_bitmap_chunk(chunk)).toEqual([]);
    expect(chunk.free(a)).toBe(true); // page 0 free: refresh
    expect([chunk.contig_bits_start, chunk.contig_bits]).toEqual([0, 4096]);
    expect(chunk.alloc(3096 * 4, 4)).toBe(0);
  });

  it('a free in the middle of blocks resets them whole', () => {
    const { chunk } = fresh();
    chunk.alloc(4, 4);
    const big = chunk.alloc(12000, 4);
    chunk.alloc(4, 4);
    chunk.free(big);
    expect(block(chunk, 1)).toEqual({ contig_hint: 1024, contig_hint_start: 0, left_free: 1024, right_free: 1024, first_free: 0 });
    expect(check_bitmap_chunk(chunk)).toEqual([]);
  });

  it('poor alignment skips a run that would fit: the block hint is tried at its own alignment', () => {
    const { chunk } = fresh(1);
    // Free runs after this: [4, 28) bytes (24 bytes, start 4) and [64, 4096).
    chunk.alloc(4, 4);
    const x = chunk.alloc(24, 4);
    chunk.alloc(36, 4);
    chunk.free(x);
    // 16 bytes aligned to 16 fit at 16 in the first run; first fit says 16.
    // The bitmap allocator's block hint is the big run, so it goes there.
    expect(chunk.alloc(16, 16)).toBe(64);
  });
});

describe('empty populated pages (v4.14 counts them when it refreshes the chunk hint)', () => {
  it('an allocation into an empty page that leaves the chunk hint alone is counted at the next refresh', () => {
    const { chunk, empty } = fresh(5, true);
    const pages = [0, 1, 2, 3, 4].map(() => chunk.alloc(4096, 4096));
    expect(chunk.nr_empty_pop_pages).toBe(0);
    chunk.free(pages[1]!);
    chunk.free(pages[3]!);
    chunk.free(pages[4]!);
    expect(chunk.nr_empty_pop_pages).toBe(3);
    // First fit puts it in page 1; the chunk hint is pages 3-4: no refresh.
    const small = chunk.alloc(4, 4);
    expect(small).toBe(4096);
    expect(chunk.nr_empty_pop_pages).toBe(3);
    expect(trueEmpty(chunk)).toBe(2);
    expect(check_bitmap_chunk(chunk)).toEqual([]);
    chunk.free(small); // page 1 empty again: refresh
    expect(chunk.nr_empty_pop_pages).toBe(3);
    expect(trueEmpty(chunk)).toBe(3);
    expect(empty.value).toBe(3);
  });

  it('the first chunk counts the pages wholly inside its served region', () => {
    const emptyPages = new PcpuEmptyPages();
    const c = BitmapChunk.create({ nr_pages: 4, start_offset: 100, end_offset: 4100, populated: true, meta: new HostMetaAllocator(), printk: () => {}, emptyPages })!;
    // Served bytes [100, 12284): only page 1 lies wholly inside.
    expect(c.nr_empty_pop_pages).toBe(1);
    expect(emptyPages.value).toBe(1);
    expect(c.alloc(4, 4)).toBe(100);
    expect(check_bitmap_chunk(c)).toEqual([]);
  });
});

describe('bitmap chunk bad input', () => {
  const cut = (text: string) => ['------------[ cut here ]------------', 'WARNING: at mm/percpu.c pcpu_alloc', text, '---[ end trace 0000000000000000 ]---'];

  it('an alignment below 4 bytes is raised to 4, as pcpu_alloc does', () => {
    const { chunk, log } = fresh();
    expect(chunk.alloc(2, 3)).toBe(0);
    expect(chunk.alloc(2, 1)).toBe(4);
    expect(log).toEqual([]);
  });

  it.each([
    [0, 1, 'illegal size (0) or align (4) for percpu allocation'],
    [32769, 4, 'illegal size (32772) or align (4) for percpu allocation'],
    [8, 12, 'illegal size (8) or align (12) for percpu allocation'],
    [8, 8192, 'illegal size (8) or align (8192) for percpu allocation'],
    [Number.NaN, 4, 'illegal size (NaN) or align (4) for percpu allocation'],
  ])('alloc(%s, %s): -1 and Linux’s warning, nothing changed', (size, align, text) => {
    const { chunk, log } = fresh();
    const before = Int32Array.from(chunk.alloc_map);
    expect(chunk.alloc(size, align)).toBe(-1);
    expect(log).toEqual(cut(text));
    expect(chunk.alloc_map).toEqual(before);
    expect(chunk.free_bytes).toBe(16384);
  });

  it('the largest allocation, PCPU_MIN_UNIT_SIZE, is served by a chunk that holds it', () => {
    const { chunk, log } = fresh(9);
    expect(chunk.alloc(32768, 4096)).toBe(0);
    expect(log).toEqual([]);
    expect(chunk.alloc(32768, 4096)).toBe(-1);
    expect(log).toEqual([]);
  });

  it.each([
    ['inside an allocation', 8],
    ['unaligned', 2],
    ['past the end', 1 << 20],
    ['already freed', 0],
  ])('free of an offset %s: false, one warning, nothing changed', (_what, off) => {
    const { chunk, log } = fresh();
    const a = chunk.alloc(64, 4);
    chunk.alloc(64, 4);
    if (off === 0) chunk.free(a);
    log.length = 0;
    const maps = [chunk.alloc_map, chunk.bound_map, chunk.md_blocks].map((m) => Int32Array.from(m));
    const hints = [chunk.free_bytes, chunk.contig_bits, chunk.contig_bits_start, chunk.first_bit];
    expect(chunk.free(off)).toBe(false);
    expect(log[1]).toBe('WARNING: at mm/percpu.c pcpu_free_area');
    expect(log[2]).toBe(`percpu: free of offset ${off}: no allocation starts there in this chunk`);
    expect([chunk.alloc_map, chunk.bound_map, chunk.md_blocks]).toEqual(maps);
    expect([chunk.free_bytes, chunk.contig_bits, chunk.contig_bits_start, chunk.first_bit]).toEqual(hints);
    expect(check_bitmap_chunk(chunk)).toEqual([]);
  });

  it('the hidden head of a first chunk cannot be freed', () => {
    const c = BitmapChunk.create({ nr_pages: 2, start_offset: 64, populated: true, meta: new HostMetaAllocator(), printk: () => {} })!;
    expect(c.free(0)).toBe(false);
    expect(c.sizeAt(0)).toBe(0);
  });

  it('metadata allocation failing at any of its four steps: null, nothing kept', () => {
    for (let ok = 0; ok < 4; ok++) {
      const meta = new HostMetaAllocator();
      meta.failAfter = ok;
      expect(BitmapChunk.create({ nr_pages: 4, meta, printk: () => {} })).toBeNull();
      expect(meta.bytes).toBe(0);
    }
  });

  it('metadata is charged as Linux sizes it: struct + populated, two bitmaps, 20-byte blocks', () => {
    const meta = new HostMetaAllocator();
    const c = BitmapChunk.create({ nr_pages: 32, meta, printk: () => {} })!;
    // 32 pages: 32768 bits -> 4096 bytes of alloc_map, 4104 of bound_map (one bit more, in longs), 32 blocks.
    expect(c.metaBytes()).toEqual({ chunk: 120 + 8, bitmaps: 4096 + 4104, blocks: 640, map: 0, total: 128 + 8200 + 640 });
    expect(meta.bytes).toBe(c.metaBytes().total);
    c.destroy();
    expect(meta.bytes).toBe(0);
  });

  it('a geometry Linux would not build is a one-line error', () => {
    expect(() => BitmapChunk.create({ nr_pages: 1, start_offset: 2, meta: new HostMetaAllocator(), printk: () => {} })).toThrow(/^percpu: bad chunk geometry/);
  });
});
