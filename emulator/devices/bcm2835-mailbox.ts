// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ARM side of the BCM283x VideoCore mailboxes ("brcm,bcm2835-mbox" at
 * bus 0x7e00b880), as Linux's drivers/mailbox/bcm2835-mailbox.c uses them
 * and the Raspberry Pi firmware wiki ("Mailboxes") lays them out:
 * mailbox 0 carries messages from the VideoCore to the ARM (read at 0x00,
 * peek 0x10, sender 0x14, status 0x18, configuration 0x1c), mailbox 1
 * from the ARM to the VideoCore (write at 0x20, status 0x38). A message
 * is 28 bits of data over a 4-bit channel.
 *
 * The VideoCore's side is a callback (onMessage: the firmware model,
 * firmware/videocore-properties.ts) that answers at once: what it returns
 * is queued in mailbox 0, so mailbox 1 never fills. The interrupt output
 * is asserted while mailbox 0 holds a message and the configuration's
 * data-IRQ enable (bit 0) is set; Linux's handler reads until the status
 * says empty, which drops it.
 */

import { DeviceAccessError, type MmioDevice } from './mmio';

const MAIL0_RD = 0x00;
const MAIL0_POL = 0x10;
const MAIL0_SENDER = 0x14;
const MAIL0_STA = 0x18;
const MAIL0_CNF = 0x1c;
const MAIL1_WRT = 0x20;
const MAIL1_STA = 0x38;

export const MBOX_FULL = 0x8000_0000;
export const MBOX_EMPTY = 0x4000_0000;
const CNF_IHAVEDATAIRQEN = 1;
/** The hardware FIFO holds eight messages. */
const FIFO_DEPTH = 8;

export class Bcm2835Mailbox implements MmioDevice {
  readonly name = 'bcm2835-mbox';
  readonly size = 0x40;
  /** The VideoCore's answer to a message on `channel`: the reply's 28 data bits, or undefined for none. */
  onMessage?: (channel: number, data: number) => number | undefined;
  /** The interrupt output changed level. */
  onLine?: (asserted: boolean) => void;
  private readonly fifo: number[] = [];
  private config = 0;
  private line = false;

  /** `base` is where the registers sit, for fault reports. */
  constructor(readonly base: number) {}

  read(offset: number, width: number): number {
    this.check(offset, width, false);
    switch (offset) {
      case MAIL0_RD: {
        const msg = this.fifo.shift() ?? 0;
        this.update();
        return msg;
      }
      case MAIL0_POL:
        return this.fifo[0] ?? 0;
      case MAIL0_SENDER:
        return 0;
      case MAIL0_STA:
        return (this.fifo.length === 0 ? MBOX_EMPTY : 0) | (this.fifo.length >= FIFO_DEPTH ? MBOX_FULL : 0) | this.fifo.length;
      case MAIL0_CNF:
        return this.config;
      case MAIL1_STA:
        return MBOX_EMPTY; // answered at once: never full
      default:
        throw new DeviceAccessError(`${this.name} (register 0x${offset.toString(16)})`, this.base + offset, false);
    }
  }

  write(offset: number, width: number, value: bigint): void {
    this.check(offset, width, true);
    const v = Number(value & 0xffff_ffffn);
    if (offset === MAIL0_CNF) {
      this.config = v;
      this.update();
    } else if (offset === MAIL1_WRT) {
      this.send(v & 0xf, v & ~0xf);
    } else {
      throw new DeviceAccessError(`${this.name} (register 0x${offset.toString(16)})`, this.base + offset, true);
    }
  }

  /** A message from the ARM: the VideoCore answers on the same channel. */
  private send(channel: number, data: number): void {
    let reply: number | undefined;
    try {
      reply = this.onMessage?.(channel, data >>> 0);
    } catch (e) {
      // The VideoCore cannot answer (a buffer outside RAM): stop the machine with the reason, as a device fault.
      throw new DeviceAccessError(this.name, this.base + MAIL1_WRT, true, (e as Error).message);
    }
    if (reply === undefined || this.fifo.length >= FIFO_DEPTH) return;
    this.fifo.push(((reply & ~0xf) | channel) >>> 0);
    this.update();
  }

  private check(offset: number, width: number, isWrite: boolean): void {
    if ((offset & 3) !== 0 || width !== 4) throw new DeviceAccessError(`${this.name} (${width}-byte access at offset 0x${offset.toString(16)})`, this.base + offset, isWrite);
  }

  private update(): void {
    const line = this.fifo.length > 0 && (this.config & CNF_IHAVEDATAIRQEN) !== 0;
    if (line === this.line) return;
    this.line = line;
    this.onLine?.(line);
  }
}
