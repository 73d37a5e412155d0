// SPDX-License-Identifier: GPL-2.0-only
/*
 * time_init for the arm64 generic timer: the three lines Linux prints
 * when it registers the architected timer as its clocksource and
 * sched_clock (drivers/clocksource/arm_arch_timer.c: arch_timer_banner,
 * arch_counter_register; kernel/time/clocksource.c; kernel/time/
 * sched_clock.c), computed the way those files compute them, from the
 * board's counter frequency:
 *
 *   arch_timer: cp15 timer(s) running at 54.00MHz (virt).
 *   clocksource: arch_sys_counter: mask: 0xffffffffffffff max_cycles: 0xc743ce346, max_idle_ns: 440795203123 ns
 *   sched_clock: 56 bits at 54MHz, resolution 18ns, wraps every 4398046511102ns
 *
 * The kernel runs at EL1 (the firmware stage drops to it), so it uses the
 * virtual timer, as Linux does without VHE. From here on printk
 * timestamps show the virtual clock (before, sched_clock reads 0).
 */

import type { Kernel } from '../../kernel';

const NSEC_PER_SEC = 1_000_000_000n;
const U64_MAX = (1n << 64n) - 1n;
/** The arm64 architected counter is registered with 56 bits (arm_arch_timer.c, 5.10). */
const ARCH_COUNTER_BITS = 56n;

/** clocks_calc_mult_shift: the (mult, shift) that turn `from`-Hz cycles into `to`-Hz units without overflow for `maxsec` seconds. */
export function clocks_calc_mult_shift(from: bigint, to: bigint, maxsec: bigint): { mult: bigint; shift: bigint } {
  let tmp = (maxsec * from) >> 32n;
  let sftacc = 32n;
  while (tmp) {
    tmp >>= 1n;
    sftacc--;
  }
  let sft = 32n;
  for (; sft > 0n; sft--) {
    tmp = ((to << sft) + from / 2n) / from;
    if ((tmp >> sftacc) === 0n) break;
  }
  return { mult: tmp & 0xffff_ffffn, shift: sft };
}

/** clocks_calc_max_nsecs: half the nanoseconds before (cycles * (mult + maxadj)) overflows or the mask wraps. */
export function clocks_calc_max_nsecs(mult: bigint, shift: bigint, maxadj: bigint, mask: bigint): { maxNsecs: bigint; maxCycles: bigint } {
  let maxCycles = U64_MAX / (mult + maxadj);
  if (maxCycles > mask) maxCycles = mask;
  const maxNsecs = ((maxCycles * (mult - maxadj)) >> shift) >> 1n;
  return { maxNsecs, maxCycles };
}

/** The lines of time_init for a counter at `hz`. */
export function archTimerLines(hz: number): string[] {
  const rate = BigInt(hz);
  const mask = (1n << ARCH_COUNTER_BITS) - 1n;
  // __clocksource_update_freq_scale: at most 600 s between updates for a mask wider than 32 bits.
  let sec = mask / rate;
  if (sec === 0n) sec = 1n;
  else if (sec > 600n && mask > 0xffff_ffffn) sec = 600n;
  const cs = clocks_calc_mult_shift(rate, NSEC_PER_SEC, sec);
  const maxadj = (cs.mult * 11n) / 100n; // clocksource_max_adjustment
  const idle = clocks_calc_max_nsecs(cs.mult, cs.shift, maxadj, mask);
  // sched_clock_register: conversion good for an hour, no adjustment.
  const sc = clocks_calc_mult_shift(rate, NSEC_PER_SEC, 3600n);
  const wrap = clocks_calc_max_nsecs(sc.mult, sc.shift, 0n, mask).maxNsecs;
  const res = sc.mult >> sc.shift; // cyc_to_ns(1)
  const [r, unit] = hz >= 4_000_000 ? [Math.floor(hz / 1_000_000), 'M'] : hz >= 1000 ? [Math.floor(hz / 1000), 'k'] : [hz, ' '];
  const mhz = `${Math.floor(hz / 1_000_000)}.${String(Math.floor(hz / 10_000) % 100).padStart(2, '0')}`;
  return [
    `arch_timer: cp15 timer(s) running at ${mhz}MHz (virt).`,
    `clocksource: arch_sys_counter: mask: 0x${mask.toString(16)} max_cycles: 0x${idle.maxCycles.toString(16)}, max_idle_ns: ${idle.maxNsecs} ns`,
    `sched_clock: ${ARCH_COUNTER_BITS} bits at ${r}${unit}Hz, resolution ${res}ns, wraps every ${wrap}ns`,
  ];
}

export function time_init(k: Kernel): void {
  const [banner, clocksource, schedClock] = archTimerLines(k.machine.timerHz);
  k.printk(banner!);
  k.printk(clocksource!);
  k.startClock();
  k.printk(schedClock!);
}
