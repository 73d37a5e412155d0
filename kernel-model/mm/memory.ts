// SPDX-License-Identifier: GPL-2.0-only
/*
 * Faults on user memory (mm/memory.c's handle_mm_fault and arm64's
 * do_page_fault, arch/arm64/mm/fault.c, for the model's private
 * mappings): the area decides whether the access is allowed, and a
 * missing page is allocated and mapped on the spot.
 *
 *   no area at the address            SIGSEGV, SEGV_MAPERR
 *   the area forbids the access       SIGSEGV, SEGV_ACCERR
 *   no memory for the page or a table VM_FAULT_OOM: the task is killed
 *   otherwise                         the page is mapped, the access retried
 *
 * The same path serves the kernel's own accesses to user memory (the
 * uaccess routines fault pages in as Linux's would through the exception
 * table and a retry).
 */

import { MmStruct, VM_EXEC, VM_READ, VM_WRITE } from './mmap';

export type FaultAccess = 'read' | 'write' | 'exec';
export type FaultResult = 'ok' | 'maperr' | 'accerr' | 'oom';

const NEEDS: Record<FaultAccess, number> = { read: VM_READ, write: VM_WRITE, exec: VM_EXEC };

/** handle_mm_fault: make `va` accessible for `access` if its area allows it. */
export function handle_mm_fault(mm: MmStruct, va: bigint, access: FaultAccess): FaultResult {
  const v = mm.vma_at(va);
  if (!v) return 'maperr';
  if (!(v.flags & NEEDS[access])) return 'accerr';
  const present = mm.lookup(va);
  if (present && access === 'write' && !present.writable) return mm.wp_page(va) ? 'ok' : 'oom'; // copy-on-write
  if (present) return 'ok';
  return mm.populate(v, va) ? 'ok' : 'oom';
}

/** Would touching `va` for `access` map a page of an executable area (whose translated code must then be dropped)? */
export function faults_in_code(mm: MmStruct, va: bigint): boolean {
  const v = mm.vma_at(va);
  return !!v && (v.flags & VM_EXEC) !== 0 && !mm.lookup(va);
}
