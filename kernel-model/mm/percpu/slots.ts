// SPDX-License-Identifier: GPL-2.0-only
/*
 * The chunk slots of mm/percpu.c (pcpu_slot[]) and the chunk search of
 * pcpu_alloc() over them, for either chunk allocator.
 *
 * Chunks sit on one list per slot, the slot of their free size
 * (pcpu_chunk_slot): slot 0 for chunks where nothing fits, the last slot
 * for entirely free chunks. pcpu_chunk_relocate() moves a chunk to the
 * head of its new list when it got emptier and to the tail when it got
 * fuller, so each list is roughly ordered by recency. An allocation
 * searches from the slot of its size upwards, fullest chunks first, and
 * creates a chunk only when every chunk failed and no empty one exists.
 *
 * The balance work (pcpu_balance_workfn) is here as two calls the
 * kernel's work item makes: pcpu_balance_free destroys every entirely
 * free chunk but one, pcpu_balance_populated keeps
 * PCPU_EMPTY_POP_PAGES_LOW..HIGH empty populated pages for atomic
 * requests, which may only use populated pages.
 *
 * What the kernel supplies, as callbacks: creating a chunk
 * (pcpu_create_chunk: vmalloc areas for chunks after the first),
 * populating and depopulating pages (pcpu_populate_chunk,
 * pcpu_depopulate_chunk) and releasing a chunk's areas; none is here
 * yet. Without them chunks come from the chunk constructor with host
 * metadata and population is bookkeeping only, which is what the
 * benchmark measures.
 */

import type { Printk } from '../../printk';
import { pcpu_nr_slots, pcpu_size_to_slot, PAGE_SIZE, PCPU_EMPTY_POP_PAGES_HIGH, PCPU_EMPTY_POP_PAGES_LOW, PCPU_ENOMEM, pcpu_request_size, type PcpuChunk, type PcpuEmptyPages } from './percpu-internal';
import { pcpu_stats_area_alloc, pcpu_stats_area_dealloc, pcpu_stats_chunk_alloc, pcpu_stats_chunk_dealloc, type PcpuGlobalStats } from './stats';

interface SlotNode {
  chunk: PcpuChunk;
  slot: number;
  prev: SlotNode | null;
  next: SlotNode | null;
}

export interface PcpuAllocResult {
  chunk: PcpuChunk;
  off: number;
}

export interface PcpuChunkSetOptions {
  unit_size: number;
  printk: Printk;
  emptyPages: PcpuEmptyPages;
  stats: PcpuGlobalStats;
  /** pcpu_create_chunk: a new, unpopulated chunk, or null. */
  create: () => PcpuChunk | null;
  /** pcpu_populate_chunk for pages [rs, re): false on failure. */
  populate?: (chunk: PcpuChunk, rs: number, re: number) => boolean;
  /** pcpu_depopulate_chunk for pages [rs, re) (all empty). */
  depopulate?: (chunk: PcpuChunk, rs: number, re: number) => void;
  /** pcpu_destroy_chunk's part beyond the metadata (the chunk's vmalloc areas). */
  release?: (chunk: PcpuChunk) => void;
  /** The reserved chunk (modules' static per-CPU data), on no slot list. */
  reserved?: PcpuChunk | null;
}

/** Is page p of the chunk populated (its populated bitmap)? */
function page_populated(chunk: PcpuChunk, p: number): boolean {
  return (chunk.populated[p >>> 5]! & (1 << (p & 31))) !== 0;
}

export class PcpuChunkSet {
  readonly nr_slots: number;
  private readonly heads: (SlotNode | null)[];
  private readonly tails: (SlotNode | null)[];
  private readonly nodes = new Map<PcpuChunk, SlotNode>();
  /** pcpu_alloc's warn_limit */
  private warn_limit = 10;
  /** The chunk of the last successful search (alloc_off's answer is an offset in it). */
  found: PcpuChunk | null = null;
  /** pcpu_atomic_alloc_failed: the next balance populates the maximum. */
  atomic_alloc_failed = false;

