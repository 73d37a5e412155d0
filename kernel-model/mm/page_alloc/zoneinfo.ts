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
 * The item names are 5.10's for this configuration (no NUMA, ZSMALLOC,
 * CMA): zone_stat_item, node_stat_item, the two writeback thresholds,
 * then the vm events up to the ones this kernel counts. Counters of
 * subsystems the model does not have (LRU lists, page cache, swap) are 0,
 * as they are on a machine that never used them; the vm events past
 * pgfree that would all be 0 (reclaim, compaction, THP, ...) are left
 * out of /proc/vmstat rather than listed from memory.
 */

import { zone_names } from './mmzone';
import type { PageAllocator } from './page_alloc';

const ZONE_STAT_ITEMS = [
  'nr_free_pages', 'nr_zone_inactive_anon', 'nr_zone_active_anon', 'nr_zone_inactive_file', 'nr_zone_active_file',
  'nr_zone_unevictable', 'nr_zone_write_pending', 'nr_mlock', 'nr_page_table_pages', 'nr_bounce', 'nr_zspages', 'nr_free_cma',
] as const;

const NODE_STAT_ITEMS = [
  'nr_inactive_anon', 'nr_active_anon', 'nr_inactive_file', 'nr_active_file', 'nr_unevictable', 'nr_slab_reclaimable',
  'nr_slab_unreclaimable', 'nr_isolated_anon', 'nr_isolated_file', 'workingset_nodes', 'workingset_refault_anon',
  'workingset_refault_file', 'workingset_activate_anon', 'workingset_activate_file', 'workingset_restore_anon',
  'workingset_restore_file', 'workingset_nodereclaim', 'nr_anon_pages', 'nr_mapped', 'nr_file_pages', 'nr_dirty',
  'nr_writeback', 'nr_writeback_temp', 'nr_shmem', 'nr_shmem_hugepages', 'nr_shmem_pmdmapped', 'nr_file_hugepages',
  'nr_file_pmdmapped', 'nr_anon_transparent_hugepages', 'nr_vmscan_write', 'nr_vmscan_immediate_reclaim', 'nr_dirtied',
  'nr_written', 'nr_kernel_misc_reclaimable', 'nr_foll_pin_acquired', 'nr_foll_pin_released', 'nr_kernel_stack',
] as const;

const fls = (x: number): number => (x ? 32 - Math.clz32(x) : 0);

/** calculate_normal_threshold: 2 * fls(cpus) * (1 + fls(managed / 128 MiB)), at most 125. */
function stat_threshold(pgalloc: PageAllocator, managed: number): number {
  return Math.min(125, 2 * fls(pgalloc.nrCpus) * (1 + fls(managed >> (27 - 12))));
}

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
      out += `\n    cpu: ${cpu}\n              count: ${z.pcp.count[cpu]}\n              high:  ${z.pcp.high[cpu]}\n              batch: ${z.pcp.batch[cpu]}`;
      out += `\n  vm stats threshold: ${stat_threshold(pgalloc, z.managed_pages)}`;
    }
    out += `\n  node_unreclaimable:  0\n  start_pfn:           ${z.zone_start_pfn}\n`;
  }
  return out;
}

/** /proc/vmstat: "%s %lu" per item. */
export function vmstat(pgalloc: PageAllocator): string {
  const lines: string[] = [];
  for (const item of ZONE_STAT_ITEMS) lines.push(`${item} ${pgalloc.zones.reduce((s, z) => s + zoneStat(z, item), 0)}`);
  for (const item of NODE_STAT_ITEMS) lines.push(`${item} 0`);
  // global_dirty_limits with no page cache: both thresholds follow from the dirtyable (free) memory.
  const dirtyable = pgalloc.zones.reduce((s, z) => s + Math.max(0, z.nr_free_pages - z.high_wmark_pages()), 0);
  const thresh = Math.floor((dirtyable * 20) / 100);
  lines.push(`nr_dirty_threshold ${thresh}`, `nr_dirty_background_threshold ${Math.floor(thresh / 2)}`);
  for (const e of ['pgpgin', 'pgpgout', 'pswpin', 'pswpout']) lines.push(`${e} 0`);
  for (const z of pgalloc.zones) lines.push(`pgalloc_${zone_names[z.idx]!.toLowerCase()} ${z.pgalloc}`);
  for (const z of pgalloc.zones) lines.push(`allocstall_${zone_names[z.idx]!.toLowerCase()} 0`);
  for (const z of pgalloc.zones) lines.push(`pgskip_${zone_names[z.idx]!.toLowerCase()} 0`);
  lines.push(`pgfree ${pgalloc.pgfree}`);
  return lines.join('\n') + '\n';
}
