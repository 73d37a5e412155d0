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
 * power domains (linux/videocore.ts); on the CM4 the AUX block and its
 * mini-UART (linux/mini-uart.ts, by path). Everything else with a `compatible` is disabled: the
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
 *
 * The A-04 (Allwinner H6): Debian ships no ClockworkPi tree, so it boots
 * with the Pine H64's (sun50i-h6-pine-h64.dtb: sun50i-h6.dtsi's devices,
 * the H6 reference board's few extras) under the A-04's own /model and
 * /compatible (setMachineIdentity). Kept there: the GIC-400 at
 * 0x03021000/0x03022000, the generic timer, the fixed oscillators and
 * UART0 (giveDwUartClock; the other DesignWare UARTs share its compatible
 * and are declared absent by path). Declared absent like everything else:
 * the PSCI node (the CPUs are released by the firmware stage's spin
 * table, which also rewrites each CPU's enable-method), the CCU and R_CCU,
 * the R_INTC, both pin controllers, the H6 timer and watchdogs, DMA, MMC,
 * USB, Ethernet, HDMI and the display engine, the GPU, the thermal sensor,
 * I2C/RSB and the PMIC, the PMU, LEDs and regulators.
 *
 * The A-06 (RK3399) likewise boots with the RK3399 evaluation board's
 * tree (rockchip/rk3399-evb.dtb: rk3399.dtsi's devices at their real
 * addresses) under the A-06's identity, so that Linux prints "Machine
 * model: Clockworkpi A06". Kept there: the GIC-500 (its ITS is absent),
 * the timer, xin24m, which becomes the console UART's clock (uart2,
 * serial@ff1a0000: the RK3399 boards' logs show "base_baud = 1500000",
 * 24 MHz / 16) and the CPUs; absent: PSCI, the PMUs, the idle states, the
 * CRU, PMU and pin controllers, every other device. One node is removed
 * rather than disabled (removeUncheckedDevices): the general register file
 * (syscon@ff770000, "rockchip,rk3399-grf"), whose defaults
 * drivers/soc/rockchip/grf.c (rockchip_grf_init) writes without looking
 * at `status`.
 */

import {
  addNode, decodeCells, decodeString, decodeU32, deleteProp, encodeCells, encodeString, encodeStringList, encodeU32, ensurePhandle, findCompatible,
  getNode, maxPhandle, removeNode, setProp, walkNodes, type DeviceTree, type NodeEntry,
} from '../lib/fdt';

/** A device tree that lacks what the machine's devices need (a bad --dtb): the caller names the file. */
export class DeviceTreeError extends Error {
  override name = 'DeviceTreeError';
}

/** The UART clock the Pi firmware sets (Hz). */
export const UART_CLOCK_HZ = 48_000_000;
/** The DesignWare UARTs' clock on the H6 (and the RK3399's reset default): the 24 MHz oscillator. */
export const DW_UART_CLOCK_HZ = 24_000_000;

/** Compatible strings of what the machine emulates (or what needs no device). */
const EMULATED = new Set([
  'arm,gic-400', 'arm,cortex-a15-gic', 'arm,gic-v3', 'brcm,bcm2836-l1-intc', 'brcm,bcm2836-armctrl-ic',
  'arm,armv8-timer', 'arm,armv7-timer', 'arm,pl011', 'simple-bus', 'fixed-clock', 'shared-dma-pool',
  // the VideoCore mailbox and the firmware drivers behind it (linux/videocore.ts); not its GPIO or reset children
  'brcm,bcm2835-mbox', 'raspberrypi,bcm2835-firmware', 'raspberrypi,firmware-clocks', 'raspberrypi,bcm2835-power',
  'arm,cortex-a72', 'arm,cortex-a53', 'cache',
]);

function compatibles(raw: Uint8Array): string[] {
  return new TextDecoder().decode(raw).split('\0').filter(Boolean);
}

/**
 * Disable every node whose compatible names nothing the machine has,
 * but those in `keep` (the console UART, where its compatible is shared
 * with UARTs the machine lacks); returns the paths disabled (nodes
 * already disabled are left alone).
 */
export function declareAbsentDevices(tree: DeviceTree, keep: readonly string[] = []): string[] {
  const disabled: string[] = [];
  for (const { path, node } of walkNodes(tree)) {
    const compat = node.props.get('compatible');
    if (path === '/' || keep.includes(path) || !compat || compatibles(compat).some((c) => EMULATED.has(c))) continue;
    const status = node.props.get('status');
    if (status && decodeString(status) === 'disabled') continue;
    setProp(node, 'status', encodeString('disabled'));
    disabled.push(path);
  }
  return disabled;
}

/** Nodes whose driver ignores `status` (see the header): removed from the tree, each with the reason. */
const REMOVED: Record<string, string> = {
  'rockchip,rk3399-grf': 'drivers/soc/rockchip/grf.c writes it whatever its status',
};

/** Remove the nodes REMOVED names; returns their paths. */
export function removeUncheckedDevices(tree: DeviceTree): string[] {
  const gone = [...walkNodes(tree)].filter(({ node }) => {
    const compat = node.props.get('compatible');
    return compat !== undefined && compatibles(compat).some((c) => c in REMOVED);
  });
  for (const { path, node } of gone) removeNode(getNode(tree, path.slice(0, path.lastIndexOf('/')) || '/'), node.name);
  return gone.map((g) => g.path);
}

