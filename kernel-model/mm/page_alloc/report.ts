// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the page allocator says when something is wrong, in Linux's words:
 *
 *   bad_page()     "BUG: Bad page state in process swapper  pfn:0a1b2"
 *                  followed by __dump_page() (mm/debug.c, 5.10) and
 *                  "Disabling lock debugging due to kernel taint" the
 *                  first time (add_taint, TAINT_BAD_PAGE)
 *   warn_alloc()   "swapper: page allocation failure: order:11,
 *                  mode:0xcc0(GFP_KERNEL), nodemask=(null)" followed by
 *                  show_mem() (lib/show_mem.c, show_free_areas())
 *   WARN_ON_ONCE   "------------[ cut here ]------------" /
 *                  "WARNING: CPU: 0 PID: 0 at mm/page_alloc.c:4935
 *                  __alloc_pages_nodemask" / "---[ end trace ... ]---"
 *
 * Differences from Linux, on purpose:
 *   - bad_page() does not reset the page's _mapcount: Linux drops
 *     PageBuddy there ("could make trouble") and may corrupt a free list
 *     later; the model leaves the page as it is, so the lists stay intact.
 *   - pointers: 5.10 prints "page:%p", which on a 64-bit kernel is a
 *     hashed id (siphash of the address with a boot-time random key,
 *     masked to 32 bits: "page:00000000a1b2c3d4"); a deterministic model
 *     has no secret key, so it prints the struct page's real address in
 *     the vmemmap (VMEMMAP_START of the 5.10 VA_BITS=39 layout by
 *     default), as no_hash_pointers (5.12+) would, in the same 16 digits.
 *     The lru words in the "raw:" lines hold PFNs, not pointers.
 *   - WARNING lines name the function without "+0xoff/0xsize": there is
 *     no symbol table for TypeScript. The line number is that of
 *     WARN_ON_ONCE(order >= MAX_ORDER) in 5.10.32's page_alloc.c as seen
 *     in a real report (Open-CAS/open-cas-linux#866).
 *   - no rate limiting by time (there is no jiffies here); bad_page keeps
 *     Linux's burst of 60 reports and then counts suppressed ones.
 *   - dump_stack() is a hook: the kernel that owns the CPUs prints
 *     "CPU: ... Comm: ... / Hardware name: ... / Call trace:".
 */

import type { Printk } from '../../printk';
import { format_gfp_mode, __GFP_DMA, __GFP_NOWARN } from './gfp';
import {
  PAGEFLAG_NAMES,
  NR_PAGEFLAGS,
  W_FLAGS,
  W_FLAGS_HI,
  W_MAPCOUNT,
  W_REFCOUNT,
  type MemMap,
} from './mm_types';
import { free_area_empty, MIGRATE_TYPES, type Zone } from './mmzone';

/** VMEMMAP_START for 5.10 arm64, VA_BITS=39 (reference/uconsole-hw.md §5.3). */
export const VMEMMAP_START_510_VA39 = 0xfffffffeffe00000n;

export interface ReportHooks {
  printk: Printk;
  /** current->comm of the task that called the allocator; "swapper" during boot. */
  comm?: () => string;
  /** current->pid */
  pid?: () => number;
  /** dump_stack(): print "CPU: ... Call trace:" for `cpu`. */
  dumpStack?: (cpu: number) => void;
  /** Where struct page 0 would be in the vmemmap, for "page:%px". */
  vmemmapStart?: bigint;
  /** memstart_addr >> PAGE_SHIFT: the PFN the vmemmap starts at. */
  memstartPfn?: number;
}

/** What show_mem() needs to know about the allocator. */
export interface ShowMemSource {
  readonly zones: readonly Zone[];
  readonly nrCpus: number;
  readonly maxOrder: number;
  readonly mem_map: MemMap;
}

const K = (pages: number): number => pages * 4;
const hex16 = (v: bigint): string => v.toString(16).padStart(16, '0');

export class Reporter {
  /** bad_page's burst counter and the reports it swallowed. */
  private nrShown = 0;
  nrUnshown = 0;
  /** TAINT_BAD_PAGE was added. */
  tainted = false;
  private readonly warned = new Set<string>();
  /** Every report line, also sent to printk; tests read it. */
  readonly printk: Printk;

  constructor(private readonly hooks: ReportHooks) {
    this.printk = hooks.printk;
  }

  comm(): string {
    return this.hooks.comm?.() ?? 'swapper';
  }

  /** %pGp: the names of the PG_ bits set in the low flags word. */
  static format_pageflags(flags: number): string {
    const names: string[] = [];
    for (let b = 0; b < NR_PAGEFLAGS; b++) if (flags & (1 << b)) names.push(PAGEFLAG_NAMES[b]!);
    return names.join('|');
  }

  /**
   * __dump_page(page, reason) as in 5.10 mm/debug.c (non-compound pages,
   * no mapping, not CMA):
   *   pr_warn("page:%p refcount:%d mapcount:%d mapping:%p index:%#lx pfn:%#lx\n", ...)
   *   pr_warn("%sflags: %#lx(%pGp)%s\n", ...)
   *   print_hex_dump("raw: ", 32 bytes a line, 8-byte words)
   *   pr_warn("page dumped because: %s\n", reason)
   * (formats checked against mm/debug.c of v5.10.13, whose first line
   * ends in " pfn:%#lx"). The kernel's vsprintf prints %#lx of 0 as "0x0".
   */
  dump_page(mem_map: MemMap, pfn: number, reason: string | null): void {
    const i = mem_map.idx(pfn);
    const w = mem_map.w;
    const rawMapcount = w[i + W_MAPCOUNT]!;
    // page_mapcount() reads _mapcount + 1, page types included (buddy gives -128).
    const mapcount = rawMapcount + 1;
    const va = (this.hooks.vmemmapStart ?? VMEMMAP_START_510_VA39) + BigInt(pfn - (this.hooks.memstartPfn ?? 0)) * 64n;
    const p = this.printk;
    p(
      `page:${hex16(va)} refcount:${w[i + W_REFCOUNT]} mapcount:${mapcount} mapping:0000000000000000 ` +
        `index:0x${(mem_map.page_index(pfn) >>> 0).toString(16)} pfn:0x${pfn.toString(16)}`,
    );
    const flags64 = (BigInt(w[i + W_FLAGS_HI]! >>> 0) << 32n) | BigInt(w[i + W_FLAGS]! >>> 0);
    p(`flags: 0x${flags64.toString(16)}(${Reporter.format_pageflags(w[i + W_FLAGS]!)})`);
    for (let line = 0; line < 2; line++) {
      const quads: string[] = [];
      for (let q = 0; q < 4; q++) {
        const lo = BigInt(w[i + line * 8 + q * 2]! >>> 0);
        const hi = BigInt(w[i + line * 8 + q * 2 + 1]! >>> 0);
        quads.push(hex16((hi << 32n) | lo));
      }
      p(`raw: ${quads.join(' ')}`);
    }
    if (reason) p(`page dumped because: ${reason}`);
  }

  /**
   * bad_page: report a page in a state the allocator cannot accept. The
   * page is left alone (see the header).
   */
  bad_page(mem_map: MemMap, pfn: number, reason: string | null, cpu: number): void {
    if (this.nrShown === 60) {
      this.nrUnshown++;
      return;
    }
    this.nrShown++;
    this.printk(`BUG: Bad page state in process ${this.comm()}  pfn:${pfn.toString(16).padStart(5, '0')}`);
    this.dump_page(mem_map, pfn, reason);
    this.printk('Modules linked in:');
    this.hooks.dumpStack?.(cpu);
    this.add_taint_bad_page();
  }

  /** A PFN with no struct page at all: Linux would oops on virt_to_page; we say so and go on. */
  bad_pfn(pfn: number, what: string): void {
    this.printk(`BUG: Bad page state in process ${this.comm()}  pfn:${Math.max(0, pfn).toString(16).padStart(5, '0')}`);
    this.printk(`page dumped because: ${what}`);
    this.add_taint_bad_page();
  }

  private add_taint_bad_page(): void {
    if (!this.tainted) this.printk('Disabling lock debugging due to kernel taint');
    this.tainted = true;
  }

  /** WARN_ON_ONCE(cond) at file:line in func. */
  warn_on_once(key: string, where: string, func: string, cpu: number): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(where, func, cpu);
  }

  /** __warn(): the cut-here block. */
  warn(where: string, func: string, cpu: number): void {
    const p = this.printk;
    p('------------[ cut here ]------------');
    p(`WARNING: CPU: ${cpu} PID: ${this.hooks.pid?.() ?? 0} at ${where} ${func}`);
    p('Modules linked in:');
    this.hooks.dumpStack?.(cpu);
    p('---[ end trace 0000000000000000 ]---');
  }

  /**
   * warn_alloc: the allocation-failure report, unless __GFP_NOWARN (or a
   * __GFP_DMA request on a machine without DMA memory).
   */
  warn_alloc(src: ShowMemSource, gfp: number, what: string, cpu: number): void {
    if (gfp & __GFP_NOWARN) return;
    if (gfp & __GFP_DMA && src.zones[0]!.managed_pages === 0) return;
    this.printk(`${this.comm()}: ${what}, ${format_gfp_mode(gfp)}, nodemask=(null)`);
    this.hooks.dumpStack?.(cpu);
    this.show_mem(src, cpu);
  }

  /** show_mem() with show_free_areas(): the "Mem-Info:" block. */
  show_mem(src: ShowMemSource, cpu: number): void {
    const p = this.printk;
    const populated = src.zones.filter((z) => z.populated_zone());
    let freeAll = 0;
    let freePcp = 0;
    for (const z of populated) {
      freeAll += z.nr_free_pages;
      for (let c = 0; c < src.nrCpus; c++) freePcp += z.pcp.count(c);
    }
    p('Mem-Info:');
    p(
      'active_anon:0 inactive_anon:0 isolated_anon:0\n' +
        ' active_file:0 inactive_file:0 isolated_file:0\n' +
        ' unevictable:0 dirty:0 writeback:0\n' +
        ' slab_reclaimable:0 slab_unreclaimable:0\n' +
        ' mapped:0 shmem:0 pagetables:0 bounce:0\n' +
        ` free:${freeAll} free_pcp:${freePcp} free_cma:0`,
    );
    p(
      'Node 0 active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB ' +
        'isolated(anon):0kB isolated(file):0kB mapped:0kB dirty:0kB writeback:0kB shmem:0kB ' +
        'writeback_tmp:0kB kernel_stack:0kB all_unreclaimable? no',
    );
    for (const z of populated) {
      let zPcp = 0;
      for (let c = 0; c < src.nrCpus; c++) zPcp += z.pcp.count(c);
      p(
        `${z.name} free:${K(z.nr_free_pages)}kB min:${K(z.min_wmark_pages())}kB low:${K(z.low_wmark_pages())}kB ` +
          `high:${K(z.high_wmark_pages())}kB reserved_highatomic:${K(z.nr_reserved_highatomic)}KB ` +
          'active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB writepending:0kB ' +
          `present:${K(z.present_pages)}kB managed:${K(z.managed_pages)}kB mlocked:0kB pagetables:0kB bounce:0kB ` +
          `free_pcp:${K(zPcp)}kB local_pcp:${K(cpu < src.nrCpus ? z.pcp.count(cpu) : 0)}kB free_cma:0kB`,
      );
      p(`lowmem_reserve[]: ${Array.from(z.lowmem_reserve).join(' ')}`);
    }
    for (const z of populated) p(`${z.name}: ${format_free_areas(src, z)}`);
    p('0 total pagecache pages');
    let total = 0;
    let reserved = 0;
    for (const z of populated) {
      total += z.present_pages;
      reserved += z.present_pages - z.managed_pages;
    }
    p(`${total} pages RAM`);
    p('0 pages HighMem/MovableOnly');
    p(`${reserved} pages reserved`);
    p('0 pages cma reserved');
  }
}

/** show_migration_types letters: U M E H C I. */
const MIGRATION_LETTERS = 'UMEHCI';

/** The "1*4kB (U) 0*8kB ... = 1234kB" tail of a show_free_areas zone line. */
export function format_free_areas(src: ShowMemSource, z: Zone): string {
  const parts: string[] = [];
  let total = 0;
  for (let order = 0; order < src.maxOrder; order++) {
    const nr = z.nrFree[order]!;
    total += nr << order;
    let s = `${nr}*${4 << order}kB `;
    if (nr) {
      let letters = '';
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) if (!free_area_empty(z, order, mt)) letters += MIGRATION_LETTERS[mt];
      s += `(${letters}) `;
    }
    parts.push(s);
  }
  return `${parts.join('')}= ${K(total)}kB`;
}
