// SPDX-License-Identifier: GPL-2.0-only
/* Shared fixtures for the vmap allocator tests. */

import { expect } from 'vitest';
import { VMALLOC_END, VMALLOC_START } from '../../../../kernel-model/arch/arm64/memory';
import {
  AugmentVmapAllocator,
  check_vmap,
  createVmap,
  ListVmapAllocator,
  PAGE_SIZE,
  type Vmap,
  type VmapAllocatorKind,
  type VmapOptions,
} from '../../../../kernel-model/mm/vmalloc';

export const P = PAGE_SIZE;
export const VS = VMALLOC_START;
export const VE = VMALLOC_END;
export const KINDS: VmapAllocatorKind[] = ['augment', 'list'];

export interface Fixture {
  vmap: Vmap;
  log: string[];
}

export function make(kind: VmapAllocatorKind, opts: Partial<VmapOptions> = {}): Fixture {
  const log: string[] = [];
  const vmap = createVmap({ kind, printk: (l) => log.push(l), ...opts });
  return { vmap, log };
}

export function augmentOf(vmap: Vmap): AugmentVmapAllocator {
  if (!(vmap.backend instanceof AugmentVmapAllocator)) throw new Error('not the augment allocator');
  return vmap.backend;
}

export function listOf(vmap: Vmap): ListVmapAllocator {
  if (!(vmap.backend instanceof ListVmapAllocator)) throw new Error('not the list allocator');
  return vmap.backend;
}

export function expectClean(vmap: Vmap): void {
  expect(check_vmap(vmap)).toEqual([]);
}

/** The free areas of an augment allocator as [start, end) offsets in pages from VS. */
export function freePages(vmap: Vmap): [number, number][] {
  return [...augmentOf(vmap).free.list].map((va) => [Number((va.va_start - VS) / P), Number((va.va_end - VS) / P)]);
}

/** Busy areas as [start, end) page offsets from VS. */
export function busyPages(vmap: Vmap): [number, number][] {
  return [...vmap.busy_areas()].map((va) => [Number((va.va_start - VS) / P), Number((va.va_end - VS) / P)]);
}
