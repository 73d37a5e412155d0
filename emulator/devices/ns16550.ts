// SPDX-License-Identifier: GPL-2.0-only
/*
 * A 16550A-class UART: the register set of the National/TI PC16550D,
 * which the Synopsys DesignWare APB UART of the Allwinner H6 and the
 * RK3399 implements (dw-apb-uart.ts adds its own registers on top).
 *
 * Interface: registers at (index << regShift); bytes written to THR
 * leave through onByte, bytes the host types enter the receive FIFO
 * through receive(), the interrupt output is a level (onIrq).
 * Reference: TI PC16550D datasheet (SNLS378C), sections 8.4-8.6: the
 * register summary, the IIR priorities (table 4), the FCR trigger levels
 * and the modem-control loopback; Linux's drivers/tty/serial/8250/
 * 8250_port.c is the driver that probes and drives it (autoconfig(),
 * serial8250_do_startup(), serial8250_handle_irq()).
 *
 * Transmission takes no time: a byte written to THR is gone at once, so
 * THRE and TEMT always read set and the transmitter never holds anything.
 * The THRE interrupt is the datasheet's edge-made-level: it becomes
 * pending when THR empties (right after each write) or when IER.ETBEI is
 * set while THR is empty, and is cleared by a read of IIR that reports it
 * or by the next write. Linux relies on both: start_tx only sets ETBEI
 * and waits for the interrupt, and startup's THRE test reads IIR twice
 * across an ETBEI toggle.
 *
 * The receiver: a FIFO of fifoDepth entries while FCR.FIFOE is set, a
 * single holding register otherwise. Received data available is raised
 * at the FCR trigger level (1, 1/4, 1/2 or 2 less than full); the
 * character timeout for anything below it (the "4 character times without
 * activity" take no time here, as the PL011's receive timeout). A byte
 * that finds the FIFO full is lost and sets LSR.OE (only the loopback can
 * overrun: the host's input waits for room).
 *
 * Loopback (MCR.LOOP): what is written to THR enters the receive FIFO
 * instead of the line, and the modem inputs follow the outputs (CTS =
 * RTS, DSR = DTR, RI = OUT1, DCD = OUT2), which is how Linux's autoconfig
 * checks that a UART is there and measures its FIFO. Outside loopback the
 * line's far end is a terminal that holds CTS, DSR and DCD asserted and
 * never rings (so a tty open does not wait for carrier). Not emulated:
 * parity, framing and break errors (the host sends clean bytes), baud-rate
 * timing (the divisor is storage), DMA mode, IrDA.
 */

import type { MmioDevice } from './mmio';
import { DeviceAccessError } from './mmio';
import type { ConsoleUart } from './console-uart';

/** Register indexes (before regShift). */
export const UART_REG = { RBR: 0, THR: 0, DLL: 0, IER: 1, DLM: 1, IIR: 2, FCR: 2, LCR: 3, MCR: 4, LSR: 5, MSR: 6, SCR: 7 } as const;

export const IER = { RDI: 0x01, THRI: 0x02, RLSI: 0x04, MSI: 0x08 } as const;
/** IIR interrupt IDs in priority order (table 4 of the datasheet), and the FIFO-enabled bits. */
export const IIR = { NO_INT: 0x01, RLSI: 0x06, RDI: 0x04, RX_TIMEOUT: 0x0c, THRI: 0x02, MSI: 0x00, FIFOS: 0xc0 } as const;
export const FCR = { FIFOE: 0x01, CLEAR_RX: 0x02, CLEAR_TX: 0x04 } as const;
export const LCR_DLAB = 0x80;
export const MCR = { DTR: 0x01, RTS: 0x02, OUT1: 0x04, OUT2: 0x08, LOOP: 0x10 } as const;
export const LSR = { DR: 0x01, OE: 0x02, THRE: 0x20, TEMT: 0x40 } as const;
export const MSR = { DCTS: 0x01, DDSR: 0x02, TERI: 0x04, DDCD: 0x08, CTS: 0x10, DSR: 0x20, RI: 0x40, DCD: 0x80 } as const;

/** IER bits that exist (the high nibble reads 0: Linux's XScale UUE probe must fail). */
const IER_MASK = 0x0f;
/** MCR bits kept: the modem outputs, loopback and the DesignWare's AFCE (bit 5). */
const MCR_MASK = 0x3f;

