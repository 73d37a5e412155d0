// SPDX-License-Identifier: GPL-2.0-only
// Each board's interrupt wiring: device lines named as the device tree names them reach the cores' IRQ outputs.
import { describe, expect, it } from 'vitest';
import { bcm2836Interrupts, gic400Interrupts, InterruptSpecError } from '../../../emulator/board/interrupts';

describe('board interrupt wiring', () => {
  it('CM3: the PL011\'s <2 25> goes through armctrl to core 0\'s GPU input, once Linux enables it', () => {
    const w = bcm2836Interrupts(4, 0x4000_0000, 0x3f00_b200);
    const uart = w.line([2, 25]);
    uart(true);
    expect(w.controller.irqAsserted(0)).toBe(false); // armctrl: not enabled yet
    const page = w.devices[1]!.forCore(0);
    page.write(0x214, 4, 1n << 25n); // Enable IRQs 2
    expect(w.controller.irqPending(0)).toBe(1 << 8);
    expect([1, 2, 3].some((c) => w.controller.irqAsserted(c))).toBe(false);
    uart(false);
    expect(w.controller.irqAsserted(0)).toBe(false);
  });

  it('CM4: an SPI <0 n flags> is GIC interrupt 32 + n', () => {
    const w = gic400Interrupts(4, 0xff84_1000);
    w.line([0, 121, 4])(true);
    expect(w.controller.distRead(0, 0x200 + ((32 + 121) >> 5) * 4, 4)).toBe(1 << ((32 + 121) & 31)); // GICD_ISPENDR
  });

  it('refuses a specifier the controller does not have, in one line', () => {
    expect(() => bcm2836Interrupts(4, 0x4000_0000, 0x3f00_b200).line([0, 9])).toThrow(InterruptSpecError);
    expect(() => bcm2836Interrupts(4, 0x4000_0000, 0x3f00_b200).line([0, 33, 4])).toThrow(/^interrupts <0 33 4> is not an armctrl input/);
    expect(() => gic400Interrupts(4, 0xff84_1000).line([1, 9, 4])).toThrow(/^interrupts <1 9 4> is not a GIC SPI/);
  });
});
