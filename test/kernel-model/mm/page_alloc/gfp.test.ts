import { describe, expect, it } from 'vitest';
import {
  format_gfp,
  GFP_ATOMIC,
  GFP_DMA,
  GFP_DMA32,
  GFP_HIGHUSER_MOVABLE,
  GFP_KERNEL,
  GFP_NOWAIT,
  GFP_USER,
  gfp_migratetype,
  gfp_zone,
  __GFP_COMP,
  __GFP_HIGHMEM,
  __GFP_MOVABLE,
  __GFP_NOWARN,
  __GFP_RECLAIMABLE,
  __GFP_ZERO,
  ZONE_DMA,
  ZONE_DMA32,
  ZONE_MOVABLE,
  ZONE_NORMAL,
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_UNMOVABLE,
} from '../../../../kernel-model/mm/page_alloc';

describe('GFP flags (5.10 values)', () => {
  it('has the composite values seen in real reports', () => {
    expect(GFP_KERNEL).toBe(0xcc0);
    expect(GFP_ATOMIC).toBe(0xa20);
    expect(GFP_NOWAIT).toBe(0x800);
    expect(GFP_USER).toBe(0x100cc0);
  });

  it('gfp_zone picks the highest usable zone and rejects GFP_ZONE_BAD combinations', () => {
    expect(gfp_zone(GFP_KERNEL)).toBe(ZONE_NORMAL);
    expect(gfp_zone(GFP_KERNEL | GFP_DMA)).toBe(ZONE_DMA);
    expect(gfp_zone(GFP_KERNEL | GFP_DMA32)).toBe(ZONE_DMA32);
    expect(gfp_zone(GFP_KERNEL | __GFP_HIGHMEM)).toBe(ZONE_NORMAL); // no HIGHMEM on arm64
    expect(gfp_zone(GFP_HIGHUSER_MOVABLE)).toBe(ZONE_MOVABLE);
    expect(gfp_zone(GFP_DMA32 | __GFP_MOVABLE)).toBe(ZONE_DMA32);
    expect(gfp_zone(GFP_DMA | GFP_DMA32)).toBe(-1);
    expect(gfp_zone(GFP_DMA | __GFP_HIGHMEM)).toBe(-1);
  });

  it('gfp_migratetype reads the mobility bits', () => {
    expect(gfp_migratetype(GFP_KERNEL)).toBe(MIGRATE_UNMOVABLE);
    expect(gfp_migratetype(GFP_HIGHUSER_MOVABLE)).toBe(MIGRATE_MOVABLE);
    expect(gfp_migratetype(GFP_KERNEL | __GFP_RECLAIMABLE)).toBe(MIGRATE_RECLAIMABLE);
    expect(gfp_migratetype(__GFP_RECLAIMABLE | __GFP_MOVABLE)).toBe(-1);
  });

  it('formats %pGg with composites first, as in "mode:0x40a20(GFP_ATOMIC|__GFP_COMP)"', () => {
    expect(format_gfp(GFP_ATOMIC | __GFP_COMP)).toBe('GFP_ATOMIC|__GFP_COMP');
    expect(format_gfp(GFP_NOWAIT)).toBe('GFP_NOWAIT');
    expect(format_gfp(GFP_KERNEL | GFP_DMA)).toBe('GFP_KERNEL|GFP_DMA');
    expect(format_gfp(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN)).toBe('GFP_KERNEL|__GFP_NOWARN|__GFP_ZERO');
    expect(format_gfp(GFP_HIGHUSER_MOVABLE)).toBe('GFP_HIGHUSER_MOVABLE');
    expect(format_gfp(0x1000000)).toBe('0x1000000');
    expect(format_gfp(0)).toBe('');
  });
});
