// SPDX-License-Identifier: GPL-2.0-only
/*
 * The slab allocator for kernel objects: kmem_cache_create /
 * kmem_cache_alloc / kmem_cache_free, and kmalloc's size classes on top
 * (include/linux/slab.h, mm/slab_common.c; 5.10 arm64).
 *
 * Built on the pieces kmem already has rather than as a second SLUB: a
 * kmem_cache is a pool_cache (kern/pool/pool_cache.ts) whose pool's
 * "pages" are slabs of 2^order pages from the buddy allocator, reached
 * through the linear map. That is the design of Linux's original SLAB
 * (mm/slab.c): slabs of objects, and per-CPU arrays of free objects in
 * front of them (array_cache), here Bonwick's magazines, which is what
 * array_cache descends from. The per-CPU part is the booted kernel's
 * pool_cache store (pool_cache_percpu.ts): each cache's loaded and
 * previous magazine live in per-CPU memory found through TPIDR_EL1, as
 * SLUB's s->cpu_slab does.
 *
 * Slab order: SLUB's calculate_order in spirit: the smallest order that
 * holds at least min_objects = 4 * (fls(nr_cpus) + 1) objects, at most
 * PAGE_ALLOC_COSTLY_ORDER (3), and at least one object.
 *
 * kmalloc: arm64 5.10 has ARCH_DMA_MINALIGN = 128, so KMALLOC_MIN_SIZE is
 * 128 and the classes are kmalloc-128, -256, -512, -1k, -2k, -4k, -8k
 * (KMALLOC_SHIFT_HIGH = PAGE_SHIFT + 1; no -96 or -192, which exist only
 * when KMALLOC_MIN_SIZE is below them). Larger requests go to the page
 * allocator (kmalloc_large), not to a cache, and do not count as slab.
 *
 * kfree finds the cache from the page (virt_to_head_page(p)->slab_cache):
 * here a map from every PFN of a slab to its cache, and from the head PFN
 * of a kmalloc_large block to its order (the compound order). A pointer
 * in neither is reported in one line and nothing changes. Objects handed
 * out are tracked (FREECHECK, as SLAB_FREELIST_HARDENED catches a naive
 * double free): a double kfree is a one-line report, nothing changes.
 *
 * Accounting: every slab page counts in NR_SLAB_UNRECLAIMABLE_B, or in
 * NR_SLAB_RECLAIMABLE_B for SLAB_RECLAIM_ACCOUNT caches: /proc/meminfo's
 * Slab, SReclaimable and SUnreclaim. /proc/slabinfo in the 2.1 format is
 * slabinfo.ts.
 *
 * Invariants (slab_check): every slab page maps to the cache whose pool
 * holds it, each pool and cache passes pool_cache_check, and the page
 * counts are the sums over the pools.
 */

import { PAGE_SIZE } from '../../arch/arm64/page-def';
import { KernelDiagnostic, type CpuContext } from '../../kern/diagnostic';
import { pool_cache_destroy, pool_cache_freecheck, pool_cache_get, pool_cache_init, pool_cache_put, type PoolCache } from '../../kern/pool/pool_cache';
import { pool_cache_check } from '../../kern/pool/pool_cache_check';
import { PR_NOWAIT } from '../../kern/pool/subr_pool';
import type { PcCpuStoreFactory } from '../../kern/pool/pool_cache_cpu';
import { GFP_KERNEL, __GFP_ZERO } from '../page_alloc';
import type { KernelPages } from './kpages';

export const SLAB_HWCACHE_ALIGN = 0x00002000;
export const SLAB_RECLAIM_ACCOUNT = 0x00020000;
export const SLAB_PANIC = 0x00040000;

export const KMALLOC_MIN_SIZE = 128;
export const KMALLOC_SHIFT_LOW = 7;
export const KMALLOC_SHIFT_HIGH = 13;
export const KMALLOC_MAX_CACHE_SIZE = 1 << KMALLOC_SHIFT_HIGH;
export const PAGE_ALLOC_COSTLY_ORDER = 3;
/** cache_line_size() on the Cortex-A72 / A53. */
const L1_CACHE_BYTES = 64;

