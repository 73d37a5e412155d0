// SPDX-License-Identifier: GPL-2.0-only
/* The host metadata allocator: views carved from shared buffers must behave as separate zeroed arrays. */

import { describe, expect, it } from 'vitest';
import { HostMetaAllocator } from '../../../../kernel-model/mm/percpu/percpu-internal';

describe('HostMetaAllocator (host memory)', () => {
  it('hands out zeroed, disjoint arrays of the asked size and counts the bytes', () => {
    const meta = new HostMetaAllocator();
    const sizes = [128, 4096, 4104, 640, 12, 8];
    const got = sizes.map((b) => meta.zalloc(b)!);
    expect(got.map((m) => m.byteLength)).toEqual(sizes);
    expect(meta.bytes).toBe(sizes.reduce((a, b) => a + b, 0));
    got.forEach((m, i) => m.fill(i + 1));
    // Writing one never shows in another.
    got.forEach((m, i) => expect(m.every((w) => w === i + 1)).toBe(true));
  });

  it('gives freed memory back zeroed for the same size, and keeps sizes apart', () => {
    const meta = new HostMetaAllocator();
    const a = meta.zalloc(4096)!;
    const b = meta.zalloc(640)!;
    a.fill(-1);
    b.fill(7);
    meta.free(a);
    expect(meta.bytes).toBe(640);
    const c = meta.zalloc(640)!;
    expect(c).not.toBe(a);
    expect(c.every((w) => w === 0)).toBe(true);
    const d = meta.zalloc(4096)!;
    expect(d.buffer).toBe(a.buffer);
    expect(d.byteOffset).toBe(a.byteOffset);
    expect(d.every((w) => w === 0)).toBe(true);
    expect(b.every((w) => w === 7)).toBe(true);
  });

  it('serves requests larger than a quarter of its 1 MiB buffers with arrays of their own', () => {
    const meta = new HostMetaAllocator();
    const big = meta.zalloc(512 << 10)!;
    expect(big.byteLength).toBe(512 << 10);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(512 << 10);
  });

  it('fails on demand (failAfter) without counting anything', () => {
    const meta = new HostMetaAllocator();
    meta.failAfter = 1;
    expect(meta.zalloc(64)).not.toBeNull();
    expect(meta.zalloc(64)).toBeNull();
    expect(meta.bytes).toBe(64);
  });
});
