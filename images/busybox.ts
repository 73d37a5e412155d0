// SPDX-License-Identifier: GPL-2.0-only
/*
 * Debian's busybox-static for arm64, as the real userland of the
 * initramfs. `uconsole fetch busybox` gets the package the way a Debian
 * user would (dpkg --add-architecture arm64, apt-get update, apt-get
 * download busybox-static:arm64, dpkg-deb -x) and keeps its /bin/busybox
 * in .cache/busybox/ (outside git; never committed). Once it is there,
 * the image build puts it in the initramfs as /bin/busybox with a link
 * in /bin for each applet.
 *
 * The applet list is read from the binary itself: busybox keeps its
 * applet names as one sorted block of NUL-terminated strings that starts
 * with "[" and "[[" (applet_names in libbb/appletlib.c), the list that
 * `busybox --list` prints.
 */

import { childProcess } from '../lib/host-modules';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { projectRoot } from '../lib/project-root';

export const BUSYBOX_PACKAGE = 'busybox-static:arm64';
export const FETCH_COMMAND = 'npx uconsole fetch busybox';

export class BusyboxFetchError extends Error {
  override name = 'BusyboxFetchError';
}

export function busyboxCacheDir(root = projectRoot()): string {
  return join(root, '.cache', 'busybox');
}

/** The fetched busybox binary, if there is one. */
export function cachedBusybox(root = projectRoot()): string | undefined {
  const p = join(busyboxCacheDir(root), 'busybox');
  return existsSync(p) ? p : undefined;
}

/** The applet names busybox carries (what `busybox --list` prints); [] if the block is not found. */
export function busyboxApplets(binary: Uint8Array): string[] {
  const start = Buffer.from(binary.buffer, binary.byteOffset, binary.byteLength).indexOf(Buffer.from('[\0[[\0', 'latin1'));
  if (start < 0) return [];
  const names: string[] = [];
  for (let at = start; at < binary.length; ) {
    let end = at;
    while (end < binary.length && binary[end] !== 0) end++;
    const name = new TextDecoder('latin1').decode(binary.subarray(at, end));
    if (name === '' || !/^[\x21-\x7e]+$/.test(name) || name.includes('/')) break;
    names.push(name);
    at = end + 1;
  }
  return names;
}

function run(cmd: string, args: string[], cwd?: string): void {
  const r = childProcess().spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.error) throw new BusyboxFetchError(`could not fetch ${BUSYBOX_PACKAGE}: ${cmd} is not available (${r.error.message}); it needs Debian's apt tools; retry with: ${FETCH_COMMAND}`);
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout).trim().split('\n').filter(Boolean).pop() ?? `exit status ${r.status}`;
    throw new BusyboxFetchError(`could not fetch ${BUSYBOX_PACKAGE}: ${cmd} ${args.join(' ')} failed (${why}); retry with: ${FETCH_COMMAND}`);
  }
}

/** Fetch Debian's busybox-static for arm64 into the cache; returns the binary's path and the package file name. */
export function fetchBusybox(log: (line: string) => void = () => {}, root = projectRoot()): { path: string; deb: string } {
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    throw new BusyboxFetchError(`could not fetch ${BUSYBOX_PACKAGE}: adding the arm64 architecture to apt needs root; retry as root: sudo ${FETCH_COMMAND}`);
  const dir = busyboxCacheDir(root);
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'uconsole-busybox-'));
  try {
    log('dpkg --add-architecture arm64');
    run('dpkg', ['--add-architecture', 'arm64']);
    log('apt-get update');
    run('apt-get', ['update', '-qq']);
    log(`apt-get download ${BUSYBOX_PACKAGE}`);
    run('chmod', ['0777', work]); // apt's _apt user downloads into it
    run('apt-get', ['download', BUSYBOX_PACKAGE], work);
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new BusyboxFetchError(`could not fetch ${BUSYBOX_PACKAGE}: apt-get download left no .deb; retry with: ${FETCH_COMMAND}`);
    run('dpkg-deb', ['-x', deb, 'root'], work);
    const bin = join(work, 'root', 'bin', 'busybox');
    if (!existsSync(bin)) throw new BusyboxFetchError(`could not fetch ${BUSYBOX_PACKAGE}: ${deb} has no /bin/busybox; retry with: ${FETCH_COMMAND}`);
    const path = join(dir, 'busybox');
    copyFileSync(bin, `${path}.tmp`);
    copyFileSync(`${path}.tmp`, path);
    rmSync(`${path}.tmp`);
    writeFileSync(join(dir, 'PACKAGE'), `${deb}\n`);
    log(`${deb}: /bin/busybox with ${busyboxApplets(new Uint8Array(readFileSync(path))).length} applets in ${dir}`);
    return { path, deb };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
