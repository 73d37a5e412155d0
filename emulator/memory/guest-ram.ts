// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest RAM as TypeScript sees it.
 *
 * The machine has one host mapping for all of physical memory below the
 * board's RAM end; every emulated core maps the same host pages with
 * uc_mem_map_ptr, so a store by any core is visible at once to the others
 * and to the typed arrays built here (and the reverse).
 *
 * Integer convention, stated once for the whole project:
 *   - physical addresses, sizes, PFNs and offsets are `number` (exact below
 *     2^53; the largest board has 8 GiB, i.e. 2^33);
 *   - virtual addresses and 64-bit register values are `bigint`, because
 *     kernel VAs (0xffffff80_00000000...) do not fit a double exactly.
 *
 * A host ArrayBuffer over external memory is limited to 4 GiB, so RAM is
 * seen through banks of at most BANK_SIZE bytes. Every typed view handed
 * out must lie inside one bank; allocators that keep metadata in guest RAM
 * (struct page, percpu chunk maps) place it so that it does not straddle a
 * bank boundary, and `view` says clearly when it would.
 */

export const BANK_SHIFT = 32;
export const BANK_SIZE = 2 ** BANK_SHIFT;

export interface RamBank {
  /** Physical address of the first byte of the bank (a multiple of BANK_SIZE). */
  base: number;
  buffer: ArrayBuffer;
}

/** The largest unit GuestRam.replicate repeats. */
export const REPLICATE_UNIT_MAX = 0x10000;

/** replicate in JavaScript: the copied run doubles each time, so a few dozen copies fill megabytes. */
export function replicateInJs(bytes: Uint8Array, unitLen: number): void {
  for (let done = Math.min(unitLen, bytes.length); done < bytes.length; done *= 2) bytes.copyWithin(done, 0, Math.min(done, bytes.length - done));
}

/** maskRecords in JavaScript, 32 bits at a time. */
export function maskRecordsInJs(bytes: Uint8Array, keep: Uint8Array, set: Uint8Array): void {
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
  const k = new Int32Array(keep.buffer, keep.byteOffset, keep.length >> 2);
  const v = new Int32Array(set.buffer, set.byteOffset, set.length >> 2);
  for (let at = 0; at < words.length; at += k.length) for (let i = 0; i < k.length; i++) words[at + i] = (words[at + i]! & k[i]!) | v[i]!;
}

/** How the host writes records of guest memory, where it has a faster way than JavaScript's. */
export interface HostRecordOps {
  replicate(bytes: Uint8Array, unitLen: number): void;
  maskRecords(bytes: Uint8Array, keep: Uint8Array, set: Uint8Array): void;
}

const IN_JS: HostRecordOps = { replicate: replicateInJs, maskRecords: maskRecordsInJs };

export class GuestRamError extends Error {
  override name = 'GuestRamError';
}

export class GuestRam {
  /** Physical address one past the last byte backed by host memory. */
  readonly end: number;
  private readonly banks: RamBank[];
  private readonly u8s: Uint8Array[];
  private readonly dvs: DataView[];

  /**
   * @param banks host memory for [0, end), bank k covering
   *              [k * BANK_SIZE, k * BANK_SIZE + buffer.byteLength)
   * @param host  the host's way of writing records (replicate's and
   *              maskRecords's contracts), where it has a faster one than
   *              JavaScript's
   */
  constructor(banks: RamBank[], private readonly host: HostRecordOps = IN_JS) {
    banks.forEach((b, k) => {
      if (b.base !== k * BANK_SIZE) throw new GuestRamError(`bank ${k} must start at ${k * BANK_SIZE}`);
      if (k < banks.length - 1 && b.buffer.byteLength !== BANK_SIZE)
        throw new GuestRamError(`bank ${k} must be full (${BANK_SIZE} bytes)`);
    });
    this.banks = banks;
    this.u8s = banks.map((b) => new Uint8Array(b.buffer));
    this.dvs = banks.map((b) => new DataView(b.buffer));
    const last = banks[banks.length - 1];
    this.end = last ? last.base + last.buffer.byteLength : 0;
  }

  /** RAM backed by ordinary JS ArrayBuffers: for tests of code that only needs memory. */
  static fromArrayBuffers(size: number): GuestRam {
    const banks: RamBank[] = [];
    for (let base = 0; base < size; base += BANK_SIZE)
      banks.push({ base, buffer: new ArrayBuffer(Math.min(BANK_SIZE, size - base)) });
    return new GuestRam(banks);
  }

  contains(pa: number, len = 1): boolean {
    return Number.isInteger(pa) && pa >= 0 && len >= 0 && pa + len <= this.end;
  }

  /**
   * The bank index and offset of [pa, pa+len), which must not cross a bank
   * boundary.
   */
  private locate(pa: number, len: number): [number, number] {
    if (!this.contains(pa, len))
      throw new GuestRamError(`physical range 0x${pa.toString(16)}+0x${len.toString(16)} is outside guest RAM`);
    const k = Math.floor(pa / BANK_SIZE);
    const off = pa - k * BANK_SIZE;
    if (off + len > BANK_SIZE) throw new GuestRamError(`physical range 0x${pa.toString(16)}+0x${len.toString(16)} crosses a RAM bank`);
    return [k, off];
  }

  /**
   * The accessors below find the bank by arithmetic and check the range
   * without building anything (they run for every page-table entry and
   * struct page the kernel reads); a range that does not fit goes to
   * locate() for its error.
   */
  private bad(pa: number, len: number, off: number): boolean {
    return !(pa >= 0 && off + len <= BANK_SIZE && pa + len <= this.end && Number.isInteger(pa));
  }

