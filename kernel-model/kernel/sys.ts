// SPDX-License-Identifier: GPL-2.0-only
/*
 * The system calls the model implements, with arm64 Linux's convention:
 * x8 = number, x0..x5 = arguments, x0 = result or -errno. Everything else
 * answers -ENOSYS (kernel/sys_ni.c). Handlers take their context
 * explicitly, so they can be tested without a machine.
 */

import { EBADF, EFAULT, ENOSYS } from '../include/errno';
import { NR } from '../include/unistd';
import type { Task } from './task';

export interface SyscallContext {
  cpu: number;
  task: Task;
  copyFromUser(va: bigint, len: number): Uint8Array | undefined;
  copyToUser(va: bigint, data: Uint8Array): boolean;
  /** The console (ttyAMA0/ttyS*): where fds 1 and 2 of the harness point. */
  consoleWrite(data: Uint8Array): void;
  /** The task exits; the call does not return to it. */
  exit(code: number): void;
}

export type SyscallHandler = (ctx: SyscallContext, a: readonly bigint[]) => bigint;

const err = (e: number): bigint => BigInt(-e);
/** The most a single write copies (MAX_RW_COUNT is INT_MAX & PAGE_MASK; the model keeps it small). */
const MAX_WRITE = 1 << 20;

function sys_write(ctx: SyscallContext, [fd, buf, count]: readonly bigint[]): bigint {
  if (fd !== 1n && fd !== 2n) return err(EBADF);
  const n = Math.min(Number(BigInt.asUintN(64, count!)), MAX_WRITE);
  const data = ctx.copyFromUser(buf!, n);
  if (!data) return err(EFAULT);
  ctx.consoleWrite(data);
  return BigInt(n);
}

function sys_getcpu(ctx: SyscallContext, [cpup, nodep]: readonly bigint[]): bigint {
  const u32 = (v: number): Uint8Array => new Uint8Array(new Uint32Array([v]).buffer);
  if (cpup !== 0n && !ctx.copyToUser(cpup!, u32(ctx.cpu))) return err(EFAULT);
  if (nodep !== 0n && !ctx.copyToUser(nodep!, u32(0))) return err(EFAULT);
  return 0n;
}

function sys_exit(ctx: SyscallContext, [code]: readonly bigint[]): bigint {
  ctx.exit(Number(code! & 0xffn));
  return 0n;
}

export const SYSCALLS: ReadonlyMap<number, SyscallHandler> = new Map<number, SyscallHandler>([
  [NR.write, sys_write],
  [NR.getpid, (ctx) => BigInt(ctx.task.pid)],
  [NR.gettid, (ctx) => BigInt(ctx.task.tid)],
  [NR.getcpu, sys_getcpu],
  [NR.exit, sys_exit],
  [NR.exit_group, sys_exit],
]);

/** Run system call `nr`; the result is what goes back in x0 (as a signed value). */
export function invokeSyscall(ctx: SyscallContext, nr: number, args: readonly bigint[]): bigint {
  const handler = SYSCALLS.get(nr);
  return handler ? handler(ctx, args) : err(ENOSYS);
}
