// SPDX-License-Identifier: GPL-2.0-only
// parseConfigTxt: format, conditional sections, defaults per board, errors.

import { describe, expect, it } from 'vitest';
import { ConfigTxtError, defaultDeviceTreeName, parseConfigTxt } from '../../../firmware/config';

/** The uConsole CM4 image's config.txt (reference/uconsole-hw.md section 1). */
const UCONSOLE_CONFIG = `# For more options and information see
# http://rptl.io/configtxt

dtparam=audio=on

[pi4]
# Run as fast as firmware / board allows
arm_boost=1

[all]
ignore_lcd=1
dtoverlay=dwc2,dr_mode=host
dtoverlay=vc4-kms-v3d-pi4,cma-384
dtoverlay=devterm-pmu
dtoverlay=devterm-panel-uc
dtoverlay=devterm-misc
dtoverlay=audremap,pins_12_13
dtparam=spi=on
enable_uart=1
`;

function expectError(text: string, message: string): void {
  let err: unknown;
  try {
    parseConfigTxt(text);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigTxtError);
  expect((err as Error).message).toBe(message);
}

describe('defaults', () => {
  it('on a CM4 with 4 GB and an empty file', () => {
    const c = parseConfigTxt('');
    expect(c.board).toBe('cm4');
    expect(c.arm_64bit).toBe(1);
    expect(c.kernel).toBe('kernel8.img');
    expect(c.kernel_address).toBe(0x200000);
    expect(c.device_tree).toBeUndefined();
    expect(c.device_tree_address).toBeUndefined();
    expect(c.gpu_mem).toBe(76);
    expect(c.total_mem).toBeUndefined();
    expect(c.arm_peri_high).toBe(0);
    expect(c.enable_uart).toBe(0);
    expect(c.cmdline).toBe('cmdline.txt');
    expect(c.overlays).toEqual([]);
    expect(c.ramMb).toBe(4096);
    expect(c.memoryMb).toBe(4096);
    expect(c.warnings).toEqual([]);
  });

  it('depend on the board', () => {
    const cm3 = parseConfigTxt('', { board: 'cm3' });
    expect(cm3.arm_64bit).toBe(0);
    expect(cm3.kernel).toBe('kernel7.img');
    expect(cm3.kernel_address).toBe(0x8000);
    expect(cm3.enable_uart).toBe(1); // PL011 is the primary UART on CM3
    expect(parseConfigTxt('arm_64bit=1', { board: 'cm3' }).kernel).toBe('kernel8.img');
    expect(parseConfigTxt('arm_64bit=1', { board: 'cm3' }).kernel_address).toBe(0x200000);
    expect(parseConfigTxt('arm_64bit=0').kernel).toBe('kernel7l.img');
    expect(parseConfigTxt('kernel_old=1').kernel_address).toBe(0);
    expect(defaultDeviceTreeName('cm4')).toBe('bcm2711-rpi-cm4.dtb');
  });

  it('gpu_mem: 64 below 1 GB, 76 from 1 GB, gpu_mem_N for the RAM size overrides gpu_mem', () => {
    expect(parseConfigTxt('', { board: 'pi0', ramMb: 512 }).gpu_mem).toBe(64);
    expect(parseConfigTxt('', { ramMb: 1024 }).gpu_mem).toBe(76);
    const text = 'gpu_mem=128\ngpu_mem_256=32\ngpu_mem_512=48\ngpu_mem_1024=192\n';
    expect(parseConfigTxt(text, { ramMb: 8192 }).gpu_mem).toBe(192);
    expect(parseConfigTxt(text, { board: 'pi0', ramMb: 512 }).gpu_mem).toBe(48);
    expect(parseConfigTxt(text, { board: 'pi1', ramMb: 256 }).gpu_mem).toBe(32);
    expect(parseConfigTxt('gpu_mem=16', { ramMb: 2048 }).gpu_mem).toBe(16);
  });

  it('total_mem is clamped to [128, installed] in memoryMb', () => {
    expect(parseConfigTxt('total_mem=1024', { ramMb: 4096 }).memoryMb).toBe(1024);
    expect(parseConfigTxt('total_mem=64', { ramMb: 4096 }).memoryMb).toBe(128);
    const big = parseConfigTxt('total_mem=16384', { ramMb: 4096 });
    expect(big.total_mem).toBe(16384);
    expect(big.memoryMb).toBe(4096);
  });
});

