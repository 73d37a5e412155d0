// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page allocator's entry points for the rest of the kernel. Bringing
 * it up is one sequence, in three steps that the boot calls with other
 * work (and other log lines) in between, as start_kernel does:
 *
 *   free_area_init         (setup_arch -> bootmem_init) zones, mem_map and
 *                          pageblock bitmap from memblock; "Zone ranges:"
 *                          ... "DMA zone: N pages, LIFO batch:B"
 *   page_alloc_init        the PageAllocator over those zones, then
 *                          build_all_zonelists: "Built 1 zonelists, ..."
 *                          (start_kernel; Linux's own page_alloc_init()
 *                          runs right after it, before "Kernel command
 *                          line:")
 *   page_alloc_init_late   memblock_free_all and "Memory: ..." (mm_init ->
 *                          mem_init), setup_per_cpu_pageset, and
 *                          init_per_zone_wmark_min (a core initcall in
 *                          Linux, run here at once: nothing allocates in
 *                          between)
 *
 * The booting kernel (kernel-model/mm/init.ts) calls the three at their
 * places in the boot; mm_init_buddy() calls them back to back for tests,
 * benchmarks and anything else that wants a page allocator on a memblock
 * of its own.
 *
 * MAX_ORDER keeps its pre-6.4 meaning: exclusive, orders 0..MAX_ORDER-1,
 * default 11 (arm64 4K pages until v6.4 redefined it as the largest order,
 * 10, commit 23baf831a32c). The command line's max_order=N sets it (see
 * kernel-model/mm/init.ts); the seed experiment uses max_order=6.
 */

import type { GuestRam } from '../../../emulator/memory/guest-ram';
import { LinearMap } from '../../arch/arm64/memory';
import type { Printk } from '../../printk';
import type { Memblock } from '../memblock';
import { PageAllocator } from './page_alloc';
import {
  build_all_zonelists,
  free_area_init,
  init_per_zone_wmark_min,
  mem_init_print_info,
  memblock_free_all,
  SECTION_SIZE_BITS_510,
  setup_per_cpu_pageset,
  type FreeAreaInitResult,
  type KernelSections,
  type ZoneLimits,
} from './mm_init';
import { PAGE_SHIFT } from './mm_types';
import type { ReportHooks } from './report';
import { host_percpu_place, type PercpuPlace } from '../percpu/words';

/** MAX_ORDER of arm64 with 4K pages before v6.4 (exclusive). */
export const DEFAULT_MAX_ORDER = 11;

/** Largest MAX_ORDER a section of `sectionSizeBits` allows (MAX_ORDER - 1 + PAGE_SHIFT <= SECTION_SIZE_BITS). */
export function max_order_limit(sectionSizeBits = SECTION_SIZE_BITS_510): number {
  return sectionSizeBits - PAGE_SHIFT + 1;
}

/** Kernel image sections of nothing: the Memory: line of a machine without a kernel image. */
const NO_KERNEL_SECTIONS: KernelSections = { code: 0, rwdata: 0, rodata: 0, init: 0, bss: 0 };

export interface PageAllocInitOptions {
  ram: GuestRam;
  /** free_area_init's mem_map and zones. */
  init: Pick<FreeAreaInitResult, 'mem_map' | 'zones'>;
  /** MAX_ORDER, exclusive; the one free_area_init was given. */
  maxOrder: number;
  nrCpus: number;
  printk: Printk;
  /** Hooks for reports: current->comm, pid, dump_stack, vmemmap base. */
  report?: Omit<ReportHooks, 'printk'>;
  /**
   * The caller's CPU (the booted kernel: smp_processor_id() through
   * TPIDR_EL1). Without a kernel, the allocator's user says which CPU its
   * calls stand for; by default CPU 0.
   */
  smp_processor_id?: () => number;
  /** The linear map for __get_free_pages' addresses (default: PAGE_OFFSET maps physical 0). */
  linear?: LinearMap;
  /**
   * Where the per-CPU pagesets and vm event counters live: the first
   * chunk of the per-CPU areas in the booted kernel; without a kernel, a
   * host buffer with the same layout.
   */
  percpu?: PercpuPlace;
}

/**
 * page_alloc_init: the PageAllocator over free_area_init's zones, and
 * build_all_zonelists (mobility grouping, "Built 1 zonelists"). No page
 * is free yet: memblock still owns the memory.
 */
export function page_alloc_init(opts: PageAllocInitOptions): PageAllocator {
  const pgalloc = new PageAllocator({
    ram: opts.ram,
    mem_map: opts.init.mem_map,
    zones: opts.init.zones,
    maxOrder: opts.maxOrder,
    nrCpus: opts.nrCpus,
    hooks: { ...opts.report, printk: opts.printk },
    smp_processor_id: opts.smp_processor_id ?? (() => 0),
    linear: opts.linear ?? new LinearMap(0),
    percpu: opts.percpu ?? host_percpu_place(opts.nrCpus),
  });
  build_all_zonelists(pgalloc, opts.printk);
  return pgalloc;
}

