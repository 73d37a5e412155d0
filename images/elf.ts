// SPDX-License-Identifier: GPL-2.0-only
/*
 * A minimal static ELF64 writer for the initramfs's assembly programs:
 * an ET_EXEC AArch64 file with one PT_LOAD per segment and a
 * PT_GNU_STACK (non-executable stack), as `ld -static` would lay out a
 * tiny program: the ELF header and program headers in the first page,
 * each segment's bytes at a page-aligned file offset equal, modulo the
 * page size, to its page-aligned virtual address (what mmap of the file
 * needs). No section headers: the kernel never reads them.
 */

import { ET_EXEC, EM_AARCH64, PF_R, PF_W, PF_X, PT_GNU_STACK, PT_LOAD } from '../kernel-model/fs/binfmt_elf_parse';

export interface ElfSegment {
  vaddr: bigint;
  data: Uint8Array;
  /** At least data.length; the rest is zero-filled (bss). */
  memsz?: number;
  /** 'rx', 'rw', 'r'... */
  perms: string;
}

const PAGE = 0x1000;
const EHDR = 64;
const PHDR = 56;

export class ElfWriteError extends Error {
  override name = 'ElfWriteError';
}

function flagsOf(perms: string): number {
  return (perms.includes('r') ? PF_R : 0) | (perms.includes('w') ? PF_W : 0) | (perms.includes('x') ? PF_X : 0);
}

/** A static AArch64 executable entering at `entry`. */
export function writeElf(entry: bigint, segments: readonly ElfSegment[]): Uint8Array {
  if (segments.length === 0) throw new ElfWriteError('an executable needs at least one segment');
  const phnum = segments.length + 1;
  if (EHDR + phnum * PHDR > PAGE) throw new ElfWriteError('too many segments for one header page');
  const offsets: number[] = [];
  let end = PAGE;
  for (const s of segments) {
    if (s.vaddr % BigInt(PAGE) !== 0n) throw new ElfWriteError(`segment at 0x${s.vaddr.toString(16)} is not page-aligned`);
    if ((s.memsz ?? s.data.length) < s.data.length) throw new ElfWriteError('a segment\'s memsz is smaller than its data');
    offsets.push(end);
    end += Math.ceil(Math.max(s.data.length, 1) / PAGE) * PAGE;
  }
  const out = new Uint8Array(end);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]); // ELF64, little-endian, EV_CURRENT, System V ABI
  dv.setUint16(16, ET_EXEC, true);
  dv.setUint16(18, EM_AARCH64, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, entry, true);
  dv.setBigUint64(32, BigInt(EHDR), true); // e_phoff
  dv.setUint16(52, EHDR, true);
  dv.setUint16(54, PHDR, true);
  dv.setUint16(56, phnum, true);
  dv.setUint16(58, 64, true); // e_shentsize, though there are no sections
  segments.forEach((s, i) => {
    const at = EHDR + i * PHDR;
    dv.setUint32(at, PT_LOAD, true);
    dv.setUint32(at + 4, flagsOf(s.perms), true);
    dv.setBigUint64(at + 8, BigInt(offsets[i]!), true);
    dv.setBigUint64(at + 16, s.vaddr, true);
    dv.setBigUint64(at + 24, s.vaddr, true);
    dv.setBigUint64(at + 32, BigInt(s.data.length), true);
    dv.setBigUint64(at + 40, BigInt(s.memsz ?? s.data.length), true);
    dv.setBigUint64(at + 48, BigInt(PAGE), true);
    out.set(s.data, offsets[i]!);
  });
  const stack = EHDR + segments.length * PHDR;
  dv.setUint32(stack, PT_GNU_STACK, true);
  dv.setUint32(stack + 4, PF_R | PF_W, true);
  dv.setBigUint64(stack + 48, 16n, true);
  return out;
}
