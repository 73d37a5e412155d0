// SPDX-License-Identifier: GPL-2.0-only
/* uconsole boot: boot a board, print its console, halt. */

import { BOARDS, DEFAULT_BOARD } from '../emulator/board/boards';
import { formatRamSize } from '../emulator/board/profile';
import { readSync } from 'node:fs';
import { bootUconsole } from '../api/uconsole';
import { parseOptions } from './uconsole';

export const BOOT_HELP = `usage: uconsole boot [options]

Boot an emulated uConsole: the firmware stage reads the board's boot
partition (images/build/<board>/), the armstub releases the cores, the
kernel image enters the TypeScript kernel, which brings up every CPU. The
console (UART) is printed to stdout. The kernel then runs /init from the
initramfs as pid 1 (the default /init prints a line and halts the machine
with reboot(2)); if init exits instead, the kernel panics as Linux does and
uconsole's exit status is init's.

options:
  --board NAME      ${BOARDS.map((b) => b.name).join(', ')} (default ${DEFAULT_BOARD})
  --ram SIZE        RAM size, e.g. 1G, 4G (default: the board's)
                    ${BOARDS.map((b) => `${b.name}: ${b.ramSizes.map(formatRamSize).join('/')}`).join('; ')}
  --cmdline "..."   kernel command line (replaces cmdline.txt)
  --dtb FILE        device tree blob to boot with (instead of the board's)
  --boot-dir DIR    boot partition to use instead of images/build/<board>/
  --initrd FILE     initramfs (newc cpio, or gzipped) to boot with instead of the boot partition's
  --no-init         do not start the initramfs's /init (rdinit=): halt once the kernel is up
  --cat PATH        at the end, print a /proc file (repeatable), e.g. --cat /proc/meminfo
  --trace           print every executed instruction, disassembled, with its core (slow)
  --firmware-log    also print what the firmware stage loaded where
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

/**
 * The console's input from the host's stdin, read when the guest waits
 * for it: a terminal is put in raw mode (the guest's shell edits and
 * echoes lines, as on a serial console), a pipe or file is read as it
 * comes; null at end of input.
 */
function hostInput(): () => Uint8Array | null {
  const tty = process.stdin.isTTY === true;
  if (tty) {
    process.stdin.setRawMode(true);
    process.on('exit', () => process.stdin.setRawMode(false));
  }
  const buf = Buffer.alloc(4096);
  return () => {
    for (;;) {
      try {
        const n = readSync(0, buf, 0, buf.length, null);
        if (n === 0) return null;
        if (tty && buf[0] === 0x04 && n === 1) return null; // ^D at the start of a read: end of input
        return buf.subarray(0, n);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue;
        if (code === 'EOF') return null;
        throw e;
      }
    }
  };
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
  });
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
  });
  let status = 0;
  try {
    if (values['firmware-log']) for (const line of u.firmware.log) process.stderr.write(`firmware: ${line}\n`);
    if (!values['no-init']) {
      const w = u.waitInit(Infinity, hostInput());
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
