// SPDX-License-Identifier: GPL-2.0-only
/*
 * ppoll(2) (fs/select.c; arm64 has no poll(2)): struct pollfd { int fd;
 * short events; short revents; } for each descriptor. The ready events
 * come from each file's poll operation (files without one are always
 * readable and writable, as regular files are); POLLERR, POLLHUP and
 * POLLNVAL are reported whatever was asked. With nothing ready the caller
 * sleeps on every polled file's wait set, until one of them changes (the
 * call is then made again) or the timeout passes (0 returned). A negative
 * fd is skipped; a closed one is POLLNVAL. The signal mask argument is
 * accepted and not applied (no signal delivery yet).
 */

import { EFAULT, EINVAL } from '../include/errno';
import { NR } from '../include/unistd';
import type { SyscallContext, SyscallDef, SyscallResult } from '../kernel/sys';
import type { UserTask } from '../kernel/sched/task';
import { current_files } from './sys_common';
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLRDNORM, POLLWRNORM } from './pipe';
import { ErrnoError } from './errno';
import { get_timespec } from '../kernel/time/timespec';

const err = (e: number): bigint => BigInt(-e);
const RLIMIT_NOFILE_MAX = 1024;
const ALWAYS = POLLERR | POLLHUP | POLLNVAL;

function sys_ppoll(ctx: SyscallContext, [fdsVa, nfds, tmo]: readonly bigint[]): SyscallResult {
  const n = Number(nfds!);
  if (n > RLIMIT_NOFILE_MAX) return err(EINVAL);
  const raw = ctx.copyFromUser(fdsVa!, 8 * n);
  if (!raw) return err(EFAULT);
  let untilNs: number | undefined;
  if (tmo !== 0n) {
    const ns = get_timespec(ctx.copyFromUser, tmo!);
    if (typeof ns === 'bigint') return ns;
    untilNs = ctx.nowNs() + ns;
  }
  const v = new DataView(raw.buffer, raw.byteOffset);
  const files = current_files(ctx);
  const waits = new Set<Set<UserTask>>();
  let ready = 0;
  for (let i = 0; i < n; i++) {
    const fd = v.getInt32(8 * i, true);
    const events = v.getInt16(8 * i + 4, true);
    let revents = 0;
    if (fd >= 0) {
      let file;
      try {
        file = files.fget(fd);
      } catch (e) {
        if (!(e instanceof ErrnoError)) throw e;
      }
      if (!file) revents = POLLNVAL;
      else {
        const p = file.f_op.poll?.(file) ?? { mask: POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM, waiters: [] };
        revents = p.mask & (events | ALWAYS);
        for (const w of p.waiters) waits.add(w);
      }
    }
    v.setInt16(8 * i + 6, revents, true);
    if (revents) ready++;
  }
  if (ready > 0 || untilNs === ctx.nowNs()) return ctx.copyToUser(fdsVa!, raw) ? BigInt(ready) : err(EFAULT);
  // Nothing ready: sleep on every file's queue; a change there makes the call again, the timeout returns 0.
  const t = ctx.task as UserTask;
  for (const w of waits) w.add(t);
  t.cancelWait = () => {
    for (const w of waits) w.delete(t);
  };
  return { kind: 'sleep', untilNs, ret: untilNs === undefined ? undefined : 0n, what: 'ppoll' };
}

export const SELECT_SYSCALLS: readonly SyscallDef[] = [[NR.ppoll, sys_ppoll, 5]];
