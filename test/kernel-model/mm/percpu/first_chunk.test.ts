import { describe, expect, it } from 'vitest';
import { withUconsole } from '../../../helpers/boot';
import { pcpu_build_alloc_info, percpu_boot_lines } from '../../../../kernel-model/mm/percpu/first_chunk';
import { PAGE_OFFSET } from '../../../../kernel-model/arch/arm64/memory';
import type { Uconsole } from '../../../../api/uconsole';

/** A counter of /sys/kernel/debug/percpu_stats. */
function stat(u: Uconsole, name: string): number {
  const m = u.readFile('/sys/kernel/debug/percpu_stats').match(new RegExp(`${name} +: +(\\d+)\n`));
  return Number(m![1]);
}

/**
 * 1 KiB areas the first chunk's dynamic area still holds after boot: the
 * page allocator's pagesets and the kernel's object caches' 32-byte
 * pool_cache_cpus took the rest (boot allocations sit at its start).
 */
function firstChunkKiB(u: Uconsole): number {
  return Math.floor(u.kernel.percpu!.first.freeBytes() / 1024);
}

/** Pages the kernel's object allocators hold (slabs, kmalloc'ed pages, magazine pools). */
function objectPages(u: Uconsole): number {
  const slab = u.kernel.slab!;
  const pcg = u.kernel.mm.kmem.pools().filter((pp) => pp.pr_wchan.startsWith('pcg'));
  return slab.nr_slab_unreclaimable + slab.nr_slab_reclaimable + slab.nr_large_pages + pcg.reduce((n, pp) => n + pp.pr_npages, 0);
}

describe('the embedded first chunk\'s geometry (pcpu_build_alloc_info)', () => {
  it('gives the figures of a real boot for the same static size (Debian 6.1 on a CM4: s87272 r8192)', () => {
    const ai = pcpu_build_alloc_info(87272, 8192, 28 << 10, 4096, 4);
    expect(percpu_boot_lines(ai, 4)).toEqual([
      'percpu: Embedded 31 pages/cpu s87272 r8192 d31512 u126976',
      'pcpu-alloc: s87272 r8192 d31512 u126976 alloc=31*4096',
      'pcpu-alloc: [0] 0 [0] 1 [0] 2 [0] 3 ',
    ]);
  });

  it('keeps at least 32 KiB per unit and fills the last page with dynamic space', () => {
    const ai = pcpu_build_alloc_info(64, 8192, 28 << 10, 4096, 6);
    expect([ai.unit_size, ai.dyn_size, ai.upa, ai.nr_units]).toEqual([40960, 40960 - 64 - 8192, 1, 6]);
    expect(pcpu_build_alloc_info(64, 0, 0, 4096, 4).unit_size).toBe(32768);
  });
});

describe.each(['bitmap', 'area'])('percpu on the booted uConsole (percpu_alloc_map=%s)', (map) => {
  it('prints Linux\'s lines, and alloc_percpu memory is one copy per CPU that each core reaches through TPIDR_EL1', async () => {
    await withUconsole({ board: 'uconsole-a06', ram: '2G', cmdline: `console=ttyS2,1500000 percpu_alloc_map=${map}` }, (u) => {
      const k = u.kernel;
      const pc = k.percpu!;
      const [allocs, deallocs] = [stat(u, 'nr_alloc'), stat(u, 'nr_dealloc')];
      expect(pc.kind).toBe(map);
      expect(u.dmesg()).toMatch(/percpu: Embedded 10 pages\/cpu s896 r8192 d31872 u40960\n.*pcpu-alloc: s896 r8192 d31872 u40960 alloc=10\*4096\n.*pcpu-alloc: \[0\] 0 \[0\] 1 \[0\] 2 \[0\] 3 \[0\] 4 \[0\] 5 \n/);
      for (const [size, n] of [[1, 1], [2, 2], [4, 4], [8, 8]] as const) {
        const ptr = pc.__alloc_percpu(size, size);
        expect(ptr).not.toBe(0n);
        for (const c of u.machine.cores) {
          const p = pc.per_cpu_ptr(ptr, c.index);
          expect(p >= PAGE_OFFSET).toBe(true);
          k.arch.kmem.write(p, new Uint8Array(size).fill(0)); // a fresh allocation may hold an old value, as in Linux
          k.kcall(c.index, `this_cpu_write_${n}`, ptr, 10 + c.index);
          k.kcall(c.index, `this_cpu_add_${n}`, ptr, 5);
          k.kcall(c.index, `this_cpu_inc_${n}`, ptr);
        }
        for (const c of u.machine.cores) {
          expect(k.kcall(c.index, `this_cpu_read_${n}`, ptr)).toBe(BigInt(16 + c.index));
          expect(k.arch.kmem.read(pc.per_cpu_ptr(ptr, c.index), 1)[0]).toBe(16 + c.index); // little endian
        }
        pc.free_percpu(ptr);
      }
      expect([stat(u, 'nr_alloc'), stat(u, 'nr_dealloc')]).toEqual([allocs + 4, deallocs + 4]);
    });
  });
});

