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
 *    through the core's MMU), as a kcall.
 *
 * User code runs as a thread of the harness process (pid 1 unless /init
 * took it; the thread on CPU n has tid pid + n): a task made runnable on
 * that CPU with its state prepared for the eret to EL0, which the
 * scheduler switches in at the core's next turn. The harness process has
 * an address space of its own, made when first needed: the image's stub
 * page at USER_TEXT (read-only, executable) and one page of buffers per
 * CPU at USER_BUFFERS, both windows on the image's pages (VM_PFNMAP), and
 * whatever its code maps with mmap or brk. It outlives its threads. The harness then runs the machine from the top
 * level until the task has ended (the kernel's trap handlers report how:
 * done, exited, killed). A call that does not complete within `maxRounds`
 * scheduler rounds is stopped and reported, so a runaway loop cannot hang
 * the host; a task that blocks forever ends the run with the kernel's
 * "no runnable task" report.
 */

import type { Core } from '../../emulator/core';
import { KernelRunError, type Kernel } from '../kernel';
import { USER_BUFFERS, USER_TEXT } from '../arch/arm64/mm/mmu';
import { PAGE_SIZE } from '../arch/arm64/page-def';
import { kcall, kthread_run } from './kthread';
import { exit_thread, wake_user } from './exit';
import { HostPipe } from '../fs/pipe';
import { spawn_process, vdso_pa } from './fork';
import { map_vdso } from '../fs/binfmt_elf';
import { HARNESS_PID, type KthreadTask, type Task, UserTask } from './sched/task';
import { Process, W_SIGNALED, prepare_user_context } from './process';
import { VM_EXEC, VM_PFNMAP, VM_READ, VM_WRITE, VmArea } from '../mm/mmap';

/** How a call ended: x0 (signed), or the exit code, or the signal that killed the task. */
export interface UserRun {
  ret: bigint;
  exited?: number;
  signal?: number;
}

interface Outcome {
  result?: bigint;
  exited?: number;
  signal?: number;
}

/** Scheduler rounds a call may take by default (~10^10 instructions at the default slice). */
export const HARNESS_MAX_ROUNDS = 100_000;

export interface ExecOptions {
  cpu?: number;
  envp?: readonly string[];
  maxRounds?: number;
  /** Where fds 1 and 2 go (default: collected into the result). */
  stdio?: (fd: 1 | 2, data: Uint8Array) => void;
  /**
   * What fd 0 reads, through a pipe: the bytes, or a function asked for
   * more whenever the program waits on the empty pipe (null: the end).
   * Without it fd 0 reads end of file.
   */
  stdin?: Uint8Array | (() => Uint8Array | null);
}

/** How a program ended: its exit code or the signal that killed it, and what it wrote. */
export interface ExecResult {
  pid: number;
  wstatus: number;
  exitCode?: number;
  signal?: number;
  stdout: string;
  stderr: string;
}

export class HarnessError extends Error {
  override name = 'HarnessError';
}

export class Harness {
  private readonly outcomes = new Map<Task, Outcome>();

  constructor(private readonly k: Kernel) {}

  /** Is `task` one of the harness's threads (the kernel's trap handlers ask)? */
  owns(task: Task): boolean {
    return this.outcomes.has(task);
  }

  private proc_?: Process;

  /** The harness process, made on first use (its tables from CPU 0's page lists if no CPU is current). */
  process(): Process {
    if (this.proc_ && this.proc_.state === 'alive') return this.proc_;
    return this.k.on(0, () => this.createProcess());
  }

  private createProcess(): Process {
    const k = this.k;
    const mm = k.user.mem.mm_alloc();
    if (!mm) throw new HarnessError('out of memory for the harness process');
    const text = k.textPa + Number(k.syms.offset('harness_syscall'));
    const buffers = k.textPa + Number(k.syms.offset('harness_buffers'));
    const nr = k.machine.cores.length;
    mm.insert_vma(new VmArea(USER_TEXT, USER_TEXT + BigInt(PAGE_SIZE), VM_READ | VM_EXEC | VM_PFNMAP, '[harness]', [], text));
    mm.insert_vma(new VmArea(USER_BUFFERS, USER_BUFFERS + BigInt(nr * PAGE_SIZE), VM_READ | VM_WRITE | VM_EXEC | VM_PFNMAP, '[harness-buffers]', [], buffers));
    map_vdso(mm, vdso_pa(k));
    const pid = k.user.procs.get(HARNESS_PID) ? k.sched.alloc_pid() : HARNESS_PID;
    const p = new Process(pid, 'harness', mm);
    p.persistent = true;
    k.user.procs.add(p);
    this.proc_ = p;
    return p;
  }

  /** The physical address of `cpu`'s buffer page (the area is a window on the image: no page is allocated). */
  bufferPa(cpu: number): number {
    const mm = this.process().mm;
    const va = this.buffer(cpu);
    const v = mm.vma_at(va)!;
    return v.pfnmapPa + Number(va - v.start);
  }

  /** A harness thread ended with this wait status (exit, or killed by a signal). */
  ended(task: Task, wstatus: number): void {
    if ((wstatus & 0x7f) !== 0) this.killed(task, wstatus & 0x7f);
    else this.exited(task, (wstatus >> 8) & 0xff);
  }

