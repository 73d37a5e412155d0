// SPDX-License-Identifier: GPL-2.0-only
/*
 * uconsole fetch busybox|linux: Debian packages for arm64 into the cache:
 * busybox-static for the initramfs (images/busybox.ts), the kernel for
 * the oracle (linux/package.ts).
 */

import { busyboxCacheDir, fetchBusybox } from '../images/busybox';
import { fetchLinuxKernel, linuxCacheDir } from '../linux/package';
import { UsageError } from './uconsole';

export const FETCH_HELP = `usage: uconsole fetch busybox|linux

busybox  Fetch Debian's busybox-static package for arm64 (dpkg --add-architecture
         arm64, apt-get update, apt-get download busybox-static:arm64, dpkg-deb -x;
         needs root) and keep /bin/busybox in ${busyboxCacheDir()}. The next image
         build puts it in every board's initramfs as /bin/busybox, with a link in
         /bin for each of its applets.
linux    Download Debian's current arm64 kernel package (linux-image-*-arm64)
         with apt-get into ${linuxCacheDir()} and unpack the kernel Image, its
         .config and the Raspberry Pi device trees (needs the arm64 package
         lists: "dpkg --add-architecture arm64 && apt-get update", as root).
         Does nothing when the current version is already cached.
`;

export async function fetchCommand(args: string[]): Promise<number> {
  const what = args.length === 1 ? args[0] : undefined;
  const say = (line: string): void => {
    process.stderr.write(`fetch: ${line}\n`);
  };
  if (what === 'busybox') {
    const r = fetchBusybox(say);
    process.stdout.write(`${r.path}\n`);
    return 0;
  }
  if (what === 'linux') {
    const k = fetchLinuxKernel(say);
    process.stdout.write(`${k.package} ${k.version}: ${k.vmlinuz}\n`);
    return 0;
  }
  throw new UsageError(`fetch takes one argument: busybox or linux (got ${args.length ? args.join(' ') : 'none'})`);
}
