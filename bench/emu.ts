// SPDX-License-Identifier: GPL-2.0-only
/*
 * The emulator suite: what the machine costs.
 *
 *  - guest MIPS on an ALU loop and on a load/store loop, under the
 *    deterministic scheduler (slices counted by the native block hook) and
 *    free-running (no block hook, no budget), side by side: on a bare
 *    machine (the loop at EL1 on cpu0 of a machine nothing else runs on),
 *    and on the booted default machine (uconsole-cm4 with every hook boot
 *    installs, the loop at EL0 on cpu1 through the harness, the other
 *    cores idle in the kernel), where the booted rows also show the
 *    event sites caught by single-address code hooks instead, and
 *    Unicorn's own instruction count (the 'counted' mode: how every core
 *    ran before the native part);
 *  - the svc round trip: EL0 `svc #0` into the TypeScript kernel and back,
 *    per call, from a loop of getpid at EL0 (after two warm-up runs of the
 *    same loop, so that V8 has compiled the path; the best of `repeats`);
 *  - the cost of one scheduler slice (four cores, small slices against
 *    large ones, same work);
 *  - boot: bootUconsole() to "smp: Brought up" in this process, and the
 *    whole `uconsole boot` process from spawn to exit.
 *
 * The loops, the svc loop and the slices are timed in the process's CPU
 * time (cpuTimeMs), which on an idle host is its wall time, so that other
 * work on a shared host does not count; the boots in wall time.
 */

import { childProcess } from '../lib/host-modules';
import { join } from 'node:path';
import { Machine } from '../emulator/machine';
import type { ExecMode } from '../emulator/core';
import { assemble } from '../emulator/arm64/assembler';
import { linuxBootRows } from './linux-boot';
import { bootUconsole } from '../api/uconsole';
import type { UserRun } from '../kernel-model/kernel/harness';
import { NR } from '../kernel-model/include/unistd';
import { BRK } from '../kernel-model/arch/arm64/kernel/kcalls';
import { projectRoot } from '../images/build';
import { uconsoleCm4 } from '../emulator/board/boards';
import { cpuTimeMs, gitRevision, type BenchReport, type BenchRow } from './report';

export interface EmuParams {
  /** Iterations of the ALU and load/store loops (5 instructions each). */
  loops: number;
  /** svc round trips. */
  syscalls: number;
  /** Boots to average. */
  boots: number;
  /** Boots of Debian's kernel per RAM size for the linux-boot rows (0: none; bench/linux-boot.ts). */
  linuxBoots: number;
  /** Runs of each loop figure, interleaved across its variants; the best is kept. */
  repeats: number;
}

export const EMU_DEFAULTS: EmuParams = { loops: 20_000_000, syscalls: 200_000, boots: 3, repeats: 3, linuxBoots: 1 };

const CODE = 0x10_0000;
const DATA = 0x20_0000;
const INSNS_PER_LOOP = 5;

/** The loops end with END: `hvc #1` on the bare machine, the harness's return brk at EL0. */
const ALU_LOOP = `
    mov64 x0, LOOPS
1:  add x1, x1, #1
    eor x2, x2, x1
    add x3, x3, x2
    subs x0, x0, #1
    b.ne 1b
    END`;

const LDST_LOOP = `
    mov64 x1, DATA
    mov64 x0, LOOPS
1:  ldr x2, [x1]
    add x2, x2, #1
    str x2, [x1]
    subs x0, x0, #1
    b.ne 1b
    END`;

const ending = (src: string, end: string): string => src.replace('END', end);

