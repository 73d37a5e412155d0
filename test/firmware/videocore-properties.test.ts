// SPDX-License-Identifier: GPL-2.0-only
// The VideoCore property channel as Linux's raspberrypi.c, clk-raspberrypi.c and raspberrypi-power.c call it.
import { describe, expect, it } from 'vitest';
import { GuestRam } from '../../emulator/memory/guest-ram';
import { uconsoleCm3, uconsoleCm4 } from '../../emulator/board/boards';
import { VideoCoreProperties } from '../../firmware/videocore-properties';
import type { BoardProfile } from '../../emulator/board/profile';

const BUF = 0x10_0000;
const BUS = 0xc000_0000 + BUF; // dma-ranges: bus 0xc0000000 is PA 0 on both SoCs

function firmware(board: BoardProfile, ramBytes = 2 ** 30, enableUart = false): { ram: GuestRam; vc: VideoCoreProperties } {
  const ram = GuestRam.fromArrayBuffers(4 << 20);
  const vc = new VideoCoreProperties({ ram, board, ramBytes, memory: board.memoryRanges(ramBytes, 76), gpuMemMb: 76, enableUart });
  return { ram, vc };
}

/** rpi_firmware_property_list's buffer for one tag with `values` (buf_size bytes), as Linux builds it. */
function oneTag(ram: GuestRam, tag: number, values: number[], bufSize = 4 * values.length): void {
  const size = 12 + 12 + bufSize + 4;
  const words = [size, 0, tag, bufSize, 0, ...values];
  while (words.length < (size - 4) / 4) words.push(0);
  words.push(0);
  words.forEach((w, i) => ram.setU32(BUF + 4 * i, w >>> 0));
}

const word = (ram: GuestRam, i: number): number => ram.u32(BUF + 4 * i);

describe('VideoCore property channel', () => {
  it('answers the firmware revision the 2023-03-17 firmware gives, in place, with the response codes set', () => {
    const { ram, vc } = firmware(uconsoleCm3);
    oneTag(ram, 0x1, [0]);
    expect(vc.message(BUS)).toBe(BUS);
    expect(word(ram, 1)).toBe(0x8000_0000);
    expect(word(ram, 4)).toBe(0x8000_0004);
    expect(new Date(word(ram, 5) * 1000).toISOString()).toBe('2023-03-17T10:52:42.000Z');
    const cm4 = firmware(uconsoleCm4);
    oneTag(cm4.ram, 0x1, [0]);
    cm4.vc.message(BUS);
    expect(new Date(word(cm4.ram, 5) * 1000).toISOString()).toBe('2023-03-17T10:50:39.000Z');
  });

  it('gives the board revision codes of the CM3 and of each CM4 size', () => {
    const rev = (board: BoardProfile, ramBytes: number): number => {
      const { ram, vc } = firmware(board, ramBytes);
      oneTag(ram, 0x10002, [0]);
      vc.message(BUS);
      return word(ram, 5);
    };
    expect(rev(uconsoleCm3, 2 ** 30)).toBe(0xa020a0);
    expect([1, 2, 4, 8].map((g) => rev(uconsoleCm4, g * 2 ** 30).toString(16))).toEqual(['a03140', 'b03140', 'c03140', 'd03140']);
  });

  it('lists the clocks and answers their ranges and rates as clk-raspberrypi asks (id, val, disable_turbo)', () => {
    const { ram, vc } = firmware(uconsoleCm3);
    oneTag(ram, 0x10007, new Array(2 * 14).fill(0));
    vc.message(BUS);
    const ids: number[] = [];
    for (let i = 0; word(ram, 5 + 2 * i + 1) !== 0; i++) ids.push(word(ram, 5 + 2 * i + 1));
    expect(ids).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const ask = (tag: number, id: number, val = 0): number => {
      oneTag(ram, tag, [id, val, 1]);
      vc.message(BUS);
      expect(word(ram, 5)).toBe(id);
      return word(ram, 6);
    };
    expect(ask(0x30004, 3)).toBe(1_200_000_000); // max ARM
    expect(ask(0x30007, 3)).toBe(600_000_000); // min ARM
    expect(ask(0x30002, 2)).toBe(48_000_000); // the UART clock
    expect(ask(0x38002, 3, 2_000_000_000)).toBe(1_200_000_000); // a set rate is held to the range
    expect(ask(0x30002, 3)).toBe(1_200_000_000);
    expect(ask(0x30001, 9)).toBe(2); // no such clock
  });

  it('fixes the core clock with enable_uart=1 (the mini-UART divides it): 500 MHz on the CM4, 250 on the CM3', () => {
    const core = (board: BoardProfile, enableUart: boolean): number => {
      const { ram, vc } = firmware(board, 2 ** 30, enableUart);
      oneTag(ram, 0x30002, [4, 0]);
      vc.message(BUS);
      return word(ram, 6);
    };
    expect(core(uconsoleCm4, true)).toBe(500_000_000);
    expect(core(uconsoleCm3, true)).toBe(250_000_000);
    expect(core(uconsoleCm4, false)).toBe(200_000_000); // its minimum, where idle clocks start
  });

  it('answers the new power-domain interface (the ARM domain on) and the old device one', () => {
    const { ram, vc } = firmware(uconsoleCm4);
    oneTag(ram, 0x30030, [22, 0xffff_ffff]); // rpi_detect_new_interface
    vc.message(BUS);
    expect([word(ram, 5), word(ram, 6)]).toEqual([22, 1]);
    oneTag(ram, 0x38030, [6, 1]);
    vc.message(BUS);
    oneTag(ram, 0x30030, [6, 0]);
    vc.message(BUS);
    expect(word(ram, 6)).toBe(1);
    oneTag(ram, 0x20001, [3, 0]);
    vc.message(BUS);
    expect(word(ram, 6)).toBe(0);
    expect(vc.answered.get(0x30030)).toBe(2);
  });

  it('leaves a tag it does not know alone (no response bit), the buffer still successful', () => {
    const { ram, vc } = firmware(uconsoleCm3);
    oneTag(ram, 0x10004, [0x1234, 0x5678]); // the board serial: a device's own
    vc.message(BUS);
    expect(word(ram, 1)).toBe(0x8000_0000);
    expect(word(ram, 4)).toBe(0);
    expect([word(ram, 5), word(ram, 6)]).toEqual([0x1234, 0x5678]);
  });

  it('marks a buffer it cannot parse, and refuses one outside the DMA window in one line', () => {
    const { ram, vc } = firmware(uconsoleCm3);
    oneTag(ram, 0x1, [0]);
    ram.setU32(BUF + 12, 0x1000); // the tag claims more than the buffer holds
    vc.message(BUS);
    expect(word(ram, 1)).toBe(0x8000_0001);
    expect(() => vc.message(BUF)).toThrow(/^VideoCore property buffer at bus address 0x100000 is outside the DMA window$/);
  });
});
