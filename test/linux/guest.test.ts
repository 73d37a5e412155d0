// SPDX-License-Identifier: GPL-2.0-only
// The Linux guest's machine side on a real core: the timer through msr/mrs,
// the GIC, and IRQ entry at EL1 as the architecture does it.
import { afterEach, describe, expect, it } from 'vitest';
import { Machine } from '../../emulator/machine';
import { gic400Interrupts } from '../../emulator/board/interrupts';
import { LinuxGuest } from '../../linux/guest';
import { loadAsm, runUntilHvc } from '../helpers/machine';
import { gicAsLinuxLeavesIt, virtualTimerIn } from '../helpers/linux-guest';
import type { Trap } from '../../emulator/traps';

let m: Machine | undefined;
afterEach(() => {
  m?.dispose();
  m = undefined;
});

const GICD = 0xff84_1000;
const GICC = 0xff84_2000;
const CODE = 0x10000;
const VECTORS = 0x20000;

async function guestMachine(): Promise<{ m: Machine; guest: LinuxGuest }> {
  const intc = gic400Interrupts(4, GICD);
  m = await Machine.create({ board: 'uconsole-cm4', ram: 2 ** 30, devices: intc.devices });
  const guest = new LinuxGuest(m, intc.controller);
  return { m, guest };
}

/** Set VBAR, the GIC as Linux leaves it, the virtual timer `delta` counts ahead; then `then`. */
const SETUP = (delta: number, then: string): string => `
    mov64 x0, ${VECTORS}
    msr vbar_el1, x0
    ${gicAsLinuxLeavesIt(GICD, GICC)}
    ${virtualTimerIn(delta)}
    ${then}`;

/** At VBAR + 0x280 (IRQ, current EL with SP_ELx): acknowledge, read the saved state, trap out. */
const IRQ_VECTOR = `
    ldr w7, [x3, #0xc]
    mrs x8, elr_el1
    mrs x9, spsr_el1
    mrs x10, cntv_ctl_el0
    str w7, [x3, #0x10]
    hvc #1`;

/** Run cpu0 until it executes an hvc (other traps go to the guest's handler, which delivers them to the kernel's vectors). */
function runToTrap(machine: Machine, maxRounds = 200): Trap | undefined {
  machine.start(0, BigInt(CODE));
  return runUntilHvc(machine, maxRounds);
}

/**
 * The timer due 10 counts ahead with IRQs masked (as SETUP leaves them),
 * then 200,000 loop iterations: longer than a slice, so the timer's line,
 * sampled between slices, is asserted while the core is still masked.
 */
const MASKED_WAIT = `${SETUP(10, '')}
        mov x6, #0
        mov64 x12, 200000
    wait: add x6, x6, #1
        cmp x6, x12
        b.ne wait`;

/** With the IRQ vector in place and the timer's mrs/msr hooked, run cpu0 to its hvc; its x7 = the acknowledged ID, x8 = ELR, x9 = SPSR. */
async function runWithIrqVector(machine: Machine): Promise<Trap | undefined> {
  await loadAsm(machine, VECTORS + 0x280, IRQ_VECTOR);
  for (const c of machine.cores) c.interceptSystemInstructions(BigInt(CODE), BigInt(VECTORS + 0x1000));
  return runToTrap(machine);
}

