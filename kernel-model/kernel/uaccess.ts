// SPDX-License-Identifier: GPL-2.0-only
/*
 * copy_from_user / copy_to_user for the TypeScript kernel, over the
 * calling task's address space. As in Linux, the range must first pass
 * access_ok (it lies below TASK_SIZE, so a user can never name kernel
 * memory); then each page is looked up in the task's own tables, and a
 * page not there yet is faulted in through the same path as a user fault
 * (handle_mm_fault), so a buffer the program never touched still works.
 * A page the area does not allow (unmapped, or read-only for a write)
 * fails the whole copy before a byte moves, and the caller returns
 * -EFAULT, as a fault in Linux's uaccess routines does.
 *
 * Inside the svc fast path (the core mid-slice) a page of executable
 * code must not be faulted in: its translated code could not be dropped
 * there. Such a copy throws NeedsSlowPath before anything is copied, and
 * the call is made again from the trap path.
 */

import { PAGE_SIZE } from '../arch/arm64/page-def';
import type { GuestRam } from '../../emulator/memory/guest-ram';
import { TASK_SIZE } from '../arch/arm64/memory';
import type { MmStruct } from '../mm/mmap';
import { faults_in_code, handle_mm_fault } from '../mm/memory';

const PAGE = BigInt(PAGE_SIZE);

export class NeedsSlowPath extends Error {
  override name = 'NeedsSlowPath';
}

/** The one NeedsSlowPath thrown: it carries nothing, and a new Error per fast-path miss would cost its stack each time. */
const NEEDS_SLOW_PATH = new NeedsSlowPath('the call must take the trap path');

export function needs_slow_path(): never {
  throw NEEDS_SLOW_PATH;
}

/** access_ok: [va, va+len) is user address space. */
export function access_ok(va: bigint, len: number): boolean {
  return va >= 0n && len >= 0 && va + BigInt(len) <= TASK_SIZE;
}

/** The physical address of each page of the range being visited (reused: a visit never nests). */
const pagePa: number[] = [];

/**
 * Visit the pages of a user range, in order: `fn(pa, offset, n)`; false
 * (nothing visited) if any page is not accessible. Every page is made
 * present first (faulted in as a user access would be), so a failure
 * moves no byte.
 */
function eachUserPage(mm: MmStruct, va: bigint, len: number, write: boolean, inHook: boolean, fn: (pa: number, off: number, n: number) => void): boolean {
  if (!access_ok(va, len)) return false;
  const start = Number(va);
  pagePa.length = 0;
  for (let done = 0; done < len; ) {
    const at = start + done;
    let pa = mm.user_pa(at, write);
    if (pa < 0) {
      const big = BigInt(at);
      if (inHook && faults_in_code(mm, big)) needs_slow_path();
      if (handle_mm_fault(mm, big, write ? 'write' : 'read') !== 'ok') return false;
      pa = mm.user_pa(at, write);
    }
    pagePa.push(pa);
    done += Math.min(len - done, PAGE_SIZE - (at % PAGE_SIZE));
  }
  for (let i = 0, done = 0; done < len; i++) {
    const n = Math.min(len - done, PAGE_SIZE - ((start + done) % PAGE_SIZE));
    fn(pagePa[i]!, done, n);
    done += n;
  }
  return true;
}

export function copyFromUser(mm: MmStruct, ram: GuestRam, va: bigint, len: number, inHook = false): Uint8Array | undefined {
  const out = new Uint8Array(len);
  return copyFromUserInto(mm, ram, va, out, inHook) ? out : undefined;
}

/** copy_from_user into a buffer the caller has (a pipe's): false, and nothing copied, on a fault. */
export function copyFromUserInto(mm: MmStruct, ram: GuestRam, va: bigint, out: Uint8Array, inHook = false): boolean {
  return eachUserPage(mm, va, out.length, false, inHook, (pa, off, n) => out.set(ram.bytes(pa, n), off));
}

export function copyToUser(mm: MmStruct, ram: GuestRam, va: bigint, data: Uint8Array, inHook = false): boolean {
  return eachUserPage(mm, va, data.length, true, inHook, (pa, off, n) => ram.bytes(pa, n).set(data.subarray(off, off + n)));
}

/** strncpy_from_user: a NUL-terminated string of at most `max` bytes; undefined on a fault, 'toolong' past max. */
export function strncpyFromUser(mm: MmStruct, ram: GuestRam, va: bigint, max: number, inHook = false): string | 'toolong' | undefined {
  const bytes: number[] = [];
  for (let at = va; bytes.length < max; ) {
    const n = Math.min(max - bytes.length, Number(PAGE - (at % PAGE)));
    const chunk = copyFromUser(mm, ram, at, n, inHook);
    if (!chunk) return undefined;
    const z = chunk.indexOf(0);
    if (z >= 0) return new TextDecoder().decode(Uint8Array.from([...bytes, ...chunk.subarray(0, z)]));
    bytes.push(...chunk);
    at += BigInt(n);
  }
  return 'toolong';
}
