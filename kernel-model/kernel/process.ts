// SPDX-License-Identifier: GPL-2.0-only
/*
 * Processes: thread groups sharing one address space, their lifetimes
 * and their parents (kernel/fork.c, kernel/exit.c, the model's version).
 *
 * A Process is what Linux spreads over the group leader's task_struct and
 * its signal_struct: the pid (tgid), the threads, the mm, the children,
 * and the exit status a parent collects with wait4. Its threads are
 * UserTasks, each pinned to its CPU on that CPU's run queue.
 *
 * Life and death:
 *   - a thread ends with exit (do_exit): its clear_child_tid word is
 *     zeroed and futex-woken (what pthread_join waits on), and it leaves
 *     its group;
 *   - the last thread out ends the process: the address space goes back
 *     (mmput), the children are handed to init (or, with no init, reaped
 *     as they die), and the process is a zombie until its parent's wait4
 *     collects it; with no parent (a process the kernel or a test started)
 *     it is released at once and its status handed to whoever watches;
 *   - exit_group ends every thread of the group first, wherever it runs.
 *
 * New threads are made on a stopped core: the core's state is saved, the
 * new thread's EL0 state built on it and saved into the thread's own
 * context, and the core's state put back, so it does not matter what the
 * core was doing (a trap of the parent, a kernel thread's step, idle).
 */

import type { Core } from '../../emulator/core';
import { CoreContext } from '../../emulator/core';
import { SYSREG } from '../../emulator/unicorn/constants';
import type { MmStruct } from '../mm/mmap';
import type { File } from '../fs/file';
import { UserTask } from './sched/task';

export type ProcessState = 'alive' | 'zombie' | 'reaped';

/** Wait status words (include/uapi/linux/wait.h's encodings, as WIFEXITED and WTERMSIG read them). */
export const W_EXITCODE = (code: number): number => (code & 0xff) << 8;
export const W_SIGNALED = (sig: number): number => sig & 0x7f;

export class Process {
  readonly threads = new Set<UserTask>();
  readonly children = new Set<Process>();
  parent?: Process;
  state: ProcessState = 'alive';
  /** The wait status once it has ended. */
  wstatus = 0;
  /** Threads (of this process) blocked in wait4 for a child. */
  readonly waiters = new Set<UserTask>();
  /** Called with the wait status when the process ends and nobody will wait4 for it. */
  readonly onRelease: ((wstatus: number) => void)[] = [];
  /** The executable's path (/proc/PID/exe, AT_EXECFN). */
  exe = '';
  /** Resource limits by RLIMIT_* number: [soft, hard]. */
  readonly rlimits = new Map<number, [bigint, bigint]>();
  /**
   * Where writes to fds 1 and 2 go when not to the console: a host sink
   * (`uconsole run` passes a program's output through, as qemu-user does).
   */
  stdio?: (fd: 1 | 2, data: Uint8Array) => void;
  /** With `stdio`: what fd 0 reads (the read end of a pipe the host writes); end of file without it. */
  stdin?: File;
  /** Process group and session ids (setpgid, setsid); a new process inherits its parent's. */
  pgid: number;
  sid: number;
  /** Virtual time it was made at (/proc/PID/stat's starttime). */
  startNs = 0;
  /** A vfork child: the parent thread sleeping until this process execs or exits. */
  vforkParent?: UserTask;
  /** Lives on when its last thread ends, keeping its address space (the test harness's process). */
  persistent = false;
  /** CPU time of its ended threads, and of its children reaped by wait (cutime, cstime), in virtual ns. */
  deadUtimeNs = 0;
  deadStimeNs = 0;
  cutimeNs = 0;
  cstimeNs = 0;
  /** Stopped by job control (kernel/jobctl.ts), by `stopSig`. */
  stopped = false;
  stopSig = 0;
  /** A stop or continue its parent's wait has not collected yet. */
  waitReport?: 'stopped' | 'continued';
  /** rt_sigaction's stored actions, raw struct sigaction bytes by signal. */
  readonly sigactions = new Map<number, Uint8Array>();

  constructor(readonly pid: number, public comm: string, public mm: MmStruct) {
    this.pgid = pid;
    this.sid = pid;
  }

  toString(): string {
    return `${this.comm}[${this.pid}]`;
  }
}

