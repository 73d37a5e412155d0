// SPDX-License-Identifier: GPL-2.0-only
/*
 * The address space's checker and its naive oracle.
 *
 * check_mm walks an MmStruct's areas and its translation tables and
 * reports every broken invariant of mm/mmap.ts: areas aligned, non-empty,
 * sorted, disjoint; every valid user pte inside an area and carrying the
 * area's permissions; rss equal to the pages the tables map that the mm
 * owns.
 *
 * NaiveAddressSpace is the plainly correct model the property tests hold
 * it to: one entry per page of address space, holding the page's flags,
 * with mmap, munmap and mprotect as loops over pages.
 */

import { PageTable, PTE_RDONLY, PTE_USER } from '../arch/arm64/pgtable';
import { MmStruct, PAGE, VM_PFNMAP, VM_SHARED, vm_get_page_prot } from './mmap';

export function check_mm(mm: MmStruct): string[] {
  const errors: string[] = [];
  const hex = (v: bigint): string => `0x${v.toString(16)}`;
  mm.vmas.forEach((v, i) => {
    if (v.start >= v.end) errors.push(`area ${i} is empty or inverted (${hex(v.start)}-${hex(v.end)})`);
    if (v.start % PAGE || v.end % PAGE) errors.push(`area ${i} is not page aligned (${hex(v.start)}-${hex(v.end)})`);
    const next = mm.vmas[i + 1];
    if (next && next.start < v.end) errors.push(`areas ${i} and ${i + 1} overlap or are out of order`);
  });
  let owned = 0;
  mm.pgd.forEachPage((va, pte) => {
    const v = mm.vma_at(va);
    if (!v) {
      errors.push(`pte for ${hex(va)} outside every area`);
      return;
    }
    const want = PageTable.mkPte(PageTable.pteAddr(pte), vm_get_page_prot(v.flags));
    const cow = !(v.flags & (VM_SHARED | VM_PFNMAP)) ? want | PTE_RDONLY : want; // write-protected since fork
    if (pte !== want && pte !== cow) errors.push(`pte for ${hex(va)} is ${hex(pte)}, the area's flags make it ${hex(want)}`);
    if (!(pte & PTE_USER)) errors.push(`pte for ${hex(va)} is not user accessible`);
    if (!(v.flags & VM_PFNMAP)) owned++;
  });
  if (owned !== mm.rss) errors.push(`rss is ${mm.rss}, the tables map ${owned} owned pages`);
  return errors;
}

/** The oracle: flags per page, 0 for none. */
export class NaiveAddressSpace {
  readonly pages = new Map<bigint, number>();

  map(start: bigint, end: bigint, flags: number): void {
    for (let p = start; p < end; p += PAGE) this.pages.set(p, flags);
  }

  unmap(start: bigint, end: bigint): void {
    for (let p = start; p < end; p += PAGE) this.pages.delete(p);
  }

  protect(start: bigint, end: bigint, set: (old: number) => number): void {
    for (let p = start; p < end; p += PAGE) {
      const f = this.pages.get(p);
      if (f !== undefined) this.pages.set(p, set(f));
    }
  }

  free(start: bigint, end: bigint): boolean {
    for (let p = start; p < end; p += PAGE) if (this.pages.has(p)) return false;
    return true;
  }

  /** Differences from the real address space, page by page. */
  compare(mm: MmStruct): string[] {
    const errors: string[] = [];
    for (const [p, f] of this.pages) {
      const v = mm.vma_at(p);
      if (!v) errors.push(`page 0x${p.toString(16)} should be mapped`);
      else if (v.flags !== f) errors.push(`page 0x${p.toString(16)} has flags ${v.flags}, expected ${f}`);
    }
    for (const v of mm.vmas) for (let p = v.start; p < v.end; p += PAGE) if (!this.pages.has(p)) errors.push(`page 0x${p.toString(16)} should not be mapped`);
    return errors;
  }
}
