// SPDX-License-Identifier: GPL-2.0-only
/*
 * The red-black tree's invariant checker and its naive oracle.
 *
 * rb_check walks the whole tree and reports, one line each: a red root,
 * a red node with a red child, unequal black heights, a child whose parent
 * link does not point back, a node reached twice (a cycle), nodes out of
 * order (when given a comparison), a node whose rb_linked flag is off, and
 * augmented values that differ from what compute gives (when given the
 * field). O(n); a debugging tool for tests and for the allocators'
 * checkers.
 *
 * SortedOracle is the naive model of an ordered set of keys that the
 * tree's tests compare against: a sorted array with linear insertion.
 */

import { RB_BLACK, RB_RED, type RbNode, type RbRoot } from './rbtree';

export interface RbCheckOptions<N, V> {
  /** Negative when a sorts before b; the in-order walk must be strictly increasing. */
  compare?: (a: N, b: N) => number;
  augment?: { get(node: N): V; compute(node: N): V; show?(node: N): string };
}

export interface RbCheckResult {
  errors: string[];
  /** Nodes reached. */
  count: number;
  /** Black nodes on every root-to-leaf path (when the tree is valid). */
  blackHeight: number;
}

export function rb_check<N extends RbNode<N>, V = unknown>(root: RbRoot<N>, opts: RbCheckOptions<N, V> = {}): RbCheckResult {
  const errors: string[] = [];
  const seen = new Set<N>();
  let prev: N | null = null;
  const say = (s: string): void => {
    if (errors.length < 20) errors.push(s);
  };
  const top = root.rb_node;
  if (top && top.rb_color !== RB_BLACK) say('rbtree: the root is red');
  if (top && top.rb_parent !== null) say('rbtree: the root has a parent');

  // In-order walk (recursion depth is the tree height) computing black heights bottom-up.
  const walk = (node: N | null, depth: number): number => {
    if (node === null) return 1;
    if (depth > 200) {
      say('rbtree: deeper than 200 levels (a cycle?)');
      return 0;
    }
    if (seen.has(node)) {
      say('rbtree: a node is reached twice');
      return 0;
    }
    seen.add(node);
    if (!node.rb_linked) say('rbtree: a node in the tree is marked unlinked');
    for (const child of [node.rb_left, node.rb_right]) {
      if (child && child.rb_parent !== node) say('rbtree: a child whose parent link does not point back');
      if (child && node.rb_color === RB_RED && child.rb_color === RB_RED) say('rbtree: a red node has a red child');
    }
    const lh = walk(node.rb_left, depth + 1);
    if (opts.compare && prev && opts.compare(prev, node) >= 0) say('rbtree: in-order walk is not increasing');
    prev = node;
    const rh = walk(node.rb_right, depth + 1);
    if (lh !== rh) say(`rbtree: black heights differ (${lh} left, ${rh} right)`);
    if (opts.augment) {
      const want = opts.augment.compute(node);
      const have = opts.augment.get(node);
      if (want !== have) {
        const who = opts.augment.show ? opts.augment.show(node) : 'a node';
        say(`rbtree: augmented value of ${who} is ${String(have)}, should be ${String(want)}`);
      }
    }
    return lh + (node.rb_color === RB_BLACK ? 1 : 0);
  };
  const blackHeight = walk(top, 0);
  return { errors, count: seen.size, blackHeight };
}

/** The longest root-to-leaf path (red-black: at most 2 log2(n + 1)). */
export function rb_height<N extends RbNode<N>>(root: RbRoot<N>): number {
  const h = (n: N | null): number => (n === null ? 0 : 1 + Math.max(h(n.rb_left), h(n.rb_right)));
  return h(root.rb_node);
}

/** The naive ordered set the tree's tests compare against. */
export class SortedOracle<K> {
  readonly keys: K[] = [];
  constructor(private readonly compare: (a: K, b: K) => number) {}

  private index(k: K): number {
    let i = 0;
    while (i < this.keys.length && this.compare(this.keys[i]!, k) < 0) i++;
    return i;
  }

  has(k: K): boolean {
    const i = this.index(k);
    return i < this.keys.length && this.compare(this.keys[i]!, k) === 0;
  }

  insert(k: K): boolean {
    const i = this.index(k);
    if (i < this.keys.length && this.compare(this.keys[i]!, k) === 0) return false;
    this.keys.splice(i, 0, k);
    return true;
  }

  erase(k: K): boolean {
    const i = this.index(k);
    if (i >= this.keys.length || this.compare(this.keys[i]!, k) !== 0) return false;
    this.keys.splice(i, 1);
    return true;
  }
}


