// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pipes (fs/pipe.c): a buffer of PIPE_DEF_BUFFERS pages (64 KiB) between
 * a read end and a write end, made by pipe2(2).
 *
 *   read   takes what is buffered (up to the count); with nothing
 *          buffered it returns 0 (end of file) once every write end is
 *          closed, EAGAIN with O_NONBLOCK, and otherwise sleeps until a
 *          writer writes or the last one closes;
 *   write  puts as much as fits; a write of at most PIPE_BUF (4096) bytes
 *          is atomic (all or nothing, so it waits for room for all of
 *          it); with no read end left it is EPIPE, and the writer gets
 *          SIGPIPE, whose default action ends it.
 *
 * Sleeping: the file operation throws WouldBlock naming the pipe's wait
 * set; the system call entry queues the task there and blocks it, and the
 * call is made again when the other end wakes it (the model's version of
 * pipe_wait and the wait loop around it). Closing an end wakes the other
 * side, so a sleeper sees end of file or EPIPE.
 */

import { EAGAIN, EFAULT, EINVAL, EPIPE } from '../include/errno';
import { fail } from './errno';
import { File, O_NONBLOCK, O_RDONLY, O_WRONLY, type FileOperations } from './file';
import { AnonInode, S_IFIFO, SuperBlock } from './inode';
import type { UserTask } from '../kernel/sched/task';
import type { SyscallContext, SyscallDef, SyscallResult } from '../kernel/sys';
import { NR } from '../include/unistd';
import { current_files, errnoResult, int } from './sys_common';
import { wake_user } from '../kernel/exit';
import { SIGPIPE, send_signal } from '../kernel/signal';
import { needs_slow_path } from '../kernel/uaccess';

export const POLLIN = 0x1;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;
export const POLLRDNORM = 0x40;
export const POLLWRNORM = 0x100;

export const PIPE_BUF = 4096;
/** PIPE_DEF_BUFFERS pages of buffer. */
export const PIPE_SIZE = 16 * 4096;

/**
 * Thrown by a file operation that must sleep: the caller queues the task
 * on `waiters` and blocks it, for at most `timeoutNs` when given (the
 * call then returns 0: a terminal's VTIME). Not an Error: sleeping is the
 * normal end of many calls (a pipe's reader and writer take turns at it),
 * and a stack, which an Error captures, is of no use here and costly.
 * Thrown through would_block.
 */
export class WouldBlock {
  constructor(readonly waiters: Set<UserTask>, readonly what: string, readonly timeoutNs?: number) {}

  toString(): string {
    return `WouldBlock: ${this.what}`;
  }
}

export function would_block(waiters: Set<UserTask>, what: string, timeoutNs?: number): never {
  throw new WouldBlock(waiters, what, timeoutNs);
}

/** Thrown by a pipe write with no reader left: the writer gets SIGPIPE (and EPIPE if it survives). */
export class BrokenPipe extends Error {
  override name = 'BrokenPipe';
}

export class Pipe {
  private readonly chunks: Uint8Array[] = [];
  private bytes = 0;
  readers = 0;
  writers = 0;
  readonly readWait = new Set<UserTask>();
  readonly writeWait = new Set<UserTask>();

  constructor(private readonly wake: (t: UserTask) => void) {}

  get buffered(): number {
    return this.bytes;
  }

  /** Wake every sleeper of `set`: each makes its call again. */
  private wakeAll(set: Set<UserTask>): void {
    const ts = [...set];
    set.clear();
    for (const t of ts) this.wake(t);
  }

  read(count: number, nonblock: boolean): Uint8Array {
    if (this.bytes === 0) {
      if (this.writers === 0) return new Uint8Array(0);
      if (nonblock) fail(EAGAIN);
      would_block(this.readWait, 'pipe_read');
    }
    const first = this.chunks[0]!;
    if (count <= first.length) {
      // Within one buffer: a view of it, which the caller copies out before anything else touches the pipe.
      this.chunks[0] = first.subarray(count);
      if (count === first.length) this.release(this.chunks.shift()!);
      this.bytes -= count;
      this.wakeAll(this.writeWait);
      return first.subarray(0, count);
    }
    const out = new Uint8Array(Math.min(count, this.bytes));
    let at = 0;
    while (at < out.length) {
      const c = this.chunks[0]!;
      const n = Math.min(c.length, out.length - at);
      out.set(c.subarray(0, n), at);
      at += n;
      if (n === c.length) this.release(this.chunks.shift()!);
      else this.chunks[0] = c.subarray(n);
    }
    this.bytes -= out.length;
    this.wakeAll(this.writeWait);
    return out;
  }

