// SPDX-License-Identifier: GPL-2.0-only
/*
 * ARM PrimeCell PL011 UART (the BCM2711/BCM2837 UART0), as the console.
 *
 * Interface: a 4 KiB MMIO window; bytes written to UARTDR leave through
 * onByte; bytes the host types enter the receive FIFO through receive().
 * Reference: ARM PrimeCell UART (PL011) Technical Reference Manual, r1p5
 * (DDI 0183G), section 3 "Programmers Model" and 2.8 "Interrupts".
 *
 * Emulated: transmit (a byte leaves at once, so the transmit FIFO is
 * always empty and never full), the receive FIFO (16 entries, or 1 with
 * LCR_H.FEN clear, as the TRM's character mode), the flag register from
 * them, the interrupt registers (IMSC, RIS, MIS, ICR) for the receive,
 * receive-timeout and transmit interrupts with the FIFO trigger levels of
 * IFLS, the combined output (onIrq: the line to the interrupt controller),
 * the control and configuration registers as plain storage, and the
 * PrimeCell ID registers (periphid 0x00341011 as the BCM2711 DT declares).
 *
 * The interrupt conditions are levels, as the TRM describes them for the
 * FIFO mode: TXRIS while the transmit FIFO is at or below its trigger
 * level (always, since it drains at once), RXRIS while the receive FIFO
 * is at or above its trigger level, RTRIS while it holds anything (the
 * "32 bit periods without data" of the receive timeout take no time
 * here). Linux's amba-pl011 driver clears them the way the TRM says, by
 * reading the FIFO empty or by writing it; ICR clears the error and modem
 * bits, which nothing here sets. Not emulated: errors, modem lines, DMA,
 * IrDA, baud-rate timing (transmission takes no virtual time).
 */

import type { MmioDevice } from './mmio';

const UARTDR = 0x00;
const UARTFR = 0x18;
const UARTLCR_H = 0x2c;
const UARTIFLS = 0x34;
const UARTIMSC = 0x38;
const UARTRIS = 0x3c;
const UARTMIS = 0x40;
const UARTICR = 0x44;
const UARTPERIPHID0 = 0xfe0;

// UARTFR bits
const FR_TXFE = 1 << 7; // transmit FIFO empty
const FR_RXFF = 1 << 6; // receive FIFO full
const FR_RXFE = 1 << 4; // receive FIFO empty

const LCR_H_FEN = 1 << 4;

/** Interrupt bits (IMSC, RIS, MIS, ICR). */
export const PL011_INT = { RX: 1 << 4, TX: 1 << 5, RT: 1 << 6 } as const;

const FIFO_DEPTH = 16;
/** IFLS trigger levels (RXIFLSEL, TXIFLSEL): 1/8, 1/4, 1/2, 3/4, 7/8 full. */
const TRIGGER_EIGHTHS = [1, 2, 4, 6, 7];

/* PeriphID0..3 then PCellID0..3 (TRM table 3-1; part 0x011, designer 0x41, revision 3). */
const ID_REGS = [0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export class Pl011 implements MmioDevice {
  readonly size = 0x1000;
  onByte?: (byte: number) => void;
  /** The combined interrupt output changed (to the interrupt controller's line). */
  onIrq?: (asserted: boolean) => void;
  private readonly regs = new Map<number, number>();
  private readonly rx: number[] = [];
  private imsc = 0;
  private irqLine = false;

  constructor(readonly name = 'pl011') {}

  /** Room left in the receive FIFO. */
  get rxRoom(): number {
    return this.depth() - this.rx.length;
  }

  /** Whether the guest takes input by interrupt now (a receive or timeout interrupt unmasked). */
  get rxInterruptEnabled(): boolean {
    return (this.imsc & (PL011_INT.RX | PL011_INT.RT)) !== 0;
  }

  /** Bytes from the host's side of the line into the receive FIFO; returns how many fitted. */
  receive(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.rxRoom);
    for (let i = 0; i < n; i++) this.rx.push(bytes[i]!);
    this.update();
    return n;
  }

  read(offset: number): number {
    switch (offset) {
      case UARTDR: {
        const b = this.rx.shift();
        this.update();
        return b ?? 0;
      }
      case UARTFR:
        return FR_TXFE | (this.rx.length === 0 ? FR_RXFE : 0) | (this.rxRoom === 0 ? FR_RXFF : 0);
      case UARTIMSC:
        return this.imsc;
      case UARTRIS:
        return this.ris();
      case UARTMIS:
        return this.ris() & this.imsc;
    }
    if (offset >= UARTPERIPHID0 && offset < UARTPERIPHID0 + 0x20) return ID_REGS[(offset - UARTPERIPHID0) >> 2]!;
    return this.regs.get(offset) ?? 0;
  }

  write(offset: number, _width: number, value: bigint): void {
    const v = Number(value & 0xffffffffn);
    switch (offset) {
      case UARTDR:
        this.onByte?.(v & 0xff);
        return;
      case UARTIMSC:
        this.imsc = v & 0x7ff;
        break;
      case UARTICR:
        break; // the level conditions modelled here are cleared by the FIFOs, not by ICR
      default:
        this.regs.set(offset, v);
    }
    this.update();
  }

  private depth(): number {
    return (this.regs.get(UARTLCR_H) ?? 0) & LCR_H_FEN ? FIFO_DEPTH : 1;
  }

  /** The raw interrupt status: levels from the FIFOs (see the header). */
  private ris(): number {
    const ifls = this.regs.get(UARTIFLS) ?? 0x12; // reset: both at 1/2
    const fifo = (this.regs.get(UARTLCR_H) ?? 0) & LCR_H_FEN;
    const rxTrigger = fifo ? (FIFO_DEPTH * TRIGGER_EIGHTHS[Math.min((ifls >> 3) & 7, 4)]!) / 8 : 1;
    let ris = PL011_INT.TX;
    if (this.rx.length >= rxTrigger) ris |= PL011_INT.RX;
    if (this.rx.length > 0) ris |= PL011_INT.RT;
    return ris;
  }

  private update(): void {
    const line = (this.ris() & this.imsc) !== 0;
    if (line === this.irqLine) return;
    this.irqLine = line;
    this.onIrq?.(line);
  }
}