export class KmemCache {
  /** Objects out of the cache (allocated, not freed). */
  active = 0;
  constructor(
    readonly name: string,
    readonly object_size: number,
    /** Object size with alignment padding. */
    readonly size: number,
    readonly align: number,
    readonly flags: number,
    readonly order: number,
    readonly pc: PoolCache,
  ) {}

  get objperslab(): number {
    return this.pc.pc_pool.pr_itemsperpage;
  }
}

/** Fault injection (failslab, fail_page_alloc for slabs): true fails that allocation. */
export interface SlabFaults {
  object?: (s: KmemCache) => boolean;
  page?: () => boolean;
}

export interface SlabOptions {
  pages: KernelPages;
  ctx: CpuContext;
  store: PcCpuStoreFactory;
  printk: (line: string) => void;
  /**
   * Run `fn` as kernel code: as it is when some core runs kernel code,
   * else (a test or a benchmark calling from the top level) on CPU 0, as
   * Kernel.on(0, fn). The per-CPU caches need a running CPU.
   */
  asKernel?: <R>(fn: () => R) => R;
}

const fls = (x: number): number => (x <= 0 ? 0 : 32 - Math.clz32(x));

/** The kmalloc class index of a request (kmalloc_index): 7 for <= 128, up to 13. */
export function kmalloc_index(size: number): number {
  if (size <= KMALLOC_MIN_SIZE) return KMALLOC_SHIFT_LOW;
  return fls(size - 1);
}

/** The name of a kmalloc class: kmalloc-128 ... kmalloc-8k. */
function kmalloc_name(shift: number): string {
  const n = 1 << shift;
  return n >= 1024 ? `kmalloc-${n >> 10}k` : `kmalloc-${n}`;
}

export class Slab {
  readonly caches: KmemCache[] = [];
  /** kmalloc_caches[KMALLOC_NORMAL][index]. */
  readonly kmalloc_caches: (KmemCache | undefined)[] = [];
  readonly faults: SlabFaults = {};
  /** page->slab_cache for every page of every slab. */
  private readonly pageCache = new Map<number, KmemCache>();
  /** The compound order of each kmalloc_large block, by head PFN. */
  private readonly large = new Map<number, number>();
  /** Pages in slabs, unreclaimable and reclaimable (NR_SLAB_*_B in pages). */
  nr_slab_unreclaimable = 0;
  nr_slab_reclaimable = 0;
  /** Pages of kmalloc_large blocks. */
  nr_large_pages = 0;

  constructor(private readonly o: SlabOptions) {
    for (let shift = KMALLOC_SHIFT_LOW; shift <= KMALLOC_SHIFT_HIGH; shift++) {
      this.kmalloc_caches[shift] = this.kmem_cache_create(kmalloc_name(shift), 1 << shift, 0, SLAB_PANIC) ?? undefined;
    }
  }

  private slab_order(size: number): number {
    const minObjects = 4 * (fls(this.o.ctx.ncpu) + 1);
    let order = 0;
    while (order < PAGE_ALLOC_COSTLY_ORDER && (PAGE_SIZE << order) / size < minObjects) order++;
    while ((PAGE_SIZE << order) < size) order++;
    return order;
  }

