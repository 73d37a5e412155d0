// SPDX-License-Identifier: GPL-2.0-only
/*
 * The percpu suite, over the chunk allocators alone (no kernel, no guest
 * memory yet): the evaluation of Dennis Zhou's bitmap allocator series
 * (cover letters of July 2017, commit 40064aeca35c): 2^20 objects of
 * each size allocated, then freed in order, alternating (every even one,
 * then every odd one) and in reverse, for the bitmap allocator (v4.14)
 * and the area map (v4.13), through the chunk slots and chunk creation
 * of pcpu_alloc (slots.ts). Each (allocator, size, order) is a fresh set
 * of chunks; the cover letter published the worst of the three orders,
 * so the rows give each order and the worst.
 *
 * The unit (chunk) size is a parameter: the cover letter does not give
 * the test machine's. The default, 128 KiB, is a guess with a reason:
 * freeing 2^20 4-byte objects in order makes the area map memmove about
 * half a chunk's map per free, and a 32K-entry map (128 KiB of 4-byte
 * areas) makes that ~64 KiB, which at memmove speed is the ~5 us per
 * free of the published 4960 ms.
 *
 * Metadata: bytes of chunk structs, bitmaps, metadata blocks and area
 * maps after the allocations (PcpuChunk.metaBytes), and the chunk count.
 *
 * Then the cover letter's contrived case, 4-byte objects aligned to 8
 * (test "4B-align8"), freed in order: every allocation leaves a 4-byte
 * hole nothing can use, and the area map walks all of them from
 * first_free on every allocation.
 */

import { readFileSync } from 'node:fs';
import { AreaChunk } from '../kernel-model/mm/percpu/area-chunk';
import { BitmapChunk } from '../kernel-model/mm/percpu/bitmap-chunk';
import { HostMetaAllocator, PAGE_SIZE, PcpuEmptyPages, type PcpuAllocMap, type PcpuChunk } from '../kernel-model/mm/percpu/percpu-internal';
import { PcpuChunkSet } from '../kernel-model/mm/percpu/slots';
import { PcpuGlobalStats } from '../kernel-model/mm/percpu/stats';
import { gitRevision, timeMs, type BenchReport, type BenchRow } from './report';

export interface PercpuChunkParams {
  /** Objects per run (the seed: 2^20). */
  objects: number;
  /** Object sizes in bytes (the seed's v2 list). */
  sizes: number[];
  /** Alignment of every request. */
  align: number;
  /** Chunk unit size in bytes. */
  unitSize: number;
  /**
   * Objects in the contrived case of the cover letter: 4-byte objects
   * with 8-byte alignment ("the area map allocator completing in 52
   * minutes", bitmap "approximately 16 seconds", for 2^20 in C). Fewer
   * by default: the area map's cost grows with the square of the count.
   */
  misalignedObjects: number;
}

export const PERCPU_CHUNK_DEFAULTS: PercpuChunkParams = { objects: 1 << 20, sizes: [4, 16, 64, 256, 1024], align: 4, unitSize: 128 << 10, misalignedObjects: 1 << 14 };

export const FREE_ORDERS = ['in-order', 'alternating', 'reverse'] as const;
export type FreeOrder = (typeof FREE_ORDERS)[number];

/**
 * The published figures, native C, ms: worst case of the three orders,
 * v2 cover letter and commit 40064aeca35c ("Area Map Allocator" and
 * "Bitmap Allocator" tables).
 */
export const PUBLISHED_V2: Record<PcpuAllocMap, Record<number, { alloc: number; free: number }>> = {
  area: { 4: { alloc: 310, free: 4770 }, 16: { alloc: 557, free: 1325 }, 64: { alloc: 436, free: 273 }, 256: { alloc: 776, free: 131 }, 1024: { alloc: 3280, free: 122 } },
  bitmap: { 4: { alloc: 490, free: 70 }, 16: { alloc: 515, free: 75 }, 64: { alloc: 610, free: 80 }, 256: { alloc: 950, free: 100 }, 1024: { alloc: 3520, free: 200 } },
};

