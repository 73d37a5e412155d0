// SPDX-License-Identifier: GPL-2.0-only
/*
 * The swiotlb bounce buffer (kernel/dma/swiotlb.c, Linux 5.10), as
 * arm64's mem_init sets it up:
 *
 *   if (swiotlb_force == SWIOTLB_FORCE ||
 *       max_pfn > PFN_DOWN(arm64_dma_phys_limit ? : arm64_dma32_phys_limit))
 *           swiotlb_init(1);
 *
 * i.e. only when RAM reaches above what the most limited DMA master can
 * address: on a CM4 with 2, 4 or 8 GB (ZONE_DMA is the first GiB), never
 * on a 1 GB one. swiotlb_init takes IO_TLB_DEFAULT_SIZE (64 MiB, or
 * swiotlb=N slabs of 2 KiB, rounded up to IO_TLB_SEGSIZE) with
 * memblock_alloc_low, i.e. top-down below ARCH_LOW_ADDRESS_LIMIT
 * (arm64_dma_phys_limit - 1), then its bookkeeping (io_tlb_list, one int
 * per slab, and io_tlb_orig_addr, one phys_addr_t per slab) with
 * memblock_alloc, and prints
 *
 *   software IO TLB: mapped [mem 0x...-0x...] (64MB)
 *
 * (swiotlb_print_info; the end printed is start + bytes). The Pi 4 and
 * CM4 boot logs published with 2-8 GB show exactly
 * "software IO TLB: mapped [mem 0x0000000037400000-0x000000003b400000] (64MB)".
 * The buffer's memory stays reserved: it counts in the Memory: line's
 * reserved, as on the device.
 */

import { PAGE_SIZE } from '../../arch/arm64/page-def';
import type { Memblock } from '../../mm/memblock';
import { fmtPa, SMP_CACHE_BYTES } from '../../mm/memblock';
import type { Printk } from '../../printk';
import type { KernelCmdline } from '../../../lib/cmdline';
import { memparsePrefix } from './contiguous';

export const IO_TLB_SHIFT = 11;
export const IO_TLB_SEGSIZE = 128;
export const IO_TLB_DEFAULT_SIZE = 64 << 20;

export interface Swiotlb {
  start: number;
  end: number;
  nslabs: number;
}

/** setup_io_tlb_npages: swiotlb=[N][,force|noforce]; the last occurrence wins. */
export function swiotlb_param(cmdline: KernelCmdline | undefined): { nslabs: number; force: 'force' | 'noforce' | undefined } {
  let nslabs = 0;
  let force: 'force' | 'noforce' | undefined;
  for (const value of cmdline?.getAll('swiotlb') ?? []) {
    if (value === undefined) continue;
    // "if (isdigit(*str)) { io_tlb_nslabs = simple_strtoul(str, &str, 0); io_tlb_nslabs = ALIGN(io_tlb_nslabs, IO_TLB_SEGSIZE); }"
    let [n, rest] = memparsePrefix(value);
    if (/^\d/.test(value)) nslabs = Math.ceil(n / IO_TLB_SEGSIZE) * IO_TLB_SEGSIZE;
    if (rest.startsWith(',')) rest = rest.slice(1);
    if (rest === 'force') force = 'force';
    else if (rest === 'noforce') force = 'noforce';
  }
  return { nslabs, force };
}

/**
 * arm64 mem_init's swiotlb part: the buffer when max_pfn is above the DMA
 * limit (or swiotlb=force), else nothing.
 */
export function arm64_swiotlb_init(memblock: Memblock, dmaPhysLimit: number, cmdline: KernelCmdline | undefined, printk: Printk): Swiotlb | null {
  const param = swiotlb_param(cmdline);
  const maxPfn = Math.floor(memblock.memblock_end_of_DRAM() / PAGE_SIZE);
  if (param.force === 'noforce') return null;
  if (param.force !== 'force' && !(maxPfn > Math.floor(dmaPhysLimit / PAGE_SIZE))) return null;
  const nslabs = param.nslabs || Math.ceil((IO_TLB_DEFAULT_SIZE >> IO_TLB_SHIFT) / IO_TLB_SEGSIZE) * IO_TLB_SEGSIZE;
  const bytes = nslabs * 2 ** IO_TLB_SHIFT;
  // memblock_alloc_low: below ARCH_LOW_ADDRESS_LIMIT (arm64_dma_phys_limit - 1).
  const start = memblock.memblock_phys_alloc_range(Math.ceil(bytes / PAGE_SIZE) * PAGE_SIZE, PAGE_SIZE, 0, dmaPhysLimit);
  if (!start) {
    printk('Cannot allocate buffer');
    return null;
  }
  memblock.memblock_alloc(nslabs * 4, SMP_CACHE_BYTES); // io_tlb_list
  memblock.memblock_alloc(nslabs * 8, SMP_CACHE_BYTES); // io_tlb_orig_addr
  printk(`software IO TLB: mapped [mem ${fmtPa(start)}-${fmtPa(start + bytes)}] (${bytes >> 20}MB)`);
  return { start, end: start + bytes, nslabs };
}
