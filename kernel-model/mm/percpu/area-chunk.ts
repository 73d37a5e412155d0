// SPDX-License-Identifier: GPL-2.0-only
/*
 * The area map chunk allocator (percpu_alloc_map=area): mm/percpu.c as it
 * was up to Linux v4.13, the allocator the bitmap one replaced.
 *
 * A chunk's state is one sorted array of ints, chunk->map: entry i is the
 * offset where area i starts, with bit 0 set when the area is in use
 * (offsets are even: requests are rounded to 2 bytes and aligned to at
 * least 2). Area i ends where entry i + 1 starts; entry map_used is a
 * sentinel, the end of the region, marked in use.
 *
 * Allocation (pcpu_alloc_area) walks the map from first_free, the index
 * below which no area is free, and takes the first free area where the
 * aligned request fits (pcpu_fit_in_area; for atomic requests, only its
 * populated part). Splitting the area inserts a head and/or a tail entry
 * with a memmove of the rest of the map. A head shorter than an int, or
 * any head after a free area, joins the area before; a tail shorter than
 * an int stays in the allocation. Free (pcpu_free_area) finds the entry
 * by binary search, clears its bit and merges with free neighbours, a
 * memmove again: the O(number of areas) cost of every free that the
 * bitmap allocator's commit measured ("freeing took nearly 5 seconds for
 * 1 million 4-byte objects").
 *
 * Before an allocation the map must have room for the split: non-atomic
 * requests grow it (pcpu_need_to_extend, pcpu_extend_area_map) to
 * PCPU_DFL_MAP_ALLOC = 16 entries doubled until PCPU_ATOMIC_MAP_MARGIN_HIGH
 * = 64 spare ones; atomic requests need 3 and skip the chunk otherwise
 * (v4.13 then queued an asynchronous extension; not modelled).
 *
 * Invariants (check_area_chunk, check.ts): entries strictly increasing,
 * even apart from the in-use bit, from 0 to the sentinel; no two free
 * areas side by side (free merges them); free_size = the sum of free
 * areas; contig_hint >= the largest free area (an upper bound here, the
 * opposite of the bitmap allocator's hint); first_free <= the first free
 * area's index; map_used + 1 <= map_alloc.
 *
 * Empty pages: v4.13 returned the pages an area newly occupies or frees
 * (pcpu_count_occupied_pages) and pcpu_alloc/free_percpu moved the global
 * count, after pcpu_chunk_populated had added every page it populated.
 * Here the chunk keeps its own count (v4.13 had none; percpu_stats needs
 * it) and counts only populated pages among them, so both allocators
 * follow one population protocol: v4.14's, where pages populated for an
 * allocation are not counted empty. The totals are the same.
 *
 * Metadata: struct pcpu_chunk with populated[] (PCPU_CHUNK_STRUCT_SIZE_4_13
 * bytes plus the bitmap) and the map (map_alloc ints), both from the
 * PcpuMetaAllocator; growing the map allocates the new one, copies and
 * frees the old, as pcpu_extend_area_map does. The map and populated[]
 * live in what it returns; the struct's scalar fields are still object
 * properties, charged but not stored there.
 */

