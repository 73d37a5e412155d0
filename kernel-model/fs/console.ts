// SPDX-License-Identifier: GPL-2.0-only
/*
 * The console as a terminal: /dev/console (5:1) and /dev/tty (5:0, the
 * controlling terminal, which is the console for every process of its
 * session), the tty layer of drivers/tty/tty_io.c and tty_ioctl.c over
 * the console UART, with the N_TTY line discipline
 * (drivers/tty/n_tty.ts) between the line and the readers.
 *
 * The console is the controlling terminal of init's session from boot,
 * so a shell that init starts has job control. That is the model's
 * choice: Linux never makes /dev/console a controlling terminal (a
 * device's init starts its shell with `setsid cttyhack sh` or a getty on
 * the UART for that). A session leader of another session takes it with
 * TIOCSCTTY; to other sessions the job-control ioctls answer ENOTTY.
 *
 *   input   the host hands bytes in (what is typed, or a script piped
 *           in); the line discipline takes them as they come, under the
 *           termios of that moment, echoing and editing; what it has no
 *           room for waits here (flow control). The host closing its
 *           side is a hangup of the line: what is buffered is read, then
 *           reads return 0.
 *   read    what the line discipline gives (a line in canonical mode),
 *           sleeping until there is some.
 *   write   the bytes go to the UART, as the kernel's own lines do.
 *   ioctl   TCGETS/TCSETS/TCSETSW/TCSETSF (the flush form discards
 *           unread input), TCFLSH, TCSBRK and TCXONC (nothing to wait
 *           for), FIONREAD, TIOCOUTQ, TIOCGWINSZ/TIOCSWINSZ (the host
 *           terminal's size when there is one, else 24x80; a change is
 *           a SIGWINCH for the foreground group), TIOCGPGRP,
 *           TIOCSPGRP, TIOCGSID (ENOTTY outside the console's session),
 *           TIOCSCTTY, TIOCNOTTY, TIOCGETD;
 *           anything else ENOTTY.
 *
 * Job control (drivers/tty/tty_jobctrl.c): a process of the console's
 * session outside its foreground group gets SIGTTIN when it reads, and
 * SIGTTOU when it changes the settings or the foreground group, or
 * writes with TOSTOP set; the kernel decides (`jobControl`), and the
 * call is made again once the process may go on.
 */

import { EFAULT, EINVAL, EIO, ENOTTY, EPERM } from '../include/errno';
import { SIGTTIN, SIGTTOU, SIGWINCH } from '../include/signal';
import type { File, FileOperations, UserIo } from './file';
import { POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM, would_block } from './pipe';
import type { UserTask } from '../kernel/sched/task';
import { ErrnoError } from './errno';
import { NTty, type TtyPort } from '../drivers/tty/n_tty';
import { TERMIOS_SIZE, TOSTOP, Termios } from '../drivers/tty/termios';

export const TTYAUX_MAJOR = 5;
export const TTY_MINOR = 0;
export const CONSOLE_MINOR = 1;

export const TCGETS = 0x5401;
export const TCSETS = 0x5402;
export const TCSETSW = 0x5403;
export const TCSETSF = 0x5404;
const TCSBRK = 0x5409;
const TCXONC = 0x540a;
const TCFLSH = 0x540b;
export const TIOCSCTTY = 0x540e;
export const TIOCGPGRP = 0x540f;
export const TIOCSPGRP = 0x5410;
const TIOCOUTQ = 0x5411;
export const TIOCGWINSZ = 0x5413;
export const TIOCSWINSZ = 0x5414;
const FIONREAD = 0x541b;
const TIOCNOTTY = 0x5422;
const TIOCGETD = 0x5424;
export const TIOCGSID = 0x5429;

const TCIFLUSH = 0;
const TCIOFLUSH = 2;
export const WINSIZE_SIZE = 8;

/** The termios of a serial console at 115200 baud, as struct termios bytes. */
export function console_termios(): Uint8Array {
  return Termios.console().bytes;
}

const int32 = (v: number): Uint8Array => new Uint8Array(new Int32Array([v]).buffer);

/**
 * The console terminal: one per kernel, its settings shared by every open
 * file of /dev/console and /dev/tty.
 */
