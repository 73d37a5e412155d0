// SPDX-License-Identifier: GPL-2.0-only
/*
 * A 16550-compatible UART (the Synopsys DesignWare APB UART of the RK3399
 * and Allwinner H6), as the console of the non-Pi boards.
 *
 * Interface: registers at (index << regShift); bytes written to THR leave
 * through onByte. Reference: TI PC16550D datasheet, register summary
 * (THR/RBR at 0, LSR at 5 with THRE bit 5 and TEMT bit 6).
 * Emulated: transmit, an idle line-status register, other registers as
 * storage. Not emulated: receive, interrupts, FIFOs, divisor timing.
 */

import type { MmioDevice } from './mmio';

const THR = 0;
const LCR = 3;
const LSR = 5;
const LCR_DLAB = 0x80;
const LSR_THRE = 1 << 5;
const LSR_TEMT = 1 << 6;

export class Ns16550 implements MmioDevice {
  readonly size = 0x1000;
  onByte?: (byte: number) => void;
  private readonly regs = new Map<number, number>();

  constructor(readonly name = 'ns16550', private readonly regShift = 2) {}

  private index(offset: number): number {
    return offset >> this.regShift;
  }

  private dlab(): boolean {
    return ((this.regs.get(LCR) ?? 0) & LCR_DLAB) !== 0;
  }

  read(offset: number): number {
    const r = this.index(offset);
    if (r === LSR) return LSR_THRE | LSR_TEMT;
    if (r === THR && !this.dlab()) return 0;
    return this.regs.get(r) ?? 0;
  }

  write(offset: number, _width: number, value: bigint): void {
    const r = this.index(offset);
    if (r === THR && !this.dlab()) {
      this.onByte?.(Number(value & 0xffn));
      return;
    }
    this.regs.set(r, Number(value & 0xffn));
  }
}
