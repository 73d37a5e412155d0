// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signals (kernel/signal.c, arch/arm64/kernel/signal.c, the model's
 * version).
 *
 * Sending: a signal whose action is the default takes it at once: end the
 * process (with the signal in its wait status), stop it (the stop
 * signals: kernel/jobctl.ts, which also makes SIGCONT continue it), or
 * nothing for the signals ignored by default (SIGCHLD, SIGURG, SIGWINCH,
 * SIGCONT). SIG_IGN drops it. init (pid 1) takes only the signals it
 * catches (SIGNAL_UNKILLABLE); faults still end it. A caught signal is made pending on the
 * thread; a thread asleep in a system call is woken, and the call returns
 * -EINTR, or is made again with SA_RESTART (not sigsuspend: a handler
 * always ends it).
 *
 * Delivery, when the thread is about to return to EL0 (the end of a
 * system call, the end of a fault, being switched back in): the
 * lowest-numbered pending signal not blocked gets an rt_sigframe on the
 * user stack as arm64's setup_rt_frame builds it:
 *
 *   struct rt_sigframe { siginfo_t info (128); struct ucontext uc; }
 *   ucontext: uc_flags, uc_link, uc_stack (24), uc_sigmask, 120 unused,
 *             then (16-aligned) sigcontext: fault_address, regs[31], sp,
 *             pc, pstate, __reserved[4096] holding an fpsimd_context
 *             (magic 0x46508001, size 528) and the terminator
 *   then a frame record (x29, x30) for unwinders
 *
 * and the thread continues in the handler with x0 = signal, x1 =
 * &info, x2 = &uc, sp = the frame, x30 = the sa_restorer or the
 * "[vdso]" page's __kernel_rt_sigreturn. rt_sigreturn takes the saved
 * state back from the frame (what the handler changed in it counts).
 *
 * The model keeps the full CPU state of the interrupted code on the
 * kernel side as well, so that rt_sigreturn restores the SIMD registers
 * exactly; the frame's fpsimd_context holds zeroes, which the handler
 * sees (a deviation).
 */

import type { Kernel } from '../kernel';
import type { Core } from '../../emulator/core';
import { STOPPED, type UserTask } from './sched/task';
import { W_SIGNALED, type Process } from './process';
import { exit_group, wake_user } from './exit';
import { copyFromUser, copyToUser } from './uaccess';
import { VDSO_VA } from '../fs/binfmt_elf';
import { do_signal_stop, prepare_signal, sig_kernel_stop } from './jobctl';

export { NSIG, SIGCHLD, SIGCONT, SIGHUP, SIGINT, SIGKILL, SIGPIPE, SIGSEGV, SIGSTOP } from '../include/signal';
import { SIGCHLD, SIGCONT, SIGKILL, SIGSEGV, SIGSTOP, NSIG } from '../include/signal';

const SA_SIGINFO = 0x4n;
const SA_RESTORER = 0x04000000n;
const SA_RESTART = 0x10000000n;
const SA_NODEFER = 0x40000000n;
const SA_RESETHAND = 0x80000000n;
const SIG_IGN = 1n;
const EINTR = 4;

/** Ignored by default (SIG_KERNEL_IGNORE_MASK): SIGCHLD, SIGCONT, SIGURG, SIGWINCH. */
const DEFAULT_IGNORE = new Set([SIGCHLD, SIGCONT, 23, 28]);

const bit = (sig: number): bigint => 1n << BigInt(sig - 1);

interface KSigaction {
  handler: bigint;
  flags: bigint;
  restorer: bigint;
  mask: bigint;
}

function action(t: UserTask, sig: number): KSigaction {
  const raw = t.proc!.sigactions.get(sig);
  if (!raw) return { handler: 0n, flags: 0n, restorer: 0n, mask: 0n };
  const v = new DataView(raw.buffer, raw.byteOffset, 32);
  return { handler: v.getBigUint64(0, true), flags: v.getBigUint64(8, true), restorer: v.getBigUint64(16, true), mask: v.getBigUint64(24, true) };
}

/** sa_flags of a process's action for `sig` (SA_NOCLDSTOP for SIGCHLD...). */
export function sigaction_flags(p: Process, sig: number): bigint {
  const raw = p.sigactions.get(sig);
  return raw ? new DataView(raw.buffer, raw.byteOffset, 32).getBigUint64(8, true) : 0n;
}

