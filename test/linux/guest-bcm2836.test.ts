// SPDX-License-Identifier: GPL-2.0-only
// The Linux guest's IRQ delivery on the CM3, whose cores' IRQ lines come from
// the BCM2836 ARM-local controller (no GIC): timer, IPI and GPU interrupts
// taken by real cores, with the registers read as irq-bcm2836.c reads them.
import { afterEach, describe, expect, it } from 'vitest';
import { Machine } from '../../emulator/machine';
import { bcm2836Interrupts, type Bcm2836Interrupts } from '../../emulator/board/interrupts';
import { LinuxGuest } from '../../linux/guest';
import { loadAsm, runUntilHvc } from '../helpers/machine';

let m: Machine | undefined;
afterEach(() => {
  m?.dispose();
  m = undefined;
});

const LOCAL = 0x4000_0000;
const ARMCTRL = 0x3f00_b200;
const CODE = 0x10000;
const CODE1 = 0x18000;
const VECTORS = 0x20000;

async function cm3(): Promise<{ m: Machine; intc: Bcm2836Interrupts }> {
  const intc = bcm2836Interrupts(4, LOCAL, ARMCTRL);
  m = await Machine.create({ board: 'uconsole-cm3', ram: 2 ** 30, devices: intc.devices });
  new LinuxGuest(m, intc.controller);
  return { m, intc };
}

const SET_VBAR = `mov64 x0, ${VECTORS}
        msr vbar_el1, x0`;

/** At VBAR + 0x280: x7 = this core's IRQ pending register (LOCAL_IRQ_PENDING0 + 4 * cpu), x8 = ELR, x9 = SPSR, x10 = mailbox 0; clear the mailbox; trap out. */
const IRQ_VECTOR = `
    mrs x1, mpidr_el1
    and x1, x1, #3
    mov64 x2, ${LOCAL}
    add x3, x2, x1, lsl #2
    ldr w7, [x3, #0x60]
    add x4, x2, x1, lsl #4
    ldr w10, [x4, #0xc0]
    str w10, [x4, #0xc0]
    mrs x8, elr_el1
    mrs x9, spsr_el1
    hvc #1`;

async function withVector(machine: Machine): Promise<void> {
  await loadAsm(machine, VECTORS + 0x280, IRQ_VECTOR);
  for (const c of machine.cores) c.interceptSystemInstructions(BigInt(CODE), BigInt(VECTORS + 0x1000));
}

describe('Linux guest on the CM3: IRQs through the BCM2836 local controller', () => {
  it('a due virtual timer, enabled in core 0\'s timer control, enters VBAR_EL1 + 0x280 with CNTV pending', async () => {
    const { m } = await cm3();
    const prog = await loadAsm(m, CODE, `
        ${SET_VBAR}
        mov64 x1, ${LOCAL}
        mov w2, #8
        str w2, [x1, #0x40]
        mrs x4, cntvct_el0
        add x4, x4, #500
        msr cntv_cval_el0, x4
        mov x5, #1
        msr cntv_ctl_el0, x5
        msr daifclr, #2
    spin: b spin`);
    await withVector(m);
    m.start(0, BigInt(CODE));
    const trap = runUntilHvc(m, 300);
    expect(trap?.core).toBe(0);
    const core = m.core(0);
    expect(core.x(7)).toBe(1n << 3n); // LOCAL_IRQ_CNTVIRQ
    expect(core.x(8)).toBe(prog.get('spin')!);
    expect(core.x(9) & 0xfn).toBe(0x5n);
  });

  it('with the timer input disabled, the due timer holds: the core spins on', async () => {
    const { m } = await cm3();
    await loadAsm(m, CODE, `
        ${SET_VBAR}
        mrs x4, cntvct_el0
        add x4, x4, #5
        msr cntv_cval_el0, x4
        mov x5, #1
        msr cntv_ctl_el0, x5
        msr daifclr, #2
        mov x6, #0
        mov64 x12, 300000
    wait: add x6, x6, #1
        cmp x6, x12
        b.ne wait
        hvc #7`);
    await withVector(m);
    m.start(0, BigInt(CODE));
    const trap = runUntilHvc(m, 300);
    expect(trap?.imm).toBe(7);
    expect(m.core(0).x(6)).toBe(300000n);
  });

  it('an IPI: core 1 writes core 2\'s mailbox 0, core 2 (in WFI) takes the IRQ, reads and clears the mailbox', async () => {
    const { m } = await cm3();
    await loadAsm(m, CODE, `
        ${SET_VBAR}
        mov64 x1, ${LOCAL}
        mov w2, #1
        str w2, [x1, #0x58]
        msr daifclr, #2
    idle: wfi
        b idle`);
    await loadAsm(m, CODE1, `
        mov64 x0, 200000
    delay: subs x0, x0, #1
        b.ne delay
        mov64 x1, ${LOCAL}
        mov w2, #0x24
        str w2, [x1, #0xa0]
    done: b done`);
    await withVector(m);
    m.start(2, BigInt(CODE));
    m.start(1, BigInt(CODE1));
    const trap = runUntilHvc(m, 300);
    expect(trap?.core).toBe(2);
    const core = m.core(2);
    expect(core.x(7)).toBe(1n << 4n); // LOCAL_IRQ_MAILBOX0
    expect(core.x(10)).toBe(0x24n);
    // the handler's clear dropped the line
    expect(m.cores[2]!.irqSignalled?.()).toBe(false);
  });

  it('a GPU interrupt (the PL011\'s, bank 2 bit 25) reaches core 0 through armctrl and the local controller\'s input 8', async () => {
    const { m, intc } = await cm3();
    await loadAsm(m, CODE, `
        ${SET_VBAR}
        mov64 x1, ${ARMCTRL}
        mov w2, #0x2000000
        str w2, [x1, #0x14]
        msr daifclr, #2
    spin: b spin`);
    await loadAsm(m, VECTORS + 0x280, `
        mov64 x2, ${LOCAL}
        ldr w7, [x2, #0x60]
        mov64 x3, ${ARMCTRL}
        ldr w8, [x3]
        hvc #1`);
    for (const c of m.cores) c.interceptSystemInstructions(BigInt(CODE), BigInt(VECTORS + 0x1000));
    intc.armctrl.setLine(2, 25, true);
    m.start(0, BigInt(CODE));
    const trap = runUntilHvc(m, 300);
    expect(trap?.core).toBe(0);
    expect(m.core(0).x(7)).toBe(1n << 8n); // LOCAL_IRQ_GPU_FAST
    expect(m.core(0).x(8)).toBe(1n << 19n); // the UART's shortcut in the basic pending register
  });
});
