// SPDX-License-Identifier: GPL-2.0-only
/*
 * The percpu suite's part on the booted uConsole: the seed's evaluation
 * (objects of each size allocated, then freed in order, alternating and
 * in reverse) through the kernel's own __alloc_percpu and free_percpu,
 * in a kernel thread on CPU 0, once per allocator (a boot with
 * percpu_alloc_map=bitmap, one with =area). What it measures is virtual
 * time: the cycles of the generic timer (CNTVCT, what get_cycles reads)
 * each phase takes, which is the cost model percpu and vmalloc charge
 * (PCPU_COST in mm/percpu/first_chunk.ts, VMALLOC_COST), including the
 * zeroing of every CPU's copy and the pages chunks after the first
 * populate. Fewer objects than the chunk-only part by default: every
 * object here is real guest memory on each of the board's CPUs.
 */

import { bootUconsole } from '../api/uconsole';
import { BOARDS } from '../emulator/board/boards';
import { kthread_run, schedule } from '../kernel-model/kernel/kthread';
import type { Kernel } from '../kernel-model/kernel';
import type { PcpuAllocMap } from '../kernel-model/mm/percpu/percpu-internal';
import { FREE_ORDERS, freeOrder } from './percpu-chunk';
import type { BenchRow } from './report';

export interface PercpuBootedParams {
  objects: number;
  sizes: number[];
  align: number;
  board: string;
  ram: string;
}

export const PERCPU_BOOTED_DEFAULTS: PercpuBootedParams = { objects: 1 << 12, sizes: [4, 16, 64, 256, 1024], align: 4, board: 'uconsole-cm4', ram: '1G' };

interface Phase {
  allocCycles: bigint;
  freeCycles: bigint;
}

/** One series in a kernel thread on CPU 0: allocate, pay, free in `order`, pay; the balance work then runs. */
function series(k: Kernel, size: number, order: (typeof FREE_ORDERS)[number], p: PercpuBootedParams): Phase {
  const pc = k.percpu!;
  const out: Phase = { allocCycles: 0n, freeCycles: 0n };
  const idx = freeOrder(order, p.objects);
  const t = kthread_run(k, function* () {
    const ptrs: bigint[] = new Array<bigint>(p.objects);
    let t0 = k.machine.counter();
    for (let i = 0; i < p.objects; i++) {
      const ptr = pc.__alloc_percpu(size, p.align);
      if (ptr === 0n) throw new Error(`percpu bench: allocation ${i} of ${size} bytes failed on the booted machine`);
      ptrs[i] = ptr;
    }
    yield* schedule(); // the charged work is paid before the counter is read again
    out.allocCycles = k.machine.counter() - t0;
    t0 = k.machine.counter();
    for (let j = 0; j < idx.length; j++) pc.free_percpu(ptrs[idx[j]!]!);
    yield* schedule();
    out.freeCycles = k.machine.counter() - t0;
    return 0;
  }, 0, 'pcpu_bench');
  k.run(() => t.state === 'dead' && !pc.balancePending);
  return out;
}

/** The booted rows: variant = allocator, test = `<size>B-booted`, metrics alloc/free_cycles_<order> and their worst. */
export async function benchPercpuBooted(p: PercpuBootedParams, progress: (s: string) => void): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const board = BOARDS.find((b) => b.name === p.board);
  if (!board) throw new Error(`percpu bench: no board ${p.board}`);
  for (const kind of ['bitmap', 'area'] as PcpuAllocMap[]) {
    const u = await bootUconsole({ board: p.board, ram: p.ram, cmdline: `${board.defaultCmdline} percpu_alloc_map=${kind}` });
    try {
      for (const size of p.sizes) {
        let worst = { alloc: 0n, free: 0n };
        for (const order of FREE_ORDERS) {
          progress(`booted ${kind} ${size}B ${order}`);
          const r = series(u.kernel, size, order, p);
          rows.push({ variant: kind, test: `${size}B-booted`, metric: `alloc_cycles_${order}`, unit: 'cycles', value: Number(r.allocCycles) });
          rows.push({ variant: kind, test: `${size}B-booted`, metric: `free_cycles_${order}`, unit: 'cycles', value: Number(r.freeCycles) });
          worst = { alloc: r.allocCycles > worst.alloc ? r.allocCycles : worst.alloc, free: r.freeCycles > worst.free ? r.freeCycles : worst.free };
        }
        rows.push({ variant: kind, test: `${size}B-booted`, metric: 'alloc_cycles_worst', unit: 'cycles', value: Number(worst.alloc) });
        rows.push({ variant: kind, test: `${size}B-booted`, metric: 'free_cycles_worst', unit: 'cycles', value: Number(worst.free) });
      }
    } finally {
      u.shutdown();
    }
  }
  return rows;
}

/** The booted table: cycles per object (worst of the three orders), area beside bitmap. */
export function formatBooted(rows: BenchRow[], objects: number): string {
  const get = (variant: string, test: string, metric: string): number | undefined => rows.find((x) => x.variant === variant && x.test === test && x.metric === metric)?.value;
  const tests = [...new Set(rows.map((r) => r.test))];
  const lines = [`on the booted machine, ${objects} objects, cycles per object (CNTVCT), worst of the three orders:`, 'object  | area alloc | area free | bitmap alloc | bitmap free'];
  for (const test of tests) {
    const cell = (kind: PcpuAllocMap, what: 'alloc' | 'free', width: number): string => {
      const v = get(kind, test, `${what}_cycles_worst`);
      return (v === undefined ? '-' : (v / objects).toFixed(1)).padStart(width);
    };
    lines.push(`${test.replace('-booted', '').padEnd(7)} | ${cell('area', 'alloc', 10)} | ${cell('area', 'free', 9)} | ${cell('bitmap', 'alloc', 12)} | ${cell('bitmap', 'free', 11)}`);
  }
  return lines.join('\n') + '\n';
}