export interface Ns16550Options {
  /** DT reg-shift: register n is at n << regShift (2 on the H6 and RK3399). */
  regShift?: number;
  /** Receive FIFO entries (16 on a PC16550D, 64 on the H6's and RK3399's DesignWare UARTs). */
  fifoDepth?: number;
  /** Where the window is, for the fault report of an access to a register that does not exist. */
  base?: number;
}

export class Ns16550 implements MmioDevice, ConsoleUart {
  readonly size = 0x1000;
  onByte?: (byte: number) => void;
  onIrq?: (asserted: boolean) => void;
  readonly regShift: number;
  readonly fifoDepth: number;
  protected readonly base: number;
  private readonly rx: number[] = [];
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  private dll = 0;
  private dlm = 0;
  private fcr = 0;
  private overrun = false;
  private msrDelta = 0;
  private modemInputs: number;
  private threPending = false;
  private irqLine = false;

  constructor(readonly name = 'ns16550', opts: Ns16550Options = {}) {
    this.regShift = opts.regShift ?? 2;
    this.fifoDepth = opts.fifoDepth ?? 16;
    this.base = opts.base ?? 0;
    this.modemInputs = this.inputsFromLine();
  }

  get rxRoom(): number {
    return this.depth() - this.rx.length;
  }

  get rxInterruptEnabled(): boolean {
    return (this.ier & IER.RDI) !== 0;
  }