export class ConsoleDevice {
  private termios = Termios.console();
  private winsz: Uint8Array = new Uint8Array(new Uint16Array([24, 80, 0, 0]).buffer);
  private readonly ldisc: NTty;
  /** Host input the line discipline had no room for yet. */
  private readonly held: Uint8Array[] = [];
  private closed = false;
  private col = 0;
  /** The foreground process group (tcsetpgrp); init's group until a shell takes it. */
  fgPgrp = 1;
  /** The session the console is the controlling terminal of (init's). */
  session = 1;
  /** Tasks sleeping in a read of the console. */
  readonly readers = new Set<UserTask>();
  /** Wakes a sleeper (the kernel sets it: the task makes its read again). */
  wake: (t: UserTask) => void = () => {};
  /** Sends a signal to a process group (the kernel sets it): ^C, ^\ and ^Z with ISIG. */
  signalGroup: (pgrp: number, sig: number) => void = () => {};
  /**
   * May the calling process act on the console (the kernel sets it)?
   * 'eio' refuses; a background process whose group must be signalled
   * makes it throw (kernel/jobctl.ts's TtyJobSignal).
   */
  jobControl: (sig: number) => 'ok' | 'eio' = () => 'ok';

  constructor(private readonly output: (data: Uint8Array) => void) {
    const port: TtyPort = {
      echo: (bytes) => this.put(Uint8Array.from(bytes)),
      signal: (sig) => this.signalGroup(this.fgPgrp, sig),
      column: () => this.col,
    };
    this.ldisc = new NTty(this.termios, port);
  }

  /** Bytes to the line, with the column tracked for the line discipline's erasing. */
  private put(data: Uint8Array): void {
    for (const b of data) {
      if (b === 0x0a || b === 0x0d) this.col = 0;
      else if (b === 0x08) this.col = Math.max(0, this.col - 1);
      else if (b === 0x09) this.col = (this.col | 7) + 1;
      else if (b >= 0x20 && b !== 0x7f && (b & 0xc0) !== 0x80) this.col++;
    }
    this.output(data);
  }

  /** The host terminal's size (rows, columns), what TIOCGWINSZ reports; a change is a SIGWINCH for the foreground group. */
  setWinsize(rows: number, cols: number): void {
    this.tty_do_resize(new Uint8Array(new Uint16Array([rows, cols, 0, 0]).buffer));
  }

  /** tty_do_resize: a new size, and SIGWINCH to the foreground group when it differs. */
  private tty_do_resize(ws: Uint8Array): void {
    if (ws.every((b, i) => b === this.winsz[i])) return;
    this.winsz = ws;
    this.signalGroup(this.fgPgrp, SIGWINCH);
  }

  /** Host input for the console: typed, or a script piped in. */
  input(data: Uint8Array): void {
    if (data.length) this.held.push(data.slice());
    this.feed();
  }

  /** Hand held input to the line discipline while it has room; wake readers if there is something for them. */
  private feed(): void {
    while (this.held.length && this.ldisc.room) {
      const head = this.held[0]!;
      const n = this.ldisc.receive(head);
      if (n === head.length) this.held.shift();
      else this.held[0] = head.subarray(n);
    }
    if (this.closed && !this.held.length) this.ldisc.hangup();
    if (this.ldisc.readable() || this.closed) this.wakeReaders();
  }

  /** The host's input has ended: a hangup of the line once what is held has been taken. */
  closeInput(): void {
    this.closed = true;
    this.feed();
  }

  /** Is a task waiting for input that has not come? (the host should hand in more; a stopped reader does not count) */
  get starving(): boolean {
    if (this.ldisc.readable() || this.held.length > 0 || this.closed) return false;
    for (const t of this.readers) if (!t.jobStop) return true;
    return false;
  }

  private wakeReaders(): void {
    const ts = [...this.readers];
    this.readers.clear();
    for (const t of ts) this.wake(t);
  }

  private check(sig: number): void {
    if (this.jobControl(sig) === 'eio') throw new ErrnoError(EIO, 'background process group of an orphaned group');
  }

  private read(count: number): Uint8Array {
    this.check(SIGTTIN);
    const data = this.ldisc.read(count, this.closed && this.held.length === 0);
    if (data === undefined) would_block(this.readers, 'console_read', this.ldisc.readTimeoutNs);
    this.feed(); // a read made room
    return data;
  }

