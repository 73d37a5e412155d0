// SPDX-License-Identifier: GPL-2.0-only
/*
 * Booting both kernels for the oracle (oracle.ts and oracle-proc.ts
 * compare what they print). Debian's kernel boots with the busybox
 * initramfs and its shell cats the /proc files, each after a "==> PATH <=="
 * line as `head` prints them, with the console's log level lowered first
 * so that no kernel message falls between; without busybox it boots to
 * its root-mount panic and only the boot logs are compared.
 */

import { bootUconsole } from '../api/uconsole';
import { findBoard } from '../emulator/board/boards';
import { cachedBusybox } from '../images/busybox';
import { bootLinux, type LinuxRun } from './boot';
import { compareBoots, type OracleRow } from './oracle';
import { compareProc, PROC_FILES, splitCatOutput } from './oracle-proc';

export interface OracleResult {
  rows: OracleRow[];
  /** No row is different without a known reason. */
  ok: boolean;
  modelLog: string;
  linux: LinuxRun;
  /** Whether the /proc files were compared (Debian's kernel ran busybox). */
  proc: boolean;
}

/** What Debian's busybox runs for the /proc half. */
export const PROC_SCRIPT = `dmesg -n 1; for f in ${PROC_FILES.join(' ')}; do echo "==> $f <=="; cat $f; done; echo "==> end <=="`;

export async function runOracle(opts: { board?: string; ram?: string; limitSeconds?: number; proc?: boolean; kaslrSeed?: bigint } = {}): Promise<OracleResult> {
  const board = findBoard(opts.board ?? 'uconsole-cm4');
  const proc = opts.proc ?? cachedBusybox() !== undefined;
  let modelLog = '';
  const u = await bootUconsole({ board: board.name, ram: opts.ram, onConsole: (t) => (modelLog += t) });
  const modelProc = new Map(PROC_FILES.map((f) => [f, u.kernel.proc.read(f)] as const));
  u.shutdown();
  const given = { board: board.name, ram: opts.ram, limitSeconds: opts.limitSeconds, kaslrSeed: opts.kaslrSeed };
  const linux = await bootLinux(proc ? { ...given, exec: PROC_SCRIPT } : { ...given, initramfs: false });
  const rows = compareBoots(modelLog, linux.console, board.cpus.length);
  if (proc) rows.push(...compareProc(modelProc, splitCatOutput(linux.console)));
  return { rows, ok: rows.every((r) => r.status !== 'different'), modelLog, linux, proc };
}
