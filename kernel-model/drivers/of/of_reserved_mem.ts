// SPDX-License-Identifier: GPL-2.0-only
/*
 * /reserved-memory, as Linux 5.10 reads it before anything else allocates
 * (drivers/of/fdt.c __fdt_scan_reserved_mem, __reserved_mem_reserve_reg,
 * __reserved_mem_check_root, early_init_dt_reserve_memory_arch,
 * early_init_dt_alloc_reserved_memory_arch; drivers/of/of_reserved_mem.c
 * fdt_reserved_mem_save_node, __reserved_mem_alloc_size,
 * __rmem_check_for_overlap, __reserved_mem_init_node,
 * fdt_init_reserved_mem; Documentation/devicetree/bindings/
 * reserved-memory/reserved-memory.txt):
 *
 *   scan     /reserved-memory must have #address-cells and #size-cells
 *            equal to the root's and a `ranges`, else "unsupported node
 *            format, ignoring". Every available child (status okay or
 *            absent) with a `reg` is a static region: each (base, size)
 *            pair is reserved at once (memblock_reserve; memblock_remove
 *            with no-map, as 5.10.17 did before "fdt: Properly handle
 *            no-map" reached the stable tree); a child without `reg` but
 *            with `size` is a dynamic region, placed later.
 *   init     the saved regions are sorted by base (dynamic ones, base 0,
 *            first) and overlaps reported; each dynamic region gets
 *            memory (size, alignment, alloc-ranges tried in order,
 *            top-down; a reusable shared-dma-pool is aligned to
 *            MAX_ORDER-1 / pageblock pages for CMA); then the init
 *            function of the first compatible that accepts the region
 *            runs ("initialized node %s, compatible id %s"); when every
 *            one refuses, the region is given back ("node %s compatible
 *            matching fail").
 *
 * Bad properties are reported with Linux's lines and the region is
 * skipped; the boot goes on. Linux only warns about overlapping static
 * regions (both stay reserved); so does the model.
 *
 * The init functions (the __reservedmem_of_table) are the caller's: the
 * kernel passes the shared-dma-pool ones of kernel/dma/contiguous.ts.
 */

import { decodeCells, decodeStringList, getProp, type DeviceTree, type FdtNode } from '../../../lib/fdt';
import { fmtPa, type Memblock, SMP_CACHE_BYTES } from '../../mm/memblock';
import type { Printk } from '../../printk';

export const EINVAL = 22;
export const ENOENT = 2;
export const ENOMEM = 12;
export const EBUSY = 16;
export const ENOSPC = 28;

/** MAX_RESERVED_REGIONS in 5.10. */
export const MAX_RESERVED_REGIONS = 64;
const SZ_1M = 0x10_0000;

/** struct reserved_mem */
export interface ReservedMem {
  name: string;
  node: FdtNode;
  phandle?: number;
  base: number;
  size: number;
  /** What the init function made of it (a CMA area for shared-dma-pool). */
  priv?: unknown;
}

/** One RESERVEDMEM_OF_DECLARE entry: 0 when the region is taken, a negative errno otherwise. */
export interface ReservedMemOfEntry {
  compatible: string;
  init: (rmem: ReservedMem) => number;
}

export interface ReservedMemContext {
  memblock: Memblock;
  printk: Printk;
  /** MAX_ORDER (exclusive) and pageblock_order, for CMA's alignment. */
  maxOrder: number;
  pageblockOrder: number;
  /** __reservedmem_of_table, in link order. */
  table: readonly ReservedMemOfEntry[];
}

/** dt_root_addr_cells / dt_root_size_cells: the root's, default 1 (OF_ROOT_NODE_*_CELLS_DEFAULT). */
function rootCells(dt: DeviceTree): { addr: number; size: number } {
  const cell = (name: string): number => {
    const p = getProp(dt.root, name);
    return p && p.length === 4 ? decodeCells(p)[0]! : 1;
  };
  return { addr: cell('#address-cells'), size: cell('#size-cells') };
}

/** dt_mem_next_cell: `n` cells as one number (of_read_number keeps the last two). */
function readCells(cells: number[], at: number, n: number): number {
  let v = 0;
  for (let i = Math.max(at, at + n - 2); i < at + n; i++) v = v * 2 ** 32 + cells[i]!;
  return v;
}

function cellsOf(p: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= p.length; i += 4) out.push(((p[i]! << 24) | (p[i + 1]! << 16) | (p[i + 2]! << 8) | p[i + 3]!) >>> 0);
  return out;
}

/** of_fdt_device_is_available: no status, or "okay"/"ok". */
function isAvailable(node: FdtNode): boolean {
  const s = getProp(node, 'status');
  if (!s) return true;
  const text = new TextDecoder().decode(s).replace(/\0.*$/s, '');
  return text === 'okay' || text === 'ok';
}

