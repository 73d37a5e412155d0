// SPDX-License-Identifier: GPL-2.0-only
/*
 * The bitmap chunk allocator (percpu_alloc_map=bitmap), as merged for
 * Linux v4.14 (Dennis Zhou, "percpu: replace area map allocator with
 * bitmap", commit 40064aeca35c, and the rest of the for-4.14 series).
 *
 * A chunk's unit is cut into PCPU_MIN_ALLOC_SIZE (4-byte) fragments, one
 * bit each:
 *
 *   alloc_map   1 = fragment in use. The truth.
 *   bound_map   one bit longer: an allocation of n bits at b sets bit b
 *               and bit b + n and clears those between. Kept only on
 *               allocation, so alloc_map[b] && bound_map[b] says exactly
 *               "an allocation starts at b", and free finds its size by
 *               the next set bound bit, without a size argument.
 *   md_blocks   one struct pcpu_block_md per PCPU_BITMAP_BLOCK_SIZE (one
 *               page, 1024 bits): the block hints of bitmap-hints.ts
 *               (v4.14's five: contig_hint, contig_hint_start, left_free,
 *               right_free, first_free; the scan_hint of the 2019 series
 *               is not here).
 *
 * Allocation (pcpu_find_block_fit, then pcpu_alloc_area): give up at
 * once if the chunk's contig hint, aligned, cannot hold the request;
 * otherwise walk the blocks from first_bit asking their hints for a fit
 * (pcpu_for_each_fit_region), and scan the bitmap only from there, at
 * most one block beyond the request. Poor alignment can make it skip a
 * free run that would fit (the block's hint is checked at the hint's own
 * alignment): not quite first fit, by design.
 *
 * Free (pcpu_free_area): the bound map gives the size, the alloc map is
 * cleared, the hints are mended from the block hints or a scan bounded
 * by the blocks; no memmove.
 *
 * Invariants (checked by check_bitmap_chunk, check.ts):
 *   - free_bytes = 4 x (clear bits of alloc_map inside the region);
 *   - every allocation start has its bound bit, and no bound bit is set
 *     strictly inside an allocation;
 *   - each block's contig_hint, left_free, right_free equal a rescan;
 *     [contig_hint_start, + contig_hint) is free; first_free is at or
 *     below the first free bit;
 *   - the chunk's [contig_bits_start, + contig_bits) is free, and
 *     contig_bits lies between every block's contig_hint and the largest
 *     free run (exact after allocation; it may lag after a free: "by up
 *     to the smaller of a page or a block", the commit says);
 *   - first_bit is at or below the first free bit;
 *   - nr_empty_pop_pages >= the populated pages with nothing allocated:
 *     v4.14 recounts them only when it refreshes the chunk hint (every
 *     free that empties a page does), so an allocation into an empty
 *     page that leaves the chunk hint alone is counted later.
 *
 * Metadata (pcpu_alloc_chunk): the struct with its populated[] bitmap,
 * alloc_map (BITS_TO_LONGS(bits) longs), bound_map (BITS_TO_LONGS(bits
 * + 1) longs) and md_blocks (20 bytes each) come from the
 * PcpuMetaAllocator in those sizes; the struct size is
 * PCPU_CHUNK_STRUCT_SIZE_4_14. The bitmaps, the blocks and populated[]
 * live in what it returns; the struct's scalar fields (free_bytes, the
 * chunk hints...) are still object properties, charged but not stored
 * there.
 */

import { bitmap_clear, bitmap_find_next_zero_area, bitmap_set, BITS_TO_LONG_BYTES, find_last_bit_in, find_next_bit, find_next_zero_bit, set_bit, test_bit } from '../../lib/bitmap';
import {
  MD_CONTIG_HINT,
  MD_LEFT_FREE,
  MD_RIGHT_FREE,
  MD_WORDS,
  pcpu_block_update_hint_alloc,
  pcpu_block_update_hint_free,
  pcpu_cnt_pop_pages,
  pcpu_next_fit_region,
  pcpu_next_unpop,
  type BitRegion,
} from './bitmap-hints';
import {
  pcpu_chunk_relocate,
  pcpu_work,
  PAGE_SHIFT,
  PAGE_SIZE,
  PCPU_BITMAP_BLOCK_BITS,
  PCPU_BITS_PER_PAGE,
  PCPU_MIN_ALLOC_SHIFT,
  PCPU_MIN_ALLOC_SIZE,
  pcpu_request_align,
  pcpu_request_size,
  pcpu_request_warning,
  pcpu_size_to_slot,
  pcpu_warn,
  type PcpuChunk,
  type PcpuChunkOptions,
  type PcpuChunkStats,
  type PcpuEmptyPages,
  type PcpuMetaAllocator,
  type PcpuMetaBytes,
  type PcpuRelocate,
} from './percpu-internal';
import type { Printk } from '../../printk';

