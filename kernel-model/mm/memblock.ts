// SPDX-License-Identifier: GPL-2.0-only
/*
 * memblock: the boot-time physical memory map and allocator.
 *
 * Before the buddy allocator exists the kernel needs two things: a list of
 * the RAM it may use (the device tree's /memory node) and a way to hand
 * out memory for early metadata (page tables, the struct page array, the
 * pageblock bitmap). memblock is both, as in Linux (mm/memblock.c):
 *
 *   memory:    [base, base+size) ranges of RAM, sorted by base, merged
 *   reserved:  ranges of that RAM already in use (firmware stubs from
 *              /memreserve/, kernel image, DTB, every memblock_alloc
 *              result), sorted and merged the same way
 *
 * The GPU's share of RAM (gpu_mem) is no reservation: the Pi firmware
 * leaves it out of /memory altogether, so it never enters memblock.memory
 * and is no memory to the kernel at all (on a 4 GB CM4 it is the hole
 * 0x3b400000-0x3fffffff between the two "node 0" ranges of the log).
 *
 *   free = memory \ reserved
 *
 *       memory    |==========================|      |==============|
 *       reserved  |XX|   |XXXXX|        |XXXX|      |         |XXXX|
 *       free         |---|     |--------|           |---------|
 *
 * Invariants (checked by `check()`): within each list regions are sorted,
 * non-empty, non-overlapping and not adjacent (adjacent regions are
 * merged, as memblock_merge_regions does; we keep no per-region node id
 * or flags because the board has one node and no mirrored memory).
 *
 * Allocation is top-down, like arm64 Linux (memblock.bottom_up = false):
 * the highest free range below the limit that can hold an aligned block
 * wins, and the first page of RAM is never handed out
 * (memblock_find_in_range_node: "avoid allocating the first page").
 * One rule is ours: no allocation crosses a GuestRam bank boundary
 * (BANK_SIZE, 4 GiB), because early metadata is looked at through one
 * typed array and a typed array cannot span two host buffers.
 *
 * Units: every address and size here is a physical byte address held in
 * a `number` (exact below 2^53), per the project's integer convention.
 * Bitwise operators truncate to 32 bits, so address arithmetic uses
 * division and multiplication, never `&` or `>>`.
 */

import { BANK_SIZE, type GuestRam } from '../../emulator/memory/guest-ram';
import type { Printk } from '../printk';

import { PAGE_SIZE } from '../arch/arm64/page-def';
/** SMP_CACHE_BYTES on arm64 (L1_CACHE_BYTES = 64): memblock's default alignment. */
export const SMP_CACHE_BYTES = 64;

export class MemblockError extends Error {
  override name = 'MemblockError';
}

/** One range [base, base + size). */
export interface MemblockRegion {
  base: number;
  size: number;
}

/** A free range [start, end), as for_each_free_mem_range yields it. */
export interface PhysRange {
  start: number;
  end: number;
}

const roundDown = (x: number, a: number): number => Math.floor(x / a) * a;
const isPow2 = (x: number): boolean => Number.isInteger(x) && x > 0 && 2 ** Math.round(Math.log2(x)) === x;
const hex = (x: number): string => '0x' + x.toString(16);
/** %pa of a phys_addr_t on a 64-bit kernel: 0x followed by 16 hex digits. */
export const fmtPa = (x: number): string => '0x' + x.toString(16).padStart(16, '0');

/**
 * A sorted, merged list of ranges: memblock.memory or memblock.reserved.
 * `total` is kept equal to the sum of the sizes (memblock_type.total_size).
 */
export class MemblockType {
  readonly regions: MemblockRegion[] = [];
  total = 0;
  constructor(readonly name: 'memory' | 'reserved') {}

  /** memblock_add_range followed by memblock_merge_regions. */
  add(base: number, size: number): void {
    if (size === 0) return;
    let start = base;
    let end = base + size;
    // Absorb every region that overlaps or touches [start, end).
    const kept: MemblockRegion[] = [];
    for (const r of this.regions) {
      const rEnd = r.base + r.size;
      if (rEnd < start || r.base > end) kept.push(r);
      else {
        start = Math.min(start, r.base);
        end = Math.max(end, rEnd);
      }
    }
    kept.push({ base: start, size: end - start });
    kept.sort((a, b) => a.base - b.base);
    this.replace(kept);
  }

  /** memblock_remove_range: cut [base, base+size) out of every region. */
  remove(base: number, size: number): void {
    if (size === 0) return;
    const end = base + size;
    const kept: MemblockRegion[] = [];
    for (const r of this.regions) {
      const rEnd = r.base + r.size;
      if (rEnd <= base || r.base >= end) {
        kept.push(r);
        continue;
      }
      if (r.base < base) kept.push({ base: r.base, size: base - r.base });
      if (rEnd > end) kept.push({ base: end, size: rEnd - end });
    }
    this.replace(kept);
  }

  overlaps(base: number, size: number): boolean {
    return this.regions.some((r) => base < r.base + r.size && r.base < base + size);
  }

