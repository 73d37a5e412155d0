// SPDX-License-Identifier: GPL-2.0-only
/*
 * Property values: encoding and decoding.
 *
 * A devicetree property value is an opaque byte string; its meaning comes
 * from the property's name and the binding that defines it. The
 * Devicetree Specification v0.4 (2.2.4 "Properties", table 2.3) names the
 * common shapes, all big-endian:
 *
 *   <u32>          one 32-bit cell
 *   <u64>          two cells, high cell first
 *   <string>       NUL-terminated text
 *   <stringlist>   several NUL-terminated strings back to back
 *   <prop-encoded-array>, e.g. `reg`: (address, size) pairs whose widths in
 *                  cells are given by the parent's #address-cells and
 *                  #size-cells (2.3.5, 2.3.6; default 2 and 1).
 *
 * The helpers here convert between those shapes and plain values. Following
 * the project's integer convention, addresses and sizes from `reg` are
 * `number` (exact up to 2^53, far above the 8 GiB of the largest board),
 * while a generic <u64> is a `bigint`. Strings are UTF-8 (the spec's
 * strings are ASCII, which UTF-8 contains). Each decoder takes a `what`
 * label used in its error message, e.g. `property "reg" of /memory@0`.
 */

import { FdtError, hex } from './errors';

export interface RegEntry {
  address: number;
  size: number;
}

/** #address-cells and #size-cells when a node does not give them (spec 2.3.5). */
export const DEFAULT_ADDRESS_CELLS = 2;
export const DEFAULT_SIZE_CELLS = 1;

const CELL = 4;
const TWO_POW_32 = 2 ** 32;

function checkU32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new FdtError(`${what}: ${value} does not fit a 32-bit cell`);
}

export function encodeU32(value: number, what = 'cell'): Uint8Array {
  return encodeCells([value], what);
}

export function encodeCells(values: readonly number[], what = 'cell'): Uint8Array {
  const out = new Uint8Array(values.length * CELL);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    checkU32(v, what);
    dv.setUint32(i * CELL, v);
  });
  return out;
}

export function encodeU64(value: bigint | number, what = 'u64 value'): Uint8Array {
  const v = BigInt(value);
  if (v < 0n || v > 0xffffffffffffffffn) throw new FdtError(`${what}: ${value} does not fit 64 bits`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v);
  return out;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export function encodeString(s: string, what = 'string'): Uint8Array {
  if (s.includes('\0')) throw new FdtError(`${what}: a devicetree string cannot contain NUL`);
  const text = utf8.encode(s);
  const out = new Uint8Array(text.length + 1);
  out.set(text);
  return out;
}

export function encodeStringList(list: readonly string[], what = 'string list'): Uint8Array {
  const parts = list.map((s) => encodeString(s, what));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function checkWholeCells(value: Uint8Array, what: string): void {
  if (value.length % CELL !== 0)
    throw new FdtError(`${what}: ${value.length} bytes is not a whole number of 32-bit cells`);
}

export function decodeCells(value: Uint8Array, what = 'property value'): number[] {
  checkWholeCells(value, what);
  const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const cells: number[] = [];
  for (let at = 0; at < value.length; at += CELL) cells.push(dv.getUint32(at));
  return cells;
}

export function decodeU32(value: Uint8Array, what = 'property value'): number {
  if (value.length !== CELL) throw new FdtError(`${what}: expected one 32-bit cell (4 bytes), got ${value.length} bytes`);
  return new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(0);
}

export function decodeU64(value: Uint8Array, what = 'property value'): bigint {
  if (value.length !== 8) throw new FdtError(`${what}: expected a 64-bit value (8 bytes), got ${value.length} bytes`);
  return new DataView(value.buffer, value.byteOffset, value.byteLength).getBigUint64(0);
}

function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    throw new FdtError(`${what}: string is not valid UTF-8`);
  }
}

