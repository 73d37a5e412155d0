// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workqueues (kernel/workqueue.c, much reduced): deferred work run by a
 * kernel thread of the CPU it was queued on.
 *
 * Each online CPU has one worker pool, served by one kworker thread
 * ("kworker/N:0"), created the first time work is queued there. Every
 * workqueue (system_wq, and those create_workqueue makes) shares the
 * CPU's pool, as Linux's per-CPU workqueues share the per-CPU pools; items
 * run in the order they were queued. Work is queued once: queueing a
 * pending item does nothing and returns false (WORK_STRUCT_PENDING).
 * A work function may be plain code or a generator that sleeps.
 *
 * Delayed work is a timer on the virtual clock that queues the item when
 * it fires; flush_work waits until the item is neither pending nor
 * running.
 */

import type { Kernel } from '../kernel';
import { kthread_run } from './kthread';
import type { KthreadGen } from './sched/kthread_types';
import type { KthreadTask } from './sched/task';
import { WaitQueueHead, wait_event, wake_up } from './sched/wait';
import type { Timer } from './time/timer';
import { jiffies_at, jiffies_to_clock_ns } from './time/jiffies';

export type WorkFunc = (work: WorkStruct) => void | KthreadGen;

export class WorkStruct {
  pending = false;
  running = false;
  /** Woken when the item finishes running (flush_work). */
  readonly done: WaitQueueHead;

  constructor(readonly func: WorkFunc, readonly name = func.name || 'work') {
    this.done = new WaitQueueHead(`flush of ${this.name}`);
  }
}

export class DelayedWork extends WorkStruct {
  timer?: Timer;
}

export class WorkqueueStruct {
  constructor(readonly name: string) {}
}

/** system_wq ("events"): where schedule_work puts work. */
export const system_wq = new WorkqueueStruct('events');

class WorkerPool {
  readonly worklist: WorkStruct[] = [];
  readonly more: WaitQueueHead;
  worker?: KthreadTask;

  constructor(readonly cpu: number) {
    this.more = new WaitQueueHead(`work on cpu${cpu}`);
  }
}

const pools = new WeakMap<Kernel, WorkerPool[]>();

function poolOf(k: Kernel, cpu: number): WorkerPool {
  let list = pools.get(k);
  if (!list) pools.set(k, (list = []));
  let pool = list[cpu];
  if (!pool) {
    pool = list[cpu] = new WorkerPool(cpu);
    const p = pool;
    pool.worker = kthread_run(k, () => worker_thread(k, p), cpu, 'kworker/%u:0');
  }
  return pool;
}

function isGenerator(x: unknown): x is KthreadGen {
  return typeof x === 'object' && x !== null && typeof (x as { next?: unknown }).next === 'function';
}

/** The kworker's loop: take items in order, run each, wake its flushers. */
function* worker_thread(k: Kernel, pool: WorkerPool): KthreadGen<number> {
  for (;;) {
    yield* wait_event(pool.more, () => pool.worklist.length > 0);
    const work = pool.worklist.shift()!;
    work.pending = false;
    work.running = true;
    const r = work.func(work);
    if (isGenerator(r)) yield* r;
    work.running = false;
    wake_up(k.sched, work.done);
  }
}

/** queue_work_on: run `work` on `cpu`'s worker; false if it was already pending. */
export function queue_work_on(k: Kernel, cpu: number, _wq: WorkqueueStruct, work: WorkStruct): boolean {
  if (work.pending) return false;
  const pool = poolOf(k, cpu);
  work.pending = true;
  pool.worklist.push(work);
  wake_up(k.sched, pool.more);
  return true;
}

/** queue_work: on the CPU the caller runs on. */
export function queue_work(k: Kernel, wq: WorkqueueStruct, work: WorkStruct): boolean {
  return queue_work_on(k, k.smp_processor_id(), wq, work);
}

export function schedule_work(k: Kernel, work: WorkStruct): boolean {
  return queue_work(k, system_wq, work);
}

/** queue_delayed_work_on: queue `dwork` on `cpu` once `delay` jiffies have passed. */
export function queue_delayed_work_on(k: Kernel, cpu: number, wq: WorkqueueStruct, dwork: DelayedWork, delay: number): boolean {
  if (dwork.pending) return false;
  if (delay <= 0) return queue_work_on(k, cpu, wq, dwork);
  dwork.pending = true;
  const at = jiffies_to_clock_ns(jiffies_at(k.clockNs()) + delay);
  dwork.timer = k.sched.timers.add(at, () => {
    dwork.timer = undefined;
    dwork.pending = false;
    queue_work_on(k, cpu, wq, dwork);
  }, `delayed ${dwork.name}`);
  return true;
}

export function schedule_delayed_work(k: Kernel, dwork: DelayedWork, delay: number): boolean {
  return queue_delayed_work_on(k, k.smp_processor_id(), system_wq, dwork, delay);
}

/** cancel_delayed_work: stop a pending timer; true if it was pending (a queued or running item is left alone). */
export function cancel_delayed_work(k: Kernel, dwork: DelayedWork): boolean {
  if (!dwork.timer) return false;
  k.sched.timers.del(dwork.timer);
  dwork.timer = undefined;
  dwork.pending = false;
  return true;
}

/** flush_work: wait until `work` is neither pending nor running; true if there was something to wait for. */
export function* flush_work(work: WorkStruct): KthreadGen<boolean> {
  if (!work.pending && !work.running) return false;
  yield* wait_event(work.done, () => !work.pending && !work.running);
  return true;
}
