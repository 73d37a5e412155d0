// SPDX-License-Identifier: GPL-2.0-only
/*
 * setup_per_cpu_areas on the booted kernel, as arm64 Linux does it: the
 * embedded first chunk (mm/percpu.c, 5.10: pcpu_build_alloc_info,
 * pcpu_embed_first_chunk, pcpu_setup_first_chunk, pcpu_alloc_first_chunk).
 *
 * Geometry. Each CPU gets one unit: the image's static per-CPU section
 * (`s`, __per_cpu_start..__per_cpu_end: the kernel model's own per-CPU
 * variables), then the reserved area for modules (`r`, 8 KiB), then the
 * dynamic area (`d`, at least PERCPU_DYNAMIC_RESERVE, grown to fill the
 * last page); the unit is that sum rounded to pages, at least 32 KiB
 * (`u`). One group holds every CPU's unit, consecutively, in memory from
 * memblock: unit i starts at base + i * u. __per_cpu_offset[cpu] is the
 * distance from __per_cpu_start to the CPU's unit, which set_my_cpu_offset
 * loads into TPIDR_EL1; a __percpu pointer is an address in the static
 * section's space (__per_cpu_start + offset in the unit), and
 * per_cpu_ptr(p, cpu) = p + __per_cpu_offset[cpu].
 *
 * Allocation. The reserved area is the reserved chunk, the dynamic area
 * the first chunk, both served by the chunk allocator percpu_alloc_map=
 * picks (the seed's bitmap allocator, default, or the area map it
 * replaced); __alloc_percpu and free_percpu go through the slot lists
 * (slots.ts). When the first chunk is full, a new chunk is made as
 * pcpu_create_chunk does with the vm allocator (pcpu_get_vm_areas): one
 * vmalloc range for all units, laid out as the first chunk's units are, so
 * that per_cpu_ptr's __per_cpu_offset[cpu] lands in CPU cpu's unit of any
 * chunk; its pages are allocated and mapped when an allocation first
 * covers them (pcpu_populate_chunk), in every unit. Like Linux's
 * __alloc_percpu, an allocation is zeroed in every CPU's copy. The
 * balance work (pcpu_balance_workfn) runs on the system workqueue when an
 * allocation leaves fewer than PCPU_EMPTY_POP_PAGES_LOW empty populated
 * pages, or a free empties a chunk while another empty one exists: it
 * destroys every empty chunk but one and populates ahead for atomic
 * requests. The chunks' metadata is host memory, counted as Linux would
 * allocate it.
 *
 * Static per-CPU variables (static_vars.ts: cpu_number, vm_event_states,
 * boot_pageset, boot_nodestats) are in every unit from setup on; the
 * page allocator's pagesets follow in the first chunk's dynamic area.
 * TypeScript reaches both through first_chunk_words (one view of all
 * units, words.ts).
 *
 * Lines, as Linux prints them:
 *   percpu: Embedded 10 pages/cpu s896 r8192 d31872 u40960
 *   pcpu-alloc: s896 r8192 d31872 u40960 alloc=10*4096
 *   pcpu-alloc: [0] 0 [0] 1 [0] 2 [0] 3
 */

import type { Kernel } from '../../kernel';
import { KIMAGE_VADDR } from '../../arch/arm64/memory';
import { PAGE_SIZE } from '../../arch/arm64/page-def';
import { AreaChunk } from './area-chunk';
import { BitmapChunk } from './bitmap-chunk';
import { HostMetaAllocator, PcpuEmptyPages, pcpu_work, pcpu_request_align, pcpu_request_size, pcpu_request_warning, pcpu_warn, type PcpuAllocMap, type PcpuChunk } from './percpu-internal';
import { PcpuChunkSet } from './slots';
import { WorkStruct, schedule_work } from '../../kernel/workqueue';
import { PcpuGlobalStats, pcpu_stats_chunk_alloc, percpu_stats_show, type PcpuAllocInfo } from './stats';
import { STATIC_PERCPU_VARS } from './static_vars';
import type { PercpuPlace, PercpuWords } from './words';

