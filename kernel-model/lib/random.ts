// SPDX-License-Identifier: GPL-2.0-only
/*
 * A deterministic source of 32-bit random numbers (xorshift32, Marsaglia
 * 2003), standing in for get_random_bytes / prandom_u32 where the kernel
 * model wants randomness that is the same on every run: test_vmalloc's
 * random sizes and shuffles, the benchmarks' request streams.
 */

export type Rnd = () => number;

export function xorshift32(seed: number): Rnd {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}
