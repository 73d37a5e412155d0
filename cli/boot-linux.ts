// SPDX-License-Identifier: GPL-2.0-only
/* uconsole boot --kernel linux: Debian's arm64 kernel on the emulated board (linux/boot.ts). */

import { bootLinux, type LinuxRun } from '../linux/boot';
import { UsageError } from './uconsole';

/** Exit statuses: the run ended in a kernel panic, or hung (time limit, every core idle). */
export const EXIT_PANIC = 2;
export const EXIT_HANG = 3;

export interface LinuxBootArgs {
  board?: string;
  ram?: string;
  cmdline?: string;
  dtb?: string;
  kernelImage?: string;
  timeLimit?: string;
  firmwareLog?: boolean;
}

function seconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0) throw new UsageError(`--time-limit wants a positive number of seconds, not "${text}"`);
  return v;
}

function report(run: LinuxRun): string[] {
  const out = [`uconsole: ${run.end.reason === 'panic' ? 'kernel panic' : run.end.reason}: ${run.end.message}`];
  out.push(`uconsole: ${run.virtualSeconds.toFixed(3)} s of virtual time, ${run.insns} instructions`);
  if (run.end.reason !== 'panic') {
    out.push('uconsole: last console lines:', ...run.lastLines.map((l) => `  ${l}`));
    out.push(...run.cores.map((c) => `uconsole: ${c}`));
  }
  return out;
}

export async function bootLinuxCommand(a: LinuxBootArgs): Promise<number> {
  let line = '';
  const run = await bootLinux({
    board: a.board, ram: a.ram, cmdline: a.cmdline, dtb: a.dtb, kernelImage: a.kernelImage, limitSeconds: seconds(a.timeLimit),
    onConsole: (ch) => {
      line += ch;
      if (ch === '\n') {
        process.stdout.write(line);
        line = '';
      }
    },
  });
  if (line) process.stdout.write(`${line}\n`);
  if (a.firmwareLog) {
    for (const l of run.firmware.log) process.stderr.write(`firmware: ${l}\n`);
    process.stderr.write(`firmware: declared absent in the device tree: ${run.absent.join(' ')}\n`);
  }
  for (const l of report(run)) process.stderr.write(`${l}\n`);
  if (run.end.reason === 'panic') return EXIT_PANIC;
  if (run.end.reason === 'machine-halt') return 1;
  return EXIT_HANG;
}
