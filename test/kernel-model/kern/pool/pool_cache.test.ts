import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkModel } from '../../../helpers/model-check';
import {
  pcg_dummy,
  PCG_NOBJECTS_LARGE,
  PCG_NOBJECTS_NORMAL,
  pool_cache_destroy,
  pool_cache_get,
  pool_cache_invalidate,
  pool_cache_ncached,
  pool_cache_put,
  pool_cache_reclaim,
  type PoolCache,
} from '../../../../kernel-model/kern/pool/pool_cache';
import { pool_cache_check } from '../../../../kernel-model/kern/pool/pool_cache_check';
import { PoolCacheOracle } from '../../../../kernel-model/kern/pool/pool_cache_oracle';
import { PR_NOWAIT } from '../../../../kernel-model/kern/pool/subr_pool';
import type { FixedCpu } from '../../../../kernel-model/kern/diagnostic';
import { cache } from './helpers';

const M = PCG_NOBJECTS_NORMAL;

function getN(pc: PoolCache, n: number): number[] {
  return Array.from({ length: n }, () => pool_cache_get(pc, PR_NOWAIT)!);
}

describe('pool_cache magazines', () => {
  it('the first get on a CPU goes to the pool; puts fill magazines; gets then hit them', () => {
    const { pc } = cache();
    const cc = pc.pc_cpus[0]!;
    expect(cc.cc_current).toBe(pcg_dummy);
    const objs = getN(pc, 3);
    expect(pc.pc_pool.pr_nget).toBe(3);
    expect(cc.cc_misses).toBe(3);
    for (const o of objs) pool_cache_put(pc, o);
    expect(cc.cc_current.pcg_avail).toBe(3);
    expect(pc.pc_ngroups).toBe(1);
    const again = getN(pc, 3);
    expect(again).toEqual([...objs].reverse()); // LIFO: the warmest object first
    expect(pc.pc_pool.pr_nget).toBe(3); // no pool traffic
    expect(pool_cache_check(pc)).toEqual([]);
  });

  it('full magazines go to the depot and serve another CPU', () => {
    const { pc, ctx } = cache();
    const objs = getN(pc, 4 * M);
    for (const o of objs) pool_cache_put(pc, o);
    // cpu0 keeps a full current and a full previous; the rest is in the depot
    expect(pc.pc_cpus[0]!.cc_current.pcg_avail).toBe(M);
    expect(pc.pc_cpus[0]!.cc_previous.pcg_avail).toBe(M);
    expect(pc.pc_nfull).toBe(2);
    ctx.cpu = 1;
    const pool_gets = pc.pc_pool.pr_nget;
    const hits = pc.pc_hits;
    getN(pc, 2 * M);
    expect(pc.pc_pool.pr_nget).toBe(pool_gets);
    expect(pc.pc_hits).toBe(hits + 2);
    expect(pc.pc_nfull).toBe(0);
    expect(pc.pc_nempty).toBe(1); // cpu1's emptied magazine went back (its first was pcg_dummy)
    expect(pool_cache_check(pc)).toEqual([]);
  });

  it('alternating get/put at a magazine boundary stays on the CPU (the previous magazine)', () => {
    const { pc } = cache();
    const objs = getN(pc, M);
    for (const o of objs) pool_cache_put(pc, o); // current full
    const misses = pc.pc_cpus[0]!.cc_misses;
    for (let i = 0; i < 100; i++) {
      const a = pool_cache_get(pc, PR_NOWAIT)!;
      const b = pool_cache_get(pc, PR_NOWAIT)!;
      pool_cache_put(pc, b);
      pool_cache_put(pc, a);
    }
    expect(pc.pc_cpus[0]!.cc_misses - misses).toBeLessThanOrEqual(1);
  });

  it('each CPU touches only its own magazines', () => {
    const { pc, ctx } = cache();
    ctx.cpu = 2;
    const objs = getN(pc, 5);
    for (const o of objs) pool_cache_put(pc, o);
    const snapshot = (c: number) => JSON.stringify({ cur: pc.pc_cpus[c]!.cc_current, prev: pc.pc_cpus[c]!.cc_previous, h: pc.pc_cpus[c]!.cc_hits, m: pc.pc_cpus[c]!.cc_misses });
    const others = [0, 1, 3].map(snapshot);
    for (let i = 0; i < 50; i++) pool_cache_put(pc, pool_cache_get(pc, PR_NOWAIT)!);
    expect([0, 1, 3].map(snapshot)).toEqual(others);
  });

  it('large caches use 63-object magazines', () => {
    const { pc } = cache({ largecache: true });
    for (const o of getN(pc, 1)) pool_cache_put(pc, o);
    expect(pc.pc_cpus[0]!.cc_current.pcg_size).toBe(PCG_NOBJECTS_LARGE);
  });
});