  /** Bytes from the line (the host) into the receive FIFO, as far as it has room. */
  receive(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.rxRoom);
    for (let i = 0; i < n; i++) this.rx.push(bytes[i]!);
    this.update();
    return n;
  }

  /** The interrupt the IIR reports now (IIR.NO_INT when none), without the FIFO bits. */
  interruptId(): number {
    if (this.overrun && this.ier & IER.RLSI) return IIR.RLSI;
    if (this.rx.length > 0 && this.ier & IER.RDI) return this.rx.length >= this.rxTrigger() ? IIR.RDI : IIR.RX_TIMEOUT;
    if (this.threPending && this.ier & IER.THRI) return IIR.THRI;
    if (this.msrDelta !== 0 && this.ier & IER.MSI) return IIR.MSI;
    return IIR.NO_INT;
  }

  read(offset: number): number {
    const index = this.registerIndex(offset, false);
    if (index === undefined) return this.readExtension(offset) ?? this.unknown(offset, false);
    const value = this.readRegister(index);
    this.update();
    return value;
  }

  write(offset: number, _width: number, value: bigint): void {
    const index = this.registerIndex(offset, true);
    const v = Number(value & 0xffn);
    if (index === undefined) {
      if (!this.writeExtension(offset, Number(value & 0xffff_ffffn))) this.unknown(offset, true);
      return;
    }
    this.writeRegister(index, v);
    this.update();
  }

  /* ---- for the DesignWare registers (dw-apb-uart.ts) --------------------- */

  /** A register outside the 16550 set: its value, or undefined when there is none. */
  protected readExtension(_offset: number): number | undefined {
    return undefined;
  }

  /** A write outside the 16550 set: false when there is no such register. */
  protected writeExtension(_offset: number, _value: number): boolean {
    return false;
  }

  protected get rxCount(): number {
    return this.rx.length;
  }

  /* ---- the 16550 registers ----------------------------------------------- */

  private registerIndex(offset: number, isWrite: boolean): number | undefined {
    if (offset % (1 << this.regShift) !== 0) throw new DeviceAccessError(this.name, this.base + offset, isWrite, 'unaligned register access');
    const index = offset >> this.regShift;
    return index <= UART_REG.SCR ? index : undefined;
  }

  private unknown(offset: number, isWrite: boolean): never {
    throw new DeviceAccessError(this.name, this.base + offset, isWrite, 'no such UART register');
  }

  private readRegister(index: number): number {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (index) {
      case UART_REG.RBR:
        return dlab ? this.dll : this.popReceived();
      case UART_REG.IER:
        return dlab ? this.dlm : this.ier;
      case UART_REG.IIR:
        return this.readIir();
      case UART_REG.LCR:
        return this.lcr;
      case UART_REG.MCR:
        return this.mcr;
      case UART_REG.LSR:
        return this.readLsr();
      case UART_REG.MSR:
        return this.readMsr();
      default:
        return this.scr;
    }
  }

  private writeRegister(index: number, v: number): void {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (index) {
      case UART_REG.THR:
        if (dlab) this.dll = v;
        else this.transmit(v);
        return;
      case UART_REG.IER:
        if (dlab) this.dlm = v;
        else this.writeIer(v);
        return;
      case UART_REG.FCR:
        this.writeFcr(v);
        return;
      case UART_REG.LCR:
        this.lcr = v;
        return;
      case UART_REG.MCR:
        this.writeMcr(v);
        return;
      case UART_REG.LSR:
      case UART_REG.MSR:
        return; // read-only (factory test writes are not modelled)
      default:
        this.scr = v;
    }
  }

  private popReceived(): number {
    return this.rx.shift() ?? 0;
  }

  /** Reading IIR when it reports THRE is what clears THRE (datasheet table 4). */
  private readIir(): number {
    const id = this.interruptId();
    if (id === IIR.THRI) this.threPending = false;
    return id | (this.fifoEnabled() ? IIR.FIFOS : 0);
  }

  /** Reading LSR clears the error bits (here only the overrun). */
  private readLsr(): number {
    const v = (this.rx.length > 0 ? LSR.DR : 0) | (this.overrun ? LSR.OE : 0) | LSR.THRE | LSR.TEMT;
    this.overrun = false;
    return v;
  }

  /** Reading MSR clears its delta bits. */
  private readMsr(): number {
    const v = this.modemInputs | this.msrDelta;
    this.msrDelta = 0;
    return v;
  }

  private transmit(byte: number): void {
    if (this.mcr & MCR.LOOP) this.loopBack(byte);
    else this.onByte?.(byte);
    this.threPending = true; // THR empties at once
  }

  private loopBack(byte: number): void {
    if (this.rx.length < this.depth()) this.rx.push(byte);
    else this.overrun = true;
  }

  private writeIer(v: number): void {
    const enablingThre = (v & IER.THRI) !== 0 && (this.ier & IER.THRI) === 0;
    this.ier = v & IER_MASK;
    if (enablingThre) this.threPending = true; // THR is always empty
  }

  /** FCR: toggling FIFOE clears both FIFOs, as the resets do (datasheet 8.6.3). */
  private writeFcr(v: number): void {
    const toggled = ((v ^ this.fcr) & FCR.FIFOE) !== 0;
    if (toggled || v & FCR.CLEAR_RX) this.rx.length = 0;
    this.fcr = v & ~(FCR.CLEAR_RX | FCR.CLEAR_TX);
  }

  private writeMcr(v: number): void {
    this.mcr = v & MCR_MASK;
    const inputs = this.mcr & MCR.LOOP ? this.inputsFromLoop() : this.inputsFromLine();
    this.msrDelta |= modemDeltas(this.modemInputs, inputs);
    this.modemInputs = inputs;
  }

  private inputsFromLoop(): number {
    const m = this.mcr;
    return (m & MCR.RTS ? MSR.CTS : 0) | (m & MCR.DTR ? MSR.DSR : 0) | (m & MCR.OUT1 ? MSR.RI : 0) | (m & MCR.OUT2 ? MSR.DCD : 0);
  }

  private inputsFromLine(): number {
    return MSR.CTS | MSR.DSR | MSR.DCD;
  }

  private fifoEnabled(): boolean {
    return (this.fcr & FCR.FIFOE) !== 0;
  }

  private depth(): number {
    return this.fifoEnabled() ? this.fifoDepth : 1;
  }

  /** FCR bits 7:6: 1 entry, a quarter, a half, or two less than full. */
  private rxTrigger(): number {
    if (!this.fifoEnabled()) return 1;
    return [1, this.fifoDepth / 4, this.fifoDepth / 2, this.fifoDepth - 2][this.fcr >> 6]!;
  }

  private update(): void {
    const line = this.interruptId() !== IIR.NO_INT;
    if (line === this.irqLine) return;
    this.irqLine = line;
    this.onIrq?.(line);
  }
}

/** MSR's delta bits for a change of the modem inputs: CTS, DSR and DCD on any change, RI on its trailing edge. */
function modemDeltas(before: number, after: number): number {
  const changed = before ^ after;
  return (changed & MSR.CTS ? MSR.DCTS : 0) | (changed & MSR.DSR ? MSR.DDSR : 0) | (changed & MSR.DCD ? MSR.DDCD : 0) |
    (before & MSR.RI && !(after & MSR.RI) ? MSR.TERI : 0);
}
