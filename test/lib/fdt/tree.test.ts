// SPDX-License-Identifier: GPL-2.0-only
// The tree model: path, alias, phandle and compatible lookup, edits, reg.

import { describe, expect, it } from 'vitest';
import {
  FdtError,
  addNode,
  addressCellsOf,
  cloneTree,
  createTree,
  decodeString,
  decodeU32,
  decodeU64,
  deleteProp,
  encodeString,
  encodeU32,
  ensureNode,
  ensurePhandle,
  findByPhandle,
  findChild,
  findCompatible,
  findNode,
  getNode,
  getPhandle,
  getProp,
  getReg,
  lookupNode,
  maxPhandle,
  nodeBaseName,
  nodeUnitAddress,
  parseFdt,
  removeNode,
  setProp,
  sizeCellsOf,
  walkNodes,
  writeFdt,
} from '../../../lib/fdt';
import { CM4_BOOTARGS, GIC_PHANDLE, UART0_PHANDLE, cm4Tree } from './cm4-tree';

describe('path lookup', () => {
  const t = parseFdt(writeFdt(cm4Tree()));

  it('finds nodes by full path, with or without a unique unit address', () => {
    expect(findNode(t, '/')).toBe(t.root);
    expect(findNode(t, '/cpus/cpu@1')?.name).toBe('cpu@1');
    expect(findNode(t, '/memory')?.name).toBe('memory@0');
    expect(findNode(t, '/memory@0/')?.name).toBe('memory@0');
    expect(lookupNode(t, '/soc/interrupt-controller')?.path).toBe('/soc/interrupt-controller@40041000');
    expect(findNode(t.root, '/chosen')).toBeDefined();
  });

  it('returns undefined for a missing node and getNode says which', () => {
    expect(findNode(t, '/cpus/cpu@7')).toBeUndefined();
    expect(findNode(t, '/nothing/here')).toBeUndefined();
    expect(() => getNode(t, '/cpus/cpu@7')).toThrow(new FdtError('no node at /cpus/cpu@7 in the device tree'));
  });

  it('refuses a base name that matches several nodes', () => {
    expect(() => findNode(t, '/cpus/cpu')).toThrow(
      new FdtError('path /cpus/cpu is ambiguous: cpu matches cpu@0, cpu@1, cpu@2, cpu@3'),
    );
    expect(() => findNode(t, '/soc/serial/x')).toThrow(/path \/soc\/serial is ambiguous/);
  });

  it('resolves aliases from /aliases', () => {
    expect(lookupNode(t, 'serial1')?.path).toBe('/soc/serial@7e201000');
    expect(findNode(t, 'serial0')?.name).toBe('serial@7e215040');
    expect(findNode(t, 'nosuchalias')).toBeUndefined();
  });

  it('walks the tree in blob order with paths and parents', () => {
    const paths = [...walkNodes(t)].map((e) => e.path);
    expect(paths.slice(0, 5)).toEqual(['/', '/aliases', '/chosen', '/memory@0', '/cpus']);
    expect(paths).toContain('/cpus/cpu@3');
    expect(paths[paths.length - 1]).toBe('/__symbols__');
    const cpu2 = [...walkNodes(t)].find((e) => e.path === '/cpus/cpu@2');
    expect(cpu2?.parent?.name).toBe('cpus');
  });
});

describe('the CM4-shaped tree read back', () => {
  const t = parseFdt(writeFdt(cm4Tree()));

  it('has the 4 GB memory node and the stub page reserved', () => {
    expect(t.memReserve).toEqual([{ address: 0, size: 0x1000 }]);
    expect(addressCellsOf(t.root)).toBe(2);
    expect(sizeCellsOf(t.root)).toBe(1);
    expect(getReg(t, '/memory@0')).toEqual([
      { address: 0x0, size: 0x3b400000 },
      { address: 0x40000000, size: 0xbc000000 },
    ]);
  });

  it('has four spin-table cpus releasing at 0xd8, 0xe0, 0xe8, 0xf0', () => {
    const cpus = findCompatible(t, 'arm,cortex-a72');
    expect(cpus.map((c) => c.path)).toEqual(['/cpus/cpu@0', '/cpus/cpu@1', '/cpus/cpu@2', '/cpus/cpu@3']);
    for (const [n, { node, path }] of cpus.entries()) {
      expect(decodeString(getProp(node, 'enable-method') ?? new Uint8Array())).toBe('spin-table');
      expect(decodeU64(getProp(node, 'cpu-release-addr') ?? new Uint8Array())).toBe(BigInt(0xd8 + 8 * n));
      expect(getReg(t, path)).toEqual([{ address: n, size: 0 }]);
    }
  });

  it('has bootargs in /chosen and the PL011 at 0x7e201000', () => {
    expect(decodeString(getNode(t, '/chosen').props.get('bootargs') ?? new Uint8Array())).toBe(CM4_BOOTARGS);
    const [uart] = findCompatible(t, 'arm,primecell');
    expect(uart?.path).toBe('/soc/serial@7e201000');
    expect(findCompatible(t, 'arm,pl011')).toHaveLength(1);
    expect(getReg(t, '/soc/serial@7e201000')).toEqual([{ address: 0x7e201000, size: 0x200 }]);
  });

  it('resolves phandles', () => {
    const root = decodeU32(t.root.props.get('interrupt-parent') ?? new Uint8Array());
    expect(root).toBe(GIC_PHANDLE);
    expect(findByPhandle(t, GIC_PHANDLE)?.path).toBe('/soc/interrupt-controller@40041000');
    expect(findByPhandle(t, UART0_PHANDLE)?.node.name).toBe('serial@7e201000');
    expect(findByPhandle(t, 999)).toBeUndefined();
    expect(maxPhandle(t)).toBe(13);
  });

  it('keeps __symbols__', () => {
    expect(decodeString(getNode(t, '/__symbols__').props.get('gicv2') ?? new Uint8Array())).toBe(
      '/soc/interrupt-controller@40041000',
    );
  });
});

