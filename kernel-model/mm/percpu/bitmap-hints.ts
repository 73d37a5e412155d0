// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hints of the bitmap allocator (mm/percpu.c, v4.14): per metadata
 * block and per chunk, kept so that an allocation scans the bitmap only
 * where a fit is promised. Design and invariants: bitmap-chunk.ts.
 *
 * Block hints, all in bits and block-relative (struct pcpu_block_md):
 *   contig_hint, contig_hint_start   the largest free run inside the
 *       block, and where it starts (the best aligned of equal runs)
 *   left_free, right_free   free bits touching the block's start / end
 *   first_free   no free bit below it (a lower bound: the blocks in the
 *       middle of an allocation that spans blocks keep theirs)
 *
 * Chunk hints: contig_bits, contig_bits_start (a free run, never larger
 * than the largest one; exact after allocation, possibly behind after a
 * free that neither frees a page nor spans blocks), first_bit.
 *
 * Two changes from v4.14, both Dennis Zhou's own fixes from his 2019
 * series on the hints, without which the chunk hint can promise more
 * than the bitmap has (the checker finds it within a few random steps):
 *   - "percpu: update free path with correct new free region" (commit
 *     ef7bd6a79643): on the free path, when the chunk is not refreshed,
 *     the chunk hint is offered the freed run itself (its start and
 *     end - start), not the freed run's start with the block's
 *     contig_hint, which named a start where no run of that size began;
 *   - "percpu: introduce helper to determine if two regions overlap":
 *     the chunk is refreshed when an allocation overlaps its hint, not
 *     only when the allocation starts inside it. After a free the chunk
 *     hint may sit inside a longer free run (it lags), and an allocation
 *     starting just before it would break it unseen.
 */

import { bitmap_weight, find_last_bit_in, find_next_bit, find_next_zero_bit, __ffs } from '../../lib/bitmap';
import type { BitmapChunk } from './bitmap-chunk';
import { PAGE_SHIFT, PCPU_BITMAP_BLOCK_BITS, PCPU_BITS_PER_PAGE, PCPU_MIN_ALLOC_SHIFT, PCPU_MIN_ALLOC_SIZE, pcpu_work } from './percpu-internal';

/* struct pcpu_block_md, five ints per block in md_blocks */
export const MD_CONTIG_HINT = 0;
export const MD_CONTIG_HINT_START = 1;
export const MD_LEFT_FREE = 2;
export const MD_RIGHT_FREE = 3;
export const MD_FIRST_FREE = 4;
export const MD_WORDS = 5;

const BLOCK = PCPU_BITMAP_BLOCK_BITS;
const BLOCK_SHIFT = 31 - Math.clz32(BLOCK);
/** Bits per page and per block are powers of two: the page test of the free path rounds by masks. */
const PAGE_OR_BLOCK_BITS = Math.min(PCPU_BITS_PER_PAGE, BLOCK);

export const pcpu_off_to_block_index = (off: number): number => off >>> BLOCK_SHIFT;
export const pcpu_off_to_block_off = (off: number): number => off & (BLOCK - 1);
export const pcpu_block_off_to_off = (index: number, off: number): number => index * BLOCK + off;

/** A (bit_off, bits) pair, the two in/out variables of Linux's iterators. */
export interface BitRegion {
  bit_off: number;
  bits: number;
}

/** pcpu_next_unpop over one bitmap: the next clear run [rs, re) at or after r.bit_off, before end. */
export function pcpu_next_unpop(map: Int32Array, r: BitRegion, end: number): void {
  const rs = find_next_zero_bit(map, end, r.bit_off);
  r.bit_off = rs;
  r.bits = find_next_bit(map, end, rs + 1) - rs;
}

/**
 * pcpu_cnt_pop_pages: populated pages lying wholly inside the free run
 * [bit_off, bit_off + bits).
 */
export function pcpu_cnt_pop_pages(chunk: BitmapChunk, bit_off: number, bits: number): number {
  const page_start = Math.ceil((bit_off * PCPU_MIN_ALLOC_SIZE) / (1 << PAGE_SHIFT));
  const page_end = ((bit_off + bits) * PCPU_MIN_ALLOC_SIZE) >>> PAGE_SHIFT;
  if (page_start >= page_end) return 0;
  return bitmap_weight(chunk.populated, page_end) - bitmap_weight(chunk.populated, page_start);
}

