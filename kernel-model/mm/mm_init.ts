// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page allocator's place in the boot, split the way start_kernel
 * splits it so that the log comes out in Linux's order:
 *
 *   bootmem_init (setup_arch, MMU still off): zone layout, struct page
 *     array from memblock ("Zone ranges:", "Early memory node ranges",
 *     "Initmem setup node 0 ...");
 *   build_all_zonelists ("Built 1 zonelists, mobility grouping on.  Total
 *     pages: N"), then "Kernel command line:";
 *   mm_init: memblock_free_all hands every free page to the buddy
 *     allocator, "Memory: ...K/...K available (...)", the per-CPU page
 *     lists and the watermarks; /proc/buddyinfo, /proc/pagetypeinfo and
 *     /proc/meminfo appear.
 *
 * ZONE_DMA's reach comes from the device tree as in Linux 5.11+ (and the
 * Raspberry Pi 5.10 kernels): the highest CPU address any dma-ranges can
 * reach, fls64 of it; 32 bits when no dma-ranges limits DMA.
 */

import {
  addressCellsOf, decodeCells, getProp, sizeCellsOf, walkNodes, type DeviceTree,
} from '../../firmware/fdt';
import type { Kernel } from '../kernel';
import { KernelPanic } from '../kernel';
import {
  build_all_zonelists, free_area_init, init_per_zone_wmark_min, mem_init_print_info, memblock_free_all,
  parse_max_order, setup_per_cpu_pageset, PageAllocator, buddyinfo, pagetypeinfo, meminfo,
  DEFAULT_MAX_ORDER, type ZoneLimits,
} from './page_alloc';
import type { FreeAreaInitResult } from './page_alloc/mm_init';
import { VMALLOC_END, VMALLOC_START, VMEMMAP_START } from '../arch/arm64/memory';

const fls64 = (x: number): number => (x <= 0 ? 0 : Math.floor(Math.log2(x)) + 1);

/**
 * of_dma_get_max_cpu_address (drivers/of/address.c): the highest CPU
 * address that every DMA master can reach, i.e. over the nodes with
 * dma-ranges, the smallest of each node's highest reachable address;
 * then zone_dma_bits = min(32, fls64(that)) as arm64's zone_sizes_init
 * does. No dma-ranges anywhere: 32 bits.
 */
export function zone_dma_bits(dt: DeviceTree): number {
  let reach = Infinity;
  for (const { node, parent } of walkNodes(dt)) {
    const prop = getProp(node, 'dma-ranges');
    if (!prop || prop.length === 0 || !parent) continue;
    const cells = decodeCells(prop, 'dma-ranges');
    const child = addressCellsOf(node);
    const par = addressCellsOf(parent);
    const size = sizeCellsOf(node);
    const num = (a: number[]): number => a.reduce((v, c) => v * 2 ** 32 + c, 0);
    let end = 0;
    for (let i = 0; i + child + par + size <= cells.length; i += child + par + size) {
      const cpu = num(cells.slice(i + child, i + child + par));
      const len = num(cells.slice(i + child + par, i + child + par + size));
      end = Math.max(end, cpu + len - 1);
    }
    reach = Math.min(reach, end);
  }
  return reach === Infinity ? 32 : Math.min(32, fls64(reach));
}

/** bootmem_init: zones and the struct page array, while memblock still allocates. */
export function bootmem_init(k: Kernel): FreeAreaInitResult & { maxOrder: number; limits: ZoneLimits } {
  const mb = k.memblock!;
  const limits: ZoneLimits = { dmaBits: zone_dma_bits(k.dt!), dma32Bits: 32 };
  const maxOrder = parse_max_order(k.cmdlineText);
  if (k.cmdline?.has('max_order') && maxOrder === DEFAULT_MAX_ORDER && k.cmdline.get('max_order') !== String(DEFAULT_MAX_ORDER))
    k.printk(`max_order=${k.cmdline.get('max_order')} is out of range; using ${DEFAULT_MAX_ORDER}`);
  const init = free_area_init({
    ram: k.machine.ram,
    memblock: mb,
    zoneLimits: limits,
    maxOrder,
    nrCpus: k.machine.cores.length,
    printk: k.printk,
  });
  return { ...init, maxOrder, limits };
}

/** build_all_zonelists, with the page allocator made from bootmem_init's zones. */
export function build_zonelists(k: Kernel, init: ReturnType<typeof bootmem_init>): PageAllocator {
  const pa = new PageAllocator({
    ram: k.machine.ram,
    mm: init.mm,
    zones: init.zones,
    maxOrder: init.maxOrder,
    nrCpus: k.machine.cores.length,
    hooks: {
      printk: k.printk,
      comm: () => 'swapper/0',
      pid: () => 0,
      vmemmapStart: VMEMMAP_START,
      memstartPfn: Math.floor(k.linear!.physOffset / 4096),
    },
  });
  build_all_zonelists(pa, k.printk);
  return pa;
}

/** mm_init's page-allocator part: free memory to the buddy allocator, report it, add /proc files. */
export function mem_init(k: Kernel, pa: PageAllocator): void {
  if (!k.memblock) throw new KernelPanic('mem_init before memblock');
  memblock_free_all(pa, k.memblock);
  const off = (s: string): number => Number(k.syms.offset(s));
  k.printk(mem_init_print_info(pa, {
    code: off('harness_syscall'),
    rwdata: off('harness_buffers_end') - off('harness_buffers'),
    rodata: 0,
    init: 0,
    bss: off('_end') - off('init_stack'),
  }));
  setup_per_cpu_pageset(pa);
  init_per_zone_wmark_min(pa);
  k.proc.register('/proc/buddyinfo', () => buddyinfo(pa));
  k.proc.register('/proc/pagetypeinfo', () => pagetypeinfo(pa));
  // VmallocTotal is the size of the vmalloc range whether or not vmalloc is in use.
  const vmallocTotalKb = Number((VMALLOC_END - VMALLOC_START) >> 10n);
  k.proc.register('/proc/meminfo', () => meminfo(pa, { vmallocTotalKb }));
}
