// SPDX-License-Identifier: GPL-2.0-only
/*
 * The load average (kernel/sched/loadavg.c): every LOAD_FREQ (5 s and one
 * tick) the number of active tasks (running or runnable; the model has no
 * uninterruptible sleep) is folded into three exponentially decaying
 * averages, over 1, 5 and 15 minutes, in FSHIFT-bit fixed point with
 * Linux's constants, so /proc/loadavg, sysinfo(2) and uptime read what
 * the same load gives on a real kernel.
 *
 * The model samples when the scheduler next looks (a core's turn) after a
 * LOAD_FREQ boundary; boundaries crossed while every core slept (the
 * clock skips idle time) fold in zero, as calc_global_nohz catches up.
 */

import { HZ, NSEC_PER_SEC } from '../time/jiffies';

export const FSHIFT = 11;
export const FIXED_1 = 1 << FSHIFT;
const EXP = [1884, 2014, 2037] as const; // 1/exp(5s/1min), 1/exp(5s/5min), 1/exp(5s/15min)
/** LOAD_FREQ: 5*HZ+1 jiffies. */
export const LOAD_FREQ_NS = ((5 * HZ + 1) * NSEC_PER_SEC) / HZ;

/** calc_load: one step of an average toward `active` (fixed point). */
export function calc_load(load: number, exp: number, active: number): number {
  let n = load * exp + active * (FIXED_1 - exp);
  if (active >= load) n += FIXED_1 - 1;
  return Math.floor(n / FIXED_1);
}

export class LoadAvg {
  /** avenrun[0..2], fixed point. */
  readonly avenrun = [0, 0, 0];
  private nextNs = LOAD_FREQ_NS;

  /** At virtual time `nowNs`, with `active()` tasks active: fold in every boundary passed since the last look. */
  update(nowNs: number, active: () => number): void {
    if (nowNs < this.nextNs) return;
    const passed = Math.floor((nowNs - this.nextNs) / LOAD_FREQ_NS) + 1;
    this.nextNs += passed * LOAD_FREQ_NS;
    // The boundaries before the last passed with every core asleep; the last one sees the tasks active now.
    for (let k = 1; k <= passed; k++) {
      const n = k === passed ? active() * FIXED_1 : 0;
      for (let i = 0; i < 3; i++) this.avenrun[i] = calc_load(this.avenrun[i]!, EXP[i]!, n);
    }
  }

  /** /proc/loadavg's "%lu.%02lu" of each (get_avenrun with FIXED_1/200 added for rounding). */
  text(): string[] {
    return this.avenrun.map((a) => {
      const x = a + FIXED_1 / 200;
      return `${x >> FSHIFT}.${String(((x & (FIXED_1 - 1)) * 100) >> FSHIFT).padStart(2, '0')}`;
    });
  }
}
