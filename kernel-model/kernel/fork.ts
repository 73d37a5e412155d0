// SPDX-License-Identifier: GPL-2.0-only
/*
 * Making user tasks (kernel/fork.c): a new process running a program
 * (what kernel_execve does for /init, and what `uconsole run` asks for),
 * and new threads of a process (clone with CLONE_VM | CLONE_THREAD, as
 * glibc's pthread_create calls it).
 *
 * A new thread runs on its parent's CPU: the model pins every task to
 * one CPU (sched_setaffinity moves it), and a child placed elsewhere
 * would need its state moved between engines.
 */

import type { Kernel } from '../kernel';
import { exec_binprm, type Binprm, type LoadedProgram } from '../fs/exec';
import { Process, W_SIGNALED, copy_thread, prepare_user_context } from './process';
import { exit_thread, mm_release } from './exit';
import { UserTask } from './sched/task';
import { USER_HZ } from './time/jiffies';

export interface SpawnOptions {
  cpu: number;
  file: Uint8Array;
  /** The path it is run by (argv[0] is separate). */
  filename: string;
  argv: readonly string[];
  envp?: readonly string[];
  parent?: Process;
  /** The pid to take (1 for init); otherwise the next free one. */
  pid?: number;
}

/** The default environment of init (init/main.c's envp_init). */
export const ENVP_INIT = ['HOME=/', 'TERM=linux'];

const basename = (path: string): string => path.slice(path.lastIndexOf('/') + 1).slice(0, 15); // TASK_COMM_LEN - 1

/** A new process running `file` on `cpu`, runnable (throws ExecError when the program cannot be loaded). */
/** The image page holding __kernel_rt_sigreturn, which every process maps as its "[vdso]". */
export function vdso_pa(k: Kernel): number {
  return k.textPa + Number(k.syms.offset('__kernel_rt_sigreturn'));
}

/** The binprm of a program run from the kernel or by execve. */
export function binprm(k: Kernel, file: Uint8Array, filename: string, argv: readonly string[], envp: readonly string[]): Binprm {
  return { file, filename, argv, envp, hwcap: k.user.hwcap, random: k.user.random(16), clktck: USER_HZ, vdsoPa: vdso_pa(k) };
}

export function spawn_process(k: Kernel, o: SpawnOptions): Process {
  const u = k.user;
  const prog = exec_binprm(u.mem, binprm(k, o.file, o.filename, o.argv, o.envp ?? ENVP_INIT));
  const pid = o.pid ?? k.sched.alloc_pid();
  const proc = new Process(pid, basename(o.filename), prog.mm);
  proc.exe = o.filename;
  if (o.parent) {
    proc.parent = o.parent;
    o.parent.children.add(proc);
  }
  const task = new UserTask(pid, pid, proc.comm, o.cpu);
  task.proc = proc;
  prepare_user_context(k.machine.core(o.cpu), task, { entry: prog.entry, sp: prog.sp, ttbr0: prog.mm.ttbr0 }, k.addr('ret_to_user'));
  proc.threads.add(task);
  u.procs.add(proc);
  k.sched.addUserTask(task);
  k.sched.wake_up_process(task);
  return proc;
}

/** clone for a thread of the caller's process: it resumes after the svc at `resumePc` with x0 = 0. */
export function clone_thread(k: Kernel, parent: UserTask, resumePc: bigint, sp: bigint | undefined, tls: bigint | undefined): UserTask {
  const proc = parent.proc!;
  const tid = k.sched.alloc_pid();
  const child = new UserTask(proc.pid, tid, parent.comm, parent.cpu);
  child.proc = proc;
  child.sigmask = parent.sigmask;
  copy_thread(k.machine.core(parent.cpu), child, resumePc, sp, tls);
  proc.threads.add(child);
  proc.mm.users++;
  k.sched.addUserTask(child);
  k.sched.wake_up_process(child);
  return child;
}

/**
 * The point of no return of execve (begin_new_exec and start_thread):
 * the other threads end (de_thread), the process takes the new address
 * space and drops the old one, and the calling thread's state becomes an
 * eret to the new program's entry, put on its core at once.
 */
export function exec_in_task(k: Kernel, t: UserTask, prog: LoadedProgram, filename: string): void {
  const proc = t.proc!;
  for (const other of [...proc.threads]) if (other !== t) exit_thread(k, other, W_SIGNALED(9), t.cpu);
  const old = proc.mm;
  proc.mm = prog.mm;
  if (old.users === 1) k.user.futex.forget(old);
  k.user.mem.mmput(old);
  mm_release(k, proc);
  t.files?.close_on_exec();
  proc.exe = filename;
  proc.comm = t.comm = basename(filename);
  proc.sigactions.clear(); // handlers do not survive exec (the model keeps no ignored dispositions either)
  t.clear_child_tid = 0n;
  t.robust_list = 0n;
  const core = k.machine.core(t.cpu);
  prepare_user_context(core, t, { entry: prog.entry, sp: prog.sp, ttbr0: prog.mm.ttbr0 }, k.addr('ret_to_user'));
  core.restoreContext(t.context!);
  k.switch_mm(core, t);
}

/** What a new process started by clone without CLONE_THREAD shares with its parent. */
export interface ForkOptions {
  /** CLONE_VM: the same address space (vfork); otherwise a copy-on-write copy. */
  shareVm: boolean;
  /** CLONE_VFORK: the parent sleeps until the child execs or exits. */
  vfork: boolean;
  sp?: bigint;
  tls?: bigint;
}

/**
 * copy_process for a new process (fork, vfork): its address space (a
 * copy-on-write duplicate, or the parent's), descriptors and fs_struct
 * copied, the calling thread's state with x0 = 0, on the parent's CPU.
 * Null when memory for the copy ran out (nothing left allocated).
 */
export function fork_process(k: Kernel, parent: UserTask, resumePc: bigint, o: ForkOptions): Process | null {
  const pp = parent.proc!;
  let mm = pp.mm;
  if (o.shareVm) mm.users++;
  else {
    const copy = k.user.mem.mm_alloc();
    if (!copy) return null;
    if (!pp.mm.dup_mmap(copy)) {
      k.user.mem.mmput(copy);
      return null;
    }
    mm = copy;
  }
  const pid = k.sched.alloc_pid();
  const proc = new Process(pid, pp.comm, mm);
  proc.exe = pp.exe;
  proc.parent = pp;
  pp.children.add(proc);
  proc.stdio = pp.stdio;
  proc.pgid = pp.pgid;
  proc.sid = pp.sid;
  for (const [r, v] of pp.rlimits) proc.rlimits.set(r, v);
  for (const [s, a] of pp.sigactions) proc.sigactions.set(s, a);
  const child = new UserTask(pid, pid, parent.comm, parent.cpu);
  child.proc = proc;
  child.sigmask = parent.sigmask;
  child.files = parent.files?.fork();
  child.fs = parent.fs?.fork();
  copy_thread(k.machine.core(parent.cpu), child, resumePc, o.sp, o.tls, mm.ttbr0);
  proc.threads.add(child);
  k.user.procs.add(proc);
  k.sched.addUserTask(child);
  k.sched.wake_up_process(child);
  return proc;
}
