// SPDX-License-Identifier: GPL-2.0-only
/*
 * uconsole bench syscall: user space on the booted uconsole-cm4.
 *
 *   getpid           EL0 svc round trip (a loop of svc at EL0, per call)
 *   page-fault       first touch of an anonymous page (a loop storing to
 *                    each page of a fresh mmap, less the same loop again
 *                    once the pages are there), per fault
 *   mmap-munmap      a one-page anonymous mmap and its munmap, per pair
 *   bpf-map          BPF percpu hash create + fill + destroy of N
 *                    elements (bpf-storm from the initramfs), once per
 *                    percpu allocator (percpu_alloc_map=bitmap / =area)
 *   run vs qemu      the same static programs (compute-bound and
 *                    output-heavy: the project's own, and busybox's `seq`
 *                    and a shell loop at the sizes issue 12 names, about
 *                    0.5 s and 1.3 s under qemu-aarch64) under `uconsole
 *                    run` and under Debian's qemu-aarch64, whole
 *                    processes, side by side; and the
 *                    program alone on an already booted machine
 *                    (`uconsole-exec`: Harness.exec, boot excluded), the
 *                    busybox shell loop also warm, best of --run-repeats,
 *                    there and on a machine in the free-running mode
 *                    (`uconsole-exec-free-running`: no block hook, so
 *                    what the deterministic slices cost); and
 *                    `uconsole run` again with UCONSOLE_STORE_PATH=off
 *                    (Unicorn 2.0.1's own store path, the A/B of
 *                    emulator/native/uc_store_path.c) and, for busybox,
 *                    with UCONSOLE_ENGINE_PAGES=1k (2.0.1's 1 KB engine
 *                    pages, the A/B of ucs_set_page_bits) and with
 *                    UCONSOLE_INLINE_COUNT=off (the block counter as a
 *                    call per block, the A/B of "The block counter
 *                    inline" in uc_store_path.c) and with
 *                    UCONSOLE_ACCESS_EXIT_CHECKS=on (2.0.1's exit check
 *                    after every load and store, the A/B of
 *                    ucs_skip_access_exit_checks) and with
 *                    UCONSOLE_MALLOC_HUGEPAGES=off (glibc's malloc in
 *                    4 KB pages, the A/B of emulator/unicorn/host-malloc.ts)
 *                    and with UCONSOLE_JMP_L2=off (QEMU's jump cache
 *                    alone, the A/B of "The jump cache's second level" in
 *                    uc_store_path.c) and started as `node
 *                    bin/uconsole.mjs` (node-direct: the A/B of
 *                    bin/uconsole, the launcher).
 *                    Each process
 *                    runs --run-repeats times, the variants of a program
 *                    interleaved, and its best wall and CPU times are kept,
 *                    as the host is shared and its speed varies
 *   processes        shell loop, fork+exit+wait, fork+exec+wait, pipe
 *                    throughput through cat, each beside qemu-aarch64
 *                    (bench/process.ts)
 *
 * Times are the host's wall clock unless a row says cpu (the child's user
 * and system time, from /usr/bin/time); every row is measured in this one
 * run.
 */

import { childProcess } from '../lib/host-modules';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { assemble } from '../emulator/arm64/assembler';
import { bootUconsole, type Uconsole } from '../api/uconsole';
import { NR } from '../kernel-model/include/unistd';
import { BRK } from '../kernel-model/arch/arm64/kernel/kcalls';
import { readNewc } from '../lib/cpio/newc';
import { bootDir, ensureImages } from '../images/build';
import { projectRoot } from '../lib/project-root';
import { gitRevision, type BenchReport, type BenchRow } from './report';
import { open_exec } from '../kernel-model/fs/exec';
import { benchProcesses, onHost, PROCESS_DEFAULTS, shellLoop, type ProcessParams, type Times } from './process';

export interface SyscallParams extends ProcessParams {
  syscalls: number;
  faults: number;
  pairs: number;
  bpfElements: number;
  seqLines: number;
  computeRounds: number;
  /** Iterations of busybox's shell loop under `uconsole run` and qemu-aarch64. */
  runLoopIterations: number;
  /** Runs of each run-vs-qemu process (variants interleaved), best kept. */
  runRepeats: number;
}

export const SYSCALL_DEFAULTS: SyscallParams = {
  syscalls: 200_000,
  faults: 2_000,
  pairs: 5_000,
  bpfElements: 10_000,
  seqLines: 200_000,
  computeRounds: 20_000_000,
  runLoopIterations: 100_000,
  runRepeats: 3,
  ...PROCESS_DEFAULTS,
};

