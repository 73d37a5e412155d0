// SPDX-License-Identifier: GPL-2.0-only
/*
 * The calls that name files by path or walk directories: openat, close,
 * newfstatat, fstat, getdents64, readlinkat, faccessat, getcwd, chdir
 * (fs/open.c, fs/stat.c, fs/readdir.c, fs/d_path.c), with Linux's
 * argument checks and errno values. Paths are read with getname (EFAULT,
 * ENAMETOOLONG); *at() calls start from the cwd (AT_FDCWD) or the
 * directory a descriptor names (ENOTDIR otherwise, EBADF for a bad one).
 */

import { EACCES, EBADF, EFAULT, EINVAL, ENOENT, ENOTDIR, ERANGE, EROFS } from '../include/errno';
import { NR } from '../include/unistd';
import type { SyscallContext, SyscallDef, SyscallHandler } from '../kernel/sys';
import { fail } from './errno';
import { O_CLOEXEC, O_PATH } from './file';
import { CharDevInode, DirInode, type Inode, SymlinkInode } from './inode';
import { d_path, path_lookupat } from './namei';
import { do_filp_open } from './open';
import { iterate_dir } from './readdir';
import { encode_stat } from './stat';
import {
  AT_EMPTY_PATH, AT_FDCWD, AT_NO_AUTOMOUNT, AT_SYMLINK_NOFOLLOW, at_start, current_files, current_fs, errnoResult, getname, int, size, uint,
} from './sys_common';

const R_OK = 4;
const W_OK = 2;
const X_OK = 1;

const sys_openat: SyscallHandler = (ctx, [dfd, filename, flags, mode]) => errnoResult(() => {
  const path = getname(ctx, filename);
  const fl = uint(flags);
  const fs = current_fs(ctx);
  const file = do_filp_open(fs.root, at_start(ctx, int(dfd), path), path, fl, uint(mode) & ~fs.umask);
  return current_files(ctx).alloc_fd(file, (fl & O_CLOEXEC) !== 0);
});

const sys_close: SyscallHandler = (ctx, [fd]) => errnoResult(() => {
  current_files(ctx).close_fd(int(fd));
  return 0;
});

/** The inode a *at() call names: `path` from `dfd`, or with AT_EMPTY_PATH and "" the descriptor's own file. */
function inodeAt(ctx: SyscallContext, dfd: number, path: string, flags: number): Inode {
  if (path === '' && flags & AT_EMPTY_PATH) return dfd === AT_FDCWD ? current_fs(ctx).pwd : current_files(ctx).fget(dfd).inode;
  return path_lookupat(current_fs(ctx).root, at_start(ctx, dfd, path), path, { follow: (flags & AT_SYMLINK_NOFOLLOW) === 0 });
}

function putStat(ctx: SyscallContext, va: bigint | undefined, inode: Inode): number {
  if (!ctx.copyToUser(va ?? 0n, encode_stat(inode))) fail(EFAULT);
  return 0;
}

const sys_newfstatat: SyscallHandler = (ctx, [dfd, filename, statbuf, flag]) => errnoResult(() => {
  const flags = int(flag);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) fail(EINVAL);
  return putStat(ctx, statbuf, inodeAt(ctx, int(dfd), getname(ctx, filename), flags));
});

const sys_fstat: SyscallHandler = (ctx, [fd, statbuf]) => errnoResult(() => putStat(ctx, statbuf, current_files(ctx).fget(int(fd)).inode));

const sys_getdents64: SyscallHandler = (ctx, [fd, dirent, count]) => errnoResult(() => {
  const f = current_files(ctx).fget(int(fd));
  if (f.f_flags & O_PATH) fail(EBADF); // an O_PATH descriptor reads nothing
  if (!(f.inode instanceof DirInode)) fail(ENOTDIR);
  const pos = f.f_pos;
  const records = iterate_dir(f, Math.min(uint(count), 1 << 20));
  if (records.length > 0 && !ctx.copyToUser(dirent ?? 0n, records)) {
    f.f_pos = pos;
    fail(EFAULT);
  }
  return records.length;
});

const sys_readlinkat: SyscallHandler = (ctx, [dfd, pathname, buf, bufsiz]) => errnoResult(() => {
  const len = int(bufsiz);
  if (len <= 0) fail(EINVAL);
  const path = getname(ctx, pathname);
  const inode = path === '' ? (int(dfd) === AT_FDCWD ? fail(ENOENT) : current_files(ctx).fget(int(dfd)).inode) : inodeAt(ctx, int(dfd), path, AT_SYMLINK_NOFOLLOW);
  if (!(inode instanceof SymlinkInode)) fail(path === '' ? ENOENT : EINVAL);
  const target = new TextEncoder().encode(inode.target).subarray(0, len);
  if (!ctx.copyToUser(buf ?? 0n, target)) fail(EFAULT);
  return target.length;
});

/** faccessat as root: existence, EROFS for writing the read-only rootfs, X_OK needs an execute bit on a non-directory. */
const sys_faccessat: SyscallHandler = (ctx, [dfd, filename, mode]) => errnoResult(() => {
  const m = int(mode);
  if (m & ~(R_OK | W_OK | X_OK)) fail(EINVAL);
  const inode = inodeAt(ctx, int(dfd), getname(ctx, filename), 0);
  if (m & W_OK && inode.sb.readOnly && !(inode instanceof CharDevInode)) fail(EROFS);
  if (m & X_OK && !(inode instanceof DirInode) && (inode.perm & 0o111) === 0) fail(EACCES);
  return 0;
});

const sys_getcwd: SyscallHandler = (ctx, [buf, sz]) => errnoResult(() => {
  const fs = current_fs(ctx);
  const path = d_path(fs.root, fs.pwd) ?? '(unreachable)/';
  const bytes = new TextEncoder().encode(`${path}\0`);
  if (bytes.length > size(sz)) fail(ERANGE);
  if (!ctx.copyToUser(buf ?? 0n, bytes)) fail(EFAULT);
  return bytes.length;
});

const sys_chdir: SyscallHandler = (ctx, [filename]) => errnoResult(() => {
  const fs = current_fs(ctx);
  const path = getname(ctx, filename);
  const dir = path_lookupat(fs.root, fs.pwd, path, { follow: true, directory: true });
  if (!(dir instanceof DirInode)) fail(ENOTDIR);
  fs.pwd = dir;
  return 0;
});

export const PATH_SYSCALLS: readonly SyscallDef[] = [
  [NR.openat, sys_openat, 4],
  [NR.close, sys_close, 1],
  [NR.newfstatat, sys_newfstatat, 4],
  [NR.fstat, sys_fstat, 2],
  [NR.getdents64, sys_getdents64, 3],
  [NR.readlinkat, sys_readlinkat, 4],
  [NR.faccessat, sys_faccessat, 3],
  [NR.getcwd, sys_getcwd, 2],
  [NR.chdir, sys_chdir, 1],
];
