// SPDX-License-Identifier: GPL-2.0-only
/*
 * start_kernel (init/main.c), the model's version, in three parts around
 * the switch to the kernel's page tables and the boot CPU's per-CPU
 * offset:
 *
 *  start_kernel: the boot CPU arrives from the image's primary_entry with
 *    the device tree in x0, the MMU off and its identity registers read;
 *    setup_arch parses the tree, builds memblock and the page tables;
 *  the image's __enable_mmu turns the MMU on and continues at
 *    KIMAGE_VADDR, which calls back into
 *  start_kernel_percpu: setup_per_cpu_areas (the embedded first chunk,
 *    mm/percpu/first_chunk.ts); the image then writes the
 *    boot CPU's offset into TPIDR_EL1 (smp_prepare_boot_cpu) and calls
 *  start_kernel_rest: the rest in Linux's order (the zonelists, the
 *    memory subsystems, the clock), then rest_init, which starts
 *    kernel_init as a kernel thread on the boot CPU: it brings up the
 *    other CPUs and marks the kernel running. The boot CPU meanwhile goes
 *    idle, as Linux's does in cpu_startup_entry.
 */

import type { Kernel } from '../kernel';
import { setup_arch } from '../arch/arm64/kernel/setup';
import { smp_init } from '../arch/arm64/kernel/smp';
import { cpuinfo, hwid, icacheLine, midrHex } from '../arch/arm64/kernel/cpuinfo';
import { build_zonelists, mem_init } from '../mm/init';
import { percpu_alloc_map_param, setup_per_cpu_areas } from '../mm/percpu/first_chunk';
import { vmalloc_init, vmap_allocator_param } from '../mm/vmalloc/vmalloc';
import { PAGE_SIZE } from '../arch/arm64/page-def';
import { kthread_run } from '../kernel/kthread';
import { kmem_cache_init } from '../mm/slab/slab_init';
import { KernelKmem, kmem_params } from '../kern/kmem/kmem_kernel';
import { KfreeRcu } from '../kernel/rcu/kvfree';
import { kswapd_init } from '../mm/kswapd';
import { populate_rootfs } from './initramfs';
import { proc_misc_init } from '../fs/proc_misc';
import { ExecError } from '../fs/binfmt_elf';
import { resolve_exec } from '../fs/exec';
import { spawn_process } from '../kernel/fork';
import { HARNESS_PID } from '../kernel/sched/task';
import { time_init } from '../kernel/time/clocksource';
import type { KthreadGen } from '../kernel/sched/kthread_types';

/** What `uname -r` would say: the uConsole kernel's version, marked as the model. */
export const UTS_RELEASE = '5.10.17-uconsole-mm';

/**
 * linux_banner's shape (init/version.c): "Linux version RELEASE (user@host)
 * (compiler) #1 SMP PREEMPT date". The build is the model's own, and its
 * date is fixed so that every boot prints the same log.
 */
export const LINUX_BANNER = `Linux version ${UTS_RELEASE} (uconsole-mm@uconsole-mm) (uconsole-mm TypeScript kernel model) #1 SMP PREEMPT Thu Jan 1 00:00:00 UTC 1970`;

export function start_kernel(k: Kernel, dtbPa: bigint): void {
  const regs = k.cpuRegs[0]!;
  k.printk(`Booting Linux on physical CPU ${hwid(regs.mpidr)} [${midrHex(regs.midr)}]`);
  k.printk(LINUX_BANNER);
  k.arch = setup_arch(k, Number(dtbPa));
  k.proc.register('/proc/version', () => `${LINUX_BANNER}\n`);
  k.proc.register('/proc/cmdline', () => `${k.arch.cmdlineText}\n`);
  k.proc.register('/proc/cpuinfo', () => cpuinfo(k.cpuRegs, k.onlineMask, k.machine.timerHz));
}

