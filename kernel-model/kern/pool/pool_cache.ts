// SPDX-License-Identifier: GPL-2.0-only
/*
 * pool_cache: per-CPU object caches in front of a pool, with Bonwick's
 * magazines (NetBSD sys/kern/subr_pool.c, pool_cache_get_paddr,
 * pool_cache_put_paddr, pool_cache_get_slow, pool_cache_put_slow,
 * pool_cache_invalidate; Bonwick and Adams, "Magazines and Vmem:
 * Extending the Slab Allocator to Many CPUs and Arbitrary Resources",
 * USENIX 2001, section 3).
 *
 * A magazine (NetBSD: a cache group, pcg_t) is a stack of up to pcg_size
 * constructed objects. Each CPU holds two, cc_current and cc_previous;
 * the cache (the depot) holds lists of full, empty and partly full ones:
 *
 *     CPU 0               CPU 1                  depot
 *   +---------+        +---------+      pc_fullgroups   [#####][#####]
 *   | current |        | current |      pc_emptygroups  [     ][     ]
 *   | previous|        | previous|      pc_partgroups   [##   ]
 *   +---------+        +---------+              |
 *                                               v
 *                                     pool: pages of raw items
 *
 *   get  pop cc_current; if empty and cc_previous is not, swap them and
 *        pop; else (pool_cache_get_slow) trade the empty current for a
 *        full magazine from the depot, or, with none there, take a raw
 *        item from the pool and construct it.
 *   put  push on cc_current; if full and cc_previous is not, swap; else
 *        (pool_cache_put_slow) trade the full current for an empty
 *        magazine from the depot, or allocate a new empty one; if that
 *        fails, destruct the object and give it to the pool.
 *
 * Keeping two magazines per CPU bounds the depot traffic: a CPU goes to
 * the depot at most once per pcg_size operations whatever the pattern
 * (with one, alternating alloc and free at a magazine boundary would go
 * every time). Objects in magazines stay constructed; the destructor runs
 * only when an object leaves the cache for the pool.
 *
 * Both CPU magazines start as the store's dummy, a zero-sized group that is
 * "always empty, yet always full", so the fast paths need no NULL test:
 * the first get or put on a CPU falls through to the slow path.
 *
 * Magazine size: NetBSD's is fixed per cache, PCG_NOBJECTS_NORMAL (15) or
 * PCG_NOBJECTS_LARGE (63) for PR_LARGECACHE caches on LP64; it does not
 * grow them with lock contention as Bonwick's Solaris does, and neither
 * does the model (with no concurrent depot access there is no contention
 * to measure).
 *
 * "Current CPU": every get and put asks the cache's store
 * (pool_cache_cpu.ts) for the running CPU's pool_cache_cpu. In the booted
 * kernel that is per-CPU memory reached through the core's TPIDR_EL1
 * (pool_cache_percpu.ts), so the fast paths touch only that CPU's data. Only invalidation, which
 * NetBSD runs on every CPU with a cross-call, walks all of them here.
 *
 * Invariants (pool_cache_check in pool_cache_check.ts): every cached object is
 * in exactly one magazine and is out of the pool; magazines on the full
 * list are full, on the empty list empty, on the part list neither;
 * pc_nfull/pc_nempty/pc_npart are the list lengths.
 */

import { hex, KASSERTMSG, panic, type CpuContext, type Printf } from '../diagnostic';
import { Pool, pool_destroy, pool_get, pool_put, pool_reclaim, type PoolAllocator } from './subr_pool';
import { hostPcCpuStore, type PcCpuStore, type PcCpuStoreFactory, type Pcg, type PoolCacheCpu } from './pool_cache_cpu';

export { pcg_dummy, type Pcg, type PoolCacheCpu } from './pool_cache_cpu';

/** Objects per magazine (sys/pool.h, _LP64). */
export const PCG_NOBJECTS_NORMAL = 15;
export const PCG_NOBJECTS_LARGE = 63;

const FILE = 'subr_pool.c';

/** Constructor: 0 on success (NetBSD returns an errno). */
export type PoolCacheCtor = (obj: number, flags: number) => number;
export type PoolCacheDtor = (obj: number) => void;

export interface PoolCacheOptions {
  size: number;
  align?: number;
  name: string;
  palloc: PoolAllocator;
  ctx: CpuContext;
  ctor?: PoolCacheCtor;
  dtor?: PoolCacheDtor;
  /** PR_LARGECACHE: 63-object magazines instead of 15. */
  largecache?: boolean;
  maxidle?: number;
  printf?: Printf;
  /**
   * Fault injection for magazine allocation (NetBSD's pool_get on
   * pcg_normal_pool, PR_NOWAIT): return true to make the next one fail.
   */
  pcgFail?: () => boolean;
  /** Where the per-CPU state and magazines live (default: host objects). */
  store?: PcCpuStoreFactory;
}

