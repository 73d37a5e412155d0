// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VideoCore mailbox for Debian's kernel: the mailbox device in the
 * board's ARM-side page, its interrupt wired where the device tree says
 * (bank 0 bit 1 of armctrl on the CM3, GIC SPI 33 on the CM4), and the
 * firmware's property channel behind it (firmware/videocore-properties.ts).
 * With it Linux's bcm2835-mbox, raspberrypi-firmware, firmware-clocks and
 * raspberrypi-power drivers probe as on the device: "mailbox enabled",
 * "Attached to firmware from ...". Other channels (the frame buffer, VCHIQ)
 * get no answer.
 */

import type { Machine } from '../emulator/machine';
import type { BoardInterrupts } from '../emulator/board/interrupts';
import { Bcm2835Mailbox } from '../emulator/devices/bcm2835-mailbox';
import type { PagePart } from '../emulator/devices/mmio';
import type { FirmwareHandoff } from '../firmware/boot';
import { MBOX_CHAN_PROPERTY, VideoCoreProperties } from '../firmware/videocore-properties';

/** The mailbox at `pa` (0x...b880), as the part of its 4 KiB page the board wiring maps. */
export function videoCoreMailbox(pa: number): { mailbox: Bcm2835Mailbox; part: PagePart } {
  const mailbox = new Bcm2835Mailbox(pa);
  return { mailbox, part: { offset: pa % 0x1000, device: mailbox } };
}

/** Once the firmware stage has run: the interrupt named by the mailbox's `interrupts` cells, and the property channel. */
export function connectVideoCore(mailbox: Bcm2835Mailbox, intc: BoardInterrupts, irqCells: readonly number[], m: Machine, fw: FirmwareHandoff): VideoCoreProperties {
  mailbox.onLine = intc.line(irqCells);
  const properties = new VideoCoreProperties({
    ram: m.ram, board: m.board, ramBytes: m.ramBytes, memory: fw.memory, gpuMemMb: fw.config.gpuMemMb ?? m.board.defaultGpuMemMb, enableUart: fw.config.enableUart,
  });
  mailbox.onMessage = (channel, data) => (channel === MBOX_CHAN_PROPERTY ? properties.message(data) : undefined);
  return properties;
}
