// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exception entry to EL1 as the architecture performs it (ARM ARM DDI 0487,
 * D1.10 "Exception entry", and the pseudocode AArch64.TakeException), for
 * the exceptions the machine delivers itself because Unicorn 2.0.1 does
 * not: IRQs (Unicorn never takes one) and synchronous exceptions the
 * engine stopped on (BRK, aborts) that the guest kernel must handle.
 *
 * The vector is VBAR_EL1 plus an offset chosen by where the exception came
 * from and by its type:
 *   from EL1 with SP_EL0 (EL1t)   0x000
 *   from EL1 with SP_EL1 (EL1h)   0x200
 *   from EL0, AArch64             0x400
 *   from EL0, AArch32             0x600
 * plus 0x000 synchronous, 0x080 IRQ, 0x100 FIQ, 0x180 SError.
 * SPSR_EL1 takes the old PSTATE, ELR_EL1 the preferred return address
 * (the interrupted instruction for an IRQ; the faulting one for an abort
 * or BRK), and the new PSTATE is EL1h with D, A, I and F masked, SS and IL
 * cleared, NZCV kept, and PAN set when SCTLR_EL1.SPAN is 0 (FEAT_PAN).
 * The stack pointer is banked: an exception from EL0, or from EL1 running
 * on SP_EL0 (EL1t), leaves the SP it ran on in SP_EL0 and continues on
 * SP_EL1 (the pseudocode's PSTATE.SP = 1 at the new level); from EL1h the
 * SP is already SP_EL1. Unicorn keeps only the active SP live, so the
 * result says whether the bank must be switched (selectSpEl1).
 * This file only computes; Core.takeException applies it to a core, and
 * linux/guest.ts decides when.
 */

export type ExceptionType = 'sync' | 'irq' | 'fiq' | 'serror';

const TYPE_OFFSET: Record<ExceptionType, bigint> = { sync: 0x000n, irq: 0x080n, fiq: 0x100n, serror: 0x180n };

/* PSTATE / SPSR bits (SPSR layout, D1.2.x) */
export const PSTATE_M_MASK = 0x1fn;
export const PSTATE_nRW = 0x10n; // M[4]: AArch32
export const PSTATE_SP = 0x1n; // M[0]: SP_ELx selected
export const PSTATE_F = 1n << 6n;
export const PSTATE_I = 1n << 7n;
export const PSTATE_A = 1n << 8n;
export const PSTATE_D = 1n << 9n;
export const PSTATE_IL = 1n << 20n;
export const PSTATE_SS = 1n << 21n;
export const PSTATE_PAN = 1n << 22n;
export const PSTATE_NZCV = 0xfn << 28n;
export const PSTATE_DAIF = PSTATE_D | PSTATE_A | PSTATE_I | PSTATE_F;
/** M = EL1h */
export const MODE_EL1H = 0x5n;
/** SCTLR_EL1.SPAN (bit 23): 0 = PAN is set on exception entry to EL1. */
export const SCTLR_SPAN = 1n << 23n;

export interface EntryInput {
  type: ExceptionType;
  /** PSTATE (as SPSR would hold it) when the exception is taken. */
  pstate: bigint;
  /** The preferred return address. */
  returnAddress: bigint;
  vbar: bigint;
  sctlr: bigint;
  /** ID_AA64MMFR1_EL1.PAN != 0 */
  hasPan: boolean;
}

export interface EntryResult {
  spsr: bigint;
  elr: bigint;
  pstate: bigint;
  pc: bigint;
  /** The EL the exception came from. */
  fromEl: number;
  /** The interrupted code ran on SP_EL0: save the SP there and switch to SP_EL1. */
  selectSpEl1: boolean;
}

/** The vector offset for an exception of `type` taken to EL1 from a core in `pstate`. */
export function vectorOffset(type: ExceptionType, pstate: bigint): bigint {
  const el = Number((pstate >> 2n) & 3n);
  let base: bigint;
  if ((pstate & PSTATE_nRW) !== 0n) base = 0x600n;
  else if (el === 0) base = 0x400n;
  else base = (pstate & PSTATE_SP) !== 0n ? 0x200n : 0x000n;
  return base + TYPE_OFFSET[type];
}

export function exceptionEntry(i: EntryInput): EntryResult {
  const fromEl = (i.pstate & PSTATE_nRW) !== 0n ? Number(i.pstate & 3n) === 0 ? 0 : 1 : Number((i.pstate >> 2n) & 3n);
  if (fromEl > 1) throw new Error(`exception entry to EL1 from EL${fromEl}`);
  let pstate = (i.pstate & PSTATE_NZCV) | PSTATE_DAIF | MODE_EL1H;
  const keepPan = i.pstate & PSTATE_PAN;
  if (i.hasPan) pstate |= (i.sctlr & SCTLR_SPAN) === 0n ? PSTATE_PAN : keepPan;
  return {
    spsr: i.pstate,
    elr: i.returnAddress,
    pstate,
    pc: i.vbar + vectorOffset(i.type, i.pstate),
    fromEl,
    selectSpEl1: fromEl === 0 || (i.pstate & PSTATE_SP) === 0n,
  };
}
