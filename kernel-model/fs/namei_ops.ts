// SPDX-License-Identifier: GPL-2.0-only
/*
 * The calls that change directories (fs/namei.c): mkdirat, unlinkat
 * (AT_REMOVEDIR for rmdir), renameat and renameat2 (RENAME_NOREPLACE),
 * symlinkat and linkat, with Linux's checks in Linux's order:
 *
 *   the parent is looked up first (ENOENT, ENOTDIR), then the last
 *   component; "." and ".." cannot be made or removed (EEXIST, EINVAL,
 *   ENOTEMPTY, EBUSY as Linux has them); a read-only mount refuses
 *   (EROFS) and procfs has no directory operations (EPERM); a mount
 *   point is busy (EBUSY); only an empty directory is removed
 *   (ENOTEMPTY); rename and link stay within one file system (EXDEV), a
 *   directory never moves under itself (EINVAL), and a directory and a
 *   non-directory do not replace each other (EISDIR, ENOTDIR).
 *
 * New inodes take the mode asked for less the caller's umask, and the
 * time now as mtime, which their directory gets too.
 */

import { EBUSY, EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EPERM, EROFS, EXDEV } from '../include/errno';
import { NR } from '../include/unistd';
import type { SyscallContext, SyscallDef, SyscallHandler } from '../kernel/sys';
import { fail } from './errno';
import { DirInode, type Inode, RamDir, RegInode, SymlinkInode } from './inode';
import { type Parent, isDotName, path_lookupat, path_parentat } from './namei';
import { AT_EMPTY_PATH, AT_FDCWD, at_start, current_fs, errnoResult, getname, int, uint } from './sys_common';

const AT_REMOVEDIR = 0x200;
const AT_SYMLINK_FOLLOW = 0x400;
const RENAME_NOREPLACE = 1;
const RENAME_EXCHANGE = 2;
const RENAME_WHITEOUT = 4;

/** The directory a name is to be made in or removed from, writable. */
function parentFor(ctx: SyscallContext, dfd: number, path: string): Parent & { dir: RamDir } {
  const p = path_parentat(current_fs(ctx).root, at_start(ctx, dfd, path), path);
  if (p.dir.sb.readOnly) fail(EROFS);
  if (!(p.dir instanceof RamDir)) fail(EPERM); // procfs and sysfs: no such operations
  return p as Parent & { dir: RamDir };
}

/** The directory changed now (a name came or went). */
const touch = (dir: DirInode): void => void (dir.mtime = dir.sb.now());

/** Is `inode` the root of a file system mounted on a directory of another one? */
const isMountRoot = (inode: Inode, dir: DirInode): boolean => inode.sb !== dir.sb;

const sys_mkdirat: SyscallHandler = (ctx, [dfd, pathname, mode]) => errnoResult(() => {
  const path = getname(ctx, pathname);
  const p = path_parentat(current_fs(ctx).root, at_start(ctx, int(dfd), path), path);
  if (isDotName(p.last) || p.dir.lookup(p.last)) fail(EEXIST);
  if (p.dir.sb.readOnly) fail(EROFS);
  if (!(p.dir instanceof RamDir)) fail(EPERM);
  p.dir.link(p.last, new RamDir(p.dir.sb, { perm: uint(mode) & 0o7777 & ~current_fs(ctx).umask, mtime: p.dir.sb.now() }));
  touch(p.dir);
  return 0;
});

/** do_rmdir and do_unlinkat: the name goes; a regular file lives on while open or linked elsewhere. */
const sys_unlinkat: SyscallHandler = (ctx, [dfd, pathname, flag]) => errnoResult(() => {
  const flags = int(flag);
  if (flags & ~AT_REMOVEDIR) fail(EINVAL);
  const path = getname(ctx, pathname);
  const rmdir = (flags & AT_REMOVEDIR) !== 0;
  const p0 = path_parentat(current_fs(ctx).root, at_start(ctx, int(dfd), path), path);
  if (rmdir && p0.last === '.') fail(EINVAL);
  if (rmdir && p0.last === '..') fail(ENOTEMPTY);
  if (isDotName(p0.last)) fail(rmdir ? EBUSY : EISDIR);
  if (!p0.dir.lookup(p0.last)) fail(ENOENT);
  const p = parentFor(ctx, int(dfd), path);
  const victim = p.dir.lookup(p.last)!;
  if (rmdir) {
    if (!(victim instanceof DirInode)) fail(ENOTDIR);
    if (isMountRoot(victim, p.dir) || victim === current_fs(ctx).root) fail(EBUSY);
    if (victim.entries().length > 0) fail(ENOTEMPTY);
  } else {
    if (victim instanceof DirInode) fail(EISDIR);
    if (p.trailingSlash) fail(ENOTDIR);
  }
  p.dir.unlink(p.last);
  if (victim instanceof RegInode) victim.links--;
  touch(p.dir);
  return 0;
});

/** Is `dir` `ancestor` or inside it? */
function isUnder(dir: DirInode, ancestor: DirInode): boolean {
  for (let d = dir; ; d = d.parent) {
    if (d === ancestor) return true;
    if (d.parent === d) return false;
  }
}

