// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct vmap_area and where its nodes come from.
 *
 * A vmap_area is one interval [va_start, va_end) of kernel virtual
 * address space: busy (handed out, in vmap_area_root) or free (in the
 * augment allocator's free_vmap_area_root), never both. It is a tree
 * node and a list member at once, as in Linux, so the tree finds it in
 * O(log n) and the list gives its neighbours in O(1).
 *
 * Addresses and sizes are bigint and follow C's unsigned long on arm64:
 * the whole KVA space is [1, ULONG_MAX), as Linux's
 * vmap_init_free_space (mm/vmalloc.c, v5.2 and later) lays it out, and
 * overflow checks are the ones Linux makes (a sum that would wrap past
 * ULONG_MAX is a failed request, not a big number).
 *
 * Node storage. Every node is taken from a VmapAreaCache (Linux: the
 * vmap_area_cachep kmem_cache since v5.2, kmalloc before). The cache
 * counts objects and the bytes Linux's struct vmap_area occupies on
 * arm64, so that a kernel-side cache can charge them to guest memory
 * later: it implements the same interface by taking each node's object
 * from the kernel's slab or page allocator (and freeing it back), keeping
 * the TypeScript object as the host-side view. Until then
 * CountingVmapAreaCache stands in and does the bookkeeping only. A cache
 * may fail an allocation (alloc returns null): that is the fault
 * injection hook; every caller backs out cleanly.
 *
 *   sizeof(struct vmap_area) on arm64
 *     v5.10   64 bytes: va_start, va_end, rb_node (24), list (16) and one
 *             union of subtree_max_size / vm / purge_list
 *     v4.19   96 bytes: va_start, va_end, flags, rb_node (24), list (16),
 *             purge_list, vm, rcu_head (16); kmalloc-96
 */

import { RbNode } from '../../lib/rbtree';
import type { ListLinks } from '../../lib/list';
import { PAGE_SHIFT as PAGE_SHIFT_BITS } from '../../arch/arm64/page-def';

/** The page size as the bigint arithmetic of addresses wants it (defined once in arch/arm64/page-def.ts). */
export const PAGE_SHIFT = BigInt(PAGE_SHIFT_BITS);
export const PAGE_SIZE = 1n << PAGE_SHIFT;
/** C's ULONG_MAX on a 64-bit kernel. */
export const ULONG_MAX = (1n << 64n) - 1n;

/** Kernel-image and other vm_struct-backed areas (Linux VM_VM_AREA, before v5.4's va->vm test). */
export const VM_VM_AREA = 0x04;
/** Freed and waiting for the lazy purge (Linux VM_LAZY_FREE): still busy, no longer a vm area. */
export const VM_LAZY_FREE = 0x02;

export const SIZEOF_VMAP_AREA_V5_10 = 64;
export const SIZEOF_VMAP_AREA_V4_19 = 96;

export class VmapArea extends RbNode<VmapArea> implements ListLinks<VmapArea> {
  va_start = 0n;
  va_end = 0n;
  /** In the free tree: the largest free size in this node's subtree. */
  subtree_max_size = 0n;
  flags = 0;
  /** Who asked for the area (vmallocinfo's caller field, later). */
  caller = '';
  list_prev: VmapArea | null = null;
  list_next: VmapArea | null = null;
}

export const va_size = (va: VmapArea): bigint => va.va_end - va.va_start;

/** ALIGN(x, a) as C computes it: wraps to 0 past ULONG_MAX. */
export function ALIGN(x: bigint, align: bigint): bigint {
  // vmalloc asks for alignment 1; skip the bigint arithmetic (each op allocates).
  if (align === 1n) return x;
  const mask = align - 1n;
  return (x + mask) & ~mask & ULONG_MAX;
}

/** True when addr + size wraps in unsigned long (Linux's "addr + size < addr"). */
export const wraps = (addr: bigint, size: bigint): boolean => addr + size > ULONG_MAX;

export const is_power_of_2 = (x: bigint): boolean => x > 0n && (x & (x - 1n)) === 0n;

/** %px: the address as 16 hex digits. */
export const px = (addr: bigint): string => addr.toString(16).padStart(16, '0');

export interface VmapAreaCache {
  /** sizeof(struct vmap_area) this cache charges per object. */
  readonly objsize: number;
  /** kmem_cache_alloc: a fresh node, or null when the allocation fails. */
  alloc(): VmapArea | null;
  /** kmem_cache_free. */
  free(va: VmapArea): void;
  /** Objects allocated and not freed. */
  readonly active: number;
}

export class CountingVmapAreaCache implements VmapAreaCache {
  active = 0;
  /** Total allocations ever (for benchmarks and leak hunting). */
  allocs = 0;
  /**
   * @param objsize  bytes per node (SIZEOF_VMAP_AREA_*)
   * @param shouldFail  fault injection: asked before each allocation
   */
  constructor(
    readonly objsize: number,
    private readonly shouldFail: () => boolean = () => false,
  ) {}

  get bytes(): number {
    return this.active * this.objsize;
  }

  alloc(): VmapArea | null {
    if (this.shouldFail()) return null;
    this.active++;
    this.allocs++;
    return new VmapArea();
  }

  free(va: VmapArea): void {
    if (va.rb_linked || va.list_prev || va.list_next) throw new Error('vmap_area: freeing a node still linked in a tree or list');
    this.active--;
  }
}