/** The `interrupts` cells of the first node with `compatible`, as the board's interrupt wiring takes them. */
export function interruptCells(tree: DeviceTree, compatible: string): number[] {
  const found = findCompatible(tree, compatible)[0];
  const irq = found?.node.props.get('interrupts');
  if (!found || !irq) throw new DeviceTreeError(`the device tree has no ${compatible} node with interrupts`);
  return decodeCells(irq, `${found.path} interrupts`);
}

/** The console UART's node in the prepared tree: its path, and the cells of its `interrupts` for BoardInterrupts.line. */
export interface UartNode {
  path: string;
  irqCells: number[];
}

/**
 * A root-level fixed clock of `hz` for a UART: the tree's own when it has
 * one (the H6's osc24M, which feeds its UARTs through the APB2 bus), else
 * a node of its own named `name`. Returns its phandle.
 */
function fixedClock(tree: DeviceTree, hz: number, name: string): number {
  for (const node of tree.root.children) {
    const compat = node.props.get('compatible');
    const freq = node.props.get('clock-frequency');
    if (compat && freq && compatibles(compat).includes('fixed-clock') && decodeU32(freq) === hz) return ensurePhandle(tree, node);
  }
  const phandle = maxPhandle(tree) + 1;
  addNode(tree.root, name, [
    ['compatible', encodeString('fixed-clock')],
    ['#clock-cells', encodeU32(0)],
    ['clock-frequency', encodeU32(hz)],
    ['clock-output-names', encodeString('uart0-fixed')],
    ['phandle', encodeU32(phandle)],
  ]);
  return phandle;
}

/** The first `compatible` node whose unit address matches `base` in its low 24 bits (a Pi names nodes by bus address). */
export function uartAt(tree: DeviceTree, compatible: string, label: string, base: number): NodeEntry {
  const found = findCompatible(tree, compatible).find(({ node }) => parseInt(node.name.split('@')[1] ?? '', 16) % 0x100_0000 === base % 0x100_0000);
  if (!found) throw new DeviceTreeError(`the device tree has no ${label} at 0x${base.toString(16)}`);
  return found;
}

/** Give a UART its clock and drop what the absent devices gave it (pinctrl, DMA, resets); returns its node. */
function clockUart(tree: DeviceTree, found: NodeEntry, clock: number, clockNames: string[]): UartNode {
  const uart = found.node;
  setProp(uart, 'clocks', encodeCells(clockNames.map(() => clock)));
  setProp(uart, 'clock-names', encodeStringList(clockNames));
  for (const p of ['pinctrl-0', 'pinctrl-1', 'pinctrl-names', 'dmas', 'dma-names', 'resets', 'reset-names']) deleteProp(uart, p);
  const irq = uart.props.get('interrupts');
  if (!irq) throw new DeviceTreeError(`${found.path} has no interrupts`);
  return { path: found.path, irqCells: decodeCells(irq, `${found.path} interrupts`) };
}

/**
 * Give the PL011 at `uartBase` a fixed 48 MHz clock node and drop its
 * pinctrl and DMA references (see the header).
 */
export function giveUartFixedClock(tree: DeviceTree, uartBase: number): UartNode {
  const found = uartAt(tree, 'arm,pl011', 'PL011', uartBase);
  return clockUart(tree, found, fixedClock(tree, UART_CLOCK_HZ, 'uart-clock'), ['uartclk', 'apb_pclk']);
}

/**
 * The DesignWare 8250 (snps,dw-apb-uart) at `uartBase`: its clocks come
 * from the clock controller (the H6's CCU), which is absent; it is given
 * the board's 24 MHz oscillator as its baudclk and apb_pclk (on the H6
 * the UARTs' bus clock is APB2, whose reset parent is OSC24M, undivided:
 * H6 user manual, CCU APB2_CFG_REG), and loses its resets (the CCU is
 * the reset controller too: 8250_dw would defer its probe for them),
 * pinctrl and DMA references. Linux then prints "ttyS0 at MMIO 0x5000000
 * (irq = N, base_baud = 1500000) is a 16550A".
 */
export function giveDwUartClock(tree: DeviceTree, uartBase: number, hz = DW_UART_CLOCK_HZ): UartNode {
  const found = uartAt(tree, 'snps,dw-apb-uart', 'DesignWare UART', uartBase);
  return clockUart(tree, found, fixedClock(tree, hz, 'uart-clock'), ['baudclk', 'apb_pclk']);
}

/**
 * The board's own /model and /compatible, for a tree Debian ships for
 * another board on the same SoC (the A-04 boots with the Pine H64's, the
 * A-06 with the RK3399 evaluation board's), so
 * that Linux prints the board's "Machine model" as the model kernel does.
 */
export function setMachineIdentity(tree: DeviceTree, model: string, compatible: readonly string[]): void {
  setProp(tree.root, 'model', encodeString(model));
  setProp(tree.root, 'compatible', encodeStringList(compatible));
}
