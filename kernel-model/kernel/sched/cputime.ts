// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPU time accounting (kernel/sched/cputime.c, tick based, as without
 * CONFIG_VIRT_CPU_ACCOUNTING): at each core's turn the virtual time since
 * its last turn goes to whatever that core was running then: a user task
 * (user time, its own and its CPU's), a kernel thread (system time), or
 * the idle task (idle time). Linux charges each tick the same way, to the
 * task the tick interrupted, so short sleeps between turns are sampled,
 * not measured. Time a user task spends in the kernel's TypeScript takes
 * no virtual time, so user tasks have no system time.
 *
 * What reads it: /proc/stat's cpu lines, /proc/uptime's idle seconds,
 * /proc/PID/stat's utime, stime, cutime and cstime, times(2),
 * getrusage(2) and wait4's rusage; a process's time is its threads' (the
 * live ones' and the ended ones') and, once its children are reaped by
 * wait, theirs in cutime and cstime (wait_task_zombie).
 */

import type { Task } from './task';
import { USER_HZ, NSEC_PER_SEC } from '../time/jiffies';

export class CpuStat {
  readonly user: number[];
  readonly system: number[];
  readonly idle: number[];
  private readonly last: number[];

  constructor(cpus: number) {
    this.user = new Array<number>(cpus).fill(0);
    this.system = new Array<number>(cpus).fill(0);
    this.idle = new Array<number>(cpus).fill(0);
    this.last = new Array<number>(cpus).fill(0);
  }

  /** account_process_tick: the time since `cpu`'s last turn to `task`, which ran there. */
  account(cpu: number, task: Task, nowNs: number): void {
    const dt = nowNs - this.last[cpu]!;
    this.last[cpu] = nowNs;
    if (dt <= 0) return;
    if (task.kind === 'user') {
      task.utimeNs += dt;
      this.user[cpu]! += dt;
    } else if (task.kind === 'kthread') {
      task.stimeNs += dt;
      this.system[cpu]! += dt;
    } else this.idle[cpu]! += dt;
  }

  /** A CPU comes online at `nowNs`: its time counts from there. */
  start(cpu: number, nowNs: number): void {
    this.last[cpu] = nowNs;
  }
}

/** nsec_to_clock_t: USER_HZ ticks. */
export const clock_t = (ns: number): number => Math.floor((ns * USER_HZ) / NSEC_PER_SEC);
