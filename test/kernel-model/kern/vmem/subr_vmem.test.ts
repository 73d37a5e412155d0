import { describe, expect, it } from 'vitest';
import { FixedCpu, KernelDiagnostic } from '../../../../kernel-model/kern/diagnostic';
import {
  vmem_add,
  vmem_alloc,
  vmem_create,
  vmem_destroy,
  vmem_free,
  vmem_reap,
  vmem_xalloc,
  vmem_xfree,
  VM_BESTFIT,
  VM_INSTANTFIT,
  VM_NOSLEEP,
  VM_SLEEP,
  type VmemArena,
} from '../../../../kernel-model/kern/vmem/subr_vmem';
import { vmem_check } from '../../../../kernel-model/kern/vmem/vmem_check';
import { qc_poolpage_size } from '../../../../kernel-model/kern/vmem/qcache';
import { vmem_segments, BT_TYPE_NAMES } from '../../../../kernel-model/kern/vmem/vmem_impl';

const NS = VM_NOSLEEP | VM_INSTANTFIT;
const NSB = VM_NOSLEEP | VM_BESTFIT;

function dump(vm: VmemArena): string[] {
  return [...vmem_segments(vm)].map((bt) => `${BT_TYPE_NAMES[bt.bt_type]} ${bt.bt_start}+${bt.bt_size}`);
}

describe('vmem arena basics', () => {
  it('allocates from the span start, splits, coalesces on free', () => {
    const vm = vmem_create({ name: 'test', base: 0x1000, size: 0x1000, quantum: 16 });
    const a = vmem_alloc(vm, 100, NS)!; // rounded to 112
    const b = vmem_alloc(vm, 32, NS)!;
    expect(a).toBe(0x1000);
    expect(b).toBe(0x1000 + 112);
    expect(vm.vm_inuse).toBe(144);
    expect(vmem_check(vm)).toEqual([]);
    vmem_free(vm, a, 100);
    vmem_free(vm, b, 32);
    expect(dump(vm)).toEqual(['static span 4096+4096', 'free 4096+4096']);
    expect(vmem_check(vm)).toEqual([]);
  });

  it('manages address 0 (failure is null, not 0)', () => {
    const vm = vmem_create({ name: 'zero', base: 0, size: 64, quantum: 1 });
    expect(vmem_alloc(vm, 64, NS)).toBe(0);
    expect(vmem_alloc(vm, 1, NS)).toBeNull();
    vmem_free(vm, 0, 64);
    expect(vmem_check(vm)).toEqual([]);
  });

  it('keeps spans added out of order in address order and never merges across spans', () => {
    const vm = vmem_create({ name: 'spans', quantum: 1 });
    vmem_add(vm, 200, 100, VM_SLEEP);
    vmem_add(vm, 100, 100, VM_SLEEP);
    expect(dump(vm)).toEqual(['static span 100+100', 'free 100+100', 'static span 200+100', 'free 200+100']);
    expect(vmem_alloc(vm, 150, NS)).toBeNull();
    expect(vmem_check(vm)).toEqual([]);
  });

  it('works with addresses above 2^32 (offsets in the 39-bit kernel VA range)', () => {
    const base = 0x40_0000_0000;
    const vm = vmem_create({ name: 'kva', base, size: 2 ** 30, quantum: 4096 });
    const a = vmem_xalloc(vm, 8192, 2 ** 21, 4096, 0, 0, 0, NSB)!;
    expect(a).toBe(base + 4096);
    vmem_xfree(vm, a, 8192);
    expect(vmem_check(vm)).toEqual([]);
  });

  it('grows the busy-tag hash as segments are allocated, and finds every one', () => {
    const vm = vmem_create({ name: 'many', base: 0, size: 1 << 20, quantum: 16 });
    const addrs = Array.from({ length: 1000 }, (_, i) => vmem_xalloc(vm, 16 * (1 + (i % 5)), 0, 0, 0, 0, 0, NS)!);
    expect(vm.vm_hashlist.length).toBeGreaterThanOrEqual(500);
    expect(vmem_check(vm)).toEqual([]);
    addrs.forEach((a, i) => vmem_xfree(vm, a, 16 * (1 + (i % 5))));
    expect(dump(vm)).toEqual(['static span 0+1048576', 'free 0+1048576']);
    expect(vmem_check(vm)).toEqual([]);
  });

  it('refuses spans whose addresses a number cannot hold exactly', () => {
    const vm = vmem_create({ name: 'big', quantum: 4096 });
    expect(() => vmem_add(vm, 0xffffff8000000000, 4096, VM_SLEEP)).toThrow(/span 0xffffff8000000000\+0x1000 is not exact in a number$/);
    expect(vmem_check(vm)).toEqual([]);
  });
});