/** All the strings of a <stringlist>; an empty value is an empty list. */
export function decodeStringList(value: Uint8Array, what = 'property value'): string[] {
  if (value.length === 0) return [];
  if (value[value.length - 1] !== 0) throw new FdtError(`${what}: string is not NUL-terminated`);
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== 0) continue;
    out.push(decodeUtf8(value.subarray(start, i), what));
    start = i + 1;
  }
  return out;
}

/** A <string>; for a <stringlist> this is its first string, as Linux's of_property_read_string gives. */
export function decodeString(value: Uint8Array, what = 'property value'): string {
  if (value.length === 0) throw new FdtError(`${what}: empty value where a string was expected`);
  const first = decodeStringList(value, what)[0];
  return first ?? '';
}

/**
 * The number held by `cells` (most significant first). At most two cells
 * fit a number, and the value must stay below 2^53.
 */
export function cellsToNumber(cells: readonly number[], what = 'value'): number {
  if (cells.length > 2) throw new FdtError(`${what}: ${cells.length} cells do not fit a number (at most 2 supported)`);
  let v = 0;
  for (const c of cells) v = v * TWO_POW_32 + c;
  if (!Number.isSafeInteger(v)) {
    const exact = cells.reduce((acc, c) => (acc << 32n) | BigInt(c), 0n);
    throw new FdtError(`${what}: ${hex(exact)} exceeds 2^53`);
  }
  return v;
}

/** `value` as `count` cells, most significant first. */
export function numberToCells(value: number, count: number, what = 'value'): number[] {
  if (!Number.isSafeInteger(value) || value < 0) throw new FdtError(`${what}: ${value} is not a non-negative integer`);
  if (count < 0 || count > 2) throw new FdtError(`${what}: ${count} cells are not supported (0, 1 or 2)`);
  const cells: number[] = [];
  let rest = value;
  for (let i = 0; i < count; i++) {
    cells.unshift(rest % TWO_POW_32);
    rest = Math.floor(rest / TWO_POW_32);
  }
  if (rest !== 0) throw new FdtError(`${what}: ${hex(value)} does not fit ${count} cell(s)`);
  return cells;
}

function checkCellCounts(addressCells: number, sizeCells: number, what: string): void {
  if (!Number.isInteger(addressCells) || addressCells < 0 || addressCells > 2)
    throw new FdtError(`${what}: #address-cells = ${addressCells} is not supported (0, 1 or 2)`);
  if (!Number.isInteger(sizeCells) || sizeCells < 0 || sizeCells > 2)
    throw new FdtError(`${what}: #size-cells = ${sizeCells} is not supported (0, 1 or 2)`);
}

/** The (address, size) pairs of a `reg`-shaped value. */
export function decodeReg(value: Uint8Array, addressCells: number, sizeCells: number, what = 'reg'): RegEntry[] {
  checkCellCounts(addressCells, sizeCells, what);
  const cells = decodeCells(value, what);
  const per = addressCells + sizeCells;
  if (per === 0) {
    if (cells.length !== 0) throw new FdtError(`${what}: has cells but #address-cells and #size-cells are both 0`);
    return [];
  }
  if (cells.length % per !== 0)
    throw new FdtError(`${what}: ${cells.length} cells is not a multiple of ${per} (#address-cells ${addressCells} + #size-cells ${sizeCells})`);
  const out: RegEntry[] = [];
  for (let i = 0; i < cells.length; i += per) {
    out.push({
      address: cellsToNumber(cells.slice(i, i + addressCells), `${what} address`),
      size: cellsToNumber(cells.slice(i + addressCells, i + per), `${what} size`),
    });
  }
  return out;
}

export function encodeReg(entries: readonly RegEntry[], addressCells: number, sizeCells: number, what = 'reg'): Uint8Array {
  checkCellCounts(addressCells, sizeCells, what);
  const cells: number[] = [];
  for (const e of entries) {
    cells.push(...numberToCells(e.address, addressCells, `${what} address`));
    cells.push(...numberToCells(e.size, sizeCells, `${what} size`));
  }
  return encodeCells(cells, what);
}
