// SPDX-License-Identifier: GPL-2.0-only
/*
 * The naive oracle for pool caches: a set of what the clients hold. The
 * checker alone can only see the pool and the magazines; with the oracle
 * it can say that every object out of the pool is in exactly one place.
 */

import { hex } from '../diagnostic';
import { pool_cache_cached, pool_cache_check } from './pool_cache_check';
import { pool_item_out } from './subr_pool';
import type { PoolCache } from './pool_cache';

/**
 * The naive model of a pool cache's clients: the set of objects handed
 * out. With it the checker can say that every object the pool has out is
 * in exactly one place, a magazine or a client's hands.
 */
export class PoolCacheOracle {
  readonly out = new Set<number>();

  /** A get returned obj: it must not be out already. */
  got(obj: number): void {
    if (this.out.has(obj)) throw new Error(`oracle: ${hex(obj)} handed out twice`);
    this.out.add(obj);
  }

  /** A put of obj: it must have been out. */
  put(obj: number): void {
    if (!this.out.delete(obj)) throw new Error(`oracle: ${hex(obj)} put but not out`);
  }

  /** Every object out of the pool is in exactly one of: a magazine, the clients' hands. */
  check(pc: PoolCache): string[] {
    const errors = pool_cache_check(pc);
    const cached = pool_cache_cached(pc, []);
    const name = pc.pc_pool.pr_wchan;
    for (const obj of this.out) {
      if (cached.has(obj)) errors.push(`pool_cache ${name}: ${hex(obj)} is handed out and cached`);
      if (!pool_item_out(pc.pc_pool, obj)) errors.push(`pool_cache ${name}: ${hex(obj)} is handed out and free in the pool`);
    }
    if (this.out.size + cached.size !== pc.pc_pool.pr_nout) {
      errors.push(`pool_cache ${name}: ${this.out.size} handed out + ${cached.size} cached != ${pc.pc_pool.pr_nout} out of the pool`);
    }
    return errors;
  }
}
