// SPDX-License-Identifier: GPL-2.0-only
/*
 * paging_init (arch/arm64/mm/mmu.c), the model's version: build the
 * kernel's translation tables in guest RAM from memblock, then every core
 * switches to them in the image's __enable_mmu (msr ttbr1_el1/ttbr0_el1/
 * mair_el1/tcr_el1; isb; tlbi vmalle1; sctlr_el1.M = 1).
 *
 * swapper_pg_dir (TTBR1):
 *   - the linear map: every memblock.memory region at PAGE_OFFSET + (pa -
 *     PHYS_OFFSET), with the largest blocks that fit (1 GiB, 2 MiB, 4 KiB),
 *     PAGE_KERNEL (never executable), as map_mem() does;
 *   - the kernel image at KIMAGE_VADDR, executable (the model does not split
 *     text and data permissions).
 * TTBR0: the identity map of the image, which the instruction after the
 * MMU switch needs (Linux's idmap_pg_dir), and which kernel threads and
 * idle CPUs keep loaded (kernel-only pages, unreachable from EL0); every
 * user process has its own tables and ASID in TTBR0 while it runs
 * (mm/mmap.ts, arch/arm64/mm/context.ts). The harness process's pages sit
 * at USER_TEXT and USER_BUFFERS of its own address space
 * (kernel/harness.ts).
 *
 * Every table page comes from memblock, so it is reserved before the page
 * allocator takes over the rest of RAM.
 */

import type { Memblock } from '../../../mm/memblock';
import type { GuestRam } from '../../../../emulator/memory/guest-ram';
import { MAIR_EL1_SET, PageTable, PROT, TCR_EL1_39BIT, PAGE_SIZE } from '../pgtable';
import { KIMAGE_VADDR, type LinearMap } from '../memory';

/** Where the harness process's pages sit in its address space. */
export const USER_TEXT = 0x40_0000n;
export const USER_BUFFERS = 0x1000_0000n;

export interface KernelPageTables {
  swapper: PageTable;
  ttbr0: PageTable;
  mair: bigint;
  tcr: bigint;
}

export interface ImageLayout {
  /** Physical address of _text and the image's size. */
  textPa: number;
  size: number;
}

const roundUp = (x: number, a: number): number => Math.ceil(x / a) * a;

export function paging_init(ram: GuestRam, memblock: Memblock, linear: LinearMap, image: ImageLayout): KernelPageTables {
  const alloc = (): number => memblock.memblock_alloc(PAGE_SIZE, PAGE_SIZE);
  const swapper = new PageTable(ram, alloc);
  for (const r of memblock.memory.regions) swapper.map(linear.va(r.base), r.base, r.size, PROT.KERNEL);
  const imageSize = roundUp(image.size, PAGE_SIZE);
  swapper.map(KIMAGE_VADDR, image.textPa, imageSize, PROT.KERNEL_EXEC, { pageGranular: true });

  const ttbr0 = new PageTable(ram, alloc);
  ttbr0.map(BigInt(image.textPa), image.textPa, imageSize, PROT.KERNEL_EXEC, { pageGranular: true });
  return { swapper, ttbr0, mair: MAIR_EL1_SET, tcr: TCR_EL1_39BIT };
}