function newSet(kind: PcpuAllocMap, unitSize: number): PcpuChunkSet {
  const meta = new HostMetaAllocator();
  const emptyPages = new PcpuEmptyPages();
  const printk = (line: string): void => {
    throw new Error(`percpu bench: unexpected kernel message: ${line}`);
  };
  const create = (): PcpuChunk | null => {
    const o = { nr_pages: unitSize / PAGE_SIZE, meta, printk, emptyPages };
    return kind === 'bitmap' ? BitmapChunk.create(o) : AreaChunk.create(o);
  };
  return new PcpuChunkSet({ unit_size: unitSize, printk, emptyPages, stats: new PcpuGlobalStats(unitSize), create });
}

/** The order in which object i of n is freed. */
export function freeOrder(order: FreeOrder, n: number): Int32Array {
  const idx = new Int32Array(n);
  if (order === 'in-order') for (let i = 0; i < n; i++) idx[i] = i;
  else if (order === 'reverse') for (let i = 0; i < n; i++) idx[i] = n - 1 - i;
  else {
    let k = 0;
    for (let i = 0; i < n; i += 2) idx[k++] = i;
    for (let i = 1; i < n; i += 2) idx[k++] = i;
  }
  return idx;
}

export interface RunResult {
  allocMs: number;
  freeMs: number;
  /** CPU time of the main thread over each phase (threadCpuMs): less disturbed than wall time on a loaded machine. */
  allocCpuMs: number;
  freeCpuMs: number;
  metaBytes: number;
  chunks: number;
}

/**
 * CPU time of the calling (main) thread in ms: Linux's per-thread
 * schedstat (nanoseconds on the CPU), so the GC's and the compiler's
 * helper threads are not counted; elsewhere the process's CPU time.
 */
function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
  } catch {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  }
}

/** Wall and CPU time of fn, in ms. */
function timeWallCpu(fn: () => void): { wall: number; cpu: number } {
  const c0 = threadCpuMs();
  const wall = timeMs(fn);
  return { wall, cpu: threadCpuMs() - c0 };
}

/** One run: p.objects objects of `size` aligned to p.align, then freed in `order`. */
export function runOnce(kind: PcpuAllocMap, size: number, order: FreeOrder, p: PercpuChunkParams): RunResult {
  const set = newSet(kind, p.unitSize);
  const chunks: PcpuChunk[] = new Array<PcpuChunk>(p.objects);
  const offs = new Int32Array(p.objects);
  const allocT = timeWallCpu(() => {
    for (let i = 0; i < p.objects; i++) {
      const off = set.alloc_off(size, p.align);
      if (off < 0) throw new Error(`percpu bench: ${kind} allocation ${i} of ${size} bytes failed`);
      chunks[i] = set.found!;
      offs[i] = off;
    }
  });
  const all = set.chunks;
  const metaBytes = all.reduce((n, c) => n + c.metaBytes().total, 0);
  const idx = freeOrder(order, p.objects);
  const freeT = timeWallCpu(() => {
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k]!;
      if (!set.free(chunks[i]!, offs[i]!)) throw new Error(`percpu bench: ${kind} free of object ${i} failed`);
    }
  });
  return { allocMs: allocT.wall, freeMs: freeT.wall, allocCpuMs: allocT.cpu, freeCpuMs: freeT.cpu, metaBytes, chunks: all.length };
}

