// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page size, defined once for the whole kernel model
 * (arch/arm64/include/asm/page-def.h with CONFIG_ARM64_4K_PAGES, as every
 * uConsole kernel is built).
 */

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = ~(PAGE_SIZE - 1);
