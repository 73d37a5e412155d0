// SPDX-License-Identifier: GPL-2.0-only
/* Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h). */

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EBADF = 9;
export const ENOMEM = 12;
export const EFAULT = 14;
export const EBUSY = 16;
export const EINVAL = 22;
export const ENOSYS = 38;
