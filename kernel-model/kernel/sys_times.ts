// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CPU-time calls (kernel/sys.c): times(2) and getrusage(2), and the
 * struct rusage wait4 fills. Times come from the tick accounting of
 * sched/cputime.ts. struct rusage on arm64: ru_utime and ru_stime
 * (struct timeval: seconds, microseconds), then fourteen longs the model
 * leaves 0 (maxrss, page faults, context switches...); 144 bytes.
 */

import { EFAULT, EINVAL } from '../include/errno';
import { NR } from '../include/unistd';
import type { SyscallContext, SyscallDef } from './sys';
import type { UserTask } from './sched/task';
import { thread_group_cputime } from './process';
import { clock_t } from './sched/cputime';
import { jiffies_at, HZ, USER_HZ } from './time/jiffies';

const err = (e: number): bigint => BigInt(-e);
export const RUSAGE_SIZE = 144;

/** A struct rusage with the two times (ns). */
export function encode_rusage(utimeNs: number, stimeNs: number): Uint8Array {
  const b = new Uint8Array(RUSAGE_SIZE);
  const v = new DataView(b.buffer);
  [utimeNs, stimeNs].forEach((ns, i) => {
    v.setBigInt64(16 * i, BigInt(Math.floor(ns / 1e9)), true);
    v.setBigInt64(16 * i + 8, BigInt(Math.floor((ns % 1e9) / 1e3)), true);
  });
  return b;
}

/** times(buf): struct tms in USER_HZ ticks; returns the ticks since boot as jiffies count them (with INITIAL_JIFFIES). */
function sys_times(ctx: SyscallContext, [buf]: readonly bigint[]): bigint {
  const p = (ctx.task as UserTask).proc!;
  if (buf !== 0n) {
    const { utime, stime } = thread_group_cputime(p);
    const tms = new BigInt64Array([utime, stime, p.cutimeNs, p.cstimeNs].map((ns) => BigInt(clock_t(ns))));
    if (!ctx.copyToUser(buf!, new Uint8Array(tms.buffer))) return err(EFAULT);
  }
  return BigInt(Math.floor((jiffies_at(ctx.nowNs()) * USER_HZ) / HZ));
}

const RUSAGE_SELF = 0;
const RUSAGE_CHILDREN = -1;
const RUSAGE_THREAD = 1;

function sys_getrusage(ctx: SyscallContext, [who, ru]: readonly bigint[]): bigint {
  const t = ctx.task as UserTask;
  const p = t.proc!;
  let times: [number, number];
  switch (Number(BigInt.asIntN(32, who!))) {
    case RUSAGE_SELF: {
      const { utime, stime } = thread_group_cputime(p);
      times = [utime, stime];
      break;
    }
    case RUSAGE_CHILDREN:
      times = [p.cutimeNs, p.cstimeNs];
      break;
    case RUSAGE_THREAD:
      times = [t.utimeNs, t.stimeNs];
      break;
    default:
      return err(EINVAL);
  }
  return ctx.copyToUser(ru!, encode_rusage(...times)) ? 0n : err(EFAULT);
}

export const TIMES_SYSCALLS: readonly SyscallDef[] = [
  [NR.times, sys_times, 1],
  [NR.getrusage, sys_getrusage, 2],
];
