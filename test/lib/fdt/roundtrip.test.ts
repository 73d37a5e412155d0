// SPDX-License-Identifier: GPL-2.0-only
// writeFdt/parseFdt round trips: the CM4-shaped tree, the header and blocks
// it produces, and random trees (fast-check).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DeviceTree,
  type FdtNode,
  FdtError,
  formatDts,
  parseFdt,
  readFdtHeader,
  writeFdt,
} from '../../../lib/fdt';
import { cm4Tree } from './cm4-tree';

function u32At(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset).getUint32(at);
}

describe('writeFdt on the CM4-shaped tree', () => {
  const blob = writeFdt(cm4Tree());

  it('writes a version 17 header with the dtc layout', () => {
    const h = readFdtHeader(blob);
    expect(u32At(blob, 0)).toBe(0xd00dfeed);
    expect(h.totalsize).toBe(blob.length);
    expect(h.version).toBe(17);
    expect(h.lastCompVersion).toBe(16);
    expect(h.bootCpuidPhys).toBe(0);
    expect(h.offMemRsvmap).toBe(0x28);
    expect(h.offDtStruct).toBe(0x28 + 2 * 16);
    expect(h.offDtStrings).toBe(h.offDtStruct + (h.sizeDtStruct ?? -1));
    expect(h.offDtStrings + h.sizeDtStrings).toBe(h.totalsize);
  });

  it('writes the /memreserve/ entry followed by a zero entry', () => {
    const dv = new DataView(blob.buffer);
    expect(dv.getBigUint64(0x28)).toBe(0n);
    expect(dv.getBigUint64(0x30)).toBe(0x1000n);
    expect(dv.getBigUint64(0x38)).toBe(0n);
    expect(dv.getBigUint64(0x40)).toBe(0n);
  });

  it('starts the structure block with the root node and ends it with FDT_END', () => {
    const h = readFdtHeader(blob);
    expect(u32At(blob, h.offDtStruct)).toBe(1);
    expect(u32At(blob, h.offDtStruct + 4)).toBe(0); // "" padded to 4
    expect(u32At(blob, h.offDtStruct + (h.sizeDtStruct ?? 0) - 4)).toBe(9);
    expect(u32At(blob, h.offDtStruct + (h.sizeDtStruct ?? 0) - 8)).toBe(2);
  });

  it('stores each property name once in the strings block', () => {
    const h = readFdtHeader(blob);
    const text = Buffer.from(blob.subarray(h.offDtStrings, h.offDtStrings + h.sizeDtStrings)).toString('latin1');
    const names = text.split('\0').slice(0, -1);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('cpu-release-addr');
    expect(names.filter((n) => n === 'compatible')).toHaveLength(1);
  });

  it('round-trips: parse gives the same tree, and writing it again the same bytes', () => {
    const parsed = parseFdt(blob);
    expect(parsed).toEqual(cm4Tree());
    expect(writeFdt(parsed)).toEqual(blob);
  });

  it('keeps boot_cpuid_phys', () => {
    const t = cm4Tree();
    t.bootCpuidPhys = 3;
    expect(parseFdt(writeFdt(t)).bootCpuidPhys).toBe(3);
  });

  it('shares a name that is the tail of a stored one, like dtc', () => {
    const t: DeviceTree = {
      root: { name: '', props: new Map([['linux,phandle', Uint8Array.of(0, 0, 0, 1)], ['phandle', Uint8Array.of(0, 0, 0, 1)]]), children: [] },
      memReserve: [],
      bootCpuidPhys: 0,
    };
    const blob2 = writeFdt(t);
    const h = readFdtHeader(blob2);
    expect(h.sizeDtStrings).toBe('linux,phandle\0'.length);
    expect(parseFdt(blob2)).toEqual(t);
  });
});

describe('writeFdt refuses what a DTB cannot hold', () => {
  it('a reservation of size 0', () => {
    const t = cm4Tree();
    t.memReserve.push({ address: 0x1000, size: 0 });
    expect(() => writeFdt(t)).toThrow(/memory reservation 1 at 0x1000 has size 0/);
  });

  it('a boot_cpuid_phys above 32 bits', () => {
    const t = cm4Tree();
    t.bootCpuidPhys = 2 ** 32;
    expect(() => writeFdt(t)).toThrow(FdtError);
  });

  it('a name with NUL or a character above U+00FF', () => {
    const t = cm4Tree();
    t.root.children.push({ name: 'bad\u0100', props: new Map(), children: [] });
    expect(() => writeFdt(t)).toThrow(/node name "bad\u0100"/);
  });
});

