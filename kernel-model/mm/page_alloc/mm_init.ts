// SPDX-License-Identifier: GPL-2.0-only
/*
 * From memblock to a working buddy allocator, in the order and the words
 * of Linux 5.10 (arch/arm64/mm/init.c zone_sizes_init, mm/sparse.c
 * sparse_init, mm/page_alloc.c free_area_init, build_all_zonelists,
 * mm/memblock.c memblock_free_all, mem_init_print_info; these functions
 * moved to mm/mm_init.c in 6.x, hence the file name):
 *
 *   sparse_init          mem_map and pageblock bitmap from memblock
 *   free_area_init       zone spans and present pages; prints
 *                          Zone ranges: / Movable zone start for each node /
 *                          Early memory node ranges / Initmem setup node 0 /
 *                          On node 0 totalpages: / "  DMA zone: ..." lines
 *   memmap_init          every struct page: in use, its zone, holes
 *                        PG_reserved; every pageblock MIGRATE_MOVABLE
 *   build_all_zonelists  "Built 1 zonelists, mobility grouping on.  Total pages: N"
 *   memblock_free_all    reserved ranges PG_reserved, free ranges to the
 *                        buddy lists; managed_pages counted
 *   mem_init_print_info  "Memory: NK/MK available (...)"
 *   setup_per_cpu_pageset, init_per_zone_wmark_min
 *
 * The numbers follow Linux's rules:
 *   zone limits (arm64 max_zone_phys): ZONE_DMA ends at
 *     min(start of DRAM rounded down to 2^bits + 2^bits, end of DRAM), 30
 *     bits on BCM2711; ZONE_DMA32 the same with 32 bits; ZONE_NORMAL at
 *     the end of DRAM. A zone starts where the previous one ended; equal
 *     ends print "empty".
 *   present pages: pages of memblock.memory inside the zone span.
 *   memmap pages (calc_memmap_size): spanned * 64 bytes, page aligned,
 *     or present * 64 when holes exceed 1/16 of the zone (SPARSEMEM).
 *   "Total pages" is printed before memblock_free_all, when each zone's
 *     managed_pages is still the estimate present - memmap and the high
 *     watermark is 0, so it equals the sum of those estimates.
 *   "Memory: free/physpages": free = NR_FREE_PAGES after
 *     memblock_free_all, physpages = present pages; reserved = physpages
 *     - totalram - totalcma.
 *
 * Sections: the mem_map covers whole memory sections (SECTION_SIZE_BITS
 * 30 on 5.10 arm64, 27 since 5.12), one contiguous buffer, as sparse_init
 * allocates it (sparse_buffer_init, aligned to the section's memmap
 * size). Page frames in holes get a reserved struct page, as
 * init_unavailable_range gives them (without its 5.10.x-stable "pages in
 * unavailable ranges" line, which 5.10.17 did not have).
 */

import type { GuestRam } from '../../../emulator/memory/guest-ram';
import type { Printk } from '../../printk';
import { SMP_CACHE_BYTES, type Memblock } from '../memblock';
import { MemMap, PAGE_SHIFT, PAGE_SIZE, STRUCT_PAGE_SIZE } from './mm_types';
import { MAX_NR_ZONES, MIGRATE_MOVABLE, MIGRATE_TYPES, ZONE_MOVABLE, Zone, zone_names } from './mmzone';
import { PerCpuPages, pageset_set_batch, setup_pageset, zone_batchsize } from './pcp';
import { PER_CPU_NODESTAT_SIZE, PER_CPU_PAGESET_ALIGN, PER_CPU_PAGESET_SIZE } from '../percpu/static_vars';
import { pageblock_order_for } from './internal';
import { __free_pages_range } from './buddy';
import {
  calculate_totalreserve_pages,
  compute_min_free_kbytes,
  nr_free_zone_pages,
  setup_per_zone_lowmem_reserve,
  setup_per_zone_wmarks,
} from './watermark';
import { GFP_HIGHUSER_MOVABLE, GFP_USER, gfp_zone } from './gfp';
import type { PageAllocator } from './page_alloc';
import { refresh_zone_stat_thresholds } from './vm_event';

