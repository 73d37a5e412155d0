// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tasks (struct task_struct, as far as the model has it). Every task is
 * pinned to one CPU (the model has no migration: a task's CPU is its
 * affinity, as kthread_bind and taskset make it), and is one of
 *
 *   idle     the CPU's idle task (swapper/N): the core sits in the image's
 *            cpu_idle loop, parked in WFI;
 *   user     code at EL0 on the core (the harness's threads, later user
 *            programs); while it is switched out its whole CPU state is
 *            kept in `context`;
 *   kthread  a kernel thread: TypeScript (a generator) that runs in steps
 *            on its core, and may run functions of the kernel image on it
 *            (kcall), during which the core executes them at EL1.
 *
 * The harness process is pid 1 ("harness"), one thread per CPU with tid
 * 1 + cpu; kernel threads get pids from 2 + NR_CPUS_MAX on, in creation
 * order, so the same boot gives the same pids.
 */

import type { CoreContext } from '../../../emulator/core';
import type { FilesStruct } from '../../fs/fdtable';
import type { FsStruct } from '../../fs/fs_struct';
import type { KthreadBody, KthreadRequest } from './kthread_types';
import type { Process } from '../process';

export type TaskState =
  | 'running' // on its CPU now
  | 'runnable' // on its CPU's run queue
  | 'blocked' // waiting (a wait queue, a timer, a kcall's completion)
  | 'dead';

export type TaskKind = 'idle' | 'user' | 'kthread';

export class Task {
  state: TaskState = 'blocked';
  /** Set when the task ended: its exit code (user: exit status; kthread: threadfn's return). */
  exitCode?: number;
  /** What a blocked task waits for, for the "no runnable task" report. */
  waitingFor = '';
  /** Rounds this task has run since it was last switched in (for preemption). */
  ranRounds = 0;
  /** CPU time it has had, user and system, in virtual ns (sched/cputime.ts). */
  utimeNs = 0;
  stimeNs = 0;

  constructor(
    readonly pid: number,
    readonly tid: number,
    /** The command name (exec and prctl(PR_SET_NAME) change it for user tasks). */
    public comm: string,
    /** The CPU it is pinned to (sched_setaffinity moves a user task). */
    public cpu: number,
    readonly kind: TaskKind,
  ) {}

  toString(): string {
    return `${this.comm}[${this.tid}]`;
  }
}

/** A task that runs at EL0: its saved CPU state while it is off its core. */
export class UserTask extends Task {
  /** The whole CPU state while switched out (allocated on first switch). */
  context?: CoreContext;
  /** Where it resumes. */
  resumePc = 0n;
  /** x0 to deliver when it resumes (a blocking system call's result). */
  resumeX0?: bigint;
  /** The thread group (process) this thread belongs to: its address space, children, exit status. */
  proc?: Process;
  /** set_tid_address / CLONE_CHILD_CLEARTID: zeroed and futex-woken when the thread exits. */
  clear_child_tid = 0n;
  /** set_robust_list's head (kept for get_robust_list; the model has no robust futex cleanup). */
  robust_list = 0n;
  /** The blocked-signal mask (rt_sigprocmask). */
  sigmask = 0n;
  /** sigsuspend's caller's own mask, put back by the frame of the handler that ends the wait (saved_sigmask). */
  savedSigmask?: bigint;
  /** Asleep in a call a handler must end with EINTR even under SA_RESTART (sigsuspend: ERESTARTNOHAND). */
  noRestart = false;
  /** Its process is stopped (job control): it does not run until SIGCONT, wherever it is now (kernel/jobctl.ts). */
  jobStop = false;
  /** Caught signals waiting for delivery (bit n-1 for signal n), with what their siginfo says. */
  pending = 0n;
  readonly siginfo = new Map<number, { code?: number; addr?: bigint }>();
  /** Signal frames on its stack, newest last, with the full state each interrupted (for rt_sigreturn). */
  readonly sigframes: { frame: bigint; saved: CoreContext }[] = [];
  /** Context slots of finished frames, for reuse. */
  readonly sigctxPool: CoreContext[] = [];
  /** Moved to another CPU since it last ran: its saved TPIDR_EL1 is the old CPU's offset. */
  migrated = false;
  /** While blocked: how to leave whatever queue it sleeps on, if it stops waiting otherwise (timeout, exit). */
  cancelWait?: () => void;
  /** Its descriptor table (shared by the threads of a process). */
  files?: FilesStruct;
  /** Its root and cwd. */
  fs?: FsStruct;

  constructor(pid: number, tid: number, comm: string, cpu: number) {
    super(pid, tid, comm, cpu, 'user');
  }
}

/** A kernel thread: its body and where it stands. */
export class KthreadTask extends Task {
  /** The value the next step resumes the body with (a kcall's x0, a wait's outcome). */
  resumeWith: unknown = undefined;
  /** What the body asked for when it last yielded. */
  request?: KthreadRequest;
  /** Set by kthread_stop. */
  shouldStop = false;
  /** A kcall of this thread is running on the core. */
  inKcall = false;
  /** Instructions of charged work not yet paid for in rounds (see Scheduler.charge). */
  debt = 0;
  /** The body threw or faulted: why (the oops line). */
  oops?: string;
  /** Called once when the thread has ended (kthread_stop's wait, kcall's top-level wait). */
  readonly onExit: (() => void)[] = [];

  constructor(pid: number, comm: string, cpu: number, readonly body: KthreadBody) {
    super(pid, pid, comm, cpu, 'kthread');
  }
}

/** What a task stopped by job control waits for (the "T" state of ps). */
export const STOPPED = 'stopped';

export const HARNESS_PID = 1;
/** The most CPUs a board has (the A06's six, rounded up); the image reserves per-CPU room for this many. */
export const NR_CPUS_MAX = 8;
export const FIRST_KTHREAD_PID = HARNESS_PID + 1 + NR_CPUS_MAX;