  /**
   * Buffers of PIPE_SIZE bytes for writes to be copied into, taken back
   * when read: a pipe's steady traffic allocates nothing (Linux keeps its
   * pipe_buffer pages the same way, tmp_page). Only the pipe's own go
   * back to the pool.
   */
  private readonly pool: ArrayBuffer[] = [];
  private readonly own = new WeakSet<ArrayBuffer>();

  /** A buffer for a write of `count` bytes (at most PIPE_SIZE from the pool; a larger write gets its own). */
  write_buffer(count: number): Uint8Array {
    if (count > PIPE_SIZE) return new Uint8Array(count);
    let ab = this.pool.pop();
    if (!ab) {
      ab = new ArrayBuffer(PIPE_SIZE);
      this.own.add(ab);
    }
    return new Uint8Array(ab, 0, count);
  }

  private release(chunk: Uint8Array): void {
    const ab = chunk.buffer as ArrayBuffer;
    if (this.own.has(ab) && this.pool.length < 4 && !this.chunks.some((c) => c.buffer === ab)) this.pool.push(ab);
  }

  /** What a write of `count` bytes would meet before taking any: a broken pipe, or no room (EAGAIN, or a sleep). */
  may_write(count: number, nonblock: boolean): void {
    if (this.readers === 0) throw new BrokenPipe();
    const room = PIPE_SIZE - this.bytes;
    if (room === 0 || (count <= PIPE_BUF && room < count)) {
      if (nonblock) fail(EAGAIN);
      would_block(this.writeWait, 'pipe_write');
    }
  }

  /** Takes as much of `data` as fits (the pipe keeps the caller's buffer: it is the write's own copy). */
  write(data: Uint8Array, nonblock: boolean): number {
    if (data.length === 0) return 0;
    this.may_write(data.length, nonblock);
    const n = Math.min(PIPE_SIZE - this.bytes, data.length);
    this.chunks.push(data.subarray(0, n));
    this.bytes += n;
    this.wakeAll(this.readWait);
    return n;
  }

  /** Ready events for one end, and where its poller waits. */
  poll(end: 'read' | 'write'): { mask: number; waiters: Set<UserTask>[] } {
    if (end === 'read') {
      const mask = (this.bytes > 0 ? POLLIN | POLLRDNORM : 0) | (this.writers === 0 ? POLLHUP : 0);
      return { mask, waiters: [this.readWait] };
    }
    const mask = this.readers === 0 ? POLLERR : PIPE_SIZE - this.bytes >= PIPE_BUF ? POLLOUT | POLLWRNORM : 0;
    return { mask, waiters: [this.writeWait] };
  }

  close(end: 'read' | 'write'): void {
    if (end === 'read') this.readers--;
    else this.writers--;
    this.wakeAll(end === 'read' ? this.writeWait : this.readWait);
  }
}

const pipefs = new SuperBlock('pipefs', 12, false);

function pipe_fops(p: Pipe, end: 'read' | 'write'): FileOperations {
  return {
    read: (f, _pos, count) => (end === 'read' ? p.read(count, (f.f_flags & O_NONBLOCK) !== 0) : fail(EINVAL)),
    write: (f, data) => (end === 'write' ? p.write(data, (f.f_flags & O_NONBLOCK) !== 0) : fail(EINVAL)),
    may_write: (f, count) => (end === 'write' ? p.may_write(count, (f.f_flags & O_NONBLOCK) !== 0) : fail(EINVAL)),
    write_buffer: (_f, count) => p.write_buffer(count),
    seekable: false,
    endOf: () => undefined,
    ioctl: () => BigInt(-25), // ENOTTY (FIONREAD is not modelled)
    release: () => p.close(end),
    poll: () => p.poll(end),
  };
}

