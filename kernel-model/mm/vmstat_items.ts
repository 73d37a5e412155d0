// SPDX-License-Identifier: GPL-2.0-only
/*
 * The names of Linux 5.10's vm counters, in the order of its enums
 * (include/linux/mmzone.h zone_stat_item and node_stat_item,
 * include/linux/vm_event_item.h vm_event_item) and of mm/vmstat.c's
 * vmstat_text[], which /proc/vmstat prints in that order.
 *
 * The configuration decides which items exist. The model's is the one
 * the rest of the page allocator follows: arm64 with CONFIG_ZONE_DMA,
 * CONFIG_ZONE_DMA32 and CONFIG_CMA, no CONFIG_NUMA (the uConsole's
 * boards are UMA and the Raspberry Pi kernel leaves NUMA off, so there
 * are no numa_* stats and no pgscan_zone_reclaim_failed), no HIGHMEM;
 * and, as arm64's defconfig has them, CONFIG_ZSMALLOC, CONFIG_SWAP,
 * CONFIG_MIGRATION, CONFIG_COMPACTION, CONFIG_HUGETLB_PAGE,
 * CONFIG_TRANSPARENT_HUGEPAGE (arm64 has no PUD-sized THP, so no
 * thp_split_pud) and CONFIG_MEMORY_BALLOON with CONFIG_BALLOON_COMPACTION;
 * the debug counters (CONFIG_DEBUG_TLBFLUSH, CONFIG_DEBUG_VM_VMACACHE)
 * and CONFIG_NUMA_BALANCING are off.
 *
 * This file is data only: the kernel image's build reads it to size the
 * static per-CPU variables that hold these counters (mm/percpu/
 * static_vars.ts), so it imports nothing.
 */

/** enum zone_stat_item (NR_VM_ZONE_STAT_ITEMS = 12 here). */
export const ZONE_STAT_ITEMS = [
  'nr_free_pages', 'nr_zone_inactive_anon', 'nr_zone_active_anon', 'nr_zone_inactive_file', 'nr_zone_active_file',
  'nr_zone_unevictable', 'nr_zone_write_pending', 'nr_mlock', 'nr_page_table_pages', 'nr_bounce', 'nr_zspages', 'nr_free_cma',
] as const;

/** enum node_stat_item (NR_VM_NODE_STAT_ITEMS = 37 here). */
export const NODE_STAT_ITEMS = [
  'nr_inactive_anon', 'nr_active_anon', 'nr_inactive_file', 'nr_active_file', 'nr_unevictable', 'nr_slab_reclaimable',
  'nr_slab_unreclaimable', 'nr_isolated_anon', 'nr_isolated_file', 'workingset_nodes', 'workingset_refault_anon',
  'workingset_refault_file', 'workingset_activate_anon', 'workingset_activate_file', 'workingset_restore_anon',
  'workingset_restore_file', 'workingset_nodereclaim', 'nr_anon_pages', 'nr_mapped', 'nr_file_pages', 'nr_dirty',
  'nr_writeback', 'nr_writeback_temp', 'nr_shmem', 'nr_shmem_hugepages', 'nr_shmem_pmdmapped', 'nr_file_hugepages',
  'nr_file_pmdmapped', 'nr_anon_transparent_hugepages', 'nr_vmscan_write', 'nr_vmscan_immediate_reclaim', 'nr_dirtied',
  'nr_written', 'nr_kernel_misc_reclaimable', 'nr_foll_pin_acquired', 'nr_foll_pin_released', 'nr_kernel_stack',
] as const;

/** FOR_ALL_ZONES(xx): one item per zone type, in enum zone_type order. */
const forAllZones = (xx: string): string[] => ['dma', 'dma32', 'normal', 'movable'].map((z) => `${xx}_${z}`);

