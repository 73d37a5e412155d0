import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootUconsole, type Uconsole } from '../../../../api/uconsole';
import { KIMAGE_VADDR, PAGE_OFFSET, VMALLOC_START } from '../../../../kernel-model/arch/arm64/memory';
import { SYSREG } from '../../../../emulator/unicorn/constants';
import { EFAULT } from '../../../../kernel-model/include/errno';

let u: Uconsole;
beforeAll(async () => {
  u = await bootUconsole({ board: 'uconsole-cm4', ram: '8G' });
});
afterAll(() => u.shutdown());

describe('kernel page tables (paging_init) on every core', () => {
  it('every core runs with the MMU on, on swapper_pg_dir, at KIMAGE_VADDR', () => {
    for (const c of u.machine.cores) {
      expect(c.sysRead(SYSREG.SCTLR_EL1) & 1n).toBe(1n);
      expect(c.sysRead(SYSREG.TTBR1_EL1)).toBe(BigInt(u.kernel.arch.pgtables.swapper.root));
      expect(c.sysRead(SYSREG.TCR_EL1) & 0x3fn).toBe(25n); // T0SZ: 39-bit VAs
    }
    expect(u.kernel.addr('cpu_idle')).toBe(KIMAGE_VADDR + u.kernel.syms.offset('cpu_idle'));
  });

  it('a load from a linear-map address on each core returns the physical page\'s data', () => {
    // Below 1 GiB, in the 3 GiB bank and above 4 GiB (the 8 GB CM4).
    const pas = [0x0100_0000, 0x8000_0040, 0x1_8000_0100];
    for (const c of u.machine.cores) {
      for (const pa of pas) {
        const marker = BigInt(pa) * 16n + BigInt(c.index);
        u.machine.ram.setU64(pa, marker);
        expect(u.kernel.harness.probe(c.index, 'probe_read64', [PAGE_OFFSET + BigInt(pa)])).toBe(marker);
      }
    }
  });

  it('a store through the linear map lands in the physical page', () => {
    u.kernel.harness.probe(2, 'probe_write64', [PAGE_OFFSET + 0x0200_0008n, 0xfeedn]);
    expect(u.machine.ram.u64(0x0200_0008)).toBe(0xfeedn);
  });

  it('maps the kernel image at KIMAGE_VADDR', () => {
    const head = u.kernel.harness.probe(1, 'probe_read64', [KIMAGE_VADDR + 0x38n]);
    expect(head & 0xffffffffn).toBe(0x644d5241n); // "ARM\\x64"
  });

  it('an unmapped kernel address faults (and the probe reports -EFAULT) instead of reading something else', () => {
    expect(u.kernel.harness.probe(3, 'probe_read64', [VMALLOC_START + 0x4000_0000n])).toBe(BigInt(-EFAULT));
    expect(u.kernel.harness.probe(3, 'probe_read64', [PAGE_OFFSET + 0x3b40_0000n])).toBe(BigInt(-EFAULT)); // the GPU's share: not memory
    expect(u.machine.halted).toBe(false);
  });

  it('translates kernel virtual addresses for TypeScript', () => {
    expect(u.kernel.arch.linear.pa(PAGE_OFFSET + 0x1234n)).toBe(0x1234);
    expect(u.machine.core(0).translate(PAGE_OFFSET + 0x1_8000_0100n)).toMatchObject({ ok: true, pa: 0x1_8000_0100 });
  });
});
