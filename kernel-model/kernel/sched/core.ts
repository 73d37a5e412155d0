// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scheduler (kernel/sched/core.c, much reduced): per-CPU run queues,
 * the current task of each CPU, blocking and waking, and the turn the
 * machine gives the kernel at each core before its slice (MachineOs).
 *
 * The machine's one loop steps the cores in a fixed round robin. At a
 * core's turn the scheduler looks at what the core is doing:
 *
 *   idle (cpu_idle, parked in WFI)  take the first runnable task of the
 *       CPU's run queue: a kernel thread runs one step right there (its
 *       TypeScript, "on" the core: the turn is used and the round counts
 *       as time spent); a user task gets its saved CPU state back and the
 *       core runs it;
 *   a user task at EL0  let it run, unless it has had its slice
 *       (SCHED_SLICE_ROUNDS) and others wait: then its state is saved and
 *       the next task is taken (round robin, the model's CFS);
 *   a kernel thread in a kcall  let the core run the image's function.
 *
 * A kernel thread's step runs its generator until it yields what it
 * waits for (kthread_types.ts): a yield puts it back at the tail of the
 * run queue, a sleep or a wait blocks it (a timer, a wait queue), a kcall
 * points the core at an image function with x30 = kcall_return, whose
 * `hvc` hands x0 back (kcallReturned). A body that throws, or whose kcall
 * faults, dies with an oops; the machine carries on.
 *
 * Invariants: each live task is in exactly one place: current on its CPU,
 * on its CPU's run queue (runnable), or blocked (on a wait queue and/or
 * with a timer); the idle task is never queued. Every choice depends only
 * on the order of events, so the same inputs give the same interleaving.
 */

import type { Core } from '../../../emulator/core';
import type { Machine, MachineOs } from '../../../emulator/machine';
import type { Printk } from '../../printk';
import { TimerList, type Timer } from '../time/timer';
import type { KthreadBody, KthreadRequest } from './kthread_types';
import { FIRST_KTHREAD_PID, KthreadTask, STOPPED, Task, UserTask } from './task';
import type { Waker } from './wait';
import { CpuStat } from './cputime';
import { LoadAvg } from './loadavg';

/** Rounds a user task keeps its core while others wait (~1 ms of virtual time at the default slice). */
export const SCHED_SLICE_ROUNDS = 15;

/** What the scheduler needs from the kernel. */
export interface SchedHost {
  readonly machine: Machine;
  readonly printk: Printk;
  /** Where the cores run an image symbol now (undefined: no such symbol). */
  symbolAddress(sym: string): bigint | undefined;
  /** Kernel code is about to run for `task` on `core`: establish the per-CPU context. */
  enter(core: Core, task: Task): void;
  /** It has stopped running there. */
  leave(): void;
  /** Is the CPU online (its idle task running)? */
  online(cpu: number): boolean;
  /** A user task's state is back on `core` (TTBR0 included): make the core's TLB right for its address space. */
  switch_mm(core: Core, task: UserTask): void;
  /** Where a user task switched back in resumes, given where it stopped (a signal handler may come first). */
  resume_user(core: Core, task: UserTask, pc: bigint): bigint;
  /** The CPU is between tasks, idle, or at EL0 (RCU's quiescent state). */
  quiescent?(core: Core): void;
}

export class KthreadError extends Error {
  override name = 'KthreadError';
}

export class Scheduler implements MachineOs, Waker {
  readonly idle: Task[];
  readonly curr: Task[];
  private readonly rq: Task[][];
  readonly timers = new TimerList();
  /** Each CPU's user, system and idle time. */
  readonly cpustat: CpuStat;
  readonly loadavg = new LoadAvg();
  /** Live tasks other than the idle tasks, in creation order. */
  readonly tasks = new Set<Task>();
  private readonly sleepTimer = new Map<Task, Timer>();
  private nextPid = FIRST_KTHREAD_PID;
  private oopses = 0;

  constructor(private readonly host: SchedHost) {
    const n = host.machine.cores.length;
    this.idle = Array.from({ length: n }, (_, cpu) => new Task(0, 0, `swapper/${cpu}`, cpu, 'idle'));
    for (const t of this.idle) t.state = 'running';
    this.curr = [...this.idle];
    this.rq = Array.from({ length: n }, () => []);
    this.cpustat = new CpuStat(n);
  }

