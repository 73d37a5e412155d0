// SPDX-License-Identifier: GPL-2.0-only
/*
 * Red-black trees with optional augmentation, after Linux's lib/rbtree.c
 * and include/linux/rbtree_augmented.h.
 *
 * As in Linux the tree is intrusive: a structure that lives in a tree
 * extends RbNode (Linux embeds a struct rb_node), and the tree code knows
 * nothing about keys. The user finds the insertion point itself (walking
 * from the root and comparing its own fields), links the node there with
 * rb_link_node, then calls rb_insert_color (or rb_insert_augmented) to
 * restore the colour rules. This keeps every search loop in the caller's
 * hands, which is what vmalloc needs: its lookups compare intervals, not
 * keys, and its lowest-fit search steers by the augmented values.
 *
 * Invariants (checked by rb_check in rbtree_check.ts):
 *   1. the root is black;
 *   2. a red node has no red child;
 *   3. every path from a node down to a missing child passes the same
 *      number of black nodes;
 *   4. child and parent links agree both ways.
 * Together they bound the height by 2 log2(n + 1).
 *
 * Augmentation. A node may carry a value computed from its own fields and
 * its children's values (vmalloc keeps the largest free size in the
 * subtree). Rotations and erasure move nodes around, so the algorithms
 * report each structural change through three callbacks, as Linux's
 * struct rb_augment_callbacks does:
 *   propagate(node, stop)  recompute from node upwards until stop (or until
 *                          a value does not change)
 *   copy(old, new)         new takes old's place: it inherits old's value
 *   rotate(old, new)       new became old's parent by a rotation: new takes
 *                          old's value (same subtree), old is recomputed
 * rbtree_augmented.ts builds these from a compute function.
 *
 * Linux packs the parent pointer and the colour into one word; here they
 * are two fields. The insertion and erase cases follow lib/rbtree.c's
 * structure (case numbers as there) so that a reader can compare them.
 */

export const RB_RED = 0;
export const RB_BLACK = 1;
export type RbColor = typeof RB_RED | typeof RB_BLACK;

/** The links every tree member carries (Linux's struct rb_node). */
export class RbNode<N extends RbNode<N>> {
  rb_parent: N | null = null;
  rb_left: N | null = null;
  rb_right: N | null = null;
  rb_color: RbColor = RB_RED;
  /** RB_CLEAR_NODE: the node is in no tree (Linux points the parent at the node itself). */
  rb_linked = false;
}

export class RbRoot<N extends RbNode<N>> {
  rb_node: N | null = null;
}

export interface RbAugmentCallbacks<N extends RbNode<N>> {
  propagate(node: N | null, stop: N | null): void;
  copy(oldNode: N, newNode: N): void;
  rotate(oldNode: N, newNode: N): void;
}

/** The callbacks of a tree without augmentation (Linux's dummy_callbacks). */
export function rb_no_augment<N extends RbNode<N>>(): RbAugmentCallbacks<N> {
  return { propagate: () => {}, copy: () => {}, rotate: () => {} };
}

const isRed = <N extends RbNode<N>>(n: N | null): boolean => n !== null && n.rb_color === RB_RED;
const isBlack = <N extends RbNode<N>>(n: N | null): boolean => n === null || n.rb_color === RB_BLACK;

/**
 * rb_link_node: hang `node` under `parent` on the given side (the place a
 * search ended); parent null means the tree was empty.
 */
export function rb_link_node<N extends RbNode<N>>(root: RbRoot<N>, node: N, parent: N | null, left: boolean): void {
  node.rb_parent = parent;
  node.rb_left = node.rb_right = null;
  node.rb_color = RB_RED;
  node.rb_linked = true;
  if (parent === null) root.rb_node = node;
  else if (left) parent.rb_left = node;
  else parent.rb_right = node;
}

function change_child<N extends RbNode<N>>(oldNode: N, newNode: N | null, parent: N | null, root: RbRoot<N>): void {
  if (parent === null) root.rb_node = newNode;
  else if (parent.rb_left === oldNode) parent.rb_left = newNode;
  else parent.rb_right = newNode;
}

