// SPDX-License-Identifier: GPL-2.0-only
/*
 * A device tree built by hand in the shape of the one the Raspberry Pi
 * firmware hands to a 4 GB Compute Module 4 (values from the firmware's
 * documented behaviour and Linux's bcm2711 DTs: the /memreserve/ of the stub page, the
 * 4 GB memory node, spin-table cpus releasing at 0xd8..0xf0, the BCM2711
 * soc ranges, the PL011 at bus address 0x7e201000, GIC-400), used by the
 * firmware/fdt tests.
 */

import {
  type DeviceTree,
  addNode,
  createTree,
  encodeCells,
  encodeString,
  encodeStringList,
  encodeU32,
  encodeU64,
  setProp,
} from '../../../lib/fdt';

export const CM4_BOOTARGS =
  'coherent_pool=1M 8250.nr_uarts=1 console=ttyAMA0,115200 console=tty1 root=/dev/mmcblk0p2 rootfstype=ext4 rootwait';

export const GIC_PHANDLE = 1;
export const UART0_PHANDLE = 2;

const EMPTY = new Uint8Array(0);

function addCpus(t: DeviceTree): void {
  const cpus = addNode(t.root, 'cpus');
  setProp(cpus, '#address-cells', encodeU32(1));
  setProp(cpus, '#size-cells', encodeU32(0));
  setProp(cpus, 'enable-method', encodeString('brcm,bcm2836-smp'));
  for (let n = 0; n < 4; n++) {
    const cpu = addNode(cpus, `cpu@${n}`);
    setProp(cpu, 'device_type', encodeString('cpu'));
    setProp(cpu, 'compatible', encodeString('arm,cortex-a72'));
    setProp(cpu, 'reg', encodeU32(n));
    setProp(cpu, 'enable-method', encodeString('spin-table'));
    setProp(cpu, 'cpu-release-addr', encodeU64(0xd8 + 8 * n));
    setProp(cpu, 'phandle', encodeU32(10 + n));
  }
}

function addSoc(t: DeviceTree): void {
  const soc = addNode(t.root, 'soc');
  setProp(soc, 'compatible', encodeString('simple-bus'));
  setProp(soc, '#address-cells', encodeU32(1));
  setProp(soc, '#size-cells', encodeU32(1));
  setProp(
    soc,
    'ranges',
    encodeCells([
      0x7e000000, 0x0, 0xfe000000, 0x01800000, 0x7c000000, 0x0, 0xfc000000, 0x02000000, 0x40000000, 0x0, 0xff800000,
      0x00800000,
    ]),
  );
  const uart0 = addNode(soc, 'serial@7e201000');
  setProp(uart0, 'compatible', encodeStringList(['arm,pl011', 'arm,primecell']));
  setProp(uart0, 'reg', encodeCells([0x7e201000, 0x200]));
  setProp(uart0, 'interrupts', encodeCells([0, 121, 4]));
  setProp(uart0, 'arm,primecell-periphid', encodeU32(0x00341011));
  setProp(uart0, 'status', encodeString('okay'));
  setProp(uart0, 'phandle', encodeU32(UART0_PHANDLE));
  const uart1 = addNode(soc, 'serial@7e215040');
  setProp(uart1, 'compatible', encodeString('brcm,bcm2835-aux-uart'));
  setProp(uart1, 'reg', encodeCells([0x7e215040, 0x40]));
  setProp(uart1, 'status', encodeString('disabled'));
  const gic = addNode(soc, 'interrupt-controller@40041000');
  setProp(gic, 'compatible', encodeString('arm,gic-400'));
  setProp(gic, 'interrupt-controller', EMPTY);
  setProp(gic, '#interrupt-cells', encodeU32(3));
  setProp(gic, 'reg', encodeCells([0x40041000, 0x1000, 0x40042000, 0x2000]));
  setProp(gic, 'phandle', encodeU32(GIC_PHANDLE));
}

export function cm4Tree(): DeviceTree {
  const t = createTree();
  t.memReserve.push({ address: 0x0, size: 0x1000 });
  const r = t.root;
  setProp(r, 'compatible', encodeStringList(['raspberrypi,4-compute-module', 'brcm,bcm2711']));
  setProp(r, 'model', encodeString('Raspberry Pi Compute Module 4 Rev 1.0'));
  setProp(r, '#address-cells', encodeU32(2));
  setProp(r, '#size-cells', encodeU32(1));
  setProp(r, 'interrupt-parent', encodeU32(GIC_PHANDLE));
  const aliases = addNode(r, 'aliases');
  setProp(aliases, 'serial0', encodeString('/soc/serial@7e215040'));
  setProp(aliases, 'serial1', encodeString('/soc/serial@7e201000'));
  const chosen = addNode(r, 'chosen');
  setProp(chosen, 'bootargs', encodeString(CM4_BOOTARGS));
  setProp(chosen, 'stdout-path', encodeString('serial1:115200n8'));
  const memory = addNode(r, 'memory@0');
  setProp(memory, 'device_type', encodeString('memory'));
  setProp(memory, 'reg', encodeCells([0x0, 0x0, 0x3b400000, 0x0, 0x40000000, 0xbc000000]));
  addCpus(t);
  addSoc(t);
  const symbols = addNode(r, '__symbols__');
  setProp(symbols, 'uart0', encodeString('/soc/serial@7e201000'));
  setProp(symbols, 'gicv2', encodeString('/soc/interrupt-controller@40041000'));
  setProp(symbols, 'cpu0', encodeString('/cpus/cpu@0'));
  return t;
}
