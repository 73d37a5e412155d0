// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmem: a general resource allocator (NetBSD sys/kern/subr_vmem.c).
 *
 * reference: Bonwick and Adams, "Magazines and Vmem: Extending the Slab
 * Allocator to Many CPUs and Arbitrary Resources", USENIX 2001, section 4;
 * vmem(9).
 *
 * An arena manages a set of integers (addresses) in units of a quantum,
 * a power of two. The integers arrive as spans, either added by the owner
 * (vmem_add: static spans) or imported on demand from a source through
 * vm_importfn (and released through vm_releasefn once wholly free). Spans
 * are cut into segments, each described by an external boundary tag:
 *
 *   segment list (address order)
 *   [SPAN 0x1000+0x4000][BUSY 0x1000+0x800][FREE 0x1800+0x1800][BUSY 0x3000+0x2000]
 *   [SPAN_STATIC 0x8000+0x1000][FREE 0x8000+0x1000]
 *
 *   freelist[n]   the free segments of 2^n to 2^(n+1)-1 quanta
 *   hash          the busy segments by start address
 *
 * Allocation (vmem_xalloc) picks a free segment, carves the request out
 * of it (at most one free segment before it and one after it remain), and
 * hashes the busy tag. Two policies choose the segment:
 *
 *   VM_INSTANTFIT  the first segment of the first non-empty list whose
 *                  every segment is large enough: freelist[n] when the
 *                  request is exactly 2^n quanta, else freelist[n+1].
 *                  Constant time; within 2x of a perfect fit.
 *   VM_BESTFIT     from freelist[n] up, the first segment that fits (the
 *                  smallest size class with a fitting segment; NetBSD does
 *                  not search that class for its smallest member).
 *
 * An instant-fit request that finds nothing is retried best-fit (a
 * segment on freelist[n] may still fit), then, if the request has no
 * constraints beyond minaddr/maxaddr, once more after importing a span.
 * Constraints (vmem_fit): the start is phase above a multiple of align,
 * the segment does not straddle a multiple of nocross, and it lies in
 * [minaddr, maxaddr) (maxaddr 0: no limit).
 *
 * Freeing (vmem_xfree) finds the busy tag in the hash (an address that is
 * not there is a wrong or repeated free, reported before anything
 * changes), coalesces with free neighbours in the same span, and gives a
 * whole imported span back to the source.
 *
 * Quantum caches: a request of at most vm_qcache_max bytes (a small
 * multiple of the quantum) is served by a pool_cache for its size, whose
 * pool takes its pages from this arena (qcache.ts). Most small requests
 * then never take the arena's lock, and the arena sees only large,
 * uniform page requests, which keeps it unfragmented.
 *
 * Units: addresses and sizes are `number`s in bytes, below 2^53 so that
 * every sum is exact (vmem_add and imports refuse anything else). Physical
 * addresses and offsets fit as they are; kernel virtual addresses
 * (0xffffff80_00000000 and up in the 39-bit layout) do not, so an arena of
 * kernel VA holds offsets from the bottom of the kernel's half, and the
 * code that maps them adds that base (one bigint add, at the edge).
 * Address 0 may be managed; failure is null.
 *
 * Not modelled: VM_NEXTFIT (NetBSD has none), the periodic rehash (the
 * hash grows when it fills instead, vmem_impl.ts), locking (kernel code
 * here runs atomically on its core), boundary tags in guest memory (they
 * are host objects; NetBSD keeps them in a pool of its own).
 *
 * Invariants (vmem_check in vmem_check.ts): the tags tile each span in
 * address order with no two adjacent free segments; spans do not overlap;
 * every free segment is on the list of its size class and nothing else
 * is; the hash holds exactly the busy segments; vm_inuse and vm_size are
 * the sums of busy and span sizes.
 */