/** create_pipe_files: the read and write ends, with `flags` (O_NONBLOCK) on both. */
export function create_pipe_files(flags: number, wake: (t: UserTask) => void): [File, File, Pipe] {
  const p = new Pipe(wake);
  const inode = new AnonInode(pipefs, 'pipe', S_IFIFO);
  const r = new File(inode, O_RDONLY | (flags & O_NONBLOCK), pipe_fops(p, 'read'));
  const w = new File(inode, O_WRONLY | (flags & O_NONBLOCK), pipe_fops(p, 'write'));
  p.readers = 1;
  p.writers = 1;
  return [r, w, p];
}

/**
 * A pipe whose write end is the host's: what `uconsole run` gives a
 * program as fd 0, as qemu-user passes its own stdin. The host is asked
 * for more (`source`) only when a reader waits on an empty pipe; null or
 * an empty chunk is the end of its input, which closes the write end
 * (the readers then see end of file).
 */
export class HostPipe {
  readonly file: File;
  private readonly pipe: Pipe;
  private writer?: File;
  private rest?: Uint8Array;

  constructor(wake: (t: UserTask) => void, private readonly source: () => Uint8Array | null) {
    const [r, w, p] = create_pipe_files(0, wake);
    this.file = r;
    this.pipe = p;
    this.writer = w.get_file();
  }

  /** Does a reader wait for input the host has not given yet? */
  get starving(): boolean {
    return this.writer !== undefined && this.pipe.readWait.size > 0 && this.pipe.buffered === 0;
  }

  /** The host's next chunk into the pipe (what does not fit waits for the next time), or the end of its input. */
  feed(): void {
    if (!this.writer) return;
    const data = this.rest ?? this.source();
    this.rest = undefined;
    if (!data || data.length === 0 || this.pipe.readers === 0) {
      this.writer.fput();
      this.writer = undefined;
      return;
    }
    const n = this.pipe.write(data, true);
    if (n < data.length) this.rest = data.subarray(n);
  }
}

/* ---- pipe2(2) ---------------------------------------------------------------- */

const O_CLOEXEC = 0o2000000;
const O_DIRECT = 0o40000;

/** pipe2(fds, flags): two descriptors, read end first; flags O_CLOEXEC, O_NONBLOCK (O_DIRECT accepted, packets not modelled). */
function sys_pipe2(ctx: SyscallContext, [fdsVa, flags]: readonly bigint[]): bigint {
  return errnoResult(() => {
    const fl = int(flags);
    if (fl & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) fail(EINVAL);
    const [r, w] = create_pipe_files(fl, (t) => wake_user(ctx.kernel, t, undefined));
    const files = current_files(ctx);
    const cloexec = (fl & O_CLOEXEC) !== 0;
    const rfd = files.alloc_fd(r, cloexec);
    let wfd: number;
    try {
      wfd = files.alloc_fd(w, cloexec);
    } catch (e) {
      files.close_fd(rfd);
      throw e;
    }
    if (!ctx.copyToUser(fdsVa!, new Uint8Array(new Int32Array([rfd, wfd]).buffer))) {
      files.close_fd(rfd);
      files.close_fd(wfd);
      fail(EFAULT);
    }
    return 0;
  });
}

export const PIPE_SYSCALLS: readonly SyscallDef[] = [[NR.pipe2, sys_pipe2, 2]];


/**
 * What a system call that hit a pipe's WouldBlock or BrokenPipe turns
 * into: the task sleeps on the pipe (its call made again when woken), or
 * gets SIGPIPE: ended by it unless it ignores or handles SIGPIPE, then
 * EPIPE. Inside the svc fast path neither can happen: the call goes to
 * the trap path first.
 */
export function pipe_outcome(ctx: SyscallContext, e: WouldBlock | BrokenPipe): SyscallResult {
  if (ctx.inHook) needs_slow_path();
  const t = ctx.task as UserTask;
  if (e instanceof WouldBlock) {
    e.waiters.add(t);
    t.cancelWait = () => e.waiters.delete(t);
    if (e.timeoutNs !== undefined) return { kind: 'sleep', what: e.what, untilNs: ctx.nowNs() + e.timeoutNs, ret: 0n };
    return { kind: 'sleep', what: e.what };
  }
  // SIGPIPE, then EPIPE for a writer that survives it (ignored or caught: the handler runs on the way out).
  if (send_signal(ctx.kernel, t, SIGPIPE)) return 0n;
  return BigInt(-EPIPE);
}
