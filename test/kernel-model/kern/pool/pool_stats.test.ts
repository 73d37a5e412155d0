import { describe, expect, it } from 'vitest';
import { pool_cache_get, pool_cache_put } from '../../../../kernel-model/kern/pool/pool_cache';
import { vmstat_C, vmstat_m } from '../../../../kernel-model/kern/pool/pool_stats';
import { PR_NOWAIT } from '../../../../kernel-model/kern/pool/subr_pool';
import { kmem_alloc, kmem_caches, kmem_free, kmem_init, KM_NOSLEEP } from '../../../../kernel-model/kern/kmem/subr_kmem';
import { FixedCpu } from '../../../../kernel-model/kern/diagnostic';
import { vmem_create, vmem_xalloc, vmem_xfree, VM_INSTANTFIT, VM_NOSLEEP } from '../../../../kernel-model/kern/vmem/subr_vmem';
import { cache } from './helpers';

describe('vmstat -m / -C', () => {
  it('a pool cache after 20 gets and puts on one CPU', () => {
    const { pc } = cache();
    const objs = Array.from({ length: 20 }, () => pool_cache_get(pc, PR_NOWAIT)!);
    for (const o of objs) pool_cache_put(pc, o);
    expect(vmstat_m([pc.pc_pool])).toBe(
      [
        'Memory resource pool statistics',
        'Name    Size Requests Fail Releases Pgreq Pgrel Npage Hiwat Minpg Maxpg Idle',
        'test-64   64       20    0        0     1     0     1     1     0   inf    0',
        '',
        'In use 1K, total allocated 4K; utilization 31.3%',
        '',
      ].join('\n'),
    );
    // gets: 20 CPU misses, each to the pool; puts: 20 CPU hits and 2 misses, each a depot exchange for a new magazine
    expect(vmstat_C([pc])).toBe(
      [
        'Pool cache statistics.',
        'Name    Spin GrpSz Full Emty PoolLayer CacheLayer Hit% CpuLayer Hit%',
        'test-64    0    15    0    0        20         22  9.1       42 47.6',
        '',
      ].join('\n'),
    );
  });

  it('kmem lists its quantum and mid-size caches', () => {
    const kva = vmem_create({ name: 'kva', base: 0x1000000, size: 64 * 4096, quantum: 4096 });
    const km = kmem_init({
      ctx: new FixedCpu(1),
      backend: { alloc: (s) => vmem_xalloc(kva, s, 0, 0, 0, 0, 0, VM_NOSLEEP | VM_INSTANTFIT), free: (a, s) => vmem_xfree(kva, a, s) },
    });
    kmem_free(km, kmem_alloc(km, 700, KM_NOSLEEP)!, 700);
    const out = vmstat_C(kmem_caches(km));
    expect(out).toMatch(/^kmem-8 /m);
    expect(out).toMatch(/^kmem-1024 +0 +15 +0 +0 +1 /m);
    expect(out).toMatch(/^kmem-4096 /m);
  });
});
