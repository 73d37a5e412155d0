// SPDX-License-Identifier: GPL-2.0-only
/*
 * kfree_rcu / kvfree_rcu with 5.10's batching (kernel/rcu/tree.c:
 * kvfree_call_rcu, kvfree_call_rcu_add_ptr_to_bulk, kfree_rcu_monitor,
 * queue_kfree_rcu_work, kfree_rcu_work; Uladzislau Rezki and Joel
 * Fernandes's "page-sized bulk arrays" of 5.9/5.10).
 *
 * Each CPU has a kfree_rcu_cpu (krcp) that collects pointers to free
 * after a grace period, without a callback per object:
 *
 *   bkvhead[0]  slab pointers   )  chains of kvfree_rcu_bulk_data pages:
 *   bkvhead[1]  vmalloc pointers)  { nr_records, next, records[510] }
 *   head        objects with an rcu_head whose bulk page could not be had
 *               (the 2-argument form only): a list through the rcu_heads,
 *               func holding the head's offset in its object
 *
 * The first object queued arms the monitor (a delayed work,
 * KFREE_DRAIN_JIFFIES = HZ/50). The monitor detaches the CPU's channels
 * onto a free kfree_rcu_cpu_work of the KFREE_N_BATCHES (2) and queues it
 * behind a grace period (queue_rcu_work: call_rcu, then the work on
 * system_wq); if both batches are still busy it re-arms itself. After the
 * grace period kfree_rcu_work frees every record (kfree for channel 0,
 * vfree for channel 1, then kvfree through each rcu_head) and keeps up to
 * rcu_min_cached_objs (5) bulk pages per CPU for later.
 *
 * kvfree_rcu(ptr) with one argument has no rcu_head to fall back on: when
 * no bulk page can be had it waits for a grace period right there
 * (synchronize_rcu) and frees the object itself; so it may sleep and is a
 * kernel-thread generator here. The two-argument form never sleeps.
 *
 * The bulk pages and the rcu_head links are guest memory: records and
 * links are written where Linux writes them. The krcp bookkeeping (which
 * pages, counts, flags) is host state per CPU.
 */

import type { Kernel } from '../../kernel';
import { PAGE_SIZE } from '../../arch/arm64/page-def';
import { GFP_NOWAIT, __GFP_NOWARN } from '../../mm/page_alloc';
import { DelayedWork, WorkStruct, queue_work, schedule_delayed_work, system_wq } from '../workqueue';
import { HZ } from '../time/jiffies';
import type { KthreadGen } from '../sched/kthread_types';

/** (PAGE_SIZE - sizeof(struct kvfree_rcu_bulk_data)) / sizeof(void *) */
export const KVFREE_BULK_MAX_ENTR = (PAGE_SIZE - 16) / 8;
export const KFREE_DRAIN_JIFFIES = HZ / 50;
export const KFREE_N_BATCHES = 2;
export const FREE_N_CHANNELS = 2;
export const rcu_min_cached_objs = 5;

/** A kvfree_rcu_bulk_data page: its host handle and the guest page. */
interface Bnode {
  va: bigint;
  next: Bnode | null;
  nr: number;
}

class KfreeRcuCpuWork {
  bkvhead_free: (Bnode | null)[] = [null, null];
  head_free: bigint = 0n;
  /** queue_rcu_work's pending bit: set until the work starts. */
  rcuPending = false;
  constructor(readonly work: WorkStruct) {}
}

class KfreeRcuCpu {
  bkvhead: (Bnode | null)[] = [null, null];
  head: bigint = 0n;
  count = 0;
  monitor_todo = false;
  readonly krw_arr: KfreeRcuCpuWork[] = [];
  readonly bkvcache: Bnode[] = [];
  constructor(readonly monitor_work: DelayedWork) {}
}

export interface KfreeRcuFaults {
  /** The bulk page allocation (__get_free_page(GFP_NOWAIT)): true fails it. */
  bnode?: () => boolean;
}

export class KfreeRcu {
  private readonly krc: KfreeRcuCpu[];
  readonly faults: KfreeRcuFaults = {};
  /** Objects freed after their grace period, and inline (1-argument fallback). */
  freed = 0;
  freedInline = 0;

