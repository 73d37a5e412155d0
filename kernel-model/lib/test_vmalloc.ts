// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test bodies of Linux's lib/test_vmalloc.c (Uladzislau Rezki, "vmalloc:
 * add test driver to analyse vmalloc allocator", v5.1; as in v5.10), over
 * an interface of vmalloc / __vmalloc_node / vfree, so that they run on
 * either vmap allocator now and on the kernel's real vmalloc later.
 *
 * Here: the seven tests that need vmalloc alone and pcpu_alloc_test
 * (run where the ops have a percpu allocator), with the module's bit
 * numbers for run_test_mask, and a sequential runner that prints the
 * module's summary lines (the performance mode: one worker, tests in
 * order). The workers as kernel threads on the booted machine are in
 * test_vmalloc_module.ts; the ops there write the byte Linux writes
 * (touch). The two kvfree_rcu vmalloc tests (bits 8 and 9, as in 5.10's
 * test_case_array) run where the ops have RCU; the 1-argument one may
 * sleep, so its body is a kernel thread's generator. Not here: 5.10's
 * kvfree_rcu_*_slab_test (bits 10, 11), which later kernels dropped.
 *
 * Sizes follow vmalloc: vmallocOps adds the guard page and rounds to
 * pages as __get_vm_area_node does, so a 3-page vmalloc takes a 4-page
 * vmap area; vmalloc itself asks for alignment 1. vfree is lazy, with the
 * purge run inline when vmap_lazy_nr passes lazy_max_pages() (v5.10's
 * free_vmap_area_noflush).
 */

import type { Rnd } from './random';
import { VMALLOC_END, VMALLOC_START } from '../arch/arm64/memory';
import type { Vmap } from '../mm/vmalloc/vmap';
import { PAGE_SIZE } from '../mm/vmalloc/vmap_area';
import { fls } from '../mm/vmalloc/lazy';
import type { KthreadGen } from '../kernel/sched/kthread_types';

export interface VmallocOps {
  /** vmalloc(size): alignment 1. */
  vmalloc(size: bigint): bigint | null;
  __vmalloc_node(size: bigint, align: bigint): bigint | null;
  vfree(addr: bigint): void;
  /** Write one byte at a vmalloc address (Linux's *(u8 *)p = v); absent until pages are mapped. */
  touch?(addr: bigint, value: number): void;
  /** __alloc_percpu / free_percpu, for pcpu_alloc_test; absent where there is no percpu allocator. */
  __alloc_percpu?(size: number, align: number): bigint;
  free_percpu?(ptr: bigint): void;
  /** kvfree_rcu(ptr) and kvfree_rcu(ptr, rcu), for the kvfree_rcu tests; absent where there is no RCU. */
  kvfree_rcu_1?(ptr: bigint): KthreadGen;
  kvfree_rcu_2?(ptr: bigint, headOffset: number): void;
  num_online_cpus: number;
}

export interface TestVmallocParams {
  test_loop_count: number;
  test_repeat_count: number;
  run_test_mask: number;
  sequential_test_order: boolean;
}

/** The module's defaults (v5.10): 1,000,000 loops, every test, shuffled order. */
export const TEST_VMALLOC_DEFAULTS: TestVmallocParams = {
  test_loop_count: 1_000_000,
  test_repeat_count: 1,
  run_test_mask: 0x7fffffff,
  sequential_test_order: false,
};


/** The random numbers the tests draw (get_random_bytes in Linux). */
export type { Rnd };

type TestFn = (ops: VmallocOps, loops: number, rnd: Rnd) => number;

const P = PAGE_SIZE;
/** arm64 with VMAP_STACK: THREAD_ALIGN = 2 * THREAD_SIZE (16 KiB). */
const THREAD_ALIGN = 2n * 16384n;
const BITS_PER_LONG = 64;
const SIZEOF_POINTER = 8n;

