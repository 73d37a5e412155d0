// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test harness: how TypeScript (tests, benchmarks, the API) makes a
 * chosen core run real code and waits for it.
 *
 *  - syscall(cpu, nr, args): EL0 code (the image's one-page stub, mapped
 *    read-only and executable at USER_TEXT) issues `svc #0` and returns
 *    with `brk #BRK_HARNESS_RETURN`;
 *  - runUser(cpu, entry): any EL0 code, until that brk, an exit, or a
 *    fatal signal;
 *  - probe(cpu, sym, args): one of the image's EL1 probes (an ldr or str
 *    through the core's MMU), back with `hvc #KCALL_RETURN`.
 *
 * The core must be idle in the kernel. It is brought back to EL1 from its
 * snapshot, pointed at the code, and the scheduler runs until the call
 * completes; the kernel's trap handlers complete it (done/exited/killed).
 * The code runs as the thread of the harness process (pid 1) on that CPU.
 * A call that does not complete within `maxRounds` scheduler rounds is
 * stopped and reported, so a runaway loop cannot hang the host.
 */

import type { Kernel } from '../kernel';
import type { Core } from '../../emulator/core';
import { REG_ELR_EL1, REG_SP_EL0, SYSREG } from '../../emulator/unicorn/constants';
import { USER_BUFFERS, USER_TEXT } from '../arch/arm64/mm/mmu';
import { harnessThread } from './task';

/** How a call ended: x0 (signed), or the exit code, or the signal that killed the task. */
export interface UserRun {
  ret: bigint;
  exited?: number;
  signal?: number;
}

interface Pending {
  result?: bigint;
  exited?: number;
  signal?: number;
}

/** Scheduler rounds a call may take by default (~10^10 instructions at the default slice). */
export const HARNESS_MAX_ROUNDS = 100_000;

export class HarnessError extends Error {
  override name = 'HarnessError';
}

export class Harness {
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly k: Kernel) {}

  /** Is a harness call running on `cpu` (the kernel's trap handlers ask)? */
  active(cpu: number): boolean {
    return this.pending.has(cpu);
  }

  /* The kernel completes a call with one of these. */
  done(cpu: number, x0: bigint): void {
    this.pending.get(cpu)!.result = x0;
  }
  exited(cpu: number, code: number): void {
    const p = this.pending.get(cpu);
    if (p) p.exited = code;
  }
  killed(cpu: number, signal: number): void {
    const p = this.pending.get(cpu);
    if (p) p.signal = signal;
  }

  /** `svc #0` at EL0 on `cpu` with x8 = nr, x0.. = args. */
  syscall(cpu: number, nr: number, args: readonly (bigint | number)[]): UserRun {
    if (args.length > 6) throw new HarnessError('a system call takes at most 6 arguments');
    const regs = new Map<number, bigint>(args.map((a, i) => [i, BigInt(a)]));
    regs.set(8, BigInt(nr));
    return this.runUser(cpu, USER_TEXT, regs);
  }

  /** Run EL0 code on `cpu` from `entry`, registers x0..x8 preset from `regs`. */
  runUser(cpu: number, entry: bigint, regs: ReadonlyMap<number, bigint> = new Map(), opts: { sp?: bigint; maxRounds?: number } = {}): UserRun {
    const core = this.idleCore(cpu);
    this.k.current[cpu] = harnessThread(cpu);
    core.restoreEl1();
    for (let i = 0; i <= 8; i++) core.setX(i, regs.get(i) ?? 0n);
    enterUser(core, entry, opts.sp ?? 0n);
    this.k.machine.start(cpu, this.k.addr('ret_to_user'));
    return this.wait(cpu, opts.maxRounds);
  }

  /** The page of buffer memory of `cpu`'s harness thread: its user VA. */
  buffer(cpu: number): bigint {
    return USER_BUFFERS + BigInt(cpu * 4096);
  }

  /** Run one of the image's EL1 probes on `cpu` through its MMU; returns its x0 (-EFAULT on a fault). */
  probe(cpu: number, sym: 'probe_read64' | 'probe_write64', args: readonly bigint[]): bigint {
    const core = this.idleCore(cpu);
    core.restoreEl1();
    args.forEach((a, i) => core.setX(i, a));
    this.k.machine.start(cpu, this.k.addr(sym));
    return this.wait(cpu).ret;
  }

  private idleCore(cpu: number): Core {
    const k = this.k;
    if (k.state !== 'running') throw new HarnessError(`the kernel is ${k.state}, not running`);
    const core = k.machine.core(cpu);
    if (!k.online[cpu]) throw new HarnessError(`cpu${cpu} is not online`);
    if (this.pending.has(cpu) || (core.state !== 'wfi' && core.state !== 'running'))
      throw new HarnessError(`cpu${cpu} is busy (${core.state})`);
    return core;
  }

  private wait(cpu: number, maxRounds = HARNESS_MAX_ROUNDS): UserRun {
    const p: Pending = {};
    const finished = (): boolean => p.result !== undefined || p.exited !== undefined || p.signal !== undefined;
    this.pending.set(cpu, p);
    try {
      this.k.machine.run({ until: finished, maxRounds });
    } finally {
      this.pending.delete(cpu);
    }
    const m = this.k.machine;
    if (m.halted) throw new HarnessError(m.status!.message);
    if (!finished()) {
      this.k.current[cpu] = undefined;
      this.k.returnToIdle(cpu);
      throw new HarnessError(`cpu${cpu}: still running after ${maxRounds} scheduler rounds (${maxRounds * m.sliceInsns} instructions); stopped`);
    }
    if (p.signal !== undefined) return { ret: BigInt(-p.signal), signal: p.signal };
    if (p.exited !== undefined) return { ret: BigInt(p.exited), exited: p.exited };
    return { ret: BigInt.asIntN(64, p.result ?? 0n) };
  }
}

/** Prepare an eret to EL0t at `entry` with the user stack `sp`, interrupts unmasked. */
function enterUser(core: Core, entry: bigint, sp: bigint): void {
  core.uc.regWrite(REG_ELR_EL1, entry);
  core.uc.sysWrite(SYSREG.SPSR_EL1, 0n);
  core.uc.regWrite(REG_SP_EL0, sp);
}