/** PERCPU_MODULE_RESERVE (CONFIG_MODULES). */
export const PERCPU_MODULE_RESERVE = 8 << 10;
/** PERCPU_DYNAMIC_RESERVE on 64-bit kernels. */
export const PERCPU_DYNAMIC_RESERVE = 28 << 10;
export const PERCPU_DYNAMIC_EARLY_SIZE = 12 << 10;
export const PCPU_MIN_UNIT_SIZE = 32 << 10;

/**
 * The cost model of percpu's TypeScript work, in instructions, charged to
 * the kernel thread that does it (Kernel.charge, as vmalloc charges
 * VMALLOC_COST): a plain model, not a measurement. Page population and
 * chunk creation are vmalloc's work and charged there.
 */
export const PCPU_COST = {
  /** pcpu_alloc or free_percpu: the checks, pcpu_alloc_mutex and pcpu_lock, the slot lists, the chunk lookup. */
  call: 300,
  /** One metadata word or area-map entry the chunk allocator touches (pcpu_work): a load, a test, a branch. */
  word: 4,
  /** __alloc_percpu's memset of every CPU's copy: bytes per store instruction (stp of two registers). */
  zeroBytesPerInsn: 16,
} as const;

const pfnAlign = (x: number): number => Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;

export interface PcpuGeometry extends PcpuAllocInfo {
  /** Units per allocation (upa) and units in the one group. */
  upa: number;
  nr_units: number;
}

/** pcpu_build_alloc_info for one group of `nrCpus` CPUs (the boards are UMA: pcpu_cpu_distance is LOCAL for all). */
export function pcpu_build_alloc_info(staticSize: number, reservedSize: number, dynSize: number, atomSize: number, nrCpus: number): PcpuGeometry {
  const sizeSum = pfnAlign(staticSize + reservedSize + Math.max(dynSize, PERCPU_DYNAMIC_EARLY_SIZE));
  const dyn = sizeSum - staticSize - reservedSize;
  const minUnitSize = Math.max(sizeSum, PCPU_MIN_UNIT_SIZE);
  const allocSize = Math.ceil(minUnitSize / atomSize) * atomSize;
  const fits = (upa: number): boolean => allocSize % upa === 0 && (allocSize / upa) % PAGE_SIZE === 0;
  let maxUpa = Math.floor(allocSize / minUnitSize);
  while (!fits(maxUpa)) maxUpa--;
  // Expand the unit until at least 2/3 of the units are used, without using more allocations.
  let best = 1;
  let lastAllocs = Infinity;
  for (let upa = maxUpa; upa > 0; upa--) {
    if (!fits(upa)) continue;
    const allocs = Math.ceil(nrCpus / upa);
    const wasted = allocs * upa - nrCpus;
    if (wasted > Math.floor(nrCpus / 3)) continue;
    if (allocs > lastAllocs) break;
    lastAllocs = allocs;
    best = upa;
  }
  return {
    static_size: staticSize,
    reserved_size: reservedSize,
    dyn_size: dyn,
    unit_size: allocSize / best,
    atom_size: atomSize,
    alloc_size: allocSize,
    upa: best,
    nr_units: Math.ceil(nrCpus / best) * best,
  };
}