describe('editing', () => {
  it('adds, replaces and deletes properties, keeping their order', () => {
    const t = createTree();
    const chosen = addNode(t.root, 'chosen');
    setProp(chosen, 'a', encodeU32(1));
    setProp(chosen, 'b', encodeU32(2));
    setProp(chosen, 'a', encodeU32(3));
    expect([...chosen.props.keys()]).toEqual(['a', 'b']);
    expect(decodeU32(getProp(chosen, 'a') ?? new Uint8Array())).toBe(3);
    expect(deleteProp(chosen, 'a')).toBe(true);
    expect(deleteProp(chosen, 'a')).toBe(false);
    expect(() => setProp(chosen, '', encodeU32(1))).toThrow(new FdtError('property name is empty'));
  });

  it('adds nodes, refusing duplicates and bad names, and removes them', () => {
    const t = createTree();
    addNode(t.root, 'soc');
    expect(() => addNode(t.root, 'soc')).toThrow(new FdtError('node "/" already has a child named "soc"'));
    expect(() => addNode(t.root, 'a/b')).toThrow(/contains "\/" or NUL/);
    expect(() => addNode(t.root, '')).toThrow(/node name is empty/);
    expect(removeNode(t.root, 'soc')).toBe(true);
    expect(removeNode(t.root, 'soc')).toBe(false);
  });

  it('ensureNode creates the missing part of a path and reuses the rest', () => {
    const t = cm4Tree();
    const a = ensureNode(t, '/chosen/extra/deeper');
    expect(findNode(t, '/chosen/extra/deeper')).toBe(a);
    expect(ensureNode(t, '/chosen')).toBe(findNode(t, '/chosen'));
    expect(() => ensureNode(t, 'chosen')).toThrow(/absolute path/);
  });

  it('ensurePhandle gives a fresh phandle once', () => {
    const t = cm4Tree();
    const chosen = getNode(t, '/chosen');
    expect(getPhandle(chosen)).toBeUndefined();
    expect(ensurePhandle(t, chosen)).toBe(14);
    expect(ensurePhandle(t, chosen)).toBe(14);
    expect(findByPhandle(t, 14)?.path).toBe('/chosen');
  });

  it('reads linux,phandle too', () => {
    const t = createTree();
    const n = addNode(t.root, 'old', [['linux,phandle', encodeU32(7)]]);
    expect(getPhandle(n)).toBe(7);
  });

  it('cloneTree makes an independent copy', () => {
    const t = cm4Tree();
    const c = cloneTree(t);
    expect(c).toEqual(t);
    setProp(getNode(c, '/chosen'), 'bootargs', encodeString('x'));
    (getNode(c, '/memory').props.get('reg') as Uint8Array)[0] = 0xff;
    expect(decodeString(getNode(t, '/chosen').props.get('bootargs') ?? new Uint8Array())).toBe(CM4_BOOTARGS);
    expect(getReg(t, '/memory')[0]?.address).toBe(0);
  });
});

describe('names', () => {
  it('splits name@unit-address', () => {
    expect(nodeBaseName('serial@7e201000')).toBe('serial');
    expect(nodeUnitAddress('serial@7e201000')).toBe('7e201000');
    expect(nodeBaseName('chosen')).toBe('chosen');
    expect(nodeUnitAddress('chosen')).toBeUndefined();
  });

  it('findChild prefers an exact name over a base-name match', () => {
    const t = createTree();
    addNode(t.root, 'cpu');
    addNode(t.root, 'cpu@0');
    expect(findChild(t.root, 'cpu')?.name).toBe('cpu');
  });
});
