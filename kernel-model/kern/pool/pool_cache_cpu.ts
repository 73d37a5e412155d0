// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where a pool_cache keeps its per-CPU state and its magazines (NetBSD
 * sys/kern/subr_pool.c: pool_cache_cpu_t in pc_cpus[], pcg_t from
 * pcg_normal_pool / pcg_large_pool).
 *
 * pool_cache.ts works on two small interfaces, Pcg (a magazine) and
 * PoolCacheCpu (one CPU's loaded and previous magazine with its hit and
 * miss counts), and asks a PcCpuStore for the running CPU's PoolCacheCpu
 * and for new magazines. Two stores exist:
 *
 *   host   (this file) plain objects indexed by CpuContext.curcpu(): for
 *          the data-structure tests and the pure benchmarks;
 *   guest  (pool_cache_percpu.ts) the booted kernel's: pool_cache_cpu in
 *          per-CPU memory from __alloc_percpu, found through the running
 *          core's TPIDR_EL1, and magazines in wired kernel pages, so the
 *          state is guest memory that ARM64 code can read.
 *
 * Both hand out the same view object for the same magazine each time, so
 * pool_cache.ts may compare magazines by identity (pcg === dummy).
 */

import { KASSERTMSG, type CpuContext } from '../diagnostic';

/** pcg_t: a magazine of up to pcg_size objects, pcg_avail of them present. */
export interface Pcg {
  pcg_avail: number;
  readonly pcg_size: number;
  /** pcg_objects[i].pcgo_va */
  pcg_get(i: number): number;
  pcg_set(i: number, obj: number): void;
}

/** pool_cache_cpu_t: one CPU's magazines and statistics. */
export interface PoolCacheCpu {
  cc_current: Pcg;
  cc_previous: Pcg;
  cc_hits: number;
  cc_misses: number;
}

/** Where one cache's per-CPU state and magazines live. */
export interface PcCpuStore {
  /** The zero-sized magazine both CPU slots start with ("always empty, yet always full"). */
  readonly dummy: Pcg;
  /** Every CPU's state, in CPU order (for invalidation, checks and statistics). */
  readonly cpus: readonly PoolCacheCpu[];
  /** The running CPU's state. */
  curcpu(): PoolCacheCpu;
  /** A new empty magazine of `size` objects, or null. */
  pcg_alloc(size: number): Pcg | null;
  pcg_free(pcg: Pcg): void;
  /** The per-CPU state is no longer needed (pool_cache_destroy). */
  destroy(): void;
}

/** Makes the store of one cache (NetBSD allocates pc_cpus in pool_cache_bootstrap). */
export type PcCpuStoreFactory = (name: string, ctx: CpuContext) => PcCpuStore;

class HostPcg implements Pcg {
  pcg_avail = 0;
  private readonly objects: Float64Array;
  constructor(readonly pcg_size: number) {
    this.objects = new Float64Array(pcg_size);
  }
  pcg_get(i: number): number {
    return this.objects[i]!;
  }
  pcg_set(i: number, obj: number): void {
    this.objects[i] = obj;
  }
}

/** The host store's dummy magazine, shared by every host cache. */
export const pcg_dummy: Pcg = Object.freeze(new HostPcg(0));

class HostPoolCacheCpu implements PoolCacheCpu {
  cc_current: Pcg = pcg_dummy;
  cc_previous: Pcg = pcg_dummy;
  cc_hits = 0;
  cc_misses = 0;
}

/** The host store: an array of plain objects, indexed by ctx.curcpu(). */
export const hostPcCpuStore: PcCpuStoreFactory = (name, ctx) => {
  const cpus = Array.from({ length: ctx.ncpu }, () => new HostPoolCacheCpu());
  return {
    dummy: pcg_dummy,
    cpus,
    curcpu: () => {
      const cpu = ctx.curcpu();
      const cc = cpus[cpu];
      KASSERTMSG(cc !== undefined, 'cc != NULL', 'subr_pool.c', () => `pool_cache ${name}: no cache for cpu ${cpu}`);
      return cc;
    },
    pcg_alloc: (size) => new HostPcg(size),
    pcg_free: () => {},
    destroy: () => {},
  };
};
