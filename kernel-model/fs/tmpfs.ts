// SPDX-License-Identifier: GPL-2.0-only
/*
 * tmpfs (mm/shmem.c), the model's version: a writable file system in
 * memory. The kernel mounts one on /tmp (mode 1777) and one on /run (0755)
 * once the rootfs is unpacked, where the initramfs has those directories,
 * as the device's init system mounts them (the model's stand-in, like
 * CONFIG_DEVTMPFS_MOUNT's automatic /dev). Files, directories and links
 * are made, renamed and removed by the calls of fs/namei_ops.ts; a
 * regular file's bytes live in its RegInode, growing as they are written.
 *
 * Left out: the size limit (half of RAM by default) is not enforced, and
 * a file's pages are host memory rather than page-cache pages from the
 * page allocator, so /proc/meminfo's Shmem does not count them.
 */

import { type FileOperations, reg_file_operations } from './file';
import { RamDir, type RegInode, SuperBlock } from './inode';

/** statfs's f_type (include/uapi/linux/magic.h). */
export const TMPFS_MAGIC = 0x01021994;

/**
 * shmem_file_operations: reads and writes at the file position (O_APPEND
 * moves it to the end first: fs/read_write.ts), a write past the end
 * leaving a hole of zeroes; every write is the new mtime.
 */
export const shmem_file_operations: FileOperations = {
  ...reg_file_operations,
  write: (f, data) => {
    const inode = f.inode as RegInode;
    inode.write_at(f.f_pos, data);
    inode.mtime = inode.sb.now();
    return data.length;
  },
};

/** A new tmpfs: its superblock (anonymous device `dev`) and its root directory. */
export function shmem_fill_super(dev: number, perm: number, now: () => number): RamDir {
  return new RamDir(new SuperBlock('tmpfs', dev, false, now), { perm, mtime: now() });
}