// ------------------------------------------------------------ random trees

const nodeName = fc.stringMatching(/^[a-z][a-z0-9,._+-]{0,12}(@[0-9a-f]{1,8})?$/);
const propName = fc.stringMatching(/^[a-z#][a-z0-9,._+?#-]{0,30}$/);
const anyByteName = fc.string({ unit: fc.integer({ min: 1, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 20 });

function treeArb(names: fc.Arbitrary<string>, pnames: fc.Arbitrary<string>): fc.Arbitrary<DeviceTree> {
  const props = fc
    .uniqueArray(fc.tuple(pnames, fc.uint8Array({ maxLength: 24 })), { selector: (p) => p[0], maxLength: 5 })
    .map((list) => new Map(list));
  const { node } = fc.letrec<{ node: FdtNode }>((tie) => ({
    node: fc.record({
      name: names,
      props,
      children: fc.oneof({ maxDepth: 4 }, fc.constant(null).map((): FdtNode[] => []), fc.array(tie('node'), { maxLength: 4 })),
    }),
  }));
  return fc.record({
    root: node.map((n) => ({ ...n, name: '' })),
    memReserve: fc.array(
      fc.record({ address: fc.maxSafeNat(), size: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }) }),
      { maxLength: 4 },
    ),
    bootCpuidPhys: fc.integer({ min: 0, max: 0xffffffff }),
  });
}

describe('round trip over random trees (fast-check)', () => {
  it('parse(write(t)) equals t and write(parse(write(t))) equals write(t)', () => {
    fc.assert(
      fc.property(treeArb(nodeName, propName), (t) => {
        const blob = writeFdt(t);
        const back = parseFdt(blob);
        expect(back).toEqual(t);
        expect(writeFdt(back)).toEqual(blob);
        expect(formatDts(back).startsWith('/dts-v1/;')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps names made of any bytes but NUL', () => {
    fc.assert(
      fc.property(treeArb(anyByteName, anyByteName), (t) => {
        const blob = writeFdt(t);
        expect(writeFdt(parseFdt(blob))).toEqual(blob);
      }),
      { numRuns: 100 },
    );
  });

  it('a damaged blob is either read or refused with an FdtError, never another exception', () => {
    const blobAndDamage = treeArb(nodeName, propName)
      .map((t) => writeFdt(t))
      .chain((blob) =>
        fc.tuple(
          fc.constant(blob),
          fc.array(fc.tuple(fc.nat({ max: blob.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
          fc.nat({ max: blob.length }),
        ),
      );
    fc.assert(
      fc.property(blobAndDamage, ([blob, flips, cut]) => {
        const bad = blob.slice(0, Math.max(cut, blob.length - 8));
        for (const [at, v] of flips) if (at < bad.length) bad[at] = v;
        try {
          parseFdt(bad);
        } catch (e) {
          expect(e).toBeInstanceOf(FdtError);
          expect((e as Error).message).toMatch(/^malformed DTB: /);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('big trees', () => {
  it('round-trips a tree 5000 nodes deep and one 20000 nodes wide', () => {
    const deep: DeviceTree = { root: { name: '', props: new Map(), children: [] }, memReserve: [], bootCpuidPhys: 0 };
    let n = deep.root;
    for (let i = 0; i < 5000; i++) {
      const c: FdtNode = { name: `n@${i.toString(16)}`, props: new Map([['reg', Uint8Array.of(0, 0, 0, i & 0xff)]]), children: [] };
      n.children.push(c);
      n = c;
    }
    const blob = writeFdt(deep);
    expect(writeFdt(parseFdt(blob))).toEqual(blob);
    expect(formatDts(deep)).toContain('n@1387 {');

    const wide: DeviceTree = { root: { name: '', props: new Map(), children: [] }, memReserve: [], bootCpuidPhys: 0 };
    for (let i = 0; i < 20000; i++) wide.root.children.push({ name: `dev@${i}`, props: new Map([['status', Uint8Array.of(0x6f, 0x6b, 0)]]), children: [] });
    const wblob = writeFdt(wide);
    expect(parseFdt(wblob).root.children).toHaveLength(20000);
  });
});
