// SPDX-License-Identifier: GPL-2.0-only
/*
 * copy_from_user / copy_to_user for the TypeScript kernel. A user pointer
 * is a VA of the calling core. As in Linux, the range must first pass
 * access_ok (it lies below TASK_SIZE, so a user can never name kernel
 * memory), then each page is translated through that core's own tables
 * (Unicorn's memory API takes physical addresses) and must be one EL0 may
 * access (AP[1]) and, for a write, may write (AP[2] clear). Anything else
 * fails the whole copy before a byte moves, and the caller returns -EFAULT,
 * as a fault in Linux's uaccess routines does.
 */

import { PAGE_SIZE } from '../arch/arm64/page-def';
import type { Core } from '../../emulator/core';
import type { GuestRam } from '../../emulator/memory/guest-ram';
import { TASK_SIZE } from '../arch/arm64/memory';

const PAGE = BigInt(PAGE_SIZE);

/** access_ok: [va, va+len) is user address space. */
export function access_ok(va: bigint, len: number): boolean {
  return va >= 0n && len >= 0 && va + BigInt(len) <= TASK_SIZE;
}

/** Visit the pages of a user range; false (nothing visited) if any page is not EL0-accessible. */
function eachUserPage(core: Core, ram: GuestRam, va: bigint, len: number, write: boolean, fn: (pa: number, off: number, n: number) => void): boolean {
  if (!access_ok(va, len)) return false;
  const pieces: [number, number, number][] = [];
  for (let done = 0; done < len; ) {
    const at = va + BigInt(done);
    const n = Math.min(len - done, Number(PAGE - (at % PAGE)));
    const r = core.translate(at);
    if (!r.ok || !r.user || (write && r.readOnly) || !ram.contains(r.pa, n)) return false;
    pieces.push([r.pa, done, n]);
    done += n;
  }
  for (const [pa, off, n] of pieces) fn(pa, off, n);
  return true;
}

export function copyFromUser(core: Core, ram: GuestRam, va: bigint, len: number): Uint8Array | undefined {
  const out = new Uint8Array(len);
  return eachUserPage(core, ram, va, len, false, (pa, off, n) => out.set(ram.bytes(pa, n), off)) ? out : undefined;
}

export function copyToUser(core: Core, ram: GuestRam, va: bigint, data: Uint8Array): boolean {
  return eachUserPage(core, ram, va, data.length, true, (pa, off, n) => ram.bytes(pa, n).set(data.subarray(off, off + n)));
}