/** The embed line and pcpu_dump_alloc_info's lines (one group, unit i = CPU i). */
export function percpu_boot_lines(ai: PcpuGeometry, nrCpus: number): string[] {
  const sizes = `s${ai.static_size} r${ai.reserved_size} d${ai.dyn_size} u${ai.unit_size}`;
  const cpuWidth = String(Math.max(nrCpus - 1, 0)).length;
  const width = ai.upa * (cpuWidth + 1) + 1 + 3; // group_width 1
  const apl = 2 ** Math.floor(Math.log2(Math.max(Math.floor(60 / width), 1)));
  const lines = [`percpu: Embedded ${ai.unit_size / PAGE_SIZE} pages/cpu ${sizes}`, `pcpu-alloc: ${sizes} alloc=${ai.alloc_size / ai.atom_size}*${ai.atom_size}`];
  let line = '';
  for (let unit = 0; unit < ai.nr_units; unit++) {
    if (unit % apl === 0) {
      if (line) lines.push(line);
      line = 'pcpu-alloc: ';
    }
    if (unit % ai.upa === 0) line += '[0] ';
    line += unit < nrCpus ? `${String(unit).padStart(cpuWidth, '0')} ` : `${'-'.repeat(cpuWidth)} `;
  }
  if (line) lines.push(line);
  return lines;
}

/** percpu_alloc_map= on the command line. */
export function percpu_alloc_map_param(value: string | undefined, printk: (l: string) => void): PcpuAllocMap {
  if (value === undefined || value === 'bitmap') return 'bitmap';
  if (value === 'area') return 'area';
  printk(`percpu_alloc_map=${value}: unknown (bitmap or area); using bitmap`);
  return 'bitmap';
}

/** The kernel's percpu allocator over the embedded first chunk. */
export class Percpu {
  readonly stats: PcpuGlobalStats;
  private readonly set: PcpuChunkSet;
  private readonly emptyPages = new PcpuEmptyPages();
  readonly meta = new HostMetaAllocator();
  readonly reserved: PcpuChunk;
  readonly first: PcpuChunk;
  /** The vmalloc range of each chunk after the first (its unit 0). */
  private readonly vmBase = new Map<PcpuChunk, bigint>();
  /** pcpu_balance_work. */
  private readonly balanceWork = new WorkStruct(() => this.pcpu_balance_workfn(), 'pcpu_balance_work');
  /** Times the balance work has run. */
  balanceRuns = 0;

  /** Is the balance work queued or running? */
  get balancePending(): boolean {
    return this.balanceWork.pending || this.balanceWork.running;
  }

  /** Chunks made from vmalloc that exist now. */
  get vmChunks(): number {
    return this.vmBase.size;
  }

  constructor(
    private readonly k: Kernel,
    readonly ai: PcpuGeometry,
    readonly kind: PcpuAllocMap,
    /** pcpu_base_addr: physical address of unit 0. */
    readonly basePa: number,
    readonly offsets: bigint[],
  ) {
    this.stats = new PcpuGlobalStats(ai.unit_size);
    const printk = k.printk;
    const make = kind === 'bitmap' ? BitmapChunk : AreaChunk;
    // pcpu_alloc_first_chunk: each region from its page-aligned start, the part before it hidden.
    const region = (from: number, size: number, reserved: boolean): PcpuChunk => {
      const start = from % PAGE_SIZE;
      const bytes = pfnAlign(start + size);
      const c = make.create({
        nr_pages: bytes / PAGE_SIZE, meta: this.meta, printk, unit_size: ai.unit_size, start_offset: start,
        end_offset: bytes - (start + size), populated: true, reserved, emptyPages: this.emptyPages,
      });
      if (!c) throw new Error('percpu: no memory for the first chunk\'s metadata');
      return c;
    };
    this.reserved = region(ai.static_size, ai.reserved_size, true);
    this.first = region(ai.static_size + ai.reserved_size, ai.dyn_size, false);
    this.set = new PcpuChunkSet({
      unit_size: ai.unit_size, printk, emptyPages: this.emptyPages, stats: this.stats, reserved: this.reserved,
      create: () => this.pcpu_create_chunk(make),
      populate: (c, rs, re) => this.pcpu_populate_chunk(c, rs, re),
      depopulate: (c, rs, re) => this.pcpu_depopulate_chunk(c, rs, re),
      release: (c) => this.pcpu_destroy_chunk(c),
    });
    this.set.add(this.first);
    pcpu_stats_chunk_alloc(this.stats); // the first chunk counts, as pcpu_setup_first_chunk counts it
  }

