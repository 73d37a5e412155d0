// SPDX-License-Identifier: GPL-2.0-only
/*
 * A process's address space (struct mm_struct, mm/mmap.c): its virtual
 * memory areas and its own translation tables under TTBR0_EL1.
 *
 * Design. The areas are kept in one array sorted by address, which is
 * what Linux 5.10's mm_rb tree plus vm_next list give a reader (find_vma
 * by binary search, neighbours by index); processes here have tens of
 * areas, not thousands. Invariants, checked by check_mm():
 *
 *   - areas are page aligned, non-empty, sorted and disjoint;
 *   - every valid user pte lies inside an area, and its permissions are
 *     the area's (vm_get_page_prot of its flags); pages are mapped on
 *     first touch (mm/memory.c does that part), so an area may have none;
 *   - rss counts exactly the pages the tables map that the process owns
 *     (special areas, like the harness's window on the kernel image, map
 *     pages they do not own and never free them).
 *
 * Layout, as arch_pick_mmap_layout chooses it for a 39-bit arm64 task:
 * the stack at the top of TASK_SIZE (STACK_TOP, no randomisation), mmap
 * areas top-down from mmap_base = STACK_TOP - the stack rlimit gap, brk
 * after the program's last segment.
 *
 * The stack does not grow on demand: its area is the whole rlimit (8 MiB)
 * from the start, populated by faults like any other anonymous memory. A
 * program sees the same addresses, minus Linux's guard gap semantics.
 */

import { PageTable, PgTableError, PROT, PTE_RDONLY, PTE_UXN, PTE_VALID } from '../arch/arm64/pgtable';
import { PAGE_SIZE } from '../arch/arm64/page-def';
import { TASK_SIZE } from '../arch/arm64/memory';
import type { GuestRam } from '../../emulator/memory/guest-ram';

export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_GROWSDOWN = 0x100;
/** Pages the area maps but does not own (VM_PFNMAP): never faulted, never freed. */
export const VM_PFNMAP = 0x400;

/* include/uapi/asm-generic/mman-common.h */
export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const PROT_EXEC = 0x4;

export const PAGE = BigInt(PAGE_SIZE);
/** STACK_TOP for a 39-bit task (TASK_SIZE, arch/arm64/include/asm/processor.h). */
export const STACK_TOP = TASK_SIZE;
/** RLIMIT_STACK's default (_STK_LIM). */
export const STACK_SIZE = 8n << 20n;
/** mmap_base: STACK_TOP less the stack's rlimit and Linux's minimum gap of 128 MiB (mm/util.c, mmap_base). */
export const MMAP_BASE = STACK_TOP - (128n << 20n) - STACK_SIZE;

export const page_align = (v: bigint): bigint => (v + PAGE - 1n) & ~(PAGE - 1n);
export const page_down = (v: bigint): bigint => v & ~(PAGE - 1n);

/** What a file-backed private area shows: `bytes` placed at `va`, zeroes around (an ELF segment and its bss). */
export interface VmBacking {
  bytes: Uint8Array;
  va: bigint;
  /** The whole file and the offset of `bytes` in it, where the area may map the file's cached pages (filemap.ts). */
  file?: Uint8Array;
  offset?: number;
}

/**
 * The file page a fault at `page` of `v` may map from the page cache, as
 * Linux maps a read-only private file mapping (filemap_fault): one
 * backing, no write permission, the page's file offset page aligned
 * (ELF's p_offset = p_vaddr modulo the page size) and the page holding
 * some of the file's bytes; anything else gets a private copy.
 */
function filePage(v: VmArea, page: bigint): { file: Uint8Array; index: number } | undefined {
  const b = v.backing[0];
  if (v.backing.length !== 1 || v.flags & VM_WRITE || !b?.file || b.offset === undefined) return undefined;
  const off = b.offset + Number(page - b.va);
  if (off < 0 || off % PAGE_SIZE !== 0 || page >= b.va + BigInt(b.bytes.length)) return undefined;
  return { file: b.file, index: off / PAGE_SIZE };
}

