// SPDX-License-Identifier: GPL-2.0-only
/*
 * The typed Unicorn binding: with native.ts and store-path.ts (the C part's
 * loaders), the only module in the project that touches koffi (and,
 * through it, libunicorn.so.2 and libc's mmap).
 *
 * Lifetimes. A hook callback is a koffi-registered trampoline; if it were
 * released while the engine could still call it the process would crash.
 * Each Unicorn instance therefore owns the trampolines of its hooks and MMIO
 * regions and releases them only after uc_hook_del, or after uc_close in
 * dispose(). koffi allows about 8192 live trampolines per process, so hooks
 * are registered once per core, not per call.
 *
 * Exceptions never cross into C. A JS exception thrown by a hook is caught,
 * the engine is stopped, and the exception is rethrown from emuStart().
 *
 * 64-bit values are bigint. Register reads and writes go through one
 * BigUint64Array scratch slot (koffi passes it as a pointer): five times
 * faster than koffi's [0n] out-arrays, and always exact. uint64 callback
 * arguments arrive from koffi as signed numbers or bigints, so they are
 * normalised with BigInt.asUintN(64, ...).
 *
 * Facts relied on: unicorn.h and arm64.h of 2.0.1 for the prototypes and
 * constants; the costs of each call were measured here (bench emu).
 */

import koffi, { libc } from './koffi';
import type { TypeObject, LibraryHandle } from 'koffi';
import {
  REG_CP_REG, UC_API_MAJOR, UC_ARCH_ARM64, UC_MODE_ARM, UC_HOOK_INTR, UC_HOOK_CODE, UC_HOOK_INSN,
  UC_HOOK_MEM_UNMAPPED, UC_HOOK_MEM_FETCH_UNMAPPED, UC_ARM64_INS_MRS, UC_ARM64_INS_MSR, UC_ARM64_INS_SYS, UC_CTL_CPU_MODEL_WRITE, UC_CTL_CPU_MODEL_READ, UC_CTL_PAGE_SIZE_READ,
  UC_CTL_TB_REMOVE_CACHE_WRITE, UC_CTL_TB_FLUSH_WRITE, UC_PROT_ALL, regX, type SysReg,
} from './constants';
import {
  bindStorePath, preloadStorePath, storePathAddRam, storePathCodeChanged, storePathEnvCheck, storePathForget, storePathRebuildHflags,
} from './store-path';
import { accessBlock, setEnginePageBits } from './native';

/** The translation granule every guest here uses (4 KB), and so the engine's page. */
const GRANULE_BITS = 12;

export class UcError extends Error {
  override name = 'UcError';
  constructor(readonly code: number, readonly call: string) {
    super(`${call}: ${strerror(code)} (UC_ERR ${code})`);
  }
}

/** Unicorn is missing or unusable: the message says exactly what to do. */
export class UnicornUnavailableError extends Error {
  override name = 'UnicornUnavailableError';
}

/** A native pointer as koffi gives it. */
export type Ptr = bigint;
/** A function koffi bound from a library. */
export type KoffiFn = (...args: unknown[]) => unknown;

interface Lib {
  uc_version: KoffiFn;
  uc_open: KoffiFn;
  uc_close: KoffiFn;
  uc_strerror: KoffiFn;
  uc_reg_read: KoffiFn;
  uc_reg_write: KoffiFn;
  uc_reg_read_batch: KoffiFn;
  uc_mem_map_ptr: KoffiFn;
  uc_mem_read: KoffiFn;
  uc_mem_write: KoffiFn;
  uc_mmio_map: KoffiFn;
  uc_emu_start: KoffiFn;
  uc_emu_stop: KoffiFn;
  uc_hook_add: KoffiFn;
  uc_hook_del: KoffiFn;
  uc_ctl: KoffiFn;
  uc_context_alloc: KoffiFn;
  uc_context_save: KoffiFn;
  uc_context_restore: KoffiFn;
  uc_context_size: KoffiFn;
  uc_context_free: KoffiFn;
  mmap: KoffiFn;
  munmap: KoffiFn;
  madvise: KoffiFn;
  /** struct uc_arm64_cp_reg { uint32_t crn, crm, op0, op1, op2; uint64_t val; } */
  cpReg: TypeObject;
  protos: {
    intr: TypeObject;
    code: TypeObject;
    insnSys: TypeObject;
    memEvent: TypeObject;
    mmioRead: TypeObject;
    mmioWrite: TypeObject;
  };
}