  /* ---- chunks after the first: the vm allocator ------------------------------ */

  /** pcpu_create_chunk: an unpopulated chunk over a fresh vmalloc range for every unit. */
  private pcpu_create_chunk(make: typeof BitmapChunk | typeof AreaChunk): PcpuChunk | null {
    const bytes = this.ai.nr_units * this.ai.unit_size;
    const base = this.k.mm.vmalloc.get_vm_area_only(bytes, 'pcpu_get_vm_areas');
    if (base === 0n) return null;
    const c = make.create({ nr_pages: this.ai.unit_size / PAGE_SIZE, meta: this.meta, printk: this.k.printk, unit_size: this.ai.unit_size, emptyPages: this.emptyPages });
    if (!c) {
      this.k.mm.vmalloc.free_vm_area(base);
      return null;
    }
    this.vmBase.set(c, base);
    return c;
  }

  private pageVa(c: PcpuChunk, unit: number, page: number): bigint {
    return this.vmBase.get(c)! + BigInt(unit * this.ai.unit_size + page * PAGE_SIZE);
  }

  /** pcpu_populate_chunk: pages [rs, re) of every unit allocated and mapped; all or nothing. */
  private pcpu_populate_chunk(c: PcpuChunk, rs: number, re: number): boolean {
    const vm = this.k.mm.vmalloc;
    const mapped: bigint[] = [];
    for (let unit = 0; unit < this.ai.nr_units; unit++) {
      for (let page = rs; page < re; page++) {
        const va = this.pageVa(c, unit, page);
        if (!vm.map_new_page(va)) {
          for (const m of mapped) vm.unmap_free_page(m);
          return false;
        }
        mapped.push(va);
      }
    }
    return true;
  }

  /** pcpu_depopulate_chunk: pages [rs, re) of every unit unmapped and freed, then the TLBs flushed. */
  private pcpu_depopulate_chunk(c: PcpuChunk, rs: number, re: number): void {
    const vm = this.k.mm.vmalloc;
    for (let unit = 0; unit < this.ai.nr_units; unit++) for (let page = rs; page < re; page++) vm.unmap_free_page(this.pageVa(c, unit, page));
    this.k.flush_tlb_kernel_range(this.pageVa(c, 0, rs), this.pageVa(c, this.ai.nr_units - 1, re));
  }

  /** pcpu_destroy_chunk's vm part. */
  private pcpu_destroy_chunk(c: PcpuChunk): void {
    const base = this.vmBase.get(c);
    if (base === undefined) return;
    this.k.mm.vmalloc.free_vm_area(base);
    this.vmBase.delete(c);
  }

  /* ---- pointers ------------------------------------------------------------ */

  /** The address of unit 0 of a chunk's region start (pcpu_chunk_addr(chunk, 0, 0)). */
  private chunkAddr(c: PcpuChunk): bigint {
    const vm = this.vmBase.get(c);
    if (vm !== undefined) return vm;
    const inUnit = c === this.reserved ? pageDown(this.ai.static_size) : pageDown(this.ai.static_size + this.ai.reserved_size);
    return this.unit0 + BigInt(inUnit);
  }

  /** pcpu_base_addr: unit 0 of the first chunk, in the linear map. */
  private get unit0(): bigint {
    return this.k.arch.linear.va(this.basePa);
  }

  private get perCpuStart(): bigint {
    return this.k.vaddr('__per_cpu_start');
  }

  /** __addr_to_pcpu_ptr: unit-0 address -> __percpu pointer. */
  private addrToPtr(addr: bigint): bigint {
    return BigInt.asUintN(64, addr - this.unit0 + this.perCpuStart);
  }