/**
 * sizeof(struct pcpu_chunk) in v4.14 on a 64-bit kernel with
 * CONFIG_PERCPU_STATS (mm/percpu-internal.h), derived from its fields:
 * nr_alloc, max_alloc_size, list, free_bytes, contig_bits,
 * contig_bits_start, base_addr, alloc_map, bound_map, md_blocks, data,
 * first_bit, immutable, start_offset, end_offset, nr_pages,
 * nr_populated, nr_empty_pop_pages, then populated[].
 */
export const PCPU_CHUNK_STRUCT_SIZE_4_14 = 120;
const MD_BYTES = MD_WORDS * 4;

export class BitmapChunk implements PcpuChunk {
  readonly kind = 'bitmap';
  readonly min_alloc_size = PCPU_MIN_ALLOC_SIZE;
  readonly nr_pages: number;
  readonly start_offset: number;
  readonly end_offset: number;
  readonly reserved: boolean;
  readonly unit_size: number;
  readonly map_bits: number;
  readonly nr_blocks: number;

  free_bytes: number;
  contig_bits: number;
  contig_bits_start = 0;
  first_bit = 0;
  nr_populated = 0;
  nr_empty_pop_pages = 0;
  nr_alloc = 0;
  max_alloc_size = 0;
  relocate: PcpuRelocate | null = null;
  /** The iterators' (bit_off, bits) pairs, reused: the allocator makes no garbage per call. */
  readonly scratch: Record<'fit' | 'pop', BitRegion> = {
    fit: { bit_off: 0, bits: 0 },
    pop: { bit_off: 0, bits: 0 },
  };

  readonly header: Int32Array;
  readonly populated: Int32Array;
  readonly alloc_map: Int32Array;
  readonly bound_map: Int32Array;
  readonly md_blocks: Int32Array;

  private readonly meta: PcpuMetaAllocator;
  private readonly printk: Printk;
  private readonly emptyPages: PcpuEmptyPages | undefined;
  /** During construction the global count is set once at the end, as pcpu_setup_first_chunk does. */
  private counting = false;

  private constructor(o: PcpuChunkOptions, mem: Int32Array[]) {
    const [header, alloc_map, bound_map, md_blocks] = mem as [Int32Array, Int32Array, Int32Array, Int32Array];
    this.nr_pages = o.nr_pages;
    this.start_offset = o.start_offset ?? 0;
    this.end_offset = o.end_offset ?? 0;
    this.reserved = o.reserved ?? false;
    this.unit_size = o.unit_size ?? o.nr_pages * PAGE_SIZE;
    this.map_bits = o.nr_pages * PCPU_BITS_PER_PAGE;
    this.nr_blocks = this.map_bits / PCPU_BITMAP_BLOCK_BITS;
    this.meta = o.meta;
    this.printk = o.printk;
    this.emptyPages = o.emptyPages;
    this.header = header;
    this.populated = header.subarray(PCPU_CHUNK_STRUCT_SIZE_4_14 >>> 2);
    this.alloc_map = alloc_map;
    this.bound_map = bound_map;
    this.md_blocks = md_blocks;
    const map_size = this.nr_pages * PAGE_SIZE - this.start_offset - this.end_offset;
    this.free_bytes = map_size;
    this.contig_bits = map_size >>> PCPU_MIN_ALLOC_SHIFT;
    pcpu_init_md_blocks(this);
    if (o.populated) {
      bitmap_set(this.populated, 0, this.nr_pages);
      this.nr_populated = this.nr_pages;
      this.nr_empty_pop_pages = pcpu_cnt_pop_pages(this, this.start_offset >>> PCPU_MIN_ALLOC_SHIFT, map_size >>> PCPU_MIN_ALLOC_SHIFT);
    }
    this.hideRegions();
    this.counting = true;
    if (!this.reserved && this.emptyPages) this.emptyPages.value += this.nr_empty_pop_pages;
  }