/** vmalloc ops over a Vmap front end, as Linux's vmalloc and vfree use alloc_vmap_area. */
export function vmallocOps(vmap: Vmap, num_online_cpus = 1): VmallocOps {
  const node = (size: bigint, align: bigint): bigint | null => {
    if (size <= 0n) return null;
    // PAGE_ALIGN, then the guard page (__get_vm_area_node without VM_NO_GUARD).
    const real = ((size + P - 1n) / P) * P + P;
    return vmap.alloc(real, align, VMALLOC_START, VMALLOC_END);
  };
  return {
    vmalloc: (size) => node(size, 1n),
    __vmalloc_node: node,
    vfree: (addr) => {
      if (vmap.free_lazy(addr).purgeDue) vmap.purge_vmap_area_lazy();
    },
    num_online_cpus,
  };
}

function fix_size_alloc_test(ops: VmallocOps, loops: number): number {
  for (let i = 0; i < loops; i++) {
    const ptr = ops.vmalloc(3n * P);
    if (ptr === null) return -1;
    ops.touch?.(ptr, 0);
    ops.vfree(ptr);
  }
  return 0;
}

/** Fill the space with 1-page areas, free every other one, then allocate into the exact-fit holes. */
function full_fit_alloc_test(ops: VmallocOps, loops: number): number {
  const junk_length = fls(ops.num_online_cpus) * ((32 * 1024 * 1024) / Number(P));
  const ptr = ops.vmalloc(SIZEOF_POINTER * BigInt(junk_length));
  if (ptr === null) return -1;
  const junk_ptr = ops.vmalloc(SIZEOF_POINTER * BigInt(junk_length));
  if (junk_ptr === null) {
    ops.vfree(ptr);
    return -1;
  }
  // Linux keeps these arrays in the two vmalloc'ed buffers; their contents live host-side here.
  const kept: (bigint | null)[] = [];
  const junk: (bigint | null)[] = [];
  for (let i = 0; i < junk_length; i++) {
    kept.push(ops.vmalloc(P));
    junk.push(ops.vmalloc(P));
  }
  for (const j of junk) if (j !== null) ops.vfree(j);
  let rv = 0;
  for (let i = 0; i < loops; i++) {
    const tmp = ops.vmalloc(P);
    if (tmp === null) {
      rv = -1;
      break;
    }
    ops.touch?.(tmp, 1);
    ops.vfree(tmp);
  }
  for (const k of kept) if (k !== null) ops.vfree(k);
  ops.vfree(ptr);
  ops.vfree(junk_ptr);
  return rv;
}

/** 15,000 one-page areas in front, then 100 pages and 1 page per loop. */
function long_busy_list_alloc_test(ops: VmallocOps, loops: number): number {
  const ptr = ops.vmalloc(SIZEOF_POINTER * 15000n);
  if (ptr === null) return -1;
  const busy: (bigint | null)[] = [];
  for (let i = 0; i < 15000; i++) busy.push(ops.vmalloc(P));
  let rv = 0;
  for (let i = 0; i < loops; i++) {
    const ptr_1 = ops.vmalloc(100n * P);
    if (ptr_1 === null) {
      rv = -1;
      break;
    }
    const ptr_2 = ops.vmalloc(P);
    if (ptr_2 === null) {
      ops.vfree(ptr_1);
      rv = -1;
      break;
    }
    ops.touch?.(ptr_1, 0);
    ops.touch?.(ptr_2, 1);
    ops.vfree(ptr_1);
    ops.vfree(ptr_2);
  }
  for (const b of busy) if (b !== null) ops.vfree(b);
  ops.vfree(ptr);
  return rv;
}

function random_size_alloc_test(ops: VmallocOps, loops: number, rnd: Rnd): number {
  for (let i = 0; i < loops; i++) {
    const n = (rnd() % 100) + 1;
    const p = ops.vmalloc(BigInt(n) * P);
    if (p === null) return -1;
    ops.touch?.(p, 1);
    ops.vfree(p);
  }
  return 0;
}

