// SPDX-License-Identifier: GPL-2.0-only
/*
 * One emulated core: a Unicorn instance of the board's CPU model, with the
 * machine's RAM and devices mapped into it, and the state the scheduler
 * needs (running, parked in WFE or WFI, off).
 *
 * Unicorn runs ARM64 code but leaves the rest of the architecture to us:
 *  - exceptions stop the core with the trap recorded (traps.ts); the
 *    exception hook is native (emulator/native/uc_slice.c), and answers
 *    svc on the spot when the kernel's fast path takes it;
 *  - WFE, WFI and SEV are NOPs or plain exits in Unicorn. The machine finds
 *    them in the code it loads (event sites) and makes them the engine's
 *    exits: the translator ends a block before each, the engine returns
 *    with the PC there, and the core executes it (event-sites.ts): SEV
 *    sets the event register on every core, WFE clears it or parks, WFI
 *    parks. (The 'code-hook-sites' mode stops at them with a code hook on
 *    each instead, for comparison.)
 *  - MPIDR_EL1 reads 0x80000000 on every instance and cannot be written,
 *    and the generic timer's counters follow the host's clock: an `mrs`
 *    hook over the firmware's and the kernel's code answers MPIDR_EL1 and
 *    MIDR_EL1 with this core's identity and CNTVCT_EL0/CNTPCT_EL0 with the
 *    machine's virtual clock (interceptSystemInstructions);
 *  - each engine has its own TLB, so a broadcast `tlbi ...is` on one core
 *    would reach no other: a `sys` hook over the same code reports every
 *    tlbi to the machine, which flushes the other cores (see flushTlb);
 *  - the engine is private to this file: the kernel reaches registers,
 *    contexts, EL0 entry and the TLB through Core's methods.
 *
 * A slice is counted by translated blocks, natively: it ends at the first
 * block boundary at or past its budget, and the next one resumes at that
 * block; an event site executed here counts as one instruction. Unicorn's own `count` is never used (it instruments every
 * instruction), so the engine runs at JIT speed and the same inputs give
 * the same slice boundaries.
 */

import { Unicorn, UcContext, UcError, type CpReg, type MmioHandlers } from './unicorn/binding';
import { EventSites } from './event-sites';
import { BLOCKS, NativeSlicer, skipAccessExitChecks, SLICE_STOP, SVC_PSTATE, SVC_TPIDR_EL1, SVC_X8, type BlockCounting } from './unicorn/native';
import {
  EXCP, REG_ELR_EL1, REG_PC, REG_PSTATE, REG_SP, REG_SP_EL0, REG_SP_EL1, REG_TPIDR_EL1, SYSREG, UC_CPU_ARM64_A53, UC_CPU_ARM64_A72, UC_ERR_OK, regX,
  UC_HOOK_MEM_FETCH_UNMAPPED, UC_HOOK_MEM_WRITE_UNMAPPED, UC_ERR_FETCH_UNMAPPED, UC_ERR_READ_UNMAPPED,
  UC_ERR_WRITE_UNMAPPED, UC_ERR_FETCH_PROT, UC_PROT_ALL, type SysReg,
} from './unicorn/constants';
import { A64, kindOfException, type Trap } from './traps';
import { DeviceAccessError } from './devices/mmio';
import type { CpuDesc } from './board/profile';
import { walkStage1, type WalkResult } from './arm64/translate';
import type { GuestRam } from './memory/guest-ram';
import type { SnapshotLayout } from './snapshot-layout';

/**
 * An svc as the fast path sees it: the caller's registers, read natively
 * in one batch. The svc immediate is not decoded here (arm64 Linux ignores
 * it); a call that declines gets the full Trap, syndrome included.
 */
export interface SvcCall {
  core: number;
  /** PSTATE.EL of the caller. */
  el: 0 | 1;
  /** x0..x5 (the arguments). */
  arg(n: number): bigint;
  /** x8 (the number). */
  nr: bigint;
  /** The low 32 bits of x8, as a number (arm64 Linux passes the number on as an int: el0_svc_common). */
  nr32: number;
  /** TPIDR_EL1 (the kernel's per-CPU offset), from the same batch, made a bigint only when read. */
  readonly tpidrEl1: bigint;
}

/**
 * A core's SvcCall, made once: el and nr32 set for each call, the rest read
 * from the native register block when asked. A class, so that the calls of
 * every core of every machine share one shape and the kernel's fast path
 * stays monomorphic (object literals with getters get a shape each).
 */
class NativeSvcCall implements SvcCall {
  el: 0 | 1 = 0;
  nr32 = 0;

  constructor(readonly core: number, private readonly regs: NativeSlicer) {}

  arg(n: number): bigint {
    return this.regs.svcReg(n);
  }
  get nr(): bigint {
    return this.regs.svcReg(SVC_X8);
  }
  get tpidrEl1(): bigint {
    return this.regs.svcReg(SVC_TPIDR_EL1);
  }
}

