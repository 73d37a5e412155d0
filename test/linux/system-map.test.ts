// SPDX-License-Identifier: GPL-2.0-only
// A kernel's System.map naming PCs as %pS does (linux/system-map.ts).
import { describe, expect, it } from 'vitest';
import { SystemMap } from '../../linux/system-map';

const MAP = [
  'ffff800008000000 t _head',
  'ffff800008000000 T _text',
  'ffff800008010000 T _stext',
  'ffff800008010000 T __exception_text_start',
  'ffff800008010040 T do_undefinstr',
  'ffff800008010100 W arch_cpu_idle',
  'ffff800008010140 D some_data',
  'ffff800008010180 t cpu_do_idle',
  'ffff8000080101a0 T _etext',
  '',
].join('\n');

describe('System.map', () => {
  const map = SystemMap.parse(MAP, 'test.map');

  it('names a PC by the code symbol it is in, with the offset and the size to the next code symbol', () => {
    expect(map.symbolize(0xffff800008010048n)).toBe('do_undefinstr+0x8/0xc0');
    expect(map.symbolize(0xffff800008010140n)).toBe('arch_cpu_idle+0x40/0x80'); // data symbols do not split code
    expect(map.symbolize(0xffff800008010190n)).toBe('cpu_do_idle+0x10/0x20');
    // Of aliases at one address, the last in the map names it (as in the kernel's own table order).
    expect(map.symbolize(0xffff800008010004n)).toBe('__exception_text_start+0x4/0x40');
  });

  it('names nothing below the first code symbol or from the last one on (its size is unknown)', () => {
    expect(map.symbolize(0x400000n)).toBeUndefined();
    expect(map.symbolize(0xffff0000c0000000n)).toBeUndefined(); // the linear map
    expect(map.symbolize(0xffff8000080101a0n)).toBeUndefined();
  });

  it('refuses what is not a kernel\'s System.map in one line, Debian\'s stub included', () => {
    expect(() => SystemMap.parse('hello world\n', 'x.map')).toThrow(/^x\.map:1: not a System\.map line/);
    // What linux-image-*-arm64 ships as /boot/System.map-<release>.
    expect(() => SystemMap.parse('ffffffffffffffff B The real System.map is in the linux-image-6.1.0-57-arm64-dbg package\n', 'stub')).toThrow(/^stub: no code symbols/);
    expect(() => SystemMap.read('/nonexistent/System.map')).toThrow(/^System\.map \/nonexistent\/System\.map: not found$/);
  });
});
