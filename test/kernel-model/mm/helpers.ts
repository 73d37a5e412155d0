// SPDX-License-Identifier: GPL-2.0-only
/*
 * Small machines for the mm tests: RAM as plain ArrayBuffers, memblock
 * with the reservations a Pi boot makes (firmware stub page, kernel image,
 * DTB), and the page allocator booted on top.
 */

import { GuestRam } from '../../../emulator/memory/guest-ram';
import { Memblock } from '../../../kernel-model/mm/memblock';
import { mm_init_buddy, type MmInitBuddyOptions, type PageAllocator, type ZoneLimits } from '../../../kernel-model/mm/page_alloc';
import { Cma, CmaAreas } from '../../../kernel-model/mm/cma';

import { SZ_1M } from '../../../lib/sizes';

export const MiB = SZ_1M;

export interface SmallBoot {
  ram: GuestRam;
  memblock: Memblock;
  pgalloc: PageAllocator;
  log: string[];
  /** The CMA areas (one when `cma` was asked for). */
  cma: CmaAreas;
  area?: Cma;
}

export interface SmallBootOptions extends Partial<Omit<MmInitBuddyOptions, 'ram' | 'memblock' | 'printk'>> {
  ramMiB?: number;
  /** Extra memblock ranges to reserve before the buddy allocator starts. */
  reserve?: [number, number][];
  /** Skip the stub/kernel/DTB reservations. */
  bare?: boolean;
  /** memblock.current_limit while the allocator boots, in bytes: below it go the mem_map and pageblock bitmap (default: top of RAM). */
  memblockLimit?: number;
  /** A CMA area [base, base+size) in bytes, reserved and declared before the allocator starts, activated as the boot does. */
  cma?: [number, number];
}

let currentCpu = 0;

/** Run `fn` as the given CPU's code (the bare allocators of bootSmall read their CPU from here). */
export function onCpu<R>(cpu: number, fn: () => R): R {
  const saved = currentCpu;
  currentCpu = cpu;
  try {
    return fn();
  } finally {
    currentCpu = saved;
  }
}

/** A board with `ramMiB` of RAM at 0, ZONE_DMA limited to 32 MiB and DMA32 to 64 MiB unless told otherwise. */
export function bootSmall(opts: SmallBootOptions = {}): SmallBoot {
  const ramMiB = opts.ramMiB ?? 64;
  const ram = GuestRam.fromArrayBuffers(ramMiB * MiB);
  const memblock = new Memblock(ram);
  memblock.memblock_add(0, ramMiB * MiB);
  if (!opts.bare) {
    memblock.memblock_reserve(0, 0x1000); // firmware spin-table stubs (/memreserve/)
    memblock.memblock_reserve(0x200000, 0x180000); // kernel image at 2 MiB
    memblock.memblock_reserve(0x2eff000 % (ramMiB * MiB), 0x10000); // DTB
  }
  for (const [b, s] of opts.reserve ?? []) memblock.memblock_reserve(b, s);
  if (opts.memblockLimit !== undefined) memblock.current_limit = opts.memblockLimit;
  const log: string[] = [];
  const maxOrder = opts.maxOrder ?? 11;
  const cma = new CmaAreas((l) => log.push(l), maxOrder, Math.min(9, maxOrder - 1));
  let area: Cma | undefined;
  if (opts.cma) {
    memblock.memblock_reserve(opts.cma[0], opts.cma[1]);
    const r = cma.cma_init_reserved_mem(memblock, opts.cma[0], opts.cma[1], 0, 'reserved');
    if (typeof r === 'number') throw new Error(`cma_init_reserved_mem: ${r}`);
    area = r;
  }
  const zoneLimits: ZoneLimits = opts.zoneLimits ?? { dmaBits: 25, dma32Bits: 26 };
  const pgalloc = mm_init_buddy({
    ram,
    memblock,
    zoneLimits,
    nrCpus: opts.nrCpus ?? 4,
    maxOrder: opts.maxOrder,
    sectionSizeBits: opts.sectionSizeBits ?? 27,
    minFreeKbytes: opts.minFreeKbytes,
    kernelSections: opts.kernelSections,
    printk: (l) => log.push(l),
    report: opts.report,
    smp_processor_id: () => currentCpu,
    totalcmaPages: cma.totalcma_pages,
    coreInitcalls: [(pa) => cma.cma_init_reserved_areas(pa)],
  });
  return { ram, memblock, pgalloc: pgalloc, log, cma, area };
}

/** free_area[order].nr_free of a zone, as an array. */
export function nrFree(pgalloc: PageAllocator, zone: number): number[] {
  return Array.from(pgalloc.zones[zone]!.nrFree);
}

/** A tiny deterministic PRNG for tests that need a seed (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The zone lines Linux 5.10 prints for a CM4 with 4 GB and gpu_mem=76 (one place for every test that checks them). */
export const CM4_4G_ZONE_LINES: readonly string[] = [
  'Zone ranges:',
  '  DMA      [mem 0x0000000000000000-0x000000003fffffff]',
  '  DMA32    [mem 0x0000000040000000-0x00000000fbffffff]',
  '  Normal   empty',
  'Movable zone start for each node',
  'Early memory node ranges',
  '  node   0: [mem 0x0000000000000000-0x000000003b3fffff]',
  '  node   0: [mem 0x0000000040000000-0x00000000fbffffff]',
  'Initmem setup node 0 [mem 0x0000000000000000-0x00000000fbffffff]',
];
