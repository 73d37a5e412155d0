// SPDX-License-Identifier: GPL-2.0-only
/*
 * uconsole run: a static arm64 Linux program on the emulated uConsole, as
 * qemu-aarch64 runs one on a Linux host. The board boots quietly, the
 * program starts as a new process on the chosen CPU, its stdout and
 * stderr are passed through, and its exit status is ours (128 + N when
 * signal N killed it, as a shell reports it). Kernel messages about the
 * program (a fault, the OOM killer) go to stderr.
 */

import { readFileSync, statSync } from 'node:fs';
import { HostInput } from './host_input';
import { BOARDS, DEFAULT_BOARD } from '../emulator/board/boards';
import { bootUconsole } from '../api/uconsole';
import { ExecFormatError, parseElf } from '../kernel-model/fs/binfmt_elf_parse';
import { ExecError } from '../kernel-model/fs/binfmt_elf';
import { open_exec } from '../kernel-model/fs/exec';
import { SYSCALL_NAMES } from '../kernel-model/include/unistd';
import { formatLogLine } from '../kernel-model/printk';
import { parseOptions, UsageError } from './uconsole';

export const RUN_HELP = `usage: uconsole run [options] PROGRAM [-- ARGS...]
Run a static arm64 Linux executable on an emulated uConsole, as
qemu-aarch64 would: the board boots (quietly), PROGRAM runs as a new
process with argv = PROGRAM ARGS..., its stdin, stdout and stderr are
passed through (stdin as a pipe, read as the program asks for it), and
its exit status is uconsole's (128 + N if signal N killed it).
The program sees the uConsole's kernel: its files are the initramfs's,
not the host's. An absolute PROGRAM that is not a host file is taken from
the initramfs (e.g. uconsole run /bin/bpf-storm -- 3 1000).
options:
  --board NAME      ${BOARDS.map((b) => b.name).join(', ')} (default ${DEFAULT_BOARD})
  --ram SIZE        RAM size, e.g. 1G, 4G (default: the board's)
  --cpu N           the CPU the program runs on (default 0)
  --cmdline "..."   kernel command line (replaces cmdline.txt)
  --strace          a line on stderr for every system call, as qemu's -strace
  --max-rounds N    stop the program after N scheduler rounds (default: no limit)
  -h, --help        this help
`;

export class RunError extends Error {
  override name = 'RunError';
}

/**
 * The program's bytes, or a one-line reason it cannot be run (checked
 * before booting). An absolute path that is not on the host is looked up
 * in the initramfs once the board is up (undefined here).
 */
export function loadProgram(path: string): Uint8Array | undefined {
  let bytes: Uint8Array;
  try {
    if (!statSync(path).isFile()) throw new RunError(`${path}: not a regular file`);
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof RunError) throw e;
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    if (missing && path.startsWith('/')) return undefined;
    throw new RunError(`${path}: ${missing ? 'No such file or directory' : (e as Error).message}`);
  }
  try {
    parseElf(bytes);
  } catch (e) {
    if (e instanceof ExecFormatError) throw new RunError(`${path}: ${e.message}`);
    throw e;
  }
  return bytes;
}

/** The host's stdin, a chunk at a time as the program reads it (null at its end), as qemu-user passes it; the reader starts at the first read. */
function hostStdin(): () => Uint8Array | null {
  let input: HostInput | undefined;
  return () => (input ??= new HostInput()).read(Infinity) ?? null;
}

/** qemu -strace's shape: "PID name(args) = ret". */
function straceLine(pid: number, nr: number, args: readonly bigint[]): string {
  const fmt = (v: bigint): string => (v < 0x10000n ? v.toString() : `0x${v.toString(16)}`);
  return `${pid} ${SYSCALL_NAMES.get(nr) ?? `syscall_${nr}`}(${args.slice(0, 6).map(fmt).join(',')})`;
}

export async function runCommand(argv: string[]): Promise<number> {
  const dash = argv.indexOf('--');
  const before = dash < 0 ? argv : argv.slice(0, dash);
  const after = dash < 0 ? [] : argv.slice(dash + 1);
  const { values, positionals } = parseOptions(before, {
    board: { type: 'string' },
    ram: { type: 'string' },
    cpu: { type: 'string' },
    cmdline: { type: 'string' },
    strace: { type: 'boolean' },
    'max-rounds': { type: 'string' },
  }, true);
  const [program, ...extra] = positionals;
  if (!program) throw new UsageError('uconsole run: no PROGRAM given (see uconsole run --help)');
  const cpu = values.cpu === undefined ? 0 : Number(values.cpu);
  if (!Number.isInteger(cpu) || cpu < 0) throw new UsageError(`--cpu ${values.cpu}: not a CPU number`);
  const maxRounds = values['max-rounds'] === undefined ? Infinity : Number(values['max-rounds']);
  if (!(maxRounds > 0)) throw new UsageError(`--max-rounds ${values['max-rounds']}: not a positive number`);
  const hostFile = loadProgram(program);

  const u = await bootUconsole({ board: values.board, ram: values.ram, cmdline: values.cmdline });
  try {
    if (cpu >= u.machine.cores.length) throw new UsageError(`--cpu ${cpu}: ${u.machine.board.name} has CPUs 0-${u.machine.cores.length - 1}`);
    const k = u.kernel;
    const bootLog = k.log.lines.length;
    if (values.strace) {
      let pending = '';
      k.strace = (t, nr, args) => {
        if (pending) process.stderr.write(`${pending}\n`);
        pending = straceLine(t.tid, nr, args);
      };
      k.straceRet = (ret) => {
        process.stderr.write(`${pending} = ${ret < 0n && ret > -4096n ? `-1 errno=${-ret}` : ret < 0n ? `0x${BigInt.asUintN(64, ret).toString(16)}` : ret}\n`);
        pending = '';
      };
    }
    const r = (() => {
      try {
        const file = hostFile ?? open_exec(k.rootfs!.root, k.rootfs!.root, program);
        if (!hostFile) parseElf(file);
        return k.harness.exec(file, program, [program, ...extra, ...after], {
          cpu,
          maxRounds,
          stdio: (fd, data) => (fd === 1 ? process.stdout : process.stderr).write(data),
          stdin: hostStdin(),
        });
      } catch (e) {
        if (e instanceof ExecError && !hostFile && e.errno === 2) throw new RunError(`${program}: No such file or directory (on the host or in the initramfs)`);
        if (e instanceof ExecError || e instanceof ExecFormatError) throw new RunError(`${program}: ${e.message.replace(`${program}: `, '')}`);
        throw e;
      }
    })();
    for (const line of k.log.lines.slice(bootLog)) process.stderr.write(`${formatLogLine(line)}\n`);
    return r.signal !== undefined ? 128 + r.signal : r.exitCode!;
  } finally {
    u.machine.dispose();
  }
}
