// SPDX-License-Identifier: GPL-2.0-only
/*
 * The booted kernel's pool_cache store: each cache's pool_cache_cpu is a
 * per-CPU variable from __alloc_percpu, and the magazines are wired
 * kernel memory, so every CPU's loaded and previous magazine is guest
 * memory that ARM64 code on that core can read through TPIDR_EL1
 * (this_cpu_ptr), as NetBSD's pc_cpus[curcpu()->ci_index] and Linux's
 * SLUB cpu_slab (a __percpu pointer) are.
 *
 * Layouts (little endian, pointers are kernel virtual addresses):
 *
 *   struct pool_cache_cpu (PCC_SIZE = 32, per CPU)
 *     +0  cc_current   pcg_t *
 *     +8  cc_previous  pcg_t *
 *     +16 cc_hits      u64
 *     +24 cc_misses    u64
 *
 *   pcg_t (8 + 8 * pcg_size bytes)
 *     +0  pcg_avail    u32
 *     +4  pcg_size     u32
 *     +8  pcg_objects  u64[pcg_size]  (the objects' kernel addresses)
 *
 * Magazines come from two pools shared by every cache of the store, as
 * NetBSD's pcg_normal_pool and pcg_large_pool; their pages come from the
 * page allocator through the linear map. The dummy magazine is one
 * zero-sized pcg_t of its own (NetBSD: pcg_dummy in .rodata).
 *
 * Kernel addresses are handled as offsets from PAGE_OFFSET (`koff`, a
 * number below 2^53), the unit of the kmem arena (subr_vmem.ts). The
 * running CPU's pool_cache_cpu is found on every get and put as
 * this_cpu_ptr(pc_cpus) = pointer + TPIDR_EL1 of the core the kernel code
 * runs on (in kernel offsets: the sum wraps the same way); the views of
 * all CPUs' copies are made once and looked up by the address that sum
 * lands on, so the lookup itself is the per-CPU addressing and nothing is
 * keyed by a CPU number.
 *
 * The views read and write guest memory on every access; nothing is
 * mirrored on the host except the map from a magazine's address to its
 * view (NetBSD's pointer dereference).
 */

import { KASSERTMSG, KernelDiagnostic } from '../diagnostic';
import { pool_get, pool_init, pool_put, PR_NOWAIT, type Pool, type PoolAllocator } from './subr_pool';
import type { PcCpuStore, PcCpuStoreFactory, Pcg, PoolCacheCpu } from './pool_cache_cpu';

export const PCC_SIZE = 32;
export const PCC_CURRENT = 0;
export const PCC_PREVIOUS = 8;
export const PCC_HITS = 16;
export const PCC_MISSES = 24;
export const PCG_AVAIL = 0;
export const PCG_SIZE = 4;
export const PCG_OBJECTS = 8;

const TWO32 = 2 ** 32;
/** PAGE_OFFSET's high word: koff -> kernel VA is only a high-word add. */
const KVA_HI = 0xffff_ff80;

/** What the store needs of the kernel. */
export interface PercpuGuest {
  /** Live 32-bit view of `count` words of guest memory at kernel offset koff (within a page). */
  words(koff: number, count: number): Uint32Array;
  /** __alloc_percpu(size, align): a zeroed __percpu pointer, 0n on failure. */
  alloc_percpu(size: number, align: number): bigint;
  free_percpu(ptr: bigint): void;
  per_cpu_ptr(ptr: bigint, cpu: number): bigint;
  /** The running core's TPIDR_EL1 (__my_cpu_offset) as a signed number: this_cpu_ptr(p) = p + it. */
  my_cpu_offset(): number;
  /** Kernel VA -> kernel offset (va - PAGE_OFFSET). */
  koff(va: bigint): number;
  /** Pages for the magazine pools (linear map, kernel offsets). */
  pages: PoolAllocator;
  ncpu: number;
}

function setPtr(w: Uint32Array, i: number, koff: number): void {
  w[i] = koff % TWO32;
  w[i + 1] = KVA_HI + Math.floor(koff / TWO32);
}

function getPtr(w: Uint32Array, i: number): number {
  const hi = w[i + 1]! - KVA_HI;
  return hi === 0 ? w[i]! : hi * TWO32 + w[i]!;
}

function getU64(w: Uint32Array, i: number): number {
  const hi = w[i + 1]!;
  return hi === 0 ? w[i]! : hi * TWO32 + w[i]!;
}

function setU64(w: Uint32Array, i: number, v: number): void {
  if (v < TWO32) {
    w[i] = v;
    w[i + 1] = 0;
    return;
  }
  w[i] = v % TWO32;
  w[i + 1] = Math.floor(v / TWO32);
}

class GuestPcg implements Pcg {
  constructor(readonly koff: number, private readonly w: Uint32Array) {}
  get pcg_avail(): number {
    return this.w[0]!;
  }
  set pcg_avail(n: number) {
    this.w[0] = n;
  }
  get pcg_size(): number {
    return this.w[1]!;
  }
  pcg_get(i: number): number {
    return getPtr(this.w, 2 + 2 * i);
  }
  pcg_set(i: number, obj: number): void {
    setPtr(this.w, 2 + 2 * i, obj);
  }
}

/** Magazines of every cache of the kernel: address -> view, and the pools they come from. */
class PcgSpace {
  readonly byKoff = new Map<number, GuestPcg>();
  private readonly pools = new Map<number, Pool>();
  readonly dummy: GuestPcg;