  /** kmem_cache_create: a cache of `size`-byte objects; null (or a panic with SLAB_PANIC) on bad input. */
  kmem_cache_create(name: string, size: number, align: number, flags: number, ctor?: (va: bigint) => void): KmemCache | null {
    const bad = !Number.isInteger(size) || size <= 0 || size > KMALLOC_MAX_CACHE_SIZE * 4 ? `size ${size}` : align && (align & (align - 1)) !== 0 ? `align ${align}` : '';
    if (bad) {
      const msg = `kmem_cache_create(${name}) failed with error -22 (${bad})`;
      if (flags & SLAB_PANIC) throw new KernelDiagnostic(`panic: ${msg}`);
      this.o.printk(msg);
      return null;
    }
    let a = Math.max(align, 8);
    if (flags & SLAB_HWCACHE_ALIGN) while (a < L1_CACHE_BYTES && a < size) a *= 2;
    const objsize = Math.ceil(size / a) * a;
    const order = this.slab_order(objsize);
    const pages = this.o.pages;
    const cacheRef: { s?: KmemCache } = {};
    const pc = pool_cache_init({
      size: objsize,
      align: a,
      name,
      ctx: this.o.ctx,
      store: this.o.store,
      ctor: ctor ? (obj) => (ctor(pages.va(obj)), 0) : undefined,
      palloc: {
        pa_pagesz: PAGE_SIZE << order,
        pa_alloc: () => (this.faults.page?.() ? null : this.new_slab(cacheRef.s!, order)),
        pa_free: (_pp, koff) => this.discard_slab(cacheRef.s!, koff, order),
      },
    });
    pool_cache_freecheck(pc);
    const s = new KmemCache(name, size, objsize, a, flags, order, pc);
    cacheRef.s = s;
    this.caches.push(s);
    return s;
  }

  private new_slab(s: KmemCache, order: number): number | null {
    const koff = this.o.pages.alloc(GFP_KERNEL, order);
    if (koff === null) return null;
    const pfn = this.o.pages.pfn(koff);
    for (let i = 0; i < 1 << order; i++) this.pageCache.set(pfn + i, s);
    if (s.flags & SLAB_RECLAIM_ACCOUNT) this.nr_slab_reclaimable += 1 << order;
    else this.nr_slab_unreclaimable += 1 << order;
    return koff;
  }

  private discard_slab(s: KmemCache, koff: number, order: number): void {
    const pfn = this.o.pages.pfn(koff);
    for (let i = 0; i < 1 << order; i++) this.pageCache.delete(pfn + i);
    if (s.flags & SLAB_RECLAIM_ACCOUNT) this.nr_slab_reclaimable -= 1 << order;
    else this.nr_slab_unreclaimable -= 1 << order;
    this.o.pages.free(koff, order);
  }

  /** kmem_cache_destroy: objects still out are reported and the cache stays. */
  kmem_cache_destroy(s: KmemCache): void {
    if (s.active > 0) {
      this.o.printk(`kmem_cache_destroy ${s.name}: Slab cache still has objects`);
      return;
    }
    pool_cache_destroy(s.pc);
    this.caches.splice(this.caches.indexOf(s), 1);
  }

  /** kmem_cache_alloc: an object's kernel VA, or 0n. */
  kmem_cache_alloc(s: KmemCache, gfp: number): bigint {
    if (this.faults.object?.(s)) return 0n;
    const koff = pool_cache_get(s.pc, PR_NOWAIT);
    if (koff === null) return 0n;
    s.active++;
    if (gfp & __GFP_ZERO) this.o.pages.memset(koff, 0, s.object_size);
    return this.o.pages.va(koff);
  }

  kmem_cache_zalloc(s: KmemCache, gfp: number): bigint {
    return this.kmem_cache_alloc(s, gfp | __GFP_ZERO);
  }

  /** kmem_cache_free: a pointer of another cache, or not out, is reported and nothing changes. */
  kmem_cache_free(s: KmemCache, va: bigint): void {
    const owner = this.cacheOf(va);
    if (owner !== s) {
      this.o.printk(`cache_from_obj: Wrong slab cache. ${s.name} but object is from ${owner?.name ?? 'no cache'}`);
      return;
    }
    this.slab_free(s, va);
  }

  private slab_free(s: KmemCache, va: bigint): void {
    const koff = this.o.pages.koff(va);
    if (!s.pc.pc_freecheck?.has(koff)) {
      this.o.printk(`kfree: double free or invalid pointer 0x${va.toString(16)} in ${s.name}`);
      return;
    }
    pool_cache_put(s.pc, koff);
    s.active--;
  }

  /** Run `fn` where the per-CPU caches have a current CPU (SlabOptions.asKernel). */
  asKernel<R>(fn: () => R): R {
    return this.o.asKernel ? this.o.asKernel(fn) : fn();
  }

