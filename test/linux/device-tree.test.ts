// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import {
  createTree, addNode, encodeString, decodeString, findNode, encodeCells, encodeU32, decodeU32, decodeCells, decodeStringList,
} from '../../lib/fdt';
import {
  declareAbsentDevices, giveDwUartClock, giveUartFixedClock, removeUncheckedDevices, setMachineIdentity, UART_CLOCK_HZ,
} from '../../linux/device-tree';

describe('devices declared absent for Linux', () => {
  it('disables what the machine does not emulate, keeps the GIC, timer, PL011, buses and CPUs', () => {
    const t = createTree();
    t.root.props.set('compatible', encodeString('raspberrypi,4-compute-module'));
    const soc = addNode(t.root, 'soc', [['compatible', encodeString('simple-bus')]]);
    addNode(soc, 'interrupt-controller@40041000', [['compatible', encodeString('arm,gic-400')]]);
    addNode(soc, 'serial@7e201000', [['compatible', new TextEncoder().encode('arm,pl011\0arm,primecell\0')], ['status', encodeString('okay')]]);
    addNode(soc, 'mmc@7e300000', [['compatible', encodeString('brcm,bcm2835-sdhci')], ['status', encodeString('okay')]]);
    addNode(soc, 'usb@7e980000', [['compatible', encodeString('brcm,bcm2835-usb')], ['status', encodeString('disabled')]]);
    addNode(t.root, 'timer', [['compatible', encodeString('arm,armv8-timer')]]);
    const absent = declareAbsentDevices(t);
    expect(absent).toEqual(['/soc/mmc@7e300000']);
    expect(decodeString(findNode(t, '/soc/mmc@7e300000')!.props.get('status')!)).toBe('disabled');
    expect(findNode(t, '/soc/interrupt-controller@40041000')!.props.get('status')).toBeUndefined();
    expect(t.root.props.get('status')).toBeUndefined();
  });

  it('keeps the BCM2837\'s interrupt controllers and its "arm,armv7-timer" generic timer', () => {
    const t = createTree();
    const soc = addNode(t.root, 'soc', [['compatible', encodeString('simple-bus')]]);
    addNode(soc, 'local_intc@40000000', [['compatible', encodeString('brcm,bcm2836-l1-intc')]]);
    addNode(soc, 'interrupt-controller@7e00b200', [['compatible', encodeString('brcm,bcm2836-armctrl-ic')]]);
    addNode(soc, 'timer@7e003000', [['compatible', encodeString('brcm,bcm2835-system-timer')]]);
    addNode(t.root, 'timer', [['compatible', encodeString('arm,armv7-timer')]]);
    addNode(soc, 'mailbox@7e00b880', [['compatible', encodeString('brcm,bcm2835-mbox')]]);
    const fw = addNode(soc, 'firmware', [['compatible', new TextEncoder().encode('raspberrypi,bcm2835-firmware\0simple-mfd\0')]]);
    addNode(fw, 'gpio', [['compatible', encodeString('raspberrypi,firmware-gpio')]]);
    addNode(soc, 'power', [['compatible', encodeString('raspberrypi,bcm2835-power')]]);
    expect(declareAbsentDevices(t)).toEqual(['/soc/timer@7e003000', '/soc/firmware/gpio']);
  });
});

describe('the PL011 clock for Linux', () => {
  const uartTree = () => {
    const t = createTree();
    const soc = addNode(t.root, 'soc', [['compatible', encodeString('simple-bus')]]);
    addNode(soc, 'cprman@7e101000', [['compatible', encodeString('brcm,bcm2711-cprman')], ['phandle', encodeU32(7)]]);
    const uart = addNode(soc, 'serial@7e201000', [
      ['compatible', new TextEncoder().encode('arm,pl011\0arm,primecell\0')],
      ['interrupts', encodeCells([0, 121, 4])],
      ['clocks', encodeCells([7, 19, 7, 20])],
      ['pinctrl-names', encodeString('default')],
      ['pinctrl-0', encodeCells([12])],
      ['dmas', encodeCells([9, 12])],
    ]);
    return { t, uart };
  };

  it('gives uart0 a fixed 48 MHz clock as uartclk and apb_pclk, drops pinctrl and DMA, and names its interrupt cells', () => {
    const { t, uart } = uartTree();
    expect(giveUartFixedClock(t, 0xfe20_1000)).toEqual({ path: '/soc/serial@7e201000', irqCells: [0, 121, 4] });
    const clock = findNode(t, '/uart-clock')!;
    expect(decodeString(clock.props.get('compatible')!)).toBe('fixed-clock');
    expect(decodeU32(clock.props.get('clock-frequency')!)).toBe(UART_CLOCK_HZ);
    expect(decodeU32(clock.props.get('phandle')!)).toBe(8); // after the largest in use
    expect(decodeCells(uart.props.get('clocks')!)).toEqual([8, 8]);
    expect(decodeStringList(uart.props.get('clock-names')!)).toEqual(['uartclk', 'apb_pclk']);
    for (const p of ['pinctrl-0', 'pinctrl-names', 'dmas']) expect(uart.props.has(p)).toBe(false);
  });

  it('says so in one line when the tree has no PL011 there', () => {
    expect(() => giveUartFixedClock(uartTree().t, 0xfe21_5000)).toThrow(/^the device tree has no PL011 at 0xfe215000$/);
  });
});

