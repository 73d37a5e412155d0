// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { busyPages, expectClean, listOf, make, P, VE, VS } from './helpers';

describe('list allocator (before v5.2)', () => {
  it('finds the lowest hole by walking the busy list, and the cache lets the next search start at the last area', () => {
    const { vmap } = make('list');
    const l = listOf(vmap);
    for (let i = 0n; i < 10n; i++) expect(vmap.alloc(P, P, VS, VE)).toBe(VS + i * P);
    // Each later search started at the cached last area and stepped over it alone.
    expect(l.walked).toBe(9);
    expect(l.free_vmap_cache?.va_start).toBe(VS + 9n * P);
    expectClean(vmap);
  });

  it('freeing below the cached area moves the cache back, so the hole is reused', () => {
    const { vmap } = make('list');
    const l = listOf(vmap);
    for (let i = 0; i < 10; i++) vmap.alloc(P, P, VS, VE);
    vmap.free(VS + 3n * P);
    expect(l.free_vmap_cache?.va_start).toBe(VS + 2n * P);
    expect(vmap.alloc(P, P, VS, VE)).toBe(VS + 3n * P);
    expectClean(vmap);
  });

  it('a smaller request than a hole it stepped over restarts from vstart (cached_hole_size)', () => {
    const { vmap } = make('list');
    const l = listOf(vmap);
    for (let i = 0; i < 4; i++) vmap.alloc(P, P, VS, VE); // pages 0..3
    vmap.free(VS + P); // hole [1, 2); cache moves to page 0
    vmap.alloc(2n * P, P, VS, VE); // walks over the one-page hole to page 4
    expect(l.cached_hole_size).toBe(P);
    expect(busyPages(vmap)).toEqual([[0, 1], [2, 3], [3, 4], [4, 6]]);
    // Not smaller than the hole: the cache is used and the hole is passed
    // over although it fits exactly (size == cached_hole_size): the one
    // place this allocator is not lowest-first.
    expect(vmap.alloc(P, P, VS, VE)).toBe(VS + 6n * P);
    expectClean(vmap);
  });

  it('a more permissive request (lower vstart, smaller align) resets the cache', () => {
    const { vmap } = make('list');
    const l = listOf(vmap);
    vmap.alloc(P, P, VS + 100n * P, VE);
    expect(l.free_vmap_cache).not.toBeNull();
    expect(vmap.alloc(P, P, VS, VE)).toBe(VS);
    vmap.alloc(P, 16n * P, VS, VE);
    expect(l.cached_align).toBe(16n * P);
    expect(vmap.alloc(P, P, VS, VE)).toBe(VS + P);
    expectClean(vmap);
  });

  it('walks every busy area in front of a large request: the O(N) the seed measured', () => {
    const { vmap } = make('list');
    const l = listOf(vmap);
    // 100 one-page areas with one-page holes between them, none big enough for 2 pages.
    for (let i = 0; i < 200; i++) vmap.alloc(P, P, VS, VE);
    for (let i = 0; i < 200; i += 2) vmap.free(VS + BigInt(i) * P);
    const before = l.walked;
    expect(vmap.alloc(2n * P, P, VS, VE)).toBe(VS + 200n * P);
    expect(l.walked - before).toBe(100);
    expectClean(vmap);
  });
});
