// SPDX-License-Identifier: GPL-2.0-only
/* Chunks for the percpu tests: host metadata, a log of what printk said. */

import { AreaChunk } from '../../../../kernel-model/mm/percpu/area-chunk';
import { BitmapChunk } from '../../../../kernel-model/mm/percpu/bitmap-chunk';
import { HostMetaAllocator, PcpuEmptyPages, type PcpuAllocMap, type PcpuChunk, type PcpuChunkOptions } from '../../../../kernel-model/mm/percpu/percpu-internal';

export interface TestChunk {
  chunk: PcpuChunk;
  log: string[];
  meta: HostMetaAllocator;
  empty: PcpuEmptyPages;
}

export type Geometry = Omit<PcpuChunkOptions, 'meta' | 'printk' | 'emptyPages'>;

export function makeChunk(kind: PcpuAllocMap, g: Geometry): TestChunk {
  const log: string[] = [];
  const meta = new HostMetaAllocator();
  const empty = new PcpuEmptyPages();
  const o: PcpuChunkOptions = { ...g, meta, printk: (l) => log.push(l), emptyPages: empty };
  const chunk = kind === 'bitmap' ? BitmapChunk.create(o) : AreaChunk.create(o);
  if (!chunk) throw new Error('chunk creation failed with host memory');
  return { chunk, log, meta, empty };
}

export const bitmapChunk = (g: Geometry): BitmapChunk => makeChunk('bitmap', g).chunk as BitmapChunk;
export const areaChunk = (g: Geometry): AreaChunk => makeChunk('area', g).chunk as AreaChunk;
