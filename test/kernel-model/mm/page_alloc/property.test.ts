import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  check_page_allocator,
  GFP_ATOMIC,
  GFP_DMA,
  GFP_DMA32,
  GFP_HIGHUSER_MOVABLE,
  GFP_KERNEL,
  __GFP_NOWARN,
  __GFP_RECLAIMABLE,
  __GFP_ZERO,
  gfp_zone,
  PAGE_SHIFT,
  ZONE_NORMAL,
  type PageAllocator,
} from '../../../../kernel-model/mm/page_alloc';
import { MIGRATE_PCPTYPES, MIGRATE_TYPES } from '../../../../kernel-model/mm/page_alloc/mmzone';
import { bootSmall, MiB, nrFree, type SmallBoot, onCpu } from '../helpers';

const GFPS = [GFP_KERNEL, GFP_HIGHUSER_MOVABLE, GFP_KERNEL | GFP_DMA, GFP_KERNEL | GFP_DMA32, GFP_ATOMIC, GFP_KERNEL | __GFP_RECLAIMABLE, GFP_KERNEL | __GFP_ZERO];
/** The same without __GFP_ZERO, for machines whose blocks are hundreds of MiB (zeroing them would be the whole test's time). */
const GFPS_NOZERO = GFPS.filter((g) => !(g & __GFP_ZERO));

type Cmd =
  | { op: 'alloc'; order: number; gfp: number; cpu: number }
  | { op: 'free'; pick: number; cpu: number }
  | { op: 'memarea'; pages: number; align: number; gfp: number }
  | { op: 'drain' };

interface CmdShape {
  maxOrder: number;
  gfps: number[];
  /** Also memarea requests of this many pages, [min, max] (beside the usual 1..1500). */
  largeAreas?: [number, number];
}

const areaPages = (largeAreas: [number, number] | undefined): fc.Arbitrary<number> => {
  const usual = fc.integer({ min: 1, max: 1500 });
  return largeAreas ? fc.oneof(usual, fc.integer({ min: largeAreas[0], max: largeAreas[1] })) : usual;
};

const cmdArb = ({ maxOrder, gfps, largeAreas }: CmdShape): fc.Arbitrary<Cmd> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('alloc' as const), order: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: maxOrder - 1 })), gfp: fc.constantFrom(...gfps), cpu: fc.integer({ min: 0, max: 3 }) }) },
    { weight: 5, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat(), cpu: fc.integer({ min: 0, max: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('memarea' as const), pages: areaPages(largeAreas), align: fc.integer({ min: 1, max: 700 }), gfp: fc.constantFrom(...gfps) }) },
    { weight: 1, arbitrary: fc.constant({ op: 'drain' as const }) },
  );

/**
 * The memarea oracle: does some zone alloc_memarea may use (above its
 * min watermark plus the request) hold `pages` free pages in a row, the
 * first of them a multiple of `align`? Free means on a buddy list or on
 * a pcp list (alloc_memarea drains those before giving up on a zone).
 * Page by page over the zone, without the buddy lists' order words.
 */
function memareaFits(pgalloc: PageAllocator, gfp: number, pages: number, align: number): boolean {
  const highest = gfp_zone(gfp);
  for (const z of pgalloc.zonelist(highest)) {
    if (!(z.nr_free_pages > z.min_wmark_pages() + pages + z.lowmem_reserve[highest]!)) continue;
    const free = new Uint8Array(z.spanned_pages);
    const mark = (pfn: number, n: number): void => {
      free.fill(1, pfn - z.zone_start_pfn, pfn - z.zone_start_pfn + n);
    };
    for (let li = 0; li < z.freeHead.length; li++) {
      const order = Math.floor(li / MIGRATE_TYPES);
      for (let p = z.freeHead[li]!; p !== -1; p = pgalloc.mem_map.lru_next(p)) mark(p, 2 ** order);
    }
    for (let cpu = 0; cpu < pgalloc.nrCpus; cpu++)
      for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) for (let p = z.pcp.head(cpu, mt); p !== -1; p = pgalloc.mem_map.lru_next(p)) mark(p, 1);
    let run = 0;
    for (let i = 0; i < free.length; i++) {
      run = free[i] ? run + 1 : 0;
      const end = z.zone_start_pfn + i + 1;
      if (run >= pages && Math.ceil((end - run) / align) * align + pages <= end) return true;
    }
  }
  return false;
}

