import { describe, expect, it } from 'vitest';
import {
  buddyinfo,
  DEFAULT_MAX_ORDER,
  free_area_init,
  max_order_limit,
  mm_init_buddy,
  page_alloc_init,
  page_alloc_init_late,
  BCM2711_ZONE_LIMITS,
} from '../../../../kernel-model/mm/page_alloc';
import { GuestRam } from '../../../../emulator/memory/guest-ram';
import { Memblock } from '../../../../kernel-model/mm/memblock';

const MiB = 2 ** 20;

function memblockOf(ram: GuestRam): Memblock {
  const memblock = new Memblock(ram);
  memblock.memblock_add(0, ram.end);
  memblock.memblock_reserve(0, 0x1000);
  return memblock;
}

describe('MAX_ORDER', () => {
  it('defaults to 11, the pre-6.4 exclusive MAX_ORDER of arm64 4K', () => {
    expect(DEFAULT_MAX_ORDER).toBe(11);
  });

  it('is bounded by the section size: MAX_ORDER - 1 + PAGE_SHIFT <= SECTION_SIZE_BITS', () => {
    expect(max_order_limit(30)).toBe(19);
    expect(max_order_limit(27)).toBe(16);
    expect(max_order_limit()).toBe(19); // 5.10 arm64
  });

  it('mm_init_buddy refuses a MAX_ORDER that does not fit', () => {
    const ram = GuestRam.fromArrayBuffers(16 * MiB);
    expect(() =>
      mm_init_buddy({ ram, memblock: memblockOf(ram), zoneLimits: BCM2711_ZONE_LIMITS, nrCpus: 1, maxOrder: 17, sectionSizeBits: 27, printk: () => {} }),
    ).toThrow(RangeError);
  });
});

describe('one bring-up sequence', () => {
  it('the boot\'s steps (free_area_init, page_alloc_init, page_alloc_init_late) give what mm_init_buddy gives', () => {
    const whole: string[] = [];
    const ramA = GuestRam.fromArrayBuffers(64 * MiB);
    const a = mm_init_buddy({ ram: ramA, memblock: memblockOf(ramA), zoneLimits: { dmaBits: 25, dma32Bits: 26 }, nrCpus: 2, sectionSizeBits: 27, printk: (l) => whole.push(l) });

    const steps: string[] = [];
    const printk = (l: string): number => steps.push(l);
    const ramB = GuestRam.fromArrayBuffers(64 * MiB);
    const memblock = memblockOf(ramB);
    const init = free_area_init({ ram: ramB, memblock, zoneLimits: { dmaBits: 25, dma32Bits: 26 }, maxOrder: 11, nrCpus: 2, printk, sectionSizeBits: 27 });
    const b = page_alloc_init({ ram: ramB, init, maxOrder: 11, nrCpus: 2, printk });
    expect(steps[steps.length - 1]).toMatch(/^Built 1 zonelists, mobility grouping on\.  Total pages: \d+$/);
    expect(b.nr_free_pages()).toBe(0); // memblock still owns the memory
    page_alloc_init_late(b, memblock);

    expect(steps).toEqual(whole);
    expect(buddyinfo(b)).toBe(buddyinfo(a));
    expect(b.min_free_kbytes).toBe(a.min_free_kbytes);
    expect(b.zones.map((z) => Array.from(z.watermark))).toEqual(a.zones.map((z) => Array.from(z.watermark)));
  });
});