  /** __alloc_percpu(size, align): a zeroed __percpu pointer, or 0n (with the allocator's warning). */
  __alloc_percpu(size: number, align: number, reserved = false): bigint {
    const work = pcpu_work.words;
    const ptr = this.pcpu_alloc(size, align, reserved);
    const zeroing = ptr === 0n ? 0 : Math.ceil(size / PCPU_COST.zeroBytesPerInsn) * this.offsets.length;
    this.k.charge(PCPU_COST.call + (pcpu_work.words - work) * PCPU_COST.word + zeroing);
    return ptr;
  }

  /** __alloc_reserved_percpu: from the reserved chunk (PERCPU_MODULE_RESERVE, modules' static per-CPU data). */
  __alloc_reserved_percpu(size: number, align: number): bigint {
    return this.__alloc_percpu(size, align, true);
  }

  private pcpu_alloc(size: number, align: number, reserved: boolean): bigint {
    // pcpu_alloc checks the request before any chunk is searched or made.
    const granule = this.first.min_alloc_size;
    const warning = pcpu_request_warning(pcpu_request_size(size, granule), pcpu_request_align(align, granule));
    if (warning) {
      pcpu_warn(this.k.printk, 'pcpu_alloc', warning);
      return 0n;
    }
    const r = reserved ? this.set.allocReserved(size, align) : this.set.alloc(size, align);
    if (!r) return 0n;
    if (this.set.needPopulation()) this.pcpu_schedule_balance_work();
    const ptr = this.addrToPtr(this.chunkAddr(r.chunk) + BigInt(r.off));
    const zero = new Uint8Array(size);
    for (let cpu = 0; cpu < this.offsets.length; cpu++) this.k.arch.kmem.write(this.per_cpu_ptr(ptr, cpu), zero);
    return ptr;
  }

  /** free_percpu(ptr): the chunk is found by address, as pcpu_chunk_addr_search does. */
  free_percpu(ptr: bigint): void {
    if (ptr === 0n) return;
    const work = pcpu_work.words;
    this.pcpu_free(ptr);
    this.k.charge(PCPU_COST.call + (pcpu_work.words - work) * PCPU_COST.word);
  }

  private pcpu_free(ptr: bigint): void {
    const chunk = this.chunkOf(BigInt.asUintN(64, ptr - this.perCpuStart + this.unit0));
    if (!chunk) return void this.k.printk(`percpu: free_percpu of 0x${ptr.toString(16)}, which no chunk holds`);
    if (this.set.free(chunk.c, chunk.off) && this.set.needBalance(chunk.c)) this.pcpu_schedule_balance_work();
  }

  /** pcpu_schedule_balance_work: on the system workqueue, from the CPU the caller runs on. */
  private pcpu_schedule_balance_work(): void {
    if (this.k.this_cpu.active) schedule_work(this.k, this.balanceWork);
  }

  /** pcpu_balance_workfn: empty chunks but one destroyed, empty populated pages topped up. */
  private pcpu_balance_workfn(): void {
    const work = pcpu_work.words;
    this.balanceRuns++;
    this.set.pcpu_balance_free();
    this.set.pcpu_balance_populated();
    this.k.charge(PCPU_COST.call + (pcpu_work.words - work) * PCPU_COST.word);
  }

  /** The chunk serving a unit-0 address, and the offset in it. */
  private chunkOf(addr: bigint): { c: PcpuChunk; off: number } | undefined {
    const { static_size: s, reserved_size: r, dyn_size: d } = this.ai;
    const inUnit = Number(addr - this.unit0);
    if (addr >= this.unit0 && inUnit >= s && inUnit < s + r + d) {
      const c = inUnit < s + r ? this.reserved : this.first;
      return { c, off: Number(addr - this.chunkAddr(c)) };
    }
    for (const [c, base] of this.vmBase) if (addr >= base && addr < base + BigInt(this.ai.unit_size)) return { c, off: Number(addr - base) };
    return undefined;
  }

  /** per_cpu_ptr(ptr, cpu). */
  per_cpu_ptr(ptr: bigint, cpu: number): bigint {
    return BigInt.asUintN(64, ptr + this.offsets[cpu]!);
  }

