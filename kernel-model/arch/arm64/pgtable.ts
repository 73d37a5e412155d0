// SPDX-License-Identifier: GPL-2.0-only
/*
 * arm64 translation tables, 4 KiB granule, VA_BITS = 39: three levels
 * (pgd = level 1, 1 GiB per entry; pmd = level 2, 2 MiB; pte = level 3,
 * 4 KiB), as arch/arm64/include/asm/pgtable-hwdef.h describes them for
 * CONFIG_PGTABLE_LEVELS=3.
 *
 * Tables live in guest RAM and are written through GuestRam, so the
 * emulated cores walk exactly what this code builds. create_mapping picks
 * the largest block each piece of a range allows (1 GiB, 2 MiB, 4 KiB),
 * as Linux's __create_pgd_mapping does for the linear map. Table pages
 * come from a caller-supplied allocator (memblock early, the page
 * allocator later), zeroed here.
 *
 * Changing a live valid entry needs TLB maintenance from guest code
 * (tlbi + dsb + isb); this module only writes memory.
 */

import type { GuestRam } from '../../../emulator/memory/guest-ram';
import { PAGE_SHIFT, PAGE_SIZE } from './page-def';

export { PAGE_SHIFT, PAGE_SIZE } from './page-def';
export const PMD_SHIFT = 21;
export const PUD_SHIFT = 30; // with 3 levels the pgd entry maps what a pud would
export const PTRS_PER_TABLE = 512;

/* Descriptor bits (pgtable-hwdef.h). */
export const PTE_VALID = 1n;
export const PTE_TABLE = 2n; // at levels 1-2: next-level table; at level 3: a page
export const PTE_USER = 1n << 6n; // AP[1]: EL0 access
export const PTE_RDONLY = 1n << 7n; // AP[2]
export const PTE_SHARED = 3n << 8n; // inner shareable
export const PTE_AF = 1n << 10n;
export const PTE_NG = 1n << 11n;
export const PTE_PXN = 1n << 53n;
export const PTE_UXN = 1n << 54n;
export const PTE_ATTRINDX = (idx: number): bigint => BigInt(idx) << 2n;
const OA_MASK = 0x0000_ffff_ffff_f000n;

/* MAIR_EL1 as Linux 5.10 sets it (proc.S, MAIR_EL1_SET). */
export const MT_DEVICE_nGnRnE = 0;
export const MT_DEVICE_nGnRE = 1;
export const MT_NORMAL_NC = 3;
export const MT_NORMAL = 4;
export const MAIR_EL1_SET = 0x0000_f0ff_440c_0400n;

/*
 * TCR_EL1 for 39-bit VAs in both halves, 4 KiB granules, write-back
 * inner-shareable walks, 40-bit IPA (the BCM2711's PA range fits):
 * T0SZ = T1SZ = 25, TG0 = 4K (0), TG1 = 4K (2), IPS = 2.
 */
export const TCR_EL1_39BIT =
  25n | (1n << 8n) | (1n << 10n) | (3n << 12n) | (25n << 16n) | (1n << 24n) | (1n << 26n) | (3n << 28n) | (2n << 30n) | (2n << 32n);

export const PROT = {
  /** Kernel RW data, never executable from EL0, not from EL1 either (PAGE_KERNEL). */
  KERNEL: PTE_VALID | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL) | PTE_PXN | PTE_UXN,
  /** Kernel text (PAGE_KERNEL_ROX). */
  KERNEL_ROX: PTE_VALID | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL) | PTE_RDONLY | PTE_UXN,
  /** Kernel RWX, for the early identity and image mappings. */
  KERNEL_EXEC: PTE_VALID | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL) | PTE_UXN,
  /** Device registers (PROT_DEVICE_nGnRE). */
  DEVICE: PTE_VALID | PTE_AF | PTE_ATTRINDX(MT_DEVICE_nGnRE) | PTE_PXN | PTE_UXN,
  /** User RW data. */
  USER: PTE_VALID | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL) | PTE_USER | PTE_NG | PTE_PXN | PTE_UXN,
  /** User read-only executable text. */
  USER_ROX: PTE_VALID | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL) | PTE_USER | PTE_RDONLY | PTE_NG | PTE_PXN,
  /** User RW executable (simple static programs). */
  USER_EXEC: PTE_VALID | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL) | PTE_USER | PTE_NG | PTE_PXN,
} as const;

/** Returns the PA of a fresh page for a table (the caller's allocator). */
export type TableAllocator = () => number;

export class PgTableError extends Error {
  override name = 'PgTableError';
}