describe('Linux guest: timer, GIC and IRQ entry on a core', () => {
  it('a due virtual timer enters VBAR_EL1 + 0x280 with ELR, SPSR and the acknowledged PPI 27', async () => {
    const { m } = await guestMachine();
    const loop = await loadAsm(m, CODE, `${SETUP(1000, 'msr daifclr, #2')}
    spin: add x6, x6, #1
    b spin`);
    const trap = await runWithIrqVector(m);
    expect(trap?.kind).toBe('hvc');
    const core = m.core(0);
    expect(core.x(7)).toBe(27n);
    expect(core.x(8)).toBeGreaterThanOrEqual(loop.get('spin')!);
    expect(core.x(8)).toBeLessThanOrEqual(loop.get('spin')! + 4n);
    expect(core.x(9) & 0x3cfn).toBe(0x345n); // EL1h, D A F masked, I clear: as it was when interrupted
    expect(core.pstate & 0x3cfn).toBe(0x3c5n); // all of DAIF masked in the handler
    expect(core.x(10) & 4n).toBe(4n); // ISTATUS
  });

  it('masking holds the IRQ: with PSTATE.I set the core runs on, and takes it where it unmasks', async () => {
    const { m } = await guestMachine();
    const prog = await loadAsm(m, CODE, `${MASKED_WAIT}
    unmask: msr daifclr, #2
    after: b after`);
    const trap = await runWithIrqVector(m);
    expect(trap?.kind).toBe('hvc');
    const core = m.core(0);
    expect(core.x(6)).toBe(200000n); // the masked loop ran to its end
    expect(core.x(8)).toBe(prog.get('after')!); // taken at the block after the unmask
    expect(core.x(7)).toBe(27n);
  });

  it('an unmask at once undone still takes the pending IRQ between the two (msr daifclr ends its block)', async () => {
    const { m } = await guestMachine();
    const prog = await loadAsm(m, CODE, `${MASKED_WAIT}
        msr daifclr, #2
    remask: msr daifset, #2
    after: b after`);
    const trap = await runWithIrqVector(m);
    expect(trap?.kind).toBe('hvc');
    expect(m.core(0).x(8)).toBe(prog.get('remask')!);
    expect(m.core(0).x(7)).toBe(27n);
  });

  it('msr daif, xN (local_irq_restore) unmasks as daifclr does', async () => {
    const { m } = await guestMachine();
    const prog = await loadAsm(m, CODE, `${MASKED_WAIT}
        mov x13, #0x340
        msr daif, x13
    after: add x14, x14, #1
    spin: b spin`);
    const trap = await runWithIrqVector(m);
    expect(trap?.kind).toBe('hvc');
    expect(m.core(0).x(8)).toBe(prog.get('after')!);
    expect(m.core(0).x(9) & 0x3c0n).toBe(0x340n); // SPSR: D, A and F as the msr left them, I clear
  });

  it('with no IRQ pending, unmasking costs no slice: 40,000 unmask/remask pairs run in budget-sized slices', async () => {
    const { m } = await guestMachine();
    await loadAsm(m, CODE, `
        mov x6, #0
        mov64 x12, 40000
    loop: msr daifclr, #2
        msr daifset, #2
        add x6, x6, #1
        cmp x6, x12
        b.ne loop
        hvc #5`);
    const trap = runToTrap(m);
    expect(trap?.imm).toBe(5);
    const core = m.core(0);
    expect(core.x(6)).toBe(40000n);
    expect(core.slices).toBeLessThanOrEqual(Math.ceil(core.insns / m.sliceInsns) + 1);
  });

  it('a core in WFI wakes when the timer fires, even with IRQs masked', async () => {
    const { m } = await guestMachine();
    const prog = await loadAsm(m, CODE, `${SETUP(5400, '')}
        wfi
    woke: hvc #2`);
    for (const c of m.cores) c.interceptSystemInstructions(BigInt(CODE), BigInt(VECTORS + 0x1000));
    const trap = runToTrap(m);
    expect(trap?.kind).toBe('hvc');
    expect(trap?.pc).toBe(prog.get('woke')! + 4n);
    expect(m.clockNs).toBeGreaterThanOrEqual(100_000); // 5400 counts at 54 MHz: the idle machine skipped ahead
  });

  it('BRK at EL1 (Linux\'s WARN) enters VBAR_EL1 + 0x200 with ESR EC 0x3c and ELR at the brk', async () => {
    const { m, guest } = await guestMachine();
    const prog = await loadAsm(m, CODE, `
        mov64 x0, ${VECTORS}
        msr vbar_el1, x0
    warn: brk #0x800
        hvc #3`);
    await loadAsm(m, VECTORS + 0x200, `
        mrs x1, esr_el1
        mrs x2, elr_el1
        mrs x3, spsr_el1
        hvc #4`);
    const trap = runToTrap(m);
    expect(trap?.kind).toBe('hvc');
    expect(trap?.imm).toBe(4);
    const core = m.core(0);
    expect(core.x(1)).toBe(0xf2000800n); // EC 0x3c, IL, imm16
    expect(core.x(2)).toBe(prog.get('warn')!);
    expect(core.x(3) & 0xfn).toBe(0x5n); // from EL1h
    expect(guest.syncs.get('brk')).toBe(1);
  });
});
