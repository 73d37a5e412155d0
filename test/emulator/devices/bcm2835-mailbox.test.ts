// SPDX-License-Identifier: GPL-2.0-only
// The VideoCore mailbox's ARM side as drivers/mailbox/bcm2835-mailbox.c uses it.
import { describe, expect, it } from 'vitest';
import { Bcm2835Mailbox, MBOX_EMPTY } from '../../../emulator/devices/bcm2835-mailbox';
import { DeviceAccessError } from '../../../emulator/devices/mmio';

const MAIL0_RD = 0x00;
const MAIL0_STA = 0x18;
const MAIL0_CNF = 0x1c;
const MAIL1_WRT = 0x20;
const MAIL1_STA = 0x38;

describe('BCM2835 VideoCore mailbox', () => {
  it('a message to the VideoCore is answered on its channel in mailbox 0, raising the line while unread', () => {
    const mb = new Bcm2835Mailbox(0x3f00_b880);
    const seen: [number, number][] = [];
    const levels: boolean[] = [];
    mb.onMessage = (ch, data) => (seen.push([ch, data]), data);
    mb.onLine = (a) => levels.push(a);
    mb.write(MAIL0_CNF, 4, 1n); // bcm2835_startup: data IRQ enable
    expect(mb.read(MAIL0_STA, 4) & MBOX_EMPTY).toBe(MBOX_EMPTY);
    expect(mb.read(MAIL1_STA, 4) & 0x8000_0000).toBe(0); // last_tx_done
    mb.write(MAIL1_WRT, 4, 0xc37f_e008n); // buffer bus 0xc37fe000, channel 8
    expect(seen).toEqual([[8, 0xc37f_e000]]);
    expect(levels).toEqual([true]);
    expect(mb.read(MAIL0_STA, 4)).toBe(1);
    // bcm2835_mbox_irq: read while not empty
    expect(mb.read(MAIL0_RD, 4)).toBe(0xc37f_e008);
    expect(mb.read(MAIL0_STA, 4) & MBOX_EMPTY).toBe(MBOX_EMPTY);
    expect(levels).toEqual([true, false]);
  });

  it('holds the line low while the data IRQ is disabled, and a channel the VideoCore ignores gets no reply', () => {
    const mb = new Bcm2835Mailbox(0x3f00_b880);
    const levels: boolean[] = [];
    mb.onLine = (a) => levels.push(a);
    mb.onMessage = (ch, data) => (ch === 8 ? data : undefined);
    mb.write(MAIL1_WRT, 4, 0x1000_0001n);
    expect(mb.read(MAIL0_STA, 4) & MBOX_EMPTY).toBe(MBOX_EMPTY);
    mb.write(MAIL1_WRT, 4, 0x1000_0008n);
    expect(levels).toEqual([]);
    mb.write(MAIL0_CNF, 4, 1n);
    expect(levels).toEqual([true]);
  });

  it('an unknown register or a VideoCore that cannot answer stops the machine with a one-line reason', () => {
    const mb = new Bcm2835Mailbox(0x3f00_b880);
    expect(() => mb.read(0x24, 4)).toThrow(DeviceAccessError);
    mb.onMessage = () => {
      throw new Error('VideoCore property buffer at bus address 0x100 is outside the DMA window');
    };
    expect(() => mb.write(MAIL1_WRT, 4, 0x108n)).toThrow(/^write to bcm2835-mbox at PA 0x3f00b8a0: VideoCore property buffer at bus address 0x100 is outside the DMA window$/);
  });
});
