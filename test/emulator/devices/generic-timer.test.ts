// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { CTL_ENABLE, CTL_IMASK, CTL_ISTATUS, GenericTimer, timerRegister } from '../../../emulator/devices/generic-timer';

describe('generic timer', () => {
  it('decodes the CNTP/CNTV register encodings', () => {
    expect(timerRegister(3, 3, 14, 3, 1)).toEqual({ kind: 'virt', reg: 'ctl' });
    expect(timerRegister(3, 3, 14, 2, 2)).toEqual({ kind: 'phys', reg: 'cval' });
    expect(timerRegister(3, 3, 14, 0, 2)).toBeUndefined(); // CNTVCT_EL0 is the counter, not a timer register
  });

  it('asserts when enabled and the count reaches CVAL; ISTATUS shows it even when masked', () => {
    const t = new GenericTimer();
    t.write('virt', 'cval', 1000n, 0n);
    t.write('virt', 'ctl', CTL_ENABLE, 0n);
    expect(t.asserted('virt', 999n)).toBe(false);
    expect(t.read('virt', 'ctl', 999n)).toBe(CTL_ENABLE);
    expect(t.asserted('virt', 1000n)).toBe(true);
    expect(t.read('virt', 'ctl', 1000n)).toBe(CTL_ENABLE | CTL_ISTATUS);
    t.write('virt', 'ctl', CTL_ENABLE | CTL_IMASK, 1000n);
    expect(t.asserted('virt', 1200n)).toBe(false);
    expect(t.read('virt', 'ctl', 1200n)).toBe(CTL_ENABLE | CTL_IMASK | CTL_ISTATUS);
    t.write('virt', 'ctl', 0n, 1200n);
    expect(t.read('virt', 'ctl', 1200n)).toBe(0n);
  });

  it('TVAL is a signed 32-bit view of CVAL - count', () => {
    const t = new GenericTimer();
    t.write('phys', 'tval', 500n, 10_000n);
    expect(t.read('phys', 'cval', 0n)).toBe(10_500n);
    expect(t.read('phys', 'tval', 10_400n)).toBe(100n);
    expect(t.read('phys', 'tval', 10_600n)).toBe(0xffff_ff9cn); // -100
    t.write('phys', 'tval', 0xffff_fff6n, 100n); // -10
    expect(t.read('phys', 'cval', 0n)).toBe(90n);
  });

  it('reports the next deadline of enabled unmasked timers only', () => {
    const t = new GenericTimer();
    expect(t.nextDeadline(0n)).toBeUndefined();
    t.write('virt', 'cval', 300n, 0n);
    t.write('virt', 'ctl', CTL_ENABLE, 0n);
    t.write('phys', 'cval', 200n, 0n);
    t.write('phys', 'ctl', CTL_ENABLE | CTL_IMASK, 0n);
    expect(t.nextDeadline(0n)).toBe(300n);
    expect(t.nextDeadline(300n)).toBeUndefined();
  });
});