/**
 * How cores run:
 *  - 'deterministic' (the default): slices counted by the native block
 *    hook, event sites the translator's exits;
 *  - 'code-hook-sites': the same slices, event sites caught by a code hook
 *    on each (as before the native part; kept to compare against);
 *  - 'free-running': no block hook and no budget, a run ends only on a
 *    trap or a park (for measuring the engine's ceiling; not deterministic
 *    and never ends on a guest loop that does not trap); sites as exits;
 *  - 'counted': the way before the native part, kept to measure it:
 *    Unicorn's own `count` (a hook on every instruction) ends the slice
 *    after exactly `budget` instructions, event sites by code hooks. Its
 *    slices are deterministic but not the same as the others'.
 */
export type ExecMode = 'deterministic' | 'code-hook-sites' | 'free-running' | 'counted';

export type CoreState =
  | 'off' // never started, or stopped by the kernel
  | 'running'
  | 'wfe' // parked until an event
  | 'wfi' // parked until the kernel wakes it
  | 'trapped'; // stopped with a trap the kernel has not answered yet

export const MIDR: Record<CpuDesc['model'], number> = {
  'cortex-a72': 0x410fd083,
  'cortex-a53': 0x410fd034,
};

/** The native block hook each mode runs with. */
function blockCounting(exec: ExecMode): BlockCounting {
  if (exec === 'deterministic') return BLOCKS.COUNT;
  return exec === 'code-hook-sites' ? BLOCKS.SITES : BLOCKS.NONE;
}

/** PSTATE bits the engine caches in its hflags: M (EL, SP selection) and PAN. */
const HFLAGS_PSTATE = 0x1fn | (1n << 22n);

/** The exception level in PSTATE.M (bits 3:2); the model's cores run at EL0 or EL1. */
function elOf(pstateMode: number): 0 | 1 {
  return ((pstateMode >> 2) & 3) === 0 ? 0 : 1;
}

/**
 * How a slice ended, and the instructions it ran (those of the translated
 * blocks it started, and the event sites it executed; 0 in the
 * free-running and counted modes, which do not count blocks).
 */
export type SliceEnd = SliceOutcome & { insns: number };
type SliceOutcome = { kind: 'budget' } | { kind: 'parked' } | { kind: 'trap'; trap: Trap };

export interface CoreHooks {
  /** Called when this core executes SEV. */
  onSev(core: Core): void;
  /** Field offsets in context snapshots (calibrated once per process). */
  snapshot: SnapshotLayout;
  /**
   * Offered every svc before the core stops for it, from inside the trap
   * hook: return the value for x0 if it was answered, and the core carries
   * on in the same slice; undefined to stop the core as for any trap.
   */
  onFastSvc?: (call: SvcCall) => bigint | undefined;
  /**
   * Offered every data abort inside the trap hook, before the core stops:
   * true if the access can now succeed (a page was mapped), and the core
   * retries the instruction in the same slice; false to stop the core as
   * for any trap.
   */
  onFastFault?: (trap: Trap) => boolean;
  /** How the cores run (default 'deterministic'). */
  exec?: ExecMode;
  /** Host memory behind every VA shadow (its contents are never used). */
  shadowHost: bigint;
  /** Parts of the low 2^39 bytes that are neither RAM nor devices. */
  lowGaps: { base: number; size: number }[];
  /** The generic timer's count now (CNTVCT_EL0 = CNTPCT_EL0: no virtual offset). */
  counter(): bigint;
  /** Its frequency (CNTFRQ_EL0). */
  timerHz: number;
  /** A core is about to execute a TLB maintenance instruction. */
  onTlbi(core: Core, op: TlbiOp): void;
  /** System registers the machine emulates itself (the generic timer), if any: see SysregModel. */
  sysregModel?: () => SysregModel | undefined;
}

/**
 * System registers the machine answers instead of the engine, through the
 * `mrs`/`msr` hooks over loaded code (interceptSystemInstructions): the
 * generic timer's, whose writes Unicorn 2.0.1 compiles out.
 */
export interface SysregModel {
  /** The value an `mrs` reads, or undefined to leave it to the engine. */
  read(core: Core, r: CpReg): bigint | undefined;
  /** An `msr` of `r.val`: true if the model took it (the instruction is skipped). */
  write(core: Core, r: CpReg): boolean;
}

/** A `tlbi` as its encoding gives it (op0 = 1, CRn = 8). */
export interface TlbiOp {
  op1: number;
  crm: number;
  op2: number;
  /** Xt: the page (VA >> 12) and ASID operand, 0 for the "all" forms. */
  arg: bigint;
}

/** Inner Shareable tlbi forms (CRm = 3: VMALLE1IS, VAE1IS, ASIDE1IS, VAAE1IS, VALE1IS, VAALE1IS) reach every core of the domain. */
export function tlbiBroadcasts(op: TlbiOp): boolean {
  return op.op1 === 0 && op.crm === 3;
}

/**
 * A saved CPU state (every register and system register), for the kernel's
 * context switches. Opaque outside this file.
 */
export class CoreContext {
  constructor(readonly core: number, /** @internal */ readonly snapshot: UcContext) {}
}

/**
 * uc_emu_start runs nothing when begin == until, and `until` = 0 means
 * "no stop address" only as long as we do not start at 0 (the armstub
 * does). An address that is never executed serves instead; `until` inside
 * hot code would cost a block invalidation per start.
 */