/** The CPU state a new user thread starts with. */
export interface UserStart {
  entry: bigint;
  sp: bigint;
  ttbr0: bigint;
  /** TPIDR_EL0 (the thread pointer). */
  tls?: bigint;
  /** x0.. preset. */
  regs?: ReadonlyMap<number, bigint>;
}

const scratch = new Map<Core, CoreContext>();

/** Fill `task.context` with an eret to EL0 at `start.entry`, built on `core` without disturbing it. */
export function prepare_user_context(core: Core, task: UserTask, start: UserStart, retToUser: bigint): void {
  const saved = scratch.get(core) ?? core.newContext();
  scratch.set(core, saved);
  core.saveContext(saved);
  try {
    core.restoreEl1();
    for (let i = 0; i <= 8; i++) core.setX(i, start.regs?.get(i) ?? 0n);
    core.sysWrite(SYSREG.TTBR0_EL1, start.ttbr0);
    core.sysWrite(SYSREG.TPIDR_EL0, start.tls ?? 0n);
    core.enterEl0(start.entry, start.sp);
    task.context ??= core.newContext();
    core.saveContext(task.context);
    task.resumePc = retToUser;
  } finally {
    core.restoreContext(saved);
  }
}

/**
 * A copy of the calling thread's state for a new thread (copy_thread):
 * the core is stopped in the caller's svc; the child resumes after it
 * with x0 = 0, its own stack and thread pointer when given, and the
 * TTBR0_EL1 of its own address space when it is a new process. (Writing
 * TTBR0 with another ASID flushes the core's TLB; writing the old value
 * back flushes it again, so the caller's view stays right.)
 */
export function copy_thread(core: Core, child: UserTask, resumePc: bigint, sp: bigint | undefined, tls: bigint | undefined, ttbr0?: bigint): void {
  const x0 = core.x(0);
  const oldSp = core.sp;
  const oldTls = core.sysRead(SYSREG.TPIDR_EL0);
  const oldTtbr0 = core.sysRead(SYSREG.TTBR0_EL1);
  core.setX(0, 0n);
  if (sp !== undefined) core.sp = sp;
  if (tls !== undefined) core.sysWrite(SYSREG.TPIDR_EL0, tls);
  if (ttbr0 !== undefined) core.sysWrite(SYSREG.TTBR0_EL1, ttbr0); // a new process: its own address space
  child.context ??= core.newContext();
  core.saveContext(child.context);
  child.resumePc = resumePc;
  core.setX(0, x0);
  core.sp = oldSp;
  core.sysWrite(SYSREG.TPIDR_EL0, oldTls);
  if (ttbr0 !== undefined) core.sysWrite(SYSREG.TTBR0_EL1, oldTtbr0);
}

/** The table of live processes by pid (the pid hash). */
export class ProcessTable {
  private readonly byPid = new Map<number, Process>();
  /** The process children are reparented to (find_child_reaper): /init when it runs. */
  init?: Process;
  /** Told of each process added and removed (its /proc/PID directory). */
  onAdd?: (p: Process) => void;
  onRemove?: (p: Process) => void;

  add(p: Process): void {
    this.byPid.set(p.pid, p);
    this.onAdd?.(p);
  }

  get(pid: number): Process | undefined {
    return this.byPid.get(pid);
  }

  /** A thread by tid, in any process. */
  thread(tid: number): UserTask | undefined {
    for (const p of this.byPid.values()) for (const t of p.threads) if (t.tid === tid) return t;
    return undefined;
  }

  remove(p: Process): void {
    if (this.byPid.get(p.pid) === p) this.byPid.delete(p.pid);
    this.onRemove?.(p);
  }

  all(): Process[] {
    return [...this.byPid.values()].sort((a, b) => a.pid - b.pid);
  }
}

/** thread_group_cputime: the CPU time of a process's threads, live and ended, in virtual ns. */
export function thread_group_cputime(p: Process): { utime: number; stime: number } {
  let utime = p.deadUtimeNs;
  let stime = p.deadStimeNs;
  for (const t of p.threads) {
    utime += t.utimeNs;
    stime += t.stimeNs;
  }
  return { utime, stime };
}

/** The process's first live thread (the one a signal to the process goes to; a zombie has none). */
export function first_thread(p: Process): UserTask | undefined {
  for (const t of p.threads) return t;
  return undefined;
}
