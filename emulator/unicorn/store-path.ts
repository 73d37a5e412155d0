// SPDX-License-Identifier: GPL-2.0-only
/*
 * The engine's store path (emulator/native/uc_store_path.c, whose header
 * says why): its library has to be in the process's global symbol scope
 * before libunicorn.so.2 is loaded, because libunicorn binds its own
 * PLT calls once, at load time (BIND_NOW). binding.ts calls
 * preloadStorePath() just before it loads the engine and bindStorePath()
 * just after.
 *
 * Where the library cannot be built (no C compiler) the engine runs
 * without it, as Unicorn 2.0.1 ships, only slower; the native part's own
 * load then says what to install. UCONSOLE_STORE_PATH=off does the same on
 * purpose, to measure the difference (bench syscall's A/B).
 */

import koffi from './koffi';
import type { LibraryHandle } from 'koffi';
import { ensureNativeLibrary, storePathPaths } from '../native/build';
import type { Ptr } from './binding';

const ABI = 7;

/** What the engine did through the store path since the process started. */
export interface StorePathStats {
  /** page_collection_lock calls answered with nothing (one per slow-path store to RAM, and per range invalidation). */
  collections: bigint;
  /** tb_invalidate_phys_page_fast calls (one per slow-path store to RAM) ... */
  storeChecks: bigint;
  /** ... of which reached the engine's own check (pages that hold or held code). */
  storeChecksPassed: bigint;
  /** Pages that got their first translated block, and pages that lost their last. */
  codePagesProtected: bigint;
  codePagesUnprotected: bigint;
  /** Writable TLB entries made without TLB_NOTDIRTY: their stores take TCG's inline path. */
  fastStoreEntries: bigint;
  /** Blocks translated with the slices' block counter inline instead of a call (ucsp_inline_block_hook). */
  inlineCountedBlocks: bigint;
  /** Jump-cache misses the second level answered, and those it passed on to the engine's hash table. */
  jumpCacheL2Hits: bigint;
  jumpCacheL2Misses: bigint;
}

interface Loaded {
  lib: LibraryHandle;
  bound: boolean;
}

let loaded: Loaded | undefined | null;

/** The library's functions by declaration, bound once (binding one costs more than calling it). */
const bound = new Map<string, (...args: unknown[]) => unknown>();

function fn(decl: string): (...args: unknown[]) => unknown {
  let f = bound.get(decl);
  if (!f) bound.set(decl, (f = loaded!.lib.func(decl) as (...args: unknown[]) => unknown));
  return f;
}

/** Load the library into the global scope (once, before libunicorn); false when it is not used. */
export function preloadStorePath(): boolean {
  if (loaded !== undefined) return loaded !== null;
  loaded = null;
  if (process.env.UCONSOLE_STORE_PATH === 'off') return false;
  let path: string;
  try {
    path = ensureNativeLibrary(() => {}, storePathPaths());
  } catch {
    return false;
  }
  // Its ABI is checked before it joins the global scope: once there, libunicorn binds to it for good.
  if ((koffi.load(path).func('int32_t ucsp_abi(void)')() as number) !== ABI) return false;
  loaded = { lib: koffi.load(path, { global: true }), bound: false };
  return true;
}

/**
 * Give the library the engine's own functions (after libunicorn is
 * loaded). Once the engine is bound to this library it cannot run without
 * them, so failing here is fatal.
 */
export function bindStorePath(libunicorn: string): void {
  if (!loaded || loaded.bound) return;
  if ((loaded.lib.func('int32_t ucsp_bind(const char *libunicorn)')(libunicorn) as number) !== 0)
    throw new Error(`${libunicorn} lacks the functions emulator/native/uc_store_path.c wraps (not Unicorn 2.0.1?): run with UCONSOLE_STORE_PATH=off`);
  loaded.bound = true;
}