/** Index of `va` in the table of `level` (1..3). */
export function tableIndex(va: bigint, level: number): number {
  return Number((va >> BigInt(PAGE_SHIFT + 9 * (3 - level))) & 0x1ffn);
}

const levelShift = (level: number): number => PAGE_SHIFT + 9 * (3 - level);
/** What one level-3 table maps: 2 MiB. */
const L3_SPAN = 2 ** levelShift(2);

export class PageTable {
  /** PA of the level-1 table (what goes in TTBRx_EL1). */
  readonly root: number;

  constructor(private readonly ram: GuestRam, private alloc: TableAllocator, root?: number) {
    this.root = root ?? this.newTable();
  }

  /**
   * Where new table pages come from from now on: memblock during boot, the
   * page allocator once memblock has handed its memory over (as Linux's
   * pte_alloc_kernel takes pages from __get_free_page after boot).
   */
  setTableAllocator(alloc: TableAllocator): void {
    this.alloc = alloc;
  }

  private newTable(): number {
    const pa = this.alloc();
    if (pa % PAGE_SIZE !== 0) throw new PgTableError(`table page 0x${pa.toString(16)} is not page aligned`);
    this.ram.fill(pa, PAGE_SIZE, 0);
    return pa;
  }

  private entryPa(table: number, va: bigint, level: number): number {
    return table + tableIndex(va, level) * 8;
  }

  /** The next-level table under an entry, creating it if the entry is empty. */
  private descend(table: number, va: bigint, level: number): number {
    const at = this.entryPa(table, va, level);
    const desc = this.ram.u64(at);
    if ((desc & PTE_VALID) === 0n) {
      const next = this.newTable();
      this.ram.setU64(at, BigInt(next) | PTE_TABLE | PTE_VALID);
      return next;
    }
    if ((desc & PTE_TABLE) === 0n) throw new PgTableError(`0x${va.toString(16)} is already mapped by a level-${level} block`);
    return Number(desc & OA_MASK);
  }

  /**
   * Map [va, va+size) to [pa, pa+size) with `prot`, using blocks where both
   * addresses and the remaining size allow (create_mapping).
   */
  map(va: bigint, pa: number, size: number, prot: bigint, opts: { pageGranular?: boolean } = {}): void {
    if ((va | BigInt(pa) | BigInt(size)) & BigInt(PAGE_SIZE - 1))
      throw new PgTableError(`mapping 0x${va.toString(16)} -> 0x${pa.toString(16)} (+0x${size.toString(16)}) is not page aligned`);
    let done = 0;
    while (done < size) {
      const v = va + BigInt(done);
      const p = pa + done;
      const left = size - done;
      let level = 3;
      if (!opts.pageGranular) {
        for (const l of [1, 2]) {
          const block = 2 ** levelShift(l);
          if (left >= block && p % block === 0 && Number(v & BigInt(block - 1)) === 0) {
            level = l;
            break;
          }
        }
      }
      this.setEntry(v, p, level, prot);
      done += 2 ** levelShift(level);
    }
  }

  private setEntry(va: bigint, pa: number, level: number, prot: bigint): void {
    let table = this.root;
    for (let l = 1; l < level; l++) table = this.descend(table, va, l);
    const at = this.entryPa(table, va, level);
    const old = this.ram.u64(at);
    if (old & PTE_VALID) throw new PgTableError(`0x${va.toString(16)} is already mapped`);
    const type = level === 3 ? PTE_TABLE : 0n; // a level-3 page has bit 1 set; blocks have it clear
    this.ram.setU64(at, (BigInt(pa) & OA_MASK) | prot | type | PTE_VALID);
  }

  /**
   * The walk the MMU does for `va` in these tables: the physical address it
   * maps to and the leaf descriptor, or undefined if nothing maps it.
   */
  lookup(va: bigint): { pa: number; desc: bigint; level: number } | undefined {
    let table = this.root;
    for (let level = 1; level <= 3; level++) {
      const desc = this.ram.u64(this.entryPa(table, va, level));
      if ((desc & PTE_VALID) === 0n) return undefined;
      if (level < 3 && (desc & PTE_TABLE) !== 0n) {
        table = Number(desc & OA_MASK);
        continue;
      }
      if (level === 3 && (desc & PTE_TABLE) === 0n) return undefined; // reserved encoding at level 3
      const span = 2n ** BigInt(levelShift(level));
      const base = Number(desc & OA_MASK & ~(span - 1n));
      return { pa: base + Number(va & (span - 1n)), desc, level };
    }
    return undefined;
  }

