// SPDX-License-Identifier: GPL-2.0-only
/*
 * kswapd0 (mm/vmscan.c: kswapd_init, kswapd, wakeup_kswapd), as far as a
 * kernel with nothing to reclaim has it: a kernel thread of node 0 that
 * sleeps on kswapd_wait until the page allocator wakes it (a zone's
 * watermark was boosted by a fallback steal), then runs balance_pgdat,
 * which here ends the boosts (PageAllocator.kswapd: boost reclaim makes no
 * progress, so the boost decays at once), and sleeps again.
 */

import type { Kernel } from '../kernel';
import { kthread_run, kthread_should_stop } from '../kernel/kthread';
import type { KthreadGen } from '../kernel/sched/kthread_types';
import type { KthreadTask } from '../kernel/sched/task';
import { WaitQueueHead, wait_event, wake_up } from '../kernel/sched/wait';
import type { PageAllocator } from './page_alloc';

function* kswapd(k: Kernel, pgalloc: PageAllocator, wq: WaitQueueHead): KthreadGen<number> {
  for (;;) {
    yield* wait_event(wq, () => pgalloc.kswapd_pending || kthread_should_stop(k));
    if (kthread_should_stop(k)) return 0;
    pgalloc.kswapd();
  }
}

/** kswapd_init: start kswapd0 on the boot CPU and connect wakeup_kswapd to it. */
export function kswapd_init(k: Kernel, pgalloc: PageAllocator): KthreadTask {
  const wq = new WaitQueueHead('kswapd_wait');
  pgalloc.wakeup_kswapd = () => wake_up(k.sched, wq);
  return kthread_run(k, () => kswapd(k, pgalloc, wq), 0, 'kswapd0');
}
