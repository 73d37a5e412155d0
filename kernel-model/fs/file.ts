// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct file (include/linux/fs.h): an open file, shared by every
 * descriptor dup'ed from it and by fork, with its position (f_pos), its
 * open flags (f_flags) and its operations (f_op), chosen at open from the
 * inode's kind as Linux takes them from the inode's i_fop:
 *
 *   regular files   the bytes in memory (read-only rootfs);
 *   generated       /proc files: rendered once at open into the file's
 *                   own buffer, then read like a file (seq_file renders
 *                   at the first read; the difference shows only to a
 *                   reader that opens a file and waits before reading);
 *                   SEEK_END is refused as seq_lseek refuses it;
 *   directories     read gives EISDIR; getdents64 walks the entries
 *                   with f_pos as the index (fs/readdir.ts);
 *   char devices    the driver's operations (the console: console.ts).
 */

import { EBADF, EINVAL, EISDIR, ENOTTY, ESPIPE } from '../include/errno';
import { fail } from './errno';
import { type Inode, RegInode } from './inode';
import type { UserTask } from '../kernel/sched/task';

export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_ASYNC = 0o20000;
/* arm64's own values (arch/arm64/include/uapi/asm/fcntl.h), as 32-bit ARM has them. */
export const O_DIRECTORY = 0o40000;
export const O_NOFOLLOW = 0o100000;
export const O_DIRECT = 0o200000;
export const O_LARGEFILE = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;
export const O_TMPFILE = 0o20000000 | O_DIRECTORY;

export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;

/** What an ioctl may do with user memory (the system call's copy routines). */
export interface UserIo {
  copyFromUser(va: bigint, len: number): Uint8Array | undefined;
  copyToUser(va: bigint, data: Uint8Array): boolean;
}

export interface FileOperations {
  /** Bytes at `pos`, at most `count` of them; [] at end of file. */
  read(f: File, pos: number, count: number): Uint8Array;
  /** Writes `data` (a fresh copy of the user's bytes: the file may keep it); the number of bytes taken. */
  write(f: File, data: Uint8Array): number;
  /**
   * Throws what a write of `count` bytes would throw before any byte is
   * taken (a pipe's WouldBlock or BrokenPipe), so the bytes are not
   * copied out of user memory for nothing.
   */
  may_write?(f: File, count: number): void;
  /**
   * A buffer for a write of `count` bytes to be copied into (a pipe's
   * pooled one, which the file takes back once read): without it the
   * write copies into a new one.
   */
  write_buffer?(f: File, count: number): Uint8Array;
  /** Writes vanish without being read (write_null): the user's buffer is not even looked at. */
  readonly discards?: boolean;
  /** Has a position (lseek, pread): false for the console (no_llseek). */
  readonly seekable: boolean;
  /** The size SEEK_END counts from, or undefined where SEEK_END is refused. */
  endOf(f: File): number | undefined;
  ioctl(f: File, cmd: number, arg: bigint, io: UserIo): bigint;
  /** The last descriptor naming the file is gone (fput to zero): free what it holds. */
  release?(f: File): void;
  /**
   * poll: the events ready now (POLLIN, POLLOUT, POLLHUP...) and where a
   * poller sleeps until that may change. Without it a file is always
   * ready both ways, as regular files are.
   */
  poll?(f: File): { mask: number; waiters: Set<UserTask>[] };
}

export class File {
  f_pos = 0;
  /** Descriptors naming this file (f_count); at zero it is released. */
  f_count = 0;
  /** What the file's operations keep (a BPF map for a map's descriptor). */
  private_data?: unknown;
  /** A generated file's text, rendered at open. */
  content?: Uint8Array;

  constructor(
    readonly inode: Inode,
    public f_flags: number,
    readonly f_op: FileOperations,
  ) {}

  get readable(): boolean {
    const acc = this.f_flags & O_ACCMODE;
    return (this.f_flags & O_PATH) === 0 && (acc === O_RDONLY || acc === O_RDWR);
  }

  get_file(): this {
    this.f_count++;
    return this;
  }

  /** fput: one reference fewer; the last one releases the file. */
  fput(): void {
    if (--this.f_count === 0) this.f_op.release?.(this);
  }

  get writable(): boolean {
    const acc = this.f_flags & O_ACCMODE;
    return (this.f_flags & O_PATH) === 0 && (acc === O_WRONLY || acc === O_RDWR);
  }
}

const noIoctl = (): bigint => BigInt(-ENOTTY);

function bytesAt(data: Uint8Array, pos: number, count: number): Uint8Array {
  return pos >= data.length ? new Uint8Array(0) : data.subarray(pos, Math.min(data.length, pos + count));
}

export const reg_file_operations: FileOperations = {
  // A copy: a tmpfs file may change under a view before the caller is done with it.
  read: (f, pos, count) => bytesAt(f.inode instanceof RegInode ? f.inode.data : new Uint8Array(0), pos, count).slice(),
  write: () => fail(EBADF, 'read-only file'),
  seekable: true,
  endOf: (f) => f.inode.size,
  ioctl: noIoctl,
};

export const generated_file_operations: FileOperations = {
  read: (f, pos, count) => bytesAt(f.content ?? new Uint8Array(0), pos, count),
  write: () => fail(EBADF, 'read-only file'),
  seekable: true,
  endOf: () => undefined,
  ioctl: noIoctl,
};

export const dir_operations: FileOperations = {
  read: () => fail(EISDIR),
  write: () => fail(EISDIR),
  seekable: true,
  endOf: () => undefined,
  ioctl: noIoctl,
};

/** vfs_llseek's arithmetic (generic_file_llseek_size without SEEK_DATA/HOLE): the new position. */
export function vfs_llseek(f: File, offset: bigint, whence: number): number {
  if (!f.f_op.seekable) fail(ESPIPE);
  let base: number;
  if (whence === SEEK_SET) base = 0;
  else if (whence === SEEK_CUR) base = f.f_pos;
  else if (whence === SEEK_END) {
    const end = f.f_op.endOf(f);
    if (end === undefined) fail(EINVAL, 'SEEK_END');
    base = end;
  } else fail(EINVAL, `whence ${whence}`);
  const pos = BigInt(base) + offset;
  if (pos < 0n || pos > BigInt(Number.MAX_SAFE_INTEGER)) fail(EINVAL, 'offset');
  f.f_pos = Number(pos);
  return f.f_pos;
}
