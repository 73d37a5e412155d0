// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ARM generic timer of one core (ARM ARM DDI 0487, chapter D11 "The
 * Generic Timer in AArch64 state"), driven by the machine's virtual count.
 *
 * Unicorn 2.0.1 leaves the timers out: QEMU's gt_ctl_write and
 * gt_cval_write are under `#if 0` in its target/arm/helper.c, so a guest's
 * `msr cntv_ctl_el0` changes nothing and no timer interrupt ever fires.
 * The machine intercepts the timer registers' `mrs`/`msr` instead
 * (emulator/core.ts, sysreg hooks) and keeps their state here.
 *
 * Two timers per core, EL1 physical (CNTP_*) and virtual (CNTV_*); with no
 * virtual offset (CNTVOFF_EL2 = 0, as the Pi's armstub sets it) both compare
 * against the same count. Per timer:
 *   CTL  bit 0 ENABLE, bit 1 IMASK, bit 2 ISTATUS (read-only)
 *   CVAL the 64-bit compare value; the condition is count - CVAL >= 0
 *        (unsigned count >= CVAL)
 *   TVAL a 32-bit signed view: reads CVAL - count, a write sets
 *        CVAL = count + sign-extended value (D11.2.4)
 * The output is a level: asserted while ENABLE, ISTATUS and not IMASK. It
 * drives the core's PPI at the GIC: 30 for the physical timer, 27 for the
 * virtual one (the PPIs "arm,armv8-timer" lists as 14 and 11, plus 16).
 */

export type TimerKind = 'phys' | 'virt';

/** GIC interrupt IDs of the timers' PPIs (Linux's arch_timer: ARCH_TIMER_PHYS_NONSECURE_PPI, ARCH_TIMER_VIRT_PPI). */
export const TIMER_PPI: Record<TimerKind, number> = { phys: 30, virt: 27 };

export const CTL_ENABLE = 1n;
export const CTL_IMASK = 2n;
export const CTL_ISTATUS = 4n;

class OneTimer {
  ctl = 0n;
  cval = 0n;

  condition(count: bigint): boolean {
    return (this.ctl & CTL_ENABLE) !== 0n && count >= this.cval;
  }
}

/** Timer registers as (op1, CRm, op2) with op0 = 3, CRn = 14. */
const REGS: Record<string, { kind: TimerKind; reg: 'tval' | 'ctl' | 'cval' }> = {
  '3,2,0': { kind: 'phys', reg: 'tval' },
  '3,2,1': { kind: 'phys', reg: 'ctl' },
  '3,2,2': { kind: 'phys', reg: 'cval' },
  '3,3,0': { kind: 'virt', reg: 'tval' },
  '3,3,1': { kind: 'virt', reg: 'ctl' },
  '3,3,2': { kind: 'virt', reg: 'cval' },
};

/** Which timer register an encoding names, if any. */
export function timerRegister(op0: number, op1: number, crn: number, crm: number, op2: number): { kind: TimerKind; reg: 'tval' | 'ctl' | 'cval' } | undefined {
  if (op0 !== 3 || crn !== 14) return undefined;
  return REGS[`${op1},${crm},${op2}`];
}

export class GenericTimer {
  private readonly timers: Record<TimerKind, OneTimer> = { phys: new OneTimer(), virt: new OneTimer() };

  /** The value an `mrs` of `reg` reads when the count is `count`. */
  read(kind: TimerKind, reg: 'tval' | 'ctl' | 'cval', count: bigint): bigint {
    const t = this.timers[kind];
    switch (reg) {
      case 'ctl':
        return (t.ctl & (CTL_ENABLE | CTL_IMASK)) | (t.condition(count) ? CTL_ISTATUS : 0n);
      case 'cval':
        return t.cval;
      case 'tval':
        return BigInt.asUintN(32, t.cval - count);
    }
  }

  /** An `msr` of `reg` with `value` when the count is `count`. */
  write(kind: TimerKind, reg: 'tval' | 'ctl' | 'cval', value: bigint, count: bigint): void {
    const t = this.timers[kind];
    switch (reg) {
      case 'ctl':
        t.ctl = value & (CTL_ENABLE | CTL_IMASK);
        return;
      case 'cval':
        t.cval = BigInt.asUintN(64, value);
        return;
      case 'tval':
        t.cval = BigInt.asUintN(64, count + BigInt.asIntN(32, value));
    }
  }

  /** Is the timer's interrupt output asserted at `count`? */
  asserted(kind: TimerKind, count: bigint): boolean {
    const t = this.timers[kind];
    return t.condition(count) && (t.ctl & CTL_IMASK) === 0n;
  }

  /**
   * The earliest count at which an enabled, unmasked timer that is not yet
   * asserted will assert, or undefined (how far an idle core may sleep).
   */
  nextDeadline(count: bigint): bigint | undefined {
    let next: bigint | undefined;
    for (const t of Object.values(this.timers)) {
      if ((t.ctl & CTL_ENABLE) === 0n || (t.ctl & CTL_IMASK) !== 0n || t.cval <= count) continue;
      if (next === undefined || t.cval < next) next = t.cval;
    }
    return next;
  }
}
