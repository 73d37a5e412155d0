// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's clocks, all read from the machine's one virtual clock
 * (instructions executed, see emulator/machine.ts): ktime_get in
 * nanoseconds, jiffies at HZ, and the conversions between them
 * (kernel/time/time.c, include/linux/jiffies.h).
 *
 * HZ is 250, the Kconfig default (kernel/Kconfig.hz) that arm64's
 * defconfig keeps. The count starts at INITIAL_JIFFIES, five minutes
 * before a 32-bit jiffies wraps, as Linux starts it to flush out wrap
 * bugs early; the model keeps the 64-bit count (jiffies_64) as a number.
 */

export const HZ = 250;
/** The tick rate user space sees (times(2), AT_CLKTCK, /proc/PID/stat): 100 on every architecture Linux has. */
export const USER_HZ = 100;
export const NSEC_PER_SEC = 1_000_000_000;
export const NSEC_PER_MSEC = 1_000_000;
export const TICK_NSEC = NSEC_PER_SEC / HZ;
/** ((unsigned long)(unsigned int) (-300*HZ)): the 64-bit count starts just below 2^32. */
export const INITIAL_JIFFIES = 2 ** 32 - 300 * HZ;

/** A clock in nanoseconds since power-on (the machine's). */
export type ClockNs = () => number;

export function jiffies_at(ns: number): number {
  return INITIAL_JIFFIES + Math.floor(ns / TICK_NSEC);
}

/** The virtual time at which jiffies reaches `j`. */
export function jiffies_to_clock_ns(j: number): number {
  return (j - INITIAL_JIFFIES) * TICK_NSEC;
}

/** msecs_to_jiffies: rounding up, as the kernel does for HZ dividing 1000. */
export function msecs_to_jiffies(ms: number): number {
  return Math.ceil((ms * HZ) / 1000);
}

export function jiffies_to_msecs(j: number): number {
  return (j * 1000) / HZ;
}
