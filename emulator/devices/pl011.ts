// SPDX-License-Identifier: GPL-2.0-only
/*
 * ARM PrimeCell PL011 UART (the BCM2711/BCM2837 UART0), as the console.
 *
 * Interface: a 4 KiB MMIO window; bytes written to UARTDR leave through
 * onByte. Reference: ARM PrimeCell UART (PL011) Technical Reference
 * Manual, r1p5 (DDI 0183G), section 3 "Programmers Model".
 *
 * Emulated: the data register (transmit), a flag register that reads as an
 * idle UART with an empty transmit FIFO and nothing received, the control
 * and configuration registers as plain storage, the PrimeCell ID registers
 * (periphid 0x00341011 as the BCM2711 DT declares). Not emulated: receive,
 * interrupts, DMA, baud-rate timing.
 */

import type { MmioDevice } from './mmio';

const UARTDR = 0x00;
const UARTFR = 0x18;
const UARTPERIPHID0 = 0xfe0;

// UARTFR bits
const FR_TXFE = 1 << 7; // transmit FIFO empty
const FR_RXFE = 1 << 4; // receive FIFO empty

/* PeriphID0..3 then PCellID0..3 (TRM table 3-1; part 0x011, designer 0x41, revision 3). */
const ID_REGS = [0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export class Pl011 implements MmioDevice {
  readonly size = 0x1000;
  onByte?: (byte: number) => void;
  private readonly regs = new Map<number, number>();

  constructor(readonly name = 'pl011') {}

  read(offset: number): number {
    if (offset === UARTDR) return 0;
    if (offset === UARTFR) return FR_TXFE | FR_RXFE;
    if (offset >= UARTPERIPHID0 && offset < UARTPERIPHID0 + 0x20) return ID_REGS[(offset - UARTPERIPHID0) >> 2]!;
    return this.regs.get(offset) ?? 0;
  }

  write(offset: number, _width: number, value: bigint): void {
    if (offset === UARTDR) {
      this.onByte?.(Number(value & 0xffn));
      return;
    }
    this.regs.set(offset, Number(value & 0xffffffffn));
  }
}
