// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device tree Debian's kernel boots with on the emulated board: the
 * tree Debian ships for the module (bcm2711-rpi-cm4-io.dtb,
 * bcm2837-rpi-cm3-io3.dtb), with every
 * device the machine does not emulate declared absent (status =
 * "disabled"), so that Linux does not probe it. Without this a driver
 * would read a register of a device that is not there and the machine
 * would stop on the access (emulator/devices/mmio.ts, UnimplementedDevice),
 * or wait for an answer that never comes.
 *
 * Kept: the CPUs and their caches, memory and reserved memory, the buses
 * (simple-bus) and fixed clocks, the interrupt controllers (the GIC-400;
 * on the BCM2837 the ARM-local and armctrl ones), the ARM generic timer
 * (which bcm2837.dtsi still lists as "arm,armv7-timer"), the PL011
 * (uart0), and the VideoCore mailbox with the firmware, its clocks and its
 * power domains (linux/videocore.ts). Everything else with a `compatible` is disabled: the
 * list is printed by `uconsole boot --kernel linux --firmware-log` and
 * named in the README.
 *
 * The PL011 then gets what the absent devices gave it (giveUartFixedClock):
 * its clocks (uartclk and apb_pclk) come from the clock manager (cprman,
 * brcm,bcm2711-cprman or bcm2835-cprman), which is absent, so the
 * amba-pl011 driver would wait for them forever. It is given a
 * fixed-clock node of its own instead, at the 48 MHz
 * the Pi firmware sets the UART clock to (init_uart_clock's default), as
 * both its uartclk and its apb_pclk; its pinctrl and DMA references (the
 * absent GPIO and DMA controllers) are dropped, so that neither defers the
 * probe. Linux then binds the driver and /dev/ttyAMA0 is the console.
 */

import {
  addNode, decodeCells, decodeString, deleteProp, encodeCells, encodeString, encodeStringList, encodeU32, findCompatible, maxPhandle, setProp,
  walkNodes, type DeviceTree,
} from '../lib/fdt';

/** The UART clock the Pi firmware sets (Hz). */
export const UART_CLOCK_HZ = 48_000_000;

/** Compatible strings of what the machine emulates (or what needs no device). */
const EMULATED = new Set([
  'arm,gic-400', 'arm,cortex-a15-gic', 'brcm,bcm2836-l1-intc', 'brcm,bcm2836-armctrl-ic',
  'arm,armv8-timer', 'arm,armv7-timer', 'arm,pl011', 'simple-bus', 'fixed-clock', 'shared-dma-pool',
  // the VideoCore mailbox and the firmware drivers behind it (linux/videocore.ts); not its GPIO or reset children
  'brcm,bcm2835-mbox', 'raspberrypi,bcm2835-firmware', 'raspberrypi,firmware-clocks', 'raspberrypi,bcm2835-power',
  'arm,cortex-a72', 'arm,cortex-a53', 'cache',
]);

function compatibles(raw: Uint8Array): string[] {
  return new TextDecoder().decode(raw).split('\0').filter(Boolean);
}

/**
 * Disable every node whose compatible names nothing the machine has;
 * returns the paths disabled (nodes already disabled are left alone).
 */
export function declareAbsentDevices(tree: DeviceTree): string[] {
  const disabled: string[] = [];
  for (const { path, node } of walkNodes(tree)) {
    const compat = node.props.get('compatible');
    if (path === '/' || !compat || compatibles(compat).some((c) => EMULATED.has(c))) continue;
    const status = node.props.get('status');
    if (status && decodeString(status) === 'disabled') continue;
    setProp(node, 'status', encodeString('disabled'));
    disabled.push(path);
  }
  return disabled;
}

/** The `interrupts` cells of the first node with `compatible`, as the board's interrupt wiring takes them. */
export function interruptCells(tree: DeviceTree, compatible: string): number[] {
  const found = findCompatible(tree, compatible)[0];
  const irq = found?.node.props.get('interrupts');
  if (!found || !irq) throw new Error(`the device tree has no ${compatible} node with interrupts`);
  return decodeCells(irq, `${found.path} interrupts`);
}

/**
 * Give the PL011 at `uartBase` a fixed 48 MHz clock node and drop its
 * pinctrl and DMA references (see the header); returns the cells of its
 * `interrupts`, for the board's interrupt wiring (BoardInterrupts.line).
 */
export function giveUartFixedClock(tree: DeviceTree, uartBase: number): { irqCells: number[] } {
  // The node is named by its bus address (serial@7e201000 for 0xfe201000): match the low 24 bits.
  const found = findCompatible(tree, 'arm,pl011').find(({ node }) => parseInt(node.name.split('@')[1] ?? '', 16) % 0x100_0000 === uartBase % 0x100_0000);
  if (!found) throw new Error(`the device tree has no PL011 at 0x${uartBase.toString(16)}`);
  const uart = found.node;
  const phandle = maxPhandle(tree) + 1;
  addNode(tree.root, 'uart-clock', [
    ['compatible', encodeString('fixed-clock')],
    ['#clock-cells', encodeU32(0)],
    ['clock-frequency', encodeU32(UART_CLOCK_HZ)],
    ['clock-output-names', encodeString('uart0-fixed')],
    ['phandle', encodeU32(phandle)],
  ]);
  setProp(uart, 'clocks', encodeCells([phandle, phandle]));
  setProp(uart, 'clock-names', encodeStringList(['uartclk', 'apb_pclk']));
  for (const p of ['pinctrl-0', 'pinctrl-1', 'pinctrl-names', 'dmas', 'dma-names']) deleteProp(uart, p);
  const irq = uart.props.get('interrupts');
  if (!irq) throw new Error(`${found.path} has no interrupts`);
  return { irqCells: decodeCells(irq, `${found.path} interrupts`) };
}
