// SPDX-License-Identifier: GPL-2.0-only
/*
 * ppoll(2) and pselect6(2) (fs/select.c; arm64 has neither poll nor
 * select): for ppoll, struct pollfd { int fd;
 * short events; short revents; } for each descriptor. The ready events
 * come from each file's poll operation (files without one are always
 * readable and writable, as regular files are); POLLERR, POLLHUP and
 * POLLNVAL are reported whatever was asked. With nothing ready the caller
 * sleeps on every polled file's wait set, until one of them changes (the
 * call is then made again) or the timeout passes (0 returned). A negative
 * fd is skipped; a closed one is POLLNVAL.
 *
 * A signal mask argument is the caller's mask while the call sleeps, as
 * sigsuspend's: a handler ends the call with EINTR (never restarted) and
 * its frame carries the caller's own mask; any other return to EL0 puts
 * it back (TIF_RESTORE_SIGMASK).
 */

import { EBADF, EFAULT, EINTR, EINVAL } from '../include/errno';
import { set_temp_sigmask } from '../kernel/signal';
import { NR } from '../include/unistd';
import type { SyscallContext, SyscallDef, SyscallResult } from '../kernel/sys';
import type { UserTask } from '../kernel/sched/task';
import { current_files } from './sys_common';
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLRDNORM, POLLWRNORM } from './pipe';

const POLLPRI = 0x2;
const POLLRDBAND = 0x80;
const POLLWRBAND = 0x200;
import { ErrnoError } from './errno';
import { get_timespec } from '../kernel/time/timespec';

const err = (e: number): bigint => BigInt(-e);
const RLIMIT_NOFILE_MAX = 1024;
const ALWAYS = POLLERR | POLLHUP | POLLNVAL;

/** A file's ready events now and where a poller sleeps; undefined for a descriptor that is not open. */
function poll_fd(files: ReturnType<typeof current_files>, fd: number): { mask: number; waiters: Set<UserTask>[] } | undefined {
  let file;
  try {
    file = files.fget(fd);
  } catch (e) {
    if (!(e instanceof ErrnoError)) throw e;
    return undefined;
  }
  return file.f_op.poll?.(file) ?? { mask: POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM, waiters: [] };
}

/** An optional struct timespec timeout: the virtual time it ends at (undefined: none), or -errno. */
function deadline(ctx: SyscallContext, tmo: bigint): number | undefined | bigint {
  if (tmo === 0n) return undefined;
  const ns = get_timespec(ctx.copyFromUser, tmo);
  return typeof ns === 'bigint' ? ns : ctx.nowNs() + ns;
}

/**
 * The signal mask a ppoll or pselect6 sleeps with (`va`, 8 bytes; 0 for
 * none): true when a signal it lets through is pending already (the call
 * returns EINTR and the handler runs), an errno for a bad mask.
 */
function apply_sigmask(ctx: SyscallContext, va: bigint, size: bigint): boolean | bigint {
  if (va === 0n) return false;
  if (size !== 8n) return err(EINVAL);
  const b = ctx.copyFromUser(va, 8);
  if (!b) return err(EFAULT);
  return set_temp_sigmask(ctx.task as UserTask, new BigUint64Array(b.buffer, b.byteOffset, 1)[0]!);
}

/** Nothing is ready: sleep on every file's queue; a change there makes the call again, the timeout returns 0, a handler EINTR. */
function poll_sleep(ctx: SyscallContext, waits: Set<Set<UserTask>>, untilNs: number | undefined, what: string): SyscallResult {
  const t = ctx.task as UserTask;
  t.noRestart = true; // ERESTARTNOHAND
  for (const w of waits) w.add(t);
  t.cancelWait = () => {
    for (const w of waits) w.delete(t);
  };
  return { kind: 'sleep', untilNs, ret: untilNs === undefined ? undefined : 0n, what };
}