export function untilFor(begin: bigint): bigint {
  return begin === 0n ? 0xffff_ffff_ffff_fffcn : 0n;
}

/** The whole TTBR1 half of a 39-bit VA space, less its last page (base + size must not wrap). */
export const TTBR1_SHADOW_BASE = 0xffff_ff80_0000_0000n;
export const TTBR1_SHADOW_SIZE = 512 * 2 ** 30 - 4096;
/** The host reservation every shadow region maps (CoreHooks.shadowHost): the largest a shadow region may be. */
export const SHADOW_HOST_SIZE = TTBR1_SHADOW_SIZE + 4096;

export class Core {
  private readonly uc: Unicorn;
  readonly midr: number;
  state: CoreState = 'off';
  pc = 0n;
  /** The event register of WFE/SEV. */
  event = false;
  /** Whether an interrupt is signalled to this core, for WFI (set by a machine with an interrupt controller; see EventSites). */
  irqSignalled?: () => boolean;
  /** A word whose change also wakes this core from WFE (its spin-table slot). */
  wfeWatch?: { pa: number; value: bigint };
  /** Slices this core has run (the machine's virtual time is counted in them). */
  slices = 0;
  /** Instructions this core has run, counted by translated blocks. */
  insns = 0;
  readonly exec: ExecMode;
  /** Whether the engine checks for a stop after every load, as 2.0.1 does (uc_slice.c, 7.; stores always keep theirs). */
  readonly accessExitChecks: boolean = true;

  private readonly slicer: NativeSlicer;
  private unmapped?: { type: number; address: bigint };
  private readonly snapshot: UcContext;
  private el1Snapshot?: CoreContext;
  private readonly sites: EventSites;

  /** Shadow regions not yet mapped (see shadowGap). */
  private readonly gaps: { base: bigint; size: number; mapped: boolean }[];
  private pendingFetchShadow?: { base: bigint; size: number; mapped: boolean };

  constructor(readonly index: number, readonly desc: CpuDesc, private readonly ram: GuestRam, private readonly hooks: CoreHooks) {
    this.gaps = hooks.lowGaps.map((g) => ({ base: BigInt(g.base), size: g.size, mapped: false }));
    this.uc = new Unicorn(desc.model === 'cortex-a72' ? UC_CPU_ARM64_A72 : UC_CPU_ARM64_A53);
    this.midr = desc.midr ?? MIDR[desc.model];
    this.snapshot = this.uc.contextAlloc();
    this.exec = hooks.exec ?? 'deterministic';
    this.slicer = new NativeSlicer(this.uc, this.snapshot, blockCounting(this.exec));
    // Only code hooks stop the engine in the middle of a block on purpose.
    if (this.exec === 'deterministic' || this.exec === 'free-running') this.accessExitChecks = !skipAccessExitChecks(this.uc);
    if (hooks.onFastSvc) this.answerSvcs(hooks.onFastSvc);
    if (hooks.onFastFault) this.answerFaults(hooks.onFastFault);
    const self = this; // the event register stays Core's (the machine's sev() sets it)
    this.sites = new EventSites({
      get event() {
        return self.event;
      },
      set event(v: boolean) {
        self.event = v;
      },
      fetchWord: (va) => this.fetchWord(va),
      onSev: () => hooks.onSev(this),
      irqSignalled: () => this.irqSignalled?.() ?? false,
      setNativeSites: (pcs, asExits) => this.slicer.setSites(pcs, asExits),
      hookSite: (pc, reached) => this.uc.hookCode(pc, pc, reached),
      stopEngine: () => this.uc.emuStop(),
    }, this.exec);
    this.uc.hookUnmapped((type, address) => {
      const gap = this.shadowGap(address);
      if (gap && type !== UC_HOOK_MEM_FETCH_UNMAPPED) {
        this.mapShadow(gap);
        return true;
      }
      if (gap) this.pendingFetchShadow = gap; // mapping inside a fetch hook crashes 2.0.1
      this.unmapped ??= { type, address }; // the first refusal is the fault (its block: Unicorn.refusedAccessBlock)
      return false;
    });
    // Every TTBR1 virtual address must fall in some region before the MMU
    // is consulted (Unicorn 2.0.1, issue #1718): one region for the whole
    // upper half, backed by a never-read host reservation.
    this.uc.memMapPtr(TTBR1_SHADOW_BASE, TTBR1_SHADOW_SIZE, UC_PROT_ALL, hooks.shadowHost);
    // Page walks must be AArch64 at EL1 (reset leaves SCR_EL3.RW = 0, so the
    // walker would take EL1 for AArch32): RW|NS at EL3, RW at EL2.
    this.uc.sysWrite(SYSREG.SCR_EL3, 0x401n);
    this.uc.sysWrite(SYSREG.HCR_EL2, 1n << 31n);
    // Let EL0 read the virtual counter, as Linux configures it.
    this.uc.sysWrite(SYSREG.CNTKCTL_EL1, 3n);
    // The counter frequency, which the boot firmware sets at EL3 (the Pi's
    // armstub8.S writes OSC_FREQ); an EL1 write is undefined.
    this.uc.sysWrite(SYSREG.CNTFRQ_EL0, BigInt(hooks.timerHz));
  }

