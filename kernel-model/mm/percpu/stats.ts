// SPDX-License-Identifier: GPL-2.0-only
/*
 * CONFIG_PERCPU_STATS: the global counters (struct percpu_stats,
 * mm/percpu-internal.h) and /sys/kernel/debug/percpu_stats
 * (mm/percpu-stats.c), as a pure function of the allocator's state.
 *
 * Two formats, one per allocator, as the two kernels print them:
 *   v4.14 (bitmap): per chunk nr_alloc, max_alloc_size, empty_pop_pages,
 *     first_bit, free_bytes, contig_bytes, then the fragment figures; a
 *     global empty_pop_pages line;
 *   v4.13 (area): per chunk free_size and contig_hint, no empty pages and
 *     no first_bit (the series' "percpu: change the format for
 *     percpu_stats output" and "expose pcpu_nr_empty_pop_pages").
 * Every line is "  %-20s: %12lld". Fragmentation is measured from the
 * start of the chunk's region to its last allocation: the free fragments
 * give sum_frag and max_frag; the allocations, sorted, give the min,
 * median and max.
 */

import type { PcpuAllocMap, PcpuChunk, PcpuChunkStats } from './percpu-internal';

/** struct percpu_stats */
export class PcpuGlobalStats {
  nr_alloc = 0;
  nr_dealloc = 0;
  nr_cur_alloc = 0;
  nr_max_alloc = 0;
  nr_chunks = 0;
  nr_max_chunks = 0;
  min_alloc_size: number;
  max_alloc_size = 0;

  /** pcpu_stats_save_ai: "initialize min_alloc_size to unit_size" */
  constructor(unit_size: number) {
    this.min_alloc_size = unit_size;
  }
}

export function pcpu_stats_area_alloc(s: PcpuGlobalStats, size: number): void {
  s.nr_alloc++;
  s.nr_cur_alloc++;
  s.nr_max_alloc = Math.max(s.nr_max_alloc, s.nr_cur_alloc);
  s.min_alloc_size = Math.min(s.min_alloc_size, size);
  s.max_alloc_size = Math.max(s.max_alloc_size, size);
}

export function pcpu_stats_area_dealloc(s: PcpuGlobalStats): void {
  s.nr_dealloc++;
  s.nr_cur_alloc--;
}

export function pcpu_stats_chunk_alloc(s: PcpuGlobalStats): void {
  s.nr_chunks++;
  s.nr_max_chunks = Math.max(s.nr_max_chunks, s.nr_chunks);
}

export function pcpu_stats_chunk_dealloc(s: PcpuGlobalStats): void {
  s.nr_chunks--;
}

/** struct pcpu_alloc_info, the part percpu_stats prints. */
export interface PcpuAllocInfo {
  unit_size: number;
  static_size: number;
  reserved_size: number;
  dyn_size: number;
  atom_size: number;
  alloc_size: number;
}

export interface PercpuStatsInput {
  alloc_map: PcpuAllocMap;
  ai: PcpuAllocInfo;
  stats: PcpuGlobalStats;
  /** pcpu_nr_empty_pop_pages */
  empty_pop_pages: number;
  reserved: PcpuChunk | null;
  first: PcpuChunk | null;
  /** Every chunk on the slot lists, slot 0 first, each list head first. */
  slots: readonly PcpuChunk[];
}

const P = (name: string, v: number): string => `  ${name.padEnd(20)}: ${String(v).padStart(12)}`;

/** The fragment figures of chunk_map_stats. */
function fragmentFigures(f: readonly number[]): { sum_frag: number; max_frag: number; min: number; med: number; max: number } {
  const sizes = [...f].sort((a, b) => a - b);
  let sum_frag = 0;
  let max_frag = 0;
  let i = 0;
  for (; i < sizes.length && sizes[i]! < 0; i++) {
    sum_frag -= sizes[i]!;
    max_frag = Math.max(max_frag, -sizes[i]!);
  }
  if (!sizes.length) return { sum_frag, max_frag, min: 0, med: 0, max: 0 };
  return { sum_frag, max_frag, min: sizes[i] ?? 0, med: sizes[Math.floor((i + sizes.length - 1) / 2)]!, max: sizes[sizes.length - 1]! };
}

function chunkLines(s: PcpuChunkStats, map: PcpuAllocMap): string[] {
  const f = fragmentFigures(s.fragments);
  const head =
    map === 'bitmap'
      ? [P('nr_alloc', s.nr_alloc), P('max_alloc_size', s.max_alloc_size), P('empty_pop_pages', s.empty_pop_pages), P('first_bit', s.first_free), P('free_bytes', s.free_bytes), P('contig_bytes', s.contig_bytes)]
      : [P('nr_alloc', s.nr_alloc), P('max_alloc_size', s.max_alloc_size), P('free_size', s.free_bytes), P('contig_hint', s.contig_bytes)];
  return [...head, P('sum_frag', f.sum_frag), P('max_frag', f.max_frag), P('cur_min_alloc', f.min), P('cur_med_alloc', f.med), P('cur_max_alloc', f.max), ''];
}

/** percpu_stats_show: the whole file. */
export function percpu_stats_show(i: PercpuStatsInput): string {
  const rule = '----------------------------------------';
  const out = ['Percpu Memory Statistics', 'Allocation Info:', rule];
  for (const k of ['unit_size', 'static_size', 'reserved_size', 'dyn_size', 'atom_size', 'alloc_size'] as const) out.push(P(k, i.ai[k]));
  out.push('', 'Global Stats:', rule);
  const s = i.stats;
  const globals: [string, number][] = [
    ['nr_alloc', s.nr_alloc],
    ['nr_dealloc', s.nr_dealloc],
    ['nr_cur_alloc', s.nr_cur_alloc],
    ['nr_max_alloc', s.nr_max_alloc],
    ['nr_chunks', s.nr_chunks],
    ['nr_max_chunks', s.nr_max_chunks],
    ['min_alloc_size', s.min_alloc_size],
    ['max_alloc_size', s.max_alloc_size],
  ];
  for (const [k, v] of globals) out.push(P(k, v));
  if (i.alloc_map === 'bitmap') out.push(P('empty_pop_pages', i.empty_pop_pages));
  out.push('', 'Per Chunk Stats:', rule);
  if (i.reserved) out.push('Chunk: <- Reserved Chunk', ...chunkLines(i.reserved.stats(), i.alloc_map));
  for (const c of i.slots) out.push(c === i.first ? 'Chunk: <- First Chunk' : 'Chunk:', ...chunkLines(c.stats(), i.alloc_map));
  return out.join('\n') + '\n';
}