const timeMs = (f: () => void): number => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};

/** Run EL0 code on CPU 1 of `u` from its harness buffer; wall ms. */
async function el0Ms(u: Uconsole, src: string, defs: Record<string, bigint | number>): Promise<number> {
  const buf = u.userBuffer(1);
  const code = await assemble(`${src}\nbrk #BRK_RET`, buf.va, { ...defs, BRK_RET: BRK.HARNESS_RETURN });
  buf.writeCode(code.bytes);
  let ms = 0;
  const r = (() => {
    const t0 = performance.now();
    const run = u.kernel.harness.runUser(1, buf.va, new Map(), { maxRounds: Infinity });
    ms = performance.now() - t0;
    return run;
  })();
  if (r.signal) throw new Error(`bench code died of signal ${r.signal}`);
  return ms;
}

const MMAP = `mov x0, #0\nmov64 x1, LEN\nmov x2, #3\nmov x3, #0x22\nmov x4, #-1\nmov x5, #0\nmov x8, #NR_mmap\nsvc #0`;

async function faultUs(u: Uconsole, n: number): Promise<number> {
  const addr = u.syscall(1, NR.mmap, 0, n * 4096, 3, 0x22, -1, 0);
  const touch = `mov64 x1, ADDR\nmov64 x2, N\n1: str x2, [x1]\nadd x1, x1, #4096\nsubs x2, x2, #1\nb.ne 1b`;
  const first = await el0Ms(u, touch, { ADDR: addr, N: n });
  const again = await el0Ms(u, touch, { ADDR: addr, N: n });
  u.syscall(1, NR.munmap, addr, n * 4096);
  return ((first - again) * 1000) / n;
}