export function isCompatible(node: FdtNode, compat: string): boolean {
  const p = getProp(node, 'compatible');
  if (!p) return false;
  try {
    return decodeStringList(p).includes(compat);
  } catch {
    return false;
  }
}

/** The reserved-memory scan and init, with the state Linux keeps in file statics. */
export class ReservedMemory {
  readonly regions: ReservedMem[] = [];
  private readonly cells: { addr: number; size: number };

  constructor(private readonly dt: DeviceTree, private readonly ctx: ReservedMemContext) {
    this.cells = rootCells(dt);
  }

  private get printk(): Printk {
    return this.ctx.printk;
  }

  /** early_init_dt_reserve_memory_arch (5.10.17): memblock_remove for no-map, else memblock_reserve. */
  private reserveArch(base: number, size: number, nomap: boolean): number {
    const mb = this.ctx.memblock;
    if (!Number.isSafeInteger(base + size)) return -EINVAL;
    if (nomap) mb.memblock_remove(base, size);
    else mb.memblock_reserve(base, size);
    return 0;
  }

  /** fdt_reserved_mem_save_node */
  private saveNode(node: FdtNode, name: string, base: number, size: number): void {
    if (this.regions.length === MAX_RESERVED_REGIONS) {
      this.printk('OF: reserved mem: not enough space all defined regions.');
      return;
    }
    this.regions.push({ name, node, base, size });
  }

  /** __reserved_mem_reserve_reg: -ENOENT without `reg`, -EINVAL when it is malformed. */
  private reserveReg(node: FdtNode, uname: string): number {
    const tLen = (this.cells.addr + this.cells.size) * 4;
    const prop = getProp(node, 'reg');
    if (!prop) return -ENOENT;
    if (prop.length && prop.length % tLen !== 0) {
      this.printk(`OF: fdt: Reserved memory: invalid reg property in '${uname}', skipping node.`);
      return -EINVAL;
    }
    const nomap = getProp(node, 'no-map') !== undefined;
    const cells = cellsOf(prop);
    let first = true;
    for (let at = 0; at + this.cells.addr + this.cells.size <= cells.length; at += this.cells.addr + this.cells.size) {
      const base = readCells(cells, at, this.cells.addr);
      const size = readCells(cells, at + this.cells.addr, this.cells.size);
      if (!(size && this.reserveArch(base, size, nomap) === 0))
        this.printk(`OF: fdt: Reserved memory: failed to reserve memory for node '${uname}': base ${fmtPa(base)}, size ${Math.floor(size / SZ_1M)} MiB`);
      if (first) {
        this.saveNode(node, uname, base, size);
        first = false;
      }
    }
    return 0;
  }

  /** __fdt_scan_reserved_mem: the static regions now, the dynamic ones saved for later. */
  scan(): void {
    const rm = this.dt.root.children.find((c) => c.name === 'reserved-memory');
    if (!rm) return;
    if (!this.checkRoot(rm)) {
      this.printk('OF: fdt: Reserved memory: unsupported node format, ignoring');
      return;
    }
    for (const child of rm.children) {
      if (!isAvailable(child)) continue;
      const err = this.reserveReg(child, child.name);
      if (err === -ENOENT && getProp(child, 'size')) this.saveNode(child, child.name, 0, 0);
    }
  }

  /** __reserved_mem_check_root */
  private checkRoot(rm: FdtNode): boolean {
    const u32 = (name: string): number | undefined => {
      const p = getProp(rm, name);
      return p && p.length >= 4 ? cellsOf(p)[0] : undefined;
    };
    return u32('#size-cells') === this.cells.size && u32('#address-cells') === this.cells.addr && getProp(rm, 'ranges') !== undefined;
  }

  /** early_init_dt_alloc_reserved_memory_arch: top-down in [start, end), removed for no-map. */
  private allocArch(size: number, align: number, start: number, end: number, nomap: boolean): number {
    const mb = this.ctx.memblock;
    const base = mb.memblock_phys_alloc_range(size, align || SMP_CACHE_BYTES, start, end);
    if (base && nomap) {
      mb.memblock_phys_free(base, size);
      mb.memblock_remove(base, size);
    }
    return base;
  }

