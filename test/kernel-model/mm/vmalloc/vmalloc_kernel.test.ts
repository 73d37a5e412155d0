import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootUconsole, type Uconsole } from '../../../../api/uconsole';
import { withUconsole } from '../../../helpers/boot';
import { KIMAGE_VADDR, VMALLOC_END, VMALLOC_START } from '../../../../kernel-model/arch/arm64/memory';
import { check_vmap } from '../../../../kernel-model/mm/vmalloc';
import { EFAULT } from '../../../../kernel-model/include/errno';

let u: Uconsole;
beforeAll(async () => {
  u = await bootUconsole({ board: 'uconsole-cm4', ram: '1G' });
});
afterAll(() => u.shutdown());

describe('vmalloc on the booted kernel', () => {
  it('maps real pages that ARM64 code on every core reads at their vmalloc address', () => {
    const k = u.kernel;
    const vm = k.mm.vmalloc;
    const addr = k.on(2, () => vm.vmalloc(3 * 4096 + 10, 'test_vmalloc_reach'));
    expect(vm.is_vmalloc_addr(addr)).toBe(true);
    expect(addr).toBeGreaterThanOrEqual(KIMAGE_VADDR + BigInt(k.imageSize)); // never inside the image
    for (let page = 0; page < 4; page++) k.arch.kmem.write64(addr + BigInt(page * 4096 + 8), 0xa000n + BigInt(page));
    for (const c of u.machine.cores)
      for (let page = 0; page < 4; page++) expect(k.kcall(c.index, 'probe_read64', addr + BigInt(page * 4096 + 8))).toBe(0xa000n + BigInt(page));
    // The pages are real pages of the page allocator, each mapped at its place; the guard page is not mapped.
    const pfn = vm.vmalloc_to_page(addr + 4096n)!;
    expect(u.machine.ram.u64(pfn * 4096 + 8)).toBe(0xa001n);
    expect(vm.vmalloc_to_page(addr + 4n * 4096n)).toBeNull();
    expect(k.kcall(1, 'probe_read64', addr + 4n * 4096n)).toBe(BigInt(-EFAULT));
    expect(u.readFile('/proc/vmallocinfo')).toContain(`0x${addr.toString(16)}-0x${(addr + 5n * 4096n).toString(16)}   20480 test_vmalloc_reach pages=4 vmalloc\n`);
    k.on(2, () => vm.vfree(addr));
    expect(check_vmap(vm.vmap)).toEqual([]);
  });

  it('vfree clears the mapping at once and gives the pages back; the range is reused only after the lazy purge', () => {
    const k = u.kernel;
    const vm = k.mm.vmalloc;
    const pgalloc = k.mm.pgalloc;
    vm.vmap.purge_vmap_area_lazy(); // what earlier tests freed is free space again
    k.on(0, () => pgalloc.drain_all_pages());
    const free = pgalloc.nr_free_pages();
    const a = k.on(0, () => vm.vmalloc(8 * 4096));
    k.on(0, () => vm.vfree(a));
    k.on(0, () => pgalloc.drain_all_pages());
    expect(pgalloc.nr_free_pages()).toBeGreaterThanOrEqual(free - 1); // a page-table page may stay, as in Linux
    expect(k.arch.kmem.translate(a)).toBeUndefined();
    expect(u.readFile('/proc/vmallocinfo')).toContain(`0x${a.toString(16)}-0x${(a + 9n * 4096n).toString(16)}   36864 unpurged vm_area`);
    const b = k.on(0, () => vm.vmalloc(8 * 4096));
    expect(b).not.toBe(a); // the lazily freed range is not handed out again before the purge
    vm.vmap.purge_vmap_area_lazy();
    k.on(0, () => vm.vfree(b));
    vm.vmap.purge_vmap_area_lazy();
    expect(k.on(0, () => vm.vmalloc(8 * 4096))).toBe(a);
  });

  it('past lazy_max_pages of lazily freed pages, vfree purges them itself and flushes every core', () => {
    const k = u.kernel;
    const vm = k.mm.vmalloc;
    vm.vmap.purge_vmap_area_lazy();
    const chunk = 4 << 20;
    const perChunk = chunk / 4096 + 1; // the guard page counts too
    const below = Math.floor(vm.vmap.lazy.lazyMaxPages / perChunk); // frees that stay at or under lazy_max_pages
    const unpurged = (): number => (u.readFile('/proc/vmallocinfo').match(/unpurged vm_area/g) ?? []).length;
    k.on(1, () => {
      for (let i = 0; i < below; i++) vm.vfree(vm.vmalloc(chunk));
    });
    expect(unpurged()).toBe(below); // all still waiting
    const a = k.on(1, () => vm.vmalloc(chunk));
    k.arch.kmem.write64(a, 7n);
    expect(k.kcall(2, 'probe_read64', a)).toBe(7n); // cpu2 caches the translation
    k.on(1, () => vm.vfree(a)); // past lazy_max_pages: the purge runs here
    expect(unpurged()).toBe(0);
    expect(k.kcall(2, 'probe_read64', a)).toBe(BigInt(-EFAULT)); // its TLB was flushed
    expect(check_vmap(vm.vmap)).toEqual([]);
  });

  it('answers bad requests as Linux does and changes nothing', () => {
    const k = u.kernel;
    const vm = k.mm.vmalloc;
    vm.vmap.purge_vmap_area_lazy();
    const before = u.readFile('/proc/vmallocinfo');
    expect(k.on(1, () => vm.vmalloc(0))).toBe(0n);
    expect(u.dmesg()).toMatch(/: vmalloc: allocation failure: 0 bytes, mode:0xcc0\(GFP_KERNEL\), nodemask=\(null\)/);
    expect(k.on(1, () => vm.vmalloc(2 ** 40))).toBe(0n);
    expect(u.dmesg()).toMatch(/vmalloc: allocation failure: 1099511627776 bytes/);
    k.on(1, () => vm.vfree(VMALLOC_START + 0x4000_0000n));
    expect(u.dmesg()).toMatch(/Trying to vfree\(\) nonexistent vm area \(ffffffc050000000\)/);
    const a = k.on(1, () => vm.vmalloc(4096));
    k.on(1, () => vm.vfree(a));
    const lines = u.kernel.log.lines.length;
    k.on(1, () => vm.vfree(a)); // double vfree
    expect(u.kernel.log.lines.length).toBe(lines + 1);
    expect(u.dmesg()).toMatch(new RegExp(`Trying to vfree\\(\\) nonexistent vm area \\(${a.toString(16)}\\)`));
    expect(k.on(1, () => vm.__vmalloc_node_range(4096, 3, VMALLOC_START, VMALLOC_END, 0xcc0, 0, 'bad_align'))).toBe(0n);
    vm.vmap.purge_vmap_area_lazy();
    expect(u.readFile('/proc/vmallocinfo')).toBe(before.replace(/^.*unpurged vm_area\n/gm, ''));
    expect(check_vmap(vm.vmap)).toEqual([]);
  });

  it('vmap maps given pages; vunmap leaves them to their owner', () => {
    const k = u.kernel;
    const vm = k.mm.vmalloc;
    const pfns = k.on(3, () => [k.mm.pgalloc.alloc_page(0xcc0)!, k.mm.pgalloc.alloc_page(0xcc0)!]);
    u.machine.ram.setU64(pfns[1]! * 4096, 0x5151n);
    const addr = k.on(3, () => vm.vmap_pages(pfns, 'test_vmap'));
    expect(k.kcall(0, 'probe_read64', addr + 4096n)).toBe(0x5151n);
    expect(u.readFile('/proc/vmallocinfo')).toMatch(/test_vmap vmap\n/);
    k.on(3, () => vm.vunmap(addr));
    expect(k.arch.kmem.translate(addr + 4096n)).toBeUndefined();
    expect(u.machine.ram.u64(pfns[1]! * 4096)).toBe(0x5151n);
    k.on(3, () => pfns.forEach((p) => k.mm.pgalloc.__free_pages(p, 0)));
  });
});

