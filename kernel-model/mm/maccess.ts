// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel virtual memory as TypeScript kernel code sees it: reads and
 * writes by kernel virtual address, translated through the kernel's own
 * translation tables (swapper_pg_dir) exactly as a core's MMU would walk
 * them, so the linear map, the image at KIMAGE_VADDR and (later) vmalloc
 * mappings all work, and an address nothing maps faults as it would on a
 * core: with KernelFault, the model's "Unable to handle kernel paging
 * request" oops. copy_from_kernel_nofault (mm/maccess.c) is the variant
 * that returns nothing instead.
 *
 * The walk is done on every access (no TLB on this side: TypeScript sees
 * a page-table change at once, while the cores see it after a flush).
 * Accesses may cross page boundaries; each page is translated on its own.
 */

import type { GuestRam } from '../../emulator/memory/guest-ram';
import type { PageTable } from '../arch/arm64/pgtable';
import { PAGE_SIZE } from '../arch/arm64/page-def';

export class KernelFault extends Error {
  override name = 'KernelFault';

  constructor(readonly va: bigint, write: boolean) {
    super(`Unable to handle kernel paging request at virtual address ${va.toString(16).padStart(16, '0')} (${write ? 'write' : 'read'})`);
  }
}

export class KernelMemory {
  constructor(private readonly ram: GuestRam, private readonly swapper: PageTable) {}

  /** The physical address of a kernel VA, or undefined if nothing maps it. */
  translate(va: bigint): number | undefined {
    const r = this.swapper.lookup(va);
    return r && this.ram.contains(r.pa, 1) ? r.pa : undefined;
  }

  private pa(va: bigint, write: boolean): number {
    const pa = this.translate(va);
    if (pa === undefined) throw new KernelFault(va, write);
    return pa;
  }

  /** Apply `fn` to each page-sized piece of [va, va+len): (physical address, offset in the buffer, length). */
  private pieces(va: bigint, len: number, write: boolean, fn: (pa: number, off: number, n: number) => void): void {
    let off = 0;
    while (off < len) {
      const v = va + BigInt(off);
      const inPage = PAGE_SIZE - Number(v & BigInt(PAGE_SIZE - 1));
      const n = Math.min(inPage, len - off);
      fn(this.pa(v, write), off, n);
      off += n;
    }
  }

  read(va: bigint, len: number): Uint8Array {
    const out = new Uint8Array(len);
    this.pieces(va, len, false, (pa, off, n) => out.set(this.ram.read(pa, n), off));
    return out;
  }

  write(va: bigint, data: Uint8Array): void {
    this.pieces(va, data.length, true, (pa, off, n) => this.ram.write(pa, data.subarray(off, off + n)));
  }

  /** Naturally aligned accesses never cross a page: one walk. */
  read64(va: bigint): bigint {
    return (va & 7n) === 0n ? this.ram.u64(this.pa(va, false)) : new DataView(this.read(va, 8).buffer).getBigUint64(0, true);
  }
  write64(va: bigint, v: bigint): void {
    if ((va & 7n) === 0n) this.ram.setU64(this.pa(va, true), BigInt.asUintN(64, v));
    else this.write(va, new Uint8Array(new BigUint64Array([BigInt.asUintN(64, v)]).buffer));
  }
  read32(va: bigint): number {
    return (va & 3n) === 0n ? this.ram.u32(this.pa(va, false)) : new DataView(this.read(va, 4).buffer).getUint32(0, true);
  }
  write32(va: bigint, v: number): void {
    if ((va & 3n) === 0n) this.ram.setU32(this.pa(va, true), v >>> 0);
    else this.write(va, new Uint8Array(new Uint32Array([v >>> 0]).buffer));
  }

  /** copy_from_kernel_nofault: the bytes, or undefined if any of them is unmapped. */
  copy_from_kernel_nofault(va: bigint, len: number): Uint8Array | undefined {
    try {
      return this.read(va, len);
    } catch (e) {
      if (e instanceof KernelFault) return undefined;
      throw e;
    }
  }
}