/** enum vm_event_item, by vmstat_text[] name. */
export const VM_EVENT_ITEMS: readonly string[] = [
  'pgpgin', 'pgpgout', 'pswpin', 'pswpout',
  ...forAllZones('pgalloc'),
  ...forAllZones('allocstall'),
  ...forAllZones('pgskip'),
  'pgfree', 'pgactivate', 'pgdeactivate', 'pglazyfree',
  'pgfault', 'pgmajfault', 'pglazyfreed',
  'pgrefill', 'pgreuse',
  'pgsteal_kswapd', 'pgsteal_direct', 'pgscan_kswapd', 'pgscan_direct', 'pgscan_direct_throttle',
  'pgscan_anon', 'pgscan_file', 'pgsteal_anon', 'pgsteal_file',
  'pginodesteal', 'slabs_scanned', 'kswapd_inodesteal',
  'kswapd_low_wmark_hit_quickly', 'kswapd_high_wmark_hit_quickly',
  'pageoutrun', 'pgrotated', 'drop_pagecache', 'drop_slab', 'oom_kill',
  // CONFIG_MIGRATION
  'pgmigrate_success', 'pgmigrate_fail', 'thp_migration_success', 'thp_migration_fail', 'thp_migration_split',
  // CONFIG_COMPACTION
  'compact_migrate_scanned', 'compact_free_scanned', 'compact_isolated',
  'compact_stall', 'compact_fail', 'compact_success', 'compact_daemon_wake',
  'compact_daemon_migrate_scanned', 'compact_daemon_free_scanned',
  // CONFIG_HUGETLB_PAGE
  'htlb_buddy_alloc_success', 'htlb_buddy_alloc_fail',
  'unevictable_pgs_culled', 'unevictable_pgs_scanned', 'unevictable_pgs_rescued', 'unevictable_pgs_mlocked',
  'unevictable_pgs_munlocked', 'unevictable_pgs_cleared', 'unevictable_pgs_stranded',
  // CONFIG_TRANSPARENT_HUGEPAGE
  'thp_fault_alloc', 'thp_fault_fallback', 'thp_fault_fallback_charge', 'thp_collapse_alloc', 'thp_collapse_alloc_failed',
  'thp_file_alloc', 'thp_file_fallback', 'thp_file_fallback_charge', 'thp_file_mapped',
  'thp_split_page', 'thp_split_page_failed', 'thp_deferred_split_page', 'thp_split_pmd',
  'thp_zero_page_alloc', 'thp_zero_page_alloc_failed', 'thp_swpout', 'thp_swpout_fallback',
  // CONFIG_MEMORY_BALLOON, CONFIG_BALLOON_COMPACTION
  'balloon_inflate', 'balloon_deflate', 'balloon_migrate',
  // CONFIG_SWAP
  'swap_ra', 'swap_ra_hit',
];

export const NR_VM_ZONE_STAT_ITEMS = ZONE_STAT_ITEMS.length;
export const NR_VM_NODE_STAT_ITEMS = NODE_STAT_ITEMS.length;
export const NR_VM_EVENT_ITEMS = VM_EVENT_ITEMS.length;

const eventIndex = (name: string): number => {
  const i = VM_EVENT_ITEMS.indexOf(name);
  if (i < 0) throw new Error(`no vm event ${name}`);
  return i;
};

/*
 * The events the model counts. Every other event stays 0 because the
 * model has no code that would count it: no page cache, swap, LRU lists,
 * reclaim or compaction (pgpgin..pswpout, pgactivate.., pgsteal/pgscan..,
 * compact_*, unevictable_*), no THP, hugetlbfs or balloon, and no user
 * page faults in the page allocator's care (pgfault, pgmajfault, pgreuse
 * belong to the fault path).
 */
/** PGALLOC_DMA; zone z's is PGALLOC_DMA + z (__count_zid_vm_events). */
export const PGALLOC_DMA = eventIndex('pgalloc_dma');
export const PGFREE = eventIndex('pgfree');
/** balance_pgdat's count_vm_event(PAGEOUTRUN): one per kswapd run. */
export const PAGEOUTRUN = eventIndex('pageoutrun');