  contains(addr: number): boolean {
    return this.regions.some((r) => addr >= r.base && addr < r.base + r.size);
  }

  private replace(list: MemblockRegion[]): void {
    this.regions.length = 0;
    this.regions.push(...list);
    this.total = list.reduce((s, r) => s + r.size, 0);
  }
}

export interface MemblockAllocOptions {
  /** Lowest acceptable physical address (default 0; the first page is never used). */
  min?: number;
  /** The allocation must end at or below this address (default: memblock.current_limit). */
  max?: number;
  /** Do not zero the memory (memblock_alloc_raw). */
  raw?: boolean;
}

export class Memblock {
  readonly memory = new MemblockType('memory');
  readonly reserved = new MemblockType('reserved');
  /** memblock.current_limit: allocations end at or below it (MEMBLOCK_ALLOC_ANYWHERE by default). */
  current_limit = Number.MAX_SAFE_INTEGER;

  /** @param ram when given, memblock_alloc zeroes what it returns, as Linux does. */
  constructor(private readonly ram?: GuestRam) {}

  /** memblock_add: register RAM (from the DT /memory node). */
  memblock_add(base: number, size: number): void {
    checkRange('memblock_add', base, size);
    this.memory.add(base, size);
  }

  /** memblock_remove: forget RAM, e.g. for a mem= limit. */
  memblock_remove(base: number, size: number): void {
    checkRange('memblock_remove', base, size);
    this.memory.remove(base, size);
  }

  /** memblock_reserve: mark [base, base+size) as in use. */
  memblock_reserve(base: number, size: number): void {
    checkRange('memblock_reserve', base, size);
    this.reserved.add(base, size);
  }

  /**
   * memblock_phys_alloc_range (5.10): like memblock_alloc but within
   * [start, end) (end 0: up to memblock.current_limit), not zeroed, and 0
   * on failure instead of an exception, as the early reservation code
   * (of_reserved_mem, CMA, swiotlb) expects.
   */
  memblock_phys_alloc_range(size: number, align: number, start: number, end: number): number {
    if (!Number.isSafeInteger(size) || size <= 0 || !isPow2(align) || size > BANK_SIZE) return 0;
    const base = this.memblock_find_in_range(start, end === 0 ? this.current_limit : end, size, align);
    if (base < 0) return 0;
    this.memblock_reserve(base, size);
    return base;
  }

  /** memblock_phys_free (memblock_free in 5.10): give a reservation back. */
  memblock_phys_free(base: number, size: number): void {
    checkRange('memblock_phys_free', base, size);
    this.reserved.remove(base, size);
  }

  /**
   * memblock_phys_alloc_range / memblock_alloc: find, reserve and (unless
   * raw) zero `size` bytes aligned to `align` (a power of two), top-down.
   *
   * @returns the physical address; throws MemblockError when nothing fits,
   *          with the message Linux's callers panic with.
   */
  memblock_alloc(size: number, align: number = SMP_CACHE_BYTES, opts: MemblockAllocOptions = {}): number {
    if (!Number.isInteger(size) || size <= 0) throw new MemblockError(`memblock_alloc: bad size ${size}`);
    if (!isPow2(align)) throw new MemblockError(`memblock_alloc: alignment ${align} is not a power of two`);
    if (size > BANK_SIZE) throw new MemblockError(`memblock_alloc: ${size} bytes cannot lie in one RAM bank`);
    const base = this.memblock_find_in_range(opts.min ?? 0, opts.max ?? this.current_limit, size, align);
    if (base < 0) {
      throw new MemblockError(
        `memblock_alloc: Failed to allocate ${size} bytes align=${hex(align)}` +
          (opts.max !== undefined ? ` below ${fmtPa(opts.max)}` : ''),
      );
    }
    this.memblock_reserve(base, size);
    if (!opts.raw && this.ram) this.ram.fill(base, size, 0);
    return base;
  }

  /** memblock_alloc_raw: like memblock_alloc but the memory keeps its old contents. */
  memblock_alloc_raw(size: number, align: number = SMP_CACHE_BYTES, opts: MemblockAllocOptions = {}): number {
    return this.memblock_alloc(size, align, { ...opts, raw: true });
  }

  /**
   * memblock_find_in_range_node, top-down, with the bank rule.
   * @returns the base address, or -1 when no free range fits.
   */
  memblock_find_in_range(start: number, end: number, size: number, align: number): number {
    start = Math.max(start, PAGE_SIZE);
    end = Math.max(start, end);
    const free = this.freeRanges();
    for (let i = free.length - 1; i >= 0; i--) {
      const r = free[i]!;
      const thisStart = clamp(r.start, start, end);
      const thisEnd = clamp(r.end, start, end);
      const cand = findTopDownInRange(thisStart, thisEnd, size, align);
      if (cand >= 0) return cand;
    }
    return -1;
  }