  constructor(private readonly o: PcpuChunkSetOptions) {
    this.nr_slots = pcpu_nr_slots(o.unit_size);
    this.heads = new Array<SlotNode | null>(this.nr_slots).fill(null);
    this.tails = new Array<SlotNode | null>(this.nr_slots).fill(null);
  }

  get chunks(): PcpuChunk[] {
    return [...this.nodes.keys()];
  }

  /** Chunks of one slot, head first. */
  slotList(slot: number): PcpuChunk[] {
    const out: PcpuChunk[] = [];
    for (let n = this.heads[slot] ?? null; n; n = n.next) out.push(n.chunk);
    return out;
  }

  /** Every chunk on the lists in slot order (percpu_stats' walk). */
  bySlot(): PcpuChunk[] {
    const out: PcpuChunk[] = [];
    for (let slot = 0; slot < this.nr_slots; slot++) out.push(...this.slotList(slot));
    return out;
  }

  /** Put a chunk on the slot lists (pcpu_chunk_relocate(chunk, -1)). */
  add(chunk: PcpuChunk): void {
    const node: SlotNode = { chunk, slot: -1, prev: null, next: null };
    this.nodes.set(chunk, node);
    // Every allocation and free relocates: the node is bound here rather than looked up.
    chunk.relocate = (c, oslot) => this.relocate_node(node, c, oslot);
    this.relocate_node(node, chunk, -1);
  }

  /** Take a chunk off the lists and give its metadata back (pcpu_destroy_chunk). */
  destroy(chunk: PcpuChunk): void {
    const node = this.nodes.get(chunk);
    if (!node) return;
    this.unlink(node);
    this.nodes.delete(chunk);
    if (this.found === chunk) this.found = null;
    chunk.relocate = null;
    this.o.release?.(chunk);
    chunk.destroy();
    pcpu_stats_chunk_dealloc(this.o.stats);
  }

  /** pcpu_chunk_relocate: to the head of a higher slot, the tail of a lower one. */
  pcpu_chunk_relocate(chunk: PcpuChunk, oslot: number): void {
    const node = this.nodes.get(chunk);
    if (node) this.relocate_node(node, chunk, oslot);
  }

  private relocate_node(node: SlotNode, chunk: PcpuChunk, oslot: number): void {
    const nslot = chunk.slot();
    if (oslot === nslot && node.slot === nslot) return;
    if (node.slot >= 0) this.unlink(node);
    node.slot = nslot;
    if (oslot < nslot) {
      node.next = this.heads[nslot]!;
      if (node.next) node.next.prev = node;
      else this.tails[nslot] = node;
      this.heads[nslot] = node;
    } else {
      node.prev = this.tails[nslot]!;
      if (node.prev) node.prev.next = node;
      else this.heads[nslot] = node;
      this.tails[nslot] = node;
    }
  }

  private unlink(node: SlotNode): void {
    if (node.prev) node.prev.next = node.next;
    else this.heads[node.slot] = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tails[node.slot] = node.prev;
    node.prev = node.next = null;
    node.slot = -1;
  }

  /**
   * The first chunk, in slot order from `size`'s slot, that serves the
   * request: the offset in it (the chunk in `found`), -1 when none does,
   * or PCPU_ENOMEM.
   */
  private search(size: number, align: number, atomic: boolean): number {
    for (let slot = pcpu_size_to_slot(size, this.o.unit_size); slot < this.nr_slots; slot++) {
      for (let n = this.heads[slot] ?? null; n; ) {
        const next = n.next;
        const off = n.chunk.alloc(size, align, atomic);
        if (off >= 0) {
          this.found = n.chunk;
          return off;
        }
        if (off === PCPU_ENOMEM) return off;
        n = next;
      }
    }
    return -1;
  }