async function loopMachine(src: string, loops: number, cores = 1, sliceInsns?: number, exec?: ExecMode): Promise<Machine> {
  const m = await Machine.create({ board: 'uconsole-cm4', ram: 2 ** 30, sliceInsns, exec });
  src = ending(src, 'hvc #1');
  for (let c = 0; c < cores; c++) {
    const pa = CODE + c * 0x1000;
    const a = await assemble(src, BigInt(pa), { LOOPS: loops, DATA: DATA + c * 0x1000 });
    m.loadCode(pa, a.bytes);
    m.start(c, BigInt(pa));
  }
  m.onTrap = (t, mm) => {
    if (t.kind !== 'hvc') throw new Error(mm.describeTrap(t));
    mm.core(t.core).state = 'off';
    return 'stop';
  };
  return m;
}

/** A timed run of a loop: its MIPS. */
type LoopRun = () => Promise<number>;

const mipsOf = (loops: number, ms: number): number => (loops * INSNS_PER_LOOP) / (ms * 1000);

/** A loop on a bare machine under the scheduler, in the given mode (a fresh machine per run). */
function bareLoop(src: string, loops: number, exec: ExecMode): LoopRun {
  return async () => {
    const m = await loopMachine(src, loops, 1, undefined, exec);
    try {
      return mipsOf(loops, cpuTimeMs(() => m.run()));
    } finally {
      m.dispose();
    }
  };
}

/**
 * A loop on the booted default machine, in the given mode: at EL0 on cpu1
 * through the harness, its code and its data on pages of their own. One
 * boot serves every run; `close` shuts it down.
 */
async function bootedLoop(src: string, loops: number, exec: ExecMode): Promise<{ run: LoopRun; close: () => void }> {
  const u = await bootUconsole({ board: 'uconsole-cm4', exec });
  try {
    const code = u.userBuffer(1);
    const data = u.userBuffer(2);
    const a = await assemble(ending(src, 'brk #BRK_RET'), code.va, { LOOPS: loops, DATA: data.va, BRK_RET: BRK.HARNESS_RETURN });
    code.writeCode(a.bytes);
  } catch (e) {
    u.shutdown();
    throw e;
  }
  const run = async (): Promise<number> => {
    let r: UserRun | undefined;
    const ms = cpuTimeMs(() => (r = u.kernel.harness.runUser(1, u.userBuffer(1).va)));
    if (r?.signal !== undefined || r?.exited !== undefined) throw new Error(`the ${exec} loop at EL0 did not return (signal ${r.signal}, exit ${r.exited})`);
    return mipsOf(loops, ms);
  };
  return { run, close: () => u.shutdown() };
}

/**
 * The best MIPS of each variant over `repeats` rounds, the variants run in
 * turn within each round, so that a noisy neighbour slows them alike.
 */
async function bestOf(repeats: number, variants: [string, LoopRun][]): Promise<Map<string, number>> {
  const best = new Map<string, number>(variants.map(([v]) => [v, 0]));
  for (let i = 0; i < repeats; i++) {
    for (const [v, run] of variants) best.set(v, Math.max(best.get(v)!, await run()));
  }
  return best;
}


/** Microseconds per scheduler slice: the same work in small and in large slices. */
async function sliceCostUs(loops: number): Promise<number> {
  const small = 1000;
  const run = async (slice: number): Promise<{ ms: number; slices: number }> => {
    const m = await loopMachine(ALU_LOOP, loops, 4, slice);
    try {
      const ms = cpuTimeMs(() => m.run());
      return { ms, slices: m.cores.reduce((s, c) => s + c.slices, 0) };
    } finally {
      m.dispose();
    }
  };
  const a = await run(small);
  const b = await run(1_000_000);
  return ((a.ms - b.ms) * 1000) / (a.slices - b.slices);
}

