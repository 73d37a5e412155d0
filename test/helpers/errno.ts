// SPDX-License-Identifier: GPL-2.0-only
// The errno a file-system function fails with (ErrnoError), or 'ok'.
import { ErrnoError } from '../../kernel-model/fs/errno';

export function errnoOf(fn: () => unknown): number | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof ErrnoError) return e.errno;
    throw e;
  }
}
