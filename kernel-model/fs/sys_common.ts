// SPDX-License-Identifier: GPL-2.0-only
/*
 * What every file system call needs: the calling task's descriptor table
 * and fs_struct, user strings (strncpy_from_user), the directory a
 * *at() call starts from, and the conversion of ErrnoError into -errno.
 * Argument registers are 64-bit; an int argument is their low 32 bits,
 * sign-extended, as the C prototype takes it.
 */

import { EBADF, EFAULT, ENAMETOOLONG, ENOENT, ENOTDIR } from '../include/errno';
import type { SyscallContext } from '../kernel/sys';
import { UserTask } from '../kernel/sched/task';
import { ErrnoError, fail } from './errno';
import type { FilesStruct } from './fdtable';
import type { FsStruct } from './fs_struct';
import { DirInode } from './inode';
import { PATH_MAX } from './namei';

export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_NO_AUTOMOUNT = 0x800;
export const AT_EMPTY_PATH = 0x1000;

/** Run a call's body; an ErrnoError becomes -errno. */
export function errnoResult(body: () => bigint | number): bigint {
  try {
    return BigInt(body());
  } catch (e) {
    if (e instanceof ErrnoError) return BigInt(-e.errno);
    throw e;
  }
}

/** An int argument. */
export const int = (v: bigint | undefined): number => Number(BigInt.asIntN(32, v ?? 0n));
/** An unsigned int argument. */
export const uint = (v: bigint | undefined): number => Number(BigInt.asUintN(32, v ?? 0n));
/** A size_t argument, as a number (saturating: no buffer comes near 2^53). */
export const size = (v: bigint | undefined): number => Number(BigInt.asUintN(64, v ?? 0n) > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : BigInt.asUintN(64, v ?? 0n));

/**
 * A process's table and fs_struct when nobody gave its threads theirs
 * (exec and clone do not set them yet): made on first use, one per
 * process (so its threads share them), with fds 0..2 on the console, or
 * on the process's host stdio sink when it has one (`uconsole run`).
 */
const implicit = new WeakMap<object, { files: FilesStruct; fs: FsStruct }>();

function adopt(ctx: SyscallContext, t: UserTask): void {
  const vfs = ctx.kernel.rootfs;
  if (!vfs) return;
  const key = t.proc ?? t;
  let d = implicit.get(key);
  if (!d) {
    const sink = t.proc?.stdio;
    d = { files: sink ? vfs.stdio_files(sink, t.proc?.stdin) : vfs.initial_files(), fs: vfs.initial_fs() };
    implicit.set(key, d);
  }
  t.files ??= d.files;
  t.fs ??= d.fs;
}

export function current_files(ctx: SyscallContext): FilesStruct {
  const t = ctx.task;
  if (!(t instanceof UserTask)) fail(EBADF, 'not a user task');
  if (!t.files) adopt(ctx, t);
  return t.files ?? fail(EBADF, 'task has no files');
}

export function current_fs(ctx: SyscallContext): FsStruct {
  const t = ctx.task;
  if (!(t instanceof UserTask)) fail(ENOENT, 'not a user task');
  if (!t.fs) adopt(ctx, t);
  return t.fs ?? fail(ENOENT, 'task has no fs_struct');
}

/** strncpy_from_user + getname: the NUL-terminated string at `va`; EFAULT, or ENAMETOOLONG past PATH_MAX. */
export function getname(ctx: SyscallContext, va: bigint | undefined): string {
  const bytes: number[] = [];
  let at = va ?? 0n;
  while (bytes.length < PATH_MAX) {
    const chunk = Math.min(PATH_MAX - bytes.length, 4096 - Number(at % 4096n));
    const b = ctx.copyFromUser(at, chunk);
    if (!b) fail(EFAULT);
    const nul = b.indexOf(0);
    if (nul >= 0) {
      for (let i = 0; i < nul; i++) bytes.push(b[i]!);
      return new TextDecoder().decode(new Uint8Array(bytes));
    }
    for (const x of b) bytes.push(x);
    at += BigInt(chunk);
  }
  fail(ENAMETOOLONG);
}

/** Where a *at() lookup of `path` starts: the cwd for AT_FDCWD (or an absolute path), else the directory `dirfd` names. */
export function at_start(ctx: SyscallContext, dirfd: number, path: string): DirInode {
  const fs = current_fs(ctx);
  if (path.startsWith('/') || dirfd === AT_FDCWD) return fs.pwd;
  const f = current_files(ctx).fget(dirfd);
  if (!(f.inode instanceof DirInode)) {
    if (path === '') return fs.pwd; // the caller uses the file itself (AT_EMPTY_PATH)
    fail(ENOTDIR);
  }
  return f.inode;
}
