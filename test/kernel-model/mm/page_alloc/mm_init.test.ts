import { describe, expect, it } from 'vitest';
import {
  arm64_max_zone_pfns,
  BCM2711_ZONE_LIMITS,
  calc_memmap_size,
  compute_zone_layout,
  free_area_init_core_log,
  zone_ranges_log,
  ZONE_DMA,
  ZONE_DMA32,
  ZONE_NORMAL,
  check_page_allocator,
} from '../../../../kernel-model/mm/page_alloc';
import { Memblock } from '../../../../kernel-model/mm/memblock';
import { GuestRam } from '../../../../emulator/memory/guest-ram';
import { mm_init_buddy } from '../../../../kernel-model/mm/page_alloc';
import { bootSmall, CM4_4G_ZONE_LINES, MiB } from '../helpers';

const GiB = 2 ** 30;

/** The CM4 memory nodes the firmware writes (reference/uconsole-hw.md §2.3). */
const CM4_MEMORY: Record<string, [number, number][]> = {
  '1GB': [[0, 0x3b400000]],
  '2GB': [[0, 0x3b400000], [0x40000000, 0x40000000]],
  '4GB': [[0, 0x3b400000], [0x40000000, 0xbc000000]],
  '8GB': [[0, 0x3b400000], [0x40000000, 0xbc000000], [4 * GiB, 0x80000000], [4 * GiB + 0x80000000, 0x80000000]],
};

function layoutFor(size: string) {
  const mb = new Memblock();
  for (const [b, s] of CM4_MEMORY[size]!) mb.memblock_add(b, s);
  const maxZonePfn = arm64_max_zone_pfns(mb.memblock_start_of_DRAM(), mb.memblock_end_of_DRAM(), BCM2711_ZONE_LIMITS);
  return compute_zone_layout(mb.memPfnRanges(), maxZonePfn);
}

describe('zone ranges of the real CM4 layouts (no RAM allocated)', () => {
  it('4 GB: DMA is the first GiB, DMA32 the rest below the peripherals, Normal empty', () => {
    const layout = layoutFor('4GB');
    expect(zone_ranges_log(layout)).toEqual(CM4_4G_ZONE_LINES);
    const core = free_area_init_core_log(layout);
    // DMA: spanned 262144, present 242688 = 0x3b400; holes > 1/16 so memmap counts present pages.
    expect(core.lines).toEqual([
      'On node 0 totalpages: 1012736',
      '  DMA zone: 3792 pages used for memmap',
      '  DMA zone: 0 pages reserved',
      '  DMA zone: 242688 pages, LIFO batch:63',
      '  DMA32 zone: 12032 pages used for memmap',
      '  DMA32 zone: 770048 pages, LIFO batch:63',
    ]);
    // "Built 1 zonelists, ... Total pages:" is the sum of these estimates.
    expect(core.freesize.reduce((a, b) => a + b, 0)).toBe(996912);
    // 1012736 pages = 4050944K, the physpages of "Memory: ...K/4050944K available".
    expect(layout.zones.reduce((s, z) => s + z.present, 0) * 4).toBe(4050944);
  });

  it('1 GB: everything in DMA, which ends with DRAM', () => {
    expect(zone_ranges_log(layoutFor('1GB')).slice(0, 4)).toEqual([
      'Zone ranges:',
      '  DMA      [mem 0x0000000000000000-0x000000003b3fffff]',
      '  DMA32    empty',
      '  Normal   empty',
    ]);
  });

  it('2 GB: DMA32 ends at 2 GiB', () => {
    const layout = layoutFor('2GB');
    expect(zone_ranges_log(layout).slice(1, 4)).toEqual([
      '  DMA      [mem 0x0000000000000000-0x000000003fffffff]',
      '  DMA32    [mem 0x0000000040000000-0x000000007fffffff]',
      '  Normal   empty',
    ]);
    expect(layout.zones[ZONE_DMA32]).toEqual({ startPfn: 0x40000, spanned: 0x40000, present: 0x40000 });
  });

  it('8 GB: DMA32 spans the peripheral hole up to 4 GiB, Normal holds the upper 4 GiB', () => {
    const layout = layoutFor('8GB');
    expect(zone_ranges_log(layout)).toEqual([
      'Zone ranges:',
      '  DMA      [mem 0x0000000000000000-0x000000003fffffff]',
      '  DMA32    [mem 0x0000000040000000-0x00000000ffffffff]',
      '  Normal   [mem 0x0000000100000000-0x00000001ffffffff]',
      'Movable zone start for each node',
      'Early memory node ranges',
      '  node   0: [mem 0x0000000000000000-0x000000003b3fffff]',
      '  node   0: [mem 0x0000000040000000-0x00000000fbffffff]',
      '  node   0: [mem 0x0000000100000000-0x00000001ffffffff]',
      'Initmem setup node 0 [mem 0x0000000000000000-0x00000001ffffffff]',
    ]);
    expect(layout.zones[ZONE_DMA32]).toEqual({ startPfn: 0x40000, spanned: 0xc0000, present: 0xbc000 });
    expect(layout.zones[ZONE_NORMAL]).toEqual({ startPfn: 0x100000, spanned: 0x100000, present: 0x100000 });
  });

  it('a board whose RAM starts at 1 GiB gets ZONE_DMA from its start (max_zone_phys offset)', () => {
    const pfns = arm64_max_zone_pfns(0x40000000, 0xc0000000, { dmaBits: 30, dma32Bits: 32 });
    expect(pfns.slice(0, 3)).toEqual([0x80000, 0xc0000, 0xc0000]);
  });

  it('calc_memmap_size uses present pages only when holes exceed 1/16', () => {
    expect(calc_memmap_size(262144, 242688)).toBe(3792);
    expect(calc_memmap_size(262144, 260000)).toBe(4096);
    expect(calc_memmap_size(0, 0)).toBe(0);
  });
});

