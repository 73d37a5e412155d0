// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_vmalloc as the module runs it (lib/test_vmalloc.c, 5.10:
 * do_concurrent_test, test_func), on the booted kernel: nr_threads workers,
 * each a kernel thread bound to a CPU (worker i on CPU i modulo the online
 * CPUs), each running the selected tests in the module's order or
 * shuffled, over the kernel's real vmalloc (pages allocated and mapped,
 * one byte written where Linux writes it). Each worker measures its tests
 * with ktime and its whole run with get_cycles (CNTVCT on arm64), both on
 * the virtual clock, in which vmalloc's work is charged (VMALLOC_COST);
 * when all are done the module prints, per worker, "Summary: <test>
 * passed: N failed: N repeat: N loops: N avg: N usec" and "All test took
 * CPU<n>=<cycles> cycles".
 *
 * A test body runs as one step of its worker (kernel code does not yield
 * inside it), so workers on different CPUs interleave test by test, and
 * the charged time of each test is paid before the next one starts.
 */

import type { Kernel } from '../kernel';
import { kthread_run, schedule } from '../kernel/kthread';
import type { KthreadGen } from '../kernel/sched/kthread_types';
import type { KthreadTask } from '../kernel/sched/task';
import { GFP_KERNEL } from '../mm/page_alloc';
import { VMALLOC_END, VMALLOC_START } from '../arch/arm64/memory';
import { xorshift32 } from './random';
import { in_array_order, summary_line, test_order, type Rnd, type TestResult, type TestVmallocParams, type VmallocOps } from './test_vmalloc';

export interface TestVmallocModuleParams extends TestVmallocParams {
  /** Workers (the module clamps 0 to 1). */
  nr_threads: number;
}

export interface WorkerReport {
  cpu: number;
  results: TestResult[];
  /** get_cycles() at the end minus at the start. */
  cycles: bigint;
}

/** The kernel's vmalloc as the test bodies call it. */
function kernelVmallocOps(k: Kernel, caller: string): VmallocOps {
  const vm = k.mm.vmalloc;
  const orNull = (a: bigint): bigint | null => (a === 0n ? null : a);
  return {
    vmalloc: (size) => orNull(vm.vmalloc(Number(size), caller)),
    __vmalloc_node: (size, align) => orNull(vm.__vmalloc_node_range(Number(size), Number(align), VMALLOC_START, VMALLOC_END, GFP_KERNEL, 0, caller)),
    vfree: (addr) => vm.vfree(addr),
    touch: (addr, value) => k.arch.kmem.write(addr, Uint8Array.of(value)),
    __alloc_percpu: (size, align) => k.percpu!.__alloc_percpu(size, align),
    free_percpu: (ptr) => k.percpu!.free_percpu(ptr),
    kvfree_rcu_1: (ptr) => k.mm.kfree_rcu.kvfree_rcu_1(ptr),
    kvfree_rcu_2: (ptr, off) => k.mm.kfree_rcu.kvfree_rcu_2(ptr, off),
    num_online_cpus: k.machine.cores.filter((c) => k.cpu_online(c.index)).length,
  };
}

/** A 32-bit PRNG per worker, seeded from its CPU: the same run every time. */
function workerRnd(cpu: number): Rnd {
  return xorshift32((0x9e3779b9 ^ Math.imul(cpu, 0x85ebca6b)) >>> 0);
}

function* test_func(k: Kernel, p: TestVmallocParams, out: WorkerReport): KthreadGen<number> {
  const ops = kernelVmallocOps(k, 'test_func');
  const rnd = workerRnd(out.cpu);
  const start = k.machine.counter();
  const results = new Map<string, TestResult>();
  for (const t of test_order(p, rnd, ops)) {
    const r: TestResult = { name: t.name, passed: 0, failed: 0, avgUsec: 0 };
    const t0 = k.clockNs();
    for (let j = 0; j < p.test_repeat_count; j++) {
      const rv = t.fn(ops, p.test_loop_count, rnd);
      if ((typeof rv === 'number' ? rv : yield* rv) === 0) r.passed++;
      else r.failed++;
      yield* schedule(); // the charged work of this run is paid before the clock is read again
    }
    r.avgUsec = (k.clockNs() - t0) / 1000 / p.test_repeat_count;
    results.set(t.name, r);
  }
  out.results = in_array_order(results);
  out.cycles = k.machine.counter() - start;
  return 0;
}

export interface TestVmallocRun {
  workers: KthreadTask[];
  reports: WorkerReport[];
  done(): boolean;
  /** The module's closing lines, printed (printk) once every worker is done. */
  finish(): string[];
}

/** init_test_configurtion + do_concurrent_test: start the workers; run the machine until done(), then finish(). */
export function test_vmalloc_start(k: Kernel, p: TestVmallocModuleParams): TestVmallocRun {
  const online = k.machine.cores.filter((c) => k.cpu_online(c.index)).map((c) => c.index);
  const n = Math.max(1, p.nr_threads);
  const reports: WorkerReport[] = [];
  const workers: KthreadTask[] = [];
  for (let i = 0; i < n; i++) {
    const report: WorkerReport = { cpu: online[i % online.length]!, results: [], cycles: 0n };
    reports.push(report);
    workers.push(kthread_run(k, () => test_func(k, p, report), report.cpu, 'vmalloc_test/%u'));
  }
  return {
    workers,
    reports,
    done: () => workers.every((w) => w.state === 'dead'),
    finish: () => {
      const lines: string[] = [];
      for (const r of reports) {
        for (const t of r.results) lines.push(summary_line(t, p));
        lines.push(`All test took CPU${r.cpu}=${r.cycles} cycles`);
      }
      for (const l of lines) k.printk(l);
      return lines;
    },
  };
}
