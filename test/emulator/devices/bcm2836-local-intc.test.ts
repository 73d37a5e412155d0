// SPDX-License-Identifier: GPL-2.0-only
// The ARM-local controller as Linux's drivers/irqchip/irq-bcm2836.c uses it.
import { describe, expect, it } from 'vitest';
import { Bcm2836LocalIntc, LOCAL_IRQ } from '../../../emulator/devices/bcm2836-local-intc';
import { GenericTimer, CTL_ENABLE, CTL_IMASK } from '../../../emulator/devices/generic-timer';
import { DeviceAccessError } from '../../../emulator/devices/mmio';

const TIMER_INT_CONTROL = (cpu: number): number => 0x40 + 4 * cpu;
const MAILBOX_INT_CONTROL = (cpu: number): number => 0x50 + 4 * cpu;
const IRQ_PENDING = (cpu: number): number => 0x60 + 4 * cpu;
const FIQ_PENDING = (cpu: number): number => 0x70 + 4 * cpu;
const MAILBOX0_SET = (cpu: number): number => 0x80 + 16 * cpu;
const MAILBOX0_CLR = (cpu: number): number => 0xc0 + 16 * cpu;

const w = (l: Bcm2836LocalIntc, off: number, v: number): void => l.write(off, 4, BigInt(v));
const r = (l: Bcm2836LocalIntc, off: number): number => l.read(off, 4);

/** The controller as Linux leaves it: timers enabled for IRQ on every core (the timer chip's unmask), mailbox 0 too (bcm2836_cpu_starting). */
function linuxLike(): Bcm2836LocalIntc {
  const l = new Bcm2836LocalIntc(4);
  w(l, 0x00, 0); // bcm2835_init_local_timer_frequency: crystal, +1
  w(l, 0x08, 0x8000_0000); // prescaler 1:1
  for (let cpu = 0; cpu < 4; cpu++) {
    w(l, TIMER_INT_CONTROL(cpu), r(l, TIMER_INT_CONTROL(cpu)) | (1 << LOCAL_IRQ.CNTV) | (1 << LOCAL_IRQ.CNTPNS));
    w(l, MAILBOX_INT_CONTROL(cpu), r(l, MAILBOX_INT_CONTROL(cpu)) | 1);
  }
  return l;
}

