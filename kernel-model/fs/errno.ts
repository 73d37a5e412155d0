// SPDX-License-Identifier: GPL-2.0-only
/*
 * How the file-system code reports a failure: it throws ErrnoError with
 * the errno a system call returns negated, and the system call's entry
 * (fs/syscalls.ts) turns it into -errno. Nothing else is thrown for user
 * mistakes, so a bad path or descriptor never escapes as a host error.
 */

export class ErrnoError extends Error {
  override name = 'ErrnoError';
  constructor(readonly errno: number, what = '') {
    super(`errno ${errno}${what ? `: ${what}` : ''}`);
  }
}

export function fail(errno: number, what?: string): never {
  throw new ErrnoError(errno, what);
}