  private get machine(): Machine {
    return this.host.machine;
  }

  now(): number {
    return this.machine.clockNs;
  }

  /** Tasks running or waiting for a CPU (nr_running; the model has no uninterruptible sleep). */
  nr_active(): number {
    let n = 0;
    for (const t of this.tasks) if (t.state === 'running' || t.state === 'runnable') n++;
    return n;
  }

  /* ---- tasks -------------------------------------------------------------- */

  /** The last pid handed out (/proc/loadavg's last field). */
  last_pid(): number {
    return this.nextPid - 1;
  }

  /** A pid for a new process or thread (alloc_pid): one sequence with the kernel threads', in creation order. */
  alloc_pid(): number {
    return this.nextPid++;
  }

  /** A new kernel thread on `cpu`, not yet runnable (kthread_create_on_cpu). */
  createKthread(cpu: number, comm: string, body: KthreadBody): KthreadTask {
    const t = new KthreadTask(this.nextPid++, comm, cpu, body);
    this.tasks.add(t);
    return t;
  }

  /** Register a user task (its context is set by its creator). */
  addUserTask(t: UserTask): void {
    this.tasks.add(t);
  }

  /** wake_up_process: a blocked task becomes runnable on its CPU. False if it was not blocked. */
  wake_up_process(t: Task): boolean {
    if (t.state !== 'blocked') return false;
    if (t instanceof KthreadTask && t.request?.kind === 'wait') t.request.wq.waiters.delete(t);
    if (t instanceof UserTask) t.cancelWait = undefined;
    const timer = this.sleepTimer.get(t);
    if (timer) {
      this.timers.del(timer);
      this.sleepTimer.delete(t);
    }
    t.state = 'runnable';
    t.waitingFor = '';
    this.rq[t.cpu]!.push(t);
    return true;
  }

  private block(t: Task, what: string, untilNs?: number): void {
    t.state = 'blocked';
    t.waitingFor = what;
    if (untilNs !== undefined) this.sleepTimer.set(t, this.timers.add(untilNs, () => this.timedOut(t), what));
  }

  private timedOut(t: Task): void {
    this.sleepTimer.delete(t);
    if (t instanceof UserTask) t.cancelWait?.();
    this.wake_up_process(t);
  }

  /** The task is gone: off every queue. */
  private reap(t: Task, exitCode: number): void {
    if (t instanceof KthreadTask && t.request?.kind === 'wait') t.request.wq.waiters.delete(t);
    if (t instanceof UserTask) t.cancelWait?.();
    t.state = 'dead';
    t.exitCode = exitCode;
    const timer = this.sleepTimer.get(t);
    if (timer) this.timers.del(timer);
    this.sleepTimer.delete(t);
    const q = this.rq[t.cpu]!;
    const i = q.indexOf(t);
    if (i >= 0) q.splice(i, 1);
    if (this.curr[t.cpu] === t) this.curr[t.cpu] = this.idle[t.cpu]!;
    this.tasks.delete(t);
    if (t instanceof KthreadTask) for (const f of t.onExit.splice(0)) f();
  }

  /* ---- the machine's side (MachineOs) ----------------------------------- */

  runTimers(nowNs: number): void {
    this.timers.runDue(nowNs);
  }

  nextTimerNs(): number | undefined {
    return this.timers.next();
  }

  turn(core: Core): boolean {
    const cpu = core.index;
    if (!this.host.online(cpu)) return false;
    const cur = this.curr[cpu]!;
    const now = this.now();
    this.cpustat.account(cpu, cur, now);
    this.loadavg.update(now, () => this.nr_active());
    // Between tasks (a context switch or idle) or at EL0: a quiescent state for RCU.
    if (cur.kind === 'idle' || cur.kind === 'user') this.host.quiescent?.(core);
    if (cur.kind === 'user') return this.tickUser(cur as UserTask, core);
    if (cur instanceof KthreadTask) return cur.inKcall ? false : this.payDebt(cur, core);
    return this.pickNext(core);
  }

