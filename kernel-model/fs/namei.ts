// SPDX-License-Identifier: GPL-2.0-only
/*
 * Path lookup (fs/namei.c, path_lookupat and link_path_walk, without the
 * RCU walk and the dentry cache). A path is walked one component at a
 * time from the process's root (absolute) or a starting directory (the
 * cwd, or the directory of a dirfd). "." stays, ".." goes to the parent
 * and never above the process's root. A symbolic link met in the middle
 * of a path is always followed; the last component's is followed unless
 * the caller asks not to (AT_SYMLINK_NOFOLLOW, O_NOFOLLOW, lstat). At
 * most MAXSYMLINKS (40) links are followed in one lookup, then ELOOP.
 *
 * Errors as Linux gives them: ENOENT for a missing component or an empty
 * path, ENOTDIR when a non-directory is used as one (also a trailing "/"
 * after a file), ENAMETOOLONG for a path of PATH_MAX bytes or more or a
 * component longer than NAME_MAX.
 */

import { ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR } from '../include/errno';
import { fail } from './errno';
import { type DirInode, type Inode, isDir, SymlinkInode } from './inode';

export const PATH_MAX = 4096;
export const NAME_MAX = 255;
export const MAXSYMLINKS = 40;

export interface LookupFlags {
  /** Follow a symlink in the last component (LOOKUP_FOLLOW). */
  follow: boolean;
  /** The result must be a directory (LOOKUP_DIRECTORY). */
  directory?: boolean;
}

/** The result of walking all but the last component: where the last one would be. */
export interface Parent {
  dir: DirInode;
  /** The last component ("" when the path ends in "/" or is "/"). */
  last: string;
  /** The path ended with "/" after its last component. */
  trailingSlash: boolean;
}

interface Walk {
  root: DirInode;
  /** Links followed so far in this lookup. */
  links: number;
}

function checkLength(path: string): void {
  if (new TextEncoder().encode(path).length >= PATH_MAX) fail(ENAMETOOLONG, 'path');
}

function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '');
}

function stepInto(w: Walk, dir: DirInode, name: string): Inode {
  if (new TextEncoder().encode(name).length > NAME_MAX) fail(ENAMETOOLONG, name);
  if (name === '.') return dir;
  if (name === '..') return dir === w.root ? dir : dir.parent;
  const child = dir.lookup(name);
  if (!child) fail(ENOENT, name);
  return child;
}

/** A symlink's target, resolved from the directory it sits in; follows links all the way. */
function followLink(w: Walk, dir: DirInode, link: SymlinkInode, follow: boolean): Inode {
  if (++w.links > MAXSYMLINKS) fail(ELOOP);
  return walk(w, link.target.startsWith('/') ? w.root : dir, link.target, { follow });
}

/** Walk `path` from `start`; the core of every lookup. */
function walk(w: Walk, start: DirInode, path: string, flags: LookupFlags): Inode {
  if (path === '') fail(ENOENT, 'empty path');
  let cur: Inode = path.startsWith('/') ? w.root : start;
  const parts = components(path);
  const trailingSlash = path.endsWith('/') && parts.length > 0;
  for (const [i, name] of parts.entries()) {
    if (!isDir(cur)) fail(ENOTDIR, name);
    const dir: DirInode = cur;
    let next = stepInto(w, dir, name);
    const last = i === parts.length - 1;
    if (next instanceof SymlinkInode && (!last || flags.follow || trailingSlash)) next = followLink(w, dir, next, true);
    cur = next;
  }
  if ((flags.directory || trailingSlash) && !isDir(cur)) fail(ENOTDIR);
  return cur;
}

/** filename_lookup: the inode `path` names, from `start` (the cwd or a dirfd's directory). */
export function path_lookupat(root: DirInode, start: DirInode, path: string, flags: LookupFlags): Inode {
  checkLength(path);
  return walk({ root, links: 0 }, start, path, flags);
}

/** "", "." and "..": last components nothing can be made as, removed or renamed. */
export const isDotName = (last: string): boolean => last === '' || last === '.' || last === '..';

/** filename_parentat: the directory the last component of `path` would be in, and that name. */
export function path_parentat(root: DirInode, start: DirInode, path: string): Parent {
  checkLength(path);
  if (path === '') fail(ENOENT, 'empty path');
  const parts = components(path);
  const trailingSlash = path.endsWith('/');
  const last = parts.pop() ?? '';
  const prefix = (path.startsWith('/') ? '/' : '') + parts.join('/');
  const dir = prefix === '' ? start : path_lookupat(root, start, prefix, { follow: true, directory: true });
  if (!isDir(dir)) fail(ENOTDIR);
  return { dir, last, trailingSlash };
}

/** d_path: the absolute path of directory `dir` as seen from `root`, or undefined when `dir` is not under it. */
export function d_path(root: DirInode, dir: DirInode): string | undefined {
  const names: string[] = [];
  let d = dir;
  while (d !== root) {
    const parent = d.parent;
    if (parent === d) return undefined;
    const entry = parent.entries().find(([, i]) => i === d);
    names.push(entry ? entry[0] : '?');
    d = parent;
  }
  return `/${names.reverse().join('/')}`;
}