  /**
   * Answer `mrs` of MPIDR_EL1, MIDR_EL1, CNTVCT_EL0 and CNTPCT_EL0 with
   * the machine's values, and report `tlbi`, for code at PCs in [begin,
   * end]: the firmware's armstub and the kernel image. Each hooked `mrs`
   * or `sys` costs a call into JavaScript (about 2 us, whatever register or
   * operation), so the hooks stay off user code, whose `mrs tpidr_el0` and
   * `dc zva` are frequent (and which executes no tlbi).
   */
  interceptSystemInstructions(begin: bigint, end: bigint): void {
    this.uc.hookMrs(begin, end, (_reg, r) => this.answerMrs(r));
    const model = this.hooks.sysregModel?.();
    if (model) this.uc.hookMsr(begin, end, (r) => model.write(this, r));
    this.uc.hookSys(begin, end, (op) => {
      if (op.op0 === 1 && op.crn === 8) this.hooks.onTlbi(this, { op1: op.op1, crm: op.crm, op2: op.op2, arg: BigInt(op.val) });
    });
  }

  /**
   * The same, for a large image: hooks only at the given instructions
   * (found by scanning the code, see systemInstructionSites in
   * emulator/arm64/sysreg-sites.ts), so that the kernel's other `mrs`,
   * `msr` and `sys` (this_cpu's `mrs tpidr_el1`, `msr daif`, `dc zva`)
   * run without a call into JavaScript.
   */
  interceptSystemInstructionsAt(sites: { mrs: readonly bigint[]; msr: readonly bigint[]; tlbi: readonly bigint[] }): void {
    if (sites.mrs.length) this.uc.hookMrs(0n, 0n, (_reg, r) => this.answerMrs(r), sites.mrs);
    const model = this.hooks.sysregModel?.();
    if (model && sites.msr.length) this.uc.hookMsr(0n, 0n, (r) => model.write(this, r), sites.msr);
    if (sites.tlbi.length)
      this.uc.hookSys(0n, 0n, (op) => this.hooks.onTlbi(this, { op1: op.op1, crm: op.crm, op2: op.op2, arg: BigInt(op.val) }), sites.tlbi);
  }

  /** The `mrs` reads the machine answers instead of the engine (undefined: the engine's value). */
  private answerMrs(r: CpReg): bigint | undefined {
    if (r.op0 !== 3) return undefined;
    const modelled = this.hooks.sysregModel?.()?.read(this, r);
    if (modelled !== undefined) return modelled;
    if (r.op1 === 0 && r.crn === 0 && r.crm === 0) {
      if (r.op2 === SYSREG.MPIDR_EL1.op2) return BigInt(this.mpidr);
      if (r.op2 === SYSREG.MIDR_EL1.op2) return BigInt(this.midr);
      return undefined;
    }
    const isCounter = r.op1 === 3 && r.crn === 14 && r.crm === 0 && (r.op2 === SYSREG.CNTPCT_EL0.op2 || r.op2 === SYSREG.CNTVCT_EL0.op2);
    return isCounter ? this.hooks.counter() : undefined;
  }

  get mpidr(): number {
    return this.desc.mpidr;
  }

  /* ---- registers -------------------------------------------------------- */

  x(n: number): bigint {
    return this.uc.regRead(regX(n));
  }
  setX(n: number, v: bigint | number): void {
    this.uc.regWrite(regX(n), BigInt(v));
  }
  get sp(): bigint {
    return this.uc.regRead(REG_SP);
  }
  set sp(v: bigint) {
    this.uc.regWrite(REG_SP, v);
  }
  /** The current exception level (0 or 1), from PSTATE.EL. */
  get el(): 0 | 1 {
    return elOf(Number(this.uc.regRead(REG_PSTATE) & 0xfn));
  }
  /** PSTATE (NZCV, DAIF, EL, SP selection), as SPSR and a signal frame record it. */
  get pstate(): bigint {
    return this.uc.regRead(REG_PSTATE);
  }
  /** Writing PSTATE cannot change the EL in 2.0.1 (stale hflags): for DAIF and flags only. */
  set pstate(v: bigint) {
    this.uc.regWrite(REG_PSTATE, v);
  }
  /** Only the condition flags may change this way (the level cannot: see enterEl0). */
  set nzcv(v: bigint) {
    const p = this.uc.regRead(REG_PSTATE);
    this.uc.regWrite(REG_PSTATE, (p & ~(0xfn << 28n)) | (v & (0xfn << 28n)));
  }
  set elrEl1(v: bigint) {
    this.uc.regWrite(REG_ELR_EL1, v);
  }
  /** TPIDR_EL1: the per-CPU offset the kernel's entry code wrote (Linux's set_my_cpu_offset). */
  get tpidrEl1(): bigint {
    return this.uc.regRead(REG_TPIDR_EL1);
  }
  sysRead(r: SysReg): bigint {
    return this.uc.sysRead(r);
  }
  /** A system register written from outside: no hflags rebuild in 2.0.1, so not for state the translator caches (PSTATE, SCTLR, TCR). */
  sysWrite(r: SysReg, v: bigint): void {
    this.uc.sysWrite(r, v);
  }

