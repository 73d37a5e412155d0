// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct fs_struct (include/linux/fs_struct.h): a process's root and
 * current directory, shared by its threads (CLONE_FS) or copied at fork
 * (copy_fs_struct).
 */

import type { DirInode } from './inode';

export class FsStruct {
  constructor(
    public root: DirInode,
    public pwd: DirInode,
  ) {}

  /** copy_fs_struct: a child's own copy, starting where the parent stands. */
  fork(): FsStruct {
    return new FsStruct(this.root, this.pwd);
  }
}