export class PoolCache {
  readonly pc_pool: Pool;
  readonly pc_cpus: readonly PoolCacheCpu[];
  readonly pc_store: PcCpuStore;
  readonly pc_ctx: CpuContext;
  readonly pc_pcgsize: number;
  readonly pc_ctor: PoolCacheCtor | undefined;
  readonly pc_dtor: PoolCacheDtor | undefined;
  readonly pc_pcgfail: (() => boolean) | undefined;
  /** The depot, each list used as a stack (NetBSD's singly linked lists). */
  readonly pc_fullgroups: Pcg[] = [];
  readonly pc_emptygroups: Pcg[] = [];
  readonly pc_partgroups: Pcg[] = [];
  /** Depot exchanges that found a magazine / that had to go to the pool. */
  pc_hits = 0;
  pc_misses = 0;
  /** Magazines in existence (for leak checks: all are in a CPU or the depot). */
  pc_ngroups = 0;
  /** DEBUG's FREECHECK (kern/subr_debug.c): the objects handed out, when enabled. */
  pc_freecheck: Set<number> | null = null;

  constructor(o: PoolCacheOptions) {
    this.pc_pool = new Pool(o);
    this.pc_ctx = o.ctx;
    this.pc_store = (o.store ?? hostPcCpuStore)(o.name, o.ctx);
    this.pc_cpus = this.pc_store.cpus;
    this.pc_pcgsize = o.largecache ? PCG_NOBJECTS_LARGE : PCG_NOBJECTS_NORMAL;
    this.pc_ctor = o.ctor;
    this.pc_dtor = o.dtor;
    this.pc_pcgfail = o.pcgFail;
  }

  get pc_nfull(): number {
    return this.pc_fullgroups.length;
  }
  get pc_nempty(): number {
    return this.pc_emptygroups.length;
  }
  get pc_npart(): number {
    return this.pc_partgroups.length;
  }
}

/** pool_cache_init */
export function pool_cache_init(o: PoolCacheOptions): PoolCache {
  return new PoolCache(o);
}

/** The calling CPU's cache (pc->pc_cpus[curcpu()->ci_index]). */
function pc_curcpu(pc: PoolCache): PoolCacheCpu {
  return pc.pc_store.curcpu();
}

/** pcg allocation (pool_get(pc->pc_pcgpool, PR_NOWAIT)): a new empty magazine or null. */
function pcg_alloc(pc: PoolCache): Pcg | null {
  if (pc.pc_pcgfail?.()) return null;
  const pcg = pc.pc_store.pcg_alloc(pc.pc_pcgsize);
  if (pcg) pc.pc_ngroups++;
  return pcg;
}

/** pool_cache_destruct_object: run the destructor and give the raw item to the pool. */
function pool_cache_destruct_object(pc: PoolCache, obj: number): void {
  pc.pc_dtor?.(obj);
  pool_put(pc.pc_pool, obj);
}

/* ---- get */

/**
 * pool_cache_get_slow: both CPU magazines are empty. Returns true when a
 * full magazine was installed (the caller retries the fast path), or the
 * object (or null) built from a raw pool item.
 */
function pool_cache_get_slow(pc: PoolCache, cc: PoolCacheCpu, flags: number): true | number | null {
  cc.cc_misses++;
  const full = pc.pc_fullgroups.pop();
  if (full) {
    if (cc.cc_current !== pc.pc_store.dummy) pc.pc_emptygroups.push(cc.cc_current);
    cc.cc_current = full;
    pc.pc_hits++;
    return true;
  }
  pc.pc_misses++;
  const obj = pool_get(pc.pc_pool, flags);
  if (obj === null) return null;
  if (pc.pc_ctor && pc.pc_ctor(obj, flags) !== 0) {
    pool_put(pc.pc_pool, obj);
    return null;
  }
  return obj;
}

/** pool_cache_freecheck: turn FREECHECK on (puts of objects not handed out panic). */
export function pool_cache_freecheck(pc: PoolCache): void {
  pc.pc_freecheck = new Set();
}

/** FREECHECK_OUT */
function freecheck_out(pc: PoolCache, obj: number): number {
  if (pc.pc_freecheck) {
    KASSERTMSG(!pc.pc_freecheck.has(obj), 'freecheck', FILE, () => `freecheck_out: ${hex(obj)} already out`);
    pc.pc_freecheck.add(obj);
  }
  return obj;
}

/** FREECHECK_IN: panics, changing nothing, if obj is not out. */
function freecheck_in(pc: PoolCache, obj: number): void {
  if (pc.pc_freecheck && !pc.pc_freecheck.delete(obj)) panic(`freecheck_in: ${hex(obj)} not out`);
}