/** Extract initramfs programs to host files (for qemu-aarch64 and uconsole run). */
function extractPrograms(names: string[]): { dir: string; paths: Map<string, string> } {
  const cpio = readFileSync(join(bootDir('uconsole-cm4'), 'initramfs.cpio'));
  const dir = mkdtempSync(join(tmpdir(), 'uconsole-bench-'));
  const paths = new Map<string, string>();
  for (const e of readNewc(cpio)) {
    const name = e.name.replace(/^bin\//, '');
    if (names.includes(name) && e.data) {
      const p = join(dir, name);
      writeFileSync(p, e.data);
      chmodSync(p, 0o755);
      paths.set(name, p);
    }
  }
  return { dir, paths };
}

function qemuBinary(): string | undefined {
  for (const q of ['qemu-aarch64', 'qemu-aarch64-static']) {
    try {
      childProcess().execFileSync(q, ['--version'], { stdio: 'ignore' });
      return q;
    } catch {
      /* not installed */
    }
  }
  return undefined;
}


/**
 * The A/B variants of `uconsole run`: the engine as Debian ships it, one
 * part at a time (an environment for the engine), and Node started on
 * bin/uconsole.mjs directly instead of through bin/uconsole (so with
 * NODE_EXTRA_CA_CERTS where the host sets it, without glibc's malloc
 * tunables from the start, and through Node's ES module loader).
 */
const RUN_AB = {
  'stock-store-path': { env: { UCONSOLE_STORE_PATH: 'off' } },
  '1k-pages': { env: { UCONSOLE_ENGINE_PAGES: '1k' } },
  'call-per-block': { env: { UCONSOLE_INLINE_COUNT: 'off' } },
  'access-exit-checks': { env: { UCONSOLE_ACCESS_EXIT_CHECKS: 'on' } },
  'malloc-4k': { env: { UCONSOLE_MALLOC_HUGEPAGES: 'off' } },
  'jump-cache-l1-only': { env: { UCONSOLE_JMP_L2: 'off' } },
  'node-direct': { direct: true },
} as const satisfies Record<string, { env?: Record<string, string>; direct?: true }>;

/** `uconsole ARGS...` as a whole process, as the variant `v` (if any) starts it. */
function uconsoleOnHost(args: string[], v?: keyof typeof RUN_AB): Times {
  const bin = join(projectRoot(), 'bin');
  const ab: { env?: Record<string, string>; direct?: true } | undefined = v && RUN_AB[v];
  const env = { ...process.env, ...ab?.env };
  return ab?.direct ? onHost(process.execPath, [join(bin, 'uconsole.mjs'), ...args], env) : onHost(join(bin, 'uconsole'), args, env);
}

/** A program run against qemu-aarch64: its initramfs name, the test, argv after the name, and the A/B variants that run it too. */
interface Program {
  name: string;
  test: string;
  args: string[];
  ab: (keyof typeof RUN_AB)[];
}

const BUSYBOX_AB: Program['ab'] = ['1k-pages', 'call-per-block', 'access-exit-checks', 'malloc-4k', 'jump-cache-l1-only', 'node-direct'];

function programs(p: SyscallParams): Program[] {
  return [
    { name: 'compute', test: 'compute-bound', args: [String(p.computeRounds)], ab: ['stock-store-path'] },
    { name: 'seq', test: 'output-heavy', args: [String(p.seqLines)], ab: ['stock-store-path'] },
    { name: 'busybox', test: 'busybox-seq', args: ['seq', String(p.seqLines)], ab: BUSYBOX_AB },
    { name: 'busybox', test: 'busybox-shell-loop', args: ['sh', '-c', shellLoop(p.runLoopIterations, '')], ab: BUSYBOX_AB },
  ];
}

/** Program `q` from the initramfs on the booted machine `u` (Harness.exec on CPU 1, boot excluded): wall ms. */
function execMs(u: Uconsole, q: Program): number {
  const vfs = u.kernel.rootfs!;
  const file = open_exec(vfs.root, vfs.root, `/bin/${q.name}`);
  let code: number | undefined;
  const ms = timeMs(() => {
    code = u.kernel.harness.exec(file, `/bin/${q.name}`, [q.name, ...q.args], { cpu: 1, maxRounds: Infinity, stdio: () => {} }).exitCode;
  });
  if (code !== 0) throw new Error(`${q.name} failed`);
  return ms;
}

/** The best wall and the best CPU time of `repeats` rounds of every runner, interleaved. */
function bestOf(repeats: number, runners: Map<string, () => Times>): Map<string, Times> {
  const best = new Map<string, Times>();
  for (let i = 0; i < repeats; i++) {
    for (const [variant, run] of runners) {
      const t = run();
      const b = best.get(variant);
      best.set(variant, b ? { wallMs: Math.min(b.wallMs, t.wallMs), cpuMs: Math.min(b.cpuMs, t.cpuMs) } : t);
    }
  }
  return best;
}

export async function benchSyscall(p: SyscallParams, progress: (s: string) => void): Promise<BenchReport> {
  await ensureImages();
  const rows: BenchRow[] = [];
  const add = (variant: string, test: string, metric: string, unit: string, value: number): void => {
    rows.push({ variant, test, metric, unit, value });
  };
  const { dir, paths } = extractPrograms(['seq', 'compute', 'busybox']);
  const qemu = qemuBinary();
  if (!qemu) progress('qemu-aarch64 is not installed (apt-get install qemu-user-static): its rows are left out');
  const u = await bootUconsole({ board: 'uconsole-cm4' });
  try {
    progress('getpid');
    const ms = await el0Ms(u, '    mov64 x19, COUNT\n1:  mov x8, #NR_getpid\n    svc #0\n    subs x19, x19, #1\n    b.ne 1b', { COUNT: p.syscalls, NR_getpid: NR.getpid });
    add('el0', 'getpid', 'round_trip_us', 'us', (ms * 1000) / p.syscalls);
    progress('page faults');
    add('el0', 'page-fault', 'fault_us', 'us', await faultUs(u, p.faults));
    progress('mmap/munmap');
    const pairMs = await el0Ms(
      u,
      `mov64 x19, COUNT\n2: ${MMAP}\nmov64 x1, LEN\nmov x8, #NR_munmap\nsvc #0\nsubs x19, x19, #1\nb.ne 2b`,
      { COUNT: p.pairs, LEN: 4096, NR_mmap: NR.mmap, NR_munmap: NR.munmap },
    );
    add('el0', 'mmap-munmap', 'pair_us', 'us', (pairMs * 1000) / p.pairs);
    for (const q of programs(p)) {
      if (!paths.has(q.name)) continue;
      progress(`${q.name} ${q.args.join(' ')} on the booted machine`);
      add('uconsole-exec', q.test, 'wall_ms', 'ms', execMs(u, q));
    }
    if (paths.has('busybox')) rows.push(...benchProcesses(u, qemu, paths.get('busybox'), p, progress));
    else progress('no /bin/busybox in the initramfs (npx uconsole fetch busybox): process rows left out');
  } catch (e) {
    u.shutdown();
    throw e;
  }

  // What the deterministic slices cost: busybox's shell loop, warm (its
  // code translated), best of --run-repeats, on the machine above and on
  // one whose cores run without the block hook.
  const loop = programs(p).find((q) => q.test === 'busybox-shell-loop')!;
  try {
    if (paths.has('busybox')) {
      const free = await bootUconsole({ board: 'uconsole-cm4', exec: 'free-running' });
      try {
        progress(`busybox's shell loop, warm, on the booted machine and on a free-running one, best of ${p.runRepeats}, interleaved`);
        const machines = [['uconsole-exec', u], ['uconsole-exec-free-running', free]] as const;
        const best = machines.map(() => Infinity);
        for (let i = 0; i <= p.runRepeats; i++) {
          machines.forEach(([, m], k) => {
            const ms = execMs(m, loop);
            if (i > 0) best[k] = Math.min(best[k]!, ms); // the first run translates busybox's code
          });
        }
        machines.forEach(([variant], k) => add(variant, 'busybox-shell-loop-warm', 'wall_ms', 'ms', best[k]!));
      } finally {
        free.shutdown();
      }
    }
  } finally {
    u.shutdown();
  }
  const det = rows.find((r) => r.variant === 'uconsole-exec' && r.test === 'busybox-shell-loop-warm');
  const fr = rows.find((r) => r.variant === 'uconsole-exec-free-running' && r.test === 'busybox-shell-loop-warm');
  if (det && fr) add('deterministic/free-running', 'busybox-shell-loop-warm', 'wall_ratio', 'x', det.value / fr.value);

  for (const alloc of ['bitmap', 'area']) {
    progress(`bpf map of ${p.bpfElements} elements, percpu_alloc_map=${alloc}`);
    const b = await bootUconsole({ board: 'uconsole-cm4', cmdline: `console=ttyS0 percpu_alloc_map=${alloc}` });
    try {
      const vfs = b.kernel.rootfs;
      let file: Uint8Array;
      try {
        file = open_exec(vfs!.root, vfs!.root, '/bin/bpf-storm');
      } catch {
        progress('no /bin/bpf-storm in the initramfs (no cross compiler at setup): bpf rows left out');
        break;
      }
      let result: ReturnType<typeof b.kernel.harness.exec> | undefined;
      const ms = timeMs(() => {
        result = b.kernel.harness.exec(file, '/bin/bpf-storm', ['bpf-storm', '1', String(p.bpfElements), '8', 'hash'], { cpu: 1, maxRounds: Infinity });
      });
      if (result?.exitCode !== 0) throw new Error(`bpf-storm failed: ${result?.stderr}`);
      add(alloc, 'bpf-percpu-hash', 'create_fill_destroy_ms', 'ms', ms);
    } finally {
      b.shutdown();
    }
  }

  try {
    for (const { name, test, args, ab } of programs(p)) {
      const path = paths.get(name);
      if (!path) {
        progress(`no /bin/${name} in the initramfs: run-vs-qemu rows left out`);
        continue;
      }
      progress(`${name} ${args.join(' ')} under uconsole run${qemu ? ` and ${qemu}` : ''}, best of ${p.runRepeats}`);
      const runners = new Map<string, () => Times>([['uconsole-run', () => uconsoleOnHost(['run', path, '--', ...args])]]);
      if (qemu) runners.set('qemu-aarch64', () => onHost(qemu, [path, ...args]));
      for (const v of ab) runners.set(`uconsole-run-${v}`, () => uconsoleOnHost(['run', path, '--', ...args], v));
      for (const [variant, t] of bestOf(p.runRepeats, runners)) {
        add(variant, test, 'wall_ms', 'ms', t.wallMs);
        add(variant, test, 'cpu_ms', 'ms', t.cpuMs);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const { test } of programs(p)) {
    for (const metric of ['wall_ms', 'cpu_ms']) {
      const mine = rows.find((r) => r.variant === 'uconsole-run' && r.test === test && r.metric === metric);
      const q = rows.find((r) => r.variant === 'qemu-aarch64' && r.test === test && r.metric === metric);
      if (mine && q) add('uconsole-run/qemu-aarch64', test, `${metric.slice(0, -3)}_ratio`, 'x', mine.value / q.value);
    }
  }
  return { suite: 'syscall', board: 'uconsole-cm4', cmdline: '', revision: gitRevision(), params: { ...p }, results: rows };
}
