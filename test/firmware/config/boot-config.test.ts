// SPDX-License-Identifier: GPL-2.0-only
// readBootConfig: config.txt from a boot directory, as firmware/boot.ts uses it.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigTxtError, configModelOf, readBootConfig } from '../../../firmware/config';

const GiB = 2 ** 30;
const dirs: string[] = [];

function bootDir(configTxt?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'uconsole-boot-'));
  dirs.push(dir);
  if (configTxt !== undefined) writeFileSync(join(dir, 'config.txt'), configTxt);
  return dir;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const cm4 = { name: 'uconsole-cm4', defaultRam: 4 * GiB };

describe('readBootConfig', () => {
  it('runs on defaults without config.txt, leaving board-specific values to the profile', () => {
    const c = readBootConfig(bootDir(), cm4);
    expect(c.arm64bit).toBe(true);
    expect(c.kernel).toBe('kernel8.img');
    expect(c.kernelAddress).toBeUndefined();
    expect(c.deviceTree).toBeUndefined();
    expect(c.gpuMemMb).toBeUndefined();
    expect(c.totalMemMb).toBeUndefined();
    expect(c.armstub).toBe('armstub8.bin');
    expect(c.cmdlineFile).toBe('cmdline.txt');
    expect(c.txt.gpu_mem).toBe(76);
  });

  it('reports what config.txt sets', () => {
    const dir = bootDir(
      '[all]\narm_64bit=1\nkernel=kernel8.img\narmstub=armstub8.bin\ndevice_tree=bcm2711-rpi-cm4.dtb\nenable_uart=1\ngpu_mem_1024=128\ntotal_mem=2048\nkernel_address=0x80000\n',
    );
    const c = readBootConfig(dir, cm4);
    expect(c.deviceTree).toBe('bcm2711-rpi-cm4.dtb');
    expect(c.enableUart).toBe(true);
    expect(c.gpuMemMb).toBe(128);
    expect(c.totalMemMb).toBe(2048);
    expect(c.kernelAddress).toBe(0x80000);
  });

  it('uses the installed RAM for gpu_mem_N', () => {
    const dir = bootDir('gpu_mem_512=32\n');
    expect(readBootConfig(dir, cm4).gpuMemMb).toBeUndefined();
    expect(readBootConfig(dir, cm4, 512 * 2 ** 20).gpuMemMb).toBe(32);
  });

  it('reads as a CM3 for CM3 profiles and as a CM4 otherwise', () => {
    expect(configModelOf('uconsole-cm3')).toBe('cm3');
    expect(configModelOf('uconsole-a06')).toBe('cm4');
    const c = readBootConfig(bootDir(''), { name: 'uconsole-cm3', defaultRam: GiB });
    expect(c.arm64bit).toBe(false);
  });

  it('lets ConfigTxtError through', () => {
    expect(() => readBootConfig(bootDir('gpu_mem=lots\n'), cm4)).toThrow(ConfigTxtError);
  });
});