/** After a rotation: `newNode` takes `oldNode`'s parent and colour, `oldNode` hangs under it with `color`. */
function rotate_set_parents<N extends RbNode<N>>(oldNode: N, newNode: N, root: RbRoot<N>, color: RbColor): void {
  const parent = oldNode.rb_parent;
  newNode.rb_parent = parent;
  newNode.rb_color = oldNode.rb_color;
  oldNode.rb_parent = newNode;
  oldNode.rb_color = color;
  change_child(oldNode, newNode, parent, root);
}

/** Restore the colour rules after rb_link_node placed a red leaf (lib/rbtree.c __rb_insert). */
function rb_insert<N extends RbNode<N>>(node: N, root: RbRoot<N>, rotate: (o: N, n: N) => void): void {
  let parent = node.rb_parent;
  for (;;) {
    if (parent === null) {
      // The root: black, and the black height of every path grew by one.
      node.rb_color = RB_BLACK;
      return;
    }
    if (parent.rb_color === RB_BLACK) return;
    // A red parent is never the root, so the grandparent exists.
    const gparent = parent.rb_parent as N;
    if (parent !== gparent.rb_right) {
      const uncle = gparent.rb_right;
      if (isRed(uncle)) {
        // Case 1: recolour and carry the red up to the grandparent.
        uncle!.rb_color = RB_BLACK;
        parent.rb_color = RB_BLACK;
        gparent.rb_color = RB_RED;
        node = gparent;
        parent = node.rb_parent;
        continue;
      }
      let tmp = parent.rb_right;
      if (node === tmp) {
        // Case 2: node is an inner child: rotate it outwards (left at parent).
        tmp = node.rb_left;
        parent.rb_right = tmp;
        node.rb_left = parent;
        if (tmp) tmp.rb_parent = parent;
        parent.rb_parent = node;
        rotate(parent, node);
        parent = node;
        tmp = node.rb_right;
      }
      // Case 3: right rotation at the grandparent.
      gparent.rb_left = tmp;
      parent.rb_right = gparent;
      if (tmp) tmp.rb_parent = gparent;
      rotate_set_parents(gparent, parent, root, RB_RED);
      rotate(gparent, parent);
      return;
    } else {
      const uncle = gparent.rb_left;
      if (isRed(uncle)) {
        uncle!.rb_color = RB_BLACK;
        parent.rb_color = RB_BLACK;
        gparent.rb_color = RB_RED;
        node = gparent;
        parent = node.rb_parent;
        continue;
      }
      let tmp = parent.rb_left;
      if (node === tmp) {
        tmp = node.rb_right;
        parent.rb_left = tmp;
        node.rb_right = parent;
        if (tmp) tmp.rb_parent = parent;
        parent.rb_parent = node;
        rotate(parent, node);
        parent = node;
        tmp = node.rb_left;
      }
      gparent.rb_right = tmp;
      parent.rb_left = gparent;
      if (tmp) tmp.rb_parent = gparent;
      rotate_set_parents(gparent, parent, root, RB_RED);
      rotate(gparent, parent);
      return;
    }
  }
}

/**
 * Unlink `node`, keeping order and augmented values right (lib/rbtree.c
 * __rb_erase_augmented). Returns the node below which a black was lost and
 * the colours must be repaired, or null.
 */
