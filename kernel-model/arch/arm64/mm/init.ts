// SPDX-License-Identifier: GPL-2.0-only
/*
 * arm64_memblock_init (arch/arm64/mm/init.c) and the device tree's share
 * of it (early_init_dt_scan_memory, early_init_fdt_reserve_self,
 * early_init_fdt_scan_reserved_mem): memblock learns the RAM from /memory
 * and has reserved, before anything allocates, every byte someone already
 * uses: the firmware's /memreserve/ entries (the armstub page with the
 * spin table), the kernel image and the device tree blob. The GPU's share
 * of RAM is not in /memory at all (the firmware leaves it out), so it is
 * never memory to the kernel.
 */

import { PAGE_SIZE } from '../page-def';
import {
  addressCellsOf, decodeReg, decodeString, getProp, sizeCellsOf, walkNodes, type DeviceTree,
} from '../../../../lib/fdt';
import { Memblock } from '../../../mm/memblock';
import type { GuestRam } from '../../../../emulator/memory/guest-ram';
import { KernelPanic } from '../../../kernel';

export interface EarlyReservations {
  kernel: { base: number; size: number };
  dtb: { base: number; size: number };
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
  return mb;
}
