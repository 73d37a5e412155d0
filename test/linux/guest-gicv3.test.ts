// SPDX-License-Identifier: GPL-2.0-only
// The Linux guest on the A-06's GIC-500: the CPU interface's system
// registers, which the engine does not know, trap and are answered; a
// timer interrupt is taken through them.
import { afterEach, describe, expect, it } from 'vitest';
import { Machine } from '../../emulator/machine';
import { gicV3Interrupts } from '../../emulator/board/interrupts';
import { findBoard } from '../../emulator/board/boards';
import { LinuxGuest } from '../../linux/guest';
import { loadAsm, runUntilHvc } from '../helpers/machine';
import { virtualTimerIn } from '../helpers/linux-guest';

let m: Machine | undefined;
afterEach(() => {
  m?.dispose();
  m = undefined;
});

const GICD = 0xfee0_0000;
const GICR = 0xfef0_0000;
const CODE = 0x30_0000;
const VECTORS = 0x31_0000;

async function a06Guest(): Promise<{ m: Machine; guest: LinuxGuest }> {
  const board = findBoard('uconsole-a06');
  const intc = gicV3Interrupts(board.cpus.map((c) => c.mpidr), GICD, GICR, 256);
  m = await Machine.create({ board, ram: 2 ** 31, devices: intc.devices });
  return { m, guest: new LinuxGuest(m, intc.controller) };
}

/** cpu0's GIC as Linux leaves it (PPI 27 enabled at 0xa0, PMR 0xf0, Group 1 on), through the ICC_* registers by encoding. */
const GIC_SETUP = `
    mov64 x0, ${VECTORS}
    msr vbar_el1, x0
    mov64 x1, ${GICD}
    mov w2, #0x13
    str w2, [x1]
    mov64 x1, ${GICR}
    str wzr, [x1, #0x14]
    mov64 x1, ${GICR + 0x1_0000}
    mov w2, #0x8000000
    str w2, [x1, #0x100]
    mov w2, #0xa0
    strb w2, [x1, #0x41b]
    mrs x20, s3_0_c12_c12_5
    mov x2, #0xf0
    msr s3_0_c4_c6_0, x2
    mov x2, #1
    msr s3_0_c12_c12_7, x2`;

describe('Linux guest on the GIC-500: the CPU interface as trapped system registers', () => {
  it('a due virtual timer is acknowledged through ICC_IAR1_EL1 and completed through ICC_EOIR1_EL1', async () => {
    const { m, guest } = await a06Guest();
    const prog = await loadAsm(m, CODE, `${GIC_SETUP}
    ${virtualTimerIn(1000)}
    msr daifclr, #2
    spin: b spin`);
    await loadAsm(m, VECTORS + 0x280, `
    mrs x7, s3_0_c12_c12_0
    mrs x8, elr_el1
    mrs x10, s3_0_c12_c11_3
    msr s3_0_c12_c12_1, x7
    mrs x9, s3_0_c12_c11_3
    hvc #1`);
    for (const c of m.cores) c.interceptSystemInstructions(BigInt(CODE), BigInt(VECTORS + 0x1000));
    m.start(0, BigInt(CODE));
    const trap = runUntilHvc(m, 200);
    expect(trap?.imm).toBe(1);
    const core = m.core(0);
    expect(core.x(20)).toBe(7n); // ICC_SRE_EL1: SRE, DFB, DIB
    expect(core.x(7)).toBe(27n);
    expect(core.x(8)).toBe(prog.get('spin')!);
    expect(core.x(10)).toBe(0xa0n); // running priority while active
    expect(core.x(9)).toBe(0xffn); // idle after the EOI
    expect(guest.irqs[0]).toBe(1);
    expect(guest.syncs.size).toBe(0); // every ICC access was answered, none reached the kernel's vectors
  });

  it('an ICC register the model does not have (ICC_IAR0_EL1, EL3\'s) reaches the kernel as an undefined instruction', async () => {
    const { m, guest } = await a06Guest();
    const prog = await loadAsm(m, CODE, `
    mov64 x0, ${VECTORS}
    msr vbar_el1, x0
    undef: mrs x1, s3_0_c12_c8_0
    hvc #3`);
    await loadAsm(m, VECTORS + 0x200, `
    mrs x1, esr_el1
    mrs x2, elr_el1
    hvc #4`);
    m.start(0, BigInt(CODE));
    const trap = runUntilHvc(m, 200);
    expect(trap?.imm).toBe(4);
    expect(m.core(0).x(1)).toBe(1n << 25n); // EC 0 (unknown reason), IL
    expect(m.core(0).x(2)).toBe(prog.get('undef')!);
    expect(guest.syncs.get('undef')).toBe(1);
  });
});