/** Where a board's DMA zones end, as address bits (arm64 zone_dma_bits). */
export interface ZoneLimits {
  /** ZONE_DMA covers the first 2^dmaBits bytes (30 on BCM2711: "namely the Raspberry Pi 4"). */
  dmaBits: number;
  /** ZONE_DMA32 up to 2^dma32Bits (32). */
  dma32Bits: number;
}

export const BCM2711_ZONE_LIMITS: ZoneLimits = { dmaBits: 30, dma32Bits: 32 };

/** SECTION_SIZE_BITS of arm64 in 5.10 (1 GiB sections). */
export const SECTION_SIZE_BITS_510 = 30;

export interface PfnRange {
  startPfn: number;
  endPfn: number;
}

/** The pure result of zone sizing (no memory touched): what free_area_init computes. */
export interface ZoneLayout {
  /** arch_zone_lowest_possible_pfn / arch_zone_highest_possible_pfn */
  lowest: number[];
  highest: number[];
  nodeStartPfn: number;
  nodeEndPfn: number;
  memRanges: PfnRange[];
  zones: { startPfn: number; spanned: number; present: number }[];
}

const fmt018 = (x: number): string => '0x' + x.toString(16).padStart(16, '0');

/** arm64 max_zone_phys(zone_bits): end of the zone as a physical address. */
export function max_zone_phys(startOfDram: number, endOfDram: number, bits: number): number {
  const span = 2 ** bits;
  const offset = Math.floor(startOfDram / span) * span; // memblock_start_of_DRAM() & GENMASK_ULL(63, zone_bits)
  return Math.min(offset + span, endOfDram);
}

/** arm64 zone_sizes_init: max_zone_pfn[] for DMA, DMA32, Normal (Movable unused). */
export function arm64_max_zone_pfns(startOfDram: number, endOfDram: number, limits: ZoneLimits): number[] {
  return [
    Math.floor(max_zone_phys(startOfDram, endOfDram, limits.dmaBits) / PAGE_SIZE),
    Math.floor(max_zone_phys(startOfDram, endOfDram, limits.dma32Bits) / PAGE_SIZE),
    Math.floor(endOfDram / PAGE_SIZE),
    0,
  ];
}

/**
 * free_area_init's arithmetic: zone boundaries, then per zone the span
 * clamped to the node and the present pages in it.
 */
export function compute_zone_layout(memRanges: PfnRange[], maxZonePfn: number[]): ZoneLayout {
  const lowest = new Array<number>(MAX_NR_ZONES).fill(0);
  const highest = new Array<number>(MAX_NR_ZONES).fill(0);
  let start = memRanges[0]?.startPfn ?? 0; // find_min_pfn_with_active_regions
  for (let z = 0; z < MAX_NR_ZONES; z++) {
    if (z === ZONE_MOVABLE) continue;
    const end = Math.max(maxZonePfn[z]!, start);
    lowest[z] = start;
    highest[z] = end;
    start = end;
  }
  const nodeStartPfn = memRanges.length ? Math.min(...memRanges.map((r) => r.startPfn)) : 0;
  const nodeEndPfn = memRanges.length ? Math.max(...memRanges.map((r) => r.endPfn)) : 0;
  const zones = lowest.map((lo, z) => {
    const hi = highest[z]!;
    // zone_spanned_pages_in_node: clamp the node to the zone.
    const zs = Math.min(Math.max(nodeStartPfn, lo), hi);
    const ze = Math.min(Math.max(nodeEndPfn, lo), hi);
    if (ze <= zs || !memRanges.length) return { startPfn: 0, spanned: 0, present: 0 };
    let present = 0;
    for (const r of memRanges) present += Math.max(0, Math.min(r.endPfn, ze) - Math.max(r.startPfn, zs));
    return { startPfn: zs, spanned: ze - zs, present };
  });
  return { lowest, highest, nodeStartPfn, nodeEndPfn, memRanges, zones };
}