  /** A user task had a round: preempt it if its slice is over and others wait; take it off if its process stopped. */
  private tickUser(t: UserTask, core: Core): boolean {
    t.ranRounds++;
    if (t.jobStop && core.state === 'running') {
      this.stopUser(core, core.pc, undefined);
      return this.pickNext(core);
    }
    if (t.ranRounds < SCHED_SLICE_ROUNDS || this.rq[core.index]!.length === 0 || core.state !== 'running') return false;
    this.saveUser(t, core, core.pc);
    t.state = 'runnable';
    this.rq[core.index]!.push(t);
    this.curr[core.index] = this.idle[core.index]!;
    return this.pickNext(core);
  }

  private pickNext(core: Core): boolean {
    let next = this.rq[core.index]!.shift();
    // A task of a stopped process (woken where it slept, or queued when the stop came) waits for SIGCONT instead.
    while (next instanceof UserTask && next.jobStop) {
      this.block(next, STOPPED);
      next = this.rq[core.index]!.shift();
    }
    if (!next) return false;
    this.curr[core.index] = next;
    next.state = 'running';
    next.ranRounds = 0;
    if (next instanceof KthreadTask) {
      this.step(next, core);
      return true;
    }
    this.resumeUser(next as UserTask, core);
    return false;
  }

  /* ---- user tasks ----------------------------------------------------------- */

  private saveUser(t: UserTask, core: Core, resumePc: bigint): void {
    t.context ??= core.newContext();
    core.saveContext(t.context);
    t.resumePc = resumePc;
  }

  private resumeUser(t: UserTask, core: Core): void {
    if (!t.context) throw new KthreadError(`${t}: no saved context to resume`);
    core.restoreContext(t.context);
    this.host.switch_mm(core, t);
    if (t.resumeX0 !== undefined) core.setX(0, t.resumeX0);
    t.resumeX0 = undefined;
    this.machine.start(core.index, this.host.resume_user(core, t, t.resumePc));
  }

  /**
   * The current user task of `core` stops until woken (a blocking system
   * call): its state is saved to resume at `resumePc` with x0 = `ret`.
   * The caller sends the core to idle.
   */
  blockUser(core: Core, resumePc: bigint, ret: bigint | undefined, what: string, untilNs?: number): void {
    const t = this.curr[core.index] as UserTask;
    this.saveUser(t, core, resumePc);
    t.resumeX0 = ret;
    this.curr[core.index] = this.idle[core.index]!;
    this.block(t, what, untilNs);
  }

  /**
   * The current user task of `core` stops (job control): saved to resume
   * at `resumePc` (x0 = `ret` when given), it waits for SIGCONT. The
   * caller sends the core to idle, or picks the next task.
   */
  stopUser(core: Core, resumePc: bigint, ret: bigint | undefined): void {
    const t = this.curr[core.index] as UserTask;
    this.saveUser(t, core, resumePc);
    t.resumeX0 = ret;
    this.curr[core.index] = this.idle[core.index]!;
    this.block(t, STOPPED);
  }

  /** A task of a stopped process waiting on its run queue: it stops there. */
  stopRunnable(t: UserTask): void {
    if (t.state !== 'runnable') return;
    const q = this.rq[t.cpu]!;
    q.splice(q.indexOf(t), 1);
    this.block(t, STOPPED);
  }

  /** SIGCONT: a stopped task goes back to its run queue (a task still asleep elsewhere is left asleep). */
  continueTask(t: UserTask): void {
    if (t.state === 'blocked' && t.waitingFor === STOPPED) this.wake_up_process(t);
  }

  /** sched_yield from user space: true if the task gave up its core (others were waiting). */
  yieldUser(core: Core, resumePc: bigint): boolean {
    const cpu = core.index;
    if (this.rq[cpu]!.length === 0) return false;
    const t = this.curr[cpu] as UserTask;
    this.saveUser(t, core, resumePc);
    t.resumeX0 = 0n;
    t.state = 'runnable';
    this.rq[cpu]!.push(t);
    this.curr[cpu] = this.idle[cpu]!;
    return true;
  }

