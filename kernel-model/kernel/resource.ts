// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/iomem as arm64 5.10 fills it for memory (arch/arm64/kernel/
 * setup.c request_standard_resources, reserve_memblock_reserved_regions;
 * kernel/resource.c r_show): one "System RAM" resource per memblock
 * memory region, "Kernel code" and "Kernel data" inside the one that
 * holds the image, and "reserved" for every memblock reservation (firmware
 * stub, DTB, CMA, swiotlb, page tables, mem_map), split around the
 * kernel's own entries as reserve_region_with_split does. Each line is
 * "%0*llx-%0*llx : %s" (at least 8 digits), indented two spaces per
 * level. Device windows are not listed: no driver has claimed them.
 */

import type { Memblock } from '../mm/memblock';

interface Res {
  start: number;
  end: number; // inclusive
  name: string;
}

const hex8 = (x: number): string => x.toString(16).padStart(8, '0');

/** [start, end] less the ranges in `holes`, as inclusive pieces. */
function subtract(start: number, end: number, holes: readonly Res[]): [number, number][] {
  let pieces: [number, number][] = [[start, end]];
  for (const h of holes) {
    pieces = pieces.flatMap(([s, e]): [number, number][] => {
      if (h.end < s || h.start > e) return [[s, e]];
      const out: [number, number][] = [];
      if (h.start > s) out.push([s, h.start - 1]);
      if (h.end < e) out.push([h.end + 1, e]);
      return out;
    });
  }
  return pieces;
}

export function iomem(memblock: Memblock, kernel: { code: [number, number]; data: [number, number] }): string {
  let out = '';
  for (const m of memblock.memory.regions) {
    const ram: Res = { start: m.base, end: m.base + m.size - 1, name: 'System RAM' };
    out += `${hex8(ram.start)}-${hex8(ram.end)} : ${ram.name}\n`;
    const kids: Res[] = [];
    for (const [name, [s, e]] of [['Kernel code', kernel.code], ['Kernel data', kernel.data]] as const)
      if (s >= ram.start && e <= ram.end) kids.push({ start: s, end: e, name });
    const own = [...kids];
    for (const r of memblock.reserved.regions) {
      const s = Math.max(r.base, ram.start);
      const e = Math.min(r.base + r.size - 1, ram.end);
      if (s > e) continue;
      for (const [ps, pe] of subtract(s, e, own)) kids.push({ start: ps, end: pe, name: 'reserved' });
    }
    kids.sort((a, b) => a.start - b.start);
    for (const k of kids) out += `  ${hex8(k.start)}-${hex8(k.end)} : ${k.name}\n`;
  }
  return out;
}
