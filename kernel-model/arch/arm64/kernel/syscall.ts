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
 * One SyscallContext per CPU, made once: the fast path allocates nothing
 * but the result. What it needs to know of a call number (whether it may
 * take the fast path, how many arguments it reads) is looked up once per
 * number and kept in a byte array, so a call costs no hash lookup here.
 */

import type { Kernel } from '../../../kernel';
import { KernelPanic } from '../../../kernel';
import type { CoreAction } from '../../../../emulator/machine';
import type { SvcCall } from '../../../../emulator/core';
import type { Trap } from '../../../../emulator/traps';
import { LEAVES_FAST_PATH, invokeSyscall, syscall_nargs, type SyscallContext } from '../../../kernel/sys';
import { NeedsSlowPath, copyFromUser, copyFromUserInto, copyToUser } from '../../../kernel/uaccess';
import { UserTask } from '../../../kernel/sched/task';
import { stopping } from '../../../kernel/jobctl';
import type { MmStruct } from '../../../mm/mmap';

/** Call numbers whose fast-path facts are kept in the array (arm64's table is below 500). */
const PLANNED_NRS = 1024;
/** plans[nr]: 0 not looked up yet, 1 + nargs for a fast-path call, LEAVES for one that must stop the core. */
const LEAVES = 0xff;

function planOf(nr: number): number {
  return LEAVES_FAST_PATH.has(nr) ? LEAVES : 1 + syscall_nargs(nr);
}

export class SyscallEntry {
  private readonly contexts: SyscallContext[] = [];
  private readonly plans = new Uint8Array(PLANNED_NRS);
  private readonly args = [0n, 0n, 0n, 0n, 0n, 0n];
  /** Per core, a reader of TPIDR_EL1 from its svc register block (the call object is the core's, made once). */
  private readonly offsetReaders: (() => bigint)[] = [];

  constructor(private readonly k: Kernel) {}

  private context(cpu: number, pc: bigint, inHook: boolean): SyscallContext {
    const k = this.k;
    let ctx = this.contexts[cpu];
    if (!ctx) {
      const ram = k.machine.ram;
      const mm = (): MmStruct => (c.task as UserTask).proc!.mm;
      const c: SyscallContext = {
        cpu,
        task: k.sched.curr[cpu]!,
        kernel: k,
        pc,
        inHook,
        copyFromUser: (va, len) => copyFromUser(mm(), ram, va, len, c.inHook),
        copyFromUserInto: (va, out) => copyFromUserInto(mm(), ram, va, out, c.inHook),
        copyToUser: (va, data) => copyToUser(mm(), ram, va, data, c.inHook),
        consoleWrite: (data) => k.consoleWrite(data),
        nowNs: () => k.clockNs(),
      };
      ctx = this.contexts[cpu] = c;
    }
    ctx.task = k.sched.curr[cpu]!;
    ctx.pc = pc;
    ctx.inHook = inHook;
    return ctx;
  }

  /**
   * Answer `call` on the spot if it can be: x0, which the native trap hook
   * writes back; undefined sends it down the slow path.
   */
  fast(call: SvcCall): bigint | undefined {
    const nr = call.nr32;
    const plan = nr >= 0 && nr < PLANNED_NRS ? (this.plans[nr] ||= planOf(nr)) : planOf(nr);
    if (plan === LEAVES) return undefined;
    const k = this.k;
    const cpu = call.core;
    k.enter(k.machine.cores[cpu]!, k.sched.curr[cpu]!, (this.offsetReaders[cpu] ??= () => call.tpidrEl1));
    try {
      for (let i = 0; i < plan - 1; i++) this.args[i] = call.arg(i);
      const ret = invokeSyscall(this.context(cpu, 0n, true), nr, this.args);
      if (typeof ret !== 'bigint') throw new KernelPanic(`system call ${nr} blocked in the fast path (add it to LEAVES_FAST_PATH)`);
      return ret;
    } catch (e) {
      if (e instanceof NeedsSlowPath) return undefined;
      throw e;
    } finally {
      k.leave();
    }
  }

  /** A system call that stopped the core (the kernel's trap entry has set the per-CPU context). */
  slow(trap: Trap): CoreAction {
    const k = this.k;
    const core = k.machine.core(trap.core);
    const ctx = this.context(trap.core, trap.pc, false);
    for (let i = 0; i < 6; i++) this.args[i] = core.trapX(i);
    const nr = Number(BigInt.asIntN(32, core.trapX(8)));
    k.strace?.(ctx.task, nr, this.args);
    const ret = invokeSyscall(ctx, nr, this.args);
    if (typeof ret === 'bigint') k.straceRet?.(ret);
    if (ctx.task.state === 'dead') return k.toIdle(trap.core);
    const t = ctx.task;
    if (t instanceof UserTask && stopping(t) && (typeof ret === 'bigint' || ret.kind === 'jump' || (ret.kind === 'sleep' && ret.ret === undefined))) {
      // The call stopped its own process (job control): it stops on its way out, to return, resume or make the call again on SIGCONT.
      if (typeof ret === 'bigint') k.sched.stopUser(core, trap.pc, ret);
      else if (ret.kind === 'jump') k.sched.stopUser(core, ret.pc, undefined);
      else {
        t.cancelWait?.();
        t.cancelWait = undefined;
        k.sched.stopUser(core, trap.pc - 4n, undefined);
      }
      return k.toIdle(trap.core);
    }
    if (typeof ret === 'bigint') {
      core.setX(0, ret);
      return { resume: k.signal_return(core, ctx.task, trap.pc) };
    }
    if (ret.kind === 'jump') return { resume: k.signal_return(core, ctx.task, ret.pc) };
    if (ret.kind === 'migrate') {
      k.sched.migrateUser(core, k.machine.core(ret.cpu), trap.pc, ret.ret);
      return k.toIdle(trap.core);
    }
    if (ret.kind === 'yield') {
      if (!k.sched.yieldUser(core, trap.pc)) {
        core.setX(0, ret.ret);
        return { resume: k.signal_return(core, ctx.task, trap.pc) };
      }
      return k.toIdle(trap.core);
    }
    // With no result given, the call is made again when the task wakes (its svc re-executed).
    k.sched.blockUser(core, ret.ret === undefined ? trap.pc - 4n : trap.pc, ret.ret, ret.what, ret.untilNs);
    return k.toIdle(trap.core);
  }
}
