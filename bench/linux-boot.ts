// SPDX-License-Identifier: GPL-2.0-only
/*
 * `bench emu` rows for Debian's kernel on the machine (linux/boot.ts):
 * wall time and guest instructions from power-on to the root-mount panic
 * (`linux-boot`, no initramfs), and to the busybox shell's first prompt
 * (`linux-shell`, with the CPU time of the process too, since the machine
 * may be shared), on the CM4 at 1 GB and 4 GB, on the CM3 and the A-04
 * (1 GB each) and on the A-06 (2 GB, its smallest);
 * `linux-kaslr`, the CM4 at 1 GB to the panic with KASLR (a fixed seed,
 * so that the row is the same boot each time).
 * Skipped, with a line saying so, when the kernel is not fetched; the
 * shell rows also when busybox is not.
 */

import { bootLinux, type LinuxBootOptions, type LinuxRun } from '../linux/boot';
import { cachedLinuxKernel, FETCH_COMMAND } from '../linux/package';
import { cachedBusybox, FETCH_COMMAND as FETCH_BUSYBOX } from '../images/busybox';

/** The boots measured: board and RAM (the row's variant is e.g. cm4-1G). */
export const LINUX_BOOTS = [
  { board: 'uconsole-cm4', ram: '1G' },
  { board: 'uconsole-cm4', ram: '4G' },
  { board: 'uconsole-cm3', ram: '1G' },
  { board: 'uconsole-a04', ram: '1G' },
  { board: 'uconsole-a06', ram: '2G' },
] as const;

/** The seed of the linux-kaslr row (its kernel offset is 0x367890a00000). */
export const KASLR_BENCH_SEED = 0x1234_5678_90ab_cdefn;

type Add = (variant: string, test: string, metric: string, unit: string, value: number) => void;

/** `boots` boots per RAM size (0: none), averaged. */
export async function linuxBootRows(boots: number, add: Add, progress: (s: string) => void): Promise<void> {
  if (boots === 0) return;
  if (!cachedLinuxKernel()) {
    progress(`linux-boot: skipped (Debian's kernel is not fetched: run "${FETCH_COMMAND}")`);
    return;
  }
  const shell = cachedBusybox() !== undefined;
  if (!shell) progress(`linux-shell: skipped (busybox is not fetched: run "${FETCH_BUSYBOX}")`);
  for (const { board, ram } of LINUX_BOOTS) {
    const variant = `${board.replace(/^uconsole-/, '')}-${ram}`;
    progress(`linux-boot: ${board} ${ram}`);
    await measure(variant, 'linux-boot', boots, add, { board, ram, initramfs: false }, 'panic');
    if (!shell) continue;
    progress(`linux-shell: ${board} ${ram}`);
    await measure(variant, 'linux-shell', boots, add, { board, ram, stopAtPrompt: true }, 'prompt');
  }
  progress('linux-kaslr: uconsole-cm4 1G');
  await measure('cm4-1G', 'linux-kaslr', boots, add, { board: 'uconsole-cm4', ram: '1G', initramfs: false, kaslrSeed: KASLR_BENCH_SEED }, 'panic');
}

/** `boots` boots averaged: wall and CPU time (ms), instructions, virtual time to the expected end. */
async function measure(variant: string, test: string, boots: number, add: Add, opts: LinuxBootOptions, expect: LinuxRun['end']['reason']): Promise<void> {
  let wall = 0;
  let cpu = 0;
  let insns = 0;
  let virt = 0;
  for (let i = 0; i < boots; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const run = await bootLinux(opts);
    const c = process.cpuUsage(c0);
    wall += performance.now() - t0;
    cpu += (c.user + c.system) / 1000;
    if (run.end.reason !== expect) throw new Error(`Debian's kernel did not reach its ${expect} (${test}, ${variant}): ${run.end.reason}: ${run.end.message}`);
    // To the prompt itself: the run ends at the end of that slice.
    insns += run.prompt?.insns ?? run.insns;
    virt += run.prompt?.virtualSeconds ?? run.virtualSeconds;
  }
  add(variant, test, 'wall_ms', 'ms', wall / boots);
  add(variant, test, 'cpu_ms', 'ms', cpu / boots);
  add(variant, test, 'insns', 'instructions', insns / boots);
  add(variant, test, 'virtual_ms', 'ms', (virt * 1000) / boots);
}
