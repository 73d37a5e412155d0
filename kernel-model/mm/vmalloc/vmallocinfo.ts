// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/vmallocinfo lines, in Linux's format (mm/vmalloc.c s_show, v5.10):
 *
 *   0x<start>-0x<end> <size>[ <caller>][ pages=N][ phys=0x<pa>][ ioremap][ vmalloc][ vmap][ user][ dma-coherent][ vpages]
 *   0x<start>-0x<end> <size> vm_map_ram
 *   0x<start>-0x<end> <size> unpurged vm_area
 *
 * Addresses print as %pK does for a reader allowed to see them (16 hex
 * digits), the size as %7ld, phys as %pa (0x and 16 hex digits). The size
 * of a vm_struct area includes its guard page, as v->size does. The
 * caller is %pS in Linux (symbol+offset/size); here it is the name of the
 * kernel-model function that allocated, given by the caller. No NUMA
 * node counts: the uConsole kernels are built without CONFIG_NUMA.
 *
 * "unpurged vm_area" marks a lazily freed area waiting for the purge; in
 * v4.19 s_show printed it in place (the area was still on
 * vmap_area_list), later kernels after the last area. The model keeps
 * v4.19's placement, since its lazy areas stay on the busy list.
 *
 * Pure formatting: the kernel's /proc/vmallocinfo handler (after issue 6)
 * builds the entries from the busy areas and their vm_structs.
 */

import { px } from './vmap_area';

/** vm_struct flags (include/linux/vmalloc.h, v5.10). */
export const VM_IOREMAP = 0x01;
export const VM_ALLOC = 0x02;
export const VM_MAP = 0x04;
export const VM_USERMAP = 0x08;
export const VM_DMA_COHERENT = 0x10;
export const VM_NO_GUARD = 0x40;

export type VmallocInfoEntry =
  | {
      kind: 'vm_struct';
      addr: bigint;
      /** v->size: guard page included. */
      size: bigint;
      caller?: string;
      nr_pages?: number;
      phys_addr?: number;
      flags: number;
      /** The pages array itself was vmalloc'ed (is_vmalloc_addr(v->pages)). */
      vpages?: boolean;
    }
  | { kind: 'vm_map_ram' | 'unpurged'; va_start: bigint; va_end: bigint };

const FLAG_WORDS: [number, string][] = [
  [VM_IOREMAP, 'ioremap'],
  [VM_ALLOC, 'vmalloc'],
  [VM_MAP, 'vmap'],
  [VM_USERMAP, 'user'],
  [VM_DMA_COHERENT, 'dma-coherent'],
];

const range = (start: bigint, end: bigint): string => `0x${px(start)}-0x${px(end)} ${String(end - start).padStart(7)}`;

export function vmallocinfo_line(e: VmallocInfoEntry): string {
  if (e.kind !== 'vm_struct') return `${range(e.va_start, e.va_end)} ${e.kind === 'vm_map_ram' ? 'vm_map_ram' : 'unpurged vm_area'}`;
  let s = range(e.addr, e.addr + e.size);
  if (e.caller) s += ` ${e.caller}`;
  if (e.nr_pages) s += ` pages=${e.nr_pages}`;
  if (e.phys_addr) s += ` phys=0x${e.phys_addr.toString(16).padStart(16, '0')}`;
  for (const [flag, word] of FLAG_WORDS) if (e.flags & flag) s += ` ${word}`;
  if (e.vpages) s += ' vpages';
  return s;
}

/** The whole file: one line per entry, in the order given (address order). */
export function vmallocinfo(entries: Iterable<VmallocInfoEntry>): string {
  let out = '';
  for (const e of entries) out += `${vmallocinfo_line(e)}\n`;
  return out;
}
