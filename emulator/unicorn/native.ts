// SPDX-License-Identifier: GPL-2.0-only
/*
 * The binding of the emulator's native part (emulator/native/uc_slice.c):
 * deterministic slices counted by a C block hook, event sites as the
 * translator's exits, and the exception hook with the svc fast path. Only
 * the files of emulator/unicorn/ touch koffi.
 *
 * The library is checked before it is loaded (emulator/native/build.ts):
 * missing or built from an older source, it is rebuilt, or the process
 * stops with one line saying what to install. Its ABI number must match
 * NATIVE_ABI, so a library from another checkout is never used.
 *
 * State is shared, not marshalled: each engine's `struct ucs_shared` is a
 * BigUint64Array over C memory (slots below), so reading why a slice
 * stopped or the svc caller's registers costs no FFI call. The svc handler
 * is a koffi callback taking no arguments; it reads the registers from
 * that block and leaves x0 there for C to write.
 */

import koffi from './koffi';
import type { LibraryHandle, TypeObject } from 'koffi';
import { ensureNativeLibrary, NativeBuildError } from '../native/build';
import { storePathInlineBlockHook, storePathKeepStoreChecks } from './store-path';
import type { KoffiFn, Ptr, Unicorn, UcContext } from './binding';

/** Must equal UCS_ABI in uc_slice.c. */
export const NATIVE_ABI = 11;

/** Why the engine stopped (enum ucs_stop). */
export const SLICE_STOP = { NONE: 0, BUDGET: 1, TRAP: 3, IRQ: 4 } as const;

/**
 * How an engine's blocks are counted (enum ucs_blocks): not at all; by the
 * lean hook, event sites being exits; by the hook that counts a block only
 * up to its first site, sites being code hooks.
 */
export const BLOCKS = { NONE: 0, COUNT: 1, SITES: 2 } as const;
export type BlockCounting = (typeof BLOCKS)[keyof typeof BLOCKS];

/** Slots of struct ucs_shared. */
const S = { left: 0, insns: 1, resume: 2, stop: 3, intno: 4, svcRegs: 5, svcRet: 14 } as const;
const SHARED_SLOTS = 15;

/** The native part's functions, bound once per process. */
interface NativeLib {
  attach: KoffiFn;
  setSvc: KoffiFn;
  setFault: KoffiFn;
  setSites: KoffiFn;
  run: KoffiFn;
  runOver: KoffiFn;
  free: KoffiFn;
  watchIrq: KoffiFn;
  setPageBits: KoffiFn;
  skipAccessExitChecks: KoffiFn;
  accessBlock: KoffiFn;
  replicate: KoffiFn;
  maskRecords: KoffiFn;
  svcProto: TypeObject;
}

let native: NativeLib | undefined;
let storesKeepExitChecks = false;

function loadNative(): NativeLib {
  if (native) return native;
  const path = ensureNativeLibrary();
  const lib: LibraryHandle = koffi.load(path);
  const f = (decl: string): KoffiFn => lib.func(decl) as KoffiFn;
  const abi = f('int32_t ucs_abi(void)')() as number;
  if (abi !== NATIVE_ABI) throw new NativeBuildError(`${path} has ABI ${abi}, this checkout needs ${NATIVE_ABI}: delete it and run "npm run setup"`);
  native = {
    attach: f('void *ucs_attach(void *uc, void *snapshot, int32_t blocks)'),
    setSvc: f('void ucs_set_svc(void *s, void *fn)'),
    setFault: f('void ucs_set_fault(void *s, void *fn)'),
    setSites: f('int32_t ucs_set_sites(void *s, const uint64_t *sites, uint32_t n, int32_t as_exits)'),
    run: f('int32_t ucs_run(void *s, uint64_t begin, uint64_t until, uint64_t budget, uint64_t insns, uint64_t count)'),
    runOver: f('int32_t ucs_run_over(void *s, uint64_t pc, uint64_t until, uint64_t insns)'),
    free: f('void ucs_free(void *s)'),
    watchIrq: f('void ucs_watch_irq(void *s, uint64_t mask, uint64_t match)'),
    setPageBits: f('int32_t ucs_set_page_bits(void *uc, int32_t bits)'),
    skipAccessExitChecks: f('int32_t ucs_skip_access_exit_checks(void *uc)'),
    accessBlock: f('int32_t ucs_access_block(void *uc, _Out_ uint64_t *pc)'),
    replicate: f('int32_t ucs_replicate(void *dst, uint64_t unit_len, uint64_t len)'),
    maskRecords: f('int32_t ucs_mask_records(void *dst, uint64_t unit_len, uint64_t len, const void *keep, const void *set)'),
    svcProto: koffi.proto('int32_t ucs_svc_fn(void)'),
  };
  // The store-path library, where loaded, emits this library's block hook inline (uc_store_path.c).
  const counted: [Ptr | null] = [null];
  const afterInline: [Ptr | null] = [null];
  f('void ucs_block_fns(_Out_ void **counted, _Out_ void **after)')(counted, afterInline);
  storePathInlineBlockHook(counted[0]!, afterInline[0]!);
  // Stores keep their exit check (uc_store_path.c) where the flag that drops it is known.
  const tcgUc = new BigInt64Array(1);
  const flag = new BigInt64Array(1);
  storesKeepExitChecks = (f('int32_t ucs_exit_flag_offsets(_Out_ int64_t *tcg_uc, _Out_ int64_t *flag)')(tcgUc, flag) as number) === 0
    && storePathKeepStoreChecks(tcgUc[0]!, flag[0]!);
  return native;
}

