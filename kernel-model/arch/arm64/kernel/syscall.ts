// SPDX-License-Identifier: GPL-2.0-only
/*
 * The way into a system call from EL0 (arch/arm64/kernel/syscall.c,
 * el0_svc): the arguments from x0..x5, the number from x8, x0 back.
 *
 * Two paths. The fast one runs inside the core's trap hook with the
 * caller's registers read in one batch (TPIDR_EL1 among them, for the
 * per-CPU context) and the core carrying on in the same slice: every call
 * that neither ends nor blocks its task. The slow one runs after the core
 * stopped for the trap: exit and exit_group end the task; nanosleep and
 * sched_yield may block it (its state is saved, the core goes idle, the
 * scheduler resumes it later with its x0).
 *
 * One SyscallContext per CPU, made once: the fast path allocates nothing.
 */

import type { Kernel } from '../../../kernel';
import { KernelPanic } from '../../../kernel';
import type { CoreAction } from '../../../../emulator/machine';
import type { SvcCall } from '../../../../emulator/core';
import type { Trap } from '../../../../emulator/traps';
import { LEAVES_FAST_PATH, invokeSyscall, syscall_nargs, type SyscallContext } from '../../../kernel/sys';
import { copyFromUser, copyToUser } from '../../../kernel/uaccess';

export class SyscallEntry {
  private readonly contexts: SyscallContext[] = [];
  private readonly args = [0n, 0n, 0n, 0n, 0n, 0n];
  /** Per core, a reader of TPIDR_EL1 from its svc register block (the call object is the core's, made once). */
  private readonly offsetReaders: (() => bigint)[] = [];

  constructor(private readonly k: Kernel) {}

  private context(cpu: number): SyscallContext {
    const k = this.k;
    let ctx = this.contexts[cpu];
    if (!ctx) {
      const core = k.machine.core(cpu);
      const c: SyscallContext = {
        cpu,
        task: k.sched.curr[cpu]!,
        copyFromUser: (va, len) => copyFromUser(core, k.machine.ram, va, len),
        copyToUser: (va, data) => copyToUser(core, k.machine.ram, va, data),
        consoleWrite: (data) => k.consoleWrite(data),
        nowNs: () => k.clockNs(),
        exit: (code) => {
          c.task.exitCode = code;
        },
      };
      ctx = this.contexts[cpu] = c;
    }
    ctx.task = k.sched.curr[cpu]!;
    return ctx;
  }

  /**
   * Answer `call` on the spot if it can be: x0, which the native trap hook
   * writes back; undefined sends it down the slow path.
   */
  fast(call: SvcCall): bigint | undefined {
    const nr = call.nr32;
    if (LEAVES_FAST_PATH.has(nr)) return undefined;
    const k = this.k;
    const core = k.machine.cores[call.core]!;
    k.enter(core, k.sched.curr[call.core]!, (this.offsetReaders[call.core] ??= () => call.tpidrEl1));
    try {
      const n = syscall_nargs(nr);
      for (let i = 0; i < n; i++) this.args[i] = call.arg(i);
      const ret = invokeSyscall(this.context(call.core), nr, this.args);
      if (typeof ret !== 'bigint') throw new KernelPanic(`system call ${nr} blocked in the fast path (add it to LEAVES_FAST_PATH)`);
      return ret;
    } finally {
      k.leave();
    }
  }

  /** A system call that stopped the core (the kernel's trap entry has set the per-CPU context). */
  slow(trap: Trap): CoreAction {
    const k = this.k;
    const core = k.machine.core(trap.core);
    const ctx = this.context(trap.core);
    for (let i = 0; i < 6; i++) this.args[i] = core.trapX(i);
    const ret = invokeSyscall(ctx, Number(BigInt.asIntN(32, core.trapX(8))), this.args);
    if (ctx.task.exitCode !== undefined) return k.taskExited(trap.core, ctx.task.exitCode);
    if (typeof ret === 'bigint') {
      core.setX(0, ret);
      return { resume: trap.pc };
    }
    if (ret.kind === 'yield') {
      if (!k.sched.yieldUser(core, trap.pc)) {
        core.setX(0, ret.ret);
        return { resume: trap.pc };
      }
      return k.toIdle(trap.core);
    }
    k.sched.blockUser(core, trap.pc, ret.ret, ret.what, ret.untilNs);
    return k.toIdle(trap.core);
  }
}
