import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkModel } from '../../../helpers/model-check';
import { FixedCpu, KernelDiagnostic } from '../../../../kernel-model/kern/diagnostic';
import { vmem_add, vmem_alloc, vmem_create, vmem_free, vmem_reap, vmem_xalloc, vmem_xfree, VM_BESTFIT, VM_INSTANTFIT, VM_NOSLEEP, type VmemArena } from '../../../../kernel-model/kern/vmem/subr_vmem';
import { vmem_check } from '../../../../kernel-model/kern/vmem/vmem_check';
import { VmemOracle, type XallocArgs } from '../../../../kernel-model/kern/vmem/vmem_oracle';
import { VMEM_CROSS_P } from '../../../../kernel-model/kern/vmem/vmem_impl';

const Q = 4;

type Cmd =
  | { op: 'xalloc'; size: number; alignExp: number; phaseQ: number; nocrossExp: number; min: number; max: number; best: boolean }
  | { op: 'free'; pick: number }
  | { op: 'badfree'; addr: number; size: number };

/** Turn random numbers into a request NetBSD's KASSERTs accept (as its own torture test does). */
function legal(c: Extract<Cmd, { op: 'xalloc' }>): XallocArgs {
  const size = c.size;
  const rsize = Math.ceil(size / Q) * Q;
  const align = c.alignExp < 0 ? 0 : Q << c.alignExp;
  let phase = align ? (c.phaseQ * Q) % align : 0;
  let nocross = c.nocrossExp < 0 ? 0 : Q << c.nocrossExp;
  if (nocross && nocross < rsize) nocross = 0;
  if (VMEM_CROSS_P(phase, phase + rsize - 1, nocross)) phase = 0;
  if (VMEM_CROSS_P(phase, phase + rsize - 1, nocross)) nocross = 0;
  let minaddr = c.min;
  let maxaddr = c.max;
  if (maxaddr !== 0 && minaddr >= maxaddr) minaddr = maxaddr = 0;
  return { size, align, phase, nocross, minaddr, maxaddr };
}

const xallocCmd = fc.record({
  op: fc.constant('xalloc' as const),
  size: fc.integer({ min: 1, max: 300 }),
  alignExp: fc.integer({ min: -1, max: 6 }),
  phaseQ: fc.integer({ min: 0, max: 64 }),
  nocrossExp: fc.integer({ min: -1, max: 8 }),
  min: fc.integer({ min: 0, max: 200 }).map((x) => x * Q),
  max: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 500 }).map((x) => x * Q)),
  best: fc.boolean(),
});
const staticCmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: xallocCmd },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('badfree' as const), addr: fc.integer({ min: 0, max: 2000 }).map((x) => x * Q), size: fc.integer({ min: 1, max: 64 }) }) },
);

interface StaticSys {
  vm: VmemArena;
  oracle: VmemOracle;
}

describe('vmem against the interval oracle (static spans, no quantum caches)', () => {
  it('answers exactly when a fit exists, and every answer is valid', () => {
    checkModel<StaticSys, Cmd>(
      {
        setup: () => {
          const vm = vmem_create({ name: 'model', quantum: Q });
          const oracle = new VmemOracle(Q);
          for (const [a, s] of [[0, 512], [512, 256], [1024, 1024], [4000, 96]] as const) {
            vmem_add(vm, a, s, VM_NOSLEEP);
            oracle.addSpan(a, s);
          }
          return { vm, oracle };
        },
        command: staticCmd,
        step: ({ vm, oracle }, c) => {
          if (c.op === 'xalloc') {
            const args = legal(c);
            const flags = VM_NOSLEEP | (c.best ? VM_BESTFIT : VM_INSTANTFIT);
            const got = vmem_xalloc(vm, args.size, args.align, args.phase, args.nocross, args.minaddr, args.maxaddr, flags);
            expect(got !== null).toBe(oracle.feasible(args));
            if (got !== null) {
              expect(oracle.invalid(got, args)).toBeNull();
              oracle.alloc(got, args.size);
            }
          } else if (c.op === 'free') {
            const live = [...oracle.allocated];
            if (!live.length) return;
            const [addr, size] = live[c.pick % live.length]!;
            vmem_xfree(vm, addr, size);
            oracle.free(addr, size);
          } else {
            const size = Math.ceil(c.size / Q) * Q;
            if (oracle.allocated.get(c.addr) === size) return;
            expect(() => vmem_xfree(vm, c.addr, c.size)).toThrow(KernelDiagnostic);
          }
          expect(vm.vm_inuse).toBe(oracle.allocatedBytes());
        },
        check: ({ vm }) => vmem_check(vm),
        teardown: ({ vm, oracle }) => {
          for (const [addr, size] of [...oracle.allocated]) {
            vmem_xfree(vm, addr, size);
            oracle.free(addr, size);
          }
          expect(vm.vm_inuse).toBe(0);
          expect(vm.vm_nbusytag).toBe(0);
        },
      },
      { numRuns: 150, maxLength: 120, seed: 11 },
    );
  });
});

