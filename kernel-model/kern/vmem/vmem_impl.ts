// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmem's data structures and their primitive operations (NetBSD
 * sys/kern/subr_vmem.c, sections "boundary tag", "boundary tag hash" and
 * "boundary tag list"); the design is described in subr_vmem.ts.
 */

import type { Printf } from '../diagnostic';
import type { PoolCache } from '../pool/pool_cache';

/* vm_flag_t (sys/vmem.h) */
export const VM_SLEEP = 0x00000001;
export const VM_NOSLEEP = 0x00000002;
export const VM_BESTFIT = 0x00000100;
export const VM_INSTANTFIT = 0x00001000;
export const VM_FITMASK = VM_BESTFIT | VM_INSTANTFIT;

/** Free lists: one per power of two of quanta; 2^53 is as far as a `number` counts exactly. */
export const VMEM_MAXORDER = 53;
/** Hash buckets: the table starts small and grows with the busy tags. */
export const VMEM_HASHSIZE_MIN = 16;
export const VMEM_HASHSIZE_MAX = 1 << 20;
/** Quantum caches cover at most this many multiples of the quantum. */
export const VMEM_QCACHE_IDX_MAX = 32;

export const BT_TYPE_SPAN = 1;
export const BT_TYPE_SPAN_STATIC = 2;
export const BT_TYPE_FREE = 3;
export const BT_TYPE_BUSY = 4;
export type BtType = typeof BT_TYPE_SPAN | typeof BT_TYPE_SPAN_STATIC | typeof BT_TYPE_FREE | typeof BT_TYPE_BUSY;

export const BT_TYPE_NAMES: Record<BtType, string> = { 1: 'span', 2: 'static span', 3: 'free', 4: 'busy' };

/** struct vmem_btag: a boundary tag, external to the resource it describes. */
export class Bt {
  /** Address-ordered segment list (spans and their segments). */
  bt_prevseg: Bt | null = null;
  bt_nextseg: Bt | null = null;
  /** Free list of the tag's size class (FREE tags only). */
  bt_prevfree: Bt | null = null;
  bt_nextfree: Bt | null = null;
  /** Hash chain (BUSY tags only). */
  bt_hashnext: Bt | null = null;

  constructor(
    public bt_type: BtType,
    public bt_start: number,
    public bt_size: number,
  ) {}

  get bt_end(): number {
    return this.bt_start + this.bt_size;
  }
}

export function BT_ISSPAN_P(bt: Bt): boolean {
  return bt.bt_type === BT_TYPE_SPAN || bt.bt_type === BT_TYPE_SPAN_STATIC;
}

/** What an import callback hands back: a span, possibly larger than asked. */
export interface VmemSpan {
  addr: number;
  size: number;
}

/** vm_importfn: get a span of at least `size` from the source, or null. */
export type VmemImport = (size: number, flags: number) => VmemSpan | null;
/** vm_releasefn: give a whole imported span back to the source. */
export type VmemRelease = (addr: number, size: number) => void;

/** struct qcache */
export interface QCache {
  readonly qc_cache: PoolCache;
  readonly qc_name: string;
}

/** struct vmem: an arena. */
export class Vmem {
  /** Segment list: first and last tag. */
  vm_seghead: Bt | null = null;
  vm_segtail: Bt | null = null;
  readonly vm_freelist: (Bt | null)[] = new Array<Bt | null>(VMEM_MAXORDER).fill(null);
  /** Busy tags hashed by start address: vmem_xfree's lookup and its sanity check. */
  vm_hashlist: (Bt | null)[] = new Array<Bt | null>(VMEM_HASHSIZE_MIN).fill(null);
  vm_nbusytag = 0;
  readonly vm_quantum_mask: number;
  readonly vm_quantum_shift: number;
  vm_qcache_max = 0;
  /** vm_qcache[i]: the cache for sizes of i+1 quanta (adjacent sizes may share one). */
  vm_qcache: QCache[] = [];
  /** Bytes in spans, and in busy segments. */
  vm_size = 0;
  vm_inuse = 0;
  /** Spans imported and released (statistics). */
  vm_nimport = 0;
  vm_nrelease = 0;

