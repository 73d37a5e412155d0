// SPDX-License-Identifier: GPL-2.0-only
/*
 * WFE, WFI, SEV and SEVL for one core: the event register and where the
 * core parks.
 *
 * Unicorn treats WFE and SEV as NOPs and makes WFI return from
 * uc_emu_start, so the machine finds these instructions in the code it
 * loads (event sites) and acts on them itself: SEV sets the event register
 * of every core, SEVL this core's, WFE clears it or parks the core until an
 * event, WFI parks it until the kernel wakes it.
 *
 * How a core notices that it reached a site depends on its ExecMode:
 *  - 'deterministic': the native block hook (emulator/native/uc_slice.c)
 *    knows the site addresses and reports a translated block that held
 *    one; after that block, the core hands its sites here in program order
 *    (blockRan). No code hook exists, so Unicorn keeps its fast paths.
 *  - 'code-hook-sites' and 'free-running': a single-address code hook on
 *    each site calls reached() before the instruction runs, and a park
 *    stops the engine at once.
 * Both end a slice at the same instruction, which the tests check.
 */

import { A64 } from './traps';
import type { ExecMode } from './core';

/** What the sites need from their core. */
export interface SiteCore {
  /** The event register. */
  event: boolean;
  /** The instruction word at a VA now (the code may have been rewritten since the site was found). */
  fetchWord(va: bigint): number | undefined;
  /** This core executed SEV. */
  onSev(): void;
  /** Give the native block hook the whole set of site addresses. */
  setNativeSites(pcs: readonly bigint[]): void;
  /** A code hook on one address; `stop` ends the engine's run. */
  hookSite(pc: bigint, reached: () => void): void;
  stopEngine(): void;
}

export class EventSites {
  private readonly pcs = new Set<bigint>();
  /** Set when a WFE or WFI asked the core to park: how, and where it resumes. */
  park?: { how: 'wfe' | 'wfi'; resume: bigint };

  constructor(private readonly core: SiteCore, private readonly exec: ExecMode) {}

  /** Watch the WFE, WFI, SEV and SEVL instructions at these addresses (PCs). */
  add(pcs: Iterable<bigint>): void {
    const added: bigint[] = [];
    for (const pc of pcs) {
      if (this.pcs.has(pc)) continue;
      this.pcs.add(pc);
      added.push(pc);
    }
    if (added.length === 0) return;
    if (this.exec === 'deterministic') {
      this.core.setNativeSites([...this.pcs]);
    } else {
      for (const pc of added) this.core.hookSite(pc, () => this.reached(pc, true));
    }
  }

  /**
   * The sites of a translated block the native hook flagged that ran: all
   * of them if the engine went on to another block (`stoppedAt`
   * undefined), those before `stoppedAt` if the block was cut short.
   */
  blockRan(block: { begin: bigint; end: bigint }, stoppedAt: bigint | undefined, canWait: boolean): void {
    const end = stoppedAt !== undefined && stoppedAt >= block.begin && stoppedAt < block.end ? stoppedAt : block.end;
    const pcs = [...this.pcs].filter((pc) => pc >= block.begin && pc < end).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const pc of pcs) if (this.reached(pc, canWait)) return;
  }

  /**
   * The core reached the site at `pc`: true if it parks there. `canWait`
   * is false when a trap ends the slice anyway: a WFE or WFI may then
   * complete at once (both are hints the architecture lets end early).
   */
  private reached(pc: bigint, canWait: boolean): boolean {
    const word = this.core.fetchWord(pc);
    if (word === A64.SEV) {
      this.core.onSev();
    } else if (word === A64.SEVL) {
      this.core.event = true;
    } else if (word === A64.WFE) {
      if (this.core.event) this.core.event = false;
      else if (canWait) return this.parkAt('wfe', pc);
    } else if (word === A64.WFI && canWait) {
      return this.parkAt('wfi', pc);
    }
    return false;
  }

  /** Park in the WFE/WFI at `pc`; the core resumes after it, as a real core does once the wait is over. */
  private parkAt(how: 'wfe' | 'wfi', pc: bigint): true {
    this.park = { how, resume: pc + 4n };
    if (this.exec !== 'deterministic') this.core.stopEngine();
    return true;
  }
}
