// SPDX-License-Identifier: GPL-2.0-only
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
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

  const haveDpkgDeb = spawnSync('dpkg-deb', ['--version']).status === 0;
  it.skipIf(!haveDpkgDeb)('takes a device tree added to WANTED_DTBS from the cached .deb, once, leaving the manifest alone (skipped without dpkg-deb)', () => {
    const root = mkdtempSync(join(tmpdir(), 'lx-'));
    process.env.UCONSOLE_LINUX_CACHE = root;
    const release = '6.1.0-99-arm64';
    const dir = join(root, `linux-image-${release}_6.1.999-1`);
    mkdirSync(dir);
    // A package with the H6 tree but not the CM3's.
    const pkg = mkdtempSync(join(tmpdir(), 'deb-'));
    mkdirSync(join(pkg, 'DEBIAN'));
    writeFileSync(join(pkg, 'DEBIAN', 'control'), `Package: linux-image-${release}\nVersion: 6.1.999-1\nArchitecture: arm64\nMaintainer: test <t@example.org>\nDescription: test\n`);
    mkdirSync(join(pkg, 'usr/lib', `linux-image-${release}`, 'allwinner'), { recursive: true });
    writeFileSync(join(pkg, 'usr/lib', `linux-image-${release}`, 'allwinner', 'sun50i-h6-pine-h64.dtb'), 'h6 tree');
    expect(spawnSync('dpkg-deb', ['--build', pkg, join(dir, `linux-image-${release}_6.1.999-1_arm64.deb`)]).status).toBe(0);
    writeFileSync(join(dir, 'bcm2711-rpi-cm4-io.dtb'), 'cm4 tree');
    const manifest = `${JSON.stringify({ package: `linux-image-${release}`, version: '6.1.999-1', release, dtbs: ['bcm2711-rpi-cm4-io.dtb'] })}\n`;
    writeFileSync(join(dir, 'manifest.json'), manifest);

    const k = cachedLinuxKernel()!;
    expect(Object.keys(k.dtbs).sort()).toEqual(['bcm2711-rpi-cm4-io.dtb', 'sun50i-h6-pine-h64.dtb']);
    expect(readFileSync(k.dtbs['sun50i-h6-pine-h64.dtb']!, 'utf8')).toBe('h6 tree');
    expect(existsSync(join(dir, 'bcm2837-rpi-cm3-io3.dtb'))).toBe(false); // not in the package: stays missing
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).toBe(manifest);
    expect(readdirSync(dir).filter((f) => f.startsWith('dtb-'))).toEqual([]); // no staging left behind
    expect(Object.keys(cachedLinuxKernel()!.dtbs)).toContain('sun50i-h6-pine-h64.dtb');
  });

  const cached = cachedLinuxKernel();
  it.skipIf(!cached)(`the cached vmlinuz is an arm64 Image (skipped when not fetched: run "uconsole fetch linux")`, () => {
    const k = readKernelImage(cached!.vmlinuz);
    expect(k.textOffset).toBe(0);
    expect(k.imageSize).toBeGreaterThan(k.length);
    expect(k.decoded).toBeUndefined(); // a raw Image: only its header was read
    expect(Object.keys(cached!.dtbs)).toContain('bcm2711-rpi-cm4-io.dtb');
  });
});