  constructor(private readonly g: PercpuGuest) {
    const d = this.alloc(0);
    KASSERTMSG(d !== null, 'pcg_dummy != NULL', 'subr_pool.c', () => 'no page for the dummy magazine');
    this.dummy = d;
  }

  private pool(size: number): Pool {
    let pp = this.pools.get(size);
    if (!pp) {
      const bytes = PCG_OBJECTS + 8 * size;
      pp = pool_init({ size: bytes, align: 8, name: size === 0 ? 'pcgdummy' : `pcg${size}`, palloc: this.g.pages });
      this.pools.set(size, pp);
    }
    return pp;
  }

  /** Every magazine pool (for vmstat -m). */
  get allPools(): Pool[] {
    return [...this.pools.values()];
  }

  alloc(size: number): GuestPcg | null {
    const koff = pool_get(this.pool(size), PR_NOWAIT);
    if (koff === null) return null;
    const w = this.g.words(koff, 2 + 2 * size);
    w[0] = 0;
    w[1] = size;
    const pcg = new GuestPcg(koff, w);
    this.byKoff.set(koff, pcg);
    return pcg;
  }

  free(pcg: GuestPcg): void {
    this.byKoff.delete(pcg.koff);
    pool_put(this.pool(pcg.pcg_size), pcg.koff);
  }
}

class GuestPoolCacheCpu implements PoolCacheCpu {
  /** The last magazine each slot's pointer led to: the lookup is redone only when the pointer changed. */
  private readonly seen: GuestPcg[];
  constructor(private readonly w: Uint32Array, private readonly space: PcgSpace) {
    this.seen = [space.dummy, space.dummy, space.dummy];
  }
  private pcg(i: number): Pcg {
    const koff = getPtr(this.w, i);
    const last = this.seen[i]!;
    if (last.koff === koff) return last;
    const pcg = this.space.byKoff.get(koff);
    if (pcg === undefined) throw new KernelDiagnostic('panic: kernel diagnostic assertion "pcg != NULL" failed: file "subr_pool.c" pool_cache_cpu points at no magazine');
    this.seen[i] = pcg;
    return pcg;
  }
  get cc_current(): Pcg {
    return this.pcg(0);
  }
  set cc_current(p: Pcg) {
    setPtr(this.w, 0, (p as GuestPcg).koff);
  }
  get cc_previous(): Pcg {
    return this.pcg(2);
  }
  set cc_previous(p: Pcg) {
    setPtr(this.w, 2, (p as GuestPcg).koff);
  }
  get cc_hits(): number {
    return getU64(this.w, 4);
  }
  set cc_hits(n: number) {
    setU64(this.w, 4, n);
  }
  get cc_misses(): number {
    return getU64(this.w, 6);
  }
  set cc_misses(n: number) {
    setU64(this.w, 6, n);
  }
}

/** Per-CPU pool caches: the store factory, and what it allocated. */
export class PercpuPoolCaches {
  private readonly space: PcgSpace;
  /** The __percpu pointer of each cache's pool_cache_cpu, by cache name. */
  readonly pcc = new Map<string, bigint>();

  constructor(private readonly g: PercpuGuest) {
    this.space = new PcgSpace(g);
  }

  /** The magazine pools, for the statistics. */
  get pools(): Pool[] {
    return this.space.allPools;
  }

  readonly factory: PcCpuStoreFactory = (name) => this.store(name);

  private store(name: string): PcCpuStore {
    const g = this.g;
    const space = this.space;
    const ptr = g.alloc_percpu(PCC_SIZE, PCC_SIZE); // aligned to its size: never across a page
    KASSERTMSG(ptr !== 0n, 'pc->pc_cpus != NULL', 'subr_pool.c', () => `pool_cache ${name}: no per-CPU memory for its pool_cache_cpu`);
    this.pcc.set(name, ptr);
    const byKoff = new Map<number, GuestPoolCacheCpu>();
    const ptrKoff = g.koff(ptr); // the __percpu pointer is a kernel address too (in the image's per-CPU section)
    const cpus: GuestPoolCacheCpu[] = [];
    let lastAt = -1;
    let lastCc: GuestPoolCacheCpu | undefined;
    for (let cpu = 0; cpu < g.ncpu; cpu++) {
      const koff = g.koff(g.per_cpu_ptr(ptr, cpu));
      const cc = new GuestPoolCacheCpu(g.words(koff, PCC_SIZE / 4), space);
      cc.cc_current = space.dummy;
      cc.cc_previous = space.dummy;
      byKoff.set(koff, cc);
      cpus.push(cc);
    }
    return {
      dummy: space.dummy,
      cpus,
      curcpu: () => {
        // this_cpu_ptr: the address is computed from TPIDR_EL1 every time; only its view is remembered.
        const at = ptrKoff + g.my_cpu_offset();
        if (at === lastAt) return lastCc!;
        const cc = byKoff.get(at);
        KASSERTMSG(cc !== undefined, 'cc != NULL', 'subr_pool.c', () => `pool_cache ${name}: TPIDR_EL1 does not lead to a pool_cache_cpu`);
        lastAt = at;
        lastCc = cc;
        return cc;
      },
      pcg_alloc: (size) => space.alloc(size),
      pcg_free: (pcg) => space.free(pcg as GuestPcg),
      destroy: () => {
        g.free_percpu(ptr);
        this.pcc.delete(name);
      },
    };
  }
}
