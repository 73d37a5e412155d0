// SPDX-License-Identifier: GPL-2.0-only
/*
 * The calls that change a file's attributes or ask about its file system
 * (fs/open.c, fs/attr.c, fs/utimes.c, fs/statfs.c, fs/sync.c): truncate
 * and ftruncate, fchmod and fchmodat, fchown and fchownat (as root, any
 * owner), utimensat (UTIME_NOW, UTIME_OMIT; the model keeps mtime only,
 * which stat reports for all three times), umask, fsync and fdatasync
 * (nothing is ever dirty), statfs and fstatfs.
 *
 * A read-only mount refuses every change (EROFS); procfs files take none
 * (EPERM). truncate needs a regular file (EISDIR for a directory,
 * EINVAL otherwise) and a non-negative length; ftruncate also a
 * descriptor open for writing (EINVAL).
 */

import { EBADF, EFAULT, EINVAL, EISDIR, EPERM, EROFS } from '../include/errno';
import { NR } from '../include/unistd';
import type { SyscallContext, SyscallDef, SyscallHandler } from '../kernel/sys';
import { fail } from './errno';
import { O_PATH } from './file';
import { CharDevInode, DirInode, GeneratedInode, type Inode, RegInode } from './inode';
import { path_lookupat } from './namei';
import { AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, at_start, current_files, current_fs, errnoResult, getname, int, uint } from './sys_common';
import { TMPFS_MAGIC } from './tmpfs';

/** May the attributes of `inode` change? */
function changeable(inode: Inode): void {
  if (inode.sb.readOnly && !(inode instanceof CharDevInode)) fail(EROFS);
  if (inode instanceof GeneratedInode) fail(EPERM);
}

function do_truncate(inode: Inode, length: bigint): number {
  if (length < 0n) fail(EINVAL);
  if (inode instanceof DirInode) fail(EISDIR);
  if (!(inode instanceof RegInode)) fail(EINVAL);
  changeable(inode);
  inode.truncate(Number(length));
  inode.mtime = inode.sb.now();
  return 0;
}

const lookup = (ctx: SyscallContext, dfd: number, path: string, follow: boolean): Inode =>
  path_lookupat(current_fs(ctx).root, at_start(ctx, dfd, path), path, { follow });

/** The inode of a *at() call's path, or of `dfd` itself for an empty path with AT_EMPTY_PATH (or a NULL path, utimensat's futimens form). */
function target(ctx: SyscallContext, dfd: number, pathname: bigint | undefined, flags: number): Inode {
  if (pathname === 0n) return dfd === AT_FDCWD ? fail(EFAULT) : current_files(ctx).fget(dfd).inode;
  const path = getname(ctx, pathname);
  if (path === '' && flags & AT_EMPTY_PATH) return dfd === AT_FDCWD ? current_fs(ctx).pwd : current_files(ctx).fget(dfd).inode;
  return lookup(ctx, dfd, path, (flags & AT_SYMLINK_NOFOLLOW) === 0);
}

const sys_truncate: SyscallHandler = (ctx, [pathname, length]) =>
  errnoResult(() => do_truncate(lookup(ctx, AT_FDCWD, getname(ctx, pathname), true), BigInt.asIntN(64, length!)));

const sys_ftruncate: SyscallHandler = (ctx, [fd, length]) => errnoResult(() => {
  const f = current_files(ctx).fget(int(fd));
  if (!f.writable || !(f.inode instanceof RegInode)) fail(EINVAL);
  return do_truncate(f.inode, BigInt.asIntN(64, length!));
});

function chmod(inode: Inode, mode: number): number {
  changeable(inode);
  inode.perm = mode & 0o7777;
  return 0;
}

const sys_fchmod: SyscallHandler = (ctx, [fd, mode]) => errnoResult(() => {
  const f = current_files(ctx).fget(int(fd));
  if (f.f_flags & O_PATH) fail(EBADF);
  return chmod(f.inode, uint(mode));
});

const sys_fchmodat: SyscallHandler = (ctx, [dfd, pathname, mode]) => errnoResult(() => chmod(lookup(ctx, int(dfd), getname(ctx, pathname), true), uint(mode)));

/** chown as root: any owner; -1 keeps one. */
function chown(inode: Inode, uid: number, gid: number): number {
  changeable(inode);
  if (uid !== -1) inode.uid = uid >>> 0;
  if (gid !== -1) inode.gid = gid >>> 0;
  return 0;
}

const sys_fchown: SyscallHandler = (ctx, [fd, uid, gid]) => errnoResult(() => chown(current_files(ctx).fget(int(fd)).inode, int(uid), int(gid)));

const sys_fchownat: SyscallHandler = (ctx, [dfd, pathname, uid, gid, flag]) => errnoResult(() => {
  const flags = int(flag);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) fail(EINVAL);
  return chown(target(ctx, int(dfd), pathname, flags), int(uid), int(gid));
});

