// SPDX-License-Identifier: GPL-2.0-only
// The BCM2835 armctrl controller as Linux's drivers/irqchip/irq-bcm2835.c uses it.
import { describe, expect, it } from 'vitest';
import { Bcm2835ArmCtrl } from '../../../emulator/devices/bcm2835-armctrl';
import { DeviceAccessError, SharedPage } from '../../../emulator/devices/mmio';

const PENDING = [0x00, 0x04, 0x08];
const ENABLE = [0x18, 0x10, 0x14];
const DISABLE = [0x24, 0x1c, 0x20];
const SHORTCUTS = [7, 9, 10, 18, 19, 21, 22, 23, 24, 25, 30];

/** irq-bcm2835.c's get_next_armctrl_hwirq: the hwirq (bank << 5 | bit) Linux dispatches next, or -1. */
function nextHwirq(c: Bcm2835ArmCtrl): number {
  const ffs = (v: number): number => 31 - Math.clz32(v & -v);
  const stat = c.read(PENDING[0]!, 4) & (0xff | (1 << 8) | (1 << 9) | 0x7c00 | 0x1f8000);
  if (stat === 0) return -1;
  if (stat & 0xff) return ffs(stat & 0xff);
  if (stat & 0x7c00) return (1 << 5) | SHORTCUTS[ffs((stat & 0x7c00) >>> 10)]!;
  if (stat & 0x1f8000) return (2 << 5) | SHORTCUTS[ffs((stat & 0x1f8000) >>> 10)]!;
  const bank = stat & (1 << 8) ? 1 : 2;
  return (bank << 5) | ffs(c.read(PENDING[bank]!, 4));
}

describe('BCM2835 armctrl interrupt controller', () => {
  it('shows only enabled inputs as pending; enable sets, disable clears, both read back the enables', () => {
    const c = new Bcm2835ArmCtrl();
    c.setLine(1, 3, true);
    expect(c.read(PENDING[1]!, 4)).toBe(0);
    expect(c.asserted).toBe(false);
    c.write(ENABLE[1]!, 4, 1n << 3n);
    expect(c.read(PENDING[1]!, 4)).toBe(1 << 3);
    expect(c.read(PENDING[0]!, 4)).toBe(1 << 8); // not a shortcut: the bank-1 summary bit
    expect(c.read(DISABLE[1]!, 4)).toBe(1 << 3);
    c.write(DISABLE[1]!, 4, 1n << 3n);
    expect(c.read(ENABLE[1]!, 4)).toBe(0);
    expect(c.asserted).toBe(false);
  });

  it('the PL011 (bank 2 bit 25, GPU IRQ 57) arrives through its shortcut, which Linux decodes back to 2:25', () => {
    const c = new Bcm2835ArmCtrl();
    c.write(ENABLE[2]!, 4, 1n << 25n);
    c.setLine(2, 25, true);
    expect(c.read(PENDING[0]!, 4)).toBe(1 << 19); // shortcut only, no bank-2 summary bit
    expect(nextHwirq(c)).toBe((2 << 5) | 25);
    c.setLine(2, 25, false);
    expect(nextHwirq(c)).toBe(-1);
  });

  it('the output follows the basic register and drives the chained controller', () => {
    const c = new Bcm2835ArmCtrl();
    const levels: boolean[] = [];
    c.onOutput = (a) => levels.push(a);
    c.write(ENABLE[0]!, 4, 0xffn);
    c.write(ENABLE[2]!, 4, 1n << 1n);
    c.setLine(0, 1, true); // the ARM mailbox
    c.setLine(2, 1, true);
    expect(nextHwirq(c)).toBe(1); // bank 0 first
    c.setLine(0, 1, false);
    expect(nextHwirq(c)).toBe((2 << 5) | 1);
    c.setLine(2, 1, false);
    expect(levels).toEqual([true, false]);
  });

  it('keeps the FIQ control register', () => {
    const c = new Bcm2835ArmCtrl();
    c.write(0x0c, 4, 0x80n | 57n);
    expect(c.read(0x0c, 4)).toBe(0x80 | 57);
  });

  it('refuses an input it does not have and a narrow access, in one line', () => {
    const c = new Bcm2835ArmCtrl();
    expect(() => c.setLine(0, 8, true)).toThrow(/^armctrl: no input 0:8$/);
    expect(() => c.read(0x02, 2)).toThrow(DeviceAccessError);
  });

  it('shares its page with devices not emulated: an access outside it stops the machine', () => {
    const c = new Bcm2835ArmCtrl();
    const page = new SharedPage('bcm2835 interrupt/mailbox page', 0x3f00_b000, [{ offset: 0x200, device: c }]);
    page.write(0x210, 4, 1n);
    expect(c.read(ENABLE[1]!, 4)).toBe(1);
    expect(() => page.read(0x880, 4)).toThrow(/^read from unimplemented device bcm2835 interrupt\/mailbox page at PA 0x3f00b880$/);
  });
});
