// SPDX-License-Identifier: GPL-2.0-only
/*
 * get_timespec64 (kernel/time/time.c): a struct __kernel_timespec
 * { s64 tv_sec; long tv_nsec; } from user memory, checked as
 * timespec64_valid does.
 */

import { EFAULT, EINVAL } from '../../include/errno';

const NSEC_PER_SEC = 1_000_000_000n;

/** The timespec at `va` in nanoseconds, or -errno (EFAULT, EINVAL) as a bigint. */
export function get_timespec(copyFromUser: (va: bigint, len: number) => Uint8Array | undefined, va: bigint): number | bigint {
  const ts = copyFromUser(va, 16);
  if (!ts) return BigInt(-EFAULT);
  const v = new DataView(ts.buffer, ts.byteOffset, 16);
  const sec = v.getBigInt64(0, true);
  const nsec = v.getBigInt64(8, true);
  if (sec < 0n || nsec < 0n || nsec >= NSEC_PER_SEC) return BigInt(-EINVAL);
  return Number(sec * NSEC_PER_SEC + nsec);
}
