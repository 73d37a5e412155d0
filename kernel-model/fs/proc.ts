// SPDX-License-Identifier: GPL-2.0-only
/*
 * procfs, the model's version: a table of read-only files, each a function
 * that renders its text when read, as a seq_file show() does. Subsystems
 * register their files as they come up (mm registers /proc/buddyinfo once
 * the buddy allocator exists), so a file is present exactly when the
 * kernel has what it reports.
 */

export type ProcShow = () => string;

export class ProcError extends Error {
  override name = 'ProcError';
}

export class ProcFs {
  private readonly files = new Map<string, ProcShow>();

  /** proc_create_single: add a file; paths are absolute ("/proc/meminfo"). */
  register(path: string, show: ProcShow): void {
    if (!path.startsWith('/proc/') && !path.startsWith('/sys/')) throw new ProcError(`${path}: procfs paths start with /proc/ or /sys/`);
    this.files.set(path, show);
  }

  /** remove_proc_entry: the file is gone (a process's /proc/PID files when it is released). */
  unregister(path: string): void {
    this.files.delete(path);
  }

  /** The pid /proc/self names for the task reading it (set by the kernel once processes exist). */
  selfPid?: () => number | undefined;

  has(path: string): boolean {
    return this.files.has(path);
  }

  /** The file's contents now; throws ProcError (ENOENT) if there is no such file. */
  read(path: string): string {
    const show = this.files.get(path);
    if (!show) throw new ProcError(`${path}: No such file or directory (files: ${[...this.files.keys()].sort().join(', ')})`);
    return show();
  }

  list(): string[] {
    return [...this.files.keys()].sort();
  }
}
