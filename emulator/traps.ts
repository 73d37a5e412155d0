// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exceptions as the architecture defines them, delivered to TypeScript.
 *
 * Unicorn 2.0.1 does not perform exception entry: ESR_EL1, FAR_EL1,
 * ELR_EL1 and SPSR_EL1 are never written and the core stays at the level
 * it trapped from. The syndrome and fault address QEMU computed are kept in
 * env->exception {u32 syndrome; u32 fsr; u64 vaddress; ...}, which
 * uc_context_save copies out with the rest of CPUARMState. Its offset in
 * the snapshot is build-specific, so it is found once per process by
 * trapping a known `svc #imm` and searching the snapshot for its syndrome
 * (CPUARMState.exception in qemu/target/arm/cpu.h of Unicorn 2.0.1).
 *
 * QEMU's exception numbers map to kinds; an `hvc` at EL1 arrives as an
 * undefined instruction (EL2 is not enabled for it), so the instruction
 * word tells hvc from undef. hvc is how the kernel image calls into the
 * TypeScript kernel.
 */

import { EXCP } from './unicorn/constants';

export type TrapKind =
  | 'svc' // supervisor call; pc = the instruction after the svc
  | 'hvc' // hypervisor call from EL1; pc = the instruction after the hvc
  | 'brk' // breakpoint; pc = the brk
  | 'undef' // undefined instruction; pc = the instruction
  | 'data-abort' // translation/permission fault on a load or store; pc = the instruction
  | 'insn-abort' // fault on an instruction fetch; pc = the fetch target
  | 'unmapped' // an access outside every region the machine has (no MMU fault possible)
  | 'device' // an access to a device window the model does not emulate
  | 'smc';

export interface Trap {
  kind: TrapKind;
  core: number;
  /** Where to resume for svc/hvc (the next instruction); the faulting instruction otherwise. */
  pc: bigint;
  /** The exception level the core was at. */
  el: 0 | 1;
  /** ESR_ELx as the architecture would have written it. */
  esr: number;
  /** FAR_ELx for aborts; the unmapped or device address otherwise. */
  far: bigint;
  /** The immediate of svc/hvc/brk. */
  imm: number;
  /** Human-readable detail (device name, access type) where known. */
  detail?: string;
  /**
   * pc is only the start of the translated block that made the access
   * (unmapped data accesses and device accesses): Unicorn 2.0.1 brings the
   * PC up to date before each instruction only when it counts every
   * instruction, which the machine does not (emulator/native/uc_slice.c);
   * faults through the MMU are exact.
   */
  inBlock?: boolean;
}

export const ESR_EC_SHIFT = 26;
export const EC = {
  UNKNOWN: 0x00,
  SVC64: 0x15,
  HVC64: 0x16,
  IABT_LOW: 0x20,
  IABT_CUR: 0x21,
  DABT_LOW: 0x24,
  DABT_CUR: 0x25,
  BRK64: 0x3c,
} as const;

export const A64 = {
  WFI: 0xd503207f,
  WFE: 0xd503205f,
  SEV: 0xd503209f,
  SEVL: 0xd50320bf,
  /** hvc #imm16: 0xd4000002 | imm16 << 5 */
  isHvc: (w: number): boolean => (w & 0xffe0001f) >>> 0 === 0xd4000002,
  hvcImm: (w: number): number => (w >>> 5) & 0xffff,
} as const;

/** The kind a QEMU exception number stands for (before the hvc/undef split). */
export function kindOfException(intno: number): TrapKind | undefined {
  switch (intno) {
    case EXCP.SWI:
      return 'svc';
    case EXCP.UDEF:
      return 'undef';
    case EXCP.PREFETCH_ABORT:
      return 'insn-abort';
    case EXCP.DATA_ABORT:
      return 'data-abort';
    case EXCP.BKPT:
      return 'brk';
    case EXCP.SMC:
      return 'smc';
    default:
      return undefined;
  }
}

const DFSC: Record<number, string> = {
  0x04: 'level 0 translation fault', 0x05: 'level 1 translation fault',
  0x06: 'level 2 translation fault', 0x07: 'level 3 translation fault',
  0x09: 'level 1 access flag fault', 0x0a: 'level 2 access flag fault', 0x0b: 'level 3 access flag fault',
  0x0d: 'level 1 permission fault', 0x0e: 'level 2 permission fault', 0x0f: 'level 3 permission fault',
  0x21: 'alignment fault',
};

/** The name of an abort's fault status code (ESR.ISS DFSC/IFSC), as Linux's fault_info names it. */
export function faultStatusName(esr: number): string {
  const fsc = esr & 0x3f;
  return DFSC[fsc] ?? `fault status 0x${fsc.toString(16)}`;
}

/** A short reading of an abort syndrome, e.g. "level 3 translation fault, write". */
export function describeAbort(esr: number): string {
  const what = faultStatusName(esr);
  const ec = esr >>> ESR_EC_SHIFT;
  if (ec === EC.DABT_CUR || ec === EC.DABT_LOW) return `${what}, ${esr & (1 << 6) ? 'write' : 'read'}`;
  return what;
}
