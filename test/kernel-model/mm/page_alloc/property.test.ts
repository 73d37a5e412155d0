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
  type PageAllocator,
} from '../../../../kernel-model/mm/page_alloc';
import { bootSmall, nrFree } from '../helpers';

const GFPS = [GFP_KERNEL, GFP_HIGHUSER_MOVABLE, GFP_KERNEL | GFP_DMA, GFP_KERNEL | GFP_DMA32, GFP_ATOMIC, GFP_KERNEL | __GFP_RECLAIMABLE, GFP_KERNEL | __GFP_ZERO];

type Cmd =
  | { op: 'alloc'; order: number; gfp: number; cpu: number }
  | { op: 'free'; pick: number; cpu: number }
  | { op: 'memarea'; pages: number; align: number; gfp: number }
  | { op: 'drain' };

const cmdArb = (maxOrder: number): fc.Arbitrary<Cmd> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('alloc' as const), order: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: maxOrder - 1 })), gfp: fc.constantFrom(...GFPS), cpu: fc.integer({ min: 0, max: 3 }) }) },
    { weight: 5, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat(), cpu: fc.integer({ min: 0, max: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('memarea' as const), pages: fc.integer({ min: 1, max: 1500 }), align: fc.integer({ min: 1, max: 700 }), gfp: fc.constantFrom(...GFPS) }) },
    { weight: 1, arbitrary: fc.constant({ op: 'drain' as const }) },
  );

interface Live {
  pfn: number;
  pages: number;
  order: number; // -1 for memarea
}

/** Replays commands, checking after each that the allocator is sane and allocations never overlap. */
function run(pa: PageAllocator, cmds: Cmd[]): void {
  const owner = new Uint8Array(pa.mm.nrPages);
  const live: Live[] = [];
  const claim = (pfn: number, pages: number, highest: number): void => {
    for (let p = pfn; p < pfn + pages; p++) {
      if (owner[p - pa.mm.basePfn]) throw new Error(`pfn ${p} handed out twice`);
      owner[p - pa.mm.basePfn] = 1;
      if (pa.mm.page_zonenum(p) > highest) throw new Error(`pfn ${p} above the zone gfp allows`);
    }
  };
  const dirty = (pfn: number, pages: number): void => {
    pa.ram.fill(pfn * 4096, 8, 0xab);
    pa.ram.fill((pfn + pages) * 4096 - 8, 8, 0xcd);
  };
  for (const c of cmds) {
    switch (c.op) {
      case 'alloc': {
        const pfn = pa.alloc_pages(c.gfp | __GFP_NOWARN, c.order, c.cpu);
        if (pfn === null) break;
        expect(pfn % (1 << c.order)).toBe(0);
        claim(pfn, 1 << c.order, gfp_zone(c.gfp));
        if (c.gfp & __GFP_ZERO) expect([pa.ram.u32(pfn * 4096), pa.ram.u32((pfn + (1 << c.order)) * 4096 - 4)]).toEqual([0, 0]);
        dirty(pfn, 1 << c.order);
        live.push({ pfn, pages: 1 << c.order, order: c.order });
        break;
      }
      case 'free': {
        if (!live.length) break;
        const [a] = live.splice(c.pick % live.length, 1);
        if (a!.order >= 0) pa.__free_pages(a!.pfn, a!.order, c.cpu);
        else pa.free_memarea(a!.pfn, a!.pages, c.cpu);
        owner.fill(0, a!.pfn - pa.mm.basePfn, a!.pfn - pa.mm.basePfn + a!.pages);
        break;
      }
      case 'memarea': {
        const pfn = pa.alloc_memarea(c.gfp | __GFP_NOWARN, c.pages, c.align);
        if (pfn === null) break;
        expect(pfn % c.align).toBe(0);
        claim(pfn, c.pages, gfp_zone(c.gfp));
        if (c.gfp & __GFP_ZERO) expect(pa.ram.u32(pfn * 4096)).toBe(0);
        dirty(pfn, c.pages);
        live.push({ pfn, pages: c.pages, order: -1 });
        break;
      }
      case 'drain':
        pa.drain_all_pages();
        break;
    }
    const errors = check_page_allocator(pa);
    if (errors.length) throw new Error(`after ${JSON.stringify(c)}:\n${errors.join('\n')}`);
  }
  for (const a of live) {
    if (a.order >= 0) pa.__free_pages(a.pfn, a.order, 0);
    else pa.free_memarea(a.pfn, a.pages, 0);
  }
  pa.drain_all_pages();
}

describe('random operation sequences keep the allocator consistent (CONFIG_DEBUG_VM checker after every step)', () => {
  for (const maxOrder of [11, 6]) {
    it(`MAX_ORDER ${maxOrder}: no overlap, sane lists, and everything merges back at the end`, () => {
      fc.assert(
        fc.property(fc.array(cmdArb(maxOrder), { minLength: 1, maxLength: 60 }), (cmds) => {
          const { pa, log } = bootSmall({ ramMiB: 16, maxOrder, sectionSizeBits: 24, zoneLimits: { dmaBits: 23, dma32Bits: 24 } });
          const initial = pa.zones.map((_, z) => nrFree(pa, z));
          const freeBefore = pa.nr_free_pages();
          const bootLog = log.length;
          run(pa, cmds);
          expect(log.length).toBe(bootLog); // no reports: every operation was legal
          expect(pa.nr_free_pages()).toBe(freeBefore);
          expect(pa.zones.map((_, z) => nrFree(pa, z))).toEqual(initial);
          expect(check_page_allocator(pa)).toEqual([]);
        }),
        { numRuns: 80, seed: 0x5eed + maxOrder },
      );
    });
  }

  it('bad frees mixed into random sequences leave the checker clean', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 })), { maxLength: 40 }), (ops) => {
        const { pa } = bootSmall({ ramMiB: 16, sectionSizeBits: 24, zoneLimits: { dmaBits: 23, dma32Bits: 24 } });
        const held: number[] = [];
        for (const [x, order, cpu] of ops) {
          if (x % 3 === 0) {
            const p = pa.alloc_pages(GFP_KERNEL | __GFP_NOWARN, order, cpu);
            if (p !== null) held.push(p);
          } else {
            // any pfn, any order: double frees, wrong orders, reserved pages, tails
            const pfn = held.length && x % 3 === 1 ? held[x % held.length]! + (x % 4) : pa.mm.basePfn + (x % pa.mm.nrPages);
            pa.__free_pages(pfn, order, cpu);
          }
          const errors = check_page_allocator(pa);
          if (errors.length) throw new Error(errors.join('\n'));
        }
      }),
      { numRuns: 60, seed: 0xbad },
    );
  });
});