/** Pages lying wholly inside [bit_off, bit_off + bits): pcpu_cnt_pop_pages when every page is populated. */
function pcpu_whole_pages(bit_off: number, bits: number): number {
  const page_start = (bit_off + PCPU_BITS_PER_PAGE - 1) >>> (PAGE_SHIFT - PCPU_MIN_ALLOC_SHIFT);
  const page_end = (bit_off + bits) >>> (PAGE_SHIFT - PCPU_MIN_ALLOC_SHIFT);
  return page_start < page_end ? page_end - page_start : 0;
}

/** Is `start` better aligned than `than` (more trailing zero bits; 0 is best)? */
const betterAligned = (start: number, than: number): boolean => start === 0 || __ffs(start) > __ffs(than);

/** pcpu_chunk_update: offer the chunk hint a free run; ties go to the better aligned start. */
export function pcpu_chunk_update(chunk: BitmapChunk, bit_off: number, bits: number): void {
  if (bits > chunk.contig_bits) {
    chunk.contig_bits_start = bit_off;
    chunk.contig_bits = bits;
  } else if (bits === chunk.contig_bits && chunk.contig_bits_start && betterAligned(bit_off, chunk.contig_bits_start)) {
    chunk.contig_bits_start = bit_off;
  }
}

/**
 * pcpu_chunk_refresh_hint: rebuild the chunk hint from the blocks'
 * hints (no bitmap scan), and recount the empty populated pages, moving
 * the global count by the difference.
 *
 * This is Linux's pcpu_for_each_md_free_region (its iterator
 * pcpu_next_md_free_region) from first_bit: a free run the block hints
 * know of is a block's contig hint that stays inside the block, or a run
 * gathered across block edges (right_free + whole free blocks +
 * left_free). It runs after most allocations, so the iterator is written
 * out here on locals rather than through a (bit_off, bits) object; the
 * regions, their order and the blocks counted in pcpu_work are the
 * iterator's. check_bitmap_refreshed (check.ts) states what it must
 * leave: the chunk hint and the empty page count exact.
 */
export function pcpu_chunk_refresh_hint(chunk: BitmapChunk): void {
  const md = chunk.md_blocks;
  const nr_blocks = chunk.nr_blocks;
  const all_populated = chunk.nr_populated === chunk.nr_pages;
  chunk.contig_bits = 0;
  let nr_empty_pop_pages = 0;
  let visited = 0;
  let i = chunk.first_bit >>> BLOCK_SHIFT;
  let block_off = chunk.first_bit & (BLOCK - 1);
  while (i < nr_blocks) {
    visited++;
    const b = i * MD_WORDS;
    // A hint not seen yet that ends inside the block; one reaching the
    // block's end is the start of a run across blocks, gathered below.
    const hint = md[b + MD_CONTIG_HINT]!;
    const hint_start = md[b + MD_CONTIG_HINT_START]!;
    let bit_off: number;
    let bits: number;
    if (hint && hint_start >= block_off && hint + hint_start < BLOCK) {
      bit_off = i * BLOCK + hint_start;
      bits = hint;
    } else {
      bits = md[b + MD_RIGHT_FREE]!;
      i++;
      block_off = 0;
      if (!bits) continue;
      bit_off = i * BLOCK - bits;
      for (; i < nr_blocks; i++) {
        visited++;
        const left = md[i * MD_WORDS + MD_LEFT_FREE]!;
        bits += left;
        if (left !== BLOCK) break;
      }
    }
    pcpu_chunk_update(chunk, bit_off, bits);
    nr_empty_pop_pages += all_populated ? pcpu_whole_pages(bit_off, bits) : pcpu_cnt_pop_pages(chunk, bit_off, bits);
    // The iterator resumes one bit past the run (a used bit, or the end).
    const next = bit_off + bits + 1;
    i = next >>> BLOCK_SHIFT;
    block_off = next & (BLOCK - 1);
  }
  pcpu_work.words += visited;
  chunk.setEmptyPopPages(nr_empty_pop_pages);
}

/**
 * pcpu_next_fit_region: from r.bit_off, the next place an allocation of
 * alloc_bits aligned to `align` bits fits by the hints. Inside a block it
 * answers the block's first_free, so that the scan may place the request
 * before the contig hint; r.bit_off = map_bits when nothing fits.
 */