const UTIME_NOW = (1n << 30n) - 1n;
const UTIME_OMIT = (1n << 30n) - 2n;

/** utimensat(dfd, path, times[2], flags): times NULL is now for both; the model keeps the modification time. */
const sys_utimensat: SyscallHandler = (ctx, [dfd, pathname, times, flag]) => errnoResult(() => {
  const flags = int(flag);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) fail(EINVAL);
  let mtime: bigint | undefined = UTIME_NOW;
  if (times !== 0n) {
    const b = ctx.copyFromUser(times!, 32);
    if (!b) fail(EFAULT);
    const v = new DataView(b.buffer, b.byteOffset, 32);
    for (const at of [8, 24]) {
      const nsec = v.getBigInt64(at, true);
      if (nsec !== UTIME_NOW && nsec !== UTIME_OMIT && (nsec < 0n || nsec >= 1_000_000_000n)) fail(EINVAL);
    }
    const nsec = v.getBigInt64(24, true);
    mtime = nsec === UTIME_OMIT ? undefined : nsec === UTIME_NOW ? UTIME_NOW : v.getBigInt64(16, true);
  }
  const inode = target(ctx, int(dfd), pathname, flags);
  changeable(inode);
  if (mtime !== undefined) inode.mtime = mtime === UTIME_NOW ? inode.sb.now() : Number(mtime);
  return 0;
});

const sys_umask: SyscallHandler = (ctx, [mask]) => {
  const fs = current_fs(ctx);
  const old = fs.umask;
  fs.umask = uint(mask) & 0o777;
  return BigInt(old);
};

const sys_fsync: SyscallHandler = (ctx, [fd]) => errnoResult(() => {
  current_files(ctx).fget(int(fd));
  return 0;
});

/** statfs's f_type of each file system (include/uapi/linux/magic.h). */
const MAGIC: Record<string, number> = { rootfs: 0x858458f6, tmpfs: TMPFS_MAGIC, proc: 0x9fa0, sysfs: 0x62656572, pipefs: 0x50495045, anon_inodefs: 0x09041934 };
const ST_VALID = 0x20;
const ST_NOSUID = 0x2;
const ST_NODEV = 0x4;
const ST_NOEXEC = 0x8;
const ST_RELATIME = 0x400;

/**
 * struct statfs (asm-generic, 64-bit words): f_type, f_bsize, f_blocks,
 * f_bfree, f_bavail, f_files, f_ffree, f_fsid[2], f_namelen, f_frsize,
 * f_flags, f_spare[4]; 120 bytes. In-memory file systems report no
 * blocks, as ramfs does (the model's tmpfs has no size limit).
 */
function encode_statfs(inode: Inode): Uint8Array {
  const b = new Uint8Array(120);
  const v = new DataView(b.buffer);
  const fstype = inode.sb.fstype;
  v.setBigInt64(0, BigInt(MAGIC[fstype] ?? 0), true);
  v.setBigInt64(8, 4096n, true);
  v.setBigInt64(64, 255n, true);
  v.setBigInt64(72, 4096n, true);
  const pseudo = fstype === 'proc' || fstype === 'sysfs';
  v.setBigInt64(80, BigInt(ST_VALID | (pseudo ? ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RELATIME : fstype === 'tmpfs' ? ST_RELATIME : 0)), true);
  return b;
}

function putStatfs(ctx: SyscallContext, buf: bigint | undefined, inode: Inode): number {
  if (!ctx.copyToUser(buf ?? 0n, encode_statfs(inode))) fail(EFAULT);
  return 0;
}

const sys_statfs: SyscallHandler = (ctx, [pathname, buf]) => errnoResult(() => putStatfs(ctx, buf, lookup(ctx, AT_FDCWD, getname(ctx, pathname), true)));
const sys_fstatfs: SyscallHandler = (ctx, [fd, buf]) => errnoResult(() => putStatfs(ctx, buf, current_files(ctx).fget(int(fd)).inode));

export const ATTR_SYSCALLS: readonly SyscallDef[] = [
  [NR.truncate, sys_truncate, 2],
  [NR.ftruncate, sys_ftruncate, 2],
  [NR.fchmod, sys_fchmod, 2],
  [NR.fchmodat, sys_fchmodat, 3],
  [NR.fchown, sys_fchown, 3],
  [NR.fchownat, sys_fchownat, 5],
  [NR.utimensat, sys_utimensat, 4],
  [NR.umask, sys_umask, 1],
  [NR.fsync, sys_fsync, 1],
  [NR.fdatasync, sys_fsync, 1],
  [NR.statfs, sys_statfs, 2],
  [NR.fstatfs, sys_fstatfs, 2],
];
