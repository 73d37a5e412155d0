// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vmap area allocators alone (no machine): time per allocation and per
 * free for augment and list, side by side, with 1,000 / 10,000 / 100,000
 * busy areas in front of the requests. The seed's claim is that the
 * augment allocator's cost stays flat (O(log n)) while the list
 * allocator's grows with the busy areas (O(n)).
 *
 * Workloads, each run against the same prepared layout (n one-page busy
 * areas packed from VMALLOC_START):
 *
 *   mixed-align     per loop: one page at 2-page alignment, then one page
 *                   at page alignment, both freed. The second request is
 *                   more permissive than the first (smaller alignment), so
 *                   the list allocator drops its hole cache and walks the
 *                   busy list from vstart: the seed's "requests with
 *                   different permissive parameters".
 *   long-busy-list  per loop: 100 pages, then one page, both freed
 *                   (test_vmalloc's long_busy_list_alloc_test shape,
 *                   without the lazy purge). Same parameters every time,
 *                   so the list allocator's cache keeps it O(1): this
 *                   shows where the cache does its job.
 *
 * Frees are immediate (free_vmap_area), so only the allocators are timed.
 */

import { createVmap, PAGE_SIZE, type Vmap, type VmapAllocatorKind } from '../kernel-model/mm/vmalloc';
import { VMALLOC_END, VMALLOC_START } from '../kernel-model/arch/arm64/memory';
import { gitRevision, type BenchReport, type BenchRow } from './report';

export interface VmallocTreeParams {
  /** Busy-area counts to measure at. */
  sizes: number[];
  /** alloc+alloc+free+free loops per measurement (the median loop is reported). */
  loops: number;
}

export const VMALLOC_TREE_DEFAULTS: VmallocTreeParams = { sizes: [1_000, 10_000, 100_000], loops: 200 };

const KINDS: VmapAllocatorKind[] = ['augment', 'list'];
const P = PAGE_SIZE;

interface Workload {
  name: string;
  /** The two requests of one loop: [pages, align]. */
  requests: [bigint, bigint][];
}

const WORKLOADS: Workload[] = [
  { name: 'mixed-align', requests: [[1n, 2n * P], [1n, P]] },
  { name: 'long-busy-list', requests: [[100n, P], [1n, P]] },
];

function prepare(kind: VmapAllocatorKind, busy: number): Vmap {
  const vmap = createVmap({ kind });
  for (let i = 0; i < busy; i++) if (vmap.alloc(P, P, VMALLOC_START, VMALLOC_END) === null) throw new Error('bench: the vmalloc range is full');
  return vmap;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Nanoseconds per allocation and per free: the median over `loops` loops
 * of the workload (the median, so that a garbage-collection pause in one
 * loop does not stand for all of them).
 */
function measure(vmap: Vmap, w: Workload, loops: number): { allocNs: number; freeNs: number } {
  const alloc: number[] = [];
  const free: number[] = [];
  const got: bigint[] = [];
  for (let i = 0; i < loops; i++) {
    const t0 = process.hrtime.bigint();
    for (const [pages, align] of w.requests) {
      const a = vmap.alloc(pages * P, align, VMALLOC_START, VMALLOC_END);
      if (a === null) throw new Error('bench: allocation failed');
      got.push(a);
    }
    const t1 = process.hrtime.bigint();
    for (const a of got) vmap.free(a);
    const t2 = process.hrtime.bigint();
    got.length = 0;
    alloc.push(Number(t1 - t0) / w.requests.length);
    free.push(Number(t2 - t1) / w.requests.length);
  }
  return { allocNs: median(alloc), freeNs: median(free) };
}

export function benchVmallocTree(params: VmallocTreeParams, progress: (s: string) => void = () => {}): BenchReport {
  const results: BenchRow[] = [];
  for (const w of WORKLOADS) {
    for (const n of params.sizes) {
      for (const kind of KINDS) {
        progress(`${w.name}: ${kind} with ${n} busy areas`);
        const vmap = prepare(kind, n);
        measure(vmap, w, Math.min(params.loops, 20)); // warm up the JIT
        const { allocNs, freeNs } = measure(vmap, w, params.loops);
        const test = `${w.name}@${n}`;
        results.push({ variant: kind, test, metric: 'alloc_us', unit: 'us', value: allocNs / 1000 });
        results.push({ variant: kind, test, metric: 'free_us', unit: 'us', value: freeNs / 1000 });
      }
      const [aug, list] = KINDS.map((k) => results.find((r) => r.variant === k && r.test === `${w.name}@${n}` && r.metric === 'alloc_us')!.value);
      results.push({ variant: 'list/augment', test: `${w.name}@${n}`, metric: 'alloc_ratio', unit: 'x', value: list! / aug! });
    }
  }
  return {
    suite: 'vmalloc-tree',
    board: 'none (allocators alone)',
    cmdline: '',
    revision: gitRevision(),
    params: { sizes: params.sizes.join(','), loops: params.loops },
    results,
  };
}

/** The scaling table: allocation time per busy-area count, one row per workload and allocator. */
export function formatScaling(r: BenchReport): string {
  const sizes = String(r.params.sizes).split(',');
  const lines = [`alloc time (us) against busy areas: ${sizes.join(' / ')}`];
  for (const w of WORKLOADS) {
    for (const kind of KINDS) {
      const cells = sizes.map((n) => r.results.find((x) => x.variant === kind && x.test === `${w.name}@${n}` && x.metric === 'alloc_us')!.value);
      const growth = cells[cells.length - 1]! / cells[0]!;
      lines.push(`${w.name.padEnd(15)} ${kind.padEnd(8)} ${cells.map((c) => c.toFixed(2).padStart(9)).join(' ')}   x${growth.toFixed(1)} from first to last`);
    }
  }
  return lines.join('\n') + '\n';
}
