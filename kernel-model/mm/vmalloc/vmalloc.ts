// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmalloc on the booted kernel (mm/vmalloc.c, 5.10): virtually contiguous
 * kernel memory made of single pages from the page allocator, mapped into
 * swapper_pg_dir inside [VMALLOC_START, VMALLOC_END), so that ARM64 code
 * on every core reaches it at its vmalloc address.
 *
 *   __vmalloc_node_range  size rounded up to pages, plus one unmapped
 *                         guard page (VM_NO_GUARD aside); the range from
 *                         the vmap allocator (alloc_vmap_area: the seed's
 *                         augmented tree or the list allocator it replaced,
 *                         vmap_allocator= on the command line); one
 *                         alloc_page per page, each mapped at its place
 *   vfree / vunmap        the page-table entries cleared at once, the
 *                         pages given back (vfree), and the range queued
 *                         for the lazy purge: it is reused only after a
 *                         purge has flushed every core's TLB, which runs as
 *                         drain_vmap_work on the system workqueue once more
 *                         than lazy_max_pages() are waiting
 *   vmap                  given pages at a new range (VM_MAP)
 *
 * The kernel image occupies the bottom of the range (KIMAGE_VADDR =
 * VMALLOC_START on 5.10 arm64) and is registered first, as
 * vm_area_add_early does, so it shows in /proc/vmallocinfo and vmalloc
 * never hands it out. Page-table pages for new mappings come from the page
 * allocator. vm_struct and the pages array are kept on the host (Linux
 * kmallocs them; the model charges nothing for them yet).
 *
 * Virtual time. vmalloc's TypeScript charges what its work would cost a
 * core (Kernel.charge), by a plain model rather than a measurement: a
 * fixed cost per call, a cost per node the fit search visits (a dependent
 * load that usually misses the cache: the difference between the two
 * allocators), and a cost per page allocated or freed and mapped or
 * unmapped (VMALLOC_COST). test_vmalloc's cycles on the booted machine
 * are this model's.
 *
 * Bad input gets Linux's lines: a zero or too-large size "vmalloc:
 * allocation failure: N bytes" (warn_alloc); a bad alignment the vmap
 * allocator's BUG_ON line; vfree of an address vmalloc did not return, or
 * twice, "Trying to vfree() nonexistent vm area"; in each case nothing
 * changes and NULL (0n) is returned.
 */

import type { Kernel } from '../../kernel';
import { KIMAGE_VADDR, VMALLOC_END, VMALLOC_START } from '../../arch/arm64/memory';
import { PAGE_SIZE } from '../../arch/arm64/page-def';
import { PROT } from '../../arch/arm64/pgtable';
import { GFP_KERNEL, __GFP_ZERO } from '../page_alloc';
import { createVmap, type Vmap } from './vmap';
import type { VmapAllocatorKind } from './backend';
import { vmallocinfo, type VmallocInfoEntry, VM_ALLOC, VM_MAP, VM_NO_GUARD } from './vmallocinfo';
import { CountingVmapAreaCache, SIZEOF_VMAP_AREA_V4_19, SIZEOF_VMAP_AREA_V5_10, VM_LAZY_FREE, type VmapAreaCache } from './vmap_area';
import { SlabVmapAreaCache } from './vmap_area_slab';
import type { Slab } from '../slab/slab';

const PAGE = BigInt(PAGE_SIZE);

/** The cost model of the header, in instructions (charged in kernel threads; see Kernel.charge). */
export const VMALLOC_COST = {
  /** Entering vmalloc or vfree: checks, the node cache, the vm_struct. */
  call: 400,
  /** One vmap_area node the fit search visits. */
  node: 40,
  /** One page: alloc_page from the pcp list and its PTE, or the PTE cleared and the page freed. */
  page: 150,
} as const;

/** struct vm_struct, as far as the model keeps it. */
export interface VmStruct {
  addr: bigint;
  /** Guard page included, as Linux's v->size. */
  size: bigint;
  flags: number;
  /** The pages mapped (PFNs), in order. */
  pages: number[];
  caller: string;
  phys_addr?: number;
}

