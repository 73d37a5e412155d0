// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vmalloc suite: the seed's experiment (lib/test_vmalloc.c through
 * tools/testing/selftests test_vmalloc.sh) rerun on the booted uConsole,
 * once with each vmap allocator (vmap_allocator=augment, the seed's, and
 * =list, the one it replaced), side by side in one run.
 *
 *   performance  one worker on CPU 0, the tests in order, each repeated
 *                3 times (the script's "performance": single_cpu_test=1
 *                sequential_test_order=1 test_repeat_count=3)
 *   stress       one worker per CPU, the tests shuffled, repeated 20 times
 *
 * The module's parameters override either (test_loop_count, run_test_mask,
 * sequential_test_order, nr_threads, test_repeat_count); their defaults are
 * the module's (test_loop_count 1,000,000: the full experiment; pass a
 * smaller count for a quick run). Times and cycles are the virtual clock's,
 * in which vmalloc charges its work (kernel-model/mm/vmalloc/vmalloc.ts,
 * VMALLOC_COST), so they are the same on every run and every host. The
 * suite also prints the scaling table the seed argues from: cycles per
 * alloc+free pair with 1,000 / 10,000 / 100,000 busy areas in front. The
 * model has the seven vmalloc tests (run_test_mask bits 0-6); pcpu_alloc_test
 * and the kvfree_rcu tests are not there yet, and their bits select nothing.
 */

import { bootUconsole } from '../api/uconsole';
import type { VmapAllocatorKind } from '../kernel-model/mm/vmalloc';
import { test_vmalloc_start, type TestVmallocModuleParams } from '../kernel-model/lib/test_vmalloc_module';
import { TEST_CASES } from '../kernel-model/lib/test_vmalloc';
import { gitRevision, type BenchReport, type BenchRow } from './report';
import type { Kernel } from '../kernel-model/kernel';
import { kthread_run, schedule } from '../kernel-model/kernel/kthread';
import { VMALLOC_END, VMALLOC_START } from '../kernel-model/arch/arm64/memory';
import { GFP_KERNEL } from '../kernel-model/mm/page_alloc';

export type VmallocMode = 'performance' | 'stress';

export interface VmallocParams extends TestVmallocModuleParams {
  mode: VmallocMode;
  board: string;
  ram: string;
  /** Busy areas for the scaling table (0: no table). */
  scaling: number[];
}

/** The module's defaults, then the mode's (test_vmalloc.sh). nr_threads 0 in stress mode means one per CPU. */
export function vmallocDefaults(mode: VmallocMode): VmallocParams {
  const common = { board: 'uconsole-cm4', ram: '1G', test_loop_count: 1_000_000, run_test_mask: 0x7fffffff, scaling: [1000, 10_000, 100_000] };
  return mode === 'performance'
    ? { ...common, mode, nr_threads: 1, sequential_test_order: true, test_repeat_count: 3 }
    : { ...common, mode, nr_threads: 0, sequential_test_order: false, test_repeat_count: 20 };
}

const VARIANTS: VmapAllocatorKind[] = ['augment', 'list'];

/** Pairs measured per scaling point. */
const SCALING_PAIRS = 1000;

/**
 * The seed's scaling claim on the booted machine: `busy` one-page areas
 * in front, then SCALING_PAIRS allocations of 1-10 pages at random
 * alignments up to 4 MiB (random_size_align_alloc_test's pattern: a
 * request less aligned than the last one makes the list allocator drop
 * its cached hole and walk from the start), each freed at once, in a
 * kernel thread on CPU 0; cycles (CNTVCT) per pair, the charged work paid
 * before the clock is read. The busy areas are freed afterwards.
 */