  /* The kernel reports how a harness thread ended with one of these. */
  done(task: Task, x0: bigint): void {
    const o = this.outcomes.get(task);
    if (o) o.result = x0;
  }
  exited(task: Task, code: number): void {
    const o = this.outcomes.get(task);
    if (o && o.result === undefined) o.exited = code;
  }
  killed(task: Task, signal: number): void {
    const o = this.outcomes.get(task);
    if (o) o.signal = signal;
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
    const task = this.prepareThread(cpu, entry, regs, opts.sp ?? 0n);
    const o: Outcome = {};
    this.outcomes.set(task, o);
    try {
      this.k.sched.wake_up_process(task);
      this.wait(task, opts.maxRounds);
    } finally {
      this.outcomes.delete(task);
    }
    if (o.signal !== undefined) return { ret: BigInt(-o.signal), signal: o.signal };
    if (o.exited !== undefined) return { ret: BigInt(o.exited), exited: o.exited };
    return { ret: BigInt.asIntN(64, o.result ?? 0n) };
  }

  /**
   * The harness thread of `cpu`, blocked, with the CPU state of an eret to
   * EL0 at `entry` saved in it (prepared on the idle core, which is then
   * put back as it was).
   */
  private prepareThread(cpu: number, entry: bigint, regs: ReadonlyMap<number, bigint>, sp: bigint): UserTask {
    const core = this.idleCore(cpu);
    const p = this.process();
    const task = new UserTask(p.pid, p.pid + cpu, 'harness', cpu);
    task.proc = p;
    core.restoreEl1();
    prepare_user_context(core, task, { entry, sp, ttbr0: p.mm.ttbr0, regs }, this.k.addr('ret_to_user'));
    p.threads.add(task);
    p.mm.users++;
    this.k.sched.addUserTask(task);
    return task;
  }

  /**
   * Run a program as a new process on `cpu` until it is gone, its output
   * collected (or passed to `opts.stdio`). Throws ExecError when it cannot
   * be loaded; a program still running after `maxRounds` is stopped.
   */
  exec(file: Uint8Array, filename: string, argv: readonly string[], opts: ExecOptions = {}): ExecResult {
    const cpu = opts.cpu ?? 0;
    this.idleCore(cpu);
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    let wstatus: number | undefined;
    const proc = this.k.on(cpu, () => spawn_process(this.k, { cpu, file, filename, argv, envp: opts.envp }));
    proc.stdio = opts.stdio ?? ((fd, data) => (fd === 1 ? out : err).push(data.slice()));
    const stdin = opts.stdin === undefined ? undefined : new HostPipe((t) => wake_user(this.k, t, undefined), byteSource(opts.stdin));
    proc.stdin = stdin?.file;
    proc.onRelease.push((w) => (wstatus = w));
    try {
      for (;;) {
        this.k.run(() => wstatus !== undefined || !!stdin?.starving, opts.maxRounds ?? HARNESS_MAX_ROUNDS);
        if (wstatus !== undefined || !stdin) break;
        stdin.feed();
      }
    } catch (e) {
      if (!(e instanceof KernelRunError)) throw e;
      if (this.k.machine.halted) throw new HarnessError(this.k.machine.status!.message);
      this.k.on(cpu, () => {
        for (const t of [...proc.threads]) exit_thread(this.k, t, W_SIGNALED(9));
      });
      throw new HarnessError(`${proc}: ${e.message}; stopped`);
    }
    const text = (parts: Uint8Array[]): string => Buffer.concat(parts).toString('utf8');
    const w = wstatus!;
    return { pid: proc.pid, wstatus: w, exitCode: w & 0x7f ? undefined : (w >> 8) & 0xff, signal: w & 0x7f || undefined, stdout: text(out), stderr: text(err) };
  }

  /** The page of buffer memory of `cpu`'s harness thread: its user VA. */
  buffer(cpu: number): bigint {
    return USER_BUFFERS + BigInt(cpu * PAGE_SIZE);
  }

  /** Run one of the image's EL1 probes on `cpu` through its MMU; returns its x0 (-EFAULT on a fault). */
  probe(cpu: number, sym: 'probe_read64' | 'probe_write64', args: readonly bigint[]): bigint {
    this.ready();
    return this.k.kcall(cpu, sym, ...args);
  }

  /** A kernel thread on `cpu` that calls `sym` once; x0() is its result once it is dead. */
  kcallThread(cpu: number, sym: string | bigint, args: readonly (bigint | number)[]): { task: KthreadTask; x0(): bigint } {
    this.ready();
    let x0 = 0n;
    const task = kthread_run(this.k, function* () {
      x0 = yield* kcall(sym, ...args);
    }, cpu, 'kcall/%u');
    return { task, x0: () => x0 };
  }

  private ready(): void {
    if (this.k.state !== 'running') throw new HarnessError(`the kernel is ${this.k.state}, not running`);
  }

  private idleCore(cpu: number): Core {
    this.ready();
    const core = this.k.machine.core(cpu);
    if (!this.k.cpu_online(cpu)) throw new HarnessError(`cpu${cpu} is not online`);
    if (this.k.sched.curr[cpu]!.kind !== 'idle' || (core.state !== 'wfi' && core.state !== 'running'))
      throw new HarnessError(`cpu${cpu} is busy (${this.k.sched.curr[cpu]!.comm}, ${core.state})`);
    return core;
  }

  private wait(task: Task, maxRounds = HARNESS_MAX_ROUNDS): void {
    try {
      this.k.run(() => task.state === 'dead', maxRounds);
    } catch (e) {
      if (!(e instanceof KernelRunError)) throw e;
      const m = this.k.machine;
      if (m.halted) throw new HarnessError(m.status!.message);
      if (task.state !== 'dead') {
        this.k.on(task.cpu, () => exit_thread(this.k, task as UserTask, W_SIGNALED(9)));
      }
      throw new HarnessError(`cpu${task.cpu}: ${e.message}; stopped`);
    }
  }
}

/** A stdin option as a source of chunks: fixed bytes are one chunk, then the end. */
function byteSource(stdin: Uint8Array | (() => Uint8Array | null)): () => Uint8Array | null {
  if (typeof stdin === 'function') return stdin;
  let given = false;
  return () => (given ? null : ((given = true), stdin));
}
