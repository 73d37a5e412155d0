// SPDX-License-Identifier: GPL-2.0-only
/*
 * GFP flags: what a caller may and may not do, and where the memory may
 * come from (include/linux/gfp.h, Linux 5.10 bit values, so that the
 * "mode:0x..." in an allocation-failure report reads the same as on the
 * real uConsole kernel).
 *
 * Two questions are answered from the flags on every allocation, so both
 * are table lookups:
 *   gfp_zone()         the highest zone the caller can use (ZONE_DMA for
 *                      __GFP_DMA, ZONE_DMA32 for __GFP_DMA32, ...); the
 *                      allocator then walks the zonelist downwards from it
 *   gfp_migratetype()  which free lists to prefer (__GFP_MOVABLE,
 *                      __GFP_RECLAIMABLE, or unmovable)
 * Invalid combinations (GFP_ZONE_BAD, e.g. __GFP_DMA|__GFP_DMA32) give -1.
 */

import { ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL } from './mmzone';

/* Plain bits (___GFP_* in gfp.h). */
export const __GFP_DMA = 0x01;
export const __GFP_HIGHMEM = 0x02;
export const __GFP_DMA32 = 0x04;
export const __GFP_MOVABLE = 0x08;
export const __GFP_RECLAIMABLE = 0x10;
export const __GFP_HIGH = 0x20;
export const __GFP_IO = 0x40;
export const __GFP_FS = 0x80;
export const __GFP_ZERO = 0x100;
export const __GFP_ATOMIC = 0x200;
export const __GFP_DIRECT_RECLAIM = 0x400;
export const __GFP_KSWAPD_RECLAIM = 0x800;
export const __GFP_WRITE = 0x1000;
export const __GFP_NOWARN = 0x2000;
export const __GFP_RETRY_MAYFAIL = 0x4000;
export const __GFP_NOFAIL = 0x8000;
export const __GFP_NORETRY = 0x10000;
export const __GFP_MEMALLOC = 0x20000;
export const __GFP_COMP = 0x40000;
export const __GFP_NOMEMALLOC = 0x80000;
export const __GFP_HARDWALL = 0x100000;
export const __GFP_THISNODE = 0x200000;
export const __GFP_ACCOUNT = 0x400000;

export const __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;
export const GFP_ZONEMASK = __GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE;
export const GFP_MOVABLE_MASK = __GFP_RECLAIMABLE | __GFP_MOVABLE;
export const GFP_MOVABLE_SHIFT = 3;

