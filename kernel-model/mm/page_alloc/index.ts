// SPDX-License-Identifier: GPL-2.0-only
/*
 * Entry point for the kernel's boot code: mm_init_buddy() runs the page
 * allocator's share of start_kernel() in Linux's order and returns the
 * PageAllocator; the single steps are exported too, for a boot sequence
 * that prints other lines in between (e.g. "Kernel command line:" falls
 * between "Built 1 zonelists" and "Memory:" in a real log).
 *
 * MAX_ORDER keeps its pre-6.4 meaning: exclusive, orders 0..MAX_ORDER-1,
 * default 11 (arm64 4K pages until v6.4 redefined it as the largest order,
 * 10, commit 23baf831a32c). The command line's max_order=N sets it; the
 * seed experiment uses max_order=6.
 */

import type { GuestRam } from '../../../emulator/memory/guest-ram';
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
  type KernelSections,
  type ZoneLimits,
} from './mm_init';
import { PAGE_SHIFT } from './mm_types';
import type { ReportHooks } from './report';

/** MAX_ORDER of arm64 with 4K pages before v6.4 (exclusive). */
export const DEFAULT_MAX_ORDER = 11;

export interface MmInitBuddyOptions {
  ram: GuestRam;
  /** memblock with the DT memory and every reservation (firmware, kernel, DTB, GPU...). */
  memblock: Memblock;
  /** The board's DMA zone limits (BCM2711_ZONE_LIMITS for the CM4). */
  zoneLimits: ZoneLimits;
  /** MAX_ORDER, exclusive (max_order= on the command line); default 11. */
  maxOrder?: number;
  nrCpus: number;
  printk: Printk;
  /** SECTION_SIZE_BITS: 30 on 5.10 arm64 (default), 27 on 5.12+; smaller sections mean a smaller mem_map for small test RAM. */
  sectionSizeBits?: number;
  /** vm.min_free_kbytes set by the user; computed as Linux does when absent. */
  minFreeKbytes?: number;
  /** Kernel image section sizes (bytes) for the Memory: line. */
  kernelSections?: KernelSections;
  /** Pages reserved for CMA (only for the Memory: line; CMA itself is not modelled). */
  totalcmaPages?: number;
  /** Hooks for reports: current->comm, pid, dump_stack, vmemmap base. */
  report?: Omit<ReportHooks, 'printk'>;
}

/** Largest MAX_ORDER a section of `sectionSizeBits` allows (MAX_ORDER - 1 + PAGE_SHIFT <= SECTION_SIZE_BITS). */
export function max_order_limit(sectionSizeBits = SECTION_SIZE_BITS_510): number {
  return sectionSizeBits - PAGE_SHIFT + 1;
}

/**
 * parse_max_order: the value of max_order= in a kernel command line, or
 * the default. Out-of-range values fall back to the default, as an
 * early_param handler that rejects its argument leaves the old value.
 */
export function parse_max_order(cmdline: string, sectionSizeBits = SECTION_SIZE_BITS_510): number {
  const m = /(?:^|\s)max_order=(\d+)(?=\s|$)/.exec(cmdline);
  if (!m) return DEFAULT_MAX_ORDER;
  const v = Number(m[1]);
  return v >= 2 && v <= max_order_limit(sectionSizeBits) ? v : DEFAULT_MAX_ORDER;
}

/**
 * mm_init_buddy: free_area_init, build_all_zonelists, memblock_free_all,
 * mem_init_print_info, setup_per_cpu_pageset, init_per_zone_wmark_min.
 * After it returns, memblock allocations must stop (Linux discards
 * memblock's free ranges to the buddy allocator here).
 */
export function mm_init_buddy(opts: MmInitBuddyOptions): PageAllocator {
  const maxOrder = opts.maxOrder ?? DEFAULT_MAX_ORDER;
  const sectionSizeBits = opts.sectionSizeBits ?? SECTION_SIZE_BITS_510;
  if (!Number.isInteger(maxOrder) || maxOrder < 2 || maxOrder > max_order_limit(sectionSizeBits))
    throw new RangeError(`mm_init_buddy: MAX_ORDER ${maxOrder} out of range 2..${max_order_limit(sectionSizeBits)}`);
  if (!Number.isInteger(opts.nrCpus) || opts.nrCpus < 1) throw new RangeError(`mm_init_buddy: nrCpus ${opts.nrCpus}`);
  const { mm, zones } = free_area_init({
    ram: opts.ram,
    memblock: opts.memblock,
    zoneLimits: opts.zoneLimits,
    maxOrder,
    nrCpus: opts.nrCpus,
    printk: opts.printk,
    sectionSizeBits,
  });
  const pa = new PageAllocator({
    ram: opts.ram,
    mm,
    zones,
    maxOrder,
    nrCpus: opts.nrCpus,
    hooks: { ...opts.report, printk: opts.printk },
  });
  build_all_zonelists(pa, opts.printk);
  memblock_free_all(pa, opts.memblock);
  opts.printk(mem_init_print_info(pa, opts.kernelSections ?? { code: 0, rwdata: 0, rodata: 0, init: 0, bss: 0 }, opts.totalcmaPages ?? 0));
  setup_per_cpu_pageset(pa);
  init_per_zone_wmark_min(pa, opts.minFreeKbytes ?? -1);
  return pa;
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
