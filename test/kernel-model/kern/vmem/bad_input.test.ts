import { describe, expect, it } from 'vitest';
import { KernelDiagnostic } from '../../../../kernel-model/kern/diagnostic';
import { vmem_add, vmem_alloc, vmem_create, vmem_xalloc, vmem_xfree, VM_BESTFIT, VM_INSTANTFIT, VM_NOSLEEP, VM_SLEEP } from '../../../../kernel-model/kern/vmem/subr_vmem';
import { vmem_check } from '../../../../kernel-model/kern/vmem/vmem_check';
import { vmem_segments } from '../../../../kernel-model/kern/vmem/vmem_impl';

const NS = VM_NOSLEEP | VM_INSTANTFIT;

function arena() {
  const vm = vmem_create({ name: 'bad', base: 0x1000, size: 0x1000, quantum: 16 });
  const a = vmem_alloc(vm, 64, NS)!;
  const b = vmem_alloc(vm, 128, NS)!;
  const snapshot = (): string => JSON.stringify([...vmem_segments(vm)].map((bt) => [bt.bt_type, bt.bt_start, bt.bt_size]));
  return { vm, a, b, snapshot };
}

/** The call throws exactly one line of NetBSD's text and leaves the arena as it was. */
function rejects(fn: () => void, text: string, s: ReturnType<typeof arena>): void {
  const before = s.snapshot();
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(KernelDiagnostic);
  const msg = (err as Error).message;
  expect(msg).not.toContain('\n');
  expect(msg).toBe(text);
  expect(s.snapshot()).toBe(before);
  expect(vmem_check(s.vm)).toEqual([]);
}

const F = 'file "subr_vmem.c"';

describe('vmem bad input', () => {
  it('free of an address never allocated', () => {
    const s = arena();
    rejects(() => vmem_xfree(s.vm, 0x1010, 64), `panic: kernel diagnostic assertion "bt != NULL" failed: ${F} vmem bad addr 0x1010 size 0x40`, s);
  });

  it('double free', () => {
    const s = arena();
    vmem_xfree(s.vm, s.a, 64);
    rejects(() => vmem_xfree(s.vm, s.a, 64), `panic: kernel diagnostic assertion "bt != NULL" failed: ${F} vmem bad addr 0x1000 size 0x40`, s);
  });

  it('free with the wrong size', () => {
    const s = arena();
    rejects(
      () => vmem_xfree(s.vm, s.b, 64),
      `panic: kernel diagnostic assertion "bt->bt_size == vmem_roundup_size(vm, size)" failed: ${F} vmem bad addr 0x1040 size 0x40 != busy size 0x80`,
      s,
    );
  });

  it('impossible constraints', () => {
    const s = arena();
    const x = (size: number, align: number, phase: number, nocross: number, min = 0, max = 0) => () => vmem_xalloc(s.vm, size, align, phase, nocross, min, max, NS);
    rejects(x(16, 64, 64, 0), `panic: kernel diagnostic assertion "(align == 0 && phase == 0) || phase < align" failed: ${F} vmem bad size 0x10 align 0x40 phase 0x40 nocross 0x0 min 0x0 max 0x0`, s);
    rejects(x(64, 0, 0, 32), `panic: kernel diagnostic assertion "nocross == 0 || nocross >= size" failed: ${F} vmem bad size 0x40 align 0x0 phase 0x0 nocross 0x20 min 0x0 max 0x0`, s);
    rejects(x(16, 48, 0, 0), `panic: kernel diagnostic assertion "(align & (align - 1)) == 0" failed: ${F} vmem bad size 0x10 align 0x30 phase 0x0 nocross 0x0 min 0x0 max 0x0`, s);
    rejects(x(16, 8, 0, 0), `panic: kernel diagnostic assertion "(align & vm->vm_quantum_mask) == 0" failed: ${F} vmem bad size 0x10 align 0x8 phase 0x0 nocross 0x0 min 0x0 max 0x0`, s);
    rejects(x(16, 0, 0, 0, 0x2000, 0x1000), `panic: kernel diagnostic assertion "maxaddr == 0 || minaddr < maxaddr" failed: ${F} vmem bad size 0x10 align 0x0 phase 0x0 nocross 0x0 min 0x2000 max 0x1000`, s);
    rejects(x(32, 64, 48, 64), `panic: kernel diagnostic assertion "!VMEM_CROSS_P(phase, phase + size - 1, nocross)" failed: ${F} vmem bad size 0x20 align 0x40 phase 0x30 nocross 0x40 min 0x0 max 0x0`, s);
    rejects(x(0, 0, 0, 0), `panic: kernel diagnostic assertion "size0 > 0" failed: ${F} vmem bad size 0x0 align 0x0 phase 0x0 nocross 0x0 min 0x0 max 0x0`, s);
  });

  it('bad flags', () => {
    const s = arena();
    rejects(() => vmem_xalloc(s.vm, 16, 0, 0, 0, 0, 0, VM_SLEEP | VM_NOSLEEP | VM_BESTFIT), `panic: kernel diagnostic assertion "(flags & (VM_SLEEP|VM_NOSLEEP)) exactly one" failed: ${F} vmem bad size 0x10 align 0x0 phase 0x0 nocross 0x0 min 0x0 max 0x0`, s);
    rejects(() => vmem_xalloc(s.vm, 16, 0, 0, 0, 0, 0, VM_NOSLEEP), `panic: kernel diagnostic assertion "strat == VM_BESTFIT || strat == VM_INSTANTFIT" failed: ${F} vmem bad size 0x10 align 0x0 phase 0x0 nocross 0x0 min 0x0 max 0x0`, s);
  });

  it('a span overlapping another', () => {
    const s = arena();
    rejects(() => vmem_add(s.vm, 0x1800, 0x1000, VM_SLEEP), `panic: kernel diagnostic assertion "span does not overlap" failed: ${F} vmem bad addr 0x1800 size 0x1000 overlaps span 0x1000+0x1000`, s);
  });

  it('more than the arena has: null, arena unchanged', () => {
    const s = arena();
    const before = s.snapshot();
    expect(vmem_alloc(s.vm, 0x10000, NS)).toBeNull();
    expect(vmem_xalloc(s.vm, 16, 0, 0, 0, 0x3000, 0x4000, NS)).toBeNull();
    expect(s.snapshot()).toBe(before);
    expect(vmem_check(s.vm)).toEqual([]);
  });
});