/** calc_memmap_size: pages of struct page a zone costs. */
export function calc_memmap_size(spanned: number, present: number): number {
  const pages = spanned > present + (present >> 4) ? present : spanned;
  return Math.ceil((pages * STRUCT_PAGE_SIZE) / PAGE_SIZE);
}

/** The free_area_init() boot log, from "Zone ranges:" to "Initmem setup node 0 [...]". */
export function zone_ranges_log(layout: ZoneLayout): string[] {
  const out = ['Zone ranges:'];
  for (let z = 0; z < MAX_NR_ZONES; z++) {
    if (z === ZONE_MOVABLE) continue;
    const name = `  ${zone_names[z]!.padEnd(8)} `;
    if (layout.lowest[z] === layout.highest[z]) out.push(`${name}empty`);
    else out.push(`${name}[mem ${fmt018(layout.lowest[z]! * PAGE_SIZE)}-${fmt018(layout.highest[z]! * PAGE_SIZE - 1)}]`);
  }
  out.push('Movable zone start for each node'); // no kernelcore=/movablecore=: no "  Node 0:" line
  out.push('Early memory node ranges');
  for (const r of layout.memRanges)
    out.push(`  node   0: [mem ${fmt018(r.startPfn * PAGE_SIZE)}-${fmt018(r.endPfn * PAGE_SIZE - 1)}]`);
  const end = layout.nodeEndPfn ? layout.nodeEndPfn * PAGE_SIZE - 1 : 0;
  out.push(`Initmem setup node 0 [mem ${fmt018(layout.nodeStartPfn * PAGE_SIZE)}-${fmt018(end)}]`);
  return out;
}

/**
 * free_area_init_core's per-zone estimate: managed = present - memmap
 * (minus dma_reserve, 0, for the first zone), and its KERN_DEBUG lines.
 */
export function free_area_init_core_log(layout: ZoneLayout): { lines: string[]; freesize: number[] } {
  const lines = [`On node 0 totalpages: ${layout.zones.reduce((s, z) => s + z.present, 0)}`];
  const freesize: number[] = [];
  layout.zones.forEach((z, j) => {
    let free = z.present;
    const memmap = calc_memmap_size(z.spanned, z.present);
    if (free >= memmap) {
      free -= memmap;
      if (memmap) lines.push(`  ${zone_names[j]} zone: ${memmap} pages used for memmap`);
    } else lines.push(`  ${zone_names[j]} zone: ${memmap} pages exceeds freesize ${free}`);
    if (j === 0 && free > 0) lines.push(`  ${zone_names[0]} zone: 0 pages reserved`);
    if (z.present) lines.push(`  ${zone_names[j]} zone: ${z.present} pages, LIFO batch:${zone_batchsize(free)}`);
    freesize.push(free);
  });
  return { lines, freesize };
}

export interface FreeAreaInitOptions {
  ram: GuestRam;
  memblock: Memblock;
  zoneLimits: ZoneLimits;
  maxOrder: number;
  nrCpus: number;
  printk: Printk;
  sectionSizeBits?: number;
}

export interface FreeAreaInitResult {
  mem_map: MemMap;
  zones: Zone[];
  layout: ZoneLayout;
}

/**
 * sparse_init: the pageblock bitmap, then the mem_map buffer covering the
 * sections that hold memory, both from memblock.
 */
