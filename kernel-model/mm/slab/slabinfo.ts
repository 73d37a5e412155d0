// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/slabinfo, version 2.1 (mm/slab_common.c print_slabinfo_header,
 * cache_show): one line per cache,
 *
 *   name active_objs num_objs objsize objperslab pagesperslab
 *     : tunables limit batchcount sharedfactor
 *     : slabdata active_slabs num_slabs sharedavail
 *
 * with Linux's field widths. The caches are magazine caches (slab.ts), so
 * the tunables are SLAB's: limit is the magazine size (objects a CPU may
 * hold in one magazine), batchcount the same (a whole magazine moves to
 * or from the depot at once), sharedfactor 0 (no shared array). As in
 * SLAB, objects in the per-CPU magazines count as active.
 */

import type { Slab } from './slab';

function pad(v: number | string, w: number): string {
  return String(v).padStart(w);
}

export function slabinfo(slab: Slab): string {
  const lines = [
    'slabinfo - version: 2.1',
    '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>',
  ];
  for (const s of [...slab.caches].reverse()) {
    const pp = s.pc.pc_pool;
    const ipp = pp.pr_itemsperpage;
    const numSlabs = pp.pr_npages;
    const activeSlabs = numSlabs - pp.pr_nidle;
    const lim = s.pc.pc_pcgsize;
    lines.push(
      `${s.name.padEnd(17)} ${pad(pp.pr_nout, 6)} ${pad(numSlabs * ipp, 6)} ${pad(s.size, 6)} ${pad(ipp, 4)} ${pad(1 << s.order, 4)}` +
        ` : tunables ${pad(lim, 4)} ${pad(lim, 4)} ${pad(0, 4)} : slabdata ${pad(activeSlabs, 6)} ${pad(numSlabs, 6)} ${pad(0, 6)}`,
    );
  }
  return lines.join('\n') + '\n';
}
