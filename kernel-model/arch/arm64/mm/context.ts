// SPDX-License-Identifier: GPL-2.0-only
/*
 * Address-space IDs and switch_mm (arch/arm64/mm/context.c, the model's
 * version).
 *
 * Each user address space gets an 8-bit ASID (TCR_EL1.AS = 0) for as long
 * as it lives, written with its tables into TTBR0_EL1. Linux recycles
 * ASIDs by generation when they run out; the model has few processes, so
 * when all 255 are taken a new mm gets ASID 0, which is never handed out
 * otherwise, and every switch to such an mm flushes the core's TLB.
 *
 * The engine's TLB is not tagged by ASID (QEMU's softmmu TLB of Unicorn
 * 2.0.1), so a core that switches to another mm must drop its cached
 * translations; the ASID is what the guest sees in TTBR0 and what a
 * tlbi by ASID would name. Each core remembers the last user mm it ran
 * (Linux's active_mm for lazy TLB): switching back to it from a kernel
 * thread or idle costs nothing.
 */

import type { Core } from '../../../../emulator/core';

export const NUM_USER_ASIDS = 256;

/** An address space as switch_mm sees it. */
export interface AsidMm {
  readonly asid: number;
}

export class AsidAllocator {
  private readonly used = new Uint8Array(NUM_USER_ASIDS);

  constructor() {
    this.used[0] = 1; // reserved: the shared fallback
  }

  alloc(): number {
    for (let a = 1; a < NUM_USER_ASIDS; a++) {
      if (!this.used[a]) {
        this.used[a] = 1;
        return a;
      }
    }
    return 0;
  }

  free(asid: number): void {
    if (asid !== 0) this.used[asid] = 0;
  }
}

export class MmContexts {
  /** Per CPU: the user mm whose translations its TLB may hold. */
  private readonly active: (AsidMm | undefined)[] = [];

  constructor(private readonly cores: readonly Core[]) {}

  /** The core is about to run user code of `mm` (its context, TTBR0 included, is already restored). */
  switch_mm(core: Core, mm: AsidMm): void {
    if (this.active[core.index] === mm && mm.asid !== 0) return;
    core.flushTlb();
    this.active[core.index] = mm;
  }

  /** flush_tlb_mm: entries of `mm` changed; every core that may cache them drops them. */
  flush_tlb_mm(mm: AsidMm): void {
    for (const core of this.cores) if (this.active[core.index] === mm) core.flushTlb();
  }

  /** The mm is gone: no core may treat a later mm at the same place as cached. */
  forget(mm: AsidMm): void {
    this.flush_tlb_mm(mm);
    for (let i = 0; i < this.active.length; i++) if (this.active[i] === mm) this.active[i] = undefined;
  }
}
