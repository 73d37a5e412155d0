// SPDX-License-Identifier: GPL-2.0-only
/*
 * Inodes of the model's file systems (include/linux/fs.h, struct inode,
 * as far as the model needs it). The kinds:
 *
 *   RegInode        a regular file whose bytes are held in memory (the
 *                   initramfs's files, read-only);
 *   DirInode        a directory: lookup by name and an ordered listing.
 *                   RamDir keeps its children in a map (the rootfs);
 *                   procfs's directories compute theirs (proc_mount.ts);
 *   SymlinkInode    a symbolic link and its target;
 *   GeneratedInode  a file whose contents are rendered when it is opened,
 *                   as a seq_file's show() renders /proc files;
 *   CharDevInode    a character device node (major, minor); opening it
 *                   finds the driver registered for that number.
 *
 * Every directory knows its parent, so ".." and getcwd need no dentry
 * cache; a file system's root is its own parent until it is mounted,
 * when the mount point's parent becomes its parent (a simplification of
 * follow_dotdot crossing a mount). The superblock hands out inode
 * numbers and says whether the file system is mounted read-only.
 */

import type { FileOperations } from './file';
import { S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG } from '../../lib/cpio/newc';

export { S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG };

export class SuperBlock {
  private nextIno = 1;
  /**
   * @param dev the anonymous device number st_dev reports (major 0, minor `dev`)
   * @param readOnly MS_RDONLY: writes and creations fail with EROFS
   */
  constructor(
    readonly fstype: string,
    readonly dev: number,
    readonly readOnly: boolean,
    /** The time now, seconds since the epoch (new and written files' mtime on a writable file system). */
    readonly now: () => number = () => 0,
  ) {}

  get_next_ino(): number {
    return this.nextIno++;
  }
}

export interface InodeAttrs {
  /** Permission bits (the type bits come from the kind). */
  perm: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
}

const DEFAULT_ATTRS: InodeAttrs = { perm: 0o755, uid: 0, gid: 0, mtime: 0 };

export abstract class Inode {
  abstract readonly kind: 'reg' | 'dir' | 'symlink' | 'generated' | 'chrdev' | 'anon';
  readonly ino: number;
  /** Attributes chmod, chown and utimensat change (on a writable file system). */
  perm: number;
  uid: number;
  gid: number;
  mtime: number;

  constructor(readonly sb: SuperBlock, attrs: Partial<InodeAttrs>) {
    const a = { ...DEFAULT_ATTRS, ...attrs };
    this.ino = sb.get_next_ino();
    this.perm = a.perm & 0o7777;
    this.uid = a.uid;
    this.gid = a.gid;
    this.mtime = a.mtime;
  }

  /** The S_IFMT bits of i_mode. */
  abstract get type(): number;

  get mode(): number {
    return this.type | this.perm;
  }

  get nlink(): number {
    return 1;
  }

  /** i_size. */
  get size(): number {
    return 0;
  }

  /** i_rdev, for device nodes. */
  get rdev(): { major: number; minor: number } {
    return { major: 0, minor: 0 };
  }
}

/**
 * A regular file in memory. On a writable file system (tmpfs) its bytes
 * grow and shrink: they are kept in a buffer with room to spare, doubled
 * as a file grows, so appending is amortised O(1).
 */
/** The views of files whose bytes never change (see RegInode.data). */
const stable = new WeakSet<Uint8Array>();

/** Whether `data` is a read-only file's bytes, the same object for the file's life. */
export function is_stable_file_data(data: Uint8Array): boolean {
  return stable.has(data);
}

export class RegInode extends Inode {
  readonly kind = 'reg';
  private bytes: Uint8Array;
  private len: number;
  /** Names in directories (hard links); the file lives while one is left or it is open. */
  links = 1;

  constructor(sb: SuperBlock, attrs: Partial<InodeAttrs>, data: Uint8Array) {
    super(sb, attrs);
    this.bytes = data;
    this.len = data.length;
  }
  get type(): number {
    return S_IFREG;
  }
  /** The view `data` gives on a read-only file system, made once. */
  private frozen?: Uint8Array;

  /**
   * The file's bytes now (a view: a write or truncate after it may leave it
   * stale). On a read-only file system the bytes never change and the view
   * is always the same object: the page cache knows the file by it
   * (is_stable_file_data).
   */
  get data(): Uint8Array {
    if (!this.sb.readOnly) return this.bytes.subarray(0, this.len);
    if (!this.frozen) stable.add((this.frozen = this.bytes.subarray(0, this.len)));
    return this.frozen;
  }
  override get size(): number {
    return this.len;
  }
  override get nlink(): number {
    return this.links;
  }