describe('vmem_xalloc constraints', () => {
  it('20 bytes, 8 past a 64-byte boundary, in [200, 300) and [201, 300)', () => {
    const vm = vmem_create({ name: 'x', base: 0, size: 1000, quantum: 1 });
    expect(vmem_xalloc(vm, 20, 64, 8, 0, 200, 300, NSB)).toBe(200); // 3 * 64 + 8
    expect(vmem_xalloc(vm, 20, 64, 8, 0, 201, 300, NSB)).toBe(264);
    expect(vmem_xalloc(vm, 20, 64, 8, 0, 201, 300, NSB)).toBeNull();
    expect(vmem_check(vm)).toEqual([]);
  });

  it('nocross moves the segment past the boundary', () => {
    const vm = vmem_create({ name: 'x', base: 24, size: 1000, quantum: 8 });
    // 24..39 would straddle 32: the next start with the phase is 32
    expect(vmem_xalloc(vm, 16, 0, 0, 32, 0, 0, NSB)).toBe(32);
    // [24, 32) is too small; 48..63 stays below 64
    expect(vmem_xalloc(vm, 16, 0, 0, 32, 0, 0, NSB)).toBe(48);
    expect(vmem_xalloc(vm, 8, 0, 0, 32, 0, 0, NSB)).toBe(24);
    expect(vmem_check(vm)).toEqual([]);
  });

  it('maxaddr is exclusive and minaddr inclusive', () => {
    const vm = vmem_create({ name: 'x', base: 0, size: 100, quantum: 1 });
    expect(vmem_xalloc(vm, 10, 0, 0, 0, 90, 100, NSB)).toBe(90);
    expect(vmem_xalloc(vm, 1, 0, 0, 0, 90, 100, NSB)).toBeNull();
    expect(vmem_xalloc(vm, 10, 0, 0, 0, 0, 10, NSB)).toBe(0);
  });

  it('instant-fit takes the head of the next larger class; best-fit the first fit in the size class', () => {
    const layout = (): { vm: VmemArena; small: number; big: number } => {
      const vm = vmem_create({ name: 'fit', base: 0, size: 100, quantum: 1 });
      // free 5 at 0, busy 1, free 9 at 6, busy the rest
      const s = vmem_xalloc(vm, 5, 0, 0, 0, 0, 0, NSB)!;
      vmem_xalloc(vm, 1, 0, 0, 0, 0, 0, NSB);
      const b = vmem_xalloc(vm, 9, 0, 0, 0, 0, 0, NSB)!;
      vmem_xalloc(vm, 85, 0, 0, 0, 0, 0, NSB);
      vmem_xfree(vm, s, 5);
      vmem_xfree(vm, b, 9);
      return { vm, small: s, big: b };
    };
    const i = layout();
    expect(vmem_xalloc(i.vm, 5, 0, 0, 0, 0, 0, NS)).toBe(i.big);
    const b = layout();
    expect(vmem_xalloc(b.vm, 5, 0, 0, 0, 0, 0, NSB)).toBe(b.small);
    // An exact power of two searches its own class for instant-fit too.
    const p = layout();
    expect(vmem_xalloc(p.vm, 4, 0, 0, 0, 0, 0, NS)).toBe(p.small);
  });

  it('instant-fit looks only at the head of each list', () => {
    const build = (): VmemArena => {
      const vm = vmem_create({ name: 'heads', base: 0, size: 1024, quantum: 1 });
      // freelist[3] gets B (12 at 100) then A (9 at 0, the head); freelist[4] gets C (20 at 300)
      const a = vmem_xalloc(vm, 9, 0, 0, 0, 0, 0, NSB)!;
      vmem_xalloc(vm, 91, 0, 0, 0, 0, 0, NSB);
      const b = vmem_xalloc(vm, 12, 0, 0, 0, 0, 0, NSB)!;
      vmem_xalloc(vm, 188, 0, 0, 0, 0, 0, NSB);
      const c = vmem_xalloc(vm, 20, 0, 0, 0, 0, 0, NSB)!;
      vmem_xalloc(vm, 1024 - 320, 0, 0, 0, 0, 0, NSB);
      vmem_xfree(vm, c, 20);
      vmem_xfree(vm, b, 12);
      vmem_xfree(vm, a, 9);
      return vm;
    };
    // 8 bytes (exactly 2^3: the search starts at freelist[3]) at a multiple
    // of 4 from address 1: the head A cannot hold it (4..11 > 9), B could
    // and best-fit takes it; instant-fit moves on to the head of freelist[4]
    expect(vmem_xalloc(build(), 8, 4, 0, 0, 1, 0, NSB)).toBe(100);
    const vm = build();
    expect(vmem_xalloc(vm, 8, 4, 0, 0, 1, 0, NS)).toBe(300);
    expect(vmem_check(vm)).toEqual([]);
  });

  it('instant-fit falls back to best-fit when the larger classes are empty', () => {
    const vm = vmem_create({ name: 'fb', base: 0, size: 7, quantum: 1 });
    expect(vmem_xalloc(vm, 5, 0, 0, 0, 0, 0, NS)).toBe(0);
  });
});