/** Would `sig` do nothing to `t` now: SIG_IGN, or blocked (is_ignored of drivers/tty/tty_jobctrl.c)? */
export function sig_ignored_or_blocked(t: UserTask, sig: number): boolean {
  return action(t, sig).handler === SIG_IGN || (t.sigmask & bit(sig)) !== 0n;
}

/** Does `t` have a handler for `sig` that it does not block (a fault's signal then goes to it)? */
export function catches(t: UserTask, sig: number): boolean {
  return action(t, sig).handler > SIG_IGN && !(t.sigmask & bit(sig));
}

/** send_signal to thread `t` (`info`: si_code and si_addr for faults). True when the thread was ended by it. */
export function send_signal(k: Kernel, t: UserTask, sig: number, info: { code?: number; addr?: bigint } = {}): boolean {
  if (sig === 0 || t.state === 'dead') return false;
  prepare_signal(k, t.proc!, sig);
  const act = action(t, sig);
  // init takes only the signals it has handlers for (SIGNAL_UNKILLABLE), SIGKILL included.
  if (act.handler === 0n && t.proc === k.user.procs.init) return false;
  if (act.handler === 0n && sig_kernel_stop(sig)) {
    do_signal_stop(k, t.proc!, sig);
    return false;
  }
  if (sig === SIGKILL || (act.handler === 0n && !DEFAULT_IGNORE.has(sig))) {
    exit_group(k, t, W_SIGNALED(sig));
    return true;
  }
  if (act.handler === 0n || act.handler === SIG_IGN) return false;
  t.pending |= bit(sig);
  t.siginfo.set(sig, info);
  if (t.state === 'blocked' && t.waitingFor !== STOPPED && !(t.sigmask & bit(sig))) {
    // signal_wake_up: the sleeping call ends with -EINTR, or is made again (SA_RESTART).
    const restart = (act.flags & SA_RESTART) !== 0n && !t.noRestart;
    t.cancelWait?.();
    t.cancelWait = undefined;
    wake_user(k, t, restart ? undefined : BigInt(-EINTR));
  }
  return false;
}

/** The signal to deliver now, if any: the lowest pending one not blocked. */
function next_signal(t: UserTask): number | undefined {
  const ready = t.pending & ~t.sigmask;
  if (!ready) return undefined;
  for (let s = 1; s <= NSIG; s++) if (ready & bit(s)) return s;
  return undefined;
}

const SIGINFO_SIZE = 128;
const UC_MCONTEXT = 176; // offsetof(struct ucontext, uc_mcontext)
const SC_RESERVED = 288; // offsetof(struct sigcontext, __reserved)
const SIGFRAME_SIZE = SIGINFO_SIZE + UC_MCONTEXT + SC_RESERVED + 4096;
const FPSIMD_MAGIC = 0x46508001;
const FPSIMD_SIZE = 528;

/**
 * do_signal at a return to EL0: `pc` is where the thread would resume;
 * returns where it resumes now (a handler, or `pc`). The core holds the
 * thread's EL0 state.
 */
