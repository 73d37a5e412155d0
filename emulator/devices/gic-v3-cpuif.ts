// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GICv3 CPU interface: the ICC_* system registers of each core (IHI
 * 0069 chapter 12.2), over the state in gic-v3.ts, as Linux's
 * drivers/irqchip/irq-gic-v3.c and arch/arm64/include/asm/arch_gicv3.h
 * use them at Non-secure EL1.
 *
 * How they are reached: Unicorn 2.0.1 has no GICv3 CPU interface (QEMU
 * registers the ICC_* registers from its own GICv3 device model,
 * hw/intc/arm_gicv3_cpuif.c, which Unicorn does not build), so for the
 * engine they are unknown registers and an `mrs`/`msr` of one is an
 * undefined instruction, reported at the instruction's own PC. Hooking
 * such an instruction with UC_HOOK_INSN does not help: measured on 2.0.1,
 * the hook runs and may write Xt, but returning 1 ("skip") leaves the
 * undefined-instruction path of the translated block without a way out,
 * and the core runs the same block again forever. So the machine lets the
 * access trap and answers it (linux/guest.ts): the trapped word is decoded
 * (emulator/arm64/sysreg-sites.ts), read or written here, and the core
 * resumes after it. Costs one trap per access: two per interrupt (IAR1,
 * EOIR1), one per IPI sent.
 *
 * Modelled: SRE (system registers always on: SRE, DFB and DIB read as
 * one, as EL3 and EL2 firmware leave them), CTLR (EOImode; PRIbits 4 for
 * five priority bits, IDbits 16 bits), PMR, BPR1 (stored), IGRPEN1,
 * IAR1, EOIR1, DIR, HPPIR1, RPR, AP1R0 and SGI1R. Group 0 registers
 * (IAR0, EOIR0, AP0Rn, SGI0R, IGRPEN0) are EL3's on this part (SCR_EL3.FIQ
 * routes Group 0 there) and Linux does not touch them when
 * gic_has_group0() is false: they stay undefined, as does ASGI1R.
 */

import type { SysRegId } from './irq-controller';
import type { GicV3 } from './gic-v3';
import { GICV3_PRIO_MASK } from './gic-v3';

/** ICC_SRE_EL1: SRE | DFB | DIB. */
const SRE_VALUE = 7n;
/** ICC_CTLR_EL1.PRIbits (10:8) = priority bits - 1. */
const CTLR_PRIBITS = 4n << 8n;
const CTLR_EOIMODE = 2n;
/** ICC_BPR1_EL1's smallest value in Non-secure state with five priority bits (the Group 0 minimum, 2, plus one). */
const BPR1_MIN = 3;

type Reg = 'SRE' | 'CTLR' | 'PMR' | 'BPR1' | 'IGRPEN1' | 'IAR1' | 'EOIR1' | 'DIR' | 'HPPIR1' | 'RPR' | 'AP1R0' | 'SGI1R';

/** op1, CRn, CRm, op2 of each register (op0 = 3). */
const ENCODINGS: Record<string, Reg> = {
  '0,4,6,0': 'PMR',
  '0,12,9,0': 'AP1R0',
  '0,12,11,1': 'DIR',
  '0,12,11,3': 'RPR',
  '0,12,11,5': 'SGI1R',
  '0,12,12,0': 'IAR1',
  '0,12,12,1': 'EOIR1',
  '0,12,12,2': 'HPPIR1',
  '0,12,12,3': 'BPR1',
  '0,12,12,4': 'CTLR',
  '0,12,12,5': 'SRE',
  '0,12,12,7': 'IGRPEN1',
};

/** Which CPU-interface register an encoding names, if one this model has. */
export function iccRegister(r: SysRegId): Reg | undefined {
  return r.op0 === 3 ? ENCODINGS[`${r.op1},${r.crn},${r.crm},${r.op2}`] : undefined;
}

export class GicV3CpuInterface {
  constructor(readonly gic: GicV3) {}

  /** The value an `mrs` of `r` reads on `cpu`, or undefined when it is not a readable ICC register. */
  read(cpu: number, r: SysRegId): bigint | undefined {
    const g = this.gic;
    const c = g.cpuInterface(cpu);
    switch (iccRegister(r)) {
      case 'SRE':
        return SRE_VALUE;
      case 'CTLR':
        return CTLR_PRIBITS | (c.eoiMode ? CTLR_EOIMODE : 0n);
      case 'PMR':
        return BigInt(c.pmr);
      case 'BPR1':
        return BigInt(c.bpr1);
      case 'IGRPEN1':
        return c.igrpen1 ? 1n : 0n;
      case 'IAR1':
        return BigInt(g.acknowledge(cpu));
      case 'HPPIR1':
        return BigInt(g.highestPending(cpu));
      case 'RPR':
        return BigInt(g.runningPriority(cpu));
      case 'AP1R0':
        return BigInt(g.activePriorities(cpu));
      default:
        return undefined; // write-only (EOIR1, DIR, SGI1R) or not modelled: undefined, as the engine says
    }
  }

  /** An `msr` of `value` to `r` on `cpu`: true if taken, false when it is not a writable ICC register. */
  write(cpu: number, r: SysRegId, value: bigint): boolean {
    const g = this.gic;
    const v = Number(value & 0xff_ffffn);
    switch (iccRegister(r)) {
      case 'SRE':
        return true; // SRE is fixed at one; DFB and DIB are EL2's
      case 'CTLR':
        g.setCpuInterface(cpu, { eoiMode: (value & CTLR_EOIMODE) !== 0n ? 1 : 0 });
        return true;
      case 'PMR':
        g.setCpuInterface(cpu, { pmr: v & GICV3_PRIO_MASK });
        return true;
      case 'BPR1':
        g.setCpuInterface(cpu, { bpr1: Math.max(v & 7, BPR1_MIN) });
        return true;
      case 'IGRPEN1':
        g.setCpuInterface(cpu, { igrpen1: (v & 1) === 1 });
        return true;
      case 'EOIR1':
        g.endOfInterrupt(cpu, v);
        return true;
      case 'DIR':
        g.deactivate(cpu, v);
        return true;
      case 'AP1R0':
        // Only the reset Linux does (write 0) is meaningful without a secure side to restore state.
        if (v === 0) g.clearActivePriorities(cpu);
        return true;
      case 'SGI1R':
        g.writeSgi1r(cpu, value);
        return true;
      default:
        return false;
    }
  }
}
