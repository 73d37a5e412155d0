// SPDX-License-Identifier: GPL-2.0-only
/*
 * The common part of execve (fs/exec.c): an executable's bytes become a
 * fresh address space holding the program, its stack, argv, envp and the
 * auxiliary vector. Only static ELF64 AArch64 executables are accepted
 * (search_binary_handler with binfmt_elf alone, and no interpreter): a
 * dynamically linked one fails with ENOEXEC, as a kernel without the
 * program's loader installed would leave it.
 */

import { ExecFormatError, parseElf } from './binfmt_elf_parse';
import { ExecError, load_elf_binary, type Binprm } from './binfmt_elf';
import { EACCES, ENOEXEC, ENOMEM } from '../include/errno';
import type { MmStruct } from '../mm/mmap';
import { MmError } from '../mm/mmap';
import type { UserMemory } from '../mm/user_mm';
import { PgTableError } from '../arch/arm64/pgtable';
import { path_lookupat } from './namei';
import { RegInode, type DirInode } from './inode';
import { ErrnoError } from './errno';


export type { Binprm };

export interface LoadedProgram {
  mm: MmStruct;
  entry: bigint;
  sp: bigint;
}

/** bprm_execve: the new image, or an ExecError (errno and a one-line reason); nothing is left allocated on failure. */
export function exec_binprm(mem: UserMemory, b: Binprm): LoadedProgram {
  let elf;
  try {
    elf = parseElf(b.file);
  } catch (e) {
    if (e instanceof ExecFormatError) throw new ExecError(ENOEXEC, e.message);
    throw e;
  }
  const mm = mem.mm_alloc();
  if (!mm) throw new ExecError(ENOMEM, 'out of memory for a page table');
  try {
    const { entry, sp } = load_elf_binary(mm, { ...b, elf });
    return { mm, entry, sp };
  } catch (e) {
    mem.mmput(mm);
    if (e instanceof MmError || e instanceof PgTableError) throw new ExecError(ENOMEM, e.message);
    throw e;
  }
}

/** BINPRM_BUF_SIZE: how much of a script's first line the kernel reads for its interpreter. */
const BINPRM_BUF_SIZE = 256;

/**
 * binfmt_script: a file starting with "#!" runs its interpreter (the
 * first word of the line) with the optional argument (the rest of the
 * line), then the script's path, then the arguments after argv[0].
 * Undefined for a file that is not a script.
 */
export function parse_shebang(file: Uint8Array, path: string, argv: readonly string[]): { interp: string; argv: string[] } | undefined {
  if (file[0] !== 0x23 || file[1] !== 0x21) return undefined;
  const head = Buffer.from(file.subarray(2, BINPRM_BUF_SIZE)).toString('latin1');
  const line = head.split('\n')[0]!.trim();
  if (line === '') throw new ExecError(ENOEXEC, `${path}: empty #! line`);
  const sp = line.search(/[ \t]/);
  const interp = sp < 0 ? line : line.slice(0, sp);
  const arg = sp < 0 ? '' : line.slice(sp).trim();
  return { interp, argv: [interp, ...(arg ? [arg] : []), path, ...argv.slice(1)] };
}

/** open_exec: the bytes of the regular file at `path` (resolved from `start`), or an ExecError with Linux's errno. */
export function open_exec(root: DirInode, start: DirInode, path: string): Uint8Array {
  let inode;
  try {
    inode = path_lookupat(root, start, path, { follow: true });
  } catch (e) {
    if (e instanceof ErrnoError) throw new ExecError(e.errno, `${path}: ${e.message}`);
    throw e;
  }
  if (!(inode instanceof RegInode)) throw new ExecError(EACCES, `${path}: not a regular file`);
  if (!(inode.mode & 0o111)) throw new ExecError(EACCES, `${path}: not executable`);
  return inode.data;
}

/** What execve of `path` with `argv` runs: the file itself, or a script's interpreter with the script's arguments. */
export function resolve_exec(root: DirInode, start: DirInode, path: string, argv: readonly string[]): { file: Uint8Array; filename: string; argv: readonly string[] } {
  const file = open_exec(root, start, path);
  const script = parse_shebang(file, path, argv);
  if (!script) return { file, filename: path, argv };
  const interp = open_exec(root, start, script.interp);
  if (parse_shebang(interp, script.interp, [])) throw new ExecError(ENOEXEC, `${script.interp}: an interpreter that is itself a script`);
  return { file: interp, filename: script.interp, argv: script.argv };
}