export interface PageAllocInitLateOptions {
  /** vm.min_free_kbytes set by the user; computed as Linux does when absent. */
  minFreeKbytes?: number;
  /** totalcma_pages: memory declared as CMA areas (the Memory: line's cma-reserved). */
  totalcmaPages?: number;
  /**
   * core_initcalls that run between setup_per_cpu_pageset and
   * init_per_zone_wmark_min (a postcore_initcall since 5.9's "mm: include
   * CMA pages in lowmem_reserve at boot"): cma_init_reserved_areas.
   */
  coreInitcalls?: ((pgalloc: PageAllocator) => void)[];
}

/**
 * page_alloc_init_late: memblock's free memory to the buddy lists
 * (memblock_free_all), the "Memory:" line (printed through the
 * allocator's printk), the real per-CPU batches and the watermarks.
 * After it returns, memblock allocations must stop (Linux hands
 * memblock's free ranges to the buddy allocator here).
 */
export function page_alloc_init_late(
  pgalloc: PageAllocator,
  memblock: Memblock,
  sections: KernelSections = NO_KERNEL_SECTIONS,
  opts: PageAllocInitLateOptions = {},
): void {
  memblock_free_all(pgalloc, memblock);
  pgalloc.report.printk(mem_init_print_info(pgalloc, sections, opts.totalcmaPages ?? 0));
  setup_per_cpu_pageset(pgalloc);
  for (const initcall of opts.coreInitcalls ?? []) initcall(pgalloc);
  init_per_zone_wmark_min(pgalloc, opts.minFreeKbytes ?? -1);
}

export interface MmInitBuddyOptions extends Omit<PageAllocInitOptions, 'init' | 'maxOrder'>, PageAllocInitLateOptions {
  /** memblock with the DT memory and every reservation (firmware stubs, kernel image, DTB...). */
  memblock: Memblock;
  /** The board's DMA zone limits (BCM2711_ZONE_LIMITS for the CM4). */
  zoneLimits: ZoneLimits;
  /** MAX_ORDER, exclusive (max_order= on the command line); default 11. */
  maxOrder?: number;
  /** SECTION_SIZE_BITS: 30 on 5.10 arm64 (default), 27 on 5.12+; smaller sections mean a smaller mem_map for small test RAM. */
  sectionSizeBits?: number;
  /** Kernel image section sizes (bytes) for the Memory: line. */
  kernelSections?: KernelSections;
}

/**
 * mm_init_buddy: the whole sequence at once (free_area_init,
 * page_alloc_init, page_alloc_init_late) on a memblock of the caller's.
 * Refuses a MAX_ORDER the section size cannot hold, and no CPUs.
 */
export function mm_init_buddy(opts: MmInitBuddyOptions): PageAllocator {
  const maxOrder = opts.maxOrder ?? DEFAULT_MAX_ORDER;
  const sectionSizeBits = opts.sectionSizeBits ?? SECTION_SIZE_BITS_510;
  if (!Number.isInteger(maxOrder) || maxOrder < 2 || maxOrder > max_order_limit(sectionSizeBits))
    throw new RangeError(`mm_init_buddy: MAX_ORDER ${maxOrder} out of range 2..${max_order_limit(sectionSizeBits)}`);
  if (!Number.isInteger(opts.nrCpus) || opts.nrCpus < 1) throw new RangeError(`mm_init_buddy: nrCpus ${opts.nrCpus}`);
  const init = free_area_init({
    ram: opts.ram,
    memblock: opts.memblock,
    zoneLimits: opts.zoneLimits,
    maxOrder,
    nrCpus: opts.nrCpus,
    printk: opts.printk,
    sectionSizeBits,
  });
  const pgalloc = page_alloc_init({ ...opts, init, maxOrder });
  page_alloc_init_late(pgalloc, opts.memblock, opts.kernelSections, opts);
  return pgalloc;
}

export { PageAllocator } from './page_alloc';
export {
  BCM2711_ZONE_LIMITS,
  SECTION_SIZE_BITS_510,
  arm64_max_zone_pfns,
  build_all_zonelists,
  calc_memmap_size,
  compute_zone_layout,
  free_area_init,
  free_area_init_core_log,
  init_per_zone_wmark_min,
  max_zone_phys,
  mem_init_print_info,
  memblock_free_all,
  setup_per_cpu_pageset,
  zone_ranges_log,
  type FreeAreaInitResult,
  type KernelSections,
  type ZoneLayout,
  type ZoneLimits,
} from './mm_init';
export * from './gfp';
export { buddyinfo, pagetypeinfo, meminfo, si_mem_available, type MeminfoExtra } from './vmstat';
export { check_page_allocator, assert_page_allocator_sane, VmBug } from './debug_vm';
export { pageblock_order_for } from './internal';
export type { MemareaStats } from './memarea';
export { PAGE_SHIFT, PAGE_SIZE, pfn_to_phys, phys_to_pfn } from './mm_types';
export { MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL } from './mmzone';
export type { ReportHooks } from './report';