  /** for_each_free_mem_range: memory minus reserved, ascending. */
  freeRanges(): PhysRange[] {
    const out: PhysRange[] = [];
    const res = this.reserved.regions;
    let j = 0;
    for (const m of this.memory.regions) {
      let cur = m.base;
      const mEnd = m.base + m.size;
      while (j < res.length && res[j]!.base + res[j]!.size <= cur) j++;
      let k = j;
      while (cur < mEnd) {
        const r = res[k];
        if (!r || r.base >= mEnd) {
          out.push({ start: cur, end: mEnd });
          break;
        }
        if (r.base > cur) out.push({ start: cur, end: r.base });
        cur = Math.max(cur, r.base + r.size);
        k++;
      }
    }
    return out;
  }

  /** for_each_reserved_mem_region, clipped to nothing: the reserved list itself. */
  reservedRanges(): PhysRange[] {
    return this.reserved.regions.map((r) => ({ start: r.base, end: r.base + r.size }));
  }

  /**
   * for_each_mem_pfn_range: each memory region as page frames
   * [PFN_UP(base), PFN_DOWN(end)), skipping regions smaller than a page.
   */
  memPfnRanges(): { startPfn: number; endPfn: number }[] {
    const out: { startPfn: number; endPfn: number }[] = [];
    for (const r of this.memory.regions) {
      const s = Math.ceil(r.base / PAGE_SIZE);
      const e = Math.floor((r.base + r.size) / PAGE_SIZE);
      if (s < e) out.push({ startPfn: s, endPfn: e });
    }
    return out;
  }

  memblock_start_of_DRAM(): number {
    return this.memory.regions[0]?.base ?? 0;
  }

  memblock_end_of_DRAM(): number {
    const last = this.memory.regions[this.memory.regions.length - 1];
    return last ? last.base + last.size : 0;
  }

  memblock_phys_mem_size(): number {
    return this.memory.total;
  }

  memblock_reserved_size(): number {
    return this.reserved.total;
  }

  memblock_is_memory(addr: number): boolean {
    return this.memory.contains(addr);
  }

  memblock_is_reserved(addr: number): boolean {
    return this.reserved.contains(addr);
  }

  memblock_is_region_reserved(base: number, size: number): boolean {
    return this.reserved.overlaps(base, size);
  }

  /**
   * __memblock_dump_all (printed with memblock=debug): the lines
   *   MEMBLOCK configuration:
   *    memory size = 0x... reserved size = 0x...
   *    memory.cnt  = 0x2
   *    memory[0x0]\t[0x...-0x...], 0x... bytes flags: 0x0
   * Formats from mm/memblock.c memblock_dump(); flags are always 0 here.
   */
  memblock_dump_all(printk: Printk): void {
    printk('MEMBLOCK configuration:');
    printk(` memory size = ${fmtPa(this.memory.total)} reserved size = ${fmtPa(this.reserved.total)}`);
    for (const type of [this.memory, this.reserved]) {
      printk(` ${type.name}.cnt  = ${hex(Math.max(1, type.regions.length))}`);
      type.regions.forEach((r, idx) => {
        printk(` ${type.name}[${hex(idx)}]\t[${fmtPa(r.base)}-${fmtPa(r.base + r.size - 1)}], ${fmtPa(r.size)} bytes flags: 0x0`);
      });
    }
  }

  /** Invariant check for tests: sorted, non-empty, non-overlapping, non-adjacent, totals right. */
  check(): string[] {
    const errors: string[] = [];
    for (const type of [this.memory, this.reserved]) {
      let sum = 0;
      type.regions.forEach((r, i) => {
        sum += r.size;
        if (r.size <= 0) errors.push(`${type.name}[${i}] is empty`);
        const prev = type.regions[i - 1];
        if (prev && prev.base + prev.size >= r.base) errors.push(`${type.name}[${i - 1}] and [${i}] overlap or touch`);
      });
      if (sum !== type.total) errors.push(`${type.name}.total_size ${type.total} != ${sum}`);
    }
    return errors;
  }
}

function checkRange(fn: string, base: number, size: number): void {
  if (!Number.isSafeInteger(base) || !Number.isSafeInteger(size) || base < 0 || size < 0)
    throw new MemblockError(`${fn}: bad range base=${base} size=${size}`);
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}

/**
 * __memblock_find_range_top_down for one free range, plus the bank rule:
 * the highest aligned [cand, cand+size) inside [start, end) that does not
 * cross a multiple of BANK_SIZE, or -1.
 */
function findTopDownInRange(start: number, end: number, size: number, align: number): number {
  if (end - start < size) return -1;
  let cand = roundDown(end - size, align);
  if (cand < start) return -1;
  const lastBank = Math.floor((cand + size - 1) / BANK_SIZE);
  if (Math.floor(cand / BANK_SIZE) !== lastBank) {
    // Slide down so that the block ends at the bank boundary it crossed.
    cand = roundDown(lastBank * BANK_SIZE - size, align);
    if (cand < start) return -1;
  }
  return cand;
}
