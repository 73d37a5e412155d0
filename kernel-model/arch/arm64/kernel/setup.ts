// SPDX-License-Identifier: GPL-2.0-only
/*
 * setup_arch, the part the model has: take the device tree the firmware
 * passed in x0 (setup_machine_fdt), check it, print the machine model,
 * read the command line and the CPU nodes, build memblock, the kernel's
 * page tables and the zones. Returns all of it (SetupArch) for the rest of
 * start_kernel.
 */

import {
  FdtError, decodeString, decodeStringList, getProp, parseFdt, walkNodes, type DeviceTree, type FdtNode,
} from '../../../../lib/fdt';
import { parseCmdline } from '../../../../lib/cmdline';
import { KernelPanic, type Kernel, type SetupArch } from '../../../kernel';
import { KernelMemory } from '../../../mm/maccess';
import { arm64_memblock_init_full } from '../mm/init';
import { paging_init } from '../mm/mmu';
import { LinearMap } from '../memory';
import { bootmem_init, max_order_param, zone_dma_bits } from '../../../mm/init';

const FDT_MAGIC = 0xd00dfeed;
const MAX_FDT_SIZE = 0x20_0000;

/** Linux's complaint when the blob at x0 is no device tree (arch/arm64/kernel/setup.c). */
function badDtb(pa: number, why: string): KernelPanic {
  return new KernelPanic(
    `invalid device tree blob at physical address 0x${pa.toString(16).padStart(16, '0')} (${why}); ` +
      'the dtb must be 8-byte aligned and must not exceed 2 MB in size',
  );
}

/** Read and parse the flattened device tree at physical `pa`. */
export function setup_machine_fdt(k: Kernel, pa: number): DeviceTree {
  const ram = k.machine.ram;
  if (pa % 8 !== 0 || !ram.contains(pa, 40)) throw badDtb(pa, 'not in RAM or misaligned');
  const view = new DataView(ram.read(pa, 8).buffer);
  if (view.getUint32(0) !== FDT_MAGIC) throw badDtb(pa, `bad magic 0x${view.getUint32(0).toString(16)}`);
  const size = view.getUint32(4);
  if (size > MAX_FDT_SIZE || !ram.contains(pa, size)) throw badDtb(pa, `size ${size}`);
  try {
    return parseFdt(ram.read(pa, size));
  } catch (e) {
    if (e instanceof FdtError) throw badDtb(pa, e.message);
    throw e;
  }
}

function modelOf(dt: DeviceTree): string {
  const model = getProp(dt.root, 'model');
  if (model) return decodeString(model);
  const compat = getProp(dt.root, 'compatible');
  return compat ? decodeStringList(compat)[0] ?? '<unknown>' : '<unknown>';
}

function cpuNodes(dt: DeviceTree): FdtNode[] {
  return [...walkNodes(dt)]
    .filter((e) => e.path.startsWith('/cpus/cpu@') && e.path.split('/').length === 3)
    .map((e) => e.node);
}

/**
 * early_init_dt_check_for_initrd (drivers/of/fdt.c): /chosen's
 * linux,initrd-start and linux,initrd-end, one or two cells each.
 */
export function early_init_dt_check_for_initrd(chosen: FdtNode | undefined): { start: number; end: number } | undefined {
  const cells = (name: string): number | undefined => {
    const p = chosen && getProp(chosen, name);
    if (!p || (p.length !== 4 && p.length !== 8)) return undefined;
    const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
    return p.length === 4 ? dv.getUint32(0) : Number(dv.getBigUint64(0));
  };
  const start = cells('linux,initrd-start');
  const end = cells('linux,initrd-end');
  if (start === undefined || end === undefined || end <= start) return undefined;
  return { start, end };
}

export function setup_arch(k: Kernel, dtbPa: number): SetupArch {
  const dt = setup_machine_fdt(k, dtbPa);
  k.printk(`Machine model: ${modelOf(dt)}`);
  const chosen = [...walkNodes(dt)].find((e) => e.path === '/chosen')?.node;
  const bootargs = chosen && getProp(chosen, 'bootargs');
  const cmdlineText = bootargs ? decodeString(bootargs) : '';
  const cmdline = parseCmdline(cmdlineText);

  // parse_early_param: max_order= before memblock, as Linux parses early parameters in setup_arch.
  const maxOrder = max_order_param(cmdline, k.printk);
  const dtbSize = new DataView(k.machine.ram.read(dtbPa + 4, 4).buffer).getUint32(0);
  const initrd = early_init_dt_check_for_initrd(chosen);
  const early = arm64_memblock_init_full(
    k.machine.ram,
    dt,
    { kernel: { base: k.textPa, size: k.imageSize }, dtb: { base: dtbPa, size: dtbSize }, initrd },
    { printk: k.printk, cmdline, maxOrder, zoneDmaBits: zone_dma_bits(dt) },
  );
  const memblock = early.memblock;
  const linear = new LinearMap(memblock.memory.regions[0]!.base);
  const pgtables = paging_init(k.machine.ram, memblock, linear, {
    textPa: k.textPa,
    size: k.imageSize,
  });
  const bootmem = bootmem_init({ ram: k.machine.ram, memblock, dt, maxOrder, nrCpus: k.machine.cores.length, printk: k.printk });
  return {
    dt, cmdline, cmdlineText, cpuNodes: cpuNodes(dt), memblock, maxOrder, early, linear, pgtables, bootmem,
    kmem: new KernelMemory(k.machine.ram, pgtables.swapper),
    initrd,
  };
}