export class VmArea {
  constructor(
    public start: bigint,
    public end: bigint,
    public flags: number,
    /** What /proc/PID/maps names it: a path, [heap], [stack], or nothing. */
    public name = '',
    /** File contents the area shows (several where segments share a page); empty for anonymous memory. */
    public backing: readonly VmBacking[] = [],
    /** VM_PFNMAP areas: the physical address `start` maps. */
    public pfnmapPa = 0,
  ) {}

  get size(): bigint {
    return this.end - this.start;
  }

  clone(start: bigint, end: bigint): VmArea {
    const pa = this.flags & VM_PFNMAP ? this.pfnmapPa + Number(start - this.start) : 0;
    return new VmArea(start, end, this.flags, this.name, this.backing, pa);
  }
}

/** The pte permissions an area's flags give (vm_get_page_prot; arm64's protection_map). */
export function vm_get_page_prot(flags: number): bigint {
  let prot = PROT.USER; // valid, AF, inner shareable, normal memory, EL0, nG, PXN, UXN
  if (!(flags & VM_WRITE)) prot |= PTE_RDONLY;
  if (flags & VM_EXEC) prot &= ~PTE_UXN;
  return prot;
}

/** Where the pages and tables of user memory come from, and how the cores hear of changes. */
export interface MmHost {
  ram: GuestRam;
  /** A zeroed page for the process, or null (out of memory, or an injected failure). */
  allocUserPage(): number | null;
  freeUserPage(pa: number): void;
  /** get_page and page_count on a user page (copy-on-write sharing after fork). */
  getUserPage(pa: number): void;
  userPageCount(pa: number): number;
  /** A page for a translation table, or null. */
  allocTable(): number | null;
  freeTable(pa: number): void;
  /** Entries of `mm` were removed or made stricter: every core that may cache them drops them. */
  flushTlbMm(mm: MmStruct): void;
  /** An executable page got new contents: translated code of it is stale. */
  codeChanged(pa: number): void;
  /** The page cache's page of `file` at page `index`, a reference taken for a new mapping; null without memory. */
  filemapPage(file: Uint8Array, index: number, exec: boolean): number | null;
}

export class MmError extends Error {
  override name = 'MmError';
  constructor(readonly errno: number, message: string) {
    super(message);
  }
}

export class MmStruct {
  readonly pgd: PageTable;
  readonly vmas: VmArea[] = [];
  start_brk = 0n;
  brk = 0n;
  start_stack = 0n;
  /** Where argv and envp strings sit (for /proc/PID/cmdline). */
  arg_start = 0n;
  arg_end = 0n;
  mmap_base = MMAP_BASE;
  /** Pages mapped that this mm owns (MM_ANONPAGES + MM_FILEPAGES: all private copies here). */
  rss = 0;
  /** Table pages under the root (nr_ptes + nr_pmds). */
  nr_tables = 0;
  /** Threads using this mm (mm_users). */
  users = 1;

  constructor(readonly host: MmHost, readonly asid: number, root: number) {
    this.pgd = new PageTable(host.ram, () => this.allocTable(), root);
  }

  /** TTBR0_EL1 for this address space: its tables and its ASID (ASID in bits 63:48). */
  get ttbr0(): bigint {
    return BigInt(this.pgd.root) | (BigInt(this.asid) << 48n);
  }

  private allocTable(): number {
    const pa = this.host.allocTable();
    if (pa === null) throw new MmError(12, 'out of memory for a page table');
    this.nr_tables++;
    return pa;
  }

  /* ---- areas ---------------------------------------------------------------- */

