// SPDX-License-Identifier: GPL-2.0-only
/*
 * The regions a VA_BITS=48 kernel (Debian's) needs the machine to have, so
 * that Unicorn 2.0.1's check that every VA lies in some region passes
 * before the MMU translates it (issue #1718). The kernel half from
 * 0xffff000000000000 up to the machine's own VA_BITS=39 shadow
 * (TTBR1_SHADOW_BASE) is covered by Core.mapVaShadow; fetches need the
 * host-memory kind of region, at most SHADOW_HOST_SIZE bytes each, so the
 * places where the kernel runs code get one of those:
 *
 *  - the image and the modules: a window around the image
 *    (imageCodeWindow), wherever KASLR put it (kaslr.ts);
 *  - the bottom of the vmalloc area, where vmalloc'd code lands (first
 *    fit from VMALLOC_START): BPF programs, which arm64 has JIT-compiled
 *    into plain vmalloc() memory since 5.17 (arch/arm64/net/
 *    bpf_jit_comp.c, bpf_jit_alloc_exec). Without KASLR the image sits
 *    there too, and one window serves both;
 *  - the fixmap: with KPTI, which KASLR forces on ("kernel page table
 *    isolation forced ON by KASLR"), exceptions from EL0 enter through the
 *    trampoline vectors mapped there (TRAMP_VALIAS, arch/arm64/include/
 *    asm/fixmap.h), and the return to EL0 leaves through them. In 6.1
 *    FIXADDR_TOP = VMEMMAP_START - 32 MiB (arch/arm64/include/asm/
 *    memory.h), so the window is the 512 GB below VMEMMAP_START.
 *
 * The rest is the I/O kind (data only). User space above the machine's
 * own 39-bit low half gets the same treatment (USER48).
 */

import { SHADOW_HOST_SIZE, TTBR1_SHADOW_BASE } from '../emulator/core';

/** PAGE_OFFSET for VA_BITS=48: the linear map, the bottom of the kernel half. */
export const VA48_KERNEL_BASE = 0xffff_0000_0000_0000n;
/** _PAGE_END(48): the modules, the image and vmalloc from here. */
export const VA48_IMAGE_HALF = 0xffff_8000_0000_0000n;
/** VMEMMAP_START = -(1 << (VA_BITS - VMEMMAP_SHIFT)), VMEMMAP_SHIFT = PAGE_SHIFT - STRUCT_PAGE_MAX_SHIFT = 12 - 6. */
export const VA48_VMEMMAP_START = 0xffff_fc00_0000_0000n;

/**
 * User space (TTBR0) above the machine's own 39-bit low half, up to
 * TASK_SIZE = 2^48: where Linux puts the stack, the mmap base and the vDSO
 * of a process, at the top, so the code part is the top 512 GB. (A static
 * busybox runs its text at 0x400000, inside the low half.)
 */
const USER48_SHADOW = { base: 1n << 39n, size: Number((1n << 48n) - (1n << 39n)) };
const USER48_CODE = { base: (1n << 48n) - BigInt(SHADOW_HOST_SIZE), size: SHADOW_HOST_SIZE };

const SZ_1G = 0x4000_0000n;

export interface VaShadow {
  base: bigint;
  size: number;
  code: { base: bigint; size: number };
}

/**
 * The image's code window, `size` bytes inside [floor, ceiling): centred
 * on the image, so that it also holds the module region, which kaslr_init
 * (arch/arm64/kernel/kaslr.c) puts within 2 GiB of the image
 * (CONFIG_RANDOMIZE_MODULE_REGION_FULL); moved up to `floor` (the bottom
 * of the modules and vmalloc area) when the image sits there, where
 * modules go without KASLR (MODULES_VADDR). 1 GiB aligned.
 */
export function imageCodeWindow(imageVa: bigint, size: number, floor: bigint, ceiling: bigint): { base: bigint; size: number } {
  const half = BigInt(size) / 2n;
  let base = ((imageVa - half) / SZ_1G) * SZ_1G;
  if (base < floor) base = floor;
  if (base + BigInt(size) > ceiling) base = ceiling - BigInt(size);
  return { base, size };
}

/**
 * The shadows for a kernel whose image runs at `imageVa`: the kernel's,
 * disjoint, together [VA48_KERNEL_BASE, TTBR1_SHADOW_BASE), then user
 * space's.
 */
export function va48Shadows(imageVa: bigint): VaShadow[] {
  const fixmap = { base: VA48_VMEMMAP_START - BigInt(SHADOW_HOST_SIZE), size: SHADOW_HOST_SIZE };
  const vmalloc = { base: VA48_IMAGE_HALF, size: SHADOW_HOST_SIZE };
  const image = imageCodeWindow(imageVa, SHADOW_HOST_SIZE, VA48_IMAGE_HALF, fixmap.base);
  const apart = image.base >= vmalloc.base + BigInt(vmalloc.size);
  const kernel: VaShadow[] = apart
    ? [
      { base: VA48_KERNEL_BASE, size: Number(image.base - VA48_KERNEL_BASE), code: vmalloc },
      { base: image.base, size: Number(fixmap.base - image.base), code: image },
    ]
    : [{ base: VA48_KERNEL_BASE, size: Number(fixmap.base - VA48_KERNEL_BASE), code: image }];
  return [
    ...kernel,
    { base: fixmap.base, size: Number(TTBR1_SHADOW_BASE - fixmap.base), code: fixmap },
    { ...USER48_SHADOW, code: USER48_CODE },
  ];
}
