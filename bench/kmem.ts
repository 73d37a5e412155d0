// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kmem suite (pure TypeScript: no machine is booted, since kmem is not
 * yet wired into the kernel), the experiment of Andrew Doran's 2009 patch
 * rerun on the model:
 *
 *  - kmem_alloc/kmem_free pairs per second by size, kmem_midcache on and
 *    off side by side (variants midcache-on / midcache-off), on one CPU
 *    and with the CPU changing every batch over all CPUs of the context
 *    (the model's cores do not run kernel code at the same time, so this
 *    measures the per-CPU caches' bookkeeping, not parallel scaling);
 *  - vmem instant-fit against best-fit: time per vmem_xalloc+vmem_xfree
 *    pair against the number of free segments in the arena (the paper's
 *    claim: instant-fit is constant time, a list search is not).
 *
 * Each pair figure is a batch pattern: allocate `batch` objects, free them
 * in reverse, repeat, so that caches and arena see several live objects.
 * Every figure is the best of `reps` runs, on and off alternating.
 */

import { SZ_1G } from '../lib/sizes';
import { PAGE_SIZE } from '../kernel-model/arch/arm64/page-def';
import { FixedCpu } from '../kernel-model/kern/diagnostic';
import { kmem_alloc, kmem_free, kmem_init, KM_NOSLEEP, type Kmem } from '../kernel-model/kern/kmem/subr_kmem';
import { BT_TYPE_FREE } from '../kernel-model/kern/vmem/vmem_impl';
import { vmem_create, vmem_xalloc, vmem_xfree, VM_BESTFIT, VM_INSTANTFIT, VM_NOSLEEP, type VmemArena } from '../kernel-model/kern/vmem/subr_vmem';
import { gitRevision, timeMs, type BenchReport, type BenchRow } from './report';

export interface KmemParams {
  /** Alloc+free pairs per figure. */
  pairs: number;
  /** Objects live at once in each batch. */
  batch: number;
  /** CPUs of the context for the all-CPU figures (a CM4 has 4). */
  cpus: number;
  /** Sizes measured (bytes). */
  sizes: number[];
  /** vmem fit figures: pairs per arena. */
  fitPairs: number;
  /** Repetitions per figure; the best is reported. */
  reps: number;
}

export const KMEM_DEFAULTS: KmemParams = {
  pairs: 100_000,
  batch: 16,
  cpus: 4,
  sizes: [64, 256, 300, 512, 1024, 2048, 4096, 8192],
  fitPairs: 20_000,
  reps: 5,
};

/** A kmem over an arena of kernel pages (offsets in kernel VA), the way the kernel will give it pages. */
function kmemFor(midcache: boolean, ctx: FixedCpu): Kmem {
  const kva = vmem_create({ name: 'kernel_va', base: 0x1000_0000, size: SZ_1G, quantum: PAGE_SIZE });
  return kmem_init({
    ctx,
    midcache,
    backend: {
      alloc: (size) => vmem_xalloc(kva, size, 0, 0, 0, 0, 0, VM_NOSLEEP | VM_INSTANTFIT),
      free: (addr, size) => vmem_xfree(kva, addr, size),
    },
  });
}

function band(size: number, km: Kmem): string {
  if (size <= km.kmem_arena.vm_qcache_max) return 'tiny';
  if (size < km.kmem_cache_min) return 'between';
  return size <= km.kmem_cache_max ? 'mid' : 'large';
}

/** Pairs per second of kmem_alloc/kmem_free of `size`, switching CPU every batch when `cpus` > 1. */
function kmemPairsPerSecond(km: Kmem, ctx: FixedCpu, size: number, p: KmemParams, cpus: number): number {
  const live = new Float64Array(p.batch);
  const rounds = Math.max(1, Math.floor(p.pairs / p.batch));
  const run = (n: number): void => {
    for (let r = 0; r < n; r++) {
      ctx.cpu = r % cpus;
      for (let i = 0; i < p.batch; i++) {
        const a = kmem_alloc(km, size, KM_NOSLEEP);
        if (a === null) throw new Error(`kmem_alloc(${size}) failed during the benchmark`);
        live[i] = a;
      }
      for (let i = p.batch - 1; i >= 0; i--) kmem_free(km, live[i]!, size);
    }
  };
  run(Math.min(rounds, 1000)); // warm the caches and the JIT
  const ms = timeMs(() => run(rounds));
  return (rounds * p.batch * 1000) / ms;
}

/**
 * An arena fragmented into `nfree` free segments of 1..6 pages (each
 * between busy pages, so they cannot merge) plus one free run of 64 pages
 * at the end: a 7-page request fits only the large run. Best-fit starts at
 * freelist[2] (4..7 pages) and walks past every 4..6-page segment there;
 * instant-fit starts at freelist[3] and takes its head.
 */
function fragmentedArena(nfree: number): VmemArena {
  const pages = nfree * 8 + 128;
  const vm = vmem_create({ name: 'fit', base: 0, size: pages * PAGE_SIZE, quantum: PAGE_SIZE });
  const x = (sz: number): number => vmem_xalloc(vm, sz * PAGE_SIZE, 0, 0, 0, 0, 0, VM_NOSLEEP | VM_BESTFIT)!;
  const holes: [number, number][] = [];
  for (let i = 0; i < nfree; i++) {
    const sz = 1 + ((i * 5) % 6);
    holes.push([x(sz), sz * PAGE_SIZE]);
    x(1);
  }
  const rest = vm.vm_size - vm.vm_inuse - 64 * PAGE_SIZE;
  if (rest > 0) x(rest / PAGE_SIZE);
  for (const [a, sz] of holes) vmem_xfree(vm, a, sz);
  return vm;
}

/** ns per vmem_xalloc+vmem_xfree pair of 7 pages with one policy (best of `reps`). */
function fitPairNs(vm: VmemArena, strat: number, pairs: number, reps: number): number {
  const sz = 7 * PAGE_SIZE;
  return best(reps, () => {
    const ms = timeMs(() => {
      for (let i = 0; i < pairs; i++) {
        const a = vmem_xalloc(vm, sz, 0, 0, 0, 0, 0, VM_NOSLEEP | strat);
        if (a === null) throw new Error('vmem allocation failed during the fit benchmark');
        vmem_xfree(vm, a, sz);
      }
    });
    return -(ms * 1e6) / pairs;
  }) * -1;
}

/** Free segments of an arena. */
function freeSegments(vm: VmemArena): number {
  let n = 0;
  for (let bt = vm.vm_seghead; bt; bt = bt.bt_nextseg) if (bt.bt_type === BT_TYPE_FREE) n++;
  return n;
}

/** The largest of `reps` runs of fn (machines are shared: the best run is the least disturbed). */
function best(reps: number, fn: () => number): number {
  let b = -Infinity;
  for (let r = 0; r < reps; r++) b = Math.max(b, fn());
  return b;
}

export function benchKmem(p: KmemParams, progress: (s: string) => void = () => {}): BenchReport {
  const results: BenchRow[] = [];
  const ctx = new FixedCpu(p.cpus);
  const kms = [true, false].map((midcache) => ({ variant: midcache ? 'midcache-on' : 'midcache-off', km: kmemFor(midcache, ctx) }));
  for (const [label, cpus] of [['1cpu', 1], [`${p.cpus}cpu-interleaved`, p.cpus]] as const) {
    for (const size of p.sizes) {
      progress(`${label} ${size} bytes`);
      // on and off alternate within each repetition, so both see the same disturbances
      const figures = kms.map(() => -Infinity);
      for (let r = 0; r < p.reps; r++) kms.forEach(({ km }, i) => (figures[i] = Math.max(figures[i]!, kmemPairsPerSecond(km, ctx, size, p, cpus))));
      kms.forEach(({ variant, km }, i) => results.push({ variant, test: `${band(size, km)} ${size}B ${label}`, metric: 'pairs_per_s', unit: 'pairs/s', value: figures[i]! }));
    }
  }
  for (const nfree of [16, 256, 4096]) {
    const vm = fragmentedArena(nfree);
    for (const [variant, strat] of [['instantfit', VM_INSTANTFIT], ['bestfit', VM_BESTFIT]] as const) {
      progress(`vmem ${variant} with ${freeSegments(vm)} free segments`);
      results.push({ variant, test: `vmem 7 pages, ${freeSegments(vm)} free segments`, metric: 'pair_ns', unit: 'ns', value: fitPairNs(vm, strat, p.fitPairs, p.reps) });
    }
  }
  return {
    suite: 'kmem',
    board: 'none (pure TypeScript)',
    cmdline: '',
    revision: gitRevision(),
    params: { pairs: p.pairs, batch: p.batch, cpus: p.cpus, fitPairs: p.fitPairs, reps: p.reps },
    results,
  };
}