/**
 * Give ARM64 engine `uc`, opened and not yet used, pages of 2^bits bytes
 * (ucs_set_page_bits, whose comment says why 2.0.1 needs it): false when
 * the native part is not available or could not do it. The caller checks
 * the engine's page size afterwards.
 */
export function setEnginePageBits(uc: Ptr, bits: number): boolean {
  let lib: NativeLib;
  try {
    lib = loadNative();
  } catch {
    return false;
  }
  return (lib.setPageBits(uc, bits) as number) === 0;
}

/**
 * Have engine `uc` translate its loads without Unicorn's exit check after
 * each (uc_slice.c, 7.; stores keep theirs, uc_store_path.c), for an
 * engine whose stops all come at a block's start or through an exception,
 * never from a code hook: false where the native part or the store-path
 * library cannot. UCONSOLE_ACCESS_EXIT_CHECKS=on keeps them, for the A/B.
 */
export function skipAccessExitChecks(uc: Unicorn): boolean {
  if (process.env.UCONSOLE_ACCESS_EXIT_CHECKS === 'on') return false;
  const lib = loadNative();
  // Only where stores keep theirs: a store declined by the engine does not leave its block by itself.
  return storesKeepExitChecks && (lib.skipAccessExitChecks(uc.engine) as number) === 0;
}

/**
 * From inside a memory callback: the guest address of the translated block
 * making the access (ucs_access_block in uc_slice.c), or undefined where
 * the native part cannot tell.
 */
