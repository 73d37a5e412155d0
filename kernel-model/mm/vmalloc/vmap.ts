// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vmap area front end: one interface over both allocators, the way
 * the rest of the kernel will see them (Linux mm/vmalloc.c
 * alloc_vmap_area, find_vmap_area, free_vmap_area, and the lazy purge).
 *
 *   const vmap = createVmap({ kind: 'augment', printk, nrCpus: 4 });
 *   const addr = vmap.alloc(size, align, vstart, vend);   // bigint | null
 *   vmap.find(addr);                                      // the busy area containing addr
 *   vmap.free(addr);                                      // back to the free space at once
 *   if (vmap.free_lazy(addr)) vmap.purge_vmap_area_lazy(); // vfree's path
 *
 * alloc_vmap_area does what Linux's does around the allocator's search:
 * a node for the new area from the node cache, a preloaded spare for an
 * NE split, and on failure one purge of the lazily freed areas and a
 * retry before giving up with Linux's warning.
 *
 * Bad input. Linux stops with BUG_ON for a zero size, a size that is not
 * a multiple of PAGE_SIZE and an alignment that is not a power of two;
 * here such a request gets one line through printk naming the check, and
 * null, with nothing changed. A request no free range can hold gets
 * Linux's "vmap allocation for size N failed: use vmalloc=<size> to
 * increase size". Freeing an address that is not in a live area gets
 * vfree's "Trying to vfree() nonexistent vm area (%p)" (%p printed as
 * %px: the raw address), an unaligned one "Trying to vfree() bad address
 * (%p)"; nothing changes either way.
 */

import type { Printk } from '../../printk';
import { AugmentVmapAllocator } from './augment';
import type { VmapAllocatorKind, VmapBackend, VmapSpace } from './backend';
import { lazy_max_pages, VmapLazyPurge, type FlushTlbKernelRange } from './lazy';
import { ListVmapAllocator } from './list';
import { find_va } from './va_tree';
import {
  CountingVmapAreaCache,
  is_power_of_2,
  PAGE_SIZE,
  px,
  SIZEOF_VMAP_AREA_V4_19,
  SIZEOF_VMAP_AREA_V5_10,
  ULONG_MAX,
  VM_LAZY_FREE,
  VM_VM_AREA,
  VmapArea,
  type VmapAreaCache,
} from './vmap_area';

export interface VmapAllocOptions {
  /** The CPU the caller runs on (its preloaded node). */
  cpu?: number;
  /** __GFP_NOWARN: fail silently. */
  nowarn?: boolean;
  /** Recorded in the area (vmallocinfo's caller). */
  caller?: string;
}

/** The interface the kernel wires in. Addresses and sizes are bytes. */
export interface VmapAllocator {
  readonly kind: VmapAllocatorKind;
  /** The lowest suitable address for size bytes at align in [vstart, vend), or null. */
  alloc(size: bigint, align: bigint, vstart: bigint, vend: bigint, opts?: VmapAllocOptions): bigint | null;
  /** Release the area containing addr now; false (with vfree's warning) if there is none. */
  free(addr: bigint): boolean;
  /** The busy area containing addr (lazily freed ones included, as Linux's find_vmap_area). */
  find(addr: bigint): VmapArea | null;
}

export interface EarlyArea {
  start: bigint;
  size: bigint;
  caller?: string;
}

export interface VmapOptions {
  kind: VmapAllocatorKind;
  printk?: Printk;
  /** The node cache; by default a counting one with the kind's sizeof(struct vmap_area). */
  cache?: VmapAreaCache;
  /** Default [1, ULONG_MAX), as Linux. */
  space?: VmapSpace;
  /** vm_area_add_early: areas registered before the allocator (the kernel image). */
  early?: readonly EarlyArea[];
  /** Online CPUs: preload slots and lazy_max_pages. */
  nrCpus?: number;
  flush_tlb_kernel_range?: FlushTlbKernelRange;
  /** Override lazy_max_pages() (tests). */
  lazyMaxPages?: number;
}

export class Vmap implements VmapAllocator {
  readonly kind: VmapAllocatorKind;
  readonly lazy: VmapLazyPurge;
  private readonly printk: Printk;

  constructor(
    readonly backend: VmapBackend,
    opts: Omit<VmapOptions, 'kind' | 'cache' | 'space'> = {},
  ) {
    this.kind = backend.kind;
    this.printk = opts.printk ?? (() => {});
    const nrCpus = opts.nrCpus ?? 1;
    this.lazy = new VmapLazyPurge(opts.lazyMaxPages ?? lazy_max_pages(nrCpus), opts.flush_tlb_kernel_range ?? (() => {}));
    backend.init((opts.early ?? []).map((e) => this.early_area(e)));
  }

  private early_area(e: EarlyArea): VmapArea {
    const va = this.backend.cache.alloc();
    if (!va) throw new Error('vmalloc_init: no memory for the early vmap areas');
    va.va_start = e.start;
    va.va_end = e.start + e.size;
    va.flags = VM_VM_AREA;
    va.caller = e.caller ?? '';
    return va;
  }

