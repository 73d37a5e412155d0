// SPDX-License-Identifier: GPL-2.0-only
/*
 * The initramfs Debian's kernel boots with on the emulated uConsole: a
 * newc archive (lib/cpio/newc.ts) built from the project's sources at
 * boot time, with Debian's busybox-static (`uconsole fetch busybox`) as
 * the whole user space:
 *
 *   /dev/console (5:1)      the console init's stdin, stdout and stderr
 *                           are opened on before /init runs;
 *   /bin/busybox and a link in /bin for each applet;
 *   /init                   linux/init.sh: proc, sysfs and devtmpfs
 *                           mounted, then /exec if there is one, else a
 *                           shell on the console; then power off;
 *   /proc, /sys, /tmp, /root mount points and home.
 *
 * `uconsole boot --kernel linux --exec CMD` adds a second archive
 * (execArchive) holding /exec, CMD as a script. The firmware stage loads
 * it right after the first, as config.txt's list of initramfs files does,
 * and Linux unpacks concatenated archives in order
 * (Documentation/driver-api/early-userspace/buffer-format.rst), so the
 * base archive stays the same for every command.
 *
 * Every member has uid 0, gid 0 and mtime 0: the same inputs give the same
 * archive byte for byte.
 */

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { S_IFCHR, S_IFREG, writeNewc, type CpioEntry } from '../lib/cpio/newc';
import { busyboxEntries, dir, exe } from '../images/initramfs';
import { cachedBusybox, FETCH_COMMAND } from '../images/busybox';
import { projectRoot } from '../lib/project-root';

export class LinuxInitramfsError extends Error {
  override name = 'LinuxInitramfsError';
}

/** The line /init prints with the --exec command's exit status. */
export const EXIT_STATUS_LINE = /^uconsole-mm: exit status (\d+)$/;
/** The line /init prints just before it starts the interactive shell. */
export const SHELL_LINE = 'uconsole-mm: busybox sh on the console';

/**
 * The archives built in this process, by what they are made of: finding
 * busybox's applets and packing its 2 MB cost about 80 ms, and a test
 * file or a benchmark boots Linux several times.
 */
const built = new Map<string, Uint8Array>();

/** The base archive: busybox, /init, the device node and the mount points. */
export function linuxInitramfs(root = projectRoot(), busybox = cachedBusybox(root)): Uint8Array {
  if (!busybox) throw new LinuxInitramfsError(`a shell for Linux needs Debian's busybox: run ${FETCH_COMMAND}`);
  const init = readFileSync(join(root, 'linux', 'init.sh'));
  const st = statSync(busybox, { bigint: true });
  const key = `${busybox}\0${st.size}\0${st.mtimeNs}\0${init.toString('latin1')}`;
  let archive = built.get(key);
  if (!archive) built.set(key, (archive = packLinuxInitramfs(busybox, init)));
  return archive;
}

function packLinuxInitramfs(busybox: string, init: Uint8Array): Uint8Array {
  const entries: CpioEntry[] = [
    dir('dev'),
    { name: 'dev/console', mode: S_IFCHR | 0o600, uid: 0, gid: 0, mtime: 0, rdev: { major: 5, minor: 1 } },
    dir('proc', 0o555),
    dir('sys', 0o555),
    dir('tmp', 0o1777),
    dir('root', 0o700),
    dir('bin'),
    exe('init', init),
  ];
  entries.push(...busyboxEntries(busybox, new Set(entries.map((e) => e.name))));
  return writeNewc(entries);
}

/** The archive that makes /init run `command` (sh syntax, one script) instead of the shell. */
export function execArchive(command: string): Uint8Array {
  const data = new TextEncoder().encode(`${command}\n`);
  return writeNewc([{ name: 'exec', mode: S_IFREG | 0o644, uid: 0, gid: 0, mtime: 0, data }]);
}
