// SPDX-License-Identifier: GPL-2.0-only
/*
 * start_kernel (init/main.c), the model's version, in two halves around
 * the switch to the kernel's page tables:
 *
 *  start_kernel: the boot CPU arrives from the image's primary_entry with
 *    the device tree in x0, the MMU off and its identity registers read;
 *    setup_arch parses the tree, builds memblock and the page tables;
 *  the image's __enable_mmu then turns the MMU on and continues at
 *    KIMAGE_VADDR, which calls back into
 *  start_kernel_switched: the rest, in Linux's order (the memory
 *    subsystems, then the other CPUs).
 */

import type { Kernel } from '../kernel';
import { setup_arch } from '../arch/arm64/kernel/setup';
import { smp_init } from '../arch/arm64/kernel/smp';
import { hwid, icacheLine, midrHex } from '../arch/arm64/kernel/cpuinfo';
import { build_zonelists, mem_init } from '../mm/init';

/** What `uname -r` would say: the uConsole kernel's version, marked as the model. */
export const UTS_RELEASE = '5.10.17-uconsole-mm';

export const LINUX_BANNER = `Linux version ${UTS_RELEASE} (uconsole-mm TypeScript kernel model) #1 SMP PREEMPT`;

export function start_kernel(k: Kernel, dtbPa: bigint): void {
  const regs = k.cpuRegs[0]!;
  k.printk(`Booting Linux on physical CPU ${hwid(regs.mpidr)} [${midrHex(regs.midr)}]`);
  k.printk(LINUX_BANNER);
  setup_arch(k, Number(dtbPa));
  k.proc.register('/proc/version', () => `${LINUX_BANNER}\n`);
  k.proc.register('/proc/cmdline', () => `${k.cmdlineText}\n`);
}

export function start_kernel_switched(k: Kernel): void {
  const regs = k.cpuRegs[0]!;
  k.online[0] = true;
  k.printk(icacheLine(0, regs));
  const pgalloc = build_zonelists(k, k.bootmem!);
  k.printk(`Kernel command line: ${k.cmdlineText}`);
  mem_init(k, pgalloc);
  k.pageAllocator = pgalloc;
  smp_init(k);
}
