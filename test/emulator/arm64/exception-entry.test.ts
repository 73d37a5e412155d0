// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { exceptionEntry, vectorOffset, PSTATE_DAIF, PSTATE_PAN, SCTLR_SPAN } from '../../../emulator/arm64/exception-entry';

const VBAR = 0xffff_8000_0801_0800n;
const EL1H = 0x5n;
const EL1T = 0x4n;
const EL0T = 0x0n;

describe('exception entry to EL1 (AArch64.TakeException)', () => {
  it('chooses the vector by source EL, SP selection and type', () => {
    expect(vectorOffset('sync', EL1T)).toBe(0x000n);
    expect(vectorOffset('irq', EL1T)).toBe(0x080n);
    expect(vectorOffset('sync', EL1H)).toBe(0x200n);
    expect(vectorOffset('irq', EL1H)).toBe(0x280n);
    expect(vectorOffset('fiq', EL1H)).toBe(0x300n);
    expect(vectorOffset('serror', EL1H)).toBe(0x380n);
    expect(vectorOffset('sync', EL0T)).toBe(0x400n);
    expect(vectorOffset('irq', EL0T)).toBe(0x480n);
    expect(vectorOffset('irq', 0x10n)).toBe(0x680n); // AArch32 EL0 (usr)
  });

  it('an IRQ at EL1h saves PSTATE and the return address, masks DAIF, keeps NZCV', () => {
    const pstate = (0x6n << 28n) | EL1H; // Z and C set, interrupts unmasked
    const r = exceptionEntry({ type: 'irq', pstate, returnAddress: 0xffff_8000_0812_3450n, vbar: VBAR, sctlr: SCTLR_SPAN, hasPan: true });
    expect(r).toEqual({ spsr: pstate, elr: 0xffff_8000_0812_3450n, pstate: (0x6n << 28n) | PSTATE_DAIF | EL1H, pc: VBAR + 0x280n, fromEl: 1, selectSpEl1: false });
  });

  it('an IRQ from EL0 enters at +0x480 in EL1h; PAN is set when SCTLR_EL1.SPAN is 0', () => {
    const r = exceptionEntry({ type: 'irq', pstate: EL0T, returnAddress: 0x4000_1000n, vbar: VBAR, sctlr: 0n, hasPan: true });
    expect(r.pc).toBe(VBAR + 0x480n);
    expect(r.fromEl).toBe(0);
    expect(r.selectSpEl1).toBe(true); // user SP saved in SP_EL0, the handler runs on SP_EL1
    expect(r.spsr).toBe(EL0T);
    expect(r.pstate).toBe(PSTATE_DAIF | EL1H | PSTATE_PAN);
    // without FEAT_PAN the bit stays clear
    expect(exceptionEntry({ type: 'irq', pstate: EL0T, returnAddress: 0n, vbar: VBAR, sctlr: 0n, hasPan: false }).pstate).toBe(PSTATE_DAIF | EL1H);
  });

  it('a BRK at EL1h is a synchronous exception at +0x200 returning to the brk', () => {
    const r = exceptionEntry({ type: 'sync', pstate: EL1H | PSTATE_DAIF, returnAddress: 0xffff_8000_0800_1000n, vbar: VBAR, sctlr: SCTLR_SPAN, hasPan: true });
    expect(r.pc).toBe(VBAR + 0x200n);
    expect(r.elr).toBe(0xffff_8000_0800_1000n);
  });

  it('from EL1t the SP bank switches to SP_EL1 too, at vector +0x000', () => {
    const r = exceptionEntry({ type: 'sync', pstate: EL1T, returnAddress: 0x1000n, vbar: VBAR, sctlr: SCTLR_SPAN, hasPan: false });
    expect(r.pc).toBe(VBAR);
    expect(r.selectSpEl1).toBe(true);
    expect(r.pstate).toBe(PSTATE_DAIF | EL1H);
  });

  it('refuses entry from EL2', () => {
    expect(() => exceptionEntry({ type: 'irq', pstate: 0x9n, returnAddress: 0n, vbar: VBAR, sctlr: 0n, hasPan: false })).toThrow(/EL2/);
  });
});
