// SPDX-License-Identifier: GPL-2.0-only
/*
 * The N_TTY line discipline (drivers/tty/n_tty.c), the model's version:
 * what a serial console does with the bytes arriving on its line, by the
 * termios in force when they arrive, before a program reads them.
 *
 *   input       ISTRIP, IGNCR, ICRNL, INLCR; with IXON, ^S and ^Q are
 *               taken by the line (output is never held: the UART model
 *               has no flow control to hold it with).
 *   signals     with ISIG, VINTR, VQUIT and VSUSP send SIGINT, SIGQUIT
 *               and SIGTSTP to the foreground group and, unless NOFLSH,
 *               discard the input not yet read.
 *   canonical   with ICANON, input is edited a line at a time: VERASE,
 *               VKILL and (IEXTEN) VWERASE take back a character, the
 *               line, a word; VLNEXT quotes the next character; VREPRINT
 *               types the line again. A line ends at NL, VEOL, VEOL2 or
 *               VEOF; VEOF itself is not stored, so at the start of a
 *               line it makes a read return 0. A read returns at most
 *               one line.
 *   raw         without ICANON, bytes are readable as they come: a read
 *               waits for VMIN of them; with VMIN 0 it returns what is
 *               there, or with VTIME waits that many tenths of a second
 *               for one byte (0 when none comes); with both, it returns
 *               once one byte is there (the inter-byte timer is taken as
 *               run out at once: input from the host comes in chunks).
 *   echo        with ECHO each byte is echoed as it arrives (control
 *               characters as ^X with ECHOCTL; ECHONL echoes NL alone);
 *               ECHOE erases visually, back over a tab to its column;
 *               ECHOK and ECHOKE show a killed line.
 *
 * Output goes to the line as written: ONLCR's CR before each NL is left
 * to the host terminal, so a console captured to a file has Unix line
 * ends.
 *
 * The buffer takes N_TTY_BUF_SIZE - 1 bytes; what does not fit is left
 * with the caller (receive says how much it took: the driver keeps the
 * rest, the model's flow control). In canonical mode a line that long
 * takes no more ordinary characters, only what ends or edits it.
 *
 * Invariants: 0 <= canonHead <= buf.length; in canonical mode every line
 * end lies before canonHead and canonHead is 0 or just after one; an EOF
 * mark (-1) only ever ends a line.
 */

import {
  ECHO, ECHOCTL, ECHOE, ECHOK, ECHOKE, ECHONL, ICANON, ICRNL, IEXTEN, IGNCR, INLCR, ISIG, ISTRIP, IUTF8, IXON, NOFLSH,
  Termios, VEOF, VEOL, VEOL2, VERASE, VINTR, VKILL, VLNEXT, VMIN, VQUIT, VREPRINT, VSTART, VSTOP, VSUSP, VTIME, VWERASE,
} from './termios';
import { SIGINT, SIGQUIT, SIGTSTP } from '../../include/signal';

export const N_TTY_BUF_SIZE = 4096;
const LIMIT = N_TTY_BUF_SIZE - 1;
/** Where a line was ended by VEOF (n_tty's __DISABLED_CHAR): not a byte a read returns. */
const EOF_MARK = -1;
const NL = 0x0a;
const CR = 0x0d;
const TAB = 0x09;

/** What the line discipline needs from its tty. */
export interface TtyPort {
  /** Echo to the line. */
  echo(bytes: number[]): void;
  /** ISIG: a signal for the foreground process group. */
  signal(sig: number): void;
  /** The column output has reached on the line (for erasing back over a tab). */
  column(): number;
}

const isCtrl = (c: number): boolean => c < 0x20 || c === 0x7f;
const isContinuation = (c: number): boolean => (c & 0xc0) === 0x80;
const isWordChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;

export class NTty {
  private buf: number[] = [];
  private ends: boolean[] = [];
  private canonHead = 0;
  private lnext = false;
  /** The column the line being edited started at (echo_set_canon_col). */
  private canonColumn = 0;

  constructor(private termios: Termios, private readonly port: TtyPort) {}

  private get lflag(): number {
    return this.termios.lflag;
  }

  private get canonical(): boolean {
    return (this.lflag & ICANON) !== 0;
  }

  /** n_tty_set_termios: a change of ICANON makes what is buffered one line (raw to canonical) or plain bytes. */
  set_termios(t: Termios): void {
    const wasCanon = this.canonical;
    this.termios = t;
    if (wasCanon === this.canonical) return;
    this.ends.fill(false);
    if (this.canonical && this.buf.length > 0) {
      this.ends[this.buf.length - 1] = true;
      this.canonHead = this.buf.length;
    } else this.canonHead = 0;
    this.lnext = false;
  }

