// SPDX-License-Identifier: GPL-2.0-only
// The system instructions the machine hooks in a loaded image (emulator/arm64/sysreg-sites.ts).
import { describe, expect, it } from 'vitest';
import { assemble } from '../../../emulator/arm64/assembler';
import { systemInstructionSites } from '../../../emulator/arm64/sysreg-sites';

describe('system instruction sites', () => {
  it('finds the counter, timer, identity and CNTKCTL_EL1 accesses and the tlbis; leaves the rest to the engine', async () => {
    const a = await assemble(`
      mrs x0, cntvct_el0
      mrs x1, tpidr_el1
      msr cntkctl_el1, x0
      mrs x2, cntkctl_el1
      msr daifclr, #2
      tlbi vmalle1is
      msr cntv_ctl_el0, x5
      mrs x3, mpidr_el1
      msr tpidr_el1, x3
      dc zva, x4`, 0n);
    expect(systemInstructionSites(a.bytes)).toEqual({ mrs: [0, 12, 28], msr: [8, 24], tlbi: [20] });
  });
});
