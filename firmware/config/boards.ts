// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the Raspberry Pi firmware knows about each board when it reads
 * config.txt: which conditional model filters the board sees, its
 * board-type number, and the defaults that depend on the board.
 *
 * Sources (Raspberry Pi documentation, asciidoc/computers):
 *   - config_txt/conditional.adoc: the model filter table; a Pi 400, CM4
 *     and CM4S also see [pi4], a 3B+/3A+ also sees [pi3], a Zero W [pi0],
 *     a Zero 2 W [pi0w] and [pi0]; [board-type=0x14] matches a CM4.
 *   - raspberry-pi/revision-codes.adoc: board-type numbers.
 *   - config_txt/boot.adoc: `kernel` defaults (kernel.img, kernel7.img,
 *     kernel7l.img; kernel8.img when arm_64bit is set), `arm_64bit`
 *     default (1 on Pi 4, 400, CM4, CM4S in the current docs, which older
 *     docs gave as 0 everywhere; reference/uconsole-hw.md section 3).
 *   - configuration/uart.adoc: enable_uart defaults to 1 when the first
 *     PL011 is the primary UART, 0 when the mini UART is (the models with
 *     Bluetooth: Zero W, Zero 2 W, 3, 4). CM4 is not in that table; it is
 *     treated like the Pi 4 here.
 *   - the base DTB file names the firmware loads (bcm27xx-rpi-*.dtb).
 *
 * [cm1] and [cm3] are not in the conditional table the docs give; they are
 * accepted as model filters seen by those modules (an assumption).
 * `ramMb` is the RAM fitted by default in this project's board profiles.
 */

export type BoardModel =
  | 'pi1'
  | 'cm1'
  | 'pi0'
  | 'pi0w'
  | 'pi02'
  | 'pi2'
  | 'pi3'
  | 'pi3+'
  | 'cm3'
  | 'pi4'
  | 'pi400'
  | 'cm4'
  | 'cm4s';

export interface BoardInfo {
  /** Model filters whose sections this board applies, e.g. ['pi4', 'cm4']. */
  filters: readonly string[];
  /** The board-type field of the revision code. */
  boardType: number;
  /** Default of arm_64bit. */
  arm64Default: number;
  /** The kernel file when arm_64bit is 0 and no `kernel` is given. */
  kernel32: string;
  /** True when the first PL011 (not the mini UART) is the primary UART. */
  pl011Primary: boolean;
  /** The base device tree the firmware loads when `device_tree` is not given. */
  dtb: string;
  /** Installed RAM assumed when the caller does not say, in MB. */
  ramMb: number;
}

export const BOARDS: Readonly<Record<BoardModel, BoardInfo>> = {
  pi1: { filters: ['pi1'], boardType: 0x01, arm64Default: 0, kernel32: 'kernel.img', pl011Primary: true, dtb: 'bcm2708-rpi-b-plus.dtb', ramMb: 512 },
  cm1: { filters: ['pi1', 'cm1'], boardType: 0x06, arm64Default: 0, kernel32: 'kernel.img', pl011Primary: true, dtb: 'bcm2708-rpi-cm.dtb', ramMb: 512 },
  pi0: { filters: ['pi0'], boardType: 0x09, arm64Default: 0, kernel32: 'kernel.img', pl011Primary: true, dtb: 'bcm2708-rpi-zero.dtb', ramMb: 512 },
  pi0w: { filters: ['pi0', 'pi0w'], boardType: 0x0c, arm64Default: 0, kernel32: 'kernel.img', pl011Primary: false, dtb: 'bcm2708-rpi-zero-w.dtb', ramMb: 512 },
  pi02: { filters: ['pi0', 'pi0w', 'pi02'], boardType: 0x12, arm64Default: 0, kernel32: 'kernel7.img', pl011Primary: false, dtb: 'bcm2710-rpi-zero-2-w.dtb', ramMb: 512 },
  pi2: { filters: ['pi2'], boardType: 0x04, arm64Default: 0, kernel32: 'kernel7.img', pl011Primary: true, dtb: 'bcm2709-rpi-2-b.dtb', ramMb: 1024 },
  pi3: { filters: ['pi3'], boardType: 0x08, arm64Default: 0, kernel32: 'kernel7.img', pl011Primary: false, dtb: 'bcm2710-rpi-3-b.dtb', ramMb: 1024 },
  'pi3+': { filters: ['pi3', 'pi3+'], boardType: 0x0d, arm64Default: 0, kernel32: 'kernel7.img', pl011Primary: false, dtb: 'bcm2710-rpi-3-b-plus.dtb', ramMb: 1024 },
  cm3: { filters: ['pi3', 'cm3'], boardType: 0x0a, arm64Default: 0, kernel32: 'kernel7.img', pl011Primary: true, dtb: 'bcm2710-rpi-cm3.dtb', ramMb: 1024 },
  pi4: { filters: ['pi4'], boardType: 0x11, arm64Default: 1, kernel32: 'kernel7l.img', pl011Primary: false, dtb: 'bcm2711-rpi-4-b.dtb', ramMb: 4096 },
  pi400: { filters: ['pi4', 'pi400'], boardType: 0x13, arm64Default: 1, kernel32: 'kernel7l.img', pl011Primary: false, dtb: 'bcm2711-rpi-400.dtb', ramMb: 4096 },
  cm4: { filters: ['pi4', 'cm4'], boardType: 0x14, arm64Default: 1, kernel32: 'kernel7l.img', pl011Primary: false, dtb: 'bcm2711-rpi-cm4.dtb', ramMb: 4096 },
  cm4s: { filters: ['pi4', 'cm4s'], boardType: 0x15, arm64Default: 1, kernel32: 'kernel7l.img', pl011Primary: false, dtb: 'bcm2711-rpi-cm4s.dtb', ramMb: 1024 },
};

/** Every model filter name the firmware documents (plus [cm1], [cm3]); others are unknown filters. */
export const MODEL_FILTERS: ReadonlySet<string> = new Set([
  'pi1', 'pi2', 'pi3', 'pi3+', 'pi4', 'pi400', 'cm4', 'cm4s', 'pi0', 'pi0w', 'pi02', 'pi5', 'pi500', 'cm5', 'cm1', 'cm3',
]);

export function isBoardModel(name: string): name is BoardModel {
  return Object.prototype.hasOwnProperty.call(BOARDS, name);
}

/** The base DTB file name the firmware picks for `board`. */
export function defaultDeviceTreeName(board: BoardModel): string {
  return BOARDS[board].dtb;
}