  /** Discard every byte not yet read (TCFLSH, TCSETSF, a signal character). */
  flush(): void {
    this.buf = [];
    this.ends = [];
    this.canonHead = 0;
    this.lnext = false;
  }

  /** Bytes a read could take now, EOF marks aside. */
  private get available(): number {
    let n = 0;
    for (const c of this.buf) if (c !== EOF_MARK) n++;
    return n;
  }

  /** FIONREAD: what a read could return now. */
  get readableBytes(): number {
    if (!this.canonical) return this.available;
    let n = 0;
    for (let i = 0; i < this.canonHead; i++) if (this.buf[i] !== EOF_MARK) n++;
    return n;
  }

  /** input_available_p: would a read return without waiting? */
  readable(): boolean {
    if (this.canonical) return this.canonHead > 0;
    return this.available >= Math.max(1, this.termios.cc(VMIN));
  }

  /** Can it take more input now (the driver holds the rest until a read makes room)? */
  get room(): boolean {
    return (this.canonical ? this.canonHead : this.buf.length) < LIMIT;
  }

  /** n_tty_receive_buf: bytes from the line; how many were taken (the rest must wait for room). */
  receive(data: Uint8Array): number {
    let i = 0;
    while (i < data.length && this.room) this.receive_char(data[i++]!);
    return i;
  }

  /** The line's input ended (the host closed it): a line being typed is ended as VEOF would end it. */
  hangup(): void {
    if (this.canonical && this.buf.length > this.canonHead) this.end_line(EOF_MARK);
  }

  private receive_char(c: number): void {
    const t = this.termios;
    const iflag = t.iflag;
    if (iflag & ISTRIP) c &= 0x7f;
    if (this.lnext) {
      this.lnext = false;
      this.store(c);
      return;
    }
    if (c === CR) {
      if (iflag & IGNCR) return;
      if (iflag & ICRNL) c = NL;
    } else if (c === NL && iflag & INLCR) c = CR;
    const lflag = this.lflag;
    if (iflag & IXON && (t.is(c, VSTOP) || t.is(c, VSTART))) return;
    if (lflag & ISIG) {
      const sig = t.is(c, VINTR) ? SIGINT : t.is(c, VQUIT) ? SIGQUIT : t.is(c, VSUSP) ? SIGTSTP : 0;
      if (sig) return this.signal_char(sig, c);
    }
    if (!this.canonical) return this.store(c);
    if (t.is(c, VERASE) || t.is(c, VKILL) || (lflag & IEXTEN && t.is(c, VWERASE))) return this.eraser(c);
    if (lflag & IEXTEN && t.is(c, VLNEXT)) {
      this.lnext = true;
      if (lflag & ECHO && lflag & ECHOCTL) this.port.echo([0x5e, 0x08]); // "^" then back over it
      return;
    }
    if (lflag & IEXTEN && lflag & ECHO && t.is(c, VREPRINT)) return this.reprint(c);
    if (c === NL) {
      if (lflag & (ECHO | ECHONL)) this.port.echo([NL]);
      return this.end_line(NL);
    }
    if (t.is(c, VEOF)) return this.end_line(EOF_MARK);
    if (t.is(c, VEOL) || (lflag & IEXTEN && t.is(c, VEOL2))) {
      this.echo_char(c);
      return this.end_line(c);
    }
    this.store(c);
  }

  /** An ordinary byte: into the buffer (unless a canonical line is full), echoed. */
  private store(c: number): void {
    if (this.canonical && this.buf.length - this.canonHead >= LIMIT) return;
    if (this.lflag & ECHO) {
      if (this.buf.length === this.canonHead) this.canonColumn = this.port.column();
      if (c === NL) this.port.echo([NL]);
      else this.echo_char(c);
    }
    this.buf.push(c);
    this.ends.push(false);
  }

  private end_line(c: number): void {
    this.buf.push(c);
    this.ends.push(true);
    this.canonHead = this.buf.length;
  }

  /** echo_char: control characters as ^X with ECHOCTL (not TAB or NL). */
  private echo_char(c: number): void {
    if (!(this.lflag & ECHO)) return;
    if (this.lflag & ECHOCTL && isCtrl(c) && c !== TAB && c !== NL) this.port.echo([0x5e, c ^ 0o100]);
    else this.port.echo([c]);
  }

  private signal_char(sig: number, c: number): void {
    if (!(this.lflag & NOFLSH)) this.flush();
    this.echo_char(c);
    this.port.signal(sig);
  }

  private reprint(c: number): void {
    this.echo_char(c);
    this.port.echo([NL]);
    this.canonColumn = 0;
    for (let i = this.canonHead; i < this.buf.length; i++) this.echo_char(this.buf[i]!);
  }

