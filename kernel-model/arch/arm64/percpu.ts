// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-CPU context of TypeScript kernel code (arch/arm64/include/asm/
 * percpu.h, include/linux/smp.h, arch/arm64/include/asm/current.h).
 *
 * Kernel code in the model runs on a core: inside a trap of that core, in
 * a kernel thread's step on it, or in Kernel.on(cpu, fn) from the top
 * level. Each of these entries says which core and which task; everything
 * else is read the way arm64 Linux reads it: __my_cpu_offset is the
 * core's TPIDR_EL1 (which the image's set_my_cpu_offset wrote), and
 * smp_processor_id() is this_cpu_read(cpu_number), a load from the static
 * per-CPU variable plus that offset, in guest memory. Both are read once
 * per entry and kept for its duration (the CPU cannot change under
 * non-preemptible kernel code). Outside any entry there is no current
 * CPU, and asking for one is an error rather than a silent CPU 0.
 */

import type { Core } from '../../../emulator/core';
import type { Task } from '../../kernel/sched/task';

export class PerCpuContextError extends Error {
  override name = 'PerCpuContextError';
}

export class ThisCpu {
  private core_?: Core;
  private task_?: Task;
  private offset_?: bigint;
  /** Where the offset comes from when the entry has it at hand (the svc fast path's register block). */
  private offsetSource?: () => bigint;
  cpu_?: number;

  /** Kernel code starts running on `core` for `task`; `tpidrEl1` reads the offset if the caller has it (read only if needed). */
  enter(core: Core, task: Task, tpidrEl1?: () => bigint): void {
    this.core_ = core;
    this.task_ = task;
    this.offset_ = undefined;
    this.offsetSource = tpidrEl1;
    this.cpu_ = undefined;
  }

  /** No kernel code runs (back at the top level). */
  leave(): void {
    this.core_ = undefined;
    this.task_ = undefined;
    this.offset_ = undefined;
    this.offsetSource = undefined;
    this.cpu_ = undefined;
  }

  get active(): boolean {
    return this.core_ !== undefined;
  }

  get core(): Core {
    if (!this.core_) throw new PerCpuContextError('no current CPU: kernel code runs in a trap, a kernel thread, or Kernel.on(cpu, fn)');
    return this.core_;
  }

  /** `current`. */
  get task(): Task {
    this.core;
    return this.task_!;
  }

  /** __my_cpu_offset: TPIDR_EL1 of the core. */
  get offset(): bigint {
    return (this.offset_ ??= this.offsetSource ? this.offsetSource() : this.core.tpidrEl1);
  }

  /** Save and restore around a nested entry (Kernel.on from inside kernel code). */
  snapshot(): [Core | undefined, Task | undefined, bigint | undefined, number | undefined] {
    return [this.core_, this.task_, this.offset_, this.cpu_];
  }
  restore([core, task, offset, cpu]: [Core | undefined, Task | undefined, bigint | undefined, number | undefined]): void {
    this.core_ = core;
    this.task_ = task;
    this.offset_ = offset;
    this.cpu_ = cpu;
  }
}
