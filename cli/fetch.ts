// SPDX-License-Identifier: GPL-2.0-only
/* uconsole fetch busybox: Debian's busybox-static for arm64 into the cache, for the initramfs. */

import { busyboxCacheDir, fetchBusybox } from '../images/busybox';
import { UsageError } from './uconsole';

export const FETCH_HELP = `usage: uconsole fetch busybox

Fetch Debian's busybox-static package for arm64 (dpkg --add-architecture
arm64, apt-get update, apt-get download busybox-static:arm64, dpkg-deb -x;
needs root) and keep /bin/busybox in ${busyboxCacheDir()}. The next image
build puts it in every board's initramfs as /bin/busybox, with a link in
/bin for each of its applets.
`;

export async function fetchCommand(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0] !== 'busybox') throw new UsageError(`fetch takes one argument: busybox (got ${args.length ? args.join(' ') : 'none'})`);
  const r = fetchBusybox((line) => process.stderr.write(`fetch: ${line}\n`));
  process.stdout.write(`${r.path}\n`);
  return 0;
}