  /** Int32 view of every unit of the first chunk (one memblock allocation, physically contiguous). */
  private words_?: Int32Array;

  /**
   * Every CPU's copy of the `bytes`-long object at `ptr` (a __percpu
   * pointer into the first chunk: a static variable or an early
   * alloc_percpu), as one typed view for TypeScript's fast paths.
   */
  first_chunk_words(ptr: bigint, bytes: number): PercpuWords {
    const { static_size: s, reserved_size: r, dyn_size: d, nr_units, unit_size } = this.ai;
    const off = Number(BigInt.asIntN(64, ptr - this.perCpuStart));
    if (!(off >= 0 && off + bytes <= s + r + d && off % 4 === 0))
      throw new RangeError(`percpu: 0x${ptr.toString(16)} (+${bytes}) is not a word-aligned object of the first chunk`);
    this.words_ ??= this.k.machine.ram.view(Int32Array, this.basePa, (nr_units * unit_size) / 4, 4);
    return { w: this.words_, at: off / 4, stride: unit_size / 4, ptr };
  }

  /** Where early boot code keeps per-CPU objects: the image's static variables, alloc_percpu in the first chunk. */
  place(): PercpuPlace {
    return {
      static_var: (name) => {
        const v = STATIC_PERCPU_VARS.find((x) => x.name === name);
        if (!v) throw new RangeError(`percpu: no static per-CPU variable ${name}`);
        return this.first_chunk_words(this.k.vaddr(name), v.size);
      },
      alloc: (bytes, align) => {
        const p = this.__alloc_percpu(bytes, align);
        if (p === 0n) throw new Error(`percpu: no room for an early ${bytes}-byte per-CPU object`);
        return this.first_chunk_words(p, bytes);
      },
    };
  }

  /** /sys/kernel/debug/percpu_stats. */
  percpu_stats(): string {
    return percpu_stats_show({ alloc_map: this.kind, ai: this.ai, stats: this.stats, empty_pop_pages: this.emptyPages.value, reserved: this.reserved, first: this.first, slots: this.set.bySlot() });
  }
}

const pageDown = (x: number): number => Math.floor(x / PAGE_SIZE) * PAGE_SIZE;

/**
 * setup_per_cpu_areas: the units from memblock, each a copy of the
 * static section with its cpu_number, __per_cpu_offset[] written into the
 * image, the first chunk's allocator; prints Linux's lines.
 */
export function setup_per_cpu_areas(k: Kernel, kind: PcpuAllocMap): Percpu {
  const ram = k.machine.ram;
  const nrCpus = k.machine.cores.length;
  const start = Number(k.syms.offset('__per_cpu_start'));
  const staticSize = Number(k.syms.offset('__per_cpu_end')) - start;
  const ai = pcpu_build_alloc_info(staticSize, PERCPU_MODULE_RESERVE, PERCPU_DYNAMIC_RESERVE, PAGE_SIZE, nrCpus);
  for (const line of percpu_boot_lines(ai, nrCpus)) k.printk(line);
  const { memblock, linear } = k.arch;
  const base = memblock.memblock_alloc(ai.nr_units * ai.unit_size, ai.atom_size);
  ram.fill(base, ai.nr_units * ai.unit_size, 0);
  const image = ram.read(k.textPa + start, staticSize);
  const cpuNumber = Number(k.syms.offset('cpu_number')) - start;
  const offsetsAt = k.textPa + Number(k.syms.offset('__per_cpu_offset'));
  const offsets: bigint[] = [];
  for (let cpu = 0; cpu < nrCpus; cpu++) {
    const unit = base + cpu * ai.unit_size;
    ram.write(unit, image);
    ram.setU32(unit + cpuNumber, cpu);
    const offset = BigInt.asUintN(64, linear.va(unit) - (KIMAGE_VADDR + BigInt(start)));
    ram.setU64(offsetsAt + 8 * cpu, offset);
    offsets.push(offset);
  }
  return new Percpu(k, ai, kind, base, offsets);
}
