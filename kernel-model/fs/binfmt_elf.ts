// SPDX-License-Identifier: GPL-2.0-only
/*
 * load_elf_binary for static executables (fs/binfmt_elf.c, the model's
 * version): a fresh address space with one private area per PT_LOAD
 * segment, brk after the last one, and the initial stack as
 * create_elf_tables lays it out.
 *
 * Segments are private file mappings: their pages are filled on first
 * touch from the file's bytes (the part past p_filesz reads as zero: the
 * bss), so a program's memory costs what it touches, as on Linux. The
 * permissions are the segment's p_flags (R, W, X); a page shared by two
 * segments takes the union, as the kernel's page-granular mapping does.
 *
 * The stack, from STACK_TOP down (no randomisation, as with
 * `norandmaps`): the executable's name (AT_EXECFN), the environment and
 * argument strings, the platform string "aarch64", 16 random bytes
 * (AT_RANDOM), then, 16-byte aligned, argc, argv[], NULL, envp[], NULL
 * and the auxiliary vector, ending where sp points at entry.
 */

import { MmStruct, PAGE, STACK_SIZE, STACK_TOP, VM_EXEC, VM_GROWSDOWN, VM_PFNMAP, VM_READ, VM_WRITE, VmArea, page_align, page_down } from '../mm/mmap';
import { TASK_SIZE } from '../arch/arm64/memory';
import { E2BIG, ENOEXEC, ENOMEM } from '../include/errno';
import { ET_DYN, PF_R, PF_W, PF_X, PT_LOAD, type ElfImage, type ProgramHeader } from './binfmt_elf_parse';
import { is_stable_file_data } from './inode';

/** Where a static PIE is placed (ELF_ET_DYN_BASE, arch/arm64/include/asm/elf.h: two thirds of TASK_SIZE; no randomisation). */
export const ELF_ET_DYN_BASE = page_down((2n * TASK_SIZE) / 3n);

/* Auxiliary vector types (include/uapi/linux/auxvec.h). */
export const AT = {
  NULL: 0, PHDR: 3, PHENT: 4, PHNUM: 5, PAGESZ: 6, BASE: 7, FLAGS: 8, ENTRY: 9,
  UID: 11, EUID: 12, GID: 13, EGID: 14, PLATFORM: 15, HWCAP: 16, CLKTCK: 17,
  SECURE: 23, RANDOM: 25, HWCAP2: 26, EXECFN: 31,
} as const;

/** struct linux_binprm, as far as the loader reads it. */
export interface Binprm {
  /** The file's bytes. */
  file: Uint8Array;
  /** The path the program was started by (AT_EXECFN). */
  filename: string;
  argv: readonly string[];
  envp: readonly string[];
  hwcap: bigint;
  /** Bytes for AT_RANDOM (16). */
  random: Uint8Array;
  /** USER_HZ, for AT_CLKTCK. */
  clktck: number;
  /** Physical address of the page holding the sigreturn trampoline (mapped as "[vdso]"). */
  vdsoPa?: number;
}

export interface ExecArgs extends Binprm {
  elf: ElfImage;
}

export class ExecError extends Error {
  override name = 'ExecError';
  constructor(readonly errno: number, message: string) {
    super(message);
  }
}

/** The most argv + envp may take (MAX_ARG_STRLEN-ish bound the model keeps: a quarter of the stack rlimit, as Linux does). */
const ARG_MAX = Number(STACK_SIZE / 4n);

const flagsOf = (pf: number): number => (pf & PF_R ? VM_READ : 0) | (pf & PF_W ? VM_WRITE : 0) | (pf & PF_X ? VM_EXEC : 0);

/**
 * Map the segments into `mm`, set brk, build the stack; returns the entry
 * point and the initial stack pointer. The mm is new and empty.
 */
export function load_elf_binary(mm: MmStruct, a: ExecArgs): { entry: bigint; sp: bigint } {
  const bias = a.elf.type === ET_DYN ? ELF_ET_DYN_BASE : 0n;
  const loads = a.elf.phdrs.filter((p) => p.type === PT_LOAD).map((p) => ({ ...p, vaddr: p.vaddr + bias }));
  if (loads.length === 0) throw new ExecError(ENOEXEC, 'no PT_LOAD segment');
  let end = 0n;
  let phdrVa: bigint | undefined;
  for (const p of loads) {
    if (p.filesz > p.memsz || p.offset + p.filesz > a.file.length) throw new ExecError(ENOEXEC, 'a segment lies outside the file');
    if (BigInt(p.offset) % PAGE !== p.vaddr % PAGE) throw new ExecError(ENOEXEC, 'a segment is not congruent to its file offset modulo the page size');
    map_segment(mm, a.file, p, a.filename);
    const segEnd = p.vaddr + BigInt(p.memsz);
    if (segEnd > end) end = segEnd;
    if (a.elf.phoff >= p.offset && a.elf.phoff + a.elf.phnum * a.elf.phentsize <= p.offset + p.filesz)
      phdrVa = p.vaddr + BigInt(a.elf.phoff - p.offset);
  }
  mm.start_brk = mm.brk = page_align(end);
  mm.insert_vma(new VmArea(STACK_TOP - STACK_SIZE, STACK_TOP, VM_READ | VM_WRITE | VM_GROWSDOWN, '[stack]'));
  if (a.vdsoPa !== undefined) map_vdso(mm, a.vdsoPa);
  const entry = a.elf.entry + bias;
  const sp = create_elf_tables(mm, a, phdrVa ?? 0n, entry);
  return { entry, sp };
}

