// SPDX-License-Identifier: GPL-2.0-only
/*
 * Size constants, defined once for the whole project (include/linux/
 * sizes.h's names). Sizes are `number`s: every size here is below 2^53.
 */

export const SZ_4K = 0x1000;
export const SZ_64K = 0x1_0000;
export const SZ_1M = 0x10_0000;
export const SZ_2M = 0x20_0000;
export const SZ_16M = 0x100_0000;
export const SZ_1G = 0x4000_0000;
export const SZ_4G = 0x1_0000_0000;
