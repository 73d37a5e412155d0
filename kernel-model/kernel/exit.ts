// SPDX-License-Identifier: GPL-2.0-only
/*
 * The end of user tasks (kernel/exit.c): a thread's exit, a process's
 * exit when its last thread goes, exit_group, and wait4.
 *
 * Order of a thread's exit, as do_exit has it where the model has the
 * parts: the clear_child_tid word is zeroed and one waiter woken (glibc's
 * pthread_join sleeps on it), the thread leaves its group and its CPU,
 * its hold on the address space is dropped (the last one frees it,
 * exit_mm), and if it was the last thread the process becomes a zombie
 * (exit_notify): its children go to init, its parent's wait4 sleepers
 * wake to collect it. A process nobody can wait for (no parent: a
 * program the kernel or a test started) is released at once.
 */

import type { Kernel } from '../kernel';
import { FUTEX_BITSET_MATCH_ANY } from './futex';
import { copyToUser } from './uaccess';
import { SIGCHLD, send_signal } from './signal';
import { kill_orphaned_pgrp } from './jobctl';
import { first_thread, thread_group_cputime, type Process } from './process';
import type { UserTask } from './sched/task';

/**
 * Wake a user task blocked in a system call, with `x0` as the call's
 * result; undefined makes it run the call again (a sleeper that was to
 * resume after its svc with a timeout's result goes back to the svc, and
 * one that was to make its call again returns the value instead).
 */
export function wake_user(k: Kernel, t: UserTask, x0: bigint | undefined): void {
  if (x0 === undefined && t.resumeX0 !== undefined) t.resumePc -= 4n;
  else if (x0 !== undefined && t.resumeX0 === undefined && t.state === 'blocked') t.resumePc += 4n; // it was to make its call again: it returns instead
  t.resumeX0 = x0;
  t.cancelWait = undefined;
  t.noRestart = false;
  k.sched.wake_up_process(t);
}

/**
 * do_exit for thread `t` with wait status `wstatus`. `t` may be running
 * on another core (exit_group): that core goes back to idle.
 */
export function exit_thread(k: Kernel, t: UserTask, wstatus: number, callerCpu?: number): void {
  const proc = t.proc!;
  if (t.clear_child_tid && copyToUser(proc.mm, k.machine.ram, t.clear_child_tid, new Uint8Array(4)))
    k.user.futex.wake(proc.mm, t.clear_child_tid, 1, FUTEX_BITSET_MATCH_ANY, (w) => wake_user(k, w, 0n));
  proc.threads.delete(t);
  proc.deadUtimeNs += t.utimeNs;
  proc.deadStimeNs += t.stimeNs;
  if (proc.threads.size === 0 && !proc.persistent) t.files?.close_all(); // exit_files: the last user of the table
  const onCore = k.sched.curr[t.cpu] === t;
  k.harness.ended(t, wstatus);
  k.sched.userExited(t, wstatus);
  if (onCore && t.cpu !== callerCpu) k.idleNow(t.cpu);
  if (proc.threads.size === 0 && !proc.persistent) exit_process(k, proc, wstatus);
  else k.user.mem.mmput(proc.mm);
}

/** do_group_exit: every thread of the caller's process ends with `wstatus`. */
export function exit_group(k: Kernel, t: UserTask, wstatus: number): void {
  for (const other of [...t.proc!.threads]) if (other !== t) exit_thread(k, other, wstatus, t.cpu);
  exit_thread(k, t, wstatus, t.cpu);
}

/** mm_release's vfork part: a vfork child leaving the shared address space lets its parent go on. */
export function mm_release(k: Kernel, proc: Process): void {
  const parent = proc.vforkParent;
  if (!parent) return;
  proc.vforkParent = undefined;
  parent.cancelWait = undefined;
  k.sched.wake_up_process(parent);
}

/** exit_notify and its neighbours: the last thread of `proc` has gone. */
function exit_process(k: Kernel, proc: Process, wstatus: number): void {
  mm_release(k, proc);
  proc.state = 'zombie';
  proc.wstatus = wstatus;
  if (proc.mm.users === 1) k.user.futex.forget(proc.mm); // the last user (a vfork child shares its parent's)
  k.user.mem.mmput(proc.mm);
  wake_parent_waiters(k, proc); // any of its own threads still asleep in wait
  kill_orphaned_pgrp(k, proc);
  forget_original_parent(k, proc);
  const parent = proc.parent;
  if (parent && parent.state === 'alive') {
    wake_parent_waiters(k, parent); // they re-run wait4 and find the zombie
    const pt = first_thread(parent);
    if (pt) send_signal(k, pt, SIGCHLD, { code: wstatus & 0x7f ? CLD_KILLED : CLD_EXITED }); // do_notify_parent; ignored unless caught
  } else release_task(k, proc);
}

