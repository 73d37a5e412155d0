// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the kernel keeps for user space as a whole: the process table,
 * the user memory source, the futex queues, and the few system-wide
 * values user space reads (AT_HWCAP, threads-max, the hostname, and the
 * random bytes of getrandom and AT_RANDOM, which come from a generator
 * seeded at boot so that every run of the same workload is the same).
 */

import type { Kernel } from '../kernel';
import { ProcessTable } from './process';
import { Futexes } from './futex';
import { UserMemory } from '../mm/user_mm';
import { elf_hwcap } from '../arch/arm64/kernel/cpuinfo';
import { xorshift32 } from '../lib/random';
import type { CpuIdRegs } from '../arch/arm64/kernel/kcalls';
import { proc_pid_register, proc_pid_unregister } from '../fs/proc_pid';
import { UserTask } from './sched/task';

/** The boot seed of the user-visible random bytes. */
export const USER_RANDOM_SEED = 0x5eed_0001;

export class UserState {
  readonly procs = new ProcessTable();
  readonly futex = new Futexes();
  readonly mem: UserMemory;
  /** threads-max (kernel/fork.c's set_max_threads: a thread's stack may take at most 1/8 of RAM); the kernel.threads-max sysctl sets it. */
  threadsMax: number;
  hostname = '(none)';
  private readonly rnd = xorshift32(USER_RANDOM_SEED);

  constructor(private readonly k: Kernel) {
    this.mem = new UserMemory(k.machine, () => k.mm.pgalloc);
    this.procs.onAdd = (p) => {
      p.startNs = k.clockNs();
      proc_pid_register(k, p);
    };
    this.procs.onRemove = (p) => proc_pid_unregister(k, p.pid);
    // /proc/self: the process of the task in the kernel now (a system call's caller).
    k.proc.selfPid = () => (k.this_cpu.active && k.this_cpu.task instanceof UserTask ? k.this_cpu.task.pid : undefined);
    const THREAD_PAGES = 4; // THREAD_SIZE 16 KiB
    this.threadsMax = Math.max(20, Math.floor(k.mm.pgalloc.totalram_pages() / (8 * THREAD_PAGES)));
  }

  /** AT_HWCAP: what every online CPU has. */
  get hwcap(): bigint {
    return elf_hwcap(this.k.cpuRegs.filter((r, cpu): r is CpuIdRegs => !!r && this.k.cpu_online(cpu)));
  }

  random(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.rnd() & 0xff;
    return out;
  }
}