  /** The columns the line being edited takes from its start up to (not including) index `upto`. */
  private column_at(upto: number): number {
    let col = this.canonColumn;
    for (let i = this.canonHead; i < upto; i++) {
      const c = this.buf[i]!;
      if (c === TAB) col = (col | 7) + 1;
      else if (isCtrl(c)) col += this.lflag & ECHOCTL ? 2 : 0;
      else if (!(this.termios.iflag & IUTF8 && isContinuation(c))) col++;
    }
    return col;
  }

  /** VERASE, VWERASE, VKILL: take back a character, a word, or the line, and show it. */
  private eraser(c: number): void {
    const t = this.termios;
    const lflag = this.lflag;
    if (this.buf.length === this.canonHead) return;
    const kill = t.is(c, VKILL);
    if (kill && (!(lflag & ECHO) || !(lflag & ECHOK) || !(lflag & ECHOKE) || !(lflag & ECHOE))) {
      this.buf.length = this.ends.length = this.canonHead;
      if (lflag & ECHO) {
        this.echo_char(c);
        if (lflag & ECHOK) this.port.echo([NL]);
      }
      return;
    }
    const word = !kill && t.is(c, VWERASE);
    let seenWord = false;
    while (this.buf.length > this.canonHead) {
      const last = this.buf[this.buf.length - 1]!;
      if (word) {
        if (isWordChar(last)) seenWord = true;
        else if (seenWord) break;
      }
      // One character: a UTF-8 sequence goes whole.
      let from = this.buf.length - 1;
      if (t.iflag & IUTF8) while (from > this.canonHead && isContinuation(this.buf[from]!)) from--;
      const erased = this.buf[from]!;
      const colAfter = this.column_at(this.buf.length);
      const colBefore = this.column_at(from);
      this.buf.length = this.ends.length = from;
      if (lflag & ECHO) this.echo_erase(erased, c, colAfter - colBefore);
      if (!kill && !word) break;
    }
  }

  /** What erasing one character shows: with ECHOE it is rubbed out (a tab by backspaces alone), else the erase character is echoed. */
  private echo_erase(erased: number, eraseChar: number, width: number): void {
    if (!(this.lflag & ECHOE)) return this.echo_char(eraseChar);
    const out: number[] = [];
    for (let i = 0; i < width; i++) out.push(...(erased === TAB ? [0x08] : [0x08, 0x20, 0x08]));
    if (out.length) this.port.echo(out);
  }

  /**
   * n_tty_read's copy: at most `count` bytes, one line at most in
   * canonical mode; undefined when the reader must wait; an empty array
   * is end of file (VEOF at a line's start, VMIN 0 with nothing there,
   * or `ended`: the line's input is over and nothing is left).
   */
  read(count: number, ended: boolean): Uint8Array | undefined {
    if (this.canonical) return this.canonHead > 0 ? this.take_line(count) : ended ? new Uint8Array(0) : undefined;
    const min = this.termios.cc(VMIN);
    const time = this.termios.cc(VTIME);
    const avail = this.available;
    const need = min === 0 ? (time > 0 ? 1 : 0) : time > 0 ? 1 : Math.min(min, count);
    if (avail < need && !ended) return undefined;
    return this.take(Math.min(avail, count));
  }

  /** How long a raw read that must wait may wait (VTIME with VMIN 0), in ns; undefined: until input comes. */
  get readTimeoutNs(): number | undefined {
    const time = this.termios.cc(VTIME);
    return !this.canonical && this.termios.cc(VMIN) === 0 && time > 0 ? time * 100_000_000 : undefined;
  }

  private take_line(count: number): Uint8Array {
    const out: number[] = [];
    let i = 0;
    while (i < this.canonHead && out.length < count) {
      const c = this.buf[i]!;
      const end = this.ends[i]!;
      i++;
      if (c !== EOF_MARK) out.push(c);
      if (end) break;
    }
    // The read stopped just before the EOF mark ending this line: the mark goes with it (it is no end of file).
    if (i < this.canonHead && this.buf[i] === EOF_MARK && out.length > 0 && !this.ends[i - 1]) i++;
    this.buf.splice(0, i);
    this.ends.splice(0, i);
    this.canonHead -= i;
    return Uint8Array.from(out);
  }

  private take(n: number): Uint8Array {
    const out: number[] = [];
    let i = 0;
    while (out.length < n) {
      const c = this.buf[i++]!;
      if (c !== EOF_MARK) out.push(c);
    }
    this.buf.splice(0, i);
    this.ends.splice(0, i);
    this.canonHead = Math.max(0, this.canonHead - i);
    return Uint8Array.from(out);
  }
}
