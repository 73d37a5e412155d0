// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "newc" cpio format, the one an initramfs is written in (Linux,
 * Documentation/driver-api/early-userspace/buffer-format.rst; the reader
 * is init/initramfs.c).
 *
 * An archive is a sequence of members, each
 *
 *   header   110 ASCII bytes: the magic "070701" ("070702" when the check
 *            field carries a byte sum of the data), then thirteen 8-digit
 *            hexadecimal fields: ino, mode, uid, gid, nlink, mtime,
 *            filesize, devmajor, devminor, rdevmajor, rdevminor,
 *            namesize (with the NUL), check;
 *   name     namesize bytes, NUL-terminated; header + name are padded
 *            with NULs to a multiple of 4;
 *   data     filesize bytes (a file's contents, a symlink's target),
 *            padded with NULs to a multiple of 4;
 *
 * ended by a member named "TRAILER!!!". The kernel accepts several
 * archives one after another, with NUL padding (in 4-byte units) between
 * them, and so does readNewc. Hard links (one ino, nlink > 1, data in the
 * last member) are not written and read as separate files.
 */

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

export interface CpioEntry {
  /** The path inside the archive, without a leading "/" (as `find . | cpio` after stripping "./"). */
  name: string;
  /** File type bits (S_IFDIR, S_IFREG, S_IFLNK, S_IFCHR...) and permissions. */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** A regular file's contents. */
  data?: Uint8Array;
  /** A symlink's target. */
  linkTarget?: string;
  /** A device node's major and minor (rdevmajor, rdevminor). */
  rdev?: { major: number; minor: number };
}

export class CpioError extends Error {
  override name = 'CpioError';
}

const MAGIC = '070701';
const MAGIC_CRC = '070702';
const HEADER_SIZE = 110;
const TRAILER = 'TRAILER!!!';
const FIELD_MAX = 0xffff_ffff;

const pad4 = (n: number): number => (n + 3) & ~3;

function hex8(v: number, what: string, name: string): string {
  if (!Number.isInteger(v) || v < 0 || v > FIELD_MAX) throw new CpioError(`${name}: ${what} ${v} does not fit a newc header field (0..0xffffffff)`);
  return v.toString(16).padStart(8, '0');
}

function memberBytes(e: CpioEntry, ino: number): Uint8Array[] {
  const type = e.mode & S_IFMT;
  if (e.name === '' || e.name.includes('\0')) throw new CpioError(`invalid member name ${JSON.stringify(e.name)}`);
  let data: Uint8Array = new Uint8Array(0);
  if (type === S_IFREG) data = e.data ?? data;
  else if (type === S_IFLNK) {
    if (e.linkTarget === undefined || e.linkTarget === '') throw new CpioError(`${e.name}: a symlink needs a target`);
    data = new TextEncoder().encode(e.linkTarget);
  } else if (e.data !== undefined && e.data.length > 0) throw new CpioError(`${e.name}: only regular files carry data`);
  const name = new TextEncoder().encode(`${e.name}\0`);
  const f = (v: number, what: string): string => hex8(v, what, e.name);
  const header =
    MAGIC +
    f(ino, 'ino') + f(e.mode, 'mode') + f(e.uid, 'uid') + f(e.gid, 'gid') +
    f(type === S_IFDIR ? 2 : 1, 'nlink') + f(e.mtime, 'mtime') + f(data.length, 'filesize') +
    f(0, 'devmajor') + f(0, 'devminor') + f(e.rdev?.major ?? 0, 'rdevmajor') + f(e.rdev?.minor ?? 0, 'rdevminor') +
    f(name.length, 'namesize') + f(0, 'check');
  const head = new Uint8Array(pad4(HEADER_SIZE + name.length));
  head.set(new TextEncoder().encode(header));
  head.set(name, HEADER_SIZE);
  const body = new Uint8Array(pad4(data.length));
  body.set(data);
  return [head, body];
}

