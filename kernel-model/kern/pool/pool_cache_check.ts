// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkers for pools and pool caches (in the spirit of NetBSD's
 * pool_chk / pool_chk_page in sys/kern/subr_pool.c, extended to the
 * magazines).
 *
 * Each checker returns one line per violated invariant, [] when sane.
 */

import { hex } from '../diagnostic';
import { pool_item_out, type Pool, type PoolPage } from './subr_pool';
import type { Pcg, PoolCache } from './pool_cache';

function check_page(pp: Pool, ph: PoolPage, errors: string[]): number {
  const ipp = pp.pr_itemsperpage;
  const where = `pool ${pp.pr_wchan} page ${hex(ph.ph_page)}`;
  let flagged = 0;
  for (let i = 0; i < ipp; i++) flagged += ph.ph_isfree[i]!;
  if (flagged !== ph.ph_nfree) errors.push(`${where}: ${flagged} items flagged free, ${ph.ph_nfree} on the free stack`);
  const seen = new Set<number>();
  for (let k = 0; k < ph.ph_nfree; k++) {
    const idx = ph.ph_freestack[k]!;
    if (ph.ph_isfree[idx] !== 1) errors.push(`${where}: item ${idx} on the free stack but not flagged free`);
    if (seen.has(idx)) errors.push(`${where}: item ${idx} twice on the free stack`);
    seen.add(idx);
  }
  if (ph.ph_nmissing !== ipp - ph.ph_nfree) errors.push(`${where}: nmissing ${ph.ph_nmissing} != ${ipp} - ${ph.ph_nfree} free`);
  const want = ph.ph_nmissing === 0 ? 'empty' : ph.ph_nmissing === ipp ? 'full' : 'part';
  const list = want === 'empty' ? pp.pr_emptypages : want === 'full' ? pp.pr_fullpages : pp.pr_partpages;
  if (ph.ph_list !== want || !list.has(ph)) errors.push(`${where}: nmissing ${ph.ph_nmissing} but on the ${ph.ph_list} list`);
  return ph.ph_nfree;
}

/** pool_check: pages, lists and totals of one pool. */
export function pool_check(pp: Pool): string[] {
  const errors: string[] = [];
  let free = 0;
  let out = 0;
  pp.pr_pages.forEach((ph, i) => {
    const prev = pp.pr_pages[i - 1];
    if (prev && prev.ph_page + pp.pr_alloc.pa_pagesz > ph.ph_page) {
      errors.push(`pool ${pp.pr_wchan}: pages ${hex(prev.ph_page)} and ${hex(ph.ph_page)} overlap or are out of order`);
    }
    const nfree = check_page(pp, ph, errors);
    free += nfree;
    out += pp.pr_itemsperpage - nfree;
  });
  const listed = pp.pr_emptypages.size + pp.pr_partpages.size + pp.pr_fullpages.size;
  if (listed !== pp.pr_pages.length) errors.push(`pool ${pp.pr_wchan}: ${listed} pages on lists, ${pp.pr_pages.length} known`);
  if (free !== pp.pr_nitems) errors.push(`pool ${pp.pr_wchan}: pr_nitems ${pp.pr_nitems}, pages have ${free} free`);
  if (out !== pp.pr_nout) errors.push(`pool ${pp.pr_wchan}: pr_nout ${pp.pr_nout}, pages have ${out} out`);
  if (pp.pr_nget - pp.pr_nput !== pp.pr_nout) errors.push(`pool ${pp.pr_wchan}: nget ${pp.pr_nget} - nput ${pp.pr_nput} != nout ${pp.pr_nout}`);
  return errors;
}

/** Every magazine of the cache with where it is, for reports. */
function pc_magazines(pc: PoolCache): { pcg: Pcg; where: string }[] {
  const all: { pcg: Pcg; where: string }[] = [];
  pc.pc_cpus.forEach((cc, cpu) => {
    all.push({ pcg: cc.cc_current, where: `cpu${cpu} current` }, { pcg: cc.cc_previous, where: `cpu${cpu} previous` });
  });
  for (const [list, name] of [[pc.pc_fullgroups, 'full'], [pc.pc_emptygroups, 'empty'], [pc.pc_partgroups, 'part']] as const) {
    list.forEach((pcg, i) => all.push({ pcg, where: `depot ${name}[${i}]` }));
  }
  return all;
}

/** A depot magazine must be as full as its list says. */
function check_depot_shape(pcg: Pcg, where: string, prefix: string, errors: string[]): void {
  const n = `${pcg.pcg_avail}/${pcg.pcg_size}`;
  if (where.startsWith('depot full') && pcg.pcg_avail !== pcg.pcg_size) errors.push(`${prefix} ${where}: ${n} on the full list`);
  if (where.startsWith('depot empty') && pcg.pcg_avail !== 0) errors.push(`${prefix} ${where}: ${pcg.pcg_avail} objects on the empty list`);
  if (where.startsWith('depot part') && (pcg.pcg_avail === 0 || pcg.pcg_avail === pcg.pcg_size)) errors.push(`${prefix} ${where}: ${n} on the part list`);
}

/**
 * The objects cached in the magazines, after checking that each magazine
 * is shaped as its place requires and that no object is in two places or
 * free in the pool.
 */
export function pool_cache_cached(pc: PoolCache, errors: string[]): Set<number> {
  const cached = new Set<number>();
  const name = pc.pc_pool.pr_wchan;
  const groups = new Set<Pcg>();
  for (const { pcg, where } of pc_magazines(pc)) {
    if (pcg === pc.pc_store.dummy) continue;
    if (groups.has(pcg)) errors.push(`pool_cache ${name}: a magazine is in two places (${where})`);
    groups.add(pcg);
    if (pcg.pcg_size !== pc.pc_pcgsize || pcg.pcg_avail < 0 || pcg.pcg_avail > pcg.pcg_size) {
      errors.push(`pool_cache ${name} ${where}: avail ${pcg.pcg_avail} size ${pcg.pcg_size}`);
    }
    check_depot_shape(pcg, where, `pool_cache ${name}`, errors);
    for (let i = 0; i < pcg.pcg_avail; i++) {
      const obj = pcg.pcg_get(i);
      if (cached.has(obj)) errors.push(`pool_cache ${name}: ${hex(obj)} cached twice (again in ${where})`);
      else if (!pool_item_out(pc.pc_pool, obj)) errors.push(`pool_cache ${name}: ${hex(obj)} in ${where} is free in the pool`);
      cached.add(obj);
    }
  }
  if (groups.size !== pc.pc_ngroups) errors.push(`pool_cache ${name}: ${groups.size} magazines reachable, ${pc.pc_ngroups} allocated`);
  return cached;
}

/** pool_cache_check: the pool's invariants plus the magazines'. */
export function pool_cache_check(pc: PoolCache): string[] {
  const errors = pool_check(pc.pc_pool);
  const cached = pool_cache_cached(pc, errors);
  if (cached.size > pc.pc_pool.pr_nout) errors.push(`pool_cache ${pc.pc_pool.pr_wchan}: ${cached.size} cached > ${pc.pc_pool.pr_nout} out of the pool`);
  return errors;
}
