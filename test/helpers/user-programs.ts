// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test programs for user space: C sources compiled with Debian's cross
 * compiler (aarch64-linux-gnu-gcc -static), cached by the hash of their
 * source, and assembly sources made into static ELF files by the
 * project's own assembler and ELF writer. Without the cross compiler the
 * C-based tests skip and say how to get it.
 */

import { it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { assemble } from '../../emulator/arm64/assembler';
import { writeElf } from '../../images/elf';
import { CROSS_CC, CROSS_PACKAGES, crossCompilerAvailable } from '../../images/initramfs';

export { CROSS_CC, crossCompilerAvailable };
const CACHE = join(tmpdir(), 'uconsole-mm-test-programs');

export const NO_CC_REASON = `${CROSS_CC} is not installed (as root: apt-get install -y ${CROSS_PACKAGES.join(' ')})`;

/** `it` for tests of C programs: where the cross compiler is missing, skipped, with a warning that says how to install it. */
export function cProgramIt(what = 'C program'): typeof it | typeof it.skip {
  if (crossCompilerAvailable()) return it;
  console.warn(`${what} tests skipped: ${NO_CC_REASON}`);
  return it.skip;
}

/** A static arm64 executable built from C source (cached); undefined without the cross compiler. `-dynamic` links it dynamically instead. */
export function buildC(source: string, flags: string[] = []): Uint8Array | undefined {
  if (!crossCompilerAvailable()) return undefined;
  const hash = createHash('sha256').update(source).update(flags.join(' ')).digest('hex').slice(0, 16);
  mkdirSync(CACHE, { recursive: true });
  const out = join(CACHE, `${hash}.elf`);
  if (!existsSync(out)) {
    const src = join(CACHE, `${hash}.c`);
    writeFileSync(src, source);
    const link = flags.includes('-dynamic') ? [] : ['-static'];
    execFileSync(CROSS_CC, [...link, '-O2', '-o', `${out}.tmp`, src, '-lpthread', ...flags.filter((f) => f !== '-dynamic')]);
    execFileSync('mv', [`${out}.tmp`, out]);
  }
  return readFileSync(out);
}

export const TEXT_VA = 0x40_0000n;
export const DATA_VA = 0x41_0000n;

/** A static ELF from assembly: code at TEXT_VA (rx), `dataSize` bytes of zeroed data at DATA_VA (rw). */
export async function asmProgram(src: string, dataSize = 4096): Promise<Uint8Array> {
  const code = await assemble(src, TEXT_VA);
  return writeElf(TEXT_VA, [
    { vaddr: TEXT_VA, data: code.bytes, perms: 'rx' },
    { vaddr: DATA_VA, data: new Uint8Array(0), memsz: dataSize, perms: 'rw' },
  ]);
}
