// SPDX-License-Identifier: GPL-2.0-only
/*
 * Invariant checkers for the two chunk allocators: each rebuilds what the
 * hints and counters claim from the ground truth (the alloc map, or the
 * area map) and lists every disagreement, one line each, [] when all
 * hold. The invariants are stated in the headers of bitmap-chunk.ts and
 * area-chunk.ts. Cost: O(bits in the chunk), a debugging tool.
 */

import { bitmap_weight, find_next_bit, find_next_zero_bit, test_bit } from '../../lib/bitmap';
import { AreaChunk } from './area-chunk';
import { BitmapChunk } from './bitmap-chunk';
import { MD_CONTIG_HINT, MD_CONTIG_HINT_START, MD_FIRST_FREE, MD_LEFT_FREE, MD_RIGHT_FREE, MD_WORDS } from './bitmap-hints';
import { PAGE_SIZE, PCPU_BITMAP_BLOCK_BITS, PCPU_MIN_ALLOC_SHIFT, type PcpuChunk, type PcpuEmptyPages } from './percpu-internal';

const LIMIT = 40;

class Errors {
  readonly list: string[] = [];
  add(msg: string): void {
    if (this.list.length < LIMIT) this.list.push(msg);
  }
}

/** The served bit range [lo, hi) of a bitmap chunk. */
function servedBits(c: BitmapChunk): [number, number] {
  return [c.start_offset >>> PCPU_MIN_ALLOC_SHIFT, c.map_bits - (c.end_offset >>> PCPU_MIN_ALLOC_SHIFT)];
}

/** Free runs [start, end) of the alloc map inside [lo, hi). */
function freeRuns(map: Int32Array, lo: number, hi: number): [number, number][] {
  const runs: [number, number][] = [];
  for (let s = find_next_zero_bit(map, hi, lo); s < hi; ) {
    const e = find_next_bit(map, hi, s + 1);
    runs.push([s, e]);
    s = find_next_zero_bit(map, hi, e + 1);
  }
  return runs;
}

function checkBitmapAllocations(c: BitmapChunk, e: Errors): void {
  const [lo, hi] = servedBits(c);
  for (let b = 0; b < lo; b++) if (!test_bit(b, c.alloc_map)) e.add(`hidden head bit ${b} is clear`);
  for (let b = hi; b < c.map_bits; b++) if (!test_bit(b, c.alloc_map)) e.add(`hidden tail bit ${b} is clear`);
  let free = 0;
  for (let pos = lo; pos < hi; ) {
    if (!test_bit(pos, c.alloc_map)) {
      const next = find_next_bit(c.alloc_map, hi, pos);
      free += next - pos;
      pos = next;
      continue;
    }
    if (!test_bit(pos, c.bound_map)) e.add(`bit ${pos} is allocated but starts no allocation (bound bit clear)`);
    const end = find_next_bit(c.bound_map, c.map_bits + 1, pos + 1);
    const hole = find_next_zero_bit(c.alloc_map, end, pos);
    if (hole < end) e.add(`allocation at bit ${pos} (to ${end}) has a clear bit at ${hole}`);
    if (end > hi) e.add(`allocation at bit ${pos} runs to ${end}, past the region end ${hi}`);
    pos = Math.max(end, pos + 1);
  }
  if (free * 4 !== c.free_bytes) e.add(`free_bytes ${c.free_bytes} but the alloc map has ${free * 4} free bytes`);
}