  /**
   * pcpu_alloc_chunk / pcpu_alloc_first_chunk: null (everything given
   * back) when a metadata allocation fails.
   */
  static create(o: PcpuChunkOptions): BitmapChunk | null {
    const start = o.start_offset ?? 0;
    const end = o.end_offset ?? 0;
    if (o.nr_pages <= 0 || start % PCPU_MIN_ALLOC_SIZE || end % PCPU_MIN_ALLOC_SIZE || start + end >= o.nr_pages * PAGE_SIZE) {
      throw new RangeError(`percpu: bad chunk geometry: ${o.nr_pages} pages, start_offset ${start}, end_offset ${end}`);
    }
    const bits = o.nr_pages * PCPU_BITS_PER_PAGE;
    const sizes = [
      PCPU_CHUNK_STRUCT_SIZE_4_14 + BITS_TO_LONG_BYTES(o.nr_pages),
      BITS_TO_LONG_BYTES(bits),
      BITS_TO_LONG_BYTES(bits + 1),
      (bits / PCPU_BITMAP_BLOCK_BITS) * MD_BYTES,
    ];
    const mem: Int32Array[] = [];
    for (const bytes of sizes) {
      const m = o.meta.zalloc(bytes);
      if (!m) {
        for (const got of mem.reverse()) o.meta.free(got);
        return null;
      }
      mem.push(m);
    }
    return new BitmapChunk(o, mem);
  }

  /** The hidden head and tail of a first chunk, allocated as pcpu_alloc_first_chunk does. */
  private hideRegions(): void {
    if (this.start_offset) {
      const offset_bits = this.start_offset >>> PCPU_MIN_ALLOC_SHIFT;
      bitmap_set(this.alloc_map, 0, offset_bits);
      set_bit(0, this.bound_map);
      set_bit(offset_bits, this.bound_map);
      this.first_bit = offset_bits;
      pcpu_block_update_hint_alloc(this, 0, offset_bits);
    }
    if (this.end_offset) {
      const offset_bits = this.end_offset >>> PCPU_MIN_ALLOC_SHIFT;
      bitmap_set(this.alloc_map, this.map_bits - offset_bits, offset_bits);
      set_bit(this.map_bits - offset_bits, this.bound_map);
      set_bit(this.map_bits, this.bound_map);
      pcpu_block_update_hint_alloc(this, this.map_bits - offset_bits, offset_bits);
    }
  }

  /** pcpu_chunk_refresh_hint's last step: the new count, the global one moved by the difference. */
  setEmptyPopPages(n: number): void {
    if (this.counting && !this.reserved && this.emptyPages) this.emptyPages.value += n - this.nr_empty_pop_pages;
    this.nr_empty_pop_pages = n;
  }

  alloc(size: number, align: number, popOnly = false): number {
    size = pcpu_request_size(size, PCPU_MIN_ALLOC_SIZE);
    align = pcpu_request_align(align, PCPU_MIN_ALLOC_SIZE);
    const warning = pcpu_request_warning(size, align);
    if (warning) {
      pcpu_warn(this.printk, 'pcpu_alloc', warning);
      return -1;
    }
    const bits = size >>> PCPU_MIN_ALLOC_SHIFT;
    const bit_align = align >>> PCPU_MIN_ALLOC_SHIFT;
    const start = pcpu_find_block_fit(this, bits, bit_align, popOnly);
    if (start < 0) return -1;
    const off = pcpu_alloc_area(this, bits, bit_align, start);
    if (off >= 0) {
      this.nr_alloc++;
      this.max_alloc_size = Math.max(this.max_alloc_size, size);
    }
    return off;
  }

  free(off: number): boolean {
    if (!this.isAllocStart(off)) {
      pcpu_warn(this.printk, 'pcpu_free_area', `percpu: free of offset ${off}: no allocation starts there in this chunk`);
      return false;
    }
    pcpu_free_area(this, off);
    this.nr_alloc--;
    return true;
  }

  /** Does an allocation start at off? In use with its bound bit set says exactly that. */
  private isAllocStart(off: number): boolean {
    // (off & ~3) === off: an int32 on the 4-byte grain (no fraction, NaN or huge value gets through).
    if ((off & ~(PCPU_MIN_ALLOC_SIZE - 1)) !== off || off < this.start_offset || off >= this.nr_pages * PAGE_SIZE - this.end_offset) return false;
    const bit_off = off >>> PCPU_MIN_ALLOC_SHIFT;
    return test_bit(bit_off, this.alloc_map) && test_bit(bit_off, this.bound_map);
  }

