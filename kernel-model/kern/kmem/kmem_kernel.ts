// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem in the booted kernel (NetBSD uvm_km_bootstrap / kmem_init, on the
 * model's arm64 memory map).
 *
 * Where the memory comes from. kmem_arena imports page-rounded spans
 * (uvm_km_kmem_alloc in NetBSD) from the kernel's pages:
 *
 *   spans of 1, 2, 4 or 8 pages   alloc_pages(GFP_KERNEL, order), used
 *                                 through the linear map: physically
 *                                 contiguous, no page-table work, as
 *                                 Linux's slab and kmalloc_large pages and
 *                                 NetBSD's direct-mapped pool pages are;
 *   larger or odd-sized spans     vmalloc: pages one by one, mapped in the
 *                                 vmalloc range, as NetBSD maps kmem spans
 *                                 into kernel_map page by page and Linux's
 *                                 kvmalloc falls back to vmalloc; the buddy
 *                                 allocator is not asked for high orders
 *                                 it may not have (PAGE_ALLOC_COSTLY_ORDER).
 *
 * The arena's addresses are kernel offsets (va - PAGE_OFFSET, kpages.ts),
 * which cover both. The pool caches (quantum caches, mid-size caches)
 * keep their per-CPU state in per-CPU memory (pool_cache_percpu.ts),
 * shared with the slab's caches.
 *
 * Boot parameters: kmem_midcache=on|off (the 2009 patch's layer, default
 * on) and kmem_debug=1 (KMEM_SIZE and FREECHECK; the size headers are the
 * objects' first 8 bytes in guest memory).
 *
 * KM_SLEEP. kmem_alloc_sleep is for kernel threads: when memory is short
 * the thread waits on the kmem wait queue (NetBSD: vmem's vm_cv and
 * uvm_wait) until a kmem_free or an arena release wakes it, or
 * KMEM_SLEEP_RETRY_MS passes (pages freed elsewhere wake no one, as
 * uvm_wait's timeout covers in NetBSD), and tries again. Called from code
 * that is not a thread, KM_SLEEP cannot wait and fails like KM_NOSLEEP,
 * saying so.
 *
 * A diagnostic (kmem_alloc(0), a free of a pointer never allocated, a
 * double free, a size mismatch under kmem_debug) ends the request, not
 * the machine: its one line goes to the kernel log, the call returns 0n
 * or does nothing, and the arena and caches are as they were.
 *
 * Statistics: /proc/kmem, `vmstat -m` (every pool) then `vmstat -C`
 * (every pool cache) as NetBSD prints them.
 */

import type { Kernel } from '../../kernel';
import { PAGE_SIZE } from '../../arch/arm64/page-def';
import { PAGE_OFFSET } from '../../arch/arm64/memory';
import { GFP_KERNEL, __GFP_NOWARN } from '../../mm/page_alloc';
import { LINEAR_SPAN, type KernelPages } from '../../mm/slab/kpages';
import type { PercpuPoolCaches } from '../pool/pool_cache_percpu';
import { KernelDiagnostic } from '../diagnostic';
import { kmem_alloc, kmem_caches, kmem_free, kmem_init, kmem_zalloc, KM_NOSLEEP, KM_SLEEP, type Kmem, type KmemHeaders } from './subr_kmem';
import { vmstat_C, vmstat_m } from '../pool/pool_stats';
import { WaitQueueHead, wait_event_until, wake_up } from '../../kernel/sched/wait';
import type { KthreadGen } from '../../kernel/sched/kthread_types';
import type { Pool } from '../pool/subr_pool';

/** How long a KM_SLEEP request waits before trying again without a wake-up. */
export const KMEM_SLEEP_RETRY_MS = 10;
/** Largest span imported from the buddy allocator (2^PAGE_ALLOC_COSTLY_ORDER pages). */
const LINEAR_IMPORT_MAX = 8 * PAGE_SIZE;

/** Fault injection at kmem's three allocation sites; true fails that allocation. */
export interface KmemFaults {
  /** A span import of kmem_arena (pages from the buddy allocator or vmalloc). */
  import?: () => boolean;
  /** A pool page of a quantum cache or mid-size cache. */
  poolPage?: () => boolean;
  /** A magazine. */
  pcg?: () => boolean;
}

export interface KmemParams {
  midcache: boolean;
  debug: boolean;
}

/** kmem_midcache= and kmem_debug= from the command line; a bad value says so and keeps the default. */
export function kmem_params(get: (key: string) => string | undefined, printk: (l: string) => void): KmemParams {
  const mc = get('kmem_midcache');
  let midcache = true;
  if (mc === 'off') midcache = false;
  else if (mc !== undefined && mc !== 'on') printk(`kmem_midcache=${mc}: unknown (on or off); using on`);
  const dbg = get('kmem_debug');
  let debug = false;
  if (dbg === '1') debug = true;
  else if (dbg !== undefined && dbg !== '0') printk(`kmem_debug=${dbg}: unknown (0 or 1); using 0`);
  return { midcache, debug };
}

/** The KMEM_SIZE headers in the objects' first 8 bytes. */
function guestHeaders(pages: KernelPages): KmemHeaders {
  const at = (p: number): Uint32Array | undefined => (pages.pa(p) === undefined ? undefined : pages.words(p, 2));
  return {
    set: (p, size) => {
      const w = at(p)!;
      w[0] = size;
      w[1] = 0;
    },
    get: (p) => {
      const w = at(p);
      return w && w[0] !== 0 ? w[0] : undefined;
    },
    delete: (p) => {
      const w = at(p);
      if (w) w[0] = 0;
    },
  };
}

export class KernelKmem {
  readonly km: Kmem;
  readonly faults: KmemFaults = {};
  readonly wq = new WaitQueueHead('kmem');
  /** Frees and releases so far: a sleeper retries when this moves. */
  private frees = 0;
  /** Span sizes imported from vmalloc, by kernel offset (the rest came from the buddy allocator). */
  private readonly vmSpans = new Map<number, number>();
  /** Pages kmem_arena holds, from each source. */
  linearPages = 0;
  vmallocPages = 0;

  constructor(private readonly k: Kernel, private readonly pages: KernelPages, private readonly pcc: PercpuPoolCaches, readonly params: KmemParams) {
    this.km = kmem_init({
      ctx: { ncpu: k.machine.cores.length, curcpu: () => k.smp_processor_id() },
      backend: { alloc: (size) => this.importSpan(size), free: (addr, size) => this.releaseSpan(addr, size) },
      midcache: params.midcache,
      debug: params.debug,
      headers: params.debug ? guestHeaders(pages) : undefined,
      memset: (addr, byte, len) => pages.memset(addr, byte, len),
      addrfmt: (p) => `0x${pages.va(p).toString(16)}`,
      printf: k.printk,
      pcgFail: () => this.faults.pcg?.() ?? false,
      pageFail: () => this.faults.poolPage?.() ?? false,
      store: pcc.factory,
    });
  }

  /** uvm_km_kmem_alloc: a span of `size` bytes (a multiple of PAGE_SIZE), as a kernel offset. */
  private importSpan(size: number): number | null {
    if (this.faults.import?.()) return null;
    const npages = size / PAGE_SIZE;
    if (size <= LINEAR_IMPORT_MAX && (npages & (npages - 1)) === 0) {
      const koff = this.pages.alloc(GFP_KERNEL | __GFP_NOWARN, Math.log2(npages));
      if (koff !== null) this.linearPages += npages;
      return koff;
    }
    const va = this.k.mm.vmalloc.vmalloc(size, 'kmem_arena');
    if (va === 0n) return null;
    const koff = this.pages.koff(va);
    this.vmSpans.set(koff, size);
    this.vmallocPages += npages;
    return koff;
  }

  private releaseSpan(koff: number, size: number): void {
    this.wakeSleepers();
    const npages = size / PAGE_SIZE;
    if (koff < LINEAR_SPAN && !this.vmSpans.has(koff)) {
      this.linearPages -= npages;
      return this.pages.free(koff, Math.log2(npages));
    }
    this.vmSpans.delete(koff);
    this.vmallocPages -= npages;
    this.k.mm.vmalloc.vfree(this.pages.va(koff));
  }

  private wakeSleepers(): void {
    this.frees++;
    if (this.wq.waiters.size > 0) wake_up(this.k.sched, this.wq);
  }

  /** Run a kmem call; a diagnostic is logged and ends only this request. */
  private guarded<R>(fallback: R, fn: () => R): R {
    try {
      return fn();
    } catch (e) {
      return this.diagnostic(e, fallback);
    }
  }

  private diagnostic<R>(e: unknown, fallback: R): R {
    if (!(e instanceof KernelDiagnostic)) throw e;
    this.k.printk(e.message);
    return fallback;
  }

  /** kmem_alloc(size, KM_NOSLEEP or KM_SLEEP): a kernel VA, or 0n. */
  kmem_alloc(size: number, flags: number): bigint {
    try {
      const p = kmem_alloc(this.km, size, flags);
      return p === null ? 0n : PAGE_OFFSET + BigInt(p);
    } catch (e) {
      return this.diagnostic(e, 0n);
    }
  }

  kmem_zalloc(size: number, flags: number): bigint {
    return this.guarded(0n, () => {
      const p = kmem_zalloc(this.km, size, flags);
      return p === null ? 0n : this.pages.va(p);
    });
  }

  kmem_free(va: bigint, size: number): void {
    try {
      kmem_free(this.km, Number(va - PAGE_OFFSET), size);
    } catch (e) {
      this.diagnostic(e, undefined);
    }
    this.wakeSleepers();
  }

  /** kmem_alloc(size, KM_SLEEP) in a kernel thread: waits until it succeeds (0n only for bad input). */
  *kmem_alloc_sleep(size: number): KthreadGen<bigint> {
    for (;;) {
      const seen = this.frees;
      const diag = { hit: false };
      const p = this.guarded(null, () => {
        try {
          return kmem_alloc(this.km, size, KM_NOSLEEP);
        } catch (e) {
          diag.hit = true;
          throw e;
        }
      });
      if (p !== null) return this.pages.va(p);
      if (diag.hit) return 0n;
      const until = this.k.clockNs() + KMEM_SLEEP_RETRY_MS * 1e6;
      yield* wait_event_until(this.wq, () => this.frees !== seen, until, `kmem_alloc(${size}, KM_SLEEP)`);
    }
  }

  /** The __percpu pointer of a cache's pool_cache_cpu (for ARM64 code reading it through TPIDR_EL1). */
  percpuPointer(cache: string): bigint | undefined {
    return this.pcc.pcc.get(cache);
  }

  /** Every pool kmem owns, then the magazine pools. */
  pools(): Pool[] {
    return [...kmem_caches(this.km).map((pc) => pc.pc_pool), ...this.pcc.pools];
  }

  /** /proc/kmem: vmstat -m, then vmstat -C. */
  show(): string {
    return `${vmstat_m(this.pools())}\n${vmstat_C(kmem_caches(this.km))}`;
  }
}

export { KM_NOSLEEP, KM_SLEEP };
