// SPDX-License-Identifier: GPL-2.0-only
/*
 * The process rows of `uconsole bench syscall` (issue 13): busybox sh
 * running the same command lines on the booted uConsole (Harness.exec,
 * boot excluded) and under Debian's qemu-aarch64 on the host, side by side:
 *
 *   shell-loop       `while [ $i -lt N ]` counting to N: per iteration
 *   fork-exit-wait   the same loop running `( exit 0 )`, a subshell the
 *                    shell forks and waits for: per iteration
 *   fork-exec-wait   the same loop running `/bin/busybox true`, a fork and
 *                    an exec of a static program: per iteration. qemu-user
 *                    cannot exec an arm64 program from its guest without
 *                    binfmt_misc (the guest's execve gets ENOEXEC), so its
 *                    column is the host's sh running `qemu-aarch64 busybox
 *                    true` N times: the host forks and execs qemu, which
 *                    loads the program; the same work a user pays for.
 *   pipe             `dd if=/dev/zero bs=64k count=N | cat >/dev/null`:
 *                    MB/s through the pipe (1 MB = 2^20 bytes)
 *
 * Each figure is given as wall time and as CPU time (this process's for
 * the uConsole, the child's for qemu, read by /usr/bin/time when it is
 * there): the machine is shared, and CPU time is what load does not
 * inflate. qemu-user forks real host processes, so its column is a bar,
 * not a twin.
 */

import { childProcess } from '../lib/host-modules';
import { existsSync } from 'node:fs';
import type { Uconsole } from '../api/uconsole';
import { open_exec } from '../kernel-model/fs/exec';
import type { BenchRow } from './report';

export interface ProcessParams {
  loopIterations: number;
  forks: number;
  execs: number;
  pipeMB: number;
}

export const PROCESS_DEFAULTS: ProcessParams = { loopIterations: 20_000, forks: 1_000, execs: 200, pipeMB: 64 };

interface Case {
  test: string;
  /** busybox sh -c script, run by both. */
  script: string;
  /** The host sh script for qemu, when it cannot run `script` itself (QEMU is its path, BUSYBOX the program's). */
  hostScript?: string;
  /** Operations the script does (iterations), or MB moved for a throughput. */
  count: number;
  throughput?: boolean;
}

/** busybox sh's loop counting to n around `body`. */
export const shellLoop = (n: number, body: string): string => `i=0; while [ $i -lt ${n} ]; do ${body}i=$((i+1)); done`;

function cases(p: ProcessParams): Case[] {
  return [
    { test: 'shell-loop', script: shellLoop(p.loopIterations, ''), count: p.loopIterations },
    { test: 'fork-exit-wait', script: shellLoop(p.forks, '( exit 0 ); '), count: p.forks },
    {
      test: 'fork-exec-wait',
      script: shellLoop(p.execs, '/bin/busybox true; '),
      hostScript: shellLoop(p.execs, '"$QEMU" "$BUSYBOX" true; '),
      count: p.execs,
    },
    { test: 'pipe', script: `dd if=/dev/zero bs=65536 count=${p.pipeMB * 16} 2>/dev/null | cat >/dev/null`, count: p.pipeMB, throughput: true },
  ];
}

export interface Times {
  wallMs: number;
  cpuMs: number;
}

function onUconsole(u: Uconsole, script: string): Times {
  const vfs = u.kernel.rootfs!;
  const file = open_exec(vfs.root, vfs.root, '/bin/busybox');
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = u.kernel.harness.exec(file, '/bin/busybox', ['sh', '-c', script], { cpu: 1, maxRounds: Infinity, stdio: () => {} });
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (r.exitCode !== 0) throw new Error(`busybox sh -c '${script}' failed on the uConsole (${r.exitCode}): ${r.stderr}`);
  return { wallMs, cpuMs: (c.user + c.system) / 1000 };
}

const TIME = '/usr/bin/time';
/** /usr/bin/time counts CPU time in hundredths of a second. */
const TIME_RESOLUTION_MS = 10;

/**
 * Run a host command; its CPU time from /usr/bin/time when there, else its
 * wall time. A run shorter than /usr/bin/time's resolution reads as that
 * resolution (an upper bound), not as 0, which would make a rate infinite.
 */
export function onHost(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Times {
  const timed = existsSync(TIME);
  const t0 = performance.now();
  const r = timed
    ? childProcess().spawnSync(TIME, ['-f', 'cpu %U %S', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env, maxBuffer: 1 << 24 })
    : childProcess().spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env, maxBuffer: 1 << 24 });
  const wallMs = performance.now() - t0;
  const err = r.stderr?.toString() ?? '';
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${err.trim().split('\n').pop() ?? r.status}`);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(err);
  return { wallMs, cpuMs: m ? Math.max(TIME_RESOLUTION_MS, (Number(m[1]) + Number(m[2])) * 1000) : wallMs };
}

function onQemu(qemu: string, busybox: string, c: Case): Times {
  if (c.hostScript) return onHost('sh', ['-c', c.hostScript], { ...process.env, QEMU: qemu, BUSYBOX: busybox });
  return onHost(qemu, [busybox, 'sh', '-c', c.script]);
}

/**
 * The rows: per case, each side's wall and CPU figure (us per operation,
 * or MB/s), and the uConsole/qemu ratio of the CPU figures (>1: the
 * uConsole is slower).
 */
export function benchProcesses(u: Uconsole, qemu: string | undefined, busybox: string | undefined, p: ProcessParams, progress: (s: string) => void): BenchRow[] {
  const rows: BenchRow[] = [];
  const figure = (c: Case, ms: number): number => (c.throughput ? c.count / (ms / 1000) : (ms * 1000) / c.count);
  for (const c of cases(p)) {
    const unit = c.throughput ? 'MB/s' : 'us';
    const metric = c.throughput ? 'throughput' : 'per_op';
    progress(`${c.test} on the uConsole${qemu && busybox ? ` and under ${qemu}` : ''}`);
    const mine = onUconsole(u, c.script);
    rows.push({ variant: 'uconsole-exec', test: c.test, metric: `${metric}_wall`, unit, value: figure(c, mine.wallMs) });
    rows.push({ variant: 'uconsole-exec', test: c.test, metric: `${metric}_cpu`, unit, value: figure(c, mine.cpuMs) });
    if (!qemu || !busybox) continue;
    const q = onQemu(qemu, busybox, c);
    rows.push({ variant: 'qemu-aarch64', test: c.test, metric: `${metric}_wall`, unit, value: figure(c, q.wallMs) });
    rows.push({ variant: 'qemu-aarch64', test: c.test, metric: `${metric}_cpu`, unit, value: figure(c, q.cpuMs) });
    rows.push({ variant: 'uconsole/qemu-aarch64', test: c.test, metric: 'cpu_ratio', unit: 'x', value: mine.cpuMs / q.cpuMs });
  }
  return rows;
}