/** do_renameat2 with flags 0 or RENAME_NOREPLACE (RENAME_EXCHANGE and RENAME_WHITEOUT: EINVAL, not modelled). */
function do_renameat2(ctx: SyscallContext, olddfd: number, oldname: string, newdfd: number, newname: string, flags: number): number {
  if (flags & ~RENAME_NOREPLACE) fail(EINVAL, flags & (RENAME_EXCHANGE | RENAME_WHITEOUT) ? 'RENAME_EXCHANGE/WHITEOUT' : 'flags');
  const from = path_parentat(current_fs(ctx).root, at_start(ctx, olddfd, oldname), oldname);
  const to = path_parentat(current_fs(ctx).root, at_start(ctx, newdfd, newname), newname);
  for (const p of [from, to]) if (isDotName(p.last)) fail(EBUSY);
  const source = from.dir.lookup(from.last);
  if (!source) fail(ENOENT);
  if (from.dir.sb !== to.dir.sb || isMountRoot(source, from.dir)) fail(EXDEV);
  if (from.dir.sb.readOnly) fail(EROFS);
  if (!(from.dir instanceof RamDir) || !(to.dir instanceof RamDir)) fail(EPERM);
  if (!(source instanceof DirInode) && (from.trailingSlash || to.trailingSlash)) fail(ENOTDIR);
  const target = to.dir.lookup(to.last);
  if (target && flags & RENAME_NOREPLACE) fail(EEXIST);
  if (target === source) return 0; // the same inode under both names: nothing to do (vfs_rename)
  if (source instanceof DirInode && isUnder(to.dir, source)) fail(EINVAL); // into itself
  if (target) {
    if (source instanceof DirInode && !(target instanceof DirInode)) fail(ENOTDIR);
    if (!(source instanceof DirInode) && target instanceof DirInode) fail(EISDIR);
    if (target instanceof DirInode && (target.entries().length > 0 || isMountRoot(target, to.dir))) fail(target.entries().length > 0 ? ENOTEMPTY : EBUSY);
    if (target instanceof RegInode) target.links--;
  }
  from.dir.unlink(from.last);
  to.dir.link(to.last, source);
  touch(from.dir);
  touch(to.dir);
  return 0;
}

const sys_renameat: SyscallHandler = (ctx, [olddfd, oldname, newdfd, newname]) =>
  errnoResult(() => do_renameat2(ctx, int(olddfd), getname(ctx, oldname), int(newdfd), getname(ctx, newname), 0));

const sys_renameat2: SyscallHandler = (ctx, [olddfd, oldname, newdfd, newname, flags]) =>
  errnoResult(() => do_renameat2(ctx, int(olddfd), getname(ctx, oldname), int(newdfd), getname(ctx, newname), uint(flags)));

const sys_symlinkat: SyscallHandler = (ctx, [oldname, newdfd, newname]) => errnoResult(() => {
  const target = getname(ctx, oldname);
  if (target === '') fail(ENOENT);
  const path = getname(ctx, newname);
  const p0 = path_parentat(current_fs(ctx).root, at_start(ctx, int(newdfd), path), path);
  if (isDotName(p0.last) || p0.dir.lookup(p0.last)) fail(EEXIST);
  const p = parentFor(ctx, int(newdfd), path);
  p.dir.link(p.last, new SymlinkInode(p.dir.sb, { mtime: p.dir.sb.now() }, target));
  touch(p.dir);
  return 0;
});

/** linkat: another name for a regular file (directories: EPERM), on the same file system. */
const sys_linkat: SyscallHandler = (ctx, [olddfd, oldname, newdfd, newname, flag]) => errnoResult(() => {
  const flags = int(flag);
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) fail(EINVAL);
  const oldpath = getname(ctx, oldname);
  const fs = current_fs(ctx);
  const source = oldpath === '' && flags & AT_EMPTY_PATH && int(olddfd) !== AT_FDCWD
    ? fail(ENOENT) // linking an open file by its descriptor is not modelled
    : path_lookupat(fs.root, at_start(ctx, int(olddfd), oldpath), oldpath, { follow: (flags & AT_SYMLINK_FOLLOW) !== 0 });
  const path = getname(ctx, newname);
  const p0 = path_parentat(fs.root, at_start(ctx, int(newdfd), path), path);
  if (isDotName(p0.last) || p0.dir.lookup(p0.last)) fail(EEXIST);
  if (source.sb !== p0.dir.sb) fail(EXDEV);
  const p = parentFor(ctx, int(newdfd), path);
  if (source instanceof DirInode) fail(EPERM);
  p.dir.link(p.last, source);
  if (source instanceof RegInode) source.links++;
  touch(p.dir);
  return 0;
});

export const NAMEI_SYSCALLS: readonly SyscallDef[] = [
  [NR.mkdirat, sys_mkdirat, 3],
  [NR.unlinkat, sys_unlinkat, 3],
  [NR.renameat, sys_renameat, 4],
  [NR.renameat2, sys_renameat2, 5],
  [NR.symlinkat, sys_symlinkat, 3],
  [NR.linkat, sys_linkat, 5],
];
