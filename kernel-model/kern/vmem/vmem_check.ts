// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmem_check: the arena's invariants, as a list of violations (NetBSD's
 * vmem_check_sanity under VMEM_SANITY walks the segment list the same
 * way; this one also checks the free lists, the hash, the counters and
 * the quantum caches' pages).
 */

import { hex } from '../diagnostic';
import { pool_cache_check } from '../pool/pool_cache_check';
import type { PoolCache } from '../pool/pool_cache';
import {
  BT_ISSPAN_P,
  BT_TYPE_BUSY,
  BT_TYPE_FREE,
  BT_TYPE_NAMES,
  bt_freehead_tofree,
  bt_hashhead,
  bt_lookupbusy,
  VMEM_MAXORDER,
  type Bt,
  type Vmem,
} from './vmem_impl';

const tag = (bt: Bt): string => `${BT_TYPE_NAMES[bt.bt_type]} ${hex(bt.bt_start)}+${hex(bt.bt_size)}`;

/** Links, quantum alignment, spans in order, segments tiling each span, no adjacent free pair. */
function check_seglist(vm: Vmem, errors: string[]): void {
  const q = vm.vm_quantum;
  let span: Bt | null = null;
  let cursor = 0;
  let prev: Bt | null = null;
  let spans = 0;
  const closeSpan = (): void => {
    if (span && cursor !== span.bt_end) errors.push(`vmem ${vm.vm_name}: ${tag(span)} tiled only up to ${hex(cursor)}`);
  };
  for (let bt = vm.vm_seghead; bt; prev = bt, bt = bt.bt_nextseg) {
    if (bt.bt_prevseg !== prev) errors.push(`vmem ${vm.vm_name}: ${tag(bt)} has a wrong back link`);
    if (bt.bt_size <= 0 || bt.bt_start % q !== 0 || bt.bt_size % q !== 0) errors.push(`vmem ${vm.vm_name}: ${tag(bt)} not a positive multiple of the quantum ${q}`);
    if (BT_ISSPAN_P(bt)) {
      closeSpan();
      if (span && bt.bt_start < span.bt_end) errors.push(`vmem ${vm.vm_name}: ${tag(bt)} overlaps or precedes ${tag(span)}`);
      span = bt;
      cursor = bt.bt_start;
      spans++;
      continue;
    }
    if (!span) {
      errors.push(`vmem ${vm.vm_name}: ${tag(bt)} before any span`);
      continue;
    }
    if (bt.bt_start !== cursor) errors.push(`vmem ${vm.vm_name}: ${tag(bt)} does not start where the previous segment ends (${hex(cursor)})`);
    if (bt.bt_end > span.bt_end) errors.push(`vmem ${vm.vm_name}: ${tag(bt)} runs past ${tag(span)}`);
    if (bt.bt_type === BT_TYPE_FREE && prev?.bt_type === BT_TYPE_FREE) errors.push(`vmem ${vm.vm_name}: adjacent free segments ${tag(prev)} and ${tag(bt)}`);
    cursor = bt.bt_end;
  }
  closeSpan();
  if (vm.vm_segtail !== prev) errors.push(`vmem ${vm.vm_name}: tail pointer is not the last tag`);
  if (vm.vm_seghead === null && spans === 0 && vm.vm_segtail !== null) errors.push(`vmem ${vm.vm_name}: empty list with a tail`);
}

