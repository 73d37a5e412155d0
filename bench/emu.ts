// SPDX-License-Identifier: GPL-2.0-only
/*
 * The emulator suite: what the machine costs.
 *
 *  - guest MIPS on an ALU loop and on a load/store loop, under the
 *    deterministic scheduler (counted slices) and free-running (one
 *    uncounted uc_emu_start on a fresh machine), side by side;
 *  - the svc round trip: EL0 `svc #0` into the TypeScript kernel and back,
 *    per call, from a loop of getpid at EL0;
 *  - the cost of one scheduler slice (four cores, small slices against
 *    large ones, same work);
 *  - boot: bootUconsole() to "smp: Brought up" in this process, and the
 *    whole `uconsole boot` process from spawn to exit.
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Machine } from '../emulator/machine';
import { assemble } from '../emulator/arm64/assembler';
import { bootUconsole } from '../api/uconsole';
import { NR } from '../kernel-model/include/unistd';
import { BRK } from '../kernel-model/arch/arm64/kernel/kcalls';
import { projectRoot } from '../images/build';
import { uconsoleCm4 } from '../emulator/board/boards';
import { gitRevision, timeMs, type BenchReport, type BenchRow } from './report';

export interface EmuParams {
  /** Iterations of the ALU and load/store loops (5 instructions each). */
  loops: number;
  /** svc round trips. */
  syscalls: number;
  /** Boots to average. */
  boots: number;
}

export const EMU_DEFAULTS: EmuParams = { loops: 20_000_000, syscalls: 200_000, boots: 3 };

const CODE = 0x10_0000;
const DATA = 0x20_0000;
const INSNS_PER_LOOP = 5;

const ALU_LOOP = `
    mov64 x0, LOOPS
1:  add x1, x1, #1
    eor x2, x2, x1
    add x3, x3, x2
    subs x0, x0, #1
    b.ne 1b
    hvc #1`;

const LDST_LOOP = `
    mov64 x1, DATA
    mov64 x0, LOOPS
1:  ldr x2, [x1]
    add x2, x2, #1
    str x2, [x1]
    subs x0, x0, #1
    b.ne 1b
    hvc #1`;

async function loopMachine(src: string, loops: number, cores = 1, sliceInsns?: number): Promise<Machine> {
  const m = await Machine.create({ board: 'uconsole-cm4', ram: 2 ** 30, sliceInsns });
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

/** MIPS under the scheduler: counted slices, as every machine runs. */
async function scheduledMips(src: string, loops: number): Promise<number> {
  const m = await loopMachine(src, loops);
  try {
    const ms = timeMs(() => m.run());
    return (loops * INSNS_PER_LOOP) / (ms * 1000);
  } finally {
    m.dispose();
  }
}

/** MIPS free-running: one uncounted start on an engine that never counted. */
async function freeMips(src: string, loops: number): Promise<number> {
  const m = await loopMachine(src, loops);
  try {
    const core = m.core(0);
    const ms = timeMs(() => core.runSlice(0));
    return (loops * INSNS_PER_LOOP) / (ms * 1000);
  } finally {
    m.dispose();
  }
}

/** Microseconds per scheduler slice: the same work in small and in large slices. */
async function sliceCostUs(loops: number): Promise<number> {
  const small = 1000;
  const run = async (slice: number): Promise<{ ms: number; slices: number }> => {
    const m = await loopMachine(ALU_LOOP, loops, 4, slice);
    try {
      const ms = timeMs(() => m.run());
      return { ms, slices: m.cores.reduce((s, c) => s + c.slices, 0) };
    } finally {
      m.dispose();
    }
  };
  const a = await run(small);
  const b = await run(1_000_000);
  return ((a.ms - b.ms) * 1000) / (a.slices - b.slices);
}

/** Microseconds per EL0 svc round trip, from a getpid loop at EL0. */
async function svcRoundTripUs(n: number): Promise<number> {
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
    buf.write(code.bytes);
    const where = u.machine.core(1).translate(buf.va);
    if (!where.ok) throw new Error('the harness buffer is not mapped');
    u.machine.codeChanged(where.pa, code.bytes.length, buf.va);
    const ms = timeMs(() => u.kernel.harness.runUser(1, buf.va));
    return (ms * 1000) / n;
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

function processBootMs(): number | undefined {
  const cli = join(projectRoot(), 'dist', 'uconsole.mjs');
  if (!existsSync(cli)) return undefined;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'boot'], { stdio: 'ignore' });
  return r.status === 0 ? performance.now() - t0 : undefined;
}

export async function benchEmu(p: EmuParams, progress: (s: string) => void): Promise<BenchReport> {
  const rows: BenchRow[] = [];
  const add = (variant: string, test: string, metric: string, unit: string, value: number): void => {
    rows.push({ variant, test, metric, unit, value });
  };
  progress('ALU loop');
  add('scheduled', 'alu-loop', 'mips', 'MIPS', await scheduledMips(ALU_LOOP, p.loops));
  add('free-running', 'alu-loop', 'mips', 'MIPS', await freeMips(ALU_LOOP, p.loops));
  progress('load/store loop');
  add('scheduled', 'ldst-loop', 'mips', 'MIPS', await scheduledMips(LDST_LOOP, p.loops / 4));
  add('free-running', 'ldst-loop', 'mips', 'MIPS', await freeMips(LDST_LOOP, p.loops / 4));
  progress('scheduler slice');
  add('scheduled', 'slice', 'slice_us', 'us', await sliceCostUs(p.loops / 10));
  progress('svc round trip');
  add('el0', 'svc-round-trip', 'syscall_us', 'us', await svcRoundTripUs(p.syscalls));
  progress('boot');
  let boot = 0;
  for (let i = 0; i < p.boots; i++) boot += await bootToSmpMs();
  add('in-process', 'boot-to-smp', 'boot_ms', 'ms', boot / p.boots);
  const proc = processBootMs();
  if (proc !== undefined) add('process', 'uconsole-boot', 'wall_ms', 'ms', proc);
  return {
    suite: 'emu',
    board: 'uconsole-cm4',
    cmdline: uconsoleCm4.defaultCmdline,
    revision: gitRevision(),
    params: { ...p },
    results: rows,
  };
}
