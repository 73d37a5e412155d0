// SPDX-License-Identifier: GPL-2.0-only
// The mini-UART's nodes for Linux: the AUX block on the firmware's core clock, the UART without pinctrl, both kept by declareAbsentDevices.
import { describe, expect, it } from 'vitest';
import { addNode, createTree, decodeCells, decodeString, encodeCells, encodeString, encodeU32, findNode } from '../../lib/fdt';
import { keepMiniUart, auxBlock, connectMiniUart } from '../../linux/mini-uart';
import { declareAbsentDevices } from '../../linux/device-tree';
import { CLK } from '../../firmware/videocore-properties';
import { gic400Interrupts } from '../../emulator/board/interrupts';
import { AUX_MU_OFFSET } from '../../emulator/devices/bcm2835-aux';
import { MU_REG } from '../../emulator/devices/bcm2835-aux-uart';
import { IER } from '../../emulator/devices/ns16550';

/** The nodes as bcm2711-rpi-cm4-io.dtb has them. */
function cm4Tree(withFirmwareClocks = true) {
  const t = createTree();
  const soc = addNode(t.root, 'soc', [['compatible', encodeString('simple-bus')]]);
  addNode(soc, 'cprman@7e101000', [['compatible', encodeString('brcm,bcm2711-cprman')], ['phandle', encodeU32(7)]]);
  if (withFirmwareClocks) {
    const fw = addNode(soc, 'firmware', [['compatible', new TextEncoder().encode('raspberrypi,bcm2835-firmware\0simple-mfd\0')]]);
    addNode(fw, 'clocks', [['compatible', encodeString('raspberrypi,firmware-clocks')], ['#clock-cells', encodeU32(1)], ['phandle', encodeU32(0x11)]]);
  }
  addNode(soc, 'aux@7e215000', [['compatible', encodeString('brcm,bcm2835-aux')], ['#clock-cells', encodeU32(1)], ['clocks', encodeCells([7, 20])], ['phandle', encodeU32(0xd)]]);
  addNode(soc, 'serial@7e215040', [
    ['compatible', encodeString('brcm,bcm2835-aux-uart')], ['interrupts', encodeCells([0, 93, 4])], ['clocks', encodeCells([0xd, 0])],
    ['status', encodeString('okay')], ['pinctrl-names', encodeString('default')], ['pinctrl-0', encodeCells([0xe])],
  ]);
  addNode(soc, 'spi@7e215080', [['compatible', encodeString('brcm,bcm2835-aux-spi')], ['status', encodeString('okay')]]);
  return t;
}

describe('the mini-UART for Linux', () => {
  it('clocks the AUX block from the firmware\'s core clock, drops the UART\'s pinctrl, and keeps both nodes', () => {
    const t = cm4Tree();
    const mini = keepMiniUart(t, 0xfe21_5040);
    expect(mini).toEqual({ paths: ['/soc/aux@7e215000', '/soc/serial@7e215040'], irqCells: [0, 93, 4] });
    expect(decodeCells(findNode(t, '/soc/aux@7e215000')!.props.get('clocks')!)).toEqual([0x11, CLK.CORE]);
    const uart = findNode(t, '/soc/serial@7e215040')!;
    for (const p of ['pinctrl-0', 'pinctrl-names']) expect(uart.props.has(p)).toBe(false);
    expect(declareAbsentDevices(t, mini.paths)).toEqual(['/soc/cprman@7e101000', '/soc/spi@7e215080']);
    expect(decodeString(uart.props.get('status')!)).toBe('okay');
  });

  it('says in one line what the tree lacks', () => {
    expect(() => keepMiniUart(cm4Tree(), 0xfe21_5080)).toThrow(/^the device tree has no mini-UART at 0xfe215080$/);
    expect(() => keepMiniUart(cm4Tree(false), 0xfe21_5040)).toThrow(/^the device tree has no raspberrypi,firmware-clocks node/);
    const t = cm4Tree();
    findNode(t, '/soc/serial@7e215040')!.props.set('clocks', encodeCells([7, 20]));
    expect(() => keepMiniUart(t, 0xfe21_5040)).toThrow(/^\/soc\/serial@7e215040: its clock is not an AUX block/);
  });

  it('wires the AUX block\'s output to the GIC SPI its node names, and its bytes to the run', () => {
    const intc = gic400Interrupts(1, 0xff84_1000);
    const { aux, device } = auxBlock(0xfe21_5000);
    expect(device).toMatchObject({ base: 0xfe21_5000, size: 0x1000 });
    const out: number[] = [];
    connectMiniUart(aux, intc, [0, 93, 4], (b) => out.push(b));
    const page = device.forCore(0);
    page.write(0x04, 4, 1n);
    page.write(AUX_MU_OFFSET + MU_REG.IO, 1, 0x21n);
    expect(out).toEqual([0x21]);
    // GICD_ISPENDR3 bit 29: ID 125, SPI 93 (a level input: pending follows the line)
    const pending = (): number => Number(intc.controller.port(0).read(0x20c, 4)) & (1 << 29);
    page.write(AUX_MU_OFFSET + MU_REG.IER, 1, BigInt(IER.THRI));
    expect(pending()).not.toBe(0);
    page.write(AUX_MU_OFFSET + MU_REG.IER, 1, 0n);
    expect(pending()).toBe(0);
  });
});