function fix_align_alloc_test(ops: VmallocOps, loops: number): number {
  for (let i = 0; i < loops; i++) {
    const ptr = ops.__vmalloc_node(5n * P, THREAD_ALIGN << 1n);
    if (ptr === null) return -1;
    ops.vfree(ptr);
  }
  return 0;
}

function random_size_align_alloc_test(ops: VmallocOps, loops: number, rnd: Rnd): number {
  for (let i = 0; i < loops; i++) {
    const r = rnd();
    // Up to 1024 pages of alignment, up to 10 pages of size.
    const align = 1n << BigInt(r % 23);
    const size = BigInt((r % 10) + 1) * P;
    const ptr = ops.__vmalloc_node(size, align);
    if (ptr === null) return -1;
    ops.vfree(ptr);
  }
  return 0;
}

/** Supposed to fail: alignments up to 1 << 63 cannot be met in the vmalloc range. */
function align_shift_alloc_test(ops: VmallocOps): number {
  for (let i = 0; i < BITS_PER_LONG; i++) {
    const ptr = ops.__vmalloc_node(P, 1n << BigInt(i));
    if (ptr === null) return -1;
    ops.vfree(ptr);
  }
  return 0;
}

/** 35,000 per-CPU areas of 1 to PAGE_SIZE/4 bytes at alignments 2..2048, then all freed (the pointer array is vmalloc'ed). */
function pcpu_alloc_test(ops: VmallocOps, _loops: number, rnd: Rnd): number {
  const alloc = ops.__alloc_percpu!;
  const free = ops.free_percpu!;
  const n = 35000;
  const arr = ops.vmalloc(SIZEOF_POINTER * BigInt(n));
  if (arr === null) return -1;
  const pcpu: bigint[] = [];
  let rv = 0;
  for (let i = 0; i < n; i++) {
    const size = (rnd() % (Number(P) / 4)) + 1;
    rnd(); // the module draws a second number and does not use it
    const align = 1 << ((i % 11) + 1);
    const p = alloc(size, align);
    if (p === 0n) rv = -1;
    pcpu.push(p);
  }
  for (const p of pcpu) free(p);
  ops.vfree(arr);
  return rv;
}

/**
 * struct test_kvfree_rcu { struct rcu_head rcu; unsigned char array[20]; }:
 * the rcu_head first (offset 0), the array after its 16 bytes.
 */
const TEST_KVFREE_RCU_ARRAY = 16n;

/** A page per loop, one byte written, freed after a grace period with kvfree_rcu(p) (may sleep). */
function* kvfree_rcu_1_arg_vmalloc_test(ops: VmallocOps, loops: number): KthreadGen<number> {
  for (let i = 0; i < loops; i++) {
    const p = ops.vmalloc(P);
    if (p === null) return -1;
    ops.touch?.(p + TEST_KVFREE_RCU_ARRAY, 0x61); // p->array[0] = 'a'
    yield* ops.kvfree_rcu_1!(p);
  }
  return 0;
}

/** The same with kvfree_rcu(p, rcu), through the rcu_head at offset 0. */
function kvfree_rcu_2_arg_vmalloc_test(ops: VmallocOps, loops: number): number {
  for (let i = 0; i < loops; i++) {
    const p = ops.vmalloc(P);
    if (p === null) return -1;
    ops.touch?.(p + TEST_KVFREE_RCU_ARRAY, 0x61);
    ops.kvfree_rcu_2!(p, 0);
  }
  return 0;
}

export interface TestCase {
  name: string;
  /** Bit in run_test_mask (the index in Linux's test_case_array). */
  bit: number;
  /** The body: a number (0 passed), or a kernel thread's generator of one (tests that may sleep). */
  fn: TestFn | ((ops: VmallocOps, loops: number, rnd: Rnd) => KthreadGen<number>);
  /** What the test needs beyond vmalloc (skipped where the ops lack it). */
  needs?: 'percpu' | 'rcu';
}

