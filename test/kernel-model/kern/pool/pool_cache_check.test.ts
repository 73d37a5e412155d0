import { describe, expect, it } from 'vitest';
import { pool_cache_get, pool_cache_put } from '../../../../kernel-model/kern/pool/pool_cache';
import { pool_cache_check } from '../../../../kernel-model/kern/pool/pool_cache_check';
import { PoolCacheOracle } from '../../../../kernel-model/kern/pool/pool_cache_oracle';
import { pool_put, PR_NOWAIT } from '../../../../kernel-model/kern/pool/subr_pool';
import { cache } from './helpers';

function cached3() {
  const { pc } = cache();
  const objs = [0, 1, 2].map(() => pool_cache_get(pc, PR_NOWAIT)!);
  for (const o of objs) pool_cache_put(pc, o);
  expect(pool_cache_check(pc)).toEqual([]);
  return { pc, objs };
}

describe('pool_cache_check notices a broken cache', () => {
  it('an object in a magazine twice', () => {
    const { pc, objs } = cached3();
    const cur = pc.pc_cpus[0]!.cc_current;
    cur.pcg_set(1, objs[0]!);
    expect(pool_cache_check(pc)).toContain(`pool_cache test-64: 0x${objs[0]!.toString(16)} cached twice (again in cpu0 current)`);
  });

  it('a cached object that is free in the pool', () => {
    const { pc, objs } = cached3();
    pool_put(pc.pc_pool, objs[2]!);
    expect(pool_cache_check(pc)).toEqual([`pool_cache test-64: 0x${objs[2]!.toString(16)} in cpu0 current is free in the pool`, 'pool_cache test-64: 3 cached > 2 out of the pool']);
  });

  it('a full magazine on the empty list, and a lost magazine', () => {
    const { pc } = cached3();
    const cur = pc.pc_cpus[0]!.cc_current;
    pc.pc_cpus[0]!.cc_current = pc.pc_cpus[0]!.cc_previous;
    pc.pc_emptygroups.push(cur);
    expect(pool_cache_check(pc)).toEqual(['pool_cache test-64 depot empty[0]: 3 objects on the empty list']);
    pc.pc_emptygroups.pop();
    expect(pool_cache_check(pc)).toEqual(['pool_cache test-64: 0 magazines reachable, 1 allocated']);
  });

  it('the oracle: an object both handed out and cached', () => {
    const { pc, objs } = cached3();
    const oracle = new PoolCacheOracle();
    oracle.got(objs[0]!);
    expect(oracle.check(pc)).toEqual([
      `pool_cache test-64: 0x${objs[0]!.toString(16)} is handed out and cached`,
      'pool_cache test-64: 1 handed out + 3 cached != 3 out of the pool',
    ]);
  });
});
