// SPDX-License-Identifier: GPL-2.0-only
/* uconsole oracle: the project's kernel against Debian's, side by side (linux/oracle.ts). */

import { runOracle } from '../linux/oracle-run';
import { formatRows } from '../linux/oracle';
import { parseOptions } from './uconsole';
import { kaslrSeed } from './boot-linux';

export const ORACLE_HELP = `usage: uconsole oracle [--board NAME] [--ram SIZE] [--kaslr-seed N]

Boot the project's kernel and Debian's arm64 kernel (fetched by "uconsole
fetch linux") on the same emulated board, and print side by side every
boot-log value the hardware and the firmware decide, and, where busybox is
cached ("uconsole fetch busybox"), the same of /proc/buddyinfo, zoneinfo,
iomem and cpuinfo as Debian's shell prints them: = equal, ~ different for
a documented reason (linux/oracle.ts KNOWN, linux/oracle-proc.ts
PROC_KNOWN), ! unexplained. Exit
status 0 when nothing is unexplained, 1 otherwise. Boards: uconsole-cm4,
uconsole-cm3, uconsole-a04, uconsole-a06. --kaslr-seed boots Debian's kernel with KASLR (as boot
--kernel linux --kaslr-seed does): the values compared do not move with it.
`;

export async function oracleCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, { board: { type: 'string' }, ram: { type: 'string' }, 'kaslr-seed': { type: 'string' } });
  const r = await runOracle({ board: values.board, ram: values.ram, kaslrSeed: kaslrSeed(values['kaslr-seed']) });
  process.stdout.write(formatRows(r.rows));
  if (r.proc && r.linux.exitStatus !== 0) process.stderr.write(`uconsole: Debian's busybox did not print the /proc files: ${r.linux.end.message}\n`);
  if (!r.proc && r.linux.end.reason !== 'panic') process.stderr.write(`uconsole: Debian's kernel did not reach its root-mount panic: ${r.linux.end.message}\n`);
  return r.ok ? 0 : 1;
}
