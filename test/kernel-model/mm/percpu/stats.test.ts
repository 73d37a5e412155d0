// SPDX-License-Identifier: GPL-2.0-only
/* /sys/kernel/debug/percpu_stats, v4.14's format (bitmap) and v4.13's (area). */

import { describe, expect, it } from 'vitest';
import { AreaChunk } from '../../../../kernel-model/mm/percpu/area-chunk';
import { BitmapChunk } from '../../../../kernel-model/mm/percpu/bitmap-chunk';
import { HostMetaAllocator, PcpuEmptyPages, type PcpuAllocMap } from '../../../../kernel-model/mm/percpu/percpu-internal';
import { PcpuChunkSet } from '../../../../kernel-model/mm/percpu/slots';
import { PcpuGlobalStats, percpu_stats_show } from '../../../../kernel-model/mm/percpu/stats';

const ai = { unit_size: 32768, static_size: 20480, reserved_size: 8192, dyn_size: 28672, atom_size: 4096, alloc_size: 32768 };

function scenario(kind: PcpuAllocMap, asFirst: boolean): string {
  const meta = new HostMetaAllocator();
  const emptyPages = new PcpuEmptyPages();
  const stats = new PcpuGlobalStats(ai.unit_size);
  const printk = () => {};
  const create = () => (kind === 'bitmap' ? BitmapChunk : AreaChunk).create({ nr_pages: 8, meta, printk, emptyPages });
  const set = new PcpuChunkSet({ unit_size: ai.unit_size, printk, emptyPages, stats, create });
  const [, b] = [set.alloc(4, 4)!, set.alloc(8, 4)!, set.alloc(16, 4)!];
  set.free(b.chunk, b.off);
  return percpu_stats_show({ alloc_map: kind, ai, stats, empty_pop_pages: emptyPages.value, reserved: null, first: asFirst ? b.chunk : null, slots: set.bySlot() });
}

const header = `Percpu Memory Statistics
Allocation Info:
----------------------------------------
  unit_size           :        32768
  static_size         :        20480
  reserved_size       :         8192
  dyn_size            :        28672
  atom_size           :         4096
  alloc_size          :        32768

Global Stats:
----------------------------------------
  nr_alloc            :            3
  nr_dealloc          :            1
  nr_cur_alloc        :            2
  nr_max_alloc        :            3
  nr_chunks           :            1
  nr_max_chunks       :            1
  min_alloc_size      :            4
  max_alloc_size      :           16
`;

const fragments = `  sum_frag            :            8
  max_frag            :            8
  cur_min_alloc       :            4
  cur_med_alloc       :            4
  cur_max_alloc       :           16

`;

describe('percpu_stats', () => {
  it('bitmap allocator: v4.14 lines, fragments from the bound and alloc maps', () => {
    expect(scenario('bitmap', false)).toBe(
      header +
        `  empty_pop_pages     :            0

Per Chunk Stats:
----------------------------------------
Chunk:
  nr_alloc            :            2
  max_alloc_size      :           16
  empty_pop_pages     :            0
  first_bit           :            1
  free_bytes          :        32748
  contig_bytes        :        32740
` +
        fragments,
    );
  });

  it('area map: v4.13 lines (free_size, contig_hint; no empty pages, no first_bit)', () => {
    expect(scenario('area', true)).toBe(
      header +
        `
Per Chunk Stats:
----------------------------------------
Chunk: <- First Chunk
  nr_alloc            :            2
  max_alloc_size      :           16
  free_size           :        32748
  contig_hint         :        32768
` +
        fragments,
    );
  });
});
