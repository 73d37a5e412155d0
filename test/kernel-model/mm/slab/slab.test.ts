// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { withUconsole } from '../../../helpers/boot';
import { GFP_KERNEL, __GFP_ZERO } from '../../../../kernel-model/mm/page_alloc';
import { kmalloc_index, slab_check, SLAB_HWCACHE_ALIGN } from '../../../../kernel-model/mm/slab/slab';
import { PAGE_OFFSET } from '../../../../kernel-model/arch/arm64/memory';

describe('kmalloc size classes (arm64 5.10: KMALLOC_MIN_SIZE 128)', () => {
  it('maps sizes to kmalloc-128 ... kmalloc-8k', () => {
    expect([1, 128, 129, 256, 257, 1000, 4096, 8192].map(kmalloc_index)).toEqual([7, 7, 8, 8, 9, 10, 12, 13]);
  });
});

describe('the slab on the booted uConsole', () => {
  it('kmalloc and kmem_cache objects are guest memory every core reaches; slabinfo and meminfo show them', async () => {
    await withUconsole({ ram: '1G' }, (u) => {
      const k = u.kernel;
      const slab = k.slab!;
      const unrecl = slab.nr_slab_unreclaimable;
      const s = k.on(0, () => slab.kmem_cache_create('test_obj', 100, 0, SLAB_HWCACHE_ALIGN))!;
      expect(s.size).toBe(128);
      const objs = u.machine.cores.map((c) => k.on(c.index, () => slab.kmem_cache_alloc(s, GFP_KERNEL)));
      const big = k.on(1, () => slab.kzalloc(3000, GFP_KERNEL));
      const huge = k.on(2, () => slab.kmalloc(20000, GFP_KERNEL | __GFP_ZERO));
      for (const [i, p] of [...objs, big, huge].entries()) {
        expect(p >= PAGE_OFFSET).toBe(true);
        expect(k.kcall(i % u.machine.cores.length, 'probe_write64', p, 0xabc0n + BigInt(i))).toBe(0n);
        expect(k.arch.kmem.read64(p)).toBe(0xabc0n + BigInt(i));
      }
      expect(slab.ksize(big)).toBe(4096);
      expect(slab.ksize(huge)).toBe(32768);
      expect(slab.nr_slab_unreclaimable).toBeGreaterThan(unrecl);
      const info = u.readFile('/proc/slabinfo');
      expect(info.split('\n').slice(0, 2)).toEqual([
        'slabinfo - version: 2.1',
        '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>',
      ]);
      expect(info).toMatch(/^test_obj +4 +32 +128 +32 +1 : tunables +15 +15 +0 : slabdata +1 +1 +0$/m);
      expect(info).toMatch(/^kmalloc-4k +1 +8 +4096 +8 +8 : tunables/m);
      expect(info).toMatch(/^vmap_area +\d+ +\d+ +64 +64 +1 :/m);
      const meminfo = u.readFile('/proc/meminfo');
      const kb = (f: string): number => Number(meminfo.match(new RegExp(`^${f}: +(\\d+) kB`, 'm'))![1]);
      expect(kb('Slab')).toBe(kb('SReclaimable') + kb('SUnreclaim'));
      expect(kb('SUnreclaim')).toBe(slab.nr_slab_unreclaimable * 4);
      u.machine.cores.forEach((c, i) => k.on(c.index, () => slab.kmem_cache_free(s, objs[i]!)));
      k.on(0, () => [big, huge].forEach((p) => slab.kfree(p)));
      expect(slab_check(slab)).toEqual([]);
      k.on(0, () => slab.kmem_cache_destroy(s));
      expect(u.readFile('/proc/slabinfo')).not.toMatch(/test_obj/);
    });
  });

  it('the percpu allocator takes a new chunk\'s metadata from kmalloc', async () => {
    await withUconsole({ ram: '1G' }, (u) => {
      const k = u.kernel;
      const pc = k.percpu!;
      const active = (): number => k.slab!.caches.filter((s) => s.name.startsWith('kmalloc-')).reduce((n, s) => n + s.active, 0);
      const before = active();
      const ptrs = k.on(0, () => Array.from({ length: 40 }, () => pc.__alloc_percpu(1024, 8)));
      expect(pc.vmChunks).toBeGreaterThanOrEqual(1);
      expect(active()).toBeGreaterThan(before);
      k.on(0, () => ptrs.forEach((p) => pc.free_percpu(p)));
      k.run(() => !pc.balancePending);
      expect(slab_check(k.slab!)).toEqual([]);
    });
  });

  it('bad input: one line each, nothing changed', async () => {
    await withUconsole({ ram: '1G' }, (u) => {
      const k = u.kernel;
      const slab = k.slab!;
      const s = k.on(0, () => slab.kmem_cache_create('test_bad', 64, 0, 0))!;
      expect(k.on(0, () => slab.kmem_cache_create('neg', -1, 0, 0))).toBeNull();
      expect(k.on(0, () => slab.kmem_cache_create('odd', 64, 24, 0))).toBeNull();
      expect(k.on(0, () => slab.kmalloc(0, GFP_KERNEL))).toBe(0n);
      const p = k.on(0, () => slab.kmalloc(200, GFP_KERNEL));
      k.on(0, () => slab.kfree(p));
      k.on(0, () => slab.kfree(p)); // double free
      k.on(0, () => slab.kfree(PAGE_OFFSET + 0x7000_0000n)); // never allocated
      const q = k.on(0, () => slab.kmalloc(64, GFP_KERNEL));
      k.on(0, () => slab.kmem_cache_free(s, q)); // wrong cache
      const o = k.on(0, () => slab.kmem_cache_alloc(s, GFP_KERNEL));
      k.on(0, () => slab.kmem_cache_destroy(s)); // still has an object
      const d = u.dmesg();
      expect(d).toMatch(/kmem_cache_create\(neg\) failed with error -22 \(size -1\)/);
      expect(d).toMatch(/kmem_cache_create\(odd\) failed with error -22 \(align 24\)/);
      expect(d).toMatch(new RegExp(`kfree: double free or invalid pointer 0x${p.toString(16)} in kmalloc-256`));
      expect(d).toMatch(/kfree: 0xffffff8070000000 is not a slab object or a kmalloc'ed page/);
      expect(d).toMatch(/cache_from_obj: Wrong slab cache. test_bad but object is from kmalloc-128/);
      expect(d).toMatch(/kmem_cache_destroy test_bad: Slab cache still has objects/);
      expect(slab_check(slab)).toEqual([]);
      k.on(0, () => slab.kmem_cache_free(s, o));
      k.on(0, () => slab.kfree(q));
      expect(slab_check(slab)).toEqual([]);
    });
  });

  it('fault injection: failslab and slab pages; callers get 0n and nothing leaks', async () => {
    await withUconsole({ ram: '1G' }, (u) => {
      const k = u.kernel;
      const slab = k.slab!;
      const pages = slab.nr_slab_unreclaimable;
      slab.faults.object = () => true;
      expect(k.on(0, () => slab.kmalloc(100, GFP_KERNEL))).toBe(0n);
      slab.faults.object = undefined;
      slab.faults.page = () => true;
      expect(k.on(0, () => slab.kmalloc(2000, GFP_KERNEL))).toBe(0n); // kmalloc-2k has no slab yet
      expect(k.on(0, () => slab.kmalloc(50000, GFP_KERNEL))).toBe(0n);
      slab.faults.page = undefined;
      expect(slab.nr_slab_unreclaimable).toBe(pages);
      expect(slab_check(slab)).toEqual([]);
    });
  });
});