  /** Why a request is malformed (Linux's BUG_ON checks and the space bounds), or null. */
  private bad_request(size: bigint, align: bigint, vstart: bigint, vend: bigint): string | null {
    if (size <= 0n) return `size ${size} (BUG_ON(!size))`;
    if (size > ULONG_MAX || align > ULONG_MAX) return 'size or align does not fit in an unsigned long';
    if (size % PAGE_SIZE !== 0n) return `size 0x${size.toString(16)} is not a multiple of PAGE_SIZE (BUG_ON(offset_in_page(size)))`;
    if (!is_power_of_2(align)) return `align 0x${align.toString(16)} is not a power of two (BUG_ON(!is_power_of_2(align)))`;
    const { start, end } = this.backend.space;
    if (vstart < start || vend > end || vstart >= vend)
      return `range [0x${px(vstart)}, 0x${px(vend)}) is empty or outside [0x${px(start)}, 0x${px(end)})`;
    return null;
  }

  alloc_vmap_area(size: bigint, align: bigint, vstart: bigint, vend: bigint, opts: VmapAllocOptions = {}): VmapArea | null {
    const why = this.bad_request(size, align, vstart, vend);
    if (why) {
      this.printk(`vmap: alloc_vmap_area: bad request: ${why}`);
      return null;
    }
    const cpu = opts.cpu ?? 0;
    const va = this.backend.cache.alloc();
    if (!va) return null;
    for (let purged = false; ; purged = true) {
      this.backend.preload(cpu);
      if (this.backend.alloc_busy(va, size, align, vstart, vend, cpu)) {
        va.flags = VM_VM_AREA;
        va.caller = opts.caller ?? '';
        return va;
      }
      // overflow: purge lazily freed areas once, then retry.
      if (purged || !this.lazy.__purge_vmap_area_lazy(this.backend)) break;
    }
    if (!opts.nowarn) this.printk(`vmap allocation for size ${size} failed: use vmalloc=<size> to increase size`);
    this.backend.cache.free(va);
    return null;
  }

  alloc(size: bigint, align: bigint, vstart: bigint, vend: bigint, opts?: VmapAllocOptions): bigint | null {
    return this.alloc_vmap_area(size, align, vstart, vend, opts)?.va_start ?? null;
  }

  find_vmap_area(addr: bigint): VmapArea | null {
    return find_va(this.backend.busy, addr);
  }

  find(addr: bigint): VmapArea | null {
    return this.find_vmap_area(addr);
  }

  /** The live (not lazily freed) area containing addr, or null after vfree's warning. */
  private live_area(addr: bigint): VmapArea | null {
    if (addr < 0n || addr > ULONG_MAX || addr % PAGE_SIZE !== 0n) {
      this.printk(`Trying to vfree() bad address (${px(addr & ULONG_MAX)})`);
      return null;
    }
    const va = this.find_vmap_area(addr);
    if (!va || va.flags & VM_LAZY_FREE) {
      this.printk(`Trying to vfree() nonexistent vm area (${px(addr)})`);
      return null;
    }
    return va;
  }

  /** free_vmap_area: release the area containing addr at once (no TLB batching). */
  free(addr: bigint): boolean {
    const va = this.live_area(addr);
    if (!va) return false;
    this.backend.free_busy(va);
    return true;
  }

  /**
   * vfree's path: queue the area for the lazy purge. Returns true when a
   * purge is due (vmap_lazy_nr > lazy_max_pages()); the caller runs
   * purge_vmap_area_lazy, inline or from a work item. False and vfree's
   * warning if addr is in no live area.
   */
  free_lazy(addr: bigint): { freed: boolean; purgeDue: boolean } {
    const va = this.live_area(addr);
    if (!va) return { freed: false, purgeDue: false };
    return { freed: true, purgeDue: this.lazy.free_vmap_area_noflush(va) };
  }

  purge_vmap_area_lazy(): boolean {
    return this.lazy.__purge_vmap_area_lazy(this.backend);
  }

  /** Busy areas in address order (lazily freed ones included). */
  busy_areas(): IterableIterator<VmapArea> {
    return this.backend.busy.list[Symbol.iterator]();
  }
}

/** A front end over a fresh allocator of the given kind. */
export function createVmap(opts: VmapOptions): Vmap {
  const space = opts.space ?? { start: 1n, end: ULONG_MAX };
  const cache = opts.cache ?? new CountingVmapAreaCache(opts.kind === 'augment' ? SIZEOF_VMAP_AREA_V5_10 : SIZEOF_VMAP_AREA_V4_19);
  const backend = opts.kind === 'augment' ? new AugmentVmapAllocator(cache, space, opts.nrCpus ?? 1) : new ListVmapAllocator(cache, space);
  return new Vmap(backend, opts);
}
