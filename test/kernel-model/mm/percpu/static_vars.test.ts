import { describe, expect, it } from 'vitest';
import { withUconsole } from '../../../helpers/boot';
import { PERCPU_DYNAMIC_RESERVE, PERCPU_MODULE_RESERVE, pcpu_build_alloc_info, percpu_boot_lines } from '../../../../kernel-model/mm/percpu/first_chunk';
import { PCP_COUNT, PCP_BATCH, PCP_HIGH, PCP_LISTS_OFF, PER_CPU_PAGESET_SIZE, STATIC_PERCPU_VARS, percpu_static_layout } from '../../../../kernel-model/mm/percpu/static_vars';
import { GFP_KERNEL } from '../../../../kernel-model/mm/page_alloc';
import { PGALLOC_DMA, PGFREE, VM_EVENT_ITEMS } from '../../../../kernel-model/mm/vmstat_items';
import { cpu_vm_event } from '../../../../kernel-model/mm/page_alloc/vm_event';
import { MIGRATE_UNMOVABLE } from '../../../../kernel-model/mm/page_alloc/mmzone';

describe('static per-CPU variables (.data..percpu)', () => {
  it('are laid out as the linker script does: read_mostly first, a cache line, then link order; 8-byte end', () => {
    const { offsets, size } = percpu_static_layout();
    expect(offsets.get('cpu_number')).toBe(0);
    expect(offsets.get('vm_event_states')).toBe(64);
    expect(offsets.get('boot_pageset')).toBe(64 + 8 * VM_EVENT_ITEMS.length);
    expect(PER_CPU_PAGESET_SIZE).toBe(80); // per_cpu_pages 64 + stat_threshold + 12 vm_stat_diff, 8-aligned
    expect(size % 8).toBe(0);
    expect(size).toBe(offsets.get('boot_nodestats')! + 38 + 2);
  });

  it('the image carries them, at the same offsets, and `s` of the boot line is their size (Linux\'s rule for the rest)', async () => {
    await withUconsole({ board: 'uconsole-cm4', ram: '1G' }, (u) => {
      const k = u.kernel;
      const { offsets, size } = percpu_static_layout();
      const start = k.syms.offset('__per_cpu_start');
      expect(k.syms.offset('__per_cpu_end') - start).toBe(BigInt(size));
      for (const v of STATIC_PERCPU_VARS) expect(k.syms.offset(v.name) - start).toBe(BigInt(offsets.get(v.name)!));
      const ai = pcpu_build_alloc_info(size, PERCPU_MODULE_RESERVE, PERCPU_DYNAMIC_RESERVE, 4096, 4);
      // size_sum = PFN_ALIGN(s + r + 28K); d = size_sum - s - r; u = max(size_sum, 32K)
      expect(ai.dyn_size).toBe(Math.ceil((size + 8192 + 28672) / 4096) * 4096 - size - 8192);
      expect(percpu_boot_lines(ai, 4)[0]).toBe(`percpu: Embedded 10 pages/cpu s${size} r8192 d${ai.dyn_size} u40960`);
      expect(u.dmesg()).toContain(percpu_boot_lines(ai, 4)[0]);
    });
  });
});

describe('__alloc_reserved_percpu', () => {
  it('serves the reserved area right after the static variables, in every CPU\'s unit; the dynamic area does not', async () => {
    await withUconsole({ board: 'uconsole-cm4', ram: '1G' }, (u) => {
      const k = u.kernel;
      const pc = k.percpu!;
      const start = k.vaddr('__per_cpu_start');
      const { size } = percpu_static_layout();
      const r = k.on(0, () => pc.__alloc_reserved_percpu(64, 8));
      const d = k.on(0, () => pc.__alloc_percpu(64, 8));
      expect(Number(r - start)).toBeGreaterThanOrEqual(size);
      expect(Number(r - start)).toBeLessThan(size + PERCPU_MODULE_RESERVE);
      expect(Number(d - start)).toBeGreaterThanOrEqual(size + PERCPU_MODULE_RESERVE);
      for (const c of u.machine.cores) {
        k.kcall(c.index, 'this_cpu_write_8', r, 0x500 + c.index);
        expect(k.arch.kmem.read64(pc.per_cpu_ptr(r, c.index))).toBe(BigInt(0x500 + c.index));
      }
      k.on(0, () => [r, d].forEach((p) => pc.free_percpu(p)));
    });
  });
});

