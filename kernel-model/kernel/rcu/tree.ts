// SPDX-License-Identifier: GPL-2.0-only
/*
 * RCU, as much as kvfree_rcu needs: call_rcu and synchronize_rcu over
 * grace periods that end when every online CPU has passed a quiescent
 * state (kernel/rcu/tree.c, 5.10, much reduced: one node, no expedited
 * grace periods, no callback offloading).
 *
 * Quiescent states. The model's kernel code is not preemptible between
 * two yields of a kernel thread, so a CPU is outside any read-side
 * critical section whenever the scheduler finds it between tasks: at a
 * context switch (a kernel thread yielded, blocked or ended; a user task
 * was switched out) or idle. The scheduler reports each such turn
 * (Scheduler.turn -> SchedHost.quiescent -> rcu_qs), as
 * rcu_note_context_switch and the idle entry do in Linux. A core running
 * user code at EL0 is in a quiescent state too (rcu_sched_clock_irq's
 * user_mode case) and is reported the same way.
 *
 * Grace periods. rcu_gp_init takes a snapshot of the online CPUs
 * (qsmask); each CPU's report clears its bit; the last one ends the grace
 * period (rcu_gp_cleanup: gp_seq advances). A callback queued while no
 * grace period runs waits for the next one; one queued during a grace
 * period waits for the one after it (the running one may have started
 * before the caller's read-side sections it must cover). A new grace
 * period starts at once when callbacks still wait for one.
 *
 * Callbacks are kept per CPU and invoked on the CPU that queued them, at
 * its next quiescent-state report after their grace period ended (the
 * RCU_SOFTIRQ's rcu_do_batch), as kernel code on that CPU. While RCU has
 * work, a tick every jiffy reports the CPUs that are idle or at EL0 (an
 * idle CPU takes no scheduler turns), as the scheduling-clock interrupt
 * and the grace-period kthread's idle scan do.
 *
 * Invariant (Rcu.check): no callback is ready before its grace period;
 * while a grace period runs, qsmask holds only online CPUs.
 */

import type { KthreadGen } from '../sched/kthread_types';
import { Completion, complete, wait_for_completion, type Waker } from '../sched/wait';

export type RcuCallback = () => void;

interface RcuCb {
  fn: RcuCallback;
  /** The grace period (count of completed ones) after which it may run. */
  gp: number;
}

export interface RcuHost extends Waker {
  ncpu: number;
  cpu_online(cpu: number): boolean;
  smp_processor_id(): number;
  /**
   * Make sure quiescent states keep being reported while RCU has work:
   * a tick that reports every CPU found idle or at EL0 (rcu_gp_fqs's
   * dyntick-idle scan and rcu_sched_clock_irq), since an idle machine
   * takes no scheduler turns.
   */
  rcu_tick_arm(): void;
}

export class Rcu {
  /** Grace periods completed (gp_seq >> RCU_SEQ_CTR_SHIFT). */
  completed = 0;
  gpInProgress = false;
  /** CPUs the running grace period still waits for. */
  readonly qsmask = new Set<number>();
  private readonly cblist: RcuCb[][];
  /** Callbacks queued and not yet invoked. */
  pending = 0;
  /** Callbacks invoked so far. */
  invoked = 0;

  constructor(private readonly host: RcuHost) {
    this.cblist = Array.from({ length: host.ncpu }, () => []);
  }

  /** Is there anything a quiescent state would move? (The scheduler's hot path asks first.) */
  get busy(): boolean {
    return this.gpInProgress || this.pending > 0;
  }

  private rcu_gp_init(): void {
    this.gpInProgress = true;
    this.qsmask.clear();
    for (let cpu = 0; cpu < this.host.ncpu; cpu++) if (this.host.cpu_online(cpu)) this.qsmask.add(cpu);
    this.host.rcu_tick_arm();
  }

  private rcu_gp_cleanup(): void {
    this.gpInProgress = false;
    this.completed++;
    if (this.cblist.some((l) => l.some((cb) => cb.gp > this.completed))) this.rcu_gp_init();
  }

  /** call_rcu: `fn` runs on this CPU after a grace period. */
  call_rcu(fn: RcuCallback): void {
    const gp = this.completed + (this.gpInProgress ? 2 : 1);
    this.cblist[this.host.smp_processor_id()]!.push({ fn, gp });
    this.pending++;
    if (!this.gpInProgress) this.rcu_gp_init();
  }

  /** rcu_qs + rcu_core: `cpu` passed a quiescent state; run its ready callbacks (as kernel code on it). */
  rcu_qs(cpu: number): void {
    if (this.gpInProgress && this.qsmask.delete(cpu) && this.qsmask.size === 0) this.rcu_gp_cleanup();
    this.rcu_do_batch(cpu);
  }

  private rcu_do_batch(cpu: number): void {
    const list = this.cblist[cpu]!;
    if (list.length === 0 || list[0]!.gp > this.completed) return;
    const ready = list.filter((cb) => cb.gp <= this.completed);
    this.cblist[cpu] = list.filter((cb) => cb.gp > this.completed);
    for (const cb of ready) {
      this.pending--;
      this.invoked++;
      cb.fn();
    }
  }

  /** synchronize_rcu: wait, in a kernel thread, until a full grace period has passed. */
  *synchronize_rcu(): KthreadGen {
    const done = new Completion('synchronize_rcu');
    this.call_rcu(() => complete(this.host, done));
    yield* wait_for_completion(done);
  }

  /** rcu_check: one line per broken invariant. */
  check(): string[] {
    const errors: string[] = [];
    for (const cpu of this.qsmask) if (!this.host.cpu_online(cpu)) errors.push(`rcu: qsmask holds offline cpu${cpu}`);
    if (!this.gpInProgress && this.qsmask.size > 0) errors.push('rcu: qsmask set with no grace period running');
    let n = 0;
    this.cblist.forEach((list, cpu) => {
      n += list.length;
      for (const cb of list) if (cb.gp > this.completed + 2) errors.push(`rcu: cpu${cpu} callback waits for grace period ${cb.gp}, ${this.completed} completed`);
      if (list.length > 0 && list[0]!.gp > this.completed + (this.gpInProgress ? 0 : 1) && !this.gpInProgress) errors.push(`rcu: cpu${cpu} has callbacks but no grace period runs`);
    });
    if (n !== this.pending) errors.push(`rcu: ${this.pending} pending, ${n} queued`);
    return errors;
  }
}
