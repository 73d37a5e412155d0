// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pool and pool cache statistics as NetBSD's vmstat(1) prints them:
 * `vmstat -m` (one line per pool: item size, requests, failures,
 * releases, page requests and releases, pages, high-water mark, idle
 * pages) and `vmstat -C` (one line per cache: magazine size, full and
 * empty magazines in the depot, requests that reached the pool layer, the
 * depot (cache) layer and the CPU layer, with the hit rates of the last
 * two). The columns are NetBSD's; the widths are fitted to the names. The
 * kernel will serve these at a /proc path once kmem is wired in.
 */

import type { Pool } from './subr_pool';
import type { PoolCache } from './pool_cache';

function table(head: string[], rows: (string | number)[][]): string[] {
  const cells = rows.map((r) => r.map(String));
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join(' ');
  return [line(head), ...cells.map(line)];
}

const pct = (hit: number, total: number): string => (total ? ((hit * 100) / total).toFixed(1) : '0.0');

/** vmstat -m */
export function vmstat_m(pools: readonly Pool[]): string {
  const rows = pools.map((pp) => [
    pp.pr_wchan,
    pp.pr_size,
    pp.pr_nget,
    pp.pr_nfail,
    pp.pr_nput,
    pp.pr_npagealloc,
    pp.pr_npagefree,
    pp.pr_npages,
    pp.pr_hiwat,
    0,
    Number.isFinite(pp.pr_maxidle) ? pp.pr_maxidle : 'inf',
    pp.pr_nidle,
  ]);
  const inuse = pools.reduce((n, pp) => n + pp.pr_nout * pp.pr_size, 0);
  const total = pools.reduce((n, pp) => n + pp.pr_npages * pp.pr_alloc.pa_pagesz, 0);
  return [
    'Memory resource pool statistics',
    ...table(['Name', 'Size', 'Requests', 'Fail', 'Releases', 'Pgreq', 'Pgrel', 'Npage', 'Hiwat', 'Minpg', 'Maxpg', 'Idle'], rows),
    '',
    `In use ${Math.round(inuse / 1024)}K, total allocated ${Math.round(total / 1024)}K; utilization ${pct(inuse, total)}%`,
  ].join('\n') + '\n';
}

/** vmstat -C */
export function vmstat_C(caches: readonly PoolCache[]): string {
  const rows = caches.map((pc) => {
    let cpuhit = 0;
    let cpumiss = 0;
    for (const cc of pc.pc_cpus) {
      cpuhit += cc.cc_hits;
      cpumiss += cc.cc_misses;
    }
    const cache = pc.pc_hits + pc.pc_misses;
    return [pc.pc_pool.pr_wchan, 0, pc.pc_pcgsize, pc.pc_nfull, pc.pc_nempty, pc.pc_misses, cache, pct(pc.pc_hits, cache), cpuhit + cpumiss, pct(cpuhit, cpuhit + cpumiss)];
  });
  return ['Pool cache statistics.', ...table(['Name', 'Spin', 'GrpSz', 'Full', 'Emty', 'PoolLayer', 'CacheLayer', 'Hit%', 'CpuLayer', 'Hit%'], rows)].join('\n') + '\n';
}
