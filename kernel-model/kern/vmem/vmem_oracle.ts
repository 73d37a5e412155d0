// SPDX-License-Identifier: GPL-2.0-only
/*
 * The naive oracle for vmem: spans and allocations as plain sorted
 * intervals, and a brute-force search that tries every aligned start in
 * every gap. It knows nothing of boundary tags, free lists or fit
 * policies, so it can judge an arena's answers independently:
 *
 *   - a returned segment lies in one span, overlaps nothing allocated,
 *     and meets align/phase/nocross/minaddr/maxaddr;
 *   - a request fails only if no gap in any span can hold it (exact for
 *     an arena without imports or quantum caches, where vmem_xalloc's
 *     best-fit fallback examines every free segment).
 */

import { VMEM_CROSS_P } from './vmem_impl';

export interface XallocArgs {
  size: number;
  align: number;
  phase: number;
  nocross: number;
  minaddr: number;
  maxaddr: number;
}

interface Interval {
  start: number;
  size: number;
}

export class VmemOracle {
  readonly spans: Interval[] = [];
  /** Allocations by start. */
  readonly allocated = new Map<number, number>();

  constructor(readonly quantum: number) {}

  addSpan(start: number, size: number): void {
    this.spans.push({ start, size });
    this.spans.sort((a, b) => a.start - b.start);
  }

  removeSpan(start: number, size: number): void {
    const i = this.spans.findIndex((s) => s.start === start && s.size === size);
    if (i < 0) throw new Error(`oracle: span ${start}+${size} released but never added`);
    this.spans.splice(i, 1);
  }

  /** Request size in quanta-rounded bytes. */
  roundup(size: number): number {
    return Math.ceil(size / this.quantum) * this.quantum;
  }

  /** The free gaps of a span, in address order. */
  gaps(span: Interval): Interval[] {
    const inside = [...this.allocated]
      .filter(([a]) => a >= span.start && a < span.start + span.size)
      .sort((x, y) => x[0] - y[0]);
    const out: Interval[] = [];
    let cursor = span.start;
    for (const [a, sz] of inside) {
      if (a > cursor) out.push({ start: cursor, size: a - cursor });
      cursor = a + sz;
    }
    if (cursor < span.start + span.size) out.push({ start: cursor, size: span.start + span.size - cursor });
    return out;
  }

  /** Whether [s, s+size) meets the constraints. */
  meets(s: number, a: XallocArgs): boolean {
    const size = this.roundup(a.size);
    const align = a.align || this.quantum;
    if ((s - a.phase) % align !== 0 || s % this.quantum !== 0) return false;
    if (s < a.minaddr || (a.maxaddr !== 0 && s + size > a.maxaddr)) return false;
    return !VMEM_CROSS_P(s, s + size - 1, a.nocross);
  }

  /** Brute force: can any gap hold the request? */
  feasible(a: XallocArgs): boolean {
    const size = this.roundup(a.size);
    const step = a.align || this.quantum;
    for (const span of this.spans) {
      for (const g of this.gaps(span)) {
        const first = Math.ceil((g.start - a.phase) / step) * step + a.phase;
        for (let s = first; s + size <= g.start + g.size; s += step) if (s >= g.start && this.meets(s, a)) return true;
      }
    }
    return false;
  }

  /** Why [addr, addr+size) is not a valid answer to the request, or null. */
  invalid(addr: number, a: XallocArgs): string | null {
    const size = this.roundup(a.size);
    if (!this.meets(addr, a)) return `${addr}+${size} breaks the constraints ${JSON.stringify(a)}`;
    const span = this.spans.find((s) => s.start <= addr && addr + size <= s.start + s.size);
    if (!span) return `${addr}+${size} is not inside one span`;
    for (const [b, bs] of this.allocated) if (b < addr + size && addr < b + bs) return `${addr}+${size} overlaps allocation ${b}+${bs}`;
    return null;
  }

  alloc(addr: number, size: number): void {
    this.allocated.set(addr, this.roundup(size));
  }

  /** Whether a free of addr with size matches an allocation (and forgets it if so). */
  free(addr: number, size: number): boolean {
    if (this.allocated.get(addr) !== this.roundup(size)) return false;
    this.allocated.delete(addr);
    return true;
  }

  allocatedBytes(): number {
    let n = 0;
    for (const sz of this.allocated.values()) n += sz;
    return n;
  }
}