  /**
   * The current user task of `core` moves to `target` (sched_setaffinity
   * without its CPU in the mask): its state, saved to resume at
   * `resumePc` with x0 = `ret`, is copied to a context of the target core
   * and it waits on that CPU's run queue. The caller sends `core` to idle.
   */
  migrateUser(core: Core, target: Core, resumePc: bigint, ret: bigint): void {
    const t = this.curr[core.index] as UserTask;
    this.saveUser(t, core, resumePc);
    t.resumeX0 = ret;
    t.context = target.adoptContext(t.context!);
    t.migrated = true;
    this.curr[core.index] = this.idle[core.index]!;
    t.cpu = target.index;
    t.state = 'runnable';
    this.rq[target.index]!.push(t);
  }

  /** A user task that is off its CPU (runnable or blocked) moves to `target`; false if it cannot be moved now. */
  migrateWaiting(t: UserTask, from: Core, target: Core): boolean {
    if (t.state === 'running' || !t.context) return false;
    t.context = target.adoptContext(t.context);
    t.migrated = true;
    if (t.state === 'runnable') {
      const q = this.rq[from.index]!;
      q.splice(q.indexOf(t), 1);
      this.rq[target.index]!.push(t);
    }
    t.cpu = target.index;
    return true;
  }

  /** A user task ended (exit, a fatal signal, the harness's return). */
  userExited(t: Task, code: number): void {
    this.reap(t, code);
  }

  /* ---- kernel threads -------------------------------------------------------- */

  /**
   * Work a kernel thread's TypeScript did, in instructions (Kernel.charge):
   * the thread keeps its core for that long before what it yielded takes
   * effect, one slice per round, so its work shows on the virtual clock
   * (and in CNTVCT) while the other cores run on.
   */
  charge(t: KthreadTask, insns: number): void {
    if (insns > 0) t.debt += insns;
  }

  /** A round of a thread still paying for its last step; when paid, what it yielded takes effect. */
  private payDebt(t: KthreadTask, core: Core): boolean {
    t.debt -= this.machine.sliceInsns;
    if (t.debt <= 0) {
      t.debt = 0;
      this.step(t, core, false); // this round went to the debt
    }
    return true;
  }

  /**
   * Run `t` on `core` until it yields (it is current there). `credit`: the
   * round this step runs in still counts against work it charges.
   */
  private step(t: KthreadTask, core: Core, credit = true): void {
    this.host.enter(core, t);
    try {
      this.stepIn(t, core, credit);
    } finally {
      this.host.leave();
    }
  }

  private stepIn(t: KthreadTask, core: Core, credit: boolean): void {
    const cpu = core.index;
    /** Charge the step's own round once; true if the thread owes nothing more. */
    const settle = (): boolean => {
      if (t.debt > 0 && credit) t.debt = Math.max(0, t.debt - this.machine.sliceInsns);
      credit = false;
      return t.debt === 0;
    };
    let value = t.resumeWith;
    t.resumeWith = undefined;
    let req = t.request;
    t.request = undefined;
    if (t.exitCode !== undefined) return this.reap(t, t.exitCode); // its last step is paid for
    for (;;) {
      if (!req) {
        let r: IteratorResult<KthreadRequest, number | void>;
        try {
          r = t.body.next(value);
        } catch (e) {
          this.oops(t, e instanceof Error ? e.message : String(e));
          return;
        }
        if (r.done) {
          if (!settle()) t.exitCode = r.value ?? 0;
          else this.reap(t, r.value ?? 0);
          return;
        }
        req = r.value;
        if (!settle()) {
          t.request = req; // takes effect once the work is paid for (payDebt)
          return;
        }
      }
      switch (req.kind) {
        case 'yield':
          t.state = 'runnable';
          this.rq[cpu]!.push(t);
          this.curr[cpu] = this.idle[cpu]!;
          return;
        case 'sleep':
          if (req.untilNs <= this.now()) {
            value = undefined;
            req = undefined;
            continue;
          }
          this.curr[cpu] = this.idle[cpu]!;
          this.block(t, `sleep until ${req.untilNs} ns`, req.untilNs);
          return;
        case 'wait': {
          const outcome = this.waitOutcome(req);
          if (outcome !== undefined) {
            value = outcome;
            req = undefined;
            continue;
          }
          this.parkOn(t, req);
          return;
        }
        case 'kcall':
          this.startKcall(t, core, req);
          return;
      }
    }
  }

