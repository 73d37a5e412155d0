// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { heapMapping, mallocInHugePages } from '../../../emulator/unicorn/host-malloc';

/** The mappings of this process that the kernel may back with huge pages (VmFlags "hg"), as [start, end). */
function hugePageMappings(): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  let range: [bigint, bigint] | undefined;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (m) range = [BigInt(`0x${m[1]}`), BigInt(`0x${m[2]}`)];
    else if (line.startsWith('VmFlags:') && / hg( |$)/.test(line) && range) out.push(range);
  }
  return out;
}

describe('glibc malloc in 2 MB pages (the CLI process)', () => {
  it('is left alone with UCONSOLE_MALLOC_HUGEPAGES=off', () => {
    const was = process.env.UCONSOLE_MALLOC_HUGEPAGES;
    process.env.UCONSOLE_MALLOC_HUGEPAGES = 'off';
    try {
      expect(mallocInHugePages()).toBe(false);
    } finally {
      if (was === undefined) delete process.env.UCONSOLE_MALLOC_HUGEPAGES;
      else process.env.UCONSOLE_MALLOC_HUGEPAGES = was;
    }
  });

  it('grows the brk heap by its pad and advises it MADV_HUGEPAGE, once', () => {
    expect(heapMapping(), 'no [heap] in /proc/self/maps').toBeDefined();
    expect(mallocInHugePages()).toBe(true);
    expect(mallocInHugePages()).toBe(true);
    // From its first 2 MB boundary, the heap is advised, over at least the pad (64 MB).
    const heap = heapMapping()!;
    const start = (heap.start + (2n << 20n) - 1n) & ~((2n << 20n) - 1n);
    const advised = hugePageMappings().filter(([s, e]) => s < heap.end && e > start);
    expect(advised[0]?.[0]).toBe(start);
    expect(advised.reduce((n, [s, e]) => n + (e - s), 0n)).toBeGreaterThanOrEqual(64n << 20n);
  });
});
