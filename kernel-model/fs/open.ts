// SPDX-License-Identifier: GPL-2.0-only
/*
 * Opening a file (fs/open.c do_sys_openat2, fs/namei.c path_openat and
 * may_open), in Linux's order of checks:
 *
 *   the flags: O_TMPFILE, and O_CREAT with O_DIRECTORY, give EINVAL
 *     (build_open_flags);
 *   O_CREAT: the parent is looked up; a missing name is created as an
 *     empty regular file on a writable mount (tmpfs), refused on the
 *     read-only rootfs (EROFS); an existing one with O_EXCL is EEXIST; a
 *     trailing "/" with O_CREAT is EISDIR;
 *   otherwise the path is looked up, following a final symlink unless
 *     O_NOFOLLOW (then ELOOP) or O_PATH;
 *   O_DIRECTORY on a non-directory: ENOTDIR; a directory opened for
 *     writing: EISDIR; a regular file on a read-only mount opened for
 *     writing or with O_TRUNC: EROFS; a /proc file opened for writing:
 *     EACCES (its mode is 0444 and nothing in it is writable);
 *   a device node: its driver (ENXIO when none is registered);
 *   O_TRUNC empties a regular file.
 *
 * Every open file gets O_LARGEFILE (force_o_largefile on 64-bit); the
 * creation flags and O_CLOEXEC are not kept in f_flags.
 */

import { EACCES, EEXIST, EINVAL, EISDIR, ELOOP, ENOENT, ENOTDIR, ENXIO, EROFS } from '../include/errno';
import { ErrnoError, fail } from './errno';
import {
  File, O_ACCMODE, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_LARGEFILE, O_NOCTTY, O_NOFOLLOW, O_PATH, O_RDONLY,
  O_TMPFILE, O_TRUNC, dir_operations, generated_file_operations, reg_file_operations, type FileOperations,
} from './file';
import { CharDevInode, DirInode, GeneratedInode, type Inode, RamDir, RegInode, SymlinkInode } from './inode';
import { shmem_file_operations } from './tmpfs';
import { isDotName, path_lookupat, path_parentat } from './namei';

/** Flags that only matter at open time. */
const OPEN_ONLY = O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC;

function wantsWrite(flags: number): boolean {
  return (flags & O_ACCMODE) !== O_RDONLY || (flags & O_TRUNC) !== 0;
}

/**
 * The last component, for O_CREAT: the existing inode, or a new empty
 * regular file with `mode` (the umask applied) where the directory is
 * writable (tmpfs); EROFS on a read-only mount, EACCES elsewhere (/proc).
 */
function lookupCreate(root: DirInode, start: DirInode, path: string, flags: number, mode: number): Inode {
  const p = path_parentat(root, start, path);
  if (p.trailingSlash) fail(EISDIR);
  let inode: Inode | undefined;
  try {
    inode = path_lookupat(root, start, path, { follow: (flags & O_NOFOLLOW) === 0 });
  } catch (e) {
    if (!(e instanceof ErrnoError) || e.errno !== ENOENT) throw e;
  }
  if (inode) {
    if (flags & O_EXCL) fail(EEXIST);
    return inode;
  }
  if (p.dir.sb.readOnly) fail(EROFS, 'create');
  if (!(p.dir instanceof RamDir) || isDotName(p.last)) fail(EACCES, 'create');
  if (p.dir.lookup(p.last)) fail(ENOENT); // a dangling symlink: Linux creates its target; the model does not
  const file = new RegInode(p.dir.sb, { perm: mode & 0o7777, mtime: p.dir.sb.now() }, new Uint8Array(0));
  p.dir.link(p.last, file);
  p.dir.mtime = file.mtime;
  return file;
}

function fopsFor(inode: Inode): FileOperations {
  if (inode instanceof DirInode) return dir_operations;
  if (inode instanceof GeneratedInode) return generated_file_operations;
  if (inode instanceof CharDevInode) return inode.cdev_map(inode.major, inode.minor) ?? fail(ENXIO);
  return inode.sb.readOnly ? reg_file_operations : shmem_file_operations;
}

/** may_open: may `inode` be opened with `flags`? */
function may_open(inode: Inode, flags: number): void {
  if (flags & O_PATH) return;
  if (inode instanceof SymlinkInode) fail(ELOOP);
  if ((flags & O_DIRECTORY) && !(inode instanceof DirInode)) fail(ENOTDIR);
  if (!wantsWrite(flags)) return;
  if (inode instanceof DirInode) fail(EISDIR);
  if (inode instanceof GeneratedInode) fail(EACCES);
  if (!(inode instanceof CharDevInode) && inode.sb.readOnly) fail(EROFS);
}

/** do_filp_open: the File for `path` (from `start` when relative); `mode` for a file O_CREAT makes (the umask applied). Throws ErrnoError. */
export function do_filp_open(root: DirInode, start: DirInode, path: string, flags: number, mode = 0o644): File {
  if ((flags & O_TMPFILE) === O_TMPFILE || ((flags & O_CREAT) && (flags & O_DIRECTORY))) fail(EINVAL);
  const follow = (flags & O_NOFOLLOW) === 0;
  const inode = flags & O_CREAT ? lookupCreate(root, start, path, flags, mode) : path_lookupat(root, start, path, { follow, directory: (flags & O_DIRECTORY) !== 0 });
  may_open(inode, flags);
  if (flags & O_TRUNC && !(flags & O_PATH) && inode instanceof RegInode && inode.size > 0) {
    inode.truncate(0); // handle_truncate
    inode.mtime = inode.sb.now();
  }
  const fops = flags & O_PATH ? dir_operations : fopsFor(inode);
  const f = new File(inode, (flags & ~OPEN_ONLY) | O_LARGEFILE, fops);
  if (inode instanceof GeneratedInode && !(flags & O_PATH)) f.content = new TextEncoder().encode(inode.render());
  return f;
}