  /**
   * Prepare an `eret` to EL0t at `entry` with the user stack `sp`,
   * interrupts unmasked: the core then runs the image's ret_to_user.
   * (Writing PSTATE cannot change the level in 2.0.1; eret can.)
   */
  enterEl0(entry: bigint, sp: bigint): void {
    this.uc.regWrite(REG_ELR_EL1, entry);
    this.uc.sysWrite(SYSREG.SPSR_EL1, 0n);
    this.uc.regWrite(REG_SP_EL0, sp);
  }

  /**
   * Take an exception to EL1 as emulator/arm64/exception-entry.ts computed
   * it (`entry`): SPSR_EL1, ELR_EL1, the SP bank, PSTATE, and the PC this
   * core resumes at. Unicorn 2.0.1 does no exception entry itself, and a
   * PSTATE written through its API moves the level only once the engine's
   * cached hflags are rebuilt (Unicorn.rebuildHflags), which is done when
   * the level, the SP selection or PAN changes. ESR_EL1 and FAR_EL1 are the
   * caller's (sysWrite).
   */
  takeException(entry: { spsr: bigint; elr: bigint; pstate: bigint; pc: bigint; selectSpEl1: boolean }): void {
    const old = this.uc.regRead(REG_PSTATE);
    this.uc.sysWrite(SYSREG.SPSR_EL1, entry.spsr);
    this.uc.regWrite(REG_ELR_EL1, entry.elr);
    if (entry.selectSpEl1) {
      this.uc.regWrite(REG_SP_EL0, this.uc.regRead(REG_SP));
      this.uc.regWrite(REG_SP, this.uc.regRead(REG_SP_EL1));
    }
    this.uc.regWrite(REG_PSTATE, entry.pstate);
    if (((old ^ entry.pstate) & HFLAGS_PSTATE) !== 0n) this.uc.rebuildHflags();
    this.pc = entry.pc;
  }

  /* ---- contexts and the TLB -------------------------------------------- */

  private readonly contexts: UcContext[] = [];

  /** A context slot for this core (about 12 KB, allocated once; freed with the core). */
  newContext(): CoreContext {
    const snap = this.uc.contextAlloc();
    this.contexts.push(snap);
    return new CoreContext(this.index, snap);
  }

  /**
   * A context of this core holding a copy of `from`, a context of another
   * core of the machine (a task moving between CPUs). The snapshot is the
   * engine's raw CPU state, the same layout in every core of one build;
   * per-CPU registers in it (TPIDR_EL1) are the caller's to set right.
   */
  adoptContext(from: CoreContext): CoreContext {
    const to = this.newContext();
    const src = from.snapshot.bytes;
    const dst = to.snapshot.bytes;
    if (src.byteLength !== dst.byteLength) throw new Error(`cpu${this.index}: a context of ${src.byteLength} bytes, not ${dst.byteLength}`);
    new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
    return to;
  }

  /** Save everything the core holds (registers, EL, system registers) into `ctx`. */
  saveContext(ctx: CoreContext): void {
    this.ownContext(ctx);
    this.uc.contextSave(ctx.snapshot);
  }

  /** Put the core back in the state `ctx` holds (its EL too). The TLB is not touched. */
  restoreContext(ctx: CoreContext): void {
    this.ownContext(ctx);
    this.uc.contextRestore(ctx.snapshot);
  }

  private ownContext(ctx: CoreContext): void {
    if (ctx.core !== this.index) throw new Error(`cpu${this.index}: a context of cpu${ctx.core}`);
  }

  /**
   * Drop every cached translation of this core, from outside the guest.
   * In 2.0.1 only a guest tlbi or a TTBR0_EL1 write that changes the ASID
   * flushes an engine's TLB (vmsa_ttbr_write in target/arm/helper.c); this
   * writes TTBR0 with another ASID and back, so the register ends as it was.
   */
  flushTlb(): void {
    const ttbr0 = this.uc.sysRead(SYSREG.TTBR0_EL1);
    this.uc.sysWrite(SYSREG.TTBR0_EL1, ttbr0 ^ (1n << 48n));
    this.uc.sysWrite(SYSREG.TTBR0_EL1, ttbr0);
  }

  /** Print every instruction this core executes (one code hook over everything: very slow). */
  installTrace(out: (line: string) => void, disassemble: (word: number, pc: bigint) => string): void {
    this.uc.hookCode(1n, 0n, (address) => {
      const word = this.fetchWord(address);
      const text = word === undefined ? '(not in RAM)' : disassemble(word, address);
      out(`cpu${this.index} ${address.toString(16).padStart(16, '0')}: ${text}`);
    });
  }

  /* ---- memory as this core sees it ------------------------------------- */

  /** Translate a VA through this core's current MMU state. */
  translate(va: bigint): WalkResult {
    const regs = {
      sctlr: this.uc.sysRead(SYSREG.SCTLR_EL1),
      tcr: this.uc.sysRead(SYSREG.TCR_EL1),
      ttbr0: this.uc.sysRead(SYSREG.TTBR0_EL1),
      ttbr1: this.uc.sysRead(SYSREG.TTBR1_EL1),
    };
    return walkStage1(regs, va, (pa) => (this.ram.contains(pa, 8) ? this.ram.u64(pa) : undefined));
  }

