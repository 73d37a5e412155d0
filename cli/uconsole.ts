// SPDX-License-Identifier: GPL-2.0-only
/*
 * uconsole: the command line. Bundled by esbuild into dist/uconsole.cjs
 * (scripts/setup.mjs) and started through bin/uconsole (bin/uconsole.cjs).
 *
 * Every error a user can cause, and every guest fault, ends as one line on
 * stderr and exit status 1; a JavaScript stack trace only with
 * UCONSOLE_DEBUG=1.
 */

import { mallocInHugePages } from '../emulator/unicorn/host-malloc';
import { exitWithoutTeardown, noteStdioFlags } from '../emulator/unicorn/host-exit';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { bootCommand, BOOT_HELP } from './boot';
import { benchCommand, BENCH_HELP } from './bench';
import { runCommand, RUN_HELP } from './run';
import { fetchCommand, FETCH_HELP } from './fetch';
import { oracleCommand, ORACLE_HELP } from './oracle';

export const MAIN_HELP = `usage: uconsole <command> [options]

An emulated ClockworkPi uConsole (ARM64) with a TypeScript kernel model.

commands:
  boot     boot a uConsole and print its boot log
  run      run a static arm64 Linux program on it, as qemu-aarch64 would
  bench    run a benchmark suite (table on stdout, --json FILE)
  fetch    fetch Debian's arm64 packages: busybox-static (the initramfs), linux (the oracle)
  oracle   compare the model's boot with Debian's kernel on the same board

Run "uconsole <command> --help" for a command's options.
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** parseArgs with one-line errors. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]!);
  }
}

const COMMANDS: Record<string, { run: (args: string[]) => Promise<number>; help: string }> = {
  boot: { run: bootCommand, help: BOOT_HELP },
  run: { run: runCommand, help: RUN_HELP },
  bench: { run: benchCommand, help: BENCH_HELP },
  fetch: { run: fetchCommand, help: FETCH_HELP },
  oracle: { run: oracleCommand, help: ORACLE_HELP },
};

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(MAIN_HELP);
    return cmd ? 0 : 1;
  }
  const command = COMMANDS[cmd];
  if (!command) throw new UsageError(`unknown command "${cmd}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
  const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest; // a program's own --help is its business
  if (own.includes('--help') || own.includes('-h')) {
    process.stdout.write(command.help);
    return 0;
  }
  return command.run(rest);
}

/** Errors a user can cause: their message is the whole story. */
const USER_ERRORS = new Set([
  'UsageError', 'BoardError', 'BootError', 'FirmwareError', 'FdtError', 'ConfigTxtError', 'CmdlineError',
  'KallsymsError', 'ProcError', 'HarnessError', 'RunError', 'UnicornUnavailableError', 'NativeBuildError', 'AsmError', 'GuestRamError', 'MachineError',
  'BusyboxFetchError', 'InitramfsBuildError', 'CpioError', 'LinuxFetchError', 'LinuxInitramfsError', 'SystemMapError',
]);

function report(err: Error): string {
  const first = err.message.split('\n')[0];
  return USER_ERRORS.has(err.name) ? first! : `internal error: ${first} (run with UCONSOLE_DEBUG=1 for the stack)`;
}

/** What the command's entry (bin/uconsole.cjs) saw before anything else ran. */
export interface CliStart {
  /** File status flags of descriptors 0, 1 and 2 (-1: not known), before Node's streams changed them. */
  stdioFlags?: readonly number[];
}

export async function cli(argv: string[], start: CliStart = {}): Promise<void> {
  mallocInHugePages(); // a short command's page faults are much of its cost (emulator/unicorn/host-malloc.ts)
  noteStdioFlags(start.stdioFlags); // the process ends without Node's teardown (emulator/unicorn/host-exit.ts)
  // `uconsole boot | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  process.once('beforeExit', exitWithoutTeardown);
  try {
    process.exitCode = await main(argv);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    if (process.env.UCONSOLE_DEBUG) console.error(err);
    else process.stderr.write(`uconsole: ${report(err)}\n`);
    process.exitCode = 1;
  }
}
