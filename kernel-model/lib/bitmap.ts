// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bitmaps over 32-bit words, with the semantics of Linux's lib/find_bit.c
 * and lib/bitmap.c (include/linux/bitmap.h): bit n lives in word n >> 5 at
 * position n & 31. On a little-endian machine this is the same byte layout
 * as Linux's unsigned long bitmaps, so a bitmap kept in a view over guest
 * RAM reads the same from ARM64 code.
 *
 * The find functions return `size` when nothing is found, as Linux's do.
 */

export type Bitmap = Int32Array;

/** Words needed for `bits` bits in 32-bit words. */
export const BITS_TO_WORDS = (bits: number): number => (bits + 31) >>> 5;
/** Bytes Linux allocates for `bits` bits on a 64-bit kernel: BITS_TO_LONGS(bits) * sizeof(long). */
export const BITS_TO_LONG_BYTES = (bits: number): number => ((bits + 63) >>> 6) * 8;

/** Index of the lowest set bit of a non-zero word. */
const ffs32 = (w: number): number => 31 - Math.clz32(w & -w);

export function test_bit(nr: number, map: Bitmap): boolean {
  return (map[nr >>> 5]! & (1 << (nr & 31))) !== 0;
}

export function set_bit(nr: number, map: Bitmap): void {
  map[nr >>> 5]! |= 1 << (nr & 31);
}

export function clear_bit(nr: number, map: Bitmap): void {
  map[nr >>> 5]! &= ~(1 << (nr & 31));
}

/*
 * Masks stay int32 so that V8 keeps them small integers: -1 << b covers
 * bits b..31, ~(-2 << b) bits 0..b (for b = 31 too, where 1 << 32 would wrap).
 */
/** Mask of bits [0, hi) of a word, hi in 1..32. */
const maskTo = (hi: number): number => (hi >= 32 ? -1 : (1 << hi) - 1);

/** First set bit in [offset, size), or size. */
export function find_next_bit(map: Bitmap, size: number, offset: number): number {
  return findNext(map, size, offset, 0);
}

/** First clear bit in [offset, size), or size. */
export function find_next_zero_bit(map: Bitmap, size: number, offset: number): number {
  return findNext(map, size, offset, -1);
}

function findNext(map: Bitmap, size: number, offset: number, invert: number): number {
  if (offset >= size) return size;
  let i = offset >>> 5;
  let w = (map[i]! ^ invert) & (-1 << (offset & 31));
  const last = (size - 1) >>> 5;
  for (;;) {
    if (w !== 0) {
      const bit = (i << 5) + ffs32(w);
      return bit < size ? bit : size;
    }
    if (++i > last) return size;
    w = map[i]! ^ invert;
  }
}

/** Last set bit in [0, size), or size (Linux's find_last_bit). */
export function find_last_bit(map: Bitmap, size: number): number {
  return find_last_bit_in(map, 0, size);
}

/** Last set bit in [lo, hi), or hi: find_last_bit on a bitmap that starts at bit lo. */
export function find_last_bit_in(map: Bitmap, lo: number, hi: number): number {
  if (hi <= lo) return hi;
  let i = (hi - 1) >>> 5;
  const first = lo >>> 5;
  let w = map[i]! & ~(-2 << ((hi - 1) & 31));
  for (;;) {
    if (i === first) w &= -1 << (lo & 31);
    if (w !== 0) return (i << 5) + 31 - Math.clz32(w);
    if (i-- === first) return hi;
    w = map[i]!;
  }
}

/** Set bits [start, start + len). */
export function bitmap_set(map: Bitmap, start: number, len: number): void {
  fill(map, start, len, true);
}

/** Clear bits [start, start + len). */
export function bitmap_clear(map: Bitmap, start: number, len: number): void {
  fill(map, start, len, false);
}

/** Set or clear the bits of `mask` in word i. */
function apply(map: Bitmap, i: number, mask: number, on: boolean): void {
  if (on) map[i]! |= mask;
  else map[i]! &= ~mask;
}

/** A partial first and last word by mask, whole words between by store. */
function fill(map: Bitmap, start: number, len: number, on: boolean): void {
  if (len <= 0) return;
  const end = start + len;
  let i = start >>> 5;
  const last = (end - 1) >>> 5;
  const head = -1 << (start & 31);
  const tail = ~(-2 << ((end - 1) & 31));
  if (i === last) {
    apply(map, i, head & tail, on);
    return;
  }
  apply(map, i, head, on);
  const whole = on ? -1 : 0;
  while (++i < last) map[i] = whole;
  apply(map, last, tail, on);
}

/** Number of set bits in [0, size). */
export function bitmap_weight(map: Bitmap, size: number): number {
  let n = 0;
  const full = size >>> 5;
  for (let i = 0; i < full; i++) n += popcount(map[i]!);
  if (size & 31) n += popcount(map[full]! & maskTo(size & 31));
  return n;
}

function popcount(w: number): number {
  w -= (w >>> 1) & 0x55555555;
  w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
  return (((w + (w >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * bitmap_find_next_zero_area(map, size, start, nr, align_mask): the first
 * run of nr clear bits at or after start whose index is aligned to
 * align_mask + 1; a value above size - nr when there is none.
 */
export function bitmap_find_next_zero_area(map: Bitmap, size: number, start: number, nr: number, align_mask: number): number {
  for (;;) {
    let index = find_next_zero_bit(map, size, start);
    index = (index + align_mask) & ~align_mask;
    const end = index + nr;
    if (end > size) return end;
    const i = find_next_bit(map, end, index);
    if (i >= end) return index;
    start = i + 1;
  }
}

/** Index of the first set bit of a non-zero integer (Linux's __ffs). */
export const __ffs = (x: number): number => ffs32(x);

/** Position of the highest set bit, 1-based; 0 for 0 (Linux's fls). */
export const fls = (x: number): number => 32 - Math.clz32(x);