function scalingPoint(k: Kernel, busy: number): number {
  const vm = k.mm.vmalloc;
  let perPair = 0;
  const t = kthread_run(k, function* () {
    const kept: bigint[] = [];
    for (let i = 0; i < busy; i++) kept.push(vm.vmalloc(4096, 'scaling'));
    yield* schedule();
    const c0 = k.machine.counter();
    let r = 0x2545f491;
    for (let i = 0; i < SCALING_PAIRS; i++) {
      r = (Math.imul(r, 1103515245) + 12345) >>> 0;
      const a = vm.__vmalloc_node_range(((r >>> 8) % 10 + 1) * 4096, 2 ** ((r >>> 4) % 23), VMALLOC_START, VMALLOC_END, GFP_KERNEL, 0, 'scaling');
      vm.vfree(a);
    }
    yield* schedule();
    perPair = Number(k.machine.counter() - c0) / SCALING_PAIRS;
    for (const a of kept) vm.vfree(a);
    vm.purge();
  }, 0, 'vmalloc_scale');
  k.run(() => t.state === 'dead', Number.MAX_SAFE_INTEGER);
  return perPair;
}

export async function benchVmalloc(p: VmallocParams, progress: (s: string) => void, print: (line: string) => void): Promise<BenchReport> {
  const rows: BenchRow[] = [];
  let cmdline = '';
  for (const variant of VARIANTS) {
    progress(`${variant}: booting ${p.board} with vmap_allocator=${variant}`);
    const u = await bootUconsole({ board: p.board, ram: p.ram, cmdline: `console=ttyAMA0,115200 vmap_allocator=${variant}` });
    try {
      const k = u.kernel;
      cmdline = k.arch.cmdlineText;
      const nr = p.nr_threads > 0 ? p.nr_threads : u.machine.cores.length;
      progress(`${variant}: ${nr} worker(s), ${p.test_loop_count} loops, ${p.test_repeat_count} repeat(s)`);
      const run = test_vmalloc_start(k, { ...p, nr_threads: nr });
      k.run(run.done, Number.MAX_SAFE_INTEGER);
      print(`${variant}:`);
      for (const line of run.finish()) print(`  ${line}`);
      for (const t of TEST_CASES) {
        const per = run.reports.map((r) => r.results.find((x) => x.name === t.name)).filter((x) => x !== undefined);
        if (per.length === 0) continue;
        const avg = per.reduce((s, x) => s + x.avgUsec, 0) / per.length;
        rows.push({ variant, test: t.name, metric: 'avg_usec', unit: 'usec', value: avg });
        rows.push({ variant, test: t.name, metric: 'ops_per_s', unit: 'loops/s', value: avg > 0 ? (p.test_loop_count * 1e6) / avg : 0 });
        rows.push({ variant, test: t.name, metric: 'failed', unit: 'runs', value: per.reduce((s, x) => s + x.failed, 0) });
      }
      for (const busy of p.scaling) {
        progress(`${variant}: alloc+free with ${busy} busy areas`);
        rows.push({ variant, test: `scaling-${busy}-busy`, metric: 'alloc_free_cycles', unit: 'cycles', value: scalingPoint(k, busy) });
      }
      const cycles = run.reports.reduce((s, r) => s + Number(r.cycles), 0);
      rows.push({ variant, test: 'all', metric: 'cycles', unit: 'cycles', value: cycles });
    } finally {
      u.shutdown();
    }
  }
  // The seed's comparison: the old allocator's time over the new one's.
  for (const t of [...TEST_CASES.map((c) => c.name), 'all', ...p.scaling.map((n) => `scaling-${n}-busy`)]) {
    const metric = t === 'all' ? 'cycles' : t.startsWith('scaling') ? 'alloc_free_cycles' : 'avg_usec';
    const a = rows.find((r) => r.variant === 'augment' && r.test === t && r.metric === metric)?.value;
    const l = rows.find((r) => r.variant === 'list' && r.test === t && r.metric === metric)?.value;
    if (a && l) rows.push({ variant: 'list/augment', test: t, metric: 'ratio', unit: 'x', value: l / a });
  }
  return {
    suite: 'vmalloc',
    board: p.board,
    cmdline,
    revision: gitRevision(),
    params: { mode: p.mode, ram: p.ram, scaling: p.scaling.join(','), test_loop_count: p.test_loop_count, test_repeat_count: p.test_repeat_count, run_test_mask: p.run_test_mask, sequential_test_order: p.sequential_test_order ? 1 : 0, nr_threads: p.nr_threads },
    results: rows,
  };
}