describe('percpu bad input', () => {
  it('illegal requests and a full first chunk fail with Linux\'s warnings; nothing changes', async () => {
    await withUconsole({ ram: '1G' }, (u) => {
      const pc = u.kernel.percpu!;
      expect(u.kernel.on(0, () => pc.__alloc_percpu(0, 4))).toBe(0n);
      expect(u.kernel.on(0, () => pc.__alloc_percpu(8, 12))).toBe(0n); // (an align below 4 is raised to 4 first, as in Linux)
      expect(u.dmesg()).toMatch(/illegal size \(0\) or align \(4\) for percpu allocation/);
      expect(u.dmesg()).toMatch(/illegal size \(8\) or align \(12\) for percpu allocation/);
      const got: bigint[] = [];
      const k = u.kernel;
      const room = firstChunkKiB(u);
      k.mm.vmalloc.faults.vmap_area = () => true; // no vmalloc range for a second chunk
      k.on(0, () => {
        for (;;) {
          const p = pc.__alloc_percpu(1024, 8);
          if (p === 0n) break;
          got.push(p);
        }
      });
      k.mm.vmalloc.faults.vmap_area = undefined;
      expect(got.length).toBe(room); // 32704 dynamic bytes hold 31 of them, less what boot took
      expect(room).toBeGreaterThanOrEqual(28);
      expect(u.dmesg()).toMatch(/percpu: allocation failed, size=1024 align=8 atomic=0, failed to allocate new chunk/);
      for (const p of got) pc.free_percpu(p);
      expect(pc.__alloc_percpu(1024, 8)).not.toBe(0n);
    });
  });
});

describe('chunks after the first', () => {
  it('come from vmalloc, populated as allocations reach their pages, and every core reaches its own copy', async () => {
    await withUconsole({ ram: '1G' }, (u) => {
      const k = u.kernel;
      const pc = k.percpu!;
      const vm = k.mm.vmalloc;
      const ptrs: bigint[] = [];
      const bootAllocs = stat(u, 'nr_cur_alloc');
      k.on(0, () => {
        for (let i = 0; i < 100; i++) ptrs.push(pc.__alloc_percpu(1024, 8)); // 100 KiB per CPU: four chunks
      });
      expect(ptrs.every((p) => p !== 0n)).toBe(true);
      expect(new Set(ptrs).size).toBe(100);
      expect(u.readFile('/proc/vmallocinfo')).toMatch(/pcpu_get_vm_areas/);
      const last = ptrs[99]!;
      const p0 = pc.per_cpu_ptr(last, 0);
      expect(vm.is_vmalloc_addr(p0)).toBe(true);
      for (const c of u.machine.cores) {
        expect(k.kcall(c.index, 'this_cpu_read_8', last)).toBe(0n); // zeroed in every copy
        k.kcall(c.index, 'this_cpu_write_8', last, 0x100 + c.index);
      }
      for (const c of u.machine.cores) expect(k.arch.kmem.read64(pc.per_cpu_ptr(last, c.index))).toBe(BigInt(0x100 + c.index));
      expect(pc.vmChunks).toBeGreaterThanOrEqual(2); // 31 + 40 + 40 KiB, and whatever the balance work added ahead
      k.on(0, () => ptrs.forEach((p) => pc.free_percpu(p)));
      expect(stat(u, 'nr_cur_alloc')).toBe(bootAllocs);
      // Freeing emptied chunks: the balance work (a kworker) destroys all empty chunks but one.
      expect(pc.balancePending).toBe(true);
      const runs = pc.balanceRuns;
      k.run(() => !pc.balancePending);
      expect(pc.balanceRuns).toBeGreaterThan(runs);
      expect(pc.vmChunks).toBeLessThanOrEqual(1);
      expect((u.readFile('/proc/vmallocinfo').match(/pcpu_get_vm_areas/g) ?? []).length).toBeLessThanOrEqual(1);
    });
  });
});