  constructor(private readonly k: Kernel) {
    this.krc = Array.from({ length: k.machine.cores.length }, () => {
      const krcp: KfreeRcuCpu = new KfreeRcuCpu(new DelayedWork(() => this.kfree_rcu_monitor(krcp), 'kfree_rcu_monitor'));
      for (let i = 0; i < KFREE_N_BATCHES; i++) {
        const krw: KfreeRcuCpuWork = new KfreeRcuCpuWork(new WorkStruct(() => this.kfree_rcu_work(krw), 'kfree_rcu_work'));
        krcp.krw_arr.push(krw);
      }
      return krcp;
    });
  }

  /** Objects waiting, on every CPU (queued, detached, or behind a grace period). */
  get outstanding(): number {
    let n = 0;
    for (const krcp of this.krc) {
      for (const b of krcp.bkvhead) n += chainCount(b);
      n += this.headCount(krcp.head);
      for (const krw of krcp.krw_arr) {
        for (const b of krw.bkvhead_free) n += chainCount(b);
        n += this.headCount(krw.head_free);
      }
    }
    return n;
  }

  /** Bulk pages held (in chains and in the per-CPU caches). */
  get bulkPages(): number {
    let n = 0;
    const pages = (b: Bnode | null): number => (b ? 1 + pages(b.next) : 0);
    for (const krcp of this.krc) {
      n += krcp.bkvcache.length;
      for (const b of krcp.bkvhead) n += pages(b);
      for (const krw of krcp.krw_arr) for (const b of krw.bkvhead_free) n += pages(b);
    }
    return n;
  }

  private headCount(head: bigint): number {
    let n = 0;
    for (let h = head; h !== 0n; h = this.k.arch.kmem.read64(h)) n++;
    return n;
  }

  private kvfree(ptr: bigint): void {
    if (this.k.mm.vmalloc.is_vmalloc_addr(ptr)) this.k.mm.vmalloc.vfree(ptr);
    else this.k.slab!.kfree(ptr);
    this.freed++;
  }

  /* ---- bulk pages ------------------------------------------------------------ */

  private get_bnode(krcp: KfreeRcuCpu): Bnode | null {
    const cached = krcp.bkvcache.pop();
    if (cached) return cached;
    if (this.faults.bnode?.()) return null;
    const pfn = this.k.mm.pgalloc.alloc_page(GFP_NOWAIT | __GFP_NOWARN);
    return pfn === null ? null : { va: this.k.arch.linear.va(pfn * PAGE_SIZE), next: null, nr: 0 };
  }

  private put_bnode(krcp: KfreeRcuCpu, b: Bnode): void {
    if (krcp.bkvcache.length < rcu_min_cached_objs) {
      krcp.bkvcache.push(b);
      return;
    }
    this.k.mm.pgalloc.__free_pages(this.k.arch.linear.pa(b.va) / PAGE_SIZE, 0);
  }

  /** The page's header as Linux keeps it: nr_records, then next. */
  private writeHeader(b: Bnode): void {
    this.k.arch.kmem.write64(b.va, BigInt(b.nr));
    this.k.arch.kmem.write64(b.va + 8n, b.next ? b.next.va : 0n);
  }

  /** kvfree_call_rcu_add_ptr_to_bulk */
  private add_ptr_to_bulk(krcp: KfreeRcuCpu, ptr: bigint): boolean {
    const idx = this.k.mm.vmalloc.is_vmalloc_addr(ptr) ? 1 : 0;
    let b = krcp.bkvhead[idx];
    if (!b || b.nr === KVFREE_BULK_MAX_ENTR) {
      const n = this.get_bnode(krcp);
      if (!n) return false;
      n.nr = 0;
      n.next = b ?? null;
      krcp.bkvhead[idx] = b = n;
    }
    this.k.arch.kmem.write64(b.va + 16n + 8n * BigInt(b.nr), ptr);
    b.nr++;
    this.writeHeader(b);
    return true;
  }

  /* ---- queueing ------------------------------------------------------------ */

