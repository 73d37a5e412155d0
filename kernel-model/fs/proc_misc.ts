// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/uptime, /proc/loadavg, /proc/stat and /proc/mounts (fs/proc/
 * uptime.c, loadavg.c, stat.c, fs/proc_namespace.c) in 5.10's formats,
 * for uptime, top and mount. CPU times come from the scheduler's tick
 * accounting (kernel/sched/cputime.ts) and the load averages from
 * kernel/sched/loadavg.ts; /proc/stat's iowait, irq, softirq and steal
 * columns, its interrupt and context-switch counts stay 0 (the model has
 * no interrupts and does not count switches).
 */

import type { Kernel } from '../kernel';
import { clock_t } from '../kernel/sched/cputime';

const secs = (ns: number): string => (Math.floor(ns / 1e7) / 100).toFixed(2);

/** One cpu line: user nice system idle iowait irq softirq steal guest guest_nice, in USER_HZ ticks. */
const cpuLine = (name: string, user: number, system: number, idle: number): string =>
  `${name} ${clock_t(user)} 0 ${clock_t(system)} ${clock_t(idle)} 0 0 0 0 0 0\n`;

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

export function proc_misc_init(k: Kernel): void {
  const stat = k.sched.cpustat;
  k.proc.register('/proc/uptime', () => `${secs(k.clockNs())} ${secs(sum(stat.idle))}\n`);
  k.proc.register('/proc/loadavg', () => `${k.sched.loadavg.text().join(' ')} ${k.sched.nr_active()}/${k.sched.tasks.size} ${k.sched.last_pid()}\n`);
  k.proc.register('/proc/stat', () => {
    const online = k.machine.cores.map((_, cpu) => cpu).filter((cpu) => k.cpu_online(cpu));
    const cpus = online.map((cpu) => cpuLine(`cpu${cpu}`, stat.user[cpu]!, stat.system[cpu]!, stat.idle[cpu]!)).join('');
    const total = cpuLine('cpu ', sum(stat.user), sum(stat.system), sum(stat.idle));
    return `${total}${cpus}intr 0\nctxt 0\nbtime 0\nprocesses ${k.sched.last_pid()}\nprocs_running ${k.sched.nr_active()}\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n`;
  });
  k.proc.register('/proc/mounts', () => k.rootfs?.proc_mounts() ?? '');
}
