// SPDX-License-Identifier: GPL-2.0-only
/*
 * NetBSD's diagnostic checks (sys/lib/libkern/libkern.h KASSERT/KASSERTMSG,
 * kern/subr_prf.c panic) for the kern/ allocators.
 *
 * A DIAGNOSTIC kernel stops at the first broken precondition with
 *
 *   panic: kernel diagnostic assertion "bt != NULL" failed: file "...subr_vmem.c", line 1421 vmem kmem addr 0x...
 *
 * The model keeps the text but not the stop: a failed check throws a
 * KernelDiagnostic whose message is that one line (without the line
 * number, which TypeScript does not have), and every caller checks before
 * it changes anything, so the structure the bad request was aimed at is
 * exactly as it was and its checker stays clean. The kernel that owns the
 * CPUs decides later whether a diagnostic ends the machine (panic) or only
 * the request (a test, a bench).
 */

export class KernelDiagnostic extends Error {
  override name = 'KernelDiagnostic';
}

/** Where a message that is not a panic goes (printf(9) / the kernel log). */
export type Printf = (line: string) => void;

/** KASSERTMSG: throw NetBSD's one-line assertion text when `cond` is false. */
export function KASSERTMSG(cond: boolean, expr: string, file: string, msg?: () => string): asserts cond {
  if (cond) return;
  const extra = msg ? ` ${msg()}` : '';
  throw new KernelDiagnostic(`panic: kernel diagnostic assertion "${expr}" failed: file "${file}"${extra}`);
}

/** panic(9) with a message of the caller's (e.g. kmem's size check). */
export function panic(msg: string): never {
  throw new KernelDiagnostic(`panic: ${msg}`);
}

/** %p / %#jx as NetBSD prints addresses. */
export function hex(v: number): string {
  return `0x${v.toString(16)}`;
}

/**
 * The CPU a kernel path runs on. TypeScript kernel code runs inside a trap
 * of one core, so the answer is a function of when you ask: the kernel
 * will implement it by reading TPIDR_EL1 (the per-CPU offset) of the core
 * being served. Structures keep the context, never a CPU number, so the
 * same call from another core touches that core's data.
 */
export interface CpuContext {
  /** Number of CPUs (ncpu): per-CPU structures are sized by it. */
  readonly ncpu: number;
  /** curcpu()->ci_index */
  curcpu(): number;
}

/** A context for one CPU set from outside (tests, benchmarks, early boot). */
export class FixedCpu implements CpuContext {
  cpu = 0;
  constructor(readonly ncpu: number = 1) {}
  curcpu(): number {
    return this.cpu;
  }
}

/**
 * A sleeping request (KM_SLEEP, PR_WAITOK, VM_SLEEP) that memory cannot
 * satisfy waits on a wait queue in NetBSD until memory returns. Waiting
 * is done by kernel threads (a generator yields): the booted kernel's
 * kmem_alloc_sleep (kmem_kernel.ts) does it. A synchronous call cannot
 * wait; it says so once per call and fails as its NOSLEEP twin.
 */
export function cannot_sleep(printf: Printf, fn: string, wchan: string): void {
  printf(`${fn}: ${wchan}: out of memory and cannot sleep here (not in a kernel thread; kmem_alloc_sleep waits); failing as NOSLEEP`);
}
