// SPDX-License-Identifier: GPL-2.0-only
/*
 * The naive oracle for the chunk allocators: one byte per byte of the
 * served region, and first fit by trying every aligned offset in turn.
 * Requests are normalized by the same pcpu_request_* functions as the real
 * allocators, with the granule of the allocator it stands in for (4 for
 * bitmap, 2 for area), so that it answers the question "where would a
 * plain first-fit allocator put this?" and nothing else.
 */

import { pcpu_request_align, pcpu_request_size, pcpu_request_warning } from './percpu-internal';

const FREE = 0;
const HEAD = 1;
const BODY = 2;

export class NaiveChunk {
  /** FREE, or HEAD at an allocation's first byte and BODY after it. */
  private readonly bytes: Uint8Array;

  constructor(
    readonly start: number,
    readonly end: number,
    readonly granule: number,
  ) {
    this.bytes = new Uint8Array(end);
    this.bytes.fill(BODY, 0, start);
  }

  /** First fit; -1 when nothing fits or the request is refused. */
  alloc(size: number, align: number): number {
    size = pcpu_request_size(size, this.granule);
    align = pcpu_request_align(align, this.granule);
    if (pcpu_request_warning(size, align)) return -1;
    for (let off = Math.ceil(this.start / align) * align; off + size <= this.end; off += align) {
      if (this.isFree(off, size)) {
        this.take(off, size);
        return off;
      }
    }
    return -1;
  }

  isFree(off: number, size: number): boolean {
    if (off < this.start || off + size > this.end) return false;
    for (let i = off; i < off + size; i++) if (this.bytes[i] !== FREE) return false;
    return true;
  }

  /** Mark [off, off + size) allocated (to follow an allocator that chose differently). */
  take(off: number, size: number): void {
    this.bytes.fill(BODY, off, off + size);
    this.bytes[off] = HEAD;
  }

  /** Free the allocation at off; false if none starts there. */
  free(off: number): boolean {
    if (off < this.start || off >= this.end || this.bytes[off] !== HEAD) return false;
    let end = off + 1;
    while (end < this.end && this.bytes[end] === BODY) end++;
    this.bytes.fill(FREE, off, end);
    return true;
  }

  freeBytes(): number {
    let n = 0;
    for (let i = this.start; i < this.end; i++) if (this.bytes[i] === FREE) n++;
    return n;
  }

  largestFree(): number {
    let best = 0;
    let run = 0;
    for (let i = this.start; i < this.end; i++) {
      run = this.bytes[i] === FREE ? run + 1 : 0;
      best = Math.max(best, run);
    }
    return best;
  }
}