  /** The instruction word at a VA, or undefined if it does not translate to RAM. */
  fetchWord(va: bigint): number | undefined {
    const r = this.translate(va);
    return r.ok && this.ram.contains(r.pa, 4) ? this.ram.u32(r.pa) : undefined;
  }

  /* ---- hooks on loaded code ------------------------------------------- */

  /**
   * The fast svc path: C reads the caller's registers into a shared block
   * and calls this once; x0 goes back the same way.
   */
  private answerSvcs(answer: (call: SvcCall) => bigint | undefined): void {
    const s = this.slicer;
    const call = new NativeSvcCall(this.index, s);
    s.onSvc(() => {
      call.el = elOf(s.svcReg32(SVC_PSTATE) & 0xf);
      call.nr32 = s.svcReg32(SVC_X8) | 0;
      return answer(call);
    });
  }

  /**
   * The page-fault fast path: C saved the context into the snapshot and
   * calls this once per data abort; the trap is read from the snapshot as
   * the slow path would read it, the PC from the engine (QEMU left it at
   * the faulting instruction).
   */
  private answerFaults(answer: (trap: Trap) => boolean): void {
    this.slicer.onFault(() => answer(this.exceptionTrap(EXCP.DATA_ABORT, this.uc.regRead(REG_PC))));
  }

  /** Watch the WFE, WFI and SEV instructions at these addresses (PCs). */
  addEventSites(pcs: Iterable<bigint>): void {
    this.sites.add(pcs);
  }

  /**
   * The not-yet-shadowed gap of the low (TTBR0) half containing `va`, if the
   * MMU is on: with the MMU off the access really is to nothing, and must
   * fault; with it on, the VA only has to pass Unicorn's region check.
   */
  private shadowGap(va: bigint): { base: bigint; size: number; mapped: boolean } | undefined {
    if ((this.uc.sysRead(SYSREG.SCTLR_EL1) & 1n) === 0n) return undefined;
    return this.gaps.find((g) => !g.mapped && va >= g.base && va < g.base + BigInt(g.size));
  }

  /**
   * Map every shadow region now (the MMU is on for good): an instruction
   * fetch is the one access that cannot map its gap on the spot (mapping
   * from the fetch hook crashes 2.0.1), and after a gap is mapped from the
   * slice loop instead, the retried fetch was seen to execute zeroes.
   */
  mapAllShadows(): void {
    for (const gap of this.gaps) if (!gap.mapped) this.mapShadow(gap);
  }

  private mapShadow(gap: { base: bigint; size: number; mapped: boolean }): void {
    this.uc.memMapPtr(gap.base, gap.size, UC_PROT_ALL, this.hooks.shadowHost);
    gap.mapped = true;
  }

  /**
   * Cover VAs [base, base+size) of another kernel layout (Debian's
   * VA_BITS=48 kernel) for Unicorn's check that a VA falls in some region
   * (see TTBR1_SHADOW_BASE). Where the kernel runs code (`code`: at most
   * SHADOW_HOST_SIZE bytes) the region maps the shadow host memory, as the
   * check wants fetches from RAM; elsewhere it is an I/O region. Never one
   * larger shadow: it would span other host memory, the guest RAM among
   * it, and Unicorn finds the RAM block of a host pointer by walking its
   * blocks largest first (qemu_ram_addr_from_host), so code in RAM would
   * be filed under the shadow's RAM addresses, where stores to RAM never
   * invalidate it. The I/O region's handlers run only if an access reaches
   * it as a physical address, which is a fault.
   */
  mapVaShadow(base: bigint, size: number, code: { base: bigint; size: number }): void {
    const end = base + BigInt(size);
    const codeEnd = code.base + BigInt(code.size);
    if (code.size > SHADOW_HOST_SIZE || code.base < base || codeEnd > end) throw new Error('mapVaShadow: the code part must lie inside, at most SHADOW_HOST_SIZE bytes');
    this.uc.memMapPtr(code.base, code.size, UC_PROT_ALL, this.hooks.shadowHost);
    if (code.base > base) this.mapVaGuard(base, Number(code.base - base));
    if (codeEnd < end) this.mapVaGuard(codeEnd, Number(end - codeEnd));
  }

  private mapVaGuard(base: bigint, size: number): void {
    const where = `the VA shadow at 0x${base.toString(16)}`;
    this.uc.mmioMap(base, size, {
      read: (offset) => {
        throw new DeviceAccessError(where, offset, false);
      },
      write: (offset) => {
        throw new DeviceAccessError(where, offset, true);
      },
    });
  }

  mapMmio(base: number, size: number, dev: MmioHandlers): void {
    this.uc.mmioMap(BigInt(base), size, dev);
  }

  /** Map host memory at `ptr` as physical [base, base+size) of this core. */
  mapRam(base: number, size: number, ptr: bigint): void {
    this.uc.memMapRam(BigInt(base), size, ptr);
  }

