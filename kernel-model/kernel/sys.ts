// SPDX-License-Identifier: GPL-2.0-only
/*
 * The system calls the model implements, with arm64 Linux's convention:
 * x8 = number, x0..x5 = arguments, x0 = result or -errno. Everything else
 * answers -ENOSYS (kernel/sys_ni.c). Handlers take their context
 * explicitly, so they can be tested without a machine.
 *
 * A handler either answers at once (x0) or asks to block the task: sleep
 * until a virtual time (nanosleep) or give up the CPU (sched_yield); the
 * trap path saves the task's state and the scheduler resumes it later
 * with the given x0.
 */

import { EFAULT, EINVAL, ENOSYS, ENOTSUP } from '../include/errno';
import { NR } from '../include/unistd';
import { get_timespec } from './time/timespec';
import type { Task } from './sched/task';
import type { Kernel } from '../kernel';
import { PROCESS_SLOW_CALLS, PROCESS_SYSCALLS } from './sys_process';
import { SIGNAL_SLOW_CALLS, SIGNAL_SYSCALLS } from './sys_signal';
import { TIMES_SYSCALLS } from './sys_times';
import { MM_SLOW_CALLS, MM_SYSCALLS } from '../mm/sys_mm';
import { BPF_SLOW_CALLS, BPF_SYSCALLS } from './bpf/syscall';
import { BrokenPipe, PIPE_SYSCALLS, WouldBlock, pipe_outcome } from '../fs/pipe';
import { SELECT_SYSCALLS } from '../fs/select';
import { FS_SYSCALLS } from '../fs/syscalls';
import { TtyJobSignal, tty_job_stop } from './jobctl';
import { needs_slow_path } from './uaccess';
import type { UserTask } from './sched/task';

export interface SyscallContext {
  cpu: number;
  task: Task;
  kernel: Kernel;
  /** Where the caller resumes (the instruction after its svc); 0 inside the fast path, which never needs it. */
  pc: bigint;
  /** The call runs inside the core's trap hook (the fast path). */
  inHook: boolean;
  copyFromUser(va: bigint, len: number): Uint8Array | undefined;
  /** copy_from_user into `out` (its length is the count): false on a fault. */
  copyFromUserInto(va: bigint, out: Uint8Array): boolean;
  copyToUser(va: bigint, data: Uint8Array): boolean;
  /** The console (ttyAMA0/ttyS*): what /dev/console writes to. */
  consoleWrite(data: Uint8Array): void;
  /** Virtual time now, in nanoseconds. */
  nowNs(): number;
}

/**
 * A call that blocks its task: resumed later with x0 = `ret`, or, when
 * `ret` is undefined, made again from its svc (the wait it sleeps in is
 * re-checked, as do_wait's loop does); a waker may set the result instead.
 */
export type SyscallBlock =
  | { kind: 'sleep'; untilNs?: number; ret?: bigint; what: string }
  | { kind: 'yield'; ret: bigint }
  /** The task's state was replaced (execve): the core continues at `pc` with what is on it now. */
  | { kind: 'jump'; pc: bigint }
  /** The task moves to `cpu` (sched_setaffinity) and resumes there with x0 = `ret`. */
  | { kind: 'migrate'; cpu: number; ret: bigint };

export type SyscallResult = bigint | SyscallBlock;

export type SyscallHandler = (ctx: SyscallContext, a: readonly bigint[]) => SyscallResult;

const err = (e: number): bigint => BigInt(-e);

function sys_getcpu(ctx: SyscallContext, [cpup, nodep]: readonly bigint[]): bigint {
  const u32 = (v: number): Uint8Array => new Uint8Array(new Uint32Array([v]).buffer);
  if (cpup !== 0n && !ctx.copyToUser(cpup!, u32(ctx.cpu))) return err(EFAULT);
  if (nodep !== 0n && !ctx.copyToUser(nodep!, u32(0))) return err(EFAULT);
  return 0n;
}

