// SPDX-License-Identifier: GPL-2.0-only
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedLinuxKernel, requireLinuxKernel } from '../../linux/package';
import { readKernelImage } from '../../firmware/kernel-image';

const saved = process.env.UCONSOLE_LINUX_CACHE;
afterEach(() => {
  if (saved === undefined) delete process.env.UCONSOLE_LINUX_CACHE;
  else process.env.UCONSOLE_LINUX_CACHE = saved;
});

describe('the Debian kernel cache', () => {
  it('names the fetch command when nothing is cached', () => {
    process.env.UCONSOLE_LINUX_CACHE = mkdtempSync(join(tmpdir(), 'lx-'));
    expect(cachedLinuxKernel()).toBeUndefined();
    expect(() => requireLinuxKernel()).toThrow(/^Debian's arm64 kernel is not fetched yet: run "uconsole fetch linux"$/);
  });

  const cached = cachedLinuxKernel();
  it.skipIf(!cached)(`the cached vmlinuz is an arm64 Image (skipped when not fetched: run "uconsole fetch linux")`, () => {
    const k = readKernelImage(cached!.vmlinuz);
    expect(k.textOffset).toBe(0);
    expect(k.imageSize).toBeGreaterThan(k.image.length);
    expect(Object.keys(cached!.dtbs)).toContain('bcm2711-rpi-cm4-io.dtb');
  });
});
