// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { lazy_max_pages, VM_LAZY_FREE } from '../../../../kernel-model/mm/vmalloc';
import { busyPages, expectClean, KINDS, make, P, VE, VS } from './helpers';

for (const kind of KINDS) {
  describe(`vmap front end (${kind})`, () => {
    it('alignment and the vstart/vend window are respected', () => {
      const { vmap } = make(kind);
      expect(vmap.alloc(P, P, VS, VE)).toBe(VS);
      expect(vmap.alloc(P, 8n * P, VS, VE)).toBe(VS + 8n * P);
      expect(vmap.alloc(3n * P, 1n << 21n, VS, VE)).toBe(VS + (1n << 21n));
      expect(vmap.alloc(P, P, VS + 5n * P, VS + 6n * P)).toBe(VS + 5n * P);
      expect(vmap.alloc(P, P, VS + 5n * P, VS + 7n * P)).toBe(VS + 6n * P);
      expectClean(vmap);
    });

    it('a full window fails with Linux\'s warning; __GFP_NOWARN keeps quiet', () => {
      const { vmap, log } = make(kind);
      expect(vmap.alloc(2n * P, P, VS, VS + 2n * P)).toBe(VS);
      expect(vmap.alloc(P, P, VS, VS + 2n * P)).toBeNull();
      expect(log).toEqual(['vmap allocation for size 4096 failed: use vmalloc=<size> to increase size']);
      expect(vmap.alloc(P, P, VS, VS + 2n * P, { nowarn: true })).toBeNull();
      expect(log).toHaveLength(1);
      expectClean(vmap);
    });

    it('bad input: one line each, null, nothing changed', () => {
      const { vmap, log } = make(kind);
      vmap.alloc(P, P, VS, VE);
      const before = busyPages(vmap);
      expect(vmap.alloc(0n, P, VS, VE)).toBeNull();
      expect(vmap.alloc(100n, P, VS, VE)).toBeNull();
      expect(vmap.alloc(P, 3n * P, VS, VE)).toBeNull();
      expect(vmap.alloc(P, 0n, VS, VE)).toBeNull();
      expect(vmap.alloc(P, P, VE, VS)).toBeNull();
      expect(vmap.alloc(1n << 64n, P, VS, VE)).toBeNull();
      expect(vmap.alloc(VE - VS + P, P, VS, VE)).toBeNull(); // larger than the range
      expect(log).toEqual([
        'vmap: alloc_vmap_area: bad request: size 0 (BUG_ON(!size))',
        'vmap: alloc_vmap_area: bad request: size 0x64 is not a multiple of PAGE_SIZE (BUG_ON(offset_in_page(size)))',
        'vmap: alloc_vmap_area: bad request: align 0x3000 is not a power of two (BUG_ON(!is_power_of_2(align)))',
        'vmap: alloc_vmap_area: bad request: align 0x0 is not a power of two (BUG_ON(!is_power_of_2(align)))',
        'vmap: alloc_vmap_area: bad request: range [0xfffffffebfff0000, 0xffffffc010000000) is empty or outside [0x0000000000000001, 0xffffffffffffffff)',
        'vmap: alloc_vmap_area: bad request: size or align does not fit in an unsigned long',
        `vmap allocation for size ${VE - VS + P} failed: use vmalloc=<size> to increase size`,
      ]);
      expect(busyPages(vmap)).toEqual(before);
      expectClean(vmap);
    });

    it('freeing an unknown address warns as vfree does and changes nothing; so does a double free', () => {
      const { vmap, log } = make(kind);
      const a = vmap.alloc(2n * P, P, VS, VE)!;
      expect(vmap.free(VS + 10n * P)).toBe(false);
      expect(vmap.free(a + 1n)).toBe(false);
      expect(vmap.free(a)).toBe(true);
      expect(vmap.free(a)).toBe(false);
      expect(log).toEqual([
        'Trying to vfree() nonexistent vm area (ffffffc01000a000)',
        'Trying to vfree() bad address (ffffffc010000001)',
        'Trying to vfree() nonexistent vm area (ffffffc010000000)',
      ]);
      expect(busyPages(vmap)).toEqual([]);
      expectClean(vmap);
    });

    it('find returns the area containing an address, as find_vmap_area', () => {
      const { vmap } = make(kind);
      const a = vmap.alloc(3n * P, P, VS, VE, { caller: 'test' })!;
      expect(vmap.find(a + 2n * P + 17n)?.va_start).toBe(a);
      expect(vmap.find(a + 3n * P)).toBeNull();
      expect(vmap.find(a)?.caller).toBe('test');
    });

    it('lazy free: the range stays reserved until the purge, which flushes once over the batch', () => {
      const flushes: [bigint, bigint][] = [];
      const { vmap, log } = make(kind, { lazyMaxPages: 2, flush_tlb_kernel_range: (s, e) => flushes.push([s, e]) });
      const win = VS + 4n * P;
      const a = vmap.alloc(P, P, VS, win)!;
      const b = vmap.alloc(2n * P, P, VS, win)!;
      const c = vmap.alloc(P, P, VS, win)!;
      expect([a, b, c]).toEqual([VS, VS + P, VS + 3n * P]);
      expect(vmap.free_lazy(a)).toEqual({ freed: true, purgeDue: false });
      expect(vmap.find(a)!.flags & VM_LAZY_FREE).toBeTruthy();
      expect(vmap.free_lazy(a)).toEqual({ freed: false, purgeDue: false }); // double vfree
      expect(log).toEqual(['Trying to vfree() nonexistent vm area (ffffffc010000000)']);
      expectClean(vmap);
      // The window is full until a's range is purged: alloc_vmap_area purges once and retries.
      expect(vmap.alloc(P, P, VS, win)).toBe(a);
      expect(flushes).toEqual([[a, a + P]]);
      expect(vmap.lazy.vmap_lazy_nr).toBe(0);
      expect(vmap.free_lazy(b)).toEqual({ freed: true, purgeDue: false }); // 2 pages: not over 2
      expect(vmap.free_lazy(c)).toEqual({ freed: true, purgeDue: true }); // 3 pages
      expectClean(vmap);
      expect(vmap.purge_vmap_area_lazy()).toBe(true);
      expect(flushes).toEqual([[a, a + P], [b, c + P]]);
      expect(busyPages(vmap)).toEqual([[0, 1]]);
      expect(vmap.purge_vmap_area_lazy()).toBe(false);
      expectClean(vmap);
    });

    it('lazy_max_pages is fls(cpus) * 32 MiB of pages: 24576 on four CPUs', () => {
      expect(lazy_max_pages(1)).toBe(8192);
      expect(lazy_max_pages(4)).toBe(24576);
      expect(lazy_max_pages(8)).toBe(32768);
    });
  });
}