  constructor(
    readonly vm_name: string,
    quantum: number,
    readonly vm_importfn: VmemImport | null,
    readonly vm_releasefn: VmemRelease | null,
    /** Where warnings go (the kernel log once wired). */
    public vm_printf: Printf = () => {},
  ) {
    this.vm_quantum_mask = quantum - 1;
    this.vm_quantum_shift = calc_order(quantum);
  }

  get vm_quantum(): number {
    return this.vm_quantum_mask + 1;
  }

}

/* ---- misc (arithmetic that stays exact for addresses up to 2^53) */

/** floor(log2(n)) for an integer n >= 1. */
export function calc_order(n: number): number {
  if (n < 0x100000000) return 31 - Math.clz32(n);
  let i = Math.floor(Math.log2(n));
  if (2 ** i > n) i--;
  else if (2 ** (i + 1) <= n) i++;
  return i;
}

/** VMEM_ALIGNUP for a power-of-two align. */
export function VMEM_ALIGNUP(addr: number, align: number): number {
  return Math.ceil(addr / align) * align;
}

/** VMEM_CROSS_P: whether [a1, a2] straddles a multiple of boundary (0: no boundary). */
export function VMEM_CROSS_P(a1: number, a2: number, boundary: number): boolean {
  return boundary !== 0 && Math.floor(a1 / boundary) !== Math.floor(a2 / boundary);
}

export function isPow2(n: number): boolean {
  return n > 0 && 2 ** calc_order(n) === n;
}

/** vmem_roundup_size */
export function vmem_roundup_size(vm: Vmem, size: number): number {
  return Math.ceil(size / vm.vm_quantum) * vm.vm_quantum;
}

/* ---- boundary tag free lists
 *
 *   freelist[0] ... segments of 1 quantum
 *   freelist[1] ... [2, 3] quanta
 *   freelist[n] ... [2^n, 2^(n+1) - 1] quanta
 */

/** bt_freehead_tofree: the list a free segment of `size` bytes belongs on. */
export function bt_freehead_tofree(vm: Vmem, size: number): number {
  return calc_order(size / vm.vm_quantum);
}

/**
 * bt_freehead_toalloc: the first list to search for `size` bytes. For
 * instant-fit, every segment of that list must be big enough, so unless
 * size is exactly 2^n quanta the search starts one list up.
 */
export function bt_freehead_toalloc(vm: Vmem, size: number, strat: number): number {
  const qsize = size / vm.vm_quantum;
  const idx = calc_order(qsize);
  return strat === VM_INSTANTFIT && 2 ** idx !== qsize ? idx + 1 : idx;
}

export function bt_insfree(vm: Vmem, bt: Bt): void {
  const idx = bt_freehead_tofree(vm, bt.bt_size);
  const head = vm.vm_freelist[idx]!;
  bt.bt_prevfree = null;
  bt.bt_nextfree = head;
  if (head) head.bt_prevfree = bt;
  vm.vm_freelist[idx] = bt;
}

export function bt_remfree(vm: Vmem, bt: Bt): void {
  if (bt.bt_prevfree) bt.bt_prevfree.bt_nextfree = bt.bt_nextfree;
  else vm.vm_freelist[bt_freehead_tofree(vm, bt.bt_size)] = bt.bt_nextfree;
  if (bt.bt_nextfree) bt.bt_nextfree.bt_prevfree = bt.bt_prevfree;
  bt.bt_prevfree = bt.bt_nextfree = null;
}

/* ---- boundary tag hash
 *
 * Chained buckets, as NetBSD's vm_hashlist. NetBSD resizes the table from
 * a periodic callout (vmem_rehash_all); the model has no callouts yet and
 * doubles the table (to VMEM_HASHSIZE_MAX) when the busy tags outnumber
 * the buckets twice over. It never shrinks.
 */

