// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vmap allocators' invariant checker: one line per violated invariant,
 * [] when all hold. O(n log n) over all areas (the tiling check sorts); for tests (after every step of a
 * property test) and for debugging, like Linux's
 * DEBUG_AUGMENT_PROPAGATE_CHECK but over the whole state.
 *
 *   trees     both trees are valid red-black trees in address order; the
 *             free tree's subtree_max_size is right at every node
 *   lists     each list is its tree's in-order sequence
 *   areas     every area is non-empty and inside the space; busy areas do
 *             not overlap
 *   tiling    (augment) free and busy areas together cover the space
 *             exactly, without overlap
 *   merged    (augment) no two free areas touch
 *   cache     (list) the cached hole node is a busy area
 *   nodes     the node cache's live objects = the nodes the allocator holds
 *   lazy      vmap_lazy_nr = the pages of the areas on the purge list, each
 *             of them busy and marked VM_LAZY_FREE
 */

import { rb_first, rb_next } from '../../lib/rbtree';
import { rb_check } from '../../lib/rbtree_check';
import { AugmentVmapAllocator, compute_subtree_max_size } from './augment';
import { ListVmapAllocator } from './list';
import type { VaTree } from './va_tree';
import type { Vmap } from './vmap';
import { PAGE_SHIFT, px, VM_LAZY_FREE, type VmapArea } from './vmap_area';

const show = (va: VmapArea): string => `[${px(va.va_start)}, ${px(va.va_end)})`;

function check_tree(name: string, tree: VaTree, augmented: boolean): string[] {
  const r = rb_check(tree.root, {
    compare: (a, b) => (a.va_start < b.va_start ? -1 : a.va_start > b.va_start ? 1 : 0),
    augment: augmented ? { get: (va) => va.subtree_max_size, compute: compute_subtree_max_size, show } : undefined,
  });
  const errors = r.errors.map((e) => `${name}: ${e}`);
  if (r.count !== tree.list.length) errors.push(`${name}: tree holds ${r.count} areas, list ${tree.list.length}`);
  // The list must be the in-order walk: compare node by node.
  let expect = rb_first(tree.root);
  let prev: VmapArea | null = null;
  for (const va of tree.list) {
    if (va.list_prev !== prev) {
      errors.push(`${name}: list back link of ${show(va)} is wrong`);
      break;
    }
    if (va !== expect) {
      errors.push(`${name}: list order differs from tree order at ${show(va)}`);
      break;
    }
    expect = expect ? rb_next(expect) : null;
    prev = va;
  }
  if (tree.list.last !== prev) errors.push(`${name}: list tail is wrong`);
  return errors;
}

function check_areas(name: string, tree: VaTree, start: bigint, end: bigint): string[] {
  const errors: string[] = [];
  let prev: VmapArea | null = null;
  for (const va of tree.list) {
    if (va.va_end <= va.va_start) errors.push(`${name}: empty area ${show(va)}`);
    if (va.va_start < start || va.va_end > end) errors.push(`${name}: ${show(va)} outside the space`);
    if (prev && prev.va_end > va.va_start) errors.push(`${name}: ${show(prev)} overlaps ${show(va)}`);
    prev = va;
    if (errors.length > 20) break;
  }
  return errors;
}

function check_tiling(a: AugmentVmapAllocator): string[] {
  const errors: string[] = [];
  const free = [...a.free.list];
  for (let i = 1; i < free.length; i++)
    if (free[i - 1]!.va_end === free[i]!.va_start) errors.push(`free: ${show(free[i - 1]!)} and ${show(free[i]!)} touch but are not merged`);
  // Merge both sorted lists and walk the space.
  const all = [...free, ...a.busy.list].sort((x, y) => (x.va_start < y.va_start ? -1 : x.va_start > y.va_start ? 1 : 0));
  let at = a.space.start;
  for (const va of all) {
    if (va.va_start > at) errors.push(`tiling: [${px(at)}, ${px(va.va_start)}) is neither free nor busy`);
    else if (va.va_start < at) errors.push(`tiling: ${show(va)} overlaps the area before it`);
    if (va.va_end > at) at = va.va_end;
    if (errors.length > 20) return errors;
  }
  if (at !== a.space.end) errors.push(`tiling: [${px(at)}, ${px(a.space.end)}) is neither free nor busy`);
  return errors;
}

function check_lazy(vmap: Vmap): string[] {
  const errors: string[] = [];
  let pages = 0;
  for (const va of vmap.lazy.vmap_purge_list) {
    pages += Number((va.va_end - va.va_start) >> PAGE_SHIFT);
    if (!(va.flags & VM_LAZY_FREE)) errors.push(`lazy: ${show(va)} on the purge list is not marked VM_LAZY_FREE`);
    if (!va.rb_linked) errors.push(`lazy: ${show(va)} on the purge list is not in the busy tree`);
  }
  if (pages !== vmap.lazy.vmap_lazy_nr) errors.push(`lazy: vmap_lazy_nr is ${vmap.lazy.vmap_lazy_nr}, the purge list holds ${pages} pages`);
  return errors;
}

export function check_vmap(vmap: Vmap): string[] {
  const b = vmap.backend;
  const errors = [...check_tree('busy', b.busy, false), ...check_areas('busy', b.busy, b.space.start, b.space.end)];
  if (b instanceof AugmentVmapAllocator) {
    errors.push(...check_tree('free', b.free, true), ...check_areas('free', b.free, b.space.start, b.space.end), ...check_tiling(b));
  }
  if (b instanceof ListVmapAllocator && b.free_vmap_cache && !b.free_vmap_cache.rb_linked)
    errors.push('list: free_vmap_cache points to an area that is not busy');
  if (b.cache.active !== b.nodes()) errors.push(`nodes: the cache has ${b.cache.active} live nodes, the allocator holds ${b.nodes()}`);
  errors.push(...check_lazy(vmap));
  return errors;
}
