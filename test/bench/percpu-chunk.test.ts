// SPDX-License-Identifier: GPL-2.0-only
/* The percpu benchmark's workload and report shape (no timing is asserted). */

import { describe, expect, it } from 'vitest';
import { benchPercpuChunk, formatPublishedComparison, freeOrder, runOnce, PERCPU_CHUNK_DEFAULTS } from '../../bench/percpu-chunk';

describe('percpu chunk benchmark', () => {
  it('frees in order, alternating (evens, then odds) and in reverse', () => {
    expect(Array.from(freeOrder('in-order', 5))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(freeOrder('alternating', 5))).toEqual([0, 2, 4, 1, 3]);
    expect(Array.from(freeOrder('reverse', 5))).toEqual([4, 3, 2, 1, 0]);
  });

  it('fills whole chunks and measures their metadata', () => {
    const p = { ...PERCPU_CHUNK_DEFAULTS, objects: 4096 };
    // 4096 x 64 B = 256 KiB = two 128 KiB chunks.
    const bitmap = runOnce('bitmap', 64, 'in-order', p);
    expect(bitmap.chunks).toBe(2);
    // per chunk: struct 120 + populated 8, alloc map 4096, bound map 4104, 32 blocks x 20 B
    expect(bitmap.metaBytes).toBe(2 * (128 + 4096 + 4104 + 640));
    const area = runOnce('area', 64, 'in-order', p);
    expect(area.chunks).toBe(2);
    // per chunk: struct 104 + populated 8, and a map grown to 4096 entries for 2048 areas
    expect(area.metaBytes).toBe(2 * (112 + 4096 * 4));
  });

  it('reports each order and the worst for both allocators, beside the published figures', () => {
    const r = benchPercpuChunk({ ...PERCPU_CHUNK_DEFAULTS, objects: 256, sizes: [4, 1024], misalignedObjects: 256 }, () => {});
    expect(r.suite).toBe('percpu');
    for (const variant of ['bitmap', 'area']) {
      for (const test of ['4B', '1024B']) {
        const metrics = r.results.filter((x) => x.variant === variant && x.test === test).map((x) => x.metric);
        expect(metrics).toEqual(expect.arrayContaining(['alloc_ms_in-order', 'free_ms_alternating', 'alloc_ms_worst', 'free_ms_worst', 'alloc_cpu_ms_worst', 'free_cpu_ms_worst', 'meta_bytes', 'chunks']));
      }
    }
    for (const variant of ['bitmap', 'area']) expect(r.results.filter((x) => x.variant === variant && x.test === '4B-align8').map((x) => x.metric)).toEqual(['alloc_ms', 'free_ms']);
    const table = formatPublishedComparison(r);
    expect(table).toContain('/ 4770'); // area map, 4 B, free, v2 cover letter
    expect(table).toContain('/ 3520'); // bitmap, 1 KiB, alloc
    expect(table).toContain('main-thread CPU');
  });
});
