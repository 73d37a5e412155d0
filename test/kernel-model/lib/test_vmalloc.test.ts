// SPDX-License-Identifier: GPL-2.0-only
import { xorshift32 } from '../../../kernel-model/lib/random';
import { describe, expect, it } from 'vitest';
import { run_test_vmalloc, summary_line, TEST_CASES, TEST_VMALLOC_DEFAULTS, vmallocOps } from '../../../kernel-model/lib/test_vmalloc';
import { check_vmap, FitType } from '../../../kernel-model/mm/vmalloc';
import { augmentOf, KINDS, listOf, make } from '../mm/vmalloc/helpers';

const xorshift = xorshift32;

const PARAMS = { ...TEST_VMALLOC_DEFAULTS, test_loop_count: 200, sequential_test_order: true };

for (const kind of KINDS) {
  describe(`test_vmalloc bodies on the ${kind} allocator`, () => {
    it('every test passes except align_shift_alloc_test, which is supposed to fail; nothing is left behind', () => {
      const { vmap, log } = make(kind);
      let t = 0;
      const results = run_test_vmalloc(vmallocOps(vmap), PARAMS, xorshift(1), () => (t += 10));
      expect(results.map((r) => [r.name, r.passed, r.failed])).toEqual(
        TEST_CASES.filter((c) => c.needs === undefined) // no percpu allocator or RCU here: pcpu_alloc_test and the kvfree_rcu tests do not run
          .map((c) => [c.name, c.name === 'align_shift_alloc_test' ? 0 : 1, c.name === 'align_shift_alloc_test' ? 1 : 0]),
      );
      // align_shift fails at 1 << 38: no address in the vmalloc range is aligned to it.
      expect(log).toEqual(['vmap allocation for size 8192 failed: use vmalloc=<size> to increase size']);
      vmap.purge_vmap_area_lazy();
      expect([...vmap.busy_areas()]).toEqual([]);
      expect(check_vmap(vmap)).toEqual([]);
    });
  });
}

describe('test_vmalloc runner', () => {
  it('full_fit_alloc_test fills the exact-fit holes it made (FL fits on the augment allocator)', () => {
    const { vmap } = make('augment');
    const only = { ...PARAMS, run_test_mask: 1 << 1 };
    run_test_vmalloc(vmallocOps(vmap), only, xorshift(2), () => 0);
    expect(augmentOf(vmap).fitCounts[FitType.FL_FIT_TYPE]).toBeGreaterThanOrEqual(PARAMS.test_loop_count);
  });

  it('run_test_mask selects tests, the shuffled order still reports in Linux order, summaries in the module\'s format', () => {
    const { vmap } = make('augment');
    const p = { ...PARAMS, run_test_mask: (1 << 0) | (1 << 3) | (1 << 5), sequential_test_order: false, test_repeat_count: 2 };
    let t = 0;
    const results = run_test_vmalloc(vmallocOps(vmap), p, xorshift(3), () => (t += 7));
    expect(results.map((r) => r.name)).toEqual(['fix_size_alloc_test', 'random_size_alloc_test', 'random_size_align_alloc_test']);
    expect(summary_line(results[0]!, p)).toBe('Summary: fix_size_alloc_test passed: 2 failed: 0 repeat: 2 loops: 200 avg: 3 usec');
  });
});

/*
 * Why: purging the earlier tests' lazily freed areas, which lie below the
 * 15,000, moves free_vmap_cache below them and leaves holes there. The
 * one-page requests land in those holes (from the cache, or after
 * cached_hole_size sends them back to VMALLOC_START), and each 100-page
 * request starts from that cached position and walks the 15,000 to get
 * above them (measured: about 2,700 areas per 100-page request at 300
 * loops).
 */
describe('test_vmalloc in the module\'s order: why long_busy_list is O(N) on the list allocator', () => {
  it('after the earlier tests leave lazily freed areas below the 15,000, the list allocator walks the busy list again and again', () => {
    // Counts, not time: the list allocator records every busy area a search steps over.
    const { vmap } = make('list');
    const l = listOf(vmap);
    const ops = vmallocOps(vmap);
    const p = { ...PARAMS, test_loop_count: 300 };
    run_test_vmalloc(ops, { ...p, run_test_mask: 0b11 }, xorshift(4), () => 0); // fix_size, full_fit
    const before = l.walked;
    run_test_vmalloc(ops, { ...p, run_test_mask: 1 << 2 }, xorshift(4), () => 0); // long_busy_list
    // Busy areas stepped over per loop (the 15,001 set-up allocations included): thousands.
    expect((l.walked - before) / p.test_loop_count).toBeGreaterThan(1000);
    // Alone, in a fresh allocator, the cache keeps each search to a step or two:
    // about 15,000 steps for the set-up, plus two per loop.
    const fresh = make('list');
    run_test_vmalloc(vmallocOps(fresh.vmap), { ...p, run_test_mask: 1 << 2 }, xorshift(4), () => 0);
    expect(listOf(fresh.vmap).walked / p.test_loop_count).toBeLessThan(100);
  });
});
