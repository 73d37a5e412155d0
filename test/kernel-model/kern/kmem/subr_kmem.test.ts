import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkModel } from '../../../helpers/model-check';
import { FixedCpu, KernelDiagnostic } from '../../../../kernel-model/kern/diagnostic';
import { kmem_alloc, kmem_caches, kmem_free, kmem_init, kmem_reap, kmem_zalloc, KM_NOSLEEP, KM_SLEEP, type Kmem, type KmemOptions } from '../../../../kernel-model/kern/kmem/subr_kmem';
import { kmem_check, KmemOracle } from '../../../../kernel-model/kern/kmem/kmem_check';
import { vmem_busy_tags } from '../../../../kernel-model/kern/vmem/vmem_impl';
import { vmem_create, vmem_xalloc, vmem_xfree, VM_INSTANTFIT, VM_NOSLEEP, type VmemArena } from '../../../../kernel-model/kern/vmem/subr_vmem';

/** kmem over a kernel-VA-like page arena; `fail` makes the backend run dry. */
function setup(o: Partial<KmemOptions> & { pages?: number } = {}) {
  const kva = vmem_create({ name: 'kernel_va', base: 0x10000000 /* an offset into kernel VA */, size: (o.pages ?? 256) * 4096, quantum: 4096 });
  const fail = { now: false };
  const ctx = new FixedCpu(4);
  const lines: string[] = [];
  const km = kmem_init({
    ctx,
    printf: (l) => lines.push(l),
    backend: {
      alloc: (size) => (fail.now ? null : vmem_xalloc(kva, size, 0, 0, 0, 0, 0, VM_NOSLEEP | VM_INSTANTFIT)),
      free: (addr, size) => vmem_xfree(kva, addr, size),
    },
    ...o,
  });
  return { km, kva, fail, ctx, lines };
}

const busySizes = (vm: VmemArena): number[] => [...vmem_busy_tags(vm)].map((bt) => bt.bt_size).sort((a, b) => a - b);

describe('kmem_init', () => {
  it('LP64 (quantum 8): quantum caches up to 256, mid-size caches kmem-512 ... kmem-4096', () => {
    const { km } = setup();
    expect(km.kmem_arena.vm_qcache_max).toBe(256);
    expect(km.kmem_cache_min).toBe(512);
    expect(km.kmem_cache.filter(Boolean).map((pc) => pc!.pc_pool.pr_wchan)).toEqual([512, 1024, 1536, 2048, 2560, 3072, 3584, 4096].map((s) => `kmem-${s}`));
  });

  it('quantum 4 (i386): quantum caches up to 128, sixteen caches from 256', () => {
    const { km } = setup({ quantum: 4 });
    expect(km.kmem_arena.vm_qcache_max).toBe(128);
    expect(km.kmem_cache.filter(Boolean)).toHaveLength(16);
    expect(km.kmem_cache[1]!.pc_pool.pr_wchan).toBe('kmem-256');
  });
});

