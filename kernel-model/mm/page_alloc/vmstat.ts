// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page allocator's /proc files, character for character as Linux 5.10
 * prints them (mm/vmstat.c frag_show_print, pagetypeinfo_showfree_print,
 * pagetypeinfo_showblockcount_print; fs/proc/meminfo.c).
 *
 * /proc/buddyinfo      "Node %d, zone %8s " then "%6lu " per order
 * /proc/pagetypeinfo   "Page block order: %d" / "Pages per block:  %lu" /
 *                      free blocks per zone, type and order (list walks
 *                      capped at 100000, printed ">100000" then), and
 *                      pageblocks per type
 * /proc/meminfo        "%-16s%8lu kB" lines (show_val_kb), the fields
 *                      that apply to this kernel; counters owned by other
 *                      subsystems (slab, vmalloc, percpu, page tables,
 *                      kernel stacks, CMA) come in through MeminfoExtra
 *
 * MemAvailable is si_mem_available(): free pages minus totalreserve_pages,
 * plus the reclaimable part of the page cache (none here) and of
 * reclaimable slab (each minus min(half, the sum of low watermarks)),
 * never negative. Buffers, Cached, the LRU lists and swap are 0: this
 * kernel has no page cache and no swap.
 */

import { free_list_index, migratetype_names, MIGRATE_TYPES, WMARK_LOW } from './mmzone';
import { W_LRU_NEXT, NIL } from './mm_types';
import type { PageAllocator } from './page_alloc';

/** Cap on list walks in pagetypeinfo (mm/vmstat.c, 2019). */
const FREECOUNT_CAP = 100000;

const pad = (v: number | string, n: number): string => String(v).padStart(n);

/** /proc/buddyinfo */
export function buddyinfo(pgalloc: PageAllocator): string {
  let out = '';
  for (const zone of pgalloc.zones) {
    if (!zone.populated_zone()) continue;
    out += `Node 0, zone ${pad(zone.name, 8)} `;
    for (let order = 0; order < pgalloc.maxOrder; order++) out += `${pad(zone.nrFree[order]!, 6)} `;
    out += '\n';
  }
  return out;
}

/** Length of one free list, capped like pagetypeinfo_showfree_print. */
function freecount(pgalloc: PageAllocator, head: number): { n: number; overflow: boolean } {
  const mem_map = pgalloc.mem_map;
  let n = 0;
  for (let pfn = head; pfn !== NIL; pfn = mem_map.w[mem_map.idx(pfn) + W_LRU_NEXT]!) {
    if (++n >= FREECOUNT_CAP) return { n, overflow: true };
  }
  return { n, overflow: false };
}

/** Pageblocks per migratetype in a zone (pagetypeinfo_showblockcount_print). */
export function pageblock_counts(pgalloc: PageAllocator, zoneIdx: number): number[] {
  const zone = pgalloc.zones[zoneIdx]!;
  const mem_map = pgalloc.mem_map;
  const counts = new Array<number>(MIGRATE_TYPES).fill(0);
  const step = 1 << pgalloc.pageblockOrder;
  for (let pfn = zone.zone_start_pfn; pfn < zone.zone_end_pfn(); pfn += step) {
    if (!mem_map.pfn_valid(pfn)) continue;
    if (mem_map.page_zonenum(pfn) !== zoneIdx) continue; // page_zone(page) != zone
    const mt = mem_map.get_pageblock_migratetype(pfn);
    if (mt < MIGRATE_TYPES) counts[mt]++;
  }
  return counts;
}

/** /proc/pagetypeinfo */
export function pagetypeinfo(pgalloc: PageAllocator): string {
  let out = `Page block order: ${pgalloc.pageblockOrder}\n`;
  out += `Pages per block:  ${1 << pgalloc.pageblockOrder}\n`;
  out += '\n';
  out += `${'Free pages count per migrate type at order'.padEnd(43)} `;
  for (let order = 0; order < pgalloc.maxOrder; order++) out += `${pad(order, 6)} `;
  out += '\n';
  const populated = pgalloc.zones.filter((z) => z.populated_zone());
  for (const zone of populated) {
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      out += `Node ${pad(0, 4)}, zone ${pad(zone.name, 8)}, type ${pad(migratetype_names[mt]!, 12)} `;
      for (let order = 0; order < pgalloc.maxOrder; order++) {
        const { n, overflow } = freecount(pgalloc, zone.freeHead[free_list_index(order, mt)]!);
        out += `${overflow ? '>' : ''}${pad(n, 6)} `;
      }
      out += '\n';
    }
  }
  out += `\n${'Number of blocks type '.padEnd(23)}`;
  for (let mt = 0; mt < MIGRATE_TYPES; mt++) out += `${pad(migratetype_names[mt]!, 12)} `;
  out += '\n';
  for (const zone of populated) {
    out += `Node 0, zone ${pad(zone.name, 8)} `;
    for (const c of pageblock_counts(pgalloc, zone.idx)) out += `${pad(c, 12)} `;
    out += '\n';
  }
  return out;
}

