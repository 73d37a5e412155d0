// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/uptime, /proc/loadavg, /proc/stat and /proc/mounts (fs/proc/
 * uptime.c, loadavg.c, stat.c, fs/proc_namespace.c) in 5.10's formats,
 * for uptime, top and mount. The model keeps no per-CPU time accounting
 * or load average yet: CPU times and the load averages read 0, and the
 * idle time of /proc/uptime is 0.00; the counts (context switches are
 * not counted either) are what the kernel has.
 */

import type { Kernel } from '../kernel';

const secs = (ns: number): string => (Math.floor(ns / 1e7) / 100).toFixed(2);

export function proc_misc_init(k: Kernel): void {
  k.proc.register('/proc/uptime', () => `${secs(k.clockNs())} 0.00\n`);
  k.proc.register('/proc/loadavg', () => {
    const running = [...k.sched.tasks].filter((t) => t.state === 'running' || t.state === 'runnable').length;
    return `0.00 0.00 0.00 ${running}/${k.sched.tasks.size} ${k.sched.last_pid()}\n`;
  });
  k.proc.register('/proc/stat', () => {
    const zero = ' 0 0 0 0 0 0 0 0 0 0';
    const cpus = k.machine.cores.map((_, cpu) => (k.cpu_online(cpu) ? `cpu${cpu}${zero}\n` : '')).join('');
    const procs = k.user.procs.all().length;
    const running = [...k.sched.tasks].filter((t) => t.state === 'running' || t.state === 'runnable').length;
    return `cpu ${zero}\n${cpus}intr 0\nctxt 0\nbtime 0\nprocesses ${procs}\nprocs_running ${running}\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n`;
  });
  k.proc.register('/proc/mounts', () => k.rootfs?.proc_mounts() ?? '');
}
