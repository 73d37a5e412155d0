// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { benchVmallocTree, formatScaling } from '../../bench/vmalloc-tree';

describe('bench vmalloc-tree', () => {
  it('reports alloc and free time for both allocators at each size, a ratio per test, and the scaling table', () => {
    const r = benchVmallocTree({ sizes: [10, 50], loops: 3, test_loop_count: 5, nrCpus: 1 });
    expect(r.suite).toBe('vmalloc-tree');
    const tests = ['mixed-align@10', 'mixed-align@50', 'long-busy-list@10', 'long-busy-list@50'];
    for (const test of tests) {
      for (const variant of ['augment', 'list'])
        for (const metric of ['alloc_us', 'free_us'])
          expect(r.results.filter((x) => x.test === test && x.variant === variant && x.metric === metric)).toHaveLength(1);
      expect(r.results.filter((x) => x.test === test && x.metric === 'alloc_ratio')).toHaveLength(1);
    }
    for (const variant of ['augment', 'list'])
      expect(r.results.filter((x) => x.variant === variant && x.test.startsWith('test_vmalloc/')).map((x) => x.test)).toEqual([
        'test_vmalloc/fix_size_alloc_test',
        'test_vmalloc/full_fit_alloc_test',
        'test_vmalloc/long_busy_list_alloc_test',
        'test_vmalloc/random_size_alloc_test',
        'test_vmalloc/fix_align_alloc_test',
        'test_vmalloc/random_size_align_alloc_test',
        'test_vmalloc/align_shift_alloc_test',
        'test_vmalloc/total',
      ]);
    expect(r.results.filter((x) => x.metric === 'time_ratio')).toHaveLength(8);
    for (const row of r.results) expect(row.value).toBeGreaterThanOrEqual(0);
    expect(formatScaling(r).split('\n')[0]).toBe('alloc time (us) against busy areas: 10 / 50');
  });
});
