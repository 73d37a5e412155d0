// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  RbNode,
  RbRoot,
  rb_erase,
  rb_erase_augmented,
  rb_first,
  rb_insert_augmented,
  rb_insert_color,
  rb_last,
  rb_link_node,
  rb_next,
  rb_prev,
  RB_RED,
} from '../../../kernel-model/lib/rbtree';
import { rb_declare_callbacks_max } from '../../../kernel-model/lib/rbtree_augmented';
import { rb_check, rb_height, SortedOracle } from '../../../kernel-model/lib/rbtree_check';
import { checkModel } from '../../helpers/model-check';

class KeyNode extends RbNode<KeyNode> {
  max = 0n;
  constructor(readonly key: number, readonly weight: bigint) {
    super();
  }
}

const { callbacks, compute } = rb_declare_callbacks_max<KeyNode>(
  (n) => n.max,
  (n, v) => {
    n.max = v;
  },
  (n) => n.weight,
);

class KeyTree {
  readonly root = new RbRoot<KeyNode>();
  readonly nodes = new Map<number, KeyNode>();
  constructor(readonly augmented: boolean) {}

  insert(key: number, weight: bigint): boolean {
    if (this.nodes.has(key)) return false;
    let parent: KeyNode | null = null;
    let left = false;
    let n = this.root.rb_node;
    while (n) {
      parent = n;
      left = key < n.key;
      n = left ? n.rb_left : n.rb_right;
    }
    const node = new KeyNode(key, weight);
    rb_link_node(this.root, node, parent, left);
    if (this.augmented) {
      rb_insert_augmented(node, this.root, callbacks);
      callbacks.propagate(node, null);
    } else {
      rb_insert_color(node, this.root);
    }
    this.nodes.set(key, node);
    return true;
  }

  erase(key: number): boolean {
    const node = this.nodes.get(key);
    if (!node) return false;
    if (this.augmented) rb_erase_augmented(node, this.root, callbacks);
    else rb_erase(node, this.root);
    this.nodes.delete(key);
    return true;
  }

  keys(): number[] {
    const out: number[] = [];
    for (let n = rb_first(this.root); n; n = rb_next(n)) out.push(n.key);
    return out;
  }

  keysBackwards(): number[] {
    const out: number[] = [];
    for (let n = rb_last(this.root); n; n = rb_prev(n)) out.push(n.key);
    return out;
  }

  check(): string[] {
    const r = rb_check(this.root, {
      compare: (a, b) => a.key - b.key,
      augment: this.augmented ? { get: (n) => n.max, compute, show: (n) => `key ${n.key}` } : undefined,
    });
    const errors = [...r.errors];
    if (r.count !== this.nodes.size) errors.push(`tree holds ${r.count} nodes, ${this.nodes.size} inserted`);
    if (rb_height(this.root) > 2 * Math.log2(r.count + 1) + 1e-9) errors.push('taller than 2 log2(n + 1)');
    return errors;
  }
}

type Cmd = { op: 'insert'; key: number; weight: number } | { op: 'erase'; key: number };
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), key: fc.integer({ min: 0, max: 60 }), weight: fc.integer({ min: 0, max: 1000 }) }),
  fc.record({ op: fc.constant('erase' as const), key: fc.integer({ min: 0, max: 60 }) }),
);

for (const augmented of [false, true]) {
  describe(`rbtree${augmented ? ' (augmented: subtree max)' : ''}`, () => {
    it('matches a sorted array and keeps every red-black invariant after each insert and erase', () => {
      checkModel(
        {
          setup: () => ({ tree: new KeyTree(augmented), oracle: new SortedOracle<number>((a, b) => a - b) }),
          command: cmd,
          step: (s, c) => {
            if (c.op === 'insert') expect(s.tree.insert(c.key, BigInt(c.weight))).toBe(s.oracle.insert(c.key));
            else expect(s.tree.erase(c.key)).toBe(s.oracle.erase(c.key));
            expect(s.tree.keys()).toEqual(s.oracle.keys);
            expect(s.tree.keysBackwards()).toEqual([...s.oracle.keys].reverse());
          },
          check: (s) => s.tree.check(),
          teardown: (s) => {
            for (const k of [...s.oracle.keys]) s.tree.erase(k);
            expect(s.tree.root.rb_node).toBeNull();
          },
        },
        { numRuns: 300, maxLength: 120, seed: 9 },
      );
    });
  });
}

describe('rbtree shapes', () => {
  it('stays balanced under sequential inserts and erases (the worst case of a plain BST)', () => {
    const t = new KeyTree(true);
    for (let k = 0; k < 4096; k++) t.insert(k, BigInt(k % 97));
    expect(t.check()).toEqual([]);
    expect(rb_height(t.root)).toBeLessThanOrEqual(24);
    for (let k = 0; k < 4096; k += 2) t.erase(k);
    expect(t.check()).toEqual([]);
    expect(t.root.rb_node!.max).toBe(96n); // 193 is odd and 193 % 97 = 96
  });

  it('the checker catches a broken colour, a stale augmented value and a bad parent link', () => {
    const t = new KeyTree(true);
    for (let k = 0; k < 16; k++) t.insert(k, BigInt(k));
    expect(t.check()).toEqual([]);
    t.root.rb_node!.rb_color = RB_RED;
    expect(t.check().join('\n')).toMatch(/root is red/);
    t.root.rb_node!.rb_color = 1;
    t.nodes.get(15)!.max = 3n;
    expect(t.check().join('\n')).toMatch(/augmented value of key 15 is 3, should be 15/);
    t.nodes.get(15)!.max = 15n;
    const leaf = t.nodes.get(0)!;
    leaf.rb_parent = t.nodes.get(7)!;
    expect(t.check().join('\n')).toMatch(/parent link/);
  });
});