/** bt_hashhead: the bucket of an address (a multiplicative hash of its quantum index). */
export function bt_hashhead(vm: Vmem, addr: number): number {
  const q = addr / vm.vm_quantum;
  const mixed = Math.imul((q | 0) ^ ((q / 0x100000000) | 0), 0x9e3779b1);
  return (mixed >>> 0) % vm.vm_hashlist.length;
}

export function bt_lookupbusy(vm: Vmem, addr: number): Bt | undefined {
  for (let bt = vm.vm_hashlist[bt_hashhead(vm, addr)] ?? null; bt; bt = bt.bt_hashnext) if (bt.bt_start === addr) return bt;
  return undefined;
}

/** vmem_rehash: move every busy tag into a table of `size` buckets. */
export function vmem_rehash(vm: Vmem, size: number): void {
  const old = vm.vm_hashlist;
  vm.vm_hashlist = new Array<Bt | null>(size).fill(null);
  for (const head of old) {
    for (let bt = head, next: Bt | null; bt; bt = next) {
      next = bt.bt_hashnext;
      const h = bt_hashhead(vm, bt.bt_start);
      bt.bt_hashnext = vm.vm_hashlist[h]!;
      vm.vm_hashlist[h] = bt;
    }
  }
}

export function bt_insbusy(vm: Vmem, bt: Bt): void {
  const h = bt_hashhead(vm, bt.bt_start);
  bt.bt_hashnext = vm.vm_hashlist[h]!;
  vm.vm_hashlist[h] = bt;
  vm.vm_nbusytag++;
  vm.vm_inuse += bt.bt_size;
  if (vm.vm_nbusytag > 2 * vm.vm_hashlist.length && vm.vm_hashlist.length < VMEM_HASHSIZE_MAX) vmem_rehash(vm, vm.vm_hashlist.length * 2);
}

export function bt_rembusy(vm: Vmem, bt: Bt): void {
  const h = bt_hashhead(vm, bt.bt_start);
  let prev: Bt | null = null;
  for (let t = vm.vm_hashlist[h] ?? null; t; prev = t, t = t.bt_hashnext) {
    if (t !== bt) continue;
    if (prev) prev.bt_hashnext = bt.bt_hashnext;
    else vm.vm_hashlist[h] = bt.bt_hashnext;
    break;
  }
  bt.bt_hashnext = null;
  vm.vm_nbusytag--;
  vm.vm_inuse -= bt.bt_size;
}

/** Every busy tag, bucket by bucket. */
export function* vmem_busy_tags(vm: Vmem): Generator<Bt> {
  for (const head of vm.vm_hashlist) for (let bt = head; bt; bt = bt.bt_hashnext) yield bt;
}

/* ---- boundary tag list */

/** bt_insseg: link bt after prev (at the head when prev is null). */
export function bt_insseg(vm: Vmem, bt: Bt, prev: Bt | null): void {
  const next = prev ? prev.bt_nextseg : vm.vm_seghead;
  bt.bt_prevseg = prev;
  bt.bt_nextseg = next;
  if (prev) prev.bt_nextseg = bt;
  else vm.vm_seghead = bt;
  if (next) next.bt_prevseg = bt;
  else vm.vm_segtail = bt;
}

export function bt_remseg(vm: Vmem, bt: Bt): void {
  if (bt.bt_prevseg) bt.bt_prevseg.bt_nextseg = bt.bt_nextseg;
  else vm.vm_seghead = bt.bt_nextseg;
  if (bt.bt_nextseg) bt.bt_nextseg.bt_prevseg = bt.bt_prevseg;
  else vm.vm_segtail = bt.bt_prevseg;
  bt.bt_prevseg = bt.bt_nextseg = null;
}

/** The last tag before a new span at `addr`, keeping the list in address order. */
export function bt_span_insert_point(vm: Vmem, addr: number): Bt | null {
  let prev: Bt | null = null;
  for (let bt = vm.vm_seghead; bt && bt.bt_start < addr; bt = bt.bt_nextseg) prev = bt;
  return prev;
}

/** Every tag in address order. */
export function* vmem_segments(vm: Vmem): Generator<Bt> {
  for (let bt = vm.vm_seghead; bt; bt = bt.bt_nextseg) yield bt;
}
