// SPDX-License-Identifier: GPL-2.0-only
// The AUX block's page (BCM2711 ARM Peripherals 2.1): AUX_IRQ, AUX_ENABLES as clk-bcm2835-aux.c gates them, the mini-UART behind its enable, SPI absent.
import { describe, expect, it } from 'vitest';
import { Bcm2835Aux, AUX_REG, AUX_DEVICE, AUX_MU_OFFSET } from '../../../emulator/devices/bcm2835-aux';
import { MU_REG } from '../../../emulator/devices/bcm2835-aux-uart';
import { IER } from '../../../emulator/devices/ns16550';

const BASE = 0xfe21_5000;

function aux(): { a: Bcm2835Aux; lines: boolean[]; out: number[] } {
  const a = new Bcm2835Aux(BASE);
  const lines: boolean[] = [];
  const out: number[] = [];
  a.onIrq = (l) => lines.push(l);
  a.uart.onByte = (b) => out.push(b);
  return { a, lines, out };
}

describe('BCM2711 AUX block', () => {
  it('keeps the three enable bits as the clock gates set and clear them, 32 bits at a time', () => {
    const { a } = aux();
    expect(a.page.read(AUX_REG.ENABLES, 4)).toBe(0);
    a.page.write(AUX_REG.ENABLES, 4, 0xffff_ffff_ffff_ffffn);
    expect(a.page.read(AUX_REG.ENABLES, 4)).toBe(AUX_DEVICE.MINI_UART | AUX_DEVICE.SPI1 | AUX_DEVICE.SPI2);
    a.page.write(AUX_REG.ENABLES, 4, BigInt(AUX_DEVICE.MINI_UART)); // clk_disable_unused clears the SPI gates
    expect(a.page.read(AUX_REG.ENABLES, 4)).toBe(AUX_DEVICE.MINI_UART);
  });

  it('gives no access to the mini-UART while its enable bit is clear', () => {
    const { a } = aux();
    expect(() => a.page.read(AUX_MU_OFFSET + MU_REG.LSR, 1)).toThrow(/^read from bcm2835-aux-uart at PA 0xfe215054: disabled \(AUX_ENABLES bit 0 clear\)/);
    expect(() => a.page.write(AUX_MU_OFFSET + MU_REG.IO, 1, 0x41n)).toThrow(/^write to bcm2835-aux-uart at PA 0xfe215040: disabled/);
    a.page.write(AUX_REG.ENABLES, 4, 1n);
    expect(a.page.read(AUX_MU_OFFSET + MU_REG.LSR, 1)).toBe(0x60);
  });

  it('sends the mini-UART\'s bytes through the page at +0x40', () => {
    const { a, out } = aux();
    a.page.write(AUX_REG.ENABLES, 4, 1n);
    for (const c of 'hi') a.page.write(AUX_MU_OFFSET + MU_REG.IO, 1, BigInt(c.charCodeAt(0)));
    expect(String.fromCharCode(...out)).toBe('hi');
  });

  it('shows the mini-UART\'s pending interrupt in AUX_IRQ bit 0 and on its one output line; writes to AUX_IRQ do nothing', () => {
    const { a, lines } = aux();
    a.page.write(AUX_REG.ENABLES, 4, 1n);
    expect(a.page.read(AUX_REG.IRQ, 4)).toBe(0);
    a.page.write(AUX_MU_OFFSET + MU_REG.IER, 1, BigInt(IER.THRI)); // the transmit FIFO is empty
    expect(a.page.read(AUX_REG.IRQ, 4)).toBe(AUX_DEVICE.MINI_UART);
    expect(lines).toEqual([true]);
    a.page.write(AUX_REG.IRQ, 4, 0n);
    expect(a.page.read(AUX_REG.IRQ, 4)).toBe(AUX_DEVICE.MINI_UART);
    a.page.write(AUX_MU_OFFSET + MU_REG.IER, 1, 0n);
    expect(a.page.read(AUX_REG.IRQ, 4)).toBe(0);
    expect(lines).toEqual([true, false]);
  });

  it('stops at the SPI masters\' registers and the gaps of the page, in one line', () => {
    const { a } = aux();
    expect(() => a.page.read(0x80, 4)).toThrow(/^read from unimplemented device bcm2835 AUX page \(SPI1, SPI2\) at PA 0xfe215080$/);
    expect(() => a.page.write(0xc0, 4, 0n)).toThrow(/^write to unimplemented device bcm2835 AUX page \(SPI1, SPI2\) at PA 0xfe2150c0$/);
    expect(() => a.page.read(0x10, 4)).toThrow(/unimplemented device bcm2835 AUX page/);
    expect(() => a.page.read(0x02, 2)).toThrow(/^read from bcm2835-aux at PA 0xfe215002: unaligned register access$/);
  });
});
