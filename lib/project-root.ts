// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where the uconsole-mm checkout is: the nearest folder above this module
 * with a package.json. The same answer from the sources (vitest, tsx) and
 * from the CLI bundle in dist/, which is what the image builder and the
 * native library's builder need to find their sources.
 */

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the uconsole-mm project root');
    dir = up;
  }
  return dir;
}
