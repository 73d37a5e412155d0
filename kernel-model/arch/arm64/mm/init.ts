// SPDX-License-Identifier: GPL-2.0-only
/*
 * arm64_memblock_init (arch/arm64/mm/init.c, 5.10) and the device tree's
 * share of it (early_init_dt_scan_memory, early_init_fdt_reserve_self,
 * early_init_fdt_scan_reserved_mem): memblock learns the RAM from /memory
 * and has reserved, before anything allocates, every byte someone already
 * uses: the kernel image, the device tree blob, the firmware's
 * /memreserve/ entries (the armstub page with the spin table), then the
 * /reserved-memory regions (drivers/of/of_reserved_mem.ts: static ones,
 * then dynamic ones placed top-down, the shared-dma-pool ones becoming
 * CMA areas), and last dma_contiguous_reserve(arm64_dma_phys_limit): the
 * default CMA area from cma= or the kernel config when the DT gave none.
 * The GPU's share of RAM is not in /memory at all (the firmware leaves it
 * out), so it is never memory to the kernel.
 */

import { PAGE_SIZE } from '../page-def';
import {
  addressCellsOf, decodeReg, decodeString, getProp, sizeCellsOf, walkNodes, type DeviceTree,
} from '../../../../lib/fdt';
import { Memblock } from '../../../mm/memblock';
import type { GuestRam } from '../../../../emulator/memory/guest-ram';
import { KernelPanic } from '../../../kernel';
import type { Printk } from '../../../printk';
import type { KernelCmdline } from '../../../../lib/cmdline';
import { early_init_fdt_scan_reserved_mem, type ReservedMem } from '../../../drivers/of/of_reserved_mem';
import { CmaAreas } from '../../../mm/cma';
import { DmaContiguous, early_cma } from '../../../kernel/dma/contiguous';
import { max_zone_phys } from '../../../mm/page_alloc/mm_init';
import { pageblock_order_for } from '../../../mm/page_alloc/internal';

export interface EarlyReservations {
  kernel: { base: number; size: number };
  dtb: { base: number; size: number };
  /** The initrd, whole pages of it reserved as arm64_memblock_init does (populate_rootfs frees them). */
  initrd?: { start: number; end: number };
}

/** What the reserved-memory half of arm64_memblock_init needs and makes. */
export interface EarlyMemoryOptions {
  printk: Printk;
  cmdline: KernelCmdline | undefined;
  /** MAX_ORDER (exclusive), from max_order= (an early parameter). */
  maxOrder: number;
  /** ZONE_DMA's address bits (zone_dma_bits). */
  zoneDmaBits: number;
}

export interface EarlyMemory {
  memblock: Memblock;
  reservedMem: ReservedMem[];
  cma: CmaAreas;
  dmaContiguous: DmaContiguous;
  /** arm64_dma_phys_limit: one past the end of ZONE_DMA. */
  dmaPhysLimit: number;
}

/** early_init_dt_scan_memory: every device_type = "memory" node's reg. */
export function dtMemoryRanges(dt: DeviceTree): { base: number; size: number }[] {
  const out: { base: number; size: number }[] = [];
  for (const { node } of walkNodes(dt)) {
    const type = getProp(node, 'device_type');
    if (!type || decodeString(type) !== 'memory') continue;
    const reg = getProp(node, 'reg');
    if (!reg) continue;
    for (const r of decodeReg(reg, addressCellsOf(dt.root), sizeCellsOf(dt.root), 'memory reg')) if (r.size > 0) out.push({ base: r.address, size: r.size });
  }
  return out;
}

const alignDown = (x: number): number => Math.floor(x / PAGE_SIZE) * PAGE_SIZE;
const alignUp = (x: number): number => Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;

/**
 * arm64_memblock_init with everything after the early reservations: the
 * /reserved-memory regions and CMA.
 */
export function arm64_memblock_init_full(ram: GuestRam, dt: DeviceTree, res: EarlyReservations, opts: EarlyMemoryOptions): EarlyMemory {
  const mb = arm64_memblock_init(ram, dt, res);
  const pageblockOrder = pageblock_order_for(opts.maxOrder);
  const cma = new CmaAreas(opts.printk, opts.maxOrder, pageblockOrder);
  const dmaContiguous = new DmaContiguous(cma, mb, opts.printk, early_cma(opts.cmdline, opts.printk));
  const reservedMem = early_init_fdt_scan_reserved_mem(dt, {
    memblock: mb,
    printk: opts.printk,
    maxOrder: opts.maxOrder,
    pageblockOrder,
    table: dmaContiguous.reservedMemTable,
  });
  const dmaPhysLimit = max_zone_phys(mb.memblock_start_of_DRAM(), mb.memblock_end_of_DRAM(), opts.zoneDmaBits);
  dmaContiguous.dma_contiguous_reserve(dmaPhysLimit);
  return { memblock: mb, reservedMem, cma, dmaContiguous, dmaPhysLimit };
}

export function arm64_memblock_init(ram: GuestRam, dt: DeviceTree, res: EarlyReservations): Memblock {
  const mb = new Memblock(ram);
  const mem = dtMemoryRanges(dt);
  if (mem.length === 0) throw new KernelPanic('no memory in the device tree (/memory has no reg)');
  for (const r of mem) {
    // Only whole pages are memory; and only what the machine really has.
    const base = alignUp(r.base);
    const end = Math.min(alignDown(r.base + r.size), ram.end);
    if (end > base) mb.memblock_add(base, end - base);
  }
  for (const r of dt.memReserve) mb.memblock_reserve(alignDown(r.address), alignUp(r.address + r.size) - alignDown(r.address));
  mb.memblock_reserve(alignDown(res.kernel.base), alignUp(res.kernel.base + res.kernel.size) - alignDown(res.kernel.base));
  mb.memblock_reserve(alignDown(res.dtb.base), alignUp(res.dtb.base + res.dtb.size) - alignDown(res.dtb.base));
  if (res.initrd) mb.memblock_reserve(alignDown(res.initrd.start), alignUp(res.initrd.end) - alignDown(res.initrd.start));
  return mb;
}
