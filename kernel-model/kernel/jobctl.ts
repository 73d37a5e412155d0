// SPDX-License-Identifier: GPL-2.0-only
/*
 * Job control: stopping and continuing processes (kernel/signal.c's group
 * stop, prepare_signal's SIGCONT, do_notify_parent_cldstop, the orphaned
 * process group rules of kernel/exit.c), the model's version.
 *
 * A stop signal with its default action (SIGSTOP always; SIGTSTP, SIGTTIN
 * and SIGTTOU unless the process's group is orphaned, when Linux discards
 * them since nobody could continue it) stops every thread of the process:
 *
 *   on a run queue      it is taken off at once;
 *   asleep in a call    it stays asleep, and does not run when woken (the
 *                       scheduler parks it instead);
 *   at EL0 on a core    it is taken off at that core's next turn (Linux
 *                       kicks it with an IPI; the model's cores reach a
 *                       turn every round);
 *   the caller itself   (kill(0, SIGTSTP), a background read of the
 *                       console) stops on its way out of the call.
 *
 * Its parent hears of the stop at once: the parent's wait sleepers wake
 * (wait4 with WUNTRACED reports it once), and it gets SIGCHLD with
 * CLD_STOPPED unless its SIGCHLD action has SA_NOCLDSTOP. Linux reports
 * when the last thread has stopped; here the running threads stop within
 * a round of the report.
 *
 * SIGCONT (and SIGKILL) continue a stopped process: pending stop signals
 * are dropped, its threads run again from where they stopped, and the
 * parent hears CLD_CONTINUED (wait4 with WCONTINUED). A stop signal drops
 * a pending SIGCONT the same way.
 *
 * Invariants: a process is `stopped` exactly when each of its threads has
 * `jobStop` set; a thread blocked as STOPPED is on no wait queue and has
 * no timer; a stop or continue report is pending (`waitReport`) until the
 * parent's wait collects it or the next one replaces it.
 */

import type { Kernel } from '../kernel';
import { first_thread, type Process } from './process';
import type { UserTask } from './sched/task';
import { SIGCHLD, SIGCONT, SIGHUP, SIGKILL, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU } from '../include/signal';
import { send_signal, sig_ignored_or_blocked, sigaction_flags } from './signal';
import { CLD_CONTINUED, CLD_STOPPED, wake_parent_waiters } from './exit';

const SA_NOCLDSTOP = 1n;

const bit = (sig: number): bigint => 1n << BigInt(sig - 1);
const STOP_MASK = bit(SIGSTOP) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU);

/** sig_kernel_stop: a signal whose default action stops the process. */
export function sig_kernel_stop(sig: number): boolean {
  return (STOP_MASK & bit(sig)) !== 0n;
}

/**
 * will_become_orphaned_pgrp: no member of group `pgid` has a parent
 * other than init in another group of the same session (so no shell
 * could continue it). `ignoring` is left out (a process on its way out).
 */
export function is_orphaned_pgrp(k: Kernel, pgid: number, ignoring?: Process): boolean {
  for (const p of k.user.procs.all()) {
    if (p.pgid !== pgid || p === ignoring || p.state !== 'alive') continue;
    const parent = p.parent;
    if (!parent || parent === ignoring || parent === k.user.procs.init) continue; // init's children count as orphans, as in Linux
    if (parent.pgid !== pgid && parent.sid === p.sid) return false;
  }
  return true;
}

/** The members of process group `pgid` that can take a signal. */
export function pgrp_members(k: Kernel, pgid: number): Process[] {
  return k.user.procs.all().filter((p) => p.pgid === pgid && p.state === 'alive' && p.threads.size > 0);
}

/** kill_pgrp: `sig` to every member of group `pgid`; false if there was none. */
export function kill_pgrp(k: Kernel, pgid: number, sig: number): boolean {
  const members = pgrp_members(k, pgid);
  for (const p of members) {
    const t = first_thread(p);
    if (t) send_signal(k, t, sig, { code: 0x80 }); // SI_KERNEL
  }
  return members.length > 0;
}


/**
 * prepare_signal's job-control part, before `sig` is acted on: SIGCONT
 * and SIGKILL continue a stopped process and drop its pending stop
 * signals; a stop signal drops a pending SIGCONT.
 */
export function prepare_signal(k: Kernel, proc: Process, sig: number): void {
  if (sig === SIGCONT || sig === SIGKILL) {
    for (const t of proc.threads) t.pending &= ~STOP_MASK;
    if (proc.stopped) do_continue(k, proc);
  } else if (sig_kernel_stop(sig)) {
    for (const t of proc.threads) t.pending &= ~bit(SIGCONT);
  }
}