  private write(data: Uint8Array): number {
    if (this.termios.lflag & TOSTOP) this.check(SIGTTOU);
    this.put(data);
    return data.length;
  }

  readonly fops: FileOperations = {
    read: (_f, _pos, count) => this.read(count),
    poll: () => ({ mask: (this.ldisc.readable() || this.closed ? POLLIN | POLLRDNORM : 0) | POLLOUT | POLLWRNORM, waiters: [this.readers] }),
    write: (_f, data) => this.write(data),
    seekable: false,
    endOf: () => undefined,
    ioctl: (_f: File, cmd: number, arg: bigint, io: UserIo) => this.ioctl(cmd, arg, io),
  };

  private set_termios(b: Uint8Array, flush: boolean): void {
    this.check(SIGTTOU);
    if (flush) this.ldisc.flush();
    this.termios = new Termios(b);
    this.ldisc.set_termios(this.termios);
    this.feed();
  }

  private ioctl(cmd: number, arg: bigint, io: UserIo): bigint {
    const put = (data: Uint8Array): bigint => (io.copyToUser(arg, data) ? 0n : BigInt(-EFAULT));
    const get = (len: number, set: (b: Uint8Array) => bigint | void): bigint => {
      const b = io.copyFromUser(arg, len);
      if (!b) return BigInt(-EFAULT);
      return set(b) ?? 0n;
    };
    switch (cmd) {
      case TCGETS:
        return put(this.termios.bytes);
      case TCSETS:
      case TCSETSW:
      case TCSETSF:
        return get(TERMIOS_SIZE, (b) => this.set_termios(b.slice(), cmd === TCSETSF));
      case TCFLSH: {
        const how = Number(arg);
        if (how < TCIFLUSH || how > TCIOFLUSH) return BigInt(-EINVAL);
        if (how !== 1) this.ldisc.flush(); // TCOFLUSH: output is never held
        return 0n;
      }
      case TCSBRK:
      case TCXONC:
      case TIOCNOTTY:
        return 0n;
      case FIONREAD:
        return put(int32(this.ldisc.readableBytes));
      case TIOCOUTQ:
      case TIOCGETD:
        return put(int32(0)); // nothing waits to go out; N_TTY
      case TIOCGWINSZ:
        return put(this.winsz);
      case TIOCSWINSZ:
        return get(WINSIZE_SIZE, (b) => this.tty_do_resize(b.slice()));
      case TIOCSCTTY:
        return this.set_ctty(arg === 1n);
      case TIOCGPGRP:
        return this.isCtty() ? put(int32(this.fgPgrp)) : BigInt(-ENOTTY);
      case TIOCGSID:
        return this.isCtty() ? put(int32(this.session)) : BigInt(-ENOTTY);
      case TIOCSPGRP:
        if (!this.isCtty()) return BigInt(-ENOTTY);
        this.check(SIGTTOU);
        return get(4, (b) => this.set_pgrp(new DataView(b.buffer, b.byteOffset).getInt32(0, true)));
      default:
        return BigInt(-ENOTTY);
    }
  }

  /** Is there a process group `pgrp` in the console's session (tiocspgrp's check)? The kernel sets it. */
  groupInSession: (pgrp: number, sid: number) => boolean = () => true;
  /** The calling process's ids (the kernel sets it); undefined for kernel code. */
  caller: () => { pid: number; pgid: number; sid: number } | undefined = () => undefined;

  /** Is the console the caller's controlling terminal (its session's)? */
  private isCtty(): boolean {
    return this.caller()?.sid === this.session;
  }

  /**
   * TIOCSCTTY: a session leader makes the console its controlling
   * terminal, taking it from another session only with `steal` (root's
   * arg 1); its group becomes the foreground one.
   */
  private set_ctty(steal: boolean): bigint {
    const c = this.caller();
    if (!c || c.pid !== c.sid) return BigInt(-EPERM);
    if (c.sid === this.session) return 0n;
    if (!steal && this.groupInSession(this.session, this.session)) return BigInt(-EPERM);
    this.session = c.sid;
    this.fgPgrp = c.pgid;
    return 0n;
  }

  private set_pgrp(pgrp: number): bigint {
    if (pgrp < 0) return BigInt(-EINVAL);
    if (!this.groupInSession(pgrp, this.session)) return BigInt(-EPERM);
    this.fgPgrp = pgrp;
    return 0n;
  }
}
