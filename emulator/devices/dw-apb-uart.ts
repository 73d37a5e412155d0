// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Synopsys DesignWare APB UART (DW_apb_uart) as Linux's 8250_dw
 * driver sees it: the 16550 register set (ns16550.ts) with 32-bit
 * spacing, plus the DesignWare registers above it in the same 256-byte
 * block: USR (0x7c: busy, transmit FIFO not full / empty, receive FIFO
 * not empty / full), TFL and RFL (0x80, 0x84: FIFO levels), CPR (0xf4,
 * component parameters) and UCV (0xf8, component version).
 *
 * What the driver does with them (drivers/tty/serial/8250/8250_dw.c and
 * 8250_dwlib.c): it reads USR after a busy-detect interrupt (IIR 0x7,
 * raised when LCR is written while the UART is busy: never here, since
 * transmission takes no time, so every LCR write holds and dw8250_check_lcr
 * reads back what it wrote); dw8250_setup_port reads UCV, and only when it
 * is non-zero (the ADDITIONAL_FEATURES configuration) CPR, whose FIFO_MODE
 * field fixes the port type as 16550A with that FIFO size, skipping the
 * 8250 core's autoconfig. With UCV 0 the core probes the port by
 * autoconfig (ns16550.ts supports its loopback and FIFO measurement).
 *
 * The other offsets of the block (the RS-485, DMA, fractional-divisor and
 * debug registers that some configurations have) read as 0 and ignore
 * writes: the driver probes RE_EN and DLF by writing and reading back,
 * and 0 tells it they are absent. Past the block is another UART (the
 * H6's are 0x400 apart): an access there stops the machine.
 */

import { Ns16550, type Ns16550Options } from './ns16550';
import { DeviceAccessError } from './mmio';

/** Byte offsets of the DesignWare registers. */
export const DW_REG = { USR: 0x7c, TFL: 0x80, RFL: 0x84, CPR: 0xf4, UCV: 0xf8 } as const;
export const DW_USR = { BUSY: 0x01, TFNF: 0x02, TFE: 0x04, RFNE: 0x08, RFF: 0x10 } as const;

/** CPR fields (DW_apb_uart databook; Linux's 8250_dwlib.c names the same bits). */
export const DW_CPR = {
  APB_DATA_WIDTH_32: 0x2,
  AFCE_MODE: 1 << 4,
  THRE_MODE: 1 << 5,
  ADDITIONAL_FEATURES: 1 << 8,
  FIFO_STAT: 1 << 10,
  /** FIFO_MODE (bits 23:16): the FIFO depth in units of 16 entries. */
  fifoMode: (depth: number): number => (depth / 16) << 16,
} as const;

const BLOCK_SIZE = 0x100;

export interface DwApbUartOptions extends Ns16550Options {
  /** Component Parameter Register as the SoC's configuration reads it (0: not implemented). */
  cpr?: number;
  /** UART Component Version (0: no ADDITIONAL_FEATURES, so no CPR either). */
  ucv?: number;
}

export class DwApbUart extends Ns16550 {
  private readonly cpr: number;
  private readonly ucv: number;

  constructor(name = 'dw-apb-uart', opts: DwApbUartOptions = {}) {
    super(name, { ...opts, regShift: opts.regShift ?? 2 });
    if (this.regShift !== 2) throw new Error(`${name}: the DesignWare registers need reg-shift 2 (32-bit spacing), not ${this.regShift}`);
    this.cpr = opts.cpr ?? 0;
    this.ucv = opts.ucv ?? 0;
  }

  protected override readExtension(offset: number): number | undefined {
    this.inBlock(offset, false);
    switch (offset) {
      case DW_REG.USR:
        return this.usr();
      case DW_REG.TFL:
        return 0; // the transmit FIFO drains at once
      case DW_REG.RFL:
        return this.rxCount;
      case DW_REG.CPR:
        return this.cpr;
      case DW_REG.UCV:
        return this.ucv;
      default:
        return 0;
    }
  }

  protected override writeExtension(offset: number): boolean {
    this.inBlock(offset, true);
    return true; // read-only or absent registers: the write has no effect
  }

  private usr(): number {
    return DW_USR.TFNF | DW_USR.TFE | (this.rxCount > 0 ? DW_USR.RFNE : 0) | (this.rxRoom === 0 ? DW_USR.RFF : 0);
  }

  private inBlock(offset: number, isWrite: boolean): void {
    if (offset >= BLOCK_SIZE) throw new DeviceAccessError(this.name, this.base + offset, isWrite, `past the UART's ${BLOCK_SIZE}-byte register block (another UART, not emulated)`);
  }
}
