// SPDX-License-Identifier: GPL-2.0-only
/*
 * Augment callbacks from a compute function, as Linux's
 * RB_DECLARE_CALLBACKS and RB_DECLARE_CALLBACKS_MAX macros
 * (include/linux/rbtree_augmented.h) generate them.
 *
 * The augmented value of a node must be a function of the node's own
 * fields and its children's augmented values only; then a change at one
 * node can only alter the values on its path to the root, and propagate
 * may stop at the first node whose value comes out unchanged (every node
 * above it sees exactly what it saw before).
 */

import type { RbAugmentCallbacks, RbNode } from './rbtree';

export interface RbAugmentField<N, V> {
  get(node: N): V;
  set(node: N, value: V): void;
  /** The value the node should hold, from its fields and its children's values. */
  compute(node: N): V;
}

/** RB_DECLARE_CALLBACKS: propagate stops early when a value does not change. */
export function rb_declare_callbacks<N extends RbNode<N>, V>(field: RbAugmentField<N, V>): RbAugmentCallbacks<N> {
  const { get, set, compute } = field;
  return {
    propagate(node, stop) {
      while (node !== stop && node !== null) {
        const value = compute(node);
        if (get(node) === value) break;
        set(node, value);
        node = node.rb_parent;
      }
    },
    copy(oldNode, newNode) {
      set(newNode, get(oldNode));
    },
    rotate(oldNode, newNode) {
      // newNode now roots the subtree oldNode rooted: same set of nodes, same value.
      set(newNode, get(oldNode));
      set(oldNode, compute(oldNode));
    },
  };
}

/**
 * RB_DECLARE_CALLBACKS_MAX: the augmented value is the maximum of a
 * per-node scalar over the subtree (vmalloc's subtree_max_size).
 */
export function rb_declare_callbacks_max<N extends RbNode<N>>(
  get: (node: N) => bigint,
  set: (node: N, value: bigint) => void,
  scalar: (node: N) => bigint,
): { callbacks: RbAugmentCallbacks<N>; compute: (node: N) => bigint } {
  const compute = (node: N): bigint => {
    let max = scalar(node);
    const l = node.rb_left;
    const r = node.rb_right;
    if (l && get(l) > max) max = get(l);
    if (r && get(r) > max) max = get(r);
    return max;
  };
  return { callbacks: rb_declare_callbacks({ get, set, compute }), compute };
}