interface Live {
  pfn: number;
  pages: number;
  order: number; // -1 for memarea
}

/**
 * Replays commands, checking after each that the allocator is sane and
 * allocations never overlap; with `oracle`, also that alloc_memarea
 * fails only when memareaFits says nothing fits.
 */
function run(pgalloc: PageAllocator, cmds: Cmd[], oracle = false): void {
  const owner = new Uint8Array(pgalloc.mem_map.nrPages);
  const live: Live[] = [];
  const claim = (pfn: number, pages: number, highest: number): void => {
    for (let p = pfn; p < pfn + pages; p++) {
      if (owner[p - pgalloc.mem_map.basePfn]) throw new Error(`pfn ${p} handed out twice`);
      owner[p - pgalloc.mem_map.basePfn] = 1;
      if (pgalloc.mem_map.page_zonenum(p) > highest) throw new Error(`pfn ${p} above the zone gfp allows`);
    }
  };
  const dirty = (pfn: number, pages: number): void => {
    pgalloc.ram.fill(pfn * 4096, 8, 0xab);
    pgalloc.ram.fill((pfn + pages) * 4096 - 8, 8, 0xcd);
  };
  for (const c of cmds) {
    switch (c.op) {
      case 'alloc': {
        const pfn = onCpu(c.cpu, () => pgalloc.alloc_pages(c.gfp | __GFP_NOWARN, c.order));
        if (pfn === null) break;
        expect(pfn % (1 << c.order)).toBe(0);
        claim(pfn, 1 << c.order, gfp_zone(c.gfp));
        if (c.gfp & __GFP_ZERO) expect([pgalloc.ram.u32(pfn * 4096), pgalloc.ram.u32((pfn + (1 << c.order)) * 4096 - 4)]).toEqual([0, 0]);
        dirty(pfn, 1 << c.order);
        live.push({ pfn, pages: 1 << c.order, order: c.order });
        break;
      }
      case 'free': {
        if (!live.length) break;
        const [a] = live.splice(c.pick % live.length, 1);
        if (a!.order >= 0) onCpu(c.cpu, () => pgalloc.__free_pages(a!.pfn, a!.order));
        else onCpu(c.cpu, () => pgalloc.free_memarea(a!.pfn, a!.pages));
        owner.fill(0, a!.pfn - pgalloc.mem_map.basePfn, a!.pfn - pgalloc.mem_map.basePfn + a!.pages);
        break;
      }
      case 'memarea': {
        const fits = oracle && memareaFits(pgalloc, c.gfp, c.pages, c.align);
        const pfn = pgalloc.alloc_memarea(c.gfp | __GFP_NOWARN, c.pages, c.align);
        if (fits && pfn === null) throw new Error(`memarea ${JSON.stringify(c)} failed although a run fits`);
        if (pfn === null) break;
        expect(pfn % c.align).toBe(0);
        claim(pfn, c.pages, gfp_zone(c.gfp));
        if (c.gfp & __GFP_ZERO) expect(pgalloc.ram.u32(pfn * 4096)).toBe(0);
        dirty(pfn, c.pages);
        live.push({ pfn, pages: c.pages, order: -1 });
        break;
      }
      case 'drain':
        pgalloc.drain_all_pages();
        break;
    }
    const errors = check_page_allocator(pgalloc);
    if (errors.length) throw new Error(`after ${JSON.stringify(c)}:\n${errors.join('\n')}`);
  }
  for (const a of live) {
    if (a.order >= 0) onCpu(0, () => pgalloc.__free_pages(a.pfn, a.order));
    else onCpu(0, () => pgalloc.free_memarea(a.pfn, a.pages));
  }
  pgalloc.drain_all_pages();
}