describe('the A-04\'s tree (an H6 tree from Debian)', () => {
  const h6Tree = () => {
    const t = createTree();
    t.root.props.set('model', encodeString('Pine H64'));
    addNode(t.root, 'osc24M_clk', [['compatible', encodeString('fixed-clock')], ['#clock-cells', encodeU32(0)], ['clock-frequency', encodeU32(24_000_000)], ['phandle', encodeU32(0x10)]]);
    addNode(t.root, 'psci', [['compatible', encodeString('arm,psci-0.2')], ['method', encodeString('smc')]]);
    const soc = addNode(t.root, 'soc', [['compatible', encodeString('simple-bus')]]);
    addNode(soc, 'clock@3001000', [['compatible', encodeString('allwinner,sun50i-h6-ccu')], ['phandle', encodeU32(2)]]);
    const uart0 = addNode(soc, 'serial@5000000', [
      ['compatible', encodeString('snps,dw-apb-uart')], ['interrupts', encodeCells([0, 0, 4])], ['clocks', encodeCells([2, 0x46])],
      ['resets', encodeCells([2, 0x15])], ['pinctrl-names', encodeString('default')], ['pinctrl-0', encodeCells([0x1a])], ['status', encodeString('okay')],
    ]);
    addNode(soc, 'serial@5000400', [['compatible', encodeString('snps,dw-apb-uart')], ['status', encodeString('okay')]]);
    return { t, uart0 };
  };

  it('gives UART0 the 24 MHz oscillator the tree already has, as baudclk and apb_pclk, and drops its resets and pinctrl', () => {
    const { t, uart0 } = h6Tree();
    expect(giveDwUartClock(t, 0x500_0000)).toEqual({ path: '/soc/serial@5000000', irqCells: [0, 0, 4] });
    expect(decodeCells(uart0.props.get('clocks')!)).toEqual([0x10, 0x10]);
    expect(decodeStringList(uart0.props.get('clock-names')!)).toEqual(['baudclk', 'apb_pclk']);
    for (const p of ['resets', 'pinctrl-0', 'pinctrl-names']) expect(uart0.props.has(p)).toBe(false);
    expect(findNode(t, '/uart-clock')).toBeUndefined();
    expect(() => giveDwUartClock(t, 0x500_0800)).toThrow(/^the device tree has no DesignWare UART at 0x5000800$/);
  });

  it('keeps the console UART by path, declares the other UART, the CCU and PSCI absent; takes the board\'s model', () => {
    const { t } = h6Tree();
    const uart = giveDwUartClock(t, 0x500_0000);
    expect(declareAbsentDevices(t, [uart.path])).toEqual(['/psci', '/soc/clock@3001000', '/soc/serial@5000400']);
    setMachineIdentity(t, 'ClockworkPi A04', ['clockwork,devterm-a04', 'allwinner,sun50i-h6']);
    expect(decodeString(t.root.props.get('model')!)).toBe('ClockworkPi A04');
    expect(decodeStringList(t.root.props.get('compatible')!)).toEqual(['clockwork,devterm-a04', 'allwinner,sun50i-h6']);
  });
});

describe('the A-06\'s tree (an RK3399 tree from Debian)', () => {
  /** The shape of rk3399.dtsi's nodes that matter here (rockchip/rk3399-evb.dtb). */
  const rk3399Tree = () => {
    const t = createTree();
    t.root.props.set('model', encodeString('Rockchip RK3399 Evaluation Board'));
    t.root.props.set('compatible', new TextEncoder().encode('rockchip,rk3399-evb\0rockchip,rk3399\0'));
    addNode(t.root, 'xin24m', [['compatible', encodeString('fixed-clock')], ['clock-frequency', encodeU32(24_000_000)], ['#clock-cells', encodeU32(0)], ['phandle', encodeU32(0x78)]]);
    const gic = addNode(t.root, 'interrupt-controller@fee00000', [['compatible', encodeString('arm,gic-v3')]]);
    addNode(gic, 'interrupt-controller@fee20000', [['compatible', encodeString('arm,gic-v3-its')]]);
    addNode(t.root, 'psci', [['compatible', encodeString('arm,psci-1.0')]]);
    addNode(t.root, 'syscon@ff770000', [['compatible', new TextEncoder().encode('rockchip,rk3399-grf\0syscon\0simple-mfd\0')]]);
    addNode(t.root, 'clock-controller@ff760000', [['compatible', encodeString('rockchip,rk3399-cru')], ['phandle', encodeU32(8)]]);
    for (const at of ['ff180000', 'ff1a0000'])
      addNode(t.root, `serial@${at}`, [
        ['compatible', new TextEncoder().encode('rockchip,rk3399-uart\0snps,dw-apb-uart\0')],
        ['interrupts', encodeCells([0, at === 'ff1a0000' ? 100 : 99, 4, 0])],
        ['clocks', encodeCells([8, 83, 8, 354])],
        ['pinctrl-0', encodeCells([48])],
      ]);
    return t;
  };

  it('takes the board\'s identity, keeps the GIC-500 and the console UART, declares its ITS, PSCI and the other UART absent, removes the GRF', () => {
    const t = rk3399Tree();
    setMachineIdentity(t, 'Clockworkpi A06', ['clockwork,devterm-a06', 'rockchip,rk3399']);
    expect(decodeString(t.root.props.get('model')!)).toBe('Clockworkpi A06');
    expect(removeUncheckedDevices(t)).toEqual(['/syscon@ff770000']);
    expect(findNode(t, '/syscon@ff770000')).toBeUndefined();
    const uart = giveDwUartClock(t, 0xff1a_0000);
    expect(uart).toEqual({ path: '/serial@ff1a0000', irqCells: [0, 100, 4, 0] });
    expect(decodeCells(findNode(t, '/serial@ff1a0000')!.props.get('clocks')!)).toEqual([0x78, 0x78]); // xin24m
    expect(declareAbsentDevices(t, [uart.path])).toEqual([
      '/interrupt-controller@fee00000/interrupt-controller@fee20000', '/psci', '/clock-controller@ff760000', '/serial@ff180000',
    ]);
  });
});
