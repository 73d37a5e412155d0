import { describe, expect, it } from 'vitest';
import {
  buddyinfo,
  GFP_KERNEL,
  meminfo,
  pagetypeinfo,
  si_mem_available,
  type PageAllocator,
} from '../../../../kernel-model/mm/page_alloc';
import { MIGRATE_TYPES, migratetype_names } from '../../../../kernel-model/mm/page_alloc/mmzone';
import { pageblock_counts } from '../../../../kernel-model/mm/page_alloc/vmstat';
import { bootSmall } from '../helpers';

/**
 * printf for the conversions mm/vmstat.c and fs/proc/meminfo.c use
 * (%d %lu %s with an optional '-' and width), so that expected text is
 * written with Linux's own format strings.
 */
function sprintf(fmt: string, ...args: (number | string)[]): string {
  let i = 0;
  return fmt.replace(/%(-?)(\d*)(l?[dus])/g, (_m, left: string, width: string) => {
    const v = String(args[i++]);
    const w = Number(width || 0);
    return left ? v.padEnd(w) : v.padStart(w);
  });
}

function zonesOf(pgalloc: PageAllocator) {
  return pgalloc.zones.filter((z) => z.populated_zone());
}

describe('/proc/buddyinfo', () => {
  it('prints frag_show_print lines for each populated zone', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 128 });
    pgalloc.alloc_pages(GFP_KERNEL, 3);
    let expected = '';
    for (const z of zonesOf(pgalloc)) {
      expected += sprintf('Node %d, zone %8s ', 0, z.name);
      for (let o = 0; o < pgalloc.maxOrder; o++) expected += sprintf('%6lu ', z.nrFree[o]!);
      expected += '\n';
    }
    expect(buddyinfo(pgalloc)).toBe(expected);
    expect(buddyinfo(pgalloc).split('\n')[0]).toMatch(/^Node 0, zone      DMA( +\d+ ){11}$/);
  });
});

describe('/proc/pagetypeinfo', () => {
  it('has the header, the free counts per type and the pageblock counts in vmstat.c format', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 128 });
    pgalloc.alloc_pages(GFP_KERNEL, 0);
    const text = pagetypeinfo(pgalloc);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Page block order: 9');
    expect(lines[1]).toBe('Pages per block:  512');
    expect(lines[2]).toBe('');
    // The example from a linux-mm post, 11 orders (reference/seed-anchors.md §5), with seq_printf's trailing space.
    expect(lines[3]).toBe('Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 ');
    let row = 4;
    for (const z of zonesOf(pgalloc)) {
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
        let expected = sprintf('Node %4d, zone %8s, type %12s ', 0, z.name, migratetype_names[mt]!);
        for (let o = 0; o < pgalloc.maxOrder; o++) {
          let n = 0;
          for (let p = z.freeHead[o * MIGRATE_TYPES + mt]!; p !== -1; p = pgalloc.mem_map.lru_next(p)) n++;
          expected += sprintf('%s%6lu ', '', n);
        }
        expect(lines[row++]).toBe(expected);
      }
    }
    expect(lines[row++]).toBe('');
    expect(lines[row++]).toBe(sprintf('%-23s', 'Number of blocks type ') + migratetype_names.map((n) => sprintf('%12s ', n)).join(''));
    expect(lines[row - 1]).toBe('Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic          CMA      Isolate ');
    for (const z of zonesOf(pgalloc)) {
      const counts = pageblock_counts(pgalloc, z.idx);
      expect(lines[row++]).toBe(sprintf('Node %d, zone %8s ', 0, z.name) + counts.map((c) => sprintf('%12lu ', c)).join(''));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(Math.ceil(z.spanned_pages / 512));
    }
    expect(lines[row]).toBe('');
    expect(row).toBe(lines.length - 1);
  });

  it('shows the stolen pageblock as Unmovable after a GFP_KERNEL allocation', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 128 });
    const before = pageblock_counts(pgalloc, 2);
    pgalloc.alloc_pages(GFP_KERNEL, 0);
    const after = pageblock_counts(pgalloc, 2);
    expect(after[0]).toBeGreaterThan(before[0]!);
    expect(after[0]! + after[1]!).toBe(before[0]! + before[1]!);
  });

  it('prints "Page block order: 5" with max_order=6', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 64, maxOrder: 6 });
    expect(pagetypeinfo(pgalloc).split('\n').slice(0, 4)).toEqual([
      'Page block order: 5',
      'Pages per block:  32',
      '',
      'Free pages count per migrate type at order       0      1      2      3      4      5 ',
    ]);
  });
});

describe('/proc/meminfo', () => {
  it('prints show_val_kb lines: "%-16s%8lu kB"', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 128 });
    pgalloc.alloc_pages(GFP_KERNEL, 4);
    const text = meminfo(pgalloc, { slabUnreclaimablePages: 10, kernelStackKb: 48, percpuPages: 8 });
    const lines = text.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(/^[A-Za-z_()]+:\s*\d+ kB$/);
    for (const l of lines) expect(l.length).toBe(16 + 8 + 3);
    const val = (k: string): number => Number(lines.find((l) => l.startsWith(k + ':'))!.slice(16, 24));
    expect(lines[0]).toBe(sprintf('MemTotal:       %8lu kB', pgalloc.totalram_pages() * 4));
    expect(val('MemFree')).toBe(pgalloc.nr_free_pages() * 4);
    expect(val('MemAvailable')).toBe(si_mem_available(pgalloc) * 4);
    expect(val('MemAvailable')).toBe((pgalloc.nr_free_pages() - pgalloc.totalreserve_pages) * 4);
    expect(val('Buffers')).toBe(0);
    expect(val('Cached')).toBe(0);
    expect(val('Slab')).toBe(40);
    expect(val('SUnreclaim')).toBe(40);
    expect(val('KernelStack')).toBe(48);
    expect(val('Percpu')).toBe(32);
    expect(val('CommitLimit')).toBe(Math.floor((pgalloc.totalram_pages() * 50) / 100) * 4);
    expect(lines.map((l) => l.split(':')[0])).toEqual([
      'MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SwapCached', 'Active', 'Inactive',
      'Active(anon)', 'Inactive(anon)', 'Active(file)', 'Inactive(file)', 'Unevictable', 'Mlocked',
      'SwapTotal', 'SwapFree', 'Dirty', 'Writeback', 'AnonPages', 'Mapped', 'Shmem', 'KReclaimable',
      'Slab', 'SReclaimable', 'SUnreclaim', 'KernelStack', 'PageTables', 'NFS_Unstable', 'Bounce',
      'WritebackTmp', 'CommitLimit', 'Committed_AS', 'VmallocTotal', 'VmallocUsed', 'VmallocChunk',
      'Percpu', 'CmaTotal', 'CmaFree',
    ]);
  });

  it('MemFree excludes pages on the per-CPU lists, as in Linux', () => {
    const { pgalloc: pgalloc } = bootSmall({ ramMiB: 128 });
    const p = pgalloc.alloc_pages(GFP_KERNEL, 0)!;
    pgalloc.__free_pages(p, 0);
    expect(pgalloc.nr_pcp_pages()).toBeGreaterThan(0);
    expect(pgalloc.nr_free_pages() + pgalloc.nr_pcp_pages()).toBe(pgalloc.totalram_pages());
  });
});
