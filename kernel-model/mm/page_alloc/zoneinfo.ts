// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/zoneinfo and /proc/vmstat in Linux 5.10's formats (mm/vmstat.c
 * zoneinfo_show_print, vmstat_show, vmstat_text[]).
 *
 * zoneinfo: every zone of node 0, populated or not; the first populated
 * zone carries the node's stats ("  per-node stats", "      %-12s %lu");
 * then "  pages free", min/low/high (with the boost, wmark_pages), spanned,
 * present, managed, cma, "        protection: (a, b, c, d)"; a populated
 * zone goes on with its zone stats, its pagesets (count, high, batch and
 * "  vm stats threshold" per CPU), node_unreclaimable and start_pfn.
 *
 * The pagesets and thresholds are read from each CPU's per_cpu_pageset
 * (guest memory in the booted kernel, see pcp.ts).
 *
 * vmstat: every item of 5.10's vmstat_text[] for this configuration
 * (mm/vmstat_items.ts): zone_stat_item, node_stat_item, the two
 * writeback thresholds, then every vm_event_item, summed over the CPUs'
 * vm_event_states. Counters of subsystems the model does not have (LRU
 * lists, page cache, swap, reclaim, compaction, THP, ...) are 0, as they
 * are on a machine that never used them; vmstat_items.ts lists the
 * events the model counts.
 */

import type { PageAllocator } from './page_alloc';
import { zone_names } from './mmzone';
import { NODE_STAT_ITEMS, VM_EVENT_ITEMS, ZONE_STAT_ITEMS } from '../vmstat_items';
import { all_vm_events } from './vm_event';

function zoneStat(z: PageAllocator['zones'][number], item: string): number {
  if (item === 'nr_free_pages') return z.nr_free_pages;
  if (item === 'nr_free_cma') return z.nr_free_cma_pages;
  return 0;
}

/** /proc/zoneinfo */
export function zoneinfo(pgalloc: PageAllocator): string {
  let out = '';
  const firstPopulated = pgalloc.zones.find((z) => z.populated_zone());
  for (const z of pgalloc.zones) {
    out += `Node 0, zone ${zone_names[z.idx]!.padStart(8)}`;
    if (z === firstPopulated) {
      out += '\n  per-node stats';
      for (const item of NODE_STAT_ITEMS) out += `\n      ${item.padEnd(12)} 0`;
    }
    out +=
      `\n  pages free     ${z.nr_free_pages}` +
      `\n        min      ${z.min_wmark_pages()}` +
      `\n        low      ${z.low_wmark_pages()}` +
      `\n        high     ${z.high_wmark_pages()}` +
      `\n        spanned  ${z.spanned_pages}` +
      `\n        present  ${z.present_pages}` +
      `\n        managed  ${z.managed_pages}` +
      `\n        cma      ${z.cma_pages}`;
    out += `\n        protection: (${Array.from(z.lowmem_reserve).join(', ')})`;
    if (!z.populated_zone()) {
      out += '\n';
      continue;
    }
    for (const item of ZONE_STAT_ITEMS) out += `\n      ${item.padEnd(12)} ${zoneStat(z, item)}`;
    out += '\n  pagesets';
    for (let cpu = 0; cpu < pgalloc.nrCpus; cpu++) {
      out += `\n    cpu: ${cpu}\n              count: ${z.pcp.count(cpu)}\n              high:  ${z.pcp.high(cpu)}\n              batch: ${z.pcp.batch(cpu)}`;
      out += `\n  vm stats threshold: ${z.pcp.stat_threshold(cpu)}`;
    }
    out += `\n  node_unreclaimable:  0\n  start_pfn:           ${z.zone_start_pfn}\n`;
  }
  return out;
}

/** /proc/vmstat: "%s %lu" per item, vmstat_text[] order: zone, node, writeback, events. */
export function vmstat(pgalloc: PageAllocator): string {
  const lines: string[] = [];
  for (const item of ZONE_STAT_ITEMS) lines.push(`${item} ${pgalloc.zones.reduce((s, z) => s + zoneStat(z, item), 0)}`);
  for (const item of NODE_STAT_ITEMS) lines.push(`${item} 0`);
  // global_dirty_limits with no page cache: both thresholds follow from the dirtyable (free) memory.
  const dirtyable = pgalloc.zones.reduce((s, z) => s + Math.max(0, z.nr_free_pages - z.high_wmark_pages()), 0);
  const thresh = Math.floor((dirtyable * 20) / 100);
  lines.push(`nr_dirty_threshold ${thresh}`, `nr_dirty_background_threshold ${Math.floor(thresh / 2)}`);
  // all_vm_events: every CPU's vm_event_states summed (what the model does not count stays 0: see vmstat_items.ts).
  const events = all_vm_events(pgalloc.vm_events, pgalloc.nrCpus);
  VM_EVENT_ITEMS.forEach((name, i) => lines.push(`${name} ${events[i]}`));
  return lines.join('\n') + '\n';
}
