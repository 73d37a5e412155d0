// SPDX-License-Identifier: GPL-2.0-only
/*
 * The memory character devices of drivers/char/mem.c and random.c, major
 * 1: /dev/null (minor 3: reads end at once, writes vanish), /dev/zero
 * (minor 5: zeroes), /dev/urandom (minor 9: bytes from the kernel's
 * generator, seeded at boot, so runs repeat), /dev/random (minor 8: the
 * same, as Linux 5.10 no longer blocks once seeded).
 */

import type { FileOperations } from './file';

export const MEM_MAJOR = 1;
export const MEM_DEVICES: readonly { name: string; minor: number }[] = [
  { name: 'null', minor: 3 },
  { name: 'zero', minor: 5 },
  { name: 'random', minor: 8 },
  { name: 'urandom', minor: 9 },
];

const device = (read: (count: number) => Uint8Array, discards = false): FileOperations => ({
  read: (_f, _pos, count) => read(count),
  write: (_f, data) => data.length,
  discards, // write_null (null, zero) never reads the buffer; random's write does (it mixes it in)
  seekable: true, // lseek succeeds and means nothing (null_lseek)
  endOf: () => 0,
  ioctl: () => BigInt(-25), // ENOTTY
});

/** What /dev/zero reads: one buffer nobody writes (a read's bytes are copied out to the reader at once). */
const ZEROES = new Uint8Array(1 << 20);

/** The file operations of each minor, given the kernel's random bytes. */
export function mem_devices(random: (n: number) => Uint8Array): Map<number, FileOperations> {
  const rnd = device((n) => random(Math.min(n, 1 << 20)));
  return new Map([
    [3, device(() => new Uint8Array(0), true)],
    [5, device((n) => ZEROES.subarray(0, Math.min(n, ZEROES.length)), true)],
    [8, rnd],
    [9, rnd],
  ]);
}
