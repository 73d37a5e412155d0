// SPDX-License-Identifier: GPL-2.0-only
/* uconsole boot: boot a board, print its console, halt. */

import { BOARDS, DEFAULT_BOARD } from '../emulator/board/boards';
import { formatRamSize } from '../emulator/board/profile';
import { readFileSync } from 'node:fs';
import { HostInput } from './host_input';
import { bootUconsole } from '../api/uconsole';
import { UsageError, parseOptions } from './uconsole';
import { DirInode } from '../kernel-model/fs/inode';
import { bootLinuxCommand } from './boot-linux';

export const BOOT_HELP = `usage: uconsole boot [options]

Boot an emulated uConsole: the firmware stage reads the board's boot
partition (images/build/<board>/), the armstub releases the cores, the
kernel image enters the TypeScript kernel, which brings up every CPU. The
console (UART) is printed to stdout. The kernel then runs /init from the
initramfs as pid 1: with busybox fetched, a shell on the console, which
reads stdin (a terminal is put in raw mode and the guest's tty does the
echo and line editing; a pipe or file is read as typed-ahead input) and
halts the machine when it ends. If init exits instead, the kernel panics
as Linux does and uconsole's exit status is init's.

At a terminal, Ctrl-A then x halts the machine at once (Ctrl-C, Ctrl-Z
and Ctrl-D go to the guest, as on a serial console).

options:
  --board NAME      ${BOARDS.map((b) => b.name).join(', ')} (default ${DEFAULT_BOARD})
  --ram SIZE        RAM size, e.g. 1G, 4G (default: the board's)
                    ${BOARDS.map((b) => `${b.name}: ${b.ramSizes.map(formatRamSize).join('/')}`).join('; ')}
  --cmdline "..."   kernel command line (replaces cmdline.txt)
  --dtb FILE        device tree blob to boot with (instead of the board's)
  --boot-dir DIR    boot partition to use instead of images/build/<board>/
  --initrd FILE     initramfs (newc cpio, or gzipped) to boot with instead of the boot partition's
  --init SCRIPT     a host file (a #! script or a static arm64 ELF) to run as /init
                    instead of the shell; the exit status is its own
  --exec "CMD"      run one command line with /bin/sh as init; the exit status is its own
  --no-init         do not start the initramfs's /init (rdinit=): halt once the kernel is up
  --cat PATH        at the end, print a /proc file (repeatable), e.g. --cat /proc/meminfo
  --trace           print every executed instruction, disassembled, with its core (slow)
  --firmware-log    also print what the firmware stage loaded where
  --kernel linux    boot Debian's arm64 kernel instead (fetched by "uconsole fetch
                    linux"): with busybox fetched, to a shell on ttyAMA0 (ttyS0 on
                    the A-04, ttyS2 on the A-06) that reads stdin, or running
                    --exec's command (exit status its own), then power-off;
                    without busybox to its root-mount panic: exit status 2, or 3
                    if it hangs (last console lines and each core's PC on stderr)
  --kernel-image F  with --kernel linux: any arm64 Image or vmlinuz instead
  --system-map F    with --kernel linux: the kernel's System.map, to name each core's
                    PC in the end report (Debian ships a stub: use the -dbg package's
                    map or \`nm -n vmlinux\`)
  --time-limit S    with --kernel linux: virtual seconds before a hang is declared
                    (30; none for the interactive shell)
  --kaslr-seed N    with --kernel linux: KASLR on, the firmware passing N (a u64) as
                    /chosen/kaslr-seed; the same seed gives the same boot (default: nokaslr)
  --mini-uart FILE  with --kernel linux on the CM4: write what the mini-UART (ttyS0)
                    sends to FILE, byte for byte (otherwise only counted on stderr)
  -h, --help        this help
`;

/** Console text to stdout a line at a time (one write per byte is slow on a pipe). */
function lineWriter(): { write: (text: string) => void; flush: () => void } {
  let line = '';
  const flush = (): void => {
    if (line) process.stdout.write(line);
    line = '';
  };
  return {
    write: (text) => {
      line += text;
      if (text === '\n') flush();
    },
    flush,
  };
}

const CTRL_A = 0x01;

/**
 * The console's input from the host's stdin, read when the guest waits
 * for it, for at most as long as the guest may wait (cli/host_input.ts):
 * a terminal is put in raw mode (the guest's tty echoes and edits lines,
 * as on a serial console), a pipe or file is read as it comes; null at
 * end of input, undefined when nothing came in time, 'halt' for the
 * escape (Ctrl-A x at a terminal).
 */
function hostInput(): (waitMs: number) => Uint8Array | null | undefined | 'halt' {
  const tty = process.stdin.isTTY === true;
  if (tty) {
    process.stdin.setRawMode(true);
    process.on('exit', () => process.stdin.setRawMode(false));
  }
  const input = new HostInput();
  let escape = false;
  return (waitMs) => {
    const data = input.read(waitMs);
    if (!data || !tty) return data;
    // Ctrl-A x: the host's way out; Ctrl-A Ctrl-A sends one Ctrl-A.
    const out: number[] = [];
    for (const b of data) {
      if (escape) {
        escape = false;
        if (b === 0x78 || b === 0x58) return 'halt';
        out.push(b);
      } else if (b === CTRL_A) escape = true;
      else out.push(b);
    }
    return out.length ? Uint8Array.from(out) : undefined;
  };
}