function checkBlocks(c: BitmapChunk, e: Errors): number {
  let maxBlockHint = 0;
  const md = c.md_blocks;
  for (let i = 0; i < c.nr_blocks; i++) {
    const base = i * PCPU_BITMAP_BLOCK_BITS;
    const runs = freeRuns(c.alloc_map, base, base + PCPU_BITMAP_BLOCK_BITS).map(([s, t]) => [s - base, t - base] as const);
    const longest = runs.reduce((m, [s, t]) => Math.max(m, t - s), 0);
    const left = runs.length && runs[0]![0] === 0 ? runs[0]![1] : 0;
    const last = runs[runs.length - 1];
    const right = last && last[1] === PCPU_BITMAP_BLOCK_BITS ? last[1] - last[0] : 0;
    const firstFree = runs.length ? runs[0]![0] : PCPU_BITMAP_BLOCK_BITS;
    const b = i * MD_WORDS;
    const hint = md[b + MD_CONTIG_HINT]!;
    const start = md[b + MD_CONTIG_HINT_START]!;
    if (hint !== longest) e.add(`block ${i}: contig_hint ${hint}, longest free run ${longest}`);
    if (md[b + MD_LEFT_FREE] !== left) e.add(`block ${i}: left_free ${md[b + MD_LEFT_FREE]}, actual ${left}`);
    if (md[b + MD_RIGHT_FREE] !== right) e.add(`block ${i}: right_free ${md[b + MD_RIGHT_FREE]}, actual ${right}`);
    if (md[b + MD_FIRST_FREE]! > firstFree) e.add(`block ${i}: first_free ${md[b + MD_FIRST_FREE]} above the first free bit ${firstFree}`);
    if (hint && !runs.some(([s, t]) => s <= start && start + hint <= t)) e.add(`block ${i}: contig hint [${start}, +${hint}) is not free`);
    maxBlockHint = Math.max(maxBlockHint, hint);
  }
  return maxBlockHint;
}

function checkBitmapChunkHints(c: BitmapChunk, maxBlockHint: number, e: Errors): void {
  const [lo, hi] = servedBits(c);
  const runs = freeRuns(c.alloc_map, lo, hi);
  const longest = runs.reduce((m, [s, t]) => Math.max(m, t - s), 0);
  if (c.contig_bits > longest) e.add(`chunk contig_bits ${c.contig_bits} promises more than the longest free run ${longest}`);
  if (c.contig_bits < maxBlockHint) e.add(`chunk contig_bits ${c.contig_bits} below a block's contig_hint ${maxBlockHint}`);
  const s = c.contig_bits_start;
  if (c.contig_bits && !runs.some(([a, b]) => a <= s && s + c.contig_bits <= b)) e.add(`chunk contig hint [${s}, +${c.contig_bits}) is not free`);
  const first = runs.length ? runs[0]![0] : c.map_bits;
  if (c.first_bit > first) e.add(`first_bit ${c.first_bit} above the first free bit ${first}`);
}

/** Populated pages with no allocated byte (of the served region) on them. */
export function count_empty_pop_pages(c: PcpuChunk, isFree: (byte: number, len: number) => boolean): number {
  let n = 0;
  for (let p = 0; p < c.nr_pages; p++) {
    if (!test_bit(p, c.populated)) continue;
    const lo = Math.max(p * PAGE_SIZE, c.start_offset);
    const hi = Math.min((p + 1) * PAGE_SIZE, c.nr_pages * PAGE_SIZE - c.end_offset);
    if (lo === p * PAGE_SIZE && hi === (p + 1) * PAGE_SIZE && isFree(lo, hi - lo)) n++;
  }
  return n;
}

function checkPopulation(c: PcpuChunk, trueEmpty: number, exact: boolean, e: Errors): void {
  const weight = bitmap_weight(c.populated, c.nr_pages);
  if (weight !== c.nr_populated) e.add(`nr_populated ${c.nr_populated}, populated bitmap has ${weight}`);
  if (exact ? c.nr_empty_pop_pages !== trueEmpty : c.nr_empty_pop_pages < trueEmpty) {
    e.add(`nr_empty_pop_pages ${c.nr_empty_pop_pages}, ${trueEmpty} populated pages are empty`);
  }
  if (c.nr_empty_pop_pages > c.nr_populated) e.add(`nr_empty_pop_pages ${c.nr_empty_pop_pages} above nr_populated ${c.nr_populated}`);
}

export function check_bitmap_chunk(c: BitmapChunk): string[] {
  const e = new Errors();
  checkBitmapAllocations(c, e);
  checkBitmapChunkHints(c, checkBlocks(c, e), e);
  const empty = count_empty_pop_pages(c, bitmapFree(c));
  checkPopulation(c, empty, false, e);
  return e.list;
}