  /** A live byte view of [pa, pa+len): writes go straight to guest memory. */
  bytes(pa: number, len: number): Uint8Array {
    const k = Math.floor(pa / BANK_SIZE);
    const off = pa - k * BANK_SIZE;
    if (this.bad(pa, len, off) || len < 0) this.locate(pa, len);
    return this.u8s[k]!.subarray(off, off + len);
  }

  /**
   * The bytes of [pa, pa+len) to read now: a live view when they lie in
   * one bank (no copy of what may be megabytes: fresh host memory costs a
   * page fault per 4 KB), a copy when they span two.
   */
  peek(pa: number, len: number): Uint8Array {
    const k = Math.floor(pa / BANK_SIZE);
    return this.bad(pa, len, pa - k * BANK_SIZE) ? this.read(pa, len) : this.bytes(pa, len);
  }

  /**
   * Repeat the `unitLen` bytes at pa through [pa, pa+len) (len a multiple
   * of unitLen, at most 64 KB): memmap_init's struct pages, all alike.
   */
  replicate(pa: number, unitLen: number, len: number): void {
    if (!(Number.isInteger(unitLen) && unitLen > 0 && unitLen <= REPLICATE_UNIT_MAX) || len % unitLen !== 0)
      throw new GuestRamError(`cannot repeat ${unitLen} bytes through ${len}`);
    this.host.replicate(this.bytes(pa, len), unitLen);
  }

  /**
   * Set every keep.length-byte record of [pa, pa+len) to
   * (record & keep) | set (records of a multiple of 8 bytes, at most 64 KB,
   * from an 8-byte aligned pa; len a multiple of them): __free_pages_core's
   * per-page part over a range of struct pages.
   */
  maskRecords(pa: number, len: number, keep: Uint8Array, set: Uint8Array): void {
    const unitLen = keep.length;
    if (!(unitLen > 0 && unitLen % 8 === 0 && unitLen <= REPLICATE_UNIT_MAX) || set.length !== unitLen || len % unitLen !== 0 || pa % 8 !== 0)
      throw new GuestRamError(`cannot mask ${len} bytes at 0x${pa.toString(16)} in records of ${unitLen}`);
    this.host.maskRecords(this.bytes(pa, len), keep, set);
  }

  /** A live typed view (Int32Array, BigUint64Array, ...) of `count` elements at pa. */
  view<T extends ArrayBufferView>(ctor: new (b: ArrayBuffer, off: number, n: number) => T, pa: number, count: number, elemSize: number): T {
    const [k, off] = this.locate(pa, count * elemSize);
    if (off % elemSize !== 0) throw new GuestRamError(`0x${pa.toString(16)} is not ${elemSize}-byte aligned`);
    return new ctor(this.banks[k]!.buffer, off, count);
  }

  u8(pa: number): number {
    const k = Math.floor(pa / BANK_SIZE);
    const off = pa - k * BANK_SIZE;
    if (this.bad(pa, 1, off)) this.locate(pa, 1);
    return this.u8s[k]![off]!;
  }
  setU8(pa: number, v: number): void {
    const k = Math.floor(pa / BANK_SIZE);
    const off = pa - k * BANK_SIZE;
    if (this.bad(pa, 1, off)) this.locate(pa, 1);
    this.u8s[k]![off] = v;
  }
  u32(pa: number): number {
    const k = Math.floor(pa / BANK_SIZE);
    const off = pa - k * BANK_SIZE;
    if (this.bad(pa, 4, off)) this.locate(pa, 4);
    return this.dvs[k]!.getUint32(off, true);
  }
  setU32(pa: number, v: number): void {
    const k = Math.floor(pa / BANK_SIZE);
    const off = pa - k * BANK_SIZE;
    if (this.bad(pa, 4, off)) this.locate(pa, 4);
    this.dvs[k]!.setUint32(off, v >>> 0, true);
  }
  u64(pa: number): bigint {
    const k = Math.floor(pa / BANK_SIZE);
    const off = pa - k * BANK_SIZE;
    if (this.bad(pa, 8, off)) this.locate(pa, 8);
    return this.dvs[k]!.getBigUint64(off, true);
  }
  setU64(pa: number, v: bigint): void {
    const k = Math.floor(pa / BANK_SIZE);
    const off = pa - k * BANK_SIZE;
    if (this.bad(pa, 8, off)) this.locate(pa, 8);
    this.dvs[k]!.setBigUint64(off, BigInt.asUintN(64, v), true);
  }

  /** Copy host bytes into guest memory (may span banks). */
  write(pa: number, data: Uint8Array): void {
    let done = 0;
    while (done < data.length) {
      const here = pa + done;
      const room = BANK_SIZE - (here % BANK_SIZE);
      const n = Math.min(room, data.length - done);
      this.bytes(here, n).set(data.subarray(done, done + n));
      done += n;
    }
  }

  /** Copy guest memory out to a new host buffer (may span banks). */
  read(pa: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const here = pa + done;
      const n = Math.min(BANK_SIZE - (here % BANK_SIZE), len - done);
      out.set(this.bytes(here, n), done);
      done += n;
    }
    return out;
  }

  fill(pa: number, len: number, value = 0): void {
    let done = 0;
    while (done < len) {
      const here = pa + done;
      const n = Math.min(BANK_SIZE - (here % BANK_SIZE), len - done);
      this.bytes(here, n).fill(value);
      done += n;
    }
  }
}