/** A child changed state: the parent's threads asleep in wait make their call again. */
export function wake_parent_waiters(k: Kernel, parent: Process): void {
  for (const w of parent.waiters) wake_user(k, w, undefined);
  parent.waiters.clear();
}

/** Children of a dying process go to init, or are released as they die when there is none. */
function forget_original_parent(k: Kernel, proc: Process): void {
  const reaper = k.user.procs.init;
  for (const c of proc.children) {
    if (reaper && reaper !== proc && reaper.state === 'alive') {
      c.parent = reaper;
      reaper.children.add(c);
      kill_orphaned_pgrp(k, c, proc);
      if (c.state === 'zombie') wake_parent_waiters(k, reaper);
    } else {
      c.parent = undefined;
      if (c.state === 'zombie') release_task(k, c);
    }
  }
  proc.children.clear();
}

/** The zombie is gone for good: its pid is free, whoever watched it hears its status. */
function release_task(k: Kernel, proc: Process): void {
  proc.state = 'reaped';
  k.user.procs.remove(proc);
  proc.parent?.children.delete(proc);
  for (const f of proc.onRelease.splice(0)) f(proc.wstatus);
}

export const WNOHANG = 1;
export const WSTOPPED = 2; // WUNTRACED
export const WEXITED = 4;
export const WCONTINUED = 8;
export const WNOWAIT = 0x01000000;

/** si_code of a SIGCHLD siginfo and of waitid's report. */
export const CLD_EXITED = 1;
export const CLD_KILLED = 2;
export const CLD_DUMPED = 3;
export const CLD_STOPPED = 5;
export const CLD_CONTINUED = 6;

/** A child's change of state as wait4 (wstatus) and waitid (code, status) report it, with its CPU time (and its reaped children's). */
export interface WaitReport {
  pid: number;
  wstatus: number;
  code: number;
  status: number;
  utimeNs: number;
  stimeNs: number;
}

export type WaitResult = WaitReport | { none: true } | { block: true } | { nohang: true };

/** What `c` has to report under `options`, if anything (wait_task_zombie, wait_task_stopped, wait_task_continued). */
function report_of(c: Process, options: number): WaitReport | undefined {
  const { utime, stime } = thread_group_cputime(c);
  const times = { utimeNs: utime + c.cutimeNs, stimeNs: stime + c.cstimeNs };
  if (c.state === 'zombie' && options & WEXITED) {
    const w = c.wstatus;
    const sig = w & 0x7f;
    return sig ? { pid: c.pid, wstatus: w, code: w & 0x80 ? CLD_DUMPED : CLD_KILLED, status: sig, ...times } : { pid: c.pid, wstatus: w, code: CLD_EXITED, status: (w >> 8) & 0xff, ...times };
  }
  if (c.state !== 'alive') return undefined;
  if (c.waitReport === 'stopped' && c.stopped && options & WSTOPPED)
    return { pid: c.pid, wstatus: (c.stopSig << 8) | 0x7f, code: CLD_STOPPED, status: c.stopSig, ...times };
  if (c.waitReport === 'continued' && options & WCONTINUED) return { pid: c.pid, wstatus: 0xffff, code: CLD_CONTINUED, status: 18, ...times };
  return undefined;
}

/**
 * do_wait: the first child `select` accepts with something to report
 * under `options` (an exit with WEXITED, a stop with WSTOPPED, a continue
 * with WCONTINUED), in the order the children were made. The report is
 * consumed (an exited child released) unless WNOWAIT.
 */
export function do_wait(k: Kernel, t: UserTask, select: (c: Process) => boolean, options: number): WaitResult {
  const proc = t.proc!;
  const candidates = [...proc.children].filter(select);
  if (candidates.length === 0) return { none: true };
  for (const c of candidates) {
    const r = report_of(c, options);
    if (!r) continue;
    if (!(options & WNOWAIT)) {
      if (c.state === 'zombie') {
        // wait_task_zombie: the child's time, and its reaped children's, go to the parent's cutime and cstime.
        proc.cutimeNs += c.deadUtimeNs + c.cutimeNs;
        proc.cstimeNs += c.deadStimeNs + c.cstimeNs;
        release_task(k, c);
      } else c.waitReport = undefined;
    }
    return r;
  }
  if (options & WNOHANG) return { nohang: true };
  proc.waiters.add(t);
  t.cancelWait = () => proc.waiters.delete(t);
  return { block: true };
}
