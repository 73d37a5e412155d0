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
 * model has the seven vmalloc tests (run_test_mask bits 0-6); pcpu_alloc_test
 * and the kvfree_rcu tests are not there yet, and their bits select nothing.
 */

import { bootUconsole } from '../api/uconsole';
import type { VmapAllocatorKind } from '../kernel-model/mm/vmalloc';
import { test_vmalloc_start, type TestVmallocModuleParams } from '../kernel-model/lib/test_vmalloc_module';
import { TEST_CASES } from '../kernel-model/lib/test_vmalloc';
import { gitRevision, type BenchReport, type BenchRow } from './report';

export type VmallocMode = 'performance' | 'stress';

export interface VmallocParams extends TestVmallocModuleParams {
  mode: VmallocMode;
  board: string;
  ram: string;
}

/** The module's defaults, then the mode's (test_vmalloc.sh). nr_threads 0 in stress mode means one per CPU. */
export function vmallocDefaults(mode: VmallocMode): VmallocParams {
  const common = { board: 'uconsole-cm4', ram: '1G', test_loop_count: 1_000_000, run_test_mask: 0x7fffffff };
  return mode === 'performance'
    ? { ...common, mode, nr_threads: 1, sequential_test_order: true, test_repeat_count: 3 }
    : { ...common, mode, nr_threads: 0, sequential_test_order: false, test_repeat_count: 20 };
}

const VARIANTS: VmapAllocatorKind[] = ['augment', 'list'];

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
      const cycles = run.reports.reduce((s, r) => s + Number(r.cycles), 0);
      rows.push({ variant, test: 'all', metric: 'cycles', unit: 'cycles', value: cycles });
    } finally {
      u.shutdown();
    }
  }
  // The seed's comparison: the old allocator's time over the new one's.
  for (const t of [...TEST_CASES.map((c) => c.name), 'all']) {
    const metric = t === 'all' ? 'cycles' : 'avg_usec';
    const a = rows.find((r) => r.variant === 'augment' && r.test === t && r.metric === metric)?.value;
    const l = rows.find((r) => r.variant === 'list' && r.test === t && r.metric === metric)?.value;
    if (a && l) rows.push({ variant: 'list/augment', test: t, metric: 'ratio', unit: 'x', value: l / a });
  }
  return {
    suite: 'vmalloc',
    board: p.board,
    cmdline,
    revision: gitRevision(),
    params: { mode: p.mode, ram: p.ram, test_loop_count: p.test_loop_count, test_repeat_count: p.test_repeat_count, run_test_mask: p.run_test_mask, sequential_test_order: p.sequential_test_order ? 1 : 0, nr_threads: p.nr_threads },
    results: rows,
  };
}
