// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { check_vmap } from '../../../../kernel-model/mm/vmalloc';
import { augmentOf, listOf, make, P, VE, VS } from './helpers';

const setup = () => {
  const f = make('augment', { space: { start: VS, end: VE } });
  for (let i = 0; i < 6; i++) f.vmap.alloc(P, P, VS, VE);
  f.vmap.free(VS + P);
  f.vmap.free(VS + 3n * P);
  return f;
};

describe('check_vmap catches corruption', () => {
  it('a stale subtree_max_size', () => {
    const { vmap } = setup();
    augmentOf(vmap).free.root.rb_node!.subtree_max_size += P;
    expect(check_vmap(vmap).join('\n')).toMatch(/free: rbtree: augmented value of \[.*\) is \d+, should be \d+/);
  });

  it('two touching free areas left unmerged, and a gap nobody owns', () => {
    const { vmap } = setup();
    const hole = augmentOf(vmap).free.list.first!;
    hole.va_end += P; // now touches nothing but overlaps the busy area after it
    expect(check_vmap(vmap).join('\n')).toMatch(/tiling: .* overlaps/);
    hole.va_end -= 2n * P; // a gap between it and the next busy area
    expect(check_vmap(vmap).join('\n')).toMatch(/tiling: \[.*\) is neither free nor busy/);
  });

  it('a list out of step with its tree, and a leaked node', () => {
    const { vmap } = setup();
    const busy = vmap.backend.busy.list;
    const second = busy.first!.list_next!;
    busy.del(second);
    expect(check_vmap(vmap).join('\n')).toMatch(/busy: tree holds 4 areas, list 3/);
    busy.add_after(second, busy.first);
    expect(check_vmap(vmap)).toEqual([]);
    vmap.backend.cache.alloc(); // 4 busy + 3 free + 1 preloaded are accounted for, this one is not
    expect(check_vmap(vmap)).toEqual(['nodes: the cache has 9 live nodes, the allocator holds 8']);
  });

  it('list allocator: a cached node that is no longer busy', () => {
    const { vmap } = make('list');
    vmap.alloc(P, P, VS, VE);
    const l = listOf(vmap);
    l.busy.list.del(l.free_vmap_cache!);
    l.free_vmap_cache!.rb_linked = false;
    expect(check_vmap(vmap).join('\n')).toMatch(/free_vmap_cache points to an area that is not busy/);
  });
});
