// /proc/zoneinfo, /proc/vmstat, /proc/iomem, /proc/cpuinfo and /proc/version in Linux 5.10's shapes,
// and the firmware's command line as the Pi firmware passes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootUconsole, type Uconsole } from '../../api/uconsole';
import { withUconsole } from '../helpers/boot';
import { NODE_STAT_ITEMS, VM_EVENT_ITEMS, ZONE_STAT_ITEMS } from '../../kernel-model/mm/vmstat_items';
import { GFP_KERNEL } from '../../kernel-model/mm/page_alloc';

describe('the /proc files a kernel engineer reads (uconsole-cm4, 2 GB)', () => {
  let u: Uconsole;
  beforeAll(async () => {
    u = await bootUconsole({ ram: '2G', cmdline: 'console=serial0,115200 quiet' });
  });
  afterAll(() => u.shutdown());

  it('/proc/zoneinfo: every zone, watermarks, protection, pagesets, the cma line', () => {
    const zi = u.readFile('/proc/zoneinfo');
    const pa = u.kernel.mm.pgalloc;
    const dma = pa.zones[0]!;
    expect(zi).toMatch(/^Node 0, zone      DMA\n  per-node stats\n      nr_inactive_anon 0\n/);
    expect(zi).toContain(`\n  pages free     ${dma.nr_free_pages}\n        min      ${dma.min_wmark_pages()}\n        low      ${dma.low_wmark_pages()}\n        high     ${dma.high_wmark_pages()}\n        spanned  262144\n        present  242688\n        managed  ${dma.managed_pages}\n        cma      98304\n        protection: (0, ${dma.lowmem_reserve[1]}, ${dma.lowmem_reserve[2]}, ${dma.lowmem_reserve[3]})\n      nr_free_pages ${dma.nr_free_pages}\n`);
    expect(zi).toMatch(/\n      nr_free_cma  98304\n  pagesets\n    cpu: 0\n              count: \d+\n              high:  \d+\n              batch: \d+\n  vm stats threshold: \d+\n    cpu: 1\n/);
    expect(zi).toMatch(/\n  node_unreclaimable:  0\n  start_pfn:           0\nNode 0, zone    DMA32\n  pages free/);
    expect(zi).toMatch(/\nNode 0, zone   Normal\n  pages free     0\n(.*\n){7}        protection: \(0, 0, 0, 0\)\nNode 0, zone  Movable\n/);
  });

  it('/proc/vmstat: "name value" lines, free and CMA pages, allocations per zone', () => {
    const vm = u.readFile('/proc/vmstat');
    expect(vm).toMatch(/^nr_free_pages \d+\nnr_zone_inactive_anon 0\n/);
    expect(vm).toMatch(/\nnr_free_cma 98304\nnr_inactive_anon 0\n/);
    expect(vm).toMatch(/\npgalloc_dma \d+\npgalloc_dma32 \d+\npgalloc_normal 0\npgalloc_movable 0\n/);
    expect(vm).toMatch(/\npgskip_movable 0\npgfree \d+\npgactivate 0\npgdeactivate 0\npglazyfree 0\npgfault 0\npgmajfault 0\n/);
    expect(vm).toMatch(/\npageoutrun \d+\npgrotated 0\n/);
    expect(vm).toMatch(/\nunevictable_pgs_stranded 0\nthp_fault_alloc 0\n/);
    expect(vm).toMatch(/\nballoon_migrate 0\nswap_ra 0\nswap_ra_hit 0\n$/);
    // vmstat_text[]'s order, every item once: zone, node, the two dirty thresholds, the events.
    const names = vm.trimEnd().split('\n').map((l) => l.split(' ')[0]);
    expect(names).toEqual([...ZONE_STAT_ITEMS, ...NODE_STAT_ITEMS, 'nr_dirty_threshold', 'nr_dirty_background_threshold', ...VM_EVENT_ITEMS]);
    expect(names).toHaveLength(12 + 37 + 2 + 89);
    // The events are the CPUs' vm_event_states summed: pgfree moves by the pages freed.
    const pgfree = (): number => Number(/\npgfree (\d+)\n/.exec(u.readFile('/proc/vmstat'))![1]);
    const before = pgfree();
    const pa = u.kernel.mm.pgalloc;
    u.kernel.on(2, () => pa.__free_pages(pa.alloc_pages(GFP_KERNEL, 3)!, 3));
    expect(pgfree()).toBe(before + 8);
  });

  it('/proc/iomem: System RAM, the kernel, and every reservation (CMA, swiotlb, DTB)', () => {
    const io = u.readFile('/proc/iomem');
    expect(io).toMatch(/^00000000-3b3fffff : System RAM\n  00000000-00000fff : reserved\n  00200000-[0-9a-f]{8} : Kernel code\n  [0-9a-f]{8}-[0-9a-f]{8} : Kernel data\n/);
    expect(io).toContain('\n  16c00000-2ebfffff : reserved\n'); // CMA, 384 MiB
    expect(io).toContain('\n  37400000-3b3fffff : reserved\n'); // swiotlb
    expect(io).toContain('\n40000000-7fffffff : System RAM\n');
  });

  it('/proc/cpuinfo: arm64\'s format, from each core\'s ID registers', () => {
    const ci = u.readFile('/proc/cpuinfo');
    expect(ci.split('\n\n').filter(Boolean)).toHaveLength(4);
    expect(ci).toMatch(/^processor\t: 0\nBogoMIPS\t: 108\.00\nFeatures\t: fp asimd evtstrm( \w+)* crc32 cpuid\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n/);
  });

  it('/proc/version has Linux\'s shape', () => {
    expect(u.readFile('/proc/version')).toMatch(/^Linux version 5\.10\.17-uconsole-mm \(\S+@\S+\) \(.+\) #1 SMP PREEMPT \w{3} \w{3} +\d+ \d\d:\d\d:\d\d UTC \d{4}\n$/);
  });

  it('the firmware prepends its arguments and renames serial0 to the console', () => {
    expect(u.readFile('/proc/cmdline')).toBe(
      'coherent_pool=1M 8250.nr_uarts=1 snd_bcm2835.enable_compat_alsa=0 snd_bcm2835.enable_hdmi=1 vc_mem.mem_base=0x3ec00000 vc_mem.mem_size=0x40000000  console=ttyAMA0,115200 quiet\n',
    );
  });
});

describe('other boards', () => {
  it('the A06 lists its two kinds of core; U-Boot boards get bootargs as they are', async () => {
    await withUconsole({ board: 'uconsole-a06', ram: '2G', cmdline: 'console=ttyS2,1500000' }, (u) => {
      const ci = u.readFile('/proc/cpuinfo');
      expect(ci.match(/CPU part\t: 0xd03/g)).toHaveLength(4);
      expect(ci.match(/CPU part\t: 0xd08/g)).toHaveLength(2);
      expect(ci).toMatch(/BogoMIPS\t: 48\.00/);
      expect(u.readFile('/proc/cmdline')).toBe('console=ttyS2,1500000\n');
    });
  });
});
