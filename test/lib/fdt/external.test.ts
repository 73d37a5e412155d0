// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checks against the outside world, each conditional:
 *   - a real Raspberry Pi CM4 DTB, when one is found on this machine (a
 *     Raspberry Pi OS boot partition, Debian's linux-image-*-arm64 package,
 *     or a file named by UCONSOLE_RPI_DTB): read it, check its CM4 shape,
 *     write it back to the same bytes;
 *   - dtc (Debian package device-tree-compiler), when installed: compiling
 *     formatDts output gives writeFdt's bytes, and dtc decompiles our blob.
 * Nothing is downloaded; without those files and tools the tests skip.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeString, decodeU64, findCompatible, findNode, formatDts, parseFdt, writeFdt } from '../../../lib/fdt';
import { cm4Tree } from './cm4-tree';

function debianKernelDtbs(): string[] {
  const lib = '/usr/lib';
  if (!existsSync(lib)) return [];
  return readdirSync(lib)
    .filter((d) => d.startsWith('linux-image-'))
    .map((d) => join(lib, d, 'broadcom', 'bcm2711-rpi-cm4-io.dtb'));
}

function findCm4Dtb(): string | undefined {
  const candidates = [
    process.env.UCONSOLE_RPI_DTB ?? '',
    '/boot/firmware/bcm2711-rpi-cm4.dtb',
    '/boot/bcm2711-rpi-cm4.dtb',
    ...debianKernelDtbs(),
  ];
  return candidates.find((p) => p !== '' && existsSync(p));
}

const realDtb = findCm4Dtb();
const haveDtc = spawnSync('dtc', ['--version']).status === 0;

describe('a real Raspberry Pi CM4 DTB', () => {
  it.skipIf(!realDtb)(`is read and written back to the same bytes (conditional: runs only when a CM4 DTB is found; ${realDtb ?? 'none found'})`, () => {
    const bytes = new Uint8Array(readFileSync(realDtb as string));
    const t = parseFdt(bytes);
    expect(t.memReserve[0]).toEqual({ address: 0, size: 0x1000 });
    const cpus = findCompatible(t, 'arm,cortex-a72');
    expect(cpus).toHaveLength(4);
    cpus.forEach(({ node }, n) => {
      expect(decodeString(node.props.get('enable-method') ?? new Uint8Array())).toBe('spin-table');
      expect(decodeU64(node.props.get('cpu-release-addr') ?? new Uint8Array())).toBe(BigInt(0xd8 + 8 * n));
    });
    expect(findNode(t, '/soc/serial@7e201000')).toBeDefined();
    expect(findCompatible(t, 'arm,pl011').map((e) => e.path)).toContain('/soc/serial@7e201000');
    expect(formatDts(t)).toContain('/memreserve/ 0x0000000000000000 0x0000000000001000;');
    expect(writeFdt(t)).toEqual(bytes);
  });
});

describe('cross-check with dtc', () => {
  it.skipIf(!haveDtc)('dtc compiles formatDts output to the bytes writeFdt gives (conditional: runs only when dtc is installed)', () => {
    const t = cm4Tree();
    const out = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', '-', '-'], { input: formatDts(t) });
    expect(out.status).toBe(0);
    expect(new Uint8Array(out.stdout)).toEqual(writeFdt(t));
  });

  it.skipIf(!haveDtc)('dtc decompiles a blob from writeFdt (conditional: runs only when dtc is installed)', () => {
    const out = spawnSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', '-o', '-', '-'], { input: writeFdt(cm4Tree()) });
    expect(out.status).toBe(0);
    expect(out.stdout.toString()).toContain('cpu-release-addr = <0x00 0xf0>;');
  });
});