type QCmd = { op: 'alloc'; size: number; cpu: number } | { op: 'free'; pick: number; cpu: number } | { op: 'reap' };

interface ImportSys {
  src: VmemArena;
  vm: VmemArena;
  ctx: FixedCpu;
  oracle: VmemOracle;
}

describe('vmem with imports and quantum caches on several CPUs', () => {
  it('valid answers, and everything returns to the source at the end', () => {
    checkModel<ImportSys, QCmd>(
      {
        setup: () => {
          const src = vmem_create({ name: 'kva', base: 0x100000, size: 48 * 4096, quantum: 4096 });
          const ctx = new FixedCpu(4);
          const oracle = new VmemOracle(8);
          const vm = vmem_create({
            name: 'kmem',
            quantum: 8,
            qcache_max: 128,
            ctx,
            debug: true,
            importfn: (size) => {
              const sz = Math.ceil(size / 4096) * 4096;
              const addr = vmem_xalloc(src, sz, 0, 0, 0, 0, 0, VM_NOSLEEP | VM_INSTANTFIT);
              if (addr === null) return null;
              oracle.addSpan(addr, sz);
              return { addr, size: sz };
            },
            releasefn: (addr, size) => {
              oracle.removeSpan(addr, size);
              vmem_xfree(src, addr, size);
            },
          });
          return { src, vm, ctx, oracle };
        },
        command: fc.oneof(
          { weight: 6, arbitrary: fc.record({ op: fc.constant('alloc' as const), size: fc.oneof(fc.integer({ min: 1, max: 128 }), fc.integer({ min: 129, max: 20000 })), cpu: fc.integer({ min: 0, max: 3 }) }) },
          { weight: 5, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat(), cpu: fc.integer({ min: 0, max: 3 }) }) },
          { weight: 1, arbitrary: fc.constant({ op: 'reap' as const }) },
        ),
        step: ({ vm, ctx, oracle }, c) => {
          if (c.op === 'reap') {
            vmem_reap(vm);
            return;
          }
          ctx.cpu = c.cpu;
          if (c.op === 'alloc') {
            const got = vmem_alloc(vm, c.size, VM_NOSLEEP | VM_INSTANTFIT);
            if (got === null) return;
            const args = { size: c.size, align: 0, phase: 0, nocross: 0, minaddr: 0, maxaddr: 0 };
            expect(oracle.invalid(got, args)).toBeNull();
            oracle.alloc(got, c.size);
          } else {
            const live = [...oracle.allocated];
            if (!live.length) return;
            const [addr, size] = live[c.pick % live.length]!;
            vmem_free(vm, addr, size);
            oracle.free(addr, size);
          }
        },
        check: ({ src, vm }) => [...vmem_check(vm), ...vmem_check(src)],
        teardown: ({ src, vm, oracle }) => {
          for (const [addr, size] of [...oracle.allocated]) {
            vmem_free(vm, addr, size);
            oracle.free(addr, size);
          }
          vmem_reap(vm);
          expect(vm.vm_inuse).toBe(0);
          expect(vm.vm_size).toBe(0);
          expect(oracle.spans).toEqual([]);
          expect(src.vm_inuse).toBe(0);
          expect(vm.vm_nimport).toBe(vm.vm_nrelease);
        },
      },
      { numRuns: 100, maxLength: 150, seed: 12 },
    );
  });
});
