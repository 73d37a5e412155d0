// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel model's static per-CPU variables: what DEFINE_PER_CPU puts
 * in the image's .data..percpu section (include/linux/percpu-defs.h,
 * include/asm-generic/vmlinux.lds.h PERCPU_INPUT).
 *
 * Each variable is declared once here, with its size and alignment, in
 * link order. The image's build (images/build.ts) turns the list into
 * the section between __per_cpu_start and __per_cpu_end of head.S, so
 * each variable has a symbol in System.map; setup_per_cpu_areas copies
 * the section into every CPU's unit of the first chunk, and the section's
 * size is the `s` of the "percpu: Embedded ..." line. TypeScript reaches
 * a CPU's copy through per_cpu_ptr/this_cpu_ptr (first_chunk.ts), ARM64
 * code through TPIDR_EL1 (the image's this_cpu_* helpers).
 *
 * Layout, as the linker script makes it: __per_cpu_start is page
 * aligned; .data..percpu..read_mostly (DEFINE_PER_CPU_READ_MOSTLY) comes
 * first, then the location counter is aligned to the cache line
 * (L1_CACHE_BYTES, 64 on arm64) and plain .data..percpu follows; each
 * variable is aligned to its type's alignment; __per_cpu_end follows the
 * last one, on an 8-byte boundary (every arm64 5.10 boot log's `s` is a
 * multiple of 8, and pcpu_alloc_first_chunk hides the static part of the
 * first page in PCPU_MIN_ALLOC_SIZE units, so it must be a multiple of
 * 4). Within .data..percpu the order is the link order
 * of the objects that define the variables (mm/Makefile links vmstat.o
 * before page-alloc.o).
 *
 * The structures, for a 64-bit kernel with this configuration (see
 * mm/vmstat_items.ts):
 *
 *   struct per_cpu_pages      int count, high, batch; (4 bytes of padding)
 *                             struct list_head lists[MIGRATE_PCPTYPES]
 *                             = 64 bytes
 *   struct per_cpu_pageset    pcp; s8 stat_threshold;
 *                             s8 vm_stat_diff[NR_VM_ZONE_STAT_ITEMS]
 *                             = 64 + 1 + 12, rounded to 8: 80 bytes
 *   struct per_cpu_nodestat   s8 stat_threshold;
 *                             s8 vm_node_stat_diff[NR_VM_NODE_STAT_ITEMS]
 *                             = 38 bytes
 *   struct vm_event_state     unsigned long event[NR_VM_EVENT_ITEMS]
 *
 * Data only (the image's build imports it), apart from the assembly it
 * writes.
 */

import { NR_VM_EVENT_ITEMS, NR_VM_NODE_STAT_ITEMS, NR_VM_ZONE_STAT_ITEMS } from '../vmstat_items';

/** MIGRATE_PCPTYPES: the per-CPU page lists per pageset (unmovable, movable, reclaimable). */
const PCP_LISTS = 3;
const L1_CACHE_BYTES = 64;
const PERCPU_END_ALIGN = 8;
const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;

/** Byte offsets in struct per_cpu_pageset (its per_cpu_pages first). */
export const PCP_COUNT = 0;
export const PCP_HIGH = 4;
export const PCP_BATCH = 8;
/** lists[mt] is the list_head at PCP_LISTS_OFF + 16 * mt: next at +0, prev at +8. */
export const PCP_LISTS_OFF = 16;
export const LIST_HEAD_SIZE = 16;
export const PER_CPU_PAGES_SIZE = PCP_LISTS_OFF + PCP_LISTS * LIST_HEAD_SIZE;
export const PCPSET_STAT_THRESHOLD = PER_CPU_PAGES_SIZE;
export const PCPSET_VM_STAT_DIFF = PCPSET_STAT_THRESHOLD + 1;
export const PER_CPU_PAGESET_SIZE = alignUp(PCPSET_VM_STAT_DIFF + NR_VM_ZONE_STAT_ITEMS, 8);
export const PER_CPU_PAGESET_ALIGN = 8;
export const PER_CPU_NODESTAT_SIZE = 1 + NR_VM_NODE_STAT_ITEMS;
export const VM_EVENT_STATE_SIZE = 8 * NR_VM_EVENT_ITEMS;

export interface PerCpuVar {
  name: string;
  size: number;
  align: number;
  /** DEFINE_PER_CPU_READ_MOSTLY or DEFINE_PER_CPU. */
  section: 'read_mostly' | 'data';
  /** The Linux file that defines it. */
  definedIn: string;
}

/** Every static per-CPU variable of the kernel model, in link order. */
export const STATIC_PERCPU_VARS: readonly PerCpuVar[] = [
  { name: 'cpu_number', size: 4, align: 4, section: 'read_mostly', definedIn: 'arch/arm64/kernel/smp.c' },
  { name: 'vm_event_states', size: VM_EVENT_STATE_SIZE, align: 8, section: 'data', definedIn: 'mm/vmstat.c' },
  { name: 'boot_pageset', size: PER_CPU_PAGESET_SIZE, align: PER_CPU_PAGESET_ALIGN, section: 'data', definedIn: 'mm/page_alloc.c' },
  { name: 'boot_nodestats', size: PER_CPU_NODESTAT_SIZE, align: 1, section: 'data', definedIn: 'mm/page_alloc.c' },
];

export interface PercpuStaticLayout {
  /** Offset of each variable from __per_cpu_start. */
  offsets: ReadonlyMap<string, number>;
  /** __per_cpu_end - __per_cpu_start: the `s` of the boot line. */
  size: number;
}

/** Where the linker script puts each variable. */
export function percpu_static_layout(vars: readonly PerCpuVar[] = STATIC_PERCPU_VARS): PercpuStaticLayout {
  const offsets = new Map<string, number>();
  let at = 0;
  const place = (section: PerCpuVar['section']): void => {
    for (const v of vars.filter((x) => x.section === section)) {
      at = alignUp(at, v.align);
      offsets.set(v.name, at);
      at += v.size;
    }
  };
  place('read_mostly');
  at = alignUp(at, L1_CACHE_BYTES);
  place('data');
  return { offsets, size: alignUp(at, PERCPU_END_ALIGN) };
}

/** The section's assembly, from __per_cpu_start (page aligned) to __per_cpu_end. */
export function percpu_section_asm(vars: readonly PerCpuVar[] = STATIC_PERCPU_VARS): string {
  const out = ['.balign 4096', '__per_cpu_start:', '// .data..percpu..read_mostly'];
  const emit = (section: PerCpuVar['section']): void => {
    for (const v of vars.filter((x) => x.section === section)) {
      out.push(`.balign ${v.align}`, `${v.name}:                 // ${v.definedIn}`, `    .space ${v.size}`);
    }
  };
  emit('read_mostly');
  out.push(`.balign ${L1_CACHE_BYTES}`, '// .data..percpu');
  emit('data');
  out.push(`.balign ${PERCPU_END_ALIGN}`, '__per_cpu_end:');
  return out.join('\n') + '\n';
}