export function pcpu_next_fit_region(chunk: BitmapChunk, alloc_bits: number, align: number, r: BitRegion): void {
  const md = chunk.md_blocks;
  let i = pcpu_off_to_block_index(r.bit_off);
  let block_off = pcpu_off_to_block_off(r.bit_off);
  const mask = align - 1;
  r.bits = 0;
  for (; i < chunk.nr_blocks; i++) {
    pcpu_work.words++;
    const b = i * MD_WORDS;
    if (r.bits) {
      r.bits += md[b + MD_LEFT_FREE]!;
      if (r.bits >= alloc_bits) return;
      if (md[b + MD_LEFT_FREE] === BLOCK) continue;
    }
    const hint = md[b + MD_CONTIG_HINT]!;
    const hint_start = md[b + MD_CONTIG_HINT_START]!;
    r.bits = ((hint_start + mask) & ~mask) - hint_start;
    if (hint && hint_start >= block_off && hint >= r.bits + alloc_bits) {
      r.bits += alloc_bits + hint_start - md[b + MD_FIRST_FREE]!;
      r.bit_off = pcpu_block_off_to_off(i, md[b + MD_FIRST_FREE]!);
      return;
    }
    block_off = 0;
    const off = (BLOCK - md[b + MD_RIGHT_FREE]! + mask) & ~mask;
    r.bits = BLOCK - off;
    r.bit_off = pcpu_block_off_to_off(i, off);
    if (r.bits >= alloc_bits) return;
  }
  r.bit_off = chunk.map_bits;
}

/** pcpu_block_update: a whole free run [start, end) inside block `index`. */
export function pcpu_block_update(chunk: BitmapChunk, index: number, start: number, end: number): void {
  const md = chunk.md_blocks;
  const b = index * MD_WORDS;
  const contig = end - start;
  md[b + MD_FIRST_FREE] = Math.min(md[b + MD_FIRST_FREE]!, start);
  if (start === 0) md[b + MD_LEFT_FREE] = contig;
  if (end === BLOCK) md[b + MD_RIGHT_FREE] = contig;
  if (contig > md[b + MD_CONTIG_HINT]!) {
    md[b + MD_CONTIG_HINT_START] = start;
    md[b + MD_CONTIG_HINT] = contig;
  } else if (md[b + MD_CONTIG_HINT_START] && contig === md[b + MD_CONTIG_HINT] && betterAligned(start, md[b + MD_CONTIG_HINT_START]!)) {
    md[b + MD_CONTIG_HINT_START] = start;
  }
}

/** pcpu_block_refresh_hint: rescan block `index` from its first_free. */
export function pcpu_block_refresh_hint(chunk: BitmapChunk, index: number): void {
  pcpu_work.words += BLOCK >>> 5; // the block's bitmap, scanned
  const md = chunk.md_blocks;
  const b = index * MD_WORDS;
  md[b + MD_CONTIG_HINT] = 0;
  md[b + MD_LEFT_FREE] = md[b + MD_RIGHT_FREE] = 0;
  // pcpu_for_each_unpop_region over the block: each free run [rs, re).
  const map = chunk.alloc_map;
  const base = index * BLOCK;
  const end = base + BLOCK;
  for (let rs = find_next_zero_bit(map, end, base + md[b + MD_FIRST_FREE]!); rs < end; ) {
    const re = find_next_bit(map, end, rs + 1);
    pcpu_block_update(chunk, index, rs - base, re - base);
    rs = find_next_zero_bit(map, end, re + 1);
  }
}

/** Clear the hints of a block the allocation covers entirely. */
function pcpu_block_set_full(md: Int32Array, index: number): void {
  const b = index * MD_WORDS;
  md[b + MD_CONTIG_HINT] = md[b + MD_LEFT_FREE] = md[b + MD_RIGHT_FREE] = 0;
}

/** Reset the hints of a block the free covers entirely. */
function pcpu_block_set_empty(md: Int32Array, index: number): void {
  const b = index * MD_WORDS;
  md[b + MD_FIRST_FREE] = md[b + MD_CONTIG_HINT_START] = 0;
  md[b + MD_CONTIG_HINT] = md[b + MD_LEFT_FREE] = md[b + MD_RIGHT_FREE] = BLOCK;
}

/** Block-relative first clear bit at or after off in block index. */
function block_next_zero(chunk: BitmapChunk, index: number, off: number): number {
  const base = index * BLOCK;
  return find_next_zero_bit(chunk.alloc_map, base + BLOCK, base + off) - base;
}

/**
 * pcpu_block_update_hint_alloc: after [bit_off, bit_off + bits) was
 * allocated. A block is rescanned only if its contig hint was broken,
 * the chunk only if the chunk hint was.
 */
