import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Machine } from '../../emulator/machine';
import { loadAsm, machineWithMmu, runUntilTrap } from '../helpers/machine';
import { PROT } from '../../kernel-model/arch/arm64/pgtable';

const LINEAR = 0xffff_ff80_0000_0000n; // PAGE_OFFSET for VA_BITS=39
const VMALLOC = 0xffff_ffc0_1000_0000n;
let m: Machine;

beforeAll(async () => {
  m = await machineWithMmu((ttbr1, ttbr0) => {
    ttbr1.map(LINEAR, 0, 2 ** 30, PROT.KERNEL); // a 1 GiB block
    ttbr1.map(VMALLOC, 0x0300_0000, 0x20_0000, PROT.KERNEL); // a 2 MiB block
    ttbr1.map(VMALLOC + 0x40_0000n, 0x0500_3000, 0x1000, PROT.KERNEL); // a 4 KiB page
    ttbr1.map(VMALLOC + 0x60_0000n, 0xfe20_1000, 0x1000, PROT.DEVICE); // the UART
    ttbr0.map(0x40_0000n, 0x0600_0000, 0x1000, PROT.USER); // a user page
  });
});
afterAll(() => m.dispose());

async function loadFrom(cpu: number, va: bigint, codePa = 0x20000): Promise<bigint> {
  await loadAsm(m, codePa + cpu * 0x1000, `
    mov64 x1, ${va}
    ldr x0, [x1]
    hvc #1`);
  await runUntilTrap(m, cpu, BigInt(codePa + cpu * 0x1000), 'hvc');
  return m.core(cpu).x(0);
}

describe('MMU through TTBR0 and TTBR1 (39-bit, 4K granule)', () => {
  it('reaches the physical page a 1 GiB block names, on every core', async () => {
    m.ram.setU64(0x0123_4560, 0xaaaa_0001n);
    for (const c of m.cores) expect(await loadFrom(c.index, LINEAR + 0x0123_4560n)).toBe(0xaaaa_0001n);
  });

  it('reaches the physical page 2 MiB blocks and 4 KiB pages name', async () => {
    m.ram.setU64(0x0301_0008, 0xbbbbn);
    m.ram.setU64(0x0500_3010, 0xccccn);
    expect(await loadFrom(0, VMALLOC + 0x1_0008n)).toBe(0xbbbbn);
    expect(await loadFrom(1, VMALLOC + 0x40_0010n)).toBe(0xccccn);
  });

  it('stores through a kernel VA land in the physical page', async () => {
    await loadAsm(m, 0x30000, `
      mov64 x1, ${VMALLOC + 0x40_0018n}
      mov x0, #42
      str x0, [x1]
      hvc #2`);
    await runUntilTrap(m, 2, 0x30000n, 'hvc');
    expect(m.ram.u64(0x0500_3018)).toBe(42n);
  });

  it('reaches devices through a device mapping', async () => {
    let out = '';
    m.onConsole((b) => (out += String.fromCharCode(b)));
    await loadAsm(m, 0x31000, `
      mov64 x1, ${VMALLOC + 0x60_0000n}
      mov w0, #0x4f
      str w0, [x1]
      hvc #3`);
    await runUntilTrap(m, 3, 0x31000n, 'hvc');
    expect(out).toBe('O');
  });

  it('faults on an unmapped kernel address instead of reading something else', async () => {
    await loadAsm(m, 0x32000, `
      mov64 x1, ${VMALLOC + 0x40_1000n}
      ldr x0, [x1]
      hvc #4`);
    const t = await runUntilTrap(m, 0, 0x32000n);
    expect(t).toMatchObject({ kind: 'data-abort', far: VMALLOC + 0x40_1000n, esr: 0x96000007, el: 1 });
    expect(m.describeTrap(t)).toMatch(/data abort at cpu0 EL1 PC 0x0000000000032010 \(ldr x0, \[x1\]\): address 0xffffffc010401000, ESR 0x96000007 \(level 3 translation fault, read\)/);
  });

  it('faults on a kernel address with no level-1 entry, and on a write', async () => {
    await loadAsm(m, 0x33000, `
      mov64 x1, 0xffffffe000000000
      str x0, [x1]`);
    const t = await runUntilTrap(m, 1, 0x33000n);
    expect(t).toMatchObject({ kind: 'data-abort', far: 0xffff_ffe0_0000_0000n, esr: 0x96000045 });
  });

  it('an instruction fetch from an unmapped kernel address is an instruction abort with its syndrome', async () => {
    await loadAsm(m, 0x34000, `
      mov64 x1, ${VMALLOC + 0x80_0000n}
      br x1`);
    const t = await runUntilTrap(m, 2, 0x34000n);
    expect(t).toMatchObject({ kind: 'insn-abort', far: VMALLOC + 0x80_0000n, pc: VMALLOC + 0x80_0000n, el: 1 });
    expect(t.esr >>> 26).toBe(0x21); // instruction abort, same EL
    expect(t.esr & 0x3f).toBe(0x06); // level 2 translation fault: no table under that 2 MiB
    expect(m.describeTrap(t)).toMatch(/insn abort at cpu2 EL1 PC 0xffffffc010800000 \(not in RAM\): address 0xffffffc010800000/);
  });

  it('translates addresses for TypeScript as the cores do', () => {
    const core = m.core(0);
    const kernelRw = { user: false, readOnly: false };
    expect(core.translate(LINEAR + 0x1234n)).toEqual({ ok: true, pa: 0x1234, level: 1, ...kernelRw });
    expect(core.translate(VMALLOC + 0x1_0008n)).toEqual({ ok: true, pa: 0x0301_0008, level: 2, ...kernelRw });
    expect(core.translate(VMALLOC + 0x40_0010n)).toEqual({ ok: true, pa: 0x0500_3010, level: 3, ...kernelRw });
    expect(core.translate(0x40_0010n)).toEqual({ ok: true, pa: 0x0600_0010, level: 3, user: true, readOnly: false });
    expect(core.translate(VMALLOC + 0x40_1000n)).toMatchObject({ ok: false, reason: 'translation', level: 3 });
  });
});
