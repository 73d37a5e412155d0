// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { withUconsole } from '../../../helpers/boot';
import type { Uconsole } from '../../../../api/uconsole';
import { KM_NOSLEEP, KM_SLEEP } from '../../../../kernel-model/kern/kmem/kmem_kernel';
import { kmem_caches, kmem_cache_lookup } from '../../../../kernel-model/kern/kmem/subr_kmem';
import { kmem_check } from '../../../../kernel-model/kern/kmem/kmem_check';
import { kthread_run } from '../../../../kernel-model/kernel/kthread';
import { PAGE_OFFSET } from '../../../../kernel-model/arch/arm64/memory';

const BOOT = { ram: '1G' };

function clean(u: Uconsole): void {
  expect(kmem_check(u.kernel.mm.kmem.km)).toEqual([]);
}

describe('kmem on the booted uConsole', () => {
  it('hands out guest memory that ARM64 code on every core reads and writes', async () => {
    await withUconsole(BOOT, (u) => {
      const k = u.kernel;
      const km = k.mm.kmem;
      for (const size of [8, 200, 512, 4096, 6000, 40000]) {
        for (const c of u.machine.cores) {
          const p = k.on(c.index, () => km.kmem_alloc(size, KM_NOSLEEP));
          expect(p >= PAGE_OFFSET).toBe(true);
          expect(k.kcall(c.index, 'probe_write64', p + BigInt(size - 8 - ((size - 8) % 8)), 0x1234n + BigInt(size))).toBe(0n);
          expect(k.arch.kmem.read(p + BigInt(size - 8 - ((size - 8) % 8)), 1)[0]).toBe((0x34 + size) & 0xff);
          k.on(c.index, () => km.kmem_free(p, size));
        }
      }
      // 40000 bytes: a span of 10 pages, from vmalloc space; 4 pages and less from the linear map.
      expect(km.vmallocPages + km.linearPages).toBeGreaterThan(0);
      clean(u);
    });
  });

  it('per-CPU caches: each core touches only its own pool_cache_cpu, which ARM64 reads through TPIDR_EL1', async () => {
    await withUconsole(BOOT, (u) => {
      const k = u.kernel;
      const km = k.mm.kmem;
      const pc = kmem_cache_lookup(km.km, 512)!;
      const pcc = pc.pc_cpus;
      const ptr = findPcc(u, 'kmem-512');
      const ncpu = u.machine.cores.length;
      for (let cpu = 0; cpu < ncpu; cpu++) {
        const before = pcc.map((cc) => cc.cc_hits);
        const ps = k.on(cpu, () => Array.from({ length: cpu + 3 }, () => km.kmem_alloc(512, KM_NOSLEEP)));
        k.on(cpu, () => ps.forEach((p) => km.kmem_free(p, 512)));
        const after = pcc.map((cc) => cc.cc_hits);
        after.forEach((h, i) => (i === cpu ? expect(h).toBeGreaterThan(before[i]!) : expect(h).toBe(before[i]!)));
        // ARM64: this_cpu_read_8(&pc_cpus->cc_current), then the magazine's pcg_avail.
        const cur = k.kcall(cpu, 'this_cpu_read_8', ptr);
        const avail = Number(BigInt.asUintN(32, k.kcall(cpu, 'probe_read64', cur)));
        expect(avail).toBe(pcc[cpu]!.cc_current.pcg_avail);
        expect(avail).toBe(cpu + 3);
      }
      clean(u);
    });
  });

  it('kmem_midcache=off: mid sizes go to the arena, as before the patch', async () => {
    await withUconsole({ ...BOOT, cmdline: 'console=ttyS2,1500000 kmem_midcache=off' }, (u) => {
      const k = u.kernel;
      const km = k.mm.kmem;
      expect(km.params.midcache).toBe(false);
      expect(kmem_cache_lookup(km.km, 512)).toBeUndefined();
      const busy = km.km.kmem_arena.vm_nbusytag;
      const p = k.on(1, () => km.kmem_alloc(512, KM_NOSLEEP));
      expect(km.km.kmem_arena.vm_nbusytag).toBe(busy + 1);
      k.on(1, () => km.kmem_free(p, 512));
      expect(u.readFile('/proc/kmem')).not.toMatch(/kmem-512/);
      clean(u);
    });
    await withUconsole({ ...BOOT, cmdline: 'console=ttyS2,1500000 kmem_midcache=maybe' }, (u) => {
      expect(u.dmesg()).toMatch(/kmem_midcache=maybe: unknown \(on or off\); using on/);
      expect(u.readFile('/proc/kmem')).toMatch(/^kmem-512 +512 /m);
    });
  });

  it('kmem_debug=1: a free with the wrong size is reported with both sizes and the caller, and the object stays out', async () => {
    await withUconsole({ ...BOOT, cmdline: 'console=ttyS2,1500000 kmem_debug=1' }, (u) => {
      const k = u.kernel;
      const km = k.mm.kmem;
      const p = k.on(0, () => km.kmem_alloc(300, KM_NOSLEEP));
      const hdr = k.arch.kmem.read(p - 8n, 4);
      expect(hdr[0]! | (hdr[1]! << 8)).toBe(300); // KMEM_SIZE header in guest memory
      const out = km.km.kmem_arena.vm_nbusytag + kmem_caches(km.km).reduce((n, pc) => n + pc.pc_pool.pr_nout, 0);
      k.on(0, () => km.kmem_free(p, 1024));
      expect(u.dmesg()).toMatch(new RegExp(`panic: kmem_free\\(0x${p.toString(16)}, 1024\\) != allocated size 300 \\(caller kmem_kernel\\.test\\.ts:\\d+\\)`));
      expect(km.km.kmem_arena.vm_nbusytag + kmem_caches(km.km).reduce((n, pc) => n + pc.pc_pool.pr_nout, 0)).toBe(out);
      k.on(0, () => km.kmem_free(p, 300));
      k.on(0, () => km.kmem_free(p, 300)); // double free
      expect(u.dmesg()).toMatch(/kmem_free\(0x[0-9a-f]+, 300\): not allocated/);
      clean(u);
    });
  });

  it('bad input: kmem_alloc(0), a free of a pointer never allocated: one line each, nothing changed', async () => {
    await withUconsole(BOOT, (u) => {
      const k = u.kernel;
      const km = k.mm.kmem;
      expect(k.on(0, () => km.kmem_alloc(0, KM_NOSLEEP))).toBe(0n);
      expect(k.on(0, () => km.kmem_alloc(64, 0))).toBe(0n);
      expect(k.on(0, () => km.kmem_alloc(2 ** 40, KM_NOSLEEP))).toBe(0n);
      k.on(0, () => km.kmem_free(PAGE_OFFSET + 0x123458n, 8000));
      const d = u.dmesg();
      expect(d).toMatch(/panic: kernel diagnostic assertion "size > 0" failed: file "subr_kmem.c" kmem_alloc\(0\)/);
      expect(d).toMatch(/kmflags 0x0/);
      expect(d).toMatch(/panic: kernel diagnostic assertion "bt != NULL" failed: file "subr_vmem.c" vmem kmem addr 0x123458/);
      clean(u);
    });
  });

  it('fault injection at each site: KM_NOSLEEP gets 0n, nothing leaks', async () => {
    await withUconsole(BOOT, (u) => {
      const k = u.kernel;
      const km = k.mm.kmem;
      const free0 = k.mm.pgalloc.nr_free_pages();
      for (const site of ['import', 'poolPage', 'pcg'] as const) {
        km.faults[site] = () => true;
        const sizes = site === 'pcg' ? [] : site === 'import' ? [16, 512, 20000] : [16, 512];
        for (const size of sizes) expect(k.on(2, () => km.kmem_alloc(size, KM_NOSLEEP)), `${site} ${size}`).toBe(0n);
        if (site === 'pcg') {
          // No magazine: the free goes straight back to the pool.
          const p = k.on(2, () => km.kmem_alloc(1024, KM_NOSLEEP));
          expect(p).not.toBe(0n);
          k.on(2, () => km.kmem_free(p, 1024));
          expect(kmem_cache_lookup(km.km, 1024)!.pc_pool.pr_nout).toBe(0);
        }
        km.faults[site] = undefined;
        clean(u);
      }
      for (const pc of kmem_caches(km.km)) expect(pc.pc_pool.pr_nout, pc.pc_pool.pr_wchan).toBe(0);
      expect(k.mm.pgalloc.nr_free_pages()).toBeGreaterThanOrEqual(free0 - 64); // pages on the pcp lists aside
    });
  });

  it('KM_SLEEP in a kernel thread waits on the kmem wait queue until memory returns', async () => {
    await withUconsole(BOOT, (u) => {
      const k = u.kernel;
      const km = k.mm.kmem;
      let fail = true;
      km.faults.import = () => fail;
      let got = 0n;
      const t = kthread_run(k, function* () {
        got = yield* km.kmem_alloc_sleep(20000);
        return 0;
      }, 1, 'kmem_sleeper');
      k.run(() => t.state === 'blocked');
      expect(k.sched.waiting().join()).toMatch(/kmem_alloc\(20000, KM_SLEEP\)/);
      expect(got).toBe(0n);
      fail = false;
      const p = k.on(0, () => km.kmem_alloc(64, KM_NOSLEEP));
      k.on(0, () => km.kmem_free(p, 64)); // a free wakes the sleeper
      k.run(() => t.state === 'dead');
      expect(got).not.toBe(0n);
      k.on(1, () => km.kmem_free(got, 20000));
      expect(k.on(0, () => km.kmem_alloc(64, KM_SLEEP))).not.toBe(0n);
      clean(u);
    });
  });

  it('/proc/kmem prints vmstat -m and vmstat -C', async () => {
    await withUconsole(BOOT, (u) => {
      const p = u.kernel.on(0, () => u.kernel.mm.kmem.kmem_alloc(16, KM_NOSLEEP));
      u.kernel.on(0, () => u.kernel.mm.kmem.kmem_free(p, 16));
      const s = u.readFile('/proc/kmem');
      expect(s).toMatch(/^Memory resource pool statistics\nName +Size Requests Fail Releases Pgreq Pgrel Npage Hiwat Minpg Maxpg Idle\n/);
      expect(s).toMatch(/\nPool cache statistics.\nName +Spin GrpSz Full Emty PoolLayer CacheLayer Hit% CpuLayer Hit%\n/);
      expect(s).toMatch(/^kmem-8 +8 /m);
      expect(s).toMatch(/^pcg15 +128 /m);
    });
  });
});

/** The __percpu pointer of a cache's pool_cache_cpu. */
function findPcc(u: Uconsole, name: string): bigint {
  const ptr = u.kernel.mm.kmem.percpuPointer(name);
  expect(ptr).toBeDefined();
  return ptr!;
}