  sizeAt(off: number): number {
    if (!this.isAllocStart(off)) return 0;
    const bit_off = off >>> PCPU_MIN_ALLOC_SHIFT;
    return (find_next_bit(this.bound_map, this.map_bits + 1, bit_off + 1) - bit_off) * PCPU_MIN_ALLOC_SIZE;
  }

  /** pcpu_chunk_slot (v4.14: by free bytes; slot 0 when nothing fits). */
  slot(): number {
    if (this.free_bytes < PCPU_MIN_ALLOC_SIZE || this.contig_bits === 0) return 0;
    return pcpu_size_to_slot(this.free_bytes, this.unit_size);
  }

  freeBytes(): number {
    return this.free_bytes;
  }

  contigBytes(): number {
    return this.contig_bits * PCPU_MIN_ALLOC_SIZE;
  }

  isEmpty(): boolean {
    return this.free_bytes === this.nr_pages * PAGE_SIZE - this.start_offset - this.end_offset;
  }

  pcpu_chunk_populated(rs: number, re: number, forAlloc: boolean): void {
    const nr = re - rs;
    bitmap_set(this.populated, rs, nr);
    this.nr_populated += nr;
    if (!forAlloc) {
      this.nr_empty_pop_pages += nr;
      if (!this.reserved && this.emptyPages) this.emptyPages.value += nr;
    }
  }

  pcpu_chunk_depopulated(rs: number, re: number): void {
    const nr = re - rs;
    bitmap_clear(this.populated, rs, nr);
    this.nr_populated -= nr;
    this.nr_empty_pop_pages -= nr;
    if (!this.reserved && this.emptyPages) this.emptyPages.value -= nr;
  }

  /**
   * chunk_map_stats' walk (v4.14 mm/percpu-stats.c): allocations by the
   * bound map, free runs by the alloc map, up to the last allocation.
   * As there, the search for the last allocated bit stops one bit short
   * of the region's end.
   */
  stats(): PcpuChunkStats {
    const fragments: number[] = [];
    const limit = this.map_bits - (this.end_offset >>> PCPU_MIN_ALLOC_SHIFT) - 1;
    const last_bit = find_last_bit_in(this.alloc_map, 0, limit);
    const last_alloc = test_bit(last_bit, this.alloc_map) ? last_bit + 1 : 0;
    for (let start = this.start_offset >>> PCPU_MIN_ALLOC_SHIFT; start < last_alloc; ) {
      const used = test_bit(start, this.alloc_map);
      const end = find_next_bit(used ? this.bound_map : this.alloc_map, last_alloc, start + 1);
      fragments.push((used ? 1 : -1) * (end - start) * PCPU_MIN_ALLOC_SIZE);
      start = end;
    }
    return {
      nr_alloc: this.nr_alloc,
      max_alloc_size: this.max_alloc_size,
      empty_pop_pages: this.nr_empty_pop_pages,
      first_free: this.first_bit,
      free_bytes: this.free_bytes,
      contig_bytes: this.contigBytes(),
      fragments,
    };
  }

  metaBytes(): PcpuMetaBytes {
    const chunk = this.header.byteLength;
    const bitmaps = this.alloc_map.byteLength + this.bound_map.byteLength;
    const blocks = this.md_blocks.byteLength;
    return { chunk, bitmaps, blocks, map: 0, total: chunk + bitmaps + blocks };
  }

  destroy(): void {
    for (const m of [this.md_blocks, this.bound_map, this.alloc_map, this.header]) this.meta.free(m);
  }
}

/** pcpu_init_md_blocks: every block entirely free. */
function pcpu_init_md_blocks(chunk: BitmapChunk): void {
  const md = chunk.md_blocks;
  for (let b = 0; b < md.length; b += MD_WORDS) {
    md[b + MD_CONTIG_HINT] = md[b + MD_LEFT_FREE] = md[b + MD_RIGHT_FREE] = PCPU_BITMAP_BLOCK_BITS;
  }
}

/**
 * pcpu_is_populated: are the pages under [bit_off, bit_off + bits) all
 * populated? If not, r.bit_off moves past the first unpopulated run.
 */