describe('settings', () => {
  it('reads the uConsole CM4 config.txt', () => {
    const c = parseConfigTxt(UCONSOLE_CONFIG);
    expect(c.enable_uart).toBe(1);
    expect(c.overlays).toEqual(['dwc2', 'vc4-kms-v3d-pi4', 'devterm-pmu', 'devterm-panel-uc', 'devterm-misc', 'audremap']);
    expect(c.dt[0]).toEqual({ kind: 'param', line: 4, target: null, params: ['audio=on'] });
    expect(c.dt[2]).toEqual({ kind: 'overlay', line: 13, name: 'vc4-kms-v3d-pi4', params: ['cma-384'] });
    expect(c.dt[c.dt.length - 1]).toEqual({ kind: 'param', line: 18, target: 'audremap', params: ['spi=on'] });
    expect(c.values.get('arm_boost')).toBe('1');
    expect(c.values.get('ignore_lcd')).toBe('1');
  });

  it('takes the last value of a key, numbers in decimal or hex', () => {
    const c = parseConfigTxt('kernel=a.img\nkernel=b.img\nkernel_address=0x80000\ndevice_tree_address=0x2eff2c00\n');
    expect(c.kernel).toBe('b.img');
    expect(c.kernel_address).toBe(0x80000);
    expect(c.device_tree_address).toBe(0x2eff2c00);
  });

  it('keeps unknown keys, comments out, spaces around = trimmed, CRLF accepted', () => {
    const c = parseConfigTxt('# comment\r\n  hdmi_group:0 = 2 \r\nmystery_option=whatever\r\n\r\n');
    expect(c.values.get('hdmi_group:0')).toBe('2');
    expect(c.values.get('mystery_option')).toBe('whatever');
    expect(c.entries).toEqual([
      { line: 2, key: 'hdmi_group:0', value: '2', active: true },
      { line: 3, key: 'mystery_option', value: 'whatever', active: true },
    ]);
  });

  it('reads device_tree, cmdline, arm_peri_high, and device_tree= as "no device tree"', () => {
    const c = parseConfigTxt('device_tree=my.dtb\ncmdline=other.txt\narm_peri_high=1\n');
    expect(c.device_tree).toBe('my.dtb');
    expect(c.cmdline).toBe('other.txt');
    expect(c.arm_peri_high).toBe(1);
    expect(parseConfigTxt('device_tree=').device_tree).toBe('');
  });

  it('reads initramfs, written without =', () => {
    expect(parseConfigTxt('initramfs initrd.img followkernel').initramfs).toEqual({ files: ['initrd.img'], address: 'followkernel' });
    expect(parseConfigTxt('initramfs a.gz,b.gz 0x00800000').initramfs).toEqual({ files: ['a.gz', 'b.gz'], address: 0x800000 });
    expect(parseConfigTxt('initramfs a.gz 0').initramfs?.address).toBe('followkernel');
  });

  it('dtparam after dtoverlay= goes back to the base device tree', () => {
    const c = parseConfigTxt('dtoverlay=i2c-rtc,ds1307\ndtparam=wakeup-source\ndtoverlay=\ndtparam=i2c_arm=on,spi=on\n');
    expect(c.dt).toEqual([
      { kind: 'overlay', line: 1, name: 'i2c-rtc', params: ['ds1307'] },
      { kind: 'param', line: 2, target: 'i2c-rtc', params: ['wakeup-source'] },
      { kind: 'param', line: 4, target: null, params: ['i2c_arm=on', 'spi=on'] },
    ]);
    expect(c.overlays).toEqual(['i2c-rtc']);
  });

  it('ignores characters past the 98th, with a warning', () => {
    const c = parseConfigTxt(`cmdline=${'x'.repeat(100)}`);
    expect(c.cmdline).toBe('x'.repeat(90));
    expect(c.warnings).toEqual(['config.txt line 1: characters past the 98th are ignored']);
  });
});