/** nanosleep(req, rem): rem is never written (a signal ends the sleep with EINTR, and the model does not report what was left). */
function sys_nanosleep(ctx: SyscallContext, [req]: readonly bigint[]): SyscallResult {
  const ns = get_timespec(ctx.copyFromUser, req!);
  if (typeof ns === 'bigint') return ns;
  if (ns === 0) return { kind: 'yield', ret: 0n };
  return { kind: 'sleep', untilNs: ctx.nowNs() + ns, ret: 0n, what: `nanosleep ${ns} ns` };
}

/** One system call: its number, its handler, and how many of x0..x5 it reads (the fast path copies only those). */
export type SyscallDef = readonly [nr: number, handler: SyscallHandler, nargs: number];

const CORE_SYSCALLS: readonly SyscallDef[] = [
  [NR.getcpu, sys_getcpu, 3],
  [NR.nanosleep, sys_nanosleep, 2],
  [NR.clock_nanosleep, sys_clock_nanosleep, 4],
  [NR.sched_yield, () => ({ kind: 'yield', ret: 0n }), 0],
];

const TABLE: readonly SyscallDef[] = [
  ...CORE_SYSCALLS,
  ...FS_SYSCALLS,
  ...PIPE_SYSCALLS,
  ...SELECT_SYSCALLS,
  ...PROCESS_SYSCALLS,
  ...SIGNAL_SYSCALLS,
  ...TIMES_SYSCALLS,
  ...MM_SYSCALLS,
  ...BPF_SYSCALLS,
];

/** clock_nanosleep(clock, flags, req, rem): nanosleep on any clock (they all read the virtual clock); TIMER_ABSTIME sleeps until `req`. */
function sys_clock_nanosleep(ctx: SyscallContext, [clock, flags, req]: readonly bigint[]): SyscallResult {
  const c = Number(BigInt.asIntN(32, clock!));
  if (![0, 1, 7].includes(c)) return err(c === 2 || c === 3 ? ENOTSUP : EINVAL); // REALTIME, MONOTONIC, BOOTTIME
  if ((flags! & 1n) === 0n) return sys_nanosleep(ctx, [req!]);
  const until = get_timespec(ctx.copyFromUser, req!);
  if (typeof until === 'bigint') return until;
  return until <= ctx.nowNs() ? 0n : { kind: 'sleep', untilNs: until, ret: 0n, what: 'clock_nanosleep' };
}

export const SYSCALLS: ReadonlyMap<number, SyscallHandler> = new Map(TABLE.map(([nr, h]) => [nr, h]));
const NARGS: ReadonlyMap<number, number> = new Map(TABLE.map(([nr, , n]) => [nr, n]));

export function syscall_nargs(nr: number): number {
  return NARGS.get(nr) ?? 6;
}

/** Calls that may end, block or create tasks, or change live translations: never answered inside the trap hook (the core must stop). */
export const LEAVES_FAST_PATH: ReadonlySet<number> = new Set([NR.nanosleep, NR.clock_nanosleep, NR.sched_yield, ...PROCESS_SLOW_CALLS, ...SIGNAL_SLOW_CALLS, ...MM_SLOW_CALLS, ...BPF_SLOW_CALLS, NR.ppoll, NR.pselect6]);

/** Run system call `nr`; the result is what goes back in x0 (as a signed value). */
export function invokeSyscall(ctx: SyscallContext, nr: number, args: readonly bigint[]): SyscallResult {
  const handler = SYSCALLS.get(nr);
  if (!handler) return err(ENOSYS);
  try {
    return handler(ctx, args);
  } catch (e) {
    // A pipe (fs/pipe.ts) that must sleep or has lost its reader.
    if (e instanceof WouldBlock || e instanceof BrokenPipe) return pipe_outcome(ctx, e);
    // A background process at the console: its group is signalled (never inside the trap hook).
    if (e instanceof TtyJobSignal) {
      if (ctx.inHook) needs_slow_path();
      return tty_job_stop(ctx.kernel, ctx.task as UserTask, e.sig, ctx.pc - 4n);
    }
    throw e;
  }
}
