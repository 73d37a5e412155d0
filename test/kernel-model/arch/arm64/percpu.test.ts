import { describe, expect, it } from 'vitest';
import { withUconsole } from '../../../helpers/boot';
import { kthread_run } from '../../../../kernel-model/kernel/kthread';
import { PAGE_OFFSET } from '../../../../kernel-model/arch/arm64/memory';
import { SYSREG } from '../../../../emulator/unicorn/constants';

describe.each(['uconsole-cm4', 'uconsole-cm3', 'uconsole-a06', 'uconsole-a04'])('per-CPU context on %s', (board) => {
  it('TPIDR_EL1 of every core holds __per_cpu_offset[cpu]; TypeScript and ARM64 code agree on the CPU and its offset', async () => {
    await withUconsole({ board }, (u) => {
      const k = u.kernel;
      const n = u.machine.cores.length;
      const offsets = u.machine.cores.map((c) => k.per_cpu_offset(c.index));
      expect(new Set(offsets).size).toBe(n); // one area per CPU
      for (const c of u.machine.cores) {
        expect(c.sysRead(SYSREG.TPIDR_EL1)).toBe(offsets[c.index]);
        expect(BigInt.asUintN(64, k.kcall(c.index, 'my_cpu_offset'))).toBe(offsets[c.index]);
        expect(k.kcall(c.index, 'raw_smp_processor_id')).toBe(BigInt(c.index));
        // Each CPU's copy of cpu_number is in the linear map, in its own area.
        const ptr = k.per_cpu_ptr('cpu_number', c.index);
        expect(ptr >= PAGE_OFFSET).toBe(true);
        expect(k.arch.kmem.read32(ptr)).toBe(c.index);
        expect(k.on(c.index, () => [k.smp_processor_id(), k.this_cpu_ptr('cpu_number')])).toEqual([c.index, ptr]);
      }
      const seen: number[] = [];
      const ts = u.machine.cores.map((c) => kthread_run(k, function* () {
        seen[c.index] = k.smp_processor_id();
      }, c.index, 't/%u'));
      k.run(() => ts.every((t) => t.state === 'dead'));
      expect(seen).toEqual(u.machine.cores.map((c) => c.index));
    });
  });
});

describe('no silent CPU 0', () => {
  it('asking for the current CPU outside kernel code is an error', async () => {
    await withUconsole({ board: 'uconsole-cm4', ram: '1G' }, (u) => {
      expect(() => u.kernel.smp_processor_id()).toThrow(/no current CPU/);
      expect(() => u.kernel.on(7, () => 0)).toThrow(/no cpu7/);
    });
  });
});
