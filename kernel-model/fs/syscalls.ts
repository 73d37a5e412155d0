// SPDX-License-Identifier: GPL-2.0-only
/*
 * The file system calls, for the kernel's system call table: each
 * number's handler and how many argument registers it reads. None of
 * them blocks or ends its task, so all run on the fast path.
 */

import type { SyscallDef } from '../kernel/sys';
import { READ_WRITE_SYSCALLS } from './read_write';
import { FD_SYSCALLS } from './syscalls_fd';
import { PATH_SYSCALLS } from './syscalls_path';
import { NAMEI_SYSCALLS } from './namei_ops';
import { ATTR_SYSCALLS } from './attr';

export const FS_SYSCALLS: readonly SyscallDef[] = [...READ_WRITE_SYSCALLS, ...PATH_SYSCALLS, ...FD_SYSCALLS, ...NAMEI_SYSCALLS, ...ATTR_SYSCALLS];
