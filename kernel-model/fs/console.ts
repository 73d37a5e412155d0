// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/console (character device 5:1, drivers/tty/tty_io.c's console
 * redirect), for now a plain character device over the kernel's console
 * output rather than a tty with a line discipline:
 *
 *   write   the bytes go to the console UART, as the kernel's own lines do;
 *   read    end of file (nothing reads the UART into user space yet);
 *   lseek   ESPIPE (no_llseek);
 *   ioctl   TCGETS returns the termios a serial console has after boot
 *           (tty_std_termios with the console's speed: uart_set_options
 *           adds CREAD | HUPCL | CLOCAL); TCSETS, TCSETSW, TCSETSF store
 *           a new one; TIOCGWINSZ returns 24 rows by 80 columns (a serial
 *           line has no size of its own; the tty layer's default winsize
 *           is zero, which busybox and glibc replace by 24x80 anyway);
 *           TIOCSWINSZ stores one; anything else ENOTTY.
 */

import { EFAULT, ENOTTY } from '../include/errno';
import type { File, FileOperations, UserIo } from './file';
import { POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM, WouldBlock } from './pipe';
import type { UserTask } from '../kernel/sched/task';

export const TTYAUX_MAJOR = 5;
export const CONSOLE_MINOR = 1;

export const TCGETS = 0x5401;
export const TCSETS = 0x5402;
export const TCSETSW = 0x5403;
export const TCSETSF = 0x5404;
export const TIOCGWINSZ = 0x5413;
export const TIOCSCTTY = 0x540e;
export const TIOCGPGRP = 0x540f;
export const TIOCSPGRP = 0x5410;
export const TIOCGSID = 0x5429;
export const TIOCSWINSZ = 0x5414;

/** sizeof(struct termios) in the asm-generic layout: four tcflag_t, c_line, c_cc[NCCS=19]. */
export const TERMIOS_SIZE = 36;
export const WINSIZE_SIZE = 8;

const ICRNL = 0o400;
const IXON = 0o2000;
const OPOST = 0o1;
const ONLCR = 0o4;
const B115200 = 0o10002;
const CS8 = 0o60;
const CREAD = 0o200;
const HUPCL = 0o2000;
const CLOCAL = 0o4000;
const ISIG = 0o1;
const ICANON = 0o2;
const ECHO = 0o10;
const ECHOE = 0o20;
const ECHOK = 0o40;
const ECHOCTL = 0o1000;
const ECHOKE = 0o4000;
const IEXTEN = 0o100000;
/** INIT_C_CC (include/linux/tty.h): ^C ^\ DEL ^U ^D, VTIME 0, VMIN 1, 0, ^Q ^S ^Z, 0, ^R ^O ^W ^V, 0. */
const INIT_C_CC = [0o3, 0o34, 0o177, 0o25, 0o4, 0, 1, 0, 0o21, 0o23, 0o32, 0, 0o22, 0o17, 0o27, 0o26, 0];

/** The termios of a serial console at 115200 baud, as struct termios bytes. */
export function console_termios(): Uint8Array {
  const t = new Uint8Array(TERMIOS_SIZE);
  const dv = new DataView(t.buffer);
  dv.setUint32(0, ICRNL | IXON, true);
  dv.setUint32(4, OPOST | ONLCR, true);
  dv.setUint32(8, B115200 | CS8 | CREAD | HUPCL | CLOCAL, true);
  dv.setUint32(12, ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN, true);
  t[16] = 0; // c_line: N_TTY
  t.set(INIT_C_CC, 17);
  return t;
}

function winsize(rows: number, cols: number): Uint8Array {
  return new Uint8Array(new Uint16Array([rows, cols, 0, 0]).buffer);
}

/**
 * The console device: one per kernel, its settings shared by every open
 * file. Input is what the host hands in (`input`), read in order; with
 * nothing there a read sleeps on `readers` until more comes or the host
 * closes its side (end of file from then on). The host's own terminal,
 * when there is one, does the line editing and echo: the model has no
 * line discipline yet, so the termios it reports is a serial console's
 * and nothing acts on it.
 */
