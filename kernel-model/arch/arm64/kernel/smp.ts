// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bringing up the secondary CPUs through the spin table
 * (arch/arm64/kernel/smp.c, smp_spin_table.c): for each CPU the device
 * tree describes, write the physical address of the image's
 * secondary_entry to its cpu-release-addr and send an event; the core,
 * waiting in the firmware's armstub, jumps there, reads its own identity
 * registers and calls secondary_start_kernel. Like __cpu_up, the boot CPU
 * waits for each one in turn, with a time limit, before the next.
 */

import { decodeU64, getProp } from '../../../../lib/fdt';
import { KernelPanic, type Kernel } from '../../../kernel';
import { hwid, icacheLine, midrHex, systemFeatures } from './cpuinfo';

/** How long __cpu_up waits, in scheduler rounds (Linux: 5 s; here ~1 s of virtual time). */
const CPU_UP_ROUNDS = 15_000;

function releaseAddr(k: Kernel, cpu: number): number {
  const node = k.cpuNodes[cpu];
  const prop = node && getProp(node, 'cpu-release-addr');
  if (!prop) throw new KernelPanic(`CPU${cpu}: no cpu-release-addr in the device tree`);
  return Number(decodeU64(prop, 'cpu-release-addr'));
}

/** smp_spin_table_cpu_prepare + boot: release one CPU and wait for it. */
function __cpu_up(k: Kernel, cpu: number): boolean {
  const pa = releaseAddr(k, cpu);
  k.machine.ram.setU64(pa, k.paddr('secondary_entry'));
  k.machine.sev();
  k.machine.run({ until: () => k.online[cpu] === true || k.machine.halted, maxRounds: CPU_UP_ROUNDS });
  if (!k.online[cpu]) k.printk(`CPU${cpu}: failed to come online`);
  return k.online[cpu] === true;
}

/** secondary_start_kernel: the new CPU says who it is and goes idle. */
export function secondary_start_kernel(k: Kernel, cpu: number): void {
  const regs = k.cpuRegs[cpu]!;
  k.printk(icacheLine(cpu, regs));
  k.printk(`CPU${cpu}: Booted secondary processor ${hwid(regs.mpidr)} [${midrHex(regs.midr)}]`);
  k.online[cpu] = true;
}

/** smp_init: bring up every CPU in the device tree, then report. */
export function smp_init(k: Kernel): void {
  k.printk('smp: Bringing up secondary CPUs ...');
  const nodes = k.cpuNodes.length;
  const cpus = Math.min(nodes, k.machine.cores.length);
  for (let cpu = 1; cpu < cpus && !k.machine.halted; cpu++) __cpu_up(k, cpu);
  const up = k.online.filter(Boolean).length;
  k.printk(`smp: Brought up 1 node, ${up} CPU${up === 1 ? '' : 's'}`);
  k.printk(`SMP: Total of ${up} processors activated.`);
  const regs = k.cpuRegs.filter((r, i) => r && k.online[i]) as NonNullable<(typeof k.cpuRegs)[number]>[];
  for (const line of systemFeatures(regs)) k.printk(line);
  k.printk('CPU: All CPU(s) started at EL1');
}
