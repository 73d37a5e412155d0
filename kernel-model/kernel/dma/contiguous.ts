// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DMA-contiguous default area (kernel/dma/contiguous.c, Linux 5.10):
 *
 *   cma=nn[MG]@[start[MG][-end[MG]]]   early_cma: the size, and optionally
 *        where; each occurrence runs the handler again (an early_param),
 *        so the last size wins and a base or limit set earlier stays.
 *        The value is read with memparse, which stops at the first
 *        character it cannot use: `cma=junk` reads as size 0, i.e. no
 *        CMA at all, as on Linux. A bare `cma` prints "Config string not
 *        provided" and changes nothing.
 *   rmem_cma_setup   the shared-dma-pool init for a `reusable` node: with
 *        a cma= size on the command line the linux,cma-default node is
 *        bypassed ("Reserved memory: bypass %s node, using cmdline CMA
 *        params instead": the command line wins); no-map or no reusable
 *        refuse; base and size must be aligned to max(MAX_ORDER-1,
 *        pageblock_order) pages; then "Reserved memory: created CMA
 *        memory pool at %pa, size %ld MiB", and linux,cma-default makes it
 *        dma_contiguous_default_area.
 *   rmem_dma_setup   the shared-dma-pool init for a non-reusable node (a
 *        coherent per-device pool): "Reserved memory: created DMA memory
 *        pool at %pa, size %ld MiB" (kernel/dma/coherent.c); such memory
 *        stays reserved, no device claims it in this kernel.
 *   dma_contiguous_reserve(limit)   arm64_memblock_init's call with
 *        arm64_dma_phys_limit: when no default area exists yet, a cma=
 *        size, or CONFIG_CMA_SIZE_MBYTES, is declared below the limit
 *        ("cma: Reserved N MiB at 0x...").
 *
 * CONFIG_CMA_SIZE_MBYTES is 5 in bcm2711_defconfig, which the uConsole's
 * CM4 kernel derives from (and the ClockworkPi kernel trees keep).
 */

import type { Memblock } from '../../mm/memblock';
import type { Printk } from '../../printk';
import type { KernelCmdline } from '../../../lib/cmdline';
import { Cma, CmaAreas } from '../../mm/cma';
import { EBUSY, EINVAL, isCompatible, type ReservedMem, type ReservedMemOfEntry } from '../../drivers/of/of_reserved_mem';
import { getProp } from '../../../lib/fdt';
import { fmtPa } from '../../mm/memblock';

export const CONFIG_CMA_SIZE_MBYTES = 5;
const SZ_1M = 0x10_0000;

/** Linux's memparse: simple_strtoull (base 0) then an optional K/M/G/T/P/E; returns the value and what is left. */
export function memparsePrefix(text: string): [number, string] {
  const m = /^(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)/i.exec(text);
  if (!m) return [0, text];
  let v = Number(m[1]!.toLowerCase().startsWith('0x') ? m[1] : m[1]!.length > 1 && m[1]!.startsWith('0') ? parseInt(m[1]!, 8) : m[1]);
  let rest = text.slice(m[1]!.length);
  const shift = { k: 10, m: 20, g: 30, t: 40, p: 50, e: 60 }[rest[0]?.toLowerCase() ?? ''];
  if (shift !== undefined) {
    v *= 2 ** shift;
    rest = rest.slice(1);
  }
  return [v, rest];
}

/** The command-line CMA settings (size_cmdline, base_cmdline, limit_cmdline); size -1: not given. */
export interface CmaCmdline {
  size: number;
  base: number;
  limit: number;
}

/** early_cma, once per `cma` word of the command line, in order. */
export function early_cma(cmdline: KernelCmdline | undefined, printk: Printk): CmaCmdline {
  const st: CmaCmdline = { size: -1, base: 0, limit: 0 };
  for (const value of cmdline?.getAll('cma') ?? []) {
    if (value === undefined) {
      printk('Config string not provided');
      continue;
    }
    let p: string;
    [st.size, p] = memparsePrefix(value);
    if (p[0] !== '@') continue;
    [st.base, p] = memparsePrefix(p.slice(1));
    if (p[0] !== '-') {
      st.limit = st.base + st.size;
      continue;
    }
    [st.limit] = memparsePrefix(p.slice(1));
  }
  return st;
}

/** What the contiguous allocator knows at boot. */
export class DmaContiguous {
  /** dma_contiguous_default_area */
  defaultArea: Cma | null = null;

  constructor(
    readonly cma: CmaAreas,
    private readonly memblock: Memblock,
    private readonly printk: Printk,
    readonly cmdline: CmaCmdline,
  ) {}

  /** rmem_cma_setup */
  rmem_cma_setup = (rmem: ReservedMem): number => {
    const node = rmem.node;
    const defaultCma = getProp(node, 'linux,cma-default') !== undefined;
    if (this.cmdline.size !== -1 && defaultCma) {
      this.printk(`Reserved memory: bypass ${rmem.name} node, using cmdline CMA params instead`);
      return -EBUSY;
    }
    if (getProp(node, 'reusable') === undefined || getProp(node, 'no-map') !== undefined) return -EINVAL;
    const align = this.cma.alignment;
    if (rmem.base % align !== 0 || rmem.size % align !== 0) {
      this.printk('Reserved memory: incorrect alignment of CMA region');
      return -EINVAL;
    }
    const cma = this.cma.cma_init_reserved_mem(this.memblock, rmem.base, rmem.size, 0, rmem.name);
    if (typeof cma === 'number') {
      this.printk('Reserved memory: unable to setup CMA region');
      return cma;
    }
    if (defaultCma) this.defaultArea = cma;
    rmem.priv = cma;
    this.printk(`Reserved memory: created CMA memory pool at ${fmtPa(rmem.base)}, size ${Math.floor(rmem.size / SZ_1M)} MiB`);
    return 0;
  };

  /** rmem_dma_setup (kernel/dma/coherent.c): a non-reusable pool for one device. */
  rmem_dma_setup = (rmem: ReservedMem): number => {
    const node = rmem.node;
    if (getProp(node, 'reusable') !== undefined) return -EINVAL;
    if (getProp(node, 'no-map') === undefined && !isCompatible(node, 'shared-dma-pool')) return -EINVAL;
    this.printk(`Reserved memory: created DMA memory pool at ${fmtPa(rmem.base)}, size ${Math.floor(rmem.size / SZ_1M)} MiB`);
    return 0;
  };

  /** The shared-dma-pool entries of __reservedmem_of_table, in 5.10's link order (contiguous.o, then coherent.o). */
  get reservedMemTable(): ReservedMemOfEntry[] {
    return [
      { compatible: 'shared-dma-pool', init: this.rmem_cma_setup },
      { compatible: 'shared-dma-pool', init: this.rmem_dma_setup },
    ];
  }

  /** dma_contiguous_reserve: the default area from cma= or the kernel config, when the DT gave none. */
  dma_contiguous_reserve(limit: number): void {
    let size = 0;
    let base = 0;
    let sel = limit;
    let fixed = false;
    if (this.cmdline.size !== -1) {
      size = this.cmdline.size;
      base = this.cmdline.base;
      sel = this.cmdline.limit && limit ? Math.min(this.cmdline.limit, limit) : this.cmdline.limit || limit; // min_not_zero
      if (base + size === this.cmdline.limit) fixed = true;
    } else {
      size = CONFIG_CMA_SIZE_MBYTES * SZ_1M;
    }
    if (size && !this.defaultArea) {
      const cma = this.cma.cma_declare_contiguous(this.memblock, base, size, sel, 0, 0, fixed, 'reserved');
      if (typeof cma !== 'number') this.defaultArea = cma;
    }
  }
}