describe('size bands, kmem_midcache on and off', () => {
  it('on: tiny -> quantum cache, between -> arena, mid -> kmem-<sz>, large -> arena', () => {
    const { km } = setup();
    const tiny = kmem_alloc(km, 100, KM_NOSLEEP)!;
    expect(km.kmem_arena.vm_qcache[12]!.qc_cache.pc_pool.pr_nout).toBe(1); // 104 bytes: the 13th quantum size
    const between = kmem_alloc(km, 300, KM_NOSLEEP)!;
    const mid = kmem_alloc(km, 600, KM_NOSLEEP)!;
    expect(km.kmem_cache[2]!.pc_pool.pr_nout).toBe(1); // kmem-1024
    const large = kmem_alloc(km, 5000, KM_NOSLEEP)!;
    // busy segments: the qcache page (1024), the 300 (304), the kmem-1024 object, the 5000 (5000)
    expect(busySizes(km.kmem_arena)).toEqual([304, 1024, 1024, 5000]);
    for (const [p, s] of [[tiny, 100], [between, 300], [mid, 600], [large, 5000]] as const) kmem_free(km, p, s);
    expect(kmem_check(km)).toEqual([]);
  });

  it('off: mid sizes take vmem_alloc as before the patch', () => {
    const { km } = setup({ midcache: false });
    expect(km.kmem_cache.filter(Boolean)).toEqual([]);
    const mid = kmem_alloc(km, 600, KM_NOSLEEP)!;
    expect(busySizes(km.kmem_arena)).toEqual([600]);
    kmem_free(km, mid, 600);
    expect(km.kmem_arena.vm_inuse).toBe(0);
    expect(kmem_check(km)).toEqual([]);
  });

  it('on: a freed mid-size object is reused from the CPU magazine without touching the arena', () => {
    const { km } = setup();
    const a = kmem_alloc(km, 2000, KM_NOSLEEP)!;
    kmem_free(km, a, 2000);
    const busy = km.kmem_arena.vm_nbusytag;
    expect(kmem_alloc(km, 2000, KM_NOSLEEP)).toBe(a);
    expect(km.kmem_arena.vm_nbusytag).toBe(busy);
    expect(km.kmem_cache[4]!.pc_cpus[0]!.cc_hits).toBe(2);
  });

  it('kmem_reap gives everything idle back to the backend', () => {
    const { km, kva } = setup();
    const ps = [10, 200, 700, 3000, 9000].map((s) => [kmem_alloc(km, s, KM_NOSLEEP)!, s] as const);
    for (const [p, s] of ps) kmem_free(km, p, s);
    kmem_reap(km);
    expect(km.kmem_arena.vm_size).toBe(0);
    expect(kva.vm_inuse).toBe(0);
    expect(kmem_check(km)).toEqual([]);
  });
});

describe('the debug size check (KMEM_SIZE)', () => {
  it('objects carry a SIZE_SIZE header: the pointer moves up by max(quantum, 8)', () => {
    const { km } = setup({ debug: true });
    const p = kmem_alloc(km, 24, KM_NOSLEEP)!;
    expect(km.headers.get(p - 8)).toBe(24);
    kmem_free(km, p, 24);
    expect(kmem_check(km)).toEqual([]);
  });

  it('a free with the wrong size: both sizes and the caller, the object stays allocated', () => {
    const { km } = setup({ debug: true });
    const p = kmem_alloc(km, 600, KM_NOSLEEP)!;
    const nout = km.kmem_cache.map((pc) => pc?.pc_pool.pr_nout);
    function freeWrongSize(): void {
      kmem_free(km, p, 300);
    }
    let msg = '';
    try {
      freeWrongSize();
    } catch (e) {
      expect(e).toBeInstanceOf(KernelDiagnostic);
      msg = (e as Error).message;
    }
    expect(msg).toBe(`panic: kmem_free(0x${p.toString(16)}, 300) != allocated size 600 (caller freeWrongSize)`);
    expect(km.kmem_cache.map((pc) => pc?.pc_pool.pr_nout)).toEqual(nout);
    expect(kmem_check(km)).toEqual([]);
    kmem_free(km, p, 600);
    expect(kmem_check(km)).toEqual([]);
  });

  it('a free of something never allocated, and a double free', () => {
    const { km } = setup({ debug: true });
    expect(() => kmem_free(km, 0x1000, 64)).toThrow(/^panic: kmem_free\(0x1000, 64\): not allocated \(caller /);
    const p = kmem_alloc(km, 64, KM_NOSLEEP)!;
    kmem_free(km, p, 64);
    expect(() => kmem_free(km, p, 64)).toThrow(new RegExp(`^panic: kmem_free\\(0x${p.toString(16)}, 64\\): not allocated`));
    expect(kmem_check(km)).toEqual([]);
  });
});

describe('kmem bad input', () => {
  it('kmem_alloc(0)', () => {
    const { km } = setup();
    expect(() => kmem_alloc(km, 0, KM_SLEEP)).toThrow(new KernelDiagnostic('panic: kernel diagnostic assertion "size > 0" failed: file "subr_kmem.c" kmem_alloc(0)'));
  });

  it('without debug, a large free of a wrong address is caught by vmem', () => {
    const { km } = setup();
    expect(() => kmem_free(km, 0x1000, 8192)).toThrow(/^panic: kernel diagnostic assertion "bt != NULL" failed: file "subr_vmem.c" vmem kmem addr 0x1000 size 0x2000$/);
    expect(kmem_check(km)).toEqual([]);
  });

  it('more than the backend has: KM_NOSLEEP null, KM_SLEEP says it cannot sleep here, nothing leaks', () => {
    const { km, kva, lines, fail } = setup({ pages: 4 });
    expect(kmem_alloc(km, 5 * 4096, KM_NOSLEEP)).toBeNull();
    expect(lines).toEqual([]);
    expect(kmem_alloc(km, 5 * 4096, KM_SLEEP)).toBeNull();
    expect(lines).toEqual(['vmem_xalloc: kmem: out of memory and cannot sleep here (not in a kernel thread; kmem_alloc_sleep waits); failing as NOSLEEP']);
    fail.now = true;
    expect(kmem_alloc(km, 1000, KM_NOSLEEP)).toBeNull(); // mid-size cache: its pool cannot grow
    expect(kmem_alloc(km, 10, KM_NOSLEEP)).toBeNull(); // quantum cache: no page
    expect(kva.vm_inuse).toBe(0);
    expect(kmem_check(km)).toEqual([]);
  });

  it('no magazine for a free: the object goes back through the pool, nothing leaks', () => {
    let failMag = true;
    const { km, kva } = setup({ pcgFail: () => failMag });
    const ps = [16, 1000].map((s) => [kmem_alloc(km, s, KM_NOSLEEP)!, s] as const);
    for (const [p, s] of ps) kmem_free(km, p, s);
    for (const pc of kmem_caches(km)) expect(pc.pc_ngroups).toBe(0);
    expect(km.kmem_cache[2]!.pc_pool.pr_nout).toBe(0);
    failMag = false;
    kmem_reap(km);
    expect(kva.vm_inuse).toBe(0);
    expect(kmem_check(km)).toEqual([]);
  });

  it('kmem_zalloc needs memory to zero', () => {
    const { km } = setup();
    expect(() => kmem_zalloc(km, 10, KM_SLEEP)).toThrow(/kmem has no memory to zero yet/);
    const zeroed: [number, number][] = [];
    const k2 = setup({ memset: (a, _c, n) => zeroed.push([a, n]) }).km;
    const p = kmem_zalloc(k2, 10, KM_SLEEP)!;
    expect(zeroed).toEqual([[p, 10]]);
  });
});

type Cmd = { op: 'alloc'; size: number; cpu: number } | { op: 'free'; pick: number; cpu: number } | { op: 'reap' };

const sizes = fc.oneof(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 257, max: 4096 }), fc.integer({ min: 4097, max: 20000 }));

