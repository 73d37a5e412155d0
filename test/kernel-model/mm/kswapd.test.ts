import { describe, expect, it } from 'vitest';
import { withUconsole } from '../../helpers/boot';
import { GFP_KERNEL } from '../../../kernel-model/mm/page_alloc';

describe('kswapd0', () => {
  it('is a kernel thread the page allocator wakes when a zone is boosted; it takes the boost away', async () => {
    await withUconsole({ ram: '1G' }, (u) => {
      const k = u.kernel;
      const pgalloc = k.mm.pgalloc;
      expect([...k.sched.tasks].map((t) => t.comm)).toContain('kswapd0');
      const zones = pgalloc.zones.filter((z) => z.managed_pages > 0);
      for (const z of zones) {
        z.watermark_boost = 64; // as a fallback steal leaves it (steal_suitable_fallback -> boost_watermark)
        z.boosted_watermark_flag = true;
      }
      const runs = pgalloc.kswapd_runs;
      const pfn = k.on(1, () => pgalloc.alloc_pages(GFP_KERNEL, 0))!;
      expect(pgalloc.kswapd_pending).toBe(true);
      k.run(() => pgalloc.kswapd_runs > runs);
      expect(zones.map((z) => z.watermark_boost)).toEqual(zones.map(() => 0));
      expect(pgalloc.kswapd_pending).toBe(false);
      k.on(1, () => pgalloc.__free_pages(pfn, 0));
    });
  });
});
