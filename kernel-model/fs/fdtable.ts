// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct files_struct (include/linux/fdtable.h, fs/file.c): a process's
 * descriptor table. A descriptor names an open File (shared with every
 * descriptor dup'ed from it) and carries its own close-on-exec flag.
 * New descriptors take the lowest free number at or above a minimum
 * (__alloc_fd), below RLIMIT_NOFILE (1024 by default) or EMFILE.
 *
 * Invariants (check_files): every slot is empty or holds a File;
 * `next_fd` is at most the lowest free slot (find_next_fd's hint);
 * the table never grows past `nofile`.
 */

import { EBADF, EINVAL, EMFILE } from '../include/errno';
import { fail } from './errno';
import type { File } from './file';

/** RLIMIT_NOFILE's default soft limit (INR_OPEN_CUR). */
export const INR_OPEN_CUR = 1024;

interface FdEntry {
  file: File;
  cloexec: boolean;
}

export class FilesStruct {
  private readonly fd: (FdEntry | undefined)[] = [];
  /** No descriptor below this one is free. */
  private next_fd = 0;

  constructor(readonly nofile = INR_OPEN_CUR) {}

  /** __alloc_fd: the lowest free descriptor >= `start`, now naming `file`. */
  alloc_fd(file: File, cloexec: boolean, start = 0): number {
    if (start >= this.nofile) fail(EINVAL, 'start beyond RLIMIT_NOFILE');
    let fd = Math.max(start, this.next_fd);
    while (fd < this.fd.length && this.fd[fd]) fd++;
    if (fd >= this.nofile) fail(EMFILE);
    this.fd[fd] = { file: file.get_file(), cloexec };
    if (start <= this.next_fd) this.next_fd = fd + 1;
    return fd;
  }

  /** fget: the File of `fd`, or EBADF. */
  fget(fd: number): File {
    const e = Number.isInteger(fd) && fd >= 0 ? this.fd[fd] : undefined;
    if (!e) fail(EBADF);
    return e.file;
  }

  has(fd: number): boolean {
    return Number.isInteger(fd) && fd >= 0 && this.fd[fd] !== undefined;
  }

  get_close_on_exec(fd: number): boolean {
    this.fget(fd);
    return this.fd[fd]!.cloexec;
  }

  set_close_on_exec(fd: number, on: boolean): void {
    this.fget(fd);
    this.fd[fd]!.cloexec = on;
  }

  /** close_fd: free the descriptor (the File lives on while another descriptor names it). */
  close_fd(fd: number): void {
    const file = this.fget(fd);
    this.fd[fd] = undefined;
    file.fput();
    if (fd < this.next_fd) this.next_fd = fd;
    while (this.fd.length > 0 && this.fd[this.fd.length - 1] === undefined) this.fd.pop();
  }

  /** do_dup2: make `newfd` name `file`, closing what it named. */
  replace_fd(newfd: number, file: File, cloexec: boolean): void {
    if (!Number.isInteger(newfd) || newfd < 0 || newfd >= this.nofile) fail(EBADF);
    const old = this.fd[newfd]?.file;
    this.fd[newfd] = { file: file.get_file(), cloexec };
    old?.fput();
    if (newfd === this.next_fd) {
      let n = newfd;
      while (n < this.fd.length && this.fd[n]) n++;
      this.next_fd = n;
    }
  }

  /** dup_fd: a copy for a child process (fork without CLONE_FILES); the Files are shared. */
  fork(): FilesStruct {
    const copy = new FilesStruct(this.nofile);
    this.fd.forEach((e, i) => {
      if (e) copy.fd[i] = { file: e.file.get_file(), cloexec: e.cloexec };
    });
    copy.next_fd = this.next_fd;
    return copy;
  }

  /** do_close_on_exec: drop every descriptor marked close-on-exec. */
  close_on_exec(): void {
    this.fd.forEach((e, i) => {
      if (e?.cloexec) this.close_fd(i);
    });
  }

  /** exit_files: the process is gone, every descriptor is closed. */
  close_all(): void {
    for (const fd of this.fds()) this.close_fd(fd);
  }

  /** check_files: the invariants above, one line per violation. */
  check(): string[] {
    const out: string[] = [];
    let firstFree = 0;
    while (firstFree < this.fd.length && this.fd[firstFree]) firstFree++;
    if (this.next_fd > firstFree) out.push(`next_fd ${this.next_fd} is above the lowest free descriptor ${firstFree}`);
    if (this.fd.length > this.nofile) out.push(`table has ${this.fd.length} slots, more than RLIMIT_NOFILE ${this.nofile}`);
    if (this.fd.length > 0 && this.fd[this.fd.length - 1] === undefined) out.push('table ends with an empty slot');
    return out;
  }

  /** Open descriptors, ascending. */
  fds(): number[] {
    return this.fd.flatMap((e, i) => (e ? [i] : []));
  }
}

/** The table's invariants: one line per violation. */
export function check_files(files: FilesStruct): string[] {
  return files.check();
}

/** The naive oracle: a plain map, lowest free by counting up from `start`. */
export class NaiveFdTable {
  readonly map = new Map<number, { id: number; cloexec: boolean }>();
  constructor(readonly nofile = INR_OPEN_CUR) {}
  alloc(id: number, cloexec: boolean, start = 0): number | 'EMFILE' | 'EINVAL' {
    if (start >= this.nofile) return 'EINVAL';
    let fd = start;
    while (this.map.has(fd)) fd++;
    if (fd >= this.nofile) return 'EMFILE';
    this.map.set(fd, { id, cloexec });
    return fd;
  }
}