/**
 * Right after pcpu_chunk_refresh_hint the chunk's hints are exact, not
 * only bounded: contig_bits is the longest free run, and
 * nr_empty_pop_pages counts every populated page with nothing on it. The
 * walk over the block hints sees both: a block's contig_hint is its
 * longest run, and a metadata block is a page, so a free page is a free
 * block, which the walk gathers whole.
 */
export function check_bitmap_refreshed(c: BitmapChunk): string[] {
  const e = new Errors();
  const [lo, hi] = servedBits(c);
  const longest = freeRuns(c.alloc_map, lo, hi).reduce((m, [s, t]) => Math.max(m, t - s), 0);
  if (c.contig_bits !== longest) e.add(`after a refresh contig_bits is ${c.contig_bits}, the longest free run ${longest}`);
  checkPopulation(c, count_empty_pop_pages(c, bitmapFree(c)), true, e);
  return e.list;
}

/** Is [byte, byte + len) free in the alloc map? */
const bitmapFree =
  (c: BitmapChunk) =>
  (byte: number, len: number): boolean =>
    find_next_bit(c.alloc_map, (byte + len) >>> 2, byte >>> 2) >= (byte + len) >>> 2;

export function check_area_chunk(c: AreaChunk): string[] {
  const e = new Errors();
  const map = c.map;
  const end = c.nr_pages * PAGE_SIZE - c.end_offset;
  if (c.map_used + 1 > c.map_alloc) e.add(`map_used ${c.map_used} leaves no room for the sentinel in ${c.map_alloc} entries`);
  if (map[0]! & ~1) e.add(`map[0] = ${map[0]} does not start at offset 0`);
  if (map[c.map_used] !== (end | 1)) e.add(`sentinel map[${c.map_used}] = ${map[c.map_used]}, want ${end | 1}`);
  if (c.start_offset && (map[0] !== 1 || (map[1]! & ~1) !== c.start_offset)) e.add('the hidden head is not the first, in-use area');
  let free = 0;
  let longest = 0;
  let firstFreeIndex = c.map_used;
  for (let i = 0; i < c.map_used; i++) {
    const off = map[i]! & ~1;
    const next = map[i + 1]! & ~1;
    if (off & 1 || next <= off) e.add(`map[${i}..${i + 1}] = ${map[i]}, ${map[i + 1]}: not strictly increasing even offsets`);
    if (map[i]! & 1) continue;
    if (i > 0 && !(map[i - 1]! & 1)) e.add(`free areas ${i - 1} and ${i} are not merged`);
    free += next - off;
    longest = Math.max(longest, next - off);
    firstFreeIndex = Math.min(firstFreeIndex, i);
  }
  if (free !== c.free_size) e.add(`free_size ${c.free_size}, free areas add up to ${free}`);
  if (c.contig_hint < longest) e.add(`contig_hint ${c.contig_hint} below the largest free area ${longest}`);
  if (c.first_free > firstFreeIndex) e.add(`first_free ${c.first_free} above the first free area ${firstFreeIndex}`);
  const areaFree = (byte: number, len: number): boolean => {
    for (let i = 0; i < c.map_used; i++) {
      const lo = map[i]! & ~1;
      const hi = map[i + 1]! & ~1;
      if (map[i]! & 1 && lo < byte + len && hi > byte) return false;
    }
    return true;
  };
  checkPopulation(c, count_empty_pop_pages(c, areaFree), true, e);
  return e.list;
}

export function check_chunk(c: PcpuChunk): string[] {
  if (c instanceof BitmapChunk) return check_bitmap_chunk(c);
  if (c instanceof AreaChunk) return check_area_chunk(c);
  return [`unknown chunk kind ${c.kind}`];
}

/** The global empty-page count against the chunks that count in it. */
export function check_empty_pages(chunks: readonly PcpuChunk[], global: PcpuEmptyPages): string[] {
  const sum = chunks.filter((c) => !c.reserved).reduce((n, c) => n + c.nr_empty_pop_pages, 0);
  return sum === global.value ? [] : [`pcpu_nr_empty_pop_pages ${global.value}, chunks hold ${sum}`];
}
