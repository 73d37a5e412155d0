// SPDX-License-Identifier: GPL-2.0-only
/*
 * Builds the native part of the emulator with the machine's C compiler and
 * Debian's libunicorn-dev, and says where it is: uc_slice.c (see its
 * header) into emulator/native/build/libuc_slice.so, and uc_store_path.c
 * (the engine's store path, see its header) into libuc_store_path.so.
 *
 * The setup step builds it; every process checks it before loading it, so
 * a library that is missing or older than its source or its compiler's
 * command line (a stamp, lib/build/file-stamp.cjs: the source's size and
 * date, then its hash if those moved) is rebuilt on the spot, and where
 * that is impossible the process stops with one line naming the packages
 * to install. (An edit that keeps both the size and the date, as `cp -p`
 * of another version of the same size could, goes unseen, as it does for
 * the bundle.) The library is written under a temporary name and renamed,
 * and the stamp after it, so concurrent test workers never load half a
 * file.
 */

import { childProcess } from '../../lib/host-modules';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { projectRoot } from '../../lib/project-root';
import { checkStamp } from '../../lib/build/file-stamp.cjs';

/** The Debian packages the build needs, as setup installs them. */
export const NATIVE_BUILD_PACKAGES = ['gcc', 'libc6-dev', 'libunicorn-dev'];

/** The native part cannot be built: the message says what to install. */
export class NativeBuildError extends Error {
  override name = 'NativeBuildError';
}

/** Where the source, the library and its stamp are (tests build elsewhere). */
export interface NativePaths {
  source: string;
  library: string;
  stamp: string;
  /** The linker's libraries (default: -lunicorn -pthread). */
  link?: string[];
}

export function nativePaths(): NativePaths {
  const dir = join(projectRoot(), 'emulator', 'native');
  return {
    source: join(dir, 'uc_slice.c'),
    library: join(dir, 'build', 'libuc_slice.so'),
    stamp: join(dir, 'build', '.stamp'),
  };
}

/**
 * uc_store_path.c's library. It must not depend on libunicorn: it is loaded
 * before it, into the global scope, so the engine binds to its symbols.
 */
export function storePathPaths(): NativePaths {
  const dir = join(projectRoot(), 'emulator', 'native');
  return {
    source: join(dir, 'uc_store_path.c'),
    library: join(dir, 'build', 'libuc_store_path.so'),
    stamp: join(dir, 'build', '.stamp-store-path'),
    link: [],
  };
}

const compiler = (): string => process.env.CC ?? 'cc';
const FLAGS = ['-O2', '-fPIC', '-shared', '-Wall'];
const linkArgs = (p: NativePaths): string[] => p.link ?? ['-lunicorn', '-pthread'];

/** The stamp of p's source, with the compiler's command line. */
function stampOf(p: NativePaths): ReturnType<typeof checkStamp> {
  const dir = join(p.source, '..');
  return checkStamp(p.stamp, [p.source], dir, [compiler(), ...FLAGS, ...linkArgs(p)].join(' '));
}

/** True when the library exists and was built from the current source, as it is built now. */
export function nativeLibraryFresh(p: NativePaths = nativePaths()): boolean {
  return existsSync(p.library) && existsSync(p.stamp) && stampOf(p).current;
}

function compile(p: NativePaths): void {
  const cc = compiler();
  const tmp = `${p.library}.${process.pid}.tmp`;
  const args = [...FLAGS, '-o', tmp, p.source, ...linkArgs(p)];
  const r = childProcess().spawnSync(cc, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = r.error ? `${cc} not found` : (r.stderr.split('\n').find((l) => /error/.test(l)) ?? `${cc} failed`).trim();
    throw new NativeBuildError(
      `cannot build the native part (emulator/native/${basename(p.source)}): ${why}; install the build tools with "apt-get install -y ${NATIVE_BUILD_PACKAGES.join(' ')}" (as root), then run "npm run setup"`,
    );
  }
  renameSync(tmp, p.library);
}

/**
 * The path of an up-to-date library (libuc_slice.so unless `p` says
 * another), building it first if it is missing or stale. `log` hears about a build.
 */
export function ensureNativeLibrary(log: (line: string) => void = () => {}, p: NativePaths = nativePaths()): string {
  if (nativeLibraryFresh(p)) return p.library;
  if (!existsSync(p.source)) throw new NativeBuildError(`the native part's source is missing: ${p.source}`);
  log(`building the native part (${p.source})`);
  mkdirSync(join(p.library, '..'), { recursive: true });
  const stamp = stampOf(p); // before compiling: the stamp records the source that was compiled
  compile(p);
  stamp.write();
  return p.library;
}