describe('boot on a small board', () => {
  const { pgalloc: pgalloc, log, memblock } = bootSmall({ ramMiB: 128 });

  it('prints the zone lines, the zonelist line and the Memory line in Linux order', () => {
    const built = log.findIndex((l) => l.startsWith('Built 1 zonelists'));
    const memory = log.findIndex((l) => l.startsWith('Memory: '));
    expect(log[0]).toBe('Zone ranges:');
    expect(log).toContain('Initmem setup node 0 [mem 0x0000000000000000-0x0000000007ffffff]');
    expect(built).toBeGreaterThan(log.indexOf('On node 0 totalpages: 32768'));
    expect(memory).toBe(built + 1);
  });

  it('Total pages is the sum of present minus memmap pages', () => {
    // DMA 8192 - 128, DMA32 8192 - 128, Normal 16384 - 256
    expect(log).toContain('Built 1 zonelists, mobility grouping on.  Total pages: 32256');
  });

  it('Memory: free/physpages and reserved agree with memblock', () => {
    const reservedPages = 32768 - pgalloc.totalram_pages();
    const reservedBytes = memblock.reserved.regions.reduce((s, r) => s + Math.ceil((r.base + r.size) / 4096) - Math.floor(r.base / 4096), 0) * 4096;
    expect(reservedPages * 4096).toBe(reservedBytes);
    expect(log).toContain(
      `Memory: ${pgalloc.nr_free_pages() * 4}K/131072K available (0K kernel code, 0K rwdata, 0K rodata, 0K init, 0K bss, ${reservedPages * 4}K reserved, 0K cma-reserved)`,
    );
    expect(pgalloc.nr_free_pages()).toBe(pgalloc.totalram_pages());
  });

  it('puts every page frame in the zone its PFN belongs to', () => {
    for (let pfn = pgalloc.mem_map.basePfn; pfn < pgalloc.mem_map.endPfn; pfn++) {
      const expected = pfn < 0x2000 ? ZONE_DMA : pfn < 0x4000 ? ZONE_DMA32 : ZONE_NORMAL;
      if (pgalloc.mem_map.page_zonenum(pfn) !== expected) throw new Error(`pfn ${pfn} in zone ${pgalloc.mem_map.page_zonenum(pfn)}`);
    }
    expect(pgalloc.zones.map((z) => [z.zone_start_pfn, z.spanned_pages, z.present_pages])).toEqual([
      [0, 0x2000, 0x2000],
      [0x2000, 0x2000, 0x2000],
      [0x4000, 0x4000, 0x4000],
      [0, 0, 0],
    ]);
  });

  it('marks reserved memory PG_reserved with a reference, and hands free memory to the buddy lists', () => {
    expect(pgalloc.mem_map.PageReserved(0)).toBe(true); // firmware stub page
    expect(pgalloc.mem_map.page_refcount(0)).toBe(1);
    expect(pgalloc.mem_map.PageReserved(0x200)).toBe(true); // kernel image at 2 MiB
    expect(pgalloc.mem_map.PageReserved(0x1)).toBe(false);
    expect(pgalloc.mem_map.PageBuddy(0x1)).toBe(true); // order-0 block between stub and the next boundary
    expect(pgalloc.mem_map.pa).toBeGreaterThan(64 * MiB); // mem_map came from the top of memory
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });

  it('sets watermarks from min_free_kbytes = sqrt(16 * lowmem kbytes)', () => {
    const lowmemKb = pgalloc.totalram_pages() * 4;
    expect(pgalloc.min_free_kbytes).toBe(Math.floor(Math.sqrt(lowmemKb * 16)));
    const total = pgalloc.totalram_pages();
    for (const z of pgalloc.zones) {
      if (!z.managed_pages) continue;
      const min = Math.floor(((pgalloc.min_free_kbytes >> 2) * z.managed_pages) / total);
      const gap = Math.max(Math.floor(min / 4), Math.floor((z.managed_pages * 10) / 10000));
      expect([z.min_wmark_pages(), z.low_wmark_pages(), z.high_wmark_pages()]).toEqual([min, min + gap, min + 2 * gap]);
    }
    // lowmem_reserve: DMA keeps (DMA32 + Normal) / 256 back from Normal allocations.
    expect(pgalloc.zones[ZONE_DMA]!.lowmem_reserve[ZONE_NORMAL]).toBe(
      Math.floor((pgalloc.zones[ZONE_DMA32]!.managed_pages + pgalloc.zones[ZONE_NORMAL]!.managed_pages) / 256),
    );
  });

});

