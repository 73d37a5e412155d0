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
 *
 * Then test_vmalloc's seven vmalloc-only tests (kernel-model/lib/
 * test_vmalloc.ts) in the module's performance order, on one allocator
 * instance each, host-timed: time per test and in total, and the ratio.
 * This is the seed's experiment without the kernel around it (no page
 * mapping, no threads, host time instead of CPU0 cycles); the full one
 * comes with vmalloc in the kernel.
 */

import { xorshift32 } from '../kernel-model/lib/random';
import { createVmap, PAGE_SIZE, type Vmap, type VmapAllocatorKind } from '../kernel-model/mm/vmalloc';
import { VMALLOC_END, VMALLOC_START } from '../kernel-model/arch/arm64/memory';
import { run_test_vmalloc, TEST_VMALLOC_DEFAULTS, vmallocOps } from '../kernel-model/lib/test_vmalloc';
import { gitRevision, type BenchReport, type BenchRow } from './report';

export interface VmallocTreeParams {
  /** Busy-area counts to measure at. */
  sizes: number[];
  /** alloc+alloc+free+free loops per measurement (the median loop is reported). */
  loops: number;
  /** test_vmalloc's test_loop_count (the module's default, 1,000,000, takes hours here). */
  test_loop_count: number;
  /** Online CPUs for lazy_max_pages and full_fit's junk length (the uConsole has four). */
  nrCpus: number;
}

export const VMALLOC_TREE_DEFAULTS: VmallocTreeParams = { sizes: [1_000, 10_000, 100_000], loops: 200, test_loop_count: 2_000, nrCpus: 4 };

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
  // Warm the JIT on both allocators first, so the first figure is not the compiler's.
  progress('warming up');
  for (const kind of KINDS) for (const w of WORKLOADS) measure(prepare(kind, 1000), w, 200);
  for (const w of WORKLOADS) {
    for (const n of params.sizes) {
      for (const kind of KINDS) {
        progress(`${w.name}: ${kind} with ${n} busy areas`);
        const vmap = prepare(kind, n);
        measure(vmap, w, Math.min(params.loops, 20)); // warm this instance's caches
        const { allocNs, freeNs } = measure(vmap, w, params.loops);
        const test = `${w.name}@${n}`;
        results.push({ variant: kind, test, metric: 'alloc_us', unit: 'us', value: allocNs / 1000 });
        results.push({ variant: kind, test, metric: 'free_us', unit: 'us', value: freeNs / 1000 });
      }
      const [aug, list] = KINDS.map((k) => results.find((r) => r.variant === k && r.test === `${w.name}@${n}` && r.metric === 'alloc_us')!.value);
      results.push({ variant: 'list/augment', test: `${w.name}@${n}`, metric: 'alloc_ratio', unit: 'x', value: list! / aug! });
    }
  }
  results.push(...benchTestVmalloc(params, progress));
  return {
    suite: 'vmalloc-tree',
    board: 'none (allocators alone)',
    cmdline: '',
    revision: gitRevision(),
    params: { sizes: params.sizes.join(','), loops: params.loops, test_loop_count: params.test_loop_count, nrCpus: params.nrCpus },
    results,
  };
}


function benchTestVmalloc(params: VmallocTreeParams, progress: (s: string) => void): BenchRow[] {
  const rows: BenchRow[] = [];
  const totals = new Map<VmapAllocatorKind, number>();
  const warm = { ...TEST_VMALLOC_DEFAULTS, test_loop_count: 100, sequential_test_order: true };
  for (const kind of KINDS) run_test_vmalloc(vmallocOps(createVmap({ kind, nrCpus: 1 }), 1), warm, xorshift32(2), () => 0);
  for (const kind of KINDS) {
    progress(`test_vmalloc: ${kind}, test_loop_count=${params.test_loop_count}`);
    const vmap = createVmap({ kind, nrCpus: params.nrCpus });
    const p = { ...TEST_VMALLOC_DEFAULTS, test_loop_count: params.test_loop_count, sequential_test_order: true };
    const clock = (): number => Number(process.hrtime.bigint()) / 1000;
    const results = run_test_vmalloc(vmallocOps(vmap, params.nrCpus), p, xorshift32(1), clock);
    let total = 0;
    for (const r of results) {
      rows.push({ variant: kind, test: `test_vmalloc/${r.name}`, metric: 'time_ms', unit: 'ms', value: r.avgUsec / 1000 });
      total += r.avgUsec / 1000;
    }
    rows.push({ variant: kind, test: 'test_vmalloc/total', metric: 'time_ms', unit: 'ms', value: total });
    totals.set(kind, total);
  }
  for (const test of [...new Set(rows.map((r) => r.test))]) {
    const [aug, list] = KINDS.map((k) => rows.find((r) => r.variant === k && r.test === test)!.value);
    rows.push({ variant: 'list/augment', test, metric: 'time_ratio', unit: 'x', value: list! / aug! });
  }
  return rows;
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
