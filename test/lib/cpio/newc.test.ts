import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CpioError, readNewc, writeNewc, S_IFCHR, S_IFDIR, S_IFLNK, S_IFREG, type CpioEntry } from '../../../lib/cpio/newc';
import { checkModel } from '../../helpers/model-check';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const ascii = (b: Uint8Array): string => new TextDecoder('latin1').decode(b);

const sample: CpioEntry[] = [
  { name: 'bin', mode: S_IFDIR | 0o755, uid: 0, gid: 0, mtime: 0 },
  { name: 'bin/hello', mode: S_IFREG | 0o755, uid: 0, gid: 0, mtime: 1234, data: enc('hello\n') },
  { name: 'sbin', mode: S_IFLNK | 0o777, uid: 0, gid: 0, mtime: 0, linkTarget: 'bin' },
  { name: 'dev/console', mode: S_IFCHR | 0o600, uid: 0, gid: 0, mtime: 0, rdev: { major: 5, minor: 1 } },
];

describe('newc cpio', () => {
  it('writes the header, name and data with 4-byte padding, and a TRAILER!!!', () => {
    const a = writeNewc([sample[1]!]);
    const h = ascii(a.subarray(0, 110));
    expect(h.slice(0, 6)).toBe('070701');
    expect(h.slice(14, 22)).toBe('000081ed'); // mode
    expect(h.slice(46, 54)).toBe('000004d2'); // mtime 1234
    expect(h.slice(54, 62)).toBe('00000006'); // filesize
    expect(h.slice(94, 102)).toBe('0000000a'); // namesize "bin/hello\0"
    // 110 + 10 = 120, already a multiple of 4: data at 120, 6 bytes padded to 8.
    expect(ascii(a.subarray(120, 126))).toBe('hello\n');
    expect([...a.subarray(126, 128)]).toEqual([0, 0]);
    expect(ascii(a.subarray(128 + 110, 128 + 120))).toBe('TRAILER!!!');
    expect(a.length % 4).toBe(0);
  });

  it('round-trips directories, files, symlinks and device nodes', () => {
    expect(readNewc(writeNewc(sample))).toEqual(sample.map((e) => (e.name === 'bin' ? e : e)));
  });

  it('reads concatenated archives with NUL padding between them, and 070702 with a checksum', () => {
    const a = writeNewc(sample.slice(0, 2));
    const b = writeNewc(sample.slice(2));
    const both = new Uint8Array(a.length + 512 + b.length);
    both.set(a);
    both.set(b, a.length + 512);
    expect(readNewc(both).map((e) => e.name)).toEqual(sample.map((e) => e.name));
    const crc = writeNewc([sample[1]!]);
    crc[5] = 0x32; // '2'
    const sum = [...enc('hello\n')].reduce((s, x) => s + x, 0);
    crc.set(enc(sum.toString(16).padStart(8, '0')), 102);
    expect(readNewc(crc)[0]!.data).toEqual(enc('hello\n'));
    crc[120] ^= 1;
    expect(() => readNewc(crc)).toThrow(/bin\/hello: checksum mismatch/);
  });

  it('refuses malformed archives with one line naming what is wrong', () => {
    const a = writeNewc(sample);
    expect(() => readNewc(new Uint8Array(0))).toThrow('empty archive');
    expect(() => readNewc(enc('hello world, this is not an archive'.repeat(4)))).toThrow(/^no cpio magic at offset 0/);
    expect(() => readNewc(a.subarray(0, 50))).toThrow('truncated header at offset 0');
    expect(() => readNewc(a.subarray(0, 118 + 4 + 2))).toThrow(/bin\/hello: truncated data|truncated/);
    expect(() => readNewc(a.subarray(0, a.length - 124))).toThrow(/without TRAILER!!!/);
    const bad = a.slice();
    bad[10] = 0x7a; // 'z' in the ino field
    expect(() => readNewc(bad)).toThrow(/bad hexadecimal field 0/);
    const e = (() => {
      try {
        readNewc(bad);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(CpioError);
    expect(String((e as Error).message)).not.toContain('\n');
    expect(() => writeNewc([{ name: 'x', mode: S_IFLNK | 0o777, uid: 0, gid: 0, mtime: 0 }])).toThrow('x: a symlink needs a target');
    expect(() => writeNewc([{ name: 'x', mode: S_IFREG, uid: -1, gid: 0, mtime: 0 }])).toThrow(/x: uid -1 does not fit/);
  });

  it('property: any sequence of members round-trips, and every prefix cut short is refused', () => {
    const entry: fc.Arbitrary<CpioEntry> = fc.oneof(
      fc.record({ name: fc.stringMatching(/^[a-z0-9._-]{1,12}(\/[a-z0-9._-]{1,12}){0,2}$/), perm: fc.integer({ min: 0, max: 0o7777 }), mtime: fc.nat(), data: fc.uint8Array({ maxLength: 40 }) })
        .map(({ name, perm, mtime, data }) => ({ name, mode: S_IFREG | perm, uid: 0, gid: 0, mtime, data })),
      fc.record({ name: fc.stringMatching(/^[a-z]{1,8}$/), target: fc.stringMatching(/^[a-z/.]{1,20}$/) })
        .map(({ name, target }) => ({ name, mode: S_IFLNK | 0o777, uid: 1, gid: 2, mtime: 0, linkTarget: target })),
      fc.stringMatching(/^[a-z]{1,8}$/).map((name) => ({ name, mode: S_IFDIR | 0o755, uid: 0, gid: 0, mtime: 7 })),
    );
    checkModel<{ entries: CpioEntry[] }, CpioEntry>(
      {
        setup: () => ({ entries: [] }),
        command: entry,
        step: (s, e) => {
          s.entries.push(e);
          const bytes = writeNewc(s.entries);
          expect(readNewc(bytes)).toEqual(s.entries);
          expect(() => readNewc(bytes.subarray(0, bytes.length - 4))).toThrow(CpioError);
        },
        check: (s) => (writeNewc(s.entries).length % 4 === 0 ? [] : ['archive length is not a multiple of 4']),
      },
      { numRuns: 50, maxLength: 20, seed: 1 },
    );
  });
});
