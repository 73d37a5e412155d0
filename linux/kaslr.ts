// SPDX-License-Identifier: GPL-2.0-only
/*
 * KASLR for Debian's arm64 kernel: where the kernel will move its image,
 * computed from the device tree it is handed (the seed in
 * /chosen/kaslr-seed, Documentation/devicetree/bindings/chosen.txt: a u64,
 * which the firmware stage writes when asked, as the Pi firmware passes
 * one; the bootargs), by Linux 6.1's own rule, so that the machine can
 * cover that VA before the kernel fetches from it (va48.ts).
 *
 * Unicorn 2.0.1 checks every VA against its regions before the MMU
 * (issue #1718), and a fetch must land in a region backed by host memory;
 * mapping from the FETCH_UNMAPPED hook crashes 2.0.1. Computing the offset
 * up front avoids both: the image's code window (va48.ts) is mapped
 * before the kernel runs, and the mrs/msr and WFI/WFE sites are hooked at
 * the randomized VA. The kernel's "Kernel Offset: 0x... from 0x..." panic
 * line confirms the figure (test/linux/kaslr.test.ts).
 *
 * The rule, arch/arm64/kernel/pi/kaslr_early.c (kaslr_early_init) and
 * arch/arm64/kernel/head.S (__primary_switch), 6.1:
 *  - `nokaslr` in /chosen/bootargs (found by strstr, at the start or after
 *    a space; Debian's CONFIG_CMDLINE is empty) turns it off;
 *  - a zero or missing seed turns it off too, unless the CPU has RNDR
 *    (FEAT_RNG, ARMv8.5): Cortex-A72 and A53 do not;
 *  - otherwise kaslr_early_init returns BIT(VA_BITS_MIN - 3) + (seed &
 *    GENMASK(VA_BITS_MIN - 3, 0)), a place in the middle half of the
 *    vmalloc area; head.S keeps its low 21 bits as memstart_offset_seed
 *    (the linear map's randomization), clears them, and ORs in the image's
 *    physical offset within 2 MiB (MIN_KIMG_ALIGN): that is the kernel
 *    offset, kimage_vaddr = KIMAGE_VADDR + offset.
 */

import { decodeU64, findNode, getProp, type DeviceTree } from '../lib/fdt';

/** VA_BITS_MIN of a kernel built with CONFIG_ARM64_VA_BITS_48 (arch/arm64/include/asm/memory.h). */
export const VA_BITS_MIN = 48n;

const SZ_2M = 0x20_0000n;

/** cmdline_contains_nokaslr: the first "nokaslr", at the start or after a space. */
export function cmdlineDisablesKaslr(bootargs: string): boolean {
  const at = bootargs.indexOf('nokaslr');
  return at === 0 || (at > 0 && bootargs[at - 1] === ' ');
}

/**
 * The kernel offset Linux will choose (kimage_vaddr - KIMAGE_VADDR): 0 when
 * KASLR stays off. `kernelPa` is where the firmware loaded the Image.
 */
export function kaslrOffset(seed: bigint | undefined, kernelPa: number, bootargs: string): bigint {
  if (seed === undefined || seed === 0n || cmdlineDisablesKaslr(bootargs)) return 0n;
  const early = (1n << (VA_BITS_MIN - 3n)) + (seed & ((1n << (VA_BITS_MIN - 2n)) - 1n));
  return (early & ~(SZ_2M - 1n)) | (BigInt(kernelPa) & (SZ_2M - 1n));
}

/**
 * The offset for the device tree the kernel is handed: /chosen's bootargs
 * and kaslr-seed read as kaslr_early_init reads them (get_kaslr_seed takes
 * the property only when it is 8 bytes; bootargs up to its NUL), so that a
 * seed already in a --dtb counts as one the firmware wrote.
 */
export function kernelOffsetForTree(tree: DeviceTree, kernelPa: number): bigint {
  const chosen = findNode(tree, '/chosen');
  const seed = chosen && getProp(chosen, 'kaslr-seed');
  const args = chosen && getProp(chosen, 'bootargs');
  const bootargs = args ? new TextDecoder('latin1').decode(args).split('\0')[0]! : '';
  return kaslrOffset(seed?.length === 8 ? decodeU64(seed) : undefined, kernelPa, bootargs);
}