  /**
   * pcpu_alloc without the memset and the balance work: search the
   * slots, create a chunk when none serves, populate the pages under the
   * area. null with Linux's warning (ten of them, then "limit reached")
   * on failure.
   */
  alloc(size: number, align: number, atomic = false): PcpuAllocResult | null {
    const off = this.alloc_off(size, align, atomic);
    return off < 0 ? null : { chunk: this.found!, off };
  }

  /**
   * alloc() without a result object, for callers on a hot path (the
   * benchmark): the offset in chunk `found`, or -1 (warned as alloc()
   * warns). Linux's pcpu_alloc returns one pointer; this is the same
   * pair without the garbage of an object per call.
   */
  alloc_off(size: number, align: number, atomic = false): number {
    for (;;) {
      const off = this.search(size, align, atomic);
      if (off === PCPU_ENOMEM) return this.fail(size, align, atomic, 'failed to extend area map');
      if (off >= 0) return this.populateFor(this.found!, off, size, align, atomic);
      if (atomic) return this.fail(size, align, atomic, 'atomic alloc failed, no space left');
      // Linux restarts when an empty chunk exists; every request it
      // accepts fits in one. Ours may have a smaller unit: say so.
      if (this.heads[this.nr_slots - 1]) return this.fail(size, align, atomic, 'larger than an empty chunk');
      const chunk = this.o.create();
      if (!chunk) return this.fail(size, align, atomic, 'failed to allocate new chunk');
      pcpu_stats_chunk_alloc(this.o.stats);
      this.add(chunk);
    }
  }

  /**
   * pcpu_alloc after area_found: populate each unpopulated run of pages
   * under [off, off + size) (size as pcpu_alloc rounded it), for the
   * allocation; on failure free the area again. @returns off, or -1.
   */
  private populateFor(chunk: PcpuChunk, off: number, size: number, align: number, atomic: boolean): number {
    const bytes = pcpu_request_size(size, chunk.min_alloc_size);
    if (!atomic) {
      const page_end = Math.ceil((off + bytes) / PAGE_SIZE);
      for (let rs = Math.floor(off / PAGE_SIZE); rs < page_end; rs++) {
        if (page_populated(chunk, rs)) continue;
        let re = rs + 1;
        while (re < page_end && !page_populated(chunk, re)) re++;
        if (this.o.populate && !this.o.populate(chunk, rs, re)) {
          chunk.free(off);
          return this.fail(size, align, atomic, 'failed to populate');
        }
        chunk.pcpu_chunk_populated(rs, re, true);
        rs = re;
      }
    }
    pcpu_stats_area_alloc(this.o.stats, bytes);
    return off;
  }

  private fail(size: number, align: number, atomic: boolean, err: string): -1 {
    if (atomic) this.atomic_alloc_failed = true;
    if (!atomic && this.warn_limit) {
      this.o.printk(`percpu: allocation failed, size=${size} align=${align} atomic=${atomic ? 1 : 0}, ${err}`);
      if (!--this.warn_limit) this.o.printk('percpu: limit reached, disable warning');
    }
    return -1;
  }

  /**
   * pcpu_alloc(reserved = true): only the reserved chunk, which never
   * grows; "alloc from reserved chunk failed" otherwise. Without a
   * reserved chunk, Linux serves the request from the normal chunks.
   */
  allocReserved(size: number, align: number, atomic = false): PcpuAllocResult | null {
    const chunk = this.o.reserved;
    if (!chunk) return this.alloc(size, align, atomic);
    const off = chunk.alloc(size, align, atomic);
    if (off < 0) {
      this.fail(size, align, atomic, 'alloc from reserved chunk failed');
      return null;
    }
    pcpu_stats_area_alloc(this.o.stats, pcpu_request_size(size, chunk.min_alloc_size));
    return { chunk, off };
  }

  /** free_percpu's part after the address lookup. */
  free(chunk: PcpuChunk, off: number): boolean {
    if (!chunk.free(off)) return false;
    pcpu_stats_area_dealloc(this.o.stats);
    return true;
  }

