// SPDX-License-Identifier: GPL-2.0-only
/*
 * `bench emu` rows for Debian's kernel on the machine (linux/boot.ts):
 * wall time and guest instructions from power-on to the root-mount panic,
 * on the CM4 at 1 GB and 4 GB and on the CM3 (1 GB). Skipped, with a line saying so, when the
 * kernel is not fetched.
 */

import { bootLinux } from '../linux/boot';
import { cachedLinuxKernel, FETCH_COMMAND } from '../linux/package';

/** The boots measured: board and RAM (the row's variant is e.g. cm4-1G). */
export const LINUX_BOOTS = [
  { board: 'uconsole-cm4', ram: '1G' },
  { board: 'uconsole-cm4', ram: '4G' },
  { board: 'uconsole-cm3', ram: '1G' },
] as const;

type Add = (variant: string, test: string, metric: string, unit: string, value: number) => void;

/** `boots` boots per RAM size (0: none), averaged. */
export async function linuxBootRows(boots: number, add: Add, progress: (s: string) => void): Promise<void> {
  if (boots === 0) return;
  if (!cachedLinuxKernel()) {
    progress(`linux-boot: skipped (Debian's kernel is not fetched: run "${FETCH_COMMAND}")`);
    return;
  }
  for (const { board, ram } of LINUX_BOOTS) {
    progress(`linux-boot: ${board} ${ram}`);
    let wall = 0;
    let insns = 0;
    let virt = 0;
    for (let i = 0; i < boots; i++) {
      const t0 = performance.now();
      const run = await bootLinux({ board, ram });
      wall += performance.now() - t0;
      if (run.end.reason !== 'panic') throw new Error(`Debian's kernel did not reach its root-mount panic on ${board} at ${ram}: ${run.end.message}`);
      insns += run.insns;
      virt += run.virtualSeconds;
    }
    const variant = `${board.replace(/^uconsole-/, '')}-${ram}`;
    add(variant, 'linux-boot', 'wall_ms', 'ms', wall / boots);
    add(variant, 'linux-boot', 'insns', 'instructions', insns / boots);
    add(variant, 'linux-boot', 'virtual_ms', 'ms', (virt * 1000) / boots);
  }
}