  /**
   * Physical memory [pa, pa+len) was rewritten from outside the cores:
   * drop this core's translated code of it. The store path library does it
   * by physical page. Without it: Unicorn 2.0.1's public call invalidates
   * by VA (uc_invalidate_tb translates the start as an instruction fetch
   * through the core's MMU) and its memory writes do not invalidate, so
   * the page must be reachable as code: the core's MMU is switched off
   * for the call (VA = PA; the walk reads SCTLR_EL1.M afresh), then back
   * on, and its TLB flushed so that no identity entry outlives the call.
   */
  physCodeChanged(pa: number, len: number): void {
    if (this.uc.invalidatePhysCode(pa, len)) return;
    const sctlr = this.uc.sysRead(SYSREG.SCTLR_EL1);
    this.uc.sysWrite(SYSREG.SCTLR_EL1, sctlr & ~1n);
    try {
      this.uc.invalidateCode(BigInt(pa), BigInt(pa + len));
    } finally {
      this.uc.sysWrite(SYSREG.SCTLR_EL1, sctlr);
      this.flushTlb();
    }
  }

  /**
   * Drop this core's translated code of [pa, pa+len) where that is cheap (by
   * physical page, through the store path library), so that the page's
   * stores run inline again; elsewhere nothing (see physCodeChanged for
   * code that must go).
   */
  dropPhysCode(pa: number, len: number): void {
    this.uc.invalidatePhysCode(pa, len);
  }

  /** Translated code for [begin, end) (VAs through this core's MMU) is stale. */
  invalidateCode(begin: bigint, end: bigint): void {
    this.uc.invalidateCode(begin, end);
  }

  /**
   * While an IRQ is pending for this core (its machine delivers IRQs
   * itself, linux/guest.ts), end the slice before the first block that
   * starts with (PSTATE & mask) == match, e.g. I clear at EL1h: the block
   * after the kernel unmasks IRQs. Costs nothing while off (undefined).
   */
  watchIrqUnmask(when: { mask: number; match: number } | undefined): void {
    const mask = when?.mask ?? 0;
    const match = when?.match ?? 0;
    if (mask === this.irqWatch.mask && match === this.irqWatch.match) return; // one native call per change, not per turn
    this.irqWatch = { mask, match };
    this.slicer.watchIrq(mask, match);
  }

  private irqWatch = { mask: 0, match: 0 };

  /* ---- EL1 snapshot ------------------------------------------------------- */

  /**
   * Remember this core's EL1 state. Writing PSTATE cannot bring a core back
   * from EL0 in Unicorn 2.0.1 (stale hflags), so the way back to EL1 is to
   * restore a snapshot taken at EL1 and set the registers that matter.
   */
  saveEl1(): void {
    if (this.el !== 1) throw new Error(`cpu${this.index}: saveEl1 while at EL0`);
    this.el1Snapshot ??= this.newContext();
    this.saveContext(this.el1Snapshot);
  }

  restoreEl1(): void {
    if (!this.el1Snapshot) throw new Error(`cpu${this.index}: no EL1 snapshot to return to`);
    this.restoreContext(this.el1Snapshot);
  }

  /* ---- running ------------------------------------------------------------ */

  /**
   * Run from this.pc to the first translated-block boundary at or past
   * `budget` instructions (or a trap, or a park). The engine stops before
   * each event site; the core executes it and the slice goes on with the
   * budget it has left.
   */
  runSlice(budget: number): SliceEnd {
    this.unmapped = undefined;
    this.sites.park = undefined;
    this.slices++;
    const s = this.slicer;
    let insns = 0;
    /** A site address whose instruction is not a site now: the next run goes over it. */
    let over: bigint | undefined;
    for (;;) {
      let rc = UC_ERR_OK;
      let thrown: unknown;
      const wasOver = over !== undefined;
      try {
        if (over !== undefined) {
          this.sites.runningOver(over);
          rc = s.runOver(over, untilFor(over), insns);
        } else {
          rc = s.run(this.pc, untilFor(this.pc), budget, insns, this.exec === 'counted' ? budget : 0);
        }
      } catch (e) {
        thrown = e;
      } finally {
        if (over !== undefined) this.sites.runningOver((over = undefined));
      }
      insns = s.insns;
      const stop = s.stop;
      // After a stop from the block hook the PC register may be stale
      // (2.0.1, when a code hook exists): resume where that block starts.
      this.pc = stop === SLICE_STOP.BUDGET || stop === SLICE_STOP.IRQ ? s.resume : this.uc.regRead(REG_PC);
      if (thrown !== undefined) {
        if (thrown instanceof DeviceAccessError) return this.trapped(this.deviceTrap(thrown), insns);
        throw thrown;
      }
      if (this.pendingFetchShadow && rc === UC_ERR_FETCH_UNMAPPED) {
        this.mapShadow(this.pendingFetchShadow);
        this.pendingFetchShadow = undefined;
        this.unmapped = undefined;
        continue;
      }
      if (stop === SLICE_STOP.TRAP) return this.trapped(this.exceptionTrap(s.intno), insns);
      if (rc !== UC_ERR_OK) {
        if (this.unmapped || rc === UC_ERR_READ_UNMAPPED || rc === UC_ERR_WRITE_UNMAPPED || rc === UC_ERR_FETCH_UNMAPPED)
          return this.trapped(this.unmappedTrap(rc), insns);
        if (rc === UC_ERR_FETCH_PROT) return this.trapped(this.ioFetchTrap(), insns);
        throw new UcError(rc, `uc_emu_start on cpu${this.index}`);
      }
      if (this.sites.park) return this.parked(this.sites.park, insns); // a code hook parked it ('counted')
      if (stop === SLICE_STOP.NONE && this.sites.stoppedAt(this.pc)) {
        if (!this.sites.isSite(this.pc)) {
          // The block here is checked against the budget as any other.
          if (insns >= budget) return this.ended({ kind: 'budget' }, insns);
          over = this.pc;
          continue;
        }
        insns++; // the site's instruction, executed here
        if (this.sites.execute(this.pc)) return this.parked(this.sites.park!, insns);
        this.pc += 4n;
        continue; // the block after it is checked against the budget as any other
      }
      // A pending IRQ became takeable (watchIrqUnmask): the slice ends before the block, and the machine's OS takes the IRQ there.
      if (stop === SLICE_STOP.IRQ) return this.ended({ kind: 'budget' }, insns);
      // Running over a site stops at the next block; the slice ends there only if its budget is used up.
      if (wasOver && stop === SLICE_STOP.BUDGET && insns < budget) continue;
      return this.ended({ kind: 'budget' }, insns);
    }
  }