let lib: Lib | undefined;

export const LIBUNICORN = 'libunicorn.so.2';

function loadLib(): Lib {
  if (lib) return lib;
  let uc: LibraryHandle;
  preloadStorePath();
  try {
    uc = koffi.load(LIBUNICORN);
  } catch {
    throw new UnicornUnavailableError(
      `cannot load ${LIBUNICORN}: install the Debian package with "apt-get install -y libunicorn2" (as root)`,
    );
  }
  bindStorePath(LIBUNICORN);
  const f = (decl: string): KoffiFn => uc.func(decl) as KoffiFn;
  const l: Lib = {
    uc_version: f('unsigned int uc_version(void *major, void *minor)'),
    uc_open: f('int uc_open(int arch, int mode, _Out_ void **uc)'),
    uc_close: f('int uc_close(void *uc)'),
    uc_strerror: f('const char *uc_strerror(int code)'),
    uc_reg_read: f('int uc_reg_read(void *uc, int regid, void *value)'),
    uc_reg_write: f('int uc_reg_write(void *uc, int regid, void *value)'),
    uc_reg_read_batch: f('int uc_reg_read_batch(void *uc, void *regs, void *vals, int count)'),
    uc_mem_map_ptr: f('int uc_mem_map_ptr(void *uc, uint64_t address, size_t size, uint32_t perms, void *ptr)'),
    uc_mem_read: f('int uc_mem_read(void *uc, uint64_t address, _Out_ uint8_t *bytes, size_t size)'),
    uc_mem_write: f('int uc_mem_write(void *uc, uint64_t address, const uint8_t *bytes, size_t size)'),
    uc_mmio_map: f('int uc_mmio_map(void *uc, uint64_t address, size_t size, void *read_cb, void *user_read, void *write_cb, void *user_write)'),
    uc_emu_start: f('int uc_emu_start(void *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count)'),
    uc_emu_stop: f('int uc_emu_stop(void *uc)'),
    uc_hook_add: f('int uc_hook_add(void *uc, _Out_ size_t *hh, int type, void *callback, void *user_data, uint64_t begin, uint64_t end, ...)'),
    uc_hook_del: f('int uc_hook_del(void *uc, size_t hh)'),
    uc_ctl: f('int uc_ctl(void *uc, int control, ...)'),
    uc_context_alloc: f('int uc_context_alloc(void *uc, _Out_ void **context)'),
    uc_context_save: f('int uc_context_save(void *uc, void *context)'),
    uc_context_restore: f('int uc_context_restore(void *uc, void *context)'),
    uc_context_size: f('size_t uc_context_size(void *uc)'),
    uc_context_free: f('int uc_context_free(void *context)'),
    mmap: libc().func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)') as KoffiFn,
    munmap: libc().func('int munmap(void *addr, size_t len)') as KoffiFn,
    madvise: libc().func('int madvise(void *addr, size_t len, int advice)') as KoffiFn,
    cpReg: koffi.struct('uc_arm64_cp_reg', { crn: 'uint32_t', crm: 'uint32_t', op0: 'uint32_t', op1: 'uint32_t', op2: 'uint32_t', val: 'uint64_t' }),
    protos: {
      intr: koffi.proto('void uc_cb_intr(void *uc, uint32_t intno, void *user)'),
      code: koffi.proto('void uc_cb_code(void *uc, uint64_t address, uint32_t size, void *user)'),
      insnSys: koffi.proto('uint32_t uc_cb_insn_sys(void *uc, int reg, void *cp_reg, void *user)'),
      memEvent: koffi.proto('bool uc_cb_mem_event(void *uc, int type, uint64_t address, int size, int64_t value, void *user)'),
      mmioRead: koffi.proto('uint64_t uc_cb_mmio_read(void *uc, uint64_t offset, unsigned int size, void *user)'),
      mmioWrite: koffi.proto('void uc_cb_mmio_write(void *uc, uint64_t offset, unsigned int size, uint64_t value, void *user)'),
    },
  };
  const version = (l.uc_version(null, null) as number) >>> 0;
  if (version >>> 24 !== UC_API_MAJOR)
    throw new UnicornUnavailableError(`${LIBUNICORN} reports API version ${version >>> 24}; uconsole-mm needs Unicorn 2.x`);
  lib = l;
  return l;
}