function sys_ppoll(ctx: SyscallContext, [fdsVa, nfds, tmo, sigmask, sigsetsize]: readonly bigint[]): SyscallResult {
  const n = Number(nfds!);
  if (n > RLIMIT_NOFILE_MAX) return err(EINVAL);
  const raw = ctx.copyFromUser(fdsVa!, 8 * n);
  if (!raw) return err(EFAULT);
  const untilNs = deadline(ctx, tmo!);
  if (typeof untilNs === 'bigint') return untilNs;
  const interrupted = apply_sigmask(ctx, sigmask!, sigsetsize!);
  if (typeof interrupted === 'bigint') return interrupted;
  if (interrupted) return err(EINTR);
  const v = new DataView(raw.buffer, raw.byteOffset);
  const files = current_files(ctx);
  const waits = new Set<Set<UserTask>>();
  let ready = 0;
  for (let i = 0; i < n; i++) {
    const fd = v.getInt32(8 * i, true);
    const events = v.getInt16(8 * i + 4, true);
    let revents = 0;
    if (fd >= 0) {
      const p = poll_fd(files, fd);
      if (!p) revents = POLLNVAL;
      else {
        revents = p.mask & (events | ALWAYS);
        for (const w of p.waiters) waits.add(w);
      }
    }
    v.setInt16(8 * i + 6, revents, true);
    if (revents) ready++;
  }
  if (ready > 0 || untilNs === ctx.nowNs()) return ctx.copyToUser(fdsVa!, raw) ? BigInt(ready) : err(EFAULT);
  return poll_sleep(ctx, waits, untilNs, 'ppoll');
}

/* What each fd_set of select asks for (fs/select.c's POLLIN_SET, POLLOUT_SET, POLLEX_SET). */
const POLLIN_SET = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
const POLLOUT_SET = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
const POLLEX_SET = POLLPRI;
const FD_SETSIZE_MAX = RLIMIT_NOFILE_MAX;

/**
 * pselect6(nfds, readfds, writefds, exceptfds, timeout, sigmask): the
 * fd_set bitmaps (64-bit words) of the first nfds descriptors, each
 * answered from the file's poll; the sets are rewritten to what is ready
 * and the count returned. A descriptor in a set that is not open is
 * EBADF. The timeout is not written back with what was left; the
 * signal mask is applied as ppoll's.
 */
function sys_pselect6(ctx: SyscallContext, [nfds, inp, outp, exp, tmo, sig]: readonly bigint[]): SyscallResult {
  const n = Number(BigInt.asIntN(32, nfds!));
  if (n < 0) return err(EINVAL);
  const bits = Math.min(n, FD_SETSIZE_MAX);
  const bytes = Math.ceil(bits / 64) * 8;
  const sets: [bigint, number, Uint8Array | undefined][] = [[inp!, POLLIN_SET, undefined], [outp!, POLLOUT_SET, undefined], [exp!, POLLEX_SET, undefined]];
  for (const s of sets) {
    if (s[0] === 0n || bytes === 0) continue;
    const b = ctx.copyFromUser(s[0], bytes);
    if (!b) return err(EFAULT);
    s[2] = b;
  }
  const untilNs = deadline(ctx, tmo!);
  if (typeof untilNs === 'bigint') return untilNs;
  let interrupted: boolean | bigint = false;
  if (sig !== 0n) {
    // struct { const sigset_t *ss; size_t ss_len; }
    const b = ctx.copyFromUser(sig!, 16);
    if (!b) return err(EFAULT);
    const v = new DataView(b.buffer, b.byteOffset, 16);
    interrupted = apply_sigmask(ctx, v.getBigUint64(0, true), v.getBigUint64(8, true));
  }
  if (typeof interrupted === 'bigint') return interrupted;
  if (interrupted) return err(EINTR);
  const files = current_files(ctx);
  const waits = new Set<Set<UserTask>>();
  const out = sets.map(([, , b]) => (b ? new Uint8Array(b.length) : undefined));
  let ready = 0;
  for (let fd = 0; fd < bits; fd++) {
    const byte = fd >> 3;
    const m = 1 << (fd & 7);
    if (!sets.some(([, , b]) => b && b[byte]! & m)) continue;
    const p = poll_fd(files, fd);
    if (!p) return err(EBADF);
    for (const w of p.waiters) waits.add(w);
    sets.forEach(([, want, b], i) => {
      if (b && b[byte]! & m && p.mask & want) {
        out[i]![byte]! |= m;
        ready++;
      }
    });
  }
  if (ready === 0 && untilNs !== ctx.nowNs()) return poll_sleep(ctx, waits, untilNs, 'pselect6');
  for (const [i, [va]] of sets.entries()) if (out[i] && !ctx.copyToUser(va, out[i]!)) return err(EFAULT);
  return BigInt(ready);
}

export const SELECT_SYSCALLS: readonly SyscallDef[] = [
  [NR.ppoll, sys_ppoll, 5],
  [NR.pselect6, sys_pselect6, 6],
];
