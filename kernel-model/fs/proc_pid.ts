// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/PID (fs/proc/base.c, array.c, task_mmu.c): the files tools such
 * as ps, top and pgrep read, in Linux 5.10's formats, registered when a
 * process appears and removed when it is released.
 *
 *   stat     the 52 fields of do_task_stat, CPU times from the tick
 *            accounting (what the model does not keep, such as fault
 *            counts, is 0)
 *   status   proc_pid_status's lines from Name to Cpus_allowed_list
 *   cmdline  argv as the process's own memory holds it, NUL-separated
 *   comm     the command name
 *   maps     one line per area: range, perms, offset, device, inode, name
 *
 * A process's state letter: R when one of its threads runs or is
 * runnable, T when job control has stopped it, S when all sleep, Z for a
 * zombie.
 */

import type { Kernel } from '../kernel';
import { first_thread, thread_group_cputime, type Process } from '../kernel/process';
import { clock_t } from '../kernel/sched/cputime';
import { VM_EXEC, VM_READ, VM_SHARED, VM_WRITE, PAGE } from '../mm/mmap';
import { USER_HZ } from '../kernel/time/jiffies';

const FILES = ['stat', 'status', 'cmdline', 'comm', 'maps'] as const;

function state(p: Process): 'R' | 'S' | 'T' | 'Z' {
  if (p.state !== 'alive') return 'Z';
  if (p.stopped) return 'T';
  return [...p.threads].some((t) => t.state === 'running' || t.state === 'runnable') ? 'R' : 'S';
}

const kb = (bytes: bigint): string => String(bytes / 1024n);

function vm_size(p: Process): bigint {
  return p.mm.vmas.reduce((n, v) => n + v.size, 0n);
}

function proc_pid_stat(k: Kernel, p: Process): string {
  const mm = p.mm;
  const text = mm.vmas.find((v) => v.flags & VM_EXEC && v.name === p.exe);
  const data = mm.vmas.find((v) => v.flags & VM_WRITE && v.name === p.exe);
  const first = first_thread(p);
  const cpu = thread_group_cputime(p);
  const f = [
    p.pid, `(${p.comm})`, state(p), p.parent?.pid ?? 0, p.pgid, p.sid, 0, -1, 0x400000,
    0, 0, 0, 0, clock_t(cpu.utime), clock_t(cpu.stime), clock_t(p.cutimeNs), clock_t(p.cstimeNs), 20, 0, p.threads.size, 0,
    Math.floor((p.startNs * USER_HZ) / 1e9), vm_size(p), mm.rss, '18446744073709551615',
    text?.start ?? 0, text?.end ?? 0, mm.start_stack, 0, 0, 0, 0, 0, 0, 0, 0, 0, 17, first?.cpu ?? 0,
    0, 0, 0, 0, 0, data?.start ?? 0, data?.end ?? 0, mm.start_brk, mm.arg_start, mm.arg_end, mm.arg_end, mm.arg_end,
    p.state === 'alive' ? 0 : p.wstatus,
  ];
  void k;
  return `${f.join(' ')}\n`;
}

function proc_pid_status(k: Kernel, p: Process): string {
  const s = state(p);
  const stateName = { R: 'R (running)', S: 'S (sleeping)', T: 'T (stopped)', Z: 'Z (zombie)' }[s];
  const stack = p.mm.vmas.find((v) => v.name === '[stack]');
  const heap = p.mm.vmas.filter((v) => v.name === '[heap]' || (!v.name && v.flags & VM_WRITE));
  const cpus = [...new Set([...p.threads].map((t) => t.cpu))].sort((a, b) => a - b).join(',');
  const lines: [string, string][] = [
    ['Name', p.comm], ['Umask', '0022'], ['State', stateName], ['Tgid', String(p.pid)], ['Ngid', '0'],
    ['Pid', String(p.pid)], ['PPid', String(p.parent?.pid ?? 0)], ['TracerPid', '0'],
    ['Uid', '0\t0\t0\t0'], ['Gid', '0\t0\t0\t0'], ['FDSize', '64'], ['Groups', ''],
    ['VmPeak', `${kb(vm_size(p)).padStart(8)} kB`], ['VmSize', `${kb(vm_size(p)).padStart(8)} kB`],
    ['VmRSS', `${String(p.mm.rss * 4).padStart(8)} kB`],
    ['VmData', `${kb(heap.reduce((n, v) => n + v.size, 0n)).padStart(8)} kB`],
    ['VmStk', `${kb(stack?.size ?? 0n).padStart(8)} kB`],
    ['VmPTE', `${String(p.mm.nr_tables * 4).padStart(8)} kB`],
    ['Threads', String(p.threads.size)],
    ['SigBlk', first_thread(p)?.sigmask.toString(16).padStart(16, '0') ?? '0'.repeat(16)],
    ['Cpus_allowed_list', cpus || '0'],
  ];
  void k;
  return lines.map(([a, b]) => `${a}:\t${b}\n`).join('');
}

/** argv from the process's memory (pages it never touched read as zero, as get_user_pages would fault them in). */
function proc_pid_cmdline(k: Kernel, p: Process): string {
  const mm = p.mm;
  const out: number[] = [];
  for (let va = mm.arg_start; va < mm.arg_end; va++) {
    const at = mm.lookup(va);
    out.push(at ? k.machine.ram.u8(at.pa) : 0);
  }
  return Buffer.from(out).toString('latin1');
}

function show_map(p: Process): string {
  return p.mm.vmas
    .map((v) => {
      const perms = `${v.flags & VM_READ ? 'r' : '-'}${v.flags & VM_WRITE ? 'w' : '-'}${v.flags & VM_EXEC ? 'x' : '-'}${v.flags & VM_SHARED ? 's' : 'p'}`;
      const head = `${v.start.toString(16).padStart(8, '0')}-${v.end.toString(16).padStart(8, '0')} ${perms} 00000000 00:00 0`;
      return v.name ? `${head.padEnd(73)}${v.name}\n` : `${head}\n`;
    })
    .join('');
}

/** Register the /proc/PID files of a new process. */
export function proc_pid_register(k: Kernel, p: Process): void {
  const base = `/proc/${p.pid}`;
  k.proc.register(`${base}/stat`, () => proc_pid_stat(k, p));
  k.proc.register(`${base}/status`, () => proc_pid_status(k, p));
  k.proc.register(`${base}/cmdline`, () => proc_pid_cmdline(k, p));
  k.proc.register(`${base}/comm`, () => `${p.comm}\n`);
  k.proc.register(`${base}/maps`, () => show_map(p));
}

/** The process is released: its directory goes. */
export function proc_pid_unregister(k: Kernel, pid: number): void {
  for (const f of FILES) k.proc.unregister(`/proc/${pid}/${f}`);
}

void PAGE;