  private ended(end: SliceOutcome, insns: number): SliceEnd {
    this.insns += insns;
    return { ...end, insns };
  }

  private parked({ how, resume }: { how: 'wfe' | 'wfi'; resume: bigint }, insns: number): SliceEnd {
    this.state = how;
    this.pc = resume;
    if (how === 'wfe' && this.wfeWatch) this.wfeWatch.value = this.ram.u64(this.wfeWatch.pa);
    return this.ended({ kind: 'parked' }, insns);
  }

  private trapped(trap: Trap, insns: number): SliceEnd {
    this.state = 'trapped';
    return this.ended({ kind: 'trap', trap }, insns);
  }

  /**
   * Xn as it was when this core last trapped, from the snapshot the trap
   * hook saved (cheaper than a uc_reg_read; valid until the core runs again).
   */
  trapX(n: number): bigint {
    return this.snapshot.bytes.getBigUint64(this.hooks.snapshot.xregs + 8 * n, true);
  }

  private exceptionTrap(intno: number, pc = this.pc): Trap {
    const snap = this.snapshot.bytes;
    const lay = this.hooks.snapshot;
    const el = elOf(snap.getUint32(lay.pstate, true));
    const esr = snap.getUint32(lay.syndrome, true);
    const kind = kindOfException(intno) ?? 'undef';
    const core = this.index;
    switch (kind) {
      case 'svc':
      case 'brk':
        return { kind, core, pc, el, esr, far: 0n, imm: esr & 0xffff };
      case 'data-abort':
      case 'insn-abort':
        return { kind, core, pc, el, esr, far: snap.getBigUint64(lay.syndrome + 8, true), imm: 0 };
      case 'undef': {
        const word = this.fetchWord(pc);
        if (el === 1 && word !== undefined && A64.isHvc(word)) {
          // As a real hvc: syndrome EC 0x16 with the immediate, return address after it.
          const imm = A64.hvcImm(word);
          return { kind: 'hvc', core, pc: pc + 4n, el, esr: ((0x16 << 26) | (1 << 25) | imm) >>> 0, far: 0n, imm };
        }
        return { kind: 'undef', core, pc, el, esr: 1 << 25, far: 0n, imm: 0 };
      }
      default:
        return { kind, core, pc, el, esr, far: 0n, imm: 0 };
    }
  }

  private unmappedTrap(rc: number): Trap {
    const type = this.unmapped?.type ?? 0;
    const what = type === UC_HOOK_MEM_FETCH_UNMAPPED || rc === UC_ERR_FETCH_UNMAPPED ? 'fetch'
      : type === UC_HOOK_MEM_WRITE_UNMAPPED || rc === UC_ERR_WRITE_UNMAPPED ? 'write' : 'read';
    return {
      kind: 'unmapped', core: this.index, pc: what === 'fetch' ? this.pc : this.uc.refusedAccessBlock ?? this.pc, el: this.el, esr: 0,
      far: this.unmapped?.address ?? this.pc, imm: 0, detail: `${what} of unmapped memory`, inBlock: what !== 'fetch',
    };
  }

  /**
   * The engine refused a fetch from an I/O region (a device window, or the
   * I/O part of a VA shadow: code runs only where a shadow maps host
   * memory, see mapVaShadow); the PC is the fetch address.
   */
  private ioFetchTrap(): Trap {
    return {
      kind: 'device', core: this.index, pc: this.pc, el: this.el, esr: 0, far: this.pc, imm: 0,
      detail: 'fetch from an I/O region (a device window or the data-only part of a VA shadow)',
    };
  }

  private deviceTrap(e: DeviceAccessError): Trap {
    return {
      kind: 'device', core: this.index, pc: this.uc.refusedAccessBlock ?? this.pc, el: this.el, esr: 0, far: BigInt(e.pa), imm: 0, detail: e.message, inBlock: true,
    };
  }

  dispose(): void {
    for (const c of this.contexts) c.free();
    this.uc.dispose();
  }
}
