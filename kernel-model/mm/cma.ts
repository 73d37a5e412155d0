// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Contiguous Memory Allocator (mm/cma.c, Linux 5.10).
 *
 * A CMA area is memory set aside at boot (memblock-reserved: by a
 * /reserved-memory shared-dma-pool node, the cma= parameter or the
 * kernel's default size) that the page allocator may still lend to
 * movable allocations, and that cma_alloc can take back whole:
 *
 *   boot      cma_init_reserved_mem / cma_declare_contiguous: a struct
 *             cma (base_pfn, count, order_per_bit), totalcma_pages. The
 *             area must be aligned to max(MAX_ORDER-1, pageblock_order)
 *             pages, so that no buddy block straddles its edge.
 *   activate  cma_init_reserved_areas (a core_initcall: after mem_init's
 *             "Memory:" line, before init_per_zone_wmark_min, a
 *             postcore_initcall since "mm: include CMA pages in
 *             lowmem_reserve at boot"): every pageblock of the area
 *             becomes MIGRATE_CMA and is freed to the buddy lists
 *             (init_cma_reserved_pageblock), managed_pages grows; an area
 *             that spans two zones cannot be activated ("CMA area %s
 *             could not be activated").
 *   alloc     cma_alloc(count, align): the first clear stretch of the
 *             area's bitmap at the alignment, then alloc_contig_range on
 *             it (page_alloc/contig.ts); a busy range is released and the
 *             search goes on past it; when nothing works: NULL, and unless
 *             no_warn "cma_alloc: alloc failed, req-size: N pages, ret: E"
 *             with the area's free stretches.
 *   release   cma_release: free_contig_range and clear the bitmap; false
 *             for pages outside the area.
 *
 * Counters: alloc_pages_success / alloc_pages_fail per area count pages,
 * as /sys/kernel/mm/cma/<name>/ does since 5.13 (5.10 has only the trace
 * points); the model keeps them from the start.
 */

import { PAGE_SIZE } from '../arch/arm64/page-def';
import type { Memblock } from './memblock';
import { fmtPa } from './memblock';
import type { Printk } from '../printk';
import type { PageAllocator } from './page_alloc';
import { PGFREE } from './vmstat_items';
import { __free_pages_range } from './page_alloc/buddy';
import { MIGRATE_CMA } from './page_alloc/mmzone';
import { alloc_contig_range, free_contig_range } from './page_alloc/contig';

/** MAX_CMA_AREAS = 1 + CONFIG_CMA_AREAS (7, the default the Pi kernels keep). */
export const MAX_CMA_AREAS = 8;
const SZ_1M = 0x10_0000;
const SZ_4G = 2 ** 32;
export const EINVAL = 22;
export const ENOMEM = 12;
export const EBUSY = 16;
export const ENOSPC = 28;

export class Cma {
  bitmap: Uint8Array | null = null;
  /** Pages handed out and pages refused, as /sys/kernel/mm/cma/<name>/alloc_pages_{success,fail}. */
  alloc_pages_success = 0;
  alloc_pages_fail = 0;

  constructor(
    readonly name: string,
    readonly base_pfn: number,
    public count: number,
    readonly order_per_bit: number,
  ) {}

  /** cma_bitmap_maxno */
  maxno(): number {
    return this.count >> this.order_per_bit;
  }

  private bit(i: number): boolean {
    return (this.bitmap![i >> 3]! & (1 << (i & 7))) !== 0;
  }

  private setBits(from: number, n: number, v: boolean): void {
    for (let i = from; i < from + n; i++) {
      if (v) this.bitmap![i >> 3] |= 1 << (i & 7);
      else this.bitmap![i >> 3] &= ~(1 << (i & 7));
    }
  }

  /** bitmap_find_next_zero_area_off */
  findZeroArea(start: number, nr: number, mask: number, offset: number): number {
    const size = this.maxno();
    for (let index = start; ; ) {
      index = Math.ceil((index + offset) / (mask + 1)) * (mask + 1) - offset;
      while (index < size && this.bit(index)) index = Math.ceil((index + 1 + offset) / (mask + 1)) * (mask + 1) - offset;
      const end = index + nr;
      if (end > size) return size + 1;
      let busy = -1;
      for (let i = index; i < end; i++) if (this.bit(i)) busy = i;
      if (busy < 0) return index;
      index = busy + 1;
    }
  }

  set(pfn: number, count: number, v: boolean): void {
    const from = (pfn - this.base_pfn) >> this.order_per_bit;
    this.setBits(from, Math.ceil(count / (1 << this.order_per_bit)), v);
  }

  /** cma_debug_show_areas: "number of available pages: a@b+c@d=> N free of M total pages". */
  showAreas(): string {
    const nbits = this.maxno();
    let out = 'number of available pages: ';
    let total = 0;
    for (let i = 0; i < nbits; ) {
      if (this.bit(i)) {
        i++;
        continue;
      }
      let j = i;
      while (j < nbits && !this.bit(j)) j++;
      const part = (j - i) << this.order_per_bit;
      out += `${total ? '+' : ''}${part}@${i}`;
      total += part;
      i = j;
    }
    return `${out}=> ${total} free of ${this.count} total pages`;
  }

  /** Pages of the area not handed out by cma_alloc. */
  freePages(): number {
    let n = 0;
    for (let i = 0; i < this.maxno(); i++) if (!this.bit(i)) n++;
    return n << this.order_per_bit;
  }
}

/** The CMA areas and totalcma_pages: the state mm/cma.c keeps in statics. */
export class CmaAreas {
  readonly areas: Cma[] = [];
  totalcma_pages = 0;

  constructor(
    private readonly printk: Printk,
    /** MAX_ORDER (exclusive) and pageblock_order: the area's alignment. */
    private readonly maxOrder: number,
    private readonly pageblockOrder: number,
  ) {}

  /** PAGE_SIZE << max(MAX_ORDER - 1, pageblock_order) */
  get alignment(): number {
    return PAGE_SIZE * 2 ** Math.max(this.maxOrder - 1, this.pageblockOrder);
  }

  /** cma_init_reserved_mem: an area over memory memblock already reserved. */
  cma_init_reserved_mem(memblock: Memblock, base: number, size: number, orderPerBit: number, name: string): Cma | number {
    if (this.areas.length === MAX_CMA_AREAS) {
      this.printk('cma: Not enough slots for CMA reserved regions!');
      return -ENOSPC;
    }
    if (!size || !memblock.memblock_is_region_reserved(base, size)) return -EINVAL;
    const align = this.alignment;
    if ((align / PAGE_SIZE) % 2 ** orderPerBit !== 0) return -EINVAL;
    if (base % align !== 0 || size % align !== 0) return -EINVAL;
    const cma = new Cma(name || `cma${this.areas.length}`, Math.floor(base / PAGE_SIZE), size / PAGE_SIZE, orderPerBit);
    this.areas.push(cma);
    this.totalcma_pages += size / PAGE_SIZE;
    return cma;
  }

  /**
   * cma_declare_contiguous_nid: reserve and declare an area of `size`
   * (fixed at `base`, or anywhere below `limit`, top-down), with 5.10's
   * messages: "cma: Reserved N MiB at 0x...", or "cma: Failed to reserve
   * N MiB" after the reason.
   */
  cma_declare_contiguous(memblock: Memblock, base: number, size: number, limit: number, alignment: number, orderPerBit: number, fixed: boolean, name: string): Cma | number {
    const memblockEnd = memblock.memblock_end_of_DRAM();
    if (this.areas.length === MAX_CMA_AREAS) {
      this.printk('cma: Not enough slots for CMA reserved regions!');
      return -ENOSPC;
    }
    if (!size) return -EINVAL;
    if (alignment && 2 ** Math.round(Math.log2(alignment)) !== alignment) return -EINVAL;
    alignment = Math.max(alignment, this.alignment);
    const fail = (ret: number): number => {
      this.printk(`cma: Failed to reserve ${Math.floor(size / SZ_1M)} MiB`);
      return ret;
    };
    if (fixed && base % alignment !== 0) {
      this.printk(`cma: Region at ${fmtPa(base)} must be aligned to ${fmtPa(alignment)} bytes`);
      return fail(-EINVAL);
    }
    base = Math.ceil(base / alignment) * alignment;
    size = Math.ceil(size / alignment) * alignment;
    limit = limit - (limit % alignment);
    if (!base) fixed = false;
    if (limit === 0 || limit > memblockEnd) limit = memblockEnd;
    if (base + size > limit) {
      this.printk(`cma: Size (${fmtPa(size)}) of region at ${fmtPa(base)} exceeds limit (${fmtPa(limit)})`);
      return fail(-EINVAL);
    }
    if (fixed) {
      if (memblock.memblock_is_region_reserved(base, size)) return fail(-EBUSY);
      memblock.memblock_reserve(base, size);
    } else {
      let addr = 0;
      // "try a bottom-up allocation first" above 4 GiB when there is that much memory (not below `limit` here: 1 GiB).
      if (memblockEnd >= SZ_4G + size && limit > SZ_4G) addr = bottomUp(memblock, size, alignment, SZ_4G, limit);
      if (!addr) addr = memblock.memblock_phys_alloc_range(size, alignment, base, limit);
      if (!addr) return fail(-ENOMEM);
      base = addr;
    }
    const cma = this.cma_init_reserved_mem(memblock, base, size, orderPerBit, name);
    if (typeof cma === 'number') {
      memblock.memblock_phys_free(base, size);
      return fail(cma);
    }
    this.printk(`cma: Reserved ${Math.floor(size / SZ_1M)} MiB at ${fmtPa(base)}`);
    return cma;
  }

  /**
   * cma_init_reserved_areas: each area's pageblocks become MIGRATE_CMA
   * and go to the buddy allocator (init_cma_reserved_pageblock); the zone
   * gains them as managed (and cma) pages.
   */
  cma_init_reserved_areas(pgalloc: PageAllocator): void {
    for (const cma of this.areas) this.activate(pgalloc, cma);
  }

  private activate(pgalloc: PageAllocator, cma: Cma): void {
    const mem_map = pgalloc.mem_map;
    const pb = 1 << pgalloc.pageblockOrder;
    cma.bitmap = new Uint8Array(Math.ceil(cma.maxno() / 8));
    const first = cma.base_pfn;
    const zone = mem_map.pfn_valid(first) ? pgalloc.page_zone(first) : undefined;
    if (!zone) {
      cma.count = 0;
      this.printk(`cma: CMA area ${cma.name} could not be activated`);
      return;
    }
    for (let pfn = first; pfn < first + cma.count; pfn += pb) {
      for (let p = pfn; p < pfn + pb; p++) {
        if (!mem_map.pfn_valid(p) || pgalloc.page_zone(p) !== zone) {
          cma.bitmap = null;
          cma.count = 0;
          this.printk(`cma: CMA area ${cma.name} could not be activated`);
          return;
        }
      }
      mem_map.free_pages_core_prepare(pfn, pfn + pb); // init_cma_reserved_pageblock
      mem_map.set_pageblock_migratetype(pfn, MIGRATE_CMA);
      pgalloc.count_vm_events(PGFREE, pb);
      __free_pages_range(pgalloc, zone, pfn, pfn + pb, false, MIGRATE_CMA);
      zone.managed_pages += pb; // adjust_managed_page_count
      zone.cma_pages += pb;
    }
  }

  /**
   * cma_alloc: `count` contiguous pages of the area at a 2^align page
   * alignment, or null.
   */
  cma_alloc(pgalloc: PageAllocator, cma: Cma, count: number, align: number, noWarn = false): number | null {
    if (!cma.count || !cma.bitmap) return null;
    // Beyond the area, or nothing asked: NULL, counted as a failure (5.13's accounting at "out:").
    const refuse = (): null => {
      if (Number.isSafeInteger(count) && count > 0) cma.alloc_pages_fail += count;
      return null;
    };
    if (!Number.isInteger(count) || count <= 0 || !Number.isInteger(align) || align < 0 || align > 30) return refuse();
    const mask = align <= cma.order_per_bit ? 0 : 2 ** (align - cma.order_per_bit) - 1;
    const offset = (cma.base_pfn % 2 ** align) >> cma.order_per_bit;
    const maxno = cma.maxno();
    const bitmapCount = Math.ceil(count / 2 ** cma.order_per_bit);
    if (bitmapCount > maxno) return refuse();
    let ret = -ENOMEM;
    let page: number | null = null;
    for (let start = 0; ; ) {
      const no = cma.findZeroArea(start, bitmapCount, mask, offset);
      if (no >= maxno) break;
      const pfn = cma.base_pfn + (no << cma.order_per_bit);
      cma.set(pfn, count, true);
      ret = alloc_contig_range(pgalloc, pfn, pfn + count, MIGRATE_CMA);
      if (ret === 0) {
        page = pfn;
        break;
      }
      cma.set(pfn, count, false);
      if (ret !== -EBUSY) break;
      start = no + mask + 1; // "try again with a bit different memory target"
    }
    if (page !== null) cma.alloc_pages_success += count;
    else {
      cma.alloc_pages_fail += count;
      if (!noWarn) {
        this.printk(`cma: cma_alloc: alloc failed, req-size: ${count} pages, ret: ${ret}`);
        this.printk(`cma: ${cma.showAreas()}`);
      }
    }
    return page;
  }

  /** cma_release: give back what cma_alloc returned; false when the pages are not the area's. */
  cma_release(pgalloc: PageAllocator, cma: Cma, pfn: number, count: number): boolean {
    if (!cma.bitmap || !Number.isInteger(pfn) || pfn < cma.base_pfn || pfn >= cma.base_pfn + cma.count) return false;
    if (!Number.isInteger(count) || count <= 0 || pfn + count > cma.base_pfn + cma.count) return false; // VM_BUG_ON in Linux
    free_contig_range(pgalloc, pfn, count);
    cma.set(pfn, count, false);
    return true;
  }

  /** /proc/meminfo's CmaFree: free pages on the CMA lists (NR_FREE_CMA_PAGES). */
  nr_free_cma_pages(pgalloc: PageAllocator): number {
    return pgalloc.zones.reduce((s, z) => s + z.nr_free_cma_pages, 0);
  }
}

/** memblock_set_bottom_up around memblock_alloc_range_nid: the lowest fit in [start, end). */
function bottomUp(memblock: Memblock, size: number, align: number, start: number, end: number): number {
  for (const r of memblock.freeRanges()) {
    const s = Math.ceil(Math.max(r.start, start) / align) * align;
    if (s + size <= Math.min(r.end, end)) {
      memblock.memblock_reserve(s, size);
      return s;
    }
  }
  return 0;
}
