// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TypeScript kernel: what runs when a core traps.
 *
 * Every trap of the machine comes here. The kernel image calls in with
 * `hvc #KCALL_*` (boot entry, start_kernel, a secondary's entry); user
 * code calls in with `svc #0` at EL0; the test harness's EL0 stub returns
 * with `brk #BRK_HARNESS_RETURN`; anything else is a fault. The kernel
 * answers by editing registers and guest memory and by telling the
 * scheduler where the core goes next. A fault it cannot handle is reported
 * in one line (the PC, the address, the instruction) and halts the machine,
 * which is the model's panic; the host process carries on.
 */

import { join } from 'node:path';
import type { Machine } from '../emulator/machine';
import type { Trap } from '../emulator/traps';
import type { FdtNode, DeviceTree } from '../firmware/fdt';
import { KernelLog } from './printk';
import { Kallsyms } from './kallsyms';
import { KCALL, BRK, THREAD_SIZE, type CpuIdRegs } from './arch/arm64/kernel/kcalls';
import { start_kernel, start_kernel_switched } from './init/main';
import type { Memblock } from './mm/memblock';
import { KIMAGE_VADDR, type LinearMap } from './arch/arm64/memory';
import { USER_BUFFERS, USER_TEXT, type KernelPageTables } from './arch/arm64/mm/mmu';
import { secondary_start_kernel } from './arch/arm64/kernel/smp';
import { harnessThread, type Task } from './kernel/task';
import { invokeSyscall, type SyscallContext } from './kernel/sys';
import { copyFromUser, copyToUser } from './kernel/uaccess';
import { EFAULT } from './include/errno';
import { NR } from './include/unistd';
import { ProcFs } from './fs/proc';
import type { bootmem_init } from './mm/mm_init';
import type { PageAllocator } from './mm/page_alloc';
import type { KernelCmdline } from '../firmware/config';
import { REG_ELR_EL1, REG_SP_EL0, SYSREG } from '../emulator/unicorn/constants';
import type { Core } from '../emulator/core';

export type KernelState = 'booting' | 'running' | 'halted' | 'panic';

export class KernelPanic extends Error {
  override name = 'KernelPanic';
}

export interface KernelOptions {
  /** The boot partition, where System.map lives beside kernel8.img. */
  bootDir: string;
}

/** How a run of user code ended: x0 at the harness's brk (signed), or the exit code. */
export interface UserRun {
  ret: bigint;
  exited?: number;
}

/** What the harness is waiting for on a core. */
interface HarnessCall {
  result?: bigint;
  exited?: number;
}

export class Kernel {
  readonly log: KernelLog;
  readonly syms: Kallsyms;
  state: KernelState = 'booting';
  /** Physical address the image runs at (learnt from its first hvc). */
  textPa = 0;
  /** What setup_arch found. */
  dt?: DeviceTree;
  cmdline?: KernelCmdline;
  cmdlineText = '';
  /** Per-CPU state, indexed by logical CPU number (= core index). */
  readonly online: boolean[];
  readonly cpuRegs: (CpuIdRegs | undefined)[];
  readonly current: (Task | undefined)[];
  /** cpu node of each logical CPU, from the device tree. */
  cpuNodes: FdtNode[] = [];
  /** Early memory (setup_arch) and the kernel's translation tables (paging_init). */
  memblock?: Memblock;
  linear?: LinearMap;
  pgtables?: KernelPageTables;
  /** True once the boot CPU runs on the kernel's page tables. */
  switched = false;
  readonly proc = new ProcFs();
  /** The zones and struct page array (bootmem_init), then the buddy allocator (mm_init). */
  bootmem?: ReturnType<typeof bootmem_init>;
  pageAllocator?: PageAllocator;
  private readonly harness = new Map<number, HarnessCall>();

  constructor(readonly machine: Machine, opts: KernelOptions) {
    this.syms = Kallsyms.fromFile(join(opts.bootDir, 'System.map'));
    this.log = new KernelLog(() => machine.uptimeUsec);
    this.log.onLine((line) => this.consoleWrite(new TextEncoder().encode(`${line}\n`)));
    const n = machine.cores.length;
    this.online = new Array<boolean>(n).fill(false);
    this.cpuRegs = new Array<CpuIdRegs | undefined>(n).fill(undefined);
    this.current = new Array<Task | undefined>(n).fill(undefined);
    machine.onTrap = (trap) => this.handleTrap(trap);
    machine.onFastSvc = (trap) => trap.el === 0 && this.fastSyscall(trap);
  }

  get printk(): (line: string) => void {
    return this.log.printk;
  }

  /** Physical address of a kernel symbol (the image is position independent). */
  paddr(sym: string): bigint {
    return BigInt(this.textPa) + this.syms.offset(sym);
  }

  /** The symbol's address at KIMAGE_VADDR, where the image runs once the MMU is on. */
  vaddr(sym: string): bigint {
    return KIMAGE_VADDR + this.syms.offset(sym);
  }

  /** Where the cores run a symbol now: its VA after the switch to the kernel's tables, its PA before. */
  addr(sym: string): bigint {
    return this.switched ? this.vaddr(sym) : this.paddr(sym);
  }

  get imageSize(): number {
    return Number(this.syms.offset('_end'));
  }

  /** Bytes to the console UART, through its data register as the driver would. */
  consoleWrite(data: Uint8Array): void {
    for (const b of data) this.machine.console.write(0, 1, BigInt(b));
  }

  /* ---- traps ------------------------------------------------------------ */

  private handleTrap(trap: Trap): void {
    try {
      if (trap.kind === 'hvc' && trap.el === 1) return this.kernelCall(trap);
      if (trap.kind === 'svc' && trap.el === 0) return this.el0Syscall(trap);
      if (trap.kind === 'brk' && trap.el === 0 && trap.imm === BRK.HARNESS_RETURN) return this.harnessReturn(trap);
      this.fault(trap);
    } catch (e) {
      if (e instanceof KernelPanic) return this.panic(e.message);
      throw e;
    }
  }

  private idRegs(cpu: number): CpuIdRegs {
    const c = this.machine.core(cpu);
    return { mpidr: c.x(1), midr: c.x(2), pfr0: c.x(3), isar0: c.x(4), ctr: c.x(5) };
  }

  private kernelCall(trap: Trap): void {
    const core = this.machine.core(trap.core);
    switch (trap.imm) {
      case KCALL.EARLY_ENTRY:
        this.textPa = Number(trap.pc - this.syms.offset('__mpidr_readers_start'));
        // Each core's reads of MPIDR_EL1 in the entry code see its own affinity.
        for (const c of this.machine.cores) c.exposeIdRegisters(this.paddr('__mpidr_readers_start'), this.paddr('__mpidr_readers_end'));
        return this.resume(trap);
      case KCALL.START_KERNEL:
        this.cpuRegs[trap.core] = this.idRegs(trap.core);
        start_kernel(this, core.x(0));
        this.prepareMmuSwitch(trap.core, 'primary_switched', 'init_stack_end');
        return this.resume(trap);
      case KCALL.PRIMARY_SWITCHED:
        this.switched = true;
        // The image now runs at KIMAGE_VADDR too: make its WFI/WFE sites known there.
        this.machine.codeChanged(this.textPa, this.imageSize, KIMAGE_VADDR);
        core.saveEl1();
        start_kernel_switched(this);
        if (this.state === 'booting') this.state = 'running';
        return this.resume(trap);
      case KCALL.SECONDARY_START:
        this.cpuRegs[trap.core] = this.idRegs(trap.core);
        this.prepareMmuSwitch(trap.core, 'secondary_switched', 'secondary_stacks', (trap.core + 1) * THREAD_SIZE);
        return this.resume(trap);
      case KCALL.SECONDARY_SWITCHED:
        core.saveEl1();
        secondary_start_kernel(this, trap.core);
        return this.resume(trap);
      case KCALL.RETURN: {
        const call = this.harness.get(trap.core);
        if (!call) throw new KernelPanic(`cpu${trap.core}: kernel return with no call in progress`);
        call.result = core.x(0);
        return this.returnToIdle(trap.core);
      }
      default:
        throw new KernelPanic(`unknown kernel call hvc #${trap.imm} from cpu${trap.core}`);
    }
  }

  /** Registers for the image's __enable_mmu: the kernel's tables, then on to `continueAt`. */
  private prepareMmuSwitch(cpu: number, continueAt: string, stack: string, stackOffset = 0): void {
    const t = this.pgtables;
    if (!t) throw new KernelPanic('no kernel page tables to switch to');
    const core = this.machine.core(cpu);
    core.setX(0, t.swapper.root);
    core.setX(1, t.ttbr0.root);
    core.setX(2, t.mair);
    core.setX(3, t.tcr);
    core.setX(4, this.vaddr(continueAt));
    core.sp = this.vaddr(stack) + BigInt(stackOffset);
  }

  private resume(trap: Trap): void {
    if (!this.machine.halted) this.machine.start(trap.core, trap.pc);
  }

  /** One context per CPU, made once: the syscall path allocates nothing per call. */
  private readonly contexts: SyscallContext[] = [];

  private syscallContext(cpu: number): SyscallContext {
    let ctx = this.contexts[cpu];
    if (!ctx) {
      const core = this.machine.core(cpu);
      const c: SyscallContext = {
        cpu,
        task: harnessThread(cpu),
        copyFromUser: (va, len) => copyFromUser(core, this.machine.ram, va, len),
        copyToUser: (va, data) => copyToUser(core, this.machine.ram, va, data),
        consoleWrite: (data) => this.consoleWrite(data),
        exit: (code) => {
          c.task.exitCode = code;
        },
      };
      ctx = this.contexts[cpu] = c;
    }
    ctx.task = this.current[cpu] ??= harnessThread(cpu);
    return ctx;
  }

  private readonly args = [0n, 0n, 0n, 0n, 0n, 0n];

  /**
   * A system call answered inside the trap hook, the core running on: every
   * call but the ones that end the task (they leave EL0 for good).
   */
  private fastSyscall(trap: Trap): boolean {
    const core = this.machine.core(trap.core);
    const nr = Number(core.trapX(8));
    if (nr === NR.exit || nr === NR.exit_group) return false;
    const ctx = this.syscallContext(trap.core);
    for (let i = 0; i < 6; i++) this.args[i] = core.trapX(i);
    core.setX(0, invokeSyscall(ctx, nr, this.args));
    return true;
  }

  private el0Syscall(trap: Trap): void {
    const core = this.machine.core(trap.core);
    const ctx = this.syscallContext(trap.core);
    for (let i = 0; i < 6; i++) this.args[i] = core.trapX(i);
    const ret = invokeSyscall(ctx, Number(core.trapX(8)), this.args);
    if (ctx.task.exitCode !== undefined) return this.taskExited(trap.core, ctx.task.exitCode);
    core.setX(0, ret);
    this.machine.start(trap.core, trap.pc);
  }

  private taskExited(cpu: number, code: number): void {
    const call = this.harness.get(cpu);
    if (call) call.exited = code;
    this.current[cpu] = undefined;
    this.returnToIdle(cpu);
  }

  private harnessReturn(trap: Trap): void {
    const call = this.harness.get(trap.core);
    if (!call) return this.fault(trap);
    call.result = this.machine.core(trap.core).x(0);
    this.returnToIdle(trap.core);
  }

  /** Back to EL1 and the idle loop (the core parks in its WFI). */
  private returnToIdle(cpu: number): void {
    this.machine.core(cpu).restoreEl1();
    this.machine.start(cpu, this.addr('cpu_idle'));
  }

  private fault(trap: Trap): void {
    if (this.fixupProbeFault(trap)) return;
    this.panic(this.machine.describeTrap(trap), trap);
  }

  /**
   * The exception table of the probes: a data abort inside one returns
   * -EFAULT to its caller instead of oopsing, as copy_from_kernel_nofault
   * does through the extable.
   */
  private fixupProbeFault(trap: Trap): boolean {
    const call = this.harness.get(trap.core);
    if (!call || trap.kind !== 'data-abort' || trap.el !== 1 || !this.switched) return false;
    if (trap.pc < this.vaddr('probe_read64') || trap.pc >= this.vaddr('__probes_end')) return false;
    call.result = BigInt(-EFAULT);
    this.returnToIdle(trap.core);
    return true;
  }

  /* ---- the harness ------------------------------------------------------ */

  /**
   * Run `svc #0` at EL0 on `cpu` with x8 = nr and x0.. = args, as the
   * thread of the harness process on that CPU; returns x0 as a signed
   * value, or the exit code for exit/exit_group.
   */
  harnessSyscall(cpu: number, nr: number, args: readonly (bigint | number)[]): UserRun {
    if (args.length > 6) throw new Error('a system call takes at most 6 arguments');
    const regs = new Map<number, bigint>(args.map((a, i) => [i, BigInt(a)]));
    regs.set(8, BigInt(nr));
    return this.runUser(cpu, USER_TEXT, regs);
  }

  /**
   * Run EL0 code on `cpu` from `entry` (registers preset from `regs`) as the
   * harness thread of that CPU, until it executes `brk #BRK_HARNESS_RETURN`
   * (the result is its x0) or exits. The core must be idle in the kernel.
   */
  runUser(cpu: number, entry: bigint, regs: ReadonlyMap<number, bigint> = new Map(), sp = 0n): UserRun {
    this.checkIdle(cpu);
    const core = this.machine.core(cpu);
    this.current[cpu] = harnessThread(cpu);
    core.restoreEl1();
    for (let i = 0; i <= 8; i++) core.setX(i, regs.get(i) ?? 0n);
    enterUser(core, entry, sp);
    this.machine.start(cpu, this.addr('ret_to_user'));
    return this.waitForHarness(cpu);
  }

  /** The page of harness buffer memory of `cpu`: its address for EL0 code. */
  harnessBuffer(cpu: number): bigint {
    return USER_BUFFERS + BigInt(cpu * 4096);
  }

  /**
   * Run one of the image's probes (probe_read64, probe_write64) at EL1 on
   * `cpu`, through that core's MMU; returns its x0.
   */
  probe(cpu: number, sym: 'probe_read64' | 'probe_write64', args: readonly bigint[]): bigint {
    this.checkIdle(cpu);
    const core = this.machine.core(cpu);
    core.restoreEl1();
    args.forEach((a, i) => core.setX(i, a));
    this.machine.start(cpu, this.addr(sym));
    return this.waitForHarness(cpu).ret;
  }

  private checkIdle(cpu: number): void {
    if (this.state !== 'running') throw new Error(`the kernel is ${this.state}, not running`);
    const core = this.machine.core(cpu);
    if (!this.online[cpu]) throw new Error(`cpu${cpu} is not online`);
    if (core.state !== 'wfi' && core.state !== 'running') throw new Error(`cpu${cpu} is busy (${core.state})`);
  }

  private waitForHarness(cpu: number): UserRun {
    const call: HarnessCall = {};
    this.harness.set(cpu, call);
    try {
      this.machine.run({ until: () => call.result !== undefined || call.exited !== undefined });
    } finally {
      this.harness.delete(cpu);
    }
    if (this.machine.halted) throw new Error(this.machine.status!.message);
    if (call.exited !== undefined) return { ret: BigInt(call.exited), exited: call.exited };
    return { ret: BigInt.asIntN(64, call.result ?? 0n) };
  }

  /* ---- the end ---------------------------------------------------------- */

  panic(message: string, trap?: Trap): void {
    this.printk(`Kernel panic - not syncing: ${message}`);
    this.state = 'panic';
    this.machine.halt(message, false, trap);
  }

  /** machine_halt(): stop every core. */
  halt(): void {
    if (this.machine.halted) return;
    this.printk('reboot: System halted');
    this.state = 'halted';
    this.machine.halt('System halted', true);
  }
}

/** Prepare an eret to EL0t at `entry` with the user stack `sp`, interrupts unmasked. */
function enterUser(core: Core, entry: bigint, sp: bigint): void {
  core.uc.regWrite(REG_ELR_EL1, entry);
  core.uc.sysWrite(SYSREG.SPSR_EL1, 0n);
  core.uc.regWrite(REG_SP_EL0, sp);
}
