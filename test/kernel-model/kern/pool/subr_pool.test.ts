import { describe, expect, it } from 'vitest';
import { KernelDiagnostic } from '../../../../kernel-model/kern/diagnostic';
import { pool_destroy, pool_get, pool_init, pool_put, pool_reclaim, PR_NOWAIT, PR_WAITOK } from '../../../../kernel-model/kern/pool/subr_pool';
import { pool_check } from '../../../../kernel-model/kern/pool/pool_cache_check';
import { pageSource } from './helpers';

describe('pool', () => {
  it('carves pages into items, prefers partly used pages, keeps idle pages until reclaimed', () => {
    const src = pageSource(8);
    const pp = pool_init({ size: 1000, name: 'p1000', palloc: src.palloc });
    expect(pp.pr_size).toBe(1000);
    expect(pp.pr_itemsperpage).toBe(4);
    const items = Array.from({ length: 6 }, () => pool_get(pp, PR_NOWAIT)!);
    expect(items.slice(0, 4)).toEqual([0x40000000, 0x40000000 + 1000, 0x40000000 + 2000, 0x40000000 + 3000]);
    expect(pp.pr_npages).toBe(2);
    expect(pp.pr_fullpages.size).toBe(1);
    expect(pp.pr_partpages.size).toBe(1);
    for (const it of items) pool_put(pp, it);
    expect(pp.pr_nidle).toBe(2);
    expect(pool_check(pp)).toEqual([]);
    expect(pool_reclaim(pp)).toBe(2);
    expect(src.arena.vm_inuse).toBe(0);
    expect(pool_check(pp)).toEqual([]);
  });

  it('rounds the item size to the alignment', () => {
    const pp = pool_init({ size: 100, align: 64, name: 'a', palloc: pageSource(1).palloc });
    expect(pp.pr_size).toBe(128);
    expect(pp.pr_itemsperpage).toBe(32);
  });

  it('with a high-water mark of idle pages, returns pages at once beyond it', () => {
    const src = pageSource(8);
    const pp = pool_init({ size: 2048, name: 'p', palloc: src.palloc, maxidle: 0 });
    const a = pool_get(pp, PR_NOWAIT)!;
    pool_put(pp, a);
    expect(pp.pr_npages).toBe(0);
    expect(pp.pr_npagefree).toBe(1);
  });

  it('when the page allocator fails: null, counted, and PR_WAITOK says it cannot sleep here', () => {
    const src = pageSource(1);
    const lines: string[] = [];
    const pp = pool_init({ size: 4096, name: 'big', palloc: src.palloc, printf: (l) => lines.push(l) });
    expect(pool_get(pp, PR_NOWAIT)).not.toBeNull();
    expect(pool_get(pp, PR_NOWAIT)).toBeNull();
    expect(pool_get(pp, PR_WAITOK)).toBeNull();
    expect(pp.pr_nfail).toBe(2);
    expect(lines).toEqual(['pool_get: big: out of memory and cannot sleep here (not in a kernel thread; kmem_alloc_sleep waits); failing as NOSLEEP']);
    expect(pool_check(pp)).toEqual([]);
  });
});

describe('pool bad input', () => {
  function setup() {
    const pp = pool_init({ size: 64, name: 'bad', palloc: pageSource(4).palloc });
    const a = pool_get(pp, PR_NOWAIT)!;
    const b = pool_get(pp, PR_NOWAIT)!;
    return { pp, a, b };
  }
  const F = 'file "subr_pool.c"';

  it('an address in no page', () => {
    const { pp } = setup();
    expect(() => pool_put(pp, 0x1234)).toThrow(new KernelDiagnostic(`panic: kernel diagnostic assertion "ph != NULL" failed: ${F} pool_put: [bad] page header missing, page 0x1234`));
    expect(pool_check(pp)).toEqual([]);
  });

  it('an address inside an item', () => {
    const { pp, a } = setup();
    expect(() => pool_put(pp, a + 8)).toThrow(/^panic: kernel diagnostic assertion "\(v - ph->ph_page\) % pr_size == 0" failed: file "subr_pool.c" pool_put: \[bad\] 0x40000008 is not an item start$/);
    expect(pool_check(pp)).toEqual([]);
  });

  it('a double free', () => {
    const { pp, a } = setup();
    pool_put(pp, a);
    const before = [pp.pr_nout, pp.pr_nitems];
    expect(() => pool_put(pp, a)).toThrow(new KernelDiagnostic(`panic: kernel diagnostic assertion "(*bitmap & mask) == 0" failed: ${F} pool_put: bad: freeing free block 0x40000000`));
    expect([pp.pr_nout, pp.pr_nitems]).toEqual(before);
    expect(pool_check(pp)).toEqual([]);
  });

  it('destroying a pool with items out', () => {
    const { pp } = setup();
    expect(() => pool_destroy(pp)).toThrow(/pool_destroy: pool busy: still out: 2$/);
  });
});
