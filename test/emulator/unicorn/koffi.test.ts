// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import koffi, { muslSystem } from '../../../emulator/unicorn/koffi';

const load = createRequire(import.meta.url);
const { platform, arch } = process;
const fastPath = `@koromix/koffi-${platform}-${arch}/${platform}_${arch}/koffi.node`;
/** Where koffi ships a glibc build under <platform>_<arch>/ (not armhf, riscv64d, ppc64le...) and the system is glibc. */
const fastPathHere = (() => {
  try {
    load.resolve(fastPath);
    return !muslSystem();
  } catch {
    return false;
  }
})();

describe('emulator/unicorn/koffi.ts', () => {
  it.skipIf(!fastPathHere)("is the platform package's native module, of the koffi package's version", () => {
    const { version } = JSON.parse(readFileSync(join(dirname(load.resolve('koffi')), 'package.json'), 'utf8')) as { version: string };
    expect((koffi as unknown as { version: string }).version).toBe(version);
    expect(koffi).toBe(load(fastPath));
  });

  it('does what the entry does: a library loaded, a function called', () => {
    const getpid = koffi.load('libc.so.6').func('int getpid(void)') as () => number;
    expect(getpid()).toBe(process.pid);
  });
});