/** After the MMU switch: the per-CPU areas, before the boot CPU sets its offset. */
export function start_kernel_percpu(k: Kernel): void {
  k.percpu = setup_per_cpu_areas(k, percpu_alloc_map_param(k.arch.cmdline.get('percpu_alloc_map'), k.printk));
  const percpu = k.percpu;
  k.proc.register('/sys/kernel/debug/percpu_stats', () => percpu.percpu_stats());
}

export function start_kernel_rest(k: Kernel): void {
  k.onlineMask[0] = true;
  k.printk(icacheLine(0, k.cpuRegs[0]!));
  const pgalloc = build_zonelists(k, k.arch.bootmem);
  k.printk(`Kernel command line: ${k.arch.cmdlineText}`);
  const swiotlb = mem_init(k, pgalloc);
  const slab = kmem_cache_init(k, pgalloc);
  const imageBytes = Math.ceil(k.imageSize / PAGE_SIZE) * PAGE_SIZE;
  const vmalloc = vmalloc_init(k, vmap_allocator_param(k.arch.cmdline.get('vmap_allocator'), k.printk), imageBytes, slab.slab);
  const kmem = new KernelKmem(k, slab.pages, slab.pcc, kmem_params((key) => k.arch.cmdline.get(key), k.printk));
  k.mm = { pgalloc, swiotlb, vmalloc, kmem, kfree_rcu: new KfreeRcu(k) };
  k.proc.register('/proc/vmallocinfo', () => vmalloc.vmallocinfo());
  k.proc.register('/proc/kmem', () => kmem.show());
  time_init(k);
  rest_init(k);
}

/** rest_init: kernel_init as a kernel thread on the boot CPU. */
function rest_init(k: Kernel): void {
  kthread_run(k, kernel_init, 0, 'kernel_init');
}

function* kernel_init(k: Kernel): KthreadGen<number> {
  yield* smp_init(k);
  k.machine.mapAllShadows(); // every core's MMU is on: user address spaces may use any low VA
  populate_rootfs(k); // rootfs_initcall, before the device initcalls
  proc_misc_init(k); // fs_initcall(proc_uptime_init) and friends
  kswapd_init(k, k.mm.pgalloc); // module_init(kswapd_init), among the initcalls
  if (k.state === 'booting') k.state = 'running';
  if (k.runInit) run_init_process(k);
  return 0;
}

/**
 * kernel_init's last step: the initramfs's rdinit= program (default
 * /init) as pid 1 on the boot CPU. When it ends, Linux panics ("Attempted
 * to kill init!"); the model prints the same line and halts, keeping the
 * status for whoever booted it.
 */
function run_init_process(k: Kernel): void {
  const path = k.arch.cmdline.get('rdinit') ?? '/init';
  const vfs = k.rootfs;
  let target: ReturnType<typeof resolve_exec>;
  try {
    if (!vfs) throw new ExecError(2, 'no root file system');
    target = resolve_exec(vfs.root, vfs.root, path, [path]);
  } catch (e) {
    if (!(e instanceof ExecError)) throw e;
    k.printk(`Failed to execute ${path} (error -${e.errno})`);
    k.panic('No working init found.  Try passing init= option to kernel. See Linux Documentation/admin-guide/init.rst for guidance.');
    return;
  }
  k.printk(`Run ${path} as init process`);
  try {
    const init = spawn_process(k, { cpu: 0, file: target.file, filename: target.filename, argv: target.argv, pid: HARNESS_PID });
    k.user.procs.init = init;
    init.onRelease.push((wstatus) => {
      k.initStatus = wstatus;
      k.panic(`Attempted to kill init! exitcode=0x${(wstatus >>> 0).toString(16).padStart(8, '0')}`);
    });
  } catch (e) {
    if (!(e instanceof ExecError)) throw e;
    k.printk(`Failed to execute ${path} (error -${e.errno})`);
    k.panic('No working init found.  Try passing init= option to kernel. See Linux Documentation/admin-guide/init.rst for guidance.');
  }
}
