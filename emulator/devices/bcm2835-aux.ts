// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BCM2835-family auxiliary peripherals block ("brcm,bcm2835-aux", bus
 * 0x7e215000): one 4 KiB page holding AUX_IRQ and AUX_ENABLES at 0x00 and
 * 0x04, the mini-UART at 0x40 (bcm2835-aux-uart.ts), SPI1 at 0x80 and
 * SPI2 at 0xc0. Reference: BCM2711 ARM Peripherals, 2.1 "Overview" and
 * its AUX_IRQ and AUX_ENABLES register tables; Linux's drivers/clk/bcm/
 * clk-bcm2835-aux.c, which makes the three enable bits clock gates
 * (aux_uart, aux_spi1, aux_spi2) for the drivers of the three devices.
 *
 * AUX_IRQ is read-only: bit n is set while auxiliary device n has an
 * interrupt pending (bit 0 the mini-UART, 1 and 2 the SPI masters). The
 * block has one interrupt output, the OR of the three (GIC SPI 93 on the
 * BCM2711, bcm2711.dtsi), which is `onIrq`. AUX_ENABLES holds the three
 * enables; while a device's bit is clear the datasheet gives no access to
 * its registers at all, so an access to the mini-UART then stops the
 * machine with that reason rather than inventing what the bus returns.
 *
 * SPI1 and SPI2 are not emulated: their enable bits are storage (Linux's
 * unused-clock sweep clears them), their pending bits read 0, and their
 * registers, like the rest of the page, stop the machine on an access
 * (SharedPage).
 */

import { DeviceAccessError, SharedPage, type MmioDevice } from './mmio';
import { Bcm2835AuxUart } from './bcm2835-aux-uart';

export const AUX_REG = { IRQ: 0x00, ENABLES: 0x04 } as const;
/** Bits of AUX_IRQ and AUX_ENABLES, one per auxiliary device. */
export const AUX_DEVICE = { MINI_UART: 0x1, SPI1: 0x2, SPI2: 0x4 } as const;
/** Where the mini-UART's registers start in the page. */
export const AUX_MU_OFFSET = 0x40;
const AUX_REGS_SIZE = 0x08;
const ENABLES_MASK = AUX_DEVICE.MINI_UART | AUX_DEVICE.SPI1 | AUX_DEVICE.SPI2;

export class Bcm2835Aux {
  readonly uart: Bcm2835AuxUart;
  /** The 4 KiB page to map at `base`. */
  readonly page: SharedPage;
  /** The block's interrupt output changed level. */
  onIrq?: (asserted: boolean) => void;
  private enables = 0;

  /** `base`: the page's PA (0xfe215000 on the BCM2711). */
  constructor(readonly base: number) {
    this.uart = new Bcm2835AuxUart('bcm2835-aux-uart', base + AUX_MU_OFFSET);
    this.uart.onIrq = (asserted) => this.onIrq?.(asserted);
    this.page = new SharedPage('bcm2835 AUX page (SPI1, SPI2)', base, [
      { offset: 0, device: this.registers() },
      { offset: AUX_MU_OFFSET, device: this.uartWindow() },
    ]);
  }

  /** AUX_IRQ as read now. */
  get irq(): number {
    return this.uart.pending ? AUX_DEVICE.MINI_UART : 0;
  }

  /** AUX_IRQ and AUX_ENABLES. */
  private registers(): MmioDevice {
    return {
      name: 'bcm2835-aux', size: AUX_REGS_SIZE,
      read: (offset) => (this.checkRegister(offset, false) === AUX_REG.IRQ ? this.irq : this.enables),
      write: (offset, _width, value) => {
        if (this.checkRegister(offset, true) === AUX_REG.ENABLES) this.enables = Number(value & 0xffn) & ENABLES_MASK;
      },
    };
  }

  private checkRegister(offset: number, isWrite: boolean): number {
    if (offset !== AUX_REG.IRQ && offset !== AUX_REG.ENABLES) throw new DeviceAccessError('bcm2835-aux', this.base + offset, isWrite, 'unaligned register access');
    return offset;
  }

  /** The mini-UART's registers, reachable only while its AUX_ENABLES bit is set. */
  private uartWindow(): MmioDevice {
    const uart = this.uart;
    const check = (offset: number, isWrite: boolean): void => {
      if (!(this.enables & AUX_DEVICE.MINI_UART))
        throw new DeviceAccessError(uart.name, uart.base + offset, isWrite, 'disabled (AUX_ENABLES bit 0 clear): its registers cannot be accessed');
    };
    return {
      name: uart.name, size: uart.size,
      read: (offset) => (check(offset, false), uart.read(offset)),
      write: (offset, width, value) => (check(offset, true), uart.write(offset, width, value)),
    };
  }
}
