// SPDX-License-Identifier: GPL-2.0-only
/* vmalloc's vmap area allocators: the public surface (see vmap.ts). */

export { createVmap, Vmap, type EarlyArea, type VmapAllocator, type VmapAllocOptions, type VmapOptions } from './vmap';
export type { VmapAllocatorKind, VmapBackend, VmapSpace } from './backend';
export { AugmentVmapAllocator, FitType } from './augment';
export { ListVmapAllocator } from './list';
export { lazy_max_pages, VmapLazyPurge } from './lazy';
export { check_vmap } from './check';
export { NaiveVmap } from './oracle';
export {
  CountingVmapAreaCache,
  PAGE_SIZE,
  SIZEOF_VMAP_AREA_V4_19,
  SIZEOF_VMAP_AREA_V5_10,
  ULONG_MAX,
  VM_LAZY_FREE,
  VM_VM_AREA,
  VmapArea,
  type VmapAreaCache,
} from './vmap_area';
export { vmallocinfo, vmallocinfo_line, type VmallocInfoEntry } from './vmallocinfo';