export const TEST_CASES: readonly TestCase[] = [
  { name: 'fix_size_alloc_test', bit: 0, fn: fix_size_alloc_test },
  { name: 'full_fit_alloc_test', bit: 1, fn: full_fit_alloc_test },
  { name: 'long_busy_list_alloc_test', bit: 2, fn: long_busy_list_alloc_test },
  { name: 'random_size_alloc_test', bit: 3, fn: random_size_alloc_test },
  { name: 'fix_align_alloc_test', bit: 4, fn: fix_align_alloc_test },
  { name: 'random_size_align_alloc_test', bit: 5, fn: random_size_align_alloc_test },
  { name: 'align_shift_alloc_test', bit: 6, fn: align_shift_alloc_test },
  { name: 'pcpu_alloc_test', bit: 7, fn: pcpu_alloc_test, needs: 'percpu' },
  { name: 'kvfree_rcu_1_arg_vmalloc_test', bit: 8, fn: kvfree_rcu_1_arg_vmalloc_test, needs: 'rcu' },
  { name: 'kvfree_rcu_2_arg_vmalloc_test', bit: 9, fn: kvfree_rcu_2_arg_vmalloc_test, needs: 'rcu' },
];

export interface TestResult {
  name: string;
  passed: number;
  failed: number;
  /** Average time per repeat, microseconds (ktime_us_delta / test_repeat_count). */
  avgUsec: number;
}

export function summary_line(r: TestResult, p: TestVmallocParams): string {
  return `Summary: ${r.name} passed: ${r.passed} failed: ${r.failed} repeat: ${p.test_repeat_count} loops: ${p.test_loop_count} avg: ${Math.floor(r.avgUsec)} usec`;
}

/**
 * One worker's test_func: the selected tests, in order or shuffled (Linux
 * shuffle_array), each repeated test_repeat_count times. The clock is the
 * caller's (the kernel's virtual clock later; any microsecond clock now).
 */
export function run_test_vmalloc(ops: VmallocOps, p: TestVmallocParams, rnd: Rnd, clockUsec: () => number): TestResult[] {
  const order = test_order(p, rnd, ops);
  const results = new Map<string, TestResult>();
  for (const t of order) {
    const r: TestResult = { name: t.name, passed: 0, failed: 0, avgUsec: 0 };
    const t0 = clockUsec();
    for (let j = 0; j < p.test_repeat_count; j++) {
      const rv = t.fn(ops, p.test_loop_count, rnd);
      if (typeof rv !== 'number') throw new Error(`${t.name} may sleep: it runs in a kernel thread (test_vmalloc_module.ts)`);
      if (rv === 0) r.passed++;
      else r.failed++;
    }
    r.avgUsec = (clockUsec() - t0) / p.test_repeat_count;
    results.set(t.name, r);
  }
  return in_array_order(results);
}

/** The tests run_test_mask selects, in the module's order or shuffled (shuffle_array). */
export function test_order(p: TestVmallocParams, rnd: Rnd, ops?: VmallocOps): TestCase[] {
  const has = (t: TestCase): boolean => (t.needs === 'percpu' ? !!ops?.__alloc_percpu : t.needs === 'rcu' ? !!ops?.kvfree_rcu_1 : true);
  const order = TEST_CASES.filter((t) => p.run_test_mask & (1 << t.bit) && has(t));
  if (!p.sequential_test_order) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = rnd() % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
  }
  return order;
}

/** Summaries print in test_case_array order whatever order the tests ran in. */
export function in_array_order(results: ReadonlyMap<string, TestResult>): TestResult[] {
  return TEST_CASES.filter((t) => results.has(t.name)).map((t) => results.get(t.name)!);
}