describe('percpu fault injection', () => {
  it.each(['chunk', 'page', 'metadata'] as const)('a failing %s allocation: NULL and the warning, nothing leaked', async (site) => {
    await withUconsole({ ram: '1G' }, (u) => {
      const k = u.kernel;
      const pc = k.percpu!;
      const pgalloc = k.mm.pgalloc;
      const bootAllocs = stat(u, 'nr_cur_alloc');
      const first = k.on(0, () => Array.from({ length: firstChunkKiB(u) }, () => pc.__alloc_percpu(1024, 8))); // the first chunk, full
      expect(first.every((p) => p !== 0n)).toBe(true);
      k.on(0, () => pgalloc.drain_all_pages());
      const free = pgalloc.nr_free_pages() + objectPages(u);
      const info = u.readFile('/proc/vmallocinfo');
      const meta = pc.meta.bytes;
      if (site === 'chunk') k.mm.vmalloc.faults.vmap_area = () => true;
      if (site === 'page') k.mm.vmalloc.faults.page = () => true;
      if (site === 'metadata') pc.meta.failAfter = 0;
      expect(k.on(0, () => pc.__alloc_percpu(1024, 8))).toBe(0n);
      k.mm.vmalloc.faults.vmap_area = undefined;
      k.mm.vmalloc.faults.page = undefined;
      pc.meta.failAfter = -1;
      expect(u.dmesg()).toMatch(/percpu: allocation failed, size=1024 align=8 atomic=0, (failed to allocate new chunk|failed to populate)/);
      k.mm.vmalloc.purge();
      k.on(0, () => pgalloc.drain_all_pages());
      expect(pgalloc.nr_free_pages() + objectPages(u)).toBe(free); // no page kept but the caches' (a chunk's metadata is slab memory)
      if (site === 'page') {
        expect(pc.vmChunks).toBe(1); // the new chunk stays, empty and unpopulated, as Linux keeps it
      } else {
        expect(u.readFile('/proc/vmallocinfo').replace(/^.*unpurged vm_area\n/gm, '')).toBe(info);
        expect(pc.meta.bytes).toBe(meta);
      }
      k.on(0, () => first.forEach((p) => pc.free_percpu(p)));
      expect(stat(u, 'nr_cur_alloc')).toBe(bootAllocs);
    });
  });

  it('free_percpu of a foreign pointer, or twice, warns and changes nothing', async () => {
    await withUconsole({ ram: '1G' }, (u) => {
      const k = u.kernel;
      const pc = k.percpu!;
      const p = k.on(0, () => pc.__alloc_percpu(64, 8));
      k.on(0, () => pc.free_percpu(p));
      const stats = u.readFile('/sys/kernel/debug/percpu_stats');
      const lines = u.kernel.log.lines.length;
      k.on(0, () => pc.free_percpu(p)); // twice
      k.on(0, () => pc.free_percpu(0x1234n)); // not from the allocator
      expect(u.kernel.log.lines.length).toBeGreaterThanOrEqual(lines + 2);
      expect(u.dmesg()).toMatch(/percpu: free_percpu of 0x1234, which no chunk holds/);
      expect(u.readFile('/sys/kernel/debug/percpu_stats')).toBe(stats);
    });
  });
});