/* The usual combinations. */
export const GFP_ATOMIC = __GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM;
export const GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
export const GFP_KERNEL_ACCOUNT = GFP_KERNEL | __GFP_ACCOUNT;
export const GFP_NOWAIT = __GFP_KSWAPD_RECLAIM;
export const GFP_NOIO = __GFP_RECLAIM;
export const GFP_NOFS = __GFP_RECLAIM | __GFP_IO;
export const GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL;
export const GFP_DMA = __GFP_DMA;
export const GFP_DMA32 = __GFP_DMA32;
export const GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
export const GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE;
export const GFP_TRANSHUGE_LIGHT =
  (GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM;
export const GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM;

/**
 * GFP_ZONE_TABLE for a kernel with ZONE_DMA and ZONE_DMA32 and no
 * HIGHMEM (OPT_ZONE_HIGHMEM = ZONE_NORMAL), indexed by gfp & GFP_ZONEMASK;
 * -1 marks the GFP_ZONE_BAD combinations.
 */
const GFP_ZONE_TABLE: Int8Array = (() => {
  const t = new Int8Array(16).fill(-1);
  t[0] = ZONE_NORMAL;
  t[__GFP_DMA] = ZONE_DMA;
  t[__GFP_HIGHMEM] = ZONE_NORMAL;
  t[__GFP_DMA32] = ZONE_DMA32;
  t[__GFP_MOVABLE] = ZONE_NORMAL;
  t[__GFP_MOVABLE | __GFP_DMA] = ZONE_DMA;
  t[__GFP_MOVABLE | __GFP_HIGHMEM] = ZONE_MOVABLE;
  t[__GFP_MOVABLE | __GFP_DMA32] = ZONE_DMA32;
  return t;
})();

/** gfp_zone: the highest zone index the flags allow, or -1 for a bad combination. */
export function gfp_zone(gfp: number): number {
  return GFP_ZONE_TABLE[gfp & GFP_ZONEMASK]!;
}

/**
 * gfp_migratetype: MIGRATE_UNMOVABLE (0), MIGRATE_MOVABLE (1) or
 * MIGRATE_RECLAIMABLE (2); -1 when both mobility bits are set, which
 * Linux warns about (VM_WARN_ON in gfp_migratetype).
 */
export function gfp_migratetype(gfp: number): number {
  const mt = (gfp & GFP_MOVABLE_MASK) >>> GFP_MOVABLE_SHIFT;
  return mt === 3 ? -1 : mt;
}

/** __def_gfpflag_names (include/trace/events/mmflags.h): composites first. */
const GFP_FLAG_NAMES: readonly [number, string][] = [
  [GFP_TRANSHUGE, 'GFP_TRANSHUGE'],
  [GFP_TRANSHUGE_LIGHT, 'GFP_TRANSHUGE_LIGHT'],
  [GFP_HIGHUSER_MOVABLE, 'GFP_HIGHUSER_MOVABLE'],
  [GFP_HIGHUSER, 'GFP_HIGHUSER'],
  [GFP_USER, 'GFP_USER'],
  [GFP_KERNEL_ACCOUNT, 'GFP_KERNEL_ACCOUNT'],
  [GFP_KERNEL, 'GFP_KERNEL'],
  [GFP_NOFS, 'GFP_NOFS'],
  [GFP_ATOMIC, 'GFP_ATOMIC'],
  [GFP_NOIO, 'GFP_NOIO'],
  [GFP_NOWAIT, 'GFP_NOWAIT'],
  [GFP_DMA, 'GFP_DMA'],
  [__GFP_HIGHMEM, '__GFP_HIGHMEM'],
  [GFP_DMA32, 'GFP_DMA32'],
  [__GFP_HIGH, '__GFP_HIGH'],
  [__GFP_ATOMIC, '__GFP_ATOMIC'],
  [__GFP_IO, '__GFP_IO'],
  [__GFP_FS, '__GFP_FS'],
  [__GFP_NOWARN, '__GFP_NOWARN'],
  [__GFP_RETRY_MAYFAIL, '__GFP_RETRY_MAYFAIL'],
  [__GFP_NOFAIL, '__GFP_NOFAIL'],
  [__GFP_NORETRY, '__GFP_NORETRY'],
  [__GFP_COMP, '__GFP_COMP'],
  [__GFP_ZERO, '__GFP_ZERO'],
  [__GFP_NOMEMALLOC, '__GFP_NOMEMALLOC'],
  [__GFP_MEMALLOC, '__GFP_MEMALLOC'],
  [__GFP_HARDWALL, '__GFP_HARDWALL'],
  [__GFP_THISNODE, '__GFP_THISNODE'],
  [__GFP_RECLAIMABLE, '__GFP_RECLAIMABLE'],
  [__GFP_MOVABLE, '__GFP_MOVABLE'],
  [__GFP_ACCOUNT, '__GFP_ACCOUNT'],
  [__GFP_WRITE, '__GFP_WRITE'],
  [__GFP_RECLAIM, '__GFP_RECLAIM'],
  [__GFP_DIRECT_RECLAIM, '__GFP_DIRECT_RECLAIM'],
  [__GFP_KSWAPD_RECLAIM, '__GFP_KSWAPD_RECLAIM'],
];

/**
 * %pGg: the flags as names joined by '|', composites first, leftover bits
 * as a hex number (lib/vsprintf.c format_flags).
 */
export function format_gfp(gfp: number): string {
  const parts: string[] = [];
  let rest = gfp;
  for (const [mask, name] of GFP_FLAG_NAMES) {
    if (mask !== 0 && (rest & mask) === mask) {
      parts.push(name);
      rest &= ~mask;
    }
  }
  if (rest !== 0) parts.push('0x' + (rest >>> 0).toString(16));
  return parts.join('|');
}

/** The "mode:%#x(%pGg)" part of warn_alloc(). */
export function format_gfp_mode(gfp: number): string {
  return `mode:0x${(gfp >>> 0).toString(16)}(${format_gfp(gfp)})`;
}