describe('constructors and destructors', () => {
  it('construct once per object from the pool, destruct when leaving the cache', () => {
    const log: string[] = [];
    const { pc } = cache({ ctor: (o) => (log.push(`ctor ${o}`), 0), dtor: (o) => log.push(`dtor ${o}`) });
    const [a, b] = getN(pc, 2);
    pool_cache_put(pc, a!);
    pool_cache_put(pc, b!);
    getN(pc, 2).forEach((o) => pool_cache_put(pc, o));
    expect(log).toEqual([`ctor ${a}`, `ctor ${b}`]);
    pool_cache_invalidate(pc);
    expect(log.slice(2).sort()).toEqual([`dtor ${a}`, `dtor ${b}`].sort());
    expect(pc.pc_pool.pr_nout).toBe(0);
    expect(pc.pc_ngroups).toBe(0);
  });

  it('a failing constructor: null, the raw item back in the pool', () => {
    const { pc } = cache({ ctor: () => 12 /* ENOMEM */ });
    expect(pool_cache_get(pc, PR_NOWAIT)).toBeNull();
    expect(pc.pc_pool.pr_nout).toBe(0);
    expect(pool_cache_check(pc)).toEqual([]);
  });
});

describe('fault injection', () => {
  it('no page for the pool: null, nothing leaks', () => {
    const { pc, src } = cache({ pages: 1 });
    const objs = getN(pc, 64);
    expect(objs.every((o) => o !== null)).toBe(true);
    expect(pool_cache_get(pc, PR_NOWAIT)).toBeNull();
    src.fail.now = true;
    expect(pool_cache_get(pc, PR_NOWAIT)).toBeNull();
    for (const o of objs) pool_cache_put(pc, o);
    pool_cache_reclaim(pc);
    expect(src.arena.vm_inuse).toBe(0);
    expect(pool_cache_check(pc)).toEqual([]);
  });

  it('no magazine for a put: the object is destructed and goes back to the pool', () => {
    let failMag = false;
    const dtors: number[] = [];
    const { pc } = cache({ pcgFail: () => failMag, dtor: (o) => dtors.push(o) });
    const objs = getN(pc, 3);
    failMag = true;
    pool_cache_put(pc, objs[0]!);
    expect(dtors).toEqual([objs[0]]);
    expect(pc.pc_pool.pr_nout).toBe(2);
    expect(pc.pc_ngroups).toBe(0);
    failMag = false;
    pool_cache_put(pc, objs[1]!);
    expect(pool_cache_ncached(pc)).toBe(1);
    expect(pool_cache_check(pc)).toEqual([]);
  });
});

type Cmd = { op: 'get'; cpu: number } | { op: 'put'; pick: number; cpu: number } | { op: 'invalidate' } | { op: 'reclaim' };

describe('pool_cache against the oracle of handed-out objects', () => {
  it('every object is in exactly one place; everything returns at the end', () => {
    checkModel<{ pc: PoolCache; ctx: FixedCpu; oracle: PoolCacheOracle; src: ReturnType<typeof cache>['src']; live: Set<number> }, Cmd>(
      {
        setup: () => {
          const live = new Set<number>();
          const { pc, ctx, src } = cache({
            pages: 2,
            ncpu: 3,
            ctor: (o) => (live.add(o), 0),
            dtor: (o) => {
              if (!live.delete(o)) throw new Error(`dtor of ${o} never constructed`);
            },
          });
          return { pc, ctx, src, live, oracle: new PoolCacheOracle() };
        },
        command: fc.oneof(
          { weight: 10, arbitrary: fc.record({ op: fc.constant('get' as const), cpu: fc.integer({ min: 0, max: 2 }) }) },
          { weight: 9, arbitrary: fc.record({ op: fc.constant('put' as const), pick: fc.nat(), cpu: fc.integer({ min: 0, max: 2 }) }) },
          { weight: 1, arbitrary: fc.constant({ op: 'invalidate' as const }) },
          { weight: 1, arbitrary: fc.constant({ op: 'reclaim' as const }) },
        ),
        step: ({ pc, ctx, oracle, live }, c) => {
          if (c.op === 'invalidate') pool_cache_invalidate(pc);
          else if (c.op === 'reclaim') pool_cache_reclaim(pc);
          else if (c.op === 'get') {
            ctx.cpu = c.cpu;
            const o = pool_cache_get(pc, PR_NOWAIT);
            if (o === null) expect(pc.pc_pool.pr_nout).toBe(2 * 64); // only when both pages are out
            else {
              expect(live.has(o)).toBe(true); // handed out constructed
              oracle.got(o);
            }
          } else {
            const out = [...oracle.out];
            if (!out.length) return;
            ctx.cpu = c.cpu;
            const o = out[c.pick % out.length]!;
            oracle.put(o);
            pool_cache_put(pc, o);
          }
        },
        check: ({ pc, oracle, live }) => {
          const errors = oracle.check(pc);
          if (live.size !== pc.pc_pool.pr_nout) errors.push(`${live.size} constructed, ${pc.pc_pool.pr_nout} out of the pool`);
          return errors;
        },
        teardown: ({ pc, oracle, src, live }) => {
          for (const o of [...oracle.out]) {
            oracle.put(o);
            pool_cache_put(pc, o);
          }
          pool_cache_destroy(pc);
          expect(live.size).toBe(0);
          expect(pc.pc_ngroups).toBe(0);
          expect(src.arena.vm_inuse).toBe(0);
        },
      },
      { numRuns: 100, maxLength: 300, seed: 21 },
    );
  });
});
