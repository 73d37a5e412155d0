// SPDX-License-Identifier: GPL-2.0-only
// formatDts: the DTS-like dump.

import { describe, expect, it } from 'vitest';
import { createTree, formatDts, formatPropValue } from '../../../lib/fdt';
import { cm4Tree } from './cm4-tree';

describe('formatDts', () => {
  const dts = formatDts(cm4Tree());

  it('starts with /dts-v1/; and the reservations', () => {
    expect(dts.startsWith('/dts-v1/;\n\n/memreserve/ 0x0000000000000000 0x0000000000001000;\n\n/ {\n')).toBe(true);
    expect(dts.endsWith('};\n')).toBe(true);
  });

  it('shows cells, strings, string lists and empty properties', () => {
    expect(dts).toContain('\t#address-cells = <0x2>;\n');
    expect(dts).toContain('\t\treg = <0x0 0x0 0x3b400000 0x0 0x40000000 0xbc000000>;\n');
    expect(dts).toContain('\t\t\tcpu-release-addr = <0x0 0xe0>;\n');
    expect(dts).toContain('\t\t\tcompatible = "arm,pl011", "arm,primecell";\n');
    expect(dts).toContain('\t\t\tinterrupt-controller;\n');
    expect(dts).toContain('\tcpus {\n');
    expect(dts).toContain('\t\tcpu@3 {\n');
  });

  it('nests and closes nodes with a blank line before each child', () => {
    expect(dts).toContain('\t\tenable-method = "brcm,bcm2836-smp";\n\n\t\tcpu@0 {\n');
    expect(dts).toContain('\t\t};\n\n\t\tcpu@1 {\n');
    expect(dts).toContain('\t};\n\n\t__symbols__ {\n');
  });

  it('shows boot_cpuid_phys as a comment when it is not 0', () => {
    const t = createTree();
    t.bootCpuidPhys = 2;
    expect(formatDts(t)).toBe('/dts-v1/;\n// boot_cpuid_phys: 0x2\n\n/ {\n};\n');
  });
});

describe('formatPropValue', () => {
  it('guesses the shape like dtc', () => {
    expect(formatPropValue(Uint8Array.of(0x6f, 0x6b, 0))).toBe('"ok"');
    expect(formatPropValue(Uint8Array.of(0x61, 0x22, 0x5c, 0x0a, 0))).toBe('"a\\"\\\\\\n"');
    expect(formatPropValue(Uint8Array.of(0, 0, 0, 0))).toBe('<0x0>');
    expect(formatPropValue(Uint8Array.of(0x61, 0, 0, 0))).toBe('<0x61000000>'); // empty string inside: not strings
    expect(formatPropValue(Uint8Array.of(0xdc, 0xa6, 0x32, 0, 0, 1))).toBe('[dc a6 32 00 00 01]');
    expect(formatPropValue(Uint8Array.of(0x80, 0x81, 0))).toBe('[80 81 00]');
  });
});
