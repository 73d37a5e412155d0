// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmap_area nodes from the kernel's slab (mm/vmalloc.c: vmap_area_cachep,
 * KMEM_CACHE(vmap_area, SLAB_PANIC) since v5.2; kmalloc_node of struct
 * vmap_area before, i.e. kmalloc-128 on arm64 for v4.19's 96 bytes).
 *
 * Each node's object is real guest memory, allocated when the node is and
 * freed with it, so the nodes show in /proc/slabinfo ("vmap_area", or
 * kmalloc-128 for the list allocator) and in /proc/meminfo's Slab; the
 * TypeScript VmapArea is the host-side view the trees link (the model
 * does not lay the rb_node out in the object). Callers at the top level
 * (tests, benchmarks) are served as kernel code on CPU 0 (Slab.asKernel).
 */

import type { KmemCache, Slab } from '../slab/slab';
import { SLAB_PANIC } from '../slab/slab';
import { GFP_KERNEL } from '../page_alloc';
import { VmapArea, type VmapAreaCache } from './vmap_area';

export class SlabVmapAreaCache implements VmapAreaCache {
  active = 0;
  private readonly objects = new Map<VmapArea, bigint>();
  private readonly cache: KmemCache | undefined;

  /**
   * @param objsize  sizeof(struct vmap_area): 64 (v5.10, its own cache) or 96 (v4.19, kmalloc)
   * @param shouldFail  fault injection, asked before each allocation
   */
  constructor(
    private readonly slab: Slab,
    readonly objsize: number,
    ownCache: boolean,
    private readonly shouldFail: () => boolean = () => false,
  ) {
    this.cache = ownCache ? (slab.kmem_cache_create('vmap_area', objsize, 0, SLAB_PANIC) ?? undefined) : undefined;
  }

  alloc(): VmapArea | null {
    if (this.shouldFail()) return null;
    const cache = this.cache;
    const obj = this.slab.asKernel(() => (cache ? this.slab.kmem_cache_alloc(cache, GFP_KERNEL) : this.slab.kmalloc(this.objsize, GFP_KERNEL)));
    if (obj === 0n) return null;
    const va = new VmapArea();
    this.objects.set(va, obj);
    this.active++;
    return va;
  }

  free(va: VmapArea): void {
    if (va.rb_linked || va.list_prev || va.list_next) throw new Error('vmap_area: freeing a node still linked in a tree or list');
    const obj = this.objects.get(va);
    if (obj === undefined) throw new Error('vmap_area: freeing a node this cache did not allocate');
    this.objects.delete(va);
    const cache = this.cache;
    this.slab.asKernel(() => (cache ? this.slab.kmem_cache_free(cache, obj) : this.slab.kfree(obj)));
    this.active--;
  }
}
