// SPDX-License-Identifier: GPL-2.0-only
/*
 * uconsole boot --kernel linux: Debian's arm64 kernel on the emulated board
 * (linux/boot.ts), to a busybox shell on its console when busybox is
 * cached (stdin drives it, as for the project's kernel), or running one
 * --exec command; otherwise to the root-mount panic.
 */

import { closeSync, openSync, writeSync } from 'node:fs';
import { bootLinux, type LinuxRun } from '../linux/boot';
import type { ConsoleInput } from '../linux/console';
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
  exec?: string;
  kaslrSeed?: string;
  /** A file that receives what the mini-UART sends, byte for byte. */
  miniUart?: string;
  /** The kernel's System.map: each core's PC named in the end report. */
  systemMap?: string;
}

function seconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0) throw new UsageError(`--time-limit wants a positive number of seconds, not "${text}"`);
  return v;
}

const U64_MAX = (1n << 64n) - 1n;

/** A KASLR seed as a user writes it: decimal or 0x hex, a u64 (what /chosen/kaslr-seed holds). */
export function kaslrSeed(text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) throw new UsageError(`--kaslr-seed wants a number (decimal or 0x hex), not "${text}"`);
  const v = BigInt(text);
  if (v > U64_MAX) throw new UsageError(`--kaslr-seed ${text} does not fit 64 bits (/chosen/kaslr-seed is a u64)`);
  return v;
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

function report(run: LinuxRun, file: string | undefined): string[] {
  const out = [`uconsole: ${run.end.reason === 'panic' ? 'kernel panic' : run.end.reason}: ${run.end.message}`];
  out.push(`uconsole: ${run.virtualSeconds.toFixed(3)} s of virtual time, ${run.insns} instructions`);
  if (run.prompt) out.push(`uconsole: shell prompt after ${run.prompt.virtualSeconds.toFixed(3)} s of virtual time, ${run.prompt.insns} instructions`);
  if (run.miniUart.length > 0) out.push(`uconsole: the mini-UART sent ${run.miniUart.length} bytes${file ? ` (in ${file})` : ' (--mini-uart FILE keeps them)'}`);
  if (run.kernelOffset !== 0n) out.push(`uconsole: KASLR: kernel offset ${hex(run.kernelOffset)}, image at ${hex(run.imageVa)}`);
  if (!['panic', 'power-off', 'host-halt'].includes(run.end.reason)) {
    out.push('uconsole: last console lines:', ...run.lastLines.map((l) => `  ${l}`));
    out.push(...run.cores.map((c) => `uconsole: ${c}`));
  }
  return out;
}

/**
 * The file given to --mini-uart, opened (truncated) before the boot so
 * that a bad path fails at once; each byte is written as it is sent, so
 * the file is complete up to a crash.
 */
function miniUartFile(path: string | undefined): { write: (byte: number) => void; close: () => void } | undefined {
  if (path === undefined) return undefined;
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw new UsageError(`--mini-uart ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`);
  }
  return { write: (byte) => void writeSync(fd, Uint8Array.of(byte)), close: () => closeSync(fd) };
}

/** `input`: the host's stdin for the shell (cli/boot.ts's, with its Ctrl-A x escape), unless --exec. */
export async function bootLinuxCommand(a: LinuxBootArgs, input?: ConsoleInput): Promise<number> {
  let line = '';
  const flush = (): void => {
    if (line) process.stdout.write(line);
    line = '';
  };
  const miniUart = miniUartFile(a.miniUart);
  const run = await bootLinux({
    board: a.board, ram: a.ram, cmdline: a.cmdline, dtb: a.dtb, kernelImage: a.kernelImage, limitSeconds: seconds(a.timeLimit),
    exec: a.exec,
    // Whatever the guest printed (a prompt has no newline) is shown before the host waits for input.
    input: a.exec === undefined && input ? (waitMs) => (flush(), input(waitMs)) : undefined,
    kaslrSeed: kaslrSeed(a.kaslrSeed),
    onConsole: (ch) => {
      line += ch;
      if (ch === '\n') flush();
    },
    onMiniUart: miniUart?.write,
    systemMap: a.systemMap,
  }).finally(() => miniUart?.close());
  if (line) process.stdout.write(`${line}\n`);
  line = '';
  if (a.firmwareLog) {
    for (const l of run.firmware.log) process.stderr.write(`firmware: ${l}\n`);
    process.stderr.write(`firmware: declared absent in the device tree: ${run.absent.join(' ')}\n`);
  }
  for (const l of report(run, a.miniUart)) process.stderr.write(`${l}\n`);
  if (run.end.reason === 'power-off') return run.exitStatus ?? 0;
  if (run.end.reason === 'host-halt') return 0;
  if (run.end.reason === 'panic') return EXIT_PANIC;
  if (run.end.reason === 'machine-halt') return 1;
  return EXIT_HANG;
}