export function sparse_init(ram: GuestRam, memblock: Memblock, layout: ZoneLayout, sectionSizeBits: number, pageblockOrder: number): MemMap {
  const sectionPages = 2 ** (sectionSizeBits - PAGE_SHIFT);
  const basePfn = Math.floor(layout.nodeStartPfn / sectionPages) * sectionPages;
  const endPfn = Math.ceil(layout.nodeEndPfn / sectionPages) * sectionPages;
  const nrPages = endPfn - basePfn;
  const usemapPa = memblock.memblock_alloc(MemMap.usemapBytes(nrPages, pageblockOrder), SMP_CACHE_BYTES);
  // section_map_size(): the section's memmap rounded up to PMD_SIZE (2 MiB).
  const sectionMapSize = Math.ceil((sectionPages * STRUCT_PAGE_SIZE) / 0x200000) * 0x200000;
  const memmapPa = memblock.memblock_alloc_raw(nrPages * STRUCT_PAGE_SIZE, sectionMapSize);
  return new MemMap(ram, memmapPa, basePfn, nrPages, usemapPa, pageblockOrder);
}

/**
 * memmap_init: initialise every struct page of every memory range in
 * each zone, mark pageblocks MIGRATE_MOVABLE, and give the holes (before,
 * between and after the ranges, up to the section end) reserved pages of
 * the zone above them.
 */
export function memmap_init(mem_map: MemMap, zones: Zone[], layout: ZoneLayout): void {
  const pbPages = 1 << mem_map.pageblockOrder;
  let holePfn = mem_map.basePfn;
  let lastZone = 0;
  const initUnavailable = (from: number, to: number, zone: number): void => mem_map.init_pages(from, to, zone, true);
  for (const r of layout.memRanges) {
    for (const zone of zones) {
      if (!zone.populated_zone()) continue;
      const start = Math.min(Math.max(r.startPfn, zone.zone_start_pfn), zone.zone_end_pfn());
      const end = Math.min(Math.max(r.endPfn, zone.zone_start_pfn), zone.zone_end_pfn());
      if (start >= end) continue;
      mem_map.init_pages(start, end, zone.idx, false);
      // "mark the pageblock MIGRATE_MOVABLE, such that unmovable allocations won't be scattered"
      for (let pfn = Math.ceil(start / pbPages) * pbPages; pfn < end; pfn += pbPages) mem_map.set_pageblock_migratetype(pfn, MIGRATE_MOVABLE);
      if (holePfn < start) initUnavailable(holePfn, start, zone.idx);
      holePfn = end;
      lastZone = zone.idx;
    }
  }
  if (holePfn < mem_map.endPfn) initUnavailable(holePfn, mem_map.endPfn, lastZone);
}

/**
 * free_area_init, with sparse_init before it as arm64's bootmem_init does:
 * prints the zone lines, builds the mem_map and the zones (managed_pages
 * still the estimate); their pagesets come with the allocator
 * (zone_pcp_init: build_all_zonelists).
 */
export function free_area_init(opts: FreeAreaInitOptions): FreeAreaInitResult {
  const { ram, memblock, printk, maxOrder } = opts;
  const memRanges = memblock.memPfnRanges();
  if (!memRanges.length) throw new Error('free_area_init: memblock has no memory');
  const maxZonePfn = arm64_max_zone_pfns(memblock.memblock_start_of_DRAM(), memblock.memblock_end_of_DRAM(), opts.zoneLimits);
  const layout = compute_zone_layout(memRanges, maxZonePfn);
  const pageblockOrder = pageblock_order_for(maxOrder);
  const sectionSizeBits = opts.sectionSizeBits ?? SECTION_SIZE_BITS_510;
  if (sectionSizeBits < PAGE_SHIFT + maxOrder - 1)
    throw new Error(`free_area_init: MAX_ORDER ${maxOrder} does not fit a ${sectionSizeBits}-bit section`);
  const mem_map = sparse_init(ram, memblock, layout, sectionSizeBits, pageblockOrder);

  for (const line of zone_ranges_log(layout)) printk(line);
  const core = free_area_init_core_log(layout);
  for (const line of core.lines) printk(line);

  const zones: Zone[] = [];
  for (let z = 0; z < MAX_NR_ZONES; z++) {
    const zone = new Zone(z, maxOrder);
    const zl = layout.zones[z]!;
    zone.zone_start_pfn = zl.startPfn;
    zone.spanned_pages = zl.spanned;
    zone.present_pages = zl.present;
    zone.managed_pages = core.freesize[z]!;
    zones.push(zone);
  }
  memmap_init(mem_map, zones, layout);
  return { mem_map: mem_map, zones, layout };
}

