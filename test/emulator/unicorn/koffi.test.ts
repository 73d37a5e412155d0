// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import koffi from '../../../emulator/unicorn/koffi';

const load = createRequire(import.meta.url);

describe('emulator/unicorn/koffi.ts', () => {
  it("is the platform package's native module, of the koffi package's version", () => {
    const { version } = JSON.parse(readFileSync(join(dirname(load.resolve('koffi')), 'package.json'), 'utf8')) as { version: string };
    expect((koffi as unknown as { version: string }).version).toBe(version);
    const { platform, arch } = process;
    expect(koffi).toBe(load(`@koromix/koffi-${platform}-${arch}/${platform}_${arch}/koffi.node`));
  });

  it('does what the entry does: a library loaded, a function called', () => {
    const getpid = koffi.load('libc.so.6').func('int getpid(void)') as () => number;
    expect(getpid()).toBe(process.pid);
  });
});
