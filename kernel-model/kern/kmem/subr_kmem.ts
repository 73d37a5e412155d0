// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem: the allocator of wired kernel memory (NetBSD sys/kern/subr_kmem.c
 * as of rev 1.32, 2010, with Andrew Doran's mid-size cache layer of
 * January 2009: tech-kern, "Patch: optimize kmem_alloc for frequent
 * mid-sized allocations",
 * http://mail-index.netbsd.org/tech-kern/2009/01/11/msg003989.html).
 *
 * kmem_alloc(size) / kmem_free(p, size): the caller remembers the size, so
 * objects carry no header (except under debug, below). Three size bands:
 *
 *   size <= KMEM_QCACHE_MAX (32 quanta)    kmem_arena's quantum caches
 *                                          (vmem_alloc -> pool_cache)
 *   2*KMEM_QCACHE_MAX <= size <= PAGE_SIZE the mid-size caches "kmem-<sz>",
 *                                          one pool_cache per multiple of
 *                                          2*KMEM_QCACHE_MAX, each pool
 *                                          "page" exactly one object taken
 *                                          from kmem_arena (instant-fit)
 *   otherwise                              vmem_alloc(kmem_arena,
 *                                          VM_INSTANTFIT): the arena's
 *                                          segments, imported page-rounded
 *                                          from the kernel's pages
 *
 * (Sizes strictly between KMEM_QCACHE_MAX and twice it take the last path
 * too, as in NetBSD: the caches start at 1 << ffs(KMEM_QCACHE_MAX).)
 *
 * The patch is a switch, kmem_midcache: off, the middle band goes
 * to vmem_alloc as it did before the patch, so one workload runs A/B. The
 * quantum caches and the mid-size caches are pool_caches, so the common
 * kmem_alloc/kmem_free of either band touches only the current CPU's
 * magazines; vmem_alloc of the middle band takes the arena's path.
 *
 * Debug (NetBSD's KMEM_SIZE, on with kmem_debug): every object gets a
 * SIZE_SIZE = max(quantum, sizeof(size_t)) header holding the requested
 * size, the caller gets p + SIZE_SIZE, and kmem_free compares the size it
 * is given with the header before anything else: a mismatch panics with
 * NetBSD's text plus the caller, and the object stays where it is instead
 * of going to the wrong cache. Debug also turns on FREECHECK in the
 * caches (frees of objects not out). The header lives in a KmemHeaders
 * store: a Map here, the object's first bytes once kmem hands out guest
 * memory. KMEM_REDZONE, KMEM_POISON and KMEM_GUARD are not modelled.
 *
 * Units: addresses are `number`s in the address space of the backend
 * (kernel virtual addresses once wired), sizes in bytes.
 */

import { PAGE_SIZE } from '../../arch/arm64/page-def';
import { hex, KASSERTMSG, panic, type CpuContext, type Printf } from '../diagnostic';
import { pool_cache_freecheck, pool_cache_get, pool_cache_init, pool_cache_put, pool_cache_reclaim, type PoolCache } from '../pool/pool_cache';
import type { PcCpuStoreFactory } from '../pool/pool_cache_cpu';
import { vmem_alloc, vmem_create, vmem_free, vmem_reap, vmem_roundup_size, VM_INSTANTFIT, VM_NOSLEEP, VM_SLEEP, type VmemArena } from '../vmem/subr_vmem';

/** km_flag_t (sys/kmem.h); equal to PR_WAITOK / PR_NOWAIT and VM_SLEEP / VM_NOSLEEP. */
export const KM_SLEEP = 0x00000001;
export const KM_NOSLEEP = 0x00000002;

/** KMEM_CACHE_COUNT: at most this many mid-size caches. */
export const KMEM_CACHE_COUNT = 16;

const FILE = 'subr_kmem.c';

/** Where kmem_arena gets its memory: whole pages (uvm_km_alloc of kernel_map in NetBSD). */
export interface KmemBackend {
  /** `size` bytes (a multiple of the page size) of wired kernel memory, or null. */
  alloc(size: number, vmflags: number): number | null;
  free(addr: number, size: number): void;
}

/** Where the KMEM_SIZE headers are kept. */
export interface KmemHeaders {
  set(p: number, size: number): void;
  get(p: number): number | undefined;
  delete(p: number): void;
}

export interface KmemOptions {
  ctx: CpuContext;
  backend: KmemBackend;
  /** The 2009 patch's mid-size cache layer (kmem_midcache=on); default on. */
  midcache?: boolean;
  /** KMEM_SIZE (and FREECHECK): kmem_debug=1. */
  debug?: boolean;
  /** KMEM_QUANTUM_SIZE = ALIGNBYTES + 1; default 8 (LP64). */
  quantum?: number;
  pageSize?: number;
  headers?: KmemHeaders;
  /** memset for kmem_zalloc, once objects are guest memory. */
  memset?: (addr: number, byte: number, len: number) => void;
  printf?: Printf;
  /** Fault injection: make magazine allocation fail in every kmem cache. */
  pcgFail?: () => boolean;
  /** How reports print an address (default hex of the arena address). */
  addrfmt?: (p: number) => string;
  /** Where every kmem cache keeps its per-CPU state and magazines (default: host objects). */
  store?: PcCpuStoreFactory;
  /** Fault injection for pool pages (quantum caches and mid-size caches): true fails that page. */
  pageFail?: () => boolean;
}

export interface Kmem {
  readonly kmem_arena: VmemArena;
  /** kmem_cache[i]: objects of i << kmem_cache_shift bytes (index 0 unused; none with midcache off). */
  readonly kmem_cache: (PoolCache | undefined)[];
  readonly kmem_cache_min: number;
  readonly kmem_cache_max: number;
  readonly kmem_cache_shift: number;
  readonly midcache: boolean;
  readonly debug: boolean;
  /** SIZE_SIZE: 0 without debug. */
  readonly size_size: number;
  readonly headers: KmemHeaders;
  readonly memset: ((addr: number, byte: number, len: number) => void) | undefined;
  readonly pageSize: number;
  /** How reports print an address (%p): the kernel VA once kmem is wired. */
  readonly addrfmt: (p: number) => string;
}

/** ffs(3): the 1-based index of the lowest set bit. */
function ffs(x: number): number {
  return 32 - Math.clz32(x & -x);
}

/** kmf_to_vmf, which also checks that exactly one of KM_SLEEP, KM_NOSLEEP is set. */
function kmf_to_vmf(kmflags: number): number {
  KASSERTMSG((kmflags & (KM_SLEEP | KM_NOSLEEP)) !== 0 && (~kmflags & (KM_SLEEP | KM_NOSLEEP)) !== 0, '(kmflags & (KM_SLEEP|KM_NOSLEEP)) exactly one', FILE, () => `kmflags ${hex(kmflags)}`);
  return kmflags & KM_SLEEP ? VM_SLEEP : VM_NOSLEEP;
}

/** kmem_init: kmem_arena with its quantum caches, then the mid-size caches. */
export function kmem_init(o: KmemOptions): Kmem {
  const quantum = o.quantum ?? 8;
  const pageSize = o.pageSize ?? PAGE_SIZE;
  const qcache_max = quantum * 32;
  const printf = o.printf ?? (() => {});
  const debug = o.debug ?? false;
  const midcache = o.midcache ?? true;
  const roundPage = (n: number): number => Math.ceil(n / pageSize) * pageSize;
  const arena = vmem_create({
    name: 'kmem',
    quantum,
    qcache_max,
    ctx: o.ctx,
    debug,
    printf,
    pcgFail: o.pcgFail,
    store: o.store,
    qcPageFail: o.pageFail,
    importfn: (size, vmflags) => {
      const sz = roundPage(size);
      const addr = o.backend.alloc(sz, vmflags);
      return addr === null ? null : { addr, size: sz };
    },
    releasefn: (addr, size) => o.backend.free(addr, size),
  });
  // "kmem caches start at twice the size of the largest vmem qcache and end at PAGE_SIZE or earlier"
  const shift = ffs(qcache_max);
  const caches: (PoolCache | undefined)[] = [undefined];
  let max = 0;
  for (let i = 1; i <= KMEM_CACHE_COUNT; i++) {
    const sz = i << shift;
    if (sz > pageSize) break;
    max = sz;
    if (!midcache) continue; // before the patch there were no such caches
    const pc = pool_cache_init({
      size: sz,
      align: quantum,
      name: `kmem-${sz}`,
      ctx: o.ctx,
      printf,
      pcgFail: o.pcgFail,
      store: o.store,
      palloc: {
        pa_pagesz: sz,
        pa_alloc: (_pp, prflags) => (o.pageFail?.() ? null : vmem_alloc(arena, sz, kmf_to_vmf(prflags) | VM_INSTANTFIT)),
        pa_free: (_pp, addr) => vmem_free(arena, addr, sz),
      },
    });
    if (debug) pool_cache_freecheck(pc);
    caches[i] = pc;
  }
  return {
    kmem_arena: arena,
    kmem_cache: caches,
    kmem_cache_min: 1 << shift,
    kmem_cache_max: max,
    kmem_cache_shift: shift,
    midcache,
    debug,
    size_size: debug ? Math.max(quantum, 8) : 0,
    headers: o.headers ?? new Map<number, number>(),
    memset: o.memset,
    pageSize,
    addrfmt: o.addrfmt ?? hex,
  };
}

/** The mid-size cache for an allocation of `allocsz` bytes, if that band is on and covers it. */
export function kmem_cache_lookup(km: Kmem, allocsz: number): PoolCache | undefined {
  if (!km.midcache || allocsz < km.kmem_cache_min || allocsz > km.kmem_cache_max) return undefined;
  const mask = km.kmem_cache_min - 1;
  return km.kmem_cache[Math.floor((allocsz + mask) / km.kmem_cache_min)];
}

/** kmem_alloc: `size` bytes of wired memory, or null (KM_NOSLEEP, or KM_SLEEP until it can sleep). */
export function kmem_alloc(km: Kmem, size: number, kmflags: number): number | null {
  KASSERTMSG(Number.isSafeInteger(size) && size > 0, 'size > 0', FILE, () => `kmem_alloc(${size})`);
  const vmflags = kmf_to_vmf(kmflags);
  const allocsz = size + km.size_size;
  const kc = kmem_cache_lookup(km, allocsz);
  const p = kc ? pool_cache_get(kc, kmflags & (KM_SLEEP | KM_NOSLEEP)) : vmem_alloc(km.kmem_arena, allocsz, vmflags | VM_INSTANTFIT);
  if (p === null) return null;
  if (km.debug) km.headers.set(p, size);
  return p + km.size_size;
}

/** kmem_zalloc: kmem_alloc, zeroed. */
export function kmem_zalloc(km: Kmem, size: number, kmflags: number): number | null {
  KASSERTMSG(km.memset !== undefined, 'memset != NULL', FILE, () => 'kmem_zalloc: kmem has no memory to zero yet (not wired to guest memory)');
  const p = kmem_alloc(km, size, kmflags);
  if (p !== null) km.memset(p, 0, size);
  return p;
}

/** The first caller outside this file, from the JavaScript stack (debug reports only). */
function kmem_caller(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  const outside = frames.find((f) => !/(subr_kmem|kmem_kernel)\.(ts|js)/.test(f));
  const named = outside?.match(/at (?:async )?([^\s(]+) \(/);
  if (named) return named[1]!;
  const anon = outside?.match(/([^/\\\s(]+\.(?:ts|js|mjs):\d+)/);
  return anon?.[1] ?? '?';
}

/** kmem_size_check: the header must hold the size the caller frees with. */
function kmem_size_check(km: Kmem, p: number, size: number): void {
  const psz = km.headers.get(p);
  if (psz === size) return;
  const user = km.addrfmt(p + km.size_size);
  if (psz === undefined) panic(`kmem_free(${user}, ${size}): not allocated (caller ${kmem_caller()})`);
  panic(`kmem_free(${user}, ${size}) != allocated size ${psz} (caller ${kmem_caller()})`);
}

/** kmem_free: give back what kmem_alloc(size) returned. */
export function kmem_free(km: Kmem, p: number, size: number): void {
  KASSERTMSG(Number.isSafeInteger(size) && size > 0, 'size > 0', FILE, () => `kmem_free(${km.addrfmt(p)}, ${size})`);
  const base = p - km.size_size;
  if (km.debug) {
    kmem_size_check(km, base, size);
    km.headers.delete(base);
  }
  const allocsz = size + km.size_size;
  const kc = kmem_cache_lookup(km, allocsz);
  if (kc) pool_cache_put(kc, base);
  else vmem_free(km.kmem_arena, base, allocsz);
}

/** kmem_roundup_size */
export function kmem_roundup_size(km: Kmem, size: number): number {
  return vmem_roundup_size(km.kmem_arena, size);
}

/**
 * kmem_reap: the caches give their idle objects back and the arena its
 * idle quantum-cache pages (NetBSD: the pagedaemon drains the pools and
 * kmem_kva_reclaim_callback reaps the arena); wholly free imported spans
 * then go back to the backend.
 */
export function kmem_reap(km: Kmem): void {
  for (const pc of km.kmem_cache) if (pc) pool_cache_reclaim(pc);
  vmem_reap(km.kmem_arena);
}

/** Every pool cache kmem owns: the arena's quantum caches, then the mid-size caches. */
export function kmem_caches(km: Kmem): PoolCache[] {
  const qcs = [...new Set(km.kmem_arena.vm_qcache.map((qc) => qc.qc_cache))];
  return [...qcs, ...km.kmem_cache.filter((pc): pc is PoolCache => pc !== undefined)];
}