/** vmap_allocator= on the command line: the seed's allocator (default) or the one it replaced. */
export function vmap_allocator_param(value: string | undefined, printk: (l: string) => void): VmapAllocatorKind {
  if (value === undefined || value === 'augment') return 'augment';
  if (value === 'list') return 'list';
  printk(`vmap_allocator=${value}: unknown (augment or list); using augment`);
  return 'augment';
}

/**
 * Fault injection at vmalloc's two allocation sites: asked before each
 * vmap_area node (the node cache) and each page; true makes that
 * allocation fail (as should_fail() does for failslab and fail_page_alloc).
 */
export interface VmallocFaults {
  vmap_area?: () => boolean;
  page?: () => boolean;
}

export class Vmalloc {
  /** vmlist: the live vm_structs by address. */
  private readonly areas = new Map<bigint, VmStruct>();

  constructor(private readonly k: Kernel, readonly vmap: Vmap, image: VmStruct, readonly faults: VmallocFaults) {
    this.areas.set(image.addr, image);
  }

  is_vmalloc_addr(addr: bigint): boolean {
    return addr >= VMALLOC_START && addr < VMALLOC_END;
  }

  /** vmalloc(size): `size` bytes of kernel memory, page by page; 0n on failure. */
  vmalloc(size: number, caller = 'vmalloc'): bigint {
    return this.__vmalloc_node_range(size, 1, VMALLOC_START, VMALLOC_END, GFP_KERNEL, 0, caller);
  }

  /** vzalloc(size): the same, zeroed. */
  vzalloc(size: number, caller = 'vzalloc'): bigint {
    return this.__vmalloc_node_range(size, 1, VMALLOC_START, VMALLOC_END, GFP_KERNEL | __GFP_ZERO, 0, caller);
  }

  __vmalloc_node_range(size: number, align: number, start: bigint, end: bigint, gfp: number, vmFlags: number, caller: string): bigint {
    const pgalloc = this.k.mm.pgalloc;
    const realSize = size;
    const bytes = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
    const nrPages = bytes / PAGE_SIZE;
    if (!(size > 0) || nrPages > pgalloc.totalram_pages()) return this.fail(gfp, realSize);
    const visited = this.vmap.backend.visited;
    const area = this.get_vm_area(bytes, align, start, end, VM_ALLOC | vmFlags, caller, gfp);
    this.k.charge(VMALLOC_COST.call + (this.vmap.backend.visited - visited) * VMALLOC_COST.node + nrPages * VMALLOC_COST.page);
    if (!area) return this.fail(gfp, realSize);
    for (let i = 0; i < nrPages; i++) {
      const pfn = this.faults.page?.() ? null : pgalloc.alloc_page(gfp);
      if (pfn === null) {
        this.__vunmap(area, true);
        return this.fail(gfp, realSize);
      }
      area.pages.push(pfn);
      this.map_page(area.addr + BigInt(i) * PAGE, pfn);
    }
    return area.addr;
  }

  /** vmap(pages): the given pages at a new range; 0n on failure. */
  vmap_pages(pages: readonly number[], caller = 'vmap'): bigint {
    if (pages.length === 0) return 0n;
    const area = this.get_vm_area(pages.length * PAGE_SIZE, 1, VMALLOC_START, VMALLOC_END, VM_MAP, caller, GFP_KERNEL);
    if (!area) return 0n;
    pages.forEach((pfn, i) => {
      area.pages.push(pfn);
      this.map_page(area.addr + BigInt(i) * PAGE, pfn);
    });
    return area.addr;
  }

  /**
   * A range with no pages yet (get_vm_area with VM_ALLOC, as
   * pcpu_get_vm_areas makes them): its user maps pages one by one
   * (map_new_page) and gives it back with free_vm_area. 0n on failure.
   */
  get_vm_area_only(bytes: number, caller: string): bigint {
    const area = this.get_vm_area(Math.ceil(bytes / PAGE_SIZE) * PAGE_SIZE, PAGE_SIZE, VMALLOC_START, VMALLOC_END, VM_ALLOC | VM_NO_GUARD, caller, GFP_KERNEL);
    return area ? area.addr : 0n;
  }

