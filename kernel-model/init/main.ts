// SPDX-License-Identifier: GPL-2.0-only
/*
 * start_kernel (init/main.c), the model's version: the boot CPU arrives
 * from the image's primary_entry with the device tree in x0 and its
 * identity registers read; the kernel sets up the architecture, brings up
 * the other CPUs, and is then running. The memory subsystems join this
 * path as they land (each in its own file, called from here in Linux's
 * order).
 */

import type { Kernel } from '../kernel';
import { setup_arch } from '../arch/arm64/kernel/setup';
import { smp_init } from '../arch/arm64/kernel/smp';
import { hwid, icacheLine, midrHex } from '../arch/arm64/kernel/cpuinfo';

/** What `uname -r` would say: the uConsole kernel's version, marked as the model. */
export const UTS_RELEASE = '5.10.17-uconsole-mm';

export function start_kernel(k: Kernel, dtbPa: bigint): void {
  const regs = k.cpuRegs[0]!;
  k.printk(`Booting Linux on physical CPU ${hwid(regs.mpidr)} [${midrHex(regs.midr)}]`);
  k.printk(`Linux version ${UTS_RELEASE} (uconsole-mm TypeScript kernel model) #1 SMP PREEMPT`);
  setup_arch(k, Number(dtbPa));
  k.online[0] = true;
  k.printk(icacheLine(0, regs));
  k.printk(`Kernel command line: ${k.cmdlineText}`);
  smp_init(k);
}