import type { PcCpuStoreFactory } from '../pool/pool_cache_cpu';
import { cannot_sleep, hex, KASSERTMSG, type CpuContext, type Printf } from '../diagnostic';
import { pool_cache_get, pool_cache_put } from '../pool/pool_cache';
import { PR_NOWAIT, PR_WAITOK } from '../pool/subr_pool';
import { qc_destroy, qc_init, qc_reap } from './qcache';
import {
  Bt,
  BT_TYPE_BUSY,
  BT_TYPE_FREE,
  BT_TYPE_SPAN,
  BT_TYPE_SPAN_STATIC,
  bt_freehead_toalloc,
  bt_insbusy,
  bt_insfree,
  bt_insseg,
  bt_lookupbusy,
  bt_rembusy,
  bt_remfree,
  bt_remseg,
  bt_span_insert_point,
  isPow2,
  VM_BESTFIT,
  VM_FITMASK,
  VM_INSTANTFIT,
  VM_NOSLEEP,
  VM_SLEEP,
  VMEM_ALIGNUP,
  VMEM_CROSS_P,
  VMEM_MAXORDER,
  vmem_roundup_size,
  Vmem,
  type BtType,
  type VmemImport,
  type VmemRelease,
} from './vmem_impl';

const FILE = 'subr_vmem.c';

export interface VmemCreateOptions {
  name: string;
  /** Initial static span (size 0: none). */
  base?: number;
  size?: number;
  quantum: number;
  importfn?: VmemImport;
  releasefn?: VmemRelease;
  /** Largest size served by quantum caches (0: none). */
  qcache_max?: number;
  /** Where the quantum caches' per-CPU magazines are chosen: the current CPU. */
  ctx?: CpuContext;
  /** FREECHECK on the quantum caches: report frees of objects not out (costs a set lookup). */
  debug?: boolean;
  printf?: Printf;
  /** Fault injection for the quantum caches' magazine allocation (see PoolCacheOptions.pcgFail). */
  pcgFail?: () => boolean;
  /** Where the quantum caches keep their per-CPU state and magazines (see PoolCacheOptions.store). */
  store?: PcCpuStoreFactory;
  /** Fault injection for the quantum caches' pool pages. */
  qcPageFail?: () => boolean;
}

/** An arena (the name callers use; the structure is Vmem). */
export type VmemArena = Vmem;

/* ---- vmem internal functions */

/** vmem_add1: a span tag and one free segment covering it. */
function vmem_add1(vm: Vmem, addr: number, size: number, type: BtType): void {
  KASSERTMSG(Number.isSafeInteger(addr) && addr >= 0 && Number.isSafeInteger(addr + size), 'addr + size <= 2^53', FILE, () => `vmem ${vm.vm_name} span ${hex(addr)}+${hex(size)} is not exact in a number`);
  const span = new Bt(type, addr, size);
  const free = new Bt(BT_TYPE_FREE, addr, size);
  bt_insseg(vm, span, bt_span_insert_point(vm, addr));
  bt_insseg(vm, free, span);
  bt_insfree(vm, free);
  vm.vm_size += size;
}

/** The span holding [addr, addr+size) partly or wholly, if any (vmem_add must not overlap). */
function vmem_span_overlapping(vm: Vmem, addr: number, size: number): Bt | undefined {
  for (let bt = vm.vm_seghead; bt; bt = bt.bt_nextseg) {
    if ((bt.bt_type === BT_TYPE_SPAN || bt.bt_type === BT_TYPE_SPAN_STATIC) && bt.bt_start < addr + size && addr < bt.bt_end) return bt;
  }
  return undefined;
}

/** vmem_import: one span of at least `size` from the source; false if it has none. */
function vmem_import(vm: Vmem, size: number, flags: number): boolean {
  if (!vm.vm_importfn) return false;
  const span = vm.vm_importfn(size, flags);
  if (!span) return false;
  KASSERTMSG(span.size >= size && span.size % vm.vm_quantum === 0 && span.addr % vm.vm_quantum === 0, 'imported span fits', FILE, () => `vmem ${vm.vm_name}: import of ${hex(size)} returned ${hex(span.addr)}+${hex(span.size)}`);
  vmem_add1(vm, span.addr, span.size, BT_TYPE_SPAN);
  vm.vm_nimport++;
  return true;
}

/**
 * vmem_fit: the lowest start in free segment bt that meets the
 * constraints, or null.
 */
