// SPDX-License-Identifier: GPL-2.0-only
/*
 * Descriptor calls (fs/file.c, fs/fcntl.c, fs/ioctl.c): dup, dup3,
 * fcntl's F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL
 * (O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT, O_NOATIME may change), and
 * ioctl, which goes to the file's driver (the console's TCGETS and
 * TIOCGWINSZ) and is ENOTTY on everything else.
 */

import { EBADF, EINVAL } from '../include/errno';
import { NR } from '../include/unistd';
import type { SyscallDef, SyscallHandler } from '../kernel/sys';
import { fail } from './errno';
import { O_APPEND, O_ASYNC, O_CLOEXEC, O_DIRECT, O_NOATIME, O_NONBLOCK, O_PATH } from './file';
import { current_files, errnoResult, int, uint } from './sys_common';

export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_DUPFD_CLOEXEC = 1030;
export const FD_CLOEXEC = 1;

const SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

const sys_dup: SyscallHandler = (ctx, [fildes]) => errnoResult(() => {
  const files = current_files(ctx);
  return files.alloc_fd(files.fget(int(fildes)), false);
});

const sys_dup3: SyscallHandler = (ctx, [oldfd, newfd, flags]) => errnoResult(() => {
  const files = current_files(ctx);
  const fl = int(flags);
  if (fl & ~O_CLOEXEC) fail(EINVAL);
  const o = int(oldfd);
  const n = uint(newfd);
  if (o === n) fail(EINVAL);
  if (n >= files.nofile) fail(EBADF);
  files.replace_fd(n, files.fget(o), (fl & O_CLOEXEC) !== 0);
  return n;
});

const sys_fcntl: SyscallHandler = (ctx, [fd, cmd, arg]) => errnoResult(() => {
  const files = current_files(ctx);
  const n = int(fd);
  const f = files.fget(n);
  const a = arg ?? 0n;
  switch (uint(cmd)) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      if (a >= BigInt(files.nofile)) fail(EINVAL);
      return files.alloc_fd(f, uint(cmd) === F_DUPFD_CLOEXEC, Number(a));
    }
    case F_GETFD:
      return files.get_close_on_exec(n) ? FD_CLOEXEC : 0;
    case F_SETFD:
      files.set_close_on_exec(n, (a & BigInt(FD_CLOEXEC)) !== 0n);
      return 0;
    case F_GETFL:
      return f.f_flags;
    case F_SETFL:
      if (f.f_flags & O_PATH) fail(EBADF);
      f.f_flags = (f.f_flags & ~SETFL_MASK) | (uint(a) & SETFL_MASK);
      return 0;
    default:
      return fail(EINVAL);
  }
});

const sys_ioctl: SyscallHandler = (ctx, [fd, cmd, arg]) => errnoResult(() => {
  const f = current_files(ctx).fget(int(fd));
  if (f.f_flags & O_PATH) fail(EBADF);
  return f.f_op.ioctl(f, uint(cmd), arg ?? 0n, ctx);
});

export const FD_SYSCALLS: readonly SyscallDef[] = [
  [NR.dup, sys_dup, 1],
  [NR.dup3, sys_dup3, 3],
  [NR.fcntl, sys_fcntl, 3],
  [NR.ioctl, sys_ioctl, 3],
];