/**
 * One PT_LOAD. Where its first page is also the previous segment's last
 * (the linker packed them), that page becomes an area of its own showing
 * both segments' bytes, with the union of their permissions.
 */
function map_segment(mm: MmStruct, file: Uint8Array, p: ProgramHeader, name: string): void {
  if (p.memsz === 0) return;
  const start = page_down(p.vaddr);
  const end = page_align(p.vaddr + BigInt(p.memsz));
  const bytes = file.subarray(p.offset, p.offset + p.filesz);
  // A read-only file's pages may be shared through the page cache (mm/filemap.ts); others are copied.
  const backing = is_stable_file_data(file) ? { bytes, va: p.vaddr, file, offset: p.offset } : { bytes, va: p.vaddr };
  const flags = flagsOf(p.flags);
  let from = start;
  if (mm.vma_at(start)) {
    mm.split_vma(start);
    mm.split_vma(start + PAGE);
    const shared = mm.vma_at(start)!;
    if (shared.end !== start + PAGE) throw new ExecError(ENOEXEC, 'segments overlap');
    shared.flags |= flags;
    shared.backing = [...shared.backing, backing];
    from = start + PAGE;
  }
  if (from < end) {
    if (!mm.range_free(from, end)) throw new ExecError(ENOEXEC, 'segments overlap');
    mm.insert_vma(new VmArea(from, end, flags, name, [backing]));
  }
}

/** Where "[vdso]" sits: just below the stack's area (the model's vDSO is only the sigreturn trampoline). */
export const VDSO_VA = STACK_TOP - STACK_SIZE - 2n * PAGE;

/** arch_setup_additional_pages: the trampoline page, read-only and executable, shared by every process. */
export function map_vdso(mm: MmStruct, pa: number): void {
  mm.insert_vma(new VmArea(VDSO_VA, VDSO_VA + PAGE, VM_READ | VM_EXEC | VM_PFNMAP, '[vdso]', [], pa));
}

/* ---- the initial stack ------------------------------------------------------ */

class StackWriter {
  private readonly chunks: { va: bigint; bytes: Uint8Array }[] = [];
  constructor(public p: bigint) {}

  push(bytes: Uint8Array): bigint {
    this.p -= BigInt(bytes.length);
    this.chunks.push({ va: this.p, bytes });
    return this.p;
  }

  pushString(s: string): bigint {
    const b = new TextEncoder().encode(s);
    const z = new Uint8Array(b.length + 1);
    z.set(b);
    return this.push(z);
  }

  /** Write everything into the mm's pages (faulting them in). */
  commit(mm: MmStruct): void {
    for (const c of this.chunks) writeUser(mm, c.va, c.bytes);
  }
}

/** Copy into the mm's memory from the kernel side (pages populated as a fault would). */
export function writeUser(mm: MmStruct, va: bigint, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) {
    const at = va + BigInt(done);
    const v = mm.vma_at(at);
    if (!v) throw new ExecError(ENOMEM, `no area at 0x${at.toString(16)}`);
    let pa = mm.lookup(at);
    if (!pa) {
      if (!mm.populate(v, at)) throw new ExecError(ENOMEM, 'out of memory for the stack');
      pa = mm.lookup(at)!;
    }
    const n = Math.min(bytes.length - done, Number(PAGE - (at % PAGE)));
    mm.host.ram.bytes(pa.pa, n).set(bytes.subarray(done, done + n));
    done += n;
  }
}

function create_elf_tables(mm: MmStruct, a: ExecArgs, phdr: bigint, entry: bigint): bigint {
  const argBytes = [...a.argv, ...a.envp].reduce((n, s) => n + s.length + 1, 0);
  if (argBytes > ARG_MAX) throw new ExecError(E2BIG, `argument list too long (${argBytes} bytes)`);
  const st = new StackWriter(STACK_TOP - 8n); // Linux leaves the top word for the null pointer past the strings
  const execfn = st.pushString(a.filename);
  const envp = [...a.envp].reverse().map((s) => st.pushString(s)).reverse();
  mm.arg_end = st.p;
  const argv = [...a.argv].reverse().map((s) => st.pushString(s)).reverse();
  mm.arg_start = st.p;
  st.p &= ~15n;
  const platform = st.pushString('aarch64');
  const random = st.push(a.random.slice(0, 16));
  const auxv: [number, bigint][] = [
    [AT.HWCAP, a.hwcap],
    [AT.PAGESZ, PAGE],
    [AT.CLKTCK, BigInt(a.clktck)],
    [AT.PHDR, phdr],
    [AT.PHENT, BigInt(a.elf.phentsize)],
    [AT.PHNUM, BigInt(a.elf.phnum)],
    [AT.BASE, 0n],
    [AT.FLAGS, 0n],
    [AT.ENTRY, entry],
    [AT.UID, 0n],
    [AT.EUID, 0n],
    [AT.GID, 0n],
    [AT.EGID, 0n],
    [AT.SECURE, 0n],
    [AT.RANDOM, random],
    [AT.HWCAP2, 0n],
    [AT.EXECFN, execfn],
    [AT.PLATFORM, platform],
    [AT.NULL, 0n],
  ];
  const words: bigint[] = [BigInt(a.argv.length), ...argv, 0n, ...envp, 0n, ...auxv.flatMap(([k, v]) => [BigInt(k), v])];
  let sp = (st.p - BigInt(words.length * 8)) & ~15n;
  const table = new BigUint64Array(words);
  st.commit(mm);
  writeUser(mm, sp, new Uint8Array(table.buffer));
  mm.start_stack = sp;
  if (STACK_TOP - sp > STACK_SIZE) throw new ExecError(E2BIG, 'the initial stack does not fit');
  return sp;
}
