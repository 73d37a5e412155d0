// SPDX-License-Identifier: GPL-2.0-only
// The PL011's receive FIFO, flags and interrupts (TRM DDI 0183G, 3.3 and 2.8).
import { describe, expect, it } from 'vitest';
import { Pl011, PL011_INT } from '../../../emulator/devices/pl011';

const DR = 0x00;
const FR = 0x18;
const LCR_H = 0x2c;
const IFLS = 0x34;
const IMSC = 0x38;
const RIS = 0x3c;
const MIS = 0x40;
const ICR = 0x44;
const FR_RXFE = 1 << 4;
const FR_RXFF = 1 << 6;
const FR_TXFE = 1 << 7;

function uart(): { u: Pl011; lines: boolean[]; out: number[] } {
  const u = new Pl011();
  const lines: boolean[] = [];
  const out: number[] = [];
  u.onIrq = (a) => lines.push(a);
  u.onByte = (b) => out.push(b);
  return { u, lines, out };
}

describe('PL011', () => {
  it('transmits at once: TXFE always set, the transmit interrupt always raw, a write goes out', () => {
    const { u, out } = uart();
    u.write(DR, 4, 0x41n);
    expect(out).toEqual([0x41]);
    expect(u.read(FR) & FR_TXFE).toBe(FR_TXFE);
    expect(u.read(RIS) & PL011_INT.TX).toBe(PL011_INT.TX);
    expect(u.read(MIS)).toBe(0); // nothing unmasked
  });

  it('receives into a 16-entry FIFO with LCR_H.FEN, one entry without; flags follow it; reads pop in order', () => {
    const { u } = uart();
    expect(u.read(FR) & FR_RXFE).toBe(FR_RXFE);
    expect(u.receive(Uint8Array.of(1, 2))).toBe(1); // character mode: one holding register
    expect(u.read(FR) & (FR_RXFE | FR_RXFF)).toBe(FR_RXFF);
    u.write(LCR_H, 4, 0x70n); // FEN, 8 bits
    expect(u.receive(new Uint8Array(20).fill(7))).toBe(15);
    expect(u.read(DR)).toBe(1);
    expect(u.read(DR)).toBe(7);
    expect(u.rxRoom).toBe(2);
  });

  it('raises its line for received data only while unmasked: RX at the IFLS trigger level, RT for anything waiting', () => {
    const { u, lines } = uart();
    u.write(LCR_H, 4, 0x70n);
    u.write(IFLS, 4, 0x12n); // RX at 1/2 full: 8 entries
    u.receive(Uint8Array.of(0x61));
    expect(u.read(RIS) & (PL011_INT.RX | PL011_INT.RT)).toBe(PL011_INT.RT);
    expect(lines).toEqual([]);
    expect(u.rxInterruptEnabled).toBe(false);
    u.write(IMSC, 4, BigInt(PL011_INT.RX | PL011_INT.RT));
    expect(u.rxInterruptEnabled).toBe(true);
    expect(lines).toEqual([true]);
    expect(u.read(MIS)).toBe(PL011_INT.RT);
    u.receive(new Uint8Array(7));
    expect(u.read(MIS)).toBe(PL011_INT.RT | PL011_INT.RX);
    u.write(ICR, 4, 0x7ffn); // the FIFO conditions are not cleared by ICR
    expect(u.read(MIS)).toBe(PL011_INT.RT | PL011_INT.RX);
    for (let i = 0; i < 8; i++) u.read(DR);
    expect(u.read(MIS)).toBe(0);
    expect(lines).toEqual([true, false]); // reading the FIFO empty drops the line
  });

  it('the transmit interrupt, once unmasked, holds the line until masked again (the FIFO is always at or below its level)', () => {
    const { u, lines } = uart();
    u.write(IMSC, 4, BigInt(PL011_INT.TX));
    expect(lines).toEqual([true]);
    u.write(IMSC, 4, 0n);
    expect(lines).toEqual([true, false]);
  });
});
