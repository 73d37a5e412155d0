// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import {
  bitmap_clear,
  bitmap_find_next_zero_area,
  bitmap_set,
  bitmap_weight,
  find_last_bit,
  find_last_bit_in,
  find_next_bit,
  find_next_zero_bit,
  fls,
  test_bit,
  __ffs,
} from '../../../kernel-model/lib/bitmap';

/** A bitmap and the same bits as booleans, from a fixed pseudo-random pattern. */
function pattern(bits: number, seed: number): { map: Int32Array; ref: boolean[] } {
  const map = new Int32Array((bits + 31) >>> 5);
  const ref: boolean[] = [];
  let x = seed;
  for (let i = 0; i < bits; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    // runs, not noise: the interesting cases are word edges inside runs
    const on = ((x >>> 16) % 7) < 3 ? !ref[i - 1] : !!ref[i - 1];
    ref.push(on);
    if (on) map[i >>> 5]! |= 1 << (i & 31);
  }
  return { map, ref };
}

const naiveNext = (ref: boolean[], size: number, off: number, want: boolean): number => {
  for (let i = off; i < size; i++) if (ref[i] === want) return i;
  return size;
};

describe('find_next_bit / find_next_zero_bit / find_last_bit', () => {
  it('agree with a linear scan at every offset and size, across word edges', () => {
    for (const seed of [1, 2, 3]) {
      const { map, ref } = pattern(200, seed);
      for (const size of [1, 31, 32, 33, 64, 100, 200]) {
        for (let off = 0; off <= size + 1; off++) {
          expect(find_next_bit(map, size, off)).toBe(naiveNext(ref, size, off, true));
          expect(find_next_zero_bit(map, size, off)).toBe(naiveNext(ref, size, off, false));
        }
        let last = size;
        for (let i = size - 1; i >= 0; i--) if (ref[i]) { last = i; break; }
        expect(find_last_bit(map, size)).toBe(last);
      }
    }
  });

  it('find_last_bit_in looks only inside [lo, hi) and answers hi when empty', () => {
    const map = new Int32Array(4);
    bitmap_set(map, 10, 1);
    bitmap_set(map, 70, 1);
    expect(find_last_bit_in(map, 0, 128)).toBe(70);
    expect(find_last_bit_in(map, 11, 70)).toBe(70);
    expect(find_last_bit_in(map, 0, 70)).toBe(10);
    expect(find_last_bit_in(map, 11, 60)).toBe(60);
  });
});

describe('bitmap_set / bitmap_clear / bitmap_weight', () => {
  it('set and clear exactly the range, inside a word and across words', () => {
    for (const [start, len] of [[0, 1], [3, 5], [30, 4], [31, 33], [32, 32], [5, 90]] as const) {
      const map = new Int32Array(4);
      bitmap_set(map, start, len);
      for (let i = 0; i < 128; i++) expect(test_bit(i, map)).toBe(i >= start && i < start + len);
      expect(bitmap_weight(map, 128)).toBe(len);
      bitmap_clear(map, start + 1, len - 1);
      expect(bitmap_weight(map, 128)).toBe(1);
    }
  });

  it('change only [start, start + len) of a patterned map, for every start and length over three words', () => {
    const bits = 160;
    const asBools = (map: Int32Array): boolean[] => Array.from({ length: bits }, (_, i) => test_bit(i, map));
    for (let start = 0; start < 96; start++) {
      for (let len = 0; start + len <= bits && len <= 100; len++) {
        for (const on of [true, false]) {
          const { map, ref } = pattern(bits, start * 131 + len);
          (on ? bitmap_set : bitmap_clear)(map, start, len);
          const want = ref.map((b, i) => (i >= start && i < start + len ? on : b));
          const got = asBools(map);
          if (got.some((b, i) => b !== want[i])) expect({ start, len, on, got }).toEqual({ start, len, on, got: want });
        }
      }
    }
  });
});

describe('bitmap_find_next_zero_area', () => {
  it('finds the first aligned run of clear bits, or returns past the end', () => {
    const map = new Int32Array(2);
    bitmap_set(map, 0, 3);
    bitmap_set(map, 9, 1);
    expect(bitmap_find_next_zero_area(map, 64, 0, 4, 0)).toBe(3);
    expect(bitmap_find_next_zero_area(map, 64, 0, 7, 0)).toBe(10);
    expect(bitmap_find_next_zero_area(map, 64, 0, 4, 3)).toBe(4);
    expect(bitmap_find_next_zero_area(map, 64, 0, 6, 7)).toBe(16);
    expect(bitmap_find_next_zero_area(map, 20, 0, 16, 0)).toBeGreaterThan(20 - 16);
  });
});

describe('__ffs and fls', () => {
  it('are Linux’s', () => {
    expect(__ffs(1)).toBe(0);
    expect(__ffs(0x1000)).toBe(12);
    expect(fls(0)).toBe(0);
    expect(fls(1)).toBe(1);
    expect(fls(32)).toBe(6);
    expect(fls(0x80000000 | 0)).toBe(32);
  });
});