/** pool_cache_get: a constructed object, from the current CPU's magazines when possible. */
export function pool_cache_get(pc: PoolCache, flags: number): number | null {
  for (;;) {
    const cc = pc_curcpu(pc);
    const cur = cc.cc_current;
    if (cur.pcg_avail > 0) {
      cc.cc_hits++;
      const obj = cur.pcg_get(--cur.pcg_avail);
      return pc.pc_freecheck ? freecheck_out(pc, obj) : obj;
    }
    const prev = cc.cc_previous;
    if (prev.pcg_avail > 0) {
      cc.cc_previous = cur;
      cc.cc_current = prev;
      continue;
    }
    const got = pool_cache_get_slow(pc, cc, flags);
    if (got === true) continue;
    return got !== null && pc.pc_freecheck ? freecheck_out(pc, got) : got;
  }
}

/* ---- put */

/**
 * pool_cache_put_slow: both CPU magazines are full. Returns true when an
 * empty magazine was installed (the caller retries), false when the
 * object went back to the pool instead.
 */
function pool_cache_put_slow(pc: PoolCache, cc: PoolCacheCpu, obj: number): boolean {
  cc.cc_misses++;
  const empty = pc.pc_emptygroups.pop() ?? pcg_alloc(pc);
  if (empty) {
    if (cc.cc_previous === pc.pc_store.dummy) {
      cc.cc_previous = empty;
    } else {
      if (cc.cc_current !== pc.pc_store.dummy) pc.pc_fullgroups.push(cc.cc_current);
      cc.cc_current = empty;
    }
    pc.pc_hits++;
    return true;
  }
  pc.pc_misses++;
  pool_cache_destruct_object(pc, obj);
  return false;
}

/** pool_cache_put: give a constructed object back to the current CPU's magazines. */
export function pool_cache_put(pc: PoolCache, obj: number): void {
  if (pc.pc_freecheck) freecheck_in(pc, obj);
  for (;;) {
    const cc = pc_curcpu(pc);
    const cur = cc.cc_current;
    if (cur.pcg_avail < cur.pcg_size) {
      cur.pcg_set(cur.pcg_avail++, obj);
      cc.cc_hits++;
      return;
    }
    const prev = cc.cc_previous;
    if (prev.pcg_avail < prev.pcg_size) {
      cc.cc_previous = cur;
      cc.cc_current = prev;
      continue;
    }
    if (!pool_cache_put_slow(pc, cc, obj)) return;
  }
}

/* ---- invalidation */

/** Depot list for a magazine by how full it is. */
function pc_depot_list(pc: PoolCache, pcg: Pcg): Pcg[] {
  if (pcg.pcg_avail === pcg.pcg_size) return pc.pc_fullgroups;
  return pcg.pcg_avail === 0 ? pc.pc_emptygroups : pc.pc_partgroups;
}

/** pool_cache_transfer: move one CPU's magazines to the depot (NetBSD runs it on that CPU). */
function pool_cache_transfer(pc: PoolCache, cc: PoolCacheCpu): void {
  for (const pcg of [cc.cc_current, cc.cc_previous]) if (pcg !== pc.pc_store.dummy) pc_depot_list(pc, pcg).push(pcg);
  cc.cc_current = pc.pc_store.dummy;
  cc.cc_previous = pc.pc_store.dummy;
}

/** pool_cache_invalidate_groups: destruct every object of the magazines and free them. */
function pool_cache_invalidate_groups(pc: PoolCache, groups: Pcg[]): void {
  for (const pcg of groups.splice(0)) {
    while (pcg.pcg_avail > 0) pool_cache_destruct_object(pc, pcg.pcg_get(--pcg.pcg_avail));
    pc.pc_store.pcg_free(pcg);
    pc.pc_ngroups--;
  }
}

/**
 * pool_cache_invalidate: every cached object goes back to the pool,
 * destructed. NetBSD cross-calls each CPU to transfer its magazines; the
 * model's cores never run kernel code at the same time, so it walks them.
 */
export function pool_cache_invalidate(pc: PoolCache): void {
  for (const cc of pc.pc_cpus) pool_cache_transfer(pc, cc);
  pool_cache_invalidate_groups(pc, pc.pc_fullgroups);
  pool_cache_invalidate_groups(pc, pc.pc_emptygroups);
  pool_cache_invalidate_groups(pc, pc.pc_partgroups);
}

/** pool_cache_reclaim: empty the cache and give the pool's idle pages back; pages freed. */
export function pool_cache_reclaim(pc: PoolCache): number {
  pool_cache_invalidate(pc);
  return pool_reclaim(pc.pc_pool);
}

/** pool_cache_destroy: nothing may be out. */
export function pool_cache_destroy(pc: PoolCache): void {
  pool_cache_invalidate(pc);
  pool_destroy(pc.pc_pool);
  pc.pc_store.destroy();
}

/** Objects cached in magazines (CPU and depot). */
export function pool_cache_ncached(pc: PoolCache): number {
  let n = 0;
  for (const cc of pc.pc_cpus) n += cc.cc_current.pcg_avail + cc.cc_previous.pcg_avail;
  for (const list of [pc.pc_fullgroups, pc.pc_emptygroups, pc.pc_partgroups]) for (const pcg of list) n += pcg.pcg_avail;
  return n;
}