  /** A new zeroed page mapped at `va`, inside a range of get_vm_area_only; false if no page. */
  map_new_page(va: bigint): boolean {
    const pfn = this.faults.page?.() ? null : this.k.mm.pgalloc.alloc_page(GFP_KERNEL | __GFP_ZERO);
    if (pfn === null) return false;
    this.k.charge(VMALLOC_COST.page);
    this.map_page(va, pfn);
    this.areaAt(va)?.pages.push(pfn);
    return true;
  }

  /** Unmap the page at `va` and free it (the caller flushes the TLBs). */
  unmap_free_page(va: bigint): void {
    const pfn = this.vmalloc_to_page(va);
    if (pfn === null) return;
    this.k.charge(VMALLOC_COST.page);
    this.k.arch.pgtables.swapper.unmap(va);
    this.k.mm.pgalloc.__free_pages(pfn, 0);
    const area = this.areaAt(va);
    if (area) area.pages.splice(area.pages.indexOf(pfn), 1);
  }

  /** free_vm_area: give back a range of get_vm_area_only, with whatever pages are still mapped in it. */
  free_vm_area(addr: bigint): void {
    const area = this.find_vm_area(addr);
    if (!area) return void this.vmap.free_lazy(addr);
    for (let off = 0n; off < area.size; off += PAGE) this.unmap_free_page(addr + off);
    this.__vunmap(area, true);
  }

  /** The live vm_struct containing `va`. */
  private areaAt(va: bigint): VmStruct | undefined {
    const va_ = this.vmap.find(va);
    return va_ ? this.areas.get(va_.va_start) : undefined;
  }

  /** vfree: unmap, give the pages back, queue the range for the lazy purge. */
  vfree(addr: bigint): void {
    if (addr === 0n) return;
    const area = this.find_vm_area(addr);
    if (!area || !(area.flags & VM_ALLOC)) return void this.vmap.free_lazy(area ? addr + 1n : addr); // Linux's warning
    this.__vunmap(area, true);
  }

  /** vunmap: unmap what vmap mapped (the pages stay the caller's). */
  vunmap(addr: bigint): void {
    const area = this.find_vm_area(addr);
    if (!area || !(area.flags & VM_MAP)) return void this.vmap.free_lazy(area ? addr + 1n : addr);
    this.__vunmap(area, false);
  }

  /** find_vm_area: the live vm_struct starting at `addr`. */
  find_vm_area(addr: bigint): VmStruct | undefined {
    return this.areas.get(addr);
  }

  /** vmalloc_to_page: the page mapped at a vmalloc address, through the page tables; null if none. */
  vmalloc_to_page(addr: bigint): number | null {
    if (!this.is_vmalloc_addr(addr)) return null;
    const pa = this.k.arch.kmem.translate(addr);
    return pa === undefined ? null : Math.floor(pa / PAGE_SIZE);
  }

  /** /proc/vmallocinfo (s_show): every busy area in address order, lazily freed ones as "unpurged vm_area". */
  vmallocinfo(): string {
    const entries: VmallocInfoEntry[] = [];
    for (const va of this.vmap.busy_areas()) {
      const vm = this.areas.get(va.va_start);
      if (!vm || va.flags & VM_LAZY_FREE) {
        entries.push({ kind: 'unpurged', va_start: va.va_start, va_end: va.va_end });
        continue;
      }
      entries.push({ kind: 'vm_struct', addr: vm.addr, size: vm.size, caller: vm.caller, nr_pages: vm.flags & VM_ALLOC ? vm.pages.length : 0, phys_addr: vm.phys_addr, flags: vm.flags });
    }
    return vmallocinfo(entries);
  }

  /* ---- the steps ------------------------------------------------------------ */

