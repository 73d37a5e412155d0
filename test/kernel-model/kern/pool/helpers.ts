import { FixedCpu } from '../../../../kernel-model/kern/diagnostic';
import { pool_cache_init, type PoolCache, type PoolCacheOptions } from '../../../../kernel-model/kern/pool/pool_cache';
import type { PoolAllocator } from '../../../../kernel-model/kern/pool/subr_pool';
import { vmem_create, vmem_xalloc, vmem_xfree, VM_INSTANTFIT, VM_NOSLEEP, type VmemArena } from '../../../../kernel-model/kern/vmem/subr_vmem';

/** A page allocator over a vmem arena of `pages` 4 KiB pages, which can be told to fail. */
export function pageSource(pages: number, pagesz = 4096): { arena: VmemArena; palloc: PoolAllocator; fail: { now: boolean } } {
  const arena = vmem_create({ name: 'pages', base: 0x40000000, size: pages * 4096, quantum: 4096 });
  const fail = { now: false };
  const palloc: PoolAllocator = {
    pa_pagesz: pagesz,
    pa_alloc: () => (fail.now ? null : vmem_xalloc(arena, pagesz, 0, 0, 0, 0, 0, VM_NOSLEEP | VM_INSTANTFIT)),
    pa_free: (_pp, page) => vmem_xfree(arena, page, pagesz),
  };
  return { arena, palloc, fail };
}

export function cache(o: Partial<PoolCacheOptions> & { pages?: number; ncpu?: number } = {}): { pc: PoolCache; ctx: FixedCpu; src: ReturnType<typeof pageSource> } {
  const src = pageSource(o.pages ?? 64);
  const ctx = new FixedCpu(o.ncpu ?? 4);
  const pc = pool_cache_init({ size: 64, name: 'test-64', palloc: src.palloc, ctx, ...o });
  return { pc, ctx, src };
}
