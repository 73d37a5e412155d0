// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BCM2835's ARM interrupt controller ("brcm,bcm2836-armctrl-ic" on the
 * BCM2836/7), as the BCM2835 ARM Peripherals datasheet (section 7, at bus
 * 0x7e00b200) describes it and Linux drives it (drivers/irqchip/
 * irq-bcm2835.c). On the BCM2837 it collects the peripherals' interrupts
 * and hands one line, the "GPU interrupt", to the ARM-local controller
 * (bcm2836-local-intc.ts), which routes it to one core; Linux chains it
 * from that controller's input 8.
 *
 * Inputs are named as the device tree names them, bank and bit: bank 0
 * the eight ARM-side sources of the basic register (ARM timer, ARM
 * mailbox, doorbells, ...), bank 1 GPU interrupts 0-31, bank 2 GPU
 * interrupts 32-63 (the PL011 is bank 2 bit 25, GPU IRQ 57). Each bank
 * has an enable register that sets bits and a disable register that
 * clears them (both read back the enables); the pending registers show
 * asserted and enabled inputs. The basic pending register carries bank
 * 0, bit 8 or 9 when pending 1 or 2 has a bit set that has no shortcut
 * there, and bits 10-20, the shortcuts: GPU IRQs 7, 9, 10, 18, 19, 53,
 * 54, 55, 56, 57 and 62 (datasheet 7.5; irq-bcm2835.c's shortcuts[]).
 * The output is asserted while the basic register is non-zero. Inputs
 * are levels: a driver silences its device, nothing is acknowledged here.
 *
 * The FIQ control register is kept and read back, but no FIQ reaches a core.
 */

import { DeviceAccessError, type MmioDevice } from './mmio';

/** Offset of the controller inside its page (bus 0x7e00b200). */
export const ARMCTRL_OFFSET = 0x200;

const PENDING = [0x00, 0x04, 0x08];
const FIQ_CONTROL = 0x0c;
const ENABLE = [0x18, 0x10, 0x14];
const DISABLE = [0x24, 0x1c, 0x20];
const BANK_WIDTH = [8, 32, 32];

/** GPU IRQs with a shortcut bit in the basic register, in bit order from bit 10. */
const SHORTCUTS: readonly [bank: number, bit: number][] = [
  [1, 7], [1, 9], [1, 10], [1, 18], [1, 19], [2, 21], [2, 22], [2, 23], [2, 24], [2, 25], [2, 30],
];
const SHORTCUT_SHIFT = 10;
const BANK1_PENDING = 1 << 8;
const BANK2_PENDING = 1 << 9;

function shortcutMask(bank: number): number {
  return SHORTCUTS.reduce((m, [b, bit]) => (b === bank ? m | (1 << bit) : m), 0) >>> 0;
}
const NOT_SHORTCUT = [0, ~shortcutMask(1) >>> 0, ~shortcutMask(2) >>> 0];

export class Bcm2835ArmCtrl implements MmioDevice {
  readonly name = 'bcm2836-armctrl-ic';
  readonly size = 0x28;
  /** Called when the output (the GPU interrupt to the local controller) changes level. */
  onOutput?: (asserted: boolean) => void;
  private readonly lines = new Uint32Array(3);
  private readonly enables = new Uint32Array(3);
  private fiqControl = 0;
  private output = false;

  /** `base` is where the registers sit (0x3f00b200 on the BCM2837), for fault reports. */
  constructor(readonly base = 0x3f00_b200) {}

  hasInput(bank: number, bit: number): boolean {
    return Number.isInteger(bank) && Number.isInteger(bit) && bank >= 0 && bank < 3 && bit >= 0 && bit < BANK_WIDTH[bank]!;
  }

  /** An input's level: `bank` 0-2 and `bit` as in the device tree's interrupts property. */
  setLine(bank: number, bit: number, asserted: boolean): void {
    if (!this.hasInput(bank, bit)) throw new Error(`armctrl: no input ${bank}:${bit}`);
    this.lines[bank] = asserted ? this.lines[bank]! | (1 << bit) : this.lines[bank]! & ~(1 << bit);
    this.update();
  }

  /** Pending register `bank`: asserted and enabled inputs (bank 0 with the summary and shortcut bits). */
  pending(bank: number): number {
    const p = (b: number): number => (this.lines[b]! & this.enables[b]!) >>> 0;
    if (bank !== 0) return p(bank);
    let basic = p(0);
    if (p(1) & NOT_SHORTCUT[1]!) basic |= BANK1_PENDING;
    if (p(2) & NOT_SHORTCUT[2]!) basic |= BANK2_PENDING;
    SHORTCUTS.forEach(([b, bit], i) => {
      if (p(b) & (1 << bit)) basic |= 1 << (SHORTCUT_SHIFT + i);
    });
    return basic >>> 0;
  }

  get asserted(): boolean {
    return this.output;
  }

  read(offset: number, width: number): number {
    this.check(offset, width, false);
    if (offset === FIQ_CONTROL) return this.fiqControl;
    const bank = PENDING.indexOf(offset);
    if (bank >= 0) return this.pending(bank);
    const e = Math.max(ENABLE.indexOf(offset), DISABLE.indexOf(offset));
    return this.enables[e]! >>> 0;
  }

  write(offset: number, width: number, value: bigint): void {
    this.check(offset, width, true);
    const v = Number(value & 0xffff_ffffn);
    if (offset === FIQ_CONTROL) this.fiqControl = v & 0xff;
    const enable = ENABLE.indexOf(offset);
    const disable = DISABLE.indexOf(offset);
    const widthMask = (b: number): number => (BANK_WIDTH[b] === 32 ? 0xffff_ffff : (1 << BANK_WIDTH[b]!) - 1);
    if (enable >= 0) this.enables[enable]! |= v & widthMask(enable);
    if (disable >= 0) this.enables[disable]! &= ~v;
    this.update();
  }

  /** Linux makes 32-bit accesses only; anything else stops the machine with a report. */
  private check(offset: number, width: number, isWrite: boolean): void {
    if ((offset & 3) !== 0 || width !== 4) throw new DeviceAccessError(`${this.name} (${width}-byte access at offset 0x${offset.toString(16)})`, this.base + offset, isWrite);
  }

  private update(): void {
    const out = this.pending(0) !== 0;
    if (out === this.output) return;
    this.output = out;
    this.onOutput?.(out);
  }
}
