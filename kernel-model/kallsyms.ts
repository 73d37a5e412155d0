// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's own symbols, read from the System.map that the image build
 * writes beside kernel8.img ("%016lx %c %s" per line, link addresses at
 * KIMAGE_VADDR). The image is position independent, so a symbol's runtime
 * address is where the firmware put _text plus its offset from _text.
 */

import { existsSync, readFileSync } from 'node:fs';

export class KallsymsError extends Error {
  override name = 'KallsymsError';
}

export class Kallsyms {
  private readonly offsets = new Map<string, bigint>();

  constructor(systemMap: string) {
    let text: bigint | undefined;
    const entries: [string, bigint][] = [];
    for (const [i, line] of systemMap.split('\n').entries()) {
      if (!line.trim()) continue;
      const m = /^([0-9a-f]{16}) ([A-Za-z]) (\S+)$/.exec(line);
      if (!m) throw new KallsymsError(`System.map line ${i + 1} is malformed: "${line}"`);
      const addr = BigInt(`0x${m[1]}`);
      entries.push([m[3]!, addr]);
      if (m[3] === '_text') text = addr;
    }
    if (text === undefined) throw new KallsymsError('System.map has no _text');
    for (const [name, addr] of entries) this.offsets.set(name, addr - text);
  }

  static fromFile(path: string): Kallsyms {
    if (!existsSync(path)) throw new KallsymsError(`${path} not found: the kernel image has no symbol map`);
    return new Kallsyms(readFileSync(path, 'utf8'));
  }

  /** Offset of `name` from _text. */
  offset(name: string): bigint {
    const v = this.offsets.get(name);
    if (v === undefined) throw new KallsymsError(`kernel symbol ${name} not found`);
    return v;
  }

  has(name: string): boolean {
    return this.offsets.has(name);
  }
}
