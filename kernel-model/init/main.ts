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
import { cpuinfo, hwid, icacheLine, midrHex } from '../arch/arm64/kernel/cpuinfo';
import { build_zonelists, mem_init } from '../mm/init';

/** What `uname -r` would say: the uConsole kernel's version, marked as the model. */
export const UTS_RELEASE = '5.10.17-uconsole-mm';

/**
 * linux_banner's shape (init/version.c): "Linux version RELEASE (user@host)
 * (compiler) #1 SMP PREEMPT date". The build is the model's own, and its
 * date is fixed so that every boot prints the same log.
 */
export const LINUX_BANNER = `Linux version ${UTS_RELEASE} (uconsole-mm@uconsole-mm) (uconsole-mm TypeScript kernel model) #1 SMP PREEMPT Thu Jan 1 00:00:00 UTC 1970`;

/** The generic timer's frequency per SoC (CNTFRQ_EL0 as the firmware sets it), for BogoMIPS. */
const ARCH_TIMER_HZ: Record<string, number> = { BCM2711: 54_000_000, BCM2837: 19_200_000, RK3399: 24_000_000, H6: 24_000_000 };

export function start_kernel(k: Kernel, dtbPa: bigint): void {
  const regs = k.cpuRegs[0]!;
  k.printk(`Booting Linux on physical CPU ${hwid(regs.mpidr)} [${midrHex(regs.midr)}]`);
  k.printk(LINUX_BANNER);
  setup_arch(k, Number(dtbPa));
  k.proc.register('/proc/version', () => `${LINUX_BANNER}\n`);
  k.proc.register('/proc/cmdline', () => `${k.cmdlineText}\n`);
  k.proc.register('/proc/cpuinfo', () => cpuinfo(k.cpuRegs, k.online, ARCH_TIMER_HZ[k.machine.board.soc] ?? 24_000_000));
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
