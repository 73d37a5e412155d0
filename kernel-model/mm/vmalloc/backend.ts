// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the vmap front end (alloc_vmap_area in vmap.ts) needs from an
 * allocator: the seed's augment allocator (augment.ts) and the busy-list
 * allocator it replaced (list.ts) both provide it, so one front end, one
 * lazy purge and one set of tests drive either.
 */

import type { VaTree } from './va_tree';
import type { VmapArea, VmapAreaCache } from './vmap_area';

export type VmapAllocatorKind = 'augment' | 'list';

export interface VmapSpace {
  /** Lowest address any area may have (Linux: 1). */
  start: bigint;
  /** One past the highest (Linux: ULONG_MAX). */
  end: bigint;
}

export interface VmapBackend {
  readonly kind: VmapAllocatorKind;
  readonly cache: VmapAreaCache;
  readonly space: VmapSpace;
  /** Busy areas: vmap_area_root and vmap_area_list. */
  readonly busy: VaTree;
  /** vmalloc_init: register the areas that exist before the allocator (the kernel image). */
  init(early: readonly VmapArea[]): void;
  /** Take spare nodes before the search, where sleeping would still be allowed. */
  preload(cpu: number): void;
  /** Find room for `va` (size bytes at align within [vstart, vend)) and make it busy; false when there is none. */
  alloc_busy(va: VmapArea, size: bigint, align: bigint, vstart: bigint, vend: bigint, cpu: number): boolean;
  /** __free_vmap_area: the busy area's range becomes free again; va itself may be freed to the cache. */
  free_busy(va: VmapArea): void;
  /** Nodes the backend holds (busy, free, spare): the cache's live count must equal this. */
  nodes(): number;
  /**
   * Nodes the fit search has visited so far (augment: tree nodes on the
   * way down and back up; list: busy areas walked): the allocators' work,
   * which the kernel charges to virtual time.
   */
  readonly visited: number;
}
