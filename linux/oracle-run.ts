// SPDX-License-Identifier: GPL-2.0-only
/* Booting both kernels for the oracle (oracle.ts compares what they print). */

import { bootUconsole } from '../api/uconsole';
import { findBoard } from '../emulator/board/boards';
import { bootLinux, type LinuxRun } from './boot';
import { compareBoots, type OracleRow } from './oracle';

export interface OracleResult {
  rows: OracleRow[];
  /** No row is different without a known reason. */
  ok: boolean;
  modelLog: string;
  linux: LinuxRun;
}

export async function runOracle(opts: { board?: string; ram?: string; limitSeconds?: number } = {}): Promise<OracleResult> {
  const board = findBoard(opts.board ?? 'uconsole-cm4');
  let modelLog = '';
  const u = await bootUconsole({ board: board.name, ram: opts.ram, onConsole: (t) => (modelLog += t) });
  u.shutdown();
  const linux = await bootLinux({ board: board.name, ram: opts.ram, limitSeconds: opts.limitSeconds, initramfs: false });
  const rows = compareBoots(modelLog, linux.console, board.cpus.length);
  return { rows, ok: rows.every((r) => r.status !== 'different'), modelLog, linux };
}
