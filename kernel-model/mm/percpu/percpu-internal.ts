// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the two chunk allocators share: the constants of
 * include/linux/percpu.h, the chunk-level interface the kernel's
 * pcpu_alloc()/free_percpu() drive, the metadata allocator callback, the
 * request checks and warnings of pcpu_alloc(), and the slot function.
 *
 * A chunk serves offsets inside one unit (every unit of a chunk has the
 * same layout, so an offset names the same area in each CPU's copy).
 * Two implementations sit behind PcpuChunk, chosen at boot by
 * percpu_alloc_map=:
 *
 *   bitmap   the allocator of Linux 4.14 (Dennis Zhou's series, merged
 *            for v4.14): bitmap-chunk.ts
 *   area     the area map of Linux 4.13 and before: area-chunk.ts
 *
 * Metadata: the bitmaps, metadata blocks and area maps are typed arrays
 * handed out by a PcpuMetaAllocator, sized in bytes exactly as Linux
 * sizes its pcpu_mem_zalloc() calls, so that when the kernel backs the
 * callback with kmalloc/vmalloc over guest RAM the chunk metadata is
 * charged as Linux charges it. The default callback uses host memory and
 * counts the bytes.
 */

import type { Printk } from '../../printk';
import { PAGE_SHIFT, PAGE_SIZE } from '../../arch/arm64/page-def';

export { PAGE_SHIFT, PAGE_SIZE };

/* include/linux/percpu.h (v4.14) */
export const PCPU_MIN_ALLOC_SHIFT = 2;
export const PCPU_MIN_ALLOC_SIZE = 1 << PCPU_MIN_ALLOC_SHIFT;
/** One metadata block per page (v2 of the series; v1 counted it in bits). */
export const PCPU_BITMAP_BLOCK_SIZE = PAGE_SIZE;
export const PCPU_BITMAP_BLOCK_BITS = PCPU_BITMAP_BLOCK_SIZE >> PCPU_MIN_ALLOC_SHIFT;
export const PCPU_BITS_PER_PAGE = PAGE_SIZE >> PCPU_MIN_ALLOC_SHIFT;
/** PFN_ALIGN(32 << 10): the smallest unit, and the largest allocation. */
export const PCPU_MIN_UNIT_SIZE = 32 << 10;

/* mm/percpu.c */
/** Linux's comment: "1-31 bytes share the same slot"; with the + 2 of __pcpu_size_to_slot, 1-15 do. */
export const PCPU_SLOT_BASE_SHIFT = 5;
export const PCPU_EMPTY_POP_PAGES_LOW = 2;
export const PCPU_EMPTY_POP_PAGES_HIGH = 4;

/**
 * The chunk allocators' work, in metadata words touched, for the
 * kernel's cost model (first_chunk.ts charges it to the virtual clock):
 * counted where the work grows with the chunk's state, i.e. the metadata
 * blocks the bitmap allocator's hint walks visit and the bitmap words its
 * scans, sets and clears cover; the area map entries the area map's
 * first-fit walk visits, its binary search probes and its memmoves move.
 * Callers read it before and after an operation.
 */
export const pcpu_work = { words: 0 };

/** pcpu_alloc_area's answer when the metadata could not grow (area map extension). */
export const PCPU_ENOMEM = -12;

export type PcpuAllocMap = 'bitmap' | 'area';

/**
 * Where chunk metadata lives: pcpu_mem_zalloc()/pcpu_mem_free(). `bytes`
 * is what Linux asks for (always a multiple of 4); the answer is a zeroed
 * view of bytes / 4 words, or null when the memory is not there.
 */
export interface PcpuMetaAllocator {
  zalloc(bytes: number): Int32Array | null;
  free(mem: Int32Array): void;
}

/** Zeroed kernel memory seen as words (the slab's pcpu_mem_zalloc), and how to give it back. */
export interface PcpuGuestMeta {
  zalloc(bytes: number): { mem: Int32Array; free(): void } | null;
}

/**
 * Metadata memory with a running count of the bytes held. Host arrays
 * until the kernel's slab exists (the first chunk's metadata, which
 * Linux takes from memblock); once `guest` is set, every later chunk's
 * metadata is a live view of memory from the slab (pcpu_mem_zalloc), so
 * it shows in /proc/slabinfo and the Slab line of /proc/meminfo.
 *
 * Host memory is carved from 1 MiB buffers (HostMetaArena), not one
 * typed array per call: V8 gives every new typed array its own backing
 * store, and at thousands of chunks (2^20 1 KiB objects are 8192 chunks
 * of 128 KiB) that cost more than the allocations themselves.
 */
export class HostMetaAllocator implements PcpuMetaAllocator {
  bytes = 0;
  /** Fault injection: the next `failAfter` calls succeed, then every call fails (-1: never fail). */
  failAfter = -1;
  guest: PcpuGuestMeta | undefined;
  private readonly guestFree = new Map<Int32Array, () => void>();
  private readonly host = new HostMetaArena();

  zalloc(bytes: number): Int32Array | null {
    if (this.failAfter === 0) return null;
    if (this.failAfter > 0) this.failAfter--;
    let mem: Int32Array;
    if (this.guest) {
      const g = this.guest.zalloc(bytes);
      if (!g) return null;
      mem = g.mem;
      this.guestFree.set(mem, g.free);
    } else mem = this.host.zalloc(bytes);
    this.bytes += bytes;
    return mem;
  }

  free(mem: Int32Array): void {
    this.bytes -= mem.byteLength;
    const f = this.guestFree.get(mem);
    if (f) {
      this.guestFree.delete(mem);
      f();
    } else this.host.free(mem);
  }
}

/**
 * Zeroed host words carved from large buffers, with a free list per
 * size (chunks come and go in a few sizes, like a kmem cache per size).
 * Memory given back is reused for the same size, never returned to the
 * engine; a request above a quarter of a buffer gets its own array.
 */
class HostMetaArena {
  private static readonly BUF_BYTES = 1 << 20;
  private buf = new ArrayBuffer(0);
  private used = 0;
  private readonly freeBySize = new Map<number, Int32Array[]>();

  zalloc(bytes: number): Int32Array {
    const words = bytes >>> 2;
    const reuse = this.freeBySize.get(words)?.pop();
    if (reuse) return reuse.fill(0);
    const span = (bytes + 7) & ~7;
    if (span > HostMetaArena.BUF_BYTES >>> 2) return new Int32Array(words);
    if (this.used + span > this.buf.byteLength) {
      this.buf = new ArrayBuffer(HostMetaArena.BUF_BYTES);
      this.used = 0;
    }
    const mem = new Int32Array(this.buf, this.used, words);
    this.used += span;
    return mem;
  }

  free(mem: Int32Array): void {
    let list = this.freeBySize.get(mem.length);
    if (!list) this.freeBySize.set(mem.length, (list = []));
    list.push(mem);
  }
}

/** Empty populated pages across chunks (pcpu_nr_empty_pop_pages); the reserved chunk does not count. */
export class PcpuEmptyPages {
  value = 0;
}

/** How a chunk's metadata adds up, in bytes, as Linux allocates it. */
export interface PcpuMetaBytes {
  /** struct pcpu_chunk with its populated[] bitmap */
  chunk: number;
  /** alloc_map, bound_map (bitmap) */
  bitmaps: number;
  /** md_blocks (bitmap) */
  blocks: number;
  /** the area map (area) */
  map: number;
  total: number;
}

/** Sizes of a chunk's allocated and free fragments for percpu_stats (chunk_map_stats). */
export interface PcpuChunkStats {
  nr_alloc: number;
  max_alloc_size: number;
  empty_pop_pages: number;
  /** bitmap: first_bit; area: first_free (a map index) */
  first_free: number;
  free_bytes: number;
  contig_bytes: number;
  /** from the start of the region to the end of the last allocation: +size allocated, -size free */
  fragments: number[];
}

/**
 * One chunk, seen from pcpu_alloc()/free_percpu(). Offsets are bytes
 * from the chunk's base address (start of unit 0's region).
 */
export interface PcpuChunk {
  readonly kind: PcpuAllocMap;
  /** The granule pcpu_alloc rounds sizes to for this allocator: 4 (bitmap) or 2 (area). */
  readonly min_alloc_size: number;
  readonly nr_pages: number;
  /** Bytes hidden at the start and end (first chunk: static and reserved areas, page rounding). */
  readonly start_offset: number;
  readonly end_offset: number;
  /** The chunk does not count in pcpu_nr_empty_pop_pages and is never on a slot list. */
  readonly reserved: boolean;
  /** Populated pages (one bit per page) and their count. */
  readonly populated: Int32Array;
  nr_populated: number;
  nr_empty_pop_pages: number;
  /** percpu-stats counters */
  nr_alloc: number;
  max_alloc_size: number;
  /** Set by the slot lists that hold the chunk (slots.ts); null when on none. */
  relocate: PcpuRelocate | null;

  /**
   * pcpu_alloc_area: the offset of `size` bytes aligned to `align`, or -1
   * (no room, or a request pcpu_alloc() refuses: warned through printk),
   * or PCPU_ENOMEM (area map could not grow).
   * @param popOnly atomic allocation: only from populated pages
   */
  alloc(size: number, align: number, popOnly?: boolean): number;
  /** pcpu_free_area; false (with a warning, nothing changed) when off is not an allocation. */
  free(off: number): boolean;
  /** The size of the allocation at off, or 0 if there is none. */
  sizeAt(off: number): number;
  /** pcpu_chunk_slot */
  slot(): number;
  freeBytes(): number;
  contigBytes(): number;
  /** Nothing allocated in the served region. */
  isEmpty(): boolean;
  /** Pages [rs, re) were populated; for an allocation, they are not empty. */
  pcpu_chunk_populated(rs: number, re: number, forAlloc: boolean): void;
  /** Pages [rs, re), all empty, were depopulated. */
  pcpu_chunk_depopulated(rs: number, re: number): void;
  stats(): PcpuChunkStats;
  metaBytes(): PcpuMetaBytes;
  /** pcpu_free_chunk: give the metadata back. */
  destroy(): void;
}

/** Moves a chunk between slot lists after its free size changed from the one of slot oslot. */
export type PcpuRelocate = (chunk: PcpuChunk, oslot: number) => void;

/**
 * pcpu_chunk_relocate: called by both allocators after every allocation
 * and free; the reserved chunk is on no slot list.
 */
export function pcpu_chunk_relocate(chunk: PcpuChunk, oslot: number): void {
  if (!chunk.reserved && chunk.relocate) chunk.relocate(chunk, oslot);
}

/** Options common to both chunk kinds. */
export interface PcpuChunkOptions {
  /** Pages in the unit (pcpu_unit_pages, or the first chunk's region). */
  nr_pages: number;
  meta: PcpuMetaAllocator;
  printk: Printk;
  /** Unit size for the slot function (pcpu_unit_size); nr_pages * PAGE_SIZE when absent. */
  unit_size?: number;
  /** Bytes before the served region (first chunk) */
  start_offset?: number;
  /** Bytes after the served region (first chunk) */
  end_offset?: number;
  /** Every page populated (the first chunk) rather than none (a new chunk). */
  populated?: boolean;
  reserved?: boolean;
  emptyPages?: PcpuEmptyPages;
}

const is_power_of_2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/*
 * pcpu_alloc()'s argument rules: align raised to the minimum granule,
 * size rounded up to it, then
 *   "illegal size (%zu) or align (%zu) for percpu allocation"
 * for size 0, size > PCPU_MIN_UNIT_SIZE, align > PAGE_SIZE or an align
 * that is not a power of two (and here for what a size_t cannot be:
 * negative or fractional numbers). The granule is PCPU_MIN_ALLOC_SIZE for
 * the bitmap allocator and 2 for the area map (v4.13 kept bit 0 of each
 * map entry as the in-use flag: "force >= 16bit alignment and make size
 * even"). Three functions, no object: they run on every allocation.
 */

/** The size pcpu_alloc asks the chunk for. */
export const pcpu_request_size = (size: number, granule: number): number => (Number.isInteger(size) ? Math.ceil(size / granule) * granule : size);

/** The alignment pcpu_alloc asks the chunk for. */
export const pcpu_request_align = (align: number, granule: number): number => (Number.isInteger(align) && align < granule ? granule : align);

/** null when pcpu_alloc takes the (normalized) request, else its warning. */
export function pcpu_request_warning(size: number, align: number): string | null {
  const ok = Number.isInteger(size) && Number.isInteger(align) && size > 0 && size <= PCPU_MIN_UNIT_SIZE && align <= PAGE_SIZE && is_power_of_2(align);
  return ok ? null : `illegal size (${size}) or align (${align}) for percpu allocation`;
}

/**
 * WARN(1, text) from mm/percpu.c: the cut-here block of __warn() with the
 * message after the WARNING line (4.14's warn_slowpath_fmt). The chunk
 * layer has no CPU or task; the kernel's printk adds nothing else.
 */
export function pcpu_warn(printk: Printk, func: string, text: string): void {
  printk('------------[ cut here ]------------');
  printk(`WARNING: at mm/percpu.c ${func}`);
  printk(text);
  printk('---[ end trace 0000000000000000 ]---');
}

/** __pcpu_size_to_slot: max(fls(size) - PCPU_SLOT_BASE_SHIFT + 2, 1). */
export function __pcpu_size_to_slot(size: number): number {
  const highbit = 32 - Math.clz32(size);
  return Math.max(highbit - PCPU_SLOT_BASE_SHIFT + 2, 1);
}

/** Number of slots for a unit size: the full-chunk slot is the last. */
export const pcpu_nr_slots = (unit_size: number): number => __pcpu_size_to_slot(unit_size) + 2;

/** pcpu_size_to_slot: an entirely free chunk goes to the last slot. */
export function pcpu_size_to_slot(size: number, unit_size: number): number {
  if (size === unit_size) return pcpu_nr_slots(unit_size) - 1;
  return __pcpu_size_to_slot(size);
}