export function benchPercpuChunk(p: PercpuChunkParams, progress: (s: string) => void): BenchReport {
  const rows: BenchRow[] = [];
  const add = (variant: string, test: string, metric: string, unit: string, value: number): void => {
    rows.push({ variant, test, metric, unit, value });
  };
  // Let the JIT compile both allocators' paths before anything is timed.
  progress('warm-up');
  for (const kind of ['bitmap', 'area'] as const) for (const order of FREE_ORDERS) runOnce(kind, 16, order, { ...p, objects: Math.min(p.objects, 1 << 14) });
  for (const size of p.sizes) {
    for (const kind of ['bitmap', 'area'] as const) {
      let worstAlloc = 0;
      let worstFree = 0;
      let worstAllocCpu = 0;
      let worstFreeCpu = 0;
      for (const order of FREE_ORDERS) {
        progress(`${kind} ${size}B ${order}`);
        const r = runOnce(kind, size, order, p);
        add(kind, `${size}B`, `alloc_ms_${order}`, 'ms', r.allocMs);
        add(kind, `${size}B`, `free_ms_${order}`, 'ms', r.freeMs);
        add(kind, `${size}B`, `alloc_cpu_ms_${order}`, 'ms', r.allocCpuMs);
        add(kind, `${size}B`, `free_cpu_ms_${order}`, 'ms', r.freeCpuMs);
        worstAlloc = Math.max(worstAlloc, r.allocMs);
        worstFree = Math.max(worstFree, r.freeMs);
        worstAllocCpu = Math.max(worstAllocCpu, r.allocCpuMs);
        worstFreeCpu = Math.max(worstFreeCpu, r.freeCpuMs);
        if (order === 'in-order') {
          add(kind, `${size}B`, 'meta_bytes', 'bytes', r.metaBytes);
          add(kind, `${size}B`, 'chunks', 'chunks', r.chunks);
        }
      }
      add(kind, `${size}B`, 'alloc_ms_worst', 'ms', worstAlloc);
      add(kind, `${size}B`, 'free_ms_worst', 'ms', worstFree);
      add(kind, `${size}B`, 'alloc_cpu_ms_worst', 'ms', worstAllocCpu);
      add(kind, `${size}B`, 'free_cpu_ms_worst', 'ms', worstFreeCpu);
    }
  }
  for (const kind of ['bitmap', 'area'] as const) {
    progress(`${kind} 4B aligned to 8, ${p.misalignedObjects} objects`);
    const r = runOnce(kind, 4, 'in-order', { ...p, objects: p.misalignedObjects, align: 8 });
    add(kind, '4B-align8', 'alloc_ms', 'ms', r.allocMs);
    add(kind, '4B-align8', 'free_ms', 'ms', r.freeMs);
  }
  return {
    suite: 'percpu',
    board: 'none (chunk allocators only)',
    cmdline: '',
    revision: gitRevision(),
    params: { objects: p.objects, sizes: p.sizes.join(','), align: p.align, unitSize: p.unitSize, misalignedObjects: p.misalignedObjects },
    results: rows,
  };
}

/** Ours beside the cover letter's (worst of the three orders, ms). */
export function formatPublishedComparison(r: BenchReport): string {
  const get = (variant: string, test: string, metric: string): number | undefined => r.results.find((x) => x.variant === variant && x.test === test && x.metric === metric)?.value;
  const lines = ['object  | area alloc (ours / C) | area free (ours / C) | bitmap alloc (ours / C) | bitmap free (ours / C)'];
  const sizes = String(r.params.sizes ?? '').split(',').map(Number);
  for (const size of sizes) {
    const cell = (kind: PcpuAllocMap, what: 'alloc' | 'free'): string => {
      const ours = get(kind, `${size}B`, `${what}_ms_worst`);
      const c = PUBLISHED_V2[kind][size]?.[what];
      return `${ours === undefined ? '-' : ours.toFixed(0)} / ${c ?? '-'}`.padStart(what === 'alloc' ? 21 : 20);
    };
    lines.push(`${`${size}B`.padEnd(7)} | ${cell('area', 'alloc')} | ${cell('area', 'free')} | ${cell('bitmap', 'alloc').padStart(23)} | ${cell('bitmap', 'free').padStart(22)}`);
  }
  // Wall time is what the cover letter gives; on a shared machine the
  // main thread's CPU time says more about the code.
  lines.push('bitmap, main-thread CPU ms (worst of three orders): object  alloc (ours / C)  free (ours / C)');
  for (const size of sizes) {
    const cpu = (what: 'alloc' | 'free'): string => {
      const ours = get('bitmap', `${size}B`, `${what}_cpu_ms_worst`);
      return `${ours === undefined ? '-' : ours.toFixed(0)} / ${PUBLISHED_V2.bitmap[size]?.[what] ?? '-'}`.padStart(16);
    };
    lines.push(`  ${`${size}B`.padEnd(7)} ${cpu('alloc')} ${cpu('free')}`);
  }
  return lines.join('\n') + '\n';
}
