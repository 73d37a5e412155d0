import { describe, expect, it } from 'vitest';
import { GuestRam } from '../../../emulator/memory/guest-ram';
import { Memblock, MemblockError } from '../../../kernel-model/mm/memblock';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

describe('memblock regions', () => {
  it('keeps memory sorted and merges touching and overlapping ranges', () => {
    const mb = new Memblock();
    mb.memblock_add(0x40000000, 0xbc000000);
    mb.memblock_add(0, 0x3b400000);
    expect(mb.memory.regions).toEqual([
      { base: 0, size: 0x3b400000 },
      { base: 0x40000000, size: 0xbc000000 },
    ]);
    mb.memblock_add(0x3b400000, 0x4c00000); // fills the hole exactly
    expect(mb.memory.regions).toEqual([{ base: 0, size: 0xfc000000 }]);
    mb.memblock_add(0x10000, 0x1000); // inside: no change
    expect(mb.memory.regions).toEqual([{ base: 0, size: 0xfc000000 }]);
    expect(mb.memblock_phys_mem_size()).toBe(0xfc000000);
    expect(mb.check()).toEqual([]);
  });

  it('merges the 8 GB CM4 memory node into three regions', () => {
    const mb = new Memblock();
    // reg = <0x0 0x0 0x3b400000  0x0 0x40000000 0xbc000000  0x1 0x0 0x80000000  0x1 0x80000000 0x80000000>
    mb.memblock_add(0, 0x3b400000);
    mb.memblock_add(0x40000000, 0xbc000000);
    mb.memblock_add(4 * GiB, 0x80000000);
    mb.memblock_add(4 * GiB + 0x80000000, 0x80000000);
    expect(mb.memory.regions.map((r) => [r.base, r.base + r.size])).toEqual([
      [0, 0x3b400000],
      [0x40000000, 0xfc000000],
      [4 * GiB, 8 * GiB],
    ]);
    expect(mb.memblock_end_of_DRAM()).toBe(8 * GiB);
    expect(mb.memPfnRanges()).toEqual([
      { startPfn: 0, endPfn: 0x3b400 },
      { startPfn: 0x40000, endPfn: 0xfc000 },
      { startPfn: 0x100000, endPfn: 0x200000 },
    ]);
  });

  it('splits a reservation out of the free ranges and gives it back', () => {
    const mb = new Memblock();
    mb.memblock_add(0, 64 * MiB);
    mb.memblock_reserve(0, 0x1000);
    mb.memblock_reserve(2 * MiB, 3 * MiB);
    mb.memblock_reserve(5 * MiB, MiB); // touches the previous one: merged
    expect(mb.reserved.regions).toEqual([
      { base: 0, size: 0x1000 },
      { base: 2 * MiB, size: 4 * MiB },
    ]);
    expect(mb.freeRanges()).toEqual([
      { start: 0x1000, end: 2 * MiB },
      { start: 6 * MiB, end: 64 * MiB },
    ]);
    mb.memblock_phys_free(3 * MiB, MiB);
    expect(mb.reserved.regions).toEqual([
      { base: 0, size: 0x1000 },
      { base: 2 * MiB, size: MiB },
      { base: 4 * MiB, size: 2 * MiB },
    ]);
    expect(mb.memblock_reserved_size()).toBe(0x1000 + 3 * MiB);
    expect(mb.memblock_is_reserved(3 * MiB)).toBe(false);
    expect(mb.memblock_is_region_reserved(3 * MiB, 2 * MiB)).toBe(true);
    expect(mb.check()).toEqual([]);
  });

  it('ignores reserved space outside memory when listing free ranges', () => {
    const mb = new Memblock();
    mb.memblock_add(0, 0x3b400000);
    mb.memblock_add(0x40000000, 0x40000000);
    mb.memblock_reserve(0x3b000000, 0x5000000); // GPU carve-out spilling over the hole
    expect(mb.freeRanges()).toEqual([
      { start: 0, end: 0x3b000000 },
      { start: 0x40000000, end: 0x80000000 },
    ]);
  });
});

describe('memblock_alloc', () => {
  it('allocates top-down, aligned, and reserves what it returns', () => {
    const mb = new Memblock();
    mb.memblock_add(0, 64 * MiB);
    mb.memblock_reserve(63 * MiB, MiB);
    const a = mb.memblock_alloc(0x3000, 0x10000);
    expect(a).toBe(63 * MiB - 0x10000);
    expect(mb.memblock_is_reserved(a)).toBe(true);
    const b = mb.memblock_alloc(100, 64);
    expect(b).toBe(63 * MiB - 128); // the gap above `a` is still free: highest 64-aligned slot
    expect(mb.check()).toEqual([]);
  });

  it('respects a maximum address and never hands out the first page', () => {
    const mb = new Memblock();
    mb.memblock_add(0, 0x10000);
    const a = mb.memblock_alloc(0x1000, 0x1000, { max: 0x3000 });
    expect(a).toBe(0x2000);
    expect(mb.memblock_alloc(0x1000, 0x1000, { max: 0x3000 })).toBe(0x1000);
    expect(() => mb.memblock_alloc(0x1000, 0x1000, { max: 0x3000 })).toThrow(MemblockError);
  });

  it('throws a clear error on exhaustion', () => {
    const mb = new Memblock();
    mb.memblock_add(0, 4 * MiB);
    expect(() => mb.memblock_alloc(8 * MiB, 4096)).toThrow(/Failed to allocate 8388608 bytes align=0x1000/);
    expect(() => mb.memblock_alloc(4096, 3000)).toThrow(/power of two/);
  });

  it('zeroes what it allocates unless raw', () => {
    const ram = GuestRam.fromArrayBuffers(4 * MiB);
    ram.fill(0, 4 * MiB, 0xaa);
    const mb = new Memblock(ram);
    mb.memblock_add(0, 4 * MiB);
    const a = mb.memblock_alloc(4096, 4096);
    expect(ram.u32(a)).toBe(0);
    const b = mb.memblock_alloc_raw(4096, 4096);
    expect(ram.u32(b)).toBe(0xaaaaaaaa);
  });

  it('never lets an allocation cross a 4 GiB RAM bank boundary', () => {
    const mb = new Memblock();
    mb.memblock_add(0, 8 * GiB);
    mb.memblock_reserve(4 * GiB + MiB, 4 * GiB - MiB);
    // Top-down would give [4G-1M, 4G+1M): it slides below the boundary.
    expect(mb.memblock_alloc(2 * MiB, 4096)).toBe(4 * GiB - 2 * MiB);
    // One that fits above the boundary stays there.
    expect(mb.memblock_alloc(MiB / 2, 4096)).toBe(4 * GiB + MiB / 2);
  });

  it('dumps its configuration in memblock_dump format', () => {
    const mb = new Memblock();
    mb.memblock_add(0, 0x3b400000);
    mb.memblock_reserve(0, 0x1000);
    const lines: string[] = [];
    mb.memblock_dump_all((l) => lines.push(l));
    expect(lines).toEqual([
      'MEMBLOCK configuration:',
      ' memory size = 0x000000003b400000 reserved size = 0x0000000000001000',
      ' memory.cnt  = 0x1',
      ' memory[0x0]\t[0x0000000000000000-0x000000003b3fffff], 0x000000003b400000 bytes flags: 0x0',
      ' reserved.cnt  = 0x1',
      ' reserved[0x0]\t[0x0000000000000000-0x0000000000000fff], 0x0000000000001000 bytes flags: 0x0',
    ]);
  });
});
