// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where a loaded image reads or writes the system registers the machine
 * answers itself, found by decoding every word of it as a system
 * instruction (ARM ARM C5.2 "System instructions": 1101 0101 00 L op0 op1
 * CRn CRm op2 Rt):
 *   mrs of MPIDR_EL1 and MIDR_EL1 (the core's identity), ID_AA64PFR0_EL1
 *       (its GIC field: whether the board's GIC CPU interface is system
 *       registers, linux/guest.ts), CNTVCT_EL0 and
 *       CNTPCT_EL0 (the virtual clock) and the timer registers;
 *   msr of the timer registers (CNTP/CNTV CTL, CVAL, TVAL);
 *   mrs and msr of CNTKCTL_EL1 (the machine keeps EL0's counter access
 *       to itself: linux/user-counter.ts);
 *   sys with CRn = 8: tlbi, whose broadcast forms the machine spreads.
 * Hooking only these keeps a real kernel's thousands of other system
 * instructions (`mrs tpidr_el1` in every this_cpu access, `msr daif`,
 * `dc zva` in clear_page) inside the engine. A word of data that decodes
 * as one of them costs an unused hook, nothing more. Code written at run
 * time (alternatives patching in new instructions of these kinds) is not
 * seen; on the Cortex-A72/A53 none of Linux's counter or TLB errata
 * workarounds apply.
 */

export interface SysregSites {
  mrs: number[];
  msr: number[];
  tlbi: number[];
}

const SYSTEM_MASK = 0xffc00000;
const SYSTEM_BITS = 0xd5000000;

function interesting(op0: number, op1: number, crn: number, crm: number, op2: number, isRead: boolean): boolean {
  if (op0 === 3 && op1 === 0 && crn === 0 && crm === 0 && (op2 === 0 || op2 === 5)) return isRead; // MIDR, MPIDR
  if (op0 === 3 && op1 === 0 && crn === 0 && crm === 4 && op2 === 0) return isRead; // ID_AA64PFR0_EL1
  if (op0 === 3 && op1 === 0 && crn === 14 && crm === 1 && op2 === 0) return true; // CNTKCTL_EL1
  if (op0 === 3 && op1 === 3 && crn === 14) {
    if (crm === 0) return isRead && (op2 === 1 || op2 === 2); // CNTPCT, CNTVCT
    return (crm === 2 || crm === 3) && op2 <= 2; // CNTP_*, CNTV_*: TVAL, CTL, CVAL
  }
  return false;
}

/** Byte offsets, in `code`, of the instructions the machine must see. */
export function systemInstructionSites(code: Uint8Array): SysregSites {
  const sites: SysregSites = { mrs: [], msr: [], tlbi: [] };
  const dv = new DataView(code.buffer, code.byteOffset, code.byteLength);
  for (let off = 0; off + 4 <= code.length; off += 4) {
    const w = dv.getUint32(off, true);
    if ((w & SYSTEM_MASK) >>> 0 !== SYSTEM_BITS) continue;
    const isRead = ((w >>> 21) & 1) === 1;
    const op0 = (w >>> 19) & 3;
    const op1 = (w >>> 16) & 7;
    const crn = (w >>> 12) & 15;
    const crm = (w >>> 8) & 15;
    const op2 = (w >>> 5) & 7;
    if (op0 === 1 && !isRead && crn === 8) sites.tlbi.push(off);
    else if (interesting(op0, op1, crn, crm, op2, isRead)) (isRead ? sites.mrs : sites.msr).push(off);
  }
  return sites;
}

/** An `mrs` or `msr` (register form) as its encoding gives it. */
export interface SystemRegisterAccess {
  isRead: boolean;
  op0: number;
  op1: number;
  crn: number;
  crm: number;
  op2: number;
  /** Xt (31: xzr). */
  rt: number;
}

/** `mrs`/`msr Xt` (1101 0101 00 L 1 op0[0] op1 CRn CRm op2 Rt, op0 = 2 or 3), or undefined for any other word. */
export function decodeSystemRegisterAccess(word: number): SystemRegisterAccess | undefined {
  if ((word & SYSTEM_MASK) >>> 0 !== SYSTEM_BITS || ((word >>> 20) & 1) === 0) return undefined;
  return {
    isRead: ((word >>> 21) & 1) === 1,
    op0: (word >>> 19) & 3,
    op1: (word >>> 16) & 7,
    crn: (word >>> 12) & 15,
    crm: (word >>> 8) & 15,
    op2: (word >>> 5) & 7,
    rt: word & 31,
  };
}