/** An archive of `entries` in order, ended by TRAILER!!!; inode numbers are assigned from 1. */
export function writeNewc(entries: readonly CpioEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  entries.forEach((e, i) => parts.push(...memberBytes(e, i + 1)));
  parts.push(...memberBytes({ name: TRAILER, mode: 0, uid: 0, gid: 0, mtime: 0 }, 0));
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

interface Header {
  magic: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  filesize: number;
  rdevmajor: number;
  rdevminor: number;
  namesize: number;
  check: number;
}

/*
 * Reading runs at every boot, over every member of a multi-megabyte
 * archive: the fields are read digit by digit and the names with one
 * decoder (a TextDecoder and a regular expression per field made the
 * 289 members of the default initramfs cost about 8 ms).
 */
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder();

/** The value of hexadecimal digit byte c, or -1. */
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20; // a-f and A-F alike
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

/** Field i (0: ino ... 12: check) of the header at `at`. */
function field(bytes: Uint8Array, at: number, i: number): number {
  const from = at + 6 + 8 * i;
  let v = 0;
  for (let k = from; k < from + 8; k++) {
    const d = hexDigit(bytes[k]!);
    if (d < 0) throw new CpioError(`bad hexadecimal field ${i} (${JSON.stringify(latin1.decode(bytes.subarray(from, from + 8)))}) in the header at offset ${at}`);
    v = v * 16 + d;
  }
  return v;
}

function parseHeader(bytes: Uint8Array, at: number): Header {
  if (at + HEADER_SIZE > bytes.length) throw new CpioError(`truncated header at offset ${at}`);
  const magic = latin1.decode(bytes.subarray(at, at + 6));
  if (magic !== MAGIC && magic !== MAGIC_CRC) throw new CpioError(`no cpio magic at offset ${at} (found ${JSON.stringify(magic)}; newc archives start with 070701)`);
  for (let i = 0; i < 13; i++) field(bytes, at, i);
  const f = (i: number): number => field(bytes, at, i);
  return {
    magic, mode: f(1), uid: f(2), gid: f(3), mtime: f(5), filesize: f(6),
    rdevmajor: f(9), rdevminor: f(10), namesize: f(11), check: f(12),
  };
}

function memberName(bytes: Uint8Array, h: Header, at: number): string {
  const start = at + HEADER_SIZE;
  if (h.namesize === 0) throw new CpioError(`empty name (namesize 0) in the member at offset ${at}`);
  if (start + h.namesize > bytes.length) throw new CpioError(`truncated name in the member at offset ${at}`);
  if (bytes[start + h.namesize - 1] !== 0) throw new CpioError(`name not NUL-terminated in the member at offset ${at}`);
  return utf8.decode(bytes.subarray(start, start + h.namesize - 1));
}

function checksum(data: Uint8Array): number {
  let sum = 0;
  for (const b of data) sum = (sum + b) >>> 0;
  return sum;
}

function toEntry(h: Header, name: string, data: Uint8Array, at: number): CpioEntry {
  const type = h.mode & S_IFMT;
  const e: CpioEntry = { name, mode: h.mode, uid: h.uid, gid: h.gid, mtime: h.mtime };
  if (type === S_IFREG) e.data = data;
  else if (type === S_IFLNK) {
    if (data.length === 0) throw new CpioError(`${name}: symlink with an empty target (member at offset ${at})`);
    e.linkTarget = utf8.decode(data);
  } else if (data.length > 0) throw new CpioError(`${name}: a member of mode 0${h.mode.toString(8)} carries ${data.length} data bytes`);
  if (type === S_IFCHR || type === S_IFBLK) e.rdev = { major: h.rdevmajor, minor: h.rdevminor };
  return e;
}

/**
 * The members of one or more concatenated newc archives (TRAILER!!! not
 * included). Their data are views of one copy of `archive`, made first
 * (one allocation, not one per member), so `archive` can be reused at
 * once; the copy lives as long as any member's data does. Throws
 * CpioError.
 */
export function readNewc(archive: Uint8Array): CpioEntry[] {
  const bytes = new Uint8Array(archive); // a copy even of a Buffer, whose slice() is a view
  const out: CpioEntry[] = [];
  let at = 0;
  let ended = false;
  while (at < bytes.length) {
    if (ended) {
      // Between archives: NUL padding, in 4-byte units as the kernel eats it.
      if (bytes[at] === 0) {
        at++;
        continue;
      }
      if (at % 4 !== 0) throw new CpioError(`archive after the trailer at offset ${at} is not 4-byte aligned`);
      ended = false;
    }
    const start = at;
    const h = parseHeader(bytes, at);
    const name = memberName(bytes, h, at);
    const dataAt = pad4(at + HEADER_SIZE + h.namesize);
    if (dataAt + h.filesize > bytes.length) throw new CpioError(`${name}: truncated data (${h.filesize} bytes at offset ${dataAt}, archive is ${bytes.length})`);
    const data = bytes.subarray(dataAt, dataAt + h.filesize);
    if (h.magic === MAGIC_CRC && checksum(data) !== h.check) throw new CpioError(`${name}: checksum mismatch (header 0x${h.check.toString(16)}, data 0x${checksum(data).toString(16)})`);
    at = pad4(dataAt + h.filesize);
    if (name === TRAILER) {
      ended = true;
      continue;
    }
    out.push(toEntry(h, name, data, start));
  }
  if (!ended) throw new CpioError(out.length === 0 && bytes.length === 0 ? 'empty archive' : `archive ends without ${TRAILER}`);
  return out;
}
