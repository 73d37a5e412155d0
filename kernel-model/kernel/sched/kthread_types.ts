// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a kernel thread's body is: a generator that yields what it waits
 * for. The scheduler resumes it with the outcome:
 *
 *   yield  { kind: 'yield' }                give up the CPU, stay runnable (schedule, cond_resched)
 *   sleep  { kind: 'sleep', untilNs }       until the virtual clock reaches untilNs (msleep, schedule_timeout)
 *   wait   { kind: 'wait', wq, cond, ... }  until cond() holds after a wake_up on wq, or the deadline;
 *                                           resumed with true if cond() held, false on timeout
 *   kcall  { kind: 'kcall', fn, args }      run a function of the kernel image on this CPU;
 *                                           resumed with its x0
 *
 * Bodies compose with `yield*`: `yield* msleep(k, 10)`, `const x0 = yield*
 * kcall('flush_tlb_all')`. Between two yields a body runs atomically with
 * respect to every core (a non-preemptible kernel section).
 */

import type { WaitQueueHead } from './wait';

export type KthreadRequest =
  | { kind: 'yield' }
  | { kind: 'sleep'; untilNs: number }
  | { kind: 'wait'; wq: WaitQueueHead; cond: () => boolean; untilNs?: number; what: string }
  | { kind: 'kcall'; fn: string | bigint; args: readonly bigint[] };

/** A step of kernel-thread code returning R. */
export type KthreadGen<R = void> = Generator<KthreadRequest, R, unknown>;

/** A kernel thread's body: its return value is the thread's exit code. */
export type KthreadBody = KthreadGen<number | void>;