describe('a board with a hole in its memory', () => {
  // RAM at [0, 24 MiB) and [32 MiB, 64 MiB), like the CM4's GPU hole below 1 GiB, scaled down.
  const ram = GuestRam.fromArrayBuffers(64 * MiB);
  const memblock = new Memblock(ram);
  memblock.memblock_add(0, 24 * MiB);
  memblock.memblock_add(32 * MiB, 32 * MiB);
  const log: string[] = [];
  const pgalloc = mm_init_buddy({ ram, memblock, zoneLimits: { dmaBits: 25, dma32Bits: 26 }, nrCpus: 1, sectionSizeBits: 27, printk: (l) => log.push(l) });

  it('lists both ranges and counts only present pages', () => {
    expect(log).toContain('  node   0: [mem 0x0000000000000000-0x00000000017fffff]');
    expect(log).toContain('  node   0: [mem 0x0000000002000000-0x0000000003ffffff]');
    expect(log).toContain('On node 0 totalpages: 14336');
    expect(log).toContain('  DMA zone: 96 pages used for memmap'); // 8192 spanned > 6144 + 384: present pages count
    expect(pgalloc.zones[ZONE_DMA]!.spanned_pages).toBe(8192);
    expect(pgalloc.zones[ZONE_DMA]!.present_pages).toBe(6144);
  });

  it('gives hole pages reserved struct pages of the zone above, never free', () => {
    for (let pfn = 0x1800; pfn < 0x2000; pfn++) {
      expect(pgalloc.mem_map.PageReserved(pfn)).toBe(true);
      expect(pgalloc.mem_map.page_refcount(pfn)).toBe(1);
      expect(pgalloc.mem_map.page_zonenum(pfn)).toBe(ZONE_DMA32);
    }
    // the mem_map covers the whole 128 MiB section: the tail beyond RAM is reserved too
    expect(pgalloc.mem_map.nrPages).toBe(32768);
    expect(pgalloc.mem_map.PageReserved(0x7fff)).toBe(true);
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });

  it('never merges a block across the hole', () => {
    // 0x1000 (order 11 would span into the hole) stays order 10 at most
    expect(pgalloc.mem_map.PageBuddy(0x1400)).toBe(true);
    expect(pgalloc.mem_map.page_private(0x1400)).toBe(10);
    expect(pgalloc.mem_map.PageBuddy(0x1800)).toBe(false);
  });
});
