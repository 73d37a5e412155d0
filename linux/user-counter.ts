// SPDX-License-Identifier: GPL-2.0-only
/*
 * User space reading the generic timer's counter, as Linux's vDSO does for
 * clock_gettime and gettimeofday (`mrs xN, cntvct_el0` at EL0). The
 * machine's counter is virtual (instructions run), but the engine answers
 * an EL0 read with its own counter, which follows the host's clock, and
 * the `mrs` hooks that serve the virtual one cover the kernel's image only
 * (the vDSO runs at a per-process address). So user time would be the
 * host's, and a run that reads it not deterministic.
 *
 * Instead the engine is made to trap EL0 counter reads, as the
 * architecture does when CNTKCTL_EL1.EL0VCTEN/EL0PCTEN are clear (ARM ARM
 * D11.2.4, "CNTKCTL_EL1"; QEMU's gt_counter_access), and the machine
 * answers the trapped read itself: the kernel's own view of CNTKCTL_EL1 is
 * kept here (its `mrs`/`msr` of the register are hooked, see
 * emulator/arm64/sysreg-sites.ts), the engine gets it with those two bits
 * clear, and an EL0 `mrs` of CNTVCT_EL0, CNTPCT_EL0 or CNTFRQ_EL0 that
 * traps is answered with the machine's value if the kernel's view allows
 * it, or delivered to the kernel as the undefined instruction it is
 * otherwise. The event-stream bits pass through unchanged.
 */

import type { Core } from '../emulator/core';
import type { Trap } from '../emulator/traps';
import { SYSREG } from '../emulator/unicorn/constants';
import { decodeSystemRegisterAccess } from '../emulator/arm64/sysreg-sites';

const EL0PCTEN = 1n;
const EL0VCTEN = 2n;

/** The counter registers by (op1, CRn, CRm, op2) with op0 = 3, and the CNTKCTL bit that opens each to EL0. */
const COUNTERS: Record<string, { name: 'CNTFRQ_EL0' | 'CNTPCT_EL0' | 'CNTVCT_EL0'; enable: bigint }> = {
  '3,14,0,0': { name: 'CNTFRQ_EL0', enable: EL0PCTEN | EL0VCTEN },
  '3,14,0,1': { name: 'CNTPCT_EL0', enable: EL0PCTEN },
  '3,14,0,2': { name: 'CNTVCT_EL0', enable: EL0VCTEN },
};

export function isCntkctl(r: { op0: number; op1: number; crn: number; crm: number; op2: number }): boolean {
  const k = SYSREG.CNTKCTL_EL1;
  return r.op0 === k.op0 && r.op1 === k.op1 && r.crn === k.crn && r.crm === k.crm && r.op2 === k.op2;
}

export class UserCounterAccess {
  /** CNTKCTL_EL1 as each core's kernel wrote it. */
  private readonly cntkctl: bigint[];

  constructor(cores: readonly Core[], private readonly counter: () => bigint, private readonly hz: number) {
    this.cntkctl = cores.map((c) => c.sysRead(SYSREG.CNTKCTL_EL1));
    for (const c of cores) this.write(c, this.cntkctl[c.index]!);
  }

  /** The kernel's `mrs` of CNTKCTL_EL1. */
  read(core: Core): bigint {
    return this.cntkctl[core.index]!;
  }

  /** The kernel's `msr` of CNTKCTL_EL1: kept, and given to the engine with EL0 counter access closed. */
  write(core: Core, value: bigint): void {
    this.cntkctl[core.index] = value;
    core.sysWrite(SYSREG.CNTKCTL_EL1, value & ~(EL0PCTEN | EL0VCTEN));
  }

  /**
   * An undefined-instruction trap at EL0: if it is a counter read the
   * kernel allows, answer it and return where the core resumes (after
   * the mrs); otherwise undefined (the kernel gets the exception).
   */
  answer(core: Core, trap: Trap): bigint | undefined {
    if (trap.el !== 0 || trap.kind !== 'undef') return undefined;
    const word = core.fetchWord(trap.pc);
    const mrs = word === undefined ? undefined : decodeSystemRegisterAccess(word);
    if (!mrs || !mrs.isRead || mrs.op0 !== 3) return undefined;
    const reg = COUNTERS[`${mrs.op1},${mrs.crn},${mrs.crm},${mrs.op2}`];
    if (!reg || (this.cntkctl[core.index]! & reg.enable) === 0n) return undefined;
    const rt = mrs.rt;
    if (rt !== 31) core.setX(rt, reg.name === 'CNTFRQ_EL0' ? BigInt(this.hz) : this.counter());
    return trap.pc + 4n;
  }
}