  /**
   * kvfree_call_rcu: queue `ptr` to be freed after a grace period. With an
   * rcu_head at `headOffset` the object can always be queued; without one
   * (the 1-argument form) false means the caller must wait and free it.
   */
  kvfree_call_rcu(ptr: bigint, headOffset?: number): boolean {
    const krcp = this.krc[this.k.smp_processor_id()]!;
    if (!this.add_ptr_to_bulk(krcp, ptr)) {
      if (headOffset === undefined) return false;
      const head = ptr + BigInt(headOffset);
      this.k.arch.kmem.write64(head, krcp.head); // head->next
      this.k.arch.kmem.write64(head + 8n, BigInt(headOffset)); // head->func: the offset (__is_kvfree_rcu_offset)
      krcp.head = head;
    }
    krcp.count++;
    if (!krcp.monitor_todo) {
      krcp.monitor_todo = true;
      schedule_delayed_work(this.k, krcp.monitor_work, KFREE_DRAIN_JIFFIES);
    }
    return true;
  }

  /** kvfree_rcu(ptr, rhf) / kfree_rcu: the rcu_head is at `headOffset` in the object; never sleeps. */
  kvfree_rcu_2(ptr: bigint, headOffset: number): void {
    if (ptr !== 0n) this.kvfree_call_rcu(ptr, headOffset);
  }

  /** kvfree_rcu(ptr): may wait for a grace period (a kernel thread's generator). */
  *kvfree_rcu_1(ptr: bigint): KthreadGen {
    if (ptr === 0n || this.kvfree_call_rcu(ptr)) return;
    yield* this.k.rcu.synchronize_rcu();
    this.kvfree(ptr);
    this.freedInline++;
  }

  /* ---- draining -------------------------------------------------------------- */

  /** kfree_rcu_monitor: hand the channels to a free batch, or try again later. */
  private kfree_rcu_monitor(krcp: KfreeRcuCpu): void {
    krcp.monitor_todo = false;
    if (this.queue_kfree_rcu_work(krcp)) return;
    krcp.monitor_todo = true;
    schedule_delayed_work(this.k, krcp.monitor_work, KFREE_DRAIN_JIFFIES);
  }

  /** queue_kfree_rcu_work: true when every channel of krcp was handed over. */
  private queue_kfree_rcu_work(krcp: KfreeRcuCpu): boolean {
    let repeat = false;
    for (const krw of krcp.krw_arr) {
      const attachable = (krcp.bkvhead[0] && !krw.bkvhead_free[0]) || (krcp.bkvhead[1] && !krw.bkvhead_free[1]) || (krcp.head !== 0n && krw.head_free === 0n);
      if (attachable) {
        for (let j = 0; j < FREE_N_CHANNELS; j++) {
          if (!krw.bkvhead_free[j]) {
            krw.bkvhead_free[j] = krcp.bkvhead[j]!;
            krcp.bkvhead[j] = null;
          }
        }
        if (krw.head_free === 0n) {
          krw.head_free = krcp.head;
          krcp.head = 0n;
        }
        krcp.count = 0;
        this.queue_rcu_work(krw);
      }
      if (krcp.bkvhead[0] || krcp.bkvhead[1] || krcp.head !== 0n) repeat = true;
    }
    return !repeat;
  }

  /** queue_rcu_work: the batch's work on system_wq after a grace period; false if already pending. */
  private queue_rcu_work(krw: KfreeRcuCpuWork): boolean {
    if (krw.rcuPending) return false;
    krw.rcuPending = true;
    this.k.rcu.call_rcu(() => void queue_work(this.k, system_wq, krw.work));
    return true;
  }

  /** kfree_rcu_work: after the grace period, free everything the batch holds. */
  private kfree_rcu_work(krw: KfreeRcuCpuWork): void {
    krw.rcuPending = false;
    const krcp = this.krc[this.k.smp_processor_id()]!;
    const chains = krw.bkvhead_free;
    krw.bkvhead_free = [null, null];
    let head = krw.head_free;
    krw.head_free = 0n;
    for (let b of chains) {
      while (b) {
        for (let i = 0; i < b.nr; i++) this.kvfree(this.k.arch.kmem.read64(b.va + 16n + 8n * BigInt(i)));
        const next: Bnode | null = b.next;
        this.put_bnode(krcp, b);
        b = next;
      }
    }
    while (head !== 0n) {
      const next = this.k.arch.kmem.read64(head);
      const offset = this.k.arch.kmem.read64(head + 8n);
      this.kvfree(head - offset);
      head = next;
    }
  }
}

function chainCount(b: Bnode | null): number {
  let n = 0;
  for (; b; b = b.next) n += b.nr;
  return n;
}
