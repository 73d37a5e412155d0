// SPDX-License-Identifier: GPL-2.0-only
/*
 * Byte-level helpers shared by the DTB writer and parser: a growable
 * big-endian byte buffer, and the Latin-1 mapping used for node and
 * property names.
 *
 * Names are kept as Latin-1 (one character per byte) rather than UTF-8 so
 * that any byte string found in a blob survives parse -> write unchanged;
 * the names the spec allows (2.2.1, 2.2.4) are plain ASCII either way.
 */

import { FdtError } from './errors';

export class ByteWriter {
  private buf = new Uint8Array(1024);
  private dv = new DataView(this.buf.buffer);
  length = 0;

  private reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
    this.dv = new DataView(bigger.buffer);
  }

  u32(value: number): void {
    this.reserve(4);
    this.dv.setUint32(this.length, value);
    this.length += 4;
  }

  /** A u64 from a number below 2^53, as two cells. */
  u64(value: number): void {
    this.u32(Math.floor(value / 2 ** 32));
    this.u32(value % 2 ** 32);
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
  }

  /** Zero bytes up to the next multiple of `align`. */
  pad(align: number): void {
    const target = Math.ceil(this.length / align) * align;
    this.reserve(target - this.length);
    this.buf.fill(0, this.length, target);
    this.length = target;
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** `s` as Latin-1 bytes followed by NUL. */
export function latin1Z(s: string, what: string): Uint8Array {
  const out = new Uint8Array(s.length + 1);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 0xff) throw new FdtError(`${what} ${JSON.stringify(s)} has a character that cannot be stored (NUL or above U+00FF)`);
    out[i] = c;
  }
  return out;
}

/** The Latin-1 string held in bytes [start, end). */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i += 4096)
    s += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 4096)));
  return s;
}

/** Index of the first NUL in [start, end), or -1. */
export function findNul(bytes: Uint8Array, start: number, end: number): number {
  const i = bytes.subarray(start, end).indexOf(0);
  return i < 0 ? -1 : start + i;
}
