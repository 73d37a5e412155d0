import { describe, expect, it } from 'vitest';
import { benchKmem, KMEM_DEFAULTS } from '../../bench/kmem';

describe('bench kmem (shape only: speed claims come from running it, not from tests)', () => {
  it('reports every size for both variants, on one CPU and interleaved, and both vmem policies', () => {
    const r = benchKmem({ ...KMEM_DEFAULTS, pairs: 64, fitPairs: 8, reps: 1, sizes: [64, 600, 9000] });
    expect(r.suite).toBe('kmem');
    const kmemRows = r.results.filter((x) => x.metric === 'pairs_per_s');
    expect(kmemRows.map((x) => `${x.variant} ${x.test}`)).toEqual(
      ['1cpu', '4cpu-interleaved'].flatMap((l) =>
        ['tiny 64B', 'mid 600B', 'large 9000B'].flatMap((t) => [`midcache-on ${t} ${l}`, `midcache-off ${t} ${l}`]),
      ),
    );
    expect(r.results.filter((x) => x.metric === 'pair_ns').map((x) => x.variant)).toEqual(['instantfit', 'bestfit', 'instantfit', 'bestfit', 'instantfit', 'bestfit']);
    expect(r.results.every((x) => Number.isFinite(x.value) && x.value > 0)).toBe(true);
  });
});
