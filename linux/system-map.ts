// SPDX-License-Identifier: GPL-2.0-only
/*
 * A kernel's System.map, for naming the PCs the machine reports when a
 * run of Linux ends (each core's PC at a hang or at the time limit), the
 * way the kernel's own %pS names them: "cpu_do_idle+0x10/0x14", the
 * symbol, the offset into it and its size.
 *
 * The format is scripts/mksysmap's: one "%016lx %c %s" line per symbol
 * (address, nm's type letter, name), sorted by address. Only code
 * symbols name a PC: types t/T (text) and w/W (weak). A symbol's size is
 * the distance to the next code symbol, as kallsyms counts it. Debian
 * ships the map of each kernel package in /boot/System.map-<release>
 * (linux/package.ts caches it); `--system-map FILE` names another.
 *
 * The map holds link addresses: with KASLR the caller takes the kernel
 * offset off a PC first (kaslr.ts).
 */

import { readFileSync } from 'node:fs';

export class SystemMapError extends Error {
  override name = 'SystemMapError';
}

const LINE = /^([0-9a-fA-F]{8,16}) ([a-zA-Z]) (\S+)/;
const CODE_TYPES = new Set(['t', 'T', 'w', 'W']);

export class SystemMap {
  private constructor(
    /** Code symbols' addresses, ascending; names[i] is at addrs[i]. */
    private readonly addrs: bigint[],
    private readonly names: string[],
  ) {}

  /** Parse a System.map's text; `name` is for the one-line error. */
  static parse(text: string, name: string): SystemMap {
    const syms: [bigint, string][] = [];
    let lineNo = 0;
    for (const line of text.split('\n')) {
      lineNo++;
      if (line.trim() === '') continue;
      const m = LINE.exec(line);
      if (!m) throw new SystemMapError(`${name}:${lineNo}: not a System.map line ("address type name"): ${JSON.stringify(line.slice(0, 60))}`);
      if (CODE_TYPES.has(m[2]!)) syms.push([BigInt(`0x${m[1]}`), m[3]!]);
    }
    if (syms.length === 0) throw new SystemMapError(`${name}: no code symbols (types t, T, w, W): not a kernel's System.map`);
    syms.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return new SystemMap(syms.map((s) => s[0]), syms.map((s) => s[1]));
  }

  static read(path: string): SystemMap {
    let text: string;
    try {
      text = readFileSync(path, 'latin1');
    } catch (e) {
      throw new SystemMapError(`System.map ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message}`);
    }
    return SystemMap.parse(text, path);
  }

  /** The index of the last symbol at or below `va`, or -1. */
  private floor(va: bigint): number {
    let lo = 0;
    let hi = this.addrs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.addrs[mid]! <= va) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /**
   * "name+0xoff/0xsize" for a link address inside a code symbol; undefined
   * below the first or at or past the last (whose size the map cannot say).
   */
  symbolize(va: bigint): string | undefined {
    // Of symbols at one address (aliases) this is the last in the map, so the next one is past it.
    const i = this.floor(va);
    if (i < 0 || i + 1 >= this.addrs.length) return undefined;
    const start = this.addrs[i]!;
    return `${this.names[i]}+0x${(va - start).toString(16)}/0x${(this.addrs[i + 1]! - start).toString(16)}`;
  }
}