describe('vmap_allocator= chooses the allocator', () => {
  it('list (the one the seed replaced) serves the same lowest-first addresses for the same requests', async () => {
    const seq = async (cmdline: string): Promise<bigint[]> =>
      withUconsole({ ram: '1G', cmdline }, (v) => {
        const k = v.kernel;
        expect(k.mm.vmalloc.vmap.kind).toBe(cmdline.includes('list') ? 'list' : 'augment');
        return k.on(0, () => {
          const got = [1, 5, 2, 9, 3].map((n) => k.mm.vmalloc.vmalloc(n * 4096));
          k.mm.vmalloc.vfree(got[1]!);
          k.mm.vmalloc.vmap.purge_vmap_area_lazy();
          got.push(k.mm.vmalloc.vmalloc(4 * 4096), k.mm.vmalloc.vmalloc(2 * 4096));
          return got;
        });
      });
    expect(await seq('console=ttyAMA0 vmap_allocator=list')).toEqual(await seq('console=ttyAMA0 vmap_allocator=augment'));
  });
});

describe('fault injection at vmalloc\'s allocation sites', () => {
  it.each(['vmap_area', 'page'] as const)('a failing %s allocation: NULL, the warning, nothing leaked', async (site) => {
    await withUconsole({ ram: '1G' }, (v) => {
      const k = v.kernel;
      const vm = k.mm.vmalloc;
      const pgalloc = k.mm.pgalloc;
      k.on(0, () => vm.vfree(vm.vmalloc(16 * 4096))); // page tables for the range exist from here on
      vm.vmap.purge_vmap_area_lazy();
      k.on(0, () => pgalloc.drain_all_pages());
      const free = pgalloc.nr_free_pages();
      const nodes = vm.vmap.backend.cache.active;
      const info = v.readFile('/proc/vmallocinfo');
      // Fail the n-th allocation at the site, for n = 1..4: the later ones fail halfway through an area's pages.
      for (let nth = 1; nth <= 4; nth++) {
        let calls = 0;
        vm.faults[site] = () => ++calls === nth;
        const addr = k.on(0, () => vm.vmalloc(3 * 4096, 'faulty'));
        vm.faults[site] = undefined;
        // One node per vmalloc (the NE spare is preloaded beforehand), three pages: later calls never reach the site.
        if (nth > (site === 'page' ? 3 : 1)) {
          expect(addr).not.toBe(0n);
          k.on(0, () => vm.vfree(addr));
          continue;
        }
        expect(addr).toBe(0n);
        expect(v.dmesg()).toMatch(/vmalloc: allocation failure: 12288 bytes/);
      }
      vm.vmap.purge_vmap_area_lazy();
      k.on(0, () => pgalloc.drain_all_pages());
      expect(pgalloc.nr_free_pages()).toBe(free);
      expect(vm.vmap.backend.cache.active).toBe(nodes);
      expect(v.readFile('/proc/vmallocinfo')).toBe(info);
      expect(check_vmap(vm.vmap)).toEqual([]);
    });
  });
});