  /** Index of the first area ending above `addr` (find_vma), or vmas.length. */
  private indexAbove(addr: bigint): number {
    let lo = 0;
    let hi = this.vmas.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.vmas[mid]!.end > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** find_vma: the first area with end > addr (it may start above addr). */
  find_vma(addr: bigint): VmArea | undefined {
    return this.vmas[this.indexAbove(addr)];
  }

  /** The area containing addr, if any. */
  vma_at(addr: bigint): VmArea | undefined {
    const v = this.find_vma(addr);
    return v && v.start <= addr ? v : undefined;
  }

  /** Is [start, end) free of areas? */
  range_free(start: bigint, end: bigint): boolean {
    const v = this.find_vma(start);
    return !v || v.start >= end;
  }

  /** insert_vm_struct: the range must be free. */
  insert_vma(v: VmArea): void {
    if (v.start >= v.end || v.start & (PAGE - 1n) || v.end & (PAGE - 1n)) throw new MmError(22, `bad area ${hex(v.start)}-${hex(v.end)}`);
    if (!this.range_free(v.start, v.end)) throw new MmError(17, `area ${hex(v.start)}-${hex(v.end)} overlaps another`);
    this.vmas.splice(this.indexAbove(v.start), 0, v);
  }

  /**
   * get_unmapped_area, top-down (arch_get_unmapped_area_topdown): the
   * highest gap of `len` bytes below mmap_base; a hint is used if free.
   */
  get_unmapped_area(len: bigint, hint = 0n): bigint | undefined {
    if (len > TASK_SIZE) return undefined;
    if (hint) {
      const h = page_align(hint);
      if (h + len <= this.mmap_base && h >= PAGE && this.range_free(h, h + len)) return h;
    }
    let top = this.mmap_base;
    for (let i = this.vmas.length - 1; i >= -1; i--) {
      const v = this.vmas[i];
      if (v && v.start >= top) continue; // wholly above the window
      if (v && v.end > top) {
        top = v.start; // straddles its top
        continue;
      }
      const bottom = v ? v.end : PAGE; // never hand out page 0 (mmap_min_addr)
      if (top >= bottom + len) return top - len;
      if (v) top = v.start;
    }
    return undefined;
  }

  /** split_vma: the area containing `addr` (if any) becomes two at `addr`. */
  split_vma(addr: bigint): void {
    const i = this.indexAbove(addr);
    const v = this.vmas[i];
    if (v && v.start < addr) this.vmas.splice(i, 1, v.clone(v.start, addr), v.clone(addr, v.end));
  }

  /**
   * Cut areas at `start` and `end` so that the range is made of whole
   * areas (split_vma), and return the indices [first, last) covering it.
   */
  private split_range(start: bigint, end: bigint): [number, number] {
    let i = this.indexAbove(start);
    const v = this.vmas[i];
    if (v && v.start < start && v.end > start) {
      this.vmas.splice(i, 1, v.clone(v.start, start), v.clone(start, v.end));
      i++;
    }
    let j = i;
    while (j < this.vmas.length && this.vmas[j]!.start < end) {
      const w = this.vmas[j]!;
      if (w.end > end) this.vmas.splice(j, 1, w.clone(w.start, end), w.clone(end, w.end));
      j++;
    }
    return [i, j];
  }

  /** do_munmap: pages of [start, start+len) freed, their entries cleared, the areas cut. */
  munmap(start: bigint, len: bigint): void {
    const end = start + page_align(len);
    const [i, j] = this.split_range(start, end);
    const gone = this.vmas.splice(i, j - i);
    let zapped = false;
    for (const v of gone) zapped = this.zap(v, v.start, v.end) || zapped;
    if (zapped) this.host.flushTlbMm(this);
  }

  /** MADV_DONTNEED: the pages of [start, end) are dropped; the areas stay, and read as new memory again. */
  discard(start: bigint, end: bigint): void {
    let zapped = false;
    for (const v of this.vmas) {
      if (v.end <= start || v.start >= end || v.flags & VM_PFNMAP) continue;
      zapped = this.zap(v, v.start > start ? v.start : start, v.end < end ? v.end : end) || zapped;
    }
    if (zapped) this.host.flushTlbMm(this);
  }

  /** mprotect_fixup: new flags for the areas of the range, the present ptes rewritten. */
  mprotect(start: bigint, end: bigint, setFlags: (old: number) => number): void {
    const [i, j] = this.split_range(start, end);
    for (let n = i; n < j; n++) {
      const v = this.vmas[n]!;
      v.flags = setFlags(v.flags);
      const prot = vm_get_page_prot(v.flags);
      const cow = !(v.flags & (VM_SHARED | VM_PFNMAP));
      for (let va = v.start; va < v.end; va += PAGE) {
        const at = this.pgd.pteAddress(va, false);
        if (at === undefined) continue;
        const pte = this.host.ram.u64(at);
        if (!(pte & PTE_VALID)) continue;
        const pa = PageTable.pteAddr(pte);
        // A private page someone else also maps (fork, the page cache) stays read-only: a write must copy it.
        const shared = cow && this.host.userPageCount(pa) > 1;
        this.host.ram.setU64(at, PageTable.mkPte(pa, shared ? prot | PTE_RDONLY : prot));
      }
    }
    this.merge_all();
    this.host.flushTlbMm(this);
  }

  /** vma_merge, in bulk: neighbours that are alike and contiguous become one area. */
  private merge_all(): void {
    for (let i = this.vmas.length - 1; i > 0; i--) {
      const a = this.vmas[i - 1]!;
      const b = this.vmas[i]!;
      if (a.end === b.start && a.flags === b.flags && a.name === b.name && a.backing === b.backing && !(a.flags & VM_PFNMAP)) {
        a.end = b.end;
        this.vmas.splice(i, 1);
      }
    }
  }

  /** Clear the ptes of [start, end) in area `v` and free the pages it owns (zap_page_range). */
  private zap(v: VmArea, start: bigint, end: bigint): boolean {
    let any = false;
    for (let va = start; va < end; va += PAGE) {
      const at = this.pgd.pteAddress(va, false);
      if (at === undefined) {
        va = (va | ((1n << 21n) - 1n)) + 1n - PAGE; // no table: skip to the next 2 MiB
        continue;
      }
      const pte = this.host.ram.u64(at);
      if (!(pte & PTE_VALID)) continue;
      this.host.ram.setU64(at, 0n);
      any = true;
      if (!(v.flags & VM_PFNMAP)) {
        this.host.freeUserPage(PageTable.pteAddr(pte));
        this.rss--;
      }
    }
    return any;
  }

  /**
   * Map one page for a fault in `v` (mm/memory.c's do_anonymous_page and
   * do_read_fault, for private mappings): the page cache's page of a
   * read-only file mapping, else a fresh zeroed page with the backing's
   * bytes copied in. False if memory ran out.
   */
  populate(v: VmArea, va: bigint): boolean {
    const page = page_down(va);
    let at: number | undefined;
    try {
      at = this.pgd.pteAddress(page, true);
    } catch (e) {
      if (e instanceof MmError || e instanceof PgTableError) return false;
      throw e;
    }
    if (at === undefined) return false;
    if (v.flags & VM_PFNMAP) {
      this.host.ram.setU64(at, PageTable.mkPte(v.pfnmapPa + Number(page - v.start), vm_get_page_prot(v.flags)));
      return true;
    }
    const cached = filePage(v, page);
    const pa = cached ? this.host.filemapPage(cached.file, cached.index, (v.flags & VM_EXEC) !== 0) : this.privatePage(v, page);
    if (pa === null) return false;
    this.host.ram.setU64(at, PageTable.mkPte(pa, vm_get_page_prot(v.flags)));
    this.rss++;
    return true;
  }

  /** A zeroed page of its own for `page` of `v`, the backing's bytes copied in; null without memory. */
  private privatePage(v: VmArea, page: bigint): number | null {
    const pa = this.host.allocUserPage();
    if (pa === null) return null;
    for (const b of v.backing) copyBacking(this.host.ram, pa, page, b);
    if (v.flags & VM_EXEC) this.host.codeChanged(pa);
    return pa;
  }

  /**
   * dup_mmap (kernel/fork.c): `child`, a new empty mm, gets a copy of
   * every area; private pages are shared copy-on-write (both ptes made
   * read-only, the page's count raised), shared areas share their pages
   * writable, windows (VM_PFNMAP) are copied as they are. False, with the
   * child half built (the caller drops it), when a table page is missing.
   */
  dup_mmap(child: MmStruct): boolean {
    const ram = this.host.ram;
    for (const v of this.vmas) child.vmas.push(v.clone(v.start, v.end));
    child.start_brk = this.start_brk;
    child.brk = this.brk;
    child.start_stack = this.start_stack;
    child.arg_start = this.arg_start;
    child.arg_end = this.arg_end;
    let wrprotected = false;
    for (const v of this.vmas) {
      const cow = !(v.flags & (VM_SHARED | VM_PFNMAP));
      for (let va = v.start; va < v.end; va += PAGE) {
        const at = this.pgd.pteAddress(va, false);
        if (at === undefined) {
          va = (va | ((1n << 21n) - 1n)) + 1n - PAGE;
          continue;
        }
        let pte = ram.u64(at);
        if (!(pte & PTE_VALID)) continue;
        if (cow && !(pte & PTE_RDONLY)) {
          pte |= PTE_RDONLY;
          ram.setU64(at, pte);
          wrprotected = true;
        }
        let cat: number | undefined;
        try {
          cat = child.pgd.pteAddress(va, true);
        } catch (e) {
          if (e instanceof MmError || e instanceof PgTableError) cat = undefined;
          else throw e;
        }
        if (cat === undefined) {
          if (wrprotected) this.host.flushTlbMm(this);
          return false;
        }
        ram.setU64(cat, pte);
        if (!(v.flags & VM_PFNMAP)) {
          this.host.getUserPage(PageTable.pteAddr(pte));
          child.rss++;
        }
      }
    }
    if (wrprotected) this.host.flushTlbMm(this);
    return true;
  }

  /**
   * do_wp_page: a write to a present read-only page of a writable private
   * area (shared since fork): the only user takes it back writable; others
   * get a copy. False if memory ran out.
   */
  wp_page(va: bigint): boolean {
    const ram = this.host.ram;
    const v = this.vma_at(va)!;
    const at = this.pgd.pteAddress(page_down(va), false)!;
    const old = PageTable.pteAddr(ram.u64(at));
    const prot = vm_get_page_prot(v.flags);
    if (this.host.userPageCount(old) === 1) {
      ram.setU64(at, PageTable.mkPte(old, prot));
    } else {
      const copy = this.host.allocUserPage();
      if (copy === null) return false;
      ram.bytes(copy, PAGE_SIZE).set(ram.bytes(old, PAGE_SIZE));
      if (v.flags & VM_EXEC) this.host.codeChanged(copy);
      ram.setU64(at, PageTable.mkPte(copy, prot));
      this.host.freeUserPage(old); // our reference to the shared page
    }
    this.host.flushTlbMm(this);
    return true;
  }

  /** The physical address `va` maps now, if a page is there. */
  lookup(va: bigint): { pa: number; writable: boolean } | undefined {
    if (va < 0n || va >= TASK_SIZE) return undefined;
    const pa = this.user_pa(Number(va), false);
    return pa < 0 ? undefined : { pa, writable: this.user_pa(Number(va), true) >= 0 };
  }

  /**
   * The physical address user address `va` (a number below TASK_SIZE)
   * reaches now, for a write when `write`; -1 when no page is mapped there,
   * or it is read-only for a write. What copies to and from user memory
   * ask page after page, without building anything.
   */
  user_pa(va: number, write: boolean): number {
    const at = this.pgd.leaf(va);
    if (at < 0) return -1;
    const ram = this.host.ram;
    const lo = ram.u32(at);
    if (write && lo & 0x80) return -1; // AP[2]: PTE_RDONLY
    return ((lo & 0xfffff000) >>> 0) + (ram.u32(at + 4) & 0xffff) * 2 ** 32 + (va % PAGE_SIZE);
  }

  /** exit_mmap: every area unmapped, every table freed (the root too when `freeRoot`). */
  exit_mmap(freeRoot = true): void {
    for (const v of this.vmas) this.zap(v, v.start, v.end);
    this.vmas.length = 0;
    this.host.flushTlbMm(this);
    this.pgd.freeTables((pa) => this.host.freeTable(pa), freeRoot);
    this.nr_tables = 0;
  }
}

/** Copy the part of `b` that falls in the page at `page` into the physical page `pa`. */
function copyBacking(ram: GuestRam, pa: number, page: bigint, b: VmBacking): void {
  const from = page > b.va ? page : b.va;
  const to = page + PAGE < b.va + BigInt(b.bytes.length) ? page + PAGE : b.va + BigInt(b.bytes.length);
  if (from >= to) return;
  ram.bytes(pa + Number(from - page), Number(to - from)).set(b.bytes.subarray(Number(from - b.va), Number(to - b.va)));
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;
