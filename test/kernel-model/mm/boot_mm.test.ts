// The page allocator as the booted kernel has it: boot-log lines, /proc,
// real guest memory reachable from the cores, the max_order=6 experiment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootUconsole, type Uconsole } from '../../../api/uconsole';
import { logLines, withUconsole } from '../../helpers/boot';
import { CM4_4G_ZONE_LINES } from './helpers';
import { GFP_KERNEL, GFP_DMA, __GFP_NOWARN, __GFP_ZERO, check_page_allocator } from '../../../kernel-model/mm/page_alloc';
import { PAGE_OFFSET } from '../../../kernel-model/arch/arm64/memory';
import { zone_dma_bits } from '../../../kernel-model/mm/init';

describe('the page allocator after boot (uconsole-cm4, 4 GB)', () => {
  let u: Uconsole;
  beforeAll(async () => {
    u = await bootUconsole({});
  });
  afterAll(() => u.shutdown());

  it('prints the zones and memory in Linux\'s words and order', () => {
    const log = logLines(u);
    const at = (s: string): number => log.findIndex((l) => l.startsWith(s));
    expect(log.slice(at('Zone ranges:'), at('Zone ranges:') + CM4_4G_ZONE_LINES.length)).toEqual(CM4_4G_ZONE_LINES);
    expect(log).toContain('Built 1 zonelists, mobility grouping on.  Total pages: 996912');
    expect(log.find((l) => l.startsWith('Memory: '))).toMatch(/^Memory: \d+K\/4050944K available \(\d+K kernel code, \d+K rwdata, 0K rodata, 0K init, \d+K bss, \d+K reserved, 393216K cma-reserved\)$/);
    expect(at('Machine model:')).toBeLessThan(at('Zone ranges:'));
    expect(at('Built 1 zonelists')).toBeLessThan(at('Kernel command line:'));
    expect(at('Kernel command line:')).toBeLessThan(at('Memory: '));
    expect(at('Memory: ')).toBeLessThan(at('smp: Bringing up secondary CPUs'));
  });

  it('serves /proc/buddyinfo, /proc/pagetypeinfo and /proc/meminfo', () => {
    const buddy = u.readFile('/proc/buddyinfo').split('\n');
    expect(buddy[0]).toMatch(/^Node 0, zone {6}DMA( +\d+){11} $/);
    expect(buddy[1]).toMatch(/^Node 0, zone {4}DMA32( +\d+){11} $/);
    expect(u.readFile('/proc/pagetypeinfo')).toMatch(/^Page block order: 9\nPages per block:  512\n/);
    const meminfo = u.readFile('/proc/meminfo');
    expect(meminfo).toMatch(/^MemTotal: +\d+ kB\nMemFree: +\d+ kB\nMemAvailable: +\d+ kB\n/);
    // (VMALLOC_END - VMALLOC_START) >> 10 for the 5.10 VA_BITS=39 layout
    expect(meminfo).toMatch(/\nVmallocTotal:   262930368 kB\n/);
  });

  it('hands out real guest memory that ARM64 code on every core reaches through the linear map', () => {
    const pgalloc = u.kernel.mm.pgalloc;
    for (const c of u.machine.cores) {
      const pfn = u.kernel.on(c.index, () => pgalloc.alloc_pages(GFP_KERNEL | __GFP_ZERO, 2))!;
      expect(pfn).not.toBeNull();
      const va = PAGE_OFFSET + BigInt(pfn * 4096 + 3 * 4096 + 8); // inside the fourth page of the block
      expect(u.kernel.harness.probe(c.index, 'probe_read64', [va])).toBe(0n); // __GFP_ZERO
      u.kernel.harness.probe(c.index, 'probe_write64', [va, 0xc0de0000n + BigInt(c.index)]);
      expect(u.machine.ram.u64(pfn * 4096 + 3 * 4096 + 8)).toBe(0xc0de0000n + BigInt(c.index));
      u.kernel.on(c.index, () => pgalloc.__free_pages(pfn, 2));
    }
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });

  it('keeps GFP_DMA allocations in the first GiB (ZONE_DMA from the DT\'s dma-ranges)', () => {
    const pgalloc = u.kernel.mm.pgalloc;
    const pfn = u.kernel.on(0, () => pgalloc.alloc_pages(GFP_DMA | GFP_KERNEL, 0))!;
    expect(pfn * 4096).toBeLessThan(2 ** 30);
    u.kernel.on(0, () => pgalloc.__free_pages(pfn, 0));
    expect(zone_dma_bits(u.kernel.arch.dt)).toBe(30);
  });

  it('gives a physically contiguous area of any size and alignment (memarea)', () => {
    const pgalloc = u.kernel.mm.pgalloc;
    const pfn = u.kernel.on(3, () => pgalloc.alloc_memarea(GFP_KERNEL, 1234, 7))!;
    expect(pfn % 7).toBe(0);
    u.machine.ram.setU64(pfn * 4096 + 1233 * 4096, 77n);
    expect(u.kernel.harness.probe(1, 'probe_read64', [PAGE_OFFSET + BigInt(pfn * 4096 + 1233 * 4096)])).toBe(77n);
    u.kernel.on(3, () => pgalloc.free_memarea(pfn, 1234));
    expect(check_page_allocator(pgalloc)).toEqual([]);
  });
});

