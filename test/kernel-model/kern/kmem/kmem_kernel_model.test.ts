// SPDX-License-Identifier: GPL-2.0-only
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bootUconsole, type Uconsole } from '../../../../api/uconsole';
import { checkModel } from '../../../helpers/model-check';
import { kmem_alloc, kmem_free, kmem_reap, KM_NOSLEEP } from '../../../../kernel-model/kern/kmem/subr_kmem';
import { kmem_check, KmemOracle } from '../../../../kernel-model/kern/kmem/kmem_check';
import { slab_check } from '../../../../kernel-model/mm/slab/slab';

type Cmd = { op: 'alloc'; size: number; cpu: number } | { op: 'free'; pick: number; cpu: number } | { op: 'reap'; cpu: number };
const sizes = fc.oneof(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 257, max: 4096 }), fc.integer({ min: 4097, max: 40000 }));

for (const midcache of ['on', 'off']) {
  describe(`kmem on the booted uConsole, random sequences on every core (kmem_midcache=${midcache}, kmem_debug=1)`, () => {
    let u: Uconsole;
    beforeAll(async () => {
      u = await bootUconsole({ ram: '1G', cmdline: `console=ttyS2,1500000 kmem_midcache=${midcache} kmem_debug=1` });
    });
    afterAll(() => u.shutdown());

    it('live objects never overlap, the checkers hold on guest-memory magazines, and everything goes back', () => {
      const k = u.kernel;
      const km = k.mm.kmem.km;
      const ncpu = u.machine.cores.length;
      checkModel<{ oracle: KmemOracle }, Cmd>(
        {
          setup: () => ({ oracle: new KmemOracle(8) }),
          command: fc.oneof(
            { weight: 6, arbitrary: fc.record({ op: fc.constant('alloc' as const), size: sizes, cpu: fc.integer({ min: 0, max: ncpu - 1 }) }) },
            { weight: 5, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat(), cpu: fc.integer({ min: 0, max: ncpu - 1 }) }) },
            { weight: 1, arbitrary: fc.record({ op: fc.constant('reap' as const), cpu: fc.integer({ min: 0, max: ncpu - 1 }) }) },
          ),
          step: ({ oracle }, c) =>
            k.on(c.cpu, () => {
              if (c.op === 'reap') return kmem_reap(km);
              if (c.op === 'alloc') {
                const p = kmem_alloc(km, c.size, KM_NOSLEEP);
                expect(p).not.toBeNull();
                expect(oracle.alloc(p!, c.size)).toBeNull();
                return;
              }
              const live = [...oracle.live];
              if (!live.length) return;
              const [p, s] = live[c.pick % live.length]!;
              kmem_free(km, p, s);
              oracle.free(p);
            }),
          check: () => [...kmem_check(km), ...slab_check(k.slab!)],
          teardown: ({ oracle }) => {
            k.on(0, () => {
              for (const [p, s] of [...oracle.live]) {
                kmem_free(km, p, s);
                oracle.free(p);
              }
              kmem_reap(km);
            });
            expect(km.kmem_arena.vm_nbusytag).toBe(0);
            expect(k.mm.kmem.linearPages + k.mm.kmem.vmallocPages).toBe(km.kmem_arena.vm_size / 4096);
          },
        },
        { numRuns: 15, maxLength: 120, seed: midcache === 'on' ? 41 : 42 },
      );
    }, 120_000);
  });
}