export class ConsoleDevice {
  private termios = console_termios();
  private winsz = winsize(24, 80);
  private readonly pending: Uint8Array[] = [];
  /** The foreground process group (tcsetpgrp); init's group until a shell takes it. */
  private fgPgrp = 1;
  private closed = false;
  /** Tasks sleeping in a read of the console. */
  readonly readers = new Set<UserTask>();
  /** Wakes a sleeper (the kernel sets it: the task makes its read again). */
  wake: (t: UserTask) => void = () => {};

  constructor(private readonly output: (data: Uint8Array) => void) {}

  /** Sends SIGINT to a process group (the kernel sets it): what ^C does with ISIG on. */
  interrupt: (pgrp: number) => void = () => {};

  /** Host input for the console (bytes typed, or a script piped in). ^C with ISIG set interrupts the foreground group instead. */
  input(data: Uint8Array): void {
    const isig = (new DataView(this.termios.buffer, this.termios.byteOffset).getUint32(12, true) & ISIG) !== 0;
    const vintr = this.termios[17]; // c_cc[VINTR]
    if (isig && data.includes(vintr!)) {
      this.interrupt(this.fgPgrp);
      data = data.filter((b) => b !== vintr);
    }
    if (data.length) this.pending.push(data.slice());
    this.wakeReaders();
  }

  /** The host's input has ended: reads see end of file once what is pending is read. */
  closeInput(): void {
    this.closed = true;
    this.wakeReaders();
  }

  /** Is a task waiting for input that has not come? (the host should read more) */
  get starving(): boolean {
    return this.readers.size > 0 && this.pending.length === 0 && !this.closed;
  }

  private wakeReaders(): void {
    const ts = [...this.readers];
    this.readers.clear();
    for (const t of ts) this.wake(t);
  }

  /** Up to `count` bytes of input, a line at most (a canonical-mode read returns at the line's end). */
  private read(count: number): Uint8Array {
    const head = this.pending[0];
    if (!head) {
      if (this.closed) return new Uint8Array(0);
      throw new WouldBlock(this.readers, 'console_read');
    }
    const nl = head.indexOf(0x0a);
    const n = Math.min(count, nl >= 0 ? nl + 1 : head.length);
    const out = head.slice(0, n);
    if (n === head.length) this.pending.shift();
    else this.pending[0] = head.subarray(n);
    return out;
  }

  readonly fops: FileOperations = {
    read: (_f, _pos, count) => this.read(count),
    poll: () => ({ mask: (this.pending.length > 0 || this.closed ? POLLIN | POLLRDNORM : 0) | POLLOUT | POLLWRNORM, waiters: [this.readers] }),
    write: (_f, data) => {
      this.output(data);
      return data.length;
    },
    seekable: false,
    endOf: () => undefined,
    ioctl: (_f: File, cmd: number, arg: bigint, io: UserIo) => this.ioctl(cmd, arg, io),
  };

  private ioctl(cmd: number, arg: bigint, io: UserIo): bigint {
    const put = (data: Uint8Array): bigint => (io.copyToUser(arg, data) ? 0n : BigInt(-EFAULT));
    const get = (len: number, set: (b: Uint8Array) => void): bigint => {
      const b = io.copyFromUser(arg, len);
      if (!b) return BigInt(-EFAULT);
      set(b);
      return 0n;
    };
    switch (cmd) {
      case TCGETS:
        return put(this.termios);
      case TCSETS:
      case TCSETSW:
      case TCSETSF:
        return get(TERMIOS_SIZE, (b) => (this.termios = b));
      case TIOCGWINSZ:
        return put(this.winsz);
      case TIOCSWINSZ:
        return get(WINSIZE_SIZE, (b) => (this.winsz = b));
      // The console is every process's controlling terminal (the model has one session's worth of job control).
      case TIOCSCTTY:
        return 0n;
      case TIOCGPGRP:
        return put(new Uint8Array(new Int32Array([this.fgPgrp]).buffer));
      case TIOCGSID:
        return put(new Uint8Array(new Int32Array([1]).buffer));
      case TIOCSPGRP:
        return get(4, (b) => (this.fgPgrp = new DataView(b.buffer, b.byteOffset).getInt32(0, true)));
      default:
        return BigInt(-ENOTTY);
    }
  }
}
