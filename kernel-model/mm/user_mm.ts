// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where user address spaces get their memory (mm_alloc, mmput, and the
 * MmHost an MmStruct works through): user pages and page-table pages from
 * the page allocator (GFP_HIGHUSER_MOVABLE for data, as
 * alloc_zeroed_user_highpage_movable asks; GFP_PGTABLE_USER for tables),
 * ASIDs, and the TLB and translated-code maintenance the cores need.
 *
 * Fault injection: `faults.page`, `faults.pgtable` and `faults.vma` make
 * the next user-page, table-page or area allocation fail when they return
 * true, so tests can prove every caller backs out cleanly.
 */

import { GFP_HIGHUSER_MOVABLE, GFP_KERNEL, __GFP_ZERO, pfn_to_phys, phys_to_pfn, type PageAllocator } from './page_alloc';
import { MmStruct, type MmHost } from './mmap';
import { AsidAllocator, MmContexts } from '../arch/arm64/mm/context';
import type { Machine } from '../../emulator/machine';
import { PAGE_SIZE } from '../arch/arm64/page-def';
import { fill_page, PageCache } from './filemap';

export interface UserMmFaults {
  page?: () => boolean;
  pgtable?: () => boolean;
  vma?: () => boolean;
}

/** GFP_PGTABLE_USER (include/asm-generic/pgalloc.h): zeroed, accounted kernel pages. */
const GFP_PGTABLE_USER = GFP_KERNEL | __GFP_ZERO;

export class UserMemory implements MmHost {
  readonly faults: UserMmFaults = {};
  readonly asids = new AsidAllocator();
  readonly contexts: MmContexts;
  /** Live address spaces (for /proc and the leak checks). */
  readonly live = new Set<MmStruct>();
  /** The files' pages that read-only mappings share (text, read-only data). */
  readonly pageCache = new PageCache();

  constructor(private readonly machine: Machine, private readonly pgalloc: () => PageAllocator) {
    this.contexts = new MmContexts(machine.cores);
  }

  get ram(): MmHost['ram'] {
    return this.machine.ram;
  }

  allocUserPage(): number | null {
    if (this.faults.page?.()) return null;
    const pfn = this.pgalloc().alloc_page(GFP_HIGHUSER_MOVABLE);
    if (pfn === null) return null;
    const pa = pfn_to_phys(pfn);
    // clear_user_highpage: the page allocator leaves __GFP_ZERO to its callers' clearing in the model.
    this.machine.ram.fill(pa, PAGE_SIZE, 0);
    // A page that was a process's text keeps its translated blocks, and its
    // stores the engine's slow path, until they are dropped (see
    // emulator/native/uc_store_path.c): new contents, new start.
    for (const core of this.machine.cores) core.dropPhysCode(pa, PAGE_SIZE);
    return pa;
  }

  freeUserPage(pa: number): void {
    this.pgalloc().free_page(phys_to_pfn(pa));
  }

  getUserPage(pa: number): void {
    this.pgalloc().get_page(phys_to_pfn(pa));
  }

  userPageCount(pa: number): number {
    return this.pgalloc().page_count(phys_to_pfn(pa));
  }

  allocTable(): number | null {
    if (this.faults.pgtable?.()) return null;
    const pfn = this.pgalloc().alloc_page(GFP_PGTABLE_USER);
    return pfn === null ? null : pfn_to_phys(pfn); // PageTable zeroes its table pages
  }

  freeTable(pa: number): void {
    this.pgalloc().free_page(phys_to_pfn(pa));
  }

  flushTlbMm(mm: MmStruct): void {
    this.contexts.flush_tlb_mm(mm);
  }

  /** filemap_fault's half: the cached page, filled on its first use (see filemap.ts). */
  filemapPage(file: Uint8Array, index: number, exec: boolean): number | null {
    let pa = this.pageCache.find_page(file, index);
    if (pa === undefined) {
      const page = this.allocUserPage();
      if (page === null) return null;
      fill_page(this.machine.ram.bytes(page, PAGE_SIZE), file, index);
      if (exec) this.codeChanged(page);
      this.pageCache.add_page(file, index, page);
      pa = page;
    }
    this.getUserPage(pa);
    return pa;
  }

  /** Translated code of the page is stale on every core (each engine drops its blocks of that physical page). */
  codeChanged(pa: number): void {
    for (const core of this.machine.cores) core.physCodeChanged(pa, PAGE_SIZE);
  }

  /** mm_alloc: an empty address space with its own root table and ASID; null without memory. */
  mm_alloc(): MmStruct | null {
    const root = this.allocTable();
    if (root === null) return null;
    const mm = new MmStruct(this, this.asids.alloc(), root);
    this.live.add(mm);
    return mm;
  }

  /** mmput: the last user is gone, everything the mm holds goes back. */
  mmput(mm: MmStruct): void {
    if (--mm.users > 0) return;
    mm.exit_mmap();
    this.contexts.forget(mm);
    this.asids.free(mm.asid);
    this.live.delete(mm);
  }
}
