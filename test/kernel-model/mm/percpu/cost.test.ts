import { describe, expect, it } from 'vitest';
import { withUconsole } from '../../../helpers/boot';
import { kthread_run, schedule } from '../../../../kernel-model/kernel/kthread';
import { CLOCK_MHZ } from '../../../../emulator/machine';
import { PCPU_COST } from '../../../../kernel-model/mm/percpu/first_chunk';
import type { Uconsole } from '../../../../api/uconsole';

/** Virtual time (ns) a kernel thread on CPU 1 spends allocating `n` 4-byte objects, then freeing them in order. */
function allocFreeNs(u: Uconsole, n: number): { alloc: number; free: number } {
  const k = u.kernel;
  const pc = k.percpu!;
  const out = { alloc: 0, free: 0 };
  const t = kthread_run(k, function* () {
    const ptrs: bigint[] = [];
    let t0 = k.clockNs();
    for (let i = 0; i < n; i++) ptrs.push(pc.__alloc_percpu(4, 4));
    yield* schedule(); // the charged work is paid before the clock is read again
    out.alloc = k.clockNs() - t0;
    t0 = k.clockNs();
    for (const p of ptrs) pc.free_percpu(p);
    yield* schedule();
    out.free = k.clockNs() - t0;
  }, 1, 'pcpu_cost');
  k.run(() => t.state === 'dead');
  return out;
}

describe('percpu\'s work on the virtual clock', () => {
  it('a kernel thread pays for every call, the zeroing of each CPU\'s copy and the metadata it touches; the area map\'s in-order frees cost far more', async () => {
    const n = 4000;
    const ns: Record<string, { alloc: number; free: number }> = {};
    for (const map of ['bitmap', 'area']) {
      await withUconsole({ board: 'uconsole-cm4', ram: '1G', cmdline: `console=ttyAMA0,115200 percpu_alloc_map=${map}` }, (u) => {
        const slice = u.machine.sliceInsns;
        ns[map] = allocFreeNs(u, n);
        const insns = (t: number): number => (t * CLOCK_MHZ) / 1000;
        // At least the fixed costs, to within the slice the last step rounds to.
        expect(insns(ns[map]!.alloc)).toBeGreaterThanOrEqual(n * (PCPU_COST.call + 4) - slice);
        expect(insns(ns[map]!.free)).toBeGreaterThanOrEqual(n * PCPU_COST.call - slice);
      });
    }
    // Freeing in order memmoves the rest of the map on every free: quadratic, as the seed measured.
    expect(ns.area!.free).toBeGreaterThan(5 * ns.bitmap!.free);
  });

  it('outside a kernel thread nothing is charged (Kernel.on from the top level)', async () => {
    await withUconsole({ board: 'uconsole-cm4', ram: '1G' }, (u) => {
      const before = u.machine.clockNs;
      u.kernel.on(0, () => u.kernel.percpu!.free_percpu(u.kernel.percpu!.__alloc_percpu(64, 8)));
      expect(u.machine.clockNs).toBe(before);
    });
  });
});
