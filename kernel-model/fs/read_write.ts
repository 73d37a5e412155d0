// SPDX-License-Identifier: GPL-2.0-only
/*
 * read, write, readv, writev, pread64, lseek (fs/read_write.c). A file
 * must be open for the direction asked (EBADF otherwise); the bytes move
 * only through the task's copy routines, so a bad buffer is EFAULT and
 * nothing of the file position changes. A call moves at most
 * MAX_RW_COUNT bytes (INT_MAX rounded down to a page); a write takes at
 * most 1 MiB at a time, a short write Linux allows, so one call never
 * copies more than that out of guest memory. Vectors of more than
 * UIO_MAXIOV (1024) entries or with a negative length are EINVAL; a
 * vector stopped by a bad buffer returns what was done, or EFAULT if
 * nothing was.
 */

import { EBADF, EFAULT, EINVAL, ESPIPE } from '../include/errno';
import type { SyscallContext, SyscallDef, SyscallHandler } from '../kernel/sys';
import { NR } from '../include/unistd';
import { fail } from './errno';
import { type File, O_APPEND, vfs_llseek } from './file';
import { current_files, errnoResult, int, size, uint } from './sys_common';

const MAX_RW_COUNT = 0x7fff_f000;
const MAX_WRITE_CHUNK = 1 << 20;
const UIO_MAXIOV = 1024;

function readable(ctx: SyscallContext, fd: bigint | undefined): File {
  const f = current_files(ctx).fget(int(fd));
  if (!f.readable) fail(EBADF);
  return f;
}

function writable(ctx: SyscallContext, fd: bigint | undefined): File {
  const f = current_files(ctx).fget(int(fd));
  if (!f.writable) fail(EBADF);
  return f;
}

/** vfs_read at the file position, advancing it by what reached user memory. */
function readTo(ctx: SyscallContext, f: File, segments: readonly [bigint, number][]): number {
  const total = Math.min(MAX_RW_COUNT, segments.reduce((s, [, n]) => s + n, 0));
  const data = f.f_op.read(f, f.f_pos, total);
  let done = 0;
  for (const [va, n] of segments) {
    if (done >= data.length) break;
    const piece = data.subarray(done, Math.min(data.length, done + n));
    if (!ctx.copyToUser(va, piece)) {
      if (done === 0) fail(EFAULT);
      break;
    }
    done += piece.length;
  }
  if (f.f_op.seekable) f.f_pos += done;
  return done;
}

/** vfs_write of the gathered segments. */
function writeFrom(ctx: SyscallContext, f: File, segments: readonly [bigint, number][]): number {
  const total = segments.reduce((s, [, n]) => s + n, 0);
  if (f.f_op.discards) return Math.min(total, MAX_RW_COUNT);
  f.f_op.may_write?.(f, Math.min(total, MAX_WRITE_CHUNK));
  const data = gatherUser(ctx, f, segments, Math.min(total, MAX_WRITE_CHUNK));
  if (f.f_flags & O_APPEND && f.f_op.seekable) f.f_pos = f.f_op.endOf(f) ?? f.f_pos;
  const n = f.f_op.write(f, data);
  if (f.f_op.seekable) f.f_pos += n;
  return n;
}

/**
 * The bytes of a write, at most `count`, out of user memory: into the
 * file's own buffer for one segment when it has one (a pipe's pooled
 * buffers: no new buffer per write), else into new ones. A fault on the
 * first byte is EFAULT; a later one ends the write short.
 */
function gatherUser(ctx: SyscallContext, f: File, segments: readonly [bigint, number][], count: number): Uint8Array {
  if (segments.length === 1 && f.f_op.write_buffer) {
    const buf = f.f_op.write_buffer(f, count);
    if (count > 0 && !ctx.copyFromUserInto(segments[0]![0], buf)) fail(EFAULT);
    return buf;
  }
  const pieces: Uint8Array[] = [];
  let room = count;
  for (const [va, n] of segments) {
    const want = Math.min(n, room);
    if (want === 0) continue;
    const b = ctx.copyFromUser(va, want);
    if (!b) {
      if (pieces.length === 0) fail(EFAULT);
      break;
    }
    pieces.push(b);
    room -= want;
    if (room === 0) break;
  }
  return pieces.length === 1 ? pieces[0]! : concat(pieces);
}

function concat(pieces: readonly Uint8Array[]): Uint8Array {
  const data = new Uint8Array(pieces.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    data.set(p, at);
    at += p.length;
  }
  return data;
}

/** import_iovec: struct iovec { void *iov_base; size_t iov_len; }[iovcnt]. */
function iovec(ctx: SyscallContext, va: bigint | undefined, cnt: bigint | undefined): [bigint, number][] {
  const n = int(cnt);
  if (n < 0 || n > UIO_MAXIOV) fail(EINVAL);
  if (n === 0) return [];
  const raw = ctx.copyFromUser(va ?? 0n, 16 * n);
  if (!raw) fail(EFAULT);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: n }, (_, i): [bigint, number] => {
    const len = dv.getBigInt64(16 * i + 8, true);
    if (len < 0n) fail(EINVAL);
    return [dv.getBigUint64(16 * i, true), Number(len > BigInt(MAX_RW_COUNT) ? BigInt(MAX_RW_COUNT) : len)];
  });
}

const sys_read: SyscallHandler = (ctx, [fd, buf, count]) => errnoResult(() => readTo(ctx, readable(ctx, fd), [[buf!, Math.min(size(count), MAX_RW_COUNT)]]));
const sys_write: SyscallHandler = (ctx, [fd, buf, count]) => errnoResult(() => writeFrom(ctx, writable(ctx, fd), [[buf!, Math.min(size(count), MAX_RW_COUNT)]]));
const sys_readv: SyscallHandler = (ctx, [fd, vec, vlen]) => errnoResult(() => {
  const f = readable(ctx, fd);
  return readTo(ctx, f, iovec(ctx, vec, vlen));
});
const sys_writev: SyscallHandler = (ctx, [fd, vec, vlen]) => errnoResult(() => {
  const f = writable(ctx, fd);
  return writeFrom(ctx, f, iovec(ctx, vec, vlen));
});

/** pread64: at `pos`, the file position untouched. */
const sys_pread64: SyscallHandler = (ctx, [fd, buf, count, pos]) => errnoResult(() => {
  const f = readable(ctx, fd);
  const at = BigInt.asIntN(64, pos ?? 0n);
  if (at < 0n) fail(EINVAL);
  if (!f.f_op.seekable) fail(ESPIPE);
  const data = f.f_op.read(f, Number(at), Math.min(size(count), MAX_RW_COUNT));
  if (data.length > 0 && !ctx.copyToUser(buf!, data)) fail(EFAULT);
  return data.length;
});

const sys_lseek: SyscallHandler = (ctx, [fd, offset, whence]) =>
  errnoResult(() => vfs_llseek(current_files(ctx).fget(int(fd)), BigInt.asIntN(64, offset ?? 0n), uint(whence)));

export const READ_WRITE_SYSCALLS: readonly SyscallDef[] = [
  [NR.read, sys_read, 3],
  [NR.write, sys_write, 3],
  [NR.readv, sys_readv, 3],
  [NR.writev, sys_writev, 3],
  [NR.pread64, sys_pread64, 4],
  [NR.lseek, sys_lseek, 3],
];
