// SPDX-License-Identifier: GPL-2.0-only
/*
 * setup_per_cpu_areas, provisional: one copy of the image's static per-CPU
 * section (.data..percpu, __per_cpu_start..__per_cpu_end) per possible
 * CPU, from memblock, each in the linear map, and __per_cpu_offset[cpu] =
 * that copy's address - __per_cpu_start, written into the image where
 * set_my_cpu_offset loads it from. This is the layout Linux's generic
 * setup_per_cpu_areas gives (mm/percpu.c); the percpu allocator's
 * embedded first chunk (pcpu_embed_first_chunk, with its reserved and
 * dynamic areas and its "percpu: Embedded ..." line) replaces it, and
 * until then nothing is printed, since no such chunk exists.
 *
 * Each copy starts as the section's initial contents, then cpu_number is
 * set to the CPU, as setup_per_cpu_areas does for arm64.
 */

import type { Kallsyms } from '../kallsyms';
import type { GuestRam } from '../../emulator/memory/guest-ram';
import type { Memblock } from './memblock';
import type { LinearMap } from '../arch/arm64/memory';
import { KIMAGE_VADDR } from '../arch/arm64/memory';
import { PAGE_SIZE } from '../arch/arm64/page-def';

export interface PerCpuAreas {
  /** Bytes of static per-CPU data (the image's section). */
  staticSize: number;
  /** Bytes each CPU's copy takes (page-rounded). */
  unitSize: number;
  /** __per_cpu_offset[cpu]. */
  offsets: bigint[];
  /** Physical address of each CPU's copy. */
  unitPa: number[];
}

export function setup_per_cpu_areas(ram: GuestRam, syms: Kallsyms, textPa: number, memblock: Memblock, linear: LinearMap, nrCpus: number): PerCpuAreas {
  const start = Number(syms.offset('__per_cpu_start'));
  const staticSize = Number(syms.offset('__per_cpu_end')) - start;
  const unitSize = Math.ceil(staticSize / PAGE_SIZE) * PAGE_SIZE;
  const image = ram.read(textPa + start, staticSize);
  const cpuNumber = Number(syms.offset('cpu_number')) - start;
  const offsetsAt = textPa + Number(syms.offset('__per_cpu_offset'));
  const offsets: bigint[] = [];
  const unitPa: number[] = [];
  for (let cpu = 0; cpu < nrCpus; cpu++) {
    const pa = memblock.memblock_alloc(unitSize, PAGE_SIZE);
    ram.fill(pa, unitSize, 0);
    ram.write(pa, image);
    ram.setU32(pa + cpuNumber, cpu);
    const offset = BigInt.asUintN(64, linear.va(pa) - (KIMAGE_VADDR + BigInt(start)));
    ram.setU64(offsetsAt + 8 * cpu, offset);
    offsets.push(offset);
    unitPa.push(pa);
  }
  return { staticSize, unitSize, offsets, unitPa };
}
