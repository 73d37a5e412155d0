import { describe, expect, it } from 'vitest';
import { benchKmem, KMEM_DEFAULTS } from '../../bench/kmem';

describe('bench kmem (shape only: speed claims come from running it, not from tests)', () => {
  it('reports every size for both variants, on one CPU and on all at once, and both vmem policies', async () => {
    const r = await benchKmem({ ...KMEM_DEFAULTS, pairs: 64, fitPairs: 8, reps: 1, sizes: [64, 600, 9000] });
    expect(r.suite).toBe('kmem');
    const kmemRows = r.results.filter((x) => x.metric === 'pairs_per_s');
    expect(kmemRows.map((x) => `${x.variant} ${x.test}`)).toEqual(
      [
        ...['tiny 64B', 'mid 600B', 'large 9000B'].flatMap((t) => [`midcache-on ${t} 1cpu`, `midcache-off ${t} 1cpu`]),
        ...['tiny 64B', 'mid 600B', 'large 9000B'].flatMap((t) => [`midcache-on ${t} 4cpu per cpu`, `midcache-on ${t} 4cpu aggregate`, `midcache-off ${t} 4cpu per cpu`, `midcache-off ${t} 4cpu aggregate`]),
      ],
    );
    expect(r.results.filter((x) => x.metric === 'pair_ns').map((x) => x.variant)).toEqual(['instantfit', 'bestfit', 'instantfit', 'bestfit', 'instantfit', 'bestfit']);
    expect(r.results.every((x) => Number.isFinite(x.value) && x.value > 0)).toBe(true);
  }, 60_000);
});
