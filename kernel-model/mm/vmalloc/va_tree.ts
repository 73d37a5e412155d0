// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tree-and-list pairs vmalloc keeps its areas in: vmap_area_root with
 * vmap_area_list (busy areas, both allocators), and free_vmap_area_root
 * with free_vmap_area_list (free areas, the augment allocator only).
 * Both are sorted by address; the list is the tree's in-order sequence,
 * kept beside it so that neighbours are O(1).
 *
 * Intervals never overlap, so "left of" and "right of" are total. A
 * request to link an area that overlaps one already there is a corrupted
 * state (Linux: BUG() in find_va_links) and throws.
 */

import { IntrusiveList } from '../../lib/list';
import {
  RbRoot,
  rb_erase,
  rb_erase_augmented,
  rb_insert_augmented,
  rb_insert_color,
  rb_link_node,
  type RbAugmentCallbacks,
} from '../../lib/rbtree';
import { px, type VmapArea } from './vmap_area';

/** A tree of areas and its address-sorted list. */
export class VaTree {
  readonly root = new RbRoot<VmapArea>();
  readonly list = new IntrusiveList<VmapArea>();
  /** The augment callbacks of a free tree; undefined for a plain (busy) tree. */
  constructor(readonly augment?: RbAugmentCallbacks<VmapArea>) {}

  get count(): number {
    return this.list.length;
  }
}

/** Where `va` would hang: its parent and side (Linux find_va_links), searching from `from` or the root. */
export interface VaLink {
  parent: VmapArea | null;
  left: boolean;
}

export function find_va_links(va: VmapArea, tree: VaTree, from: VmapArea | null = null): VaLink {
  const top = from ?? tree.root.rb_node;
  if (!top) return { parent: null, left: false };
  let node: VmapArea = top;
  for (;;) {
    let left: boolean;
    if (va.va_end <= node.va_start) left = true;
    else if (va.va_start >= node.va_end) left = false;
    else throw new Error(`vmap_area: [${px(va.va_start)}, ${px(va.va_end)}) overlaps [${px(node.va_start)}, ${px(node.va_end)}) (BUG in find_va_links)`);
    const next: VmapArea | null = left ? node.rb_left : node.rb_right;
    if (!next) return { parent: node, left };
    node = next;
  }
}

/** The list neighbours `va` would have at `link` (Linux find_va_free_siblings). */
export function find_va_siblings(tree: VaTree, link: VaLink): { prev: VmapArea | null; next: VmapArea | null } {
  const { parent, left } = link;
  if (!parent) return { prev: null, next: null };
  return left ? { prev: parent.list_prev, next: parent } : { prev: parent, next: parent.list_next };
}

export function link_va(va: VmapArea, tree: VaTree, link: VaLink): void {
  const { prev } = find_va_siblings(tree, link);
  rb_link_node(tree.root, va, link.parent, link.left);
  if (tree.augment) {
    rb_insert_augmented(va, tree.root, tree.augment);
    // Linux zeroes the value after insertion so that the propagation the
    // caller does next starts by changing this node and climbs from there.
    va.subtree_max_size = 0n;
  } else {
    rb_insert_color(va, tree.root);
  }
  tree.list.add_after(va, prev);
}

export function unlink_va(va: VmapArea, tree: VaTree): void {
  if (!va.rb_linked) return;
  if (tree.augment) rb_erase_augmented(va, tree.root, tree.augment);
  else rb_erase(va, tree.root);
  tree.list.del(va);
}

/** insert_vmap_area: link into a plain tree (busy areas). */
export function insert_vmap_area(va: VmapArea, tree: VaTree): void {
  link_va(va, tree, find_va_links(va, tree));
}

/** The area containing addr (Linux __find_vmap_area). */
export function find_va(tree: VaTree, addr: bigint): VmapArea | null {
  let n = tree.root.rb_node;
  while (n) {
    if (addr < n.va_start) n = n.rb_left;
    else if (addr >= n.va_end) n = n.rb_right;
    else return n;
  }
  return null;
}