function erase_augmented<N extends RbNode<N>>(node: N, root: RbRoot<N>, augment: RbAugmentCallbacks<N>): N | null {
  const child = node.rb_right;
  let tmp = node.rb_left;
  let parent: N | null;
  let rebalance: N | null;
  if (tmp === null) {
    // Case 1: at most a right child, which (if present) is a red leaf.
    parent = node.rb_parent;
    change_child(node, child, parent, root);
    if (child) {
      child.rb_parent = parent;
      child.rb_color = node.rb_color;
      rebalance = null;
    } else {
      rebalance = node.rb_color === RB_BLACK ? parent : null;
    }
    tmp = parent;
  } else if (child === null) {
    // Still case 1, mirrored: a left red leaf takes node's place and colour.
    parent = node.rb_parent;
    tmp.rb_parent = parent;
    tmp.rb_color = node.rb_color;
    change_child(node, tmp, parent, root);
    rebalance = null;
    tmp = parent;
  } else {
    let successor: N = child;
    let child2: N | null;
    tmp = child.rb_left;
    if (tmp === null) {
      // Case 2: the successor is node's right child.
      parent = successor;
      child2 = successor.rb_right;
      augment.copy(node, successor);
    } else {
      // Case 3: the successor is the leftmost node of the right subtree.
      do {
        parent = successor;
        successor = tmp;
        tmp = tmp.rb_left;
      } while (tmp);
      child2 = successor.rb_right;
      parent.rb_left = child2;
      successor.rb_right = child;
      child.rb_parent = successor;
      augment.copy(node, successor);
      augment.propagate(parent, successor);
    }
    const left = node.rb_left as N;
    successor.rb_left = left;
    left.rb_parent = successor;
    change_child(node, successor, node.rb_parent, root);
    if (child2) {
      child2.rb_parent = parent;
      child2.rb_color = RB_BLACK;
      rebalance = null;
    } else {
      rebalance = successor.rb_color === RB_BLACK ? parent : null;
    }
    successor.rb_parent = node.rb_parent;
    successor.rb_color = node.rb_color;
    tmp = successor;
  }
  augment.propagate(tmp, null);
  return rebalance;
}

/** Repair a missing black below `parent` (lib/rbtree.c ____rb_erase_color). */
function erase_color<N extends RbNode<N>>(parentIn: N, root: RbRoot<N>, rotate: (o: N, n: N) => void): void {
  let parent: N = parentIn;
  let node: N | null = null;
  for (;;) {
    // Loop invariant: node is black (or null) and its subtree is one black short.
    let sibling = parent.rb_right;
    if (node !== sibling) {
      // node is the left child; the sibling exists, since its side is taller.
      let sib = sibling as N;
      if (sib.rb_color === RB_RED) {
        // Case 1: left rotation at parent, so that the sibling is black.
        const tmp1 = sib.rb_left as N;
        parent.rb_right = tmp1;
        sib.rb_left = parent;
        tmp1.rb_parent = parent;
        tmp1.rb_color = RB_BLACK;
        rotate_set_parents(parent, sib, root, RB_RED);
        rotate(parent, sib);
        sib = tmp1;
      }
      let tmp1 = sib.rb_right;
      if (isBlack(tmp1)) {
        const tmp2 = sib.rb_left;
        if (isBlack(tmp2)) {
          // Case 2: sibling colour flip; the shortage moves up unless parent was red.
          sib.rb_color = RB_RED;
          if (parent.rb_color === RB_RED) {
            parent.rb_color = RB_BLACK;
          } else {
            node = parent;
            const up = node.rb_parent;
            if (up) {
              parent = up;
              continue;
            }
          }
          return;
        }
        // Case 3: right rotation at the sibling, its red left child comes up.
        const t2 = tmp2 as N;
        tmp1 = t2.rb_right;
        sib.rb_left = tmp1;
        t2.rb_right = sib;
        parent.rb_right = t2;
        if (tmp1) {
          tmp1.rb_parent = sib;
          tmp1.rb_color = RB_BLACK;
        }
        rotate(sib, t2);
        tmp1 = sib;
        sib = t2;
      }
      // Case 4: left rotation at parent, colour flips.
      const t2 = sib.rb_left;
      parent.rb_right = t2;
      sib.rb_left = parent;
      const far = tmp1 as N;
      far.rb_parent = sib;
      far.rb_color = RB_BLACK;
      if (t2) t2.rb_parent = parent;
      rotate_set_parents(parent, sib, root, RB_BLACK);
      rotate(parent, sib);
      return;
    } else {
      let sib = parent.rb_left as N;
      if (sib.rb_color === RB_RED) {
        const tmp1 = sib.rb_right as N;
        parent.rb_left = tmp1;
        sib.rb_right = parent;
        tmp1.rb_parent = parent;
        tmp1.rb_color = RB_BLACK;
        rotate_set_parents(parent, sib, root, RB_RED);
        rotate(parent, sib);
        sib = tmp1;
      }
      let tmp1 = sib.rb_left;
      if (isBlack(tmp1)) {
        const tmp2 = sib.rb_right;
        if (isBlack(tmp2)) {
          sib.rb_color = RB_RED;
          if (parent.rb_color === RB_RED) {
            parent.rb_color = RB_BLACK;
          } else {
            node = parent;
            const up = node.rb_parent;
            if (up) {
              parent = up;
              continue;
            }
          }
          return;
        }
        const t2 = tmp2 as N;
        tmp1 = t2.rb_left;
        sib.rb_right = tmp1;
        t2.rb_left = sib;
        parent.rb_left = t2;
        if (tmp1) {
          tmp1.rb_parent = sib;
          tmp1.rb_color = RB_BLACK;
        }
        rotate(sib, t2);
        tmp1 = sib;
        sib = t2;
      }
      const t2 = sib.rb_right;
      parent.rb_left = t2;
      sib.rb_right = parent;
      const far = tmp1 as N;
      far.rb_parent = sib;
      far.rb_color = RB_BLACK;
      if (t2) t2.rb_parent = parent;
      rotate_set_parents(parent, sib, root, RB_BLACK);
      rotate(parent, sib);
      return;
    }
  }
}

