// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arm64 kernel virtual memory layout for VA_BITS = 39 and 4K pages, as
 * Linux 5.10 (the uConsole CM4 kernel) lays it out: arch/arm64/include/asm/
 * memory.h, with CONFIG_ARM64_VA_BITS_39 and CONFIG_ARM64_4K_PAGES.
 *
 *   0xffffff8000000000  PAGE_OFFSET: the linear map of all RAM (256 GiB)
 *   0xffffffc000000000  BPF JIT region (128 MiB)
 *   0xffffffc008000000  modules (128 MiB)
 *   0xffffffc010000000  KIMAGE_VADDR = VMALLOC_START: the kernel image, then vmalloc
 *   0xfffffffebfff0000  VMALLOC_END
 *   0xfffffffefea00000  FIXADDR_TOP
 *   0xfffffffefec00000  PCI I/O (16 MiB)
 *   0xfffffffeffe00000  VMEMMAP_START (4 GiB)
 *
 * __pa/__va convert between physical addresses and the linear map
 * (__phys_to_virt(x) = (x - PHYS_OFFSET) | PAGE_OFFSET with PHYS_OFFSET =
 * 0 on these boards' memory maps when RAM starts at 0; the A04's RAM starts
 * at 1 GiB, so PHYS_OFFSET is the start of RAM, as memstart_addr is).
 */

import { PAGE_SIZE } from './page-def';

export const VA_BITS = 39;
export const PAGE_OFFSET = 0xffff_ff80_0000_0000n;
export const PAGE_END = 0xffff_ffc0_0000_0000n;
export const BPF_JIT_REGION_START = 0xffff_ffc0_0000_0000n;
export const MODULES_VADDR = 0xffff_ffc0_0800_0000n;
export const MODULES_END = 0xffff_ffc0_1000_0000n;
export const KIMAGE_VADDR = MODULES_END;
export const VMALLOC_START = MODULES_END;
export const VMALLOC_END = 0xffff_fffe_bfff_0000n;
export const FIXADDR_TOP = 0xffff_fffe_fea0_0000n;
export const PCI_IO_START = 0xffff_fffe_fec0_0000n;
export const VMEMMAP_START = 0xffff_fffe_ffe0_0000n;

/** The user half: TASK_SIZE for 39-bit VAs. */
export const TASK_SIZE = 1n << 39n;

export class LinearMap {
  /** memstart_addr: the physical address PAGE_OFFSET maps. */
  constructor(readonly physOffset: number) {}

  /** __va: the linear-map address of a physical address. */
  va(pa: number): bigint {
    return PAGE_OFFSET + BigInt(pa - this.physOffset);
  }

  /** __pa: the physical address of a linear-map address. */
  pa(va: bigint): number {
    if (va < PAGE_OFFSET || va >= PAGE_END) throw new RangeError(`0x${va.toString(16)} is not a linear-map address`);
    return Number(va - PAGE_OFFSET) + this.physOffset;
  }

  /* Linux's names for the same conversions (arch/arm64/include/asm/memory.h). */
  __va(pa: number): bigint {
    return this.va(pa);
  }
  __pa(va: bigint): number {
    return this.pa(va);
  }
  /** page_address: the linear-map address of a page (a struct page * is its PFN in the model). */
  page_address(pfn: number): bigint {
    return this.va(pfn * PAGE_SIZE);
  }
  /** virt_to_page: the page of a linear-map address. */
  virt_to_page(va: bigint): number {
    return Math.floor(this.pa(va) / PAGE_SIZE);
  }
}
