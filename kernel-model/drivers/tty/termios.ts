// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct termios in the asm-generic layout arm64 uses
 * (include/uapi/asm-generic/termbits.h): four tcflag_t words (c_iflag,
 * c_oflag, c_cflag, c_lflag), c_line, then c_cc[NCCS = 19]; 36 bytes. The
 * model keeps it as those bytes, so TCGETS hands back exactly what TCSETS
 * was given, and reads the flags it acts on from them.
 */

export const TERMIOS_SIZE = 36;

/* c_iflag */
export const ISTRIP = 0o40;
export const INLCR = 0o100;
export const IGNCR = 0o200;
export const ICRNL = 0o400;
export const IXON = 0o2000;
export const IUTF8 = 0o40000;
/* c_oflag */
export const OPOST = 0o1;
export const ONLCR = 0o4;
/* c_cflag */
export const B115200 = 0o10002;
export const CS8 = 0o60;
export const CREAD = 0o200;
export const HUPCL = 0o2000;
export const CLOCAL = 0o4000;
/* c_lflag */
export const ISIG = 0o1;
export const ICANON = 0o2;
export const ECHO = 0o10;
export const ECHOE = 0o20;
export const ECHOK = 0o40;
export const ECHONL = 0o100;
export const NOFLSH = 0o200;
export const TOSTOP = 0o400;
export const ECHOCTL = 0o1000;
export const ECHOKE = 0o4000;
export const IEXTEN = 0o100000;

/* c_cc indices */
export const VINTR = 0;
export const VQUIT = 1;
export const VERASE = 2;
export const VKILL = 3;
export const VEOF = 4;
export const VTIME = 5;
export const VMIN = 6;
export const VSTART = 8;
export const VSTOP = 9;
export const VSUSP = 10;
export const VEOL = 11;
export const VREPRINT = 12;
export const VWERASE = 14;
export const VLNEXT = 15;
export const VEOL2 = 16;

const CC_OFFSET = 17;

/** INIT_C_CC (include/linux/tty.h): ^C ^\ DEL ^U ^D, VTIME 0, VMIN 1, 0, ^Q ^S ^Z, 0, ^R ^O ^W ^V, 0. */
const INIT_C_CC = [0o3, 0o34, 0o177, 0o25, 0o4, 0, 1, 0, 0o21, 0o23, 0o32, 0, 0o22, 0o17, 0o27, 0o26, 0];

export class Termios {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    if (bytes.length !== TERMIOS_SIZE) throw new RangeError(`struct termios is ${TERMIOS_SIZE} bytes, not ${bytes.length}`);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, TERMIOS_SIZE);
  }

  /**
   * A serial console's termios after boot: tty_std_termios with the
   * console's speed, and the CREAD | HUPCL | CLOCAL uart_set_options adds.
   */
  static console(): Termios {
    const t = new Termios(new Uint8Array(TERMIOS_SIZE));
    t.view.setUint32(0, ICRNL | IXON, true);
    t.view.setUint32(4, OPOST | ONLCR, true);
    t.view.setUint32(8, B115200 | CS8 | CREAD | HUPCL | CLOCAL, true);
    t.view.setUint32(12, ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN, true);
    t.bytes.set(INIT_C_CC, CC_OFFSET);
    return t;
  }

  get iflag(): number {
    return this.view.getUint32(0, true);
  }
  get oflag(): number {
    return this.view.getUint32(4, true);
  }
  get lflag(): number {
    return this.view.getUint32(12, true);
  }

  /** c_cc[i]; 0 is _POSIX_VDISABLE (the function is off). */
  cc(i: number): number {
    return this.bytes[CC_OFFSET + i]!;
  }

  /** Is `c` the control character c_cc[i] (and that one enabled)? */
  is(c: number, i: number): boolean {
    const v = this.cc(i);
    return v !== 0 && v === c;
  }
}
