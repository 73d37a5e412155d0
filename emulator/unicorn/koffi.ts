// SPDX-License-Identifier: GPL-2.0-only
/*
 * koffi, the FFI this directory (and only it) uses, loaded quickly.
 *
 * The koffi package's entry finds its native module at run time: it
 * compiles about 15 KB of JavaScript, reads Node's own ELF headers to tell
 * glibc from musl and probes a list of paths, about 11 ms of every
 * `uconsole` command's start on the project's machine (its JavaScript is
 * outside the CLI bundle, so no code cache helps it). The native module it
 * ends up with is the platform package's, @koromix/koffi-<platform>-<arch>,
 * built for glibc under <platform>_<arch>/ (Debian's case): that is
 * required here directly, 4 ms, and used as long as its version is the
 * koffi package's. Anything else (a musl system, where the entry picks
 * its musl build; a missing platform package; another version) falls back
 * to the koffi package's entry, the same module by its usual way. The
 * entry's only additions are shims for functions deprecated in koffi 2
 * and 3, which nothing here calls.
 */

import type * as Koffi from 'koffi';
import type { LibraryHandle } from 'koffi';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type KoffiModule = typeof Koffi;

function loadKoffi(): KoffiModule {
  const load = createRequire(import.meta.url);
  const entry = load.resolve('koffi');
  try {
    if (muslSystem()) throw new Error('musl: the entry chooses the build');
    const { version } = JSON.parse(readFileSync(join(dirname(entry), 'package.json'), 'utf8')) as { version: string };
    const { platform, arch } = process;
    const native = load(`@koromix/koffi-${platform}-${arch}/${platform}_${arch}/koffi.node`) as KoffiModule & { version?: string };
    if (native.version === version) return native;
  } catch {
    // not there, or not loadable here: the entry's own way
  }
  return load(entry) as KoffiModule;
}

/** Whether the system's C library is musl (its dynamic loader is there, as on Alpine). */
export function muslSystem(): boolean {
  try {
    return readdirSync('/lib').some((name) => name.startsWith('ld-musl-'));
  } catch {
    return false;
  }
}

const koffi: KoffiModule = loadKoffi();
export default koffi;

let libcHandle: LibraryHandle | undefined;

/** glibc (libc.so.6), loaded once for every file here that calls it; throws where there is none. */
export function libc(): LibraryHandle {
  return (libcHandle ??= koffi.load('libc.so.6'));
}
