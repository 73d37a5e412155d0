// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BCM2835-family mini-UART (UART1, "brcm,bcm2835-aux-uart"), one of
 * the three auxiliary peripherals (bcm2835-aux.ts holds the block around
 * it). Reference: BCM2711 ARM Peripherals, chapter 2 "Auxiliaries" (2.2,
 * the mini-UART and its register details; the BCM2835 datasheet's
 * chapter 2 is the same device), and Linux's drivers/tty/serial/8250/
 * 8250_bcm2835aux.c, which drives it through the 8250 core as a PORT_16550
 * with UART_CAP_MINI and an 8-byte FIFO.
 *
 * Broadcom kept the 16550's register order and bit positions where the
 * mini-UART has the feature, so the 8250 core's constants (ns16550.ts:
 * IER, IIR, LSR) name its bits; everything else of a 16550 is absent: no
 * FCR (the FIFOs are always on; writing IIR bits 1 and 2 clears them), no
 * parity, stop-bit or 5/6-bit modes (LCR bit 0 chooses 7 or 8 data bits),
 * no modem lines but RTS (MCR bit 1) and CTS (MSR bit 5), no loopback, no
 * line-status or modem interrupts. What it has instead, at 0x20-0x28:
 * CNTL (receiver and transmitter enables, auto flow control), STAT (FIFO
 * levels and the line state in one word) and BAUD (the 16-bit divisor
 * that LCR.DLAB also reaches through IO and IER: baud = core clock /
 * (8 * (BAUD + 1)), which is why Linux doubles the clock for the 8250
 * core's divide-by-16).
 *
 * Both FIFOs hold eight symbols. Transmission takes no time: while the
 * transmitter is enabled a byte written to IO leaves at once (onByte, its
 * top bit dropped in 7-bit mode), so the transmit FIFO is empty and
 * LSR's "transmitter empty" (bit 5: the FIFO can take a byte, which
 * Linux's tx loop reads as a not-full flag) and "transmitter idle" (bit 6)
 * are set. With CNTL's transmitter enable clear, bytes wait in the FIFO
 * (a ninth is lost) and leave when it is set again; clearing the FIFO
 * through IIR drops them. The receiver takes host bytes (receive()) only
 * while CNTL's receiver enable is set and only as far as the FIFO has
 * room, so its overrun flag (LSR bit 1, STAT bit 4) never sets.
 *
 * The interrupts are levels, as the datasheet words IER: the receive one
 * while the receive FIFO holds a byte, the transmit one while the transmit
 * FIFO is empty (not the 16550's THRE event that an IIR read clears).
 * IIR names one of them, receive first when both are pending (the
 * datasheet calls the combined ID "not possible" but gives no order; this
 * is the 16550's). Not emulated: baud-rate timing, break (LCR bit 6) and
 * auto flow control (CNTL bits 2-7) are storage; STAT bits 6 and 7 report
 * RTS and CTS as asserted = 1 (the datasheet gives no polarity).
 */

import { DeviceAccessError, type MmioDevice } from './mmio';
import type { ConsoleUart } from './console-uart';
import { IER, IIR, LSR, LCR_DLAB } from './ns16550';

/** Byte offsets of the mini-UART's registers from its base (AUX + 0x40). */
export const MU_REG = { IO: 0x00, IER: 0x04, IIR: 0x08, LCR: 0x0c, MCR: 0x10, LSR: 0x14, MSR: 0x18, SCRATCH: 0x1c, CNTL: 0x20, STAT: 0x24, BAUD: 0x28 } as const;

/** AUX_MU_IIR_REG: writing bit 1 clears the receive FIFO, bit 2 the transmit FIFO. */
export const MU_IIR_CLEAR = { RX: 0x02, TX: 0x04 } as const;
/** AUX_MU_LCR_REG bit 0: 8-bit mode (clear: 7-bit); bit 6: break. */
export const MU_LCR = { DATA_8BIT: 0x01, BREAK: 0x40 } as const;
/** AUX_MU_MCR_REG bit 1: RTS asserted (the UART1_RTS pin low). */
export const MU_MCR_RTS = 0x02;
/** AUX_MU_MSR_REG bit 5: CTS asserted (the inverse of the UART1_CTS pin). */
export const MU_MSR_CTS = 0x20;
/** AUX_MU_CNTL_REG bit 0: receiver enable; bit 1: transmitter enable (both set at reset). */
export const MU_CNTL = { RXEN: 0x01, TXEN: 0x02 } as const;
/** AUX_MU_STAT_REG fields. */
export const MU_STAT = {
  SYMBOL_AVAILABLE: 1 << 0, SPACE_AVAILABLE: 1 << 1, RX_IDLE: 1 << 2, TX_IDLE: 1 << 3, RX_OVERRUN: 1 << 4,
  TX_FULL: 1 << 5, RTS: 1 << 6, CTS: 1 << 7, TX_EMPTY: 1 << 8, TX_DONE: 1 << 9,
  rxLevel: (stat: number): number => (stat >> 16) & 0xf,
  txLevel: (stat: number): number => (stat >> 24) & 0xf,
} as const;

/** Both FIFOs hold eight symbols (datasheet 2.2.1). */
export const MU_FIFO_DEPTH = 8;
const IER_MASK = 0x0f;
/** LCR bits kept: data size (bit 0; bit 1 is written with it by 8-bit drivers), break, DLAB. */
const LCR_MASK = 0xc3;
const CNTL_RESET = MU_CNTL.RXEN | MU_CNTL.TXEN;
/** Register window: AUX_MU_IO_REG to the end of the 0x40-byte block. */
const WINDOW = 0x40;

export class Bcm2835AuxUart implements MmioDevice, ConsoleUart {
  readonly size = WINDOW;
  onByte?: (byte: number) => void;
  onIrq?: (asserted: boolean) => void;
  private readonly rx: number[] = [];
  private readonly tx: number[] = [];
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scratch = 0;
  private cntl = CNTL_RESET;
  private baud = 0;
  private irqLine = false;

  /** `base`: where the registers sit (the PA of AUX_MU_IO_REG), for fault reports. */
  constructor(readonly name = 'bcm2835-aux-uart', readonly base = 0) {}

  get rxRoom(): number {
    return this.cntl & MU_CNTL.RXEN ? MU_FIFO_DEPTH - this.rx.length : 0;
  }

  get rxInterruptEnabled(): boolean {
    return (this.ier & IER.RDI) !== 0;
  }

  /** The BAUD register (also reached as DLL/DLM through LCR.DLAB). */
  get divisor(): number {
    return this.baud;
  }

  /** Whether an enabled interrupt condition holds (AUX_IRQ bit 0). */
  get pending(): boolean {
    return this.interruptId() !== IIR.NO_INT;
  }

  /** Bytes from the line into the receive FIFO, while the receiver is enabled and as far as it has room. */
  receive(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.rxRoom);
    for (let i = 0; i < n; i++) this.rx.push(bytes[i]! & this.dataMask());
    this.update();
    return n;
  }

  read(offset: number): number {
    this.check(offset, false);
    const value = this.readRegister(offset);
    this.update();
    return value;
  }

  write(offset: number, _width: number, value: bigint): void {
    this.check(offset, true);
    this.writeRegister(offset, Number(value & 0xffff_ffffn));
    this.update();
  }

  private check(offset: number, isWrite: boolean): void {
    if (offset % 4 !== 0) throw new DeviceAccessError(this.name, this.base + offset, isWrite, 'unaligned register access');
    if (offset > MU_REG.BAUD) throw new DeviceAccessError(this.name, this.base + offset, isWrite, 'no such mini-UART register');
  }

  private readRegister(offset: number): number {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case MU_REG.IO:
        return dlab ? this.baud & 0xff : this.popReceived();
      case MU_REG.IER:
        return dlab ? this.baud >> 8 : this.ier;
      case MU_REG.IIR:
        return this.readIir();
      case MU_REG.LCR:
        return this.lcr;
      case MU_REG.MCR:
        return this.mcr;
      case MU_REG.LSR:
        return this.readLsr();
      case MU_REG.MSR:
        return MU_MSR_CTS; // the far end holds CTS asserted
      case MU_REG.SCRATCH:
        return this.scratch;
      case MU_REG.CNTL:
        return this.cntl;
      case MU_REG.STAT:
        return this.readStat();
      default:
        return this.baud;
    }
  }

  private writeRegister(offset: number, v: number): void {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case MU_REG.IO:
        if (dlab) this.baud = (this.baud & 0xff00) | (v & 0xff);
        else this.transmit(v & 0xff);
        return;
      case MU_REG.IER:
        if (dlab) this.baud = (this.baud & 0xff) | ((v & 0xff) << 8);
        else this.ier = v & IER_MASK;
        return;
      case MU_REG.IIR:
        this.clearFifos(v);
        return;
      case MU_REG.LCR:
        this.lcr = v & LCR_MASK;
        return;
      case MU_REG.MCR:
        this.mcr = v & MU_MCR_RTS;
        return;
      case MU_REG.LSR:
      case MU_REG.MSR:
      case MU_REG.STAT:
        return; // read-only
      case MU_REG.SCRATCH:
        this.scratch = v & 0xff;
        return;
      case MU_REG.CNTL:
        this.cntl = v & 0xff;
        this.drain();
        return;
      default:
        this.baud = v & 0xffff;
    }
  }

  /** The interrupt IIR reports: received data first, then transmit-FIFO empty. */
  private interruptId(): number {
    if (this.rx.length > 0 && this.ier & IER.RDI) return IIR.RDI;
    if (this.tx.length === 0 && this.ier & IER.THRI) return IIR.THRI;
    return IIR.NO_INT;
  }

  /** Bits 7:6 always read 1: the FIFOs are always enabled. */
  private readIir(): number {
    return IIR.FIFOS | this.interruptId();
  }

  private readLsr(): number {
    const txEmpty = this.tx.length === 0;
    return (this.rx.length > 0 ? LSR.DR : 0) | (this.tx.length < MU_FIFO_DEPTH ? LSR.THRE : 0) | (txEmpty ? LSR.TEMT : 0);
  }

  private readStat(): number {
    const txEmpty = this.tx.length === 0;
    return (this.rx.length > 0 ? MU_STAT.SYMBOL_AVAILABLE : 0) | (this.tx.length < MU_FIFO_DEPTH ? MU_STAT.SPACE_AVAILABLE : MU_STAT.TX_FULL) |
      MU_STAT.RX_IDLE | MU_STAT.TX_IDLE | (this.mcr & MU_MCR_RTS ? MU_STAT.RTS : 0) | MU_STAT.CTS |
      (txEmpty ? MU_STAT.TX_EMPTY | MU_STAT.TX_DONE : 0) | (this.rx.length << 16) | (this.tx.length << 24);
  }

  private popReceived(): number {
    return this.rx.shift() ?? 0;
  }

  /** Into the transmit FIFO (a byte that finds it full is lost), out at once while the transmitter is enabled. */
  private transmit(byte: number): void {
    if (this.tx.length < MU_FIFO_DEPTH) this.tx.push(byte & this.dataMask());
    this.drain();
  }

  private drain(): void {
    if (!(this.cntl & MU_CNTL.TXEN)) return;
    for (let b = this.tx.shift(); b !== undefined; b = this.tx.shift()) this.onByte?.(b);
  }

  private clearFifos(v: number): void {
    if (v & MU_IIR_CLEAR.RX) this.rx.length = 0;
    if (v & MU_IIR_CLEAR.TX) this.tx.length = 0;
  }

  /** 7-bit mode carries seven data bits on the line. */
  private dataMask(): number {
    return this.lcr & MU_LCR.DATA_8BIT ? 0xff : 0x7f;
  }

  private update(): void {
    const line = this.pending;
    if (line === this.irqLine) return;
    this.irqLine = line;
    this.onIrq?.(line);
  }
}