/** A stop signal's default action: the whole process stops, unless its group is orphaned (SIGSTOP stops it anyway). */
export function do_signal_stop(k: Kernel, proc: Process, sig: number): void {
  if (proc.stopped || proc.state !== 'alive') return;
  if (sig !== SIGSTOP && is_orphaned_pgrp(k, proc.pgid)) return;
  proc.stopped = true;
  proc.stopSig = sig;
  for (const t of proc.threads) {
    t.jobStop = true;
    k.sched.stopRunnable(t);
  }
  notify_parent_cldstop(k, proc, 'stopped');
}

function do_continue(k: Kernel, proc: Process): void {
  proc.stopped = false;
  for (const t of proc.threads) {
    t.jobStop = false;
    k.sched.continueTask(t);
  }
  notify_parent_cldstop(k, proc, 'continued');
}

/** do_notify_parent_cldstop: the report waits for the parent's wait, which is woken; SIGCHLD unless SA_NOCLDSTOP. */
function notify_parent_cldstop(k: Kernel, proc: Process, what: 'stopped' | 'continued'): void {
  proc.waitReport = what;
  const parent = proc.parent;
  if (!parent || parent.state !== 'alive') return;
  wake_parent_waiters(k, parent);
  const pt = first_thread(parent);
  if (pt && !(sigaction_flags(parent, SIGCHLD) & SA_NOCLDSTOP)) send_signal(k, pt, SIGCHLD, { code: what === 'stopped' ? CLD_STOPPED : CLD_CONTINUED });
}

/**
 * kill_orphaned_pgrp: if `tsk`'s group is left orphaned with a stopped
 * member, it gets SIGHUP then SIGCONT, as POSIX asks, so it does not stay
 * stopped forever. Called as `tsk` exits (`father` undefined: its parent
 * was its group's link outside) and for each of its children once they
 * are handed to init (`father` the exiting parent: the child's link).
 */
export function kill_orphaned_pgrp(k: Kernel, tsk: Process, father?: Process): void {
  const parent = father ?? tsk.parent;
  const ignoring = father ? undefined : tsk;
  if (!parent || parent.pgid === tsk.pgid || parent.sid !== tsk.sid) return;
  if (!is_orphaned_pgrp(k, tsk.pgid, ignoring) || !pgrp_members(k, tsk.pgid).some((p) => p.stopped)) return;
  kill_pgrp(k, tsk.pgid, SIGHUP);
  kill_pgrp(k, tsk.pgid, SIGCONT);
}

/** The task has been asked to stop and is still on its core (the system call path stops it on the way out). */
export function stopping(t: UserTask): boolean {
  return t.jobStop && t.state === 'running';
}

/**
 * Thrown by a terminal operation of a process outside the terminal's
 * foreground group: its group must get `sig` (SIGTTIN for a read, SIGTTOU
 * for a write with TOSTOP or a change of the terminal's settings), and the
 * call is made again once it is continued (-ERESTARTSYS). The system call
 * entry sends it (tty_job_stop), never the fast path.
 */
export class TtyJobSignal extends Error {
  override name = 'TtyJobSignal';
  constructor(readonly sig: number) {
    super(`tty job control: signal ${sig}`);
  }
}

/**
 * __tty_check_change: may `t` act on the terminal of session `sid` whose
 * foreground group is `fgPgrp`? 'ok' for a process of another session (it
 * is not its controlling terminal) or of the foreground group; for a
 * background one, 'ok' if it ignores or blocks `sig` (SIGTTOU; for
 * SIGTTIN that is EIO), 'eio' if its group is orphaned, and otherwise its
 * group is to be signalled (TtyJobSignal thrown).
 */
export function tty_check_change(k: Kernel, t: UserTask, sid: number, fgPgrp: number, sig: number): 'ok' | 'eio' {
  const p = t.proc;
  if (!p || p.sid !== sid || p.pgid === fgPgrp) return 'ok';
  if (sig_ignored_or_blocked(t, sig)) return sig === SIGTTIN ? 'eio' : 'ok';
  if (is_orphaned_pgrp(k, p.pgid)) return 'eio';
  throw new TtyJobSignal(sig);
}

/** The system call met TtyJobSignal: the caller's group gets the signal, and the call is made again when it may go on. */
export function tty_job_stop(k: Kernel, t: UserTask, sig: number, svcPc: bigint): { kind: 'sleep'; what: string } | { kind: 'jump'; pc: bigint } | bigint {
  kill_pgrp(k, t.proc!.pgid, sig);
  if (t.state === 'dead') return 0n;
  // Stopped: it stops on its way out and makes the call again on SIGCONT; caught: the handler runs first, then the call again.
  return t.jobStop ? { kind: 'sleep', what: 'tty job control' } : { kind: 'jump', pc: svcPc };
}
