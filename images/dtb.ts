// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device tree a board's boot partition carries, generated from its
 * profile: model and compatible, the CPUs, a memory node for the firmware
 * to fill, /chosen, and the SoC bus with the console UART. The firmware
 * stage fills in what only it knows (RAM size, bootargs, spin-table
 * release addresses), as the Raspberry Pi firmware does with the DTBs
 * Linux distributions ship.
 *
 * Shapes follow the BCM2711/BCM283x and RK3399 device trees in Linux
 * (arch/arm/boot/dts/bcm2711.dtsi, bcm283x.dtsi, arch/arm64/boot/dts/
 * rockchip/rk3399.dtsi): #address-cells = <2>,
 * #size-cells = <1> at the root on the Pis, <2> elsewhere.
 *
 * The Pis carry the CMA node of the Raspberry Pi kernel's device trees,
 * labelled `cma` (listed in __symbols__, where overlays find it):
 * bcm283x.dtsi's /reserved-memory/linux,cma, a reusable shared-dma-pool
 * of 64 MB that is linux,cma-default; on BCM2711 bcm2711.dtsi adds
 * alloc-ranges = <0x0 0x00000000 0x40000000> ("some devices can only
 * address the lower 1G of memory (ZONE_DMA)").
 */

import type { BoardProfile } from '../emulator/board/profile';
import {
  addNode, createTree, encodeCells, encodeReg, encodeString, encodeStringList, encodeU32, setProp, type DeviceTree,
} from '../lib/fdt';

const isPi = (b: BoardProfile): boolean => b.compatible.some((c) => c.startsWith('brcm,'));

export function boardDeviceTree(b: BoardProfile): DeviceTree {
  const tree = createTree();
  const root = tree.root;
  const sizeCells = isPi(b) ? 1 : 2;
  setProp(root, 'model', encodeString(b.model));
  setProp(root, 'compatible', encodeStringList(b.compatible));
  setProp(root, '#address-cells', encodeU32(2));
  setProp(root, '#size-cells', encodeU32(sizeCells));

  const serialPath = `/soc/${b.console.dtName}`;
  addNode(root, 'aliases', [['serial0', encodeString(serialPath)]]);
  addNode(root, 'chosen', [
    ['bootargs', encodeString('')],
    ['stdout-path', encodeString('serial0:115200n8')],
  ]);
  if (isPi(b)) {
    const rm = addNode(root, 'reserved-memory', [
      ['#address-cells', encodeU32(2)],
      ['#size-cells', encodeU32(sizeCells)],
      ['ranges', new Uint8Array(0)],
    ]);
    const cma: [string, Uint8Array][] = [
      ['compatible', encodeString('shared-dma-pool')],
      ['size', encodeCells([0x0400_0000])], // 64MB
      ['reusable', new Uint8Array(0)],
      ['linux,cma-default', new Uint8Array(0)],
    ];
    if (b.soc === 'BCM2711') cma.splice(2, 0, ['alloc-ranges', encodeCells([0, 0, 0x4000_0000])]);
    addNode(rm, 'linux,cma', cma);
    addNode(root, '__symbols__', [['cma', encodeString('/reserved-memory/linux,cma')]]);
  }
  const memName = `memory@${b.ramBase.toString(16)}`;
  addNode(root, memName, [
    ['device_type', encodeString('memory')],
    ['reg', encodeReg([{ address: b.ramBase, size: 0 }], 2, sizeCells)],
  ]);

  const cpus = addNode(root, 'cpus', [['#address-cells', encodeU32(1)], ['#size-cells', encodeU32(0)]]);
  b.cpus.forEach((cpu) => {
    const reg = cpu.mpidr & 0x00ff_ffff;
    addNode(cpus, `cpu@${reg.toString(16)}`, [
      ['device_type', encodeString('cpu')],
      ['compatible', encodeString(`arm,${cpu.model}`)],
      ['reg', encodeU32(reg)],
    ]);
  });

  const soc = addNode(root, 'soc', [
    ['compatible', encodeString('simple-bus')],
    ['#address-cells', encodeU32(isPi(b) ? 1 : 2)],
    ['#size-cells', encodeU32(isPi(b) ? 1 : 2)],
  ]);
  if (b.dmaRanges) {
    // child bus address, parent (CPU) address (2 cells), size: what DMA masters can reach
    setProp(soc, 'dma-ranges', encodeCells(b.dmaRanges.flatMap((r) => [r.bus, 0, r.cpu, r.size])));
  }
  if (b.socRanges) {
    // child-bus-address (1 cell), parent address (2 cells), size (1 cell)
    setProp(soc, 'ranges', encodeCells(b.socRanges.flatMap((r) => [r.bus, 0, r.cpu, r.size])));
  } else {
    setProp(soc, 'ranges', new Uint8Array(0));
  }
  const uartAddr = b.console.busAddress ?? b.console.base;
  const uart = addNode(soc, b.console.dtName, [
    ['compatible', encodeStringList(b.console.compatible)],
    ['reg', isPi(b) ? encodeCells([uartAddr, 0x200]) : encodeCells([0, uartAddr, 0, 0x100])],
    ['status', encodeString('okay')],
  ]);
  if (b.console.regShift !== undefined) {
    setProp(uart, 'reg-shift', encodeU32(b.console.regShift));
    setProp(uart, 'reg-io-width', encodeU32(4));
  }
  return tree;
}
