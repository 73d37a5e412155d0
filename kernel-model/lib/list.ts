// SPDX-License-Identifier: GPL-2.0-only
/*
 * An intrusive doubly-linked list (Linux's struct list_head, without the
 * circular sentinel): members carry their own links, so a member found in
 * a tree reaches its neighbours in O(1), which is what the address-sorted
 * lists beside vmalloc's trees are for.
 */

export interface ListLinks<N> {
  list_prev: N | null;
  list_next: N | null;
}

export class IntrusiveList<N extends ListLinks<N>> {
  first: N | null = null;
  last: N | null = null;
  length = 0;

  /** Insert `node` right after `prev`; prev null puts it at the head. */
  add_after(node: N, prev: N | null): void {
    const next = prev ? prev.list_next : this.first;
    node.list_prev = prev;
    node.list_next = next;
    if (prev) prev.list_next = node;
    else this.first = node;
    if (next) next.list_prev = node;
    else this.last = node;
    this.length++;
  }

  /** Insert `node` right before `next`; next null puts it at the tail. */
  add_before(node: N, next: N | null): void {
    this.add_after(node, next ? next.list_prev : this.last);
  }

  del(node: N): void {
    const { list_prev: prev, list_next: next } = node;
    if (prev) prev.list_next = next;
    else this.first = next;
    if (next) next.list_prev = prev;
    else this.last = prev;
    node.list_prev = node.list_next = null;
    this.length--;
  }

  *[Symbol.iterator](): IterableIterator<N> {
    for (let n = this.first; n; n = n.list_next) yield n;
  }
}