/**
 * build_all_zonelists: decide on mobility grouping and print the line.
 * Call it before memblock_free_all, as start_kernel does.
 */
export function build_all_zonelists(pgalloc: PageAllocator, printk: Printk): number {
  zone_pcp_init(pgalloc);
  const total = nr_free_zone_pages(pgalloc.zones, gfp_zone(GFP_HIGHUSER_MOVABLE));
  pgalloc.page_group_by_mobility_disabled = total < (1 << pgalloc.pageblockOrder) * MIGRATE_TYPES;
  pgalloc.update_nofragment();
  printk(`Built 1 zonelists, mobility grouping ${pgalloc.page_group_by_mobility_disabled ? 'off' : 'on'}.  Total pages: ${total}`);
  return total;
}

/**
 * memblock_free_all: reserved memory becomes PG_reserved pages, free
 * memory goes to the buddy lists (in the largest aligned blocks, to the
 * tail, bypassing the pcp lists, as __free_pages_core does).
 * @returns pages freed (added to totalram).
 */
export function memblock_free_all(pgalloc: PageAllocator, memblock: Memblock): number {
  const mem_map = pgalloc.mem_map;
  for (const zone of pgalloc.zones) zone.managed_pages = 0; // reset_all_zones_managed_pages
  for (const r of memblock.reservedRanges()) {
    const s = Math.max(Math.floor(r.start / PAGE_SIZE), mem_map.basePfn);
    const e = Math.min(Math.ceil(r.end / PAGE_SIZE), mem_map.endPfn);
    for (let pfn = s; pfn < e; pfn++) mem_map.SetPageReserved(pfn); // reserve_bootmem_region
  }
  let count = 0;
  for (const r of memblock.freeRanges()) count += free_pfn_range(pgalloc, Math.ceil(r.start / PAGE_SIZE), Math.floor(r.end / PAGE_SIZE));
  return count;
}

/**
 * Pages [s, e) become buddy pages: PG_reserved cleared, refcount 0
 * (__free_pages_core), counted in their zone's managed pages, freed to
 * the tail of the free lists. A range that crosses a zone boundary is
 * freed zone by zone. Returns the pages freed.
 */
function free_pfn_range(pgalloc: PageAllocator, s: number, e: number): number {
  const mem_map = pgalloc.mem_map;
  let count = 0;
  if (s >= e) return 0;
  for (const zone of pgalloc.zones) {
    const zs = Math.max(s, zone.zone_start_pfn);
    const ze = Math.min(e, zone.zone_end_pfn());
    if (zs >= ze) continue;
    mem_map.free_pages_core_prepare(zs, ze);
    zone.managed_pages += ze - zs;
    __free_pages_range(pgalloc, zone, zs, ze, true, -1);
    count += ze - zs;
  }
  return count;
}

/**
 * free_reserved_area (mm/page_alloc.c): give boot-time reserved memory
 * (an initrd, init sections) to the page allocator, the whole pages
 * inside [start, end) of physical memory; pages that are not reserved
 * (already freed) are left alone. Linux frees them one by one through
 * free_reserved_page; here they go to the buddy lists in one range, with
 * the same result for the free lists. Returns the pages freed.
 */
export function free_reserved_area(pgalloc: PageAllocator, start: number, end: number): number {
  const mem_map = pgalloc.mem_map;
  const s = Math.max(Math.ceil(start / PAGE_SIZE), mem_map.basePfn);
  const e = Math.min(Math.floor(end / PAGE_SIZE), mem_map.endPfn);
  let count = 0;
  for (let pfn = s; pfn < e; ) {
    if (!mem_map.PageReserved(pfn)) {
      pfn++;
      continue;
    }
    let run = pfn;
    while (run < e && mem_map.PageReserved(run)) run++;
    count += free_pfn_range(pgalloc, pfn, run);
    pfn = run;
  }
  return count;
}

