// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bringing up the secondary CPUs through the spin table
 * (arch/arm64/kernel/smp.c, smp_spin_table.c), from kernel_init: for each
 * CPU the device tree describes, write the physical address of the
 * image's secondary_entry to its cpu-release-addr and send an event; the
 * core, waiting in the firmware's armstub, jumps there, reads its own
 * identity registers, switches to the kernel's page tables, sets its
 * per-CPU offset and calls secondary_start_kernel, which completes
 * cpu_running. Like __cpu_up, the boot CPU waits for each one in turn, for
 * at most five seconds of virtual time.
 */

import { decodeU64, getProp } from '../../../../lib/fdt';
import { KernelPanic, type Kernel } from '../../../kernel';
import { hwid, icacheLine, midrHex, systemFeatures } from './cpuinfo';
import { complete, wait_for_completion_until } from '../../../kernel/sched/wait';
import type { KthreadGen } from '../../../kernel/sched/kthread_types';
import { NSEC_PER_MSEC } from '../../../kernel/time/jiffies';

/** How long __cpu_up waits for a CPU (msecs_to_jiffies(5000) in arch/arm64/kernel/smp.c). */
const CPU_UP_TIMEOUT_MS = 5000;

function releaseAddr(k: Kernel, cpu: number): number {
  const node = k.arch.cpuNodes[cpu];
  const prop = node && getProp(node, 'cpu-release-addr');
  if (!prop) throw new KernelPanic(`CPU${cpu}: no cpu-release-addr in the device tree`);
  return Number(decodeU64(prop, 'cpu-release-addr'));
}

/** smp_spin_table_cpu_prepare + boot: release one CPU and wait for it. */
function* __cpu_up(k: Kernel, cpu: number): KthreadGen<boolean> {
  k.machine.ram.setU64(releaseAddr(k, cpu), k.paddr('secondary_entry'));
  k.machine.sev();
  const ok = yield* wait_for_completion_until(k.cpuRunning[cpu]!, k.clockNs() + CPU_UP_TIMEOUT_MS * NSEC_PER_MSEC);
  if (!ok) k.printk(`CPU${cpu}: failed to come online`);
  return ok;
}

/** secondary_start_kernel: the new CPU says who it is, goes online, and tells the boot CPU. */
export function secondary_start_kernel(k: Kernel, cpu: number): void {
  const regs = k.cpuRegs[cpu]!;
  k.printk(icacheLine(cpu, regs));
  k.printk(`CPU${cpu}: Booted secondary processor ${hwid(regs.mpidr)} [${midrHex(regs.midr)}]`);
  k.onlineMask[cpu] = true;
  k.sched.cpustat.start(cpu, k.clockNs()); // its idle time counts from here
  complete(k.sched, k.cpuRunning[cpu]!);
}

/** smp_init: bring up every CPU in the device tree, then report. */
export function* smp_init(k: Kernel): KthreadGen {
  k.printk('smp: Bringing up secondary CPUs ...');
  const cpus = Math.min(k.arch.cpuNodes.length, k.machine.cores.length);
  for (let cpu = 1; cpu < cpus && !k.machine.halted; cpu++) yield* __cpu_up(k, cpu);
  const up = k.onlineMask.filter(Boolean).length;
  k.printk(`smp: Brought up 1 node, ${up} CPU${up === 1 ? '' : 's'}`);
  k.printk(`SMP: Total of ${up} processors activated.`);
  const regs = k.cpuRegs.filter((r, i) => r && k.onlineMask[i]) as NonNullable<(typeof k.cpuRegs)[number]>[];
  for (const line of systemFeatures(regs)) k.printk(line);
  k.printk('CPU: All CPU(s) started at EL1');
}
