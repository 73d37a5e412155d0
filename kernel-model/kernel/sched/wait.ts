// SPDX-License-Identifier: GPL-2.0-only
/*
 * Wait queues and completions (include/linux/wait.h, kernel/sched/wait.c,
 * kernel/sched/completion.c), for kernel threads.
 *
 * A waiter is a blocked kernel thread and the condition it waits for. As
 * in Linux, wake_up() does not decide whether a waiter may go on: it makes
 * every waiter runnable, and each one re-checks its condition when it next
 * runs, blocking again if it still does not hold (wait_event's loop). The
 * scheduler does the re-check (see sched/core.ts); this file only keeps
 * the queues.
 *
 * A completion is a count and a wait queue: complete() adds one and wakes,
 * wait_for_completion() waits until the count is positive and takes one.
 */

import type { Task } from './task';
import type { KthreadGen } from './kthread_types';

export class WaitQueueHead {
  /** Waiting tasks, in the order they started waiting. */
  readonly waiters = new Set<Task>();

  constructor(readonly name: string) {}
}

/** What the scheduler provides to wake tasks (breaks the import cycle with sched/core). */
export interface Waker {
  wake_up_process(task: Task): boolean;
}

/** wake_up: every waiter of `wq` becomes runnable and re-checks its condition. */
export function wake_up(waker: Waker, wq: WaitQueueHead): void {
  const waiters = [...wq.waiters];
  wq.waiters.clear();
  for (const t of waiters) waker.wake_up_process(t);
}

/** wait_event: block until cond() holds (checked first, and after every wake_up on wq). */
export function* wait_event(wq: WaitQueueHead, cond: () => boolean, what = wq.name): KthreadGen {
  if (cond()) return;
  yield { kind: 'wait', wq, cond, what };
}

/**
 * wait_event_timeout: as wait_event, giving up at the virtual time
 * `untilNs`; true if cond() held, false on timeout.
 */
export function* wait_event_until(wq: WaitQueueHead, cond: () => boolean, untilNs: number, what = wq.name): KthreadGen<boolean> {
  if (cond()) return true;
  return (yield { kind: 'wait', wq, cond, untilNs, what }) as boolean;
}

export class Completion {
  done = 0;
  readonly wait: WaitQueueHead;

  constructor(readonly name: string) {
    this.wait = new WaitQueueHead(`completion ${name}`);
  }
}

/** complete: one waiter may go on. */
export function complete(waker: Waker, x: Completion): void {
  x.done++;
  wake_up(waker, x.wait);
}

/** complete_all: every present and future waiter may go on. */
export function complete_all(waker: Waker, x: Completion): void {
  x.done = Number.MAX_SAFE_INTEGER;
  wake_up(waker, x.wait);
}

export function completion_done(x: Completion): boolean {
  return x.done > 0;
}

export function reinit_completion(x: Completion): void {
  x.done = 0;
}

function take(x: Completion): void {
  if (x.done !== Number.MAX_SAFE_INTEGER) x.done--;
}

export function* wait_for_completion(x: Completion): KthreadGen {
  yield* wait_event(x.wait, () => x.done > 0);
  take(x);
}

/** wait_for_completion_timeout with an absolute deadline: true if completed, false on timeout. */
export function* wait_for_completion_until(x: Completion, untilNs: number): KthreadGen<boolean> {
  const ok = yield* wait_event_until(x.wait, () => x.done > 0, untilNs);
  if (ok) take(x);
  return ok;
}