describe('BCM2836 ARM-local interrupt controller', () => {
  it('a due timer raises its core\'s pending bit and IRQ; IMASK drops it; disabling the input holds it', () => {
    const l = linuxLike();
    const t = new GenericTimer();
    t.write('virt', 'cval', 100n, 0n);
    t.write('virt', 'ctl', CTL_ENABLE, 0n);
    l.setTimerLine(2, 'virt', t.asserted('virt', 50n));
    expect(l.irqAsserted(2)).toBe(false);
    l.setTimerLine(2, 'virt', t.asserted('virt', 100n));
    expect(r(l, IRQ_PENDING(2))).toBe(1 << LOCAL_IRQ.CNTV);
    expect(l.irqAsserted(2)).toBe(true);
    expect([0, 1, 3].map((c) => l.irqAsserted(c))).toEqual([false, false, false]); // per core
    // the timer chip's mask (irq-bcm2836.c: clear the bit in the core's timer control)
    w(l, TIMER_INT_CONTROL(2), r(l, TIMER_INT_CONTROL(2)) & ~(1 << LOCAL_IRQ.CNTV));
    expect(l.irqAsserted(2)).toBe(false);
    w(l, TIMER_INT_CONTROL(2), r(l, TIMER_INT_CONTROL(2)) | (1 << LOCAL_IRQ.CNTV));
    expect(l.irqAsserted(2)).toBe(true);
    // the handler masks the timer itself (arch_timer: CTL.IMASK)
    t.write('virt', 'ctl', CTL_ENABLE | CTL_IMASK, 100n);
    l.setTimerLine(2, 'virt', t.asserted('virt', 120n));
    expect(r(l, IRQ_PENDING(2))).toBe(0);
  });

  it('the EL1 physical timer is the non-secure one (input 1)', () => {
    const l = linuxLike();
    l.setTimerLine(0, 'phys', true);
    expect(r(l, IRQ_PENDING(0))).toBe(1 << LOCAL_IRQ.CNTPNS);
  });

  it('an FIQ enable overrides the IRQ one: the source moves to the FIQ pending register', () => {
    const l = linuxLike();
    l.setTimerLine(1, 'virt', true);
    w(l, TIMER_INT_CONTROL(1), r(l, TIMER_INT_CONTROL(1)) | (1 << (LOCAL_IRQ.CNTV + 4)));
    expect(r(l, IRQ_PENDING(1))).toBe(0);
    expect(r(l, FIQ_PENDING(1))).toBe(1 << LOCAL_IRQ.CNTV);
    expect(l.irqAsserted(1)).toBe(false);
  });

  it('a mailbox write raises the target core\'s IPI; reading shows the bits; clearing drops it', () => {
    const l = linuxLike();
    const changed: number[] = [];
    l.onChange = (cpu) => changed.push(cpu);
    // bcm2836_arm_irqchip_ipi_send_mask: BIT(ipi) to each target's mailbox 0
    w(l, MAILBOX0_SET(3), 1 << 2);
    w(l, MAILBOX0_SET(3), 1 << 5);
    expect(changed).toContain(3);
    expect(r(l, IRQ_PENDING(3))).toBe(1 << LOCAL_IRQ.MAILBOX0);
    expect(l.irqAsserted(0)).toBe(false);
    // bcm2836_arm_irqchip_handle_ipi reads the mailbox, ffs picks IPI 2; its ack clears that bit only
    expect(r(l, MAILBOX0_CLR(3))).toBe((1 << 2) | (1 << 5));
    w(l, MAILBOX0_CLR(3), 1 << 2);
    expect(l.irqAsserted(3)).toBe(true);
    w(l, MAILBOX0_CLR(3), 1 << 5);
    expect(l.irqAsserted(3)).toBe(false);
    expect(r(l, MAILBOX0_SET(3))).toBe(0); // write-only
  });

  it('a mailbox whose interrupt is not enabled keeps its bits without raising the IRQ', () => {
    const l = new Bcm2836LocalIntc(4);
    w(l, MAILBOX0_SET(1) + 4, 0x10); // mailbox 1 of core 1
    expect(l.irqAsserted(1)).toBe(false);
    expect(r(l, MAILBOX0_CLR(1) + 4)).toBe(0x10);
    w(l, MAILBOX_INT_CONTROL(1), 1 << 1);
    expect(r(l, IRQ_PENDING(1))).toBe(1 << (LOCAL_IRQ.MAILBOX0 + 1));
  });

  it('the GPU interrupt reaches only the core the routing register names', () => {
    const l = linuxLike();
    l.setGpuLine(true);
    expect(r(l, IRQ_PENDING(0))).toBe(1 << LOCAL_IRQ.GPU); // reset routing: core 0
    w(l, 0x0c, 2);
    expect(l.irqAsserted(0)).toBe(false);
    expect(r(l, IRQ_PENDING(2))).toBe(1 << LOCAL_IRQ.GPU);
    l.setGpuLine(false);
    expect(l.irqAsserted(2)).toBe(false);
  });

  it('keeps the control, prescaler and PMU routing registers', () => {
    const l = linuxLike();
    expect(r(l, 0x08)).toBe(0x8000_0000);
    w(l, 0x10, 0b0101);
    w(l, 0x14, 0b0001);
    expect(r(l, 0x10)).toBe(0b0100);
  });

  it('an unmodelled register, a narrow access or a missing core\'s register stops the machine with a one-line report', () => {
    const l = new Bcm2836LocalIntc(2);
    expect(() => l.read(0x34, 4)).toThrow(DeviceAccessError);
    expect(() => l.read(0x34, 4)).toThrow(/^read from unimplemented device bcm2836-l1-intc \(4-byte access at offset 0x34\) at PA 0x40000034$/);
    expect(() => l.write(0x40, 1, 1n)).toThrow(DeviceAccessError);
    expect(() => l.write(MAILBOX0_SET(3), 4, 1n)).toThrow(/core 3, which this machine lacks/);
    expect(() => l.read(0x100, 4)).toThrow(DeviceAccessError);
  });
});