describe('import and release', () => {
  function twoLevel() {
    const src = vmem_create({ name: 'kva', base: 0x40000000, size: 64 * 4096, quantum: 4096 });
    const events: string[] = [];
    const vm = vmem_create({
      name: 'kmem',
      quantum: 8,
      importfn: (size, flags) => {
        const sz = Math.ceil(size / 4096) * 4096;
        const addr = vmem_xalloc(src, sz, 0, 0, 0, 0, 0, (flags & VM_SLEEP ? VM_SLEEP : VM_NOSLEEP) | VM_INSTANTFIT);
        events.push(`import ${size} -> ${addr === null ? 'null' : sz}`);
        return addr === null ? null : { addr, size: sz };
      },
      releasefn: (addr, size) => {
        events.push(`release ${size}`);
        vmem_xfree(src, addr, size);
      },
    });
    return { src, vm, events };
  }

  it('imports page-rounded spans on demand and releases them when wholly free', () => {
    const { src, vm, events } = twoLevel();
    const a = vmem_alloc(vm, 5000, NS)!;
    const b = vmem_alloc(vm, 3000, NS)!;
    expect(events).toEqual(['import 5000 -> 8192']);
    expect(vm.vm_size).toBe(8192);
    expect(src.vm_inuse).toBe(8192);
    vmem_free(vm, a, 5000);
    expect(events).toHaveLength(1);
    vmem_free(vm, b, 3000);
    expect(events).toEqual(['import 5000 -> 8192', 'release 8192']);
    expect(vm.vm_size).toBe(0);
    expect(src.vm_inuse).toBe(0);
    expect(vmem_check(vm)).toEqual([]);
    expect(vmem_check(src)).toEqual([]);
  });

  it('does not import for align/phase/nocross requests (NetBSD does not either)', () => {
    const { vm, events } = twoLevel();
    expect(vmem_xalloc(vm, 64, 64, 0, 0, 0, 0, NS)).toBeNull();
    expect(events).toEqual([]);
  });

  it('a source that runs dry: NOSLEEP gets null, SLEEP says it cannot sleep here', () => {
    const { vm } = twoLevel();
    const lines: string[] = [];
    vm.vm_printf = (l) => lines.push(l);
    expect(vmem_alloc(vm, 65 * 4096, NS)).toBeNull();
    expect(lines).toEqual([]);
    expect(vmem_alloc(vm, 65 * 4096, VM_SLEEP | VM_INSTANTFIT)).toBeNull();
    expect(lines).toEqual(['vmem_xalloc: kmem: out of memory and cannot sleep here (not in a kernel thread; kmem_alloc_sleep waits); failing as NOSLEEP']);
    expect(vmem_check(vm)).toEqual([]);
  });

  it('vmem_destroy gives imported spans back', () => {
    const { vm } = twoLevel();
    const a = vmem_alloc(vm, 100, NS)!;
    vmem_alloc(vm, 10000, NS);
    vmem_free(vm, a, 100);
    expect(() => vmem_destroy(vm)).toThrow(/vmem_destroy: kmem: 1 busy segments leaked/);
  });
});

describe('quantum caches', () => {
  const mk = (debug = false) => vmem_create({ name: 'qc', base: 0x10000, size: 0x100000, quantum: 8, qcache_max: 64, ctx: new FixedCpu(2), debug });

  it('one pool page size, the first power of two above 3 * qcache_max', () => {
    expect(qc_poolpage_size(64)).toBe(256);
    expect(qc_poolpage_size(256)).toBe(1024);
    expect(qc_poolpage_size(5 * 4096)).toBe(16 * 4096); // the paper's five 3-page objects in a 16-page slab
  });

  it('sizes with the same items per page share a cache', () => {
    const vm = mk();
    // 256-byte pages: 64 -> 4, 56 -> 4, 48 -> 5, 40 -> 6, 32 -> 8, 24 -> 10, 16 -> 16, 8 -> 32
    expect(vm.vm_qcache.map((q) => q.qc_name)).toEqual(['qc-8', 'qc-16', 'qc-24', 'qc-32', 'qc-40', 'qc-48', 'qc-64', 'qc-64']);
  });

  it('small requests come from the caches, whose pages are busy segments of the arena', () => {
    const vm = mk();
    const a = vmem_alloc(vm, 20, NS)!;
    expect(vm.vm_nbusytag).toBe(1);
    expect(vm.vm_inuse).toBe(256);
    const qc = vm.vm_qcache[2]!.qc_cache;
    expect(qc.pc_pool.pr_nout).toBe(1);
    vmem_free(vm, a, 20);
    expect(vmem_check(vm)).toEqual([]);
    expect(vmem_reap(vm)).toBe(true);
    expect(vm.vm_inuse).toBe(0);
    expect(vmem_check(vm)).toEqual([]);
  });

  it('with debug, a double free to a quantum cache is reported and nothing changes', () => {
    const vm = mk(true);
    const a = vmem_alloc(vm, 16, NS)!;
    vmem_free(vm, a, 16);
    expect(() => vmem_free(vm, a, 16)).toThrow(new KernelDiagnostic(`panic: freecheck_in: 0x${a.toString(16)} not out`));
    expect(vmem_check(vm)).toEqual([]);
  });
});
