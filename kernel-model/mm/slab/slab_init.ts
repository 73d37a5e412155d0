// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_cache_init on the booted kernel (mm/slab.c kmem_cache_init, called
 * from mm_init after mem_init, before vmalloc_init): the per-CPU home of
 * every object cache's magazines, the kmalloc caches, /proc/slabinfo, and
 * from then on the percpu allocator's chunk metadata from kmalloc
 * (pcpu_mem_zalloc; Linux uses vzalloc above PAGE_SIZE, the model kmalloc's
 * page path, so that the metadata stays one physically contiguous view).
 */

import type { Kernel } from '../../kernel';
import { PAGE_SIZE } from '../../arch/arm64/page-def';
import { PercpuPoolCaches } from '../../kern/pool/pool_cache_percpu';
import { GFP_KERNEL } from '../page_alloc';
import type { PageAllocator } from '../page_alloc';
import { KernelPages } from './kpages';
import { Slab } from './slab';
import { slabinfo } from './slabinfo';

export interface SlabState {
  slab: Slab;
  pages: KernelPages;
  /** The per-CPU pool_cache_cpu home shared by the slab's and kmem's caches. */
  pcc: PercpuPoolCaches;
}

export function kmem_cache_init(k: Kernel, pgalloc: PageAllocator): SlabState {
  const percpu = k.percpu;
  if (!percpu) throw new Error('kmem_cache_init before setup_per_cpu_areas');
  const pages = new KernelPages(k, pgalloc);
  const ncpu = k.machine.cores.length;
  let lastOffset = -1n;
  let lastOffsetNum = 0;
  const pcc = new PercpuPoolCaches({
    words: (koff, count) => pages.words(koff, count),
    alloc_percpu: (size, align) => percpu.__alloc_percpu(size, align),
    free_percpu: (ptr) => percpu.free_percpu(ptr),
    per_cpu_ptr: (ptr, cpu) => percpu.per_cpu_ptr(ptr, cpu),
    my_cpu_offset: () => {
      // TPIDR_EL1 is a bigint read once per kernel entry; convert it once per value, not per call.
      const off = k.this_cpu.offset;
      if (off !== lastOffset) {
        lastOffset = off;
        lastOffsetNum = Number(BigInt.asIntN(64, off));
      }
      return lastOffsetNum;
    },
    koff: (va) => pages.koff(va),
    pages: { pa_pagesz: PAGE_SIZE, pa_alloc: () => pages.alloc(GFP_KERNEL, 0), pa_free: (_pp, koff) => pages.free(koff, 0) },
    ncpu,
  });
  const slab = new Slab({ pages, ctx: { ncpu, curcpu: () => k.smp_processor_id() }, store: pcc.factory, printk: k.printk, asKernel: (fn) => (k.this_cpu.active ? fn() : k.on(0, fn)) });
  percpu.meta.guest = {
    zalloc: (bytes) => {
      const va = slab.asKernel(() => slab.kzalloc(bytes, GFP_KERNEL));
      if (va === 0n) return null;
      const pa = pages.pa(pages.koff(va))!;
      return { mem: k.machine.ram.view(Int32Array, pa, bytes >>> 2, 4), free: () => slab.asKernel(() => slab.kfree(va)) };
    },
  };
  k.slab = slab;
  k.proc.register('/proc/slabinfo', () => slabinfo(slab));
  return { slab, pages, pcc };
}
