// SPDX-License-Identifier: GPL-2.0-only
/*
 * Quantum caches: a pool_cache for each small multiple of an arena's
 * quantum (NetBSD sys/kern/subr_vmem.c qc_init, qc_destroy, qc_reap,
 * qc_poolpage_size; Bonwick and Adams 2001, section 4.4).
 *
 * Sizes 1..VMEM_QCACHE_IDX_MAX quanta, up to vm_qcache_max, each get a
 * cache named "<arena>-<size>". Their pools take "pages" from the arena
 * itself, all of one size: the first power of two above 3 * qcache_max,
 * so a page holds at least three items of the largest cached size and
 * the arena serves only one uniform request size to its caches (which
 * keeps it unfragmented; the paper's example: five 3-page objects fill
 * 15/16 of a 16-page slab).
 *
 * Going from the largest size down, a size whose pool would get as many
 * items per page as the next larger one shares that cache: it would cost
 * the same memory per page and its own cache would only split the hits.
 */

import type { CpuContext, Printf } from '../diagnostic';
import type { PcCpuStoreFactory } from '../pool/pool_cache_cpu';
import { pool_cache_destroy, pool_cache_freecheck, pool_cache_init, pool_cache_reclaim, type PoolCache } from '../pool/pool_cache';
import { PR_WAITOK, type Pool } from '../pool/subr_pool';
import { VM_INSTANTFIT, VM_NOSLEEP, VM_SLEEP, VMEM_QCACHE_IDX_MAX, type QCache, type Vmem } from './vmem_impl';

/** How the caches reach their arena (vmem_xalloc / vmem_xfree, given by subr_vmem.ts). */
export interface QcBackend {
  alloc(size: number, vmflags: number): number | null;
  free(addr: number, size: number): void;
  debug: boolean;
  printf: Printf;
  pcgFail: (() => boolean) | undefined;
  store: PcCpuStoreFactory | undefined;
  /** Fault injection for the caches' pool pages: true fails that page. */
  pageFail: (() => boolean) | undefined;
}

/** prf_to_vmf */
function prf_to_vmf(prflags: number): number {
  return prflags & PR_WAITOK ? VM_SLEEP : VM_NOSLEEP;
}

/** qc_poolpage_size: the first power of two above 3 * qcache_max. */
export function qc_poolpage_size(qcache_max: number): number {
  let size = 1;
  while (size <= qcache_max * 3) size *= 2;
  return size;
}

/** qc_init: the quantum caches of vm, up to qcache_max bytes. */
export function qc_init(vm: Vmem, qcache_max: number, ctx: CpuContext, be: QcBackend): void {
  const q = vm.vm_quantum;
  const max = Math.min(Math.floor(qcache_max / q), VMEM_QCACHE_IDX_MAX) * q;
  vm.vm_qcache_max = max;
  const pagesz = qc_poolpage_size(max);
  const palloc = {
    pa_pagesz: pagesz,
    pa_alloc: (_pp: Pool, prflags: number) => (be.pageFail?.() ? null : be.alloc(pagesz, prf_to_vmf(prflags) | VM_INSTANTFIT)),
    pa_free: (_pp: Pool, page: number) => be.free(page, pagesz),
  };
  const caches: QCache[] = new Array<QCache>(max / q);
  let prev: QCache | undefined;
  for (let i = max / q; i > 0; i--) {
    const size = i * q;
    const ipp = Math.floor(pagesz / size);
    if (prev && ipp === prev.qc_cache.pc_pool.pr_itemsperpage) {
      caches[i - 1] = prev;
      continue;
    }
    const name = `${vm.vm_name}-${size}`;
    const qc_cache: PoolCache = pool_cache_init({ size, align: q, name, palloc, ctx, printf: be.printf, pcgFail: be.pcgFail, store: be.store });
    if (be.debug) pool_cache_freecheck(qc_cache);
    prev = caches[i - 1] = { qc_cache, qc_name: name };
  }
  vm.vm_qcache = caches;
}

/** The distinct caches, largest first. */
function qc_each(vm: Vmem): QCache[] {
  return [...new Set(vm.vm_qcache)].reverse();
}

/** qc_destroy */
export function qc_destroy(vm: Vmem): void {
  for (const qc of qc_each(vm)) pool_cache_destroy(qc.qc_cache);
  vm.vm_qcache = [];
  vm.vm_qcache_max = 0;
}

/** qc_reap: every cache gives its idle memory back to the arena; whether any did. */
export function qc_reap(vm: Vmem): boolean {
  let didsomething = false;
  for (const qc of qc_each(vm)) if (pool_cache_reclaim(qc.qc_cache) > 0) didsomething = true;
  return didsomething;
}
