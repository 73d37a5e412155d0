// SPDX-License-Identifier: GPL-2.0-only
/*
 * The initramfs of the boot image (initramfs.cpio, newc), from the
 * project's sources, laid out as Linux's usr/default_cpio_list starts
 * one (/dev, /dev/console 5:1, /root) plus /dev/tty (5:0) and:
 *
 *   /init, /bin/hello-asm   images/programs/*.S, assembled with the
 *                           project's assembler and wrapped into static
 *                           ELF64 executables (images/elf.ts): always
 *                           there, no C compiler needed;
 *   /bin/hello, /bin/malloc-heavy, /bin/syscalls
 *                           images/user/*.c, built with Debian's cross
 *                           compiler (aarch64-linux-gnu-gcc -static -O2)
 *                           when it is installed; without it they are
 *                           left out and the build says so;
 *   /bin/busybox and a link in /bin for each applet
 *                           when `uconsole fetch busybox` has put Debian's
 *                           busybox-static in the cache (images/busybox.ts);
 *   /proc, /sys, /tmp, /run mount points.
 *
 * Every member has uid 0, gid 0 and mtime 0, so the same sources give
 * the same archive byte for byte.
 */

import { childProcess } from '../lib/host-modules';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import { assemble } from '../emulator/arm64/assembler';
import { S_IFCHR, S_IFDIR, S_IFLNK, S_IFREG, writeNewc, type CpioEntry } from '../lib/cpio/newc';
import { busyboxApplets, cachedBusybox } from './busybox';
import { MEM_DEVICES, MEM_MAJOR } from '../kernel-model/fs/mem_devices';
import { writeElf } from './elf';

/** Where the assembly programs are linked (ld's default for static aarch64 executables). */
export const USER_PROGRAM_BASE = 0x40_0000n;
export const CROSS_CC = 'aarch64-linux-gnu-gcc';
/** The Debian packages that give CROSS_CC and a static glibc for it. */
export const CROSS_PACKAGES = ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross'];

export class InitramfsBuildError extends Error {
  override name = 'InitramfsBuildError';
}

export const dir = (name: string, perm = 0o755): CpioEntry => ({ name, mode: S_IFDIR | perm, uid: 0, gid: 0, mtime: 0 });
export const exe = (name: string, data: Uint8Array): CpioEntry => ({ name, mode: S_IFREG | 0o755, uid: 0, gid: 0, mtime: 0, data });

/** Is the cross compiler on PATH? (A look at PATH, not a run: every boot's up-to-date check asks.) */
export function crossCompilerAvailable(): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, CROSS_CC)));
}

/** An assembly program as a static executable. */
export async function assembleProgram(source: string, name: string): Promise<Uint8Array> {
  const a = await assemble(source, USER_PROGRAM_BASE);
  const entry = a.symbols.get('_start');
  if (entry === undefined) throw new InitramfsBuildError(`${name}: no _start label`);
  return writeElf(entry, [{ vaddr: USER_PROGRAM_BASE, data: a.bytes, perms: 'rx' }]);
}

/** images/user/NAME.c built with the cross compiler; throws with the compiler's first error line. */
function compileC(src: string, out: string): Uint8Array {
  const r = childProcess().spawnSync(CROSS_CC, ['-static', '-O2', '-o', out, src], { encoding: 'utf8' });
  if (r.status !== 0) {
    const first = (r.stderr || r.error?.message || 'failed').split('\n').find((l) => l.includes('error')) ?? r.stderr.split('\n')[0];
    throw new InitramfsBuildError(`${CROSS_CC} ${basename(src)}: ${first}`);
  }
  return new Uint8Array(readFileSync(out));
}

export interface BuiltInitramfs {
  bytes: Uint8Array;
  /** The executables in it. */
  programs: string[];
  /** Why the C programs are missing, if they are. */
  missing?: string;
}

/** /bin/busybox and its applet links, named after what the binary carries. */
export function busyboxEntries(path: string, taken: ReadonlySet<string>): CpioEntry[] {
  const bin = new Uint8Array(readFileSync(path));
  const links = busyboxApplets(bin)
    .filter((a) => !taken.has(`bin/${a}`) && a !== 'busybox')
    .map((a): CpioEntry => ({ name: `bin/${a}`, mode: S_IFLNK | 0o777, uid: 0, gid: 0, mtime: 0, linkTarget: 'busybox' }));
  return [exe('bin/busybox', bin), ...links];
}

export async function buildInitramfs(root: string, withC = crossCompilerAvailable(), busybox = cachedBusybox(root)): Promise<BuiltInitramfs> {
  const entries: CpioEntry[] = [
    dir('dev'),
    { name: 'dev/console', mode: S_IFCHR | 0o600, uid: 0, gid: 0, mtime: 0, rdev: { major: 5, minor: 1 } },
    { name: 'dev/tty', mode: S_IFCHR | 0o666, uid: 0, gid: 0, mtime: 0, rdev: { major: 5, minor: 0 } },
    ...MEM_DEVICES.map((d): CpioEntry => ({ name: `dev/${d.name}`, mode: S_IFCHR | 0o666, uid: 0, gid: 0, mtime: 0, rdev: { major: MEM_MAJOR, minor: d.minor } })),
    dir('root', 0o700),
    dir('proc', 0o555),
    dir('sys', 0o555),
    dir('tmp', 0o1777),
    dir('run', 0o755),
    dir('bin'),
  ];
  const programs: string[] = [];
  const progDir = join(root, 'images', 'programs');
  for (const f of readdirSync(progDir).filter((n) => n.endsWith('.S')).sort()) {
    const name = f.slice(0, -2);
    const path = name === 'init' ? 'init' : `bin/${name}`;
    entries.push(exe(path, await assembleProgram(readFileSync(join(progDir, f), 'utf8'), f)));
    programs.push(`/${path}`);
  }
  let missing: string | undefined;
  if (withC) {
    const tmp = mkdtempSync(join(tmpdir(), 'uconsole-user-'));
    try {
      const userDir = join(root, 'images', 'user');
      for (const f of readdirSync(userDir).filter((n) => n.endsWith('.c')).sort()) {
        const name = f.slice(0, -2);
        entries.push(exe(`bin/${name}`, compileC(join(userDir, f), join(tmp, name))));
        programs.push(`/bin/${name}`);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  } else missing = `${CROSS_CC} is not installed (apt-get install -y ${CROSS_PACKAGES.join(' ')}): the C programs are left out`;
  if (busybox) {
    entries.push(...busyboxEntries(busybox, new Set(entries.map((e) => e.name))));
    programs.push('/bin/busybox');
    // With a shell at hand, /init is images/init.sh: a shell on the console, then halt.
    const init = entries.findIndex((e) => e.name === 'init');
    entries[init] = exe('init', readFileSync(join(root, 'images', 'init.sh')));
  }
  return { bytes: writeNewc(entries), programs, missing };
}
