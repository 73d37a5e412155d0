// SPDX-License-Identifier: GPL-2.0-only
/*
 * getdents64's records (fs/readdir.c filldir64): struct linux_dirent64
 * { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }, the
 * name NUL-terminated and the record padded to 8 bytes. A directory is
 * read as ".", "..", then its entries in order, f_pos counting them (as
 * dcache_readdir's cursor does), so a later call goes on where the last
 * stopped, and d_off is the position after the entry. A buffer too small
 * for the next record ends the call; if no record fitted at all, EINVAL.
 */

import { EINVAL } from '../include/errno';
import { fail } from './errno';
import type { File } from './file';
import { DirInode, type Inode } from './inode';

export const DT_UNKNOWN = 0;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_REG = 8;
export const DT_LNK = 10;

function dtype(i: Inode): number {
  return { reg: DT_REG, generated: DT_REG, dir: DT_DIR, symlink: DT_LNK, chrdev: DT_CHR, anon: DT_UNKNOWN }[i.kind] ?? DT_UNKNOWN;
}

function reclen(nameBytes: number): number {
  return (19 + nameBytes + 1 + 7) & ~7;
}

/** The records of the next entries of `f` (a directory) that fit in `size` bytes; advances f_pos. */
export function iterate_dir(f: File, size: number): Uint8Array {
  const dir = f.inode;
  if (!(dir instanceof DirInode)) fail(EINVAL);
  const all: [string, Inode][] = [['.', dir], ['..', dir.parent], ...dir.entries()];
  const out = new Uint8Array(Math.max(0, Math.min(size, 1 << 20)));
  const dv = new DataView(out.buffer);
  let used = 0;
  while (f.f_pos < all.length) {
    const [name, inode] = all[f.f_pos]!;
    const nb = new TextEncoder().encode(name);
    const len = reclen(nb.length);
    if (used + len > out.length) {
      if (used === 0) fail(EINVAL, 'buffer too small');
      break;
    }
    dv.setBigUint64(used, BigInt(inode.ino), true);
    dv.setBigInt64(used + 8, BigInt(f.f_pos + 1), true);
    dv.setUint16(used + 16, len, true);
    out[used + 18] = dtype(inode);
    out.set(nb, used + 19);
    used += len;
    f.f_pos++;
  }
  return out.subarray(0, used);
}