describe.each(['uconsole-cm4', 'uconsole-a06'])('the page allocator\'s per-CPU state in guest memory (%s)', (board) => {
  it('each core reads its own pcp count, high, batch and list head through TPIDR_EL1, as TypeScript sees them', async () => {
    await withUconsole({ board }, (u) => {
      const k = u.kernel;
      const pa = k.mm.pgalloc;
      const n = u.machine.cores.length;
      // A different number of pages on each CPU's list: with the lists drained (boot's slab work left
      // pages on them), CPU c takes a batch and hands out c + 1 of it.
      k.on(0, () => pa.drain_all_pages());
      const held = u.machine.cores.map((c) => k.on(c.index, () => Array.from({ length: c.index + 1 }, () => pa.alloc_pages(GFP_KERNEL, 0)!)));
      const z = pa.page_zone(held[0]![0]!);
      expect(held.flat().every((p) => pa.page_zone(p) === z)).toBe(true);
      const ptr = z.pcp.ptr!;
      expect(ptr).toBeDefined(); // zone->pageset is a __percpu pointer into the first chunk
      const counts = u.machine.cores.map((c) => z.pcp.count(c.index));
      expect(new Set(counts).size).toBe(n);
      for (const c of u.machine.cores) {
        const cpu = c.index;
        expect(k.kcall(cpu, 'this_cpu_read_4', ptr + BigInt(PCP_COUNT))).toBe(BigInt(z.pcp.count(cpu)));
        expect(k.kcall(cpu, 'this_cpu_read_4', ptr + BigInt(PCP_HIGH))).toBe(BigInt(z.pcp.high(cpu)));
        expect(k.kcall(cpu, 'this_cpu_read_4', ptr + BigInt(PCP_BATCH))).toBe(BigInt(z.pcp.batch(cpu)));
        // lists[MIGRATE_UNMOVABLE].next holds the first PFN: the page this CPU hands out next.
        const head = k.kcall(cpu, 'this_cpu_read_4', ptr + BigInt(PCP_LISTS_OFF + 16 * MIGRATE_UNMOVABLE));
        expect(Number(head)).toBe(z.pcp.head(cpu, MIGRATE_UNMOVABLE));
        // The same bytes through per_cpu_ptr in the linear map.
        expect(k.arch.kmem.read32(k.percpu!.per_cpu_ptr(ptr, cpu))).toBe(z.pcp.count(cpu));
      }
      // ARM64 code changing a CPU's count changes what TypeScript reads, for that CPU only.
      const before = u.machine.cores.map((c) => z.pcp.count(c.index));
      k.kcall(1, 'this_cpu_add_4', ptr + BigInt(PCP_COUNT), 7);
      expect(u.machine.cores.map((c) => z.pcp.count(c.index))).toEqual(before.map((v, cpu) => (cpu === 1 ? v + 7 : v)));
      k.kcall(1, 'this_cpu_add_4', ptr + BigInt(PCP_COUNT), -7);
      for (const c of u.machine.cores) {
        const head = z.pcp.head(c.index, MIGRATE_UNMOVABLE);
        expect(k.on(c.index, () => pa.alloc_pages(GFP_KERNEL, 0))).toBe(head);
      }
    });
  });

  it('vm_event_states: each core\'s events in its unit; /proc/vmstat sums them', async () => {
    await withUconsole({ board }, (u) => {
      const k = u.kernel;
      const pa = k.mm.pgalloc;
      const ev = k.vaddr('vm_event_states');
      const pgfree = (): number => Number(/^pgfree (\d+)$/m.exec(u.readFile('/proc/vmstat'))![1]);
      const total = pgfree();
      for (const c of u.machine.cores) {
        const p = k.on(c.index, () => pa.alloc_pages(GFP_KERNEL, 2)!);
        k.on(c.index, () => pa.__free_pages(p, 2));
        const mine = cpu_vm_event(pa.vm_events, c.index, PGFREE);
        expect(k.kcall(c.index, 'this_cpu_read_8', ev + BigInt(8 * PGFREE))).toBe(BigInt(mine));
        const zone = pa.page_zone(p).idx;
        expect(Number(k.kcall(c.index, 'this_cpu_read_8', ev + BigInt(8 * (PGALLOC_DMA + zone))))).toBe(cpu_vm_event(pa.vm_events, c.index, PGALLOC_DMA + zone));
      }
      expect(pgfree()).toBe(total + 4 * u.machine.cores.length);
      k.kcall(0, 'this_cpu_inc_8', ev + BigInt(8 * PGFREE));
      expect(pgfree()).toBe(total + 4 * u.machine.cores.length + 1);
    });
  });
});