describe('zones on the other boards and sizes', () => {
  it.each([
    ['uconsole-cm4', '1G', ['  DMA      [mem 0x0000000000000000-0x000000003b3fffff]', '  DMA32    empty', '  Normal   empty']],
    ['uconsole-cm4', '2G', ['  DMA      [mem 0x0000000000000000-0x000000003fffffff]', '  DMA32    [mem 0x0000000040000000-0x000000007fffffff]', '  Normal   empty']],
    ['uconsole-cm3', '1G', ['  DMA      [mem 0x0000000000000000-0x000000003b3fffff]', '  DMA32    empty', '  Normal   empty']],
    ['uconsole-a06', '2G', ['  DMA      [mem 0x0000000000200000-0x000000007fffffff]', '  DMA32    empty', '  Normal   empty']],
    ['uconsole-a04', '1G', ['  DMA      [mem 0x0000000040000000-0x000000007fffffff]', '  DMA32    empty', '  Normal   empty']],
    ['uconsole-a04', '2G', ['  DMA      [mem 0x0000000040000000-0x00000000bfffffff]', '  DMA32    empty', '  Normal   empty']],
    ['uconsole-cm4', '8G', ['  DMA      [mem 0x0000000000000000-0x000000003fffffff]', '  DMA32    [mem 0x0000000040000000-0x00000000ffffffff]', '  Normal   [mem 0x0000000100000000-0x00000001ffffffff]']],
    ['uconsole-a06', '4G', ['  DMA      [mem 0x0000000000200000-0x00000000f7ffffff]', '  DMA32    empty', '  Normal   empty']],
    ['uconsole-a04', '3G', ['  DMA      [mem 0x0000000040000000-0x00000000ffffffff]', '  DMA32    empty', '  Normal   empty']],
  ])('%s with %s', async (board, ram, zones) => {
    await withUconsole({ board, ram }, (u) => {
      const log = logLines(u);
      const at = log.indexOf('Zone ranges:');
      expect(log.slice(at + 1, at + 4)).toEqual(zones);
      expect(check_page_allocator(u.kernel.mm.pgalloc)).toEqual([]);
    });
  });
});

describe('the seed\'s experiment: max_order=6', () => {
  it('the buddy allocator alone fails large contiguous requests; memarea still serves them', async () => {
    await withUconsole({ ram: '1G', cmdline: 'console=ttyAMA0,115200 max_order=6' }, (u) => {
      const pgalloc = u.kernel.mm.pgalloc;
      expect(pgalloc.maxOrder).toBe(6);
      expect(u.readFile('/proc/buddyinfo').split('\n')[0]).toMatch(/^Node 0, zone {6}DMA( +\d+){6} $/);
      u.kernel.on(0, () => {
        expect(pgalloc.alloc_pages(GFP_KERNEL | __GFP_NOWARN, 9)).toBeNull(); // 2 MiB: beyond MAX_ORDER-1
        expect(pgalloc.alloc_pages(GFP_KERNEL | __GFP_NOWARN, 5)).not.toBeNull(); // 128 KiB: still fine
        for (const pages of [512, 4096, 3000]) {
          const pfn = pgalloc.alloc_memarea(GFP_KERNEL, pages);
          expect(pfn).not.toBeNull();
          pgalloc.free_memarea(pfn!, pages);
        }
      });
      expect(check_page_allocator(pgalloc)).toEqual([]);
    });
  });

  it('max_order= is an early parameter: the last valid value wins, a rejected one says so and keeps the value before it', async () => {
    await withUconsole({ ram: '1G', cmdline: 'console=ttyAMA0,115200 max_order=7 max_order=40 max_order=8 max_order=abc' }, (u) => {
      expect(u.kernel.mm.pgalloc.maxOrder).toBe(8);
      const log = logLines(u);
      const rejected = log.filter((l) => l.startsWith('max_order='));
      expect(rejected).toEqual(['max_order=40 is out of range (2..19); using 7', 'max_order=abc is not a number (2..19); using 8']);
      expect(log.indexOf(rejected[1]!)).toBeLessThan(log.indexOf('Zone ranges:'));
      expect(u.readFile('/proc/buddyinfo').split('\n')[0]).toMatch(/^Node 0, zone {6}DMA( +\d+){8} $/);
    });
  });

  it('an out-of-range max_order alone falls back to 11 with one line', async () => {
    await withUconsole({ ram: '1G', cmdline: 'max_order=40' }, (u) => {
      expect(u.kernel.mm.pgalloc.maxOrder).toBe(11);
      expect(logLines(u).filter((l) => l.includes('max_order'))).toEqual([
        'max_order=40 is out of range (2..19); using 11',
        'Kernel command line: coherent_pool=1M 8250.nr_uarts=1 snd_bcm2835.enable_compat_alsa=0 snd_bcm2835.enable_hdmi=1 vc_mem.mem_base=0x3ec00000 vc_mem.mem_size=0x40000000  max_order=40',
      ]);
    });
  });

  it('without __GFP_NOWARN the failure is reported as Linux reports it', async () => {
    await withUconsole({ ram: '1G', cmdline: 'max_order=6' }, (u) => {
      expect(u.kernel.on(2, () => u.kernel.mm.pgalloc.alloc_pages(GFP_KERNEL, 7))).toBeNull();
      expect(u.dmesg()).toMatch(/WARNING: CPU: 2 PID: 0 at mm\/page_alloc\.c/);
    });
  });
});
