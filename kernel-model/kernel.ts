// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TypeScript kernel: what runs when a core traps.
 *
 * Every trap of the machine comes here. The kernel image calls in with
 * `hvc #KCALL_*` (boot entry, start_kernel, a secondary's entry); user
 * code calls in with `svc #0` at EL0; the test harness's EL0 stub returns
 * with `brk #BRK_HARNESS_RETURN`; anything else is a fault. The kernel
 * answers by editing registers and guest memory and by telling the
 * scheduler where the core goes next. A fault in user code kills the task
 * with its signal (the machine stays up); a fault in the kernel it cannot
 * fix up is reported in one line (the PC, the address, the instruction)
 * and halts the machine, which is the model's panic; the host process
 * carries on.
 */

import { join } from 'node:path';
import type { Machine } from '../emulator/machine';
import type { SvcCall } from '../emulator/core';
import type { Trap } from '../emulator/traps';
import type { FdtNode, DeviceTree } from '../lib/fdt';
import { KernelLog } from './printk';
import { Kallsyms } from './kallsyms';
import { KCALL, BRK, THREAD_SIZE, type CpuIdRegs } from './arch/arm64/kernel/kcalls';
import { start_kernel, start_kernel_switched } from './init/main';
import type { Memblock } from './mm/memblock';
import { KIMAGE_VADDR, type LinearMap } from './arch/arm64/memory';
import type { KernelPageTables } from './arch/arm64/mm/mmu';
import { el0_fault } from './arch/arm64/kernel/traps';
import { Harness } from './kernel/harness';
import { secondary_start_kernel } from './arch/arm64/kernel/smp';
import { harnessThread, type Task } from './kernel/task';
import { invokeSyscall, type SyscallContext } from './kernel/sys';
import { copyFromUser, copyToUser } from './kernel/uaccess';
import { EFAULT } from './include/errno';
import { NR } from './include/unistd';
import { ProcFs } from './fs/proc';
import type { bootmem_init } from './mm/init';
import type { PageAllocator } from './mm/page_alloc';
import type { KernelCmdline } from '../lib/cmdline';
import type { EarlyMemory } from './arch/arm64/mm/init';
import type { Swiotlb } from './kernel/dma/swiotlb';

export type KernelState = 'booting' | 'running' | 'halted' | 'panic';

export class KernelPanic extends Error {
  override name = 'KernelPanic';
}

export interface KernelOptions {
  /** The boot partition, where System.map lives beside kernel8.img. */
  bootDir: string;
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
  /** MAX_ORDER (max_order=), the /reserved-memory regions, CMA and the swiotlb buffer. */
  maxOrder = 11;
  early?: EarlyMemory;
  swiotlb?: Swiotlb | null;
  linear?: LinearMap;
  pgtables?: KernelPageTables;
  /** True once the boot CPU runs on the kernel's page tables. */
  switched = false;
  readonly proc = new ProcFs();
  /** The zones and struct page array (bootmem_init), then the buddy allocator (mm_init). */
  bootmem?: ReturnType<typeof bootmem_init>;
  pageAllocator?: PageAllocator;
  /** How TypeScript runs code on a chosen core (tests, benchmarks, the API). */
  readonly harness: Harness;

  constructor(readonly machine: Machine, opts: KernelOptions) {
    this.syms = Kallsyms.fromFile(join(opts.bootDir, 'System.map'));
    this.log = new KernelLog(() => machine.uptimeUsec);
    this.log.onLine((line) => this.consoleWrite(new TextEncoder().encode(`${line}\n`)));
    const n = machine.cores.length;
    this.online = new Array<boolean>(n).fill(false);
    this.cpuRegs = new Array<CpuIdRegs | undefined>(n).fill(undefined);
    this.current = new Array<Task | undefined>(n).fill(undefined);
    this.harness = new Harness(this);
    machine.onTrap = (trap) => this.handleTrap(trap);
    machine.onFastSvc = (call) => call.el === 0 && this.fastSyscall(call);
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
      case KCALL.RETURN:
        if (!this.harness.active(trap.core)) throw new KernelPanic(`cpu${trap.core}: kernel return with no call in progress`);
        this.harness.done(trap.core, core.x(0));
        return this.returnToIdle(trap.core);
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
  private fastSyscall(call: SvcCall): boolean {
    const nr = Number(call.nr);
    if (nr === NR.exit || nr === NR.exit_group) return false;
    const ctx = this.syscallContext(call.core);
    for (let i = 0; i < 6; i++) this.args[i] = call.arg(i);
    this.machine.core(call.core).setX(0, invokeSyscall(ctx, nr, this.args));
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
    this.harness.exited(cpu, code);
    this.current[cpu] = undefined;
    this.returnToIdle(cpu);
  }

  private harnessReturn(trap: Trap): void {
    if (!this.harness.active(trap.core)) return this.fault(trap);
    this.harness.done(trap.core, this.machine.core(trap.core).x(0));
    this.returnToIdle(trap.core);
  }

  /** Back to EL1 and the idle loop (the core parks in its WFI). */
  returnToIdle(cpu: number): void {
    this.machine.core(cpu).restoreEl1();
    this.machine.start(cpu, this.addr('cpu_idle'));
  }

  private fault(trap: Trap): void {
    if (this.fixupProbeFault(trap)) return;
    if (trap.el === 0) return this.killUserTask(trap);
    this.panic(this.machine.describeTrap(trap), trap);
  }

  /** A fault in user code: the task dies of its signal, the kernel says why, the core goes idle. */
  private killUserTask(trap: Trap): void {
    const task = this.current[trap.core] ?? harnessThread(trap.core);
    const { signal, message } = el0_fault(trap, task);
    this.printk(message);
    this.harness.killed(trap.core, signal);
    this.current[trap.core] = undefined;
    this.returnToIdle(trap.core);
  }

  /**
   * The exception table of the probes: a data abort inside one returns
   * -EFAULT to its caller instead of oopsing, as copy_from_kernel_nofault
   * does through the extable.
   */
  private fixupProbeFault(trap: Trap): boolean {
    if (!this.harness.active(trap.core) || trap.kind !== 'data-abort' || trap.el !== 1 || !this.switched) return false;
    if (trap.pc < this.vaddr('probe_read64') || trap.pc >= this.vaddr('__probes_end')) return false;
    this.harness.done(trap.core, BigInt(-EFAULT));
    this.returnToIdle(trap.core);
    return true;
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