/** The counters, or undefined when the engine runs without the store path. */
export function storePathStats(): StorePathStats | undefined {
  if (!loaded?.bound) return undefined;
  const out = new BigUint64Array(9);
  fn('void ucsp_stats(uint64_t *out)')(out);
  return {
    collections: out[0]!,
    storeChecks: out[1]!,
    storeChecksPassed: out[2]!,
    codePagesProtected: out[3]!,
    codePagesUnprotected: out[4]!,
    fastStoreEntries: out[5]!,
    inlineCountedBlocks: out[6]!,
    jumpCacheL2Hits: out[7]!,
    jumpCacheL2Misses: out[8]!,
  };
}

/**
 * Engine `uc` maps guest RAM [pa, pa+size) to the host memory at `host`:
 * its stores there may take the engine's inline path (see the library's
 * header). Without this the engine keeps 2.0.1's slow path for them, as it
 * does when the library's tables are full (64 engines alive, 8 ranges in
 * one): slower, never wrong.
 */
export function storePathAddRam(uc: Ptr, pa: number, size: number, host: Ptr): void {
  if (loaded?.bound) fn('int32_t ucsp_add_ram(void *uc, uint64_t pa, uint64_t size, uint64_t host)')(uc, pa, size, host);
}

/** Engine `uc` is closing: the library forgets it (the handle may come back for another). */
export function storePathForget(uc: Ptr): void {
  if (loaded?.bound) fn('void ucsp_forget(void *uc)')(uc);
}

/**
 * Drop engine `uc`'s translated code of guest RAM [pa, pa+len) by physical
 * page (ucsp_code_changed): true when done, false when the library is not
 * in use or the range is not RAM registered for the engine.
 */
export function storePathCodeChanged(uc: Ptr, pa: number, len: number): boolean {
  if (!loaded?.bound) return false;
  return (fn('int32_t ucsp_code_changed(void *uc, uint64_t pa, uint64_t len)')(uc, pa, len) as number) === 0;
}

/**
 * Check that the library finds engine `uc`'s CPUARMState (see
 * ucsp_env_check in the C file): `ctx` is a uc_context the caller saved
 * just now. An error message when it does not, undefined when it does.
 */
export function storePathEnvCheck(uc: Ptr, ctx: Ptr): string | undefined {
  if (!loaded?.bound) return 'the native store-path library is not loaded (UCONSOLE_STORE_PATH=off, or no C compiler)';
  const rc = fn('int32_t ucsp_env_check(void *uc, void *ctx)')(uc, ctx) as number;
  if (rc === -1) return 'the engine has not run yet, so its CPU state is not known';
  if (rc !== 0) return "the engine's CPU state is not where emulator/native/uc_store_path.c expects it (not Debian's Unicorn 2.0.1?)";
  return undefined;
}

/** Rebuild engine `uc`'s cached hflags (after storePathEnvCheck passed for it). */
export function storePathRebuildHflags(uc: Ptr): void {
  if ((fn('int32_t ucsp_rebuild_hflags(void *uc)')(uc) as number) !== 0)
    throw new Error('ucsp_rebuild_hflags: the engine has no known CPU state');
}

/**
 * Emit the slices' block hook `counted` (uc_slice.c's on_block) inline in
 * every block translated from now on, calling `afterInline` for its slow
 * half (the C file's "The block counter inline" says how and why): false
 * when the library is not in use, or UCONSOLE_INLINE_COUNT=off asks for
 * the call per block, to measure the difference.
 */
export function storePathInlineBlockHook(counted: Ptr, afterInline: Ptr): boolean {
  if (!loaded?.bound || process.env.UCONSOLE_INLINE_COUNT === 'off') return false;
  fn('void ucsp_inline_block_hook(void *counted, void *after)')(counted, afterInline);
  return true;
}

/**
 * Have the library keep the exit check after every guest store (the
 * engine's own translation of a store, with uc->no_exit_request cleared
 * around it; uc_store_path.c, "Stores keep their exit check"), given where
 * uc_slice.c found the flag and TCGContext.uc: false when the library is
 * not in use, and stores then lose their check with the loads'.
 */
export function storePathKeepStoreChecks(tcgUcAt: bigint, flagAt: bigint): boolean {
  if (!loaded?.bound) return false;
  fn('void ucsp_exit_flag_at(int64_t tcg_uc_at, int64_t flag_at)')(tcgUcAt, flagAt);
  return true;
}