export function do_signal(k: Kernel, core: Core, t: UserTask, pc: bigint): bigint {
  const sig = next_signal(t);
  if (sig === undefined || !t.proc) {
    restore_temp_sigmask(t);
    return pc;
  }
  t.pending &= ~bit(sig);
  const info = t.siginfo.get(sig) ?? {};
  t.siginfo.delete(sig);
  const act = action(t, sig);
  if (act.handler === 0n || act.handler === SIG_IGN) {
    restore_temp_sigmask(t);
    return pc; // the action changed while it was pending
  }
  const mm = t.proc.mm;
  const sp = core.sp;
  const frame = (sp - BigInt(SIGFRAME_SIZE + 16)) & ~15n;
  const record = frame + BigInt(SIGFRAME_SIZE);
  const b = new Uint8Array(SIGFRAME_SIZE + 16);
  const v = new DataView(b.buffer);
  // siginfo: si_signo, si_errno, si_code, then si_pid/si_uid or si_addr.
  v.setInt32(0, sig, true);
  v.setInt32(8, info.code ?? 0, true);
  if (info.addr !== undefined) v.setBigUint64(16, info.addr, true);
  else v.setInt32(16, t.pid, true);
  const uc = SIGINFO_SIZE;
  v.setInt32(uc + 16 + 8, 2, true); // uc_stack.ss_flags = SS_DISABLE
  v.setBigUint64(uc + 40, t.savedSigmask ?? t.sigmask, true); // uc_sigmask: restored by rt_sigreturn (sigsuspend's caller's own)
  const sc = uc + UC_MCONTEXT;
  v.setBigUint64(sc, info.addr ?? 0n, true);
  for (let i = 0; i < 31; i++) v.setBigUint64(sc + 8 + 8 * i, core.x(i), true);
  v.setBigUint64(sc + 256, sp, true);
  v.setBigUint64(sc + 264, pc, true);
  v.setBigUint64(sc + 272, core.pstate, true);
  v.setUint32(sc + SC_RESERVED, FPSIMD_MAGIC, true);
  v.setUint32(sc + SC_RESERVED + 4, FPSIMD_SIZE, true);
  v.setBigUint64(SIGFRAME_SIZE, core.x(29), true); // the frame record: fp, lr
  v.setBigUint64(SIGFRAME_SIZE + 8, core.x(30), true);
  if (!copyToUser(mm, k.machine.ram, frame, b)) {
    // force_sigsegv: no room for the frame
    exit_group(k, t, W_SIGNALED(SIGSEGV));
    return pc;
  }
  // The whole interrupted state, kept kernel-side for rt_sigreturn (a context slot of this core, reused).
  const at = t.sigctxPool.findIndex((c) => c.core === core.index);
  const saved = at >= 0 ? t.sigctxPool.splice(at, 1)[0]! : core.newContext();
  core.saveContext(saved);
  t.sigframes.push({ frame, saved });
  core.setX(0, sig);
  core.setX(1, frame);
  core.setX(2, frame + BigInt(uc));
  core.setX(29, record);
  core.setX(30, act.flags & SA_RESTORER ? act.restorer : VDSO_VA);
  core.sp = frame;
  t.sigmask |= act.mask | (act.flags & SA_NODEFER ? 0n : bit(sig));
  t.savedSigmask = undefined;
  if (act.flags & SA_RESETHAND) t.proc.sigactions.delete(sig);
  void SA_SIGINFO; // the handler gets the three arguments either way, as on arm64
  return act.handler;
}

/**
 * sigsuspend, ppoll and pselect6 wait with a mask of their own: it
 * replaces the caller's, which is kept (once: a call made again keeps the
 * first) for the handler's frame, or put back on the way to EL0 when no
 * handler runs (do_signal). True when a
 * signal the new mask lets through is pending already.
 */
export function set_temp_sigmask(t: UserTask, mask: bigint): boolean {
  t.savedSigmask ??= t.sigmask;
  t.sigmask = mask & ~(bit(SIGKILL) | bit(SIGSTOP));
  return (t.pending & ~t.sigmask) !== 0n;
}

/** The return to EL0 runs no handler: the caller's own mask is back. */
function restore_temp_sigmask(t: UserTask): void {
  if (t.savedSigmask === undefined) return;
  t.sigmask = t.savedSigmask;
  t.savedSigmask = undefined;
}

/** rt_sigreturn: the state the frame at sp holds comes back; returns where the thread resumes. Undefined: a bad frame (SIGSEGV). */
export function sys_rt_sigreturn_frame(k: Kernel, core: Core, t: UserTask): bigint | undefined {
  const frame = core.sp;
  const b = copyFromUser(t.proc!.mm, k.machine.ram, frame, SIGINFO_SIZE + UC_MCONTEXT + SC_RESERVED);
  if (!b || frame & 15n) return undefined;
  const v = new DataView(b.buffer);
  const sc = SIGINFO_SIZE + UC_MCONTEXT;
  const i = t.sigframes.findIndex((f) => f.frame === frame);
  if (i >= 0) {
    const { saved } = t.sigframes[i]!;
    for (const f of t.sigframes.splice(i)) t.sigctxPool.push(f.saved);
    // The SIMD registers and everything else the frame does not carry (if the thread has not moved to another CPU since).
    if (saved.core === core.index) core.restoreContext(saved);
  }
  for (let r = 0; r < 31; r++) core.setX(r, v.getBigUint64(sc + 8 + 8 * r, true));
  core.sp = v.getBigUint64(sc + 256, true);
  core.nzcv = v.getBigUint64(sc + 272, true);
  t.sigmask = v.getBigUint64(SIGINFO_SIZE + 40, true) & ~(bit(SIGKILL) | bit(SIGSTOP));
  return v.getBigUint64(sc + 264, true);
}