const noRotate = (): void => {};

export function rb_insert_color<N extends RbNode<N>>(node: N, root: RbRoot<N>): void {
  rb_insert(node, root, noRotate);
}

/** rb_insert_augmented: the caller propagates the new node's own value afterwards. */
export function rb_insert_augmented<N extends RbNode<N>>(node: N, root: RbRoot<N>, augment: RbAugmentCallbacks<N>): void {
  rb_insert(node, root, augment.rotate);
}

function clear_node<N extends RbNode<N>>(node: N): void {
  node.rb_parent = node.rb_left = node.rb_right = null;
  node.rb_linked = false;
}

export function rb_erase<N extends RbNode<N>>(node: N, root: RbRoot<N>): void {
  rb_erase_augmented(node, root, rb_no_augment<N>());
}

export function rb_erase_augmented<N extends RbNode<N>>(node: N, root: RbRoot<N>, augment: RbAugmentCallbacks<N>): void {
  const rebalance = erase_augmented(node, root, augment);
  if (rebalance) erase_color(rebalance, root, augment.rotate);
  clear_node(node);
}

export function rb_first<N extends RbNode<N>>(root: RbRoot<N>): N | null {
  let n = root.rb_node;
  if (!n) return null;
  while (n.rb_left) n = n.rb_left;
  return n;
}

export function rb_last<N extends RbNode<N>>(root: RbRoot<N>): N | null {
  let n = root.rb_node;
  if (!n) return null;
  while (n.rb_right) n = n.rb_right;
  return n;
}

export function rb_next<N extends RbNode<N>>(node: N): N | null {
  if (node.rb_right) {
    let n = node.rb_right;
    while (n.rb_left) n = n.rb_left;
    return n;
  }
  // Up until we come from a left child: that parent is the next node.
  let n: N = node;
  let parent = n.rb_parent;
  while (parent && n === parent.rb_right) {
    n = parent;
    parent = n.rb_parent;
  }
  return parent;
}

export function rb_prev<N extends RbNode<N>>(node: N): N | null {
  if (node.rb_left) {
    let n = node.rb_left;
    while (n.rb_right) n = n.rb_right;
    return n;
  }
  let n: N = node;
  let parent = n.rb_parent;
  while (parent && n === parent.rb_left) {
    n = parent;
    parent = n.rb_parent;
  }
  return parent;
}