  /**
   * The level-3 entry's address for `va` (a 4 KiB page), creating the
   * tables on the way when `create`; undefined if a table is missing (and
   * not created) or a block maps the range.
   */
  pteAddress(va: bigint, create: boolean): number | undefined {
    let table = this.root;
    for (let level = 1; level < 3; level++) {
      const at = this.entryPa(table, va, level);
      const desc = this.ram.u64(at);
      if ((desc & PTE_VALID) === 0n) {
        if (!create) return undefined;
        table = this.descend(table, va, level);
        continue;
      }
      if ((desc & PTE_TABLE) === 0n) return undefined;
      table = Number(desc & OA_MASK);
    }
    return this.entryPa(table, va, 3);
  }

  /** The physical address a level-3 descriptor maps. */
  static pteAddr(desc: bigint): number {
    return Number(desc & OA_MASK);
  }

  /** Every valid level-3 entry under the root, in address order: its VA and descriptor (for checkers). */
  forEachPage(fn: (va: bigint, pte: bigint) => void): void {
    const walk = (table: number, level: number, base: bigint): void => {
      for (let i = 0; i < PTRS_PER_TABLE; i++) {
        const desc = this.ram.u64(table + i * 8);
        if ((desc & PTE_VALID) === 0n) continue;
        const va = base + (BigInt(i) << BigInt(levelShift(level)));
        if (level === 3) fn(va, desc);
        else if (desc & PTE_TABLE) walk(Number(desc & OA_MASK), level + 1, va);
      }
    };
    walk(this.root, 1, 0n);
  }

  /**
   * Where the page descriptor mapping `va` is (a user address, below 2^39:
   * exact as a number), or -1 where no table or no valid page entry is;
   * the walk of `lookup`, in plain numbers, for the kernel's copies to and
   * from user memory, which walk once per page.
   */
  leaf(va: number): number {
    const region = Math.floor(va / L3_SPAN);
    if (region !== this.l3Region) {
      let table = this.root;
      for (let level = 1; level < 3; level++) {
        const at = table + (Math.floor(va / 2 ** levelShift(level)) % 512) * 8;
        const lo = this.ram.u32(at);
        if ((lo & 3) !== 3) return -1; // not a valid table entry (user address spaces have no blocks)
        table = ((lo & 0xfffff000) >>> 0) + (this.ram.u32(at + 4) & 0xffff) * 2 ** 32;
      }
      // Remembered for the next page of the same 2 MiB: a copy walks page after page.
      this.l3Region = region;
      this.l3Table = table;
    }
    const at = this.l3Table + (Math.floor(va / PAGE_SIZE) % 512) * 8;
    return (this.ram.u32(at) & 3) === 3 ? at : -1; // PTE_VALID and the page type
  }

  /**
   * The level-3 table leaf() found last and the 2 MiB region it covers. A
   * table entry at levels 1-2 never changes while the tables live (set()
   * and map() fill empty entries, unmap() clears leaves and blocks), so
   * the memo holds until freeTables().
   */
  private l3Region = -1;
  private l3Table = 0;

  /** A level-3 (page) descriptor. */
  static mkPte(pa: number, prot: bigint): bigint {
    return (BigInt(pa) & OA_MASK) | prot | PTE_TABLE | PTE_VALID;
  }

  /**
   * Free every table page below the root (free_pgtables at exit_mmap): the
   * leaves must have been cleared and their pages released by the caller.
   */
  freeTables(free: (pa: number) => void, freeRoot: boolean): void {
    this.l3Region = -1;
    const walk = (table: number, level: number): void => {
      for (let i = 0; i < PTRS_PER_TABLE; i++) {
        const desc = this.ram.u64(table + i * 8);
        if ((desc & PTE_VALID) === 0n || (desc & PTE_TABLE) === 0n || level === 3) continue;
        const next = Number(desc & OA_MASK);
        if (level < 2) walk(next, level + 1);
        free(next);
      }
    };
    walk(this.root, 1);
    if (freeRoot) free(this.root);
  }

  /** Clear the leaf entry mapping `va` (caller flushes the TLB). Returns false if none. */
  unmap(va: bigint): boolean {
    let table = this.root;
    for (let level = 1; level <= 3; level++) {
      const at = this.entryPa(table, va, level);
      const desc = this.ram.u64(at);
      if ((desc & PTE_VALID) === 0n) return false;
      if (level === 3 || (desc & PTE_TABLE) === 0n) {
        this.ram.setU64(at, 0n);
        return true;
      }
      table = Number(desc & OA_MASK);
    }
    return false;
  }
}