  /** __get_vm_area_node: a range of `bytes` plus the guard page. */
  private get_vm_area(bytes: number, align: number, start: bigint, end: bigint, flags: number, caller: string, gfp: number): VmStruct | null {
    const size = BigInt(bytes) + (flags & VM_NO_GUARD ? 0n : PAGE);
    const cpu = this.k.smp_processor_id();
    const addr = this.vmap.alloc(size, BigInt(align), start, end, { cpu, caller, nowarn: (gfp & 0x200) !== 0 });
    if (addr === null) return null;
    const vm: VmStruct = { addr, size, flags, pages: [], caller };
    this.areas.set(addr, vm);
    return vm;
  }

  private map_page(va: bigint, pfn: number): void {
    this.k.arch.pgtables.swapper.map(va, pfn * PAGE_SIZE, PAGE_SIZE, PROT.KERNEL, { pageGranular: true });
  }

  /** __vunmap: clear the entries now, pages back if asked, the range to the lazy purge. */
  private __vunmap(area: VmStruct, freePages: boolean): void {
    this.k.charge(VMALLOC_COST.call + area.pages.length * VMALLOC_COST.page);
    const swapper = this.k.arch.pgtables.swapper;
    area.pages.forEach((_, i) => swapper.unmap(area.addr + BigInt(i) * PAGE));
    if (freePages) for (const pfn of area.pages) this.k.mm.pgalloc.__free_pages(pfn, 0);
    this.areas.delete(area.addr);
    const { purgeDue } = this.vmap.free_lazy(area.addr);
    if (purgeDue) this.purge();
  }

  /**
   * try_purge_vmap_area_lazy, inline in vfree as in the seed's kernel
   * (v5.2 free_vmap_area_noflush; later kernels moved it to a work item).
   * Each area purged is a node visited; the flush reaches every core.
   */
  purge(): void {
    const pending = this.vmap.lazy.vmap_purge_list.length;
    if (this.vmap.purge_vmap_area_lazy()) this.k.charge(VMALLOC_COST.call + pending * VMALLOC_COST.node);
  }

  private fail(gfp: number, size: number): bigint {
    const pgalloc = this.k.mm.pgalloc;
    pgalloc.report.warn_alloc(pgalloc, gfp, `vmalloc: allocation failure: ${size} bytes`, this.k.smp_processor_id());
    return 0n;
  }
}

/** Where vmap_area nodes come from: the slab (the kernel's) or a counting stand-in (no slab). */
function vmap_area_cache(kind: VmapAllocatorKind, fail: () => boolean, slab?: Slab): VmapAreaCache {
  const objsize = kind === 'augment' ? SIZEOF_VMAP_AREA_V5_10 : SIZEOF_VMAP_AREA_V4_19;
  return slab ? new SlabVmapAreaCache(slab, objsize, kind === 'augment', fail) : new CountingVmapAreaCache(objsize, fail);
}

/**
 * vmalloc_init: the vmap allocator chosen on the command line, with the
 * kernel image registered first, and page-table pages from the page
 * allocator from now on.
 */
export function vmalloc_init(k: Kernel, kind: VmapAllocatorKind, imageBytes: number, slab?: Slab): Vmalloc {
  const image: VmStruct = { addr: KIMAGE_VADDR, size: BigInt(imageBytes), flags: VM_MAP, pages: [], caller: 'paging_init', phys_addr: k.textPa };
  const faults: VmallocFaults = {};
  const vmap = createVmap({
    kind,
    cache: vmap_area_cache(kind, () => faults.vmap_area?.() ?? false, slab),
    printk: k.printk,
    nrCpus: k.machine.cores.length,
    space: { start: VMALLOC_START, end: VMALLOC_END },
    early: [{ start: image.addr, size: image.size, caller: image.caller }],
    flush_tlb_kernel_range: (start, end) => k.flush_tlb_kernel_range(start, end),
  });
  k.arch.pgtables.swapper.setTableAllocator(() => {
    const pfn = k.mm.pgalloc.alloc_page(GFP_KERNEL | __GFP_ZERO);
    if (pfn === null) throw new Error('vmalloc: no page for a page table');
    return pfn * PAGE_SIZE;
  });
  return new Vmalloc(k, vmap, image, faults);
}
