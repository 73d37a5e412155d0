// SPDX-License-Identifier: GPL-2.0-only
// cmdline.txt and the Linux kernel command line.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCmdlineTxt } from '../../../firmware/config';
import { CmdlineError, memparse, parseCmdline, parseKernelInt } from '../../../lib/cmdline';

describe('readCmdlineTxt', () => {
  it('takes the first line, trimmed', () => {
    expect(readCmdlineTxt('  console=serial0,115200 root=/dev/mmcblk0p2 rootwait  \nsecond line\n')).toBe(
      'console=serial0,115200 root=/dev/mmcblk0p2 rootwait',
    );
    expect(readCmdlineTxt('a=1\r\nb=2')).toBe('a=1');
    expect(readCmdlineTxt(new TextEncoder().encode('quiet splash\n'))).toBe('quiet splash');
    expect(readCmdlineTxt('')).toBe('');
  });
});

describe('parseCmdline', () => {
  const line =
    'coherent_pool=1M 8250.nr_uarts=1 console=ttyS0,115200 console=tty1 root=PARTUUID=abcd-02 rootfstype=ext4 fsck.repair=yes rootwait quiet';

  it('splits a Raspberry Pi OS command line into ordered params', () => {
    const c = parseCmdline(line);
    expect(c.params.map((p) => p.key)).toEqual([
      'coherent_pool', '8250.nr_uarts', 'console', 'console', 'root', 'rootfstype', 'fsck.repair', 'rootwait', 'quiet',
    ]);
    expect(c.get('root')).toBe('PARTUUID=abcd-02'); // split at the first =
    expect(c.get('console')).toBe('tty1'); // the last one
    expect(c.getAll('console')).toEqual(['ttyS0,115200', 'tty1']);
    expect(c.has('rootwait')).toBe(true);
    expect(c.get('rootwait')).toBeUndefined();
    expect(c.has('splash')).toBe(false);
    expect(c.getSize('coherent_pool')).toBe(1 << 20);
    expect(c.getNumber('8250.nr_uarts')).toBe(1);
    expect(c.getBool('fsck.repair')).toBe(true);
    expect(c.getBool('quiet')).toBe(true);
    expect(c.getNumber('nothing')).toBeUndefined();
    expect(c.toString()).toBe(line);
  });

  it('handles quotes like Linux', () => {
    const c = parseCmdline('a="b c" "d=e f" "flag x" g=h"i j" dyndbg="file foo.c +p"');
    expect(c.params).toEqual([
      { key: 'a', value: 'b c' },
      { key: 'd', value: 'e f' },
      { key: 'flag x', value: undefined },
      { key: 'g', value: 'h"i j"' },
      { key: 'dyndbg', value: 'file foo.c +p' },
    ]);
  });

  it('treats - and _ in names alike', () => {
    const c = parseCmdline('page-alloc.shuffle=1 percpu_alloc=page');
    expect(c.getNumber('page_alloc.shuffle')).toBe(1);
    expect(c.get('percpu-alloc')).toBe('page');
  });

  it('passes what follows -- to init', () => {
    const c = parseCmdline('quiet -- single foo=bar');
    expect(c.params).toEqual([{ key: 'quiet', value: undefined }]);
    expect(c.initArgs).toEqual(['single', 'foo=bar']);
  });

  it('splits on any whitespace and ignores runs of it', () => {
    expect(parseCmdline('  a=1\t\tb \n c  ').params.map((p) => p.key)).toEqual(['a', 'b', 'c']);
    expect(parseCmdline('').params).toEqual([]);
  });

  it('reports malformed numbers, sizes and booleans with the parameter', () => {
    const c = parseCmdline('mem=12X loops=ten debug=maybe');
    expect(() => c.getSize('mem')).toThrow(
      new CmdlineError('mem=12X: "12X" is not a size (digits with an optional K, M, G, T, P or E suffix)'),
    );
    expect(() => c.getNumber('loops')).toThrow(new CmdlineError('loops=ten: "ten" is not an integer'));
    expect(() => c.getBool('debug')).toThrow(/debug=maybe: "maybe" is not a boolean/);
    expect(c.getBool('absent')).toBeUndefined();
  });
});

describe('memparse', () => {
  it('accepts K/M/G/T/P/E suffixes in either case and C number prefixes', () => {
    expect(memparse('4096')).toBe(4096);
    expect(memparse('64k')).toBe(64 * 1024);
    expect(memparse('64K')).toBe(64 * 1024);
    expect(memparse('384M')).toBe(384 * 2 ** 20);
    expect(memparse('1G')).toBe(2 ** 30);
    expect(memparse('2T')).toBe(2 * 2 ** 40);
    expect(memparse('1P')).toBe(2 ** 50);
    expect(memparse('0x1000')).toBe(0x1000);
    expect(memparse('0x10M')).toBe(16 * 2 ** 20);
    expect(memparse('0x1e')).toBe(0x1e); // 'e' is a hex digit, not the exa suffix
    expect(memparse('010')).toBe(8);
    expect(memparse('0')).toBe(0);
  });

  it('refuses garbage and values of 2^53 or more', () => {
    for (const bad of ['', 'M', '12MB', '-1', '1.5G', ' 1G', '08']) expect(() => memparse(bad)).toThrow(CmdlineError);
    expect(() => memparse('16E')).toThrow(/exceeds 2\^53/);
  });

  it('agrees with a number times its suffix (fast-check)', () => {
    const suffix = fc.constantFrom(['', 0], ['K', 10], ['M', 20], ['G', 30]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 20 }), suffix, (n, [s, shift]) => {
        expect(memparse(`${n}${s}`)).toBe(n * 2 ** (shift as number));
      }),
    );
  });
});

describe('parseKernelInt', () => {
  it('reads base-0 integers with a sign', () => {
    expect(parseKernelInt('42')).toBe(42);
    expect(parseKernelInt('-7')).toBe(-7);
    expect(parseKernelInt('+0x10')).toBe(16);
    expect(parseKernelInt('017')).toBe(15);
    expect(parseKernelInt('0')).toBe(0);
    expect(() => parseKernelInt('09')).toThrow(CmdlineError);
    expect(() => parseKernelInt('')).toThrow(CmdlineError);
    expect(() => parseKernelInt('1k')).toThrow(/"1k" is not an integer/);
  });
});