import { bitmap_clear, bitmap_set, bitmap_weight, BITS_TO_LONG_BYTES, find_next_bit, find_next_zero_bit } from '../../lib/bitmap';
import type { Printk } from '../../printk';
import {
  PAGE_SHIFT,
  PAGE_SIZE,
  PCPU_ENOMEM,
  pcpu_request_align,
  pcpu_request_size,
  pcpu_request_warning,
  pcpu_chunk_relocate,
  pcpu_work,
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

/** Start a map with 16 entries. */
export const PCPU_DFL_MAP_ALLOC = 16;
/** The first chunk's map (percpu_init_late: PERCPU_DYNAMIC_EARLY_SLOTS). */
export const PERCPU_DYNAMIC_EARLY_SLOTS = 128;
export const PCPU_ATOMIC_MAP_MARGIN_LOW = 32;
export const PCPU_ATOMIC_MAP_MARGIN_HIGH = 64;
/** The area map's granule: bit 0 of each entry is the in-use flag. */
export const PCPU_AREA_GRANULE = 2;
/** sizeof(int): heads and tails smaller than this are not split off. */
const SIZEOF_INT = 4;

/**
 * sizeof(struct pcpu_chunk) in v4.13 on a 64-bit kernel with
 * CONFIG_PERCPU_STATS (mm/percpu-internal.h), derived from its fields:
 * nr_alloc, max_alloc_size, list, free_size, contig_hint, base_addr,
 * map_used, map_alloc, map, map_extend_list, data, first_free,
 * immutable, has_reserved, nr_populated, then populated[].
 */
export const PCPU_CHUNK_STRUCT_SIZE_4_13 = 104;

export class AreaChunk implements PcpuChunk {
  readonly kind = 'area';
  readonly min_alloc_size = PCPU_AREA_GRANULE;
  readonly nr_pages: number;
  readonly start_offset: number;
  readonly end_offset: number;
  readonly reserved: boolean;
  readonly unit_size: number;

  free_size: number;
  contig_hint: number;
  first_free = 0;
  map_used: number;
  map_alloc: number;
  map: Int32Array;
  nr_populated = 0;
  nr_empty_pop_pages = 0;
  nr_alloc = 0;
  max_alloc_size = 0;
  relocate: PcpuRelocate | null = null;

  readonly header: Int32Array;
  readonly populated: Int32Array;
  private readonly meta: PcpuMetaAllocator;
  private readonly printk: Printk;
  private readonly emptyPages: PcpuEmptyPages | undefined;

  private constructor(o: PcpuChunkOptions, header: Int32Array, map: Int32Array) {
    this.nr_pages = o.nr_pages;
    this.start_offset = o.start_offset ?? 0;
    this.end_offset = o.end_offset ?? 0;
    this.reserved = o.reserved ?? false;
    this.unit_size = o.unit_size ?? o.nr_pages * PAGE_SIZE;
    this.meta = o.meta;
    this.printk = o.printk;
    this.emptyPages = o.emptyPages;
    this.header = header;
    this.populated = header.subarray(PCPU_CHUNK_STRUCT_SIZE_4_13 >>> 2);
    this.map = map;
    this.map_alloc = map.length;
    const end = this.nr_pages * PAGE_SIZE - this.end_offset;
    this.free_size = this.contig_hint = end - this.start_offset;
    // As pcpu_setup_first_chunk lays out dchunk: a used head, the free
    // region, the sentinel at its end.
    if (this.start_offset) {
      map.set([1, this.start_offset, end | 1]);
      this.map_used = 2;
    } else {
      map.set([0, end | 1]);
      this.map_used = 1;
    }
    if (o.populated) {
      bitmap_set(this.populated, 0, this.nr_pages);
      this.nr_populated = this.nr_pages;
      this.nr_empty_pop_pages = Math.max(0, (end >>> PAGE_SHIFT) - Math.ceil(this.start_offset / PAGE_SIZE));
      if (!this.reserved && this.emptyPages) this.emptyPages.value += this.nr_empty_pop_pages;
    }
  }

  /** pcpu_alloc_chunk (or the first chunk after percpu_init_late): null when metadata fails. */
  static create(o: PcpuChunkOptions): AreaChunk | null {
    const start = o.start_offset ?? 0;
    const end = o.end_offset ?? 0;
    if (o.nr_pages <= 0 || start % PCPU_AREA_GRANULE || end % PCPU_AREA_GRANULE || start + end >= o.nr_pages * PAGE_SIZE) {
      throw new RangeError(`percpu: bad chunk geometry: ${o.nr_pages} pages, start_offset ${start}, end_offset ${end}`);
    }
    const header = o.meta.zalloc(PCPU_CHUNK_STRUCT_SIZE_4_13 + BITS_TO_LONG_BYTES(o.nr_pages));
    if (!header) return null;
    const entries = o.populated ? PERCPU_DYNAMIC_EARLY_SLOTS : PCPU_DFL_MAP_ALLOC;
    const map = o.meta.zalloc(entries * 4);
    if (!map) {
      o.meta.free(header);
      return null;
    }
    return new AreaChunk(o, header, map);
  }

  alloc(size: number, align: number, popOnly = false): number {
    size = pcpu_request_size(size, PCPU_AREA_GRANULE);
    align = pcpu_request_align(align, PCPU_AREA_GRANULE);
    const warning = pcpu_request_warning(size, align);
    if (warning) {
      pcpu_warn(this.printk, 'pcpu_alloc', warning);
      return -1;
    }
    if (size > this.contig_hint) return -1;
    const new_alloc = pcpu_need_to_extend(this, popOnly);
    if (new_alloc) {
      if (popOnly) return -1;
      if (!pcpu_extend_area_map(this, new_alloc, this.meta)) return PCPU_ENOMEM;
    }
    const got = pcpu_alloc_area(this, size, align, popOnly);
    if (got.off < 0) return -1;
    this.moveEmptyPages(-got.occ_pages);
    this.nr_alloc++;
    this.max_alloc_size = Math.max(this.max_alloc_size, size);
    return got.off;
  }

  free(off: number): boolean {
    if (pcpu_find_area(this, off) < 0) {
      pcpu_warn(this.printk, 'pcpu_free_area', `percpu: free of offset ${off}: no allocation starts there in this chunk`);
      return false;
    }
    this.moveEmptyPages(pcpu_free_area(this, off));
    this.nr_alloc--;
    return true;
  }

  private moveEmptyPages(delta: number): void {
    this.nr_empty_pop_pages += delta;
    if (!this.reserved && this.emptyPages) this.emptyPages.value += delta;
  }

  sizeAt(off: number): number {
    const i = pcpu_find_area(this, off);
    return i < 0 ? 0 : (this.map[i + 1]! & ~1) - off;
  }

  /** pcpu_chunk_slot (v4.13: by free_size). */
  slot(): number {
    if (this.free_size < SIZEOF_INT || this.contig_hint < SIZEOF_INT) return 0;
    return pcpu_size_to_slot(this.free_size, this.unit_size);
  }

  freeBytes(): number {
    return this.free_size;
  }

  contigBytes(): number {
    return this.contig_hint;
  }

  isEmpty(): boolean {
    return this.free_size === this.nr_pages * PAGE_SIZE - this.end_offset - this.start_offset;
  }

  pcpu_chunk_populated(rs: number, re: number, forAlloc: boolean): void {
    bitmap_set(this.populated, rs, re - rs);
    this.nr_populated += re - rs;
    if (!forAlloc) this.moveEmptyPages(re - rs);
  }

  pcpu_chunk_depopulated(rs: number, re: number): void {
    bitmap_clear(this.populated, rs, re - rs);
    this.nr_populated -= re - rs;
    this.moveEmptyPages(-(re - rs));
  }

  /** chunk_map_stats of v4.13: one fragment per map entry, from the region start to the last allocation. */
  stats(): PcpuChunkStats {
    const fragments: number[] = [];
    const s_index = this.start_offset ? 1 : 0;
    let last_alloc = -1;
    for (let i = this.map_used - 1; i >= s_index; i--) {
      if (this.map[i]! & 1) {
        last_alloc = i;
        break;
      }
    }
    for (let i = s_index; i <= last_alloc; i++) {
      const size = (this.map[i + 1]! & ~1) - (this.map[i]! & ~1);
      fragments.push(this.map[i]! & 1 ? size : -size);
    }
    return {
      nr_alloc: this.nr_alloc,
      max_alloc_size: this.max_alloc_size,
      empty_pop_pages: this.nr_empty_pop_pages,
      first_free: this.first_free,
      free_bytes: this.free_size,
      contig_bytes: this.contig_hint,
      fragments,
    };
  }

  metaBytes(): PcpuMetaBytes {
    const chunk = this.header.byteLength;
    const map = this.map.byteLength;
    return { chunk, bitmaps: 0, blocks: 0, map, total: chunk + map };
  }

  destroy(): void {
    this.meta.free(this.map);
    this.meta.free(this.header);
  }
}

/** Index of the in-use entry starting at off (free_percpu's binary search), or -1. */
export function pcpu_find_area(chunk: AreaChunk, off: number): number {
  if (!Number.isInteger(off) || off & 1 || off < chunk.start_offset) return -1;
  const want = off | 1;
  let i = 0;
  let j = chunk.map_used;
  while (i !== j) {
    pcpu_work.words++;
    const k = (i + j) >>> 1;
    const v = chunk.map[k]!;
    if (v < want) i = k + 1;
    else if (v > want) j = k;
    else return k;
  }
  return -1;
}

/** pcpu_need_to_extend: the new map length needed before an allocation, or 0. */
export function pcpu_need_to_extend(chunk: AreaChunk, is_atomic: boolean): number {
  const margin = is_atomic ? 3 : PCPU_ATOMIC_MAP_MARGIN_HIGH;
  if (chunk.map_alloc >= chunk.map_used + margin) return 0;
  let new_alloc = PCPU_DFL_MAP_ALLOC;
  while (new_alloc < chunk.map_used + margin) new_alloc *= 2;
  return new_alloc;
}

/** pcpu_extend_area_map: a new map of new_alloc entries, the old copied and freed. false on ENOMEM. */
export function pcpu_extend_area_map(chunk: AreaChunk, new_alloc: number, meta: PcpuMetaAllocator): boolean {
  const fresh = meta.zalloc(new_alloc * 4);
  if (!fresh) return false;
  fresh.set(chunk.map.subarray(0, chunk.map_alloc));
  meta.free(chunk.map);
  chunk.map = fresh;
  chunk.map_alloc = new_alloc;
  return true;
}

/**
 * pcpu_fit_in_area: bytes of padding after off at which size bytes
 * aligned to align fit in the free area [off, off + this_size), or -1;
 * with pop_only, past any unpopulated pages.
 */
function pcpu_fit_in_area(chunk: AreaChunk, off: number, this_size: number, size: number, align: number, pop_only: boolean): number {
  let cand_off = off;
  for (;;) {
    const head = Math.ceil(cand_off / align) * align - off;
    if (this_size < head + size) return -1;
    if (!pop_only) return head;
    const page_start = (head + off) >>> PAGE_SHIFT;
    const page_end = Math.ceil((head + off + size) / PAGE_SIZE);
    const rs = find_next_zero_bit(chunk.populated, Math.ceil((off + this_size) / PAGE_SIZE), page_start);
    if (rs >= page_end) return head;
    cand_off = find_next_bit(chunk.populated, Math.ceil((off + this_size) / PAGE_SIZE), rs + 1) * PAGE_SIZE;
  }
}

/**
 * pcpu_count_occupied_pages: the populated pages area i covers, widened
 * to a whole page at either end when the neighbour area is free over
 * the rest of that page.
 */
function pcpu_count_occupied_pages(chunk: AreaChunk, i: number): number {
  const map = chunk.map;
  let off = map[i]! & ~1;
  let end = map[i + 1]! & ~1;
  if (off % PAGE_SIZE && i > 0) {
    const prev = map[i - 1]!;
    if (!(prev & 1) && prev <= off - (off % PAGE_SIZE)) off -= off % PAGE_SIZE;
  }
  if (end % PAGE_SIZE && i + 1 < chunk.map_used) {
    const next = map[i + 1]!;
    const nend = map[i + 2]! & ~1;
    const up = end - (end % PAGE_SIZE) + PAGE_SIZE;
    if (!(next & 1) && nend >= up) end = up;
  }
  const ps = Math.ceil(off / PAGE_SIZE);
  const pe = end >>> PAGE_SHIFT;
  if (pe <= ps) return 0;
  return bitmap_weight(chunk.populated, pe) - bitmap_weight(chunk.populated, ps);
}

/**
 * pcpu_alloc_area: first fit from first_free. The map has room for two
 * more entries (pcpu_need_to_extend). @returns the offset (or -1) and the
 * populated pages the allocation took out of the empty ones.
 */
export function pcpu_alloc_area(chunk: AreaChunk, size: number, align: number, pop_only: boolean): { off: number; occ_pages: number } {
  const map = chunk.map;
  const oslot = chunk.slot();
  let max_contig = 0;
  let seen_free = false;
  for (let i = chunk.first_free; i < chunk.map_used; i++) {
    pcpu_work.words++;
    let off = map[i]!;
    if (off & 1) continue;
    let this_size = (map[i + 1]! & ~1) - off;
    let head = pcpu_fit_in_area(chunk, off, this_size, size, align, pop_only);
    if (head < 0) {
      if (!seen_free) {
        chunk.first_free = i;
        seen_free = true;
      }
      max_contig = Math.max(this_size, max_contig);
      continue;
    }
    // A tiny head, or one after a free area, joins the previous area.
    // Area 0 has none: v4.13 read map[-1] there, which only an atomic
    // request skipping unpopulated pages at offset 0 can reach.
    const prevFree = i > 0 && !(map[i - 1]! & 1);
    if (head && i > 0 && (head < SIZEOF_INT || prevFree)) {
      map[i] = off += head;
      if (!prevFree) chunk.free_size -= head;
      else max_contig = Math.max(map[i]! - map[i - 1]!, max_contig);
      this_size -= head;
      head = 0;
    }
    // A tiny tail stays in the allocation.
    let tail = this_size - head - size;
    if (tail < SIZEOF_INT) {
      tail = 0;
      size = this_size - head;
    }
    if (head || tail) {
      const nr_extra = (head ? 1 : 0) + (tail ? 1 : 0);
      map.copyWithin(i + 1 + nr_extra, i + 1, chunk.map_used + 1);
      pcpu_work.words += chunk.map_used - i;
      chunk.map_used += nr_extra;
      if (head) {
        if (!seen_free) {
          chunk.first_free = i;
          seen_free = true;
        }
        map[++i] = off += head;
        max_contig = Math.max(head, max_contig);
      }
      if (tail) {
        map[i + 1] = off + size;
        max_contig = Math.max(tail, max_contig);
      }
    }
    if (!seen_free) chunk.first_free = i + 1;
    // Only a scan that reached the end knows the largest area.
    chunk.contig_hint = i + 1 === chunk.map_used ? max_contig : Math.max(chunk.contig_hint, max_contig);
    chunk.free_size -= size;
    map[i]! |= 1;
    const occ_pages = pcpu_count_occupied_pages(chunk, i);
    pcpu_chunk_relocate(chunk, oslot);
    return { off, occ_pages };
  }
  chunk.contig_hint = max_contig;
  pcpu_chunk_relocate(chunk, oslot);
  return { off: -1, occ_pages: 0 };
}

/**
 * pcpu_free_area: mark the area at freeme free and merge it with free
 * neighbours. @returns the populated pages that became empty.
 */
export function pcpu_free_area(chunk: AreaChunk, freeme: number): number {
  const map = chunk.map;
  const oslot = chunk.slot();
  let i = pcpu_find_area(chunk, freeme);
  if (i < chunk.first_free) chunk.first_free = i;
  map[i] = freeme;
  chunk.free_size += (map[i + 1]! & ~1) - freeme;
  const occ_pages = pcpu_count_occupied_pages(chunk, i);

  let to_free = 0;
  if (!(map[i + 1]! & 1)) to_free++;
  if (i > 0 && !(map[i - 1]! & 1)) {
    to_free++;
    i--;
  }
  if (to_free) {
    chunk.map_used -= to_free;
    map.copyWithin(i + 1, i + 1 + to_free, chunk.map_used + 1 + to_free);
    pcpu_work.words += chunk.map_used - i;
  }
  chunk.contig_hint = Math.max(map[i + 1]! - map[i]! - 1, chunk.contig_hint);
  pcpu_chunk_relocate(chunk, oslot);
  return occ_pages;
}