  /**
   * free_percpu's test for scheduling the balance work: the chunk just
   * became entirely free and another entirely free chunk exists.
   */
  needBalance(chunk: PcpuChunk): boolean {
    if (!this.nodes.has(chunk) || !chunk.isEmpty()) return false;
    for (let n = this.heads[this.nr_slots - 1] ?? null; n; n = n.next) if (n.chunk !== chunk) return true;
    return false;
  }

  /** pcpu_alloc's test for scheduling the balance work after an allocation. */
  needPopulation(): boolean {
    return this.o.emptyPages.value < PCPU_EMPTY_POP_PAGES_LOW;
  }

  /**
   * The populating half of pcpu_balance_workfn: bring the empty populated
   * pages up to PCPU_EMPTY_POP_PAGES_HIGH (all of it after an atomic
   * allocation failed), filling the fullest chunks that can still hold a
   * page first, creating a chunk when none has unpopulated pages left.
   * @returns the pages populated.
   */
  pcpu_balance_populated(): number {
    let done = 0;
    for (;;) {
      let nr_to_pop: number;
      if (this.atomic_alloc_failed) {
        nr_to_pop = PCPU_EMPTY_POP_PAGES_HIGH;
        this.atomic_alloc_failed = false;
      } else {
        nr_to_pop = Math.min(Math.max(PCPU_EMPTY_POP_PAGES_HIGH - this.o.emptyPages.value, 0), PCPU_EMPTY_POP_PAGES_HIGH);
      }
      for (let slot = pcpu_size_to_slot(PAGE_SIZE, this.o.unit_size); slot < this.nr_slots && nr_to_pop; slot++) {
        let chunk: PcpuChunk | null = null;
        for (let n = this.heads[slot] ?? null; n && !chunk; n = n.next) if (n.chunk.nr_pages > n.chunk.nr_populated) chunk = n.chunk;
        if (!chunk) continue;
        for (let rs = 0; rs < chunk.nr_pages && nr_to_pop; rs++) {
          if (chunk.populated[rs >>> 5]! & (1 << (rs & 31))) continue;
          let re = rs + 1;
          while (re < chunk.nr_pages && re - rs < nr_to_pop && !(chunk.populated[re >>> 5]! & (1 << (re & 31)))) re++;
          if (this.o.populate && !this.o.populate(chunk, rs, re)) {
            nr_to_pop = 0;
            break;
          }
          chunk.pcpu_chunk_populated(rs, re, false);
          nr_to_pop -= re - rs;
          done += re - rs;
          rs = re;
        }
      }
      if (!nr_to_pop) return done;
      // Ran out of chunks to populate: create one and retry.
      const chunk = this.o.create();
      if (!chunk) return done;
      pcpu_stats_chunk_alloc(this.o.stats);
      this.add(chunk);
    }
  }

  /**
   * The freeing half of pcpu_balance_workfn: "Destroy all free chunks
   * except for one", the first on the last slot's list, depopulating
   * their populated pages first. @returns how many were destroyed.
   */
  pcpu_balance_free(): number {
    const doomed: PcpuChunk[] = [];
    for (let n = this.heads[this.nr_slots - 1]?.next ?? null; n; n = n.next) doomed.push(n.chunk);
    for (const chunk of doomed) {
      for (let rs = 0; rs < chunk.nr_pages; ) {
        if (!(chunk.populated[rs >>> 5]! & (1 << (rs & 31)))) {
          rs++;
          continue;
        }
        let re = rs + 1;
        while (re < chunk.nr_pages && chunk.populated[re >>> 5]! & (1 << (re & 31))) re++;
        this.o.depopulate?.(chunk, rs, re);
        chunk.pcpu_chunk_depopulated(rs, re);
        rs = re;
      }
      this.destroy(chunk);
    }
    return doomed.length;
  }
}