/** The Unicorn library version as "major.minor.patch". */
export function unicornVersion(): string {
  const v = (loadLib().uc_version(null, null) as number) >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}`;
}

function strerror(code: number): string {
  try {
    return String(loadLib().uc_strerror(code));
  } catch {
    return `error ${code}`;
  }
}

export const u64 = (v: unknown): bigint => BigInt.asUintN(64, BigInt(v as number | bigint));

/* ----------------------------------------------------------------------------
 * Host memory: one anonymous, lazily-committed mapping per region.
 */

export interface HostMemory {
  /** The host address, for uc_mem_map_ptr. */
  readonly ptr: Ptr;
  readonly size: number;
  /** ArrayBuffers over the mapping, each at most 4 GiB (koffi.view's limit). */
  readonly buffers: ArrayBuffer[];
  /**
   * Give the memory back. Its pages are dropped at once (they read as
   * zeros from then on); the mapping itself goes when no ArrayBuffer over
   * it is reachable any more, so a stale typed view can never touch an
   * unmapped page. Call it only once no engine maps the memory.
   */
  free(): void;
}

const MADV_DONTNEED = 4;
const MADV_HUGEPAGE = 14;

/** Unmaps a released mapping once the last ArrayBuffer over it is collected. */
interface MappingState {
  ptr: Ptr;
  size: number;
  liveViews: number;
  released: boolean;
  unmapped: boolean;
}
const viewFinalizer = new FinalizationRegistry<MappingState>((st) => {
  st.liveViews--;
  maybeUnmap(st);
});
function maybeUnmap(st: MappingState): void {
  if (st.released && st.liveViews === 0 && !st.unmapped) {
    st.unmapped = true;
    loadLib().munmap(st.ptr, st.size);
  }
}

const PROT_RW = 3;
const MAP_PRIVATE_ANON_NORESERVE = 0x02 | 0x20 | 0x4000;
const VIEW_MAX = 2 ** 32;

/**
 * mmap `size` bytes of zeroed host memory (MAP_NORESERVE: pages are
 * committed only when touched, so a 4 GB guest costs what it uses).
 * `views` = false skips the ArrayBuffers (for VA shadows no one reads).
 * `hugePages` asks for transparent huge pages (MADV_HUGEPAGE): a host
 * page fault costs about 20 us on a virtualised host, and the boot alone
 * first-touches 64 MB of struct pages for a 4 GB board, so 2 MB faults
 * instead of 4 KB ones (bench syscall: boot, page-fault); the price is
 * resident memory in 2 MB steps. A host without THP ignores the advice.
 */
export function hostAlloc(size: number, views = true, hugePages = false): HostMemory {
  const l = loadLib();
  const ptr = l.mmap(null, size, PROT_RW, MAP_PRIVATE_ANON_NORESERVE, -1, 0) as Ptr | null;
  if (ptr === null || u64(ptr) === 0xffffffffffffffffn) throw new Error(`cannot reserve ${size} bytes of host memory`);
  if (hugePages && process.env.UCONSOLE_HUGEPAGES !== 'off') l.madvise(ptr, size, MADV_HUGEPAGE);
  const st: MappingState = { ptr, size, liveViews: 0, released: false, unmapped: false };
  const buffers: ArrayBuffer[] = [];
  if (views) {
    for (let off = 0; off < size; off += VIEW_MAX) {
      const b = koffi.view(ptr + BigInt(off), Math.min(VIEW_MAX, size - off));
      viewFinalizer.register(b, st);
      st.liveViews++;
      buffers.push(b);
    }
  }
  return {
    ptr,
    size,
    buffers,
    free: () => {
      if (st.released) return;
      st.released = true;
      l.madvise(ptr, size, MADV_DONTNEED);
      maybeUnmap(st);
    },
  };
}

/* ----------------------------------------------------------------------------
 * The engine.
 */

export type IntrHook = (intno: number) => void;
export type CodeHook = (address: bigint, size: number) => void;
/** Return the value to place in the destination register, or undefined to let the mrs run. */
/** A system register or system instruction operand as Unicorn passes it to instruction hooks. */
export interface CpReg {
  op0: number;
  op1: number;
  crn: number;
  crm: number;
  op2: number;
  /** Xt for `sys`; unused for `mrs`. */
  val: bigint | number;
}
export type MrsHook = (reg: number, sysreg: CpReg) => bigint | undefined;
export type SysHook = (op: CpReg) => void;
/** An `msr` about to execute (`sysreg.val` = the value written): true to skip it (the hook did its work). */
export type MsrHook = (sysreg: CpReg) => boolean;
/** Return true if the access was handled (e.g. a region mapped) and should be retried. */
export type UnmappedHook = (type: number, address: bigint, size: number) => boolean;
export interface MmioHandlers {
  read(offset: number, size: number): bigint | number;
  write(offset: number, size: number, value: bigint): void;
}

interface HookRecord {
  handle: bigint;
  trampolines: bigint[];
}

export class Unicorn {
  private readonly handle: Ptr;
  private readonly hooks = new Map<bigint, HookRecord>();
  private readonly mmioTrampolines: bigint[] = [];
  /** Native buffers of batch readers, freed with the engine. */
  private readonly allocations: unknown[] = [];
  private readonly scratch = new BigUint64Array(1);
  private readonly cpBuf = new ArrayBuffer(32);
  private readonly cpU32 = new Uint32Array(this.cpBuf);
  private readonly cpU64 = new BigUint64Array(this.cpBuf);
  private pendingError: unknown = undefined;
  /**
   * The guest address of the block that made the first data access refused
   * in the last run (by a device, or as unmapped memory), where the engine
   * could say (ucs_access_block in uc_slice.c).
   */
  refusedAccessBlock: bigint | undefined;
  private readonly closeActions: (() => void)[] = [];
  private closed = false;
  private readonly l: Lib;

  /** Open an ARM64 engine with the given CPU model (UC_CPU_ARM64_*). */
  constructor(cpuModel: number) {
    this.l = loadLib();
    const out: [Ptr | null] = [null];
    this.check(this.l.uc_open(UC_ARCH_ARM64, UC_MODE_ARM, out) as number, 'uc_open');
    this.handle = out[0] as Ptr;
    // Must come before the first use of the instance, or it is ignored.
    const rc = this.l.uc_ctl(this.handle, UC_CTL_CPU_MODEL_WRITE, 'int', cpuModel) as number;
    if (rc !== 0) {
      this.l.uc_close(this.handle);
      throw new UcError(rc, 'uc_ctl(CPU_MODEL)');
    }
    this.usePages(GRANULE_BITS);
  }

  /**
   * Run the engine with the guests' own page size where the native part
   * can set it (2.0.1 runs ARM64 with 1 KB pages, see ucs_set_page_bits in
   * emulator/native/uc_slice.c). Reading the size back initialises the
   * engine, so this comes after the CPU model. UCONSOLE_ENGINE_PAGES=1k
   * keeps 2.0.1's own, to measure the difference.
   */
  private usePages(bits: number): void {
    if (process.env.UCONSOLE_ENGINE_PAGES === '1k' || !setEnginePageBits(this.handle, bits)) return;
    const size = this.pageSize;
    if (size !== 2 ** bits) {
      this.l.uc_close(this.handle);
      throw new Error(`the engine did not take ${2 ** bits}-byte pages (it has ${size}): not Debian's Unicorn 2.0.1?`);
    }
  }

  /** The engine handle; using a closed engine is a bug, not a crash. */
  private get h(): Ptr {
    if (this.closed) throw new UcError(5 /* UC_ERR_HANDLE */, 'engine used after dispose()');
    return this.handle;
  }

  private check(rc: number, call: string): void {
    if (rc !== 0) throw new UcError(rc, call);
  }

  /** The engine's page: its TLB's and its translated blocks' unit, and the granularity of memMapPtr. */
  get pageSize(): number {
    const out = new Uint32Array(1);
    this.check(this.l.uc_ctl(this.h, UC_CTL_PAGE_SIZE_READ, 'uint32_t *', out) as number, 'uc_ctl(PAGE_SIZE read)');
    return out[0]!;
  }

  get cpuModel(): number {
    const out = new Int32Array(1);
    this.check(this.l.uc_ctl(this.h, UC_CTL_CPU_MODEL_READ, 'int *', out) as number, 'uc_ctl(CPU_MODEL read)');
    return out[0]!;
  }

  regRead(reg: number): bigint {
    // 32-bit registers (PSTATE, NZCV) fill only the low half of the slot.
    this.scratch[0] = 0n;
    const rc = this.l.uc_reg_read(this.h, reg, this.scratch) as number;
    if (rc !== 0) throw new UcError(rc, `uc_reg_read(${reg})`);
    return this.scratch[0]!;
  }

  regWrite(reg: number, value: bigint): void {
    this.scratch[0] = BigInt.asUintN(64, value);
    this.check(this.l.uc_reg_write(this.h, reg, this.scratch) as number, 'uc_reg_write');
  }

  /**
   * A reader of a fixed list of registers in one uc_reg_read_batch call
   * (one crossing into C instead of one per register). The returned view
   * is reused by every call. Only 64-bit registers belong in the list.
   */
  batchReader(regs: readonly number[]): () => BigUint64Array {
    const n = regs.length;
    const ids = Int32Array.from(regs);
    const slots = koffi.alloc('uint64_t', n);
    const base = koffi.address(slots);
    const ptrs = BigUint64Array.from(regs.map((_, i) => base + BigInt(8 * i)));
    const out = new BigUint64Array(koffi.view(slots, 8 * n));
    this.allocations.push(slots);
    return () => {
      const rc = this.l.uc_reg_read_batch(this.h, ids, ptrs, n) as number;
      if (rc !== 0) throw new UcError(rc, 'uc_reg_read_batch');
      return out;
    };
  }

  /** Read a system register through the CP_REG interface. */
  sysRead(r: SysReg): bigint {
    this.cpU32.set([r.crn, r.crm, r.op0, r.op1, r.op2, 0]);
    this.check(this.l.uc_reg_read(this.h, REG_CP_REG, this.cpU32) as number, `uc_reg_read(${r.name})`);
    return this.cpU64[3]!;
  }

  /**
   * Write a system register through CP_REG. Beware (2.0.1): this does not
   * rebuild the cached hflags nor flush the TLB; registers that affect
   * translation are set from guest code (msr; isb) instead.
   */
  sysWrite(r: SysReg, value: bigint): void {
    this.cpU32.set([r.crn, r.crm, r.op0, r.op1, r.op2, 0]);
    this.cpU64[3] = BigInt.asUintN(64, value);
    this.check(this.l.uc_reg_write(this.h, REG_CP_REG, this.cpU32) as number, `uc_reg_write(${r.name})`);
  }

  memMapPtr(address: bigint, size: number, perms: number, host: Ptr): void {
    this.check(this.l.uc_mem_map_ptr(this.h, address, size, perms, host) as number,
      `uc_mem_map_ptr(0x${address.toString(16)}, 0x${size.toString(16)})`);
  }

  /** Map guest RAM: host memory that is physical memory (not a VA shadow), as the store path must know. */
  memMapRam(address: bigint, size: number, host: Ptr): void {
    this.memMapPtr(address, size, UC_PROT_ALL, host);
    storePathAddRam(this.h, Number(address), size, host);
  }

  /** Read through Unicorn's physical view (MMU not applied). */
  memRead(address: bigint, size: number): Uint8Array {
    const out = new Uint8Array(size);
    this.check(this.l.uc_mem_read(this.h, address, out, size) as number, `uc_mem_read(0x${address.toString(16)})`);
    return out;
  }

  memWrite(address: bigint, data: Uint8Array): void {
    this.check(this.l.uc_mem_write(this.h, address, data, data.length) as number, `uc_mem_write(0x${address.toString(16)})`);
  }

  mmioMap(address: bigint, size: number, dev: MmioHandlers): void {
    const read = koffi.register((_uc: unknown, offset: unknown, sz: number) => {
      try {
        return BigInt(dev.read(Number(u64(offset)), sz));
      } catch (e) {
        this.refuseAccess(e);
        return 0n;
      }
    }, koffi.pointer(this.l.protos.mmioRead));
    const write = koffi.register((_uc: unknown, offset: unknown, sz: number, value: unknown) => {
      try {
        dev.write(Number(u64(offset)), sz, u64(value));
      } catch (e) {
        this.refuseAccess(e);
      }
    }, koffi.pointer(this.l.protos.mmioWrite));
    this.mmioTrampolines.push(read, write);
    this.check(this.l.uc_mmio_map(this.h, address, size, read, null, write, null) as number,
      `uc_mmio_map(0x${address.toString(16)})`);
  }

  /**
   * A data access is refused: note which block made it, while that block
   * still runs (the engine may run on to its next exit check before it
   * stops, uc_slice.c 7.). The first refusal of a run is the one kept.
   */
  private noteRefusedAccess(): void {
    this.refusedAccessBlock ??= accessBlock(this.h);
  }

  /** A device refused an access: note its block, then fail as any hook does. */
  private refuseAccess(e: unknown): void {
    if (this.pendingError === undefined) this.noteRefusedAccess();
    this.fail(e);
  }

  /** Remember a hook's exception and stop: it is rethrown by emuStart. */
  private fail(e: unknown): void {
    if (this.pendingError === undefined) this.pendingError = e;
    this.l.uc_emu_stop(this.h);
  }

  /**
   * Run from `begin` until `until` (0: never), for at most `count`
   * instructions (0: unlimited). Returns Unicorn's result code: a guest
   * fault such as UC_ERR_FETCH_UNMAPPED is an expected event for the
   * machine, not an exception. A hook's exception is rethrown here.
   */
  emuStart(begin: bigint, until: bigint, timeoutUs: number, count: number): number {
    return this.running(() => this.l.uc_emu_start(this.h, begin, until, timeoutUs, count) as number);
  }

  /**
   * Run the engine through `start` (uc_emu_start, or the native part's
   * run) and rethrow what a hook threw meanwhile.
   */
  running(start: () => number): number {
    this.pendingError = undefined;
    this.refusedAccessBlock = undefined;
    const rc = start();
    if (this.pendingError !== undefined) {
      const e = this.pendingError;
      this.pendingError = undefined;
      throw e;
    }
    return rc;
  }

  /**
   * `fn` as a hook body: an exception it throws stops the engine and is
   * rethrown by running(); C sees `failed` instead.
   */
  guarded<T>(fn: () => T, failed: T): () => T {
    return () => {
      try {
        return fn();
      } catch (e) {
        this.fail(e);
        return failed;
      }
    };
  }

  /** The uc_engine pointer, for the native part (native.ts) only. */
  get engine(): Ptr {
    return this.h;
  }

  /** Release native state that hooks use, once the engine is closed. */
  onClose(release: () => void): void {
    this.closeActions.push(release);
  }

  emuStop(): void {
    this.l.uc_emu_stop(this.h);
  }

  private addHook(type: number, cb: bigint, begin: bigint, end: bigint, extra: unknown[] = []): bigint {
    const out: [number | bigint] = [0];
    const rc = this.l.uc_hook_add(this.h, out, type, cb, null, begin, end, ...extra) as number;
    if (rc !== 0) {
      koffi.unregister(cb);
      throw new UcError(rc, 'uc_hook_add');
    }
    const handle = BigInt(out[0]);
    this.hooks.set(handle, { handle, trampolines: [cb] });
    return handle;
  }

  /**
   * One trampoline hooked at each of `pcs` (range [pc, pc]): the engine
   * then calls out only for the instructions at those addresses, where a
   * range hook would call out for every instruction of its kind in it. The
   * trampoline is kept with the last handle (these hooks are never deleted
   * one by one; the engine's close releases them all).
   */
  private addHookAt(type: number, cb: bigint, pcs: readonly bigint[], extra: unknown[]): bigint[] {
    const handles: bigint[] = [];
    for (const pc of pcs) {
      const out: [number | bigint] = [0];
      const rc = this.l.uc_hook_add(this.h, out, type, cb, null, pc, pc, ...extra) as number;
      if (rc !== 0) throw new UcError(rc, 'uc_hook_add');
      handles.push(BigInt(out[0]));
    }
    const last = handles.at(-1);
    if (last === undefined) koffi.unregister(cb);
    else this.hooks.set(last, { handle: last, trampolines: [cb] });
    return handles;
  }

  private insnHook(cb: bigint, insn: number, where: { begin: bigint; end: bigint } | readonly bigint[]): bigint {
    if (!('begin' in where)) return this.addHookAt(UC_HOOK_INSN, cb, where, ['int', insn]).at(-1) ?? 0n;
    return this.addHook(UC_HOOK_INSN, cb, where.begin, where.end, ['int', insn]);
  }

  /** Exceptions (svc, brk, aborts, undefined instructions): QEMU's exception number. */
  hookIntr(fn: IntrHook): bigint {
    const cb = koffi.register((_uc: unknown, intno: number) => {
      try {
        fn(intno);
      } catch (e) {
        this.fail(e);
      }
    }, koffi.pointer(this.l.protos.intr));
    return this.addHook(UC_HOOK_INTR, cb, 1n, 0n);
  }

  /** Called before each instruction with PC in [begin, end]. Costly: keep ranges small. */
  hookCode(begin: bigint, end: bigint, fn: CodeHook): bigint {
    const cb = koffi.register((_uc: unknown, address: unknown, size: number) => {
      try {
        fn(u64(address), size);
      } catch (e) {
        this.fail(e);
      }
    }, koffi.pointer(this.l.protos.code));
    return this.addHook(UC_HOOK_CODE, cb, begin, end);
  }

  /**
   * Intercept `mrs` with PC in [begin, end]: the callback answers with the
   * value the instruction reads, or undefined to let the engine read the
   * register itself. (How MPIDR_EL1, MIDR_EL1 and the generic timer's
   * counters get the machine's values.) Each hooked `mrs` costs a call into
   * JavaScript, whatever register it reads; `at` hooks only those PCs
   * instead of the range (see addHookAt).
   */
  hookMrs(begin: bigint, end: bigint, fn: MrsHook, at?: readonly bigint[]): bigint {
    const cb = this.sysInsnCallback((reg, cp) => {
      const v = fn(reg, cp);
      if (v === undefined) return 0;
      this.regWrite(reg, v);
      return 1;
    });
    return this.insnHook(cb, UC_ARM64_INS_MRS, at ?? { begin, end });
  }

  /**
   * Intercept `msr` with PC in [begin, end]: the callback sees the register
   * and the value written (`val`) and returns true to skip the instruction
   * (the write was emulated), false to let the engine do it. How the
   * generic timer's registers, which Unicorn 2.0.1 ignores, reach the
   * machine's timer model.
   */
  hookMsr(begin: bigint, end: bigint, fn: MsrHook, at?: readonly bigint[]): bigint {
    const cb = this.sysInsnCallback((_reg, cp) => (fn(cp) ? 1 : 0));
    return this.insnHook(cb, UC_ARM64_INS_MSR, at ?? { begin, end });
  }

  /**
   * Observe the system instructions (`sys`: tlbi, dc, ic, at) with PC in
   * [begin, end] before they execute; the instruction then runs as usual.
   * `cp.val` is the value of Xt.
   */
  hookSys(begin: bigint, end: bigint, fn: SysHook, at?: readonly bigint[]): bigint {
    const cb = this.sysInsnCallback((_reg, cp) => {
      fn(cp);
      return 0;
    });
    return this.insnHook(cb, UC_ARM64_INS_SYS, at ?? { begin, end });
  }

  /**
   * A trampoline for the mrs/msr/sys instruction hooks: the register
   * structure decoded, the result (1 = the instruction was emulated and is
   * skipped) returned to the engine, a throw recorded and answered with 0.
   */
  private sysInsnCallback(body: (reg: number, cp: CpReg) => number): bigint {
    return koffi.register((_uc: unknown, reg: number, cp: unknown) => {
      try {
        return body(reg, koffi.decode(cp, this.l.cpReg) as CpReg);
      } catch (e) {
        this.fail(e);
        return 0;
      }
    }, koffi.pointer(this.l.protos.insnSys));
  }

  hookUnmapped(fn: UnmappedHook): bigint {
    const cb = koffi.register((_uc: unknown, type: number, address: unknown, size: number) => {
      try {
        const handled = fn(type, u64(address), size);
        if (!handled && type !== UC_HOOK_MEM_FETCH_UNMAPPED) this.noteRefusedAccess();
        return handled;
      } catch (e) {
        this.fail(e);
        return false;
      }
    }, koffi.pointer(this.l.protos.memEvent));
    return this.addHook(UC_HOOK_MEM_UNMAPPED, cb, 1n, 0n);
  }

  hookDel(handle: bigint): void {
    const rec = this.hooks.get(handle);
    if (!rec) return;
    this.check(this.l.uc_hook_del(this.h, handle) as number, 'uc_hook_del');
    this.hooks.delete(handle);
    // The engine no longer holds the trampoline: now it may go.
    for (const t of rec.trampolines) koffi.unregister(t);
  }

  /** Drop translated code for [begin, end) (VAs, through this core's current MMU). */
  invalidateCode(begin: bigint, end: bigint): void {
    this.check(this.l.uc_ctl(this.h, UC_CTL_TB_REMOVE_CACHE_WRITE, 'uint64_t', begin, 'uint64_t', end) as number,
      'uc_ctl(TB_REMOVE_CACHE)');
  }

  /**
   * Drop translated code of guest RAM [pa, pa+len) by physical address
   * (see memMapRam); false when this engine cannot (no store path library,
   * or not its registered RAM): then invalidateCode through a VA.
   */
  invalidatePhysCode(pa: number, len: number): boolean {
    return storePathCodeChanged(this.h, pa, len);
  }

  flushCode(): void {
    this.check(this.l.uc_ctl(this.h, UC_CTL_TB_FLUSH_WRITE) as number, 'uc_ctl(TB_FLUSH)');
  }

  /** A CPU-state snapshot (QEMU's CPUARMState copied raw). */
  contextAlloc(): UcContext {
    const out: [Ptr | null] = [null];
    this.check(this.l.uc_context_alloc(this.h, out) as number, 'uc_context_alloc');
    const size = Number(this.l.uc_context_size(this.h));
    return new UcContext(out[0] as Ptr, size, this.l);
  }

  contextSave(ctx: UcContext): void {
    this.check(this.l.uc_context_save(this.h, ctx.ptr) as number, 'uc_context_save');
  }

  contextRestore(ctx: UcContext): void {
    this.check(this.l.uc_context_restore(this.h, ctx.ptr) as number, 'uc_context_restore');
  }

  private hflagsChecked = false;

  /**
   * Make the engine act on the PSTATE (EL, SP selection, PAN) and system
   * registers written through the API since it last ran: 2.0.1 caches
   * them in env->hflags and rebuilds those only from guest code. Done by
   * emulator/native/uc_store_path.c with the engine's own
   * arm_rebuild_hflags; the first call checks, against a context snapshot
   * with marker values in x0..x3, that the library has the engine's CPU
   * state, and throws a one-line error if not.
   */
  rebuildHflags(): void {
    if (!this.hflagsChecked) this.checkHflagsRebuild();
    storePathRebuildHflags(this.h);
  }

  private checkHflagsRebuild(): void {
    const saved = [0, 1, 2, 3].map((i) => this.regRead(regX(i)));
    const ctx = this.contextAlloc();
    try {
      saved.forEach((_, i) => this.regWrite(regX(i), 0x6865_6c66_0000_0000n + BigInt(i)));
      this.contextSave(ctx);
      const why = storePathEnvCheck(this.h, ctx.ptr);
      if (why) throw new UnicornUnavailableError(`cannot change the exception level of a core from outside: ${why}`);
      this.hflagsChecked = true;
    } finally {
      saved.forEach((v, i) => this.regWrite(regX(i), v));
      ctx.free();
    }
  }

  /** Close the engine, then release every trampoline it could have called. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    storePathForget(this.handle);
    this.l.uc_close(this.handle);
    for (const release of this.closeActions) release();
    this.closeActions.length = 0;
    for (const rec of this.hooks.values()) for (const t of rec.trampolines) koffi.unregister(t);
    this.hooks.clear();
    for (const t of this.mmioTrampolines) koffi.unregister(t);
    this.mmioTrampolines.length = 0;
    for (const a of this.allocations) koffi.free(a);
    this.allocations.length = 0;
  }
}

export class UcContext {
  /** The raw bytes of the snapshot (a view created once: koffi.view is costly). */
  readonly bytes: DataView;
  private freed = false;
  constructor(readonly ptr: Ptr, readonly size: number, private readonly l: Lib) {
    this.bytes = new DataView(koffi.view(ptr, size));
  }
  free(): void {
    if (!this.freed) this.l.uc_context_free(this.ptr);
    this.freed = true;
  }
}
