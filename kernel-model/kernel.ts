// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TypeScript kernel: what runs when a core traps, and the state the
 * rest of the kernel reaches through it.
 *
 * Every trap of the machine comes here. The kernel image calls in with
 * `hvc #KCALL_*` (boot entry, start_kernel, a secondary's entry, the
 * return of a function the kernel ran on the core); user code calls in
 * with `svc #0` at EL0; the harness's EL0 stub returns with `brk
 * #BRK_HARNESS_RETURN`; anything else is a fault. The kernel answers by
 * editing registers and guest memory and by returning where the core goes
 * next. It never runs the machine itself: waiting is done by kernel
 * threads and blocked tasks, which the scheduler (kernel/sched/core.ts)
 * steps at each core's turn in the machine's one loop.
 *
 * Every entry (a trap, a kernel thread's step, Kernel.on) sets the per-CPU
 * context first, so kernel code always knows its CPU, its task and its
 * per-CPU offset (read from the core's TPIDR_EL1).
 *
 * A fault in user code kills the task with its signal; a fault in a
 * function a kernel thread runs on a core (kcall) is that thread's oops;
 * any other kernel fault is reported in one line (the PC, the address,
 * the instruction) and halts the machine, which is the model's panic. The
 * host process carries on in every case.
 */

import { join } from 'node:path';
import type { Machine, CoreAction } from '../emulator/machine';
import type { Core, SvcCall } from '../emulator/core';
import type { Trap } from '../emulator/traps';
import { SYSREG } from '../emulator/unicorn/constants';
import type { DeviceTree, FdtNode } from '../lib/fdt';
import type { KernelCmdline } from '../lib/cmdline';
import { KernelLog } from './printk';
import { Kallsyms } from './kallsyms';
import { KCALL, BRK, THREAD_SIZE, type CpuIdRegs } from './arch/arm64/kernel/kcalls';
import { start_kernel, start_kernel_percpu, start_kernel_rest } from './init/main';
import type { Memblock } from './mm/memblock';
import { KIMAGE_VADDR, type LinearMap } from './arch/arm64/memory';
import type { KernelPageTables } from './arch/arm64/mm/mmu';
import { el0_fault, emulate_mrs } from './arch/arm64/kernel/traps';
import { Harness } from './kernel/harness';
import { secondary_start_kernel } from './arch/arm64/kernel/smp';
import { Scheduler, type SchedHost } from './kernel/sched/core';
import { KthreadTask, type Task } from './kernel/sched/task';
import { Completion } from './kernel/sched/wait';
import { SyscallEntry } from './arch/arm64/kernel/syscall';
import { EFAULT } from './include/errno';
import { ProcFs } from './fs/proc';
import type { Vfs } from './fs/rootfs';
import type { BootmemInit } from './mm/init';
import type { PageAllocator } from './mm/page_alloc';
import type { KernelMemory } from './mm/maccess';
import type { Percpu } from './mm/percpu/first_chunk';
import { ThisCpu } from './arch/arm64/percpu';
import { Rcu } from './kernel/rcu/tree';
import { jiffies_at, jiffies_to_clock_ns } from './kernel/time/jiffies';
import type { EarlyMemory } from './arch/arm64/mm/init';
import type { Swiotlb } from './kernel/dma/swiotlb';
import type { Vmalloc } from './mm/vmalloc/vmalloc';
import { UserState } from './kernel/user_state';
import { UserTask } from './kernel/sched/task';
import { do_page_fault, do_page_fault_fast, vma_where } from './arch/arm64/mm/fault';
import { exit_group, exit_thread } from './kernel/exit';
import { W_SIGNALED } from './kernel/process';
import { catches, do_signal, send_signal } from './kernel/signal';
import type { Slab } from './mm/slab/slab';
import type { KernelKmem } from './kern/kmem/kmem_kernel';
import type { KfreeRcu } from './kernel/rcu/kvfree';

export type KernelState = 'booting' | 'running' | 'halted' | 'panic';

export class KernelPanic extends Error {
  override name = 'KernelPanic';
}

/** A kernel run from the top level could not go on (nothing runnable, a round limit). */
export class KernelRunError extends Error {
  override name = 'KernelRunError';
}

export interface KernelOptions {
  /** The boot partition, where System.map lives beside kernel8.img. */
  bootDir: string;
  /** Start the initramfs's init program once the kernel is up (the command line's rdinit=, default /init). */
  runInit?: boolean;
}

/** What setup_arch found and built (the MMU still off). */
export interface SetupArch {
  dt: DeviceTree;
  cmdline: KernelCmdline;
  cmdlineText: string;
  /** The cpu node of each logical CPU. */
  cpuNodes: FdtNode[];
  memblock: Memblock;
  /** MAX_ORDER (max_order=, an early parameter). */
  maxOrder: number;
  /** The /reserved-memory regions and CMA areas, and the DMA limit (arm64_memblock_init). */
  early: EarlyMemory;
  linear: LinearMap;
  pgtables: KernelPageTables;
  /** Kernel virtual memory through swapper_pg_dir. */
  kmem: KernelMemory;
  bootmem: BootmemInit;
  /** The initrd the boot loader left in RAM (/chosen linux,initrd-start/end), reserved in memblock. */
  initrd?: { start: number; end: number };
}

/** What the memory subsystems are once start_kernel has brought them up. */
export interface MmState {
  pgalloc: PageAllocator;
  /** The swiotlb bounce buffer, where 5.10 maps one. */
  swiotlb: Swiotlb | null;
  /** vmalloc, vfree, vmap over the kernel page tables. */
  vmalloc: Vmalloc;
  /** NetBSD's kmem_alloc over vmem and pool_cache (kern/kmem/kmem_kernel.ts). */
  kmem: KernelKmem;
  /** kfree_rcu / kvfree_rcu's per-CPU batches (kernel/rcu/kvfree.ts). */
  kfree_rcu: KfreeRcu;
}

export class Kernel implements SchedHost {
  readonly log: KernelLog;
  readonly syms: Kallsyms;
  state: KernelState = 'booting';
  /** Physical address the image runs at (learnt from its first hvc). */
  textPa = 0;
  /** Per-CPU state indexed by logical CPU number (= core index). */
  readonly onlineMask: boolean[];
  readonly cpuRegs: (CpuIdRegs | undefined)[];
  /** cpu_running: each secondary completes its own when it comes online. */
  readonly cpuRunning: Completion[];
  /** True once the boot CPU runs on the kernel's page tables. */
  switched = false;
  readonly proc = new ProcFs();
  readonly sched: Scheduler;
  /** The per-CPU context of the kernel code running now. */
  readonly this_cpu = new ThisCpu();
  /** How TypeScript runs code on a chosen core (tests, benchmarks, the API). */
  readonly harness: Harness;
  /** RCU's grace periods and callbacks (kernel/rcu/tree.ts). */
  readonly rcu: Rcu;

  private arch_?: SetupArch;
  private mm_?: MmState;
  private user_?: UserState;
  /** With --strace: a line for every system call (all calls then take the trap path). */
  strace?: (task: Task, nr: number, args: readonly bigint[]) => void;
  straceRet?: (ret: bigint) => void;
  /** The root file system (populate_rootfs), once kernel_init has unpacked it. */
  rootfs?: Vfs;
  /** The per-CPU areas and their allocator (setup_per_cpu_areas), once they exist. */
  percpu?: Percpu;
  /** The slab allocator (kmem_cache_init), once it exists. */
  slab?: Slab;
  /** printk timestamps stay at 0 until time_init, as before sched_clock runs. */
  private clockRunning = false;

  readonly runInit: boolean;
  /** The init process's wait status once it has ended. */
  initStatus?: number;

  constructor(readonly machine: Machine, opts: KernelOptions) {
    this.runInit = opts.runInit ?? false;
    this.syms = Kallsyms.fromFile(join(opts.bootDir, 'System.map'));
    this.log = new KernelLog(() => (this.clockRunning ? machine.uptimeUsec : 0));
    this.log.onLine((line) => this.consoleWrite(new TextEncoder().encode(`${line}\n`)));
    const n = machine.cores.length;
    this.onlineMask = new Array<boolean>(n).fill(false);
    this.cpuRegs = new Array<CpuIdRegs | undefined>(n).fill(undefined);
    this.cpuRunning = Array.from({ length: n }, (_, cpu) => new Completion(`cpu_running ${cpu}`));
    this.sched = new Scheduler(this);
    this.harness = new Harness(this);
    this.rcu = new Rcu({ ncpu: n, cpu_online: (c) => this.cpu_online(c), smp_processor_id: () => this.smp_processor_id(), wake_up_process: (t) => this.sched.wake_up_process(t), rcu_tick_arm: () => this.rcu_tick_arm() });
    machine.onTrap = (trap) => this.handleTrap(trap);
    machine.onFastSvc = (call) => (call.el === 0 && !this.strace ? this.fastSyscall(call) : undefined);
    // UCONSOLE_FAST_FAULT=off: every fault a trap, as before the fast path (bench syscall's A/B).
    if (process.env.UCONSOLE_FAST_FAULT !== 'off') machine.onFastFault = (trap) => this.fastFault(trap);
    machine.os = this.sched;
  }

  get printk(): (line: string) => void {
    return this.log.printk;
  }

  /* ---- boot phases' results ------------------------------------------------ */

  get arch(): SetupArch {
    if (!this.arch_) throw new KernelPanic('setup_arch has not run yet');
    return this.arch_;
  }
  set arch(a: SetupArch) {
    this.arch_ = a;
  }

  /** Processes, user memory, futexes: once the memory subsystems are up. */
  get user(): UserState {
    if (!this.user_) this.user_ = new UserState(this);
    return this.user_;
  }

  /**
   * A user task is about to return to EL0 at `pc` with its state on
   * `core`: where it really goes (a signal handler if one is due).
   */
  signal_return(core: Core, task: Task, pc: bigint): bigint {
    // A pending signal, or a mask to put back (sigsuspend, ppoll, pselect6: TIF_RESTORE_SIGMASK).
    return task instanceof UserTask && (task.pending || task.savedSigmask !== undefined) ? do_signal(this, core, task, pc) : pc;
  }

  /** SchedHost: a user task is switched back in at `pc` (its state restored): where it resumes. */
  resume_user(core: Core, task: UserTask, pc: bigint): bigint {
    // A task that has not run yet starts in the image's ret_to_user at EL1: its first system call delivers instead.
    if ((!task.pending && task.savedSigmask === undefined) || pc === this.addr('ret_to_user')) return pc;
    return this.on(core.index, () => this.signal_return(core, task, pc)); // kernel code on that CPU: the frame may need pages
  }

  /** SchedHost: a user task is back on `core`; its address space's translations must be the ones cached. */
  switch_mm(core: Core, task: UserTask): void {
    if (task.proc) this.user.mem.contexts.switch_mm(core, task.proc.mm);
    if (task.migrated) {
      // Its saved state came from another CPU: this CPU's per-CPU offset, as set_my_cpu_offset wrote it.
      core.sysWrite(SYSREG.TPIDR_EL1, this.per_cpu_offset(core.index));
      task.migrated = false;
    }
  }

  get mm(): MmState {
    if (!this.mm_) throw new KernelPanic('the memory subsystems are not up yet (mm_init has not run)');
    return this.mm_;
  }
  set mm(m: MmState) {
    this.mm_ = m;
  }

  /** time_init: the clock starts showing in the log. */
  startClock(): void {
    this.clockRunning = true;
  }

  /* ---- the image ----------------------------------------------------------- */

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

  symbolAddress(sym: string): bigint | undefined {
    return this.syms.has(sym) ? this.addr(sym) : undefined;
  }

  get imageSize(): number {
    return Number(this.syms.offset('_end'));
  }

  /** Bytes to the console UART, through its data register as the driver would. */
  consoleWrite(data: Uint8Array): void {
    for (const b of data) this.machine.console.write(0, 1, BigInt(b));
  }

  /* ---- per-CPU context, time ------------------------------------------------ */

  enter(core: Core, task: Task, tpidrEl1?: () => bigint): void {
    this.this_cpu.enter(core, task, tpidrEl1);
  }

  leave(): void {
    this.this_cpu.leave();
  }

  /** The scheduler found `core` between tasks, idle, or at EL0: report RCU's quiescent state there. */
  quiescent(core: Core): void {
    if (this.rcu.busy) this.on(core.index, () => this.rcu.rcu_qs(core.index));
  }

  private rcuTick = false;

  /** RCU's tick: every jiffy while RCU has work, the CPUs idle or at EL0 report a quiescent state. */
  private rcu_tick_arm(): void {
    if (this.rcuTick) return;
    this.rcuTick = true;
    this.sched.timers.add(jiffies_to_clock_ns(this.jiffies() + 1), () => {
      this.rcuTick = false;
      for (const core of this.machine.cores) {
        const t = this.sched.curr[core.index];
        if (this.cpu_online(core.index) && (t?.kind === 'idle' || t?.kind === 'user')) this.quiescent(core);
      }
      if (this.rcu.busy) this.rcu_tick_arm();
    }, 'rcu tick');
  }

  cpu_online(cpu: number): boolean {
    return this.onlineMask[cpu] === true;
  }

  online(cpu: number): boolean {
    return this.cpu_online(cpu);
  }

  /** `current`: the task kernel code runs for. */
  current(): Task {
    return this.this_cpu.task;
  }

  /** smp_processor_id(): this_cpu_read(cpu_number), through TPIDR_EL1 (kept for the entry). */
  smp_processor_id(): number {
    const c = this.this_cpu;
    // Before setup_per_cpu_areas only the boot CPU runs kernel code.
    if (c.cpu_ === undefined) c.cpu_ = this.percpu ? this.arch.kmem.read32(this.this_cpu_ptr('cpu_number')) : c.core.index;
    return c.cpu_;
  }

  /** __per_cpu_offset[cpu], as the image holds it. */
  per_cpu_offset(cpu: number): bigint {
    return this.machine.ram.u64(Number(this.paddr('__per_cpu_offset')) + 8 * cpu);
  }

  /** this_cpu_ptr(&var): the running CPU's copy of a static per-CPU variable of the image. */
  this_cpu_ptr(sym: string): bigint {
    return BigInt.asUintN(64, this.vaddr(sym) + this.this_cpu.offset);
  }

  /** per_cpu_ptr(&var, cpu). */
  per_cpu_ptr(sym: string, cpu: number): bigint {
    return BigInt.asUintN(64, this.vaddr(sym) + this.per_cpu_offset(cpu));
  }

  /** ktime_get(): nanoseconds of virtual time since power-on. */
  clockNs(): number {
    return this.machine.clockNs;
  }

  jiffies(): number {
    return jiffies_at(this.machine.clockNs);
  }

  /**
   * Account `insns` instructions of work to the kernel code running now:
   * a kernel thread then keeps its core that much longer on the virtual
   * clock (Scheduler.charge). TypeScript work is otherwise free in virtual
   * time; code that wants its cost seen (an allocator's tree walk, a page
   * copy) charges it. Outside a kernel thread it is not counted.
   */
  charge(insns: number): void {
    const t = this.this_cpu.active ? this.this_cpu.task : undefined;
    if (t instanceof KthreadTask) this.sched.charge(t, insns);
  }

  /* ---- running kernel code from the top level ------------------------------- */

  /**
   * Run `fn` as kernel code on `cpu`, synchronously (the machine is
   * stopped between rounds, so this is what smp_call_function_single
   * would run there). From the top level only.
   */
  on<R>(cpu: number, fn: () => R): R {
    const core = this.machine.core(cpu);
    if (!this.cpu_online(cpu)) throw new KernelRunError(`cpu${cpu} is not online`);
    const saved = this.this_cpu.snapshot();
    this.enter(core, this.sched.curr[cpu]!);
    try {
      return fn();
    } finally {
      this.this_cpu.restore(saved);
    }
  }

  /**
   * Run the machine from the top level until `until()` holds. Ends with a
   * KernelRunError when nothing can run any more ("no runnable task, N
   * waiting", with who waits for what) or after `maxRounds` (what each CPU
   * was running, with its PC).
   */
  run(until: () => boolean, maxRounds = 100_000): void {
    if (this.this_cpu.active) throw new KernelRunError('Kernel.run from kernel code: only the top level may run the machine');
    const r = this.machine.run({ until, maxRounds });
    if (r === 'until') return;
    if (r === 'halted') throw new KernelRunError(this.machine.status?.message ?? 'the machine halted');
    if (r === 'idle') {
      const waiting = this.sched.waiting();
      throw new KernelRunError(`no runnable task, ${waiting.length} waiting${waiting.length ? `: ${waiting.join('; ')}` : ''}`);
    }
    throw new KernelRunError(`still running after ${maxRounds} scheduler rounds: ${this.runningReport()}`);
  }

  /** One clause per busy CPU: its task and the core's PC. */
  runningReport(): string {
    const parts = this.machine.cores.map((core) => {
      const t = this.sched.curr[core.index]!;
      if (t.kind === 'idle' && !this.sched.hasWaiting(core.index)) return undefined;
      return `cpu${core.index} ${t.kind === 'idle' ? 'has runnable tasks' : `runs ${t}`} at PC 0x${core.pc.toString(16).padStart(16, '0')}`;
    });
    return parts.filter(Boolean).join('; ') || 'no CPU busy';
  }

  /**
   * kcall(cpu, fn, ...args): run a function of the kernel image (a symbol,
   * or an address) on `cpu`, as a short-lived kernel thread there calls
   * it, and return its x0. A fault in it is reported as that thread's
   * oops and thrown as a KernelRunError; the machine stays up.
   */
  kcall(cpu: number, fn: string | bigint, ...args: (bigint | number)[]): bigint {
    if (typeof fn === 'string' && !this.syms.has(fn)) throw new KernelRunError(`kcall: no symbol "${fn}" in the kernel image`);
    const name = typeof fn === 'string' ? fn : `0x${fn.toString(16)}`;
    const call = this.harness.kcallThread(cpu, fn, args);
    this.run(() => call.task.state === 'dead');
    if (call.task.oops) throw new KernelRunError(`kcall ${name} on cpu${cpu}: ${call.task.oops}`);
    return call.x0();
  }

  /**
   * flush_tlb_kernel_range for TypeScript code that changed the kernel's
   * page tables: what the image's tlbi vaale1is loop does, broadcast to
   * every core (TypeScript runs outside the cores, so it does it directly).
   */
  flush_tlb_kernel_range(_start: bigint, _end: bigint): void {
    this.machine.flushTlbAll();
  }

  /* ---- traps ------------------------------------------------------------ */

  private handleTrap(trap: Trap): CoreAction {
    const core = this.machine.core(trap.core);
    this.enter(core, this.sched.curr[trap.core]!);
    try {
      if (trap.kind === 'hvc' && trap.el === 1) return this.kernelCall(trap);
      if (trap.kind === 'svc' && trap.el === 0) return this.el0Syscall(trap);
      if (trap.kind === 'brk' && trap.el === 0 && trap.imm === BRK.HARNESS_RETURN) return this.harnessReturn(trap);
      return this.fault(trap);
    } catch (e) {
      if (e instanceof KernelPanic) return this.panic(e.message);
      throw e;
    } finally {
      this.this_cpu.leave();
    }
  }

  private idRegs(cpu: number): CpuIdRegs {
    const c = this.machine.core(cpu);
    return { mpidr: c.x(1), midr: c.x(2), pfr0: c.x(3), isar0: c.x(4), ctr: c.x(5) };
  }

  private kernelCall(trap: Trap): CoreAction {
    const core = this.machine.core(trap.core);
    const resume: CoreAction = { resume: trap.pc };
    switch (trap.imm) {
      case KCALL.EARLY_ENTRY:
        this.textPa = Number(trap.pc - this.syms.offset('early_entry_return'));
        // The image's identity reads, counter reads and tlbis get the machine's answers, at its PA...
        for (const c of this.machine.cores) c.interceptSystemInstructions(BigInt(this.textPa), BigInt(this.textPa + this.imageSize - 1));
        return resume;
      case KCALL.START_KERNEL:
        this.cpuRegs[trap.core] = this.idRegs(trap.core);
        start_kernel(this, core.x(0));
        this.prepareMmuSwitch(trap.core, 'primary_switched', 'init_stack_end');
        return resume;
      case KCALL.PRIMARY_SWITCHED:
        this.switched = true;
        // The image now runs at KIMAGE_VADDR too: make its WFI/WFE sites known there.
        this.machine.codeChanged(this.textPa, this.imageSize, KIMAGE_VADDR);
        // ...and at KIMAGE_VADDR.
        for (const c of this.machine.cores) c.interceptSystemInstructions(KIMAGE_VADDR, KIMAGE_VADDR + BigInt(this.imageSize - 1));
        start_kernel_percpu(this);
        core.setX(19, trap.core);
        return resume;
      case KCALL.START_KERNEL_REST:
        core.saveEl1(); // with this CPU's TPIDR_EL1: every later return to EL1 keeps it
        start_kernel_rest(this);
        return resume;
      case KCALL.SECONDARY_START:
        this.cpuRegs[trap.core] = this.idRegs(trap.core);
        this.prepareMmuSwitch(trap.core, 'secondary_switched', 'secondary_stacks', (trap.core + 1) * THREAD_SIZE);
        core.setX(19, trap.core);
        return resume;
      case KCALL.SECONDARY_SWITCHED:
        core.saveEl1();
        secondary_start_kernel(this, trap.core);
        return resume;
      case KCALL.RETURN:
        if (!this.sched.kcallOn(trap.core)) throw new KernelPanic(`cpu${trap.core}: kernel return with no call in progress`);
        this.sched.kcallReturned(trap.core, core.x(0));
        return this.toIdle(trap.core);
      default:
        throw new KernelPanic(`unknown kernel call hvc #${trap.imm} from cpu${trap.core}`);
    }
  }

  /** Registers for the image's __enable_mmu: the kernel's tables, then on to `continueAt`. */
  private prepareMmuSwitch(cpu: number, continueAt: string, stack: string, stackOffset = 0): void {
    const t = this.arch.pgtables;
    const core = this.machine.core(cpu);
    core.setX(0, t.swapper.root);
    core.setX(1, t.ttbr0.root);
    core.setX(2, t.mair);
    core.setX(3, t.tcr);
    core.setX(4, this.vaddr(continueAt));
    core.sp = this.vaddr(stack) + BigInt(stackOffset);
  }

  /** Back to EL1 and the idle loop (the core parks in its WFI). */
  toIdle(cpu: number): CoreAction {
    this.machine.core(cpu).restoreEl1();
    return { resume: this.addr('cpu_idle') };
  }

  /** The same for a core stopped between rounds (from the top level). */
  idleNow(cpu: number): void {
    this.machine.core(cpu).restoreEl1();
    this.machine.start(cpu, this.addr('cpu_idle'));
  }

  /* ---- system calls ----------------------------------------------------- */

  private readonly syscalls = new SyscallEntry(this);

  /** A system call answered inside the trap hook: x0, or undefined for the trap path (see SyscallEntry.fast). */
  private fastSyscall(call: SvcCall): bigint | undefined {
    return this.syscalls.fast(call);
  }

  /** A demand-paging fault at EL0, handled without stopping the core (do_page_fault_fast). */
  private fastFault(trap: Trap): boolean {
    const task = this.sched.curr[trap.core];
    if (!(task instanceof UserTask) || !task.proc) return false;
    this.enter(this.machine.core(trap.core), task);
    try {
      return do_page_fault_fast(task, trap);
    } finally {
      this.leave();
    }
  }

  private el0Syscall(trap: Trap): CoreAction {
    return this.syscalls.slow(trap);
  }

  private harnessReturn(trap: Trap): CoreAction {
    const task = this.sched.curr[trap.core]!;
    if (!this.harness.owns(task)) return this.fault(trap);
    const x0 = this.machine.core(trap.core).x(0);
    this.harness.done(task, x0);
    exit_thread(this, task as UserTask, 0, trap.core);
    return this.toIdle(trap.core);
  }

  /* ---- faults ---------------------------------------------------------------- */

  private fault(trap: Trap): CoreAction {
    const inKcall = this.sched.kcallOn(trap.core);
    if (inKcall && this.isProbeFault(trap)) {
      // The probes' exception table: -EFAULT instead of an oops (copy_from_kernel_nofault).
      this.sched.kcallReturned(trap.core, BigInt(-EFAULT));
      return this.toIdle(trap.core);
    }
    if (trap.el === 0) {
      const task = this.sched.curr[trap.core]!;
      if (trap.kind === 'undef' && this.emulateMrs(trap)) return { resume: trap.pc + 4n };
      const r = task instanceof UserTask && task.proc ? do_page_fault(this, task, trap) : 'signal';
      if (r === 'handled') return { resume: trap.pc };
      if (r === 'killed') return this.toIdle(trap.core);
      return this.killUserTask(trap);
    }
    if (inKcall) {
      this.sched.oops(inKcall, this.machine.describeTrap(trap));
      return this.toIdle(trap.core);
    }
    return this.panic(this.machine.describeTrap(trap), trap);
  }

  /** An EL0 `mrs` of an ID register: answered as Linux's emulate_mrs does (xzr as Rt discards it). */
  private emulateMrs(trap: Trap): boolean {
    const core = this.machine.core(trap.core);
    const insn = core.fetchWord(trap.pc);
    const regs = this.cpuRegs[trap.core];
    if (insn === undefined || !regs) return false;
    const e = emulate_mrs(insn, regs);
    if (!e) return false;
    if (e.rt !== 31) core.setX(e.rt, e.value);
    return true;
  }

  private isProbeFault(trap: Trap): boolean {
    return trap.kind === 'data-abort' && trap.el === 1 && this.switched && trap.pc >= this.vaddr('probe_read64') && trap.pc < this.vaddr('__probes_end');
  }

  /** A fault in user code: the task dies of its signal, the kernel says why, the core goes idle. */
  private killUserTask(trap: Trap): CoreAction {
    const task = this.sched.curr[trap.core]!;
    const { signal, message } = el0_fault(trap, task);
    if (task instanceof UserTask && task.proc && catches(task, signal)) {
      // A handler for the fault's signal: it runs at once, the faulting instruction in its frame (force_sig_fault).
      send_signal(this, task, signal, { code: 1, addr: trap.far });
      return { resume: this.signal_return(this.machine.core(trap.core), task, trap.pc) };
    }
    this.printk(task instanceof UserTask ? message + vma_where(task, trap.pc) : message);
    if (task instanceof UserTask && task.proc) exit_group(this, task, W_SIGNALED(signal));
    else {
      this.harness.killed(task, signal);
      this.sched.userExited(task, 128 + signal);
    }
    return this.toIdle(trap.core);
  }

  /* ---- the end ---------------------------------------------------------- */

  panic(message: string, trap?: Trap): CoreAction {
    this.printk(`Kernel panic - not syncing: ${message}`);
    this.state = 'panic';
    this.machine.halt(message, false, trap);
    return 'stop';
  }

  /** machine_halt(): stop every core ("Power down" and "Restarting system" for the other reboot commands). */
  halt(how = 'System halted'): void {
    if (this.machine.halted) return;
    this.printk(`reboot: ${how}`);
    this.state = 'halted';
    this.machine.halt('System halted', true);
  }
}

