// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct stat as arm64 returns it from newfstatat and fstat: the
 * asm-generic layout (include/uapi/asm-generic/stat.h), 128 bytes:
 *
 *   0 st_dev u64      8 st_ino u64      16 st_mode u32   20 st_nlink u32
 *  24 st_uid u32     28 st_gid u32      32 st_rdev u64   40 __pad1
 *  48 st_size i64    56 st_blksize i32  60 __pad2        64 st_blocks i64
 *  72 st_atime, 80 st_atime_nsec, 88 st_mtime, 96 st_mtime_nsec,
 * 104 st_ctime, 112 st_ctime_nsec (64-bit each), 120 two unused u32.
 *
 * Device numbers in the new_encode_dev form (the low 8 bits of the minor,
 * the major, then the rest of the minor). Files in memory report the
 * page-granular blocks tmpfs reports (8 per 4 KiB page), PAGE_SIZE as
 * st_blksize; atime and ctime equal mtime (the model keeps one time).
 */

import type { Inode } from './inode';

export const STAT_SIZE = 128;

export function new_encode_dev(major: number, minor: number): bigint {
  return BigInt((minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)) & 0xffff_ffffn;
}

export function encode_stat(inode: Inode): Uint8Array {
  const b = new Uint8Array(STAT_SIZE);
  const dv = new DataView(b.buffer);
  const size = inode.size;
  dv.setBigUint64(0, new_encode_dev(0, inode.sb.dev), true);
  dv.setBigUint64(8, BigInt(inode.ino), true);
  dv.setUint32(16, inode.mode, true);
  dv.setUint32(20, inode.nlink, true);
  dv.setUint32(24, inode.uid, true);
  dv.setUint32(28, inode.gid, true);
  dv.setBigUint64(32, new_encode_dev(inode.rdev.major, inode.rdev.minor), true);
  dv.setBigInt64(48, BigInt(size), true);
  dv.setInt32(56, 4096, true);
  dv.setBigInt64(64, BigInt(Math.ceil(size / 4096) * 8), true);
  for (const at of [72, 88, 104]) dv.setBigInt64(at, BigInt(inode.mtime), true);
  return b;
}
