// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeKernelImage, readKernelImage } from '../../firmware/kernel-image';

/** A minimal arm64 Image: the 64-byte header and some body. */
function fakeImage(textOffset: number, imageSize: number, len = 4096): Uint8Array {
  const b = new Uint8Array(len);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(8, BigInt(textOffset), true);
  dv.setBigUint64(0x10, BigInt(imageSize), true);
  dv.setBigUint64(0x18, 0xan, true); // 4K pages, placement anywhere
  dv.setUint32(0x38, 0x644d5241, true);
  return b;
}

describe('kernel image loader', () => {
  it('reads text_offset and image_size from a raw Image', () => {
    const k = decodeKernelImage(fakeImage(0x80000, 0x200000), 'raw');
    expect(k).toMatchObject({ textOffset: 0x80000, imageSize: 0x200000, gzip: false });
  });

  it('decompresses a gzip vmlinuz to the same Image', () => {
    const raw = fakeImage(0, 0x300000);
    const k = decodeKernelImage(new Uint8Array(gzipSync(raw)), 'vmlinuz');
    expect(k.gzip).toBe(true);
    expect(k.image).toEqual(raw);
    expect(k.imageSize).toBe(0x300000);
  });

  it('takes image_size 0 (pre-3.17) as the file length', () => {
    expect(decodeKernelImage(fakeImage(0, 0, 8192), 'old').imageSize).toBe(8192);
  });

  it('refuses what is not an arm64 Image, in one line', () => {
    expect(() => decodeKernelImage(new TextEncoder().encode('#!/bin/sh\necho hello\n'.repeat(8)), 'script')).toThrow(/^script is not an arm64 Image \(magic 0x[0-9a-f]+, expected 0x644d5241\)$/);
    expect(() => decodeKernelImage(new Uint8Array([0x1f, 0x8b, 1, 2, 3]), 'broken.gz')).toThrow(/^broken.gz looks gzip-compressed but does not decompress/);
    const zboot = fakeImage(0, 0);
    new DataView(zboot.buffer).setUint32(4, 0x676d697a, true);
    expect(() => decodeKernelImage(zboot, 'zboot')).toThrow(/EFI zboot/);
    expect(() => decodeKernelImage(new Uint8Array(10), 'tiny')).toThrow(/too short/);
  });

  it('reports a missing file or a directory in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kimg-'));
    expect(() => readKernelImage(join(dir, 'nope'))).toThrow(/^kernel image .*nope not found$/);
    expect(() => readKernelImage(dir)).toThrow(/is not a file$/);
    writeFileSync(join(dir, 'Image.gz'), gzipSync(fakeImage(0, 0x10000)));
    expect(readKernelImage(join(dir, 'Image.gz')).gzip).toBe(true);
  });
});