/** sh's single quotes around any text. */
const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The /init --init or --exec asks for, as a file for the initramfs; throws UsageError for a file the kernel could not run. */
function initFile(values: { init?: string; exec?: string }): Uint8Array | undefined {
  if (values.init !== undefined && values.exec !== undefined) throw new UsageError('--init and --exec do not go together');
  if (values.exec !== undefined) return new TextEncoder().encode(`#!/bin/sh\n# uconsole boot --exec: one command line as init\nexec /bin/sh -c ${shQuote(values.exec)}\n`);
  if (values.init === undefined) return undefined;
  let data: Uint8Array;
  try {
    data = new Uint8Array(readFileSync(values.init));
  } catch (e) {
    throw new UsageError(`--init ${values.init}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const elf = data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46;
  if (!elf && !(data[0] === 0x23 && data[1] === 0x21)) throw new UsageError(`--init ${values.init}: neither a #! script nor an ELF program (the kernel would refuse it with ENOEXEC; start it with #!/bin/sh)`);
  return data;
}

export async function bootCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    board: { type: 'string' },
    ram: { type: 'string' },
    cmdline: { type: 'string' },
    dtb: { type: 'string' },
    'boot-dir': { type: 'string' },
    initrd: { type: 'string' },
    cat: { type: 'string', multiple: true },
    trace: { type: 'boolean' },
    'firmware-log': { type: 'boolean' },
    'no-init': { type: 'boolean' },
    init: { type: 'string' },
    exec: { type: 'string' },
    kernel: { type: 'string' },
    'kernel-image': { type: 'string' },
    'time-limit': { type: 'string' },
    'kaslr-seed': { type: 'string' },
    'mini-uart': { type: 'string' },
    'system-map': { type: 'string' },
  });
  if (values.kernel !== undefined && values.kernel !== 'linux') throw new UsageError(`--kernel takes "linux" (the default is the project's kernel), not "${values.kernel}"`);
  if (values.kernel === 'linux' || values['kernel-image'] !== undefined) {
    if (values['boot-dir'] || values.cat || values.trace || values['no-init'] || values.init)
      throw new UsageError('--boot-dir, --cat, --trace, --no-init and --init are for the project\'s kernel, not --kernel linux');
    return bootLinuxCommand({
      board: values.board, ram: values.ram, cmdline: values.cmdline, dtb: values.dtb, kernelImage: values['kernel-image'],
      timeLimit: values['time-limit'], firmwareLog: values['firmware-log'], exec: values.exec, kaslrSeed: values['kaslr-seed'],
      miniUart: values['mini-uart'], systemMap: values['system-map'],
    }, values.exec === undefined ? hostInput() : undefined);
  }
  if (values['time-limit'] !== undefined) throw new UsageError('--time-limit is for --kernel linux');
  if (values['kaslr-seed'] !== undefined) throw new UsageError('--kaslr-seed is for --kernel linux');
  if (values['mini-uart'] !== undefined) throw new UsageError('--mini-uart is for --kernel linux');
  if (values['system-map'] !== undefined) throw new UsageError('--system-map is for --kernel linux');
  const init = initFile(values);
  if (init && values['no-init']) throw new UsageError('--no-init does not go with --init or --exec');
  const out = lineWriter();
  const u = await bootUconsole({
    board: values.board,
    ram: values.ram,
    cmdline: values.cmdline,
    dtb: values.dtb,
    bootDir: values['boot-dir'],
    initrd: values.initrd,
    trace: values.trace ? (line) => process.stdout.write(`${line}\n`) : undefined,
    onConsole: out.write,
    init: !values['no-init'],
    initramfsFiles: init ? [{ path: 'init', data: init, mode: 0o755 }] : undefined,
    consoleSize: process.stdout.isTTY ? { rows: process.stdout.rows, cols: process.stdout.columns } : undefined,
  });
  let status = 0;
  try {
    const bin = u.kernel.rootfs?.root.lookup('bin');
    if (values.exec !== undefined && !(bin instanceof DirInode && bin.lookup('sh'))) throw new UsageError('--exec needs /bin/sh in the initramfs: run npx uconsole fetch busybox');
    if (values['firmware-log']) for (const line of u.firmware.log) process.stderr.write(`firmware: ${line}\n`);
    if (!values['no-init']) {
      const input = hostInput();
      const w = u.waitInit(Infinity, (waitMs) => {
        const data = input(waitMs);
        // A resized terminal is noticed when the guest next reads (the host loop does not run between reads).
        if (process.stdout.isTTY) {
          const [cols, rows] = process.stdout.getWindowSize();
          u.resizeConsole(rows, cols);
        }
        if (data !== 'halt') return data;
        u.kernel.halt(); // Ctrl-A x
        return null;
      });
      // init ended (the kernel panicked, as Linux does): its status is ours.
      if (w !== undefined) status = w & 0x7f ? 128 + (w & 0x7f) : (w >> 8) & 0xff;
    }
    for (const path of values.cat ?? []) process.stdout.write(u.readFile(path));
  } finally {
    u.shutdown();
    out.flush();
  }
  return status;
}
