import { describe, expect, it } from 'vitest';
import { GuestRam, maskRecordsInJs, replicateInJs } from '../../../emulator/memory/guest-ram';

describe('GuestRam.peek', () => {
  it('gives the bytes in place within a bank (a write shows through), and refuses a range outside RAM', () => {
    const ram = GuestRam.fromArrayBuffers(1 << 20);
    ram.write(0x1000, new Uint8Array([1, 2, 3, 4]));
    const v = ram.peek(0x1000, 4);
    expect([...v]).toEqual([1, 2, 3, 4]);
    ram.write(0x1002, new Uint8Array([9]));
    expect(v[2]).toBe(9); // a view, not a copy
    expect(() => ram.peek((1 << 20) - 2, 4)).toThrow();
    expect(() => ram.peek(-4, 4)).toThrow();
  });
});

describe('GuestRam.replicate', () => {
  it('repeats the unit at pa through the range and nothing else, with the host filler given', () => {
    const seen: [number, number][] = [];
    const ram = new GuestRam([{ base: 0, buffer: new ArrayBuffer(1 << 16) }], {
      replicate: (b, u) => {
        seen.push([b.length, u]);
        replicateInJs(b, u);
      },
      maskRecords: maskRecordsInJs,
    });
    const unit = [1, 2, 3, 4, 5, 6, 7, 8];
    ram.bytes(0x1000, 8).set(unit);
    ram.setU8(0x1000 + 8 * 100, 0xee);
    ram.replicate(0x1000, 8, 8 * 100);
    expect(seen).toEqual([[800, 8]]);
    for (let i = 0; i < 100; i++) expect([...ram.bytes(0x1000 + 8 * i, 8)]).toEqual(unit);
    expect(ram.u8(0x1000 + 8 * 100)).toBe(0xee);
    expect(ram.u8(0xfff)).toBe(0);
  });

  it('refuses a length that is not a multiple of the unit, a unit over 64 KB, a range outside RAM', () => {
    const ram = GuestRam.fromArrayBuffers(1 << 20);
    expect(() => ram.replicate(0, 64, 100)).toThrow(/cannot repeat 64 bytes through 100/);
    expect(() => ram.replicate(0, 0x20000, 0x40000)).toThrow(/cannot repeat/);
    expect(() => ram.replicate((1 << 20) - 64, 64, 128)).toThrow(/outside guest RAM/);
  });
});

describe('GuestRam.maskRecords', () => {
  it('sets each record of the range to (record & keep) | set, and refuses records that are not whole words', () => {
    const ram = GuestRam.fromArrayBuffers(1 << 16);
    ram.bytes(0x100, 40).fill(0xff);
    ram.maskRecords(0x100, 32, Uint8Array.of(0x0f, 0xff, 0, 0, 0, 0, 0, 0xf0), Uint8Array.of(0, 0, 1, 0, 0, 0, 0, 0));
    for (let r = 0; r < 4; r++) expect([...ram.bytes(0x100 + 8 * r, 8)]).toEqual([0x0f, 0xff, 1, 0, 0, 0, 0, 0xf0]);
    expect([...ram.bytes(0x120, 8)]).toEqual(new Array(8).fill(0xff));
    expect(() => ram.maskRecords(0, 24, new Uint8Array(12), new Uint8Array(12))).toThrow(/cannot mask 24 bytes at 0x0 in records of 12/);
    expect(() => ram.maskRecords(4, 64, new Uint8Array(64), new Uint8Array(64))).toThrow(/cannot mask 64 bytes at 0x4/);
  });
});