/** Kernel image section sizes in bytes, for the Memory: line. */
export interface KernelSections {
  code: number;
  rwdata: number;
  rodata: number;
  init: number;
  bss: number;
}

/** mem_init_print_info: "Memory: 3875152K/4050944K available (11456K kernel code, ...)". */
export function mem_init_print_info(pgalloc: PageAllocator, sections: KernelSections, totalcmaPages = 0): string {
  const physpages = pgalloc.zones.reduce((s, z) => s + z.present_pages, 0); // get_num_physpages
  const k = (bytes: number): number => Math.floor(bytes / 1024);
  const reserved = physpages - pgalloc.totalram_pages() - totalcmaPages;
  return (
    `Memory: ${pgalloc.nr_free_pages() * 4}K/${physpages * 4}K available ` +
    `(${k(sections.code)}K kernel code, ${k(sections.rwdata)}K rwdata, ${k(sections.rodata)}K rodata, ` +
    `${k(sections.init)}K init, ${k(sections.bss)}K bss, ${reserved * 4}K reserved, ${totalcmaPages * 4}K cma-reserved)`
  );
}

/**
 * zone_pcp_init and build_all_zonelists_init's boot pagesets: every zone
 * on the static boot_pageset (shared: with high 0 every freed page goes
 * straight back to the buddy lists, so the lists stay empty).
 */
function zone_pcp_init(pgalloc: PageAllocator): void {
  const boot = new PerCpuPages(pgalloc.percpu.static_var('boot_pageset'), pgalloc.nrCpus);
  for (let cpu = 0; cpu < pgalloc.nrCpus; cpu++) setup_pageset(boot, cpu);
  for (const zone of pgalloc.zones) zone.pcp = boot;
}

/**
 * setup_per_cpu_pageset: each populated zone's own pageset from
 * alloc_percpu (setup_zone_pageset) with its real batch and high, and the
 * node's per_cpu_nodestats; empty zones stay on boot_pageset.
 */
export function setup_per_cpu_pageset(pgalloc: PageAllocator): void {
  for (const zone of pgalloc.zones) {
    if (!zone.populated_zone()) continue;
    zone.pcp = new PerCpuPages(pgalloc.percpu.alloc(PER_CPU_PAGESET_SIZE, PER_CPU_PAGESET_ALIGN), pgalloc.nrCpus);
    const batch = zone_batchsize(zone.managed_pages);
    for (let cpu = 0; cpu < pgalloc.nrCpus; cpu++) {
      setup_pageset(zone.pcp, cpu);
      pageset_set_batch(zone.pcp, cpu, batch);
    }
  }
  pgalloc.per_cpu_nodestats = pgalloc.percpu.alloc(PER_CPU_NODESTAT_SIZE, 1);
}

/**
 * init_per_zone_wmark_min: min_free_kbytes = int_sqrt(16 * lowmem kbytes),
 * clamped to [128, 262144], or the value the user set
 * (vm.min_free_kbytes, as min_free_kbytes_sysctl_handler applies it);
 * then watermarks, lowmem reserves and totalreserve_pages.
 */
export function init_per_zone_wmark_min(pgalloc: PageAllocator, userMinFreeKbytes = -1): void {
  const lowmemKbytes = nr_free_zone_pages(pgalloc.zones, gfp_zone(GFP_USER)) * (PAGE_SIZE >> 10);
  pgalloc.min_free_kbytes = userMinFreeKbytes >= 0 ? userMinFreeKbytes : compute_min_free_kbytes(lowmemKbytes);
  setup_per_zone_wmarks(pgalloc.zones, pgalloc.min_free_kbytes);
  refresh_zone_stat_thresholds(pgalloc);
  setup_per_zone_lowmem_reserve(pgalloc.zones);
  pgalloc.totalreserve_pages = calculate_totalreserve_pages(pgalloc.zones);
}
