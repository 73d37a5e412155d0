// SPDX-License-Identifier: GPL-2.0-only
// Property value encoders and decoders.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FdtError,
  cellsToNumber,
  decodeCells,
  decodeReg,
  decodeString,
  decodeStringList,
  decodeU32,
  decodeU64,
  encodeCells,
  encodeReg,
  encodeString,
  encodeStringList,
  encodeU32,
  encodeU64,
  numberToCells,
} from '../../../lib/fdt';

describe('cells', () => {
  it('encodes big-endian', () => {
    expect(encodeU32(0x12345678)).toEqual(Uint8Array.of(0x12, 0x34, 0x56, 0x78));
    expect(encodeCells([1, 0xffffffff])).toEqual(Uint8Array.of(0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff));
    expect(encodeU64(0xd8)).toEqual(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0xd8));
    expect(encodeU64(0x1_0000_0002n)).toEqual(Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 2));
  });

  it('refuses values that do not fit', () => {
    expect(() => encodeU32(-1)).toThrow(FdtError);
    expect(() => encodeU32(2 ** 32)).toThrow(/does not fit a 32-bit cell/);
    expect(() => encodeU32(1.5)).toThrow(FdtError);
    expect(() => encodeU64(-1n)).toThrow(/does not fit 64 bits/);
  });

  it('decodes with size checks', () => {
    expect(decodeU32(Uint8Array.of(0, 0, 1, 0))).toBe(256);
    expect(() => decodeU32(Uint8Array.of(0, 1), 'property "reg" of /x')).toThrow(
      new FdtError('property "reg" of /x: expected one 32-bit cell (4 bytes), got 2 bytes'),
    );
    expect(decodeU64(encodeU64(0xffff_ffff_ffff_ffffn))).toBe(0xffff_ffff_ffff_ffffn);
    expect(() => decodeU64(Uint8Array.of(1, 2, 3, 4))).toThrow(/expected a 64-bit value/);
    expect(() => decodeCells(Uint8Array.of(1, 2, 3))).toThrow(/3 bytes is not a whole number of 32-bit cells/);
  });

  it('decodes a value that is a view into a larger buffer', () => {
    const host = Uint8Array.of(9, 9, 9, 0, 0, 0, 5, 9);
    expect(decodeCells(host.subarray(3, 7))).toEqual([5]);
  });

  it('round-trips cell arrays (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff })), (cells) => {
        expect(decodeCells(encodeCells(cells))).toEqual(cells);
      }),
    );
  });

  it('converts between numbers and 0-2 cells', () => {
    expect(cellsToNumber([0x1, 0x80000000])).toBe(0x1_8000_0000);
    expect(cellsToNumber([])).toBe(0);
    expect(numberToCells(0x1_8000_0000, 2)).toEqual([1, 0x80000000]);
    expect(() => numberToCells(0x1_0000_0000, 1)).toThrow(/does not fit 1 cell/);
    expect(() => cellsToNumber([0x00200000, 0])).toThrow(/exceeds 2\^53/);
    expect(() => cellsToNumber([0, 0, 1])).toThrow(/3 cells do not fit a number/);
  });
});

describe('strings', () => {
  it('encodes NUL-terminated UTF-8 and lists', () => {
    expect(encodeString('ok')).toEqual(Uint8Array.of(0x6f, 0x6b, 0));
    expect(encodeStringList(['a', 'bc'])).toEqual(Uint8Array.of(0x61, 0, 0x62, 0x63, 0));
    expect(encodeStringList([])).toEqual(new Uint8Array(0));
    expect(() => encodeString('a\0b')).toThrow(/cannot contain NUL/);
  });

  it('decodes strings and string lists', () => {
    const v = encodeStringList(['arm,pl011', 'arm,primecell']);
    expect(decodeStringList(v)).toEqual(['arm,pl011', 'arm,primecell']);
    expect(decodeString(v)).toBe('arm,pl011');
    expect(decodeStringList(new Uint8Array(0))).toEqual([]);
    expect(decodeString(encodeString('µs'))).toBe('µs');
  });

  it('refuses unterminated, empty or invalid UTF-8 strings', () => {
    expect(() => decodeString(Uint8Array.of(0x61), 'model')).toThrow(new FdtError('model: string is not NUL-terminated'));
    expect(() => decodeString(new Uint8Array(0))).toThrow(/empty value where a string was expected/);
    expect(() => decodeStringList(Uint8Array.of(0xff, 0))).toThrow(/not valid UTF-8/);
  });

  it('round-trips string lists (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.string().filter((s) => !s.includes('\0'))), (list) => {
        expect(decodeStringList(encodeStringList(list))).toEqual(list);
      }),
    );
  });
});

describe('reg', () => {
  it('decodes the 4 GB CM4 memory node (2 address cells, 1 size cell)', () => {
    const v = encodeCells([0x0, 0x0, 0x3b400000, 0x0, 0x40000000, 0xbc000000]);
    expect(decodeReg(v, 2, 1)).toEqual([
      { address: 0, size: 0x3b400000 },
      { address: 0x40000000, size: 0xbc000000 },
    ]);
  });

  it('decodes the 8 GB layout with banks above 4 GB', () => {
    const v = encodeCells([0, 0, 0x3b400000, 0, 0x40000000, 0xbc000000, 1, 0, 0x80000000, 1, 0x80000000, 0x80000000]);
    expect(decodeReg(v, 2, 1).map((r) => r.address)).toEqual([0, 0x40000000, 0x1_0000_0000, 0x1_8000_0000]);
  });

  it('handles #size-cells = 0 (cpu nodes) and encodes back', () => {
    expect(decodeReg(encodeU32(3), 1, 0)).toEqual([{ address: 3, size: 0 }]);
    const entries = [{ address: 0x1_0000_0000, size: 0x8000_0000 }];
    expect(decodeReg(encodeReg(entries, 2, 1), 2, 1)).toEqual(entries);
  });

  it('refuses a value that is not whole entries, and unsupported cell counts', () => {
    expect(() => decodeReg(encodeCells([1, 2, 3, 4]), 2, 1, 'reg of /memory@0')).toThrow(
      new FdtError('reg of /memory@0: 4 cells is not a multiple of 3 (#address-cells 2 + #size-cells 1)'),
    );
    expect(() => decodeReg(encodeCells([1, 2, 3]), 3, 0)).toThrow(/#address-cells = 3 is not supported/);
  });
});
