// SPDX-License-Identifier: GPL-2.0-only
/*
 * The file system calls, for the kernel's system call table: each
 * number's handler and how many argument registers it reads. None of
 * them blocks or ends its task, so all run on the fast path.
 */

import type { SyscallHandler } from '../kernel/sys';
import { READ_WRITE_SYSCALLS } from './read_write';
import { FD_SYSCALLS } from './syscalls_fd';
import { PATH_SYSCALLS } from './syscalls_path';

const ALL = [...READ_WRITE_SYSCALLS, ...PATH_SYSCALLS, ...FD_SYSCALLS];

export const FS_SYSCALLS: ReadonlyMap<number, SyscallHandler> = new Map(ALL.map(([nr, h]) => [nr, h]));

/** How many of x0..x5 each call reads. */
export const FS_NARGS: ReadonlyMap<number, number> = new Map(ALL.map(([nr, , n]) => [nr, n]));
