// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page allocator's place in the boot. The sequence itself is
 * page_alloc's (free_area_init, page_alloc_init, page_alloc_init_late in
 * page_alloc/index.ts); this file calls each step where start_kernel
 * does, so that the log comes out in Linux's order, and supplies what
 * only the booted kernel knows (the device tree, the command line, the
 * kernel image, /proc):
 *
 *   bootmem_init (setup_arch, MMU still off): max_order=, ZONE_DMA's
 *     reach, then free_area_init: zone layout, struct page array from
 *     memblock ("Zone ranges:", "Early memory node ranges", "Initmem
 *     setup node 0 ...");
 *   build_zonelists: page_alloc_init ("Built 1 zonelists, mobility
 *     grouping on.  Total pages: N"), then main.ts prints "Kernel command
 *     line:";
 *   mem_init: page_alloc_init_late (memblock_free_all, "Memory:
 *     ...K/...K available (...)", the per-CPU page lists and the
 *     watermarks); /proc/buddyinfo, /proc/pagetypeinfo and /proc/meminfo
 *     appear.
 *
 * ZONE_DMA's reach comes from the device tree as in Linux 5.11+ (and the
 * Raspberry Pi 5.10 kernels): the highest CPU address any dma-ranges can
 * reach, fls64 of it; 32 bits when no dma-ranges limits DMA.
 *
 * max_order=N is read like an early_param (init/main.c do_early_param):
 * its handler runs once per occurrence, left to right, so the last valid
 * value wins and a rejected one leaves the value before it. A rejected
 * value prints one line saying so and what is used instead.
 */

import {
  addressCellsOf, decodeCells, getProp, sizeCellsOf, walkNodes, type DeviceTree,
} from '../../lib/fdt';
import { parseKernelInt, type KernelCmdline } from '../../lib/cmdline';
import { CmdlineError } from '../../lib/cmdline';
import type { Kernel } from '../kernel';
import type { GuestRam } from '../../emulator/memory/guest-ram';
import type { Memblock } from './memblock';
import { PAGE_SIZE } from '../arch/arm64/page-def';
import type { Printk } from '../printk';
import {
  free_area_init, max_order_limit, page_alloc_init, page_alloc_init_late, buddyinfo, pagetypeinfo, meminfo,
  DEFAULT_MAX_ORDER, SECTION_SIZE_BITS_510, type FreeAreaInitResult, type PageAllocator, type ZoneLimits,
} from './page_alloc';
import { VMALLOC_END, VMALLOC_START, VMEMMAP_START } from '../arch/arm64/memory';
import { arm64_swiotlb_init, type Swiotlb } from '../kernel/dma/swiotlb';
import { vmstat, zoneinfo } from './page_alloc/zoneinfo';
import { iomem } from '../kernel/resource';

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

/**
 * The max_order= early parameter: each occurrence in turn sets MAX_ORDER
 * when it is an integer (kstrtoint, base 0) in 2..max_order_limit;
 * otherwise it prints why and leaves the value as it was.
 */
export function max_order_param(cmdline: KernelCmdline | undefined, printk: Printk, sectionSizeBits = SECTION_SIZE_BITS_510): number {
  const limit = max_order_limit(sectionSizeBits);
  let maxOrder = DEFAULT_MAX_ORDER;
  for (const value of cmdline?.getAll('max_order') ?? []) {
    const v = value === undefined ? NaN : kernelIntOrNaN(value);
    if (v >= 2 && v <= limit) maxOrder = v;
    else {
      const param = value === undefined ? 'max_order' : `max_order=${value}`;
      printk(`${param} is ${Number.isNaN(v) ? 'not a number' : 'out of range'} (2..${limit}); using ${maxOrder}`);
    }
  }
  return maxOrder;
}

/** kstrtoint's reading of a parameter value, NaN when it is not an integer. */
function kernelIntOrNaN(value: string): number {
  try {
    return parseKernelInt(value);
  } catch (e) {
    if (e instanceof CmdlineError) return NaN;
    throw e;
  }
}

/** bootmem_init: zones and the struct page array, while memblock still allocates. */
/** What bootmem_init leaves for page_alloc_init: the zones and mem_map, MAX_ORDER, the zone limits. */
export type BootmemInit = FreeAreaInitResult & { maxOrder: number; limits: ZoneLimits };

export interface BootmemInitInput {
  ram: GuestRam;
  memblock: Memblock;
  dt: DeviceTree;
  /** MAX_ORDER, from max_order= (parsed early, before memblock). */
  maxOrder: number;
  nrCpus: number;
  printk: Printk;
}

export function bootmem_init(b: BootmemInitInput): BootmemInit {
  const limits: ZoneLimits = { dmaBits: zone_dma_bits(b.dt), dma32Bits: 32 };
  const maxOrder = b.maxOrder;
  const init = free_area_init({
    ram: b.ram,
    memblock: b.memblock,
    zoneLimits: limits,
    maxOrder,
    nrCpus: b.nrCpus,
    printk: b.printk,
  });
  return { ...init, maxOrder, limits };
}

/** build_all_zonelists, with the page allocator made from bootmem_init's zones. */
export function build_zonelists(k: Kernel, init: BootmemInit): PageAllocator {
  return page_alloc_init({
    ram: k.machine.ram,
    init,
    maxOrder: init.maxOrder,
    nrCpus: k.machine.cores.length,
    printk: k.printk,
    smp_processor_id: () => k.smp_processor_id(),
    linear: k.arch.linear,
    percpu: k.percpu?.place(),
    report: {
      comm: () => (k.this_cpu.active ? k.current().comm : 'swapper/0'),
      pid: () => (k.this_cpu.active ? k.current().pid : 0),
      vmemmapStart: VMEMMAP_START,
      memstartPfn: Math.floor(k.arch.linear.physOffset / PAGE_SIZE),
    },
  });
}

/** mm_init's page-allocator part: free memory to the buddy allocator, report it, add /proc files. */
/**
 * mm_init's page-allocator part: the swiotlb buffer (arm64 mem_init),
 * free memory to the buddy allocator, report it; then the initcalls that
 * finish memory (cma_init_reserved_areas, core; init_per_zone_wmark_min,
 * postcore); add /proc files. Returns the swiotlb buffer, if any.
 */
export function mem_init(k: Kernel, pgalloc: PageAllocator): Swiotlb | null {
  const off = (s: string): number => Number(k.syms.offset(s));
  const { early, memblock, cmdline } = k.arch;
  const swiotlb = arm64_swiotlb_init(memblock, early.dmaPhysLimit, cmdline, k.printk);
  page_alloc_init_late(
    pgalloc,
    memblock,
    {
      code: off('harness_syscall'),
      rwdata: off('harness_buffers_end') - off('harness_buffers'),
      rodata: 0,
      init: 0,
      bss: off('_end') - off('init_stack'),
    },
    { totalcmaPages: early.cma.totalcma_pages, coreInitcalls: [(pa) => early.cma.cma_init_reserved_areas(pa)] },
  );
  k.proc.register('/proc/buddyinfo', () => buddyinfo(pgalloc));
  k.proc.register('/proc/zoneinfo', () => zoneinfo(pgalloc));
  k.proc.register('/proc/vmstat', () => vmstat(pgalloc));
  // The image's own split: code up to the harness buffers, data from there to _end.
  const text = k.textPa;
  k.proc.register('/proc/iomem', () =>
    iomem(memblock, { code: [text, text + off('harness_buffers') - 1], data: [text + off('harness_buffers'), text + off('_end') - 1] }),
  );
  k.proc.register('/proc/pagetypeinfo', () => pagetypeinfo(pgalloc));
  // VmallocTotal is the size of the vmalloc range whether or not vmalloc is in use.
  const vmallocTotalKb = Number((VMALLOC_END - VMALLOC_START) >> 10n);
  k.proc.register('/proc/meminfo', () =>
    meminfo(pgalloc, { vmallocTotalKb, slabReclaimablePages: k.slab?.nr_slab_reclaimable, slabUnreclaimablePages: k.slab?.nr_slab_unreclaimable, cmaTotalPages: early.cma.totalcma_pages, cmaFreePages: early.cma.nr_free_cma_pages(pgalloc) }),
  );
  return swiotlb;
}
