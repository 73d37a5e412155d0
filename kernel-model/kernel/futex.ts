// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fast user-space mutexes (kernel/futex.c, FUTEX_WAIT and FUTEX_WAKE with
 * their _BITSET forms): the queue of threads sleeping on a 32-bit word.
 *
 * A waiter is keyed by its address space and the word's address (the
 * private key; the model has no shared file mappings, so a shared key
 * would name the same thing). FUTEX_WAIT checks the word and queues the
 * caller in one step, which in the model is atomic because kernel code
 * runs with the other cores stopped: a waker cannot slip in between.
 *
 * The sleeping thread is blocked with -ETIMEDOUT as its result; a wake
 * replaces that with 0 before making it runnable, so a timeout and a
 * wake each deliver what Linux returns.
 */

import type { MmStruct } from '../mm/mmap';
import type { UserTask } from './sched/task';

export const FUTEX_WAIT = 0;
export const FUTEX_WAKE = 1;
export const FUTEX_WAIT_BITSET = 9;
export const FUTEX_WAKE_BITSET = 10;
export const FUTEX_PRIVATE_FLAG = 128;
export const FUTEX_CLOCK_REALTIME = 256;
export const FUTEX_CMD_MASK = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
export const FUTEX_BITSET_MATCH_ANY = 0xffffffff;

interface Waiter {
  task: UserTask;
  bitset: number;
}

export class Futexes {
  private readonly queues = new Map<MmStruct, Map<bigint, Waiter[]>>();

  /** futex_wait_queue_me: `task` sleeps on (mm, uaddr) until woken. */
  queue(mm: MmStruct, uaddr: bigint, task: UserTask, bitset: number): void {
    let byAddr = this.queues.get(mm);
    if (!byAddr) this.queues.set(mm, (byAddr = new Map()));
    const q = byAddr.get(uaddr) ?? [];
    q.push({ task, bitset });
    byAddr.set(uaddr, q);
  }

  /** futex_wake: up to `n` waiters whose bitset matches leave the queue; each is passed to `wake`. */
  wake(mm: MmStruct, uaddr: bigint, n: number, bitset: number, wake: (t: UserTask) => void): number {
    const q = this.queues.get(mm)?.get(uaddr);
    if (!q) return 0;
    let woken = 0;
    for (let i = 0; i < q.length && woken < n; ) {
      if ((q[i]!.bitset & bitset) === 0) {
        i++;
        continue;
      }
      const [w] = q.splice(i, 1);
      wake(w!.task);
      woken++;
    }
    if (q.length === 0) this.queues.get(mm)!.delete(uaddr);
    return woken;
  }

  /** A thread that stops waiting for another reason (timeout, exit) leaves every queue. */
  unqueue(task: UserTask): void {
    for (const byAddr of this.queues.values())
      for (const [addr, q] of byAddr) {
        const i = q.findIndex((w) => w.task === task);
        if (i >= 0) q.splice(i, 1);
        if (q.length === 0) byAddr.delete(addr);
      }
  }

  /** The mm is gone: its queues too. */
  forget(mm: MmStruct): void {
    this.queues.delete(mm);
  }

  /** Waiters now (for leak checks). */
  count(): number {
    let n = 0;
    for (const byAddr of this.queues.values()) for (const q of byAddr.values()) n += q.length;
    return n;
  }
}