/** Counters /proc/meminfo shows that belong to other subsystems; all default to 0. */
export interface MeminfoExtra {
  /** NR_SLAB_RECLAIMABLE_B, in pages */
  slabReclaimablePages?: number;
  /** NR_SLAB_UNRECLAIMABLE_B, in pages */
  slabUnreclaimablePages?: number;
  /** NR_KERNEL_MISC_RECLAIMABLE, in pages */
  kernelMiscReclaimablePages?: number;
  /** NR_KERNEL_STACK_KB */
  kernelStackKb?: number;
  /** NR_PAGETABLE, in pages */
  pageTablesPages?: number;
  /** vm_committed_as, in pages */
  committedAsPages?: number;
  /** VMALLOC_TOTAL >> 10 */
  vmallocTotalKb?: number;
  /** vmalloc_nr_pages() */
  vmallocUsedPages?: number;
  /** pcpu_nr_pages() */
  percpuPages?: number;
  /** totalcma_pages and NR_FREE_CMA_PAGES */
  cmaTotalPages?: number;
  cmaFreePages?: number;
}

/** si_mem_available() (mm/page_alloc.c, 5.10), in pages. */
export function si_mem_available(pgalloc: PageAllocator, extra: MeminfoExtra = {}): number {
  let wmarkLow = 0;
  for (const zone of pgalloc.zones) wmarkLow += zone.watermark[WMARK_LOW]!;
  let available = pgalloc.nr_free_pages() - pgalloc.totalreserve_pages;
  const pagecache = 0; // no file LRU pages in this kernel
  available += pagecache - Math.min(Math.floor(pagecache / 2), wmarkLow);
  const reclaimable = (extra.slabReclaimablePages ?? 0) + (extra.kernelMiscReclaimablePages ?? 0);
  available += reclaimable - Math.min(Math.floor(reclaimable / 2), wmarkLow);
  return Math.max(0, available);
}

/** vm_commit_limit(): (totalram - hugetlb) * overcommit_ratio (50) / 100 + swap. */
export function vm_commit_limit(pgalloc: PageAllocator): number {
  return Math.floor((pgalloc.totalram_pages() * 50) / 100);
}

/** /proc/meminfo */
export function meminfo(pgalloc: PageAllocator, extra: MeminfoExtra = {}): string {
  const lines: string[] = [];
  const kb = (label: string, pages: number): void => {
    lines.push(`${label.padEnd(16)}${pad(pages * 4, 8)} kB`); // show_val_kb
  };
  const kbRaw = (label: string, kbytes: number): void => {
    lines.push(`${label.padEnd(16)}${pad(kbytes, 8)} kB`);
  };
  const sreclaimable = extra.slabReclaimablePages ?? 0;
  const sunreclaim = extra.slabUnreclaimablePages ?? 0;
  kb('MemTotal:', pgalloc.totalram_pages());
  kb('MemFree:', pgalloc.nr_free_pages());
  kb('MemAvailable:', si_mem_available(pgalloc, extra));
  kb('Buffers:', 0);
  kb('Cached:', 0);
  kb('SwapCached:', 0);
  kb('Active:', 0);
  kb('Inactive:', 0);
  kb('Active(anon):', 0);
  kb('Inactive(anon):', 0);
  kb('Active(file):', 0);
  kb('Inactive(file):', 0);
  kb('Unevictable:', 0);
  kb('Mlocked:', 0);
  kb('SwapTotal:', 0);
  kb('SwapFree:', 0);
  kb('Dirty:', 0);
  kb('Writeback:', 0);
  kb('AnonPages:', 0);
  kb('Mapped:', 0);
  kb('Shmem:', 0);
  kb('KReclaimable:', sreclaimable + (extra.kernelMiscReclaimablePages ?? 0));
  kb('Slab:', sreclaimable + sunreclaim);
  kb('SReclaimable:', sreclaimable);
  kb('SUnreclaim:', sunreclaim);
  kbRaw('KernelStack:', extra.kernelStackKb ?? 0);
  kb('PageTables:', extra.pageTablesPages ?? 0);
  kb('NFS_Unstable:', 0);
  kb('Bounce:', 0);
  kb('WritebackTmp:', 0);
  kb('CommitLimit:', vm_commit_limit(pgalloc));
  kb('Committed_AS:', extra.committedAsPages ?? 0);
  kbRaw('VmallocTotal:', extra.vmallocTotalKb ?? 0);
  kb('VmallocUsed:', extra.vmallocUsedPages ?? 0);
  kb('VmallocChunk:', 0);
  kb('Percpu:', extra.percpuPages ?? 0);
  kb('CmaTotal:', extra.cmaTotalPages ?? 0);
  kb('CmaFree:', extra.cmaFreePages ?? 0);
  return lines.join('\n') + '\n';
}
