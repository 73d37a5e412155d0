// SPDX-License-Identifier: GPL-2.0-only
// Booting whole uConsoles in tests.
import { afterAll, beforeAll } from 'vitest';
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

/** One booted uConsole for a test file (CM4, 1 GB unless told): booted before its tests, shut down after them. */
export function useUconsole(opts: BootOptions = { board: 'uconsole-cm4', ram: '1G' }): { readonly u: Uconsole } {
  let u: Uconsole | undefined;
  beforeAll(async () => {
    u = await bootUconsole(opts);
  });
  afterAll(() => u?.shutdown());
  return {
    get u(): Uconsole {
      if (!u) throw new Error('the uConsole is booted in beforeAll');
      return u;
    },
  };
}
