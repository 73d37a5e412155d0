// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-CPU side of mm/vmstat.c: the vm event counters and the stat
 * thresholds.
 *
 * Events (include/linux/vmstat.h): each CPU counts into its own copy of
 * the static per-CPU variable vm_event_states (struct vm_event_state: an
 * unsigned long per vm_event_item), with no atomics, as
 * __count_vm_events does with raw_cpu_add; readers sum every CPU's copy
 * (all_vm_events, sum_vm_event). In the booted kernel the copies are in
 * the first chunk's units, in guest memory, where ARM64 code on a core
 * reads its own through TPIDR_EL1. A 64-bit counter is two Int32 words,
 * low then high, the carry added by hand.
 *
 * Thresholds (refresh_zone_stat_thresholds, calculate_normal_threshold):
 * stat_threshold in each CPU's per_cpu_pageset of a populated zone, and
 * the largest of them in the node's per_cpu_nodestats, as /proc/zoneinfo
 * prints. Linux folds a CPU's vm_stat_diff into the zone's counter once
 * it passes the threshold; the model updates the zone counters at once
 * (NR_FREE_PAGES stays exact, as the watermark checks and the tests rely
 * on), so every vm_stat_diff stays 0.
 */

import type { PercpuWords } from '../percpu/words';
import type { PageAllocator } from './page_alloc';
import { NR_VM_EVENT_ITEMS } from '../vmstat_items';

/** __count_vm_events(item, n) on `cpu`'s copy of vm_event_states. */
export function __count_vm_events(ev: PercpuWords, cpu: number, item: number, n: number): void {
  const w = ev.w;
  const i = ev.at + cpu * ev.stride + (item << 1);
  const lo = (w[i]! >>> 0) + n;
  w[i] = lo | 0;
  if (lo > 0xffffffff) w[i + 1]++;
}

/** One CPU's count of an event. */
export function cpu_vm_event(ev: PercpuWords, cpu: number, item: number): number {
  const i = ev.at + cpu * ev.stride + (item << 1);
  return (ev.w[i]! >>> 0) + (ev.w[i + 1]! >>> 0) * 2 ** 32;
}

/** sum_vm_event: every CPU's count of one event. */
export function sum_vm_event(ev: PercpuWords, nrCpus: number, item: number): number {
  let n = 0;
  for (let cpu = 0; cpu < nrCpus; cpu++) n += cpu_vm_event(ev, cpu, item);
  return n;
}

/** all_vm_events: every event, summed over the CPUs. */
export function all_vm_events(ev: PercpuWords, nrCpus: number): number[] {
  return Array.from({ length: NR_VM_EVENT_ITEMS }, (_, item) => sum_vm_event(ev, nrCpus, item));
}

const fls = (x: number): number => (x ? 32 - Math.clz32(x) : 0);

/** calculate_normal_threshold: 2 * fls(cpus) * (1 + fls(managed / 128 MiB)), at most 125. */
export function calculate_normal_threshold(nrCpus: number, managedPages: number): number {
  return Math.min(125, 2 * fls(nrCpus) * (1 + fls(managedPages >> (27 - 12))));
}

/** refresh_zone_stat_thresholds, for every CPU (all are online once the boot is over). */
export function refresh_zone_stat_thresholds(pgalloc: PageAllocator): void {
  const nodestats = pgalloc.per_cpu_nodestats;
  const nodeThreshold = new Array<number>(pgalloc.nrCpus).fill(0);
  for (const zone of pgalloc.zones) {
    if (!zone.populated_zone()) continue;
    const threshold = calculate_normal_threshold(pgalloc.nrCpus, zone.managed_pages);
    for (let cpu = 0; cpu < pgalloc.nrCpus; cpu++) {
      zone.pcp.set_stat_threshold(cpu, threshold);
      nodeThreshold[cpu] = Math.max(nodeThreshold[cpu]!, threshold);
    }
  }
  if (!nodestats) return;
  for (let cpu = 0; cpu < pgalloc.nrCpus; cpu++) {
    const i = nodestats.at + cpu * nodestats.stride; // stat_threshold is byte 0
    nodestats.w[i] = (nodestats.w[i]! & ~0xff) | (nodeThreshold[cpu]! & 0xff);
  }
}
