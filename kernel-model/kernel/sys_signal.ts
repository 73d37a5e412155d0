// SPDX-License-Identifier: GPL-2.0-only
/*
 * The signal system calls (kernel/signal.c, arch/arm64/kernel/signal.c):
 * actions and masks (rt_sigaction, rt_sigprocmask, rt_sigpending), the
 * senders (kill to a process, a group or everyone; tgkill and tkill to a
 * thread), the wait for one (rt_sigsuspend) and the way back from a
 * handler (rt_sigreturn). What a signal does is kernel/signal.ts's and,
 * for stop and continue, kernel/jobctl.ts's.
 */

import { EFAULT, EINTR, EINVAL, ESRCH } from '../include/errno';
import { NR } from '../include/unistd';
import type { SyscallContext, SyscallDef, SyscallResult } from './sys';
import type { UserTask } from './sched/task';
import { W_SIGNALED, first_thread, type Process } from './process';
import { exit_group } from './exit';
import { NSIG, SIGKILL, SIGSTOP, send_signal, set_temp_sigmask, sys_rt_sigreturn_frame } from './signal';
import { pgrp_members } from './jobctl';

const err = (e: number): bigint => BigInt(-e);
const task = (ctx: SyscallContext): UserTask => ctx.task as UserTask;
const proc = (ctx: SyscallContext): Process => task(ctx).proc!;
const u64s = (...v: bigint[]): Uint8Array => new Uint8Array(new BigUint64Array(v).buffer);
/** SIGKILL and SIGSTOP can be neither caught nor blocked. */
const UNBLOCKABLE = (1n << BigInt(SIGKILL - 1)) | (1n << BigInt(SIGSTOP - 1));

/** rt_sigaction(sig, act, oact, sigsetsize): struct sigaction is 32 bytes on arm64 (handler, flags, restorer, mask). */
function sys_rt_sigaction(ctx: SyscallContext, [sig, act, oact, size]: readonly bigint[]): bigint {
  const s = Number(sig!);
  if (size !== 8n || s < 1 || s > NSIG) return err(EINVAL);
  if (act !== 0n && (s === SIGKILL || s === SIGSTOP)) return err(EINVAL);
  const p = proc(ctx);
  const old = p.sigactions.get(s) ?? new Uint8Array(32);
  let next: Uint8Array | undefined;
  if (act !== 0n) {
    next = ctx.copyFromUser(act!, 32);
    if (!next) return err(EFAULT);
  }
  if (oact !== 0n && !ctx.copyToUser(oact!, old)) return err(EFAULT);
  if (next) p.sigactions.set(s, next);
  return 0n;
}

/** A sigset_t from user memory, less what cannot be blocked; undefined for a bad pointer. */
function get_sigset(ctx: SyscallContext, va: bigint): bigint | undefined {
  const b = ctx.copyFromUser(va, 8);
  return b ? new BigUint64Array(b.buffer, b.byteOffset, 1)[0]! & ~UNBLOCKABLE : undefined;
}

function sys_rt_sigprocmask(ctx: SyscallContext, [how, set, oset, size]: readonly bigint[]): bigint {
  if (size !== 8n) return err(EINVAL);
  const t = task(ctx);
  const old = t.sigmask;
  if (set !== 0n) {
    const m = get_sigset(ctx, set!);
    if (m === undefined) return err(EFAULT);
    const h = Number(how!);
    if (h === 0) t.sigmask |= m; // SIG_BLOCK
    else if (h === 1) t.sigmask &= ~m; // SIG_UNBLOCK
    else if (h === 2) t.sigmask = m; // SIG_SETMASK
    else return err(EINVAL);
  }
  if (oset !== 0n && !ctx.copyToUser(oset!, u64s(old))) return err(EFAULT);
  return 0n;
}

/** rt_sigpending(set, sigsetsize): the caller's pending signals that it blocks (the others are delivered already). */
function sys_rt_sigpending(ctx: SyscallContext, [set, size]: readonly bigint[]): bigint {
  if (size! > 8n) return err(EINVAL);
  const t = task(ctx);
  return ctx.copyToUser(set!, u64s(t.pending & t.sigmask)) ? 0n : err(EFAULT);
}

/**
 * rt_sigsuspend(mask, sigsetsize): wait with `mask` for a signal whose
 * handler runs; the call then returns EINTR (never restarted) and the
 * handler's frame carries the caller's own mask, which rt_sigreturn puts
 * back. A signal that ends the process ends the wait with it.
 */