for (const midcache of [true, false]) {
  describe(`kmem property test, midcache ${midcache ? 'on' : 'off'}, debug on`, () => {
    it('live objects never overlap, the checker holds, and everything goes back', () => {
      checkModel<{ km: Kmem; kva: VmemArena; ctx: FixedCpu; oracle: KmemOracle }, Cmd>(
        {
          setup: () => {
            const { km, kva, ctx } = setup({ midcache, debug: true, pages: 128 });
            return { km, kva, ctx, oracle: new KmemOracle(8) };
          },
          command: fc.oneof(
            { weight: 6, arbitrary: fc.record({ op: fc.constant('alloc' as const), size: sizes, cpu: fc.integer({ min: 0, max: 3 }) }) },
            { weight: 5, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat(), cpu: fc.integer({ min: 0, max: 3 }) }) },
            { weight: 1, arbitrary: fc.constant({ op: 'reap' as const }) },
          ),
          step: ({ km, ctx, oracle }, c) => {
            if (c.op === 'reap') return kmem_reap(km);
            ctx.cpu = c.cpu;
            if (c.op === 'alloc') {
              const p = kmem_alloc(km, c.size, KM_NOSLEEP);
              if (p !== null) expect(oracle.alloc(p, c.size)).toBeNull();
            } else {
              const live = [...oracle.live];
              if (!live.length) return;
              const [p, s] = live[c.pick % live.length]!;
              kmem_free(km, p, s);
              oracle.free(p);
            }
          },
          check: ({ km }) => kmem_check(km),
          teardown: ({ km, kva, oracle }) => {
            for (const [p, s] of [...oracle.live]) {
              kmem_free(km, p, s);
              oracle.free(p);
            }
            kmem_reap(km);
            expect(km.kmem_arena.vm_size).toBe(0);
            expect(kva.vm_inuse).toBe(0);
            expect(km.headers.get(0)).toBeUndefined();
          },
        },
        { numRuns: 60, maxLength: 150, seed: midcache ? 31 : 32 },
      );
    });
  });
}
