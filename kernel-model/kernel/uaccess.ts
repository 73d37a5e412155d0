// SPDX-License-Identifier: GPL-2.0-only
/*
 * copy_from_user / copy_to_user for the TypeScript kernel. A user pointer
 * is a VA of the calling core: it is translated page by page through that
 * core's own translation tables (Unicorn's memory API takes physical
 * addresses), and a pointer that does not translate to RAM fails the copy
 * (the caller returns -EFAULT), as a fault in Linux's uaccess routines does.
 */

import type { Core } from '../../emulator/core';
import type { GuestRam } from '../../emulator/memory/guest-ram';

const PAGE = 4096n;

function eachPage(core: Core, ram: GuestRam, va: bigint, len: number, fn: (pa: number, off: number, n: number) => void): boolean {
  let done = 0;
  while (done < len) {
    const at = va + BigInt(done);
    const n = Math.min(len - done, Number(PAGE - (at % PAGE)));
    const r = core.translate(at);
    if (!r.ok || !ram.contains(r.pa, n)) return false;
    fn(r.pa, done, n);
    done += n;
  }
  return true;
}

export function copyFromUser(core: Core, ram: GuestRam, va: bigint, len: number): Uint8Array | undefined {
  const out = new Uint8Array(len);
  return eachPage(core, ram, va, len, (pa, off, n) => out.set(ram.bytes(pa, n), off)) ? out : undefined;
}

export function copyToUser(core: Core, ram: GuestRam, va: bigint, data: Uint8Array): boolean {
  // Check the whole range first, so that a failed copy writes nothing.
  if (!eachPage(core, ram, va, data.length, () => {})) return false;
  return eachPage(core, ram, va, data.length, (pa, off, n) => ram.bytes(pa, n).set(data.subarray(off, off + n)));
}
