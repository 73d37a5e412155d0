// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct fs_struct (include/linux/fs_struct.h): a process's root,
 * current directory and umask, shared by its threads (CLONE_FS) or copied
 * at fork (copy_fs_struct).
 */

import type { DirInode } from './inode';

export class FsStruct {
  /** The bits a new file's mode loses (init's 0022). */
  umask = 0o022;

  constructor(
    public root: DirInode,
    public pwd: DirInode,
  ) {}

  /** copy_fs_struct: a child's own copy, starting where the parent stands. */
  fork(): FsStruct {
    const f = new FsStruct(this.root, this.pwd);
    f.umask = this.umask;
    return f;
  }
}
