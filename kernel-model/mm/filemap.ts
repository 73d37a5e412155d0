// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page cache of the files processes run (mm/filemap.c, for the part
 * the model needs): a file's page, once read into a page of guest RAM, is
 * that page for every process that maps it read-only, as Linux maps a
 * text segment (filemap_fault maps the cache's page itself; only a write
 * makes a private copy). So a program's code is at the same physical
 * pages in every process that runs it, and the engine's translated code
 * of it, which it finds by physical address, survives exec and exit:
 * a fork + exec of busybox no longer translates busybox again.
 *
 * Invariants:
 * - the cache holds one reference on each of its pages (get_page when it
 *   is added), so a page it holds is never freed; a mapping holds one
 *   more, dropped when it is unmapped. Nothing is ever evicted: the model
 *   has no reclaim, and the files are the initramfs's (or a program
 *   `uconsole run` was given), which live as long as the machine;
 * - a cached page holds the file's bytes at its offset, zeroes past the
 *   file's end, and never changes after it is filled: only read-only
 *   mappings get it, and a write after mprotect copies (wp_page sees the
 *   cache's reference).
 */

import { PAGE_SIZE } from '../arch/arm64/page-def';

export class PageCache {
  /** file -> page index -> physical address; keyed by the file's bytes, which the file owns. */
  private readonly files = new WeakMap<Uint8Array, Map<number, number>>();
  /** Pages the cache holds (for the accounting and the leak checks). */
  nr_pages = 0;

  /** find_get_page: the cached page of `file` at page `index`, if any. */
  find_page(file: Uint8Array, index: number): number | undefined {
    return this.files.get(file)?.get(index);
  }

  /** add_to_page_cache: `pa`, already filled, is `file`'s page `index` from now on (the caller's reference becomes the cache's). */
  add_page(file: Uint8Array, index: number, pa: number): void {
    let pages = this.files.get(file);
    if (!pages) this.files.set(file, (pages = new Map()));
    pages.set(index, pa);
    this.nr_pages++;
  }
}

/** The bytes of `file`'s page `index` into `dst` (a page), zeroes past the end: what a read into the page gives. */
export function fill_page(dst: Uint8Array, file: Uint8Array, index: number): void {
  const from = index * PAGE_SIZE;
  const n = Math.max(0, Math.min(PAGE_SIZE, file.length - from));
  dst.set(file.subarray(from, from + n));
  dst.fill(0, n);
}