export function accessBlock(uc: Ptr): bigint | undefined {
  const pc = new BigUint64Array(1);
  try {
    return (loadNative().accessBlock(uc, pc) as number) === 0 ? pc[0]! : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Repeat the first `unitLen` bytes of `bytes` through all of it, on every
 * host core (ucs_replicate, uc_slice.c 9.: mostly first touches of host
 * memory, which proceed in parallel); GuestRam.replicate's contract.
 * Answers the number of threads that did it (1: this one alone).
 */
export function replicate(bytes: Uint8Array, unitLen: number): number {
  if (!(Number.isInteger(unitLen) && unitLen > 0)) throw new RangeError(`ucs_replicate: a unit of ${unitLen} bytes`);
  const threads = bytes.length > unitLen ? (loadNative().replicate(bytes, unitLen, bytes.length) as number) : 1;
  if (threads === 0) throw new RangeError(`ucs_replicate: cannot repeat ${unitLen} bytes through ${bytes.length}`);
  return threads;
}

/**
 * Set every keep.length-byte record of `bytes` to (record & keep) | set,
 * on every host core (ucs_mask_records, uc_slice.c 9.); GuestRam.maskRecords's
 * contract. Answers the number of threads that did it.
 */
export function maskRecords(bytes: Uint8Array, keep: Uint8Array, set: Uint8Array): number {
  if (set.length !== keep.length) throw new RangeError('ucs_mask_records: keep and set differ in length');
  if (bytes.length === 0) return 1;
  const threads = loadNative().maskRecords(bytes, keep.length, bytes.length, keep, set) as number;
  if (threads === 0) throw new RangeError(`ucs_mask_records: cannot mask ${bytes.length} bytes in records of ${keep.length}`);
  return threads;
}

/** The svc caller's registers, as C read them: x0-x5, then x8, PSTATE and TPIDR_EL1. */
export const SVC_X8 = 6;
export const SVC_PSTATE = 7;
export const SVC_TPIDR_EL1 = 8;

/**
 * One engine's slicer. With a block hook (`blocks`), runs end at the first
 * block boundary with the budget used up; without, the engine runs free
 * and only traps, exits and its own returns end a run.
 */
export class NativeSlicer {
  /** struct ucs_shared, and the same memory as 32-bit words (reads without a BigInt). */
  private readonly sh: BigUint64Array;
  private readonly sh32: Uint32Array;
  private readonly state: Ptr;
  private readonly lib: NativeLib;
  private svcTrampoline: bigint | undefined;
  private faultTrampoline: bigint | undefined;

  constructor(private readonly uc: Unicorn, snapshot: UcContext, readonly blocks: BlockCounting) {
    this.lib = loadNative();
    const state = this.lib.attach(uc.engine, snapshot.ptr, blocks) as Ptr | null;
    if (state === null) throw new Error('the native part could not hook the engine (uc_hook_add failed)');
    this.state = state;
    const view = koffi.view(state, 8 * SHARED_SLOTS);
    this.sh = new BigUint64Array(view);
    this.sh32 = new Uint32Array(view);
    uc.onClose(() => {
      this.lib.free(this.state);
      if (this.svcTrampoline !== undefined) koffi.unregister(this.svcTrampoline);
      if (this.faultTrampoline !== undefined) koffi.unregister(this.faultTrampoline);
    });
  }

  /**
   * Offer every svc to `answer` (from inside the exception hook): it reads
   * svcReg(), and returns the x0 to give back, or undefined to make the svc
   * a trap like any other. Set once per engine.
   */
  onSvc(answer: () => bigint | undefined): void {
    if (this.svcTrampoline !== undefined) throw new Error('the svc handler is set once per engine');
    const body = this.uc.guarded(() => {
      const ret = answer();
      if (ret === undefined) return 0;
      this.sh[S.svcRet] = ret; // stored modulo 2^64, as the register holds it
      return 1;
    }, 0);
    this.svcTrampoline = koffi.register(body, koffi.pointer(this.lib.svcProto));
    this.lib.setSvc(this.state, this.svcTrampoline);
  }

  /**
   * Offer every data abort to `answer` (from inside the exception hook,
   * the context already saved in the snapshot): true when it made the
   * access possible, and the instruction is retried in the same run;
   * false to make the abort a trap like any other. Set once per engine.
   */
  onFault(answer: () => boolean): void {
    if (this.faultTrampoline !== undefined) throw new Error('the fault handler is set once per engine');
    const body = this.uc.guarded(() => (answer() ? 1 : 0), 0);
    this.faultTrampoline = koffi.register(body, koffi.pointer(this.lib.svcProto));
    this.lib.setFault(this.state, this.faultTrampoline);
  }

  /** Register n of the current svc: 0-5 = x0-x5, SVC_X8, SVC_PSTATE, SVC_TPIDR_EL1. */
  svcReg(n: number): bigint {
    return this.sh[S.svcRegs + n]!;
  }

  /** The low 32 bits of svcReg(n) (little-endian host), e.g. PSTATE. */
  svcReg32(n: number): number {
    return this.sh32[2 * (S.svcRegs + n)]!;
  }

  /**
   * The WFE/WFI/SEV/SEVL addresses (VAs): the translator's exits with
   * `asExits`, else the sites the BLOCKS.SITES hook counts up to.
   */
  setSites(sites: readonly bigint[], asExits: boolean): void {
    const arr = BigUint64Array.from(sites);
    if ((this.lib.setSites(this.state, arr, arr.length, asExits ? 1 : 0) as number) !== 0)
      throw new Error('the engine refused the event sites (out of memory, or no exits in this Unicorn)');
  }

  /**
   * Run from `begin`; `insns` instructions of the budget are already used;
   * `count` is Unicorn's own instruction count (0: none, always but in the
   * 'counted' mode). Returns uc_emu_start's result code; rethrows what a
   * hook threw.
   */
  run(begin: bigint, until: bigint, budget: number, insns: number, count = 0): number {
    return this.uc.running(() => this.lib.run(this.state, begin, until, budget, insns, count) as number);
  }

  /**
   * Run the one block at `pc`, a site address whose instruction is not a
   * site any more, without stopping there (ucs_run_over): the engine stops
   * at the next block, the count going on from `insns`. Returns
   * uc_emu_start's result code; rethrows what a hook threw.
   */
  runOver(pc: bigint, until: bigint, insns: number): number {
    const rc = this.uc.running(() => this.lib.runOver(this.state, pc, until, insns) as number);
    if (rc === -1) throw new Error('the engine refused to change its exits (out of memory)');
    return rc;
  }

  /**
   * The IRQ unmask watch (uc_slice.c, 4.): while set, the block hook stops
   * the engine before a block that starts with (PSTATE & mask) == match.
   * May change from inside a hook (an MMIO write that asserts or clears an
   * interrupt), applying from the next block on. mask 0: off.
   */
  watchIrq(mask: number, match: number): void {
    this.lib.watchIrq(this.state, mask, match);
  }

  /** Instructions in the blocks started so far this slice (as of the last run's return). */
  get insns(): number {
    return Number(this.sh[S.insns]!);
  }
  get stop(): number {
    return this.sh32[2 * S.stop]!;
  }
  /** The block a budget stop left unstarted: where to resume. */
  get resume(): bigint {
    return this.sh[S.resume]!;
  }
  get intno(): number {
    return this.sh32[2 * S.intno]!;
  }
}
