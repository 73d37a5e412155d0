// SPDX-License-Identifier: GPL-2.0-only
/*
 * The memory system calls (mm/mmap.c, mm/mprotect.c, mm/madvise.c):
 * brk, mmap, munmap, mprotect, madvise, over the caller's MmStruct.
 *
 * mmap handles anonymous mappings, private and shared (MAP_SHARED
 * anonymous memory behaves as private until processes can fork, issue
 * 13); file mappings answer ENODEV, as a file system without mmap does.
 * MAP_FIXED replaces whatever was there; MAP_FIXED_NOREPLACE refuses to
 * (EEXIST); otherwise the address is a hint.
 */

import { EEXIST, EINVAL, ENODEV, ENOMEM } from '../include/errno';
import { MmStruct, PAGE, PROT_EXEC, PROT_READ, PROT_WRITE, VM_EXEC, VM_READ, VM_SHARED, VM_WRITE, VmArea, page_align } from './mmap';
import { TASK_SIZE } from '../arch/arm64/memory';
import type { SyscallContext, SyscallDef } from '../kernel/sys';
import { NR } from '../include/unistd';
import type { UserTask } from '../kernel/sched/task';

const MAP_SHARED = 0x01;
const MAP_PRIVATE = 0x02;
const MAP_SHARED_VALIDATE = 0x03;
const MAP_TYPE = 0x0f;
const MAP_FIXED = 0x10;
const MAP_ANONYMOUS = 0x20;
const MAP_FIXED_NOREPLACE = 0x100000;
const MADV_DONTNEED = 4;

const err = (e: number): bigint => BigInt(-e);

/** The caller's address space. */
export function current_mm(ctx: SyscallContext): MmStruct {
  return (ctx.task as UserTask).proc!.mm;
}

function prot_to_flags(prot: number): number {
  return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC | VM_READ : 0);
}

/** Does area metadata allocation fail (fault injection)? */
function vma_alloc_fails(ctx: SyscallContext): boolean {
  return ctx.kernel.user.mem.faults.vma?.() ?? false;
}

/** brk(addr): move the program break; the current break when addr is 0 or the move is refused. */
function sys_brk(ctx: SyscallContext, [addr]: readonly bigint[]): bigint {
  const mm = current_mm(ctx);
  const want = addr!;
  if (want < mm.start_brk) return mm.brk;
  const oldEnd = page_align(mm.brk);
  const newEnd = page_align(want);
  if (newEnd < oldEnd) mm.munmap(newEnd, oldEnd - newEnd);
  else if (newEnd > oldEnd) {
    if (!mm.range_free(oldEnd, newEnd) || newEnd > mm.mmap_base || vma_alloc_fails(ctx)) return mm.brk;
    extend_heap(mm, oldEnd, newEnd);
  }
  mm.brk = want;
  return want;
}

/** The heap grows: its area is widened, or made (do_brk_flags). */
function extend_heap(mm: MmStruct, from: bigint, to: bigint): void {
  const prev = mm.vma_at(from - 1n);
  if (prev && prev.name === '[heap]' && prev.end === from) prev.end = to;
  else mm.insert_vma(new VmArea(from, to, VM_READ | VM_WRITE, '[heap]'));
}

/** mmap(addr, len, prot, flags, fd, off). */
function sys_mmap(ctx: SyscallContext, [addr, len, prot, flags, , off]: readonly bigint[]): bigint {
  const mm = current_mm(ctx);
  const f = Number(flags! & 0xffffffffn);
  const size = page_align(len!);
  if (len === 0n || size > TASK_SIZE || size === 0n) return err(EINVAL);
  if (off! & (PAGE - 1n)) return err(EINVAL);
  const type = f & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return err(EINVAL);
  if (!(f & MAP_ANONYMOUS)) return err(ENODEV);
  const fixed = (f & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
  let start: bigint;
  if (fixed) {
    start = addr!;
    if (start & (PAGE - 1n) || start + size > TASK_SIZE || start < PAGE) return err(EINVAL);
    if (!mm.range_free(start, start + size)) {
      if (f & MAP_FIXED_NOREPLACE) return err(EEXIST);
      if (vma_alloc_fails(ctx)) return err(ENOMEM);
      mm.munmap(start, size);
    }
  } else {
    const at = mm.get_unmapped_area(size, addr!);
    if (at === undefined) return err(ENOMEM);
    start = at;
  }
  if (vma_alloc_fails(ctx)) return err(ENOMEM);
  const vmFlags = prot_to_flags(Number(prot!)) | (type === MAP_PRIVATE ? 0 : VM_SHARED);
  mm.insert_vma(new VmArea(start, start + size, vmFlags));
  return start;
}

function sys_munmap(ctx: SyscallContext, [addr, len]: readonly bigint[]): bigint {
  const mm = current_mm(ctx);
  if (addr! & (PAGE - 1n) || len === 0n || addr! + page_align(len!) > TASK_SIZE) return err(EINVAL);
  if (vma_alloc_fails(ctx)) return err(ENOMEM); // a split needs a new area
  mm.munmap(addr!, len!);
  return 0n;
}

function sys_mprotect(ctx: SyscallContext, [addr, len, prot]: readonly bigint[]): bigint {
  const mm = current_mm(ctx);
  const start = addr!;
  const end = start + page_align(len!);
  if (start & (PAGE - 1n) || end > TASK_SIZE || end < start) return err(EINVAL);
  if (Number(prot!) & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) return err(EINVAL);
  if (start === end) return 0n;
  // Every page of the range must be mapped (ENOMEM otherwise, as mprotect_fixup's caller checks).
  for (let at = start; at < end; ) {
    const v = mm.vma_at(at);
    if (!v) return err(ENOMEM);
    at = v.end;
  }
  if (vma_alloc_fails(ctx)) return err(ENOMEM);
  const flags = prot_to_flags(Number(prot!));
  mm.mprotect(start, end, (old) => (old & ~(VM_READ | VM_WRITE | VM_EXEC)) | flags);
  return 0n;
}

/** madvise: MADV_DONTNEED drops the pages (they read as zero again); the other advice is accepted and ignored. */
function sys_madvise(ctx: SyscallContext, [addr, len, advice]: readonly bigint[]): bigint {
  const mm = current_mm(ctx);
  if (addr! & (PAGE - 1n)) return err(EINVAL);
  if (Number(advice!) === MADV_DONTNEED) mm.discard(addr!, addr! + page_align(len!));
  return 0n;
}

export const MM_SYSCALLS: readonly SyscallDef[] = [
  [NR.brk, sys_brk, 1],
  [NR.mmap, sys_mmap, 6],
  [NR.munmap, sys_munmap, 2],
  [NR.mprotect, sys_mprotect, 3],
  [NR.madvise, sys_madvise, 3],
];

/** These change or drop live translations: only from the trap path, where the TLBs can be flushed. */
export const MM_SLOW_CALLS: readonly number[] = [NR.brk, NR.munmap, NR.mprotect, NR.madvise, NR.mmap];