export function vmem_fit(bt: Bt, size: number, align: number, phase: number, nocross: number, minaddr: number, maxaddr: number): number | null {
  let start = Math.max(bt.bt_start, minaddr);
  const end = maxaddr !== 0 ? Math.min(bt.bt_end, maxaddr) : bt.bt_end;
  if (start >= end) return null;
  // (NetBSD also steps up by align when the unsigned subtraction wrapped; a number cannot wrap.)
  start = VMEM_ALIGNUP(start - phase, align) + phase;
  if (VMEM_CROSS_P(start, start + size - 1, nocross)) start = VMEM_ALIGNUP(start - phase, nocross) + phase;
  if (start < end && end - start >= size) return start;
  return null;
}

/** The preconditions of vmem_xalloc (its KASSERT block), checked before anything changes. */
function vmem_xalloc_check(vm: Vmem, size0: number, align: number, phase: number, nocross: number, minaddr: number, maxaddr: number, flags: number): void {
  const q = vm.vm_quantum;
  const size = vmem_roundup_size(vm, size0);
  const what = (): string => `vmem ${vm.vm_name} size ${hex(size0)} align ${hex(align)} phase ${hex(phase)} nocross ${hex(nocross)} min ${hex(minaddr)} max ${hex(maxaddr)}`;
  const strat = flags & VM_FITMASK;
  KASSERTMSG((flags & (VM_SLEEP | VM_NOSLEEP)) !== 0 && (~flags & (VM_SLEEP | VM_NOSLEEP)) !== 0, '(flags & (VM_SLEEP|VM_NOSLEEP)) exactly one', FILE, what);
  KASSERTMSG(strat === VM_BESTFIT || strat === VM_INSTANTFIT, 'strat == VM_BESTFIT || strat == VM_INSTANTFIT', FILE, what);
  KASSERTMSG(Number.isSafeInteger(size0) && size0 > 0, 'size0 > 0', FILE, what);
  KASSERTMSG(align % q === 0, '(align & vm->vm_quantum_mask) == 0', FILE, what);
  KASSERTMSG(align === 0 || isPow2(align), '(align & (align - 1)) == 0', FILE, what);
  KASSERTMSG(phase % q === 0, '(phase & vm->vm_quantum_mask) == 0', FILE, what);
  KASSERTMSG(nocross % q === 0, '(nocross & vm->vm_quantum_mask) == 0', FILE, what);
  KASSERTMSG(nocross === 0 || isPow2(nocross), '(nocross & (nocross - 1)) == 0', FILE, what);
  KASSERTMSG((align === 0 && phase === 0) || phase < align, '(align == 0 && phase == 0) || phase < align', FILE, what);
  KASSERTMSG(nocross === 0 || nocross >= size, 'nocross == 0 || nocross >= size', FILE, what);
  KASSERTMSG(maxaddr === 0 || minaddr < maxaddr, 'maxaddr == 0 || minaddr < maxaddr', FILE, what);
  KASSERTMSG(!VMEM_CROSS_P(phase, phase + size - 1, nocross), '!VMEM_CROSS_P(phase, phase + size - 1, nocross)', FILE, what);
}

/** Search the free lists from `first` with one policy; the tag and start found. */
function vmem_search(vm: Vmem, size: number, strat: number, align: number, phase: number, nocross: number, minaddr: number, maxaddr: number): { bt: Bt; start: number } | null {
  for (let idx = bt_freehead_toalloc(vm, size, strat); idx < VMEM_MAXORDER; idx++) {
    for (let bt = vm.vm_freelist[idx] ?? null; bt; bt = bt.bt_nextfree) {
      if (bt.bt_size >= size) {
        const start = vmem_fit(bt, size, align, phase, nocross, minaddr, maxaddr);
        if (start !== null) return { bt, start };
      }
      if (strat === VM_INSTANTFIT) break; // only the head of each list
    }
  }
  return null;
}