  /** __reserved_mem_alloc_size: place a dynamic region; 0 or a negative errno. */
  private allocSize(rmem: ReservedMem): number {
    const { node, name: uname } = rmem;
    const tLen = (this.cells.addr + this.cells.size) * 4;
    const sizeProp = getProp(node, 'size');
    if (!sizeProp) return -EINVAL;
    if (sizeProp.length !== this.cells.size * 4) {
      this.printk(`OF: reserved mem: invalid size property in '${uname}' node.`);
      return -EINVAL;
    }
    const size = readCells(cellsOf(sizeProp), 0, this.cells.size);
    let align = 0;
    const alignProp = getProp(node, 'alignment');
    if (alignProp) {
      if (alignProp.length !== this.cells.addr * 4) {
        this.printk(`OF: reserved mem: invalid alignment property in '${uname}' node.`);
        return -EINVAL;
      }
      align = readCells(cellsOf(alignProp), 0, this.cells.addr);
    }
    const nomap = getProp(node, 'no-map') !== undefined;
    // "Need adjust the alignment to satisfy the CMA requirement"
    if (isCompatible(node, 'shared-dma-pool') && getProp(node, 'reusable') !== undefined && !nomap)
      align = Math.max(align, 4096 * 2 ** Math.max(this.ctx.maxOrder - 1, this.ctx.pageblockOrder));
    // memblock's round_down assumes a power of two; the model rounds a stray alignment up to one.
    if (align && 2 ** Math.round(Math.log2(align)) !== align) align = 2 ** Math.ceil(Math.log2(align));

    let base = 0;
    const ranges = getProp(node, 'alloc-ranges');
    if (ranges) {
      if (ranges.length % tLen !== 0) {
        this.printk(`OF: reserved mem: invalid alloc-ranges property in '${uname}', skipping node.`);
        return -EINVAL;
      }
      const cells = cellsOf(ranges);
      for (let at = 0; at < cells.length; at += this.cells.addr + this.cells.size) {
        const start = readCells(cells, at, this.cells.addr);
        const end = start + readCells(cells, at + this.cells.addr, this.cells.size);
        base = end > start ? this.allocArch(size, align, start, end, nomap) : 0;
        if (base) break;
      }
    } else {
      base = this.allocArch(size, align, 0, 0, nomap);
    }
    if (base === 0) {
      this.printk(`OF: reserved mem: failed to allocate memory for node '${uname}'`);
      return -ENOMEM;
    }
    rmem.base = base;
    rmem.size = size;
    return 0;
  }

  /** __rmem_check_for_overlap, after sorting as __rmem_cmp does. */
  private checkOverlap(): void {
    this.regions.sort((a, b) => a.base - b.base || a.size - b.size);
    for (let i = 0; i + 1 < this.regions.length; i++) {
      const a = this.regions[i]!;
      const b = this.regions[i + 1]!;
      if (!(a.base && b.base)) continue;
      if (a.base + a.size > b.base) {
        this.printk('OF: reserved mem: OVERLAP DETECTED!');
        this.printk(`${a.name} (${fmtPa(a.base)}--${fmtPa(a.base + a.size)}) overlaps with ${b.name} (${fmtPa(b.base)}--${fmtPa(b.base + b.size)})`);
      }
    }
  }

  /** __reserved_mem_init_node: the first init function that takes the region wins. */
  private initNode(rmem: ReservedMem): number {
    let ret = -ENOENT;
    for (const entry of this.ctx.table) {
      if (!isCompatible(rmem.node, entry.compatible)) continue;
      ret = entry.init(rmem);
      if (ret === 0) {
        this.printk(`OF: reserved mem: initialized node ${rmem.name}, compatible id ${entry.compatible}`);
        break;
      }
    }
    return ret;
  }

  /** fdt_init_reserved_mem */
  init(): void {
    this.checkOverlap();
    for (const rmem of this.regions) {
      const nomap = getProp(rmem.node, 'no-map') !== undefined;
      const ph = getProp(rmem.node, 'phandle') ?? getProp(rmem.node, 'linux,phandle');
      if (ph && ph.length >= 4) rmem.phandle = cellsOf(ph)[0];
      let err = 0;
      if (rmem.size === 0) err = this.allocSize(rmem);
      if (err !== 0) continue;
      err = this.initNode(rmem);
      if (err !== 0 && err !== -ENOENT) {
        this.printk(`OF: reserved mem: node ${rmem.name} compatible matching fail`);
        this.ctx.memblock.memblock_phys_free(rmem.base, rmem.size);
        if (nomap) this.ctx.memblock.memblock_add(rmem.base, rmem.size);
      }
    }
  }
}

/**
 * early_init_fdt_scan_reserved_mem's /reserved-memory half (the
 * /memreserve/ entries are arm64_memblock_init's): scan, then init.
 */
export function early_init_fdt_scan_reserved_mem(dt: DeviceTree, ctx: ReservedMemContext): ReservedMem[] {
  const rm = new ReservedMemory(dt, ctx);
  rm.scan();
  rm.init();
  return rm.regions;
}
