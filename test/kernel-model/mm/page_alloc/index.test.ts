import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ORDER, max_order_limit, mm_init_buddy, parse_max_order, BCM2711_ZONE_LIMITS } from '../../../../kernel-model/mm/page_alloc';
import { GuestRam } from '../../../../emulator/memory/guest-ram';
import { Memblock } from '../../../../kernel-model/mm/memblock';

describe('max_order= on the command line', () => {
  it('defaults to 11, the pre-6.4 exclusive MAX_ORDER of arm64 4K', () => {
    expect(DEFAULT_MAX_ORDER).toBe(11);
    expect(parse_max_order('console=ttyAMA0 root=/dev/mmcblk0p2')).toBe(11);
  });

  it('reads max_order=N and rejects values the section size cannot hold', () => {
    expect(parse_max_order('console=ttyAMA0 max_order=6 quiet')).toBe(6);
    expect(parse_max_order('max_order=19')).toBe(19);
    expect(max_order_limit(30)).toBe(19); // MAX_ORDER - 1 + PAGE_SHIFT <= SECTION_SIZE_BITS
    expect(parse_max_order('max_order=20')).toBe(11);
    expect(parse_max_order('max_order=1')).toBe(11);
    expect(parse_max_order('xmax_order=6')).toBe(11);
  });

  it('mm_init_buddy refuses a MAX_ORDER that does not fit', () => {
    const ram = GuestRam.fromArrayBuffers(16 * 2 ** 20);
    const memblock = new Memblock(ram);
    memblock.memblock_add(0, 16 * 2 ** 20);
    expect(() =>
      mm_init_buddy({ ram, memblock, zoneLimits: BCM2711_ZONE_LIMITS, nrCpus: 1, maxOrder: 17, sectionSizeBits: 27, printk: () => {} }),
    ).toThrow(RangeError);
  });
});