/** Microseconds per EL0 svc round trip, from a getpid loop at EL0: the best of `repeats` runs after a warm-up. */
async function svcRoundTripUs(n: number, repeats: number): Promise<number> {
  const u = await bootUconsole({ board: 'uconsole-cm4' });
  try {
    const buf = u.userBuffer(1);
    const code = await assemble(`
        mov64 x19, COUNT
    1:  mov x8, #NR_getpid
        svc #0
        subs x19, x19, #1
        b.ne 1b
        brk #BRK_RET`, buf.va, { COUNT: n, NR_getpid: NR.getpid, BRK_RET: BRK.HARNESS_RETURN });
    buf.writeCode(code.bytes);
    for (let i = 0; i < 2; i++) u.kernel.harness.runUser(1, buf.va); // V8 takes a few runs to compile the path
    let best = Infinity;
    for (let i = 0; i < repeats; i++) best = Math.min(best, cpuTimeMs(() => u.kernel.harness.runUser(1, buf.va)));
    return (best * 1000) / n;
  } finally {
    u.shutdown();
  }
}

/** bootUconsole() until "smp: Brought up", in this process. */
async function bootToSmpMs(): Promise<number> {
  const t0 = performance.now();
  let text = '';
  let smp = 0;
  const u = await bootUconsole({
    onConsole: (s) => {
      text += s;
      if (!smp && s === '\n' && text.includes('smp: Brought up')) smp = performance.now();
    },
  });
  u.shutdown();
  return (smp || performance.now()) - t0;
}

/** The whole `uconsole boot` process, spawn to exit; checked to have booted. */
function processBootMs(): number {
  const cli = join(projectRoot(), 'bin', 'uconsole');
  const t0 = performance.now();
  const r = childProcess().spawnSync(cli, ['boot'], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0 || !r.stdout.includes('smp: Brought up'))
    throw new Error(`${cli} boot did not boot: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? `exit status ${r.status}`}`);
  return ms;
}

export async function benchEmu(p: EmuParams, progress: (s: string) => void): Promise<BenchReport> {
  const rows: BenchRow[] = [];
  const add = (variant: string, test: string, metric: string, unit: string, value: number): void => {
    rows.push({ variant, test, metric, unit, value });
  };
  for (const [test, src, loops] of [['alu-loop', ALU_LOOP, p.loops], ['ldst-loop', LDST_LOOP, p.loops / 4]] as const) {
    progress(`${test}: bare machine`);
    // The bare rows keep their names from before the booted ones ('scheduled' is deterministic).
    const bare = await bestOf(p.repeats, [
      ['scheduled', bareLoop(src, loops, 'deterministic')],
      ['free-running', bareLoop(src, loops, 'free-running')],
      ['counted', bareLoop(src, loops, 'counted')],
    ]);
    for (const [variant, mips] of bare) add(variant, test, 'mips', 'MIPS', mips);
    progress(`${test}: booted uconsole-cm4`);
    const modes: ExecMode[] = ['deterministic', 'free-running', 'code-hook-sites', 'counted'];
    const booted = await Promise.all(modes.map((mode) => bootedLoop(src, loops, mode)));
    try {
      const best = await bestOf(p.repeats, modes.map((mode, i) => [mode, booted[i]!.run]));
      for (const [variant, mips] of best) add(variant, `${test}-booted`, 'mips', 'MIPS', mips);
    } finally {
      for (const b of booted) b.close();
    }
  }
  progress('scheduler slice');
  add('scheduled', 'slice', 'slice_us', 'us', await sliceCostUs(p.loops / 10));
  progress('svc round trip');
  add('el0', 'svc-round-trip', 'syscall_us', 'us', await svcRoundTripUs(p.syscalls, p.repeats));
  progress('boot');
  let boot = 0;
  for (let i = 0; i < p.boots; i++) boot += await bootToSmpMs();
  add('in-process', 'boot-to-smp', 'boot_ms', 'ms', boot / p.boots);
  let proc = 0;
  for (let i = 0; i < p.boots; i++) proc += processBootMs();
  add('process', 'uconsole-boot', 'wall_ms', 'ms', proc / p.boots);
  await linuxBootRows(p.linuxBoots, add, progress);
  return {
    suite: 'emu',
    board: 'uconsole-cm4',
    cmdline: uconsoleCm4.defaultCmdline,
    revision: gitRevision(),
    params: { ...p },
    results: rows,
  };
}
