// SPDX-License-Identifier: GPL-2.0-only
// Booting whole uConsoles in tests.
import { bootUconsole, type BootOptions, type Uconsole } from '../../api/uconsole';

/** Boot, run fn, always shut down. */
export async function withUconsole<T>(opts: BootOptions, fn: (u: Uconsole) => Promise<T> | T): Promise<T> {
  const u = await bootUconsole(opts);
  try {
    return await fn(u);
  } finally {
    u.shutdown();
  }
}

/** The log without timestamps. */
export function logLines(u: Uconsole): string[] {
  return u.kernel.log.lines.map((l) => l.text);
}
