// SPDX-License-Identifier: GPL-2.0-only
/*
 * The naive oracle for the vmap allocators: busy intervals in a sorted
 * array, allocation by a linear scan of the gaps for the lowest address
 * that holds the request. Obviously right, O(n) per call; the property
 * tests run it beside both allocators.
 *
 * lowest_fit(size, align, vstart, vend, minGap) answers "the lowest
 * address in [vstart, vend) at which size bytes aligned to align fit in a
 * gap", optionally among gaps of at least minGap bytes only: with minGap =
 * size + align - 1 it is the set of blocks the augment allocator's search
 * descends to (augment.ts explains why).
 */

import { ALIGN, wraps } from './vmap_area';

export interface Interval {
  start: bigint;
  end: bigint;
}

export class NaiveVmap {
  /** Busy intervals sorted by start. */
  readonly busy: Interval[] = [];

  constructor(
    readonly spaceStart: bigint,
    readonly spaceEnd: bigint,
  ) {}

  /** The gaps between busy intervals, lowest first. */
  *gaps(): IterableIterator<Interval> {
    let at = this.spaceStart;
    for (const b of this.busy) {
      if (b.start > at) yield { start: at, end: b.start };
      if (b.end > at) at = b.end;
    }
    if (this.spaceEnd > at) yield { start: at, end: this.spaceEnd };
  }

  lowest_fit(size: bigint, align: bigint, vstart: bigint, vend: bigint, minGap = 0n): bigint | null {
    for (const g of this.gaps()) {
      if (g.end - g.start < minGap) continue;
      const addr = ALIGN(g.start > vstart ? g.start : vstart, align);
      if (addr < vstart || wraps(addr, size)) continue;
      if (addr + size > vend) return null; // every later gap starts higher still
      if (addr + size <= g.end) return addr;
    }
    return null;
  }

  /** Record [addr, addr + size) as busy (the caller found it free). */
  take(addr: bigint, size: bigint): void {
    let i = 0;
    while (i < this.busy.length && this.busy[i]!.start < addr) i++;
    this.busy.splice(i, 0, { start: addr, end: addr + size });
  }

  alloc(size: bigint, align: bigint, vstart: bigint, vend: bigint): bigint | null {
    const addr = this.lowest_fit(size, align, vstart, vend);
    if (addr !== null) this.take(addr, size);
    return addr;
  }

  /** The busy interval containing addr, or null. */
  find(addr: bigint): Interval | null {
    return this.busy.find((b) => b.start <= addr && addr < b.end) ?? null;
  }

  free(addr: bigint): boolean {
    const i = this.busy.findIndex((b) => b.start <= addr && addr < b.end);
    if (i < 0) return false;
    this.busy.splice(i, 1);
    return true;
  }
}