export function pcpu_block_update_hint_alloc(chunk: BitmapChunk, bit_off: number, bits: number): void {
  const md = chunk.md_blocks;
  const s_index = pcpu_off_to_block_index(bit_off);
  const e_index = pcpu_off_to_block_index(bit_off + bits - 1);
  const s_off = pcpu_off_to_block_off(bit_off);
  const e_off = pcpu_off_to_block_off(bit_off + bits - 1) + 1;
  const s = s_index * MD_WORDS;

  if (s_off === md[s + MD_FIRST_FREE]) md[s + MD_FIRST_FREE] = block_next_zero(chunk, s_index, s_off + bits);

  if (s_off >= md[s + MD_CONTIG_HINT_START]! && s_off < md[s + MD_CONTIG_HINT_START]! + md[s + MD_CONTIG_HINT]!) {
    pcpu_block_refresh_hint(chunk, s_index);
  } else {
    md[s + MD_LEFT_FREE] = Math.min(md[s + MD_LEFT_FREE]!, s_off);
    md[s + MD_RIGHT_FREE] = s_index === e_index ? Math.min(md[s + MD_RIGHT_FREE]!, BLOCK - e_off) : 0;
  }

  if (s_index !== e_index) {
    const e = e_index * MD_WORDS;
    md[e + MD_FIRST_FREE] = block_next_zero(chunk, e_index, e_off);
    let last_full = e_index - 1;
    if (e_off === BLOCK) {
      last_full = e_index;
    } else if (e_off > md[e + MD_CONTIG_HINT_START]!) {
      pcpu_block_refresh_hint(chunk, e_index);
    } else {
      md[e + MD_LEFT_FREE] = 0;
      md[e + MD_RIGHT_FREE] = Math.min(md[e + MD_RIGHT_FREE]!, BLOCK - e_off);
    }
    for (let i = s_index + 1; i <= last_full; i++) pcpu_block_set_full(md, i);
  }

  if (pcpu_region_overlap(chunk.contig_bits_start, chunk.contig_bits_start + chunk.contig_bits, bit_off, bit_off + bits)) pcpu_chunk_refresh_hint(chunk);
}

/** Do [a, b) and [x, y) overlap? */
export const pcpu_region_overlap = (a: number, b: number, x: number, y: number): boolean => a < y && x < b;

/**
 * pcpu_block_update_hint_free: after [bit_off, bit_off + bits) was freed.
 * The extent of the whole free run comes from the block hints when the
 * freed area touches them, else from a scan bounded by the blocks. The
 * chunk is refreshed when the free makes a page or a block free or spans
 * blocks; otherwise it is offered the freed run (see the file header).
 */
export function pcpu_block_update_hint_free(chunk: BitmapChunk, bit_off: number, bits: number): void {
  const md = chunk.md_blocks;
  const s_index = pcpu_off_to_block_index(bit_off);
  const e_index = pcpu_off_to_block_index(bit_off + bits - 1);
  const s_off = pcpu_off_to_block_off(bit_off);
  const e_off = pcpu_off_to_block_off(bit_off + bits - 1) + 1;
  const s = s_index * MD_WORDS;
  const e = e_index * MD_WORDS;

  let start = s_off;
  if (s_off === md[s + MD_CONTIG_HINT]! + md[s + MD_CONTIG_HINT_START]!) {
    start = md[s + MD_CONTIG_HINT_START]!;
  } else {
    const base = s_index * BLOCK;
    const l_bit = find_last_bit_in(chunk.alloc_map, base, base + start);
    start = l_bit === base + start ? 0 : l_bit - base + 1;
  }

  let end: number;
  if (e_off === md[e + MD_CONTIG_HINT_START]) {
    end = md[e + MD_CONTIG_HINT_START]! + md[e + MD_CONTIG_HINT]!;
  } else {
    const base = e_index * BLOCK;
    end = find_next_bit(chunk.alloc_map, base + BLOCK, base + e_off) - base;
  }

  pcpu_block_update(chunk, s_index, start, s_index === e_index ? end : BLOCK);
  if (s_index !== e_index) {
    pcpu_block_update(chunk, e_index, 0, end);
    for (let i = s_index + 1; i < e_index; i++) pcpu_block_set_empty(md, i);
  }

  const alignedDown = end & -PAGE_OR_BLOCK_BITS;
  const alignedUp = (start + PAGE_OR_BLOCK_BITS - 1) & -PAGE_OR_BLOCK_BITS;
  if (alignedDown > alignedUp || s_index !== e_index) pcpu_chunk_refresh_hint(chunk);
  else pcpu_chunk_update(chunk, pcpu_block_off_to_off(s_index, start), end - start);
}