describe('conditional sections', () => {
  const text = `kernel=all.img
[pi3]
kernel=pi3.img
[pi4]
kernel=pi4.img
arm_64bit=1
[cm4]
gpu_mem=128
[pi400]
gpu_mem=256
[all]
enable_uart=1
`;

  it('a CM4 sees [pi4] and [cm4] but not [pi3] or [pi400]', () => {
    const c = parseConfigTxt(text, { board: 'cm4' });
    expect(c.kernel).toBe('pi4.img');
    expect(c.gpu_mem).toBe(128);
    expect(c.enable_uart).toBe(1);
    expect(c.entries.filter((e) => !e.active).map((e) => e.line)).toEqual([3, 10]);
  });

  it('a Pi 400 sees [pi4] and [pi400]; a CM3 sees [pi3] and [cm3]', () => {
    expect(parseConfigTxt(text, { board: 'pi400' }).gpu_mem).toBe(256);
    const cm3 = parseConfigTxt(`${text}[cm3]\ncmdline=cm3.txt\n[all]\n`, { board: 'cm3' });
    expect(cm3.kernel).toBe('pi3.img');
    expect(cm3.arm_64bit).toBe(0);
    expect(cm3.cmdline).toBe('cm3.txt');
  });

  it('filters of different types combine; [all] resets; [none] blocks', () => {
    const t = '[pi4]\n[EDID=DEL-DELL_U2422H]\ngpu_mem=100\n[cm4]\ngpu_mem=101\n[all]\n[none]\ngpu_mem=102\n[all]\n';
    expect(parseConfigTxt(t).gpu_mem).toBe(76);
    expect(parseConfigTxt(t, { edid: ['DEL-DELL_U2422H'] }).gpu_mem).toBe(101);
  });

  it('board-type, serial, gpio and tryboot filters', () => {
    const t = '[board-type=0x14]\nkernel=bt.img\n[all]\n[0x12345678]\ncmdline=serial.txt\n[all]\n[gpio4=1]\ngpu_mem=40\n[all]\n[tryboot]\nenable_uart=1\n[all]\n';
    const plain = parseConfigTxt(t);
    expect(plain.kernel).toBe('bt.img');
    expect(plain.cmdline).toBe('cmdline.txt');
    expect(plain.gpu_mem).toBe(76);
    expect(plain.enable_uart).toBe(0);
    const c = parseConfigTxt(t, { serial: 0x12345678, gpio: { 4: 1 }, tryboot: true });
    expect(c.cmdline).toBe('serial.txt');
    expect(c.gpu_mem).toBe(40);
    expect(c.enable_uart).toBe(1);
    expect(parseConfigTxt(t, { board: 'pi4' }).kernel).toBe('kernel8.img');
  });

  it('[HDMI:n] is not a condition; an unknown filter is false, with a warning', () => {
    expect(parseConfigTxt('[HDMI:1]\nhdmi_group=2\n').values.get('hdmi_group')).toBe('2');
    const c = parseConfigTxt('[pi9]\ngpu_mem=1\n[all]\n');
    expect(c.gpu_mem).toBe(76);
    expect(c.warnings).toEqual(['config.txt line 1: unknown filter [pi9] taken as false']);
  });
});

describe('malformed lines', () => {
  it('a line without =', () => {
    expectError('gpu_mem=64\nhello world\n', 'config.txt line 2: expected key=value, got "hello world"');
  });

  it('an empty key', () => {
    expectError('\n\n=5', 'config.txt line 3: empty key in "=5"');
  });

  it('a non-numeric value for a numeric key', () => {
    expectError('# x\ngpu_mem=lots', 'config.txt line 2: gpu_mem=lots: expected a number (decimal or 0x hex)');
    expectError('[pi3]\nkernel_address=0xZZ', 'config.txt line 2: kernel_address=0xZZ: expected a number (decimal or 0x hex)');
  });

  it('an unclosed section header', () => {
    expectError('[pi4\n', 'config.txt line 1: section header "[pi4" has no closing ]');
  });

  it('include', () => {
    expectError('include extraconfig.txt', 'config.txt line 1: include extraconfig.txt is not supported: put those settings in config.txt itself');
  });

  it('a bad initramfs line', () => {
    expectError('initramfs initrd.img', 'config.txt line 1: expected "initramfs FILE ADDRESS", got "initramfs initrd.img"');
    expectError('initramfs a b c', 'config.txt line 1: expected "initramfs FILE ADDRESS", got "initramfs a b c"');
    expectError('initramfs a somewhere', 'config.txt line 1: initramfs address "somewhere" is neither a number nor followkernel');
  });

  it('names the file given and carries the line number', () => {
    try {
      parseConfigTxt('a=1\nb', { fileName: 'boot/config.txt' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigTxtError);
      expect((e as ConfigTxtError).line).toBe(2);
      expect((e as Error).message).toBe('boot/config.txt line 2: expected key=value, got "b"');
    }
  });

  it('refuses an unknown board or a bad RAM size', () => {
    expect(() => parseConfigTxt('', { board: 'pi9' as never })).toThrow(new ConfigTxtError('config.txt', undefined, 'unknown board model "pi9"'));
    expect(() => parseConfigTxt('', { ramMb: 0 })).toThrow(/installed RAM 0 MB is not a positive integer/);
  });
});
