// SPDX-License-Identifier: GPL-2.0-only
/*
 * The checks and the header reading of fs/binfmt_elf.c's load_elf_binary,
 * before anything is mapped: is this an ELF64 little-endian AArch64
 * executable (elf_check_arch), of type ET_EXEC or ET_DYN, with program
 * headers of the expected size lying inside the file; and what it asks
 * for (the PT_LOAD segments, PT_INTERP). The loader that maps the
 * segments and builds the stack is elsewhere; this file only reads bytes.
 *
 * A file that is not one the model runs throws ExecFormatError with a
 * `reason` a caller can turn into ENOEXEC or a one-line message.
 */

export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const EM_AARCH64 = 183;
export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_STACK = 0x6474e551;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
/** ELF_MIN_ALIGN-sized limit of binfmt_elf: the program headers may take at most 64 KiB. */
const PHDRS_MAX = 65536;

export type ExecFormatReason = 'not-elf' | 'elf32' | 'not-aarch64' | 'not-executable' | 'dynamic' | 'truncated';

export class ExecFormatError extends Error {
  override name = 'ExecFormatError';
  constructor(readonly reason: ExecFormatReason, message: string) {
    super(message);
  }
}

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: bigint;
  filesz: number;
  memsz: number;
  align: number;
}

export interface ElfImage {
  /** ET_EXEC, or ET_DYN (a static PIE when there is no interpreter). */
  type: typeof ET_EXEC | typeof ET_DYN;
  entry: bigint;
  phoff: number;
  phentsize: number;
  phnum: number;
  phdrs: ProgramHeader[];
  /** The PT_INTERP path, when there is one (only with allowInterp). */
  interp?: string;
}

export interface ParseElfOptions {
  /** Return a dynamically linked image (with `interp`) instead of refusing it. */
  allowInterp?: boolean;
}

const big = (dv: DataView, at: number): bigint => dv.getBigUint64(at, true);

/** A size or an offset as a number, or 'truncated' when it cannot lie in any file we hold. */
function small(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ExecFormatError('truncated', `${what} 0x${v.toString(16)} is beyond any file`);
  return Number(v);
}

function checkIdent(b: Uint8Array): void {
  if (b.length < 4 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) throw new ExecFormatError('not-elf', 'not an ELF file (no \\x7fELF magic)');
  if (b.length < 16) throw new ExecFormatError('truncated', `ELF identification cut short (${b.length} bytes)`);
  if (b[4] === 1) throw new ExecFormatError('elf32', 'a 32-bit ELF (ELFCLASS32); the model runs 64-bit AArch64 executables only');
  if (b[4] !== 2) throw new ExecFormatError('not-elf', `unknown ELF class ${b[4]}`);
  if (b[5] !== 1) throw new ExecFormatError('not-aarch64', 'a big-endian ELF; AArch64 Linux runs little-endian');
  if (b.length < EHDR_SIZE) throw new ExecFormatError('truncated', `ELF header cut short (${b.length} of ${EHDR_SIZE} bytes)`);
}

function readPhdr(dv: DataView, at: number): ProgramHeader {
  return {
    type: dv.getUint32(at, true),
    flags: dv.getUint32(at + 4, true),
    offset: small(big(dv, at + 8), 'segment offset'),
    vaddr: big(dv, at + 16),
    filesz: small(big(dv, at + 32), 'segment file size'),
    memsz: small(big(dv, at + 40), 'segment memory size'),
    align: small(big(dv, at + 48), 'segment alignment'),
  };
}

function readInterp(bytes: Uint8Array, p: ProgramHeader): string {
  const raw = bytes.subarray(p.offset, p.offset + p.filesz);
  const nul = raw.indexOf(0);
  return new TextDecoder().decode(nul < 0 ? raw : raw.subarray(0, nul));
}

/** Read and check an executable's ELF header and program headers. Throws ExecFormatError. */
export function parseElf(bytes: Uint8Array, opts: ParseElfOptions = {}): ElfImage {
  checkIdent(bytes);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = dv.getUint16(16, true);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_AARCH64) throw new ExecFormatError('not-aarch64', `an ELF for machine ${machine}, not AArch64 (${EM_AARCH64})`);
  if (type !== ET_EXEC && type !== ET_DYN) throw new ExecFormatError('not-executable', `an ELF of type ${type} (${type === ET_REL ? 'a relocatable object' : 'not ET_EXEC or ET_DYN'}), not an executable`);
  const phoff = small(big(dv, 32), 'program header offset');
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  if (phentsize !== PHDR_SIZE) throw new ExecFormatError('not-executable', `program header entries of ${phentsize} bytes (ELF64 has ${PHDR_SIZE})`);
  if (phnum < 1 || phnum * PHDR_SIZE > PHDRS_MAX) throw new ExecFormatError('not-executable', `${phnum} program headers`);
  if (phoff + phnum * PHDR_SIZE > bytes.length) throw new ExecFormatError('truncated', `program headers at ${phoff} run past the end of the file (${bytes.length} bytes)`);
  const phdrs = Array.from({ length: phnum }, (_, i) => readPhdr(dv, phoff + i * PHDR_SIZE));
  for (const [i, p] of phdrs.entries()) {
    if ((p.type === PT_LOAD || p.type === PT_INTERP) && p.offset + p.filesz > bytes.length)
      throw new ExecFormatError('truncated', `segment ${i} (file bytes ${p.offset}..${p.offset + p.filesz}) runs past the end of the file (${bytes.length} bytes)`);
  }
  if (!phdrs.some((p) => p.type === PT_LOAD)) throw new ExecFormatError('not-executable', 'no PT_LOAD segment');
  const interpHdr = phdrs.find((p) => p.type === PT_INTERP);
  const image: ElfImage = { type, entry: big(dv, 24), phoff, phentsize, phnum, phdrs };
  if (interpHdr) {
    const interp = readInterp(bytes, interpHdr);
    if (!opts.allowInterp) throw new ExecFormatError('dynamic', `dynamically linked (interpreter ${interp}); the model runs static executables only`);
    image.interp = interp;
  }
  return image;
}