/** Carve [start, start+size) out of free tag bt and make it busy. */
function vmem_carve(vm: Vmem, bt: Bt, start: number, size: number): void {
  bt_remfree(vm, bt);
  if (bt.bt_start !== start) {
    const before = new Bt(BT_TYPE_FREE, bt.bt_start, start - bt.bt_start);
    bt.bt_start = start;
    bt.bt_size -= before.bt_size;
    bt_insseg(vm, before, bt.bt_prevseg);
    bt_insfree(vm, before);
  }
  if (bt.bt_size > size) {
    const busy = new Bt(BT_TYPE_BUSY, start, size);
    bt.bt_start += size;
    bt.bt_size -= size;
    bt_insseg(vm, busy, bt.bt_prevseg);
    bt_insfree(vm, bt);
    bt_insbusy(vm, busy);
  } else {
    bt.bt_type = BT_TYPE_BUSY;
    bt_insbusy(vm, bt);
  }
}

/** vmf_to_prf: the pool flag for a vmem sleep flag. */
export function vmf_to_prf(vmflags: number): number {
  return vmflags & VM_SLEEP ? PR_WAITOK : PR_NOWAIT;
}

/* ---- vmem API */

/** vmem_create: an arena, with its first static span and its quantum caches. */
export function vmem_create(o: VmemCreateOptions): VmemArena {
  KASSERTMSG(isPow2(o.quantum), 'ORDER2SIZE(vm->vm_quantum_shift) == quantum', FILE, () => `vmem ${o.name} quantum ${o.quantum}`);
  const vm = new Vmem(o.name, o.quantum, o.importfn ?? null, o.releasefn ?? null, o.printf);
  if (o.qcache_max) {
    KASSERTMSG(o.ctx !== undefined, 'ctx != NULL', FILE, () => `vmem ${o.name}: quantum caches need a CPU context`);
    qc_init(vm, o.qcache_max, o.ctx, {
      alloc: (size, vmflags) => vmem_xalloc(vm, size, 0, 0, 0, 0, 0, vmflags),
      free: (addr, size) => vmem_xfree(vm, addr, size),
      debug: o.debug ?? false,
      printf: vm.vm_printf,
      pcgFail: o.pcgFail,
      store: o.store,
      pageFail: o.qcPageFail,
    });
  }
  if (o.size) vmem_add(vm, o.base ?? 0, o.size, VM_SLEEP);
  return vm;
}

/** vmem_add: a static span [addr, addr+size). */
export function vmem_add(vm: Vmem, addr: number, size: number, _flags: number): number {
  KASSERTMSG(size > 0 && addr % vm.vm_quantum === 0 && size % vm.vm_quantum === 0, 'span is quantum aligned', FILE, () => `vmem ${vm.vm_name} addr ${hex(addr)} size ${hex(size)}`);
  const other = vmem_span_overlapping(vm, addr, size);
  KASSERTMSG(other === undefined, 'span does not overlap', FILE, () => `vmem ${vm.vm_name} addr ${hex(addr)} size ${hex(size)} overlaps span ${hex(other!.bt_start)}+${hex(other!.bt_size)}`);
  vmem_add1(vm, addr, size, BT_TYPE_SPAN_STATIC);
  return addr;
}

/** vmem_alloc: `size` bytes, from a quantum cache when small enough. */
export function vmem_alloc(vm: VmemArena, size: number, flags: number): number | null {
  KASSERTMSG(Number.isSafeInteger(size) && size > 0, 'size > 0', FILE, () => `vmem ${vm.vm_name} size ${size}`);
  if (size <= vm.vm_qcache_max) {
    const qc = vm.vm_qcache[Math.ceil(size / vm.vm_quantum) - 1]!;
    return pool_cache_get(qc.qc_cache, vmf_to_prf(flags));
  }
  return vmem_xalloc(vm, size, 0, 0, 0, 0, 0, flags);
}

/** vmem_xalloc: `size0` bytes under constraints, or null (impossible constraints panic). */
export function vmem_xalloc(vm: VmemArena, size0: number, align: number, phase: number, nocross: number, minaddr: number, maxaddr: number, flags: number): number | null {
  vmem_xalloc_check(vm, size0, align, phase, nocross, minaddr, maxaddr, flags);
  const size = vmem_roundup_size(vm, size0);
  const a = align || vm.vm_quantum;
  let strat = flags & VM_FITMASK;
  let imported = false;
  for (;;) {
    const found = vmem_search(vm, size, strat, a, phase, nocross, minaddr, maxaddr);
    if (found) {
      vmem_carve(vm, found.bt, found.start, size);
      return found.start;
    }
    if (strat === VM_INSTANTFIT) {
      strat = VM_BESTFIT;
      continue;
    }
    // Importing a span that meets align/phase/nocross is not attempted (NetBSD: "XXX").
    const constrained = align !== 0 || phase !== 0 || nocross !== 0;
    if (!imported && !constrained && vmem_import(vm, size, flags)) {
      imported = true;
      continue;
    }
    if (flags & VM_SLEEP) cannot_sleep(vm.vm_printf, 'vmem_xalloc', vm.vm_name);
    return null;
  }
}