  /** A wait's result now: true (condition holds), false (deadline passed), undefined (keep waiting). */
  private waitOutcome(req: Extract<KthreadRequest, { kind: 'wait' }>): boolean | undefined {
    if (req.cond()) return true;
    if (req.untilNs !== undefined && this.now() >= req.untilNs) return false;
    return undefined;
  }

  private parkOn(t: KthreadTask, req: Extract<KthreadRequest, { kind: 'wait' }>): void {
    t.request = req;
    req.wq.waiters.add(t);
    this.curr[t.cpu] = this.idle[t.cpu]!;
    this.block(t, req.what, req.untilNs);
  }

  private startKcall(t: KthreadTask, core: Core, req: Extract<KthreadRequest, { kind: 'kcall' }>): void {
    const name = typeof req.fn === 'string' ? req.fn : `0x${req.fn.toString(16)}`;
    const addr = typeof req.fn === 'string' ? this.host.symbolAddress(req.fn) : req.fn;
    const ret = this.host.symbolAddress('kcall_return');
    if (addr === undefined || ret === undefined) return this.oops(t, `kcall of unknown symbol "${name}"`);
    if (req.args.length > 8) return this.oops(t, `kcall ${name}: ${req.args.length} arguments (at most 8 go in registers)`);
    core.restoreEl1();
    req.args.forEach((a, i) => core.setX(i, BigInt.asUintN(64, a)));
    core.setX(30, ret);
    t.inKcall = true;
    t.waitingFor = `kcall ${name}`;
    this.machine.start(core.index, addr);
  }

  /** The kcall running on `cpu` returned x0 (hvc #KCALL_RETURN, or a fixed-up fault). */
  kcallReturned(cpu: number, x0: bigint): void {
    const t = this.curr[cpu];
    if (!(t instanceof KthreadTask) || !t.inKcall) throw new KthreadError(`cpu${cpu}: a kcall returned with none in progress`);
    t.inKcall = false;
    t.waitingFor = '';
    t.resumeWith = BigInt.asIntN(64, x0);
    t.state = 'runnable';
    this.curr[cpu] = this.idle[cpu]!;
    this.rq[cpu]!.unshift(t); // it was running: it goes on first
  }

  /** The task current on `cpu`, if it is a kernel thread in a kcall. */
  kcallOn(cpu: number): KthreadTask | undefined {
    const t = this.curr[cpu];
    return t instanceof KthreadTask && t.inKcall ? t : undefined;
  }

  /** A kernel thread dies of `why` (a JavaScript error in its body, a fault in its kcall). */
  oops(t: KthreadTask, why: string): void {
    this.oopses++;
    t.oops = why;
    t.inKcall = false;
    this.host.printk(`Internal error: Oops: ${why} [#${this.oopses}] SMP`);
    this.host.printk(`CPU: ${t.cpu} PID: ${t.pid} Comm: ${t.comm}`);
    this.host.printk('---[ end trace ]---');
    this.reap(t, -1);
  }

  /** kthread_stop's side: ask it to stop and wake it, so that it sees kthread_should_stop(). */
  requestStop(t: KthreadTask): void {
    t.shouldStop = true;
    this.wake_up_process(t);
  }

  /** need_resched, as far as the model has it: does a task wait for this CPU? */
  hasWaiting(cpu: number): boolean {
    return (this.rq[cpu]?.length ?? 0) > 0;
  }

  /* ---- reports ---------------------------------------------------------------- */

  /** Live tasks that wait (blocked, or in a kcall whose core is parked), as "comm[pid] on cpuN: what". */
  waiting(): string[] {
    const waits = (t: Task): boolean => t.state === 'blocked' || (t instanceof KthreadTask && t.inKcall);
    return [...this.tasks].filter(waits).map((t) => `${t} on cpu${t.cpu}: ${t.waitingFor || 'blocked'}`);
  }

  /** Runnable or running tasks other than idle. */
  busy(): Task[] {
    return [...this.tasks].filter((t) => t.state === 'runnable' || t.state === 'running');
  }
}