function pcpu_is_populated(chunk: BitmapChunk, r: BitRegion): boolean {
  const page_start = (r.bit_off * PCPU_MIN_ALLOC_SIZE) >>> PAGE_SHIFT;
  const page_end = Math.ceil(((r.bit_off + r.bits) * PCPU_MIN_ALLOC_SIZE) / PAGE_SIZE);
  const u = chunk.scratch.pop;
  u.bit_off = page_start;
  u.bits = 0;
  pcpu_next_unpop(chunk.populated, u, page_end);
  if (u.bit_off >= page_end) return true;
  r.bit_off = ((u.bit_off + u.bits) * PAGE_SIZE) / PCPU_MIN_ALLOC_SIZE;
  return false;
}

/**
 * pcpu_find_block_fit: the bit offset to start scanning from for
 * alloc_bits aligned to `align` bits, or -1. Gives up at once when the
 * chunk hint, aligned, is too small: no scan under memory pressure.
 */
export function pcpu_find_block_fit(chunk: BitmapChunk, alloc_bits: number, align: number, pop_only: boolean): number {
  const mask = align - 1;
  const head = ((chunk.contig_bits_start + mask) & ~mask) - chunk.contig_bits_start;
  if (head + alloc_bits > chunk.contig_bits) return -1;
  const r = chunk.scratch.fit;
  r.bit_off = chunk.first_bit;
  r.bits = 0;
  for (pcpu_next_fit_region(chunk, alloc_bits, align, r); r.bit_off < chunk.map_bits; r.bit_off += r.bits, pcpu_next_fit_region(chunk, alloc_bits, align, r)) {
    if (!pop_only || pcpu_is_populated(chunk, r)) break;
    r.bits = 0;
  }
  return r.bit_off === chunk.map_bits ? -1 : r.bit_off;
}

/**
 * pcpu_alloc_area: scan from `start` (at most a block past the request)
 * for alloc_bits clear bits aligned to `align`; mark them and their
 * bounds, mend the hints. @returns the byte offset, or -1.
 */
export function pcpu_alloc_area(chunk: BitmapChunk, alloc_bits: number, align: number, start: number): number {
  const oslot = chunk.slot();
  const end = Math.min(start + alloc_bits + PCPU_BITMAP_BLOCK_BITS, chunk.map_bits);
  const bit_off = bitmap_find_next_zero_area(chunk.alloc_map, end, start, alloc_bits, align - 1);
  // The scan up to the area, then the area in the allocation and boundary maps.
  pcpu_work.words += ((Math.min(bit_off, end) - start) >>> 5) + 1 + 3 * ((alloc_bits >>> 5) + 1);
  if (bit_off >= end) return -1;

  bitmap_set(chunk.alloc_map, bit_off, alloc_bits);
  set_bit(bit_off, chunk.bound_map);
  bitmap_clear(chunk.bound_map, bit_off + 1, alloc_bits - 1);
  set_bit(bit_off + alloc_bits, chunk.bound_map);

  chunk.free_bytes -= alloc_bits * PCPU_MIN_ALLOC_SIZE;
  if (bit_off === chunk.first_bit) chunk.first_bit = find_next_zero_bit(chunk.alloc_map, chunk.map_bits, bit_off + alloc_bits);

  pcpu_block_update_hint_alloc(chunk, bit_off, alloc_bits);
  if (chunk.slot() !== oslot) pcpu_chunk_relocate(chunk, oslot);
  return bit_off * PCPU_MIN_ALLOC_SIZE;
}

/** pcpu_free_area: the size from the bound map, clear, mend the hints. */
export function pcpu_free_area(chunk: BitmapChunk, off: number): void {
  const oslot = chunk.slot();
  const bit_off = off >>> PCPU_MIN_ALLOC_SHIFT;
  const end = find_next_bit(chunk.bound_map, chunk.map_bits, bit_off + 1);
  const bits = end - bit_off;
  pcpu_work.words += 2 * ((bits >>> 5) + 1); // the bound map searched, the allocation map cleared
  bitmap_clear(chunk.alloc_map, bit_off, bits);
  chunk.free_bytes += bits * PCPU_MIN_ALLOC_SIZE;
  chunk.first_bit = Math.min(chunk.first_bit, bit_off);
  pcpu_block_update_hint_free(chunk, bit_off, bits);
  if (chunk.slot() !== oslot) pcpu_chunk_relocate(chunk, oslot);
}
