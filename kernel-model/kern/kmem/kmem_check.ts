// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_check: kmem's invariants (the arena's, the caches', and that each
 * mid-size cache's pool pages are busy segments of kmem_arena of exactly
 * the cache's size), and KmemOracle, the naive model of what kmem has
 * handed out: [p, p+size) intervals that must never overlap.
 */

import { hex } from '../diagnostic';
import { pool_cache_check } from '../pool/pool_cache_check';
import { check_pool_pages_in_arena, vmem_check } from '../vmem/vmem_check';
import type { Kmem } from './subr_kmem';

export function kmem_check(km: Kmem): string[] {
  const errors = vmem_check(km.kmem_arena);
  for (const pc of km.kmem_cache) {
    if (!pc) continue;
    errors.push(...pool_cache_check(pc));
    check_pool_pages_in_arena(km.kmem_arena, pc, errors);
  }
  return errors;
}

export class KmemOracle {
  /** Live objects: start -> size. */
  readonly live = new Map<number, number>();

  constructor(readonly quantum: number) {}

  /** Why kmem_alloc's answer p for `size` is wrong, or null (and then p is recorded). */
  alloc(p: number, size: number): string | null {
    if (p % this.quantum !== 0) return `${hex(p)} not aligned to the quantum ${this.quantum}`;
    for (const [q, qs] of this.live) if (q < p + size && p < q + qs) return `${hex(p)}+${size} overlaps live ${hex(q)}+${qs}`;
    this.live.set(p, size);
    return null;
  }

  free(p: number): void {
    this.live.delete(p);
  }
}
