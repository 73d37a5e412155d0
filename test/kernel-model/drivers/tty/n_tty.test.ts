// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { NTty, N_TTY_BUF_SIZE } from '../../../../kernel-model/drivers/tty/n_tty';
import { ECHO, ICANON, ISIG, NOFLSH, Termios, VMIN, VTIME } from '../../../../kernel-model/drivers/tty/termios';
import { SIGINT, SIGQUIT, SIGTSTP } from '../../../../kernel-model/include/signal';

/** A line discipline on a fake line: what it echoes, the signals it sends, the column output is at. */
function line(edit?: (t: Termios) => void) {
  const t = Termios.console();
  edit?.(t);
  let echoed = '';
  let col = 0;
  const signals: number[] = [];
  const ldisc = new NTty(t, {
    echo: (bytes) => {
      for (const b of bytes) col = b === 10 ? 0 : b === 8 ? col - 1 : col + 1;
      echoed += String.fromCharCode(...bytes);
    },
    signal: (sig) => signals.push(sig),
    column: () => col,
  });
  const type = (s: string): number => ldisc.receive(new TextEncoder().encode(s));
  const read = (count = 4096, ended = false): string | undefined => {
    const r = ldisc.read(count, ended);
    return r && new TextDecoder().decode(r);
  };
  return { ldisc, type, read, signals, echoed: () => echoed, termios: t, setCol: (c: number) => (col = c) };
}

/** Clear lflag bits of a termios in place. */
function clearL(t: Termios, bits: number): void {
  new DataView(t.bytes.buffer).setUint32(12, t.lflag & ~bits, true);
}

describe('N_TTY (drivers/tty/n_tty.ts)', () => {
  it('canonical mode: a read waits for a whole line and returns one line at a time, echoing as bytes arrive', () => {
    const l = line();
    l.type('ab');
    expect(l.read()).toBeUndefined();
    expect(l.echoed()).toBe('ab');
    l.type('c\r'); // ICRNL
    l.type('second\n');
    expect(l.read()).toBe('abc\n');
    expect(l.read(3)).toBe('sec'); // a short read leaves the rest of the line
    expect(l.read()).toBe('ond\n');
    expect(l.read()).toBeUndefined();
  });

  it('erase, kill and word erase edit the line and rub it out on the screen (ECHOE, ECHOKE, ECHOCTL)', () => {
    const l = line();
    l.type('abX\x7f'); // DEL erases X
    expect(l.echoed()).toBe('abX\b \b');
    l.type('\x01'); // a control character echoes as ^A, two columns
    l.type('\x7f');
    expect(l.echoed()).toBe('abX\b \b^A\b \b\b \b');
    l.type('\x15'); // ^U kills "ab"
    l.type('one two  \x17'); // ^W: the spaces and "two"
    l.type('three\n');
    expect(l.read()).toBe('one three\n');
  });

  it('a tab is erased back to its column, counted from where the line started', () => {
    const l = line();
    l.setCol(2); // a prompt "$ "
    l.type('a\t');
    const before = l.echoed().length;
    l.type('\x7f');
    expect(l.echoed().slice(before)).toBe('\b'.repeat(8 - 3)); // the tab took columns 3..7
  });

  it('VEOF ends a line without a newline, and at the start of a line reads as end of file', () => {
    const l = line();
    l.type('partial\x04');
    expect(l.read()).toBe('partial');
    l.type('\x04');
    expect(l.read()).toBe('');
    expect(l.echoed()).toBe('partial'); // ^D itself is not echoed
  });

  it('lnext quotes the next character; reprint types the line again', () => {
    const l = line();
    l.type('\x16\x15x'); // ^V ^U: a literal ^U
    l.type('\x12'); // ^R
    expect(l.echoed()).toBe('^\b^Ux^R\n^Ux');
    l.type('\n');
    expect(l.read()).toBe('\x15x\n');
  });

  it('ISIG: ^C, ^\\ and ^Z signal the foreground group, echo as ^X and flush pending input (unless NOFLSH)', () => {
    const l = line();
    l.type('done\nhalf');
    l.type('\x03');
    expect(l.signals).toEqual([SIGINT]);
    expect(l.echoed().endsWith('^C')).toBe(true);
    expect(l.read()).toBeUndefined(); // everything unread went
    l.type('\x1c\x1a');
    expect(l.signals).toEqual([SIGINT, SIGQUIT, SIGTSTP]);
    const keep = line((t) => new DataView(t.bytes.buffer).setUint32(12, t.lflag | NOFLSH, true));
    keep.type('kept\n\x03');
    expect(keep.read()).toBe('kept\n');
    const raw = line((t) => clearL(t, ISIG));
    raw.type('\x03\n');
    expect(raw.signals).toEqual([]);
    expect(raw.read()).toBe('\x03\n');
  });

  it('raw mode: bytes are readable as they come, a read waits for VMIN of them; VMIN 0 returns at once', () => {
    const l = line((t) => clearL(t, ICANON | ECHO));
    expect(l.read()).toBeUndefined();
    l.type('x');
    expect(l.read()).toBe('x');
    expect(l.echoed()).toBe('');
    l.termios.bytes[17 + VMIN] = 3;
    l.ldisc.set_termios(l.termios);
    l.type('ab');
    expect(l.read()).toBeUndefined();
    expect(l.read(2)).toBe('ab'); // a read of 2 needs only 2
    l.termios.bytes[17 + VMIN] = 0;
    expect(l.read()).toBe('');
  });

  it('VTIME: with VMIN 0 a read waits that long for one byte (then returns 0); with VMIN it returns at the first byte', () => {
    const l = line((t) => clearL(t, ICANON | ECHO));
    l.termios.bytes[17 + VMIN] = 0;
    l.termios.bytes[17 + VTIME] = 5;
    expect(l.ldisc.readTimeoutNs).toBe(500_000_000);
    expect(l.read()).toBeUndefined(); // the console sleeps for at most 0.5 s, then the read returns 0
    l.type('k');
    expect(l.read()).toBe('k');
    l.termios.bytes[17 + VMIN] = 3;
    expect(l.ldisc.readTimeoutNs).toBeUndefined(); // no timer before the first byte
    l.type('a');
    expect(l.read()).toBe('a');
  });

  it('switching to canonical mode makes what is buffered one line; to raw, plain bytes', () => {
    const raw = new Termios(Termios.console().bytes.slice());
    clearL(raw, ICANON);
    const l = line();
    l.type('abc');
    l.ldisc.set_termios(raw);
    expect(l.read()).toBe('abc');
    l.type('xy');
    l.ldisc.set_termios(Termios.console());
    expect(l.read()).toBe('xy');
  });

  it('takes no more than N_TTY_BUF_SIZE - 1 bytes: a long line drops ordinary bytes but still ends, completed lines hold the rest back', () => {
    const l = line();
    expect(l.type('a'.repeat(N_TTY_BUF_SIZE + 10) + '\n')).toBe(N_TTY_BUF_SIZE + 11);
    expect(l.read(10_000)!.length).toBe(N_TTY_BUF_SIZE); // 4095 bytes and the newline
    const lines = 'line\n'.repeat(1000);
    const taken = l.type(lines);
    expect(taken).toBeLessThan(lines.length);
    expect(taken).toBeGreaterThanOrEqual(N_TTY_BUF_SIZE - 5);
  });

  it('a hangup ends the line being typed; then reads return 0', () => {
    const l = line();
    l.type('no newline');
    l.ldisc.hangup();
    expect(l.read(4096, true)).toBe('no newline');
    expect(l.read(4096, true)).toBe('');
  });
});