  private reserve(n: number): void {
    if (n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(n, 2 * this.bytes.length, 64));
    grown.set(this.data);
    this.bytes = grown;
  }

  /** Write `src` at `pos`; a hole before it reads as zeroes. */
  write_at(pos: number, src: Uint8Array): void {
    const end = pos + src.length;
    this.reserve(end);
    if (pos > this.len) this.bytes.fill(0, this.len, pos);
    this.bytes.set(src, pos);
    this.len = Math.max(this.len, end);
  }

  /** The file is `n` bytes long: cut, or extended with zeroes. */
  truncate(n: number): void {
    this.reserve(n);
    if (n > this.len) this.bytes.fill(0, this.len, n);
    this.len = n;
  }
}

export class SymlinkInode extends Inode {
  readonly kind = 'symlink';
  constructor(sb: SuperBlock, attrs: Partial<InodeAttrs>, readonly target: string) {
    super(sb, { ...attrs, perm: 0o777 });
  }
  get type(): number {
    return S_IFLNK;
  }
  override get size(): number {
    return new TextEncoder().encode(this.target).length;
  }
}

export class GeneratedInode extends Inode {
  readonly kind = 'generated';
  constructor(sb: SuperBlock, attrs: Partial<InodeAttrs>, readonly render: () => string) {
    super(sb, { ...attrs, perm: attrs.perm ?? 0o444 });
  }
  get type(): number {
    return S_IFREG;
  }
}

/**
 * An inode of anon_inodefs (fs/anon_inodes.c): what a descriptor with no
 * file behind it names (a BPF map, later an eventfd): mode 0600 with no
 * type bits, as fstat shows Linux's.
 */
export class AnonInode extends Inode {
  readonly kind = 'anon';
  /** `fileType`: S_IFIFO for a pipe's inode (pipefs), none for anon_inodefs. */
  constructor(sb: SuperBlock, readonly name: string, private readonly fileType = 0) {
    super(sb, { perm: 0o600 });
  }
  get type(): number {
    return this.fileType;
  }
}

/** Where a device node finds its driver (the kernel's cdev_map). */
export type CdevMap = (major: number, minor: number) => FileOperations | undefined;

export class CharDevInode extends Inode {
  readonly kind = 'chrdev';
  constructor(sb: SuperBlock, attrs: Partial<InodeAttrs>, readonly major: number, readonly minor: number, readonly cdev_map: CdevMap) {
    super(sb, attrs);
  }
  get type(): number {
    return S_IFCHR;
  }
  override get rdev(): { major: number; minor: number } {
    return { major: this.major, minor: this.minor };
  }
}

export abstract class DirInode extends Inode {
  readonly kind = 'dir';
  /** "..": the directory this one is in (itself for a root that is not mounted anywhere). */
  parent: DirInode = this;

  get type(): number {
    return S_IFDIR;
  }

  /** The child called `name` (never "." or ".."), if any. */
  abstract lookup(name: string): Inode | undefined;

  /** Every child, in a stable order (readdir's). */
  abstract entries(): [string, Inode][];

  override get nlink(): number {
    return 2 + this.entries().filter(([, i]) => i.kind === 'dir').length;
  }
}

export class FsTreeError extends Error {
  override name = 'FsTreeError';
}

/** A directory whose children are kept in memory (ramfs's simple_dir_operations). */
export class RamDir extends DirInode {
  private readonly children = new Map<string, Inode>();

  lookup(name: string): Inode | undefined {
    return this.children.get(name);
  }

  entries(): [string, Inode][] {
    return [...this.children];
  }

  /** Add (or, for a mount or an archive that repeats a name, replace) a child. */
  link(name: string, inode: Inode): void {
    if (name === '' || name === '.' || name === '..' || name.includes('/')) throw new FsTreeError(`invalid file name ${JSON.stringify(name)}`);
    this.children.set(name, inode);
    if (inode instanceof DirInode) inode.parent = this;
  }

  /** Remove the name (the inode lives on while it is open or linked elsewhere). */
  unlink(name: string): void {
    this.children.delete(name);
  }
}

/** A name for the kind of `inode`, for messages. */
export function kindName(inode: Inode): string {
  return { reg: 'regular file', dir: 'directory', symlink: 'symbolic link', generated: 'regular file', chrdev: 'character device', anon: 'anonymous inode' }[inode.kind];
}

export function isDir(inode: Inode): inode is DirInode {
  return inode.kind === 'dir';
}

export const modeType = (mode: number): number => mode & S_IFMT;