function sys_rt_sigsuspend(ctx: SyscallContext, [set, size]: readonly bigint[]): SyscallResult {
  if (size !== 8n) return err(EINVAL);
  const mask = get_sigset(ctx, set!);
  if (mask === undefined) return err(EFAULT);
  const t = task(ctx);
  if (set_temp_sigmask(t, mask)) return err(EINTR); // one is deliverable now: it runs on the way out
  t.noRestart = true;
  return { kind: 'sleep', ret: err(EINTR), what: 'sigsuspend' };
}

/** Send `sig` to a thread: its action decides (kernel/signal.ts). Signal 0 only checks that the target exists. */
function send(ctx: SyscallContext, target: UserTask, sig: number): bigint {
  send_signal(ctx.kernel, target, sig, { code: target === ctx.task ? -6 : 0 }); // SI_TKILL to oneself, SI_USER otherwise
  return 0n;
}

const valid = (sig: bigint | undefined): boolean => sig! >= 0n && sig! <= BigInt(NSIG);


/**
 * kill(pid, sig): pid > 0 that process; 0 the caller's group; -1 every
 * process but init and the caller; < -1 group -pid. ESRCH when nothing
 * matched.
 */
function sys_kill(ctx: SyscallContext, [pid, sig]: readonly bigint[]): bigint {
  if (!valid(sig)) return err(EINVAL);
  const p = Number(BigInt.asIntN(32, pid!));
  const s = Number(sig!);
  const k = ctx.kernel;
  let targets: Process[];
  if (p > 0) {
    const one = k.user.procs.get(p);
    targets = one && one.state === 'alive' ? [one] : [];
  } else if (p === -1) targets = k.user.procs.all().filter((q) => q.state === 'alive' && q !== k.user.procs.init && q !== proc(ctx));
  else targets = pgrp_members(k, p === 0 ? proc(ctx).pgid : -p);
  // The caller last: a signal that ends it must not stop the others from getting theirs.
  targets.sort((a, b) => Number(a === proc(ctx)) - Number(b === proc(ctx)));
  let sent = 0;
  for (const q of targets) {
    const t = first_thread(q);
    if (!t) continue;
    send(ctx, t, s);
    sent++;
  }
  return sent > 0 ? 0n : err(ESRCH);
}

function sys_tgkill(ctx: SyscallContext, [tgid, tid, sig]: readonly bigint[]): bigint {
  if (BigInt.asIntN(32, tgid!) <= 0n || BigInt.asIntN(32, tid!) <= 0n || !valid(sig)) return err(EINVAL);
  const t = ctx.kernel.user.procs.thread(Number(tid!));
  if (!t || t.pid !== Number(tgid!)) return err(ESRCH);
  return send(ctx, t, Number(sig!));
}

function sys_tkill(ctx: SyscallContext, [tid, sig]: readonly bigint[]): bigint {
  if (BigInt.asIntN(32, tid!) <= 0n || !valid(sig)) return err(EINVAL);
  const t = ctx.kernel.user.procs.thread(Number(tid!));
  return t ? send(ctx, t, Number(sig!)) : err(ESRCH);
}

/** rt_sigreturn: back from a handler to what the signal interrupted (its frame at sp). */
function sys_rt_sigreturn(ctx: SyscallContext): SyscallResult {
  const t = task(ctx);
  const pc = sys_rt_sigreturn_frame(ctx.kernel, ctx.kernel.machine.core(ctx.cpu), t);
  if (pc === undefined) {
    exit_group(ctx.kernel, t, W_SIGNALED(11)); // a bad frame: SIGSEGV, as arm64's badframe path forces
    return 0n;
  }
  return { kind: 'jump', pc };
}

export const SIGNAL_SYSCALLS: readonly SyscallDef[] = [
  [NR.rt_sigaction, sys_rt_sigaction, 4],
  [NR.rt_sigprocmask, sys_rt_sigprocmask, 4],
  [NR.rt_sigpending, sys_rt_sigpending, 2],
  [NR.rt_sigsuspend, sys_rt_sigsuspend, 2],
  [NR.kill, sys_kill, 2],
  [NR.tgkill, sys_tgkill, 3],
  [NR.tkill, sys_tkill, 2],
  [NR.rt_sigreturn, sys_rt_sigreturn, 0],
];

/** Calls that may end, stop or wake tasks, or change where the caller resumes: the trap path only. */
export const SIGNAL_SLOW_CALLS: readonly number[] = [NR.rt_sigprocmask, NR.rt_sigsuspend, NR.kill, NR.tgkill, NR.tkill, NR.rt_sigreturn];
