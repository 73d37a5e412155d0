// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel threads (kernel/kthread.c) and the waits kernel code may do in
 * them: schedule, cond_resched, msleep, schedule_timeout, and kcall, which
 * runs a function of the kernel image on the thread's own core.
 *
 * A thread is pinned to the CPU it was created on (kthread_create_on_cpu
 * binds it there), created blocked, and made runnable by wake_up_process
 * (kthread_run does both). Its body is a generator (kthread_types.ts);
 * between two yields it runs without any other core moving.
 *
 *   const t = kthread_run(k, function* () {
 *     while (!kthread_should_stop(k)) {
 *       work();
 *       yield* msleep(k, 10);
 *     }
 *     return 0;
 *   }, 2, 'worker/%u');
 */

import type { Kernel } from '../kernel';
import { KthreadError } from './sched/core';
import type { KthreadBody, KthreadGen } from './sched/kthread_types';
import { KthreadTask } from './sched/task';
import { jiffies_at, jiffies_to_clock_ns, msecs_to_jiffies } from './time/jiffies';
import { Completion, complete, wait_for_completion } from './sched/wait';

export type KthreadFn = (k: Kernel) => KthreadBody;

/** kthread_create_on_cpu: a thread bound to `cpu`, not yet running; `%u` in the name becomes the CPU. */
export function kthread_create_on_cpu(k: Kernel, threadfn: KthreadFn, cpu: number, namefmt: string): KthreadTask {
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= k.machine.cores.length)
    throw new KthreadError(`kthread_create_on_cpu: no CPU ${cpu} on ${k.machine.board.name} (it has ${k.machine.cores.length})`);
  if (!k.cpu_online(cpu)) throw new KthreadError(`kthread_create_on_cpu: CPU ${cpu} is offline`);
  const name = namefmt.replace('%u', String(cpu)).slice(0, 15); // TASK_COMM_LEN - 1
  return k.sched.createKthread(cpu, name, threadfn(k));
}

/** kthread_run on a CPU: create and wake. */
export function kthread_run(k: Kernel, threadfn: KthreadFn, cpu: number, namefmt: string): KthreadTask {
  const t = kthread_create_on_cpu(k, threadfn, cpu, namefmt);
  k.sched.wake_up_process(t);
  return t;
}

/** kthread_should_stop: has kthread_stop been called on the current thread? */
export function kthread_should_stop(k: Kernel): boolean {
  const t = k.current();
  return t instanceof KthreadTask && t.shouldStop;
}

/**
 * kthread_stop, from kernel-thread code: ask `t` to stop, wake it, and
 * wait for it to end; returns its exit code.
 */
export function* kthread_stop(k: Kernel, t: KthreadTask): KthreadGen<number> {
  if (t.state !== 'dead') {
    const done = new Completion(`exit of ${t.comm}`);
    t.onExit.push(() => complete(k.sched, done));
    k.sched.requestStop(t);
    yield* wait_for_completion(done);
  }
  return t.exitCode ?? 0;
}

/** schedule(): give the CPU to whoever else is runnable on it (the thread stays runnable). */
export function* schedule(): KthreadGen {
  yield { kind: 'yield' };
}

/**
 * cond_resched: reschedule if another task waits for this CPU. With no
 * other task, the thread keeps its core (as need_resched stays clear).
 */
export function* cond_resched(k: Kernel): KthreadGen {
  if (k.sched.hasWaiting(k.smp_processor_id())) yield { kind: 'yield' };
}

/** schedule_timeout_uninterruptible: sleep `timeout` jiffies. */
export function* schedule_timeout(k: Kernel, timeout: number): KthreadGen {
  const untilNs = jiffies_to_clock_ns(jiffies_at(k.clockNs()) + timeout);
  yield { kind: 'sleep', untilNs };
}

/** msleep: at least `ms` milliseconds, in whole jiffies plus one (as kernel/time/timer.c's msleep). */
export function* msleep(k: Kernel, ms: number): KthreadGen {
  yield* schedule_timeout(k, msecs_to_jiffies(ms) + 1);
}

/** Run `fn` of the kernel image (a symbol or an address) on this thread's core with x0.. = args; resumes with its x0 (signed). */
export function* kcall(fn: string | bigint, ...args: (bigint | number)[]): KthreadGen<bigint> {
  return (yield { kind: 'kcall', fn, args: args.map((a) => BigInt(a)) }) as bigint;
}