  /** The kernel VA of a kernel offset (the pools' unit). */
  kva(koff: number): bigint {
    return this.o.pages.va(koff);
  }

  /** The cache of a slab object (virt_to_head_page(p)->slab_cache). */
  cacheOf(va: bigint): KmemCache | undefined {
    const koff = this.o.pages.koff(va);
    return koff >= 0 ? this.pageCache.get(this.o.pages.pfn(koff)) : undefined;
  }

  /** kmalloc: `size` bytes from the class that fits, or whole pages above 8 KiB; 0n on failure or size 0. */
  kmalloc(size: number, gfp: number): bigint {
    if (!Number.isInteger(size) || size <= 0) return 0n; // ZERO_SIZE_PTR is not modelled: size 0 gets NULL
    if (size > KMALLOC_MAX_CACHE_SIZE) return this.kmalloc_large(size, gfp);
    return this.kmem_cache_alloc(this.kmalloc_caches[kmalloc_index(size)]!, gfp);
  }

  kzalloc(size: number, gfp: number): bigint {
    return this.kmalloc(size, gfp | __GFP_ZERO);
  }

  private kmalloc_large(size: number, gfp: number): bigint {
    const order = Math.max(0, fls(Math.ceil(size / PAGE_SIZE) - 1));
    if (this.faults.page?.()) return 0n;
    const koff = this.o.pages.alloc(gfp & ~__GFP_ZERO, order);
    if (koff === null) return 0n;
    if (gfp & __GFP_ZERO) this.o.pages.memset(koff, 0, PAGE_SIZE << order);
    this.large.set(this.o.pages.pfn(koff), order);
    this.nr_large_pages += 1 << order;
    return this.o.pages.va(koff);
  }

  /** kfree: NULL is ignored; a pointer kmalloc did not return is reported and nothing changes. */
  kfree(va: bigint): void {
    if (va === 0n) return;
    const s = this.cacheOf(va);
    if (s) return this.slab_free(s, va);
    const koff = this.o.pages.koff(va);
    const order = koff >= 0 && koff % PAGE_SIZE === 0 ? this.large.get(this.o.pages.pfn(koff)) : undefined;
    if (order === undefined) {
      this.o.printk(`kfree: 0x${va.toString(16)} is not a slab object or a kmalloc'ed page`);
      return;
    }
    this.large.delete(this.o.pages.pfn(koff));
    this.nr_large_pages -= 1 << order;
    this.o.pages.free(koff, order);
  }

  /** ksize: the usable size of a kmalloc'ed object. */
  ksize(va: bigint): number {
    const s = this.cacheOf(va);
    if (s) return s.size;
    const order = this.large.get(this.o.pages.pfn(this.o.pages.koff(va)));
    return order === undefined ? 0 : PAGE_SIZE << order;
  }
}

/** slab_check: the pools' invariants and the page bookkeeping. */
export function slab_check(slab: Slab): string[] {
  const errors: string[] = [];
  let unrecl = 0;
  let recl = 0;
  for (const s of slab.caches) {
    errors.push(...pool_cache_check(s.pc));
    const pages = s.pc.pc_pool.pr_npages << s.order;
    if (s.flags & SLAB_RECLAIM_ACCOUNT) recl += pages;
    else unrecl += pages;
    for (const ph of s.pc.pc_pool.pr_pages) {
      if (slab.cacheOf(slab.kva(ph.ph_page)) !== s) errors.push(`slab ${s.name}: page 0x${ph.ph_page.toString(16)} does not map to its cache`);
    }
    const out = s.pc.pc_freecheck?.size ?? 0;
    if (out !== s.active) errors.push(`slab ${s.name}: ${s.active} active, ${out} handed out`);
  }
  if (unrecl !== slab.nr_slab_unreclaimable) errors.push(`slab: NR_SLAB_UNRECLAIMABLE ${slab.nr_slab_unreclaimable} pages, slabs hold ${unrecl}`);
  if (recl !== slab.nr_slab_reclaimable) errors.push(`slab: NR_SLAB_RECLAIMABLE ${slab.nr_slab_reclaimable} pages, slabs hold ${recl}`);
  return errors;
}
