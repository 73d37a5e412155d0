// SPDX-License-Identifier: GPL-2.0-only
/*
 * arm64 system call numbers: arm64 uses the generic table,
 * include/uapi/asm-generic/unistd.h. Only the calls the model implements
 * or names in messages are listed; every other number returns -ENOSYS.
 */

export const NR = {
  getcwd: 17,
  ioctl: 29,
  openat: 56,
  close: 57,
  read: 63,
  write: 64,
  writev: 66,
  exit: 93,
  exit_group: 94,
  set_tid_address: 96,
  nanosleep: 101,
  clock_gettime: 113,
  sched_yield: 124,
  kill: 129,
  uname: 160,
  getcpu: 168,
  getpid: 172,
  getppid: 173,
  getuid: 174,
  gettid: 178,
  brk: 214,
  munmap: 215,
  mmap: 222,
  mprotect: 226,
} as const;

export const SYSCALL_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(NR).map(([k, v]) => [v, k]));