/** vmem_free: give back what vmem_alloc returned, with the same size. */
export function vmem_free(vm: VmemArena, addr: number, size: number): void {
  KASSERTMSG(Number.isSafeInteger(size) && size > 0, 'size > 0', FILE, () => `vmem ${vm.vm_name} addr ${hex(addr)} size ${size}`);
  if (size <= vm.vm_qcache_max) {
    const qc = vm.vm_qcache[Math.ceil(size / vm.vm_quantum) - 1]!;
    pool_cache_put(qc.qc_cache, addr);
    return;
  }
  vmem_xfree(vm, addr, size);
}

/** Merge free neighbour t into bt (same span: spans are never merged). */
function vmem_coalesce(vm: Vmem, bt: Bt, t: Bt | null): void {
  if (!t || t.bt_type !== BT_TYPE_FREE) return;
  bt_remfree(vm, t);
  bt_remseg(vm, t);
  if (t.bt_start < bt.bt_start) bt.bt_start = t.bt_start;
  bt.bt_size += t.bt_size;
}

/** vmem_xfree: give back what vmem_xalloc returned; a wrong address or size panics, changing nothing. */
export function vmem_xfree(vm: Vmem, addr: number, size: number): void {
  const bt = bt_lookupbusy(vm, addr);
  KASSERTMSG(bt !== undefined, 'bt != NULL', FILE, () => `vmem ${vm.vm_name} addr ${hex(addr)} size ${hex(size)}`);
  KASSERTMSG(bt.bt_size === vmem_roundup_size(vm, size), 'bt->bt_size == vmem_roundup_size(vm, size)', FILE, () => `vmem ${vm.vm_name} addr ${hex(addr)} size ${hex(size)} != busy size ${hex(bt.bt_size)}`);
  bt_rembusy(vm, bt);
  bt.bt_type = BT_TYPE_FREE;
  vmem_coalesce(vm, bt, bt.bt_nextseg);
  vmem_coalesce(vm, bt, bt.bt_prevseg);
  const span = bt.bt_prevseg!;
  if (vm.vm_releasefn && span.bt_type === BT_TYPE_SPAN && span.bt_size === bt.bt_size) {
    bt_remseg(vm, bt);
    bt_remseg(vm, span);
    vm.vm_size -= span.bt_size;
    vm.vm_nrelease++;
    vm.vm_releasefn(span.bt_start, span.bt_size);
    return;
  }
  bt_insfree(vm, bt);
}

/** vmem_reap: give the quantum caches' idle memory back to the arena. */
export function vmem_reap(vm: Vmem): boolean {
  return qc_reap(vm);
}

/** vmem_destroy: nothing may be busy; imported spans go back to the source. */
export function vmem_destroy(vm: Vmem): void {
  qc_destroy(vm);
  KASSERTMSG(vm.vm_nbusytag === 0, 'vm->vm_nbusytag == 0', FILE, () => `vmem_destroy: ${vm.vm_name}: ${vm.vm_nbusytag} busy segments leaked`);
  for (let bt = vm.vm_seghead; bt; bt = bt.bt_nextseg) {
    if (bt.bt_type === BT_TYPE_SPAN && vm.vm_releasefn) vm.vm_releasefn(bt.bt_start, bt.bt_size);
  }
  vm.vm_seghead = vm.vm_segtail = null;
  vm.vm_freelist.fill(null);
  vm.vm_size = 0;
}

export { VM_BESTFIT, VM_INSTANTFIT, VM_NOSLEEP, VM_SLEEP, vmem_roundup_size };