describe('random operation sequences keep the allocator consistent (CONFIG_DEBUG_VM checker after every step)', () => {
  /** One property: random commands on a fresh machine, nothing reported, everything merged back at the end. */
  function consistent(boot: () => SmallBoot, shape: CmdShape, runs: { numRuns: number; maxLength: number; seed: number }): void {
    fc.assert(
      fc.property(fc.array(cmdArb(shape), { minLength: 1, maxLength: runs.maxLength }), (cmds) => {
        const { pgalloc: pgalloc, log } = boot();
        const initial = pgalloc.zones.map((_, z) => nrFree(pgalloc, z));
        const freeBefore = pgalloc.nr_free_pages();
        const bootLog = log.length;
        run(pgalloc, cmds, true);
        expect(log.length).toBe(bootLog); // no reports: every operation was legal
        expect(pgalloc.nr_free_pages()).toBe(freeBefore);
        expect(pgalloc.zones.map((_, z) => nrFree(pgalloc, z))).toEqual(initial);
        expect(check_page_allocator(pgalloc)).toEqual([]);
      }),
      { numRuns: runs.numRuns, seed: runs.seed },
    );
  }

  for (const maxOrder of [11, 6]) {
    it(`MAX_ORDER ${maxOrder}: no overlap, sane lists, and everything merges back at the end`, () => {
      consistent(
        () => bootSmall({ ramMiB: 16, maxOrder, sectionSizeBits: 24, zoneLimits: { dmaBits: 23, dma32Bits: 24 } }),
        { maxOrder, gfps: GFPS },
        { numRuns: 80, maxLength: 60, seed: 0x5eed + maxOrder },
      );
    });
  }

  // max_order=17..19 on the smallest sections that hold them (28..30 bits)
  // and RAM of two such sections, the mem_map kept low, so that the upper
  // section is one free block of the top order (16..18: 256 MiB..1 GiB).
  // A page reserved at a quarter of RAM keeps the lower runs shorter than
  // that block, so a memarea request of a quarter to a half of RAM can be
  // served only from it.
  for (const maxOrder of [17, 18, 19]) {
    it(`MAX_ORDER ${maxOrder}: the same, with free blocks of order ${maxOrder - 1} in play`, () => {
      const sectionSizeBits = PAGE_SHIFT + maxOrder - 1;
      const ramMiB = 2 ** (sectionSizeBits + 1 - 20);
      const boot = (): SmallBoot =>
        bootSmall({
          ramMiB,
          maxOrder,
          sectionSizeBits,
          zoneLimits: { dmaBits: 23, dma32Bits: 24 },
          memblockLimit: 128 * MiB,
          reserve: [[(ramMiB / 4) * MiB, 4096]],
        });
      const topBlock = 2 ** (maxOrder - 1);
      expect(boot().pgalloc.zones[ZONE_NORMAL]!.nrFree[maxOrder - 1]).toBe(1);
      consistent(boot, { maxOrder, gfps: GFPS_NOZERO, largeAreas: [topBlock / 2, topBlock] }, { numRuns: 8, maxLength: 20, seed: 0x5eed + maxOrder });
    });
  }

  it('bad frees mixed into random sequences leave the checker clean', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 })), { maxLength: 40 }), (ops) => {
        const { pgalloc: pgalloc } = bootSmall({ ramMiB: 16, sectionSizeBits: 24, zoneLimits: { dmaBits: 23, dma32Bits: 24 } });
        const held: number[] = [];
        for (const [x, order, cpu] of ops) {
          if (x % 3 === 0) {
            const p = onCpu(cpu, () => pgalloc.alloc_pages(GFP_KERNEL | __GFP_NOWARN, order));
            if (p !== null) held.push(p);
          } else {
            // any pfn, any order: double frees, wrong orders, reserved pages, tails
            const pfn = held.length && x % 3 === 1 ? held[x % held.length]! + (x % 4) : pgalloc.mem_map.basePfn + (x % pgalloc.mem_map.nrPages);
            onCpu(cpu, () => pgalloc.__free_pages(pfn, order));
          }
          const errors = check_page_allocator(pgalloc);
          if (errors.length) throw new Error(errors.join('\n'));
        }
      }),
      { numRuns: 60, seed: 0xbad },
    );
  });
});