/** Every free segment on the list of its size class, nothing else on any list. */
function check_freelists(vm: Vmem, errors: string[]): void {
  const listed = new Set<Bt>();
  for (let idx = 0; idx < VMEM_MAXORDER; idx++) {
    let prev: Bt | null = null;
    for (let bt = vm.vm_freelist[idx] ?? null; bt; prev = bt, bt = bt.bt_nextfree) {
      if (listed.has(bt)) {
        errors.push(`vmem ${vm.vm_name}: freelist[${idx}] loops or shares ${tag(bt)}`);
        break;
      }
      listed.add(bt);
      if (bt.bt_prevfree !== prev) errors.push(`vmem ${vm.vm_name}: freelist[${idx}] ${tag(bt)} has a wrong back link`);
      if (bt.bt_type !== BT_TYPE_FREE) errors.push(`vmem ${vm.vm_name}: freelist[${idx}] holds ${tag(bt)}`);
      else if (bt_freehead_tofree(vm, bt.bt_size) !== idx) errors.push(`vmem ${vm.vm_name}: ${tag(bt)} on freelist[${idx}], belongs on freelist[${bt_freehead_tofree(vm, bt.bt_size)}]`);
    }
  }
  for (let bt = vm.vm_seghead; bt; bt = bt.bt_nextseg) {
    if (bt.bt_type === BT_TYPE_FREE && !listed.has(bt)) errors.push(`vmem ${vm.vm_name}: ${tag(bt)} on no free list`);
  }
}

/** The hash holds exactly the busy segments; the counters are the sums. */
function check_hash_and_counts(vm: Vmem, errors: string[]): void {
  let busy = 0;
  let inuse = 0;
  let size = 0;
  for (let bt = vm.vm_seghead; bt; bt = bt.bt_nextseg) {
    if (BT_ISSPAN_P(bt)) size += bt.bt_size;
    if (bt.bt_type !== BT_TYPE_BUSY) continue;
    busy++;
    inuse += bt.bt_size;
    if (bt_lookupbusy(vm, bt.bt_start) !== bt) errors.push(`vmem ${vm.vm_name}: ${tag(bt)} not in the hash`);
  }
  let hashed = 0;
  vm.vm_hashlist.forEach((head, h) => {
    for (let bt = head; bt && hashed <= busy; bt = bt.bt_hashnext, hashed++) {
      if (bt.bt_type !== BT_TYPE_BUSY || bt_hashhead(vm, bt.bt_start) !== h) errors.push(`vmem ${vm.vm_name}: hash bucket ${h} holds ${tag(bt)}`);
    }
  });
  if (hashed !== busy || vm.vm_nbusytag !== busy) errors.push(`vmem ${vm.vm_name}: hash holds ${hashed} tags, vm_nbusytag ${vm.vm_nbusytag}, ${busy} busy segments`);
  if (vm.vm_inuse !== inuse) errors.push(`vmem ${vm.vm_name}: vm_inuse ${hex(vm.vm_inuse)}, busy segments ${hex(inuse)}`);
  if (vm.vm_size !== size) errors.push(`vmem ${vm.vm_name}: vm_size ${hex(vm.vm_size)}, spans ${hex(size)}`);
}

/** Each page of the cache's pool must be a busy segment of the arena, of exactly the pool's page size. */
export function check_pool_pages_in_arena(vm: Vmem, pc: PoolCache, errors: string[]): void {
  const pagesz = pc.pc_pool.pr_alloc.pa_pagesz;
  for (const ph of pc.pc_pool.pr_pages) {
    const bt = bt_lookupbusy(vm, ph.ph_page);
    if (!bt || bt.bt_size !== pagesz) errors.push(`vmem ${vm.vm_name}: ${pc.pc_pool.pr_wchan} page ${hex(ph.ph_page)} is not a busy segment of ${hex(pagesz)}`);
  }
}

/** The quantum caches are sane and live on this arena. */
function check_qcaches(vm: Vmem, errors: string[]): void {
  for (const qc of new Set(vm.vm_qcache)) {
    errors.push(...pool_cache_check(qc.qc_cache));
    check_pool_pages_in_arena(vm, qc.qc_cache, errors);
  }
}

/** vmem_check: every violated invariant of the arena, [] when sane. */
export function vmem_check(vm: Vmem): string[] {
  const errors: string[] = [];
  check_seglist(vm, errors);
  check_freelists(vm, errors);
  check_hash_and_counts(vm, errors);
  check_qcaches(vm, errors);
  return errors;
}
