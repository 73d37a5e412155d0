// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BCM2711's mini-UART (UART1) for Debian's kernel: the AUX block
 * (emulator/devices/bcm2835-aux.ts) mapped at its page, its interrupt wired
 * where the device tree says (GIC SPI 93 on the CM4), and the tree's aux
 * and serial@7e215040 nodes kept, so that Linux's clk-bcm2835-aux and
 * 8250_bcm2835aux drivers probe it: "fe215040.serial: ttyS0 at MMIO
 * 0xfe215040 (irq = N, base_baud = ...) is a 16550" (ttyS0, not the tree's
 * serial1 alias: the firmware's 8250.nr_uarts=1 leaves the 8250 core one
 * port, as on a Pi).
 *
 * Its clock: the aux block gates the VPU core clock, which Debian's tree
 * takes from the clock manager (cprman), absent here. That clock is what
 * the firmware's property interface calls the core clock (clock ID 4,
 * clk-raspberrypi.c's "fw-clk-core"), so the aux node is pointed at the
 * firmware-clocks node's core clock instead: Linux then asks the mailbox
 * for its rate (firmware/videocore-properties.ts), and the mini-UART's
 * base_baud (core clock * 2 / 16, 8250_bcm2835aux.c) always agrees with
 * what the firmware reports, also if the firmware's rate changes. The
 * UART loses its pinctrl reference (the GPIO controller is absent).
 *
 * What the host sees: nothing is wired to the mini-UART's pins, so its
 * bytes go to `onByte` (the run's record of them, and --mini-uart FILE on
 * the command line). No host input reaches it.
 */

import type { BoardInterrupts } from '../emulator/board/interrupts';
import type { PerCoreDevice } from '../emulator/machine';
import { Bcm2835Aux } from '../emulator/devices/bcm2835-aux';
import { CLK as FIRMWARE_CLK } from '../firmware/videocore-properties';
import {
  decodeCells, decodeStringList, deleteProp, encodeCells, encodeString, ensurePhandle, findByPhandle, findCompatible, setProp, type DeviceTree,
} from '../lib/fdt';
import { DeviceTreeError, uartAt } from './device-tree';

/** The mini-UART's and the AUX block's nodes, as the prepared tree has them. */
export interface MiniUartNodes {
  /** Paths of the nodes kept enabled (the AUX block, the UART). */
  paths: string[];
  /** The UART's `interrupts` cells, for BoardInterrupts.line. */
  irqCells: number[];
}

/** Keep the mini-UART at `uartBase` and its AUX block, clocked by the firmware's core clock (see the header). */
export function keepMiniUart(tree: DeviceTree, uartBase: number): MiniUartNodes {
  const uart = uartAt(tree, 'brcm,bcm2835-aux-uart', 'mini-UART', uartBase);
  const clocks = uart.node.props.get('clocks');
  const aux = clocks && findByPhandle(tree, decodeCells(clocks, `${uart.path} clocks`)[0] ?? 0);
  const auxCompat = aux?.node.props.get('compatible');
  if (!aux || !auxCompat || !decodeStringList(auxCompat).includes('brcm,bcm2835-aux')) throw new DeviceTreeError(`${uart.path}: its clock is not an AUX block (brcm,bcm2835-aux)`);
  const fw = findCompatible(tree, 'raspberrypi,firmware-clocks')[0];
  if (!fw) throw new DeviceTreeError('the device tree has no raspberrypi,firmware-clocks node for the AUX block\'s core clock');
  setProp(aux.node, 'clocks', encodeCells([ensurePhandle(tree, fw.node), FIRMWARE_CLK.CORE]));
  for (const p of ['pinctrl-0', 'pinctrl-names']) deleteProp(uart.node, p);
  for (const n of [aux.node, uart.node]) setProp(n, 'status', encodeString('okay'));
  const irq = uart.node.props.get('interrupts');
  if (!irq) throw new DeviceTreeError(`${uart.path} has no interrupts`);
  return { paths: [aux.path, uart.path], irqCells: decodeCells(irq, `${uart.path} interrupts`) };
}

/** The AUX block whose page is at `pa`, as the window the machine maps. */
export function auxBlock(pa: number): { aux: Bcm2835Aux; device: PerCoreDevice } {
  const aux = new Bcm2835Aux(pa);
  return { aux, device: { base: pa, size: aux.page.size, forCore: () => aux.page } };
}

/** Its interrupt on the line `irqCells` name, and where its bytes go. */
export function connectMiniUart(aux: Bcm2835Aux, intc: BoardInterrupts, irqCells: readonly number[], onByte: (byte: number) => void): void {
  aux.onIrq = intc.line(irqCells);
  aux.uart.onByte = onByte;
}
