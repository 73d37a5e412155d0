// SPDX-License-Identifier: GPL-2.0-only
/*
 * WFE, WFI, SEV and SEVL for one core: the event register and where the
 * core parks.
 *
 * Unicorn treats WFE and SEV as NOPs and makes WFI return from
 * uc_emu_start, so the machine finds these instructions in the code it
 * loads (event sites) and does what they mean itself: SEV sets the event
 * register of every core, SEVL this core's, WFE clears it or parks the
 * core until an event, WFI parks it until the kernel wakes it.
 *
 * How the engine stops at a site depends on the core's ExecMode:
 *  - 'deterministic' and 'free-running': the sites are Unicorn exits
 *    (emulator/native/uc_slice.c): the translator ends a block before each
 *    one and uc_emu_start returns with the PC at it. No hook runs for the
 *    blocks without one.
 *  - 'code-hook-sites': a single-address code hook on each site stops the
 *    engine before it, and the native block hook counts a block only up to
 *    its first site, so the slices are the same as with exits (the tests
 *    compare them).
 * In both, the core executes the site here (stoppedAt, execute) and
 * resumes after it. Sites are addresses: where the instruction at one is
 * not a site now (another address space's code at the same VA, or code
 * rewritten since), the core has the engine run the block there instead. The 'counted' mode keeps the way before the native
 * part: a code hook on each site acts at once (reached) and the
 * instruction then runs in the engine, which stops only to park.
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
  /** Is an interrupt signalled to this core (masked or not)? A WFI then completes at once. */
  irqSignalled(): boolean;
  /** Give the native part the whole set of site addresses: as exits, or for the block hook to count up to. */
  setNativeSites(pcs: readonly bigint[], asExits: boolean): void;
  /** A code hook on one address. */
  hookSite(pc: bigint, reached: () => void): void;
  stopEngine(): void;
}

export class EventSites {
  private readonly pcs = new Set<bigint>();
  /** Set when a WFE or WFI asked the core to park: how, and where it resumes. */
  park?: { how: 'wfe' | 'wfi'; resume: bigint };
  /** A site's code hook stopped the engine ('code-hook-sites'). */
  private hookStopped = false;
  /** The site address the engine is being run over (its code hook lets it pass). */
  private over?: bigint;

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
    if (this.exec === 'counted') {
      for (const pc of added) this.core.hookSite(pc, () => this.reached(pc));
      return;
    }
    const byHooks = this.exec === 'code-hook-sites';
    this.core.setNativeSites([...this.pcs], !byHooks);
    if (byHooks) {
      for (const pc of added) {
        this.core.hookSite(pc, () => {
          if (pc === this.over) return;
          this.hookStopped = true;
          this.core.stopEngine();
        });
      }
    }
  }

  /**
   * Did the engine, returning by itself with the PC at `pc`, stop before
   * the site there (an exit, or the site's code hook)?
   */
  stoppedAt(pc: bigint): boolean {
    if (this.exec === 'counted') return false;
    if (this.exec === 'code-hook-sites') {
      const hooked = this.hookStopped;
      this.hookStopped = false;
      return hooked && this.pcs.has(pc);
    }
    return this.pcs.has(pc);
  }

  /**
   * Is the instruction at `pc` a site now? Not when another address space
   * has other code at the same VA, or the code was rewritten: the core
   * then runs the engine over that address (Core.runSlice).
   */
  isSite(pc: bigint): boolean {
    const w = this.core.fetchWord(pc);
    return w === A64.WFE || w === A64.WFI || w === A64.SEV || w === A64.SEVL;
  }

  /** The engine runs over the site address `pc` (undefined: no longer). */
  runningOver(pc: bigint | undefined): void {
    this.over = pc;
  }

  /** Execute the site at `pc`, where the engine stopped: true if the core parks there. */
  execute(pc: bigint): boolean {
    return this.reached(pc);
  }

  /** The core reached the site at `pc`: true if it parks there. */
  private reached(pc: bigint): boolean {
    const word = this.core.fetchWord(pc);
    if (word === A64.SEV) {
      this.core.onSev();
    } else if (word === A64.SEVL) {
      this.core.event = true;
    } else if (word === A64.WFE) {
      if (this.core.event) this.core.event = false;
      else return this.parkAt('wfe', pc);
    } else if (word === A64.WFI) {
      if (!this.core.irqSignalled()) return this.parkAt('wfi', pc);
    }
    return false;
  }

  /** Park in the WFE/WFI at `pc`; the core resumes after it, as a real core does once the wait is over. */
  private parkAt(how: 'wfe' | 'wfi', pc: bigint): true {
    this.park = { how, resume: pc + 4n };
    if (this.exec === 'counted') this.core.stopEngine();
    return true;
  }
}
