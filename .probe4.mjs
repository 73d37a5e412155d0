// emulator/unicorn/binding.ts
import koffi2 from "koffi";

// emulator/unicorn/constants.ts
var UC_API_MAJOR = 2;
var UC_ARCH_ARM64 = 2;
var UC_MODE_ARM = 0;
var UC_CPU_ARM64_A53 = 1;
var UC_CPU_ARM64_A72 = 2;
var UC_PROT_ALL = 7;
var UC_HOOK_INTR = 1;
var UC_HOOK_INSN = 2;
var UC_HOOK_CODE = 4;
var UC_HOOK_MEM_WRITE_UNMAPPED = 32;
var UC_HOOK_MEM_FETCH_UNMAPPED = 64;
var UC_HOOK_MEM_UNMAPPED = 112;
var UC_ARM64_INS_MRS = 1;
var UC_ARM64_INS_MSR = 2;
var UC_ARM64_INS_SYS = 3;
var UC_ERR_OK = 0;
var UC_ERR_READ_UNMAPPED = 6;
var UC_ERR_WRITE_UNMAPPED = 7;
var UC_ERR_FETCH_UNMAPPED = 8;
var UC_CTL_IO_WRITE = 1;
var UC_CTL_IO_READ = 2;
var ucCtl = (type, nr, rw) => (type | nr << 26 | rw << 30) >>> 0;
var UC_CTL_CPU_MODEL_WRITE = ucCtl(7, 1, UC_CTL_IO_WRITE);
var UC_CTL_CPU_MODEL_READ = ucCtl(7, 1, UC_CTL_IO_READ);
var UC_CTL_TB_REMOVE_CACHE_WRITE = ucCtl(9, 2, UC_CTL_IO_WRITE);
var UC_CTL_TB_FLUSH_WRITE = ucCtl(10, 0, UC_CTL_IO_WRITE);
var REG_X29 = 1;
var REG_X30 = 2;
var REG_SP = 4;
var REG_X0 = 199;
var REG_PC = 260;
var REG_TPIDR_EL1 = 264;
var REG_PSTATE = 265;
var REG_ELR_EL1 = 267;
var REG_SP_EL0 = 270;
var REG_CP_REG = 290;
function regX(n) {
  if (n === 29) return REG_X29;
  if (n === 30) return REG_X30;
  if (n >= 0 && n <= 28) return REG_X0 + n;
  throw new RangeError(`no register x${n}`);
}
var sysreg = (name, op0, op1, crn, crm, op2) => ({
  name,
  op0,
  op1,
  crn,
  crm,
  op2
});
var SYSREG = {
  MIDR_EL1: sysreg("MIDR_EL1", 3, 0, 0, 0, 0),
  MPIDR_EL1: sysreg("MPIDR_EL1", 3, 0, 0, 0, 5),
  SCTLR_EL1: sysreg("SCTLR_EL1", 3, 0, 1, 0, 0),
  CPACR_EL1: sysreg("CPACR_EL1", 3, 0, 1, 0, 2),
  TTBR0_EL1: sysreg("TTBR0_EL1", 3, 0, 2, 0, 0),
  TTBR1_EL1: sysreg("TTBR1_EL1", 3, 0, 2, 0, 1),
  TCR_EL1: sysreg("TCR_EL1", 3, 0, 2, 0, 2),
  SPSR_EL1: sysreg("SPSR_EL1", 3, 0, 4, 0, 0),
  ELR_EL1: sysreg("ELR_EL1", 3, 0, 4, 0, 1),
  SP_EL0: sysreg("SP_EL0", 3, 0, 4, 1, 0),
  ESR_EL1: sysreg("ESR_EL1", 3, 0, 5, 2, 0),
  FAR_EL1: sysreg("FAR_EL1", 3, 0, 6, 0, 0),
  PAR_EL1: sysreg("PAR_EL1", 3, 0, 7, 4, 0),
  MAIR_EL1: sysreg("MAIR_EL1", 3, 0, 10, 2, 0),
  VBAR_EL1: sysreg("VBAR_EL1", 3, 0, 12, 0, 0),
  TPIDR_EL1: sysreg("TPIDR_EL1", 3, 0, 13, 0, 4),
  TPIDR_EL0: sysreg("TPIDR_EL0", 3, 3, 13, 0, 2),
  CNTFRQ_EL0: sysreg("CNTFRQ_EL0", 3, 3, 14, 0, 0),
  CNTPCT_EL0: sysreg("CNTPCT_EL0", 3, 3, 14, 0, 1),
  CNTVCT_EL0: sysreg("CNTVCT_EL0", 3, 3, 14, 0, 2),
  CNTKCTL_EL1: sysreg("CNTKCTL_EL1", 3, 0, 14, 1, 0),
  HCR_EL2: sysreg("HCR_EL2", 3, 4, 1, 1, 0),
  SCR_EL3: sysreg("SCR_EL3", 3, 6, 1, 1, 0)
};
var EXCP = {
  UDEF: 1,
  SWI: 2,
  PREFETCH_ABORT: 3,
  DATA_ABORT: 4,
  BKPT: 7,
  SMC: 13
};

// emulator/unicorn/store-path.ts
import koffi from "koffi";

// emulator/native/build.ts
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync as existsSync2, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, join as join2 } from "node:path";

// lib/project-root.ts
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
function projectRoot() {
  let dir2 = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir2, "package.json"))) {
    const up = dirname(dir2);
    if (up === dir2) throw new Error("cannot find the uconsole-mm project root");
    dir2 = up;
  }
  return dir2;
}

// emulator/native/build.ts
var NATIVE_BUILD_PACKAGES = ["gcc", "libc6-dev", "libunicorn-dev"];
var NativeBuildError = class extends Error {
  name = "NativeBuildError";
};
function nativePaths() {
  const dir2 = join2(projectRoot(), "emulator", "native");
  return {
    source: join2(dir2, "uc_slice.c"),
    library: join2(dir2, "build", "libuc_slice.so"),
    stamp: join2(dir2, "build", ".stamp")
  };
}
function storePathPaths() {
  const dir2 = join2(projectRoot(), "emulator", "native");
  return {
    source: join2(dir2, "uc_store_path.c"),
    library: join2(dir2, "build", "libuc_store_path.so"),
    stamp: join2(dir2, "build", ".stamp-store-path"),
    link: []
  };
}
function sourceHash(source) {
  return createHash("sha256").update(readFileSync(source)).digest("hex");
}
function nativeLibraryFresh(p = nativePaths()) {
  return existsSync2(p.library) && existsSync2(p.stamp) && readFileSync(p.stamp, "utf8") === sourceHash(p.source);
}
function compile(p) {
  const cc = process.env.CC ?? "cc";
  const tmp = `${p.library}.${process.pid}.tmp`;
  const args = ["-O2", "-fPIC", "-shared", "-Wall", "-o", tmp, p.source, ...p.link ?? ["-lunicorn"]];
  const r2 = spawnSync(cc, args, { encoding: "utf8" });
  if (r2.error || r2.status !== 0) {
    const why = r2.error ? `${cc} not found` : (r2.stderr.split("\n").find((l) => /error/.test(l)) ?? `${cc} failed`).trim();
    throw new NativeBuildError(
      `cannot build the native part (emulator/native/${basename(p.source)}): ${why}; install the build tools with "apt-get install -y ${NATIVE_BUILD_PACKAGES.join(" ")}" (as root), then run "npm run setup"`
    );
  }
  renameSync(tmp, p.library);
}
function ensureNativeLibrary(log = () => {
}, p = nativePaths()) {
  if (nativeLibraryFresh(p)) return p.library;
  if (!existsSync2(p.source)) throw new NativeBuildError(`the native part's source is missing: ${p.source}`);
  log(`building the native part (${p.source})`);
  mkdirSync(join2(p.library, ".."), { recursive: true });
  const hash = sourceHash(p.source);
  compile(p);
  const tmpStamp = `${p.stamp}.${process.pid}.tmp`;
  writeFileSync(tmpStamp, hash);
  renameSync(tmpStamp, p.stamp);
  return p.library;
}

// emulator/unicorn/store-path.ts
var ABI = 2;
var loaded;
function preloadStorePath() {
  if (loaded !== void 0) return loaded !== null;
  loaded = null;
  if (process.env.UCONSOLE_STORE_PATH === "off") return false;
  let path;
  try {
    path = ensureNativeLibrary(() => {
    }, storePathPaths());
  } catch {
    return false;
  }
  const lib2 = koffi.load(path, { global: true });
  if (lib2.func("int32_t ucsp_abi(void)")() !== ABI) return false;
  loaded = { lib: lib2, bound: false };
  return true;
}
function bindStorePath(libunicorn) {
  if (!loaded || loaded.bound) return;
  if (loaded.lib.func("int32_t ucsp_bind(const char *libunicorn)")(libunicorn) !== 0)
    throw new Error(`${libunicorn} lacks the functions emulator/native/uc_store_path.c wraps (not Unicorn 2.0.1?): run with UCONSOLE_STORE_PATH=off`);
  loaded.bound = true;
}
function storePathAddRam(uc, pa, size2, host) {
  if (!loaded?.bound) return;
  if (loaded.lib.func("int32_t ucsp_add_ram(void *uc, uint64_t pa, uint64_t size, uint64_t host)")(uc, pa, size2, host) !== 0)
    throw new Error("emulator/native/uc_store_path.c: more than 64 engines, or 8 RAM ranges in one");
}
function storePathForget(uc) {
  if (loaded?.bound) loaded.lib.func("void ucsp_forget(void *uc)")(uc);
}

// emulator/unicorn/binding.ts
var UcError = class extends Error {
  constructor(code, call) {
    super(`${call}: ${strerror(code)} (UC_ERR ${code})`);
    this.code = code;
    this.call = call;
  }
  code;
  call;
  name = "UcError";
};
var UnicornUnavailableError = class extends Error {
  name = "UnicornUnavailableError";
};
var lib;
var LIBUNICORN = "libunicorn.so.2";
function loadLib() {
  if (lib) return lib;
  let uc;
  preloadStorePath();
  try {
    uc = koffi2.load(LIBUNICORN);
  } catch {
    throw new UnicornUnavailableError(
      `cannot load ${LIBUNICORN}: install the Debian package with "apt-get install -y libunicorn2" (as root)`
    );
  }
  bindStorePath(LIBUNICORN);
  const libc = koffi2.load("libc.so.6");
  const f = (decl) => uc.func(decl);
  const l = {
    uc_version: f("unsigned int uc_version(void *major, void *minor)"),
    uc_open: f("int uc_open(int arch, int mode, _Out_ void **uc)"),
    uc_close: f("int uc_close(void *uc)"),
    uc_strerror: f("const char *uc_strerror(int code)"),
    uc_reg_read: f("int uc_reg_read(void *uc, int regid, void *value)"),
    uc_reg_write: f("int uc_reg_write(void *uc, int regid, void *value)"),
    uc_reg_read_batch: f("int uc_reg_read_batch(void *uc, void *regs, void *vals, int count)"),
    uc_mem_map_ptr: f("int uc_mem_map_ptr(void *uc, uint64_t address, size_t size, uint32_t perms, void *ptr)"),
    uc_mem_read: f("int uc_mem_read(void *uc, uint64_t address, _Out_ uint8_t *bytes, size_t size)"),
    uc_mem_write: f("int uc_mem_write(void *uc, uint64_t address, const uint8_t *bytes, size_t size)"),
    uc_mmio_map: f("int uc_mmio_map(void *uc, uint64_t address, size_t size, void *read_cb, void *user_read, void *write_cb, void *user_write)"),
    uc_emu_start: f("int uc_emu_start(void *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count)"),
    uc_emu_stop: f("int uc_emu_stop(void *uc)"),
    uc_hook_add: f("int uc_hook_add(void *uc, _Out_ size_t *hh, int type, void *callback, void *user_data, uint64_t begin, uint64_t end, ...)"),
    uc_hook_del: f("int uc_hook_del(void *uc, size_t hh)"),
    uc_ctl: f("int uc_ctl(void *uc, int control, ...)"),
    uc_context_alloc: f("int uc_context_alloc(void *uc, _Out_ void **context)"),
    uc_context_save: f("int uc_context_save(void *uc, void *context)"),
    uc_context_restore: f("int uc_context_restore(void *uc, void *context)"),
    uc_context_size: f("size_t uc_context_size(void *uc)"),
    uc_context_free: f("int uc_context_free(void *context)"),
    mmap: libc.func("void *mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)"),
    munmap: libc.func("int munmap(void *addr, size_t len)"),
    madvise: libc.func("int madvise(void *addr, size_t len, int advice)"),
    cpReg: koffi2.struct("uc_arm64_cp_reg", { crn: "uint32_t", crm: "uint32_t", op0: "uint32_t", op1: "uint32_t", op2: "uint32_t", val: "uint64_t" }),
    protos: {
      intr: koffi2.proto("void uc_cb_intr(void *uc, uint32_t intno, void *user)"),
      code: koffi2.proto("void uc_cb_code(void *uc, uint64_t address, uint32_t size, void *user)"),
      insnSys: koffi2.proto("uint32_t uc_cb_insn_sys(void *uc, int reg, void *cp_reg, void *user)"),
      memEvent: koffi2.proto("bool uc_cb_mem_event(void *uc, int type, uint64_t address, int size, int64_t value, void *user)"),
      mmioRead: koffi2.proto("uint64_t uc_cb_mmio_read(void *uc, uint64_t offset, unsigned int size, void *user)"),
      mmioWrite: koffi2.proto("void uc_cb_mmio_write(void *uc, uint64_t offset, unsigned int size, uint64_t value, void *user)")
    }
  };
  const version = l.uc_version(null, null) >>> 0;
  if (version >>> 24 !== UC_API_MAJOR)
    throw new UnicornUnavailableError(`${LIBUNICORN} reports API version ${version >>> 24}; uconsole-mm needs Unicorn 2.x`);
  lib = l;
  return l;
}
function strerror(code) {
  try {
    return String(loadLib().uc_strerror(code));
  } catch {
    return `error ${code}`;
  }
}
var u64 = (v) => BigInt.asUintN(64, BigInt(v));
var MADV_DONTNEED = 4;
var MADV_HUGEPAGE = 14;
var viewFinalizer = new FinalizationRegistry((st) => {
  st.liveViews--;
  maybeUnmap(st);
});
function maybeUnmap(st) {
  if (st.released && st.liveViews === 0 && !st.unmapped) {
    st.unmapped = true;
    loadLib().munmap(st.ptr, st.size);
  }
}
var PROT_RW = 3;
var MAP_PRIVATE_ANON_NORESERVE = 2 | 32 | 16384;
var VIEW_MAX = 2 ** 32;
function hostAlloc(size2, views = true, hugePages = false) {
  const l = loadLib();
  const ptr = l.mmap(null, size2, PROT_RW, MAP_PRIVATE_ANON_NORESERVE, -1, 0);
  if (ptr === null || u64(ptr) === 0xffffffffffffffffn) throw new Error(`cannot reserve ${size2} bytes of host memory`);
  if (hugePages && process.env.UCONSOLE_HUGEPAGES !== "off") l.madvise(ptr, size2, MADV_HUGEPAGE);
  const st = { ptr, size: size2, liveViews: 0, released: false, unmapped: false };
  const buffers = [];
  if (views) {
    for (let off = 0; off < size2; off += VIEW_MAX) {
      const b = koffi2.view(ptr + BigInt(off), Math.min(VIEW_MAX, size2 - off));
      viewFinalizer.register(b, st);
      st.liveViews++;
      buffers.push(b);
    }
  }
  return {
    ptr,
    size: size2,
    buffers,
    free: () => {
      if (st.released) return;
      st.released = true;
      l.madvise(ptr, size2, MADV_DONTNEED);
      maybeUnmap(st);
    }
  };
}
var Unicorn = class {
  handle;
  hooks = /* @__PURE__ */ new Map();
  mmioTrampolines = [];
  /** Native buffers of batch readers, freed with the engine. */
  allocations = [];
  scratch = new BigUint64Array(1);
  cpBuf = new ArrayBuffer(32);
  cpU32 = new Uint32Array(this.cpBuf);
  cpU64 = new BigUint64Array(this.cpBuf);
  pendingError = void 0;
  closeActions = [];
  closed = false;
  l;
  /** Open an ARM64 engine with the given CPU model (UC_CPU_ARM64_*). */
  constructor(cpuModel) {
    this.l = loadLib();
    const out = [null];
    this.check(this.l.uc_open(UC_ARCH_ARM64, UC_MODE_ARM, out), "uc_open");
    this.handle = out[0];
    const rc = this.l.uc_ctl(this.handle, UC_CTL_CPU_MODEL_WRITE, "int", cpuModel);
    if (rc !== 0) {
      this.l.uc_close(this.handle);
      throw new UcError(rc, "uc_ctl(CPU_MODEL)");
    }
  }
  /** The engine handle; using a closed engine is a bug, not a crash. */
  get h() {
    if (this.closed) throw new UcError(5, "engine used after dispose()");
    return this.handle;
  }
  check(rc, call) {
    if (rc !== 0) throw new UcError(rc, call);
  }
  get cpuModel() {
    const out = new Int32Array(1);
    this.check(this.l.uc_ctl(this.h, UC_CTL_CPU_MODEL_READ, "int *", out), "uc_ctl(CPU_MODEL read)");
    return out[0];
  }
  regRead(reg) {
    this.scratch[0] = 0n;
    const rc = this.l.uc_reg_read(this.h, reg, this.scratch);
    if (rc !== 0) throw new UcError(rc, `uc_reg_read(${reg})`);
    return this.scratch[0];
  }
  regWrite(reg, value) {
    this.scratch[0] = BigInt.asUintN(64, value);
    this.check(this.l.uc_reg_write(this.h, reg, this.scratch), "uc_reg_write");
  }
  /**
   * A reader of a fixed list of registers in one uc_reg_read_batch call
   * (one crossing into C instead of one per register). The returned view
   * is reused by every call. Only 64-bit registers belong in the list.
   */
  batchReader(regs) {
    const n = regs.length;
    const ids = Int32Array.from(regs);
    const slots = koffi2.alloc("uint64_t", n);
    const base = koffi2.address(slots);
    const ptrs = BigUint64Array.from(regs.map((_, i) => base + BigInt(8 * i)));
    const out = new BigUint64Array(koffi2.view(slots, 8 * n));
    this.allocations.push(slots);
    return () => {
      const rc = this.l.uc_reg_read_batch(this.h, ids, ptrs, n);
      if (rc !== 0) throw new UcError(rc, "uc_reg_read_batch");
      return out;
    };
  }
  /** Read a system register through the CP_REG interface. */
  sysRead(r2) {
    this.cpU32.set([r2.crn, r2.crm, r2.op0, r2.op1, r2.op2, 0]);
    this.check(this.l.uc_reg_read(this.h, REG_CP_REG, this.cpU32), `uc_reg_read(${r2.name})`);
    return this.cpU64[3];
  }
  /**
   * Write a system register through CP_REG. Beware (2.0.1): this does not
   * rebuild the cached hflags nor flush the TLB; registers that affect
   * translation are set from guest code (msr; isb) instead.
   */
  sysWrite(r2, value) {
    this.cpU32.set([r2.crn, r2.crm, r2.op0, r2.op1, r2.op2, 0]);
    this.cpU64[3] = BigInt.asUintN(64, value);
    this.check(this.l.uc_reg_write(this.h, REG_CP_REG, this.cpU32), `uc_reg_write(${r2.name})`);
  }
  memMapPtr(address, size2, perms, host) {
    this.check(
      this.l.uc_mem_map_ptr(this.h, address, size2, perms, host),
      `uc_mem_map_ptr(0x${address.toString(16)}, 0x${size2.toString(16)})`
    );
  }
  /** Map guest RAM: host memory that is physical memory (not a VA shadow), as the store path must know. */
  memMapRam(address, size2, host) {
    this.memMapPtr(address, size2, UC_PROT_ALL, host);
    storePathAddRam(this.h, Number(address), size2, host);
  }
  /** Read through Unicorn's physical view (MMU not applied). */
  memRead(address, size2) {
    const out = new Uint8Array(size2);
    this.check(this.l.uc_mem_read(this.h, address, out, size2), `uc_mem_read(0x${address.toString(16)})`);
    return out;
  }
  memWrite(address, data) {
    this.check(this.l.uc_mem_write(this.h, address, data, data.length), `uc_mem_write(0x${address.toString(16)})`);
  }
  mmioMap(address, size2, dev) {
    const read = koffi2.register((_uc, offset, sz) => {
      try {
        return BigInt(dev.read(Number(u64(offset)), sz));
      } catch (e) {
        this.fail(e);
        return 0n;
      }
    }, koffi2.pointer(this.l.protos.mmioRead));
    const write = koffi2.register((_uc, offset, sz, value) => {
      try {
        dev.write(Number(u64(offset)), sz, u64(value));
      } catch (e) {
        this.fail(e);
      }
    }, koffi2.pointer(this.l.protos.mmioWrite));
    this.mmioTrampolines.push(read, write);
    this.check(
      this.l.uc_mmio_map(this.h, address, size2, read, null, write, null),
      `uc_mmio_map(0x${address.toString(16)})`
    );
  }
  /** Remember a hook's exception and stop: it is rethrown by emuStart. */
  fail(e) {
    if (this.pendingError === void 0) this.pendingError = e;
    this.l.uc_emu_stop(this.h);
  }
  /**
   * Run from `begin` until `until` (0: never), for at most `count`
   * instructions (0: unlimited). Returns Unicorn's result code: a guest
   * fault such as UC_ERR_FETCH_UNMAPPED is an expected event for the
   * machine, not an exception. A hook's exception is rethrown here.
   */
  emuStart(begin, until, timeoutUs, count) {
    return this.running(() => this.l.uc_emu_start(this.h, begin, until, timeoutUs, count));
  }
  /**
   * Run the engine through `start` (uc_emu_start, or the native part's
   * run) and rethrow what a hook threw meanwhile.
   */
  running(start) {
    this.pendingError = void 0;
    const rc = start();
    if (this.pendingError !== void 0) {
      const e = this.pendingError;
      this.pendingError = void 0;
      throw e;
    }
    return rc;
  }
  /**
   * `fn` as a hook body: an exception it throws stops the engine and is
   * rethrown by running(); C sees `failed` instead.
   */
  guarded(fn, failed) {
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
  get engine() {
    return this.h;
  }
  /** Release native state that hooks use, once the engine is closed. */
  onClose(release) {
    this.closeActions.push(release);
  }
  emuStop() {
    this.l.uc_emu_stop(this.h);
  }
  addHook(type, cb, begin, end, extra = []) {
    const out = [0];
    const rc = this.l.uc_hook_add(this.h, out, type, cb, null, begin, end, ...extra);
    if (rc !== 0) {
      koffi2.unregister(cb);
      throw new UcError(rc, "uc_hook_add");
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
  addHookAt(type, cb, pcs, extra) {
    const handles = [];
    for (const pc of pcs) {
      const out = [0];
      const rc = this.l.uc_hook_add(this.h, out, type, cb, null, pc, pc, ...extra);
      if (rc !== 0) throw new UcError(rc, "uc_hook_add");
      handles.push(BigInt(out[0]));
    }
    const last = handles.at(-1);
    if (last === void 0) koffi2.unregister(cb);
    else this.hooks.set(last, { handle: last, trampolines: [cb] });
    return handles;
  }
  insnHook(cb, insn, where) {
    if (!("begin" in where)) return this.addHookAt(UC_HOOK_INSN, cb, where, ["int", insn]).at(-1) ?? 0n;
    return this.addHook(UC_HOOK_INSN, cb, where.begin, where.end, ["int", insn]);
  }
  /** Exceptions (svc, brk, aborts, undefined instructions): QEMU's exception number. */
  hookIntr(fn) {
    const cb = koffi2.register((_uc, intno) => {
      try {
        fn(intno);
      } catch (e) {
        this.fail(e);
      }
    }, koffi2.pointer(this.l.protos.intr));
    return this.addHook(UC_HOOK_INTR, cb, 1n, 0n);
  }
  /** Called before each instruction with PC in [begin, end]. Costly: keep ranges small. */
  hookCode(begin, end, fn) {
    const cb = koffi2.register((_uc, address, size2) => {
      try {
        fn(u64(address), size2);
      } catch (e) {
        this.fail(e);
      }
    }, koffi2.pointer(this.l.protos.code));
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
  hookMrs(begin, end, fn, at) {
    const cb = this.sysInsnCallback((reg, cp) => {
      const v = fn(reg, cp);
      if (v === void 0) return 0;
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
  hookMsr(begin, end, fn, at) {
    const cb = this.sysInsnCallback((_reg, cp) => fn(cp) ? 1 : 0);
    return this.insnHook(cb, UC_ARM64_INS_MSR, at ?? { begin, end });
  }
  /**
   * Observe the system instructions (`sys`: tlbi, dc, ic, at) with PC in
   * [begin, end] before they execute; the instruction then runs as usual.
   * `cp.val` is the value of Xt.
   */
  hookSys(begin, end, fn, at) {
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
  sysInsnCallback(body) {
    return koffi2.register((_uc, reg, cp) => {
      try {
        return body(reg, koffi2.decode(cp, this.l.cpReg));
      } catch (e) {
        this.fail(e);
        return 0;
      }
    }, koffi2.pointer(this.l.protos.insnSys));
  }
  hookUnmapped(fn) {
    const cb = koffi2.register((_uc, type, address, size2) => {
      try {
        return fn(type, u64(address), size2);
      } catch (e) {
        this.fail(e);
        return false;
      }
    }, koffi2.pointer(this.l.protos.memEvent));
    return this.addHook(UC_HOOK_MEM_UNMAPPED, cb, 1n, 0n);
  }
  hookDel(handle) {
    const rec = this.hooks.get(handle);
    if (!rec) return;
    this.check(this.l.uc_hook_del(this.h, handle), "uc_hook_del");
    this.hooks.delete(handle);
    for (const t2 of rec.trampolines) koffi2.unregister(t2);
  }
  /** Drop translated code for [begin, end) (VAs, through this core's current MMU). */
  invalidateCode(begin, end) {
    this.check(
      this.l.uc_ctl(this.h, UC_CTL_TB_REMOVE_CACHE_WRITE, "uint64_t", begin, "uint64_t", end),
      "uc_ctl(TB_REMOVE_CACHE)"
    );
  }
  flushCode() {
    this.check(this.l.uc_ctl(this.h, UC_CTL_TB_FLUSH_WRITE), "uc_ctl(TB_FLUSH)");
  }
  /** A CPU-state snapshot (QEMU's CPUARMState copied raw). */
  contextAlloc() {
    const out = [null];
    this.check(this.l.uc_context_alloc(this.h, out), "uc_context_alloc");
    const size2 = Number(this.l.uc_context_size(this.h));
    return new UcContext(out[0], size2, this.l);
  }
  contextSave(ctx) {
    this.check(this.l.uc_context_save(this.h, ctx.ptr), "uc_context_save");
  }
  contextRestore(ctx) {
    this.check(this.l.uc_context_restore(this.h, ctx.ptr), "uc_context_restore");
  }
  /** Close the engine, then release every trampoline it could have called. */
  dispose() {
    if (this.closed) return;
    this.closed = true;
    storePathForget(this.handle);
    this.l.uc_close(this.handle);
    for (const release of this.closeActions) release();
    this.closeActions.length = 0;
    for (const rec of this.hooks.values()) for (const t2 of rec.trampolines) koffi2.unregister(t2);
    this.hooks.clear();
    for (const t2 of this.mmioTrampolines) koffi2.unregister(t2);
    this.mmioTrampolines.length = 0;
    for (const a of this.allocations) koffi2.free(a);
    this.allocations.length = 0;
  }
};
var UcContext = class {
  constructor(ptr, size2, l) {
    this.ptr = ptr;
    this.size = size2;
    this.l = l;
    this.bytes = new DataView(koffi2.view(ptr, size2));
  }
  ptr;
  size;
  l;
  /** The raw bytes of the snapshot (a view created once: koffi.view is costly). */
  bytes;
  freed = false;
  free() {
    if (!this.freed) this.l.uc_context_free(this.ptr);
    this.freed = true;
  }
};

// emulator/snapshot-layout.ts
var layout;
var MARK = 0x5eed000000000000n;
var SVC_5A5A = (3556769793 | 23130 << 5) >>> 0;
var SVC_PC = 2048;
function snapshotLayout() {
  if (layout) return layout;
  const mem = hostAlloc(4096);
  const uc = new Unicorn(UC_CPU_ARM64_A53);
  try {
    uc.memMapPtr(0n, 4096, UC_PROT_ALL, mem.ptr);
    new DataView(mem.buffers[0]).setUint32(SVC_PC, SVC_5A5A, true);
    for (let i = 0; i < 31; i++) uc.regWrite(regX(i), MARK + BigInt(i));
    const ctx = uc.contextAlloc();
    uc.hookIntr(() => {
      uc.contextSave(ctx);
      uc.emuStop();
    });
    uc.emuStart(BigInt(SVC_PC), 0n, 0, 1);
    const dv = ctx.bytes;
    const find = (pred) => {
      for (let off = 0; off + 8 <= ctx.size; off += 4) if (pred(off)) return off;
      throw new Error("cannot find the CPU state in Unicorn context snapshots: this Unicorn build is not supported");
    };
    const syndrome = find((o) => dv.getUint32(o, true) === 1442863706);
    const xregs = find((o) => dv.getBigUint64(o, true) === MARK && dv.getBigUint64(o + 8 * 30, true) === MARK + 30n);
    const pc = xregs + 32 * 8;
    const pstate = pc + 8;
    if (dv.getBigUint64(pc, true) !== BigInt(SVC_PC + 4) || (dv.getUint32(pstate, true) & 15) !== 5)
      throw new Error("unexpected CPUARMState layout in Unicorn context snapshots: this Unicorn build is not supported");
    ctx.free();
    return layout = { syndrome, xregs, pstate };
  } finally {
    uc.dispose();
    mem.free();
  }
}

// emulator/memory/guest-ram.ts
var BANK_SHIFT = 32;
var BANK_SIZE = 2 ** BANK_SHIFT;
var GuestRamError = class extends Error {
  name = "GuestRamError";
};
var GuestRam = class _GuestRam {
  /** Physical address one past the last byte backed by host memory. */
  end;
  banks;
  u8s;
  dvs;
  /**
   * @param banks host memory for [0, end), bank k covering
   *              [k * BANK_SIZE, k * BANK_SIZE + buffer.byteLength)
   */
  constructor(banks) {
    banks.forEach((b, k) => {
      if (b.base !== k * BANK_SIZE) throw new GuestRamError(`bank ${k} must start at ${k * BANK_SIZE}`);
      if (k < banks.length - 1 && b.buffer.byteLength !== BANK_SIZE)
        throw new GuestRamError(`bank ${k} must be full (${BANK_SIZE} bytes)`);
    });
    this.banks = banks;
    this.u8s = banks.map((b) => new Uint8Array(b.buffer));
    this.dvs = banks.map((b) => new DataView(b.buffer));
    const last = banks[banks.length - 1];
    this.end = last ? last.base + last.buffer.byteLength : 0;
  }
  /** RAM backed by ordinary JS ArrayBuffers: for tests of code that only needs memory. */
  static fromArrayBuffers(size2) {
    const banks = [];
    for (let base = 0; base < size2; base += BANK_SIZE)
      banks.push({ base, buffer: new ArrayBuffer(Math.min(BANK_SIZE, size2 - base)) });
    return new _GuestRam(banks);
  }
  contains(pa, len = 1) {
    return Number.isInteger(pa) && pa >= 0 && len >= 0 && pa + len <= this.end;
  }
  /**
   * The bank index and offset of [pa, pa+len), which must not cross a bank
   * boundary.
   */
  locate(pa, len) {
    if (!this.contains(pa, len))
      throw new GuestRamError(`physical range 0x${pa.toString(16)}+0x${len.toString(16)} is outside guest RAM`);
    const k = Math.floor(pa / BANK_SIZE);
    const off = pa - k * BANK_SIZE;
    if (off + len > BANK_SIZE) throw new GuestRamError(`physical range 0x${pa.toString(16)}+0x${len.toString(16)} crosses a RAM bank`);
    return [k, off];
  }
  /**
   * The accessors below find the bank by arithmetic and check the range
   * without building anything (they run for every page-table entry and
   * struct page the kernel reads); a range that does not fit goes to
   * locate() for its error.
   */
  bad(pa, len, off) {
    return !(pa >= 0 && off + len <= BANK_SIZE && pa + len <= this.end && Number.isInteger(pa));
  }
  /** A live byte view of [pa, pa+len): writes go straight to guest memory. */
  bytes(pa, len) {
    const k = Math.floor(pa / BANK_SIZE);
    const off = pa - k * BANK_SIZE;
    if (this.bad(pa, len, off) || len < 0) this.locate(pa, len);
    return this.u8s[k].subarray(off, off + len);
  }
  /** A live typed view (Int32Array, BigUint64Array, ...) of `count` elements at pa. */
  view(ctor, pa, count, elemSize) {
    const [k, off] = this.locate(pa, count * elemSize);
    if (off % elemSize !== 0) throw new GuestRamError(`0x${pa.toString(16)} is not ${elemSize}-byte aligned`);
    return new ctor(this.banks[k].buffer, off, count);
  }
  u8(pa) {
    const k = Math.floor(pa / BANK_SIZE);
    const off = pa - k * BANK_SIZE;
    if (this.bad(pa, 1, off)) this.locate(pa, 1);
    return this.u8s[k][off];
  }
  setU8(pa, v) {
    const k = Math.floor(pa / BANK_SIZE);
    const off = pa - k * BANK_SIZE;
    if (this.bad(pa, 1, off)) this.locate(pa, 1);
    this.u8s[k][off] = v;
  }
  u32(pa) {
    const k = Math.floor(pa / BANK_SIZE);
    const off = pa - k * BANK_SIZE;
    if (this.bad(pa, 4, off)) this.locate(pa, 4);
    return this.dvs[k].getUint32(off, true);
  }
  setU32(pa, v) {
    const k = Math.floor(pa / BANK_SIZE);
    const off = pa - k * BANK_SIZE;
    if (this.bad(pa, 4, off)) this.locate(pa, 4);
    this.dvs[k].setUint32(off, v >>> 0, true);
  }
  u64(pa) {
    const k = Math.floor(pa / BANK_SIZE);
    const off = pa - k * BANK_SIZE;
    if (this.bad(pa, 8, off)) this.locate(pa, 8);
    return this.dvs[k].getBigUint64(off, true);
  }
  setU64(pa, v) {
    const k = Math.floor(pa / BANK_SIZE);
    const off = pa - k * BANK_SIZE;
    if (this.bad(pa, 8, off)) this.locate(pa, 8);
    this.dvs[k].setBigUint64(off, BigInt.asUintN(64, v), true);
  }
  /** Copy host bytes into guest memory (may span banks). */
  write(pa, data) {
    let done = 0;
    while (done < data.length) {
      const here = pa + done;
      const room = BANK_SIZE - here % BANK_SIZE;
      const n = Math.min(room, data.length - done);
      this.bytes(here, n).set(data.subarray(done, done + n));
      done += n;
    }
  }
  /** Copy guest memory out to a new host buffer (may span banks). */
  read(pa, len) {
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const here = pa + done;
      const n = Math.min(BANK_SIZE - here % BANK_SIZE, len - done);
      out.set(this.bytes(here, n), done);
      done += n;
    }
    return out;
  }
  fill(pa, len, value = 0) {
    let done = 0;
    while (done < len) {
      const here = pa + done;
      const n = Math.min(BANK_SIZE - here % BANK_SIZE, len - done);
      this.bytes(here, n).fill(value);
      done += n;
    }
  }
};

// emulator/traps.ts
var ESR_EC_SHIFT = 26;
var EC = {
  UNKNOWN: 0,
  SVC64: 21,
  HVC64: 22,
  IABT_LOW: 32,
  IABT_CUR: 33,
  DABT_LOW: 36,
  DABT_CUR: 37,
  BRK64: 60
};
var A64 = {
  WFI: 3573751935,
  WFE: 3573751903,
  SEV: 3573751967,
  SEVL: 3573751999,
  /** hvc #imm16: 0xd4000002 | imm16 << 5 */
  isHvc: (w) => (w & 4292870175) >>> 0 === 3556769794,
  hvcImm: (w) => w >>> 5 & 65535
};
function kindOfException(intno) {
  switch (intno) {
    case EXCP.SWI:
      return "svc";
    case EXCP.UDEF:
      return "undef";
    case EXCP.PREFETCH_ABORT:
      return "insn-abort";
    case EXCP.DATA_ABORT:
      return "data-abort";
    case EXCP.BKPT:
      return "brk";
    case EXCP.SMC:
      return "smc";
    default:
      return void 0;
  }
}
var DFSC = {
  4: "level 0 translation fault",
  5: "level 1 translation fault",
  6: "level 2 translation fault",
  7: "level 3 translation fault",
  9: "level 1 access flag fault",
  10: "level 2 access flag fault",
  11: "level 3 access flag fault",
  13: "level 1 permission fault",
  14: "level 2 permission fault",
  15: "level 3 permission fault",
  33: "alignment fault"
};
function faultStatusName(esr) {
  const fsc = esr & 63;
  return DFSC[fsc] ?? `fault status 0x${fsc.toString(16)}`;
}
function describeAbort(esr) {
  const what = faultStatusName(esr);
  const ec = esr >>> ESR_EC_SHIFT;
  if (ec === EC.DABT_CUR || ec === EC.DABT_LOW) return `${what}, ${esr & 1 << 6 ? "write" : "read"}`;
  return what;
}

// emulator/event-sites.ts
var EventSites = class {
  constructor(core, exec) {
    this.core = core;
    this.exec = exec;
  }
  core;
  exec;
  pcs = /* @__PURE__ */ new Set();
  /** Set when a WFE or WFI asked the core to park: how, and where it resumes. */
  park;
  /** A site's code hook stopped the engine ('code-hook-sites'). */
  hookStopped = false;
  /** The site address the engine is being run over (its code hook lets it pass). */
  over;
  /** Watch the WFE, WFI, SEV and SEVL instructions at these addresses (PCs). */
  add(pcs) {
    const added = [];
    for (const pc of pcs) {
      if (this.pcs.has(pc)) continue;
      this.pcs.add(pc);
      added.push(pc);
    }
    if (added.length === 0) return;
    if (this.exec === "counted") {
      for (const pc of added) this.core.hookSite(pc, () => this.reached(pc));
      return;
    }
    const byHooks = this.exec === "code-hook-sites";
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
  stoppedAt(pc) {
    if (this.exec === "counted") return false;
    if (this.exec === "code-hook-sites") {
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
  isSite(pc) {
    const w = this.core.fetchWord(pc);
    return w === A64.WFE || w === A64.WFI || w === A64.SEV || w === A64.SEVL;
  }
  /** The engine runs over the site address `pc` (undefined: no longer). */
  runningOver(pc) {
    this.over = pc;
  }
  /** Execute the site at `pc`, where the engine stopped: true if the core parks there. */
  execute(pc) {
    return this.reached(pc);
  }
  /** The core reached the site at `pc`: true if it parks there. */
  reached(pc) {
    const word = this.core.fetchWord(pc);
    if (word === A64.SEV) {
      this.core.onSev();
    } else if (word === A64.SEVL) {
      this.core.event = true;
    } else if (word === A64.WFE) {
      if (this.core.event) this.core.event = false;
      else return this.parkAt("wfe", pc);
    } else if (word === A64.WFI) {
      if (!this.core.irqSignalled()) return this.parkAt("wfi", pc);
    }
    return false;
  }
  /** Park in the WFE/WFI at `pc`; the core resumes after it, as a real core does once the wait is over. */
  parkAt(how, pc) {
    this.park = { how, resume: pc + 4n };
    if (this.exec === "counted") this.core.stopEngine();
    return true;
  }
};

// emulator/unicorn/native.ts
import koffi3 from "koffi";
var NATIVE_ABI = 6;
var SLICE_STOP = { NONE: 0, BUDGET: 1, TRAP: 3, IRQ: 4 };
var BLOCKS = { NONE: 0, COUNT: 1, SITES: 2 };
var S = { left: 0, insns: 1, resume: 2, stop: 3, intno: 4, svcRegs: 5, svcRet: 14 };
var SHARED_SLOTS = 15;
var native;
function loadNative() {
  if (native) return native;
  const path = ensureNativeLibrary();
  const lib2 = koffi3.load(path);
  const f = (decl) => lib2.func(decl);
  const abi = f("int32_t ucs_abi(void)")();
  if (abi !== NATIVE_ABI) throw new NativeBuildError(`${path} has ABI ${abi}, this checkout needs ${NATIVE_ABI}: delete it and run "npm run setup"`);
  native = {
    attach: f("void *ucs_attach(void *uc, void *snapshot, int32_t blocks)"),
    setSvc: f("void ucs_set_svc(void *s, void *fn)"),
    setFault: f("void ucs_set_fault(void *s, void *fn)"),
    setSites: f("int32_t ucs_set_sites(void *s, const uint64_t *sites, uint32_t n, int32_t as_exits)"),
    run: f("int32_t ucs_run(void *s, uint64_t begin, uint64_t until, uint64_t budget, uint64_t insns, uint64_t count)"),
    runOver: f("int32_t ucs_run_over(void *s, uint64_t pc, uint64_t until, uint64_t insns)"),
    free: f("void ucs_free(void *s)"),
    watchIrq: f("void ucs_watch_irq(void *s, uint64_t mask, uint64_t match)"),
    svcProto: koffi3.proto("int32_t ucs_svc_fn(void)")
  };
  return native;
}
var SVC_X8 = 6;
var SVC_PSTATE = 7;
var SVC_TPIDR_EL1 = 8;
var NativeSlicer = class {
  constructor(uc, snapshot, blocks) {
    this.uc = uc;
    this.blocks = blocks;
    this.lib = loadNative();
    const state2 = this.lib.attach(uc.engine, snapshot.ptr, blocks);
    if (state2 === null) throw new Error("the native part could not hook the engine (uc_hook_add failed)");
    this.state = state2;
    const view = koffi3.view(state2, 8 * SHARED_SLOTS);
    this.sh = new BigUint64Array(view);
    this.sh32 = new Uint32Array(view);
    uc.onClose(() => {
      this.lib.free(this.state);
      if (this.svcTrampoline !== void 0) koffi3.unregister(this.svcTrampoline);
      if (this.faultTrampoline !== void 0) koffi3.unregister(this.faultTrampoline);
    });
  }
  uc;
  blocks;
  /** struct ucs_shared, and the same memory as 32-bit words (reads without a BigInt). */
  sh;
  sh32;
  state;
  lib;
  svcTrampoline;
  faultTrampoline;
  /**
   * Offer every svc to `answer` (from inside the exception hook): it reads
   * svcReg(), and returns the x0 to give back, or undefined to make the svc
   * a trap like any other. Set once per engine.
   */
  onSvc(answer) {
    if (this.svcTrampoline !== void 0) throw new Error("the svc handler is set once per engine");
    const body = this.uc.guarded(() => {
      const ret = answer();
      if (ret === void 0) return 0;
      this.sh[S.svcRet] = ret;
      return 1;
    }, 0);
    this.svcTrampoline = koffi3.register(body, koffi3.pointer(this.lib.svcProto));
    this.lib.setSvc(this.state, this.svcTrampoline);
  }
  /**
   * Offer every data abort to `answer` (from inside the exception hook,
   * the context already saved in the snapshot): true when it made the
   * access possible, and the instruction is retried in the same run;
   * false to make the abort a trap like any other. Set once per engine.
   */
  onFault(answer) {
    if (this.faultTrampoline !== void 0) throw new Error("the fault handler is set once per engine");
    const body = this.uc.guarded(() => answer() ? 1 : 0, 0);
    this.faultTrampoline = koffi3.register(body, koffi3.pointer(this.lib.svcProto));
    this.lib.setFault(this.state, this.faultTrampoline);
  }
  /** Register n of the current svc: 0-5 = x0-x5, SVC_X8, SVC_PSTATE, SVC_TPIDR_EL1. */
  svcReg(n) {
    return this.sh[S.svcRegs + n];
  }
  /** The low 32 bits of svcReg(n) (little-endian host), e.g. PSTATE. */
  svcReg32(n) {
    return this.sh32[2 * (S.svcRegs + n)];
  }
  /**
   * The WFE/WFI/SEV/SEVL addresses (VAs): the translator's exits with
   * `asExits`, else the sites the BLOCKS.SITES hook counts up to.
   */
  setSites(sites, asExits) {
    const arr = BigUint64Array.from(sites);
    if (this.lib.setSites(this.state, arr, arr.length, asExits ? 1 : 0) !== 0)
      throw new Error("the engine refused the event sites (out of memory, or no exits in this Unicorn)");
  }
  /**
   * Run from `begin`; `insns` instructions of the budget are already used;
   * `count` is Unicorn's own instruction count (0: none, always but in the
   * 'counted' mode). Returns uc_emu_start's result code; rethrows what a
   * hook threw.
   */
  run(begin, until, budget, insns, count = 0) {
    return this.uc.running(() => this.lib.run(this.state, begin, until, budget, insns, count));
  }
  /**
   * Run the one block at `pc`, a site address whose instruction is not a
   * site any more, without stopping there (ucs_run_over): the engine stops
   * at the next block, the count going on from `insns`. Returns
   * uc_emu_start's result code; rethrows what a hook threw.
   */
  runOver(pc, until, insns) {
    const rc = this.uc.running(() => this.lib.runOver(this.state, pc, until, insns));
    if (rc === -1) throw new Error("the engine refused to change its exits (out of memory)");
    return rc;
  }
  /**
   * The IRQ unmask watch (uc_slice.c, 4.): while set, the block hook stops
   * the engine before a block that starts with (PSTATE & mask) == match.
   * May change from inside a hook (an MMIO write that asserts or clears an
   * interrupt), applying from the next block on. mask 0: off.
   */
  watchIrq(mask, match) {
    this.lib.watchIrq(this.state, mask, match);
  }
  /** Instructions in the blocks started so far this slice (as of the last run's return). */
  get insns() {
    return Number(this.sh[S.insns]);
  }
  get stop() {
    return this.sh32[2 * S.stop];
  }
  /** The block a budget stop left unstarted: where to resume. */
  get resume() {
    return this.sh[S.resume];
  }
  get intno() {
    return this.sh32[2 * S.intno];
  }
};

// emulator/devices/mmio.ts
var DeviceAccessError = class extends Error {
  constructor(device2, pa, isWrite) {
    super(`${isWrite ? "write to" : "read from"} unimplemented device ${device2} at PA 0x${pa.toString(16)}`);
    this.device = device2;
    this.pa = pa;
    this.isWrite = isWrite;
  }
  device;
  pa;
  isWrite;
  name = "DeviceAccessError";
};
var UnimplementedDevice = class {
  constructor(name, base, size2) {
    this.name = name;
    this.base = base;
    this.size = size2;
  }
  name;
  base;
  size;
  read(offset) {
    throw new DeviceAccessError(this.name, this.base + offset, false);
  }
  write(offset) {
    throw new DeviceAccessError(this.name, this.base + offset, true);
  }
};

// emulator/arm64/translate.ts
var VALID = 1n;
var TABLE_OR_PAGE = 2n;
var OA_MASK = 0x0000fffffffff000n;
function leaf(pa, level, desc) {
  return { ok: true, pa, level, user: (desc >> 6n & 1n) === 1n, readOnly: (desc >> 7n & 1n) === 1n };
}
function field(v, shift, bits) {
  return Number(v >> BigInt(shift) & (1n << BigInt(bits)) - 1n);
}
function walkStage1(regs, va, read64) {
  va = BigInt.asUintN(64, va);
  if ((regs.sctlr & 1n) === 0n) return { ok: true, pa: Number(va & 0xffffffffffffn), level: -1, user: true, readOnly: false };
  const upper = va >> 55n & 1n;
  const tsz = upper ? field(regs.tcr, 16, 6) : field(regs.tcr, 0, 6);
  const tg = upper ? field(regs.tcr, 30, 2) : field(regs.tcr, 14, 2);
  const epd = upper ? field(regs.tcr, 23, 1) : field(regs.tcr, 7, 1);
  const is4k = upper ? tg === 2 : tg === 0;
  if (!is4k) return { ok: false, level: 0, reason: "granule" };
  const inputBits = 64 - tsz;
  const top = va >> BigInt(inputBits);
  const expected = upper ? (1n << BigInt(tsz)) - 1n : 0n;
  if (top !== expected || epd) return { ok: false, level: 0, reason: "range" };
  let level = 4 - Math.ceil((inputBits - 12) / 9);
  let table2 = (upper ? regs.ttbr1 : regs.ttbr0) & OA_MASK;
  for (; level <= 3; level++) {
    const shift = 12 + 9 * (3 - level);
    const index = Number(va >> BigInt(shift) & 0x1ffn);
    const desc = read64(Number(table2) + index * 8);
    if (desc === void 0 || (desc & VALID) === 0n) return { ok: false, level, reason: "translation" };
    const isTable = (desc & TABLE_OR_PAGE) !== 0n;
    if (level === 3) {
      if (!isTable) return { ok: false, level, reason: "translation" };
      return leaf(Number(desc & OA_MASK | va & 0xfffn), level, desc);
    }
    if (!isTable) {
      if (level === 0) return { ok: false, level, reason: "translation" };
      const blockMask = (1n << BigInt(shift)) - 1n;
      return leaf(Number(desc & OA_MASK & ~blockMask | va & blockMask), level, desc);
    }
    table2 = desc & OA_MASK;
  }
  return { ok: false, level: 3, reason: "translation" };
}

// emulator/core.ts
var NativeSvcCall = class {
  constructor(core, regs) {
    this.core = core;
    this.regs = regs;
  }
  core;
  regs;
  el = 0;
  nr32 = 0;
  arg(n) {
    return this.regs.svcReg(n);
  }
  get nr() {
    return this.regs.svcReg(SVC_X8);
  }
  get tpidrEl1() {
    return this.regs.svcReg(SVC_TPIDR_EL1);
  }
};
var MIDR = {
  "cortex-a72": 1091555459,
  "cortex-a53": 1091555380
};
function blockCounting(exec) {
  if (exec === "deterministic") return BLOCKS.COUNT;
  return exec === "code-hook-sites" ? BLOCKS.SITES : BLOCKS.NONE;
}
function elOf(pstateMode) {
  return (pstateMode >> 2 & 3) === 0 ? 0 : 1;
}
function tlbiBroadcasts(op) {
  return op.op1 === 0 && op.crm === 3;
}
var CoreContext = class {
  constructor(core, snapshot) {
    this.core = core;
    this.snapshot = snapshot;
  }
  core;
  snapshot;
};
function untilFor(begin) {
  return begin === 0n ? 0xfffffffffffffffcn : 0n;
}
var TTBR1_SHADOW_BASE = 0xffffff8000000000n;
var TTBR1_SHADOW_SIZE = 512 * 2 ** 30 - 4096;
var SHADOW_HOST_SIZE = TTBR1_SHADOW_SIZE + 4096;
var Core = class {
  constructor(index, desc, ram, hooks) {
    this.index = index;
    this.desc = desc;
    this.ram = ram;
    this.hooks = hooks;
    this.gaps = hooks.lowGaps.map((g) => ({ base: BigInt(g.base), size: g.size, mapped: false }));
    this.uc = new Unicorn(desc.model === "cortex-a72" ? UC_CPU_ARM64_A72 : UC_CPU_ARM64_A53);
    this.midr = desc.midr ?? MIDR[desc.model];
    this.snapshot = this.uc.contextAlloc();
    this.exec = hooks.exec ?? "deterministic";
    this.slicer = new NativeSlicer(this.uc, this.snapshot, blockCounting(this.exec));
    if (hooks.onFastSvc) this.answerSvcs(hooks.onFastSvc);
    if (hooks.onFastFault) this.answerFaults(hooks.onFastFault);
    const self = this;
    this.sites = new EventSites({
      get event() {
        return self.event;
      },
      set event(v) {
        self.event = v;
      },
      fetchWord: (va) => this.fetchWord(va),
      onSev: () => hooks.onSev(this),
      irqSignalled: () => this.irqSignalled?.() ?? false,
      setNativeSites: (pcs, asExits) => this.slicer.setSites(pcs, asExits),
      hookSite: (pc, reached) => this.uc.hookCode(pc, pc, reached),
      stopEngine: () => this.uc.emuStop()
    }, this.exec);
    this.uc.hookUnmapped((type, address) => {
      const gap = this.shadowGap(address);
      if (gap && type !== UC_HOOK_MEM_FETCH_UNMAPPED) {
        this.mapShadow(gap);
        return true;
      }
      if (gap) this.pendingFetchShadow = gap;
      this.unmapped = { type, address };
      return false;
    });
    this.uc.memMapPtr(TTBR1_SHADOW_BASE, TTBR1_SHADOW_SIZE, UC_PROT_ALL, hooks.shadowHost);
    this.uc.sysWrite(SYSREG.SCR_EL3, 0x401n);
    this.uc.sysWrite(SYSREG.HCR_EL2, 1n << 31n);
    this.uc.sysWrite(SYSREG.CNTKCTL_EL1, 3n);
    this.uc.sysWrite(SYSREG.CNTFRQ_EL0, BigInt(hooks.timerHz));
  }
  index;
  desc;
  ram;
  hooks;
  uc;
  midr;
  state = "off";
  pc = 0n;
  /** The event register of WFE/SEV. */
  event = false;
  /** Whether an interrupt is signalled to this core, for WFI (set by a machine with an interrupt controller; see EventSites). */
  irqSignalled;
  /** A word whose change also wakes this core from WFE (its spin-table slot). */
  wfeWatch;
  /** Slices this core has run (the machine's virtual time is counted in them). */
  slices = 0;
  /** Instructions this core has run, counted by translated blocks. */
  insns = 0;
  exec;
  slicer;
  unmapped;
  snapshot;
  el1Snapshot;
  sites;
  /** Shadow regions not yet mapped (see shadowGap). */
  gaps;
  pendingFetchShadow;
  /**
   * Answer `mrs` of MPIDR_EL1, MIDR_EL1, CNTVCT_EL0 and CNTPCT_EL0 with
   * the machine's values, and report `tlbi`, for code at PCs in [begin,
   * end]: the firmware's armstub and the kernel image. Each hooked `mrs`
   * or `sys` costs a call into JavaScript (about 2 us, whatever register or
   * operation), so the hooks stay off user code, whose `mrs tpidr_el0` and
   * `dc zva` are frequent (and which executes no tlbi).
   */
  interceptSystemInstructions(begin, end) {
    this.uc.hookMrs(begin, end, (_reg, r2) => this.answerMrs(r2));
    const model = this.hooks.sysregModel?.();
    if (model) this.uc.hookMsr(begin, end, (r2) => model.write(this, r2));
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
  interceptSystemInstructionsAt(sites) {
    if (sites.mrs.length) this.uc.hookMrs(0n, 0n, (_reg, r2) => this.answerMrs(r2), sites.mrs);
    const model = this.hooks.sysregModel?.();
    if (model && sites.msr.length) this.uc.hookMsr(0n, 0n, (r2) => model.write(this, r2), sites.msr);
    if (sites.tlbi.length)
      this.uc.hookSys(0n, 0n, (op) => this.hooks.onTlbi(this, { op1: op.op1, crm: op.crm, op2: op.op2, arg: BigInt(op.val) }), sites.tlbi);
  }
  /** The `mrs` reads the machine answers instead of the engine (undefined: the engine's value). */
  answerMrs(r2) {
    if (r2.op0 !== 3) return void 0;
    const modelled = this.hooks.sysregModel?.()?.read(this, r2);
    if (modelled !== void 0) return modelled;
    if (r2.op1 === 0 && r2.crn === 0 && r2.crm === 0) {
      if (r2.op2 === SYSREG.MPIDR_EL1.op2) return BigInt(this.mpidr);
      if (r2.op2 === SYSREG.MIDR_EL1.op2) return BigInt(this.midr);
      return void 0;
    }
    const isCounter = r2.op1 === 3 && r2.crn === 14 && r2.crm === 0 && (r2.op2 === SYSREG.CNTPCT_EL0.op2 || r2.op2 === SYSREG.CNTVCT_EL0.op2);
    return isCounter ? this.hooks.counter() : void 0;
  }
  get mpidr() {
    return this.desc.mpidr;
  }
  /* ---- registers -------------------------------------------------------- */
  x(n) {
    return this.uc.regRead(regX(n));
  }
  setX(n, v) {
    this.uc.regWrite(regX(n), BigInt(v));
  }
  get sp() {
    return this.uc.regRead(REG_SP);
  }
  set sp(v) {
    this.uc.regWrite(REG_SP, v);
  }
  /** The current exception level (0 or 1), from PSTATE.EL. */
  get el() {
    return elOf(Number(this.uc.regRead(REG_PSTATE) & 0xfn));
  }
  /** PSTATE (NZCV, DAIF, EL, SP selection), as SPSR and a signal frame record it. */
  get pstate() {
    return this.uc.regRead(REG_PSTATE);
  }
  /** Writing PSTATE cannot change the EL in 2.0.1 (stale hflags): for DAIF and flags only. */
  set pstate(v) {
    this.uc.regWrite(REG_PSTATE, v);
  }
  /** Only the condition flags may change this way (the level cannot: see enterEl0). */
  set nzcv(v) {
    const p = this.uc.regRead(REG_PSTATE);
    this.uc.regWrite(REG_PSTATE, p & ~(0xfn << 28n) | v & 0xfn << 28n);
  }
  set elrEl1(v) {
    this.uc.regWrite(REG_ELR_EL1, v);
  }
  /** TPIDR_EL1: the per-CPU offset the kernel's entry code wrote (Linux's set_my_cpu_offset). */
  get tpidrEl1() {
    return this.uc.regRead(REG_TPIDR_EL1);
  }
  sysRead(r2) {
    return this.uc.sysRead(r2);
  }
  /** A system register written from outside: no hflags rebuild in 2.0.1, so not for state the translator caches (PSTATE, SCTLR, TCR). */
  sysWrite(r2, v) {
    this.uc.sysWrite(r2, v);
  }
  /**
   * Prepare an `eret` to EL0t at `entry` with the user stack `sp`,
   * interrupts unmasked: the core then runs the image's ret_to_user.
   * (Writing PSTATE cannot change the level in 2.0.1; eret can.)
   */
  enterEl0(entry, sp) {
    this.uc.regWrite(REG_ELR_EL1, entry);
    this.uc.sysWrite(SYSREG.SPSR_EL1, 0n);
    this.uc.regWrite(REG_SP_EL0, sp);
  }
  /* ---- contexts and the TLB -------------------------------------------- */
  contexts = [];
  /** A context slot for this core (about 12 KB, allocated once; freed with the core). */
  newContext() {
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
  adoptContext(from) {
    const to = this.newContext();
    const src = from.snapshot.bytes;
    const dst = to.snapshot.bytes;
    if (src.byteLength !== dst.byteLength) throw new Error(`cpu${this.index}: a context of ${src.byteLength} bytes, not ${dst.byteLength}`);
    new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
    return to;
  }
  /** Save everything the core holds (registers, EL, system registers) into `ctx`. */
  saveContext(ctx) {
    this.ownContext(ctx);
    this.uc.contextSave(ctx.snapshot);
  }
  /** Put the core back in the state `ctx` holds (its EL too). The TLB is not touched. */
  restoreContext(ctx) {
    this.ownContext(ctx);
    this.uc.contextRestore(ctx.snapshot);
  }
  ownContext(ctx) {
    if (ctx.core !== this.index) throw new Error(`cpu${this.index}: a context of cpu${ctx.core}`);
  }
  /**
   * Drop every cached translation of this core, from outside the guest.
   * In 2.0.1 only a guest tlbi or a TTBR0_EL1 write that changes the ASID
   * flushes an engine's TLB (vmsa_ttbr_write in target/arm/helper.c); this
   * writes TTBR0 with another ASID and back, so the register ends as it was.
   */
  flushTlb() {
    const ttbr0 = this.uc.sysRead(SYSREG.TTBR0_EL1);
    this.uc.sysWrite(SYSREG.TTBR0_EL1, ttbr0 ^ 1n << 48n);
    this.uc.sysWrite(SYSREG.TTBR0_EL1, ttbr0);
  }
  /** Print every instruction this core executes (one code hook over everything: very slow). */
  installTrace(out, disassemble2) {
    this.uc.hookCode(1n, 0n, (address) => {
      const word = this.fetchWord(address);
      const text = word === void 0 ? "(not in RAM)" : disassemble2(word, address);
      out(`cpu${this.index} ${address.toString(16).padStart(16, "0")}: ${text}`);
    });
  }
  /* ---- memory as this core sees it ------------------------------------- */
  /** Translate a VA through this core's current MMU state. */
  translate(va) {
    const regs = {
      sctlr: this.uc.sysRead(SYSREG.SCTLR_EL1),
      tcr: this.uc.sysRead(SYSREG.TCR_EL1),
      ttbr0: this.uc.sysRead(SYSREG.TTBR0_EL1),
      ttbr1: this.uc.sysRead(SYSREG.TTBR1_EL1)
    };
    return walkStage1(regs, va, (pa) => this.ram.contains(pa, 8) ? this.ram.u64(pa) : void 0);
  }
  /** The instruction word at a VA, or undefined if it does not translate to RAM. */
  fetchWord(va) {
    const r2 = this.translate(va);
    return r2.ok && this.ram.contains(r2.pa, 4) ? this.ram.u32(r2.pa) : void 0;
  }
  /* ---- hooks on loaded code ------------------------------------------- */
  /**
   * The fast svc path: C reads the caller's registers into a shared block
   * and calls this once; x0 goes back the same way.
   */
  answerSvcs(answer) {
    const s = this.slicer;
    const call = new NativeSvcCall(this.index, s);
    s.onSvc(() => {
      call.el = elOf(s.svcReg32(SVC_PSTATE) & 15);
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
  answerFaults(answer) {
    this.slicer.onFault(() => answer(this.exceptionTrap(EXCP.DATA_ABORT, this.uc.regRead(REG_PC))));
  }
  /** Watch the WFE, WFI and SEV instructions at these addresses (PCs). */
  addEventSites(pcs) {
    this.sites.add(pcs);
  }
  /**
   * The not-yet-shadowed gap of the low (TTBR0) half containing `va`, if the
   * MMU is on: with the MMU off the access really is to nothing, and must
   * fault; with it on, the VA only has to pass Unicorn's region check.
   */
  shadowGap(va) {
    if ((this.uc.sysRead(SYSREG.SCTLR_EL1) & 1n) === 0n) return void 0;
    return this.gaps.find((g) => !g.mapped && va >= g.base && va < g.base + BigInt(g.size));
  }
  /**
   * Map every shadow region now (the MMU is on for good): an instruction
   * fetch is the one access that cannot map its gap on the spot (mapping
   * from the fetch hook crashes 2.0.1), and after a gap is mapped from the
   * slice loop instead, the retried fetch was seen to execute zeroes.
   */
  mapAllShadows() {
    for (const gap of this.gaps) if (!gap.mapped) this.mapShadow(gap);
  }
  mapShadow(gap) {
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
  mapVaShadow(base, size2, code) {
    const end = base + BigInt(size2);
    const codeEnd = code.base + BigInt(code.size);
    if (code.size > SHADOW_HOST_SIZE || code.base < base || codeEnd > end) throw new Error("mapVaShadow: the code part must lie inside, at most SHADOW_HOST_SIZE bytes");
    this.uc.memMapPtr(code.base, code.size, UC_PROT_ALL, this.hooks.shadowHost);
    if (code.base > base) this.mapVaGuard(base, Number(code.base - base));
    if (codeEnd < end) this.mapVaGuard(codeEnd, Number(end - codeEnd));
  }
  mapVaGuard(base, size2) {
    const where = `the VA shadow at 0x${base.toString(16)}`;
    this.uc.mmioMap(base, size2, {
      read: (offset) => {
        throw new DeviceAccessError(where, offset, false);
      },
      write: (offset) => {
        throw new DeviceAccessError(where, offset, true);
      }
    });
  }
  mapMmio(base, size2, dev) {
    this.uc.mmioMap(BigInt(base), size2, dev);
  }
  /** Map host memory at `ptr` as physical [base, base+size) of this core. */
  mapRam(base, size2, ptr) {
    this.uc.memMapRam(BigInt(base), size2, ptr);
  }
  /**
   * Physical memory [pa, pa+len) was rewritten from outside the cores:
   * drop this core's translated code of it. Unicorn 2.0.1 invalidates by
   * VA (uc_invalidate_tb translates the start as an instruction fetch
   * through the core's MMU) and its memory writes do not invalidate, so
   * the page must be reachable as code: the core's MMU is switched off
   * for the call (VA = PA; the walk reads SCTLR_EL1.M afresh), then back
   * on, and its TLB flushed so that no identity entry outlives the call.
   */
  physCodeChanged(pa, len) {
    const sctlr = this.uc.sysRead(SYSREG.SCTLR_EL1);
    this.uc.sysWrite(SYSREG.SCTLR_EL1, sctlr & ~1n);
    try {
      this.uc.invalidateCode(BigInt(pa), BigInt(pa + len));
    } finally {
      this.uc.sysWrite(SYSREG.SCTLR_EL1, sctlr);
      this.flushTlb();
    }
  }
  /** Translated code for [begin, end) (VAs through this core's MMU) is stale. */
  invalidateCode(begin, end) {
    this.uc.invalidateCode(begin, end);
  }
  /**
   * While an IRQ is pending for this core (its machine delivers IRQs
   * itself, linux/guest.ts), end the slice before the first block that
   * starts with (PSTATE & mask) == match, e.g. I clear at EL1h: the block
   * after the kernel unmasks IRQs. Costs nothing while off (undefined).
   */
  watchIrqUnmask(when) {
    const mask = when?.mask ?? 0;
    const match = when?.match ?? 0;
    if (mask === this.irqWatch.mask && match === this.irqWatch.match) return;
    this.irqWatch = { mask, match };
    this.slicer.watchIrq(mask, match);
  }
  irqWatch = { mask: 0, match: 0 };
  /* ---- EL1 snapshot ------------------------------------------------------- */
  /**
   * Remember this core's EL1 state. Writing PSTATE cannot bring a core back
   * from EL0 in Unicorn 2.0.1 (stale hflags), so the way back to EL1 is to
   * restore a snapshot taken at EL1 and set the registers that matter.
   */
  saveEl1() {
    if (this.el !== 1) throw new Error(`cpu${this.index}: saveEl1 while at EL0`);
    this.el1Snapshot ??= this.newContext();
    this.saveContext(this.el1Snapshot);
  }
  restoreEl1() {
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
  runSlice(budget) {
    this.unmapped = void 0;
    this.sites.park = void 0;
    this.slices++;
    const s = this.slicer;
    let insns = 0;
    let over;
    for (; ; ) {
      let rc = UC_ERR_OK;
      let thrown;
      const wasOver = over !== void 0;
      try {
        if (over !== void 0) {
          this.sites.runningOver(over);
          rc = s.runOver(over, untilFor(over), insns);
        } else {
          rc = s.run(this.pc, untilFor(this.pc), budget, insns, this.exec === "counted" ? budget : 0);
        }
      } catch (e) {
        thrown = e;
      } finally {
        if (over !== void 0) this.sites.runningOver(over = void 0);
      }
      insns = s.insns;
      const stop = s.stop;
      this.pc = stop === SLICE_STOP.BUDGET || stop === SLICE_STOP.IRQ ? s.resume : this.uc.regRead(REG_PC);
      if (thrown !== void 0) {
        if (thrown instanceof DeviceAccessError) return this.trapped(this.deviceTrap(thrown), insns);
        throw thrown;
      }
      if (this.pendingFetchShadow && rc === UC_ERR_FETCH_UNMAPPED) {
        this.mapShadow(this.pendingFetchShadow);
        this.pendingFetchShadow = void 0;
        this.unmapped = void 0;
        continue;
      }
      if (stop === SLICE_STOP.TRAP) return this.trapped(this.exceptionTrap(s.intno), insns);
      if (rc !== UC_ERR_OK) {
        if (this.unmapped || rc === UC_ERR_READ_UNMAPPED || rc === UC_ERR_WRITE_UNMAPPED || rc === UC_ERR_FETCH_UNMAPPED)
          return this.trapped(this.unmappedTrap(rc), insns);
        throw new UcError(rc, `uc_emu_start on cpu${this.index}`);
      }
      if (this.sites.park) return this.parked(this.sites.park, insns);
      if (stop === SLICE_STOP.NONE && this.sites.stoppedAt(this.pc)) {
        if (!this.sites.isSite(this.pc)) {
          if (insns >= budget) return this.ended({ kind: "budget" }, insns);
          over = this.pc;
          continue;
        }
        insns++;
        if (this.sites.execute(this.pc)) return this.parked(this.sites.park, insns);
        this.pc += 4n;
        continue;
      }
      if (stop === SLICE_STOP.IRQ) return this.ended({ kind: "budget" }, insns);
      if (wasOver && stop === SLICE_STOP.BUDGET && insns < budget) continue;
      return this.ended({ kind: "budget" }, insns);
    }
  }
  ended(end, insns) {
    this.insns += insns;
    return { ...end, insns };
  }
  parked({ how, resume }, insns) {
    this.state = how;
    this.pc = resume;
    if (how === "wfe" && this.wfeWatch) this.wfeWatch.value = this.ram.u64(this.wfeWatch.pa);
    return this.ended({ kind: "parked" }, insns);
  }
  trapped(trap, insns) {
    this.state = "trapped";
    return this.ended({ kind: "trap", trap }, insns);
  }
  /**
   * Xn as it was when this core last trapped, from the snapshot the trap
   * hook saved (cheaper than a uc_reg_read; valid until the core runs again).
   */
  trapX(n) {
    return this.snapshot.bytes.getBigUint64(this.hooks.snapshot.xregs + 8 * n, true);
  }
  exceptionTrap(intno, pc = this.pc) {
    const snap = this.snapshot.bytes;
    const lay = this.hooks.snapshot;
    const el = elOf(snap.getUint32(lay.pstate, true));
    const esr = snap.getUint32(lay.syndrome, true);
    const kind = kindOfException(intno) ?? "undef";
    const core = this.index;
    switch (kind) {
      case "svc":
      case "brk":
        return { kind, core, pc, el, esr, far: 0n, imm: esr & 65535 };
      case "data-abort":
      case "insn-abort":
        return { kind, core, pc, el, esr, far: snap.getBigUint64(lay.syndrome + 8, true), imm: 0 };
      case "undef": {
        const word = this.fetchWord(pc);
        if (el === 1 && word !== void 0 && A64.isHvc(word)) {
          const imm = A64.hvcImm(word);
          return { kind: "hvc", core, pc: pc + 4n, el, esr: (22 << 26 | 1 << 25 | imm) >>> 0, far: 0n, imm };
        }
        return { kind: "undef", core, pc, el, esr: 1 << 25, far: 0n, imm: 0 };
      }
      default:
        return { kind, core, pc, el, esr, far: 0n, imm: 0 };
    }
  }
  unmappedTrap(rc) {
    const type = this.unmapped?.type ?? 0;
    const what = type === UC_HOOK_MEM_FETCH_UNMAPPED || rc === UC_ERR_FETCH_UNMAPPED ? "fetch" : type === UC_HOOK_MEM_WRITE_UNMAPPED || rc === UC_ERR_WRITE_UNMAPPED ? "write" : "read";
    return {
      kind: "unmapped",
      core: this.index,
      pc: this.pc,
      el: this.el,
      esr: 0,
      far: this.unmapped?.address ?? this.pc,
      imm: 0,
      detail: `${what} of unmapped memory`,
      inBlock: what !== "fetch"
    };
  }
  deviceTrap(e) {
    return {
      kind: "device",
      core: this.index,
      pc: this.pc,
      el: this.el,
      esr: 0,
      far: BigInt(e.pa),
      imm: 0,
      detail: e.message,
      inBlock: true
    };
  }
  dispose() {
    for (const c of this.contexts) c.free();
    this.uc.dispose();
  }
};

// lib/sizes.ts
var SZ_1M = 1048576;
var SZ_2M = 2097152;
var SZ_1G = 1073741824;

// emulator/board/profile.ts
var MiB = SZ_1M;
var GiB = SZ_1G;
function parseRamSize(text) {
  const m = /^(\d+)([MG]?)B?$/i.exec(text.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  const unit = (m[2] ?? "").toUpperCase();
  return unit === "G" ? n * GiB : n * MiB;
}
function formatRamSize(bytes2) {
  return bytes2 % GiB === 0 ? `${bytes2 / GiB}G` : `${bytes2 / MiB}M`;
}

// emulator/board/boards.ts
var BCM2711_PERIPH = 4227858432;
var PI_SPIN_TABLE = [216, 224, 232, 240];
function piMemoryRanges(ramBytes2, gpuMemMb, periphBase) {
  const first = Math.min(Math.min(ramBytes2, GiB) - gpuMemMb * MiB, periphBase);
  const ranges = [{ base: 0, size: first }];
  if (ramBytes2 > GiB) ranges.push({ base: GiB, size: Math.min(ramBytes2, periphBase) - GiB });
  for (let base = 4 * GiB; base < ramBytes2; base += 2 * GiB) ranges.push({ base, size: Math.min(2 * GiB, ramBytes2 - base) });
  return ranges;
}
function piDram(ramBytes2, periphBase) {
  const ranges = [{ base: 0, size: Math.min(ramBytes2, periphBase) }];
  if (ramBytes2 > 4 * GiB) ranges.push({ base: 4 * GiB, size: ramBytes2 - 4 * GiB });
  return ranges;
}
function piModule(m) {
  const uart = m.socRanges.find((r2) => r2.bus === 2113929216);
  return {
    ...m,
    defaultCmdline: "console=ttyAMA0,115200",
    cpus: [0, 1, 2, 3].map((n) => ({ model: m.cpuModel, mpidr: (2147483648 | n) >>> 0 })),
    ramBase: 0,
    console: {
      kind: "pl011",
      base: uart.cpu + 2101248,
      busAddress: 2116030464,
      dtName: "serial@7e201000",
      compatible: ["arm,pl011", "arm,primecell"]
    },
    defaultGpuMemMb: 76,
    kernelLoadAddress: 2097152,
    spinTable: PI_SPIN_TABLE,
    dram: (ram) => piDram(ram, m.periphBase),
    memoryRanges: (ram, gpu) => piMemoryRanges(ram, gpu, m.periphBase)
  };
}
var uconsoleCm4 = piModule({
  name: "uconsole-cm4",
  description: "uConsole with Raspberry Pi CM4 (BCM2711, 4x Cortex-A72)",
  model: "Raspberry Pi Compute Module 4 Rev 1.0",
  compatible: ["raspberrypi,4-compute-module", "brcm,bcm2711"],
  soc: "BCM2711",
  dtbName: "bcm2711-rpi-cm4.dtb",
  timerHz: 54e6,
  cpuModel: "cortex-a72",
  ramSizes: [1 * GiB, 2 * GiB, 4 * GiB, 8 * GiB],
  defaultRam: 4 * GiB,
  periphBase: BCM2711_PERIPH,
  devices: [
    { name: "bcm2711-peripherals", base: 4227858432, size: 33554432, compatible: "brcm,bcm2711" },
    { name: "bcm283x-peripherals", base: 4261412864, size: 25165824, compatible: "brcm,bcm2835" },
    { name: "arm-local", base: 4286578688, size: 8388608, compatible: "brcm,bcm2836-l1-intc" }
  ],
  socRanges: [
    { bus: 2113929216, cpu: 4261412864, size: 25165824 },
    { bus: 2080374784, cpu: 4227858432, size: 33554432 },
    { bus: 1073741824, cpu: 4286578688, size: 8388608 }
  ],
  // "Emulate a contiguous 30-bit address range for DMA" (bcm2711.dtsi): ZONE_DMA is the first GiB.
  dmaRanges: [{ bus: 3221225472, cpu: 0, size: 1073741824 }]
});
var BCM2837_PERIPH = 1056964608;
var uconsoleCm3 = piModule({
  name: "uconsole-cm3",
  description: "uConsole with Raspberry Pi CM3 (BCM2837, 4x Cortex-A53)",
  model: "Raspberry Pi Compute Module 3 Rev 1.0",
  compatible: ["raspberrypi,3-compute-module", "brcm,bcm2837"],
  soc: "BCM2837",
  timerHz: 192e5,
  dtbName: "bcm2710-rpi-cm3.dtb",
  cpuModel: "cortex-a53",
  ramSizes: [1 * GiB],
  defaultRam: 1 * GiB,
  periphBase: BCM2837_PERIPH,
  devices: [
    { name: "bcm283x-peripherals", base: 1056964608, size: 16777216, compatible: "brcm,bcm2837" },
    { name: "arm-local", base: 1073741824, size: 262144, compatible: "brcm,bcm2836-l1-intc" }
  ],
  socRanges: [{ bus: 2113929216, cpu: 1056964608, size: 16777216 }],
  dmaRanges: [{ bus: 3221225472, cpu: 0, size: 1056964608 }]
});
var RK3399_PERIPH = 4160749568;
var RK3399_ATF_SIZE = 2097152;
var uconsoleA06 = {
  name: "uconsole-a06",
  description: "uConsole with ClockworkPi A-06 (RK3399, 4x Cortex-A53 + 2x Cortex-A72)",
  model: "Clockworkpi A06",
  compatible: ["clockwork,devterm-a06", "rockchip,rk3399"],
  soc: "RK3399",
  timerHz: 24e6,
  dtbName: "rk3399-clockworkpi-a06.dtb",
  defaultCmdline: "console=ttyS2,1500000",
  cpus: [
    ...[0, 1, 2, 3].map((n) => ({ model: "cortex-a53", mpidr: (2147483648 | n) >>> 0 })),
    // The RK3399's A72s are r0p2 (0x410fd082 in its boot logs).
    ...[0, 1].map((n) => ({ model: "cortex-a72", mpidr: (2147483904 | n) >>> 0, midr: 1091555458 }))
  ],
  ramSizes: [2 * GiB, 4 * GiB],
  defaultRam: 4 * GiB,
  ramBase: 0,
  devices: [{ name: "rk3399-peripherals", base: RK3399_PERIPH, size: 134217728, compatible: "rockchip,rk3399" }],
  console: {
    kind: "ns16550",
    base: 4279894016,
    dtName: "serial@ff1a0000",
    compatible: ["rockchip,rk3399-uart", "snps,dw-apb-uart"],
    regShift: 2
  },
  defaultGpuMemMb: 0,
  kernelLoadAddress: 2097152,
  // Slots 4 and 5 go past the words at 0xf8/0xfc (dtb_ptr32, kernel_entry32).
  spinTable: PI_SPIN_TABLE.concat([256, 264]),
  dram: (ram) => [{ base: 0, size: Math.min(ram, RK3399_PERIPH) }],
  // The first 2 MiB hold the ARM Trusted Firmware (BL31), which U-Boot
  // leaves out of /memory: RK3399 boot logs show "node 0: [mem
  // 0x0000000000200000-0x00000000f7ffffff]" at 4 GB.
  memoryRanges: (ram) => [{ base: RK3399_ATF_SIZE, size: Math.min(ram, RK3399_PERIPH) - RK3399_ATF_SIZE }]
};
var H6_DRAM = 1073741824;
var uconsoleA04 = {
  name: "uconsole-a04",
  description: "uConsole with ClockworkPi A-04 (Allwinner H6, 4x Cortex-A53)",
  model: "ClockworkPi A04",
  compatible: ["clockwork,devterm-a04", "allwinner,sun50i-h6"],
  soc: "H6",
  timerHz: 24e6,
  dtbName: "sun50i-h6-clockworkpi-a04.dtb",
  defaultCmdline: "console=ttyS0,115200",
  cpus: [0, 1, 2, 3].map((n) => ({ model: "cortex-a53", mpidr: (2147483648 | n) >>> 0 })),
  ramSizes: [1 * GiB, 2 * GiB, 3 * GiB],
  defaultRam: 3 * GiB,
  ramBase: H6_DRAM,
  devices: [{ name: "h6-peripherals", base: 16777216, size: 134217728, compatible: "allwinner,sun50i-h6" }],
  console: {
    kind: "ns16550",
    base: 83886080,
    dtName: "serial@5000000",
    compatible: ["snps,dw-apb-uart"],
    regShift: 2
  },
  defaultGpuMemMb: 0,
  kernelLoadAddress: H6_DRAM + 2097152,
  spinTable: PI_SPIN_TABLE,
  dram: (ram) => [{ base: H6_DRAM, size: ram }],
  memoryRanges: (ram) => [{ base: H6_DRAM, size: ram }]
};
var BOARDS = [uconsoleCm4, uconsoleCm3, uconsoleA06, uconsoleA04];
var DEFAULT_BOARD = uconsoleCm4.name;
var BoardError = class extends Error {
  name = "BoardError";
};
function findBoard(name) {
  const b = BOARDS.find((p) => p.name === name);
  if (!b) throw new BoardError(`unknown board "${name}" (boards: ${BOARDS.map((p) => p.name).join(", ")})`);
  return b;
}

// emulator/devices/pl011.ts
var UARTDR = 0;
var UARTFR = 24;
var UARTPERIPHID0 = 4064;
var FR_TXFE = 1 << 7;
var FR_RXFE = 1 << 4;
var ID_REGS = [17, 16, 52, 0, 13, 240, 5, 177];
var Pl011 = class {
  constructor(name = "pl011") {
    this.name = name;
  }
  name;
  size = 4096;
  onByte;
  regs = /* @__PURE__ */ new Map();
  read(offset) {
    if (offset === UARTDR) return 0;
    if (offset === UARTFR) return FR_TXFE | FR_RXFE;
    if (offset >= UARTPERIPHID0 && offset < UARTPERIPHID0 + 32) return ID_REGS[offset - UARTPERIPHID0 >> 2];
    return this.regs.get(offset) ?? 0;
  }
  write(offset, _width, value) {
    if (offset === UARTDR) {
      this.onByte?.(Number(value & 0xffn));
      return;
    }
    this.regs.set(offset, Number(value & 0xffffffffn));
  }
};

// emulator/devices/ns16550.ts
var THR = 0;
var LCR = 3;
var LSR = 5;
var LCR_DLAB = 128;
var LSR_THRE = 1 << 5;
var LSR_TEMT = 1 << 6;
var Ns16550 = class {
  constructor(name = "ns16550", regShift = 2) {
    this.name = name;
    this.regShift = regShift;
  }
  name;
  regShift;
  size = 4096;
  onByte;
  regs = /* @__PURE__ */ new Map();
  index(offset) {
    return offset >> this.regShift;
  }
  dlab() {
    return ((this.regs.get(LCR) ?? 0) & LCR_DLAB) !== 0;
  }
  read(offset) {
    const r2 = this.index(offset);
    if (r2 === LSR) return LSR_THRE | LSR_TEMT;
    if (r2 === THR && !this.dlab()) return 0;
    return this.regs.get(r2) ?? 0;
  }
  write(offset, _width, value) {
    const r2 = this.index(offset);
    if (r2 === THR && !this.dlab()) {
      this.onByte?.(Number(value & 0xffn));
      return;
    }
    this.regs.set(r2, Number(value & 0xffn));
  }
};

// emulator/arm64/disassembler.ts
import { createRequire } from "node:module";
var engine;
async function loadDisassembler() {
  if (engine) return;
  const require2 = createRequire(import.meta.url);
  const init = require2("@alexaltea/capstone-js");
  const cs = await init();
  engine = new cs.Capstone(cs.ARCH_ARM64, cs.MODE_ARM);
}
function disassemble(word, address) {
  const hex6 = `.inst 0x${(word >>> 0).toString(16).padStart(8, "0")}`;
  if (!engine) return hex6;
  const bytes2 = [word & 255, word >>> 8 & 255, word >>> 16 & 255, word >>> 24 & 255];
  const [insn] = engine.disasm(bytes2, Number(address & 0xffffffffffffn));
  if (!insn) return `${hex6} (undefined)`;
  let ops = insn.op_str;
  if (address >> 47n) ops = ops.replace(/#0x([0-9a-f]{12})\b/g, (m, h) => parseInt(h[0], 16) >= 8 ? `#0xffff${h}` : m);
  return ops ? `${insn.mnemonic} ${ops}` : insn.mnemonic;
}

// emulator/machine.ts
var LOW_VA_END = 2 ** 39;
var CLOCK_MHZ = 1500;
var shadowHost;
function sharedShadowHost() {
  shadowHost ??= hostAlloc(SHADOW_HOST_SIZE, false);
  return shadowHost.ptr;
}
function lowGaps(taken) {
  const sorted = [...taken].sort((a, b) => a.base - b.base);
  const gaps = [];
  let at = 0;
  for (const r2 of sorted) {
    if (r2.base > at) gaps.push({ base: at, size: r2.base - at });
    at = Math.max(at, r2.base + r2.size);
  }
  if (at < LOW_VA_END) gaps.push({ base: at, size: LOW_VA_END - at });
  return gaps;
}
var MachineError = class extends Error {
  name = "MachineError";
};
var Machine = class _Machine {
  board;
  ramBytes;
  dram;
  ram;
  cores;
  console;
  sliceInsns;
  onTrap = (trap, m) => {
    m.halt(m.describeTrap(trap), false, trap);
    return "stop";
  };
  /** The kernel's side of scheduling, once it runs (see MachineOs). */
  os;
  /**
   * Offered each svc inside the trap hook, before the core stops: return
   * x0's new value if it was answered on the spot, undefined to trap (see
   * CoreHooks.onFastSvc). It must not run the scheduler or touch other
   * cores.
   */
  onFastSvc;
  /**
   * Offered each data abort inside the trap hook (see
   * CoreHooks.onFastFault): true if a page was mapped and the core retries
   * the access in its slice. The same rules as onFastSvc.
   */
  onFastFault;
  /** System registers a guest driver emulates (the generic timer; see SysregModel). */
  sysregs;
  /** Set once the machine has halted. */
  status;
  /** Scheduler rounds so far. */
  rounds = 0;
  /** Virtual time since power-on, in instructions at CLOCK_MHZ (see the header). */
  ticks = 0;
  /** CNTFRQ_EL0 of the board's generic timer. */
  timerHz;
  host;
  disposed = false;
  consoleListeners = [];
  constructor(opts) {
    this.board = typeof opts.board === "string" ? findBoard(opts.board) : opts.board ?? findBoard("uconsole-cm4");
    this.ramBytes = opts.ram ?? this.board.defaultRam;
    if (!this.board.ramSizes.includes(this.ramBytes))
      throw new BoardError(`${this.board.name} has no ${formatRamSize(this.ramBytes)} option (offered: ${this.board.ramSizes.map(formatRamSize).join(", ")})`);
    this.sliceInsns = opts.sliceInsns ?? 1e5;
    this.dram = this.board.dram(this.ramBytes);
    const end = Math.max(...this.dram.map((r2) => r2.base + r2.size));
    this.host = hostAlloc(end, true, true);
    this.ram = new GuestRam(this.host.buffers.map((buffer, k) => ({ base: k * BANK_SIZE, buffer })));
    const b = this.board;
    this.console = b.console.kind === "pl011" ? new Pl011(b.console.dtName) : new Ns16550(b.console.dtName, b.console.regShift);
    this.console.onByte = (byte) => this.consoleListeners.forEach((l) => l(byte));
    const windows = [[b.console.base, this.console]];
    const holes = [{ base: b.console.base, size: this.console.size }, ...opts.devices ?? []];
    for (const d of b.devices) windows.push(...this.carve(d, holes));
    const taken = [...this.dram, ...b.devices, { base: b.console.base, size: this.console.size }];
    this.timerHz = this.board.timerHz;
    const hooks = {
      onSev: (from) => this.sev(from),
      counter: () => this.counter(),
      timerHz: this.timerHz,
      onTlbi: (core, op) => this.onTlbi(core, op),
      onFastSvc: (call) => this.onFastSvc?.(call, this),
      onFastFault: (trap) => this.onFastFault?.(trap, this) ?? false,
      sysregModel: () => this.sysregs,
      exec: opts.exec,
      snapshot: snapshotLayout(),
      shadowHost: sharedShadowHost(),
      lowGaps: lowGaps(taken)
    };
    this.cores = [];
    try {
      for (const [i, cpu] of b.cpus.entries()) {
        const core = new Core(i, cpu, this.ram, hooks);
        this.cores.push(core);
        for (const r2 of this.dram) core.mapRam(r2.base, r2.size, this.host.ptr + BigInt(r2.base));
        for (const [base, dev] of windows) core.mapMmio(base, dev.size, dev);
        for (const d of opts.devices ?? []) core.mapMmio(d.base, d.size, d.forCore(i));
        if (opts.trace) core.installTrace(opts.trace, disassemble);
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }
  /** Build a machine; loads the disassembler used by fault reports. */
  static async create(opts = {}) {
    await loadDisassembler();
    return new _Machine(opts);
  }
  /** A device window less the emulated devices inside it (the console, opts.devices), as unimplemented pieces. */
  carve(d, holes) {
    const pieces = [];
    let at = d.base;
    const end = d.base + d.size;
    for (const h of [...holes].sort((x, y) => x.base - y.base)) {
      if (h.base + h.size <= at || h.base >= end) continue;
      if (h.base > at) pieces.push([at, h.base - at]);
      at = Math.max(at, h.base + h.size);
    }
    if (at < end) pieces.push([at, end - at]);
    return pieces.map(([base, size2]) => [base, new UnimplementedDevice(d.name, base, size2)]);
  }
  onConsole(listener) {
    this.consoleListeners.push(listener);
  }
  /* ---- code ------------------------------------------------------------- */
  /**
   * Write code into guest RAM at `pa` and make every core see it: drop the
   * translated blocks for it (at `va` too, if the code also runs there) and
   * watch its WFE/WFI/SEV instructions.
   */
  loadCode(pa, bytes2, va) {
    this.ram.write(pa, bytes2);
    this.codeChanged(pa, bytes2.length, va);
  }
  /** Code at `pa` (and `va`) was changed in place. */
  codeChanged(pa, len, va) {
    const sites = this.eventSites(pa, len);
    for (const core of this.cores) {
      core.physCodeChanged(pa, len);
      core.addEventSites(sites.map((off) => BigInt(pa + off)));
      if (va !== void 0) core.addEventSites(sites.map((off) => va + BigInt(off)));
    }
  }
  /** Offsets of the WFE, WFI, SEV and SEVL instructions in [pa, pa+len). */
  eventSites(pa, len) {
    const sites = [];
    for (let off = 0; off + 4 <= len; off += 4) {
      const w = this.ram.u32(pa + off);
      if (w === A64.WFE || w === A64.WFI || w === A64.SEV || w === A64.SEVL) sites.push(off);
    }
    return sites;
  }
  /* ---- cores ------------------------------------------------------------ */
  /** Start (or redirect) a core at `pc`. */
  start(cpu, pc) {
    const core = this.core(cpu);
    core.pc = pc;
    core.state = "running";
  }
  core(cpu) {
    const c = this.cores[cpu];
    if (!c) throw new MachineError(`no cpu${cpu} on ${this.board.name} (it has ${this.cores.length})`);
    return c;
  }
  /** Send an event to every core (SEV). */
  sev(_from) {
    for (const c of this.cores) {
      c.event = true;
      if (c.state === "wfe") c.state = "running";
    }
  }
  /** Wake a core parked in WFI or WFE. */
  wake(cpu) {
    const c = this.core(cpu);
    if (c.state === "wfi" || c.state === "wfe") c.state = "running";
  }
  halt(message = "halted", ok = true, trap) {
    this.status ??= trap ? { ok, message, trap } : { ok, message };
  }
  get halted() {
    return this.status !== void 0;
  }
  /* ---- virtual time and the TLBs ---------------------------------------- */
  /** Virtual time since power-on, in nanoseconds. */
  get clockNs() {
    return Math.floor(this.ticks * 1e3 / CLOCK_MHZ);
  }
  /** Virtual time since power-on, in microseconds. */
  get uptimeUsec() {
    return this.ticks / CLOCK_MHZ;
  }
  /** The generic timer's count: CNTVCT_EL0 and CNTPCT_EL0 on every core. */
  counter() {
    return BigInt(this.ticks) * BigInt(this.timerHz) / BigInt(CLOCK_MHZ * 1e6);
  }
  /** Skip an idle machine's clock forward to `ns` (never back). */
  skipTo(ns) {
    this.ticks = Math.max(this.ticks, Math.ceil(ns * CLOCK_MHZ / 1e3));
  }
  /**
   * A core executes tlbi. Its own engine does the invalidation; a broadcast
   * (Inner Shareable) form must also reach the other cores, each a separate
   * engine with its own TLB. They get a whole flush: a superset of any
   * tlbi, which the architecture allows an implementation to do.
   */
  onTlbi(from, op) {
    if (!tlbiBroadcasts(op)) return;
    for (const c of this.cores) if (c !== from) c.flushTlb();
  }
  /** Every core runs with its MMU on from now on: the shadow regions of the low half are mapped on all of them (Core.mapAllShadows). */
  mapAllShadows() {
    for (const c of this.cores) c.mapAllShadows();
  }
  /** What a broadcast tlbi does, for page-table changes made outside the cores: every core's TLB flushed. */
  flushTlbAll() {
    for (const c of this.cores) c.flushTlb();
  }
  /* ---- scheduler -------------------------------------------------------- */
  wakeWatchers() {
    for (const c of this.cores) {
      if (c.state === "wfe" && c.wfeWatch && this.ram.u64(c.wfeWatch.pa) !== c.wfeWatch.value) c.state = "running";
    }
  }
  run(opts = {}) {
    if (this.disposed) throw new MachineError("the machine was disposed");
    if (this.running) throw new MachineError("Machine.run re-entered (from a trap or a turn): only the top level may run the machine");
    this.running = true;
    try {
      return this.loop(opts);
    } finally {
      this.running = false;
    }
  }
  running = false;
  loop(opts) {
    for (let round = 0; ; round++) {
      if (this.halted) return "halted";
      if (opts.until?.()) return "until";
      if (opts.maxRounds !== void 0 && round >= opts.maxRounds) return "limit";
      this.wakeWatchers();
      this.os?.runTimers(this.clockNs);
      let roundInsns = 0;
      let ran = false;
      for (const core of this.cores) {
        if (this.os?.turn(core)) {
          roundInsns = Math.max(roundInsns, this.sliceInsns);
        } else if (core.state === "running") {
          const end = core.runSlice(this.sliceInsns);
          roundInsns = Math.max(roundInsns, end.insns || this.sliceInsns);
          if (end.kind === "trap") this.afterTrap(end.trap);
        } else {
          continue;
        }
        ran = true;
        if (this.halted || opts.until?.()) {
          this.ticks += roundInsns;
          return this.halted ? "halted" : "until";
        }
      }
      if (ran) {
        this.rounds++;
        this.ticks += roundInsns;
        continue;
      }
      const next = this.os?.nextTimerNs();
      if (next === void 0) return "idle";
      this.skipTo(next);
    }
  }
  afterTrap(trap) {
    const core = this.core(trap.core);
    const next = this.onTrap(trap, this);
    if (this.halted) return;
    if (next !== "stop") this.start(core.index, next.resume);
  }
  /* ---- reports ---------------------------------------------------------- */
  /** One line: core, kind, PC, disassembled instruction, address, syndrome. */
  describeTrap(t2) {
    const core = this.core(t2.core);
    const insnPc = t2.kind === "svc" || t2.kind === "hvc" ? t2.pc - 4n : t2.pc;
    const word = core.fetchWord(insnPc);
    const insn = word === void 0 ? "not in RAM" : disassemble(word, insnPc);
    const hex6 = (v) => `0x${v.toString(16).padStart(16, "0")}`;
    const where = `cpu${t2.core} EL${t2.el} ${t2.inBlock ? "in the block at " : ""}PC ${hex6(insnPc)} (${insn})`;
    switch (t2.kind) {
      case "data-abort":
      case "insn-abort":
        return `guest fault: ${t2.kind.replace("-", " ")} at ${where}: address ${hex6(t2.far)}, ESR 0x${t2.esr.toString(16)} (${describeAbort(t2.esr)})`;
      case "unmapped":
        return `guest fault: ${t2.detail ?? "unmapped access"} at ${where}: address ${hex6(t2.far)}`;
      case "device":
        return `guest fault: ${t2.detail} at ${where}`;
      case "undef":
        return `guest fault: undefined instruction at ${where}: address ${hex6(insnPc)}`;
      default:
        return `guest ${t2.kind} #${t2.imm} not handled at ${where}`;
    }
  }
  /**
   * Close every engine and give the RAM back. A typed view of guest memory
   * kept past this reads zeros (never unmapped memory); running the machine
   * again is an error.
   */
  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    this.status ??= { ok: true, message: "machine disposed" };
    for (const c of this.cores) c.dispose();
    this.host.free();
  }
};

// firmware/boot.ts
import { existsSync as existsSync4, readFileSync as readFileSync3, statSync } from "node:fs";
import { join as join4 } from "node:path";

// lib/fdt/errors.ts
var FdtError = class extends Error {
  name = "FdtError";
};
function malformed(what) {
  return new FdtError(`malformed DTB: ${what}`);
}
function hex(value) {
  return `0x${value.toString(16)}`;
}
function hex32(value) {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

// lib/fdt/format.ts
var FDT_MAGIC = 3490578157;
var FDT_BEGIN_NODE = 1;
var FDT_END_NODE = 2;
var FDT_PROP = 3;
var FDT_NOP = 4;
var FDT_END = 9;
var FDT_VERSION = 17;
var FDT_LAST_COMP_VERSION = 16;
var FDT_FIRST_READABLE_VERSION = 16;
var FDT_V16_HEADER_SIZE = 36;
var FDT_V17_HEADER_SIZE = 40;
var FDT_RESERVE_ENTRY_SIZE = 16;
var HDR = {
  magic: 0,
  totalsize: 4,
  offDtStruct: 8,
  offDtStrings: 12,
  offMemRsvmap: 16,
  version: 20,
  lastCompVersion: 24,
  bootCpuidPhys: 28,
  sizeDtStrings: 32,
  sizeDtStruct: 36
};
function alignUp(n, align) {
  return Math.ceil(n / align) * align;
}

// lib/fdt/values.ts
var DEFAULT_ADDRESS_CELLS = 2;
var DEFAULT_SIZE_CELLS = 1;
var CELL = 4;
var TWO_POW_32 = 2 ** 32;
function checkU32(value, what) {
  if (!Number.isInteger(value) || value < 0 || value > 4294967295)
    throw new FdtError(`${what}: ${value} does not fit a 32-bit cell`);
}
function encodeU32(value, what = "cell") {
  return encodeCells([value], what);
}
function encodeCells(values, what = "cell") {
  const out = new Uint8Array(values.length * CELL);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    checkU32(v, what);
    dv.setUint32(i * CELL, v);
  });
  return out;
}
function encodeU64(value, what = "u64 value") {
  const v = BigInt(value);
  if (v < 0n || v > 0xffffffffffffffffn) throw new FdtError(`${what}: ${value} does not fit 64 bits`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v);
  return out;
}
var utf8 = new TextEncoder();
var utf8Strict = new TextDecoder("utf-8", { fatal: true });
function encodeString(s, what = "string") {
  if (s.includes("\0")) throw new FdtError(`${what}: a devicetree string cannot contain NUL`);
  const text = utf8.encode(s);
  const out = new Uint8Array(text.length + 1);
  out.set(text);
  return out;
}
function encodeStringList(list, what = "string list") {
  const parts = list.map((s) => encodeString(s, what));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
function checkWholeCells(value, what) {
  if (value.length % CELL !== 0)
    throw new FdtError(`${what}: ${value.length} bytes is not a whole number of 32-bit cells`);
}
function decodeCells(value, what = "property value") {
  checkWholeCells(value, what);
  const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const cells = [];
  for (let at = 0; at < value.length; at += CELL) cells.push(dv.getUint32(at));
  return cells;
}
function decodeU32(value, what = "property value") {
  if (value.length !== CELL) throw new FdtError(`${what}: expected one 32-bit cell (4 bytes), got ${value.length} bytes`);
  return new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(0);
}
function decodeU64(value, what = "property value") {
  if (value.length !== 8) throw new FdtError(`${what}: expected a 64-bit value (8 bytes), got ${value.length} bytes`);
  return new DataView(value.buffer, value.byteOffset, value.byteLength).getBigUint64(0);
}
function decodeUtf8(bytes2, what) {
  try {
    return utf8Strict.decode(bytes2);
  } catch {
    throw new FdtError(`${what}: string is not valid UTF-8`);
  }
}
function decodeStringList(value, what = "property value") {
  if (value.length === 0) return [];
  if (value[value.length - 1] !== 0) throw new FdtError(`${what}: string is not NUL-terminated`);
  const out = [];
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== 0) continue;
    out.push(decodeUtf8(value.subarray(start, i), what));
    start = i + 1;
  }
  return out;
}
function decodeString(value, what = "property value") {
  if (value.length === 0) throw new FdtError(`${what}: empty value where a string was expected`);
  const first = decodeStringList(value, what)[0];
  return first ?? "";
}
function cellsToNumber(cells, what = "value") {
  if (cells.length > 2) throw new FdtError(`${what}: ${cells.length} cells do not fit a number (at most 2 supported)`);
  let v = 0;
  for (const c of cells) v = v * TWO_POW_32 + c;
  if (!Number.isSafeInteger(v)) {
    const exact = cells.reduce((acc, c) => acc << 32n | BigInt(c), 0n);
    throw new FdtError(`${what}: ${hex(exact)} exceeds 2^53`);
  }
  return v;
}
function numberToCells(value, count, what = "value") {
  if (!Number.isSafeInteger(value) || value < 0) throw new FdtError(`${what}: ${value} is not a non-negative integer`);
  if (count < 0 || count > 2) throw new FdtError(`${what}: ${count} cells are not supported (0, 1 or 2)`);
  const cells = [];
  let rest = value;
  for (let i = 0; i < count; i++) {
    cells.unshift(rest % TWO_POW_32);
    rest = Math.floor(rest / TWO_POW_32);
  }
  if (rest !== 0) throw new FdtError(`${what}: ${hex(value)} does not fit ${count} cell(s)`);
  return cells;
}
function checkCellCounts(addressCells, sizeCells, what) {
  if (!Number.isInteger(addressCells) || addressCells < 0 || addressCells > 2)
    throw new FdtError(`${what}: #address-cells = ${addressCells} is not supported (0, 1 or 2)`);
  if (!Number.isInteger(sizeCells) || sizeCells < 0 || sizeCells > 2)
    throw new FdtError(`${what}: #size-cells = ${sizeCells} is not supported (0, 1 or 2)`);
}
function decodeReg(value, addressCells, sizeCells, what = "reg") {
  checkCellCounts(addressCells, sizeCells, what);
  const cells = decodeCells(value, what);
  const per = addressCells + sizeCells;
  if (per === 0) {
    if (cells.length !== 0) throw new FdtError(`${what}: has cells but #address-cells and #size-cells are both 0`);
    return [];
  }
  if (cells.length % per !== 0)
    throw new FdtError(`${what}: ${cells.length} cells is not a multiple of ${per} (#address-cells ${addressCells} + #size-cells ${sizeCells})`);
  const out = [];
  for (let i = 0; i < cells.length; i += per) {
    out.push({
      address: cellsToNumber(cells.slice(i, i + addressCells), `${what} address`),
      size: cellsToNumber(cells.slice(i + addressCells, i + per), `${what} size`)
    });
  }
  return out;
}
function encodeReg(entries, addressCells, sizeCells, what = "reg") {
  checkCellCounts(addressCells, sizeCells, what);
  const cells = [];
  for (const e of entries) {
    cells.push(...numberToCells(e.address, addressCells, `${what} address`));
    cells.push(...numberToCells(e.size, sizeCells, `${what} size`));
  }
  return encodeCells(cells, what);
}

// lib/fdt/tree.ts
function createNode(name, props) {
  return { name, props: new Map(props), children: [] };
}
function createTree() {
  return { root: createNode(""), memReserve: [], bootCpuidPhys: 0 };
}
function nodeBaseName(name) {
  const at = name.indexOf("@");
  return at < 0 ? name : name.slice(0, at);
}
function getProp(node, name) {
  return node.props.get(name);
}
function checkPropName(name) {
  if (name.length === 0) throw new FdtError("property name is empty");
  if (name.includes("\0")) throw new FdtError(`property name ${JSON.stringify(name)} contains NUL`);
}
function setProp(node, name, value) {
  checkPropName(name);
  node.props.set(name, value);
}
function checkNodeName(name) {
  if (name.length === 0) throw new FdtError("node name is empty");
  if (name.includes("/") || name.includes("\0"))
    throw new FdtError(`node name ${JSON.stringify(name)} contains "/" or NUL`);
}
function addNode(parent, name, props) {
  checkNodeName(name);
  if (parent.children.some((c) => c.name === name))
    throw new FdtError(`node ${JSON.stringify(parent.name || "/")} already has a child named ${JSON.stringify(name)}`);
  const child = createNode(name, props);
  for (const [k] of child.props) checkPropName(k);
  parent.children.push(child);
  return child;
}
function findChild(parent, name, where = "") {
  const exact = parent.children.find((c) => c.name === name);
  if (exact || name.includes("@")) return exact;
  const byBase = parent.children.filter((c) => nodeBaseName(c.name) === name);
  if (byBase.length > 1)
    throw new FdtError(`path ${where || name} is ambiguous: ${name} matches ${byBase.map((c) => c.name).join(", ")}`);
  return byBase[0];
}
function rootOf(t2) {
  return "root" in t2 ? t2.root : t2;
}
function splitPath(path) {
  return path.split("/").filter((c) => c.length > 0);
}
function resolveAlias(root, alias) {
  const aliases = findChild(root, "aliases");
  const value = aliases?.props.get(alias);
  if (!value) return void 0;
  const target2 = decodeString(value, `alias "${alias}"`);
  if (!target2.startsWith("/")) throw new FdtError(`alias "${alias}" is ${JSON.stringify(target2)}, not an absolute path`);
  return target2;
}
function absolutePath(root, path) {
  if (path.startsWith("/")) return path;
  const slash = path.indexOf("/");
  const alias = slash < 0 ? path : path.slice(0, slash);
  const target2 = resolveAlias(root, alias);
  if (target2 === void 0) return void 0;
  return slash < 0 ? target2 : `${target2}/${path.slice(slash + 1)}`;
}
function lookupNode(tree, path) {
  const root = rootOf(tree);
  const abs = absolutePath(root, path);
  if (abs === void 0) return void 0;
  let node = root;
  let parent;
  let walked = "";
  for (const part of splitPath(abs)) {
    const child = findChild(node, part, `${walked}/${part}`);
    if (!child) return void 0;
    parent = node;
    node = child;
    walked = `${walked}/${child.name}`;
  }
  return { path: walked || "/", node, parent };
}
function findNode(tree, path) {
  return lookupNode(tree, path)?.node;
}
function ensureNode(tree, path) {
  if (!path.startsWith("/")) throw new FdtError(`ensureNode needs an absolute path, got ${JSON.stringify(path)}`);
  let node = rootOf(tree);
  for (const part of splitPath(path)) node = findChild(node, part, path) ?? addNode(node, part);
  return node;
}
function* walkNodes(tree) {
  const root = rootOf(tree);
  const stack = [{ path: "/", node: root, parent: void 0 }];
  while (stack.length > 0) {
    const entry = stack.pop();
    yield entry;
    const prefix = entry.path === "/" ? "" : entry.path;
    for (let i = entry.node.children.length - 1; i >= 0; i--) {
      const child = entry.node.children[i];
      stack.push({ path: `${prefix}/${child.name}`, node: child, parent: entry.node });
    }
  }
}
function addressCellsOf(node) {
  const v = node.props.get("#address-cells");
  return v ? decodeU32(v, "#address-cells") : DEFAULT_ADDRESS_CELLS;
}
function sizeCellsOf(node) {
  const v = node.props.get("#size-cells");
  return v ? decodeU32(v, "#size-cells") : DEFAULT_SIZE_CELLS;
}

// lib/fdt/bytes.ts
var ByteWriter = class {
  buf = new Uint8Array(1024);
  dv = new DataView(this.buf.buffer);
  length = 0;
  reserve(extra) {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let size2 = this.buf.length * 2;
    while (size2 < need) size2 *= 2;
    const bigger = new Uint8Array(size2);
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
    this.dv = new DataView(bigger.buffer);
  }
  u32(value) {
    this.reserve(4);
    this.dv.setUint32(this.length, value);
    this.length += 4;
  }
  /** A u64 from a number below 2^53, as two cells. */
  u64(value) {
    this.u32(Math.floor(value / 2 ** 32));
    this.u32(value % 2 ** 32);
  }
  bytes(data) {
    this.reserve(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
  }
  /** Zero bytes up to the next multiple of `align`. */
  pad(align) {
    const target2 = Math.ceil(this.length / align) * align;
    this.reserve(target2 - this.length);
    this.buf.fill(0, this.length, target2);
    this.length = target2;
  }
  /** A copy of what was written. */
  finish() {
    return this.buf.slice(0, this.length);
  }
};
function latin1Z(s, what) {
  const out = new Uint8Array(s.length + 1);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 255) throw new FdtError(`${what} ${JSON.stringify(s)} has a character that cannot be stored (NUL or above U+00FF)`);
    out[i] = c;
  }
  return out;
}
function latin1(bytes2, start, end) {
  let s = "";
  for (let i = start; i < end; i += 4096)
    s += String.fromCharCode(...bytes2.subarray(i, Math.min(end, i + 4096)));
  return s;
}
function findNul(bytes2, start, end) {
  const i = bytes2.subarray(start, end).indexOf(0);
  return i < 0 ? -1 : start + i;
}

// lib/fdt/write.ts
var StringTable = class {
  at = /* @__PURE__ */ new Map();
  out = new ByteWriter();
  offsetOf(name) {
    const known = this.at.get(name);
    if (known !== void 0) return known;
    const start = this.out.length;
    this.out.bytes(latin1Z(name, "property name"));
    for (let i = 0; i <= name.length; i++) {
      const tail = name.slice(i);
      if (!this.at.has(tail)) this.at.set(tail, start + i);
    }
    return start;
  }
  finish() {
    return this.out.finish();
  }
};
function checkU64(value, what) {
  if (!Number.isSafeInteger(value) || value < 0) throw new FdtError(`${what} ${value} is not a non-negative integer below 2^53`);
}
function memReserveBlock(entries) {
  const out = new ByteWriter();
  entries.forEach((e, i) => {
    checkU64(e.address, `memory reservation ${i}: address`);
    checkU64(e.size, `memory reservation ${i}: size`);
    if (e.size === 0)
      throw new FdtError(`memory reservation ${i} at ${hex(e.address)} has size 0, which would end the list early`);
    out.u64(e.address);
    out.u64(e.size);
  });
  out.u64(0);
  out.u64(0);
  return out.finish();
}
function beginNode(out, node, strings) {
  out.u32(FDT_BEGIN_NODE);
  out.bytes(latin1Z(node.name, "node name"));
  out.pad(4);
  for (const [name, value] of node.props) {
    out.u32(FDT_PROP);
    out.u32(value.length);
    out.u32(strings.offsetOf(name));
    out.bytes(value);
    out.pad(4);
  }
}
function structureBlock(root, strings) {
  const out = new ByteWriter();
  const stack = [{ node: root, next: 0 }];
  beginNode(out, root, strings);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const child = top.node.children[top.next++];
    if (child) {
      beginNode(out, child, strings);
      stack.push({ node: child, next: 0 });
    } else {
      out.u32(FDT_END_NODE);
      stack.pop();
    }
  }
  out.u32(FDT_END);
  return out.finish();
}
function header(fields) {
  const out = new ByteWriter();
  for (const v of [
    FDT_MAGIC,
    fields.totalsize,
    fields.offDtStruct,
    fields.offDtStrings,
    fields.offMemRsvmap,
    FDT_VERSION,
    FDT_LAST_COMP_VERSION,
    fields.bootCpuidPhys,
    fields.sizeDtStrings,
    fields.sizeDtStruct
  ])
    out.u32(v);
  return out.finish();
}
function writeFdt(tree) {
  const boot = tree.bootCpuidPhys;
  if (!Number.isInteger(boot) || boot < 0 || boot > 4294967295)
    throw new FdtError(`boot_cpuid_phys ${boot} does not fit 32 bits`);
  const rsv = memReserveBlock(tree.memReserve);
  const strings = new StringTable();
  const struct = structureBlock(tree.root, strings);
  const str = strings.finish();
  const offMemRsvmap = FDT_V17_HEADER_SIZE;
  const offDtStruct = offMemRsvmap + rsv.length;
  const offDtStrings = offDtStruct + struct.length;
  const totalsize = offDtStrings + str.length;
  if (totalsize > 4294967295) throw new FdtError(`device tree of ${totalsize} bytes is too large for a DTB`);
  const blob = new Uint8Array(totalsize);
  blob.set(
    header({
      totalsize,
      offDtStruct,
      offDtStrings,
      offMemRsvmap,
      bootCpuidPhys: boot,
      sizeDtStrings: str.length,
      sizeDtStruct: struct.length
    }),
    0
  );
  blob.set(rsv, offMemRsvmap);
  blob.set(struct, offDtStruct);
  blob.set(str, offDtStrings);
  return blob;
}

// lib/fdt/parse.ts
function viewOf(bytes2) {
  return new DataView(bytes2.buffer, bytes2.byteOffset, bytes2.byteLength);
}
function tooShort(length, need) {
  return malformed(`buffer of ${length} bytes is too short for a DTB header (${need} bytes)`);
}
function checkMagic(dv) {
  if (dv.byteLength < 4) throw tooShort(dv.byteLength, FDT_V16_HEADER_SIZE);
  const magic = dv.getUint32(HDR.magic);
  if (magic !== FDT_MAGIC)
    throw malformed(`bad magic ${hex32(magic)} (expected ${hex32(FDT_MAGIC)})`);
}
function checkVersions(version, lastComp) {
  if (version < FDT_FIRST_READABLE_VERSION)
    throw malformed(`version ${version} is too old (this reader needs version ${FDT_FIRST_READABLE_VERSION} or later)`);
  if (lastComp > FDT_VERSION)
    throw malformed(`last_comp_version ${lastComp} is newer than this reader (version ${FDT_VERSION})`);
}
function checkBlockStart(label, offset, align, h) {
  if (offset < h.headerSize) throw malformed(`${label} offset ${hex(offset)} lies inside the ${h.headerSize}-byte header`);
  if (offset > h.totalsize) throw malformed(`${label} offset ${hex(offset)} is past totalsize ${hex(h.totalsize)}`);
  if (offset % align !== 0) throw malformed(`${label} offset ${hex(offset)} is not ${align}-byte aligned`);
}
function checkBlockEnd(label, offset, size2, h) {
  if (offset + size2 > h.totalsize)
    throw malformed(`${label} [${hex(offset)}, ${hex(offset + size2)}) runs past totalsize ${hex(h.totalsize)}`);
}
function readFdtHeader(bytes2) {
  const dv = viewOf(bytes2);
  checkMagic(dv);
  if (dv.byteLength < FDT_V16_HEADER_SIZE) throw tooShort(dv.byteLength, FDT_V16_HEADER_SIZE);
  const version = dv.getUint32(HDR.version);
  const lastCompVersion = dv.getUint32(HDR.lastCompVersion);
  checkVersions(version, lastCompVersion);
  const headerSize = version >= 17 ? FDT_V17_HEADER_SIZE : FDT_V16_HEADER_SIZE;
  if (dv.byteLength < headerSize) throw tooShort(dv.byteLength, headerSize);
  const h = {
    magic: FDT_MAGIC,
    totalsize: dv.getUint32(HDR.totalsize),
    offDtStruct: dv.getUint32(HDR.offDtStruct),
    offDtStrings: dv.getUint32(HDR.offDtStrings),
    offMemRsvmap: dv.getUint32(HDR.offMemRsvmap),
    version,
    lastCompVersion,
    bootCpuidPhys: dv.getUint32(HDR.bootCpuidPhys),
    sizeDtStrings: dv.getUint32(HDR.sizeDtStrings),
    sizeDtStruct: version >= 17 ? dv.getUint32(HDR.sizeDtStruct) : void 0,
    headerSize
  };
  if (h.totalsize > dv.byteLength)
    throw malformed(`totalsize ${hex(h.totalsize)} is larger than the buffer (${hex(dv.byteLength)} bytes)`);
  if (h.totalsize < headerSize) throw malformed(`totalsize ${hex(h.totalsize)} is smaller than the ${headerSize}-byte header`);
  checkBlockStart("memory reservation block", h.offMemRsvmap, 8, h);
  checkBlockStart("structure block", h.offDtStruct, 4, h);
  checkBlockStart("strings block", h.offDtStrings, 1, h);
  if (h.sizeDtStruct !== void 0) checkBlockEnd("structure block", h.offDtStruct, h.sizeDtStruct, h);
  checkBlockEnd("strings block", h.offDtStrings, h.sizeDtStrings, h);
  return h;
}
function readU64Number(dv, at, what) {
  const v = dv.getBigUint64(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(`${what} ${hex(v)} at offset ${hex(at)} exceeds 2^53`);
  return Number(v);
}
function readMemReserve(dv, h) {
  const out = [];
  for (let at = h.offMemRsvmap; ; at += FDT_RESERVE_ENTRY_SIZE) {
    if (at + FDT_RESERVE_ENTRY_SIZE > h.totalsize)
      throw malformed(`memory reservation block runs past totalsize ${hex(h.totalsize)} without a terminating zero entry`);
    if (dv.getBigUint64(at + 8) === 0n) return out;
    out.push({
      address: readU64Number(dv, at, "memory reservation address"),
      size: readU64Number(dv, at + 8, "memory reservation size")
    });
  }
}
function stringsReader(bytes2, h) {
  const cache = /* @__PURE__ */ new Map();
  const start = h.offDtStrings;
  const end = start + h.sizeDtStrings;
  return (nameoff, at) => {
    const known = cache.get(nameoff);
    if (known !== void 0) return known;
    if (nameoff >= h.sizeDtStrings)
      throw malformed(`property at offset ${hex(at)} has name offset ${hex(nameoff)} outside the strings block (size ${hex(h.sizeDtStrings)})`);
    const nul = findNul(bytes2, start + nameoff, end);
    if (nul < 0) throw malformed(`unterminated property name at strings block offset ${hex(nameoff)}`);
    const name = latin1(bytes2, start + nameoff, nul);
    cache.set(nameoff, name);
    return name;
  };
}
var StructureReader = class {
  constructor(bytes2, dv, h, nameAt) {
    this.bytes = bytes2;
    this.dv = dv;
    this.nameAt = nameAt;
    this.pos = h.offDtStruct;
    this.end = h.sizeDtStruct !== void 0 ? h.offDtStruct + h.sizeDtStruct : h.totalsize;
  }
  bytes;
  dv;
  nameAt;
  pos;
  end;
  stack = [];
  root;
  u32() {
    if (this.pos + 4 > this.end) throw this.missingEnd();
    const v = this.dv.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  missingEnd() {
    const open = this.stack[this.stack.length - 1];
    const where = open ? ` inside node ${open.path}` : "";
    return malformed(`missing FDT_END: structure block ends at offset ${hex(this.end)}${where}`);
  }
  run() {
    for (; ; ) {
      const at = this.pos;
      const token = this.u32();
      switch (token) {
        case FDT_NOP:
          break;
        case FDT_BEGIN_NODE:
          this.beginNode(at);
          break;
        case FDT_END_NODE:
          if (!this.stack.pop()) throw malformed(`FDT_END_NODE at offset ${hex(at)} closes no node (unbalanced nodes)`);
          break;
        case FDT_PROP:
          this.property(at);
          break;
        case FDT_END:
          return this.finish(at);
        default:
          throw malformed(`bad token ${hex(token)} at offset ${hex(at)} in the structure block`);
      }
    }
  }
  beginNode(at) {
    const parent = this.stack[this.stack.length - 1];
    if (!parent && this.root) throw malformed(`second root node at offset ${hex(at)}`);
    const nul = findNul(this.bytes, this.pos, this.end);
    if (nul < 0) throw malformed(`unterminated node name at offset ${hex(this.pos)}`);
    const name = latin1(this.bytes, this.pos, nul);
    this.pos = alignUp(nul + 1, 4);
    const node = { name, props: /* @__PURE__ */ new Map(), children: [] };
    if (parent) {
      parent.node.children.push(node);
      parent.hasChild = true;
    } else {
      this.root = node;
    }
    const path = !parent ? "/" : parent.path === "/" ? `/${name}` : `${parent.path}/${name}`;
    this.stack.push({ node, path, hasChild: false });
  }
  property(at) {
    const open = this.stack[this.stack.length - 1];
    if (!open) throw malformed(`property at offset ${hex(at)} lies outside any node`);
    const len = this.u32();
    const nameoff = this.u32();
    const name = this.nameAt(nameoff, at);
    if (this.pos + len > this.end)
      throw malformed(`property "${name}" of ${open.path} (${len} bytes at offset ${hex(this.pos)}) runs past the structure block end ${hex(this.end)}`);
    if (open.hasChild) throw malformed(`property "${name}" at offset ${hex(at)} follows a child node of ${open.path} (properties must come first)`);
    if (open.node.props.has(name)) throw malformed(`duplicate property "${name}" in ${open.path} at offset ${hex(at)}`);
    open.node.props.set(name, this.bytes.slice(this.pos, this.pos + len));
    this.pos = alignUp(this.pos + len, 4);
  }
  finish(at) {
    const open = this.stack[this.stack.length - 1];
    if (open) throw malformed(`FDT_END at offset ${hex(at)} inside node ${open.path} (unbalanced nodes)`);
    if (!this.root) throw malformed(`FDT_END at offset ${hex(at)} before any node (no root node)`);
    return this.root;
  }
};
function parseFdt(bytes2) {
  const h = readFdtHeader(bytes2);
  const dv = viewOf(bytes2);
  const memReserve = readMemReserve(dv, h);
  const root = new StructureReader(bytes2, dv, h, stringsReader(bytes2, h)).run();
  return { root, memReserve, bootCpuidPhys: h.bootCpuidPhys };
}

// firmware/config/errors.ts
var ConfigTxtError = class extends Error {
  /** `line` is 1-based (undefined for a problem with the whole file); the message names the file and the line. */
  constructor(file2, line, what) {
    super(line === void 0 ? `${file2}: ${what}` : `${file2} line ${line}: ${what}`);
    this.file = file2;
    this.line = line;
  }
  file;
  line;
  name = "ConfigTxtError";
};

// firmware/config/boards.ts
var BOARDS2 = {
  pi1: { filters: ["pi1"], boardType: 1, arm64Default: 0, kernel32: "kernel.img", pl011Primary: true, dtb: "bcm2708-rpi-b-plus.dtb", ramMb: 512 },
  cm1: { filters: ["pi1", "cm1"], boardType: 6, arm64Default: 0, kernel32: "kernel.img", pl011Primary: true, dtb: "bcm2708-rpi-cm.dtb", ramMb: 512 },
  pi0: { filters: ["pi0"], boardType: 9, arm64Default: 0, kernel32: "kernel.img", pl011Primary: true, dtb: "bcm2708-rpi-zero.dtb", ramMb: 512 },
  pi0w: { filters: ["pi0", "pi0w"], boardType: 12, arm64Default: 0, kernel32: "kernel.img", pl011Primary: false, dtb: "bcm2708-rpi-zero-w.dtb", ramMb: 512 },
  pi02: { filters: ["pi0", "pi0w", "pi02"], boardType: 18, arm64Default: 0, kernel32: "kernel7.img", pl011Primary: false, dtb: "bcm2710-rpi-zero-2-w.dtb", ramMb: 512 },
  pi2: { filters: ["pi2"], boardType: 4, arm64Default: 0, kernel32: "kernel7.img", pl011Primary: true, dtb: "bcm2709-rpi-2-b.dtb", ramMb: 1024 },
  pi3: { filters: ["pi3"], boardType: 8, arm64Default: 0, kernel32: "kernel7.img", pl011Primary: false, dtb: "bcm2710-rpi-3-b.dtb", ramMb: 1024 },
  "pi3+": { filters: ["pi3", "pi3+"], boardType: 13, arm64Default: 0, kernel32: "kernel7.img", pl011Primary: false, dtb: "bcm2710-rpi-3-b-plus.dtb", ramMb: 1024 },
  cm3: { filters: ["pi3", "cm3"], boardType: 10, arm64Default: 0, kernel32: "kernel7.img", pl011Primary: true, dtb: "bcm2710-rpi-cm3.dtb", ramMb: 1024 },
  pi4: { filters: ["pi4"], boardType: 17, arm64Default: 1, kernel32: "kernel7l.img", pl011Primary: false, dtb: "bcm2711-rpi-4-b.dtb", ramMb: 4096 },
  pi400: { filters: ["pi4", "pi400"], boardType: 19, arm64Default: 1, kernel32: "kernel7l.img", pl011Primary: false, dtb: "bcm2711-rpi-400.dtb", ramMb: 4096 },
  cm4: { filters: ["pi4", "cm4"], boardType: 20, arm64Default: 1, kernel32: "kernel7l.img", pl011Primary: false, dtb: "bcm2711-rpi-cm4.dtb", ramMb: 4096 },
  cm4s: { filters: ["pi4", "cm4s"], boardType: 21, arm64Default: 1, kernel32: "kernel7l.img", pl011Primary: false, dtb: "bcm2711-rpi-cm4s.dtb", ramMb: 1024 }
};
var MODEL_FILTERS = /* @__PURE__ */ new Set([
  "pi1",
  "pi2",
  "pi3",
  "pi3+",
  "pi4",
  "pi400",
  "cm4",
  "cm4s",
  "pi0",
  "pi0w",
  "pi02",
  "pi5",
  "pi500",
  "cm5",
  "cm1",
  "cm3"
]);
function isBoardModel(name) {
  return Object.prototype.hasOwnProperty.call(BOARDS2, name);
}

// firmware/config/conditions.ts
function parseInteger(text) {
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^\d+$/.test(text)) return Number.parseInt(text, 10);
  return void 0;
}
function cond(type, value, known = true) {
  return { type, reset: false, value, known };
}
function gpioFilter(pin, level, ctx) {
  return cond("gpio", ctx.gpio?.[pin] === level);
}
function evaluateFilter(text, ctx) {
  const f = text.trim();
  const lower = f.toLowerCase();
  if (lower === "all") return { type: null, reset: true, value: true, known: true };
  if (lower === "none") return cond("none", false);
  if (lower === "tryboot") return cond("tryboot", ctx.tryboot === true);
  if (MODEL_FILTERS.has(lower)) return cond("model", BOARDS2[ctx.board].filters.includes(lower));
  if (/^hdmi:[01]$/.test(lower)) return { type: null, reset: false, value: true, known: true };
  if (lower.startsWith("board-type=")) {
    const n = parseInteger(f.slice("board-type=".length));
    return n === void 0 ? cond("unknown", false, false) : cond("board-type", n === BOARDS2[ctx.board].boardType);
  }
  if (lower.startsWith("edid=")) return cond("edid", ctx.edid?.includes(f.slice("edid=".length)) ?? false);
  const gpio = /^gpio(\d+)=([01])$/.exec(lower);
  if (gpio) return gpioFilter(Number(gpio[1]), Number(gpio[2]), ctx);
  if (/^0x[0-9a-f]{1,16}$/.test(lower)) {
    const serial = BigInt(lower) & 0xffffffffn;
    return cond("serial", ctx.serial !== void 0 && (BigInt(ctx.serial) & 0xffffffffn) === serial);
  }
  return cond("unknown", false, false);
}
var FilterState = class {
  current = /* @__PURE__ */ new Map();
  apply(filter) {
    if (filter.reset) this.current.clear();
    else if (filter.type) this.current.set(filter.type, filter.value);
  }
  /** True when settings at this point apply. */
  get active() {
    for (const v of this.current.values()) if (!v) return false;
    return true;
  }
};

// firmware/config/config-txt.ts
var CONFIG_TXT_MAX_LINE = 98;
var NUMERIC_KEYS = /* @__PURE__ */ new Set([
  "arm_64bit",
  "kernel_address",
  "kernel_old",
  "device_tree_address",
  "device_tree_end",
  "gpu_mem",
  "gpu_mem_256",
  "gpu_mem_512",
  "gpu_mem_1024",
  "total_mem",
  "arm_peri_high",
  "enable_uart",
  "uart_2ndstage",
  "disable_commandline_tags",
  "enable_gic",
  "ramfsaddr",
  "init_uart_baud",
  "init_uart_clock",
  "boot_delay",
  "boot_delay_ms"
]);
function parseConfigNumber(text) {
  const m = /^([+-]?)(?:0x([0-9a-f]+)|(\d+))$/i.exec(text.trim());
  if (!m) return void 0;
  const n = m[2] !== void 0 ? Number.parseInt(m[2], 16) : Number.parseInt(m[3] ?? "", 10);
  return m[1] === "-" ? -n : n;
}
function fail(r2, line, what) {
  throw new ConfigTxtError(r2.file, line, what);
}
function readSection(r2, text, line) {
  if (!text.endsWith("]")) fail(r2, line, `section header ${JSON.stringify(text)} has no closing ]`);
  const inner = text.slice(1, -1);
  const filter = evaluateFilter(inner, r2.ctx);
  if (!filter.known) r2.warnings.push(`${r2.file} line ${line}: unknown filter [${inner}] taken as false`);
  r2.filters.apply(filter);
}
function readInitramfs(r2, text, line) {
  const words = text.split(/\s+/);
  if (words.length !== 3) fail(r2, line, `expected "initramfs FILE ADDRESS", got ${JSON.stringify(text)}`);
  const [, files = "", addr = ""] = words;
  const n = parseConfigNumber(addr);
  if (addr !== "followkernel" && n === void 0)
    fail(r2, line, `initramfs address ${JSON.stringify(addr)} is neither a number nor followkernel`);
  if (!r2.filters.active) return;
  r2.initramfs = { files: files.split(","), address: addr === "followkernel" || n === 0 ? "followkernel" : n };
}
function readDt(r2, key, value, line) {
  const parts = value.split(",").map((p) => p.trim());
  const [head = "", ...rest] = parts;
  if (key === "dtoverlay") {
    if (head === "") {
      r2.overlayTarget = null;
      return;
    }
    r2.dt.push({ kind: "overlay", line, name: head, params: rest.filter((p) => p !== "") });
    r2.overlayTarget = head;
  } else {
    r2.dt.push({ kind: "param", line, target: r2.overlayTarget, params: parts.filter((p) => p !== "") });
  }
}
function readSetting(r2, text, line) {
  const eq = text.indexOf("=");
  if (eq < 0) fail(r2, line, `expected key=value, got ${JSON.stringify(text)}`);
  const key = text.slice(0, eq).trim();
  const value = text.slice(eq + 1).trim();
  if (key === "") fail(r2, line, `empty key in ${JSON.stringify(text)}`);
  if (NUMERIC_KEYS.has(key) && parseConfigNumber(value) === void 0)
    fail(r2, line, `${key}=${value}: expected a number (decimal or 0x hex)`);
  const active = r2.filters.active;
  r2.entries.push({ line, key, value, active });
  if (active && (key === "dtoverlay" || key === "dtparam")) readDt(r2, key, value, line);
}
function readLine(r2, raw, line) {
  let text = raw;
  if (text.length > CONFIG_TXT_MAX_LINE) {
    r2.warnings.push(`${r2.file} line ${line}: characters past the ${CONFIG_TXT_MAX_LINE}th are ignored`);
    text = text.slice(0, CONFIG_TXT_MAX_LINE);
  }
  text = text.trim();
  if (text === "" || text.startsWith("#")) return;
  if (text.startsWith("[")) return readSection(r2, text, line);
  const word = /^(\S+)\s+(.*)$/.exec(text);
  if (word && !word[1]?.includes("=")) {
    if (word[1] === "include") fail(r2, line, `include ${word[2] ?? ""} is not supported: put those settings in ${r2.file} itself`);
    if (word[1] === "initramfs") return readInitramfs(r2, text, line);
  }
  readSetting(r2, text, line);
}
function lastValues(entries) {
  const values = /* @__PURE__ */ new Map();
  for (const e of entries) if (e.active) values.set(e.key, e.value);
  return values;
}
function resolveGpuMem(num, ramMb) {
  const specific = ramMb >= 1024 ? num("gpu_mem_1024") : ramMb === 512 ? num("gpu_mem_512") : ramMb === 256 ? num("gpu_mem_256") : void 0;
  return specific ?? num("gpu_mem") ?? (ramMb >= 1024 ? 76 : 64);
}
function resolve(r2, board, ramMb) {
  const info = BOARDS2[board];
  const values = lastValues(r2.entries);
  const num = (k) => {
    const v = values.get(k);
    return v === void 0 ? void 0 : parseConfigNumber(v);
  };
  const arm64 = num("arm_64bit") ?? info.arm64Default;
  const kernelOld = num("kernel_old") ?? 0;
  const totalMem = num("total_mem");
  return {
    arm_64bit: arm64,
    kernel: values.get("kernel") ?? (arm64 !== 0 ? "kernel8.img" : info.kernel32),
    kernel_address: num("kernel_address") ?? (kernelOld !== 0 ? 0 : arm64 !== 0 ? 2097152 : 32768),
    kernel_old: kernelOld,
    device_tree: values.get("device_tree"),
    device_tree_address: num("device_tree_address"),
    device_tree_end: num("device_tree_end"),
    gpu_mem: resolveGpuMem(num, ramMb),
    total_mem: totalMem,
    arm_peri_high: num("arm_peri_high") ?? 0,
    enable_uart: num("enable_uart") ?? (info.pl011Primary ? 1 : 0),
    uart_2ndstage: num("uart_2ndstage") ?? 0,
    disable_commandline_tags: num("disable_commandline_tags") ?? 0,
    cmdline: values.get("cmdline") ?? "cmdline.txt",
    initramfs: r2.initramfs,
    overlays: r2.dt.flatMap((d) => d.kind === "overlay" ? [d.name] : []),
    dt: r2.dt,
    board,
    ramMb,
    memoryMb: totalMem === void 0 ? ramMb : Math.min(Math.max(totalMem, 128), ramMb),
    entries: r2.entries,
    values,
    warnings: r2.warnings
  };
}
function parseConfigTxt(text, options = {}) {
  const file2 = options.fileName ?? "config.txt";
  const board = options.board ?? "cm4";
  if (!isBoardModel(board)) throw new ConfigTxtError(file2, void 0, `unknown board model ${JSON.stringify(board)}`);
  const ramMb = options.ramMb ?? BOARDS2[board].ramMb;
  if (!Number.isInteger(ramMb) || ramMb <= 0) throw new ConfigTxtError(file2, void 0, `installed RAM ${ramMb} MB is not a positive integer`);
  const r2 = {
    file: file2,
    ctx: { ...options, board },
    filters: new FilterState(),
    entries: [],
    dt: [],
    overlayTarget: null,
    initramfs: void 0,
    warnings: []
  };
  text.split(/\r\n|\r|\n/).forEach((raw, i) => readLine(r2, raw, i + 1));
  return resolve(r2, board, ramMb);
}

// firmware/config/boot-config.ts
import { existsSync as existsSync3, readFileSync as readFileSync2 } from "node:fs";
import { join as join3 } from "node:path";
var DEFAULT_ARMSTUB = "armstub8.bin";
function configModelOf(boardName) {
  return /cm3/i.test(boardName) ? "cm3" : "cm4";
}
function gpuMemKeyApplies(key, ramMb) {
  if (key === "gpu_mem") return true;
  if (key === "gpu_mem_1024") return ramMb >= 1024;
  if (key === "gpu_mem_512") return ramMb === 512;
  if (key === "gpu_mem_256") return ramMb === 256;
  return false;
}
function bootConfigFrom(txt) {
  const set = (k) => txt.values.has(k);
  const gpuSet = [...txt.values.keys()].some((k) => gpuMemKeyApplies(k, txt.ramMb));
  return {
    arm64bit: txt.arm_64bit !== 0,
    kernel: txt.kernel,
    kernelAddress: set("kernel_address") || txt.kernel_old !== 0 ? txt.kernel_address : void 0,
    deviceTree: txt.device_tree,
    armstub: txt.values.get("armstub") ?? DEFAULT_ARMSTUB,
    cmdlineFile: txt.cmdline,
    gpuMemMb: gpuSet ? txt.gpu_mem : void 0,
    totalMemMb: txt.total_mem,
    enableUart: txt.enable_uart !== 0,
    armPeriHigh: txt.arm_peri_high !== 0,
    overlays: txt.overlays,
    txt
  };
}
function readBootConfig(dir2, board, ramBytes2 = board.defaultRam) {
  const path = join3(dir2, "config.txt");
  const text = existsSync3(path) ? readFileSync2(path, "utf8") : "";
  const ramMb = Math.max(1, Math.round(ramBytes2 / 2 ** 20));
  return bootConfigFrom(parseConfigTxt(text, { board: configModelOf(board.name), ramMb }));
}

// firmware/overlays.ts
var CMA_OVERLAYS = /* @__PURE__ */ new Set(["cma", "vc4-kms-v3d", "vc4-kms-v3d-pi4", "vc4-fkms-v3d", "vc4-fkms-v3d-pi4"]);
var CMA_MB = /* @__PURE__ */ new Set([512, 448, 384, 320, 256, 192, 128, 96, 64]);
var DEFAULT_MB = 256;
var SZ_4M = 4194304;
function cmaNode(tree) {
  const sym = findNode(tree, "/__symbols__");
  const label = sym && getProp(sym, "cma");
  if (label) {
    const node = findNode(tree, decodeString(label));
    if (node) return node;
  }
  return findNode(tree, "/reserved-memory/linux,cma");
}
function cmaSize(params, log, overlay) {
  let size2 = DEFAULT_MB * 2 ** 20;
  for (const p of params) {
    const m = /^cma-(\d+)$/.exec(p);
    const eq = /^cma-size=(.*)$/.exec(p);
    if (m && CMA_MB.has(Number(m[1]))) size2 = Number(m[1]) * 2 ** 20;
    else if (p === "cma-default") size2 = "default";
    else if (eq) {
      const n = /^(0x[0-9a-f]+|\d+)$/i.test(eq[1]) ? Number(eq[1]) : NaN;
      if (Number.isSafeInteger(n) && n > 0 && n % SZ_4M === 0 && n < 2 ** 32) size2 = n;
      else log(`dtoverlay ${overlay}: cma-size=${eq[1]} is not a 4 MB multiple below 4 GB (not applied)`);
    } else log(`dtoverlay ${overlay}: parameter ${p} not modelled (ignored)`);
  }
  return size2;
}
function applyOverlays(tree, dt, log) {
  const reported = /* @__PURE__ */ new Set();
  const once = (line) => {
    if (!reported.has(line)) {
      reported.add(line);
      log(line);
    }
  };
  const overlays = [];
  for (const d of dt) {
    if (d.kind === "overlay") overlays.push({ name: d.name, params: [...d.params] });
    else if (d.target !== null) overlays.filter((o) => o.name === d.target).at(-1)?.params.push(...d.params);
  }
  for (const o of overlays) {
    if (!CMA_OVERLAYS.has(o.name)) {
      once(`dtoverlay=${o.name}: overlay not modelled (ignored)`);
      continue;
    }
    const size2 = cmaSize(o.params, once, o.name);
    if (size2 === "default") continue;
    const node = cmaNode(tree);
    if (!node) {
      once(`dtoverlay ${o.name}: the device tree has no cma node (not applied)`);
      continue;
    }
    setProp(node, "size", getProp(node, "size")?.length === 8 ? encodeCells([Math.floor(size2 / 2 ** 32), size2 % 2 ** 32]) : encodeCells([size2]));
    log(`dtoverlay ${o.name}: CMA size ${size2 / 2 ** 20} MB`);
  }
}

// firmware/boot.ts
var FirmwareError = class extends Error {
  name = "FirmwareError";
};
var IMAGE_MAGIC = 1682788929;
var DTB_MAX = SZ_2M;
var STUB_MAGIC = 1526617867;
var STUB_MAGIC_OFF = 240;
var STUB_DTB_PTR = 248;
var STUB_KERNEL_ENTRY = 252;
var STUB_SIZE = 4096;
var hex2 = (n) => `0x${n.toString(16)}`;
function readBootFile(dir2, name, what) {
  const path = join4(dir2, name);
  if (!existsSync4(path)) throw new FirmwareError(`boot partition ${dir2} has no ${what} (${name})`);
  return new Uint8Array(readFileSync3(path));
}
function parseImageHeader(img, name = "kernel image") {
  if (img.length < 64) throw new FirmwareError(`${name} is too short for an arm64 Image header (${img.length} bytes)`);
  const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
  const magic = dv.getUint32(56, true);
  if (magic !== IMAGE_MAGIC) throw new FirmwareError(`${name} is not an arm64 Image (magic ${hex2(magic)}, expected ${hex2(IMAGE_MAGIC)})`);
  const flags = Number(dv.getBigUint64(24, true));
  if (flags & 1) throw new FirmwareError(`${name} is big-endian; the uConsole runs little-endian`);
  const pageSize = flags >> 1 & 3;
  if (pageSize !== 0 && pageSize !== 1) throw new FirmwareError(`${name} wants ${pageSize === 2 ? "16K" : "64K"} pages; the model has 4K`);
  return { textOffset: Number(dv.getBigUint64(8, true)), imageSize: Number(dv.getBigUint64(16, true)) || img.length };
}
function loadKernel(m, cfg, dir2, memory, log) {
  const img = readBootFile(dir2, cfg.kernel, "kernel image");
  const hdr = parseImageHeader(img, cfg.kernel);
  const base = cfg.kernelAddress ?? m.board.kernelLoadAddress;
  const pa = base - base % SZ_2M + hdr.textOffset;
  const size2 = Math.max(hdr.imageSize, img.length);
  if (!memory.some((r2) => pa >= r2.base && pa + size2 <= r2.base + r2.size))
    throw new FirmwareError(`${cfg.kernel} (${hex2(size2)} bytes at ${hex2(pa)}) does not fit in RAM`);
  m.ram.fill(pa, size2, 0);
  m.loadCode(pa, img);
  log.push(`Loaded '${cfg.kernel}' to ${hex2(pa)} size ${hex2(img.length)}`);
  return { pa, size: size2 };
}
function loadInitramfs(m, cfg, dir2, memory, kernelEnd, override, append, log) {
  const spec = cfg.txt.initramfs;
  if (!spec && override === void 0 && !append) return void 0;
  const parts = override !== void 0 ? [readHostFile(override, "initramfs")] : spec ? spec.files.map((f) => readBootFile(dir2, f, "initramfs")) : [];
  if (append) parts.push(append);
  const size2 = parts.reduce((s, p) => s + p.length, 0);
  const address = spec?.address ?? "followkernel";
  const pa = address === "followkernel" ? Math.ceil(kernelEnd / 4096) * 4096 : address;
  if (size2 === 0) throw new FirmwareError("the initramfs is empty");
  if (!memory.some((r2) => pa >= r2.base && pa + size2 <= r2.base + r2.size)) throw new FirmwareError(`initramfs (${hex2(size2)} bytes at ${hex2(pa)}) does not fit in RAM`);
  if (pa < kernelEnd) throw new FirmwareError(`initramfs address ${hex2(pa)} overlaps the kernel (which ends at ${hex2(kernelEnd)})`);
  let at = pa;
  for (const p of parts) {
    m.ram.write(at, p);
    at += p.length;
  }
  log.push(`Loaded '${[override ?? spec?.files.join(","), append ? "(appended archive)" : void 0].filter(Boolean).join(",")}' to ${hex2(pa)} size ${hex2(size2)}`);
  return { pa, size: size2 };
}
function readHostFile(path, what) {
  if (!existsSync4(path)) throw new FirmwareError(`${what} ${path} not found`);
  if (!statSync(path).isFile()) throw new FirmwareError(`${what} ${path} is not a file`);
  return new Uint8Array(readFileSync3(path));
}
function fillInitrd(tree, initrd) {
  const chosen = ensureNode(tree, "/chosen");
  const cell = (v) => v <= 4294967295 ? encodeU32(v) : encodeU64(v);
  setProp(chosen, "linux,initrd-start", cell(initrd.pa));
  setProp(chosen, "linux,initrd-end", cell(initrd.pa + initrd.size));
}
function readTree(path) {
  if (!existsSync4(path)) throw new FirmwareError(`device tree ${path} not found`);
  if (!statSync(path).isFile()) throw new FirmwareError(`device tree ${path} is not a file`);
  try {
    return parseFdt(new Uint8Array(readFileSync3(path)));
  } catch (e) {
    if (e instanceof FdtError) throw new FirmwareError(`${path}: ${e.message}`);
    throw e;
  }
}
function fillMemory(tree, memory) {
  let node = [...walkNodes(tree)].find((e) => {
    const t2 = e.node.props.get("device_type");
    return t2 !== void 0 && decodeString(t2) === "memory";
  })?.node;
  node ??= ensureNode(tree, `/memory@${memory[0].base.toString(16)}`);
  setProp(node, "device_type", encodeString("memory"));
  setProp(node, "reg", encodeReg(memory.map((r2) => ({ address: r2.base, size: r2.size })), addressCellsOf(tree.root), sizeCellsOf(tree.root)));
}
function fillCpus(m, tree, armstubPa) {
  const cpus = [...walkNodes(tree)].filter((e) => e.path.startsWith("/cpus/cpu@"));
  if (cpus.length === 0) throw new FirmwareError("device tree has no /cpus/cpu@N nodes");
  for (const { node, path } of cpus) {
    const regProp = node.props.get("reg");
    if (!regProp) throw new FirmwareError(`${path} has no reg`);
    const reg = decodeU32(regProp, `reg of ${path}`);
    const index = m.cores.findIndex((c) => (c.mpidr & 16777215) === reg);
    if (index < 0) throw new FirmwareError(`${path}: no core with MPIDR affinity ${hex2(reg)} on ${m.board.name}`);
    setProp(node, "enable-method", encodeString("spin-table"));
    setProp(node, "cpu-release-addr", encodeU64(armstubPa + m.board.spinTable[index]));
  }
}
var PI_DTB_END = 788529152;
function placeDtb(m, cfg, blob, memory, kernelEnd) {
  if (blob.length > DTB_MAX) throw new FirmwareError(`device tree is ${blob.length} bytes; the arm64 boot protocol allows 2 MiB`);
  const first = memory[0];
  const firstEnd = first.base + first.size;
  const isPi2 = m.board.defaultGpuMemMb > 0;
  let pa;
  const fixed = cfg.txt.device_tree_address;
  if (fixed !== void 0 && fixed !== 0) {
    if (fixed % 8 !== 0 || !memory.some((r2) => fixed >= r2.base && fixed + blob.length <= r2.base + r2.size))
      throw new FirmwareError(`device_tree_address=${hex2(fixed)} is not an 8-byte aligned place in RAM for ${blob.length} bytes`);
    pa = fixed;
  } else if (isPi2) pa = Math.floor((Math.min(PI_DTB_END, firstEnd) - blob.length) / 256) * 256;
  else pa = Math.floor((firstEnd - 16777216 - blob.length) / 8) * 8;
  if (pa < kernelEnd) throw new FirmwareError("no room for the device tree above the kernel");
  m.ram.write(pa, blob);
  return pa;
}
function loadArmstub(m, cfg, dir2, dtbPa, kernelPa, log) {
  const stub = readBootFile(dir2, cfg.armstub, "armstub");
  if (stub.length > STUB_SIZE) throw new FirmwareError(`${cfg.armstub} is larger than its page (${stub.length} bytes)`);
  const pa = m.board.ramBase;
  m.ram.fill(pa, STUB_SIZE, 0);
  m.ram.write(pa, stub);
  if (m.ram.u32(pa + STUB_MAGIC_OFF) !== STUB_MAGIC) throw new FirmwareError(`${cfg.armstub} has no stub magic at ${hex2(STUB_MAGIC_OFF)}`);
  m.ram.setU64(pa + STUB_MAGIC_OFF, 0n);
  m.ram.setU32(pa + STUB_DTB_PTR, dtbPa);
  m.ram.setU32(pa + STUB_KERNEL_ENTRY, kernelPa);
  m.codeChanged(pa, STUB_SIZE);
  log.push(`Loaded '${cfg.armstub}' to ${hex2(pa)} size ${hex2(stub.length)}`);
  return pa;
}
function releaseCores(m, armstubPa) {
  for (const core of m.cores) {
    core.interceptSystemInstructions(BigInt(armstubPa), BigInt(armstubPa + STUB_SIZE - 1));
    core.wfeWatch = { pa: armstubPa + m.board.spinTable[core.index], value: 0n };
    m.start(core.index, BigInt(armstubPa));
  }
}
function firmwareCmdline(m, cfg, cmdline) {
  if (m.board.defaultGpuMemMb === 0 || cfg.txt.disable_commandline_tags !== 0) return cmdline;
  const serial0 = m.board.console.kind === "pl011" ? "ttyAMA0" : "ttyS0";
  const user = cmdline.replace(/(^|\s)console=serial0(?=[,\s]|$)/g, `$1console=${serial0}`);
  const uarts = cfg.enableUart ? 1 : 0;
  const snd = m.board.soc === "BCM2711" ? " snd_bcm2835.enable_compat_alsa=0 snd_bcm2835.enable_hdmi=1" : "";
  return `coherent_pool=1M 8250.nr_uarts=${uarts}${snd} vc_mem.mem_base=0x3ec00000 vc_mem.mem_size=0x40000000  ${user}`;
}
function firmwareBoot(m, opts) {
  const log = [];
  const dir2 = opts.bootDir;
  if (!existsSync4(dir2)) throw new FirmwareError(`boot partition ${dir2} does not exist (run "npm run build")`);
  const cfg = readBootConfig(dir2, m.board, m.ramBytes);
  if (!cfg.arm64bit) throw new FirmwareError("config.txt sets arm_64bit=0; the model boots 64-bit kernels only");
  const cmdline = opts.cmdline ?? (existsSync4(join4(dir2, cfg.cmdlineFile)) ? readFileSync3(join4(dir2, cfg.cmdlineFile), "utf8").split("\n")[0].trim() : "");
  let ramBytes2 = m.ramBytes;
  if (cfg.totalMemMb !== void 0) ramBytes2 = Math.min(ramBytes2, cfg.totalMemMb * 2 ** 20);
  const gpuMemMb = m.board.defaultGpuMemMb === 0 ? 0 : cfg.gpuMemMb ?? m.board.defaultGpuMemMb;
  const memory = m.board.memoryRanges(ramBytes2, gpuMemMb);
  if (memory.some((r2) => r2.size <= 0)) throw new FirmwareError(`gpu_mem=${gpuMemMb} leaves the ARM cores no memory below 1 GiB`);
  if (cfg.deviceTree === "") throw new FirmwareError("config.txt sets an empty device_tree=: the model boots with a device tree only");
  if (cmdline.includes("\0")) throw new FirmwareError("the kernel command line contains a NUL byte");
  const kernel = loadKernel(m, cfg, dir2, memory, log);
  const initrd = loadInitramfs(m, cfg, dir2, memory, kernel.pa + kernel.size, opts.initrdPath, opts.initrdAppend, log);
  const dtbPath = opts.dtbPath ?? join4(dir2, cfg.deviceTree ?? m.board.dtbName);
  const tree = readTree(dtbPath);
  applyOverlays(tree, cfg.txt.dt, (line) => log.push(line));
  fillMemory(tree, memory);
  const bootargs = firmwareCmdline(m, cfg, cmdline);
  setProp(ensureNode(tree, "/chosen"), "bootargs", encodeString(bootargs));
  if (initrd) fillInitrd(tree, initrd);
  const armstubPa = m.board.ramBase;
  fillCpus(m, tree, armstubPa);
  if (!tree.memReserve.some((r2) => r2.address === armstubPa)) tree.memReserve.unshift({ address: armstubPa, size: STUB_SIZE });
  const blob = writeFdt(tree);
  const dtbPa = placeDtb(m, cfg, blob, memory, initrd ? initrd.pa + initrd.size : kernel.pa + kernel.size);
  log.push(`Device tree loaded to ${hex2(dtbPa)} (size ${hex2(blob.length)})`);
  loadArmstub(m, cfg, dir2, dtbPa, kernel.pa, log);
  releaseCores(m, armstubPa);
  return { config: cfg, cmdline: bootargs, memory, kernelPa: kernel.pa, kernelSize: kernel.size, dtbPa, dtbSize: blob.length, initrd, armstubPa, tree, log };
}

// images/build.ts
import { createHash as createHash2 } from "node:crypto";
import { existsSync as existsSync7, mkdirSync as mkdirSync3, readdirSync as readdirSync3, readFileSync as readFileSync6, renameSync as renameSync2, statSync as statSync2, writeFileSync as writeFileSync3 } from "node:fs";
import { join as join7 } from "node:path";

// emulator/arm64/assembler.ts
import { createRequire as createRequire2 } from "node:module";
var AsmError = class extends Error {
  name = "AsmError";
};
var engine2;
async function keystone() {
  if (engine2) return engine2;
  const require2 = createRequire2(import.meta.url);
  const init = require2("@alexaltea/keystone-js");
  const ks = await init();
  engine2 = new ks.Keystone(ks.ARCH_ARM64, ks.MODE_LITTLE_ENDIAN);
  return engine2;
}
var TOKEN = /0x[0-9a-fA-F]+|\b\d+[bf]?\b|[A-Za-z_.$][A-Za-z0-9_.$]*/g;
var isName = (tok) => /^[A-Za-z_.$]/.test(tok);
function evalExpr(expr, symbols, line = 0) {
  const js = expr.replace(TOKEN, (name) => {
    if (!isName(name)) return name;
    const v = symbols.get(name);
    if (v === void 0) throw new AsmError(`line ${line}: unknown symbol "${name}" in "${expr}"`);
    return `(${v}n)`;
  }).replace(/\b(0x[0-9a-fA-F]+|\d+)\b(?!n)/g, "$1n");
  if (!/^[\s0-9a-fA-Fxn()+\-*/<>|&~^]*$/.test(js)) throw new AsmError(`line ${line}: bad expression "${expr}"`);
  try {
    return BigInt.asUintN(64, Function(`"use strict"; return (${js});`)());
  } catch {
    throw new AsmError(`line ${line}: bad expression "${expr}"`);
  }
}
function parseString(s, line) {
  const m = /^"(.*)"$/.exec(s.trim());
  if (!m) throw new AsmError(`line ${line}: expected a quoted string`);
  return new TextEncoder().encode(m[1].replace(/\\n/g, "\n").replace(/\\0/g, "\0"));
}
function stripComment(raw) {
  return raw.replace(/\/\/.*$/, "").replace(/;.*$/, "").trim();
}
function layout2(src, base, predefined) {
  const symbols = new Map(predefined);
  const labels = [];
  const locals = [];
  const stmts = [];
  let pc = base;
  const lines = src.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    let s = stripComment(lines[i]);
    const local = /^(\d+):/.exec(s);
    if (local) {
      locals.push({ name: local[1], address: pc });
      s = s.slice(local[0].length).trim();
    }
    const label = /^([A-Za-z_.$][A-Za-z0-9_.$]*):/.exec(s);
    if (label) {
      if (symbols.has(label[1])) throw new AsmError(`line ${line}: symbol "${label[1]}" defined twice`);
      symbols.set(label[1], pc);
      labels.push(label[1]);
      s = s.slice(label[0].length).trim();
    }
    if (!s) continue;
    const [op, ...restParts] = s.split(/\s+/);
    const rest = restParts.join(" ");
    const args = rest.split(",").map((a) => a.trim()).filter(Boolean);
    const emit = (st, size2) => {
      stmts.push(st);
      pc += BigInt(size2);
    };
    switch (op) {
      case ".equ":
        symbols.set(args[0], evalExpr(args.slice(1).join(","), symbols, line));
        break;
      case ".org": {
        const target2 = base + evalExpr(rest, symbols, line);
        if (target2 < pc) throw new AsmError(`line ${line}: .org moves backwards`);
        emit({ kind: "space", size: Number(target2 - pc), line }, Number(target2 - pc));
        break;
      }
      case ".balign": {
        const n = evalExpr(rest, symbols, line);
        const pad3 = Number((n - pc % n) % n);
        emit({ kind: "space", size: pad3, line }, pad3);
        break;
      }
      case ".space":
        emit({ kind: "space", size: Number(evalExpr(rest, symbols, line)), line }, Number(evalExpr(rest, symbols, line)));
        break;
      case ".word":
      case ".quad": {
        const width = op === ".word" ? 4 : 8;
        emit({ kind: "data", width, exprs: args, line }, width * args.length);
        break;
      }
      case ".ascii":
      case ".asciz": {
        let data = parseString(rest, line);
        if (op === ".asciz") data = Uint8Array.of(...data, 0);
        emit({ kind: "bytes", data, line }, data.length);
        break;
      }
      case "mov64":
        emit({ kind: "mov64", reg: args[0], expr: args.slice(1).join(","), line }, 16);
        break;
      default:
        if (op.startsWith(".")) throw new AsmError(`line ${line}: unknown directive ${op}`);
        emit({ kind: "insn", text: s, line }, 4);
    }
  }
  return { stmts, symbols, locals, labels };
}
function substituteSymbols(text, symbols, locals, pc) {
  const [mnemonic, ...rest] = text.split(/\s+/);
  const operands = rest.join(" ").replace(TOKEN, (tok) => {
    const local = /^(\d+)([bf])$/.exec(tok);
    if (local) {
      const hit = local[2] === "b" ? locals.filter((l) => l.name === local[1] && l.address <= pc).pop() : locals.find((l) => l.name === local[1] && l.address > pc);
      if (!hit) throw new AsmError(`no local label ${tok} for "${text}"`);
      return `0x${hit.address.toString(16)}`;
    }
    const v = isName(tok) ? symbols.get(tok) : void 0;
    return v === void 0 ? tok : `0x${v.toString(16)}`;
  });
  return `${mnemonic} ${operands}`.trim();
}
async function assemble(src, base, predefined = {}) {
  const ks = await keystone();
  const pre = new Map(Object.entries(predefined).map(([k, v]) => [k, BigInt(v)]));
  const { stmts, symbols, locals, labels } = layout2(src, base, pre);
  const out = [];
  const pcOf = () => base + BigInt(out.length);
  const encode = (text, line) => {
    const r2 = ks.asm(text, Number(pcOf()));
    if (r2.failed || r2.mc.length !== 4) throw new AsmError(`line ${line}: cannot assemble "${text}"`);
    out.push(...r2.mc);
  };
  for (const st of stmts) {
    switch (st.kind) {
      case "insn": {
        const adr = /^adr\s+x(\d+|zr)\s*,\s*(.+)$/i.exec(st.text);
        if (adr) {
          const target2 = evalExpr(substituteSymbols(`x ${adr[2]}`, symbols, locals, pcOf()).slice(2), symbols, st.line);
          pushWord(out, encodeAdr(adr[1] === "zr" ? 31 : Number(adr[1]), target2 - pcOf(), st.line));
          break;
        }
        encode(substituteSymbols(st.text, symbols, locals, pcOf()), st.line);
        break;
      }
      case "mov64": {
        const v = evalExpr(st.expr, symbols, st.line);
        for (let k = 0; k < 4; k++) {
          const chunk = v >> BigInt(16 * k) & 0xffffn;
          encode(`${k === 0 ? "movz" : "movk"} ${st.reg}, #0x${chunk.toString(16)}, lsl #${16 * k}`, st.line);
        }
        break;
      }
      case "data":
        for (const e of st.exprs) {
          let v = evalExpr(e, symbols, st.line);
          for (let b = 0; b < st.width; b++, v >>= 8n) out.push(Number(v & 0xffn));
        }
        break;
      case "bytes":
        out.push(...st.data);
        break;
      case "space":
        for (let b = 0; b < st.size; b++) out.push(0);
        break;
    }
  }
  return { base, bytes: Uint8Array.from(out), symbols, labels };
}
function pushWord(out, w) {
  out.push(w & 255, w >>> 8 & 255, w >>> 16 & 255, w >>> 24 & 255);
}
function encodeAdr(rd, offset, line) {
  const off = BigInt.asIntN(64, offset);
  if (off < -(1n << 20n) || off >= 1n << 20n) throw new AsmError(`line ${line}: adr target out of range (${off} bytes)`);
  const imm = Number(BigInt.asUintN(21, off));
  return (268435456 | (imm & 3) << 29 | imm >>> 2 << 5 | rd) >>> 0;
}

// kernel-model/kernel/sched/task.ts
var Task = class {
  constructor(pid, tid, comm, cpu, kind) {
    this.pid = pid;
    this.tid = tid;
    this.comm = comm;
    this.cpu = cpu;
    this.kind = kind;
  }
  pid;
  tid;
  comm;
  cpu;
  kind;
  state = "blocked";
  /** Set when the task ended: its exit code (user: exit status; kthread: threadfn's return). */
  exitCode;
  /** What a blocked task waits for, for the "no runnable task" report. */
  waitingFor = "";
  /** Rounds this task has run since it was last switched in (for preemption). */
  ranRounds = 0;
  /** CPU time it has had, user and system, in virtual ns (sched/cputime.ts). */
  utimeNs = 0;
  stimeNs = 0;
  toString() {
    return `${this.comm}[${this.tid}]`;
  }
};
var UserTask = class extends Task {
  /** The whole CPU state while switched out (allocated on first switch). */
  context;
  /** Where it resumes. */
  resumePc = 0n;
  /** x0 to deliver when it resumes (a blocking system call's result). */
  resumeX0;
  /** The thread group (process) this thread belongs to: its address space, children, exit status. */
  proc;
  /** set_tid_address / CLONE_CHILD_CLEARTID: zeroed and futex-woken when the thread exits. */
  clear_child_tid = 0n;
  /** set_robust_list's head (kept for get_robust_list; the model has no robust futex cleanup). */
  robust_list = 0n;
  /** The blocked-signal mask (rt_sigprocmask). */
  sigmask = 0n;
  /** sigsuspend's caller's own mask, put back by the frame of the handler that ends the wait (saved_sigmask). */
  savedSigmask;
  /** Asleep in a call a handler must end with EINTR even under SA_RESTART (sigsuspend: ERESTARTNOHAND). */
  noRestart = false;
  /** Its process is stopped (job control): it does not run until SIGCONT, wherever it is now (kernel/jobctl.ts). */
  jobStop = false;
  /** Caught signals waiting for delivery (bit n-1 for signal n), with what their siginfo says. */
  pending = 0n;
  siginfo = /* @__PURE__ */ new Map();
  /** Signal frames on its stack, newest last, with the full state each interrupted (for rt_sigreturn). */
  sigframes = [];
  /** Context slots of finished frames, for reuse. */
  sigctxPool = [];
  /** Moved to another CPU since it last ran: its saved TPIDR_EL1 is the old CPU's offset. */
  migrated = false;
  /** While blocked: how to leave whatever queue it sleeps on, if it stops waiting otherwise (timeout, exit). */
  cancelWait;
  /** Its descriptor table (shared by the threads of a process). */
  files;
  /** Its root and cwd. */
  fs;
  constructor(pid, tid, comm, cpu) {
    super(pid, tid, comm, cpu, "user");
  }
};
var KthreadTask = class extends Task {
  constructor(pid, comm, cpu, body) {
    super(pid, pid, comm, cpu, "kthread");
    this.body = body;
  }
  body;
  /** The value the next step resumes the body with (a kcall's x0, a wait's outcome). */
  resumeWith = void 0;
  /** What the body asked for when it last yielded. */
  request;
  /** Set by kthread_stop. */
  shouldStop = false;
  /** A kcall of this thread is running on the core. */
  inKcall = false;
  /** Instructions of charged work not yet paid for in rounds (see Scheduler.charge). */
  debt = 0;
  /** The body threw or faulted: why (the oops line). */
  oops;
  /** Called once when the thread has ended (kthread_stop's wait, kcall's top-level wait). */
  onExit = [];
};
var STOPPED = "stopped";
var HARNESS_PID = 1;
var NR_CPUS_MAX = 8;
var FIRST_KTHREAD_PID = HARNESS_PID + 1 + NR_CPUS_MAX;

// kernel-model/arch/arm64/kernel/kcalls.ts
var KCALL = {
  /** Primary core, first thing: the PC after this hvc tells where the image runs. */
  EARLY_ENTRY: 3,
  /** Primary core: x0 = DTB PA, x1 = MPIDR, x2 = MIDR, x3 = ID_AA64PFR0, x4 = ID_AA64ISAR0, x5 = CTR_EL0. */
  START_KERNEL: 1,
  /** A secondary core entered the kernel: same registers, x0 = 0. */
  SECONDARY_START: 2,
  /** The primary core runs at KIMAGE_VADDR with the kernel's page tables; the kernel sets x19 = its CPU number. */
  PRIMARY_SWITCHED: 4,
  /** The primary core has set its per-CPU offset: the rest of start_kernel. */
  START_KERNEL_REST: 7,
  /** A secondary core runs with the kernel's page tables. */
  SECONDARY_SWITCHED: 5,
  /** A function the kernel ran on a core (kcall) returned; x0 = its result. */
  RETURN: 6
};
var BRK = {
  /** EL0 harness stub: the syscall returned, x0 holds its result. */
  HARNESS_RETURN: 256
};
var THREAD_SIZE = 16384;
function imageSymbols() {
  return {
    KCALL_EARLY_ENTRY: KCALL.EARLY_ENTRY,
    KCALL_START_KERNEL: KCALL.START_KERNEL,
    KCALL_PRIMARY_SWITCHED: KCALL.PRIMARY_SWITCHED,
    KCALL_START_KERNEL_REST: KCALL.START_KERNEL_REST,
    KCALL_SECONDARY_SWITCHED: KCALL.SECONDARY_SWITCHED,
    KCALL_RETURN: KCALL.RETURN,
    KCALL_SECONDARY_START: KCALL.SECONDARY_START,
    BRK_HARNESS_RETURN: BRK.HARNESS_RETURN,
    THREAD_SIZE,
    NR_CPUS_MAX
  };
}

// kernel-model/mm/vmstat_items.ts
var ZONE_STAT_ITEMS = [
  "nr_free_pages",
  "nr_zone_inactive_anon",
  "nr_zone_active_anon",
  "nr_zone_inactive_file",
  "nr_zone_active_file",
  "nr_zone_unevictable",
  "nr_zone_write_pending",
  "nr_mlock",
  "nr_page_table_pages",
  "nr_bounce",
  "nr_zspages",
  "nr_free_cma"
];
var NODE_STAT_ITEMS = [
  "nr_inactive_anon",
  "nr_active_anon",
  "nr_inactive_file",
  "nr_active_file",
  "nr_unevictable",
  "nr_slab_reclaimable",
  "nr_slab_unreclaimable",
  "nr_isolated_anon",
  "nr_isolated_file",
  "workingset_nodes",
  "workingset_refault_anon",
  "workingset_refault_file",
  "workingset_activate_anon",
  "workingset_activate_file",
  "workingset_restore_anon",
  "workingset_restore_file",
  "workingset_nodereclaim",
  "nr_anon_pages",
  "nr_mapped",
  "nr_file_pages",
  "nr_dirty",
  "nr_writeback",
  "nr_writeback_temp",
  "nr_shmem",
  "nr_shmem_hugepages",
  "nr_shmem_pmdmapped",
  "nr_file_hugepages",
  "nr_file_pmdmapped",
  "nr_anon_transparent_hugepages",
  "nr_vmscan_write",
  "nr_vmscan_immediate_reclaim",
  "nr_dirtied",
  "nr_written",
  "nr_kernel_misc_reclaimable",
  "nr_foll_pin_acquired",
  "nr_foll_pin_released",
  "nr_kernel_stack"
];
var forAllZones = (xx) => ["dma", "dma32", "normal", "movable"].map((z) => `${xx}_${z}`);
var VM_EVENT_ITEMS = [
  "pgpgin",
  "pgpgout",
  "pswpin",
  "pswpout",
  ...forAllZones("pgalloc"),
  ...forAllZones("allocstall"),
  ...forAllZones("pgskip"),
  "pgfree",
  "pgactivate",
  "pgdeactivate",
  "pglazyfree",
  "pgfault",
  "pgmajfault",
  "pglazyfreed",
  "pgrefill",
  "pgreuse",
  "pgsteal_kswapd",
  "pgsteal_direct",
  "pgscan_kswapd",
  "pgscan_direct",
  "pgscan_direct_throttle",
  "pgscan_anon",
  "pgscan_file",
  "pgsteal_anon",
  "pgsteal_file",
  "pginodesteal",
  "slabs_scanned",
  "kswapd_inodesteal",
  "kswapd_low_wmark_hit_quickly",
  "kswapd_high_wmark_hit_quickly",
  "pageoutrun",
  "pgrotated",
  "drop_pagecache",
  "drop_slab",
  "oom_kill",
  // CONFIG_MIGRATION
  "pgmigrate_success",
  "pgmigrate_fail",
  "thp_migration_success",
  "thp_migration_fail",
  "thp_migration_split",
  // CONFIG_COMPACTION
  "compact_migrate_scanned",
  "compact_free_scanned",
  "compact_isolated",
  "compact_stall",
  "compact_fail",
  "compact_success",
  "compact_daemon_wake",
  "compact_daemon_migrate_scanned",
  "compact_daemon_free_scanned",
  // CONFIG_HUGETLB_PAGE
  "htlb_buddy_alloc_success",
  "htlb_buddy_alloc_fail",
  "unevictable_pgs_culled",
  "unevictable_pgs_scanned",
  "unevictable_pgs_rescued",
  "unevictable_pgs_mlocked",
  "unevictable_pgs_munlocked",
  "unevictable_pgs_cleared",
  "unevictable_pgs_stranded",
  // CONFIG_TRANSPARENT_HUGEPAGE
  "thp_fault_alloc",
  "thp_fault_fallback",
  "thp_fault_fallback_charge",
  "thp_collapse_alloc",
  "thp_collapse_alloc_failed",
  "thp_file_alloc",
  "thp_file_fallback",
  "thp_file_fallback_charge",
  "thp_file_mapped",
  "thp_split_page",
  "thp_split_page_failed",
  "thp_deferred_split_page",
  "thp_split_pmd",
  "thp_zero_page_alloc",
  "thp_zero_page_alloc_failed",
  "thp_swpout",
  "thp_swpout_fallback",
  // CONFIG_MEMORY_BALLOON, CONFIG_BALLOON_COMPACTION
  "balloon_inflate",
  "balloon_deflate",
  "balloon_migrate",
  // CONFIG_SWAP
  "swap_ra",
  "swap_ra_hit"
];
var NR_VM_ZONE_STAT_ITEMS = ZONE_STAT_ITEMS.length;
var NR_VM_NODE_STAT_ITEMS = NODE_STAT_ITEMS.length;
var NR_VM_EVENT_ITEMS = VM_EVENT_ITEMS.length;
var eventIndex = (name) => {
  const i = VM_EVENT_ITEMS.indexOf(name);
  if (i < 0) throw new Error(`no vm event ${name}`);
  return i;
};
var PGALLOC_DMA = eventIndex("pgalloc_dma");
var PGFREE = eventIndex("pgfree");
var PAGEOUTRUN = eventIndex("pageoutrun");

// kernel-model/mm/percpu/static_vars.ts
var PCP_LISTS = 3;
var L1_CACHE_BYTES = 64;
var PERCPU_END_ALIGN = 8;
var alignUp2 = (x, a) => Math.ceil(x / a) * a;
var PCP_COUNT = 0;
var PCP_HIGH = 4;
var PCP_BATCH = 8;
var PCP_LISTS_OFF = 16;
var LIST_HEAD_SIZE = 16;
var PER_CPU_PAGES_SIZE = PCP_LISTS_OFF + PCP_LISTS * LIST_HEAD_SIZE;
var PCPSET_STAT_THRESHOLD = PER_CPU_PAGES_SIZE;
var PCPSET_VM_STAT_DIFF = PCPSET_STAT_THRESHOLD + 1;
var PER_CPU_PAGESET_SIZE = alignUp2(PCPSET_VM_STAT_DIFF + NR_VM_ZONE_STAT_ITEMS, 8);
var PER_CPU_PAGESET_ALIGN = 8;
var PER_CPU_NODESTAT_SIZE = 1 + NR_VM_NODE_STAT_ITEMS;
var VM_EVENT_STATE_SIZE = 8 * NR_VM_EVENT_ITEMS;
var STATIC_PERCPU_VARS = [
  { name: "cpu_number", size: 4, align: 4, section: "read_mostly", definedIn: "arch/arm64/kernel/smp.c" },
  { name: "vm_event_states", size: VM_EVENT_STATE_SIZE, align: 8, section: "data", definedIn: "mm/vmstat.c" },
  { name: "boot_pageset", size: PER_CPU_PAGESET_SIZE, align: PER_CPU_PAGESET_ALIGN, section: "data", definedIn: "mm/page_alloc.c" },
  { name: "boot_nodestats", size: PER_CPU_NODESTAT_SIZE, align: 1, section: "data", definedIn: "mm/page_alloc.c" }
];
function percpu_section_asm(vars = STATIC_PERCPU_VARS) {
  const out = [".balign 4096", "__per_cpu_start:", "// .data..percpu..read_mostly"];
  const emit = (section) => {
    for (const v of vars.filter((x) => x.section === section)) {
      out.push(`.balign ${v.align}`, `${v.name}:                 // ${v.definedIn}`, `    .space ${v.size}`);
    }
  };
  emit("read_mostly");
  out.push(`.balign ${L1_CACHE_BYTES}`, "// .data..percpu");
  emit("data");
  out.push(`.balign ${PERCPU_END_ALIGN}`, "__per_cpu_end:");
  return out.join("\n") + "\n";
}

// images/dtb.ts
var isPi = (b) => b.compatible.some((c) => c.startsWith("brcm,"));
function boardDeviceTree(b) {
  const tree = createTree();
  const root = tree.root;
  const sizeCells = isPi(b) ? 1 : 2;
  setProp(root, "model", encodeString(b.model));
  setProp(root, "compatible", encodeStringList(b.compatible));
  setProp(root, "#address-cells", encodeU32(2));
  setProp(root, "#size-cells", encodeU32(sizeCells));
  const serialPath = `/soc/${b.console.dtName}`;
  addNode(root, "aliases", [["serial0", encodeString(serialPath)]]);
  addNode(root, "chosen", [
    ["bootargs", encodeString("")],
    ["stdout-path", encodeString("serial0:115200n8")]
  ]);
  if (isPi(b)) {
    const rm = addNode(root, "reserved-memory", [
      ["#address-cells", encodeU32(2)],
      ["#size-cells", encodeU32(sizeCells)],
      ["ranges", new Uint8Array(0)]
    ]);
    const cma = [
      ["compatible", encodeString("shared-dma-pool")],
      ["size", encodeCells([67108864])],
      // 64MB
      ["reusable", new Uint8Array(0)],
      ["linux,cma-default", new Uint8Array(0)]
    ];
    if (b.soc === "BCM2711") cma.splice(2, 0, ["alloc-ranges", encodeCells([0, 0, 1073741824])]);
    addNode(rm, "linux,cma", cma);
    addNode(root, "__symbols__", [["cma", encodeString("/reserved-memory/linux,cma")]]);
  }
  const memName = `memory@${b.ramBase.toString(16)}`;
  addNode(root, memName, [
    ["device_type", encodeString("memory")],
    ["reg", encodeReg([{ address: b.ramBase, size: 0 }], 2, sizeCells)]
  ]);
  const cpus = addNode(root, "cpus", [["#address-cells", encodeU32(1)], ["#size-cells", encodeU32(0)]]);
  b.cpus.forEach((cpu) => {
    const reg = cpu.mpidr & 16777215;
    addNode(cpus, `cpu@${reg.toString(16)}`, [
      ["device_type", encodeString("cpu")],
      ["compatible", encodeString(`arm,${cpu.model}`)],
      ["reg", encodeU32(reg)]
    ]);
  });
  const soc = addNode(root, "soc", [
    ["compatible", encodeString("simple-bus")],
    ["#address-cells", encodeU32(isPi(b) ? 1 : 2)],
    ["#size-cells", encodeU32(isPi(b) ? 1 : 2)]
  ]);
  if (b.dmaRanges) {
    setProp(soc, "dma-ranges", encodeCells(b.dmaRanges.flatMap((r2) => [r2.bus, 0, r2.cpu, r2.size])));
  }
  if (b.socRanges) {
    setProp(soc, "ranges", encodeCells(b.socRanges.flatMap((r2) => [r2.bus, 0, r2.cpu, r2.size])));
  } else {
    setProp(soc, "ranges", new Uint8Array(0));
  }
  const uartAddr = b.console.busAddress ?? b.console.base;
  const uart = addNode(soc, b.console.dtName, [
    ["compatible", encodeStringList(b.console.compatible)],
    ["reg", isPi(b) ? encodeCells([uartAddr, 512]) : encodeCells([0, uartAddr, 0, 256])],
    ["status", encodeString("okay")]
  ]);
  if (b.console.regShift !== void 0) {
    setProp(uart, "reg-shift", encodeU32(b.console.regShift));
    setProp(uart, "reg-io-width", encodeU32(4));
  }
  return tree;
}

// images/initramfs.ts
import { spawnSync as spawnSync2 } from "node:child_process";
import { existsSync as existsSync6, mkdtempSync as mkdtempSync2, readdirSync as readdirSync2, readFileSync as readFileSync5, rmSync as rmSync2 } from "node:fs";
import { tmpdir } from "node:os";
import { basename as basename2, delimiter, join as join6 } from "node:path";

// lib/cpio/newc.ts
var S_IFMT = 61440;
var S_IFLNK = 40960;
var S_IFREG = 32768;
var S_IFBLK = 24576;
var S_IFDIR = 16384;
var S_IFCHR = 8192;
var S_IFIFO = 4096;
var CpioError = class extends Error {
  name = "CpioError";
};
var MAGIC = "070701";
var MAGIC_CRC = "070702";
var HEADER_SIZE = 110;
var TRAILER = "TRAILER!!!";
var FIELD_MAX = 4294967295;
var pad4 = (n) => n + 3 & ~3;
function hex8(v, what, name) {
  if (!Number.isInteger(v) || v < 0 || v > FIELD_MAX) throw new CpioError(`${name}: ${what} ${v} does not fit a newc header field (0..0xffffffff)`);
  return v.toString(16).padStart(8, "0");
}
function memberBytes(e, ino) {
  const type = e.mode & S_IFMT;
  if (e.name === "" || e.name.includes("\0")) throw new CpioError(`invalid member name ${JSON.stringify(e.name)}`);
  let data = new Uint8Array(0);
  if (type === S_IFREG) data = e.data ?? data;
  else if (type === S_IFLNK) {
    if (e.linkTarget === void 0 || e.linkTarget === "") throw new CpioError(`${e.name}: a symlink needs a target`);
    data = new TextEncoder().encode(e.linkTarget);
  } else if (e.data !== void 0 && e.data.length > 0) throw new CpioError(`${e.name}: only regular files carry data`);
  const name = new TextEncoder().encode(`${e.name}\0`);
  const f = (v, what) => hex8(v, what, e.name);
  const header2 = MAGIC + f(ino, "ino") + f(e.mode, "mode") + f(e.uid, "uid") + f(e.gid, "gid") + f(type === S_IFDIR ? 2 : 1, "nlink") + f(e.mtime, "mtime") + f(data.length, "filesize") + f(0, "devmajor") + f(0, "devminor") + f(e.rdev?.major ?? 0, "rdevmajor") + f(e.rdev?.minor ?? 0, "rdevminor") + f(name.length, "namesize") + f(0, "check");
  const head = new Uint8Array(pad4(HEADER_SIZE + name.length));
  head.set(new TextEncoder().encode(header2));
  head.set(name, HEADER_SIZE);
  const body = new Uint8Array(pad4(data.length));
  body.set(data);
  return [head, body];
}
function writeNewc(entries) {
  const parts = [];
  entries.forEach((e, i) => parts.push(...memberBytes(e, i + 1)));
  parts.push(...memberBytes({ name: TRAILER, mode: 0, uid: 0, gid: 0, mtime: 0 }, 0));
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
function parseHeader(bytes2, at) {
  if (at + HEADER_SIZE > bytes2.length) throw new CpioError(`truncated header at offset ${at}`);
  const text = new TextDecoder("latin1").decode(bytes2.subarray(at, at + HEADER_SIZE));
  const magic = text.slice(0, 6);
  if (magic !== MAGIC && magic !== MAGIC_CRC) throw new CpioError(`no cpio magic at offset ${at} (found ${JSON.stringify(magic)}; newc archives start with 070701)`);
  const field2 = (i) => {
    const s = text.slice(6 + 8 * i, 14 + 8 * i);
    if (!/^[0-9a-fA-F]{8}$/.test(s)) throw new CpioError(`bad hexadecimal field ${i} (${JSON.stringify(s)}) in the header at offset ${at}`);
    return parseInt(s, 16);
  };
  for (let i = 0; i < 13; i++) field2(i);
  return {
    magic,
    mode: field2(1),
    uid: field2(2),
    gid: field2(3),
    mtime: field2(5),
    filesize: field2(6),
    rdevmajor: field2(9),
    rdevminor: field2(10),
    namesize: field2(11),
    check: field2(12)
  };
}
function memberName(bytes2, h, at) {
  const start = at + HEADER_SIZE;
  if (h.namesize === 0) throw new CpioError(`empty name (namesize 0) in the member at offset ${at}`);
  if (start + h.namesize > bytes2.length) throw new CpioError(`truncated name in the member at offset ${at}`);
  if (bytes2[start + h.namesize - 1] !== 0) throw new CpioError(`name not NUL-terminated in the member at offset ${at}`);
  return new TextDecoder().decode(bytes2.subarray(start, start + h.namesize - 1));
}
function checksum(data) {
  let sum2 = 0;
  for (const b of data) sum2 = sum2 + b >>> 0;
  return sum2;
}
function toEntry(h, name, data, at) {
  const type = h.mode & S_IFMT;
  const e = { name, mode: h.mode, uid: h.uid, gid: h.gid, mtime: h.mtime };
  if (type === S_IFREG) e.data = data;
  else if (type === S_IFLNK) {
    if (data.length === 0) throw new CpioError(`${name}: symlink with an empty target (member at offset ${at})`);
    e.linkTarget = new TextDecoder().decode(data);
  } else if (data.length > 0) throw new CpioError(`${name}: a member of mode 0${h.mode.toString(8)} carries ${data.length} data bytes`);
  if (type === S_IFCHR || type === S_IFBLK) e.rdev = { major: h.rdevmajor, minor: h.rdevminor };
  return e;
}
function readNewc(bytes2) {
  const out = [];
  let at = 0;
  let ended = false;
  while (at < bytes2.length) {
    if (ended) {
      if (bytes2[at] === 0) {
        at++;
        continue;
      }
      if (at % 4 !== 0) throw new CpioError(`archive after the trailer at offset ${at} is not 4-byte aligned`);
      ended = false;
    }
    const start = at;
    const h = parseHeader(bytes2, at);
    const name = memberName(bytes2, h, at);
    const dataAt = pad4(at + HEADER_SIZE + h.namesize);
    if (dataAt + h.filesize > bytes2.length) throw new CpioError(`${name}: truncated data (${h.filesize} bytes at offset ${dataAt}, archive is ${bytes2.length})`);
    const data = bytes2.slice(dataAt, dataAt + h.filesize);
    if (h.magic === MAGIC_CRC && checksum(data) !== h.check) throw new CpioError(`${name}: checksum mismatch (header 0x${h.check.toString(16)}, data 0x${checksum(data).toString(16)})`);
    at = pad4(dataAt + h.filesize);
    if (name === TRAILER) {
      ended = true;
      continue;
    }
    out.push(toEntry(h, name, data, start));
  }
  if (!ended) throw new CpioError(out.length === 0 && bytes2.length === 0 ? "empty archive" : `archive ends without ${TRAILER}`);
  return out;
}

// images/busybox.ts
import { copyFileSync, existsSync as existsSync5, mkdirSync as mkdirSync2, mkdtempSync, readdirSync, readFileSync as readFileSync4, rmSync, writeFileSync as writeFileSync2 } from "node:fs";
import { join as join5 } from "node:path";
function busyboxCacheDir(root = projectRoot()) {
  return join5(root, ".cache", "busybox");
}
function cachedBusybox(root = projectRoot()) {
  const p = join5(busyboxCacheDir(root), "busybox");
  return existsSync5(p) ? p : void 0;
}
function busyboxApplets(binary) {
  const start = Buffer.from(binary.buffer, binary.byteOffset, binary.byteLength).indexOf(Buffer.from("[\0[[\0", "latin1"));
  if (start < 0) return [];
  const names = [];
  for (let at = start; at < binary.length; ) {
    let end = at;
    while (end < binary.length && binary[end] !== 0) end++;
    const name = new TextDecoder("latin1").decode(binary.subarray(at, end));
    if (name === "" || !/^[\x21-\x7e]+$/.test(name) || name.includes("/")) break;
    names.push(name);
    at = end + 1;
  }
  return names;
}

// kernel-model/fs/mem_devices.ts
var MEM_MAJOR = 1;
var MEM_DEVICES = [
  { name: "null", minor: 3 },
  { name: "zero", minor: 5 },
  { name: "random", minor: 8 },
  { name: "urandom", minor: 9 }
];
var device = (read, discards = false) => ({
  read: (_f, _pos, count) => read(count),
  write: (_f, data) => data.length,
  discards,
  // write_null (null, zero) never reads the buffer; random's write does (it mixes it in)
  seekable: true,
  // lseek succeeds and means nothing (null_lseek)
  endOf: () => 0,
  ioctl: () => BigInt(-25)
  // ENOTTY
});
var ZEROES = new Uint8Array(1 << 20);
function mem_devices(random) {
  const rnd = device((n) => random(Math.min(n, 1 << 20)));
  return /* @__PURE__ */ new Map([
    [3, device(() => new Uint8Array(0), true)],
    [5, device((n) => ZEROES.subarray(0, Math.min(n, ZEROES.length)), true)],
    [8, rnd],
    [9, rnd]
  ]);
}

// kernel-model/fs/binfmt_elf_parse.ts
var ET_REL = 1;
var ET_EXEC = 2;
var ET_DYN = 3;
var EM_AARCH64 = 183;
var PT_LOAD = 1;
var PT_INTERP = 3;
var PT_GNU_STACK = 1685382481;
var PF_X = 1;
var PF_W = 2;
var PF_R = 4;
var EHDR_SIZE = 64;
var PHDR_SIZE = 56;
var PHDRS_MAX = 65536;
var ExecFormatError = class extends Error {
  constructor(reason, message) {
    super(message);
    this.reason = reason;
  }
  reason;
  name = "ExecFormatError";
};
var big = (dv, at) => dv.getBigUint64(at, true);
function small(v, what) {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ExecFormatError("truncated", `${what} 0x${v.toString(16)} is beyond any file`);
  return Number(v);
}
function checkIdent(b) {
  if (b.length < 4 || b[0] !== 127 || b[1] !== 69 || b[2] !== 76 || b[3] !== 70) throw new ExecFormatError("not-elf", "not an ELF file (no \\x7fELF magic)");
  if (b.length < 16) throw new ExecFormatError("truncated", `ELF identification cut short (${b.length} bytes)`);
  if (b[4] === 1) throw new ExecFormatError("elf32", "a 32-bit ELF (ELFCLASS32); the model runs 64-bit AArch64 executables only");
  if (b[4] !== 2) throw new ExecFormatError("not-elf", `unknown ELF class ${b[4]}`);
  if (b[5] !== 1) throw new ExecFormatError("not-aarch64", "a big-endian ELF; AArch64 Linux runs little-endian");
  if (b.length < EHDR_SIZE) throw new ExecFormatError("truncated", `ELF header cut short (${b.length} of ${EHDR_SIZE} bytes)`);
}
function readPhdr(dv, at) {
  return {
    type: dv.getUint32(at, true),
    flags: dv.getUint32(at + 4, true),
    offset: small(big(dv, at + 8), "segment offset"),
    vaddr: big(dv, at + 16),
    filesz: small(big(dv, at + 32), "segment file size"),
    memsz: small(big(dv, at + 40), "segment memory size"),
    align: small(big(dv, at + 48), "segment alignment")
  };
}
function readInterp(bytes2, p) {
  const raw = bytes2.subarray(p.offset, p.offset + p.filesz);
  const nul = raw.indexOf(0);
  return new TextDecoder().decode(nul < 0 ? raw : raw.subarray(0, nul));
}
function parseElf(bytes2, opts = {}) {
  checkIdent(bytes2);
  const dv = new DataView(bytes2.buffer, bytes2.byteOffset, bytes2.byteLength);
  const type = dv.getUint16(16, true);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_AARCH64) throw new ExecFormatError("not-aarch64", `an ELF for machine ${machine}, not AArch64 (${EM_AARCH64})`);
  if (type !== ET_EXEC && type !== ET_DYN) throw new ExecFormatError("not-executable", `an ELF of type ${type} (${type === ET_REL ? "a relocatable object" : "not ET_EXEC or ET_DYN"}), not an executable`);
  const phoff = small(big(dv, 32), "program header offset");
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  if (phentsize !== PHDR_SIZE) throw new ExecFormatError("not-executable", `program header entries of ${phentsize} bytes (ELF64 has ${PHDR_SIZE})`);
  if (phnum < 1 || phnum * PHDR_SIZE > PHDRS_MAX) throw new ExecFormatError("not-executable", `${phnum} program headers`);
  if (phoff + phnum * PHDR_SIZE > bytes2.length) throw new ExecFormatError("truncated", `program headers at ${phoff} run past the end of the file (${bytes2.length} bytes)`);
  const phdrs = Array.from({ length: phnum }, (_, i) => readPhdr(dv, phoff + i * PHDR_SIZE));
  for (const [i, p] of phdrs.entries()) {
    if ((p.type === PT_LOAD || p.type === PT_INTERP) && p.offset + p.filesz > bytes2.length)
      throw new ExecFormatError("truncated", `segment ${i} (file bytes ${p.offset}..${p.offset + p.filesz}) runs past the end of the file (${bytes2.length} bytes)`);
  }
  if (!phdrs.some((p) => p.type === PT_LOAD)) throw new ExecFormatError("not-executable", "no PT_LOAD segment");
  const interpHdr = phdrs.find((p) => p.type === PT_INTERP);
  const image = { type, entry: big(dv, 24), phoff, phentsize, phnum, phdrs };
  if (interpHdr) {
    const interp = readInterp(bytes2, interpHdr);
    if (!opts.allowInterp) throw new ExecFormatError("dynamic", `dynamically linked (interpreter ${interp}); the model runs static executables only`);
    image.interp = interp;
  }
  return image;
}

// images/elf.ts
var PAGE = 4096;
var EHDR = 64;
var PHDR = 56;
var ElfWriteError = class extends Error {
  name = "ElfWriteError";
};
function flagsOf(perms) {
  return (perms.includes("r") ? PF_R : 0) | (perms.includes("w") ? PF_W : 0) | (perms.includes("x") ? PF_X : 0);
}
function writeElf(entry, segments) {
  if (segments.length === 0) throw new ElfWriteError("an executable needs at least one segment");
  const phnum = segments.length + 1;
  if (EHDR + phnum * PHDR > PAGE) throw new ElfWriteError("too many segments for one header page");
  const offsets = [];
  let end = PAGE;
  for (const s of segments) {
    if (s.vaddr % BigInt(PAGE) !== 0n) throw new ElfWriteError(`segment at 0x${s.vaddr.toString(16)} is not page-aligned`);
    if ((s.memsz ?? s.data.length) < s.data.length) throw new ElfWriteError("a segment's memsz is smaller than its data");
    offsets.push(end);
    end += Math.ceil(Math.max(s.data.length, 1) / PAGE) * PAGE;
  }
  const out = new Uint8Array(end);
  const dv = new DataView(out.buffer);
  out.set([127, 69, 76, 70, 2, 1, 1, 0]);
  dv.setUint16(16, ET_EXEC, true);
  dv.setUint16(18, EM_AARCH64, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, entry, true);
  dv.setBigUint64(32, BigInt(EHDR), true);
  dv.setUint16(52, EHDR, true);
  dv.setUint16(54, PHDR, true);
  dv.setUint16(56, phnum, true);
  dv.setUint16(58, 64, true);
  segments.forEach((s, i) => {
    const at = EHDR + i * PHDR;
    dv.setUint32(at, PT_LOAD, true);
    dv.setUint32(at + 4, flagsOf(s.perms), true);
    dv.setBigUint64(at + 8, BigInt(offsets[i]), true);
    dv.setBigUint64(at + 16, s.vaddr, true);
    dv.setBigUint64(at + 24, s.vaddr, true);
    dv.setBigUint64(at + 32, BigInt(s.data.length), true);
    dv.setBigUint64(at + 40, BigInt(s.memsz ?? s.data.length), true);
    dv.setBigUint64(at + 48, BigInt(PAGE), true);
    out.set(s.data, offsets[i]);
  });
  const stack = EHDR + segments.length * PHDR;
  dv.setUint32(stack, PT_GNU_STACK, true);
  dv.setUint32(stack + 4, PF_R | PF_W, true);
  dv.setBigUint64(stack + 48, 16n, true);
  return out;
}

// images/initramfs.ts
var USER_PROGRAM_BASE = 0x400000n;
var CROSS_CC = "aarch64-linux-gnu-gcc";
var CROSS_PACKAGES = ["gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross"];
var InitramfsBuildError = class extends Error {
  name = "InitramfsBuildError";
};
var dir = (name, perm = 493) => ({ name, mode: S_IFDIR | perm, uid: 0, gid: 0, mtime: 0 });
var exe = (name, data) => ({ name, mode: S_IFREG | 493, uid: 0, gid: 0, mtime: 0, data });
function crossCompilerAvailable() {
  return (process.env.PATH ?? "").split(delimiter).some((d) => d !== "" && existsSync6(join6(d, CROSS_CC)));
}
async function assembleProgram(source, name) {
  const a = await assemble(source, USER_PROGRAM_BASE);
  const entry = a.symbols.get("_start");
  if (entry === void 0) throw new InitramfsBuildError(`${name}: no _start label`);
  return writeElf(entry, [{ vaddr: USER_PROGRAM_BASE, data: a.bytes, perms: "rx" }]);
}
function compileC(src, out) {
  const r2 = spawnSync2(CROSS_CC, ["-static", "-O2", "-o", out, src], { encoding: "utf8" });
  if (r2.status !== 0) {
    const first = (r2.stderr || r2.error?.message || "failed").split("\n").find((l) => l.includes("error")) ?? r2.stderr.split("\n")[0];
    throw new InitramfsBuildError(`${CROSS_CC} ${basename2(src)}: ${first}`);
  }
  return new Uint8Array(readFileSync5(out));
}
function busyboxEntries(path, taken) {
  const bin = new Uint8Array(readFileSync5(path));
  const links = busyboxApplets(bin).filter((a) => !taken.has(`bin/${a}`) && a !== "busybox").map((a) => ({ name: `bin/${a}`, mode: S_IFLNK | 511, uid: 0, gid: 0, mtime: 0, linkTarget: "busybox" }));
  return [exe("bin/busybox", bin), ...links];
}
async function buildInitramfs(root, withC = crossCompilerAvailable(), busybox = cachedBusybox(root)) {
  const entries = [
    dir("dev"),
    { name: "dev/console", mode: S_IFCHR | 384, uid: 0, gid: 0, mtime: 0, rdev: { major: 5, minor: 1 } },
    { name: "dev/tty", mode: S_IFCHR | 438, uid: 0, gid: 0, mtime: 0, rdev: { major: 5, minor: 0 } },
    ...MEM_DEVICES.map((d) => ({ name: `dev/${d.name}`, mode: S_IFCHR | 438, uid: 0, gid: 0, mtime: 0, rdev: { major: MEM_MAJOR, minor: d.minor } })),
    dir("root", 448),
    dir("proc", 365),
    dir("sys", 365),
    dir("tmp", 1023),
    dir("run", 493),
    dir("bin")
  ];
  const programs = [];
  const progDir = join6(root, "images", "programs");
  for (const f of readdirSync2(progDir).filter((n) => n.endsWith(".S")).sort()) {
    const name = f.slice(0, -2);
    const path = name === "init" ? "init" : `bin/${name}`;
    entries.push(exe(path, await assembleProgram(readFileSync5(join6(progDir, f), "utf8"), f)));
    programs.push(`/${path}`);
  }
  let missing;
  if (withC) {
    const tmp = mkdtempSync2(join6(tmpdir(), "uconsole-user-"));
    try {
      const userDir = join6(root, "images", "user");
      for (const f of readdirSync2(userDir).filter((n) => n.endsWith(".c")).sort()) {
        const name = f.slice(0, -2);
        entries.push(exe(`bin/${name}`, compileC(join6(userDir, f), join6(tmp, name))));
        programs.push(`/bin/${name}`);
      }
    } finally {
      rmSync2(tmp, { recursive: true, force: true });
    }
  } else missing = `${CROSS_CC} is not installed (apt-get install -y ${CROSS_PACKAGES.join(" ")}): the C programs are left out`;
  if (busybox) {
    entries.push(...busyboxEntries(busybox, new Set(entries.map((e) => e.name))));
    programs.push("/bin/busybox");
    const init = entries.findIndex((e) => e.name === "init");
    entries[init] = exe("init", readFileSync5(join6(root, "images", "init.sh")));
  }
  return { bytes: writeNewc(entries), programs, missing };
}

// kernel-model/arch/arm64/page-def.ts
var PAGE_SHIFT = 12;
var PAGE_SIZE = 1 << PAGE_SHIFT;
var PAGE_MASK = ~(PAGE_SIZE - 1);

// kernel-model/arch/arm64/memory.ts
var PAGE_OFFSET = 0xffffff8000000000n;
var PAGE_END = 0xffffffc000000000n;
var MODULES_END = 0xffffffc010000000n;
var KIMAGE_VADDR = MODULES_END;
var VMALLOC_START = MODULES_END;
var VMALLOC_END = 0xfffffffebfff0000n;
var VMEMMAP_START = 0xfffffffeffe00000n;
var TASK_SIZE = 1n << 39n;
var LinearMap = class {
  /** memstart_addr: the physical address PAGE_OFFSET maps. */
  constructor(physOffset) {
    this.physOffset = physOffset;
  }
  physOffset;
  /** __va: the linear-map address of a physical address. */
  va(pa) {
    return PAGE_OFFSET + BigInt(pa - this.physOffset);
  }
  /** __pa: the physical address of a linear-map address. */
  pa(va) {
    if (va < PAGE_OFFSET || va >= PAGE_END) throw new RangeError(`0x${va.toString(16)} is not a linear-map address`);
    return Number(va - PAGE_OFFSET) + this.physOffset;
  }
  /* Linux's names for the same conversions (arch/arm64/include/asm/memory.h). */
  __va(pa) {
    return this.va(pa);
  }
  __pa(va) {
    return this.pa(va);
  }
  /** page_address: the linear-map address of a page (a struct page * is its PFN in the model). */
  page_address(pfn) {
    return this.va(pfn * PAGE_SIZE);
  }
  /** virt_to_page: the page of a linear-map address. */
  virt_to_page(va) {
    return Math.floor(this.pa(va) / PAGE_SIZE);
  }
};

// images/build.ts
function bootDir(board) {
  return join7(projectRoot(), "images", "build", board);
}
function inputs(root) {
  const files = [];
  const walk2 = (d) => {
    for (const name of readdirSync3(d)) {
      const p = join7(d, name);
      if (statSync2(p).isDirectory()) {
        if (name !== "build") walk2(p);
      } else if (/\.(S|ts|c|sh)$/.test(name)) files.push(p);
    }
  };
  for (const d of ["images", "firmware", "emulator/board"]) walk2(join7(root, d));
  files.push(join7(root, "kernel-model/arch/arm64/kernel/kcalls.ts"), join7(root, "emulator/arm64/assembler.ts"), join7(root, "lib/cpio/newc.ts"), join7(root, "kernel-model/fs/mem_devices.ts"));
  files.push(join7(root, "kernel-model/mm/percpu/static_vars.ts"), join7(root, "kernel-model/mm/vmstat_items.ts"));
  const busybox = cachedBusybox(root);
  if (busybox) files.push(busybox);
  return files.sort();
}
function inputsHash(root) {
  const h = createHash2("sha256");
  h.update(`cross-cc:${crossCompilerAvailable()}`);
  for (const f of inputs(root)) h.update(f.slice(root.length)).update(readFileSync6(f));
  return h.digest("hex");
}
function writeAtomic(path, data) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync3(tmp, data);
  renameSync2(tmp, path);
}
function systemMap(symbols, labels) {
  return labels.map((name) => [KIMAGE_VADDR + symbols.get(name), name]).sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0).map(([addr, name]) => `${addr.toString(16).padStart(16, "0")} ${name.startsWith("__") ? "t" : "T"} ${name}
`).join("");
}
function kernelSource(root) {
  const marker = "// @PERCPU_SECTION@";
  const src = readFileSync6(join7(root, "images/kernel/head.S"), "utf8");
  if (!src.includes(marker)) throw new Error(`images/kernel/head.S: no ${marker} line`);
  return src.replace(marker, percpu_section_asm());
}
function configTxt(b) {
  const uconsole = b.soc === "BCM2711" ? [
    "ignore_lcd=1",
    "dtoverlay=dwc2,dr_mode=host",
    "dtoverlay=vc4-kms-v3d-pi4,cma-384",
    "dtoverlay=devterm-pmu",
    "dtoverlay=devterm-panel-uc",
    "dtoverlay=devterm-misc",
    "dtoverlay=audremap,pins_12_13"
  ] : [];
  return [
    `# ${b.description}: boot configuration built by uconsole-mm (images/build.ts)`,
    "[all]",
    "arm_64bit=1",
    "kernel=kernel8.img",
    "armstub=armstub8.bin",
    `device_tree=${b.dtbName}`,
    "enable_uart=1",
    "initramfs initramfs.cpio followkernel",
    ...uconsole,
    ""
  ].join("\n");
}
async function ensureImages(log = () => {
}) {
  const root = projectRoot();
  const outRoot = join7(root, "images", "build");
  const stampPath = join7(outRoot, ".stamp");
  const hash = inputsHash(root);
  const names = BOARDS.map((b) => b.name);
  if (existsSync7(stampPath) && readFileSync6(stampPath, "utf8") === hash && names.every((n) => existsSync7(join7(outRoot, n, "kernel8.img")) && existsSync7(join7(outRoot, n, "initramfs.cpio"))))
    return { boards: names, rebuilt: false };
  log("building boot images from source (images/, firmware/)");
  const kernel = await assemble(kernelSource(root), 0n, imageSymbols());
  const armstub = await assemble(readFileSync6(join7(root, "firmware/armstub/armstub8.S"), "utf8"), 0n);
  const map = systemMap(kernel.symbols, kernel.labels);
  const initramfs = await buildInitramfs(root);
  if (initramfs.missing) log(`initramfs: ${initramfs.missing}`);
  for (const b of BOARDS) {
    const dir2 = join7(outRoot, b.name);
    mkdirSync3(dir2, { recursive: true });
    writeAtomic(join7(dir2, "kernel8.img"), kernel.bytes);
    writeAtomic(join7(dir2, "System.map"), map);
    writeAtomic(join7(dir2, "armstub8.bin"), armstub.bytes);
    writeAtomic(join7(dir2, b.dtbName), writeFdt(boardDeviceTree(b)));
    writeAtomic(join7(dir2, "config.txt"), configTxt(b));
    writeAtomic(join7(dir2, "cmdline.txt"), `${b.defaultCmdline}
`);
    writeAtomic(join7(dir2, "initramfs.cpio"), initramfs.bytes);
    log(`  ${b.name}: kernel8.img ${kernel.bytes.length} bytes, ${b.dtbName}, initramfs.cpio ${initramfs.bytes.length} bytes (${initramfs.programs.join(" ")})`);
  }
  writeAtomic(stampPath, hash);
  return { boards: names, rebuilt: true };
}

// kernel-model/kernel.ts
import { join as join8 } from "node:path";

// kernel-model/printk.ts
var KernelLog = class {
  constructor(clockUsec = () => 0) {
    this.clockUsec = clockUsec;
  }
  clockUsec;
  lines = [];
  listeners = [];
  /** The Printk function handed to subsystems. */
  printk = (text) => {
    for (const part of text.split("\n")) {
      const line = { usec: this.clockUsec(), text: part };
      this.lines.push(line);
      const formatted = formatLogLine(line);
      for (const l of this.listeners) l(formatted);
    }
  };
  onLine(listener) {
    this.listeners.push(listener);
  }
  /** The whole log in dmesg's format. */
  dmesg() {
    return this.lines.map(formatLogLine).join("\n") + (this.lines.length ? "\n" : "");
  }
};
function formatLogLine({ usec, text }) {
  const sec = Math.floor(usec / 1e6);
  const frac = String(Math.floor(usec % 1e6)).padStart(6, "0");
  return `[${String(sec).padStart(5, " ")}.${frac}] ${text}`;
}

// kernel-model/kallsyms.ts
import { existsSync as existsSync8, readFileSync as readFileSync7 } from "node:fs";
var KallsymsError = class extends Error {
  name = "KallsymsError";
};
var Kallsyms = class _Kallsyms {
  offsets = /* @__PURE__ */ new Map();
  constructor(systemMap2) {
    let text;
    const entries = [];
    for (const [i, line] of systemMap2.split("\n").entries()) {
      if (!line.trim()) continue;
      const m = /^([0-9a-f]{16}) ([A-Za-z]) (\S+)$/.exec(line);
      if (!m) throw new KallsymsError(`System.map line ${i + 1} is malformed: "${line}"`);
      const addr = BigInt(`0x${m[1]}`);
      entries.push([m[3], addr]);
      if (m[3] === "_text") text = addr;
    }
    if (text === void 0) throw new KallsymsError("System.map has no _text");
    for (const [name, addr] of entries) this.offsets.set(name, addr - text);
  }
  static fromFile(path) {
    if (!existsSync8(path)) throw new KallsymsError(`${path} not found: the kernel image has no symbol map`);
    return new _Kallsyms(readFileSync7(path, "utf8"));
  }
  /** Offset of `name` from _text. */
  offset(name) {
    const v = this.offsets.get(name);
    if (v === void 0) throw new KallsymsError(`kernel symbol ${name} not found`);
    return v;
  }
  has(name) {
    return this.offsets.has(name);
  }
};

// lib/cmdline/cmdline.ts
var SPACE = /* @__PURE__ */ new Set([" ", "	", "\n", "\v", "\f", "\r"]);
function splitArgs(s) {
  const out = [];
  let cur = "";
  let inQuote = false;
  for (const ch of s) {
    if (ch === '"') inQuote = !inQuote;
    if (SPACE.has(ch) && !inQuote) {
      if (cur !== "") out.push(cur);
      cur = "";
    } else {
      cur += ch;
    }
  }
  if (cur !== "") out.push(cur);
  return out;
}
function dropClosingQuote(s) {
  return s.endsWith('"') ? s.slice(0, -1) : s;
}
function parseParam(token) {
  const quotedWhole = token.startsWith('"');
  const t2 = quotedWhole ? token.slice(1) : token;
  const eq = t2.indexOf("=");
  if (eq < 0) return { key: quotedWhole ? dropClosingQuote(t2) : t2, value: void 0 };
  const key = t2.slice(0, eq);
  const rest = t2.slice(eq + 1);
  if (rest.startsWith('"')) return { key, value: dropClosingQuote(rest.slice(1)) };
  return { key, value: quotedWhole ? dropClosingQuote(rest) : rest };
}
function normalKey(key) {
  return key.replaceAll("-", "_");
}
var DIGITS = { 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-f]+$/i };
function leadingNumber(s) {
  const hexM = /^0x([0-9a-f]+)/i.exec(s);
  if (hexM) return [BigInt(`0x${hexM[1]}`), hexM[0].length];
  const octM = /^0([0-7]*)/.exec(s);
  if (octM) return [octM[1] ? BigInt(`0o${octM[1]}`) : 0n, octM[0].length];
  const decM = /^[1-9][0-9]*/.exec(s);
  if (decM) return [BigInt(decM[0]), decM[0].length];
  return void 0;
}
function toSafeNumber(v, what) {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER))
    throw new CmdlineError(`${what}: value exceeds 2^53`);
  return Number(v);
}
var SIZE_SHIFT = { k: 10n, m: 20n, g: 30n, t: 40n, p: 50n, e: 60n };
function memparse(text, what = text) {
  const bad = () => new CmdlineError(`${what}: ${JSON.stringify(text)} is not a size (digits with an optional K, M, G, T, P or E suffix)`);
  const lead = leadingNumber(text);
  if (!lead) throw bad();
  const [n, used] = lead;
  const suffix = text.slice(used);
  if (suffix === "") return toSafeNumber(n, what);
  const shift = SIZE_SHIFT[suffix.toLowerCase()];
  if (shift === void 0) throw bad();
  return toSafeNumber(n << shift, what);
}
function parseKernelInt(text, what = text) {
  const m = /^([+-]?)(.*)$/s.exec(text);
  const body = m[2] ?? "";
  const base = /^0x/i.test(body) ? 16 : body.startsWith("0") && body.length > 1 ? 8 : 10;
  const digits = base === 16 ? body.slice(2) : body;
  if (!DIGITS[base].test(digits)) throw new CmdlineError(`${what}: ${JSON.stringify(text)} is not an integer`);
  const v = BigInt(base === 16 ? `0x${digits}` : base === 8 ? `0o${digits}` : digits);
  return toSafeNumber(m[1] === "-" ? -v : v, what);
}
function parseKernelBool(text, what) {
  const t2 = text.toLowerCase();
  if (t2.startsWith("y") || t2 === "1" || t2 === "on") return true;
  if (t2.startsWith("n") || t2 === "0" || t2 === "off") return false;
  throw new CmdlineError(`${what}: ${JSON.stringify(text)} is not a boolean (y/n, 1/0, on/off)`);
}
var KernelCmdline = class {
  constructor(raw) {
    this.raw = raw;
    const tokens = splitArgs(raw);
    const dashes = tokens.indexOf("--");
    const kernel = dashes < 0 ? tokens : tokens.slice(0, dashes);
    this.params = kernel.map(parseParam);
    this.initArgs = dashes < 0 ? [] : tokens.slice(dashes + 1);
  }
  raw;
  /** Kernel parameters in order (what comes before a bare `--`). */
  params;
  /** What follows a bare `--`: arguments for init. */
  initArgs;
  matching(key) {
    const k = normalKey(key);
    return this.params.filter((p) => normalKey(p.key) === k);
  }
  /** True when `key` appears, as a flag or with a value. */
  has(key) {
    return this.matching(key).length > 0;
  }
  /** The value of the last `key=...`; undefined when absent or a bare flag. */
  get(key) {
    const all = this.matching(key);
    return all[all.length - 1]?.value;
  }
  /** Every occurrence's value, in order (undefined for flags). */
  getAll(key) {
    return this.matching(key).map((p) => p.value);
  }
  /** The last value as an integer (kstrtoint, base 0); CmdlineError when it is not one. */
  getNumber(key) {
    const v = this.get(key);
    return v === void 0 ? void 0 : parseKernelInt(v, `${key}=${v}`);
  }
  /** The last value as a size in bytes (memparse: 64M, 0x1000, 1G). */
  getSize(key) {
    const v = this.get(key);
    return v === void 0 ? void 0 : memparse(v, `${key}=${v}`);
  }
  /** The last value as a boolean (kstrtobool); a bare flag is true. */
  getBool(key) {
    const all = this.matching(key);
    const last = all[all.length - 1];
    if (!last) return void 0;
    return last.value === void 0 ? true : parseKernelBool(last.value, `${key}=${last.value}`);
  }
  toString() {
    return this.raw;
  }
};
function parseCmdline(s) {
  return new KernelCmdline(s);
}
var CmdlineError = class extends Error {
  name = "CmdlineError";
  constructor(what) {
    super(`kernel command line: ${what}`);
  }
};

// kernel-model/mm/maccess.ts
var KernelFault = class extends Error {
  constructor(va, write) {
    super(`Unable to handle kernel paging request at virtual address ${va.toString(16).padStart(16, "0")} (${write ? "write" : "read"})`);
    this.va = va;
  }
  va;
  name = "KernelFault";
};
var KernelMemory = class {
  constructor(ram, swapper) {
    this.ram = ram;
    this.swapper = swapper;
  }
  ram;
  swapper;
  /** The physical address of a kernel VA, or undefined if nothing maps it. */
  translate(va) {
    const r2 = this.swapper.lookup(va);
    return r2 && this.ram.contains(r2.pa, 1) ? r2.pa : void 0;
  }
  pa(va, write) {
    const pa = this.translate(va);
    if (pa === void 0) throw new KernelFault(va, write);
    return pa;
  }
  /** Apply `fn` to each page-sized piece of [va, va+len): (physical address, offset in the buffer, length). */
  pieces(va, len, write, fn) {
    let off = 0;
    while (off < len) {
      const v = va + BigInt(off);
      const inPage = PAGE_SIZE - Number(v & BigInt(PAGE_SIZE - 1));
      const n = Math.min(inPage, len - off);
      fn(this.pa(v, write), off, n);
      off += n;
    }
  }
  read(va, len) {
    const out = new Uint8Array(len);
    this.pieces(va, len, false, (pa, off, n) => out.set(this.ram.read(pa, n), off));
    return out;
  }
  write(va, data) {
    this.pieces(va, data.length, true, (pa, off, n) => this.ram.write(pa, data.subarray(off, off + n)));
  }
  /** Naturally aligned accesses never cross a page: one walk. */
  read64(va) {
    return (va & 7n) === 0n ? this.ram.u64(this.pa(va, false)) : new DataView(this.read(va, 8).buffer).getBigUint64(0, true);
  }
  write64(va, v) {
    if ((va & 7n) === 0n) this.ram.setU64(this.pa(va, true), BigInt.asUintN(64, v));
    else this.write(va, new Uint8Array(new BigUint64Array([BigInt.asUintN(64, v)]).buffer));
  }
  read32(va) {
    return (va & 3n) === 0n ? this.ram.u32(this.pa(va, false)) : new DataView(this.read(va, 4).buffer).getUint32(0, true);
  }
  write32(va, v) {
    if ((va & 3n) === 0n) this.ram.setU32(this.pa(va, true), v >>> 0);
    else this.write(va, new Uint8Array(new Uint32Array([v >>> 0]).buffer));
  }
  /** copy_from_kernel_nofault: the bytes, or undefined if any of them is unmapped. */
  copy_from_kernel_nofault(va, len) {
    try {
      return this.read(va, len);
    } catch (e) {
      if (e instanceof KernelFault) return void 0;
      throw e;
    }
  }
};

// kernel-model/mm/memblock.ts
var SMP_CACHE_BYTES = 64;
var MemblockError = class extends Error {
  name = "MemblockError";
};
var roundDown = (x, a) => Math.floor(x / a) * a;
var isPow2 = (x) => Number.isInteger(x) && x > 0 && 2 ** Math.round(Math.log2(x)) === x;
var hex3 = (x) => "0x" + x.toString(16);
var fmtPa = (x) => "0x" + x.toString(16).padStart(16, "0");
var MemblockType = class {
  constructor(name) {
    this.name = name;
  }
  name;
  regions = [];
  total = 0;
  /** memblock_add_range followed by memblock_merge_regions. */
  add(base, size2) {
    if (size2 === 0) return;
    let start = base;
    let end = base + size2;
    const kept = [];
    for (const r2 of this.regions) {
      const rEnd = r2.base + r2.size;
      if (rEnd < start || r2.base > end) kept.push(r2);
      else {
        start = Math.min(start, r2.base);
        end = Math.max(end, rEnd);
      }
    }
    kept.push({ base: start, size: end - start });
    kept.sort((a, b) => a.base - b.base);
    this.replace(kept);
  }
  /** memblock_remove_range: cut [base, base+size) out of every region. */
  remove(base, size2) {
    if (size2 === 0) return;
    const end = base + size2;
    const kept = [];
    for (const r2 of this.regions) {
      const rEnd = r2.base + r2.size;
      if (rEnd <= base || r2.base >= end) {
        kept.push(r2);
        continue;
      }
      if (r2.base < base) kept.push({ base: r2.base, size: base - r2.base });
      if (rEnd > end) kept.push({ base: end, size: rEnd - end });
    }
    this.replace(kept);
  }
  overlaps(base, size2) {
    return this.regions.some((r2) => base < r2.base + r2.size && r2.base < base + size2);
  }
  contains(addr) {
    return this.regions.some((r2) => addr >= r2.base && addr < r2.base + r2.size);
  }
  replace(list) {
    this.regions.length = 0;
    this.regions.push(...list);
    this.total = list.reduce((s, r2) => s + r2.size, 0);
  }
};
var Memblock = class {
  /** @param ram when given, memblock_alloc zeroes what it returns, as Linux does. */
  constructor(ram) {
    this.ram = ram;
  }
  ram;
  memory = new MemblockType("memory");
  reserved = new MemblockType("reserved");
  /** memblock.current_limit: allocations end at or below it (MEMBLOCK_ALLOC_ANYWHERE by default). */
  current_limit = Number.MAX_SAFE_INTEGER;
  /** memblock_add: register RAM (from the DT /memory node). */
  memblock_add(base, size2) {
    checkRange("memblock_add", base, size2);
    this.memory.add(base, size2);
  }
  /** memblock_remove: forget RAM, e.g. for a mem= limit. */
  memblock_remove(base, size2) {
    checkRange("memblock_remove", base, size2);
    this.memory.remove(base, size2);
  }
  /** memblock_reserve: mark [base, base+size) as in use. */
  memblock_reserve(base, size2) {
    checkRange("memblock_reserve", base, size2);
    this.reserved.add(base, size2);
  }
  /**
   * memblock_phys_alloc_range (5.10): like memblock_alloc but within
   * [start, end) (end 0: up to memblock.current_limit), not zeroed, and 0
   * on failure instead of an exception, as the early reservation code
   * (of_reserved_mem, CMA, swiotlb) expects.
   */
  memblock_phys_alloc_range(size2, align, start, end) {
    if (!Number.isSafeInteger(size2) || size2 <= 0 || !isPow2(align) || size2 > BANK_SIZE) return 0;
    const base = this.memblock_find_in_range(start, end === 0 ? this.current_limit : end, size2, align);
    if (base < 0) return 0;
    this.memblock_reserve(base, size2);
    return base;
  }
  /** memblock_phys_free (memblock_free in 5.10): give a reservation back. */
  memblock_phys_free(base, size2) {
    checkRange("memblock_phys_free", base, size2);
    this.reserved.remove(base, size2);
  }
  /**
   * memblock_phys_alloc_range / memblock_alloc: find, reserve and (unless
   * raw) zero `size` bytes aligned to `align` (a power of two), top-down.
   *
   * @returns the physical address; throws MemblockError when nothing fits,
   *          with the message Linux's callers panic with.
   */
  memblock_alloc(size2, align = SMP_CACHE_BYTES, opts = {}) {
    if (!Number.isInteger(size2) || size2 <= 0) throw new MemblockError(`memblock_alloc: bad size ${size2}`);
    if (!isPow2(align)) throw new MemblockError(`memblock_alloc: alignment ${align} is not a power of two`);
    if (size2 > BANK_SIZE) throw new MemblockError(`memblock_alloc: ${size2} bytes cannot lie in one RAM bank`);
    const base = this.memblock_find_in_range(opts.min ?? 0, opts.max ?? this.current_limit, size2, align);
    if (base < 0) {
      throw new MemblockError(
        `memblock_alloc: Failed to allocate ${size2} bytes align=${hex3(align)}` + (opts.max !== void 0 ? ` below ${fmtPa(opts.max)}` : "")
      );
    }
    this.memblock_reserve(base, size2);
    if (!opts.raw && this.ram) this.ram.fill(base, size2, 0);
    return base;
  }
  /** memblock_alloc_raw: like memblock_alloc but the memory keeps its old contents. */
  memblock_alloc_raw(size2, align = SMP_CACHE_BYTES, opts = {}) {
    return this.memblock_alloc(size2, align, { ...opts, raw: true });
  }
  /**
   * memblock_find_in_range_node, top-down, with the bank rule.
   * @returns the base address, or -1 when no free range fits.
   */
  memblock_find_in_range(start, end, size2, align) {
    start = Math.max(start, PAGE_SIZE);
    end = Math.max(start, end);
    const free = this.freeRanges();
    for (let i = free.length - 1; i >= 0; i--) {
      const r2 = free[i];
      const thisStart = clamp(r2.start, start, end);
      const thisEnd = clamp(r2.end, start, end);
      const cand = findTopDownInRange(thisStart, thisEnd, size2, align);
      if (cand >= 0) return cand;
    }
    return -1;
  }
  /** for_each_free_mem_range: memory minus reserved, ascending. */
  freeRanges() {
    const out = [];
    const res = this.reserved.regions;
    let j = 0;
    for (const m of this.memory.regions) {
      let cur = m.base;
      const mEnd = m.base + m.size;
      while (j < res.length && res[j].base + res[j].size <= cur) j++;
      let k = j;
      while (cur < mEnd) {
        const r2 = res[k];
        if (!r2 || r2.base >= mEnd) {
          out.push({ start: cur, end: mEnd });
          break;
        }
        if (r2.base > cur) out.push({ start: cur, end: r2.base });
        cur = Math.max(cur, r2.base + r2.size);
        k++;
      }
    }
    return out;
  }
  /** for_each_reserved_mem_region, clipped to nothing: the reserved list itself. */
  reservedRanges() {
    return this.reserved.regions.map((r2) => ({ start: r2.base, end: r2.base + r2.size }));
  }
  /**
   * for_each_mem_pfn_range: each memory region as page frames
   * [PFN_UP(base), PFN_DOWN(end)), skipping regions smaller than a page.
   */
  memPfnRanges() {
    const out = [];
    for (const r2 of this.memory.regions) {
      const s = Math.ceil(r2.base / PAGE_SIZE);
      const e = Math.floor((r2.base + r2.size) / PAGE_SIZE);
      if (s < e) out.push({ startPfn: s, endPfn: e });
    }
    return out;
  }
  memblock_start_of_DRAM() {
    return this.memory.regions[0]?.base ?? 0;
  }
  memblock_end_of_DRAM() {
    const last = this.memory.regions[this.memory.regions.length - 1];
    return last ? last.base + last.size : 0;
  }
  memblock_phys_mem_size() {
    return this.memory.total;
  }
  memblock_reserved_size() {
    return this.reserved.total;
  }
  memblock_is_memory(addr) {
    return this.memory.contains(addr);
  }
  memblock_is_reserved(addr) {
    return this.reserved.contains(addr);
  }
  memblock_is_region_reserved(base, size2) {
    return this.reserved.overlaps(base, size2);
  }
  /**
   * __memblock_dump_all (printed with memblock=debug): the lines
   *   MEMBLOCK configuration:
   *    memory size = 0x... reserved size = 0x...
   *    memory.cnt  = 0x2
   *    memory[0x0]\t[0x...-0x...], 0x... bytes flags: 0x0
   * Formats from mm/memblock.c memblock_dump(); flags are always 0 here.
   */
  memblock_dump_all(printk) {
    printk("MEMBLOCK configuration:");
    printk(` memory size = ${fmtPa(this.memory.total)} reserved size = ${fmtPa(this.reserved.total)}`);
    for (const type of [this.memory, this.reserved]) {
      printk(` ${type.name}.cnt  = ${hex3(Math.max(1, type.regions.length))}`);
      type.regions.forEach((r2, idx) => {
        printk(` ${type.name}[${hex3(idx)}]	[${fmtPa(r2.base)}-${fmtPa(r2.base + r2.size - 1)}], ${fmtPa(r2.size)} bytes flags: 0x0`);
      });
    }
  }
  /** Invariant check for tests: sorted, non-empty, non-overlapping, non-adjacent, totals right. */
  check() {
    const errors = [];
    for (const type of [this.memory, this.reserved]) {
      let sum2 = 0;
      type.regions.forEach((r2, i) => {
        sum2 += r2.size;
        if (r2.size <= 0) errors.push(`${type.name}[${i}] is empty`);
        const prev = type.regions[i - 1];
        if (prev && prev.base + prev.size >= r2.base) errors.push(`${type.name}[${i - 1}] and [${i}] overlap or touch`);
      });
      if (sum2 !== type.total) errors.push(`${type.name}.total_size ${type.total} != ${sum2}`);
    }
    return errors;
  }
};
function checkRange(fn, base, size2) {
  if (!Number.isSafeInteger(base) || !Number.isSafeInteger(size2) || base < 0 || size2 < 0)
    throw new MemblockError(`${fn}: bad range base=${base} size=${size2}`);
}
function clamp(x, lo, hi) {
  return Math.min(Math.max(x, lo), hi);
}
function findTopDownInRange(start, end, size2, align) {
  if (end - start < size2) return -1;
  let cand = roundDown(end - size2, align);
  if (cand < start) return -1;
  const lastBank = Math.floor((cand + size2 - 1) / BANK_SIZE);
  if (Math.floor(cand / BANK_SIZE) !== lastBank) {
    cand = roundDown(lastBank * BANK_SIZE - size2, align);
    if (cand < start) return -1;
  }
  return cand;
}

// kernel-model/drivers/of/of_reserved_mem.ts
var EINVAL = 22;
var ENOENT = 2;
var ENOMEM = 12;
var EBUSY = 16;
var MAX_RESERVED_REGIONS = 64;
var SZ_1M2 = 1048576;
function rootCells(dt) {
  const cell = (name) => {
    const p = getProp(dt.root, name);
    return p && p.length === 4 ? decodeCells(p)[0] : 1;
  };
  return { addr: cell("#address-cells"), size: cell("#size-cells") };
}
function readCells(cells, at, n) {
  let v = 0;
  for (let i = Math.max(at, at + n - 2); i < at + n; i++) v = v * 2 ** 32 + cells[i];
  return v;
}
function cellsOf(p) {
  const out = [];
  for (let i = 0; i + 4 <= p.length; i += 4) out.push((p[i] << 24 | p[i + 1] << 16 | p[i + 2] << 8 | p[i + 3]) >>> 0);
  return out;
}
function isAvailable(node) {
  const s = getProp(node, "status");
  if (!s) return true;
  const text = new TextDecoder().decode(s).replace(/\0.*$/s, "");
  return text === "okay" || text === "ok";
}
function isCompatible(node, compat) {
  const p = getProp(node, "compatible");
  if (!p) return false;
  try {
    return decodeStringList(p).includes(compat);
  } catch {
    return false;
  }
}
var ReservedMemory = class {
  constructor(dt, ctx) {
    this.dt = dt;
    this.ctx = ctx;
    this.cells = rootCells(dt);
  }
  dt;
  ctx;
  regions = [];
  cells;
  get printk() {
    return this.ctx.printk;
  }
  /** early_init_dt_reserve_memory_arch (5.10.17): memblock_remove for no-map, else memblock_reserve. */
  reserveArch(base, size2, nomap) {
    const mb = this.ctx.memblock;
    if (!Number.isSafeInteger(base + size2)) return -EINVAL;
    if (nomap) mb.memblock_remove(base, size2);
    else mb.memblock_reserve(base, size2);
    return 0;
  }
  /** fdt_reserved_mem_save_node */
  saveNode(node, name, base, size2) {
    if (this.regions.length === MAX_RESERVED_REGIONS) {
      this.printk("OF: reserved mem: not enough space all defined regions.");
      return;
    }
    this.regions.push({ name, node, base, size: size2 });
  }
  /** __reserved_mem_reserve_reg: -ENOENT without `reg`, -EINVAL when it is malformed. */
  reserveReg(node, uname) {
    const tLen = (this.cells.addr + this.cells.size) * 4;
    const prop = getProp(node, "reg");
    if (!prop) return -ENOENT;
    if (prop.length && prop.length % tLen !== 0) {
      this.printk(`OF: fdt: Reserved memory: invalid reg property in '${uname}', skipping node.`);
      return -EINVAL;
    }
    const nomap = getProp(node, "no-map") !== void 0;
    const cells = cellsOf(prop);
    let first = true;
    for (let at = 0; at + this.cells.addr + this.cells.size <= cells.length; at += this.cells.addr + this.cells.size) {
      const base = readCells(cells, at, this.cells.addr);
      const size2 = readCells(cells, at + this.cells.addr, this.cells.size);
      if (!(size2 && this.reserveArch(base, size2, nomap) === 0))
        this.printk(`OF: fdt: Reserved memory: failed to reserve memory for node '${uname}': base ${fmtPa(base)}, size ${Math.floor(size2 / SZ_1M2)} MiB`);
      if (first) {
        this.saveNode(node, uname, base, size2);
        first = false;
      }
    }
    return 0;
  }
  /** __fdt_scan_reserved_mem: the static regions now, the dynamic ones saved for later. */
  scan() {
    const rm = this.dt.root.children.find((c) => c.name === "reserved-memory");
    if (!rm) return;
    if (!this.checkRoot(rm)) {
      this.printk("OF: fdt: Reserved memory: unsupported node format, ignoring");
      return;
    }
    for (const child of rm.children) {
      if (!isAvailable(child)) continue;
      const err7 = this.reserveReg(child, child.name);
      if (err7 === -ENOENT && getProp(child, "size")) this.saveNode(child, child.name, 0, 0);
    }
  }
  /** __reserved_mem_check_root */
  checkRoot(rm) {
    const u323 = (name) => {
      const p = getProp(rm, name);
      return p && p.length >= 4 ? cellsOf(p)[0] : void 0;
    };
    return u323("#size-cells") === this.cells.size && u323("#address-cells") === this.cells.addr && getProp(rm, "ranges") !== void 0;
  }
  /** early_init_dt_alloc_reserved_memory_arch: top-down in [start, end), removed for no-map. */
  allocArch(size2, align, start, end, nomap) {
    const mb = this.ctx.memblock;
    const base = mb.memblock_phys_alloc_range(size2, align || SMP_CACHE_BYTES, start, end);
    if (base && nomap) {
      mb.memblock_phys_free(base, size2);
      mb.memblock_remove(base, size2);
    }
    return base;
  }
  /** __reserved_mem_alloc_size: place a dynamic region; 0 or a negative errno. */
  allocSize(rmem) {
    const { node, name: uname } = rmem;
    const tLen = (this.cells.addr + this.cells.size) * 4;
    const sizeProp = getProp(node, "size");
    if (!sizeProp) return -EINVAL;
    if (sizeProp.length !== this.cells.size * 4) {
      this.printk(`OF: reserved mem: invalid size property in '${uname}' node.`);
      return -EINVAL;
    }
    const size2 = readCells(cellsOf(sizeProp), 0, this.cells.size);
    let align = 0;
    const alignProp = getProp(node, "alignment");
    if (alignProp) {
      if (alignProp.length !== this.cells.addr * 4) {
        this.printk(`OF: reserved mem: invalid alignment property in '${uname}' node.`);
        return -EINVAL;
      }
      align = readCells(cellsOf(alignProp), 0, this.cells.addr);
    }
    const nomap = getProp(node, "no-map") !== void 0;
    if (isCompatible(node, "shared-dma-pool") && getProp(node, "reusable") !== void 0 && !nomap)
      align = Math.max(align, 4096 * 2 ** Math.max(this.ctx.maxOrder - 1, this.ctx.pageblockOrder));
    if (align && 2 ** Math.round(Math.log2(align)) !== align) align = 2 ** Math.ceil(Math.log2(align));
    let base = 0;
    const ranges = getProp(node, "alloc-ranges");
    if (ranges) {
      if (ranges.length % tLen !== 0) {
        this.printk(`OF: reserved mem: invalid alloc-ranges property in '${uname}', skipping node.`);
        return -EINVAL;
      }
      const cells = cellsOf(ranges);
      for (let at = 0; at < cells.length; at += this.cells.addr + this.cells.size) {
        const start = readCells(cells, at, this.cells.addr);
        const end = start + readCells(cells, at + this.cells.addr, this.cells.size);
        base = end > start ? this.allocArch(size2, align, start, end, nomap) : 0;
        if (base) break;
      }
    } else {
      base = this.allocArch(size2, align, 0, 0, nomap);
    }
    if (base === 0) {
      this.printk(`OF: reserved mem: failed to allocate memory for node '${uname}'`);
      return -ENOMEM;
    }
    rmem.base = base;
    rmem.size = size2;
    return 0;
  }
  /** __rmem_check_for_overlap, after sorting as __rmem_cmp does. */
  checkOverlap() {
    this.regions.sort((a, b) => a.base - b.base || a.size - b.size);
    for (let i = 0; i + 1 < this.regions.length; i++) {
      const a = this.regions[i];
      const b = this.regions[i + 1];
      if (!(a.base && b.base)) continue;
      if (a.base + a.size > b.base) {
        this.printk("OF: reserved mem: OVERLAP DETECTED!");
        this.printk(`${a.name} (${fmtPa(a.base)}--${fmtPa(a.base + a.size)}) overlaps with ${b.name} (${fmtPa(b.base)}--${fmtPa(b.base + b.size)})`);
      }
    }
  }
  /** __reserved_mem_init_node: the first init function that takes the region wins. */
  initNode(rmem) {
    let ret = -ENOENT;
    for (const entry of this.ctx.table) {
      if (!isCompatible(rmem.node, entry.compatible)) continue;
      ret = entry.init(rmem);
      if (ret === 0) {
        this.printk(`OF: reserved mem: initialized node ${rmem.name}, compatible id ${entry.compatible}`);
        break;
      }
    }
    return ret;
  }
  /** fdt_init_reserved_mem */
  init() {
    this.checkOverlap();
    for (const rmem of this.regions) {
      const nomap = getProp(rmem.node, "no-map") !== void 0;
      const ph = getProp(rmem.node, "phandle") ?? getProp(rmem.node, "linux,phandle");
      if (ph && ph.length >= 4) rmem.phandle = cellsOf(ph)[0];
      let err7 = 0;
      if (rmem.size === 0) err7 = this.allocSize(rmem);
      if (err7 !== 0) continue;
      err7 = this.initNode(rmem);
      if (err7 !== 0 && err7 !== -ENOENT) {
        this.printk(`OF: reserved mem: node ${rmem.name} compatible matching fail`);
        this.ctx.memblock.memblock_phys_free(rmem.base, rmem.size);
        if (nomap) this.ctx.memblock.memblock_add(rmem.base, rmem.size);
      }
    }
  }
};
function early_init_fdt_scan_reserved_mem(dt, ctx) {
  const rm = new ReservedMemory(dt, ctx);
  rm.scan();
  rm.init();
  return rm.regions;
}

// kernel-model/mm/page_alloc/mm_types.ts
var STRUCT_PAGE_SIZE = 64;
var PAGE_WORDS = STRUCT_PAGE_SIZE / 4;
var PAGE_WORDS_SHIFT = 4;
var NIL = -1;
var W_FLAGS = 0;
var W_FLAGS_HI = 1;
var W_LRU_NEXT = 2;
var W_LRU_PREV = 4;
var W_MAPPING = 6;
var W_INDEX = 8;
var W_PRIVATE = 10;
var W_MAPCOUNT = 12;
var W_REFCOUNT = 13;
var W_MEMCG = 14;
var PG_locked = 0;
var PG_lru = 4;
var PG_active = 5;
var PG_slab = 9;
var PG_reserved = 12;
var PG_private = 13;
var PG_private_2 = 14;
var PG_writeback = 15;
var PG_unevictable = 20;
var PG_mlocked = 21;
var NR_PAGEFLAGS = 22;
var PAGEFLAG_NAMES = [
  "locked",
  "referenced",
  "uptodate",
  "dirty",
  "lru",
  "active",
  "workingset",
  "waiters",
  "error",
  "slab",
  "owner_priv_1",
  "arch_1",
  "reserved",
  "private",
  "private_2",
  "writeback",
  "head",
  "mappedtodisk",
  "reclaim",
  "swapbacked",
  "unevictable",
  "mlocked"
];
var PAGE_FLAGS_CHECK_AT_FREE = 1 << PG_lru | 1 << PG_locked | 1 << PG_private | 1 << PG_private_2 | 1 << PG_writeback | 1 << PG_reserved | 1 << PG_slab | 1 << PG_active | 1 << PG_unevictable | 1 << PG_mlocked;
var PAGE_FLAGS_CHECK_AT_PREP = (1 << NR_PAGEFLAGS) - 1;
var PAGE_TYPE_BASE = 4026531840 | 0;
var PG_buddy = 128;
var PAGE_MAPCOUNT_RESET = -1;
var PAGE_BUDDY_MAPCOUNT_VALUE = ~PG_buddy;
var ZONES_SHIFT_HI = 30;
var ZONES_MASK = 3;
function zonenum_of(flagsHi) {
  return flagsHi >>> ZONES_SHIFT_HI & ZONES_MASK;
}
var NR_PAGEBLOCK_BITS = 4;
var MIGRATETYPE_MASK = 7;
var PAGEBLOCK_BITS_MASK = (1 << NR_PAGEBLOCK_BITS) - 1;
var MemMap = class _MemMap {
  /**
   * @param pa           physical address of the struct page array (64-byte aligned)
   * @param basePfn      first PFN described (section aligned)
   * @param nrPages      number of struct pages
   * @param usemapPa     physical address of the pageblock bitmap
   * @param pageblockOrder pageblock_order
   */
  constructor(ram, pa, basePfn, nrPages, usemapPa, pageblockOrder) {
    this.pa = pa;
    this.basePfn = basePfn;
    this.nrPages = nrPages;
    this.usemapPa = usemapPa;
    this.pageblockOrder = pageblockOrder;
    this.w = ram.view(Int32Array, pa, nrPages * PAGE_WORDS, 4);
    this.pageblockFlags = ram.bytes(usemapPa, _MemMap.usemapBytes(nrPages, pageblockOrder));
    this.onPcp = new Uint8Array(nrPages);
    this.endPfn = basePfn + nrPages;
  }
  pa;
  basePfn;
  nrPages;
  usemapPa;
  pageblockOrder;
  /** Int32 view of the whole struct page array. */
  w;
  /** NR_PAGEBLOCK_BITS = 4 per pageblock, two pageblocks per byte. */
  pageblockFlags;
  /**
   * Model bookkeeping in host memory, not part of struct page: 1 while
   * the page sits on a per-CPU list. Linux has no such mark (a pcp page
   * looks like the tail of an allocated block); we need it to refuse a
   * wrong-order free that would reach into a pcp list instead of
   * corrupting it.
   */
  onPcp;
  endPfn;
  /** Bytes of pageblock bitmap for nrPages frames (4 bits per pageblock). */
  static usemapBytes(nrPages, pageblockOrder) {
    const blocks = Math.ceil(nrPages / 2 ** pageblockOrder);
    return Math.ceil(blocks / 2);
  }
  /** pfn_valid: does the PFN have a struct page? */
  pfn_valid(pfn) {
    return Number.isInteger(pfn) && pfn >= this.basePfn && pfn < this.endPfn;
  }
  /** pfn's place in mem_map: 0 for basePfn (also the index into onPcp). */
  slot(pfn) {
    return pfn - this.basePfn;
  }
  /** Index of word 0 of pfn's struct page in `w`. */
  idx(pfn) {
    return pfn - this.basePfn << PAGE_WORDS_SHIFT;
  }
  /** Physical address of pfn's struct page (what a debugger would follow). */
  page_struct_pa(pfn) {
    return this.pa + (pfn - this.basePfn) * STRUCT_PAGE_SIZE;
  }
  /* ---- field accessors (the hot paths index `w` directly) ---- */
  flags(pfn) {
    return this.w[this.idx(pfn) + W_FLAGS];
  }
  page_refcount(pfn) {
    return this.w[this.idx(pfn) + W_REFCOUNT];
  }
  page_mapcount_raw(pfn) {
    return this.w[this.idx(pfn) + W_MAPCOUNT];
  }
  page_private(pfn) {
    return this.w[this.idx(pfn) + W_PRIVATE];
  }
  page_index(pfn) {
    return this.w[this.idx(pfn) + W_INDEX];
  }
  lru_next(pfn) {
    return this.w[this.idx(pfn) + W_LRU_NEXT];
  }
  lru_prev(pfn) {
    return this.w[this.idx(pfn) + W_LRU_PREV];
  }
  page_zonenum(pfn) {
    return zonenum_of(this.w[this.idx(pfn) + W_FLAGS_HI]);
  }
  PageReserved(pfn) {
    return (this.flags(pfn) & 1 << PG_reserved) !== 0;
  }
  /** PageBuddy: the page type says "free block head" (PageType(page, PG_buddy)). */
  PageBuddy(pfn) {
    return isBuddyType(this.w[this.idx(pfn) + W_MAPCOUNT]);
  }
  /** __init_single_page: a fresh, in-use, untyped page of `zone`. */
  init_single_page(pfn, zone) {
    this.init_pages(pfn, pfn + 1, zone, false);
  }
  /**
   * __init_single_page for [from, to): zeroed struct pages (mm_zero_struct_page),
   * refcount 1, _mapcount -1, empty links, the zone in the flags;
   * PG_reserved too when `reserved` (init_unavailable_range).
   */
  init_pages(from, to, zone, reserved) {
    const w = this.w;
    const flags = reserved ? 1 << PG_reserved : 0;
    const hi = zone << ZONES_SHIFT_HI;
    w.fill(0, this.idx(from), this.idx(to));
    for (let i = this.idx(from), end = this.idx(to); i < end; i += PAGE_WORDS) {
      w[i + W_FLAGS] = flags;
      w[i + W_FLAGS_HI] = hi;
      w[i + W_LRU_NEXT] = NIL;
      w[i + W_LRU_PREV] = NIL;
      w[i + W_MAPCOUNT] = PAGE_MAPCOUNT_RESET;
      w[i + W_REFCOUNT] = 1;
    }
  }
  SetPageReserved(pfn) {
    this.w[this.idx(pfn) + W_FLAGS] |= 1 << PG_reserved;
  }
  ClearPageReserved(pfn) {
    this.w[this.idx(pfn) + W_FLAGS] &= ~(1 << PG_reserved);
  }
  set_page_count(pfn, v) {
    this.w[this.idx(pfn) + W_REFCOUNT] = v;
  }
  /*
   * ---- pageblock flags (get/set_pfnblock_flags_mask) ----
   * pb is the pageblock's number in mem_map; two pageblocks share a byte,
   * the even one in the low nibble. Every free reads the migratetype, so
   * pb stays written out here (a helper method for it measured slower on
   * the order-0 free path).
   */
  get_pageblock_migratetype(pfn) {
    const pb = pfn - this.basePfn >> this.pageblockOrder;
    return this.pageblockFlags[pb >> 1] >> (pb & 1) * NR_PAGEBLOCK_BITS & MIGRATETYPE_MASK;
  }
  set_pageblock_migratetype(pfn, mt) {
    const pb = pfn - this.basePfn >> this.pageblockOrder;
    const shift = (pb & 1) * NR_PAGEBLOCK_BITS;
    const b = pb >> 1;
    this.pageblockFlags[b] = this.pageblockFlags[b] & ~(PAGEBLOCK_BITS_MASK << shift) | (mt & MIGRATETYPE_MASK) << shift;
  }
  /** The 16 raw 32-bit words of a struct page, for dumps. */
  raw(pfn) {
    const i = this.idx(pfn);
    return this.w.subarray(i, i + PAGE_WORDS);
  }
};
function isBuddyType(mapcount) {
  return (mapcount & (PAGE_TYPE_BASE | PG_buddy)) === PAGE_TYPE_BASE;
}
var pfn_to_phys = (pfn) => pfn * PAGE_SIZE;
var phys_to_pfn = (pa) => Math.floor(pa / PAGE_SIZE);

// kernel-model/mm/page_alloc/mmzone.ts
var MIGRATE_UNMOVABLE = 0;
var MIGRATE_MOVABLE = 1;
var MIGRATE_RECLAIMABLE = 2;
var MIGRATE_PCPTYPES = 3;
var MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES;
var MIGRATE_CMA = 4;
var MIGRATE_ISOLATE = 5;
var MIGRATE_TYPES = 6;
var migratetype_names = ["Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate"];
var ZONE_DMA = 0;
var ZONE_DMA32 = 1;
var ZONE_NORMAL = 2;
var ZONE_MOVABLE = 3;
var MAX_NR_ZONES = 4;
var zone_names = ["DMA", "DMA32", "Normal", "Movable"];
var WMARK_MIN = 0;
var WMARK_LOW = 1;
var WMARK_HIGH = 2;
var LOWMEM_RESERVE_RATIO = [256, 256, 32, 0];
var Zone = class {
  constructor(idx, maxOrder) {
    this.idx = idx;
    this.maxOrder = maxOrder;
    this.name = zone_names[idx];
    this.freeHead = new Int32Array(maxOrder * MIGRATE_TYPES).fill(NIL);
    this.freeTail = new Int32Array(maxOrder * MIGRATE_TYPES).fill(NIL);
    this.nrFree = new Int32Array(maxOrder);
  }
  idx;
  maxOrder;
  name;
  zone_start_pfn = 0;
  spanned_pages = 0;
  present_pages = 0;
  /** Pages the buddy allocator manages (present minus reserved). */
  managed_pages = 0;
  /** _watermark[WMARK_MIN/LOW/HIGH], in pages. */
  watermark = new Float64Array(3);
  /** lowmem_reserve[classzone]: pages kept back from allocations that could use a higher zone. */
  lowmem_reserve = new Float64Array(MAX_NR_ZONES);
  /** NR_FREE_PAGES (isolated free pages excluded, as in Linux). */
  nr_free_pages = 0;
  /** NR_FREE_CMA_PAGES: the part of NR_FREE_PAGES on MIGRATE_CMA lists. */
  nr_free_cma_pages = 0;
  /** zone->cma_pages: pages handed over by cma_init_reserved_areas (/proc/zoneinfo's "cma"). */
  cma_pages = 0;
  /** zone->nr_isolate_pageblock: pageblocks now MIGRATE_ISOLATE. */
  nr_isolate_pageblock = 0;
  nr_reserved_highatomic = 0;
  /** zone->watermark_boost, in pages (boost_watermark). */
  watermark_boost = 0;
  /** ZONE_BOOSTED_WATERMARK in zone->flags: wake kswapd after this allocation. */
  boosted_watermark_flag = false;
  /** First and last PFN of each free list, index order * MIGRATE_TYPES + migratetype. */
  freeHead;
  freeTail;
  /** free_area[order].nr_free */
  nrFree;
  /** zone->pageset: boot_pageset from build_all_zonelists, the zone's own from setup_per_cpu_pageset. */
  pcp;
  zone_end_pfn() {
    return this.zone_start_pfn + this.spanned_pages;
  }
  populated_zone() {
    return this.present_pages !== 0;
  }
  managed_zone() {
    return this.managed_pages !== 0;
  }
  zone_spans_pfn(pfn) {
    return pfn >= this.zone_start_pfn && pfn < this.zone_end_pfn();
  }
  /** min_wmark_pages etc.: the mark plus the current boost, as 5.10's wmark_pages(). */
  min_wmark_pages() {
    return this.watermark[WMARK_MIN] + this.watermark_boost;
  }
  low_wmark_pages() {
    return this.watermark[WMARK_LOW] + this.watermark_boost;
  }
  high_wmark_pages() {
    return this.watermark[WMARK_HIGH] + this.watermark_boost;
  }
};
function __mod_zone_freepage_state(zone, nr, mt) {
  zone.nr_free_pages += nr;
  if (mt === MIGRATE_CMA) zone.nr_free_cma_pages += nr;
}
function free_list_index(order, mt) {
  return order * MIGRATE_TYPES + mt;
}
function free_area_empty(zone, order, mt) {
  return zone.freeHead[free_list_index(order, mt)] === NIL;
}
function get_page_from_free_area(zone, order, mt) {
  return zone.freeHead[free_list_index(order, mt)];
}
function list_add(mem_map, head, tail, li, pfn) {
  const w = mem_map.w;
  const i = mem_map.idx(pfn);
  const first = head[li];
  w[i + W_LRU_NEXT] = first;
  w[i + W_LRU_PREV] = NIL;
  if (first === NIL) tail[li] = pfn;
  else w[mem_map.idx(first) + W_LRU_PREV] = pfn;
  head[li] = pfn;
}
function list_add_tail(mem_map, head, tail, li, pfn) {
  const w = mem_map.w;
  const i = mem_map.idx(pfn);
  const last = tail[li];
  w[i + W_LRU_PREV] = last;
  w[i + W_LRU_NEXT] = NIL;
  if (last === NIL) head[li] = pfn;
  else w[mem_map.idx(last) + W_LRU_NEXT] = pfn;
  tail[li] = pfn;
}
function list_del(mem_map, head, tail, li, pfn) {
  const w = mem_map.w;
  const i = mem_map.idx(pfn);
  const next = w[i + W_LRU_NEXT];
  const prev = w[i + W_LRU_PREV];
  if (prev === NIL) head[li] = next;
  else w[mem_map.idx(prev) + W_LRU_NEXT] = next;
  if (next === NIL) tail[li] = prev;
  else w[mem_map.idx(next) + W_LRU_PREV] = prev;
  w[i + W_LRU_NEXT] = NIL;
  w[i + W_LRU_PREV] = NIL;
}
function set_buddy_order(mem_map, pfn, order) {
  const i = mem_map.idx(pfn);
  mem_map.w[i + W_PRIVATE] = order;
  mem_map.w[i + W_MAPCOUNT] = PAGE_BUDDY_MAPCOUNT_VALUE;
}
function add_to_free_list(mem_map, zone, pfn, order, mt) {
  mem_map.w[mem_map.idx(pfn) + W_INDEX] = mt;
  list_add(mem_map, zone.freeHead, zone.freeTail, free_list_index(order, mt), pfn);
  zone.nrFree[order]++;
}
function add_to_free_list_tail(mem_map, zone, pfn, order, mt) {
  mem_map.w[mem_map.idx(pfn) + W_INDEX] = mt;
  list_add_tail(mem_map, zone.freeHead, zone.freeTail, free_list_index(order, mt), pfn);
  zone.nrFree[order]++;
}
function move_to_free_list(mem_map, zone, pfn, order, mt) {
  const i = mem_map.idx(pfn);
  const oldMt = mem_map.w[i + W_INDEX];
  list_del(mem_map, zone.freeHead, zone.freeTail, free_list_index(order, oldMt), pfn);
  mem_map.w[i + W_INDEX] = mt;
  list_add_tail(mem_map, zone.freeHead, zone.freeTail, free_list_index(order, mt), pfn);
}
function del_page_from_free_list(mem_map, zone, pfn, order) {
  const i = mem_map.idx(pfn);
  const mt = mem_map.w[i + W_INDEX];
  list_del(mem_map, zone.freeHead, zone.freeTail, free_list_index(order, mt), pfn);
  mem_map.w[i + W_MAPCOUNT] = PAGE_MAPCOUNT_RESET;
  mem_map.w[i + W_PRIVATE] = 0;
  zone.nrFree[order]--;
}

// kernel-model/mm/page_alloc/internal.ts
var ALLOC_WMARK_MIN = 0;
var ALLOC_WMARK_LOW = 1;
var ALLOC_NO_WATERMARKS = 4;
var ALLOC_WMARK_MASK = ALLOC_NO_WATERMARKS - 1;
var ALLOC_OOM = 8;
var ALLOC_HARDER = 16;
var ALLOC_HIGH = 32;
var ALLOC_CPUSET = 64;
var ALLOC_CMA = 128;
var ALLOC_NOFRAGMENT = 256;
var ALLOC_KSWAPD = 2048;
var HUGETLB_PAGE_ORDER = 9;
var WATERMARK_BOOST_FACTOR_DEFAULT = 15e3;
var PAGE_MAPPING_MOVABLE = 2;
var PAGE_MAPPING_FLAGS = 3;
function pageblock_order_for(maxOrder) {
  return Math.min(HUGETLB_PAGE_ORDER, maxOrder - 1);
}

// kernel-model/mm/page_alloc/watermark.ts
var WATERMARK_SCALE_FACTOR = 10;
function int_sqrt(x) {
  let r2 = Math.floor(Math.sqrt(x));
  while (r2 * r2 > x) r2--;
  while ((r2 + 1) * (r2 + 1) <= x) r2++;
  return r2;
}
function mult_frac(x, n, d) {
  return Math.floor(x / d) * n + Math.floor(x % d * n / d);
}
function nr_free_zone_pages(zones, offset) {
  let sum2 = 0;
  for (let z = 0; z <= offset && z < zones.length; z++) {
    const zone = zones[z];
    if (!zone.populated_zone()) continue;
    const size2 = zone.managed_pages;
    const high = zone.high_wmark_pages();
    if (size2 > high) sum2 += size2 - high;
  }
  return sum2;
}
function compute_min_free_kbytes(lowmemKbytes) {
  return Math.min(Math.max(int_sqrt(lowmemKbytes * 16), 128), 262144);
}
function setup_per_zone_wmarks(zones, minFreeKbytes) {
  const pagesMin = minFreeKbytes >> PAGE_SHIFT - 10;
  let lowmemPages = 0;
  for (const zone of zones) lowmemPages += zone.managed_pages;
  for (const zone of zones) {
    let tmp = lowmemPages === 0 ? 0 : Math.floor(pagesMin * zone.managed_pages / lowmemPages);
    zone.watermark[WMARK_MIN] = tmp;
    tmp = Math.max(Math.floor(tmp / 4), mult_frac(zone.managed_pages, WATERMARK_SCALE_FACTOR, 1e4));
    zone.watermark[WMARK_LOW] = zone.watermark[WMARK_MIN] + tmp;
    zone.watermark[WMARK_HIGH] = zone.watermark[WMARK_MIN] + tmp * 2;
  }
}
function setup_per_zone_lowmem_reserve(zones) {
  for (let i = 0; i < MAX_NR_ZONES - 1; i++) {
    const zone = zones[i];
    const ratio = LOWMEM_RESERVE_RATIO[i];
    const clear = ratio === 0 || zone.managed_pages === 0;
    let managed = 0;
    for (let j = i + 1; j < MAX_NR_ZONES; j++) {
      managed += zones[j].managed_pages;
      zone.lowmem_reserve[j] = clear ? 0 : Math.floor(managed / ratio);
    }
  }
}
function calculate_totalreserve_pages(zones) {
  let total = 0;
  for (let i = 0; i < zones.length; i++) {
    const zone = zones[i];
    let max = 0;
    for (let j = i; j < MAX_NR_ZONES; j++) max = Math.max(max, zone.lowmem_reserve[j]);
    max += zone.high_wmark_pages();
    total += Math.min(max, zone.managed_pages);
  }
  return total;
}
function __zone_watermark_unusable_free(zone, order, allocFlags) {
  let unusable = (1 << order) - 1;
  if (!(allocFlags & (ALLOC_HARDER | ALLOC_OOM))) unusable += zone.nr_reserved_highatomic;
  if (!(allocFlags & ALLOC_CMA)) unusable += zone.nr_free_cma_pages;
  return unusable;
}
function __zone_watermark_ok(zone, order, mark, highestZoneidx, allocFlags, freePages) {
  const harder = (allocFlags & (ALLOC_HARDER | ALLOC_OOM)) !== 0;
  let min = mark;
  freePages -= __zone_watermark_unusable_free(zone, order, allocFlags);
  if (allocFlags & ALLOC_HIGH) min -= Math.floor(min / 2);
  if (harder) min -= allocFlags & ALLOC_OOM ? Math.floor(min / 2) : Math.floor(min / 4);
  if (freePages <= min + zone.lowmem_reserve[highestZoneidx]) return false;
  if (order === 0) return true;
  for (let o = order; o < zone.maxOrder; o++) {
    if (zone.nrFree[o] === 0) continue;
    for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) if (!free_area_empty(zone, o, mt)) return true;
    if (allocFlags & ALLOC_CMA && !free_area_empty(zone, o, MIGRATE_CMA)) return true;
    if (harder && !free_area_empty(zone, o, MIGRATE_HIGHATOMIC)) return true;
  }
  return false;
}
function zone_watermark_fast(zone, order, mark, highestZoneidx, allocFlags) {
  const freePages = zone.nr_free_pages;
  if (order === 0) {
    const reserved = __zone_watermark_unusable_free(zone, 0, allocFlags);
    const usable = freePages - Math.min(freePages, reserved);
    if (usable > mark + zone.lowmem_reserve[highestZoneidx]) return true;
  }
  return __zone_watermark_ok(zone, order, mark, highestZoneidx, allocFlags, freePages);
}

// kernel-model/mm/page_alloc/fallback.ts
var FALLBACKS = [
  /* MIGRATE_UNMOVABLE */
  [MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE],
  /* MIGRATE_MOVABLE */
  [MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE],
  /* MIGRATE_RECLAIMABLE */
  [MIGRATE_UNMOVABLE, MIGRATE_MOVABLE]
];
var CAN_STEAL = 256;
var FALLBACK_MT_MASK = CAN_STEAL - 1;
function can_steal_fallback(cfg, order, startMt) {
  if (order >= cfg.pageblockOrder) return true;
  return order >= cfg.pageblockOrder >> 1 || startMt === MIGRATE_RECLAIMABLE || startMt === MIGRATE_UNMOVABLE || cfg.page_group_by_mobility_disabled;
}
function find_suitable_fallback(cfg, zone, order, mt, onlyStealable) {
  if (zone.nrFree[order] === 0) return -1;
  let canSteal = false;
  for (const fallbackMt of FALLBACKS[mt] ?? []) {
    if (free_area_empty(zone, order, fallbackMt)) continue;
    if (can_steal_fallback(cfg, order, mt)) canSteal = true;
    if (!onlyStealable || canSteal) return fallbackMt | (canSteal ? CAN_STEAL : 0);
  }
  return -1;
}
var movedCounts = { movable: 0 };
function move_freepages_block(cfg, zone, pfn, mt) {
  const nr = 1 << cfg.pageblockOrder;
  let start = pfn - (pfn & nr - 1);
  const end = start + nr - 1;
  if (!zone.zone_spans_pfn(start)) start = pfn;
  if (!zone.zone_spans_pfn(end)) return 0;
  const mem_map = cfg.mem_map;
  const w = mem_map.w;
  let moved = 0;
  let movable = 0;
  movedCounts.movable = 0;
  for (let p = start; p <= end; ) {
    const i = mem_map.idx(p);
    if (!isBuddyType(w[i + W_MAPCOUNT])) {
      if (w[i + W_FLAGS] & 1 << PG_lru || (w[i + W_MAPPING] & PAGE_MAPPING_FLAGS) === PAGE_MAPPING_MOVABLE) movable++;
      p++;
      continue;
    }
    const order = w[i + W_PRIVATE];
    move_to_free_list(mem_map, zone, p, order, mt);
    p += 1 << order;
    moved += 1 << order;
  }
  movedCounts.movable = movable;
  return moved;
}
function boost_watermark(cfg, zone) {
  if (!cfg.watermark_boost_factor) return false;
  const pb = 1 << cfg.pageblockOrder;
  if (pb * 4 > zone.managed_pages) return false;
  let maxBoost = mult_frac(zone.watermark[2], cfg.watermark_boost_factor, 1e4);
  if (!maxBoost) return false;
  maxBoost = Math.max(pb, maxBoost);
  zone.watermark_boost = Math.min(zone.watermark_boost + pb, maxBoost);
  return true;
}
function change_pageblock_range(cfg, pfn, startOrder, mt) {
  const nrBlocks = 1 << startOrder - cfg.pageblockOrder;
  for (let k = 0; k < nrBlocks; k++) cfg.mem_map.set_pageblock_migratetype(pfn + (k << cfg.pageblockOrder), mt);
}
function steal_suitable_fallback(cfg, zone, pfn, allocFlags, startMt, wholeBlock) {
  const mem_map = cfg.mem_map;
  const currentOrder = mem_map.page_private(pfn);
  const oldBlockType = mem_map.get_pageblock_migratetype(pfn);
  const singlePage = () => move_to_free_list(mem_map, zone, pfn, currentOrder, startMt);
  if (oldBlockType === MIGRATE_HIGHATOMIC) return singlePage();
  if (currentOrder >= cfg.pageblockOrder) {
    change_pageblock_range(cfg, pfn, currentOrder, startMt);
    return singlePage();
  }
  if (boost_watermark(cfg, zone) && allocFlags & ALLOC_KSWAPD) zone.boosted_watermark_flag = true;
  if (!wholeBlock) return singlePage();
  const freePages = move_freepages_block(cfg, zone, pfn, startMt);
  const movablePages = movedCounts.movable;
  let alikePages;
  if (startMt === MIGRATE_MOVABLE) alikePages = movablePages;
  else if (oldBlockType === MIGRATE_MOVABLE) alikePages = (1 << cfg.pageblockOrder) - (freePages + movablePages);
  else alikePages = 0;
  if (freePages === 0) return singlePage();
  if (freePages + alikePages >= 1 << cfg.pageblockOrder - 1 || cfg.page_group_by_mobility_disabled)
    mem_map.set_pageblock_migratetype(pfn, startMt);
}
function __rmqueue_fallback(cfg, zone, order, startMt, allocFlags) {
  const minOrder = allocFlags & ALLOC_NOFRAGMENT ? cfg.pageblockOrder : order;
  let found = -1;
  let currentOrder = cfg.maxOrder - 1;
  for (; currentOrder >= minOrder; currentOrder--) {
    found = find_suitable_fallback(cfg, zone, currentOrder, startMt, false);
    if (found !== -1) break;
  }
  if (found === -1) return false;
  if (!(found & CAN_STEAL) && startMt === MIGRATE_MOVABLE && currentOrder > order) {
    for (currentOrder = order; currentOrder < cfg.maxOrder; currentOrder++) {
      found = find_suitable_fallback(cfg, zone, currentOrder, startMt, false);
      if (found !== -1) break;
    }
    if (found === -1) return false;
  }
  const pfn = get_page_from_free_area(zone, currentOrder, found & FALLBACK_MT_MASK);
  if (pfn === NIL) return false;
  steal_suitable_fallback(cfg, zone, pfn, allocFlags, startMt, (found & CAN_STEAL) !== 0);
  return true;
}

// kernel-model/mm/page_alloc/buddy.ts
function page_is_buddy(cfg, i, buddyPfn, order) {
  const mem_map = cfg.mem_map;
  if (buddyPfn < mem_map.basePfn || buddyPfn >= mem_map.endPfn) return false;
  const w = mem_map.w;
  const bi = mem_map.idx(buddyPfn);
  if (!isBuddyType(w[bi + W_MAPCOUNT])) return false;
  if (w[bi + W_PRIVATE] !== order) return false;
  return w[bi + W_FLAGS_HI] === w[i + W_FLAGS_HI];
}
function buddy_merge_likely(cfg, pfn, order) {
  if (order >= cfg.maxOrder - 2) return false;
  const buddyPfn = pfn ^ 1 << order;
  const combined = buddyPfn & pfn;
  const higherBuddy = combined ^ 1 << order + 1;
  return page_is_buddy(cfg, cfg.mem_map.idx(combined), higherBuddy, order + 1);
}
function __free_one_page(cfg, zone, pfn, order, mt, toTail) {
  const mem_map = cfg.mem_map;
  const maxOrder = cfg.maxOrder;
  if (mt !== MIGRATE_ISOLATE) __mod_zone_freepage_state(zone, 1 << order, mt);
  while (order < maxOrder - 1) {
    const buddyPfn = pfn ^ 1 << order;
    if (!page_is_buddy(cfg, mem_map.idx(pfn), buddyPfn, order)) break;
    if (order >= cfg.pageblockOrder && zone.nr_isolate_pageblock > 0) {
      const buddyMt = mem_map.get_pageblock_migratetype(buddyPfn);
      if (mt !== buddyMt && (mt === MIGRATE_ISOLATE || buddyMt === MIGRATE_ISOLATE)) break;
    }
    del_page_from_free_list(mem_map, zone, buddyPfn, order);
    pfn &= buddyPfn;
    order++;
  }
  set_buddy_order(mem_map, pfn, order);
  if (toTail || buddy_merge_likely(cfg, pfn, order)) add_to_free_list_tail(mem_map, zone, pfn, order, mt);
  else add_to_free_list(mem_map, zone, pfn, order, mt);
}
function expand(cfg, zone, pfn, low, high, mt) {
  const mem_map = cfg.mem_map;
  let size2 = 1 << high;
  while (high > low) {
    high--;
    size2 >>= 1;
    add_to_free_list(mem_map, zone, pfn + size2, high, mt);
    set_buddy_order(mem_map, pfn + size2, high);
  }
}
function __rmqueue_smallest(cfg, zone, order, mt) {
  for (let current = order; current < cfg.maxOrder; current++) {
    const pfn = get_page_from_free_area(zone, current, mt);
    if (pfn === NIL) continue;
    del_page_from_free_list(cfg.mem_map, zone, pfn, current);
    expand(cfg, zone, pfn, order, current, mt);
    cfg.mem_map.w[cfg.mem_map.idx(pfn) + W_INDEX] = mt;
    return pfn;
  }
  return NIL;
}
function __rmqueue(cfg, zone, order, mt, allocFlags) {
  if (allocFlags & ALLOC_CMA && zone.nr_free_cma_pages > Math.floor(zone.nr_free_pages / 2)) {
    const pfn = __rmqueue_smallest(cfg, zone, order, MIGRATE_CMA);
    if (pfn !== NIL) return pfn;
  }
  for (; ; ) {
    let pfn = __rmqueue_smallest(cfg, zone, order, mt);
    if (pfn !== NIL) return pfn;
    if (allocFlags & ALLOC_CMA) {
      pfn = __rmqueue_smallest(cfg, zone, order, MIGRATE_CMA);
      if (pfn !== NIL) return pfn;
    }
    if (!__rmqueue_fallback(cfg, zone, order, mt, allocFlags)) return NIL;
  }
}
function pfn_alignment_order(pfn, maxOrder) {
  if (pfn === 0) return maxOrder - 1;
  return Math.min(maxOrder - 1, 31 - Math.clz32(pfn & -pfn));
}
function __free_pages_range(cfg, zone, start, end, toTail, mt) {
  while (start < end) {
    let order = pfn_alignment_order(start, cfg.maxOrder);
    while (start + (1 << order) > end) order--;
    __free_one_page(cfg, zone, start, order, mt >= 0 ? mt : cfg.mem_map.get_pageblock_migratetype(start), toTail);
    start += 1 << order;
  }
}

// kernel-model/mm/page_alloc/contig.ts
var EBUSY2 = 16;
var EINVAL2 = 22;
var alignDown = (x, a) => x - x % a;
var alignUp3 = (x, a) => Math.ceil(x / a) * a;
function has_unmovable_pages(pgalloc, pfn, migratetype) {
  const mem_map = pgalloc.mem_map;
  const mt = mem_map.get_pageblock_migratetype(pfn);
  if (mt === MIGRATE_CMA) return migratetype !== MIGRATE_CMA;
  const end = pfn + (1 << pgalloc.pageblockOrder);
  for (let p = pfn; p < end; ) {
    const i = mem_map.idx(p);
    if (mem_map.w[i + W_FLAGS] & 1 << PG_reserved) return true;
    if (isBuddyType(mem_map.w[i + W_MAPCOUNT])) p += 1 << mem_map.w[i + W_PRIVATE];
    else if (mem_map.w[i + W_REFCOUNT] === 0) p++;
    else return true;
  }
  return false;
}
function set_migratetype_isolate(pgalloc, pfn, migratetype) {
  const mem_map = pgalloc.mem_map;
  const zone = pgalloc.page_zone(pfn);
  const mt = mem_map.get_pageblock_migratetype(pfn);
  if (mt === MIGRATE_ISOLATE || has_unmovable_pages(pgalloc, pfn, migratetype)) return -EBUSY2;
  mem_map.set_pageblock_migratetype(pfn, MIGRATE_ISOLATE);
  zone.nr_isolate_pageblock++;
  const moved = move_freepages_block(pgalloc, zone, pfn, MIGRATE_ISOLATE);
  __mod_zone_freepage_state(zone, -moved, mt);
  return 0;
}
function unset_migratetype_isolate(pgalloc, pfn, migratetype) {
  const mem_map = pgalloc.mem_map;
  const zone = pgalloc.page_zone(pfn);
  if (mem_map.get_pageblock_migratetype(pfn) !== MIGRATE_ISOLATE) return;
  mem_map.set_pageblock_migratetype(pfn, migratetype);
  zone.nr_isolate_pageblock--;
  const i = mem_map.idx(pfn);
  const order = mem_map.w[i + W_PRIVATE];
  if (isBuddyType(mem_map.w[i + W_MAPCOUNT]) && order >= pgalloc.pageblockOrder && order < pgalloc.maxOrder - 1) {
    const buddy = pfn ^ 1 << order;
    if (mem_map.pfn_valid(buddy) && mem_map.get_pageblock_migratetype(buddy) !== MIGRATE_ISOLATE) {
      del_page_from_free_list(mem_map, zone, pfn, order);
      __free_one_page(pgalloc, zone, pfn, order, migratetype, false);
      return;
    }
  }
  const moved = move_freepages_block(pgalloc, zone, pfn, migratetype);
  __mod_zone_freepage_state(zone, moved, migratetype);
}
function start_isolate_page_range(pgalloc, start, end, migratetype) {
  const pb = 1 << pgalloc.pageblockOrder;
  for (let pfn = start; pfn < end; pfn += pb) {
    if (!pgalloc.mem_map.pfn_valid(pfn)) continue;
    if (set_migratetype_isolate(pgalloc, pfn, migratetype) !== 0) {
      undo_isolate_page_range(pgalloc, start, pfn, migratetype);
      return -EBUSY2;
    }
  }
  return 0;
}
function undo_isolate_page_range(pgalloc, start, end, migratetype) {
  const pb = 1 << pgalloc.pageblockOrder;
  for (let pfn = start; pfn < end; pfn += pb) if (pgalloc.mem_map.pfn_valid(pfn)) unset_migratetype_isolate(pgalloc, pfn, migratetype);
}
function test_pages_isolated(pgalloc, start, end) {
  const mem_map = pgalloc.mem_map;
  const pb = 1 << pgalloc.pageblockOrder;
  for (let pfn2 = alignDown(start, pb); pfn2 < end; pfn2 += pb) if (mem_map.get_pageblock_migratetype(pfn2) !== MIGRATE_ISOLATE) return Math.max(pfn2, start);
  let pfn = start;
  while (pfn < end) {
    const i = mem_map.idx(pfn);
    if (!isBuddyType(mem_map.w[i + W_MAPCOUNT])) break;
    pfn += 1 << mem_map.w[i + W_PRIVATE];
  }
  return pfn;
}
function isolate_freepages_range(pgalloc, start, end) {
  const mem_map = pgalloc.mem_map;
  let pfn = start;
  while (pfn < end) {
    const i = mem_map.idx(pfn);
    const order = mem_map.w[i + W_PRIVATE];
    del_page_from_free_list(mem_map, pgalloc.page_zone(pfn), pfn, order);
    for (let p = pfn; p < pfn + (1 << order); p++) mem_map.set_page_count(p, 1);
    pfn += 1 << order;
  }
  return pfn;
}
function alloc_contig_range(pgalloc, start, end, migratetype) {
  const mem_map = pgalloc.mem_map;
  if (!(start < end) || !mem_map.pfn_valid(start) || !mem_map.pfn_valid(end - 1)) return -EINVAL2;
  if (pgalloc.page_zone(start) !== pgalloc.page_zone(end - 1)) return -EINVAL2;
  const maxNr = 1 << pgalloc.maxOrder - 1;
  const isoStart = alignDown(start, maxNr);
  const isoEnd = Math.min(alignUp3(end, maxNr), mem_map.endPfn);
  let ret = start_isolate_page_range(pgalloc, isoStart, isoEnd, migratetype);
  if (ret) return ret;
  pgalloc.drain_all_pages(pgalloc.page_zone(start));
  let outerStart = start;
  for (let order = 0; !mem_map.PageBuddy(outerStart); ) {
    if (++order >= pgalloc.maxOrder) {
      outerStart = start;
      break;
    }
    outerStart = alignDown(start, 1 << order);
  }
  if (outerStart !== start && outerStart + (1 << mem_map.page_private(outerStart)) <= start) outerStart = start;
  const busy = test_pages_isolated(pgalloc, outerStart, end);
  if (busy < end) {
    pgalloc.report.printk(`alloc_contig_range: [${outerStart.toString(16)}, ${end.toString(16)}) PFNs busy`);
    ret = -EBUSY2;
  } else {
    const outerEnd = isolate_freepages_range(pgalloc, outerStart, end);
    if (start !== outerStart) free_contig_range(pgalloc, outerStart, start - outerStart);
    if (end !== outerEnd) free_contig_range(pgalloc, end, outerEnd - end);
  }
  undo_isolate_page_range(pgalloc, isoStart, isoEnd, migratetype);
  return ret;
}
function free_contig_range(pgalloc, pfn, nr) {
  let stillUsed = 0;
  for (let p = pfn; p < pfn + nr; p++) {
    if (pgalloc.page_count(p) !== 1) stillUsed++;
    pgalloc.__free_pages(p, 0);
  }
  if (stillUsed) pgalloc.report.printk(`${stillUsed} pages are still in use!`);
}

// kernel-model/mm/cma.ts
var MAX_CMA_AREAS = 8;
var SZ_1M3 = 1048576;
var SZ_4G = 2 ** 32;
var EINVAL3 = 22;
var ENOMEM2 = 12;
var EBUSY3 = 16;
var ENOSPC = 28;
var Cma = class {
  constructor(name, base_pfn, count, order_per_bit) {
    this.name = name;
    this.base_pfn = base_pfn;
    this.count = count;
    this.order_per_bit = order_per_bit;
  }
  name;
  base_pfn;
  count;
  order_per_bit;
  bitmap = null;
  /** Pages handed out and pages refused, as /sys/kernel/mm/cma/<name>/alloc_pages_{success,fail}. */
  alloc_pages_success = 0;
  alloc_pages_fail = 0;
  /** cma_bitmap_maxno */
  maxno() {
    return this.count >> this.order_per_bit;
  }
  bit(i) {
    return (this.bitmap[i >> 3] & 1 << (i & 7)) !== 0;
  }
  setBits(from, n, v) {
    for (let i = from; i < from + n; i++) {
      if (v) this.bitmap[i >> 3] |= 1 << (i & 7);
      else this.bitmap[i >> 3] &= ~(1 << (i & 7));
    }
  }
  /** bitmap_find_next_zero_area_off */
  findZeroArea(start, nr, mask, offset) {
    const size2 = this.maxno();
    for (let index = start; ; ) {
      index = Math.ceil((index + offset) / (mask + 1)) * (mask + 1) - offset;
      while (index < size2 && this.bit(index)) index = Math.ceil((index + 1 + offset) / (mask + 1)) * (mask + 1) - offset;
      const end = index + nr;
      if (end > size2) return size2 + 1;
      let busy = -1;
      for (let i = index; i < end; i++) if (this.bit(i)) busy = i;
      if (busy < 0) return index;
      index = busy + 1;
    }
  }
  set(pfn, count, v) {
    const from = pfn - this.base_pfn >> this.order_per_bit;
    this.setBits(from, Math.ceil(count / (1 << this.order_per_bit)), v);
  }
  /** cma_debug_show_areas: "number of available pages: a@b+c@d=> N free of M total pages". */
  showAreas() {
    const nbits = this.maxno();
    let out = "number of available pages: ";
    let total = 0;
    for (let i = 0; i < nbits; ) {
      if (this.bit(i)) {
        i++;
        continue;
      }
      let j = i;
      while (j < nbits && !this.bit(j)) j++;
      const part = j - i << this.order_per_bit;
      out += `${total ? "+" : ""}${part}@${i}`;
      total += part;
      i = j;
    }
    return `${out}=> ${total} free of ${this.count} total pages`;
  }
  /** Pages of the area not handed out by cma_alloc. */
  freePages() {
    let n = 0;
    for (let i = 0; i < this.maxno(); i++) if (!this.bit(i)) n++;
    return n << this.order_per_bit;
  }
};
var CmaAreas = class {
  constructor(printk, maxOrder, pageblockOrder) {
    this.printk = printk;
    this.maxOrder = maxOrder;
    this.pageblockOrder = pageblockOrder;
  }
  printk;
  maxOrder;
  pageblockOrder;
  areas = [];
  totalcma_pages = 0;
  /** PAGE_SIZE << max(MAX_ORDER - 1, pageblock_order) */
  get alignment() {
    return PAGE_SIZE * 2 ** Math.max(this.maxOrder - 1, this.pageblockOrder);
  }
  /** cma_init_reserved_mem: an area over memory memblock already reserved. */
  cma_init_reserved_mem(memblock, base, size2, orderPerBit, name) {
    if (this.areas.length === MAX_CMA_AREAS) {
      this.printk("cma: Not enough slots for CMA reserved regions!");
      return -ENOSPC;
    }
    if (!size2 || !memblock.memblock_is_region_reserved(base, size2)) return -EINVAL3;
    const align = this.alignment;
    if (align / PAGE_SIZE % 2 ** orderPerBit !== 0) return -EINVAL3;
    if (base % align !== 0 || size2 % align !== 0) return -EINVAL3;
    const cma = new Cma(name || `cma${this.areas.length}`, Math.floor(base / PAGE_SIZE), size2 / PAGE_SIZE, orderPerBit);
    this.areas.push(cma);
    this.totalcma_pages += size2 / PAGE_SIZE;
    return cma;
  }
  /**
   * cma_declare_contiguous_nid: reserve and declare an area of `size`
   * (fixed at `base`, or anywhere below `limit`, top-down), with 5.10's
   * messages: "cma: Reserved N MiB at 0x...", or "cma: Failed to reserve
   * N MiB" after the reason.
   */
  cma_declare_contiguous(memblock, base, size2, limit, alignment, orderPerBit, fixed, name) {
    const memblockEnd = memblock.memblock_end_of_DRAM();
    if (this.areas.length === MAX_CMA_AREAS) {
      this.printk("cma: Not enough slots for CMA reserved regions!");
      return -ENOSPC;
    }
    if (!size2) return -EINVAL3;
    if (alignment && 2 ** Math.round(Math.log2(alignment)) !== alignment) return -EINVAL3;
    alignment = Math.max(alignment, this.alignment);
    const fail3 = (ret) => {
      this.printk(`cma: Failed to reserve ${Math.floor(size2 / SZ_1M3)} MiB`);
      return ret;
    };
    if (fixed && base % alignment !== 0) {
      this.printk(`cma: Region at ${fmtPa(base)} must be aligned to ${fmtPa(alignment)} bytes`);
      return fail3(-EINVAL3);
    }
    base = Math.ceil(base / alignment) * alignment;
    size2 = Math.ceil(size2 / alignment) * alignment;
    limit = limit - limit % alignment;
    if (!base) fixed = false;
    if (limit === 0 || limit > memblockEnd) limit = memblockEnd;
    if (base + size2 > limit) {
      this.printk(`cma: Size (${fmtPa(size2)}) of region at ${fmtPa(base)} exceeds limit (${fmtPa(limit)})`);
      return fail3(-EINVAL3);
    }
    if (fixed) {
      if (memblock.memblock_is_region_reserved(base, size2)) return fail3(-EBUSY3);
      memblock.memblock_reserve(base, size2);
    } else {
      let addr = 0;
      if (memblockEnd >= SZ_4G + size2 && limit > SZ_4G) addr = bottomUp(memblock, size2, alignment, SZ_4G, limit);
      if (!addr) addr = memblock.memblock_phys_alloc_range(size2, alignment, base, limit);
      if (!addr) return fail3(-ENOMEM2);
      base = addr;
    }
    const cma = this.cma_init_reserved_mem(memblock, base, size2, orderPerBit, name);
    if (typeof cma === "number") {
      memblock.memblock_phys_free(base, size2);
      return fail3(cma);
    }
    this.printk(`cma: Reserved ${Math.floor(size2 / SZ_1M3)} MiB at ${fmtPa(base)}`);
    return cma;
  }
  /**
   * cma_init_reserved_areas: each area's pageblocks become MIGRATE_CMA
   * and go to the buddy allocator (init_cma_reserved_pageblock); the zone
   * gains them as managed (and cma) pages.
   */
  cma_init_reserved_areas(pgalloc) {
    for (const cma of this.areas) this.activate(pgalloc, cma);
  }
  activate(pgalloc, cma) {
    const mem_map = pgalloc.mem_map;
    const pb = 1 << pgalloc.pageblockOrder;
    cma.bitmap = new Uint8Array(Math.ceil(cma.maxno() / 8));
    const first = cma.base_pfn;
    const zone = mem_map.pfn_valid(first) ? pgalloc.page_zone(first) : void 0;
    if (!zone) {
      cma.count = 0;
      this.printk(`cma: CMA area ${cma.name} could not be activated`);
      return;
    }
    for (let pfn = first; pfn < first + cma.count; pfn += pb) {
      for (let p = pfn; p < pfn + pb; p++) {
        if (!mem_map.pfn_valid(p) || pgalloc.page_zone(p) !== zone) {
          cma.bitmap = null;
          cma.count = 0;
          this.printk(`cma: CMA area ${cma.name} could not be activated`);
          return;
        }
      }
      for (let p = pfn; p < pfn + pb; p++) {
        const i = mem_map.idx(p);
        mem_map.w[i + W_FLAGS] &= ~(1 << PG_reserved);
        mem_map.w[i + W_REFCOUNT] = 0;
      }
      mem_map.set_pageblock_migratetype(pfn, MIGRATE_CMA);
      pgalloc.count_vm_events(PGFREE, pb);
      __free_pages_range(pgalloc, zone, pfn, pfn + pb, false, MIGRATE_CMA);
      zone.managed_pages += pb;
      zone.cma_pages += pb;
    }
  }
  /**
   * cma_alloc: `count` contiguous pages of the area at a 2^align page
   * alignment, or null.
   */
  cma_alloc(pgalloc, cma, count, align, noWarn = false) {
    if (!cma.count || !cma.bitmap) return null;
    const refuse = () => {
      if (Number.isSafeInteger(count) && count > 0) cma.alloc_pages_fail += count;
      return null;
    };
    if (!Number.isInteger(count) || count <= 0 || !Number.isInteger(align) || align < 0 || align > 30) return refuse();
    const mask = align <= cma.order_per_bit ? 0 : 2 ** (align - cma.order_per_bit) - 1;
    const offset = cma.base_pfn % 2 ** align >> cma.order_per_bit;
    const maxno = cma.maxno();
    const bitmapCount = Math.ceil(count / 2 ** cma.order_per_bit);
    if (bitmapCount > maxno) return refuse();
    let ret = -ENOMEM2;
    let page = null;
    for (let start = 0; ; ) {
      const no = cma.findZeroArea(start, bitmapCount, mask, offset);
      if (no >= maxno) break;
      const pfn = cma.base_pfn + (no << cma.order_per_bit);
      cma.set(pfn, count, true);
      ret = alloc_contig_range(pgalloc, pfn, pfn + count, MIGRATE_CMA);
      if (ret === 0) {
        page = pfn;
        break;
      }
      cma.set(pfn, count, false);
      if (ret !== -EBUSY3) break;
      start = no + mask + 1;
    }
    if (page !== null) cma.alloc_pages_success += count;
    else {
      cma.alloc_pages_fail += count;
      if (!noWarn) {
        this.printk(`cma: cma_alloc: alloc failed, req-size: ${count} pages, ret: ${ret}`);
        this.printk(`cma: ${cma.showAreas()}`);
      }
    }
    return page;
  }
  /** cma_release: give back what cma_alloc returned; false when the pages are not the area's. */
  cma_release(pgalloc, cma, pfn, count) {
    if (!cma.bitmap || !Number.isInteger(pfn) || pfn < cma.base_pfn || pfn >= cma.base_pfn + cma.count) return false;
    if (!Number.isInteger(count) || count <= 0 || pfn + count > cma.base_pfn + cma.count) return false;
    free_contig_range(pgalloc, pfn, count);
    cma.set(pfn, count, false);
    return true;
  }
  /** /proc/meminfo's CmaFree: free pages on the CMA lists (NR_FREE_CMA_PAGES). */
  nr_free_cma_pages(pgalloc) {
    return pgalloc.zones.reduce((s, z) => s + z.nr_free_cma_pages, 0);
  }
};
function bottomUp(memblock, size2, align, start, end) {
  for (const r2 of memblock.freeRanges()) {
    const s = Math.ceil(Math.max(r2.start, start) / align) * align;
    if (s + size2 <= Math.min(r2.end, end)) {
      memblock.memblock_reserve(s, size2);
      return s;
    }
  }
  return 0;
}

// kernel-model/kernel/dma/contiguous.ts
var CONFIG_CMA_SIZE_MBYTES = 5;
var SZ_1M4 = 1048576;
function memparsePrefix(text) {
  const m = /^(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)/i.exec(text);
  if (!m) return [0, text];
  let v = Number(m[1].toLowerCase().startsWith("0x") ? m[1] : m[1].length > 1 && m[1].startsWith("0") ? parseInt(m[1], 8) : m[1]);
  let rest = text.slice(m[1].length);
  const shift = { k: 10, m: 20, g: 30, t: 40, p: 50, e: 60 }[rest[0]?.toLowerCase() ?? ""];
  if (shift !== void 0) {
    v *= 2 ** shift;
    rest = rest.slice(1);
  }
  return [v, rest];
}
function early_cma(cmdline, printk) {
  const st = { size: -1, base: 0, limit: 0 };
  for (const value of cmdline?.getAll("cma") ?? []) {
    if (value === void 0) {
      printk("Config string not provided");
      continue;
    }
    let p;
    [st.size, p] = memparsePrefix(value);
    if (p[0] !== "@") continue;
    [st.base, p] = memparsePrefix(p.slice(1));
    if (p[0] !== "-") {
      st.limit = st.base + st.size;
      continue;
    }
    [st.limit] = memparsePrefix(p.slice(1));
  }
  return st;
}
var DmaContiguous = class {
  constructor(cma, memblock, printk, cmdline) {
    this.cma = cma;
    this.memblock = memblock;
    this.printk = printk;
    this.cmdline = cmdline;
  }
  cma;
  memblock;
  printk;
  cmdline;
  /** dma_contiguous_default_area */
  defaultArea = null;
  /** rmem_cma_setup */
  rmem_cma_setup = (rmem) => {
    const node = rmem.node;
    const defaultCma = getProp(node, "linux,cma-default") !== void 0;
    if (this.cmdline.size !== -1 && defaultCma) {
      this.printk(`Reserved memory: bypass ${rmem.name} node, using cmdline CMA params instead`);
      return -EBUSY;
    }
    if (getProp(node, "reusable") === void 0 || getProp(node, "no-map") !== void 0) return -EINVAL;
    const align = this.cma.alignment;
    if (rmem.base % align !== 0 || rmem.size % align !== 0) {
      this.printk("Reserved memory: incorrect alignment of CMA region");
      return -EINVAL;
    }
    const cma = this.cma.cma_init_reserved_mem(this.memblock, rmem.base, rmem.size, 0, rmem.name);
    if (typeof cma === "number") {
      this.printk("Reserved memory: unable to setup CMA region");
      return cma;
    }
    if (defaultCma) this.defaultArea = cma;
    rmem.priv = cma;
    this.printk(`Reserved memory: created CMA memory pool at ${fmtPa(rmem.base)}, size ${Math.floor(rmem.size / SZ_1M4)} MiB`);
    return 0;
  };
  /** rmem_dma_setup (kernel/dma/coherent.c): a non-reusable pool for one device. */
  rmem_dma_setup = (rmem) => {
    const node = rmem.node;
    if (getProp(node, "reusable") !== void 0) return -EINVAL;
    if (getProp(node, "no-map") === void 0 && !isCompatible(node, "shared-dma-pool")) return -EINVAL;
    this.printk(`Reserved memory: created DMA memory pool at ${fmtPa(rmem.base)}, size ${Math.floor(rmem.size / SZ_1M4)} MiB`);
    return 0;
  };
  /** The shared-dma-pool entries of __reservedmem_of_table, in 5.10's link order (contiguous.o, then coherent.o). */
  get reservedMemTable() {
    return [
      { compatible: "shared-dma-pool", init: this.rmem_cma_setup },
      { compatible: "shared-dma-pool", init: this.rmem_dma_setup }
    ];
  }
  /** dma_contiguous_reserve: the default area from cma= or the kernel config, when the DT gave none. */
  dma_contiguous_reserve(limit) {
    let size2 = 0;
    let base = 0;
    let sel = limit;
    let fixed = false;
    if (this.cmdline.size !== -1) {
      size2 = this.cmdline.size;
      base = this.cmdline.base;
      sel = this.cmdline.limit && limit ? Math.min(this.cmdline.limit, limit) : this.cmdline.limit || limit;
      if (base + size2 === this.cmdline.limit) fixed = true;
    } else {
      size2 = CONFIG_CMA_SIZE_MBYTES * SZ_1M4;
    }
    if (size2 && !this.defaultArea) {
      const cma = this.cma.cma_declare_contiguous(this.memblock, base, size2, sel, 0, 0, fixed, "reserved");
      if (typeof cma !== "number") this.defaultArea = cma;
    }
  }
};

// kernel-model/mm/page_alloc/pcp.ts
var W_COUNT = PCP_COUNT >> 2;
var W_HIGH = PCP_HIGH >> 2;
var W_BATCH = PCP_BATCH >> 2;
var W_LISTS = PCP_LISTS_OFF >> 2;
var W_LIST = LIST_HEAD_SIZE >> 2;
var W_PREV = 2;
var PerCpuPages = class {
  constructor(place, nrCpus) {
    this.nrCpus = nrCpus;
    this.ptr = place.ptr;
    this.w = place.w;
    this.prev = new Int32Array(place.w.buffer, place.w.byteOffset + W_PREV * 4, place.w.length - W_PREV);
    this.at = place.at;
    this.stride = place.stride;
  }
  nrCpus;
  /** Words of every CPU's copy (guest memory in the booted kernel). */
  w;
  /** `w` two words on: prev[li] is the .prev of the list_head whose .next is w[li]. */
  prev;
  at;
  stride;
  /** zone->pageset, the __percpu pointer (undefined for a host buffer). */
  ptr;
  /** Word index of CPU cpu's per_cpu_pageset (per_cpu_ptr(zone->pageset, cpu)). */
  base(cpu) {
    return this.at + cpu * this.stride;
  }
  count(cpu) {
    return this.w[this.base(cpu) + W_COUNT];
  }
  high(cpu) {
    return this.w[this.base(cpu) + W_HIGH];
  }
  batch(cpu) {
    return this.w[this.base(cpu) + W_BATCH];
  }
  /** First and last PFN of cpu's lists[mt] (NIL when empty). */
  head(cpu, mt) {
    return this.w[pcp_list_index(this, cpu, mt)];
  }
  tail(cpu, mt) {
    return this.prev[pcp_list_index(this, cpu, mt)];
  }
  /** Set high and batch directly (tests and benchmarks; the kernel uses pageset_set_batch). */
  set_high_batch(cpu, high, batch) {
    this.w[this.base(cpu) + W_HIGH] = high;
    this.w[this.base(cpu) + W_BATCH] = batch;
  }
  /** stat_threshold of cpu's pageset (an s8 after per_cpu_pages). */
  stat_threshold(cpu) {
    return this.w[this.base(cpu) + (PCPSET_STAT_THRESHOLD >> 2)] << 24 >> 24;
  }
  set_stat_threshold(cpu, threshold) {
    const i = this.base(cpu) + (PCPSET_STAT_THRESHOLD >> 2);
    this.w[i] = this.w[i] & ~255 | threshold & 255;
  }
};
function pcp_list_index(pcp, cpu, mt) {
  return pcp.at + cpu * pcp.stride + W_LISTS + mt * W_LIST;
}
function setup_pageset(pcp, cpu) {
  const base = pcp.base(cpu);
  pcp.w.fill(0, base, base + (PER_CPU_PAGESET_SIZE >> 2));
  for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) {
    const li = pcp_list_index(pcp, cpu, mt);
    pcp.w[li] = NIL;
    pcp.prev[li] = NIL;
  }
  pageset_set_batch(pcp, cpu, 0);
}
function rounddownPow2(x) {
  return 2 ** Math.floor(Math.log2(x));
}
function zone_batchsize(managedPages) {
  let batch = Math.floor(managedPages / 1024);
  if (batch * PAGE_SIZE > 1024 * 1024) batch = 1024 * 1024 / PAGE_SIZE;
  batch = Math.floor(batch / 4);
  if (batch < 1) batch = 1;
  return rounddownPow2(batch + (batch >> 1)) - 1;
}
function pageset_set_batch(pcp, cpu, batch) {
  pcp.set_high_batch(cpu, 6 * batch, Math.max(1, batch));
}
function rmqueue_bulk(cfg, zone, count, mt, allocFlags, cpu) {
  const pcp = zone.pcp;
  const li = pcp_list_index(pcp, cpu, mt);
  let i = 0;
  for (; i < count; i++) {
    const pfn = __rmqueue(cfg, zone, 0, mt, allocFlags);
    if (pfn === NIL) break;
    list_add_tail(cfg.mem_map, pcp.w, pcp.prev, li, pfn);
    cfg.mem_map.onPcp[cfg.mem_map.slot(pfn)] = 1;
    if (cfg.mem_map.w[cfg.mem_map.idx(pfn) + W_INDEX] === MIGRATE_CMA) zone.nr_free_cma_pages--;
  }
  zone.nr_free_pages -= i;
  return i;
}
function rmqueue_pcplist(cfg, zone, mt, allocFlags, cpu) {
  const pcp = zone.pcp;
  const w = pcp.w;
  const base = pcp.at + cpu * pcp.stride;
  const li = base + W_LISTS + mt * W_LIST;
  let pfn = w[li];
  if (pfn === NIL) {
    w[base + W_COUNT] += rmqueue_bulk(cfg, zone, w[base + W_BATCH], mt, allocFlags, cpu);
    pfn = w[li];
    if (pfn === NIL) return NIL;
  }
  list_del(cfg.mem_map, w, pcp.prev, li, pfn);
  cfg.mem_map.onPcp[cfg.mem_map.slot(pfn)] = 0;
  w[base + W_COUNT]--;
  return pfn;
}
function free_unref_page_commit(cfg, zone, pfn, mt, cpu) {
  const mem_map = cfg.mem_map;
  const pcp = zone.pcp;
  if (mt === MIGRATE_ISOLATE) return __free_one_page(cfg, zone, pfn, 0, mt, false);
  mem_map.w[mem_map.idx(pfn) + W_INDEX] = mt;
  const listMt = mt >= MIGRATE_PCPTYPES ? MIGRATE_MOVABLE : mt;
  const w = pcp.w;
  const base = pcp.at + cpu * pcp.stride;
  list_add(mem_map, w, pcp.prev, base + W_LISTS + listMt * W_LIST, pfn);
  mem_map.onPcp[mem_map.slot(pfn)] = 1;
  if (++w[base + W_COUNT] >= w[base + W_HIGH]) free_pcppages_bulk(cfg, zone, w[base + W_BATCH], cpu);
}
function free_pcppages_bulk(cfg, zone, count, cpu) {
  const mem_map = cfg.mem_map;
  const pcp = zone.pcp;
  const w = pcp.w;
  const countAt = pcp.base(cpu) + W_COUNT;
  const lists = pcp_list_index(pcp, cpu, 0);
  let migratetype = 0;
  let batchFree = 0;
  count = Math.min(w[countAt], count);
  while (count > 0) {
    let li;
    do {
      batchFree++;
      if (++migratetype === MIGRATE_PCPTYPES) migratetype = 0;
      li = lists + migratetype * W_LIST;
    } while (w[li] === NIL);
    if (batchFree === MIGRATE_PCPTYPES) batchFree = count;
    do {
      const pfn = pcp.prev[li];
      list_del(mem_map, w, pcp.prev, li, pfn);
      mem_map.onPcp[mem_map.slot(pfn)] = 0;
      w[countAt]--;
      const mt = zone.nr_isolate_pageblock > 0 ? mem_map.get_pageblock_migratetype(pfn) : mem_map.w[mem_map.idx(pfn) + W_INDEX];
      __free_one_page(cfg, zone, pfn, 0, mt, false);
    } while (--count > 0 && --batchFree > 0 && w[li] !== NIL);
  }
}
function drain_pages_zone(cfg, zone, cpu) {
  const n = zone.pcp.count(cpu);
  if (n > 0) free_pcppages_bulk(cfg, zone, n, cpu);
}

// kernel-model/mm/page_alloc/gfp.ts
var __GFP_DMA = 1;
var __GFP_HIGHMEM = 2;
var __GFP_DMA32 = 4;
var __GFP_MOVABLE = 8;
var __GFP_RECLAIMABLE = 16;
var __GFP_HIGH = 32;
var __GFP_IO = 64;
var __GFP_FS = 128;
var __GFP_ZERO = 256;
var __GFP_ATOMIC = 512;
var __GFP_DIRECT_RECLAIM = 1024;
var __GFP_KSWAPD_RECLAIM = 2048;
var __GFP_WRITE = 4096;
var __GFP_NOWARN = 8192;
var __GFP_RETRY_MAYFAIL = 16384;
var __GFP_NOFAIL = 32768;
var __GFP_NORETRY = 65536;
var __GFP_MEMALLOC = 131072;
var __GFP_COMP = 262144;
var __GFP_NOMEMALLOC = 524288;
var __GFP_HARDWALL = 1048576;
var __GFP_THISNODE = 2097152;
var __GFP_ACCOUNT = 4194304;
var __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;
var GFP_ZONEMASK = __GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE;
var GFP_MOVABLE_MASK = __GFP_RECLAIMABLE | __GFP_MOVABLE;
var GFP_MOVABLE_SHIFT = 3;
var GFP_ATOMIC = __GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM;
var GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
var GFP_KERNEL_ACCOUNT = GFP_KERNEL | __GFP_ACCOUNT;
var GFP_NOWAIT = __GFP_KSWAPD_RECLAIM;
var GFP_NOIO = __GFP_RECLAIM;
var GFP_NOFS = __GFP_RECLAIM | __GFP_IO;
var GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL;
var GFP_DMA = __GFP_DMA;
var GFP_DMA32 = __GFP_DMA32;
var GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
var GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE;
var GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM;
var GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM;
var GFP_ZONE_TABLE = (() => {
  const t2 = new Int8Array(16).fill(-1);
  t2[0] = ZONE_NORMAL;
  t2[__GFP_DMA] = ZONE_DMA;
  t2[__GFP_HIGHMEM] = ZONE_NORMAL;
  t2[__GFP_DMA32] = ZONE_DMA32;
  t2[__GFP_MOVABLE] = ZONE_NORMAL;
  t2[__GFP_MOVABLE | __GFP_DMA] = ZONE_DMA;
  t2[__GFP_MOVABLE | __GFP_HIGHMEM] = ZONE_MOVABLE;
  t2[__GFP_MOVABLE | __GFP_DMA32] = ZONE_DMA32;
  return t2;
})();
function gfp_zone(gfp) {
  return GFP_ZONE_TABLE[gfp & GFP_ZONEMASK];
}
function gfp_migratetype(gfp) {
  const mt = (gfp & GFP_MOVABLE_MASK) >>> GFP_MOVABLE_SHIFT;
  return mt === 3 ? -1 : mt;
}
var GFP_FLAG_NAMES = [
  [GFP_TRANSHUGE, "GFP_TRANSHUGE"],
  [GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT"],
  [GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE"],
  [GFP_HIGHUSER, "GFP_HIGHUSER"],
  [GFP_USER, "GFP_USER"],
  [GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT"],
  [GFP_KERNEL, "GFP_KERNEL"],
  [GFP_NOFS, "GFP_NOFS"],
  [GFP_ATOMIC, "GFP_ATOMIC"],
  [GFP_NOIO, "GFP_NOIO"],
  [GFP_NOWAIT, "GFP_NOWAIT"],
  [GFP_DMA, "GFP_DMA"],
  [__GFP_HIGHMEM, "__GFP_HIGHMEM"],
  [GFP_DMA32, "GFP_DMA32"],
  [__GFP_HIGH, "__GFP_HIGH"],
  [__GFP_ATOMIC, "__GFP_ATOMIC"],
  [__GFP_IO, "__GFP_IO"],
  [__GFP_FS, "__GFP_FS"],
  [__GFP_NOWARN, "__GFP_NOWARN"],
  [__GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL"],
  [__GFP_NOFAIL, "__GFP_NOFAIL"],
  [__GFP_NORETRY, "__GFP_NORETRY"],
  [__GFP_COMP, "__GFP_COMP"],
  [__GFP_ZERO, "__GFP_ZERO"],
  [__GFP_NOMEMALLOC, "__GFP_NOMEMALLOC"],
  [__GFP_MEMALLOC, "__GFP_MEMALLOC"],
  [__GFP_HARDWALL, "__GFP_HARDWALL"],
  [__GFP_THISNODE, "__GFP_THISNODE"],
  [__GFP_RECLAIMABLE, "__GFP_RECLAIMABLE"],
  [__GFP_MOVABLE, "__GFP_MOVABLE"],
  [__GFP_ACCOUNT, "__GFP_ACCOUNT"],
  [__GFP_WRITE, "__GFP_WRITE"],
  [__GFP_RECLAIM, "__GFP_RECLAIM"],
  [__GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM"],
  [__GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM"]
];
function format_gfp(gfp) {
  const parts = [];
  let rest = gfp;
  for (const [mask, name] of GFP_FLAG_NAMES) {
    if (mask !== 0 && (rest & mask) === mask) {
      parts.push(name);
      rest &= ~mask;
    }
  }
  if (rest !== 0) parts.push("0x" + (rest >>> 0).toString(16));
  return parts.join("|");
}
function format_gfp_mode(gfp) {
  return `mode:0x${(gfp >>> 0).toString(16)}(${format_gfp(gfp)})`;
}

// kernel-model/mm/page_alloc/vm_event.ts
function __count_vm_events(ev, cpu, item, n) {
  const w = ev.w;
  const i = ev.at + cpu * ev.stride + (item << 1);
  const lo = (w[i] >>> 0) + n;
  w[i] = lo | 0;
  if (lo > 4294967295) w[i + 1]++;
}
function cpu_vm_event(ev, cpu, item) {
  const i = ev.at + cpu * ev.stride + (item << 1);
  return (ev.w[i] >>> 0) + (ev.w[i + 1] >>> 0) * 2 ** 32;
}
function sum_vm_event(ev, nrCpus, item) {
  let n = 0;
  for (let cpu = 0; cpu < nrCpus; cpu++) n += cpu_vm_event(ev, cpu, item);
  return n;
}
function all_vm_events(ev, nrCpus) {
  return Array.from({ length: NR_VM_EVENT_ITEMS }, (_, item) => sum_vm_event(ev, nrCpus, item));
}
var fls = (x) => x ? 32 - Math.clz32(x) : 0;
function calculate_normal_threshold(nrCpus, managedPages) {
  return Math.min(125, 2 * fls(nrCpus) * (1 + fls(managedPages >> 27 - 12)));
}
function refresh_zone_stat_thresholds(pgalloc) {
  const nodestats = pgalloc.per_cpu_nodestats;
  const nodeThreshold = new Array(pgalloc.nrCpus).fill(0);
  for (const zone of pgalloc.zones) {
    if (!zone.populated_zone()) continue;
    const threshold = calculate_normal_threshold(pgalloc.nrCpus, zone.managed_pages);
    for (let cpu = 0; cpu < pgalloc.nrCpus; cpu++) {
      zone.pcp.set_stat_threshold(cpu, threshold);
      nodeThreshold[cpu] = Math.max(nodeThreshold[cpu], threshold);
    }
  }
  if (!nodestats) return;
  for (let cpu = 0; cpu < pgalloc.nrCpus; cpu++) {
    const i = nodestats.at + cpu * nodestats.stride;
    nodestats.w[i] = nodestats.w[i] & ~255 | nodeThreshold[cpu] & 255;
  }
}

// kernel-model/mm/page_alloc/mm_init.ts
var SECTION_SIZE_BITS_510 = 30;
var fmt018 = (x) => "0x" + x.toString(16).padStart(16, "0");
function max_zone_phys(startOfDram, endOfDram, bits) {
  const span = 2 ** bits;
  const offset = Math.floor(startOfDram / span) * span;
  return Math.min(offset + span, endOfDram);
}
function arm64_max_zone_pfns(startOfDram, endOfDram, limits) {
  return [
    Math.floor(max_zone_phys(startOfDram, endOfDram, limits.dmaBits) / PAGE_SIZE),
    Math.floor(max_zone_phys(startOfDram, endOfDram, limits.dma32Bits) / PAGE_SIZE),
    Math.floor(endOfDram / PAGE_SIZE),
    0
  ];
}
function compute_zone_layout(memRanges, maxZonePfn) {
  const lowest = new Array(MAX_NR_ZONES).fill(0);
  const highest = new Array(MAX_NR_ZONES).fill(0);
  let start = memRanges[0]?.startPfn ?? 0;
  for (let z = 0; z < MAX_NR_ZONES; z++) {
    if (z === ZONE_MOVABLE) continue;
    const end = Math.max(maxZonePfn[z], start);
    lowest[z] = start;
    highest[z] = end;
    start = end;
  }
  const nodeStartPfn = memRanges.length ? Math.min(...memRanges.map((r2) => r2.startPfn)) : 0;
  const nodeEndPfn = memRanges.length ? Math.max(...memRanges.map((r2) => r2.endPfn)) : 0;
  const zones = lowest.map((lo, z) => {
    const hi = highest[z];
    const zs = Math.min(Math.max(nodeStartPfn, lo), hi);
    const ze = Math.min(Math.max(nodeEndPfn, lo), hi);
    if (ze <= zs || !memRanges.length) return { startPfn: 0, spanned: 0, present: 0 };
    let present = 0;
    for (const r2 of memRanges) present += Math.max(0, Math.min(r2.endPfn, ze) - Math.max(r2.startPfn, zs));
    return { startPfn: zs, spanned: ze - zs, present };
  });
  return { lowest, highest, nodeStartPfn, nodeEndPfn, memRanges, zones };
}
function calc_memmap_size(spanned, present) {
  const pages = spanned > present + (present >> 4) ? present : spanned;
  return Math.ceil(pages * STRUCT_PAGE_SIZE / PAGE_SIZE);
}
function zone_ranges_log(layout3) {
  const out = ["Zone ranges:"];
  for (let z = 0; z < MAX_NR_ZONES; z++) {
    if (z === ZONE_MOVABLE) continue;
    const name = `  ${zone_names[z].padEnd(8)} `;
    if (layout3.lowest[z] === layout3.highest[z]) out.push(`${name}empty`);
    else out.push(`${name}[mem ${fmt018(layout3.lowest[z] * PAGE_SIZE)}-${fmt018(layout3.highest[z] * PAGE_SIZE - 1)}]`);
  }
  out.push("Movable zone start for each node");
  out.push("Early memory node ranges");
  for (const r2 of layout3.memRanges)
    out.push(`  node   0: [mem ${fmt018(r2.startPfn * PAGE_SIZE)}-${fmt018(r2.endPfn * PAGE_SIZE - 1)}]`);
  const end = layout3.nodeEndPfn ? layout3.nodeEndPfn * PAGE_SIZE - 1 : 0;
  out.push(`Initmem setup node 0 [mem ${fmt018(layout3.nodeStartPfn * PAGE_SIZE)}-${fmt018(end)}]`);
  return out;
}
function free_area_init_core_log(layout3) {
  const lines = [`On node 0 totalpages: ${layout3.zones.reduce((s, z) => s + z.present, 0)}`];
  const freesize = [];
  layout3.zones.forEach((z, j) => {
    let free = z.present;
    const memmap = calc_memmap_size(z.spanned, z.present);
    if (free >= memmap) {
      free -= memmap;
      if (memmap) lines.push(`  ${zone_names[j]} zone: ${memmap} pages used for memmap`);
    } else lines.push(`  ${zone_names[j]} zone: ${memmap} pages exceeds freesize ${free}`);
    if (j === 0 && free > 0) lines.push(`  ${zone_names[0]} zone: 0 pages reserved`);
    if (z.present) lines.push(`  ${zone_names[j]} zone: ${z.present} pages, LIFO batch:${zone_batchsize(free)}`);
    freesize.push(free);
  });
  return { lines, freesize };
}
function sparse_init(ram, memblock, layout3, sectionSizeBits, pageblockOrder) {
  const sectionPages = 2 ** (sectionSizeBits - PAGE_SHIFT);
  const basePfn = Math.floor(layout3.nodeStartPfn / sectionPages) * sectionPages;
  const endPfn = Math.ceil(layout3.nodeEndPfn / sectionPages) * sectionPages;
  const nrPages = endPfn - basePfn;
  const usemapPa = memblock.memblock_alloc(MemMap.usemapBytes(nrPages, pageblockOrder), SMP_CACHE_BYTES);
  const sectionMapSize = Math.ceil(sectionPages * STRUCT_PAGE_SIZE / 2097152) * 2097152;
  const memmapPa = memblock.memblock_alloc_raw(nrPages * STRUCT_PAGE_SIZE, sectionMapSize);
  return new MemMap(ram, memmapPa, basePfn, nrPages, usemapPa, pageblockOrder);
}
function memmap_init(mem_map, zones, layout3) {
  const pbPages = 1 << mem_map.pageblockOrder;
  let holePfn = mem_map.basePfn;
  let lastZone = 0;
  const initUnavailable = (from, to, zone) => mem_map.init_pages(from, to, zone, true);
  for (const r2 of layout3.memRanges) {
    for (const zone of zones) {
      if (!zone.populated_zone()) continue;
      const start = Math.min(Math.max(r2.startPfn, zone.zone_start_pfn), zone.zone_end_pfn());
      const end = Math.min(Math.max(r2.endPfn, zone.zone_start_pfn), zone.zone_end_pfn());
      if (start >= end) continue;
      mem_map.init_pages(start, end, zone.idx, false);
      for (let pfn = Math.ceil(start / pbPages) * pbPages; pfn < end; pfn += pbPages) mem_map.set_pageblock_migratetype(pfn, MIGRATE_MOVABLE);
      if (holePfn < start) initUnavailable(holePfn, start, zone.idx);
      holePfn = end;
      lastZone = zone.idx;
    }
  }
  if (holePfn < mem_map.endPfn) initUnavailable(holePfn, mem_map.endPfn, lastZone);
}
function free_area_init(opts) {
  const { ram, memblock, printk, maxOrder } = opts;
  const memRanges = memblock.memPfnRanges();
  if (!memRanges.length) throw new Error("free_area_init: memblock has no memory");
  const maxZonePfn = arm64_max_zone_pfns(memblock.memblock_start_of_DRAM(), memblock.memblock_end_of_DRAM(), opts.zoneLimits);
  const layout3 = compute_zone_layout(memRanges, maxZonePfn);
  const pageblockOrder = pageblock_order_for(maxOrder);
  const sectionSizeBits = opts.sectionSizeBits ?? SECTION_SIZE_BITS_510;
  if (sectionSizeBits < PAGE_SHIFT + maxOrder - 1)
    throw new Error(`free_area_init: MAX_ORDER ${maxOrder} does not fit a ${sectionSizeBits}-bit section`);
  const mem_map = sparse_init(ram, memblock, layout3, sectionSizeBits, pageblockOrder);
  for (const line of zone_ranges_log(layout3)) printk(line);
  const core = free_area_init_core_log(layout3);
  for (const line of core.lines) printk(line);
  const zones = [];
  for (let z = 0; z < MAX_NR_ZONES; z++) {
    const zone = new Zone(z, maxOrder);
    const zl = layout3.zones[z];
    zone.zone_start_pfn = zl.startPfn;
    zone.spanned_pages = zl.spanned;
    zone.present_pages = zl.present;
    zone.managed_pages = core.freesize[z];
    zones.push(zone);
  }
  memmap_init(mem_map, zones, layout3);
  return { mem_map, zones, layout: layout3 };
}
function build_all_zonelists(pgalloc, printk) {
  zone_pcp_init(pgalloc);
  const total = nr_free_zone_pages(pgalloc.zones, gfp_zone(GFP_HIGHUSER_MOVABLE));
  pgalloc.page_group_by_mobility_disabled = total < (1 << pgalloc.pageblockOrder) * MIGRATE_TYPES;
  pgalloc.update_nofragment();
  printk(`Built 1 zonelists, mobility grouping ${pgalloc.page_group_by_mobility_disabled ? "off" : "on"}.  Total pages: ${total}`);
  return total;
}
function memblock_free_all(pgalloc, memblock) {
  const mem_map = pgalloc.mem_map;
  for (const zone of pgalloc.zones) zone.managed_pages = 0;
  for (const r2 of memblock.reservedRanges()) {
    const s = Math.max(Math.floor(r2.start / PAGE_SIZE), mem_map.basePfn);
    const e = Math.min(Math.ceil(r2.end / PAGE_SIZE), mem_map.endPfn);
    for (let pfn = s; pfn < e; pfn++) mem_map.SetPageReserved(pfn);
  }
  let count = 0;
  for (const r2 of memblock.freeRanges()) count += free_pfn_range(pgalloc, Math.ceil(r2.start / PAGE_SIZE), Math.floor(r2.end / PAGE_SIZE));
  return count;
}
function free_pfn_range(pgalloc, s, e) {
  const mem_map = pgalloc.mem_map;
  let count = 0;
  if (s >= e) return 0;
  for (const zone of pgalloc.zones) {
    const zs = Math.max(s, zone.zone_start_pfn);
    const ze = Math.min(e, zone.zone_end_pfn());
    if (zs >= ze) continue;
    const w = mem_map.w;
    for (let i = mem_map.idx(zs), end = mem_map.idx(ze); i < end; i += PAGE_WORDS) {
      w[i + W_FLAGS] &= ~(1 << PG_reserved);
      w[i + W_REFCOUNT] = 0;
    }
    zone.managed_pages += ze - zs;
    __free_pages_range(pgalloc, zone, zs, ze, true, -1);
    count += ze - zs;
  }
  return count;
}
function free_reserved_area(pgalloc, start, end) {
  const mem_map = pgalloc.mem_map;
  const s = Math.max(Math.ceil(start / PAGE_SIZE), mem_map.basePfn);
  const e = Math.min(Math.floor(end / PAGE_SIZE), mem_map.endPfn);
  let count = 0;
  for (let pfn = s; pfn < e; ) {
    if (!mem_map.PageReserved(pfn)) {
      pfn++;
      continue;
    }
    let run = pfn;
    while (run < e && mem_map.PageReserved(run)) run++;
    count += free_pfn_range(pgalloc, pfn, run);
    pfn = run;
  }
  return count;
}
function mem_init_print_info(pgalloc, sections, totalcmaPages = 0) {
  const physpages = pgalloc.zones.reduce((s, z) => s + z.present_pages, 0);
  const k = (bytes2) => Math.floor(bytes2 / 1024);
  const reserved = physpages - pgalloc.totalram_pages() - totalcmaPages;
  return `Memory: ${pgalloc.nr_free_pages() * 4}K/${physpages * 4}K available (${k(sections.code)}K kernel code, ${k(sections.rwdata)}K rwdata, ${k(sections.rodata)}K rodata, ${k(sections.init)}K init, ${k(sections.bss)}K bss, ${reserved * 4}K reserved, ${totalcmaPages * 4}K cma-reserved)`;
}
function zone_pcp_init(pgalloc) {
  const boot = new PerCpuPages(pgalloc.percpu.static_var("boot_pageset"), pgalloc.nrCpus);
  for (let cpu = 0; cpu < pgalloc.nrCpus; cpu++) setup_pageset(boot, cpu);
  for (const zone of pgalloc.zones) zone.pcp = boot;
}
function setup_per_cpu_pageset(pgalloc) {
  for (const zone of pgalloc.zones) {
    if (!zone.populated_zone()) continue;
    zone.pcp = new PerCpuPages(pgalloc.percpu.alloc(PER_CPU_PAGESET_SIZE, PER_CPU_PAGESET_ALIGN), pgalloc.nrCpus);
    const batch = zone_batchsize(zone.managed_pages);
    for (let cpu = 0; cpu < pgalloc.nrCpus; cpu++) {
      setup_pageset(zone.pcp, cpu);
      pageset_set_batch(zone.pcp, cpu, batch);
    }
  }
  pgalloc.per_cpu_nodestats = pgalloc.percpu.alloc(PER_CPU_NODESTAT_SIZE, 1);
}
function init_per_zone_wmark_min(pgalloc, userMinFreeKbytes = -1) {
  const lowmemKbytes = nr_free_zone_pages(pgalloc.zones, gfp_zone(GFP_USER)) * (PAGE_SIZE >> 10);
  pgalloc.min_free_kbytes = userMinFreeKbytes >= 0 ? userMinFreeKbytes : compute_min_free_kbytes(lowmemKbytes);
  setup_per_zone_wmarks(pgalloc.zones, pgalloc.min_free_kbytes);
  refresh_zone_stat_thresholds(pgalloc);
  setup_per_zone_lowmem_reserve(pgalloc.zones);
  pgalloc.totalreserve_pages = calculate_totalreserve_pages(pgalloc.zones);
}

// kernel-model/arch/arm64/mm/init.ts
function dtMemoryRanges(dt) {
  const out = [];
  for (const { node } of walkNodes(dt)) {
    const type = getProp(node, "device_type");
    if (!type || decodeString(type) !== "memory") continue;
    const reg = getProp(node, "reg");
    if (!reg) continue;
    for (const r2 of decodeReg(reg, addressCellsOf(dt.root), sizeCellsOf(dt.root), "memory reg")) if (r2.size > 0) out.push({ base: r2.address, size: r2.size });
  }
  return out;
}
var alignDown2 = (x) => Math.floor(x / PAGE_SIZE) * PAGE_SIZE;
var alignUp4 = (x) => Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;
function arm64_memblock_init_full(ram, dt, res, opts) {
  const mb = arm64_memblock_init(ram, dt, res);
  const pageblockOrder = pageblock_order_for(opts.maxOrder);
  const cma = new CmaAreas(opts.printk, opts.maxOrder, pageblockOrder);
  const dmaContiguous = new DmaContiguous(cma, mb, opts.printk, early_cma(opts.cmdline, opts.printk));
  const reservedMem = early_init_fdt_scan_reserved_mem(dt, {
    memblock: mb,
    printk: opts.printk,
    maxOrder: opts.maxOrder,
    pageblockOrder,
    table: dmaContiguous.reservedMemTable
  });
  const dmaPhysLimit = max_zone_phys(mb.memblock_start_of_DRAM(), mb.memblock_end_of_DRAM(), opts.zoneDmaBits);
  dmaContiguous.dma_contiguous_reserve(dmaPhysLimit);
  return { memblock: mb, reservedMem, cma, dmaContiguous, dmaPhysLimit };
}
function arm64_memblock_init(ram, dt, res) {
  const mb = new Memblock(ram);
  const mem = dtMemoryRanges(dt);
  if (mem.length === 0) throw new KernelPanic("no memory in the device tree (/memory has no reg)");
  for (const r2 of mem) {
    const base = alignUp4(r2.base);
    const end = Math.min(alignDown2(r2.base + r2.size), ram.end);
    if (end > base) mb.memblock_add(base, end - base);
  }
  for (const r2 of dt.memReserve) mb.memblock_reserve(alignDown2(r2.address), alignUp4(r2.address + r2.size) - alignDown2(r2.address));
  mb.memblock_reserve(alignDown2(res.kernel.base), alignUp4(res.kernel.base + res.kernel.size) - alignDown2(res.kernel.base));
  mb.memblock_reserve(alignDown2(res.dtb.base), alignUp4(res.dtb.base + res.dtb.size) - alignDown2(res.dtb.base));
  if (res.initrd) mb.memblock_reserve(alignDown2(res.initrd.start), alignUp4(res.initrd.end) - alignDown2(res.initrd.start));
  return mb;
}

// kernel-model/arch/arm64/pgtable.ts
var PTRS_PER_TABLE = 512;
var PTE_VALID = 1n;
var PTE_TABLE = 2n;
var PTE_USER = 1n << 6n;
var PTE_RDONLY = 1n << 7n;
var PTE_SHARED = 3n << 8n;
var PTE_AF = 1n << 10n;
var PTE_NG = 1n << 11n;
var PTE_PXN = 1n << 53n;
var PTE_UXN = 1n << 54n;
var PTE_ATTRINDX = (idx) => BigInt(idx) << 2n;
var OA_MASK2 = 0x0000fffffffff000n;
var MT_DEVICE_nGnRE = 1;
var MT_NORMAL = 4;
var MAIR_EL1_SET = 0x0000f0ff440c0400n;
var TCR_EL1_39BIT = 25n | 1n << 8n | 1n << 10n | 3n << 12n | 25n << 16n | 1n << 24n | 1n << 26n | 3n << 28n | 2n << 30n | 2n << 32n;
var PROT = {
  /** Kernel RW data, never executable from EL0, not from EL1 either (PAGE_KERNEL). */
  KERNEL: PTE_VALID | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL) | PTE_PXN | PTE_UXN,
  /** Kernel text (PAGE_KERNEL_ROX). */
  KERNEL_ROX: PTE_VALID | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL) | PTE_RDONLY | PTE_UXN,
  /** Kernel RWX, for the early identity and image mappings. */
  KERNEL_EXEC: PTE_VALID | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL) | PTE_UXN,
  /** Device registers (PROT_DEVICE_nGnRE). */
  DEVICE: PTE_VALID | PTE_AF | PTE_ATTRINDX(MT_DEVICE_nGnRE) | PTE_PXN | PTE_UXN,
  /** User RW data. */
  USER: PTE_VALID | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL) | PTE_USER | PTE_NG | PTE_PXN | PTE_UXN,
  /** User read-only executable text. */
  USER_ROX: PTE_VALID | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL) | PTE_USER | PTE_RDONLY | PTE_NG | PTE_PXN,
  /** User RW executable (simple static programs). */
  USER_EXEC: PTE_VALID | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL) | PTE_USER | PTE_NG | PTE_PXN
};
var PgTableError = class extends Error {
  name = "PgTableError";
};
function tableIndex(va, level) {
  return Number(va >> BigInt(PAGE_SHIFT + 9 * (3 - level)) & 0x1ffn);
}
var levelShift = (level) => PAGE_SHIFT + 9 * (3 - level);
var L3_SPAN = 2 ** levelShift(2);
var PageTable = class {
  constructor(ram, alloc, root) {
    this.ram = ram;
    this.alloc = alloc;
    this.root = root ?? this.newTable();
  }
  ram;
  alloc;
  /** PA of the level-1 table (what goes in TTBRx_EL1). */
  root;
  /**
   * Where new table pages come from from now on: memblock during boot, the
   * page allocator once memblock has handed its memory over (as Linux's
   * pte_alloc_kernel takes pages from __get_free_page after boot).
   */
  setTableAllocator(alloc) {
    this.alloc = alloc;
  }
  newTable() {
    const pa = this.alloc();
    if (pa % PAGE_SIZE !== 0) throw new PgTableError(`table page 0x${pa.toString(16)} is not page aligned`);
    this.ram.fill(pa, PAGE_SIZE, 0);
    return pa;
  }
  entryPa(table2, va, level) {
    return table2 + tableIndex(va, level) * 8;
  }
  /** The next-level table under an entry, creating it if the entry is empty. */
  descend(table2, va, level) {
    const at = this.entryPa(table2, va, level);
    const desc = this.ram.u64(at);
    if ((desc & PTE_VALID) === 0n) {
      const next = this.newTable();
      this.ram.setU64(at, BigInt(next) | PTE_TABLE | PTE_VALID);
      return next;
    }
    if ((desc & PTE_TABLE) === 0n) throw new PgTableError(`0x${va.toString(16)} is already mapped by a level-${level} block`);
    return Number(desc & OA_MASK2);
  }
  /**
   * Map [va, va+size) to [pa, pa+size) with `prot`, using blocks where both
   * addresses and the remaining size allow (create_mapping).
   */
  map(va, pa, size2, prot, opts = {}) {
    if ((va | BigInt(pa) | BigInt(size2)) & BigInt(PAGE_SIZE - 1))
      throw new PgTableError(`mapping 0x${va.toString(16)} -> 0x${pa.toString(16)} (+0x${size2.toString(16)}) is not page aligned`);
    let done = 0;
    while (done < size2) {
      const v = va + BigInt(done);
      const p = pa + done;
      const left = size2 - done;
      let level = 3;
      if (!opts.pageGranular) {
        for (const l of [1, 2]) {
          const block = 2 ** levelShift(l);
          if (left >= block && p % block === 0 && Number(v & BigInt(block - 1)) === 0) {
            level = l;
            break;
          }
        }
      }
      this.setEntry(v, p, level, prot);
      done += 2 ** levelShift(level);
    }
  }
  setEntry(va, pa, level, prot) {
    let table2 = this.root;
    for (let l = 1; l < level; l++) table2 = this.descend(table2, va, l);
    const at = this.entryPa(table2, va, level);
    const old = this.ram.u64(at);
    if (old & PTE_VALID) throw new PgTableError(`0x${va.toString(16)} is already mapped`);
    const type = level === 3 ? PTE_TABLE : 0n;
    this.ram.setU64(at, BigInt(pa) & OA_MASK2 | prot | type | PTE_VALID);
  }
  /**
   * The walk the MMU does for `va` in these tables: the physical address it
   * maps to and the leaf descriptor, or undefined if nothing maps it.
   */
  lookup(va) {
    let table2 = this.root;
    for (let level = 1; level <= 3; level++) {
      const desc = this.ram.u64(this.entryPa(table2, va, level));
      if ((desc & PTE_VALID) === 0n) return void 0;
      if (level < 3 && (desc & PTE_TABLE) !== 0n) {
        table2 = Number(desc & OA_MASK2);
        continue;
      }
      if (level === 3 && (desc & PTE_TABLE) === 0n) return void 0;
      const span = 2n ** BigInt(levelShift(level));
      const base = Number(desc & OA_MASK2 & ~(span - 1n));
      return { pa: base + Number(va & span - 1n), desc, level };
    }
    return void 0;
  }
  /**
   * The level-3 entry's address for `va` (a 4 KiB page), creating the
   * tables on the way when `create`; undefined if a table is missing (and
   * not created) or a block maps the range.
   */
  pteAddress(va, create) {
    let table2 = this.root;
    for (let level = 1; level < 3; level++) {
      const at = this.entryPa(table2, va, level);
      const desc = this.ram.u64(at);
      if ((desc & PTE_VALID) === 0n) {
        if (!create) return void 0;
        table2 = this.descend(table2, va, level);
        continue;
      }
      if ((desc & PTE_TABLE) === 0n) return void 0;
      table2 = Number(desc & OA_MASK2);
    }
    return this.entryPa(table2, va, 3);
  }
  /** The physical address a level-3 descriptor maps. */
  static pteAddr(desc) {
    return Number(desc & OA_MASK2);
  }
  /** Every valid level-3 entry under the root, in address order: its VA and descriptor (for checkers). */
  forEachPage(fn) {
    const walk2 = (table2, level, base) => {
      for (let i = 0; i < PTRS_PER_TABLE; i++) {
        const desc = this.ram.u64(table2 + i * 8);
        if ((desc & PTE_VALID) === 0n) continue;
        const va = base + (BigInt(i) << BigInt(levelShift(level)));
        if (level === 3) fn(va, desc);
        else if (desc & PTE_TABLE) walk2(Number(desc & OA_MASK2), level + 1, va);
      }
    };
    walk2(this.root, 1, 0n);
  }
  /**
   * Where the page descriptor mapping `va` is (a user address, below 2^39:
   * exact as a number), or -1 where no table or no valid page entry is;
   * the walk of `lookup`, in plain numbers, for the kernel's copies to and
   * from user memory, which walk once per page.
   */
  leaf(va) {
    const region = Math.floor(va / L3_SPAN);
    if (region !== this.l3Region) {
      let table2 = this.root;
      for (let level = 1; level < 3; level++) {
        const at2 = table2 + Math.floor(va / 2 ** levelShift(level)) % 512 * 8;
        const lo = this.ram.u32(at2);
        if ((lo & 3) !== 3) return -1;
        table2 = ((lo & 4294963200) >>> 0) + (this.ram.u32(at2 + 4) & 65535) * 2 ** 32;
      }
      this.l3Region = region;
      this.l3Table = table2;
    }
    const at = this.l3Table + Math.floor(va / PAGE_SIZE) % 512 * 8;
    return (this.ram.u32(at) & 3) === 3 ? at : -1;
  }
  /**
   * The level-3 table leaf() found last and the 2 MiB region it covers. A
   * table entry at levels 1-2 never changes while the tables live (set()
   * and map() fill empty entries, unmap() clears leaves and blocks), so
   * the memo holds until freeTables().
   */
  l3Region = -1;
  l3Table = 0;
  /** A level-3 (page) descriptor. */
  static mkPte(pa, prot) {
    return BigInt(pa) & OA_MASK2 | prot | PTE_TABLE | PTE_VALID;
  }
  /**
   * Free every table page below the root (free_pgtables at exit_mmap): the
   * leaves must have been cleared and their pages released by the caller.
   */
  freeTables(free, freeRoot) {
    this.l3Region = -1;
    const walk2 = (table2, level) => {
      for (let i = 0; i < PTRS_PER_TABLE; i++) {
        const desc = this.ram.u64(table2 + i * 8);
        if ((desc & PTE_VALID) === 0n || (desc & PTE_TABLE) === 0n || level === 3) continue;
        const next = Number(desc & OA_MASK2);
        if (level < 2) walk2(next, level + 1);
        free(next);
      }
    };
    walk2(this.root, 1);
    if (freeRoot) free(this.root);
  }
  /** Clear the leaf entry mapping `va` (caller flushes the TLB). Returns false if none. */
  unmap(va) {
    let table2 = this.root;
    for (let level = 1; level <= 3; level++) {
      const at = this.entryPa(table2, va, level);
      const desc = this.ram.u64(at);
      if ((desc & PTE_VALID) === 0n) return false;
      if (level === 3 || (desc & PTE_TABLE) === 0n) {
        this.ram.setU64(at, 0n);
        return true;
      }
      table2 = Number(desc & OA_MASK2);
    }
    return false;
  }
};

// kernel-model/arch/arm64/mm/mmu.ts
var USER_TEXT = 0x400000n;
var USER_BUFFERS = 0x10000000n;
var roundUp = (x, a) => Math.ceil(x / a) * a;
function paging_init(ram, memblock, linear, image) {
  const alloc = () => memblock.memblock_alloc(PAGE_SIZE, PAGE_SIZE);
  const swapper = new PageTable(ram, alloc);
  for (const r2 of memblock.memory.regions) swapper.map(linear.va(r2.base), r2.base, r2.size, PROT.KERNEL);
  const imageSize = roundUp(image.size, PAGE_SIZE);
  swapper.map(KIMAGE_VADDR, image.textPa, imageSize, PROT.KERNEL_EXEC, { pageGranular: true });
  const ttbr0 = new PageTable(ram, alloc);
  ttbr0.map(BigInt(image.textPa), image.textPa, imageSize, PROT.KERNEL_EXEC, { pageGranular: true });
  return { swapper, ttbr0, mair: MAIR_EL1_SET, tcr: TCR_EL1_39BIT };
}

// kernel-model/mm/page_alloc/highatomic.ts
function reserve_highatomic_pageblock(pgalloc, pfn, zone) {
  const pb = 1 << pgalloc.pageblockOrder;
  const maxManaged = Math.floor(zone.managed_pages / 100) + pb;
  if (zone.nr_reserved_highatomic >= maxManaged) return;
  const mt = pgalloc.mem_map.get_pageblock_migratetype(pfn);
  if (mt === MIGRATE_HIGHATOMIC || mt === MIGRATE_ISOLATE || mt === MIGRATE_CMA) return;
  zone.nr_reserved_highatomic += pb;
  pgalloc.mem_map.set_pageblock_migratetype(pfn, MIGRATE_HIGHATOMIC);
  move_freepages_block(pgalloc, zone, pfn, MIGRATE_HIGHATOMIC);
}
function unreserve_highatomic_pageblock(pgalloc, highest, mt, force) {
  const pb = 1 << pgalloc.pageblockOrder;
  for (const zone of pgalloc.zonelist(highest)) {
    if (!force && zone.nr_reserved_highatomic <= pb) continue;
    for (let order = 0; order < pgalloc.maxOrder; order++) {
      const pfn = get_page_from_free_area(zone, order, MIGRATE_HIGHATOMIC);
      if (pfn === NIL) continue;
      if (pgalloc.mem_map.get_pageblock_migratetype(pfn) === MIGRATE_HIGHATOMIC)
        zone.nr_reserved_highatomic -= Math.min(pb, zone.nr_reserved_highatomic);
      pgalloc.mem_map.set_pageblock_migratetype(pfn, mt);
      if (move_freepages_block(pgalloc, zone, pfn, mt)) return true;
    }
  }
  return false;
}

// kernel-model/mm/page_alloc/report.ts
var VMEMMAP_START_510_VA39 = 0xfffffffeffe00000n;
var K = (pages) => pages * 4;
var hex16 = (v) => v.toString(16).padStart(16, "0");
var Reporter = class _Reporter {
  constructor(hooks) {
    this.hooks = hooks;
    this.printk = hooks.printk;
  }
  hooks;
  /** bad_page's burst counter and the reports it swallowed. */
  nrShown = 0;
  nrUnshown = 0;
  /** TAINT_BAD_PAGE was added. */
  tainted = false;
  warned = /* @__PURE__ */ new Set();
  /** Every report line, also sent to printk; tests read it. */
  printk;
  comm() {
    return this.hooks.comm?.() ?? "swapper";
  }
  /** %pGp: the names of the PG_ bits set in the low flags word. */
  static format_pageflags(flags) {
    const names = [];
    for (let b = 0; b < NR_PAGEFLAGS; b++) if (flags & 1 << b) names.push(PAGEFLAG_NAMES[b]);
    return names.join("|");
  }
  /**
   * __dump_page(page, reason) as in 5.10 mm/debug.c (non-compound pages,
   * no mapping, not CMA):
   *   pr_warn("page:%p refcount:%d mapcount:%d mapping:%p index:%#lx pfn:%#lx\n", ...)
   *   pr_warn("%sflags: %#lx(%pGp)%s\n", ...)
   *   print_hex_dump("raw: ", 32 bytes a line, 8-byte words)
   *   pr_warn("page dumped because: %s\n", reason)
   * (formats checked against mm/debug.c of v5.10.13, whose first line
   * ends in " pfn:%#lx"). The kernel's vsprintf prints %#lx of 0 as "0x0".
   */
  dump_page(mem_map, pfn, reason) {
    const i = mem_map.idx(pfn);
    const w = mem_map.w;
    const rawMapcount = w[i + W_MAPCOUNT];
    const mapcount = rawMapcount + 1;
    const va = (this.hooks.vmemmapStart ?? VMEMMAP_START_510_VA39) + BigInt(pfn - (this.hooks.memstartPfn ?? 0)) * 64n;
    const p = this.printk;
    p(
      `page:${hex16(va)} refcount:${w[i + W_REFCOUNT]} mapcount:${mapcount} mapping:0000000000000000 index:0x${(mem_map.page_index(pfn) >>> 0).toString(16)} pfn:0x${pfn.toString(16)}`
    );
    const flags64 = BigInt(w[i + W_FLAGS_HI] >>> 0) << 32n | BigInt(w[i + W_FLAGS] >>> 0);
    p(`flags: 0x${flags64.toString(16)}(${_Reporter.format_pageflags(w[i + W_FLAGS])})`);
    for (let line = 0; line < 2; line++) {
      const quads = [];
      for (let q = 0; q < 4; q++) {
        const lo = BigInt(w[i + line * 8 + q * 2] >>> 0);
        const hi = BigInt(w[i + line * 8 + q * 2 + 1] >>> 0);
        quads.push(hex16(hi << 32n | lo));
      }
      p(`raw: ${quads.join(" ")}`);
    }
    if (reason) p(`page dumped because: ${reason}`);
  }
  /**
   * bad_page: report a page in a state the allocator cannot accept. The
   * page is left alone (see the header).
   */
  bad_page(mem_map, pfn, reason, cpu) {
    if (this.nrShown === 60) {
      this.nrUnshown++;
      return;
    }
    this.nrShown++;
    this.printk(`BUG: Bad page state in process ${this.comm()}  pfn:${pfn.toString(16).padStart(5, "0")}`);
    this.dump_page(mem_map, pfn, reason);
    this.printk("Modules linked in:");
    this.hooks.dumpStack?.(cpu);
    this.add_taint_bad_page();
  }
  /** A PFN with no struct page at all: Linux would oops on virt_to_page; we say so and go on. */
  bad_pfn(pfn, what) {
    this.printk(`BUG: Bad page state in process ${this.comm()}  pfn:${Math.max(0, pfn).toString(16).padStart(5, "0")}`);
    this.printk(`page dumped because: ${what}`);
    this.add_taint_bad_page();
  }
  add_taint_bad_page() {
    if (!this.tainted) this.printk("Disabling lock debugging due to kernel taint");
    this.tainted = true;
  }
  /** WARN_ON_ONCE(cond) at file:line in func. */
  warn_on_once(key, where, func, cpu) {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(where, func, cpu);
  }
  /** __warn(): the cut-here block. */
  warn(where, func, cpu) {
    const p = this.printk;
    p("------------[ cut here ]------------");
    p(`WARNING: CPU: ${cpu} PID: ${this.hooks.pid?.() ?? 0} at ${where} ${func}`);
    p("Modules linked in:");
    this.hooks.dumpStack?.(cpu);
    p("---[ end trace 0000000000000000 ]---");
  }
  /**
   * warn_alloc: the allocation-failure report, unless __GFP_NOWARN (or a
   * __GFP_DMA request on a machine without DMA memory).
   */
  warn_alloc(src, gfp, what, cpu) {
    if (gfp & __GFP_NOWARN) return;
    if (gfp & __GFP_DMA && src.zones[0].managed_pages === 0) return;
    this.printk(`${this.comm()}: ${what}, ${format_gfp_mode(gfp)}, nodemask=(null)`);
    this.hooks.dumpStack?.(cpu);
    this.show_mem(src, cpu);
  }
  /** show_mem() with show_free_areas(): the "Mem-Info:" block. */
  show_mem(src, cpu) {
    const p = this.printk;
    const populated = src.zones.filter((z) => z.populated_zone());
    let freeAll = 0;
    let freePcp = 0;
    for (const z of populated) {
      freeAll += z.nr_free_pages;
      for (let c = 0; c < src.nrCpus; c++) freePcp += z.pcp.count(c);
    }
    p("Mem-Info:");
    p(
      `active_anon:0 inactive_anon:0 isolated_anon:0
 active_file:0 inactive_file:0 isolated_file:0
 unevictable:0 dirty:0 writeback:0
 slab_reclaimable:0 slab_unreclaimable:0
 mapped:0 shmem:0 pagetables:0 bounce:0
 free:${freeAll} free_pcp:${freePcp} free_cma:0`
    );
    p(
      "Node 0 active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB isolated(anon):0kB isolated(file):0kB mapped:0kB dirty:0kB writeback:0kB shmem:0kB writeback_tmp:0kB kernel_stack:0kB all_unreclaimable? no"
    );
    for (const z of populated) {
      let zPcp = 0;
      for (let c = 0; c < src.nrCpus; c++) zPcp += z.pcp.count(c);
      p(
        `${z.name} free:${K(z.nr_free_pages)}kB min:${K(z.min_wmark_pages())}kB low:${K(z.low_wmark_pages())}kB high:${K(z.high_wmark_pages())}kB reserved_highatomic:${K(z.nr_reserved_highatomic)}KB active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB writepending:0kB present:${K(z.present_pages)}kB managed:${K(z.managed_pages)}kB mlocked:0kB pagetables:0kB bounce:0kB free_pcp:${K(zPcp)}kB local_pcp:${K(cpu < src.nrCpus ? z.pcp.count(cpu) : 0)}kB free_cma:0kB`
      );
      p(`lowmem_reserve[]: ${Array.from(z.lowmem_reserve).join(" ")}`);
    }
    for (const z of populated) p(`${z.name}: ${format_free_areas(src, z)}`);
    p("0 total pagecache pages");
    let total = 0;
    let reserved = 0;
    for (const z of populated) {
      total += z.present_pages;
      reserved += z.present_pages - z.managed_pages;
    }
    p(`${total} pages RAM`);
    p("0 pages HighMem/MovableOnly");
    p(`${reserved} pages reserved`);
    p("0 pages cma reserved");
  }
};
var MIGRATION_LETTERS = "UMEHCI";
function format_free_areas(src, z) {
  const parts = [];
  let total = 0;
  for (let order = 0; order < src.maxOrder; order++) {
    const nr = z.nrFree[order];
    total += nr << order;
    let s = `${nr}*${4 << order}kB `;
    if (nr) {
      let letters = "";
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) if (!free_area_empty(z, order, mt)) letters += MIGRATION_LETTERS[mt];
      s += `(${letters}) `;
    }
    parts.push(s);
  }
  return `${parts.join("")}= ${K(total)}kB`;
}

// kernel-model/mm/page_alloc/memarea.ts
function collect_free_blocks(zone, pgalloc) {
  const mem_map = pgalloc.mem_map;
  let total = 0;
  for (let order = 0; order < pgalloc.maxOrder; order++) total += zone.nrFree[order];
  const records = new Int32Array(total);
  let n = 0;
  for (let order = 0; order < pgalloc.maxOrder; order++) {
    for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) {
      for (let pfn = zone.freeHead[free_list_index(order, mt)]; pfn !== NIL && n < total; pfn = mem_map.w[mem_map.idx(pfn) + W_LRU_NEXT]) {
        records[n++] = pfn;
      }
    }
  }
  return records.subarray(0, n);
}
function block_pages(pgalloc, pfn) {
  return 2 ** pgalloc.mem_map.w[pgalloc.mem_map.idx(pfn) + W_PRIVATE];
}
function find_fit(pgalloc, sorted, pages, align) {
  let i = 0;
  while (i < sorted.length) {
    const first = i;
    const runStart = sorted[i];
    let runEnd = runStart + block_pages(pgalloc, runStart);
    i++;
    while (i < sorted.length && sorted[i] === runEnd) {
      runEnd += block_pages(pgalloc, runEnd);
      i++;
    }
    const start = Math.ceil(runStart / align) * align;
    if (start + pages <= runEnd) return { start, firstRecord: first };
  }
  return null;
}
function find_area(pgalloc, zone, pages, align) {
  const sorted = collect_free_blocks(zone, pgalloc).sort();
  pgalloc.memareaStats.searches++;
  pgalloc.memareaStats.blocksScanned += sorted.length;
  const fit = find_fit(pgalloc, sorted, pages, align);
  return fit ? { fit, sorted } : null;
}
function carve_area(pgalloc, zone, sorted, fit, pages) {
  const mem_map = pgalloc.mem_map;
  const start = fit.start;
  const end = start + pages;
  for (let r2 = fit.firstRecord; r2 < sorted.length; r2++) {
    const bpfn = sorted[r2];
    if (bpfn >= end) break;
    const i = mem_map.idx(bpfn);
    const order = mem_map.w[i + W_PRIVATE];
    const bend = bpfn + 2 ** order;
    if (bend <= start) continue;
    const mt = mem_map.w[i + W_INDEX];
    del_page_from_free_list(mem_map, zone, bpfn, order);
    zone.nr_free_pages -= 2 ** order;
    if (bpfn < start) __free_pages_range(pgalloc, zone, bpfn, start, false, mt);
    if (bend > end) __free_pages_range(pgalloc, zone, end, bend, false, mt);
  }
}
function claim_pageblocks(pgalloc, start, end, mt) {
  const nr = 1 << pgalloc.pageblockOrder;
  for (let pb = Math.ceil(start / nr) * nr; pb + nr <= end; pb += nr) pgalloc.mem_map.set_pageblock_migratetype(pb, mt);
}
function memarea_watermark_ok(zone, pages, highest) {
  return __zone_watermark_ok(zone, 0, zone.watermark[WMARK_MIN] + pages, highest, 0, zone.nr_free_pages);
}
function alloc_memarea(pgalloc, gfp, pages, align, cpu) {
  if (!Number.isInteger(pages) || pages < 1 || !Number.isInteger(align) || align < 1) {
    pgalloc.report.warn_on_once(`memarea:${pages}:${align}`, "mm/page_alloc/memarea.ts", "alloc_memarea", cpu);
    return null;
  }
  const highest = gfp_zone(gfp);
  const mt = gfp_migratetype(gfp);
  if (highest < 0 || mt < 0) {
    pgalloc.report.warn_on_once(`gfp:${gfp}`, "include/linux/gfp.h", "gfp_zone", cpu);
    return null;
  }
  for (const zone of pgalloc.zonelist(highest)) {
    if (!memarea_watermark_ok(zone, pages, highest)) continue;
    let found = find_area(pgalloc, zone, pages, align);
    if (!found) {
      pgalloc.drain_all_pages(zone);
      pgalloc.memareaStats.drains++;
      found = find_area(pgalloc, zone, pages, align);
    }
    if (!found) continue;
    carve_area(pgalloc, zone, found.sorted, found.fit, pages);
    const start = found.fit.start;
    const i = pgalloc.mem_map.idx(start);
    pgalloc.mem_map.w[i + W_PRIVATE] = 0;
    pgalloc.mem_map.w[i + W_REFCOUNT] = 1;
    claim_pageblocks(pgalloc, start, start + pages, mt);
    pgalloc.count_vm_events(PGALLOC_DMA + zone.idx, pages, cpu);
    if (gfp & __GFP_ZERO) pgalloc.ram.fill(start * PAGE_SIZE, pages * PAGE_SIZE, 0);
    return start;
  }
  if (!(gfp & __GFP_NOWARN)) pgalloc.report.warn_alloc(pgalloc, gfp, `memarea allocation failure: pages:${pages} align:${align}`, cpu);
  return null;
}
function free_memarea(pgalloc, pfn, pages, cpu) {
  const mem_map = pgalloc.mem_map;
  if (!Number.isInteger(pages) || pages < 1 || !mem_map.pfn_valid(pfn) || !mem_map.pfn_valid(pfn + pages - 1))
    return pgalloc.report.bad_pfn(pfn, `free_memarea of [${pfn}, +${pages}) outside mem_map`);
  const i = mem_map.idx(pfn);
  const ref = mem_map.w[i + W_REFCOUNT];
  if (ref <= 0) return pgalloc.report.bad_page(mem_map, pfn, "VM_BUG_ON_PAGE(page_ref_count(page) == 0)", cpu);
  mem_map.w[i + W_REFCOUNT] = ref - 1;
  if (ref !== 1) return;
  if (!pgalloc.free_range_prepare(pfn, pages, cpu)) return;
  pgalloc.count_vm_events(PGFREE, pages, cpu);
  __free_pages_range(pgalloc, pgalloc.page_zone(pfn), pfn, pfn + pages, false, -1);
}

// kernel-model/mm/page_alloc/page_alloc.ts
var MAX_ORDER_WARN_SITE = "mm/page_alloc.c:4935";
var PageAllocator = class {
  ram;
  mem_map;
  /** node_zones[]: DMA, DMA32, Normal, Movable. */
  zones;
  maxOrder;
  pageblockOrder;
  nrCpus;
  report;
  /** The CPU the caller runs on (its pcp lists; the CPU named in reports). */
  smp_processor_id;
  linear;
  page_group_by_mobility_disabled = false;
  /** vm.watermark_boost_factor */
  watermark_boost_factor = WATERMARK_BOOST_FACTOR_DEFAULT;
  /** kswapd was woken (a boosted zone) and has not run since. */
  kswapd_pending = false;
  /** wakeup_kswapd's way to the kswapd thread, once the kernel has one (kswapd_init). */
  wakeup_kswapd;
  /** kswapd runs (balance_pgdat) so far. */
  kswapd_runs = 0;
  /** min_free_kbytes (1024 until init_per_zone_wmark_min runs, as in Linux). */
  min_free_kbytes = 1024;
  /** totalreserve_pages: high watermarks plus lowmem reserves (MemAvailable). */
  totalreserve_pages = 0;
  /** Where the allocator's per-CPU objects live (the first chunk in the booted kernel). */
  percpu;
  /** vm_event_states: every CPU's event counters. */
  vm_events;
  /** pgdat->per_cpu_nodestats, from setup_per_cpu_pageset on. */
  per_cpu_nodestats;
  /** memarea's work counters. */
  memareaStats = { searches: 0, blocksScanned: 0, drains: 0 };
  /** ALLOC_NOFRAGMENT for each highest zone index whose preferred zone is ZONE_NORMAL. */
  nofragment = new Int32Array(MAX_NR_ZONES);
  constructor(init) {
    this.ram = init.ram;
    this.mem_map = init.mem_map;
    this.zones = init.zones;
    this.maxOrder = init.maxOrder;
    this.pageblockOrder = init.mem_map.pageblockOrder;
    this.nrCpus = init.nrCpus;
    this.report = new Reporter(init.hooks);
    this.smp_processor_id = init.smp_processor_id;
    this.linear = init.linear;
    this.percpu = init.percpu;
    this.vm_events = init.percpu.static_var("vm_event_states");
    this.update_nofragment();
  }
  /* ======================= allocation ======================= */
  /**
   * alloc_pages: 2^order contiguous pages.
   * @returns the PFN of the first page, or null.
   */
  alloc_pages(gfp, order) {
    const cpu = this.smp_processor_id();
    if (!(order >>> 0 < this.maxOrder && order === (order | 0)) || cpu >>> 0 >= this.nrCpus)
      return this.alloc_pages_bad_args(gfp, order, cpu);
    const highest = gfp_zone(gfp);
    let mt = gfp_migratetype(gfp);
    if (highest < 0 || mt < 0) return this.warn_bad_gfp(gfp, cpu);
    const cma = mt === MIGRATE_MOVABLE ? ALLOC_CMA : 0;
    if (this.page_group_by_mobility_disabled) mt = MIGRATE_UNMOVABLE;
    const first = ALLOC_WMARK_LOW | gfp & __GFP_KSWAPD_RECLAIM | this.nofragment[highest] | cma;
    let pfn = this.get_page_from_freelist(gfp, order, first, highest, mt, cpu);
    if (pfn === NIL) pfn = this.__alloc_pages_slowpath(gfp, order, highest, mt, cpu);
    return pfn === NIL ? null : pfn;
  }
  /** alloc_pages with an order >= MAX_ORDER (WARN_ON_ONCE unless __GFP_NOWARN, then NULL), or a CPU that does not exist. */
  alloc_pages_bad_args(gfp, order, cpu) {
    if (cpu >>> 0 >= this.nrCpus) throw new RangeError(`alloc_pages: no CPU ${cpu}`);
    if (!(gfp & __GFP_NOWARN)) this.report.warn_on_once("max_order", MAX_ORDER_WARN_SITE, "__alloc_pages_nodemask", cpu);
    return null;
  }
  /** A GFP_ZONE_BAD zone combination or both mobility bits: a one-time warning, NULL. */
  warn_bad_gfp(gfp, cpu) {
    this.report.warn_on_once(`gfp:${gfp}`, "include/linux/gfp.h", "gfp_zone", cpu);
    return null;
  }
  alloc_page(gfp) {
    return this.alloc_pages(gfp, 0);
  }
  /** __get_free_pages: the block's kernel virtual address in the linear map (page_address), 0n on failure. */
  __get_free_pages(gfp, order) {
    const pfn = this.alloc_pages(gfp, order);
    return pfn === null ? 0n : this.linear.page_address(pfn);
  }
  /**
   * get_page_from_freelist: the zonelist walk. Zones are tried from
   * `highest` down; a zone below its watermark is skipped.
   */
  get_page_from_freelist(gfp, order, allocFlags, highest, mt, cpu) {
    const zones = this.zones;
    for (; ; ) {
      for (let z = highest; z >= 0; z--) {
        const zone = zones[z];
        if (zone.present_pages === 0) continue;
        if (!(allocFlags & ALLOC_NO_WATERMARKS)) {
          const mark = zone.watermark[allocFlags & ALLOC_WMARK_MASK] + zone.watermark_boost;
          if (!zone_watermark_fast(zone, order, mark, highest, allocFlags) && !this.boost_ignored(zone, order, gfp, highest, allocFlags)) continue;
        }
        const pfn = this.rmqueue(zone, order, allocFlags, mt, cpu);
        if (pfn !== NIL) {
          this.prep_new_page(pfn, order, gfp);
          if (order && allocFlags & ALLOC_HARDER) reserve_highatomic_pageblock(this, pfn, zone);
          return pfn;
        }
      }
      if (!(allocFlags & ALLOC_NOFRAGMENT)) return NIL;
      allocFlags &= ~ALLOC_NOFRAGMENT;
    }
  }
  /**
   * zone_watermark_fast's second chance: "Ignore watermark boosting for
   * GFP_ATOMIC order-0 allocations when checking the min watermark".
   */
  boost_ignored(zone, order, gfp, highest, allocFlags) {
    if (order || !(gfp & __GFP_ATOMIC) || !zone.watermark_boost || (allocFlags & ALLOC_WMARK_MASK) !== ALLOC_WMARK_MIN) return false;
    return zone_watermark_fast(zone, order, zone.watermark[WMARK_MIN], highest, allocFlags);
  }
  /** rmqueue: order 0 from the pcp list, larger orders from the buddy lists; a boosted zone wakes kswapd. */
  rmqueue(zone, order, allocFlags, mt, cpu) {
    const pfn = order === 0 ? this.rmqueue_pcp(zone, allocFlags, mt, cpu) : this.rmqueue_buddy(zone, order, allocFlags, mt, cpu);
    if (zone.boosted_watermark_flag) {
      zone.boosted_watermark_flag = false;
      this.kswapd_pending = true;
      this.wakeup_kswapd?.();
    }
    return pfn;
  }
  /**
   * kswapd's balance_pgdat, as far as it goes in a kernel with nothing to
   * reclaim: boost reclaim makes no progress and stops at once, and the
   * boosts it was woken for are taken away ("decay"). The booted kernel's
   * kswapd0 thread runs it when woken (mm/kswapd.ts); a bare
   * allocator's user calls it. Returns whether it had work.
   */
  kswapd() {
    const had = this.kswapd_pending || this.zones.some((z) => z.watermark_boost > 0);
    this.kswapd_pending = false;
    if (!had) return false;
    this.kswapd_runs++;
    this.count_vm_events(PAGEOUTRUN, 1);
    for (const z of this.zones) z.watermark_boost = 0;
    return true;
  }
  /** rmqueue's order-0 half: a page from the pcp list that passes check_new_pcp (bad ones are dropped). */
  rmqueue_pcp(zone, allocFlags, mt, cpu) {
    for (; ; ) {
      const pfn = rmqueue_pcplist(this, zone, mt, allocFlags, cpu);
      if (pfn === NIL) return NIL;
      if (page_expected_state(this.mem_map.w, this.mem_map.idx(pfn), PAGE_FLAGS_CHECK_AT_PREP)) {
        __count_vm_events(this.vm_events, cpu, PGALLOC_DMA + zone.idx, 1);
        return pfn;
      }
      this.check_new_page_bad(pfn, cpu);
    }
  }
  /** rmqueue's order > 0 half: a block from the buddy lists (highatomic first for ALLOC_HARDER) that passes check_new_pages. */
  rmqueue_buddy(zone, order, allocFlags, mt, cpu) {
    for (; ; ) {
      let pfn = NIL;
      if (allocFlags & ALLOC_HARDER) pfn = __rmqueue_smallest(this, zone, order, MIGRATE_HIGHATOMIC);
      if (pfn === NIL) pfn = __rmqueue(this, zone, order, mt, allocFlags);
      if (pfn === NIL) return NIL;
      __mod_zone_freepage_state(zone, -(1 << order), this.mem_map.w[this.mem_map.idx(pfn) + W_INDEX]);
      if (!this.check_new_pages(pfn, order, cpu)) {
        __count_vm_events(this.vm_events, cpu, PGALLOC_DMA + zone.idx, 1 << order);
        return pfn;
      }
    }
  }
  /** prep_new_page / post_alloc_hook: the head gets the reference. */
  prep_new_page(pfn, order, gfp) {
    const w = this.mem_map.w;
    const i = this.mem_map.idx(pfn);
    w[i + W_PRIVATE] = 0;
    w[i + W_REFCOUNT] = 1;
    if (gfp & __GFP_ZERO) this.ram.fill(pfn * PAGE_SIZE, PAGE_SIZE << order, 0);
  }
  /**
   * __alloc_pages_slowpath, as far as it applies: the min watermark (less
   * for __GFP_HIGH / __GFP_ATOMIC), no watermarks for __GFP_MEMALLOC, a
   * pcp drain for callers that may reclaim, then the failure report.
   * __GFP_NOFAIL cannot loop forever here; it fails like the rest.
   */
  __alloc_pages_slowpath(gfp, order, highest, mt, cpu) {
    const cma = gfp_migratetype(gfp) === MIGRATE_MOVABLE ? ALLOC_CMA : 0;
    const allocFlags = gfp_to_alloc_flags(gfp) | cma;
    let pfn = this.get_page_from_freelist(gfp, order, allocFlags, highest, mt, cpu);
    if (pfn !== NIL) return pfn;
    if (gfp & __GFP_MEMALLOC && !(gfp & __GFP_NOMEMALLOC)) {
      pfn = this.get_page_from_freelist(gfp, order, ALLOC_NO_WATERMARKS | cma, highest, mt, cpu);
      if (pfn !== NIL) return pfn;
    }
    if (gfp & __GFP_DIRECT_RECLAIM) {
      unreserve_highatomic_pageblock(this, highest, mt, false);
      this.drain_all_pages();
      pfn = this.get_page_from_freelist(gfp, order, allocFlags, highest, mt, cpu);
      if (pfn !== NIL) return pfn;
      while (unreserve_highatomic_pageblock(this, highest, mt, true)) {
        pfn = this.get_page_from_freelist(gfp, order, allocFlags, highest, mt, cpu);
        if (pfn !== NIL) return pfn;
      }
    }
    this.report.warn_alloc(this, gfp, `page allocation failure: order:${order}`, cpu);
    return NIL;
  }
  /* ========================= freeing ========================= */
  /**
   * __free_pages: drop a reference to a block of 2^order pages; the last
   * reference frees it. Bad input is reported and ignored.
   */
  __free_pages(pfn, order) {
    const cpu = this.smp_processor_id();
    const mem_map = this.mem_map;
    const orderOk = order >>> 0 < this.maxOrder && order === (order | 0);
    if (!(mem_map.pfn_valid(pfn) && cpu >>> 0 < this.nrCpus && orderOk && (pfn & (1 << order) - 1) === 0))
      return this.free_pages_bad_args(pfn, order, cpu);
    const i = mem_map.idx(pfn);
    const ref = mem_map.w[i + W_REFCOUNT];
    if (ref <= 0) return this.report.bad_page(mem_map, pfn, "VM_BUG_ON_PAGE(page_ref_count(page) == 0)", cpu);
    mem_map.w[i + W_REFCOUNT] = ref - 1;
    if (ref === 1) return this.free_the_page(pfn, order, cpu);
    while (order-- > 0) this.free_the_page(pfn + (1 << order), order, cpu);
  }
  /** free_the_page: order 0 to the pcp list, larger blocks to the buddy lists. */
  free_the_page(pfn, order, cpu) {
    if (order === 0) this.free_unref_page(pfn, cpu);
    else this.__free_pages_ok(pfn, order, cpu);
  }
  /** What __free_pages says about a PFN without a struct page, a CPU that does not exist, or an order the block cannot have. */
  free_pages_bad_args(pfn, order, cpu) {
    const mem_map = this.mem_map;
    if (!mem_map.pfn_valid(pfn)) return this.report.bad_pfn(pfn, "__free_pages of a pfn outside mem_map");
    if (cpu >>> 0 >= this.nrCpus) throw new RangeError(`__free_pages: no CPU ${cpu}`);
    if (!(order >>> 0 < this.maxOrder && order === (order | 0))) return this.report.bad_page(mem_map, pfn, "VM_BUG_ON(order >= MAX_ORDER)", cpu);
    this.report.bad_page(mem_map, pfn, "VM_BUG_ON_PAGE(pfn & ((1 << order) - 1))", cpu);
  }
  free_page(pfn) {
    this.__free_pages(pfn, 0);
  }
  /** free_pages: by kernel virtual address, as __get_free_pages returned it (0n: nothing). */
  free_pages(addr, order) {
    if (addr !== 0n) this.__free_pages(this.linear.virt_to_page(addr), order);
  }
  /** get_page: take another reference. */
  get_page(pfn) {
    this.mem_map.w[this.mem_map.idx(pfn) + W_REFCOUNT]++;
  }
  /**
   * split_page: turn a non-compound block of 2^order pages into 2^order
   * order-0 pages, each with its own reference, to be freed one by one.
   */
  split_page(pfn, order) {
    const w = this.mem_map.w;
    for (let p = pfn + 1; p < pfn + (1 << order); p++) w[this.mem_map.idx(p) + W_REFCOUNT] = 1;
  }
  page_count(pfn) {
    return this.mem_map.page_refcount(pfn);
  }
  /** free_unref_page: an order-0 page goes to this CPU's pcp list. */
  free_unref_page(pfn, cpu) {
    if (!this.free_pages_prepare(pfn, 0, cpu)) return;
    __count_vm_events(this.vm_events, cpu, PGFREE, 1);
    free_unref_page_commit(this, this.page_zone(pfn), pfn, this.mem_map.get_pageblock_migratetype(pfn), cpu);
  }
  /** __free_pages_ok: a higher-order block goes straight to the buddy lists. */
  __free_pages_ok(pfn, order, cpu) {
    if (!this.free_pages_prepare(pfn, order, cpu)) return;
    const zone = this.page_zone(pfn);
    __count_vm_events(this.vm_events, cpu, PGFREE, 1 << order);
    __free_one_page(this, zone, pfn, order, this.mem_map.get_pageblock_migratetype(pfn), false);
  }
  /** free_pages_prepare: check a block before it is freed. */
  free_pages_prepare(pfn, order, cpu) {
    return this.free_range_prepare(pfn, 1 << order, cpu);
  }
  /**
   * free_pages_prepare for any number of pages (memarea uses it too):
   * check every page of [pfn, pfn+nr) (tails first, then the head); any
   * bad page stops the whole free. A single page, the common case, has a
   * path of its own that the JIT can inline whole.
   */
  free_range_prepare(pfn, nr, cpu) {
    if (nr !== 1) return this.free_block_prepare(pfn, nr, cpu);
    const mem_map = this.mem_map;
    const w = mem_map.w;
    const i = mem_map.idx(pfn);
    if (w[i + W_MAPPING] & PAGE_MAPPING_FLAGS) clear_mapping_flags(w, i);
    if (!page_expected_state(w, i, PAGE_FLAGS_CHECK_AT_FREE) || mem_map.onPcp[mem_map.slot(pfn)] !== 0) {
      this.check_free_page_bad(pfn, w[i + W_FLAGS_HI], cpu);
      return false;
    }
    w[i + W_FLAGS] &= ~PAGE_FLAGS_CHECK_AT_PREP;
    return true;
  }
  /** free_range_prepare for more than one page: every page is checked (and reported) even after a bad one. */
  free_block_prepare(pfn, nr, cpu) {
    const mem_map = this.mem_map;
    const w = mem_map.w;
    const i = mem_map.idx(pfn);
    const zoneHi = w[i + W_FLAGS_HI];
    const end = pfn + nr;
    if (w[i + W_MAPPING] & PAGE_MAPPING_FLAGS) clear_mapping_flags(w, i);
    if (end > mem_map.endPfn) {
      this.report.bad_page(mem_map, pfn, "VM_BUG_ON_PAGE(bad_range(zone, page))", cpu);
      return false;
    }
    let bad = 0;
    for (let p = pfn + 1, pi = i + PAGE_WORDS, slot = mem_map.slot(p); p < end; p++, pi += PAGE_WORDS, slot++) {
      if (!this.check_free_page(p, pi, slot, zoneHi, cpu)) bad++;
      else w[pi + W_FLAGS] &= ~PAGE_FLAGS_CHECK_AT_PREP;
    }
    if (!this.check_free_page(pfn, i, mem_map.slot(pfn), zoneHi, cpu)) bad++;
    if (bad) return false;
    w[i + W_FLAGS] &= ~PAGE_FLAGS_CHECK_AT_PREP;
    return true;
  }
  /**
   * check_free_page: may this page go back to the free lists? Besides
   * page_expected_state, two checks of the model: the page must not sit
   * on a pcp list, and must be in the block head's zone (bad_range). Kept
   * this small because every page of every free runs it; the report is
   * check_free_page_bad's. `i` and `slot` are mem_map.idx(pfn) and
   * mem_map.slot(pfn), which the callers' loops step along.
   */
  check_free_page(pfn, i, slot, zoneHi, cpu) {
    const mem_map = this.mem_map;
    if (page_expected_state(mem_map.w, i, PAGE_FLAGS_CHECK_AT_FREE) && mem_map.onPcp[slot] === 0 && mem_map.w[i + W_FLAGS_HI] === zoneHi) return true;
    this.check_free_page_bad(pfn, zoneHi, cpu);
    return false;
  }
  /**
   * check_free_page_bad: report with page_bad_reason()'s words; a page on
   * a pcp list that looks free otherwise says so, and a page of another
   * zone says bad_range, over any other reason.
   */
  check_free_page_bad(pfn, zoneHi, cpu) {
    const mem_map = this.mem_map;
    let reason = page_bad_reason(mem_map, pfn, PAGE_FLAGS_CHECK_AT_FREE);
    if (reason === null && mem_map.onPcp[mem_map.slot(pfn)] !== 0) reason = "page on a per-cpu list";
    if (mem_map.w[mem_map.idx(pfn) + W_FLAGS_HI] !== zoneHi) reason = "VM_BUG_ON_PAGE(bad_range(zone, page))";
    this.report.bad_page(mem_map, pfn, reason, cpu);
  }
  /** check_new_pages: every page of a block about to be handed out. @returns true if bad. */
  check_new_pages(pfn, order, cpu) {
    const w = this.mem_map.w;
    for (let p = pfn, i = this.mem_map.idx(pfn), end = pfn + (1 << order); p < end; p++, i += PAGE_WORDS) {
      if (!page_expected_state(w, i, PAGE_FLAGS_CHECK_AT_PREP)) {
        this.check_new_page_bad(p, cpu);
        return true;
      }
    }
    return false;
  }
  /** check_new_page_bad: report a page that failed page_expected_state on its way out. */
  check_new_page_bad(pfn, cpu) {
    this.report.bad_page(this.mem_map, pfn, page_bad_reason(this.mem_map, pfn, PAGE_FLAGS_CHECK_AT_PREP), cpu);
  }
  /* ======================= pcp and zones ======================= */
  /** drain_all_pages: every CPU's pcp pages back to the buddy lists (one zone, or all). */
  drain_all_pages(zone) {
    for (let cpu = 0; cpu < this.nrCpus; cpu++) {
      if (zone) drain_pages_zone(this, zone, cpu);
      else for (const z of this.zones) if (z.populated_zone()) drain_pages_zone(this, z, cpu);
    }
  }
  /** page_zone */
  page_zone(pfn) {
    return this.zones[this.mem_map.page_zonenum(pfn)];
  }
  /** The zonelist of node 0 for `highest`: populated zones, highest first. */
  zonelist(highest = MAX_NR_ZONES - 1) {
    const out = [];
    for (let z = Math.min(highest, MAX_NR_ZONES - 1); z >= 0; z--) if (this.zones[z].populated_zone()) out.push(this.zones[z]);
    return out;
  }
  /** nr_free_pages(): NR_FREE_PAGES over all zones (pcp pages excluded, as in Linux). */
  nr_free_pages() {
    let n = 0;
    for (const z of this.zones) n += z.nr_free_pages;
    return n;
  }
  /** totalram_pages(): pages managed by the buddy allocator. */
  totalram_pages() {
    let n = 0;
    for (const z of this.zones) n += z.managed_pages;
    return n;
  }
  /** Pages sitting on pcp lists, all CPUs and zones (empty zones share boot_pageset: counted once). */
  nr_pcp_pages() {
    let n = 0;
    for (const pcp of new Set(this.zones.map((z) => z.pcp))) for (let c = 0; c < this.nrCpus; c++) n += pcp.count(c);
    return n;
  }
  /** count_vm_events on the caller's CPU. */
  count_vm_events(item, n, cpu = this.smp_processor_id()) {
    __count_vm_events(this.vm_events, cpu, item, n);
  }
  /** PGFREE over all CPUs (pages freed). */
  get pgfree() {
    return sum_vm_event(this.vm_events, this.nrCpus, PGFREE);
  }
  /**
   * alloc_flags_nofragment, precomputed: ALLOC_NOFRAGMENT when the
   * preferred zone (first populated zone of the zonelist) is ZONE_NORMAL.
   */
  update_nofragment() {
    for (let h = 0; h < MAX_NR_ZONES; h++) {
      const preferred = this.zonelist(h)[0];
      this.nofragment[h] = preferred && preferred.idx === ZONE_NORMAL ? ALLOC_NOFRAGMENT : 0;
    }
  }
  /* ========================= memarea ========================= */
  /** alloc_memarea: `pages` contiguous pages, any size, optional alignment in pages. See memarea.ts. */
  alloc_memarea(gfp, pages, align = 1) {
    return alloc_memarea(this, gfp, pages, align, this.smp_processor_id());
  }
  /** free_memarea: give back what alloc_memarea returned. */
  free_memarea(pfn, pages) {
    free_memarea(this, pfn, pages, this.smp_processor_id());
  }
  /** Physical address of a PFN. */
  static page_to_phys(pfn) {
    return pfn * PAGE_SIZE;
  }
  static phys_to_pfn(pa) {
    return Math.floor(pa / 2 ** PAGE_SHIFT);
  }
};
function clear_mapping_flags(w, i) {
  w[i + W_MAPPING] = 0;
  w[i + W_MAPPING + 1] = 0;
}
function page_expected_state(w, i, checkFlags) {
  return w[i + W_MAPCOUNT] === PAGE_MAPCOUNT_RESET && (w[i + W_MAPPING] | w[i + W_MAPPING + 1] | w[i + W_REFCOUNT] | w[i + W_MEMCG] | w[i + W_MEMCG + 1] | w[i + W_FLAGS] & checkFlags) === 0;
}
function page_bad_reason(mem_map, pfn, flags) {
  const w = mem_map.w;
  const i = mem_map.idx(pfn);
  let reason = null;
  if (w[i + W_MAPCOUNT] !== PAGE_MAPCOUNT_RESET) reason = "nonzero mapcount";
  if ((w[i + W_MAPPING] | w[i + W_MAPPING + 1]) !== 0) reason = "non-NULL mapping";
  if (w[i + W_REFCOUNT] !== 0) reason = "nonzero _refcount";
  if (w[i + W_FLAGS] & flags)
    reason = flags === PAGE_FLAGS_CHECK_AT_PREP ? "PAGE_FLAGS_CHECK_AT_PREP flag(s) set" : "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
  if ((w[i + W_MEMCG] | w[i + W_MEMCG + 1]) !== 0) reason = "page still charged to cgroup";
  return reason;
}
function gfp_to_alloc_flags(gfp) {
  let flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;
  flags |= gfp & (__GFP_HIGH | __GFP_KSWAPD_RECLAIM);
  if (gfp & __GFP_ATOMIC) {
    if (!(gfp & __GFP_NOMEMALLOC)) flags |= ALLOC_HARDER;
    flags &= ~ALLOC_CPUSET;
  }
  return flags;
}

// kernel-model/mm/percpu/words.ts
var wordsOf = (bytes2) => Math.ceil(bytes2 / 4);
function host_percpu_place(nrCpus) {
  const statics = /* @__PURE__ */ new Map();
  const alloc = (bytes2) => {
    const stride = wordsOf(bytes2);
    return { w: new Int32Array(stride * nrCpus), at: 0, stride };
  };
  return {
    static_var(name) {
      const v = STATIC_PERCPU_VARS.find((x) => x.name === name);
      if (!v) throw new Error(`no static per-CPU variable ${name}`);
      let p = statics.get(name);
      if (!p) statics.set(name, p = alloc(v.size));
      return p;
    },
    alloc
  };
}

// kernel-model/mm/page_alloc/vmstat.ts
var FREECOUNT_CAP = 1e5;
var pad = (v, n) => String(v).padStart(n);
function buddyinfo(pgalloc) {
  let out = "";
  for (const zone of pgalloc.zones) {
    if (!zone.populated_zone()) continue;
    out += `Node 0, zone ${pad(zone.name, 8)} `;
    for (let order = 0; order < pgalloc.maxOrder; order++) out += `${pad(zone.nrFree[order], 6)} `;
    out += "\n";
  }
  return out;
}
function freecount(pgalloc, head) {
  const mem_map = pgalloc.mem_map;
  let n = 0;
  for (let pfn = head; pfn !== NIL; pfn = mem_map.w[mem_map.idx(pfn) + W_LRU_NEXT]) {
    if (++n >= FREECOUNT_CAP) return { n, overflow: true };
  }
  return { n, overflow: false };
}
function pageblock_counts(pgalloc, zoneIdx) {
  const zone = pgalloc.zones[zoneIdx];
  const mem_map = pgalloc.mem_map;
  const counts = new Array(MIGRATE_TYPES).fill(0);
  const step = 1 << pgalloc.pageblockOrder;
  for (let pfn = zone.zone_start_pfn; pfn < zone.zone_end_pfn(); pfn += step) {
    if (!mem_map.pfn_valid(pfn)) continue;
    if (mem_map.page_zonenum(pfn) !== zoneIdx) continue;
    const mt = mem_map.get_pageblock_migratetype(pfn);
    if (mt < MIGRATE_TYPES) counts[mt]++;
  }
  return counts;
}
function pagetypeinfo(pgalloc) {
  let out = `Page block order: ${pgalloc.pageblockOrder}
`;
  out += `Pages per block:  ${1 << pgalloc.pageblockOrder}
`;
  out += "\n";
  out += `${"Free pages count per migrate type at order".padEnd(43)} `;
  for (let order = 0; order < pgalloc.maxOrder; order++) out += `${pad(order, 6)} `;
  out += "\n";
  const populated = pgalloc.zones.filter((z) => z.populated_zone());
  for (const zone of populated) {
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      out += `Node ${pad(0, 4)}, zone ${pad(zone.name, 8)}, type ${pad(migratetype_names[mt], 12)} `;
      for (let order = 0; order < pgalloc.maxOrder; order++) {
        const { n, overflow } = freecount(pgalloc, zone.freeHead[free_list_index(order, mt)]);
        out += `${overflow ? ">" : ""}${pad(n, 6)} `;
      }
      out += "\n";
    }
  }
  out += `
${"Number of blocks type ".padEnd(23)}`;
  for (let mt = 0; mt < MIGRATE_TYPES; mt++) out += `${pad(migratetype_names[mt], 12)} `;
  out += "\n";
  for (const zone of populated) {
    out += `Node 0, zone ${pad(zone.name, 8)} `;
    for (const c of pageblock_counts(pgalloc, zone.idx)) out += `${pad(c, 12)} `;
    out += "\n";
  }
  return out;
}
function si_mem_available(pgalloc, extra = {}) {
  let wmarkLow = 0;
  for (const zone of pgalloc.zones) wmarkLow += zone.watermark[WMARK_LOW];
  let available = pgalloc.nr_free_pages() - pgalloc.totalreserve_pages;
  const pagecache = 0;
  available += pagecache - Math.min(Math.floor(pagecache / 2), wmarkLow);
  const reclaimable = (extra.slabReclaimablePages ?? 0) + (extra.kernelMiscReclaimablePages ?? 0);
  available += reclaimable - Math.min(Math.floor(reclaimable / 2), wmarkLow);
  return Math.max(0, available);
}
function vm_commit_limit(pgalloc) {
  return Math.floor(pgalloc.totalram_pages() * 50 / 100);
}
function meminfo(pgalloc, extra = {}) {
  const lines = [];
  const kb2 = (label, pages) => {
    lines.push(`${label.padEnd(16)}${pad(pages * 4, 8)} kB`);
  };
  const kbRaw = (label, kbytes) => {
    lines.push(`${label.padEnd(16)}${pad(kbytes, 8)} kB`);
  };
  const sreclaimable = extra.slabReclaimablePages ?? 0;
  const sunreclaim = extra.slabUnreclaimablePages ?? 0;
  kb2("MemTotal:", pgalloc.totalram_pages());
  kb2("MemFree:", pgalloc.nr_free_pages());
  kb2("MemAvailable:", si_mem_available(pgalloc, extra));
  kb2("Buffers:", 0);
  kb2("Cached:", 0);
  kb2("SwapCached:", 0);
  kb2("Active:", 0);
  kb2("Inactive:", 0);
  kb2("Active(anon):", 0);
  kb2("Inactive(anon):", 0);
  kb2("Active(file):", 0);
  kb2("Inactive(file):", 0);
  kb2("Unevictable:", 0);
  kb2("Mlocked:", 0);
  kb2("SwapTotal:", 0);
  kb2("SwapFree:", 0);
  kb2("Dirty:", 0);
  kb2("Writeback:", 0);
  kb2("AnonPages:", 0);
  kb2("Mapped:", 0);
  kb2("Shmem:", 0);
  kb2("KReclaimable:", sreclaimable + (extra.kernelMiscReclaimablePages ?? 0));
  kb2("Slab:", sreclaimable + sunreclaim);
  kb2("SReclaimable:", sreclaimable);
  kb2("SUnreclaim:", sunreclaim);
  kbRaw("KernelStack:", extra.kernelStackKb ?? 0);
  kb2("PageTables:", extra.pageTablesPages ?? 0);
  kb2("NFS_Unstable:", 0);
  kb2("Bounce:", 0);
  kb2("WritebackTmp:", 0);
  kb2("CommitLimit:", vm_commit_limit(pgalloc));
  kb2("Committed_AS:", extra.committedAsPages ?? 0);
  kbRaw("VmallocTotal:", extra.vmallocTotalKb ?? 0);
  kb2("VmallocUsed:", extra.vmallocUsedPages ?? 0);
  kb2("VmallocChunk:", 0);
  kb2("Percpu:", extra.percpuPages ?? 0);
  kb2("CmaTotal:", extra.cmaTotalPages ?? 0);
  kb2("CmaFree:", extra.cmaFreePages ?? 0);
  return lines.join("\n") + "\n";
}

// kernel-model/mm/page_alloc/index.ts
var DEFAULT_MAX_ORDER = 11;
function max_order_limit(sectionSizeBits = SECTION_SIZE_BITS_510) {
  return sectionSizeBits - PAGE_SHIFT + 1;
}
var NO_KERNEL_SECTIONS = { code: 0, rwdata: 0, rodata: 0, init: 0, bss: 0 };
function page_alloc_init(opts) {
  const pgalloc = new PageAllocator({
    ram: opts.ram,
    mem_map: opts.init.mem_map,
    zones: opts.init.zones,
    maxOrder: opts.maxOrder,
    nrCpus: opts.nrCpus,
    hooks: { ...opts.report, printk: opts.printk },
    smp_processor_id: opts.smp_processor_id ?? (() => 0),
    linear: opts.linear ?? new LinearMap(0),
    percpu: opts.percpu ?? host_percpu_place(opts.nrCpus)
  });
  build_all_zonelists(pgalloc, opts.printk);
  return pgalloc;
}
function page_alloc_init_late(pgalloc, memblock, sections = NO_KERNEL_SECTIONS, opts = {}) {
  memblock_free_all(pgalloc, memblock);
  pgalloc.report.printk(mem_init_print_info(pgalloc, sections, opts.totalcmaPages ?? 0));
  setup_per_cpu_pageset(pgalloc);
  for (const initcall of opts.coreInitcalls ?? []) initcall(pgalloc);
  init_per_zone_wmark_min(pgalloc, opts.minFreeKbytes ?? -1);
}

// kernel-model/kernel/dma/swiotlb.ts
var IO_TLB_SHIFT = 11;
var IO_TLB_SEGSIZE = 128;
var IO_TLB_DEFAULT_SIZE = 64 << 20;
function swiotlb_param(cmdline) {
  let nslabs = 0;
  let force;
  for (const value of cmdline?.getAll("swiotlb") ?? []) {
    if (value === void 0) continue;
    let [n, rest] = memparsePrefix(value);
    if (/^\d/.test(value)) nslabs = Math.ceil(n / IO_TLB_SEGSIZE) * IO_TLB_SEGSIZE;
    if (rest.startsWith(",")) rest = rest.slice(1);
    if (rest === "force") force = "force";
    else if (rest === "noforce") force = "noforce";
  }
  return { nslabs, force };
}
function arm64_swiotlb_init(memblock, dmaPhysLimit, cmdline, printk) {
  const param = swiotlb_param(cmdline);
  const maxPfn = Math.floor(memblock.memblock_end_of_DRAM() / PAGE_SIZE);
  if (param.force === "noforce") return null;
  if (param.force !== "force" && !(maxPfn > Math.floor(dmaPhysLimit / PAGE_SIZE))) return null;
  const nslabs = param.nslabs || Math.ceil((IO_TLB_DEFAULT_SIZE >> IO_TLB_SHIFT) / IO_TLB_SEGSIZE) * IO_TLB_SEGSIZE;
  const bytes2 = nslabs * 2 ** IO_TLB_SHIFT;
  const start = memblock.memblock_phys_alloc_range(Math.ceil(bytes2 / PAGE_SIZE) * PAGE_SIZE, PAGE_SIZE, 0, dmaPhysLimit);
  if (!start) {
    printk("Cannot allocate buffer");
    return null;
  }
  memblock.memblock_alloc(nslabs * 4, SMP_CACHE_BYTES);
  memblock.memblock_alloc(nslabs * 8, SMP_CACHE_BYTES);
  printk(`software IO TLB: mapped [mem ${fmtPa(start)}-${fmtPa(start + bytes2)}] (${bytes2 >> 20}MB)`);
  return { start, end: start + bytes2, nslabs };
}

// kernel-model/mm/page_alloc/zoneinfo.ts
function zoneStat(z, item) {
  if (item === "nr_free_pages") return z.nr_free_pages;
  if (item === "nr_free_cma") return z.nr_free_cma_pages;
  return 0;
}
function zoneinfo(pgalloc) {
  let out = "";
  const firstPopulated = pgalloc.zones.find((z) => z.populated_zone());
  for (const z of pgalloc.zones) {
    out += `Node 0, zone ${zone_names[z.idx].padStart(8)}`;
    if (z === firstPopulated) {
      out += "\n  per-node stats";
      for (const item of NODE_STAT_ITEMS) out += `
      ${item.padEnd(12)} 0`;
    }
    out += `
  pages free     ${z.nr_free_pages}
        min      ${z.min_wmark_pages()}
        low      ${z.low_wmark_pages()}
        high     ${z.high_wmark_pages()}
        spanned  ${z.spanned_pages}
        present  ${z.present_pages}
        managed  ${z.managed_pages}
        cma      ${z.cma_pages}`;
    out += `
        protection: (${Array.from(z.lowmem_reserve).join(", ")})`;
    if (!z.populated_zone()) {
      out += "\n";
      continue;
    }
    for (const item of ZONE_STAT_ITEMS) out += `
      ${item.padEnd(12)} ${zoneStat(z, item)}`;
    out += "\n  pagesets";
    for (let cpu = 0; cpu < pgalloc.nrCpus; cpu++) {
      out += `
    cpu: ${cpu}
              count: ${z.pcp.count(cpu)}
              high:  ${z.pcp.high(cpu)}
              batch: ${z.pcp.batch(cpu)}`;
      out += `
  vm stats threshold: ${z.pcp.stat_threshold(cpu)}`;
    }
    out += `
  node_unreclaimable:  0
  start_pfn:           ${z.zone_start_pfn}
`;
  }
  return out;
}
function vmstat(pgalloc) {
  const lines = [];
  for (const item of ZONE_STAT_ITEMS) lines.push(`${item} ${pgalloc.zones.reduce((s, z) => s + zoneStat(z, item), 0)}`);
  for (const item of NODE_STAT_ITEMS) lines.push(`${item} 0`);
  const dirtyable = pgalloc.zones.reduce((s, z) => s + Math.max(0, z.nr_free_pages - z.high_wmark_pages()), 0);
  const thresh = Math.floor(dirtyable * 20 / 100);
  lines.push(`nr_dirty_threshold ${thresh}`, `nr_dirty_background_threshold ${Math.floor(thresh / 2)}`);
  const events = all_vm_events(pgalloc.vm_events, pgalloc.nrCpus);
  VM_EVENT_ITEMS.forEach((name, i) => lines.push(`${name} ${events[i]}`));
  return lines.join("\n") + "\n";
}

// kernel-model/kernel/resource.ts
var hex82 = (x) => x.toString(16).padStart(8, "0");
function subtract(start, end, holes) {
  let pieces = [[start, end]];
  for (const h of holes) {
    pieces = pieces.flatMap(([s, e]) => {
      if (h.end < s || h.start > e) return [[s, e]];
      const out = [];
      if (h.start > s) out.push([s, h.start - 1]);
      if (h.end < e) out.push([h.end + 1, e]);
      return out;
    });
  }
  return pieces;
}
function iomem(memblock, kernel) {
  let out = "";
  for (const m of memblock.memory.regions) {
    const ram = { start: m.base, end: m.base + m.size - 1, name: "System RAM" };
    out += `${hex82(ram.start)}-${hex82(ram.end)} : ${ram.name}
`;
    const kids = [];
    for (const [name, [s, e]] of [["Kernel code", kernel.code], ["Kernel data", kernel.data]])
      if (s >= ram.start && e <= ram.end) kids.push({ start: s, end: e, name });
    const own = [...kids];
    for (const r2 of memblock.reserved.regions) {
      const s = Math.max(r2.base, ram.start);
      const e = Math.min(r2.base + r2.size - 1, ram.end);
      if (s > e) continue;
      for (const [ps, pe] of subtract(s, e, own)) kids.push({ start: ps, end: pe, name: "reserved" });
    }
    kids.sort((a, b) => a.start - b.start);
    for (const k of kids) out += `  ${hex82(k.start)}-${hex82(k.end)} : ${k.name}
`;
  }
  return out;
}

// kernel-model/mm/init.ts
var fls64 = (x) => x <= 0 ? 0 : Math.floor(Math.log2(x)) + 1;
function zone_dma_bits(dt) {
  let reach = Infinity;
  for (const { node, parent } of walkNodes(dt)) {
    const prop = getProp(node, "dma-ranges");
    if (!prop || prop.length === 0 || !parent) continue;
    const cells = decodeCells(prop, "dma-ranges");
    const child = addressCellsOf(node);
    const par = addressCellsOf(parent);
    const size2 = sizeCellsOf(node);
    const num = (a) => a.reduce((v, c) => v * 2 ** 32 + c, 0);
    let end = 0;
    for (let i = 0; i + child + par + size2 <= cells.length; i += child + par + size2) {
      const cpu = num(cells.slice(i + child, i + child + par));
      const len = num(cells.slice(i + child + par, i + child + par + size2));
      end = Math.max(end, cpu + len - 1);
    }
    reach = Math.min(reach, end);
  }
  return reach === Infinity ? 32 : Math.min(32, fls64(reach));
}
function max_order_param(cmdline, printk, sectionSizeBits = SECTION_SIZE_BITS_510) {
  const limit = max_order_limit(sectionSizeBits);
  let maxOrder = DEFAULT_MAX_ORDER;
  for (const value of cmdline?.getAll("max_order") ?? []) {
    const v = value === void 0 ? NaN : kernelIntOrNaN(value);
    if (v >= 2 && v <= limit) maxOrder = v;
    else {
      const param = value === void 0 ? "max_order" : `max_order=${value}`;
      printk(`${param} is ${Number.isNaN(v) ? "not a number" : "out of range"} (2..${limit}); using ${maxOrder}`);
    }
  }
  return maxOrder;
}
function kernelIntOrNaN(value) {
  try {
    return parseKernelInt(value);
  } catch (e) {
    if (e instanceof CmdlineError) return NaN;
    throw e;
  }
}
function bootmem_init(b) {
  const limits = { dmaBits: zone_dma_bits(b.dt), dma32Bits: 32 };
  const maxOrder = b.maxOrder;
  const init = free_area_init({
    ram: b.ram,
    memblock: b.memblock,
    zoneLimits: limits,
    maxOrder,
    nrCpus: b.nrCpus,
    printk: b.printk
  });
  return { ...init, maxOrder, limits };
}
function build_zonelists(k, init) {
  return page_alloc_init({
    ram: k.machine.ram,
    init,
    maxOrder: init.maxOrder,
    nrCpus: k.machine.cores.length,
    printk: k.printk,
    smp_processor_id: () => k.smp_processor_id(),
    linear: k.arch.linear,
    percpu: k.percpu?.place(),
    report: {
      comm: () => k.this_cpu.active ? k.current().comm : "swapper/0",
      pid: () => k.this_cpu.active ? k.current().pid : 0,
      vmemmapStart: VMEMMAP_START,
      memstartPfn: Math.floor(k.arch.linear.physOffset / PAGE_SIZE)
    }
  });
}
function mem_init(k, pgalloc) {
  const off = (s) => Number(k.syms.offset(s));
  const { early, memblock, cmdline } = k.arch;
  const swiotlb = arm64_swiotlb_init(memblock, early.dmaPhysLimit, cmdline, k.printk);
  page_alloc_init_late(
    pgalloc,
    memblock,
    {
      code: off("harness_syscall"),
      rwdata: off("harness_buffers_end") - off("harness_buffers"),
      rodata: 0,
      init: 0,
      bss: off("_end") - off("init_stack")
    },
    { totalcmaPages: early.cma.totalcma_pages, coreInitcalls: [(pa) => early.cma.cma_init_reserved_areas(pa)] }
  );
  k.proc.register("/proc/buddyinfo", () => buddyinfo(pgalloc));
  k.proc.register("/proc/zoneinfo", () => zoneinfo(pgalloc));
  k.proc.register("/proc/vmstat", () => vmstat(pgalloc));
  const text = k.textPa;
  k.proc.register(
    "/proc/iomem",
    () => iomem(memblock, { code: [text, text + off("harness_buffers") - 1], data: [text + off("harness_buffers"), text + off("_end") - 1] })
  );
  k.proc.register("/proc/pagetypeinfo", () => pagetypeinfo(pgalloc));
  const vmallocTotalKb = Number(VMALLOC_END - VMALLOC_START >> 10n);
  k.proc.register(
    "/proc/meminfo",
    () => meminfo(pgalloc, { vmallocTotalKb, slabReclaimablePages: k.slab?.nr_slab_reclaimable, slabUnreclaimablePages: k.slab?.nr_slab_unreclaimable, cmaTotalPages: early.cma.totalcma_pages, cmaFreePages: early.cma.nr_free_cma_pages(pgalloc) })
  );
  return swiotlb;
}

// kernel-model/arch/arm64/kernel/setup.ts
var FDT_MAGIC2 = 3490578157;
var MAX_FDT_SIZE = 2097152;
function badDtb(pa, why) {
  return new KernelPanic(
    `invalid device tree blob at physical address 0x${pa.toString(16).padStart(16, "0")} (${why}); the dtb must be 8-byte aligned and must not exceed 2 MB in size`
  );
}
function setup_machine_fdt(k, pa) {
  const ram = k.machine.ram;
  if (pa % 8 !== 0 || !ram.contains(pa, 40)) throw badDtb(pa, "not in RAM or misaligned");
  const view = new DataView(ram.read(pa, 8).buffer);
  if (view.getUint32(0) !== FDT_MAGIC2) throw badDtb(pa, `bad magic 0x${view.getUint32(0).toString(16)}`);
  const size2 = view.getUint32(4);
  if (size2 > MAX_FDT_SIZE || !ram.contains(pa, size2)) throw badDtb(pa, `size ${size2}`);
  try {
    return parseFdt(ram.read(pa, size2));
  } catch (e) {
    if (e instanceof FdtError) throw badDtb(pa, e.message);
    throw e;
  }
}
function modelOf(dt) {
  const model = getProp(dt.root, "model");
  if (model) return decodeString(model);
  const compat = getProp(dt.root, "compatible");
  return compat ? decodeStringList(compat)[0] ?? "<unknown>" : "<unknown>";
}
function cpuNodes(dt) {
  return [...walkNodes(dt)].filter((e) => e.path.startsWith("/cpus/cpu@") && e.path.split("/").length === 3).map((e) => e.node);
}
function early_init_dt_check_for_initrd(chosen) {
  const cells = (name) => {
    const p = chosen && getProp(chosen, name);
    if (!p || p.length !== 4 && p.length !== 8) return void 0;
    const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
    return p.length === 4 ? dv.getUint32(0) : Number(dv.getBigUint64(0));
  };
  const start = cells("linux,initrd-start");
  const end = cells("linux,initrd-end");
  if (start === void 0 || end === void 0 || end <= start) return void 0;
  return { start, end };
}
function setup_arch(k, dtbPa) {
  const dt = setup_machine_fdt(k, dtbPa);
  k.printk(`Machine model: ${modelOf(dt)}`);
  const chosen = [...walkNodes(dt)].find((e) => e.path === "/chosen")?.node;
  const bootargs = chosen && getProp(chosen, "bootargs");
  const cmdlineText = bootargs ? decodeString(bootargs) : "";
  const cmdline = parseCmdline(cmdlineText);
  const maxOrder = max_order_param(cmdline, k.printk);
  const dtbSize = new DataView(k.machine.ram.read(dtbPa + 4, 4).buffer).getUint32(0);
  const initrd = early_init_dt_check_for_initrd(chosen);
  const early = arm64_memblock_init_full(
    k.machine.ram,
    dt,
    { kernel: { base: k.textPa, size: k.imageSize }, dtb: { base: dtbPa, size: dtbSize }, initrd },
    { printk: k.printk, cmdline, maxOrder, zoneDmaBits: zone_dma_bits(dt) }
  );
  const memblock = early.memblock;
  const linear = new LinearMap(memblock.memory.regions[0].base);
  const pgtables = paging_init(k.machine.ram, memblock, linear, {
    textPa: k.textPa,
    size: k.imageSize
  });
  const bootmem = bootmem_init({ ram: k.machine.ram, memblock, dt, maxOrder, nrCpus: k.machine.cores.length, printk: k.printk });
  return {
    dt,
    cmdline,
    cmdlineText,
    cpuNodes: cpuNodes(dt),
    memblock,
    maxOrder,
    early,
    linear,
    pgtables,
    bootmem,
    kmem: new KernelMemory(k.machine.ram, pgtables.swapper),
    initrd
  };
}

// kernel-model/arch/arm64/kernel/cpuinfo.ts
var MPIDR_HWID_BITMASK = 0xff00ffffffn;
function mpidrHwid(mpidr) {
  return mpidr & MPIDR_HWID_BITMASK;
}
var hwid = (mpidr) => `0x${mpidrHwid(mpidr).toString(16).padStart(10, "0")}`;
var midrHex = (midr) => `0x${(midr & 0xffffffffn).toString(16).padStart(8, "0")}`;
function icachePolicy(ctr) {
  return ["VPIPT", "AIVIVT", "VIPT", "PIPT"][Number(ctr >> 14n & 3n)];
}
function icacheLine(cpu, regs) {
  return `Detected ${icachePolicy(regs.ctr)} I-cache on CPU${cpu}`;
}
function hwcaps(r2) {
  const f = (v, shift) => Number(v >> BigInt(shift) & 0xfn);
  const fp = f(r2.pfr0, 16);
  const simd = f(r2.pfr0, 20);
  const out = [];
  if (fp !== 15) out.push("fp");
  if (simd !== 15) out.push("asimd");
  out.push("evtstrm");
  if (f(r2.isar0, 4) >= 1) out.push("aes");
  if (f(r2.isar0, 4) >= 2) out.push("pmull");
  if (f(r2.isar0, 8) >= 1) out.push("sha1");
  if (f(r2.isar0, 12) >= 1) out.push("sha2");
  if (f(r2.isar0, 16) >= 1) out.push("crc32");
  if (f(r2.isar0, 20) >= 2) out.push("atomics");
  if (fp === 1) out.push("fphp");
  if (simd === 1) out.push("asimdhp");
  out.push("cpuid");
  return out;
}
function cpuinfo(regs, online, timerHz) {
  let out = "";
  const bogo = 2 * timerHz / 1e6;
  regs.forEach((r2, cpu) => {
    if (!r2 || !online[cpu]) return;
    const midr = Number(r2.midr & 0xffffffffn);
    out += `processor	: ${cpu}
BogoMIPS	: ${bogo.toFixed(2)}
Features	: ${hwcaps(r2).join(" ")}
CPU implementer	: 0x${(midr >>> 24).toString(16).padStart(2, "0")}
CPU architecture: 8
CPU variant	: 0x${(midr >>> 20 & 15).toString(16)}
CPU part	: 0x${(midr >>> 4 & 4095).toString(16).padStart(3, "0")}
CPU revision	: ${midr & 15}

`;
  });
  return out;
}
function systemFeatures(all) {
  const every = (f) => all.length > 0 && all.every(f);
  const field2 = (v, shift) => Number(v >> BigInt(shift) & 0xfn);
  const out = [];
  if (every((r2) => field2(r2.pfr0, 0) === 2)) out.push("32-bit EL0 Support");
  if (every((r2) => field2(r2.isar0, 16) >= 1)) out.push("CRC32 instructions");
  return out.map((f) => `CPU features: detected: ${f}`);
}
var HWCAP_BIT = {
  fp: 0,
  asimd: 1,
  evtstrm: 2,
  aes: 3,
  pmull: 4,
  sha1: 5,
  sha2: 6,
  crc32: 7,
  atomics: 8,
  fphp: 9,
  asimdhp: 10,
  cpuid: 11
};
function elf_hwcap(all) {
  let caps = -1n;
  for (const r2 of all) {
    let mine = 0n;
    for (const name of hwcaps(r2)) mine |= 1n << BigInt(HWCAP_BIT[name]);
    caps &= mine;
  }
  return all.length ? caps : 0n;
}

// kernel-model/kernel/sched/wait.ts
var WaitQueueHead = class {
  constructor(name) {
    this.name = name;
  }
  name;
  /** Waiting tasks, in the order they started waiting. */
  waiters = /* @__PURE__ */ new Set();
};
function wake_up(waker, wq) {
  const waiters = [...wq.waiters];
  wq.waiters.clear();
  for (const t2 of waiters) waker.wake_up_process(t2);
}
function* wait_event(wq, cond2, what = wq.name) {
  if (cond2()) return;
  yield { kind: "wait", wq, cond: cond2, what };
}
function* wait_event_until(wq, cond2, untilNs, what = wq.name) {
  if (cond2()) return true;
  return yield { kind: "wait", wq, cond: cond2, untilNs, what };
}
var Completion = class {
  constructor(name) {
    this.name = name;
    this.wait = new WaitQueueHead(`completion ${name}`);
  }
  name;
  done = 0;
  wait;
};
function complete(waker, x) {
  x.done++;
  wake_up(waker, x.wait);
}
function take(x) {
  if (x.done !== Number.MAX_SAFE_INTEGER) x.done--;
}
function* wait_for_completion(x) {
  yield* wait_event(x.wait, () => x.done > 0);
  take(x);
}
function* wait_for_completion_until(x, untilNs) {
  const ok = yield* wait_event_until(x.wait, () => x.done > 0, untilNs);
  if (ok) take(x);
  return ok;
}

// kernel-model/kernel/time/jiffies.ts
var HZ = 250;
var USER_HZ = 100;
var NSEC_PER_SEC = 1e9;
var NSEC_PER_MSEC = 1e6;
var TICK_NSEC = NSEC_PER_SEC / HZ;
var INITIAL_JIFFIES = 2 ** 32 - 300 * HZ;
function jiffies_at(ns) {
  return INITIAL_JIFFIES + Math.floor(ns / TICK_NSEC);
}
function jiffies_to_clock_ns(j) {
  return (j - INITIAL_JIFFIES) * TICK_NSEC;
}

// kernel-model/arch/arm64/kernel/smp.ts
var CPU_UP_TIMEOUT_MS = 5e3;
function releaseAddr(k, cpu) {
  const node = k.arch.cpuNodes[cpu];
  const prop = node && getProp(node, "cpu-release-addr");
  if (!prop) throw new KernelPanic(`CPU${cpu}: no cpu-release-addr in the device tree`);
  return Number(decodeU64(prop, "cpu-release-addr"));
}
function* __cpu_up(k, cpu) {
  k.machine.ram.setU64(releaseAddr(k, cpu), k.paddr("secondary_entry"));
  k.machine.sev();
  const ok = yield* wait_for_completion_until(k.cpuRunning[cpu], k.clockNs() + CPU_UP_TIMEOUT_MS * NSEC_PER_MSEC);
  if (!ok) k.printk(`CPU${cpu}: failed to come online`);
  return ok;
}
function secondary_start_kernel(k, cpu) {
  const regs = k.cpuRegs[cpu];
  k.printk(icacheLine(cpu, regs));
  k.printk(`CPU${cpu}: Booted secondary processor ${hwid(regs.mpidr)} [${midrHex(regs.midr)}]`);
  k.onlineMask[cpu] = true;
  k.sched.cpustat.start(cpu, k.clockNs());
  complete(k.sched, k.cpuRunning[cpu]);
}
function* smp_init(k) {
  k.printk("smp: Bringing up secondary CPUs ...");
  const cpus = Math.min(k.arch.cpuNodes.length, k.machine.cores.length);
  for (let cpu = 1; cpu < cpus && !k.machine.halted; cpu++) yield* __cpu_up(k, cpu);
  const up = k.onlineMask.filter(Boolean).length;
  k.printk(`smp: Brought up 1 node, ${up} CPU${up === 1 ? "" : "s"}`);
  k.printk(`SMP: Total of ${up} processors activated.`);
  const regs = k.cpuRegs.filter((r2, i) => r2 && k.onlineMask[i]);
  for (const line of systemFeatures(regs)) k.printk(line);
  k.printk("CPU: All CPU(s) started at EL1");
}

// kernel-model/lib/bitmap.ts
var BITS_TO_LONG_BYTES = (bits) => (bits + 63 >>> 6) * 8;
var ffs32 = (w) => 31 - Math.clz32(w & -w);
function test_bit(nr, map) {
  return (map[nr >>> 5] & 1 << (nr & 31)) !== 0;
}
function set_bit(nr, map) {
  map[nr >>> 5] |= 1 << (nr & 31);
}
var maskTo = (hi) => hi >= 32 ? -1 : (1 << hi) - 1;
function find_next_bit(map, size2, offset) {
  return findNext(map, size2, offset, 0);
}
function find_next_zero_bit(map, size2, offset) {
  return findNext(map, size2, offset, -1);
}
function findNext(map, size2, offset, invert) {
  if (offset >= size2) return size2;
  let i = offset >>> 5;
  let w = (map[i] ^ invert) & -1 << (offset & 31);
  const last = size2 - 1 >>> 5;
  for (; ; ) {
    if (w !== 0) {
      const bit3 = (i << 5) + ffs32(w);
      return bit3 < size2 ? bit3 : size2;
    }
    if (++i > last) return size2;
    w = map[i] ^ invert;
  }
}
function find_last_bit_in(map, lo, hi) {
  if (hi <= lo) return hi;
  let i = hi - 1 >>> 5;
  const first = lo >>> 5;
  let w = map[i] & ~(-2 << (hi - 1 & 31));
  for (; ; ) {
    if (i === first) w &= -1 << (lo & 31);
    if (w !== 0) return (i << 5) + 31 - Math.clz32(w);
    if (i-- === first) return hi;
    w = map[i];
  }
}
function bitmap_set(map, start, len) {
  fill(map, start, len, true);
}
function bitmap_clear(map, start, len) {
  fill(map, start, len, false);
}
function apply(map, i, mask, on) {
  if (on) map[i] |= mask;
  else map[i] &= ~mask;
}
function fill(map, start, len, on) {
  if (len <= 0) return;
  const end = start + len;
  let i = start >>> 5;
  const last = end - 1 >>> 5;
  const head = -1 << (start & 31);
  const tail = ~(-2 << (end - 1 & 31));
  if (i === last) {
    apply(map, i, head & tail, on);
    return;
  }
  apply(map, i, head, on);
  const whole = on ? -1 : 0;
  while (++i < last) map[i] = whole;
  apply(map, last, tail, on);
}
function bitmap_weight(map, size2) {
  let n = 0;
  const full = size2 >>> 5;
  for (let i = 0; i < full; i++) n += popcount(map[i]);
  if (size2 & 31) n += popcount(map[full] & maskTo(size2 & 31));
  return n;
}
function popcount(w) {
  w -= w >>> 1 & 1431655765;
  w = (w & 858993459) + (w >>> 2 & 858993459);
  return (w + (w >>> 4) & 252645135) * 16843009 >>> 24;
}
function bitmap_find_next_zero_area(map, size2, start, nr, align_mask) {
  for (; ; ) {
    let index = find_next_zero_bit(map, size2, start);
    index = index + align_mask & ~align_mask;
    const end = index + nr;
    if (end > size2) return end;
    const i = find_next_bit(map, end, index);
    if (i >= end) return index;
    start = i + 1;
  }
}
var __ffs = (x) => ffs32(x);

// kernel-model/mm/percpu/percpu-internal.ts
var PCPU_MIN_ALLOC_SHIFT = 2;
var PCPU_MIN_ALLOC_SIZE = 1 << PCPU_MIN_ALLOC_SHIFT;
var PCPU_BITMAP_BLOCK_SIZE = PAGE_SIZE;
var PCPU_BITMAP_BLOCK_BITS = PCPU_BITMAP_BLOCK_SIZE >> PCPU_MIN_ALLOC_SHIFT;
var PCPU_BITS_PER_PAGE = PAGE_SIZE >> PCPU_MIN_ALLOC_SHIFT;
var PCPU_MIN_UNIT_SIZE = 32 << 10;
var PCPU_SLOT_BASE_SHIFT = 5;
var PCPU_EMPTY_POP_PAGES_LOW = 2;
var PCPU_EMPTY_POP_PAGES_HIGH = 4;
var pcpu_work = { words: 0 };
var PCPU_ENOMEM = -12;
var HostMetaAllocator = class {
  bytes = 0;
  /** Fault injection: the next `failAfter` calls succeed, then every call fails (-1: never fail). */
  failAfter = -1;
  guest;
  guestFree = /* @__PURE__ */ new Map();
  host = new HostMetaArena();
  zalloc(bytes2) {
    if (this.failAfter === 0) return null;
    if (this.failAfter > 0) this.failAfter--;
    let mem;
    if (this.guest) {
      const g = this.guest.zalloc(bytes2);
      if (!g) return null;
      mem = g.mem;
      this.guestFree.set(mem, g.free);
    } else mem = this.host.zalloc(bytes2);
    this.bytes += bytes2;
    return mem;
  }
  free(mem) {
    this.bytes -= mem.byteLength;
    const f = this.guestFree.get(mem);
    if (f) {
      this.guestFree.delete(mem);
      f();
    } else this.host.free(mem);
  }
};
var HostMetaArena = class _HostMetaArena {
  static BUF_BYTES = 1 << 20;
  buf = new ArrayBuffer(0);
  used = 0;
  freeBySize = /* @__PURE__ */ new Map();
  zalloc(bytes2) {
    const words = bytes2 >>> 2;
    const reuse = this.freeBySize.get(words)?.pop();
    if (reuse) return reuse.fill(0);
    const span = bytes2 + 7 & ~7;
    if (span > _HostMetaArena.BUF_BYTES >>> 2) return new Int32Array(words);
    if (this.used + span > this.buf.byteLength) {
      this.buf = new ArrayBuffer(_HostMetaArena.BUF_BYTES);
      this.used = 0;
    }
    const mem = new Int32Array(this.buf, this.used, words);
    this.used += span;
    return mem;
  }
  free(mem) {
    let list = this.freeBySize.get(mem.length);
    if (!list) this.freeBySize.set(mem.length, list = []);
    list.push(mem);
  }
};
var PcpuEmptyPages = class {
  value = 0;
};
function pcpu_chunk_relocate(chunk, oslot) {
  if (!chunk.reserved && chunk.relocate) chunk.relocate(chunk, oslot);
}
var is_power_of_2 = (n) => n > 0 && (n & n - 1) === 0;
var pcpu_request_size = (size2, granule) => Number.isInteger(size2) ? Math.ceil(size2 / granule) * granule : size2;
var pcpu_request_align = (align, granule) => Number.isInteger(align) && align < granule ? granule : align;
function pcpu_request_warning(size2, align) {
  const ok = Number.isInteger(size2) && Number.isInteger(align) && size2 > 0 && size2 <= PCPU_MIN_UNIT_SIZE && align <= PAGE_SIZE && is_power_of_2(align);
  return ok ? null : `illegal size (${size2}) or align (${align}) for percpu allocation`;
}
function pcpu_warn(printk, func, text) {
  printk("------------[ cut here ]------------");
  printk(`WARNING: at mm/percpu.c ${func}`);
  printk(text);
  printk("---[ end trace 0000000000000000 ]---");
}
function __pcpu_size_to_slot(size2) {
  const highbit = 32 - Math.clz32(size2);
  return Math.max(highbit - PCPU_SLOT_BASE_SHIFT + 2, 1);
}
var pcpu_nr_slots = (unit_size) => __pcpu_size_to_slot(unit_size) + 2;
function pcpu_size_to_slot(size2, unit_size) {
  if (size2 === unit_size) return pcpu_nr_slots(unit_size) - 1;
  return __pcpu_size_to_slot(size2);
}

// kernel-model/mm/percpu/area-chunk.ts
var PCPU_DFL_MAP_ALLOC = 16;
var PERCPU_DYNAMIC_EARLY_SLOTS = 128;
var PCPU_ATOMIC_MAP_MARGIN_HIGH = 64;
var PCPU_AREA_GRANULE = 2;
var SIZEOF_INT = 4;
var PCPU_CHUNK_STRUCT_SIZE_4_13 = 104;
var AreaChunk = class _AreaChunk {
  kind = "area";
  min_alloc_size = PCPU_AREA_GRANULE;
  nr_pages;
  start_offset;
  end_offset;
  reserved;
  unit_size;
  free_size;
  contig_hint;
  first_free = 0;
  map_used;
  map_alloc;
  map;
  nr_populated = 0;
  nr_empty_pop_pages = 0;
  nr_alloc = 0;
  max_alloc_size = 0;
  relocate = null;
  header;
  populated;
  meta;
  printk;
  emptyPages;
  constructor(o, header2, map) {
    this.nr_pages = o.nr_pages;
    this.start_offset = o.start_offset ?? 0;
    this.end_offset = o.end_offset ?? 0;
    this.reserved = o.reserved ?? false;
    this.unit_size = o.unit_size ?? o.nr_pages * PAGE_SIZE;
    this.meta = o.meta;
    this.printk = o.printk;
    this.emptyPages = o.emptyPages;
    this.header = header2;
    this.populated = header2.subarray(PCPU_CHUNK_STRUCT_SIZE_4_13 >>> 2);
    this.map = map;
    this.map_alloc = map.length;
    const end = this.nr_pages * PAGE_SIZE - this.end_offset;
    this.free_size = this.contig_hint = end - this.start_offset;
    if (this.start_offset) {
      map.set([1, this.start_offset, end | 1]);
      this.map_used = 2;
    } else {
      map.set([0, end | 1]);
      this.map_used = 1;
    }
    if (o.populated) {
      bitmap_set(this.populated, 0, this.nr_pages);
      this.nr_populated = this.nr_pages;
      this.nr_empty_pop_pages = Math.max(0, (end >>> PAGE_SHIFT) - Math.ceil(this.start_offset / PAGE_SIZE));
      if (!this.reserved && this.emptyPages) this.emptyPages.value += this.nr_empty_pop_pages;
    }
  }
  /** pcpu_alloc_chunk (or the first chunk after percpu_init_late): null when metadata fails. */
  static create(o) {
    const start = o.start_offset ?? 0;
    const end = o.end_offset ?? 0;
    if (o.nr_pages <= 0 || start % PCPU_AREA_GRANULE || end % PCPU_AREA_GRANULE || start + end >= o.nr_pages * PAGE_SIZE) {
      throw new RangeError(`percpu: bad chunk geometry: ${o.nr_pages} pages, start_offset ${start}, end_offset ${end}`);
    }
    const header2 = o.meta.zalloc(PCPU_CHUNK_STRUCT_SIZE_4_13 + BITS_TO_LONG_BYTES(o.nr_pages));
    if (!header2) return null;
    const entries = o.populated ? PERCPU_DYNAMIC_EARLY_SLOTS : PCPU_DFL_MAP_ALLOC;
    const map = o.meta.zalloc(entries * 4);
    if (!map) {
      o.meta.free(header2);
      return null;
    }
    return new _AreaChunk(o, header2, map);
  }
  alloc(size2, align, popOnly = false) {
    size2 = pcpu_request_size(size2, PCPU_AREA_GRANULE);
    align = pcpu_request_align(align, PCPU_AREA_GRANULE);
    const warning = pcpu_request_warning(size2, align);
    if (warning) {
      pcpu_warn(this.printk, "pcpu_alloc", warning);
      return -1;
    }
    if (size2 > this.contig_hint) return -1;
    const new_alloc = pcpu_need_to_extend(this, popOnly);
    if (new_alloc) {
      if (popOnly) return -1;
      if (!pcpu_extend_area_map(this, new_alloc, this.meta)) return PCPU_ENOMEM;
    }
    const got = pcpu_alloc_area(this, size2, align, popOnly);
    if (got.off < 0) return -1;
    this.moveEmptyPages(-got.occ_pages);
    this.nr_alloc++;
    this.max_alloc_size = Math.max(this.max_alloc_size, size2);
    return got.off;
  }
  free(off) {
    if (pcpu_find_area(this, off) < 0) {
      pcpu_warn(this.printk, "pcpu_free_area", `percpu: free of offset ${off}: no allocation starts there in this chunk`);
      return false;
    }
    this.moveEmptyPages(pcpu_free_area(this, off));
    this.nr_alloc--;
    return true;
  }
  moveEmptyPages(delta) {
    this.nr_empty_pop_pages += delta;
    if (!this.reserved && this.emptyPages) this.emptyPages.value += delta;
  }
  sizeAt(off) {
    const i = pcpu_find_area(this, off);
    return i < 0 ? 0 : (this.map[i + 1] & ~1) - off;
  }
  /** pcpu_chunk_slot (v4.13: by free_size). */
  slot() {
    if (this.free_size < SIZEOF_INT || this.contig_hint < SIZEOF_INT) return 0;
    return pcpu_size_to_slot(this.free_size, this.unit_size);
  }
  freeBytes() {
    return this.free_size;
  }
  contigBytes() {
    return this.contig_hint;
  }
  isEmpty() {
    return this.free_size === this.nr_pages * PAGE_SIZE - this.end_offset - this.start_offset;
  }
  pcpu_chunk_populated(rs, re, forAlloc) {
    bitmap_set(this.populated, rs, re - rs);
    this.nr_populated += re - rs;
    if (!forAlloc) this.moveEmptyPages(re - rs);
  }
  pcpu_chunk_depopulated(rs, re) {
    bitmap_clear(this.populated, rs, re - rs);
    this.nr_populated -= re - rs;
    this.moveEmptyPages(-(re - rs));
  }
  /** chunk_map_stats of v4.13: one fragment per map entry, from the region start to the last allocation. */
  stats() {
    const fragments = [];
    const s_index = this.start_offset ? 1 : 0;
    let last_alloc = -1;
    for (let i = this.map_used - 1; i >= s_index; i--) {
      if (this.map[i] & 1) {
        last_alloc = i;
        break;
      }
    }
    for (let i = s_index; i <= last_alloc; i++) {
      const size2 = (this.map[i + 1] & ~1) - (this.map[i] & ~1);
      fragments.push(this.map[i] & 1 ? size2 : -size2);
    }
    return {
      nr_alloc: this.nr_alloc,
      max_alloc_size: this.max_alloc_size,
      empty_pop_pages: this.nr_empty_pop_pages,
      first_free: this.first_free,
      free_bytes: this.free_size,
      contig_bytes: this.contig_hint,
      fragments
    };
  }
  metaBytes() {
    const chunk = this.header.byteLength;
    const map = this.map.byteLength;
    return { chunk, bitmaps: 0, blocks: 0, map, total: chunk + map };
  }
  destroy() {
    this.meta.free(this.map);
    this.meta.free(this.header);
  }
};
function pcpu_find_area(chunk, off) {
  if (!Number.isInteger(off) || off & 1 || off < chunk.start_offset) return -1;
  const want = off | 1;
  let i = 0;
  let j = chunk.map_used;
  while (i !== j) {
    pcpu_work.words++;
    const k = i + j >>> 1;
    const v = chunk.map[k];
    if (v < want) i = k + 1;
    else if (v > want) j = k;
    else return k;
  }
  return -1;
}
function pcpu_need_to_extend(chunk, is_atomic) {
  const margin = is_atomic ? 3 : PCPU_ATOMIC_MAP_MARGIN_HIGH;
  if (chunk.map_alloc >= chunk.map_used + margin) return 0;
  let new_alloc = PCPU_DFL_MAP_ALLOC;
  while (new_alloc < chunk.map_used + margin) new_alloc *= 2;
  return new_alloc;
}
function pcpu_extend_area_map(chunk, new_alloc, meta) {
  const fresh = meta.zalloc(new_alloc * 4);
  if (!fresh) return false;
  fresh.set(chunk.map.subarray(0, chunk.map_alloc));
  meta.free(chunk.map);
  chunk.map = fresh;
  chunk.map_alloc = new_alloc;
  return true;
}
function pcpu_fit_in_area(chunk, off, this_size, size2, align, pop_only) {
  let cand_off = off;
  for (; ; ) {
    const head = Math.ceil(cand_off / align) * align - off;
    if (this_size < head + size2) return -1;
    if (!pop_only) return head;
    const page_start = head + off >>> PAGE_SHIFT;
    const page_end = Math.ceil((head + off + size2) / PAGE_SIZE);
    const rs = find_next_zero_bit(chunk.populated, Math.ceil((off + this_size) / PAGE_SIZE), page_start);
    if (rs >= page_end) return head;
    cand_off = find_next_bit(chunk.populated, Math.ceil((off + this_size) / PAGE_SIZE), rs + 1) * PAGE_SIZE;
  }
}
function pcpu_count_occupied_pages(chunk, i) {
  const map = chunk.map;
  let off = map[i] & ~1;
  let end = map[i + 1] & ~1;
  if (off % PAGE_SIZE && i > 0) {
    const prev = map[i - 1];
    if (!(prev & 1) && prev <= off - off % PAGE_SIZE) off -= off % PAGE_SIZE;
  }
  if (end % PAGE_SIZE && i + 1 < chunk.map_used) {
    const next = map[i + 1];
    const nend = map[i + 2] & ~1;
    const up = end - end % PAGE_SIZE + PAGE_SIZE;
    if (!(next & 1) && nend >= up) end = up;
  }
  const ps = Math.ceil(off / PAGE_SIZE);
  const pe = end >>> PAGE_SHIFT;
  if (pe <= ps) return 0;
  return bitmap_weight(chunk.populated, pe) - bitmap_weight(chunk.populated, ps);
}
function pcpu_alloc_area(chunk, size2, align, pop_only) {
  const map = chunk.map;
  const oslot = chunk.slot();
  let max_contig = 0;
  let seen_free = false;
  for (let i = chunk.first_free; i < chunk.map_used; i++) {
    pcpu_work.words++;
    let off = map[i];
    if (off & 1) continue;
    let this_size = (map[i + 1] & ~1) - off;
    let head = pcpu_fit_in_area(chunk, off, this_size, size2, align, pop_only);
    if (head < 0) {
      if (!seen_free) {
        chunk.first_free = i;
        seen_free = true;
      }
      max_contig = Math.max(this_size, max_contig);
      continue;
    }
    const prevFree = i > 0 && !(map[i - 1] & 1);
    if (head && i > 0 && (head < SIZEOF_INT || prevFree)) {
      map[i] = off += head;
      if (!prevFree) chunk.free_size -= head;
      else max_contig = Math.max(map[i] - map[i - 1], max_contig);
      this_size -= head;
      head = 0;
    }
    let tail = this_size - head - size2;
    if (tail < SIZEOF_INT) {
      tail = 0;
      size2 = this_size - head;
    }
    if (head || tail) {
      const nr_extra = (head ? 1 : 0) + (tail ? 1 : 0);
      map.copyWithin(i + 1 + nr_extra, i + 1, chunk.map_used + 1);
      pcpu_work.words += chunk.map_used - i;
      chunk.map_used += nr_extra;
      if (head) {
        if (!seen_free) {
          chunk.first_free = i;
          seen_free = true;
        }
        map[++i] = off += head;
        max_contig = Math.max(head, max_contig);
      }
      if (tail) {
        map[i + 1] = off + size2;
        max_contig = Math.max(tail, max_contig);
      }
    }
    if (!seen_free) chunk.first_free = i + 1;
    chunk.contig_hint = i + 1 === chunk.map_used ? max_contig : Math.max(chunk.contig_hint, max_contig);
    chunk.free_size -= size2;
    map[i] |= 1;
    const occ_pages = pcpu_count_occupied_pages(chunk, i);
    pcpu_chunk_relocate(chunk, oslot);
    return { off, occ_pages };
  }
  chunk.contig_hint = max_contig;
  pcpu_chunk_relocate(chunk, oslot);
  return { off: -1, occ_pages: 0 };
}
function pcpu_free_area(chunk, freeme) {
  const map = chunk.map;
  const oslot = chunk.slot();
  let i = pcpu_find_area(chunk, freeme);
  if (i < chunk.first_free) chunk.first_free = i;
  map[i] = freeme;
  chunk.free_size += (map[i + 1] & ~1) - freeme;
  const occ_pages = pcpu_count_occupied_pages(chunk, i);
  let to_free = 0;
  if (!(map[i + 1] & 1)) to_free++;
  if (i > 0 && !(map[i - 1] & 1)) {
    to_free++;
    i--;
  }
  if (to_free) {
    chunk.map_used -= to_free;
    map.copyWithin(i + 1, i + 1 + to_free, chunk.map_used + 1 + to_free);
    pcpu_work.words += chunk.map_used - i;
  }
  chunk.contig_hint = Math.max(map[i + 1] - map[i] - 1, chunk.contig_hint);
  pcpu_chunk_relocate(chunk, oslot);
  return occ_pages;
}

// kernel-model/mm/percpu/bitmap-hints.ts
var MD_CONTIG_HINT = 0;
var MD_CONTIG_HINT_START = 1;
var MD_LEFT_FREE = 2;
var MD_RIGHT_FREE = 3;
var MD_FIRST_FREE = 4;
var MD_WORDS = 5;
var BLOCK = PCPU_BITMAP_BLOCK_BITS;
var BLOCK_SHIFT = 31 - Math.clz32(BLOCK);
var PAGE_OR_BLOCK_BITS = Math.min(PCPU_BITS_PER_PAGE, BLOCK);
var pcpu_off_to_block_index = (off) => off >>> BLOCK_SHIFT;
var pcpu_off_to_block_off = (off) => off & BLOCK - 1;
var pcpu_block_off_to_off = (index, off) => index * BLOCK + off;
function pcpu_next_unpop(map, r2, end) {
  const rs = find_next_zero_bit(map, end, r2.bit_off);
  r2.bit_off = rs;
  r2.bits = find_next_bit(map, end, rs + 1) - rs;
}
function pcpu_cnt_pop_pages(chunk, bit_off, bits) {
  const page_start = Math.ceil(bit_off * PCPU_MIN_ALLOC_SIZE / (1 << PAGE_SHIFT));
  const page_end = (bit_off + bits) * PCPU_MIN_ALLOC_SIZE >>> PAGE_SHIFT;
  if (page_start >= page_end) return 0;
  return bitmap_weight(chunk.populated, page_end) - bitmap_weight(chunk.populated, page_start);
}
function pcpu_whole_pages(bit_off, bits) {
  const page_start = bit_off + PCPU_BITS_PER_PAGE - 1 >>> PAGE_SHIFT - PCPU_MIN_ALLOC_SHIFT;
  const page_end = bit_off + bits >>> PAGE_SHIFT - PCPU_MIN_ALLOC_SHIFT;
  return page_start < page_end ? page_end - page_start : 0;
}
var betterAligned = (start, than) => start === 0 || __ffs(start) > __ffs(than);
function pcpu_chunk_update(chunk, bit_off, bits) {
  if (bits > chunk.contig_bits) {
    chunk.contig_bits_start = bit_off;
    chunk.contig_bits = bits;
  } else if (bits === chunk.contig_bits && chunk.contig_bits_start && betterAligned(bit_off, chunk.contig_bits_start)) {
    chunk.contig_bits_start = bit_off;
  }
}
function pcpu_chunk_refresh_hint(chunk) {
  const md = chunk.md_blocks;
  const nr_blocks = chunk.nr_blocks;
  const all_populated = chunk.nr_populated === chunk.nr_pages;
  chunk.contig_bits = 0;
  let nr_empty_pop_pages = 0;
  let visited = 0;
  let i = chunk.first_bit >>> BLOCK_SHIFT;
  let block_off = chunk.first_bit & BLOCK - 1;
  while (i < nr_blocks) {
    visited++;
    const b = i * MD_WORDS;
    const hint = md[b + MD_CONTIG_HINT];
    const hint_start = md[b + MD_CONTIG_HINT_START];
    let bit_off;
    let bits;
    if (hint && hint_start >= block_off && hint + hint_start < BLOCK) {
      bit_off = i * BLOCK + hint_start;
      bits = hint;
    } else {
      bits = md[b + MD_RIGHT_FREE];
      i++;
      block_off = 0;
      if (!bits) continue;
      bit_off = i * BLOCK - bits;
      for (; i < nr_blocks; i++) {
        visited++;
        const left = md[i * MD_WORDS + MD_LEFT_FREE];
        bits += left;
        if (left !== BLOCK) break;
      }
    }
    pcpu_chunk_update(chunk, bit_off, bits);
    nr_empty_pop_pages += all_populated ? pcpu_whole_pages(bit_off, bits) : pcpu_cnt_pop_pages(chunk, bit_off, bits);
    const next = bit_off + bits + 1;
    i = next >>> BLOCK_SHIFT;
    block_off = next & BLOCK - 1;
  }
  pcpu_work.words += visited;
  chunk.setEmptyPopPages(nr_empty_pop_pages);
}
function pcpu_next_fit_region(chunk, alloc_bits, align, r2) {
  const md = chunk.md_blocks;
  let i = pcpu_off_to_block_index(r2.bit_off);
  let block_off = pcpu_off_to_block_off(r2.bit_off);
  const mask = align - 1;
  r2.bits = 0;
  for (; i < chunk.nr_blocks; i++) {
    pcpu_work.words++;
    const b = i * MD_WORDS;
    if (r2.bits) {
      r2.bits += md[b + MD_LEFT_FREE];
      if (r2.bits >= alloc_bits) return;
      if (md[b + MD_LEFT_FREE] === BLOCK) continue;
    }
    const hint = md[b + MD_CONTIG_HINT];
    const hint_start = md[b + MD_CONTIG_HINT_START];
    r2.bits = (hint_start + mask & ~mask) - hint_start;
    if (hint && hint_start >= block_off && hint >= r2.bits + alloc_bits) {
      r2.bits += alloc_bits + hint_start - md[b + MD_FIRST_FREE];
      r2.bit_off = pcpu_block_off_to_off(i, md[b + MD_FIRST_FREE]);
      return;
    }
    block_off = 0;
    const off = BLOCK - md[b + MD_RIGHT_FREE] + mask & ~mask;
    r2.bits = BLOCK - off;
    r2.bit_off = pcpu_block_off_to_off(i, off);
    if (r2.bits >= alloc_bits) return;
  }
  r2.bit_off = chunk.map_bits;
}
function pcpu_block_update(chunk, index, start, end) {
  const md = chunk.md_blocks;
  const b = index * MD_WORDS;
  const contig = end - start;
  md[b + MD_FIRST_FREE] = Math.min(md[b + MD_FIRST_FREE], start);
  if (start === 0) md[b + MD_LEFT_FREE] = contig;
  if (end === BLOCK) md[b + MD_RIGHT_FREE] = contig;
  if (contig > md[b + MD_CONTIG_HINT]) {
    md[b + MD_CONTIG_HINT_START] = start;
    md[b + MD_CONTIG_HINT] = contig;
  } else if (md[b + MD_CONTIG_HINT_START] && contig === md[b + MD_CONTIG_HINT] && betterAligned(start, md[b + MD_CONTIG_HINT_START])) {
    md[b + MD_CONTIG_HINT_START] = start;
  }
}
function pcpu_block_refresh_hint(chunk, index) {
  pcpu_work.words += BLOCK >>> 5;
  const md = chunk.md_blocks;
  const b = index * MD_WORDS;
  md[b + MD_CONTIG_HINT] = 0;
  md[b + MD_LEFT_FREE] = md[b + MD_RIGHT_FREE] = 0;
  const map = chunk.alloc_map;
  const base = index * BLOCK;
  const end = base + BLOCK;
  for (let rs = find_next_zero_bit(map, end, base + md[b + MD_FIRST_FREE]); rs < end; ) {
    const re = find_next_bit(map, end, rs + 1);
    pcpu_block_update(chunk, index, rs - base, re - base);
    rs = find_next_zero_bit(map, end, re + 1);
  }
}
function pcpu_block_set_full(md, index) {
  const b = index * MD_WORDS;
  md[b + MD_CONTIG_HINT] = md[b + MD_LEFT_FREE] = md[b + MD_RIGHT_FREE] = 0;
}
function pcpu_block_set_empty(md, index) {
  const b = index * MD_WORDS;
  md[b + MD_FIRST_FREE] = md[b + MD_CONTIG_HINT_START] = 0;
  md[b + MD_CONTIG_HINT] = md[b + MD_LEFT_FREE] = md[b + MD_RIGHT_FREE] = BLOCK;
}
function block_next_zero(chunk, index, off) {
  const base = index * BLOCK;
  return find_next_zero_bit(chunk.alloc_map, base + BLOCK, base + off) - base;
}
function pcpu_block_update_hint_alloc(chunk, bit_off, bits) {
  const md = chunk.md_blocks;
  const s_index = pcpu_off_to_block_index(bit_off);
  const e_index = pcpu_off_to_block_index(bit_off + bits - 1);
  const s_off = pcpu_off_to_block_off(bit_off);
  const e_off = pcpu_off_to_block_off(bit_off + bits - 1) + 1;
  const s = s_index * MD_WORDS;
  if (s_off === md[s + MD_FIRST_FREE]) md[s + MD_FIRST_FREE] = block_next_zero(chunk, s_index, s_off + bits);
  if (s_off >= md[s + MD_CONTIG_HINT_START] && s_off < md[s + MD_CONTIG_HINT_START] + md[s + MD_CONTIG_HINT]) {
    pcpu_block_refresh_hint(chunk, s_index);
  } else {
    md[s + MD_LEFT_FREE] = Math.min(md[s + MD_LEFT_FREE], s_off);
    md[s + MD_RIGHT_FREE] = s_index === e_index ? Math.min(md[s + MD_RIGHT_FREE], BLOCK - e_off) : 0;
  }
  if (s_index !== e_index) {
    const e = e_index * MD_WORDS;
    md[e + MD_FIRST_FREE] = block_next_zero(chunk, e_index, e_off);
    let last_full = e_index - 1;
    if (e_off === BLOCK) {
      last_full = e_index;
    } else if (e_off > md[e + MD_CONTIG_HINT_START]) {
      pcpu_block_refresh_hint(chunk, e_index);
    } else {
      md[e + MD_LEFT_FREE] = 0;
      md[e + MD_RIGHT_FREE] = Math.min(md[e + MD_RIGHT_FREE], BLOCK - e_off);
    }
    for (let i = s_index + 1; i <= last_full; i++) pcpu_block_set_full(md, i);
  }
  if (pcpu_region_overlap(chunk.contig_bits_start, chunk.contig_bits_start + chunk.contig_bits, bit_off, bit_off + bits)) pcpu_chunk_refresh_hint(chunk);
}
var pcpu_region_overlap = (a, b, x, y) => a < y && x < b;
function pcpu_block_update_hint_free(chunk, bit_off, bits) {
  const md = chunk.md_blocks;
  const s_index = pcpu_off_to_block_index(bit_off);
  const e_index = pcpu_off_to_block_index(bit_off + bits - 1);
  const s_off = pcpu_off_to_block_off(bit_off);
  const e_off = pcpu_off_to_block_off(bit_off + bits - 1) + 1;
  const s = s_index * MD_WORDS;
  const e = e_index * MD_WORDS;
  let start = s_off;
  if (s_off === md[s + MD_CONTIG_HINT] + md[s + MD_CONTIG_HINT_START]) {
    start = md[s + MD_CONTIG_HINT_START];
  } else {
    const base = s_index * BLOCK;
    const l_bit = find_last_bit_in(chunk.alloc_map, base, base + start);
    start = l_bit === base + start ? 0 : l_bit - base + 1;
  }
  let end;
  if (e_off === md[e + MD_CONTIG_HINT_START]) {
    end = md[e + MD_CONTIG_HINT_START] + md[e + MD_CONTIG_HINT];
  } else {
    const base = e_index * BLOCK;
    end = find_next_bit(chunk.alloc_map, base + BLOCK, base + e_off) - base;
  }
  pcpu_block_update(chunk, s_index, start, s_index === e_index ? end : BLOCK);
  if (s_index !== e_index) {
    pcpu_block_update(chunk, e_index, 0, end);
    for (let i = s_index + 1; i < e_index; i++) pcpu_block_set_empty(md, i);
  }
  const alignedDown = end & -PAGE_OR_BLOCK_BITS;
  const alignedUp = start + PAGE_OR_BLOCK_BITS - 1 & -PAGE_OR_BLOCK_BITS;
  if (alignedDown > alignedUp || s_index !== e_index) pcpu_chunk_refresh_hint(chunk);
  else pcpu_chunk_update(chunk, pcpu_block_off_to_off(s_index, start), end - start);
}

// kernel-model/mm/percpu/bitmap-chunk.ts
var PCPU_CHUNK_STRUCT_SIZE_4_14 = 120;
var MD_BYTES = MD_WORDS * 4;
var BitmapChunk = class _BitmapChunk {
  kind = "bitmap";
  min_alloc_size = PCPU_MIN_ALLOC_SIZE;
  nr_pages;
  start_offset;
  end_offset;
  reserved;
  unit_size;
  map_bits;
  nr_blocks;
  free_bytes;
  contig_bits;
  contig_bits_start = 0;
  first_bit = 0;
  nr_populated = 0;
  nr_empty_pop_pages = 0;
  nr_alloc = 0;
  max_alloc_size = 0;
  relocate = null;
  /** The iterators' (bit_off, bits) pairs, reused: the allocator makes no garbage per call. */
  scratch = {
    fit: { bit_off: 0, bits: 0 },
    pop: { bit_off: 0, bits: 0 }
  };
  header;
  populated;
  alloc_map;
  bound_map;
  md_blocks;
  meta;
  printk;
  emptyPages;
  /** During construction the global count is set once at the end, as pcpu_setup_first_chunk does. */
  counting = false;
  constructor(o, mem) {
    const [header2, alloc_map, bound_map, md_blocks] = mem;
    this.nr_pages = o.nr_pages;
    this.start_offset = o.start_offset ?? 0;
    this.end_offset = o.end_offset ?? 0;
    this.reserved = o.reserved ?? false;
    this.unit_size = o.unit_size ?? o.nr_pages * PAGE_SIZE;
    this.map_bits = o.nr_pages * PCPU_BITS_PER_PAGE;
    this.nr_blocks = this.map_bits / PCPU_BITMAP_BLOCK_BITS;
    this.meta = o.meta;
    this.printk = o.printk;
    this.emptyPages = o.emptyPages;
    this.header = header2;
    this.populated = header2.subarray(PCPU_CHUNK_STRUCT_SIZE_4_14 >>> 2);
    this.alloc_map = alloc_map;
    this.bound_map = bound_map;
    this.md_blocks = md_blocks;
    const map_size = this.nr_pages * PAGE_SIZE - this.start_offset - this.end_offset;
    this.free_bytes = map_size;
    this.contig_bits = map_size >>> PCPU_MIN_ALLOC_SHIFT;
    pcpu_init_md_blocks(this);
    if (o.populated) {
      bitmap_set(this.populated, 0, this.nr_pages);
      this.nr_populated = this.nr_pages;
      this.nr_empty_pop_pages = pcpu_cnt_pop_pages(this, this.start_offset >>> PCPU_MIN_ALLOC_SHIFT, map_size >>> PCPU_MIN_ALLOC_SHIFT);
    }
    this.hideRegions();
    this.counting = true;
    if (!this.reserved && this.emptyPages) this.emptyPages.value += this.nr_empty_pop_pages;
  }
  /**
   * pcpu_alloc_chunk / pcpu_alloc_first_chunk: null (everything given
   * back) when a metadata allocation fails.
   */
  static create(o) {
    const start = o.start_offset ?? 0;
    const end = o.end_offset ?? 0;
    if (o.nr_pages <= 0 || start % PCPU_MIN_ALLOC_SIZE || end % PCPU_MIN_ALLOC_SIZE || start + end >= o.nr_pages * PAGE_SIZE) {
      throw new RangeError(`percpu: bad chunk geometry: ${o.nr_pages} pages, start_offset ${start}, end_offset ${end}`);
    }
    const bits = o.nr_pages * PCPU_BITS_PER_PAGE;
    const sizes = [
      PCPU_CHUNK_STRUCT_SIZE_4_14 + BITS_TO_LONG_BYTES(o.nr_pages),
      BITS_TO_LONG_BYTES(bits),
      BITS_TO_LONG_BYTES(bits + 1),
      bits / PCPU_BITMAP_BLOCK_BITS * MD_BYTES
    ];
    const mem = [];
    for (const bytes2 of sizes) {
      const m = o.meta.zalloc(bytes2);
      if (!m) {
        for (const got of mem.reverse()) o.meta.free(got);
        return null;
      }
      mem.push(m);
    }
    return new _BitmapChunk(o, mem);
  }
  /** The hidden head and tail of a first chunk, allocated as pcpu_alloc_first_chunk does. */
  hideRegions() {
    if (this.start_offset) {
      const offset_bits = this.start_offset >>> PCPU_MIN_ALLOC_SHIFT;
      bitmap_set(this.alloc_map, 0, offset_bits);
      set_bit(0, this.bound_map);
      set_bit(offset_bits, this.bound_map);
      this.first_bit = offset_bits;
      pcpu_block_update_hint_alloc(this, 0, offset_bits);
    }
    if (this.end_offset) {
      const offset_bits = this.end_offset >>> PCPU_MIN_ALLOC_SHIFT;
      bitmap_set(this.alloc_map, this.map_bits - offset_bits, offset_bits);
      set_bit(this.map_bits - offset_bits, this.bound_map);
      set_bit(this.map_bits, this.bound_map);
      pcpu_block_update_hint_alloc(this, this.map_bits - offset_bits, offset_bits);
    }
  }
  /** pcpu_chunk_refresh_hint's last step: the new count, the global one moved by the difference. */
  setEmptyPopPages(n) {
    if (this.counting && !this.reserved && this.emptyPages) this.emptyPages.value += n - this.nr_empty_pop_pages;
    this.nr_empty_pop_pages = n;
  }
  alloc(size2, align, popOnly = false) {
    size2 = pcpu_request_size(size2, PCPU_MIN_ALLOC_SIZE);
    align = pcpu_request_align(align, PCPU_MIN_ALLOC_SIZE);
    const warning = pcpu_request_warning(size2, align);
    if (warning) {
      pcpu_warn(this.printk, "pcpu_alloc", warning);
      return -1;
    }
    const bits = size2 >>> PCPU_MIN_ALLOC_SHIFT;
    const bit_align = align >>> PCPU_MIN_ALLOC_SHIFT;
    const start = pcpu_find_block_fit(this, bits, bit_align, popOnly);
    if (start < 0) return -1;
    const off = pcpu_alloc_area2(this, bits, bit_align, start);
    if (off >= 0) {
      this.nr_alloc++;
      this.max_alloc_size = Math.max(this.max_alloc_size, size2);
    }
    return off;
  }
  free(off) {
    if (!this.isAllocStart(off)) {
      pcpu_warn(this.printk, "pcpu_free_area", `percpu: free of offset ${off}: no allocation starts there in this chunk`);
      return false;
    }
    pcpu_free_area2(this, off);
    this.nr_alloc--;
    return true;
  }
  /** Does an allocation start at off? In use with its bound bit set says exactly that. */
  isAllocStart(off) {
    if ((off & ~(PCPU_MIN_ALLOC_SIZE - 1)) !== off || off < this.start_offset || off >= this.nr_pages * PAGE_SIZE - this.end_offset) return false;
    const bit_off = off >>> PCPU_MIN_ALLOC_SHIFT;
    return test_bit(bit_off, this.alloc_map) && test_bit(bit_off, this.bound_map);
  }
  sizeAt(off) {
    if (!this.isAllocStart(off)) return 0;
    const bit_off = off >>> PCPU_MIN_ALLOC_SHIFT;
    return (find_next_bit(this.bound_map, this.map_bits + 1, bit_off + 1) - bit_off) * PCPU_MIN_ALLOC_SIZE;
  }
  /** pcpu_chunk_slot (v4.14: by free bytes; slot 0 when nothing fits). */
  slot() {
    if (this.free_bytes < PCPU_MIN_ALLOC_SIZE || this.contig_bits === 0) return 0;
    return pcpu_size_to_slot(this.free_bytes, this.unit_size);
  }
  freeBytes() {
    return this.free_bytes;
  }
  contigBytes() {
    return this.contig_bits * PCPU_MIN_ALLOC_SIZE;
  }
  isEmpty() {
    return this.free_bytes === this.nr_pages * PAGE_SIZE - this.start_offset - this.end_offset;
  }
  pcpu_chunk_populated(rs, re, forAlloc) {
    const nr = re - rs;
    bitmap_set(this.populated, rs, nr);
    this.nr_populated += nr;
    if (!forAlloc) {
      this.nr_empty_pop_pages += nr;
      if (!this.reserved && this.emptyPages) this.emptyPages.value += nr;
    }
  }
  pcpu_chunk_depopulated(rs, re) {
    const nr = re - rs;
    bitmap_clear(this.populated, rs, nr);
    this.nr_populated -= nr;
    this.nr_empty_pop_pages -= nr;
    if (!this.reserved && this.emptyPages) this.emptyPages.value -= nr;
  }
  /**
   * chunk_map_stats' walk (v4.14 mm/percpu-stats.c): allocations by the
   * bound map, free runs by the alloc map, up to the last allocation.
   * As there, the search for the last allocated bit stops one bit short
   * of the region's end.
   */
  stats() {
    const fragments = [];
    const limit = this.map_bits - (this.end_offset >>> PCPU_MIN_ALLOC_SHIFT) - 1;
    const last_bit = find_last_bit_in(this.alloc_map, 0, limit);
    const last_alloc = test_bit(last_bit, this.alloc_map) ? last_bit + 1 : 0;
    for (let start = this.start_offset >>> PCPU_MIN_ALLOC_SHIFT; start < last_alloc; ) {
      const used = test_bit(start, this.alloc_map);
      const end = find_next_bit(used ? this.bound_map : this.alloc_map, last_alloc, start + 1);
      fragments.push((used ? 1 : -1) * (end - start) * PCPU_MIN_ALLOC_SIZE);
      start = end;
    }
    return {
      nr_alloc: this.nr_alloc,
      max_alloc_size: this.max_alloc_size,
      empty_pop_pages: this.nr_empty_pop_pages,
      first_free: this.first_bit,
      free_bytes: this.free_bytes,
      contig_bytes: this.contigBytes(),
      fragments
    };
  }
  metaBytes() {
    const chunk = this.header.byteLength;
    const bitmaps = this.alloc_map.byteLength + this.bound_map.byteLength;
    const blocks = this.md_blocks.byteLength;
    return { chunk, bitmaps, blocks, map: 0, total: chunk + bitmaps + blocks };
  }
  destroy() {
    for (const m of [this.md_blocks, this.bound_map, this.alloc_map, this.header]) this.meta.free(m);
  }
};
function pcpu_init_md_blocks(chunk) {
  const md = chunk.md_blocks;
  for (let b = 0; b < md.length; b += MD_WORDS) {
    md[b + MD_CONTIG_HINT] = md[b + MD_LEFT_FREE] = md[b + MD_RIGHT_FREE] = PCPU_BITMAP_BLOCK_BITS;
  }
}
function pcpu_is_populated(chunk, r2) {
  const page_start = r2.bit_off * PCPU_MIN_ALLOC_SIZE >>> PAGE_SHIFT;
  const page_end = Math.ceil((r2.bit_off + r2.bits) * PCPU_MIN_ALLOC_SIZE / PAGE_SIZE);
  const u2 = chunk.scratch.pop;
  u2.bit_off = page_start;
  u2.bits = 0;
  pcpu_next_unpop(chunk.populated, u2, page_end);
  if (u2.bit_off >= page_end) return true;
  r2.bit_off = (u2.bit_off + u2.bits) * PAGE_SIZE / PCPU_MIN_ALLOC_SIZE;
  return false;
}
function pcpu_find_block_fit(chunk, alloc_bits, align, pop_only) {
  const mask = align - 1;
  const head = (chunk.contig_bits_start + mask & ~mask) - chunk.contig_bits_start;
  if (head + alloc_bits > chunk.contig_bits) return -1;
  const r2 = chunk.scratch.fit;
  r2.bit_off = chunk.first_bit;
  r2.bits = 0;
  for (pcpu_next_fit_region(chunk, alloc_bits, align, r2); r2.bit_off < chunk.map_bits; r2.bit_off += r2.bits, pcpu_next_fit_region(chunk, alloc_bits, align, r2)) {
    if (!pop_only || pcpu_is_populated(chunk, r2)) break;
    r2.bits = 0;
  }
  return r2.bit_off === chunk.map_bits ? -1 : r2.bit_off;
}
function pcpu_alloc_area2(chunk, alloc_bits, align, start) {
  const oslot = chunk.slot();
  const end = Math.min(start + alloc_bits + PCPU_BITMAP_BLOCK_BITS, chunk.map_bits);
  const bit_off = bitmap_find_next_zero_area(chunk.alloc_map, end, start, alloc_bits, align - 1);
  pcpu_work.words += (Math.min(bit_off, end) - start >>> 5) + 1 + 3 * ((alloc_bits >>> 5) + 1);
  if (bit_off >= end) return -1;
  bitmap_set(chunk.alloc_map, bit_off, alloc_bits);
  set_bit(bit_off, chunk.bound_map);
  bitmap_clear(chunk.bound_map, bit_off + 1, alloc_bits - 1);
  set_bit(bit_off + alloc_bits, chunk.bound_map);
  chunk.free_bytes -= alloc_bits * PCPU_MIN_ALLOC_SIZE;
  if (bit_off === chunk.first_bit) chunk.first_bit = find_next_zero_bit(chunk.alloc_map, chunk.map_bits, bit_off + alloc_bits);
  pcpu_block_update_hint_alloc(chunk, bit_off, alloc_bits);
  if (chunk.slot() !== oslot) pcpu_chunk_relocate(chunk, oslot);
  return bit_off * PCPU_MIN_ALLOC_SIZE;
}
function pcpu_free_area2(chunk, off) {
  const oslot = chunk.slot();
  const bit_off = off >>> PCPU_MIN_ALLOC_SHIFT;
  const end = find_next_bit(chunk.bound_map, chunk.map_bits, bit_off + 1);
  const bits = end - bit_off;
  pcpu_work.words += 2 * ((bits >>> 5) + 1);
  bitmap_clear(chunk.alloc_map, bit_off, bits);
  chunk.free_bytes += bits * PCPU_MIN_ALLOC_SIZE;
  chunk.first_bit = Math.min(chunk.first_bit, bit_off);
  pcpu_block_update_hint_free(chunk, bit_off, bits);
  if (chunk.slot() !== oslot) pcpu_chunk_relocate(chunk, oslot);
}

// kernel-model/mm/percpu/stats.ts
var PcpuGlobalStats = class {
  nr_alloc = 0;
  nr_dealloc = 0;
  nr_cur_alloc = 0;
  nr_max_alloc = 0;
  nr_chunks = 0;
  nr_max_chunks = 0;
  min_alloc_size;
  max_alloc_size = 0;
  /** pcpu_stats_save_ai: "initialize min_alloc_size to unit_size" */
  constructor(unit_size) {
    this.min_alloc_size = unit_size;
  }
};
function pcpu_stats_area_alloc(s, size2) {
  s.nr_alloc++;
  s.nr_cur_alloc++;
  s.nr_max_alloc = Math.max(s.nr_max_alloc, s.nr_cur_alloc);
  s.min_alloc_size = Math.min(s.min_alloc_size, size2);
  s.max_alloc_size = Math.max(s.max_alloc_size, size2);
}
function pcpu_stats_area_dealloc(s) {
  s.nr_dealloc++;
  s.nr_cur_alloc--;
}
function pcpu_stats_chunk_alloc(s) {
  s.nr_chunks++;
  s.nr_max_chunks = Math.max(s.nr_max_chunks, s.nr_chunks);
}
function pcpu_stats_chunk_dealloc(s) {
  s.nr_chunks--;
}
var P = (name, v) => `  ${name.padEnd(20)}: ${String(v).padStart(12)}`;
function fragmentFigures(f) {
  const sizes = [...f].sort((a, b) => a - b);
  let sum_frag = 0;
  let max_frag = 0;
  let i = 0;
  for (; i < sizes.length && sizes[i] < 0; i++) {
    sum_frag -= sizes[i];
    max_frag = Math.max(max_frag, -sizes[i]);
  }
  if (!sizes.length) return { sum_frag, max_frag, min: 0, med: 0, max: 0 };
  return { sum_frag, max_frag, min: sizes[i] ?? 0, med: sizes[Math.floor((i + sizes.length - 1) / 2)], max: sizes[sizes.length - 1] };
}
function chunkLines(s, map) {
  const f = fragmentFigures(s.fragments);
  const head = map === "bitmap" ? [P("nr_alloc", s.nr_alloc), P("max_alloc_size", s.max_alloc_size), P("empty_pop_pages", s.empty_pop_pages), P("first_bit", s.first_free), P("free_bytes", s.free_bytes), P("contig_bytes", s.contig_bytes)] : [P("nr_alloc", s.nr_alloc), P("max_alloc_size", s.max_alloc_size), P("free_size", s.free_bytes), P("contig_hint", s.contig_bytes)];
  return [...head, P("sum_frag", f.sum_frag), P("max_frag", f.max_frag), P("cur_min_alloc", f.min), P("cur_med_alloc", f.med), P("cur_max_alloc", f.max), ""];
}
function percpu_stats_show(i) {
  const rule = "----------------------------------------";
  const out = ["Percpu Memory Statistics", "Allocation Info:", rule];
  for (const k of ["unit_size", "static_size", "reserved_size", "dyn_size", "atom_size", "alloc_size"]) out.push(P(k, i.ai[k]));
  out.push("", "Global Stats:", rule);
  const s = i.stats;
  const globals = [
    ["nr_alloc", s.nr_alloc],
    ["nr_dealloc", s.nr_dealloc],
    ["nr_cur_alloc", s.nr_cur_alloc],
    ["nr_max_alloc", s.nr_max_alloc],
    ["nr_chunks", s.nr_chunks],
    ["nr_max_chunks", s.nr_max_chunks],
    ["min_alloc_size", s.min_alloc_size],
    ["max_alloc_size", s.max_alloc_size]
  ];
  for (const [k, v] of globals) out.push(P(k, v));
  if (i.alloc_map === "bitmap") out.push(P("empty_pop_pages", i.empty_pop_pages));
  out.push("", "Per Chunk Stats:", rule);
  if (i.reserved) out.push("Chunk: <- Reserved Chunk", ...chunkLines(i.reserved.stats(), i.alloc_map));
  for (const c of i.slots) out.push(c === i.first ? "Chunk: <- First Chunk" : "Chunk:", ...chunkLines(c.stats(), i.alloc_map));
  return out.join("\n") + "\n";
}

// kernel-model/mm/percpu/slots.ts
function page_populated(chunk, p) {
  return (chunk.populated[p >>> 5] & 1 << (p & 31)) !== 0;
}
var PcpuChunkSet = class {
  constructor(o) {
    this.o = o;
    this.nr_slots = pcpu_nr_slots(o.unit_size);
    this.heads = new Array(this.nr_slots).fill(null);
    this.tails = new Array(this.nr_slots).fill(null);
  }
  o;
  nr_slots;
  heads;
  tails;
  nodes = /* @__PURE__ */ new Map();
  /** pcpu_alloc's warn_limit */
  warn_limit = 10;
  /** The chunk of the last successful search (alloc_off's answer is an offset in it). */
  found = null;
  /** pcpu_atomic_alloc_failed: the next balance populates the maximum. */
  atomic_alloc_failed = false;
  get chunks() {
    return [...this.nodes.keys()];
  }
  /** Chunks of one slot, head first. */
  slotList(slot) {
    const out = [];
    for (let n = this.heads[slot] ?? null; n; n = n.next) out.push(n.chunk);
    return out;
  }
  /** Every chunk on the lists in slot order (percpu_stats' walk). */
  bySlot() {
    const out = [];
    for (let slot = 0; slot < this.nr_slots; slot++) out.push(...this.slotList(slot));
    return out;
  }
  /** Put a chunk on the slot lists (pcpu_chunk_relocate(chunk, -1)). */
  add(chunk) {
    const node = { chunk, slot: -1, prev: null, next: null };
    this.nodes.set(chunk, node);
    chunk.relocate = (c, oslot) => this.relocate_node(node, c, oslot);
    this.relocate_node(node, chunk, -1);
  }
  /** Take a chunk off the lists and give its metadata back (pcpu_destroy_chunk). */
  destroy(chunk) {
    const node = this.nodes.get(chunk);
    if (!node) return;
    this.unlink(node);
    this.nodes.delete(chunk);
    if (this.found === chunk) this.found = null;
    chunk.relocate = null;
    this.o.release?.(chunk);
    chunk.destroy();
    pcpu_stats_chunk_dealloc(this.o.stats);
  }
  /** pcpu_chunk_relocate: to the head of a higher slot, the tail of a lower one. */
  pcpu_chunk_relocate(chunk, oslot) {
    const node = this.nodes.get(chunk);
    if (node) this.relocate_node(node, chunk, oslot);
  }
  relocate_node(node, chunk, oslot) {
    const nslot = chunk.slot();
    if (oslot === nslot && node.slot === nslot) return;
    if (node.slot >= 0) this.unlink(node);
    node.slot = nslot;
    if (oslot < nslot) {
      node.next = this.heads[nslot];
      if (node.next) node.next.prev = node;
      else this.tails[nslot] = node;
      this.heads[nslot] = node;
    } else {
      node.prev = this.tails[nslot];
      if (node.prev) node.prev.next = node;
      else this.heads[nslot] = node;
      this.tails[nslot] = node;
    }
  }
  unlink(node) {
    if (node.prev) node.prev.next = node.next;
    else this.heads[node.slot] = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tails[node.slot] = node.prev;
    node.prev = node.next = null;
    node.slot = -1;
  }
  /**
   * The first chunk, in slot order from `size`'s slot, that serves the
   * request: the offset in it (the chunk in `found`), -1 when none does,
   * or PCPU_ENOMEM.
   */
  search(size2, align, atomic) {
    for (let slot = pcpu_size_to_slot(size2, this.o.unit_size); slot < this.nr_slots; slot++) {
      for (let n = this.heads[slot] ?? null; n; ) {
        const next = n.next;
        const off = n.chunk.alloc(size2, align, atomic);
        if (off >= 0) {
          this.found = n.chunk;
          return off;
        }
        if (off === PCPU_ENOMEM) return off;
        n = next;
      }
    }
    return -1;
  }
  /**
   * pcpu_alloc without the memset and the balance work: search the
   * slots, create a chunk when none serves, populate the pages under the
   * area. null with Linux's warning (ten of them, then "limit reached")
   * on failure.
   */
  alloc(size2, align, atomic = false) {
    const off = this.alloc_off(size2, align, atomic);
    return off < 0 ? null : { chunk: this.found, off };
  }
  /**
   * alloc() without a result object, for callers on a hot path (the
   * benchmark): the offset in chunk `found`, or -1 (warned as alloc()
   * warns). Linux's pcpu_alloc returns one pointer; this is the same
   * pair without the garbage of an object per call.
   */
  alloc_off(size2, align, atomic = false) {
    for (; ; ) {
      const off = this.search(size2, align, atomic);
      if (off === PCPU_ENOMEM) return this.fail(size2, align, atomic, "failed to extend area map");
      if (off >= 0) return this.populateFor(this.found, off, size2, align, atomic);
      if (atomic) return this.fail(size2, align, atomic, "atomic alloc failed, no space left");
      if (this.heads[this.nr_slots - 1]) return this.fail(size2, align, atomic, "larger than an empty chunk");
      const chunk = this.o.create();
      if (!chunk) return this.fail(size2, align, atomic, "failed to allocate new chunk");
      pcpu_stats_chunk_alloc(this.o.stats);
      this.add(chunk);
    }
  }
  /**
   * pcpu_alloc after area_found: populate each unpopulated run of pages
   * under [off, off + size) (size as pcpu_alloc rounded it), for the
   * allocation; on failure free the area again. @returns off, or -1.
   */
  populateFor(chunk, off, size2, align, atomic) {
    const bytes2 = pcpu_request_size(size2, chunk.min_alloc_size);
    if (!atomic) {
      const page_end = Math.ceil((off + bytes2) / PAGE_SIZE);
      for (let rs = Math.floor(off / PAGE_SIZE); rs < page_end; rs++) {
        if (page_populated(chunk, rs)) continue;
        let re = rs + 1;
        while (re < page_end && !page_populated(chunk, re)) re++;
        if (this.o.populate && !this.o.populate(chunk, rs, re)) {
          chunk.free(off);
          return this.fail(size2, align, atomic, "failed to populate");
        }
        chunk.pcpu_chunk_populated(rs, re, true);
        rs = re;
      }
    }
    pcpu_stats_area_alloc(this.o.stats, bytes2);
    return off;
  }
  fail(size2, align, atomic, err7) {
    if (atomic) this.atomic_alloc_failed = true;
    if (!atomic && this.warn_limit) {
      this.o.printk(`percpu: allocation failed, size=${size2} align=${align} atomic=${atomic ? 1 : 0}, ${err7}`);
      if (!--this.warn_limit) this.o.printk("percpu: limit reached, disable warning");
    }
    return -1;
  }
  /**
   * pcpu_alloc(reserved = true): only the reserved chunk, which never
   * grows; "alloc from reserved chunk failed" otherwise. Without a
   * reserved chunk, Linux serves the request from the normal chunks.
   */
  allocReserved(size2, align, atomic = false) {
    const chunk = this.o.reserved;
    if (!chunk) return this.alloc(size2, align, atomic);
    const off = chunk.alloc(size2, align, atomic);
    if (off < 0) {
      this.fail(size2, align, atomic, "alloc from reserved chunk failed");
      return null;
    }
    pcpu_stats_area_alloc(this.o.stats, pcpu_request_size(size2, chunk.min_alloc_size));
    return { chunk, off };
  }
  /** free_percpu's part after the address lookup. */
  free(chunk, off) {
    if (!chunk.free(off)) return false;
    pcpu_stats_area_dealloc(this.o.stats);
    return true;
  }
  /**
   * free_percpu's test for scheduling the balance work: the chunk just
   * became entirely free and another entirely free chunk exists.
   */
  needBalance(chunk) {
    if (!this.nodes.has(chunk) || !chunk.isEmpty()) return false;
    for (let n = this.heads[this.nr_slots - 1] ?? null; n; n = n.next) if (n.chunk !== chunk) return true;
    return false;
  }
  /** pcpu_alloc's test for scheduling the balance work after an allocation. */
  needPopulation() {
    return this.o.emptyPages.value < PCPU_EMPTY_POP_PAGES_LOW;
  }
  /**
   * The populating half of pcpu_balance_workfn: bring the empty populated
   * pages up to PCPU_EMPTY_POP_PAGES_HIGH (all of it after an atomic
   * allocation failed), filling the fullest chunks that can still hold a
   * page first, creating a chunk when none has unpopulated pages left.
   * @returns the pages populated.
   */
  pcpu_balance_populated() {
    let done = 0;
    for (; ; ) {
      let nr_to_pop;
      if (this.atomic_alloc_failed) {
        nr_to_pop = PCPU_EMPTY_POP_PAGES_HIGH;
        this.atomic_alloc_failed = false;
      } else {
        nr_to_pop = Math.min(Math.max(PCPU_EMPTY_POP_PAGES_HIGH - this.o.emptyPages.value, 0), PCPU_EMPTY_POP_PAGES_HIGH);
      }
      for (let slot = pcpu_size_to_slot(PAGE_SIZE, this.o.unit_size); slot < this.nr_slots && nr_to_pop; slot++) {
        let chunk2 = null;
        for (let n = this.heads[slot] ?? null; n && !chunk2; n = n.next) if (n.chunk.nr_pages > n.chunk.nr_populated) chunk2 = n.chunk;
        if (!chunk2) continue;
        for (let rs = 0; rs < chunk2.nr_pages && nr_to_pop; rs++) {
          if (chunk2.populated[rs >>> 5] & 1 << (rs & 31)) continue;
          let re = rs + 1;
          while (re < chunk2.nr_pages && re - rs < nr_to_pop && !(chunk2.populated[re >>> 5] & 1 << (re & 31))) re++;
          if (this.o.populate && !this.o.populate(chunk2, rs, re)) {
            nr_to_pop = 0;
            break;
          }
          chunk2.pcpu_chunk_populated(rs, re, false);
          nr_to_pop -= re - rs;
          done += re - rs;
          rs = re;
        }
      }
      if (!nr_to_pop) return done;
      const chunk = this.o.create();
      if (!chunk) return done;
      pcpu_stats_chunk_alloc(this.o.stats);
      this.add(chunk);
    }
  }
  /**
   * The freeing half of pcpu_balance_workfn: "Destroy all free chunks
   * except for one", the first on the last slot's list, depopulating
   * their populated pages first. @returns how many were destroyed.
   */
  pcpu_balance_free() {
    const doomed = [];
    for (let n = this.heads[this.nr_slots - 1]?.next ?? null; n; n = n.next) doomed.push(n.chunk);
    for (const chunk of doomed) {
      for (let rs = 0; rs < chunk.nr_pages; ) {
        if (!(chunk.populated[rs >>> 5] & 1 << (rs & 31))) {
          rs++;
          continue;
        }
        let re = rs + 1;
        while (re < chunk.nr_pages && chunk.populated[re >>> 5] & 1 << (re & 31)) re++;
        this.o.depopulate?.(chunk, rs, re);
        chunk.pcpu_chunk_depopulated(rs, re);
        rs = re;
      }
      this.destroy(chunk);
    }
    return doomed.length;
  }
};

// kernel-model/kernel/time/timer.ts
var Timer = class {
  /** Position in the list, or -1 when not pending. */
  constructor(expiresNs, seq, fn, what) {
    this.expiresNs = expiresNs;
    this.seq = seq;
    this.fn = fn;
    this.what = what;
  }
  expiresNs;
  seq;
  fn;
  what;
  pending = true;
};
var TimerList = class {
  timers = [];
  seq = 0;
  /** add_timer: run `fn` once the clock reaches `expiresNs`. */
  add(expiresNs, fn, what) {
    const t2 = new Timer(expiresNs, this.seq++, fn, what);
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = lo + hi >> 1;
      const m = this.timers[mid];
      if (m.expiresNs < expiresNs || m.expiresNs === expiresNs && m.seq < t2.seq) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, t2);
    return t2;
  }
  /** del_timer: true if it was pending. */
  del(t2) {
    if (!t2.pending) return false;
    t2.pending = false;
    const i = this.timers.indexOf(t2);
    if (i >= 0) this.timers.splice(i, 1);
    return true;
  }
  /** Run every timer due at `nowNs`, earliest first. */
  runDue(nowNs) {
    while (this.timers.length && this.timers[0].expiresNs <= nowNs) {
      const t2 = this.timers.shift();
      t2.pending = false;
      t2.fn();
    }
  }
  /** Expiry of the first pending timer. */
  next() {
    return this.timers[0]?.expiresNs;
  }
  get size() {
    return this.timers.length;
  }
};

// kernel-model/kernel/sched/cputime.ts
var CpuStat = class {
  user;
  system;
  idle;
  last;
  constructor(cpus) {
    this.user = new Array(cpus).fill(0);
    this.system = new Array(cpus).fill(0);
    this.idle = new Array(cpus).fill(0);
    this.last = new Array(cpus).fill(0);
  }
  /** account_process_tick: the time since `cpu`'s last turn to `task`, which ran there. */
  account(cpu, task3, nowNs) {
    const dt = nowNs - this.last[cpu];
    this.last[cpu] = nowNs;
    if (dt <= 0) return;
    if (task3.kind === "user") {
      task3.utimeNs += dt;
      this.user[cpu] += dt;
    } else if (task3.kind === "kthread") {
      task3.stimeNs += dt;
      this.system[cpu] += dt;
    } else this.idle[cpu] += dt;
  }
  /** A CPU comes online at `nowNs`: its time counts from there. */
  start(cpu, nowNs) {
    this.last[cpu] = nowNs;
  }
};
var clock_t = (ns) => Math.floor(ns * USER_HZ / NSEC_PER_SEC);

// kernel-model/kernel/sched/loadavg.ts
var FSHIFT = 11;
var FIXED_1 = 1 << FSHIFT;
var EXP = [1884, 2014, 2037];
var LOAD_FREQ_NS = (5 * HZ + 1) * NSEC_PER_SEC / HZ;
function calc_load(load, exp, active) {
  let n = load * exp + active * (FIXED_1 - exp);
  if (active >= load) n += FIXED_1 - 1;
  return Math.floor(n / FIXED_1);
}
var LoadAvg = class {
  /** avenrun[0..2], fixed point. */
  avenrun = [0, 0, 0];
  nextNs = LOAD_FREQ_NS;
  /** At virtual time `nowNs`, with `active()` tasks active: fold in every boundary passed since the last look. */
  update(nowNs, active) {
    if (nowNs < this.nextNs) return;
    const passed = Math.floor((nowNs - this.nextNs) / LOAD_FREQ_NS) + 1;
    this.nextNs += passed * LOAD_FREQ_NS;
    for (let k = 1; k <= passed; k++) {
      const n = k === passed ? active() * FIXED_1 : 0;
      for (let i = 0; i < 3; i++) this.avenrun[i] = calc_load(this.avenrun[i], EXP[i], n);
    }
  }
  /** /proc/loadavg's "%lu.%02lu" of each (get_avenrun with FIXED_1/200 added for rounding). */
  text() {
    return this.avenrun.map((a) => {
      const x = a + FIXED_1 / 200;
      return `${x >> FSHIFT}.${String((x & FIXED_1 - 1) * 100 >> FSHIFT).padStart(2, "0")}`;
    });
  }
};

// kernel-model/kernel/sched/core.ts
var SCHED_SLICE_ROUNDS = 15;
var KthreadError = class extends Error {
  name = "KthreadError";
};
var Scheduler = class {
  constructor(host) {
    this.host = host;
    const n = host.machine.cores.length;
    this.idle = Array.from({ length: n }, (_, cpu) => new Task(0, 0, `swapper/${cpu}`, cpu, "idle"));
    for (const t2 of this.idle) t2.state = "running";
    this.curr = [...this.idle];
    this.rq = Array.from({ length: n }, () => []);
    this.cpustat = new CpuStat(n);
  }
  host;
  idle;
  curr;
  rq;
  timers = new TimerList();
  /** Each CPU's user, system and idle time. */
  cpustat;
  loadavg = new LoadAvg();
  /** Live tasks other than the idle tasks, in creation order. */
  tasks = /* @__PURE__ */ new Set();
  sleepTimer = /* @__PURE__ */ new Map();
  nextPid = FIRST_KTHREAD_PID;
  oopses = 0;
  get machine() {
    return this.host.machine;
  }
  now() {
    return this.machine.clockNs;
  }
  /** Tasks running or waiting for a CPU (nr_running; the model has no uninterruptible sleep). */
  nr_active() {
    let n = 0;
    for (const t2 of this.tasks) if (t2.state === "running" || t2.state === "runnable") n++;
    return n;
  }
  /* ---- tasks -------------------------------------------------------------- */
  /** The last pid handed out (/proc/loadavg's last field). */
  last_pid() {
    return this.nextPid - 1;
  }
  /** A pid for a new process or thread (alloc_pid): one sequence with the kernel threads', in creation order. */
  alloc_pid() {
    return this.nextPid++;
  }
  /** A new kernel thread on `cpu`, not yet runnable (kthread_create_on_cpu). */
  createKthread(cpu, comm, body) {
    const t2 = new KthreadTask(this.nextPid++, comm, cpu, body);
    this.tasks.add(t2);
    return t2;
  }
  /** Register a user task (its context is set by its creator). */
  addUserTask(t2) {
    this.tasks.add(t2);
  }
  /** wake_up_process: a blocked task becomes runnable on its CPU. False if it was not blocked. */
  wake_up_process(t2) {
    if (t2.state !== "blocked") return false;
    if (t2 instanceof KthreadTask && t2.request?.kind === "wait") t2.request.wq.waiters.delete(t2);
    if (t2 instanceof UserTask) t2.cancelWait = void 0;
    const timer = this.sleepTimer.get(t2);
    if (timer) {
      this.timers.del(timer);
      this.sleepTimer.delete(t2);
    }
    t2.state = "runnable";
    t2.waitingFor = "";
    this.rq[t2.cpu].push(t2);
    return true;
  }
  block(t2, what, untilNs) {
    t2.state = "blocked";
    t2.waitingFor = what;
    if (untilNs !== void 0) this.sleepTimer.set(t2, this.timers.add(untilNs, () => this.timedOut(t2), what));
  }
  timedOut(t2) {
    this.sleepTimer.delete(t2);
    if (t2 instanceof UserTask) t2.cancelWait?.();
    this.wake_up_process(t2);
  }
  /** The task is gone: off every queue. */
  reap(t2, exitCode) {
    if (t2 instanceof KthreadTask && t2.request?.kind === "wait") t2.request.wq.waiters.delete(t2);
    if (t2 instanceof UserTask) t2.cancelWait?.();
    t2.state = "dead";
    t2.exitCode = exitCode;
    const timer = this.sleepTimer.get(t2);
    if (timer) this.timers.del(timer);
    this.sleepTimer.delete(t2);
    const q = this.rq[t2.cpu];
    const i = q.indexOf(t2);
    if (i >= 0) q.splice(i, 1);
    if (this.curr[t2.cpu] === t2) this.curr[t2.cpu] = this.idle[t2.cpu];
    this.tasks.delete(t2);
    if (t2 instanceof KthreadTask) for (const f of t2.onExit.splice(0)) f();
  }
  /* ---- the machine's side (MachineOs) ----------------------------------- */
  runTimers(nowNs) {
    this.timers.runDue(nowNs);
  }
  nextTimerNs() {
    return this.timers.next();
  }
  turn(core) {
    const cpu = core.index;
    if (!this.host.online(cpu)) return false;
    const cur = this.curr[cpu];
    const now = this.now();
    this.cpustat.account(cpu, cur, now);
    this.loadavg.update(now, () => this.nr_active());
    if (cur.kind === "idle" || cur.kind === "user") this.host.quiescent?.(core);
    if (cur.kind === "user") return this.tickUser(cur, core);
    if (cur instanceof KthreadTask) return cur.inKcall ? false : this.payDebt(cur, core);
    return this.pickNext(core);
  }
  /** A user task had a round: preempt it if its slice is over and others wait; take it off if its process stopped. */
  tickUser(t2, core) {
    t2.ranRounds++;
    if (t2.jobStop && core.state === "running") {
      this.stopUser(core, core.pc, void 0);
      return this.pickNext(core);
    }
    if (t2.ranRounds < SCHED_SLICE_ROUNDS || this.rq[core.index].length === 0 || core.state !== "running") return false;
    this.saveUser(t2, core, core.pc);
    t2.state = "runnable";
    this.rq[core.index].push(t2);
    this.curr[core.index] = this.idle[core.index];
    return this.pickNext(core);
  }
  pickNext(core) {
    let next = this.rq[core.index].shift();
    while (next instanceof UserTask && next.jobStop) {
      this.block(next, STOPPED);
      next = this.rq[core.index].shift();
    }
    if (!next) return false;
    this.curr[core.index] = next;
    next.state = "running";
    next.ranRounds = 0;
    if (next instanceof KthreadTask) {
      this.step(next, core);
      return true;
    }
    this.resumeUser(next, core);
    return false;
  }
  /* ---- user tasks ----------------------------------------------------------- */
  saveUser(t2, core, resumePc) {
    t2.context ??= core.newContext();
    core.saveContext(t2.context);
    t2.resumePc = resumePc;
  }
  resumeUser(t2, core) {
    if (!t2.context) throw new KthreadError(`${t2}: no saved context to resume`);
    core.restoreContext(t2.context);
    this.host.switch_mm(core, t2);
    if (t2.resumeX0 !== void 0) core.setX(0, t2.resumeX0);
    t2.resumeX0 = void 0;
    this.machine.start(core.index, this.host.resume_user(core, t2, t2.resumePc));
  }
  /**
   * The current user task of `core` stops until woken (a blocking system
   * call): its state is saved to resume at `resumePc` with x0 = `ret`.
   * The caller sends the core to idle.
   */
  blockUser(core, resumePc, ret, what, untilNs) {
    const t2 = this.curr[core.index];
    this.saveUser(t2, core, resumePc);
    t2.resumeX0 = ret;
    this.curr[core.index] = this.idle[core.index];
    this.block(t2, what, untilNs);
  }
  /**
   * The current user task of `core` stops (job control): saved to resume
   * at `resumePc` (x0 = `ret` when given), it waits for SIGCONT. The
   * caller sends the core to idle, or picks the next task.
   */
  stopUser(core, resumePc, ret) {
    const t2 = this.curr[core.index];
    this.saveUser(t2, core, resumePc);
    t2.resumeX0 = ret;
    this.curr[core.index] = this.idle[core.index];
    this.block(t2, STOPPED);
  }
  /** A task of a stopped process waiting on its run queue: it stops there. */
  stopRunnable(t2) {
    if (t2.state !== "runnable") return;
    const q = this.rq[t2.cpu];
    q.splice(q.indexOf(t2), 1);
    this.block(t2, STOPPED);
  }
  /** SIGCONT: a stopped task goes back to its run queue (a task still asleep elsewhere is left asleep). */
  continueTask(t2) {
    if (t2.state === "blocked" && t2.waitingFor === STOPPED) this.wake_up_process(t2);
  }
  /** sched_yield from user space: true if the task gave up its core (others were waiting). */
  yieldUser(core, resumePc) {
    const cpu = core.index;
    if (this.rq[cpu].length === 0) return false;
    const t2 = this.curr[cpu];
    this.saveUser(t2, core, resumePc);
    t2.resumeX0 = 0n;
    t2.state = "runnable";
    this.rq[cpu].push(t2);
    this.curr[cpu] = this.idle[cpu];
    return true;
  }
  /**
   * The current user task of `core` moves to `target` (sched_setaffinity
   * without its CPU in the mask): its state, saved to resume at
   * `resumePc` with x0 = `ret`, is copied to a context of the target core
   * and it waits on that CPU's run queue. The caller sends `core` to idle.
   */
  migrateUser(core, target2, resumePc, ret) {
    const t2 = this.curr[core.index];
    this.saveUser(t2, core, resumePc);
    t2.resumeX0 = ret;
    t2.context = target2.adoptContext(t2.context);
    t2.migrated = true;
    this.curr[core.index] = this.idle[core.index];
    t2.cpu = target2.index;
    t2.state = "runnable";
    this.rq[target2.index].push(t2);
  }
  /** A user task that is off its CPU (runnable or blocked) moves to `target`; false if it cannot be moved now. */
  migrateWaiting(t2, from, target2) {
    if (t2.state === "running" || !t2.context) return false;
    t2.context = target2.adoptContext(t2.context);
    t2.migrated = true;
    if (t2.state === "runnable") {
      const q = this.rq[from.index];
      q.splice(q.indexOf(t2), 1);
      this.rq[target2.index].push(t2);
    }
    t2.cpu = target2.index;
    return true;
  }
  /** A user task ended (exit, a fatal signal, the harness's return). */
  userExited(t2, code) {
    this.reap(t2, code);
  }
  /* ---- kernel threads -------------------------------------------------------- */
  /**
   * Work a kernel thread's TypeScript did, in instructions (Kernel.charge):
   * the thread keeps its core for that long before what it yielded takes
   * effect, one slice per round, so its work shows on the virtual clock
   * (and in CNTVCT) while the other cores run on.
   */
  charge(t2, insns) {
    if (insns > 0) t2.debt += insns;
  }
  /** A round of a thread still paying for its last step; when paid, what it yielded takes effect. */
  payDebt(t2, core) {
    t2.debt -= this.machine.sliceInsns;
    if (t2.debt <= 0) {
      t2.debt = 0;
      this.step(t2, core, false);
    }
    return true;
  }
  /**
   * Run `t` on `core` until it yields (it is current there). `credit`: the
   * round this step runs in still counts against work it charges.
   */
  step(t2, core, credit = true) {
    this.host.enter(core, t2);
    try {
      this.stepIn(t2, core, credit);
    } finally {
      this.host.leave();
    }
  }
  stepIn(t2, core, credit) {
    const cpu = core.index;
    const settle = () => {
      if (t2.debt > 0 && credit) t2.debt = Math.max(0, t2.debt - this.machine.sliceInsns);
      credit = false;
      return t2.debt === 0;
    };
    let value = t2.resumeWith;
    t2.resumeWith = void 0;
    let req = t2.request;
    t2.request = void 0;
    if (t2.exitCode !== void 0) return this.reap(t2, t2.exitCode);
    for (; ; ) {
      if (!req) {
        let r2;
        try {
          r2 = t2.body.next(value);
        } catch (e) {
          this.oops(t2, e instanceof Error ? e.message : String(e));
          return;
        }
        if (r2.done) {
          if (!settle()) t2.exitCode = r2.value ?? 0;
          else this.reap(t2, r2.value ?? 0);
          return;
        }
        req = r2.value;
        if (!settle()) {
          t2.request = req;
          return;
        }
      }
      switch (req.kind) {
        case "yield":
          t2.state = "runnable";
          this.rq[cpu].push(t2);
          this.curr[cpu] = this.idle[cpu];
          return;
        case "sleep":
          if (req.untilNs <= this.now()) {
            value = void 0;
            req = void 0;
            continue;
          }
          this.curr[cpu] = this.idle[cpu];
          this.block(t2, `sleep until ${req.untilNs} ns`, req.untilNs);
          return;
        case "wait": {
          const outcome = this.waitOutcome(req);
          if (outcome !== void 0) {
            value = outcome;
            req = void 0;
            continue;
          }
          this.parkOn(t2, req);
          return;
        }
        case "kcall":
          this.startKcall(t2, core, req);
          return;
      }
    }
  }
  /** A wait's result now: true (condition holds), false (deadline passed), undefined (keep waiting). */
  waitOutcome(req) {
    if (req.cond()) return true;
    if (req.untilNs !== void 0 && this.now() >= req.untilNs) return false;
    return void 0;
  }
  parkOn(t2, req) {
    t2.request = req;
    req.wq.waiters.add(t2);
    this.curr[t2.cpu] = this.idle[t2.cpu];
    this.block(t2, req.what, req.untilNs);
  }
  startKcall(t2, core, req) {
    const name = typeof req.fn === "string" ? req.fn : `0x${req.fn.toString(16)}`;
    const addr = typeof req.fn === "string" ? this.host.symbolAddress(req.fn) : req.fn;
    const ret = this.host.symbolAddress("kcall_return");
    if (addr === void 0 || ret === void 0) return this.oops(t2, `kcall of unknown symbol "${name}"`);
    if (req.args.length > 8) return this.oops(t2, `kcall ${name}: ${req.args.length} arguments (at most 8 go in registers)`);
    core.restoreEl1();
    req.args.forEach((a, i) => core.setX(i, BigInt.asUintN(64, a)));
    core.setX(30, ret);
    t2.inKcall = true;
    t2.waitingFor = `kcall ${name}`;
    this.machine.start(core.index, addr);
  }
  /** The kcall running on `cpu` returned x0 (hvc #KCALL_RETURN, or a fixed-up fault). */
  kcallReturned(cpu, x0) {
    const t2 = this.curr[cpu];
    if (!(t2 instanceof KthreadTask) || !t2.inKcall) throw new KthreadError(`cpu${cpu}: a kcall returned with none in progress`);
    t2.inKcall = false;
    t2.waitingFor = "";
    t2.resumeWith = BigInt.asIntN(64, x0);
    t2.state = "runnable";
    this.curr[cpu] = this.idle[cpu];
    this.rq[cpu].unshift(t2);
  }
  /** The task current on `cpu`, if it is a kernel thread in a kcall. */
  kcallOn(cpu) {
    const t2 = this.curr[cpu];
    return t2 instanceof KthreadTask && t2.inKcall ? t2 : void 0;
  }
  /** A kernel thread dies of `why` (a JavaScript error in its body, a fault in its kcall). */
  oops(t2, why) {
    this.oopses++;
    t2.oops = why;
    t2.inKcall = false;
    this.host.printk(`Internal error: Oops: ${why} [#${this.oopses}] SMP`);
    this.host.printk(`CPU: ${t2.cpu} PID: ${t2.pid} Comm: ${t2.comm}`);
    this.host.printk("---[ end trace ]---");
    this.reap(t2, -1);
  }
  /** kthread_stop's side: ask it to stop and wake it, so that it sees kthread_should_stop(). */
  requestStop(t2) {
    t2.shouldStop = true;
    this.wake_up_process(t2);
  }
  /** need_resched, as far as the model has it: does a task wait for this CPU? */
  hasWaiting(cpu) {
    return (this.rq[cpu]?.length ?? 0) > 0;
  }
  /* ---- reports ---------------------------------------------------------------- */
  /** Live tasks that wait (blocked, or in a kcall whose core is parked), as "comm[pid] on cpuN: what". */
  waiting() {
    const waits = (t2) => t2.state === "blocked" || t2 instanceof KthreadTask && t2.inKcall;
    return [...this.tasks].filter(waits).map((t2) => `${t2} on cpu${t2.cpu}: ${t2.waitingFor || "blocked"}`);
  }
  /** Runnable or running tasks other than idle. */
  busy() {
    return [...this.tasks].filter((t2) => t2.state === "runnable" || t2.state === "running");
  }
};

// kernel-model/kernel/kthread.ts
function kthread_create_on_cpu(k, threadfn, cpu, namefmt) {
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= k.machine.cores.length)
    throw new KthreadError(`kthread_create_on_cpu: no CPU ${cpu} on ${k.machine.board.name} (it has ${k.machine.cores.length})`);
  if (!k.cpu_online(cpu)) throw new KthreadError(`kthread_create_on_cpu: CPU ${cpu} is offline`);
  const name = namefmt.replace("%u", String(cpu)).slice(0, 15);
  return k.sched.createKthread(cpu, name, threadfn(k));
}
function kthread_run(k, threadfn, cpu, namefmt) {
  const t2 = kthread_create_on_cpu(k, threadfn, cpu, namefmt);
  k.sched.wake_up_process(t2);
  return t2;
}
function kthread_should_stop(k) {
  const t2 = k.current();
  return t2 instanceof KthreadTask && t2.shouldStop;
}
function* kcall(fn, ...args) {
  return yield { kind: "kcall", fn, args: args.map((a) => BigInt(a)) };
}

// kernel-model/kernel/workqueue.ts
var WorkStruct = class {
  constructor(func, name = func.name || "work") {
    this.func = func;
    this.name = name;
    this.done = new WaitQueueHead(`flush of ${this.name}`);
  }
  func;
  name;
  pending = false;
  running = false;
  /** Woken when the item finishes running (flush_work). */
  done;
};
var DelayedWork = class extends WorkStruct {
  timer;
};
var WorkqueueStruct = class {
  constructor(name) {
    this.name = name;
  }
  name;
};
var system_wq = new WorkqueueStruct("events");
var WorkerPool = class {
  constructor(cpu) {
    this.cpu = cpu;
    this.more = new WaitQueueHead(`work on cpu${cpu}`);
  }
  cpu;
  worklist = [];
  more;
  worker;
};
var pools = /* @__PURE__ */ new WeakMap();
function poolOf(k, cpu) {
  let list = pools.get(k);
  if (!list) pools.set(k, list = []);
  let pool = list[cpu];
  if (!pool) {
    pool = list[cpu] = new WorkerPool(cpu);
    const p = pool;
    pool.worker = kthread_run(k, () => worker_thread(k, p), cpu, "kworker/%u:0");
  }
  return pool;
}
function isGenerator(x) {
  return typeof x === "object" && x !== null && typeof x.next === "function";
}
function* worker_thread(k, pool) {
  for (; ; ) {
    yield* wait_event(pool.more, () => pool.worklist.length > 0);
    const work = pool.worklist.shift();
    work.pending = false;
    work.running = true;
    const r2 = work.func(work);
    if (isGenerator(r2)) yield* r2;
    work.running = false;
    wake_up(k.sched, work.done);
  }
}
function queue_work_on(k, cpu, _wq, work) {
  if (work.pending) return false;
  const pool = poolOf(k, cpu);
  work.pending = true;
  pool.worklist.push(work);
  wake_up(k.sched, pool.more);
  return true;
}
function queue_work(k, wq, work) {
  return queue_work_on(k, k.smp_processor_id(), wq, work);
}
function schedule_work(k, work) {
  return queue_work(k, system_wq, work);
}
function queue_delayed_work_on(k, cpu, wq, dwork, delay) {
  if (dwork.pending) return false;
  if (delay <= 0) return queue_work_on(k, cpu, wq, dwork);
  dwork.pending = true;
  const at = jiffies_to_clock_ns(jiffies_at(k.clockNs()) + delay);
  dwork.timer = k.sched.timers.add(at, () => {
    dwork.timer = void 0;
    dwork.pending = false;
    queue_work_on(k, cpu, wq, dwork);
  }, `delayed ${dwork.name}`);
  return true;
}
function schedule_delayed_work(k, dwork, delay) {
  return queue_delayed_work_on(k, k.smp_processor_id(), system_wq, dwork, delay);
}

// kernel-model/mm/percpu/first_chunk.ts
var PERCPU_MODULE_RESERVE = 8 << 10;
var PERCPU_DYNAMIC_RESERVE = 28 << 10;
var PERCPU_DYNAMIC_EARLY_SIZE = 12 << 10;
var PCPU_MIN_UNIT_SIZE2 = 32 << 10;
var PCPU_COST = {
  /** pcpu_alloc or free_percpu: the checks, pcpu_alloc_mutex and pcpu_lock, the slot lists, the chunk lookup. */
  call: 300,
  /** One metadata word or area-map entry the chunk allocator touches (pcpu_work): a load, a test, a branch. */
  word: 4,
  /** __alloc_percpu's memset of every CPU's copy: bytes per store instruction (stp of two registers). */
  zeroBytesPerInsn: 16
};
var pfnAlign = (x) => Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;
function pcpu_build_alloc_info(staticSize, reservedSize, dynSize, atomSize, nrCpus) {
  const sizeSum = pfnAlign(staticSize + reservedSize + Math.max(dynSize, PERCPU_DYNAMIC_EARLY_SIZE));
  const dyn = sizeSum - staticSize - reservedSize;
  const minUnitSize = Math.max(sizeSum, PCPU_MIN_UNIT_SIZE2);
  const allocSize = Math.ceil(minUnitSize / atomSize) * atomSize;
  const fits = (upa) => allocSize % upa === 0 && allocSize / upa % PAGE_SIZE === 0;
  let maxUpa = Math.floor(allocSize / minUnitSize);
  while (!fits(maxUpa)) maxUpa--;
  let best = 1;
  let lastAllocs = Infinity;
  for (let upa = maxUpa; upa > 0; upa--) {
    if (!fits(upa)) continue;
    const allocs = Math.ceil(nrCpus / upa);
    const wasted = allocs * upa - nrCpus;
    if (wasted > Math.floor(nrCpus / 3)) continue;
    if (allocs > lastAllocs) break;
    lastAllocs = allocs;
    best = upa;
  }
  return {
    static_size: staticSize,
    reserved_size: reservedSize,
    dyn_size: dyn,
    unit_size: allocSize / best,
    atom_size: atomSize,
    alloc_size: allocSize,
    upa: best,
    nr_units: Math.ceil(nrCpus / best) * best
  };
}
function percpu_boot_lines(ai, nrCpus) {
  const sizes = `s${ai.static_size} r${ai.reserved_size} d${ai.dyn_size} u${ai.unit_size}`;
  const cpuWidth = String(Math.max(nrCpus - 1, 0)).length;
  const width = ai.upa * (cpuWidth + 1) + 1 + 3;
  const apl = 2 ** Math.floor(Math.log2(Math.max(Math.floor(60 / width), 1)));
  const lines = [`percpu: Embedded ${ai.unit_size / PAGE_SIZE} pages/cpu ${sizes}`, `pcpu-alloc: ${sizes} alloc=${ai.alloc_size / ai.atom_size}*${ai.atom_size}`];
  let line = "";
  for (let unit = 0; unit < ai.nr_units; unit++) {
    if (unit % apl === 0) {
      if (line) lines.push(line);
      line = "pcpu-alloc: ";
    }
    if (unit % ai.upa === 0) line += "[0] ";
    line += unit < nrCpus ? `${String(unit).padStart(cpuWidth, "0")} ` : `${"-".repeat(cpuWidth)} `;
  }
  if (line) lines.push(line);
  return lines;
}
function percpu_alloc_map_param(value, printk) {
  if (value === void 0 || value === "bitmap") return "bitmap";
  if (value === "area") return "area";
  printk(`percpu_alloc_map=${value}: unknown (bitmap or area); using bitmap`);
  return "bitmap";
}
var Percpu = class {
  constructor(k, ai, kind, basePa, offsets) {
    this.k = k;
    this.ai = ai;
    this.kind = kind;
    this.basePa = basePa;
    this.offsets = offsets;
    this.stats = new PcpuGlobalStats(ai.unit_size);
    const printk = k.printk;
    const make = kind === "bitmap" ? BitmapChunk : AreaChunk;
    const region = (from, size2, reserved) => {
      const start = from % PAGE_SIZE;
      const bytes2 = pfnAlign(start + size2);
      const c = make.create({
        nr_pages: bytes2 / PAGE_SIZE,
        meta: this.meta,
        printk,
        unit_size: ai.unit_size,
        start_offset: start,
        end_offset: bytes2 - (start + size2),
        populated: true,
        reserved,
        emptyPages: this.emptyPages
      });
      if (!c) throw new Error("percpu: no memory for the first chunk's metadata");
      return c;
    };
    this.reserved = region(ai.static_size, ai.reserved_size, true);
    this.first = region(ai.static_size + ai.reserved_size, ai.dyn_size, false);
    this.set = new PcpuChunkSet({
      unit_size: ai.unit_size,
      printk,
      emptyPages: this.emptyPages,
      stats: this.stats,
      reserved: this.reserved,
      create: () => this.pcpu_create_chunk(make),
      populate: (c, rs, re) => this.pcpu_populate_chunk(c, rs, re),
      depopulate: (c, rs, re) => this.pcpu_depopulate_chunk(c, rs, re),
      release: (c) => this.pcpu_destroy_chunk(c)
    });
    this.set.add(this.first);
    pcpu_stats_chunk_alloc(this.stats);
  }
  k;
  ai;
  kind;
  basePa;
  offsets;
  stats;
  set;
  emptyPages = new PcpuEmptyPages();
  meta = new HostMetaAllocator();
  reserved;
  first;
  /** The vmalloc range of each chunk after the first (its unit 0). */
  vmBase = /* @__PURE__ */ new Map();
  /** pcpu_balance_work. */
  balanceWork = new WorkStruct(() => this.pcpu_balance_workfn(), "pcpu_balance_work");
  /** Times the balance work has run. */
  balanceRuns = 0;
  /** Is the balance work queued or running? */
  get balancePending() {
    return this.balanceWork.pending || this.balanceWork.running;
  }
  /** Chunks made from vmalloc that exist now. */
  get vmChunks() {
    return this.vmBase.size;
  }
  /* ---- chunks after the first: the vm allocator ------------------------------ */
  /** pcpu_create_chunk: an unpopulated chunk over a fresh vmalloc range for every unit. */
  pcpu_create_chunk(make) {
    const bytes2 = this.ai.nr_units * this.ai.unit_size;
    const base = this.k.mm.vmalloc.get_vm_area_only(bytes2, "pcpu_get_vm_areas");
    if (base === 0n) return null;
    const c = make.create({ nr_pages: this.ai.unit_size / PAGE_SIZE, meta: this.meta, printk: this.k.printk, unit_size: this.ai.unit_size, emptyPages: this.emptyPages });
    if (!c) {
      this.k.mm.vmalloc.free_vm_area(base);
      return null;
    }
    this.vmBase.set(c, base);
    return c;
  }
  pageVa(c, unit, page) {
    return this.vmBase.get(c) + BigInt(unit * this.ai.unit_size + page * PAGE_SIZE);
  }
  /** pcpu_populate_chunk: pages [rs, re) of every unit allocated and mapped; all or nothing. */
  pcpu_populate_chunk(c, rs, re) {
    const vm = this.k.mm.vmalloc;
    const mapped = [];
    for (let unit = 0; unit < this.ai.nr_units; unit++) {
      for (let page = rs; page < re; page++) {
        const va = this.pageVa(c, unit, page);
        if (!vm.map_new_page(va)) {
          for (const m of mapped) vm.unmap_free_page(m);
          return false;
        }
        mapped.push(va);
      }
    }
    return true;
  }
  /** pcpu_depopulate_chunk: pages [rs, re) of every unit unmapped and freed, then the TLBs flushed. */
  pcpu_depopulate_chunk(c, rs, re) {
    const vm = this.k.mm.vmalloc;
    for (let unit = 0; unit < this.ai.nr_units; unit++) for (let page = rs; page < re; page++) vm.unmap_free_page(this.pageVa(c, unit, page));
    this.k.flush_tlb_kernel_range(this.pageVa(c, 0, rs), this.pageVa(c, this.ai.nr_units - 1, re));
  }
  /** pcpu_destroy_chunk's vm part. */
  pcpu_destroy_chunk(c) {
    const base = this.vmBase.get(c);
    if (base === void 0) return;
    this.k.mm.vmalloc.free_vm_area(base);
    this.vmBase.delete(c);
  }
  /* ---- pointers ------------------------------------------------------------ */
  /** The address of unit 0 of a chunk's region start (pcpu_chunk_addr(chunk, 0, 0)). */
  chunkAddr(c) {
    const vm = this.vmBase.get(c);
    if (vm !== void 0) return vm;
    const inUnit = c === this.reserved ? pageDown(this.ai.static_size) : pageDown(this.ai.static_size + this.ai.reserved_size);
    return this.unit0 + BigInt(inUnit);
  }
  /** pcpu_base_addr: unit 0 of the first chunk, in the linear map. */
  get unit0() {
    return this.k.arch.linear.va(this.basePa);
  }
  get perCpuStart() {
    return this.k.vaddr("__per_cpu_start");
  }
  /** __addr_to_pcpu_ptr: unit-0 address -> __percpu pointer. */
  addrToPtr(addr) {
    return BigInt.asUintN(64, addr - this.unit0 + this.perCpuStart);
  }
  /** __alloc_percpu(size, align): a zeroed __percpu pointer, or 0n (with the allocator's warning). */
  __alloc_percpu(size2, align, reserved = false) {
    const work = pcpu_work.words;
    const ptr = this.pcpu_alloc(size2, align, reserved);
    const zeroing = ptr === 0n ? 0 : Math.ceil(size2 / PCPU_COST.zeroBytesPerInsn) * this.offsets.length;
    this.k.charge(PCPU_COST.call + (pcpu_work.words - work) * PCPU_COST.word + zeroing);
    return ptr;
  }
  /** __alloc_reserved_percpu: from the reserved chunk (PERCPU_MODULE_RESERVE, modules' static per-CPU data). */
  __alloc_reserved_percpu(size2, align) {
    return this.__alloc_percpu(size2, align, true);
  }
  pcpu_alloc(size2, align, reserved) {
    const granule = this.first.min_alloc_size;
    const warning = pcpu_request_warning(pcpu_request_size(size2, granule), pcpu_request_align(align, granule));
    if (warning) {
      pcpu_warn(this.k.printk, "pcpu_alloc", warning);
      return 0n;
    }
    const r2 = reserved ? this.set.allocReserved(size2, align) : this.set.alloc(size2, align);
    if (!r2) return 0n;
    if (this.set.needPopulation()) this.pcpu_schedule_balance_work();
    const ptr = this.addrToPtr(this.chunkAddr(r2.chunk) + BigInt(r2.off));
    const zero = new Uint8Array(size2);
    for (let cpu = 0; cpu < this.offsets.length; cpu++) this.k.arch.kmem.write(this.per_cpu_ptr(ptr, cpu), zero);
    return ptr;
  }
  /** free_percpu(ptr): the chunk is found by address, as pcpu_chunk_addr_search does. */
  free_percpu(ptr) {
    if (ptr === 0n) return;
    const work = pcpu_work.words;
    this.pcpu_free(ptr);
    this.k.charge(PCPU_COST.call + (pcpu_work.words - work) * PCPU_COST.word);
  }
  pcpu_free(ptr) {
    const chunk = this.chunkOf(BigInt.asUintN(64, ptr - this.perCpuStart + this.unit0));
    if (!chunk) return void this.k.printk(`percpu: free_percpu of 0x${ptr.toString(16)}, which no chunk holds`);
    if (this.set.free(chunk.c, chunk.off) && this.set.needBalance(chunk.c)) this.pcpu_schedule_balance_work();
  }
  /** pcpu_schedule_balance_work: on the system workqueue, from the CPU the caller runs on. */
  pcpu_schedule_balance_work() {
    if (this.k.this_cpu.active) schedule_work(this.k, this.balanceWork);
  }
  /** pcpu_balance_workfn: empty chunks but one destroyed, empty populated pages topped up. */
  pcpu_balance_workfn() {
    const work = pcpu_work.words;
    this.balanceRuns++;
    this.set.pcpu_balance_free();
    this.set.pcpu_balance_populated();
    this.k.charge(PCPU_COST.call + (pcpu_work.words - work) * PCPU_COST.word);
  }
  /** The chunk serving a unit-0 address, and the offset in it. */
  chunkOf(addr) {
    const { static_size: s, reserved_size: r2, dyn_size: d } = this.ai;
    const inUnit = Number(addr - this.unit0);
    if (addr >= this.unit0 && inUnit >= s && inUnit < s + r2 + d) {
      const c = inUnit < s + r2 ? this.reserved : this.first;
      return { c, off: Number(addr - this.chunkAddr(c)) };
    }
    for (const [c, base] of this.vmBase) if (addr >= base && addr < base + BigInt(this.ai.unit_size)) return { c, off: Number(addr - base) };
    return void 0;
  }
  /** per_cpu_ptr(ptr, cpu). */
  per_cpu_ptr(ptr, cpu) {
    return BigInt.asUintN(64, ptr + this.offsets[cpu]);
  }
  /** Int32 view of every unit of the first chunk (one memblock allocation, physically contiguous). */
  words_;
  /**
   * Every CPU's copy of the `bytes`-long object at `ptr` (a __percpu
   * pointer into the first chunk: a static variable or an early
   * alloc_percpu), as one typed view for TypeScript's fast paths.
   */
  first_chunk_words(ptr, bytes2) {
    const { static_size: s, reserved_size: r2, dyn_size: d, nr_units, unit_size } = this.ai;
    const off = Number(BigInt.asIntN(64, ptr - this.perCpuStart));
    if (!(off >= 0 && off + bytes2 <= s + r2 + d && off % 4 === 0))
      throw new RangeError(`percpu: 0x${ptr.toString(16)} (+${bytes2}) is not a word-aligned object of the first chunk`);
    this.words_ ??= this.k.machine.ram.view(Int32Array, this.basePa, nr_units * unit_size / 4, 4);
    return { w: this.words_, at: off / 4, stride: unit_size / 4, ptr };
  }
  /** Where early boot code keeps per-CPU objects: the image's static variables, alloc_percpu in the first chunk. */
  place() {
    return {
      static_var: (name) => {
        const v = STATIC_PERCPU_VARS.find((x) => x.name === name);
        if (!v) throw new RangeError(`percpu: no static per-CPU variable ${name}`);
        return this.first_chunk_words(this.k.vaddr(name), v.size);
      },
      alloc: (bytes2, align) => {
        const p = this.__alloc_percpu(bytes2, align);
        if (p === 0n) throw new Error(`percpu: no room for an early ${bytes2}-byte per-CPU object`);
        return this.first_chunk_words(p, bytes2);
      }
    };
  }
  /** /sys/kernel/debug/percpu_stats. */
  percpu_stats() {
    return percpu_stats_show({ alloc_map: this.kind, ai: this.ai, stats: this.stats, empty_pop_pages: this.emptyPages.value, reserved: this.reserved, first: this.first, slots: this.set.bySlot() });
  }
};
var pageDown = (x) => Math.floor(x / PAGE_SIZE) * PAGE_SIZE;
function setup_per_cpu_areas(k, kind) {
  const ram = k.machine.ram;
  const nrCpus = k.machine.cores.length;
  const start = Number(k.syms.offset("__per_cpu_start"));
  const staticSize = Number(k.syms.offset("__per_cpu_end")) - start;
  const ai = pcpu_build_alloc_info(staticSize, PERCPU_MODULE_RESERVE, PERCPU_DYNAMIC_RESERVE, PAGE_SIZE, nrCpus);
  for (const line of percpu_boot_lines(ai, nrCpus)) k.printk(line);
  const { memblock, linear } = k.arch;
  const base = memblock.memblock_alloc(ai.nr_units * ai.unit_size, ai.atom_size);
  ram.fill(base, ai.nr_units * ai.unit_size, 0);
  const image = ram.read(k.textPa + start, staticSize);
  const cpuNumber = Number(k.syms.offset("cpu_number")) - start;
  const offsetsAt = k.textPa + Number(k.syms.offset("__per_cpu_offset"));
  const offsets = [];
  for (let cpu = 0; cpu < nrCpus; cpu++) {
    const unit = base + cpu * ai.unit_size;
    ram.write(unit, image);
    ram.setU32(unit + cpuNumber, cpu);
    const offset = BigInt.asUintN(64, linear.va(unit) - (KIMAGE_VADDR + BigInt(start)));
    ram.setU64(offsetsAt + 8 * cpu, offset);
    offsets.push(offset);
  }
  return new Percpu(k, ai, kind, base, offsets);
}

// kernel-model/lib/rbtree_augmented.ts
function rb_declare_callbacks(field2) {
  const { get, set, compute } = field2;
  return {
    propagate(node, stop) {
      while (node !== stop && node !== null) {
        const value = compute(node);
        if (get(node) === value) break;
        set(node, value);
        node = node.rb_parent;
      }
    },
    copy(oldNode, newNode) {
      set(newNode, get(oldNode));
    },
    rotate(oldNode, newNode) {
      set(newNode, get(oldNode));
      set(oldNode, compute(oldNode));
    }
  };
}
function rb_declare_callbacks_max(get, set, scalar) {
  const compute = (node) => {
    let max = scalar(node);
    const l = node.rb_left;
    const r2 = node.rb_right;
    if (l && get(l) > max) max = get(l);
    if (r2 && get(r2) > max) max = get(r2);
    return max;
  };
  return { callbacks: rb_declare_callbacks({ get, set, compute }), compute };
}

// kernel-model/lib/list.ts
var IntrusiveList = class {
  first = null;
  last = null;
  length = 0;
  /** Insert `node` right after `prev`; prev null puts it at the head. */
  add_after(node, prev) {
    const next = prev ? prev.list_next : this.first;
    node.list_prev = prev;
    node.list_next = next;
    if (prev) prev.list_next = node;
    else this.first = node;
    if (next) next.list_prev = node;
    else this.last = node;
    this.length++;
  }
  /** Insert `node` right before `next`; next null puts it at the tail. */
  add_before(node, next) {
    this.add_after(node, next ? next.list_prev : this.last);
  }
  del(node) {
    const { list_prev: prev, list_next: next } = node;
    if (prev) prev.list_next = next;
    else this.first = next;
    if (next) next.list_prev = prev;
    else this.last = prev;
    node.list_prev = node.list_next = null;
    this.length--;
  }
  *[Symbol.iterator]() {
    for (let n = this.first; n; n = n.list_next) yield n;
  }
};

// kernel-model/lib/rbtree.ts
var RB_RED = 0;
var RB_BLACK = 1;
var RbNode = class {
  rb_parent = null;
  rb_left = null;
  rb_right = null;
  rb_color = RB_RED;
  /** RB_CLEAR_NODE: the node is in no tree (Linux points the parent at the node itself). */
  rb_linked = false;
};
var RbRoot = class {
  rb_node = null;
};
function rb_no_augment() {
  return { propagate: () => {
  }, copy: () => {
  }, rotate: () => {
  } };
}
var isRed = (n) => n !== null && n.rb_color === RB_RED;
var isBlack = (n) => n === null || n.rb_color === RB_BLACK;
function rb_link_node(root, node, parent, left) {
  node.rb_parent = parent;
  node.rb_left = node.rb_right = null;
  node.rb_color = RB_RED;
  node.rb_linked = true;
  if (parent === null) root.rb_node = node;
  else if (left) parent.rb_left = node;
  else parent.rb_right = node;
}
function change_child(oldNode, newNode, parent, root) {
  if (parent === null) root.rb_node = newNode;
  else if (parent.rb_left === oldNode) parent.rb_left = newNode;
  else parent.rb_right = newNode;
}
function rotate_set_parents(oldNode, newNode, root, color) {
  const parent = oldNode.rb_parent;
  newNode.rb_parent = parent;
  newNode.rb_color = oldNode.rb_color;
  oldNode.rb_parent = newNode;
  oldNode.rb_color = color;
  change_child(oldNode, newNode, parent, root);
}
function rb_insert(node, root, rotate) {
  let parent = node.rb_parent;
  for (; ; ) {
    if (parent === null) {
      node.rb_color = RB_BLACK;
      return;
    }
    if (parent.rb_color === RB_BLACK) return;
    const gparent = parent.rb_parent;
    if (parent !== gparent.rb_right) {
      const uncle = gparent.rb_right;
      if (isRed(uncle)) {
        uncle.rb_color = RB_BLACK;
        parent.rb_color = RB_BLACK;
        gparent.rb_color = RB_RED;
        node = gparent;
        parent = node.rb_parent;
        continue;
      }
      let tmp = parent.rb_right;
      if (node === tmp) {
        tmp = node.rb_left;
        parent.rb_right = tmp;
        node.rb_left = parent;
        if (tmp) tmp.rb_parent = parent;
        parent.rb_parent = node;
        rotate(parent, node);
        parent = node;
        tmp = node.rb_right;
      }
      gparent.rb_left = tmp;
      parent.rb_right = gparent;
      if (tmp) tmp.rb_parent = gparent;
      rotate_set_parents(gparent, parent, root, RB_RED);
      rotate(gparent, parent);
      return;
    } else {
      const uncle = gparent.rb_left;
      if (isRed(uncle)) {
        uncle.rb_color = RB_BLACK;
        parent.rb_color = RB_BLACK;
        gparent.rb_color = RB_RED;
        node = gparent;
        parent = node.rb_parent;
        continue;
      }
      let tmp = parent.rb_left;
      if (node === tmp) {
        tmp = node.rb_right;
        parent.rb_left = tmp;
        node.rb_right = parent;
        if (tmp) tmp.rb_parent = parent;
        parent.rb_parent = node;
        rotate(parent, node);
        parent = node;
        tmp = node.rb_left;
      }
      gparent.rb_right = tmp;
      parent.rb_left = gparent;
      if (tmp) tmp.rb_parent = gparent;
      rotate_set_parents(gparent, parent, root, RB_RED);
      rotate(gparent, parent);
      return;
    }
  }
}
function erase_augmented(node, root, augment) {
  const child = node.rb_right;
  let tmp = node.rb_left;
  let parent;
  let rebalance;
  if (tmp === null) {
    parent = node.rb_parent;
    change_child(node, child, parent, root);
    if (child) {
      child.rb_parent = parent;
      child.rb_color = node.rb_color;
      rebalance = null;
    } else {
      rebalance = node.rb_color === RB_BLACK ? parent : null;
    }
    tmp = parent;
  } else if (child === null) {
    parent = node.rb_parent;
    tmp.rb_parent = parent;
    tmp.rb_color = node.rb_color;
    change_child(node, tmp, parent, root);
    rebalance = null;
    tmp = parent;
  } else {
    let successor = child;
    let child2;
    tmp = child.rb_left;
    if (tmp === null) {
      parent = successor;
      child2 = successor.rb_right;
      augment.copy(node, successor);
    } else {
      do {
        parent = successor;
        successor = tmp;
        tmp = tmp.rb_left;
      } while (tmp);
      child2 = successor.rb_right;
      parent.rb_left = child2;
      successor.rb_right = child;
      child.rb_parent = successor;
      augment.copy(node, successor);
      augment.propagate(parent, successor);
    }
    const left = node.rb_left;
    successor.rb_left = left;
    left.rb_parent = successor;
    change_child(node, successor, node.rb_parent, root);
    if (child2) {
      child2.rb_parent = parent;
      child2.rb_color = RB_BLACK;
      rebalance = null;
    } else {
      rebalance = successor.rb_color === RB_BLACK ? parent : null;
    }
    successor.rb_parent = node.rb_parent;
    successor.rb_color = node.rb_color;
    tmp = successor;
  }
  augment.propagate(tmp, null);
  return rebalance;
}
function erase_color(parentIn, root, rotate) {
  let parent = parentIn;
  let node = null;
  for (; ; ) {
    let sibling = parent.rb_right;
    if (node !== sibling) {
      let sib = sibling;
      if (sib.rb_color === RB_RED) {
        const tmp12 = sib.rb_left;
        parent.rb_right = tmp12;
        sib.rb_left = parent;
        tmp12.rb_parent = parent;
        tmp12.rb_color = RB_BLACK;
        rotate_set_parents(parent, sib, root, RB_RED);
        rotate(parent, sib);
        sib = tmp12;
      }
      let tmp1 = sib.rb_right;
      if (isBlack(tmp1)) {
        const tmp2 = sib.rb_left;
        if (isBlack(tmp2)) {
          sib.rb_color = RB_RED;
          if (parent.rb_color === RB_RED) {
            parent.rb_color = RB_BLACK;
          } else {
            node = parent;
            const up = node.rb_parent;
            if (up) {
              parent = up;
              continue;
            }
          }
          return;
        }
        const t22 = tmp2;
        tmp1 = t22.rb_right;
        sib.rb_left = tmp1;
        t22.rb_right = sib;
        parent.rb_right = t22;
        if (tmp1) {
          tmp1.rb_parent = sib;
          tmp1.rb_color = RB_BLACK;
        }
        rotate(sib, t22);
        tmp1 = sib;
        sib = t22;
      }
      const t2 = sib.rb_left;
      parent.rb_right = t2;
      sib.rb_left = parent;
      const far = tmp1;
      far.rb_parent = sib;
      far.rb_color = RB_BLACK;
      if (t2) t2.rb_parent = parent;
      rotate_set_parents(parent, sib, root, RB_BLACK);
      rotate(parent, sib);
      return;
    } else {
      let sib = parent.rb_left;
      if (sib.rb_color === RB_RED) {
        const tmp12 = sib.rb_right;
        parent.rb_left = tmp12;
        sib.rb_right = parent;
        tmp12.rb_parent = parent;
        tmp12.rb_color = RB_BLACK;
        rotate_set_parents(parent, sib, root, RB_RED);
        rotate(parent, sib);
        sib = tmp12;
      }
      let tmp1 = sib.rb_left;
      if (isBlack(tmp1)) {
        const tmp2 = sib.rb_right;
        if (isBlack(tmp2)) {
          sib.rb_color = RB_RED;
          if (parent.rb_color === RB_RED) {
            parent.rb_color = RB_BLACK;
          } else {
            node = parent;
            const up = node.rb_parent;
            if (up) {
              parent = up;
              continue;
            }
          }
          return;
        }
        const t22 = tmp2;
        tmp1 = t22.rb_left;
        sib.rb_right = tmp1;
        t22.rb_left = sib;
        parent.rb_left = t22;
        if (tmp1) {
          tmp1.rb_parent = sib;
          tmp1.rb_color = RB_BLACK;
        }
        rotate(sib, t22);
        tmp1 = sib;
        sib = t22;
      }
      const t2 = sib.rb_right;
      parent.rb_left = t2;
      sib.rb_right = parent;
      const far = tmp1;
      far.rb_parent = sib;
      far.rb_color = RB_BLACK;
      if (t2) t2.rb_parent = parent;
      rotate_set_parents(parent, sib, root, RB_BLACK);
      rotate(parent, sib);
      return;
    }
  }
}
var noRotate = () => {
};
function rb_insert_color(node, root) {
  rb_insert(node, root, noRotate);
}
function rb_insert_augmented(node, root, augment) {
  rb_insert(node, root, augment.rotate);
}
function clear_node(node) {
  node.rb_parent = node.rb_left = node.rb_right = null;
  node.rb_linked = false;
}
function rb_erase(node, root) {
  rb_erase_augmented(node, root, rb_no_augment());
}
function rb_erase_augmented(node, root, augment) {
  const rebalance = erase_augmented(node, root, augment);
  if (rebalance) erase_color(rebalance, root, augment.rotate);
  clear_node(node);
}
function rb_prev(node) {
  if (node.rb_left) {
    let n2 = node.rb_left;
    while (n2.rb_right) n2 = n2.rb_right;
    return n2;
  }
  let n = node;
  let parent = n.rb_parent;
  while (parent && n === parent.rb_left) {
    n = parent;
    parent = n.rb_parent;
  }
  return parent;
}

// kernel-model/mm/vmalloc/vmap_area.ts
var PAGE_SHIFT2 = BigInt(PAGE_SHIFT);
var PAGE_SIZE2 = 1n << PAGE_SHIFT2;
var ULONG_MAX = (1n << 64n) - 1n;
var VM_VM_AREA = 4;
var VM_LAZY_FREE = 2;
var SIZEOF_VMAP_AREA_V5_10 = 64;
var SIZEOF_VMAP_AREA_V4_19 = 96;
var VmapArea = class extends RbNode {
  va_start = 0n;
  va_end = 0n;
  /** In the free tree: the largest free size in this node's subtree. */
  subtree_max_size = 0n;
  flags = 0;
  /** Who asked for the area (vmallocinfo's caller field, later). */
  caller = "";
  list_prev = null;
  list_next = null;
};
var va_size = (va) => va.va_end - va.va_start;
function ALIGN(x, align) {
  if (align === 1n) return x;
  const mask = align - 1n;
  return x + mask & ~mask & ULONG_MAX;
}
var wraps = (addr, size2) => addr + size2 > ULONG_MAX;
var is_power_of_22 = (x) => x > 0n && (x & x - 1n) === 0n;
var px = (addr) => addr.toString(16).padStart(16, "0");
var CountingVmapAreaCache = class {
  /**
   * @param objsize  bytes per node (SIZEOF_VMAP_AREA_*)
   * @param shouldFail  fault injection: asked before each allocation
   */
  constructor(objsize, shouldFail = () => false) {
    this.objsize = objsize;
    this.shouldFail = shouldFail;
  }
  objsize;
  shouldFail;
  active = 0;
  /** Total allocations ever (for benchmarks and leak hunting). */
  allocs = 0;
  get bytes() {
    return this.active * this.objsize;
  }
  alloc() {
    if (this.shouldFail()) return null;
    this.active++;
    this.allocs++;
    return new VmapArea();
  }
  free(va) {
    if (va.rb_linked || va.list_prev || va.list_next) throw new Error("vmap_area: freeing a node still linked in a tree or list");
    this.active--;
  }
};

// kernel-model/mm/vmalloc/va_tree.ts
var VaTree = class {
  /** The augment callbacks of a free tree; undefined for a plain (busy) tree. */
  constructor(augment) {
    this.augment = augment;
  }
  augment;
  root = new RbRoot();
  list = new IntrusiveList();
  get count() {
    return this.list.length;
  }
};
function find_va_links(va, tree, from = null) {
  const top = from ?? tree.root.rb_node;
  if (!top) return { parent: null, left: false };
  let node = top;
  for (; ; ) {
    let left;
    if (va.va_end <= node.va_start) left = true;
    else if (va.va_start >= node.va_end) left = false;
    else throw new Error(`vmap_area: [${px(va.va_start)}, ${px(va.va_end)}) overlaps [${px(node.va_start)}, ${px(node.va_end)}) (BUG in find_va_links)`);
    const next = left ? node.rb_left : node.rb_right;
    if (!next) return { parent: node, left };
    node = next;
  }
}
function find_va_siblings(tree, link) {
  const { parent, left } = link;
  if (!parent) return { prev: null, next: null };
  return left ? { prev: parent.list_prev, next: parent } : { prev: parent, next: parent.list_next };
}
function link_va(va, tree, link) {
  const { prev } = find_va_siblings(tree, link);
  rb_link_node(tree.root, va, link.parent, link.left);
  if (tree.augment) {
    rb_insert_augmented(va, tree.root, tree.augment);
    va.subtree_max_size = 0n;
  } else {
    rb_insert_color(va, tree.root);
  }
  tree.list.add_after(va, prev);
}
function unlink_va(va, tree) {
  if (!va.rb_linked) return;
  if (tree.augment) rb_erase_augmented(va, tree.root, tree.augment);
  else rb_erase(va, tree.root);
  tree.list.del(va);
}
function insert_vmap_area(va, tree) {
  link_va(va, tree, find_va_links(va, tree));
}
function find_va(tree, addr) {
  let n = tree.root.rb_node;
  while (n) {
    if (addr < n.va_start) n = n.rb_left;
    else if (addr >= n.va_end) n = n.rb_right;
    else return n;
  }
  return null;
}

// kernel-model/mm/vmalloc/augment.ts
var { callbacks: free_vmap_area_rb_augment_cb, compute: compute_subtree_max_size } = rb_declare_callbacks_max(
  (va) => va.subtree_max_size,
  (va, v) => {
    va.subtree_max_size = v;
  },
  va_size
);
var get_subtree_max_size = (va) => va ? va.subtree_max_size : 0n;
var AugmentVmapAllocator = class {
  constructor(cache, space, nrCpus = 1) {
    this.cache = cache;
    this.space = space;
    this.ne_fit_preload_node = new Array(nrCpus).fill(null);
  }
  cache;
  space;
  kind = "augment";
  busy = new VaTree();
  free = new VaTree(free_vmap_area_rb_augment_cb);
  /** One spare node per CPU for NE splits (Linux's per-CPU ne_fit_preload_node). */
  ne_fit_preload_node;
  /** How each allocation split its block, for tests and statistics. */
  fitCounts = [0, 0, 0, 0, 0];
  /** Tree nodes the fit search has visited (VmapBackend.visited). */
  visited = 0;
  /** vmalloc_init: import the early busy areas, then lay the free space around them (vmap_init_free_space). */
  init(early) {
    for (const va of early) insert_vmap_area(va, this.busy);
    let start = this.space.start;
    for (const busy of this.busy.list) {
      if (busy.va_start > start) this.insert_free(start, busy.va_start);
      start = busy.va_end;
    }
    if (this.space.end > start) this.insert_free(start, this.space.end);
  }
  insert_free(start, end) {
    const va = this.cache.alloc();
    if (!va) throw new Error("vmalloc_init: no memory for the free vmap areas");
    va.va_start = start;
    va.va_end = end;
    link_va(va, this.free, find_va_links(va, this.free));
    this.augment_tree_propagate_from(va);
  }
  augment_tree_propagate_from(va) {
    free_vmap_area_rb_augment_cb.propagate(va, null);
  }
  preload(cpu) {
    if (this.ne_fit_preload_node[cpu]) return;
    this.ne_fit_preload_node[cpu] = this.cache.alloc();
  }
  /**
   * Put a freed range back into the free space (Linux
   * merge_or_add_vmap_area), merging with touching neighbours. Returns
   * the free area that now holds the range.
   */
  merge_or_add_vmap_area(va) {
    const link = find_va_links(va, this.free);
    const { prev, next } = find_va_siblings(this.free, link);
    let merged = false;
    if (next && next.va_start === va.va_end) {
      next.va_start = va.va_start;
      this.cache.free(va);
      va = next;
      merged = true;
    }
    if (prev && prev.va_end === va.va_start) {
      if (merged) unlink_va(va, this.free);
      prev.va_end = va.va_end;
      this.cache.free(va);
      va = prev;
      merged = true;
    }
    if (!merged) link_va(va, this.free, link);
    this.augment_tree_propagate_from(va);
    return va;
  }
  /** The lowest free area that can hold the request (Linux find_vmap_lowest_match, v5.10). */
  find_vmap_lowest_match(size2, align, vstart) {
    const length = size2 + align - 1n;
    let node = this.free.root.rb_node;
    while (node) {
      this.visited++;
      if (get_subtree_max_size(node.rb_left) >= length && vstart < node.va_start) {
        node = node.rb_left;
        continue;
      }
      if (is_within_this_va(node, size2, align, vstart)) return node;
      if (get_subtree_max_size(node.rb_right) >= length) {
        node = node.rb_right;
        continue;
      }
      let found = null;
      while (node = node.rb_parent) {
        this.visited++;
        if (is_within_this_va(node, size2, align, vstart)) return node;
        if (get_subtree_max_size(node.rb_right) >= length && vstart <= node.va_start) {
          found = node.rb_right;
          break;
        }
      }
      node = found;
    }
    return null;
  }
  /** Carve [nva_start_addr, +size) out of free area `va` (Linux adjust_va_to_fit_type). */
  adjust_va_to_fit_type(va, nva_start_addr, size2, type, cpu) {
    let lva = null;
    switch (type) {
      case 1 /* FL_FIT_TYPE */:
        unlink_va(va, this.free);
        this.cache.free(va);
        return true;
      case 2 /* LE_FIT_TYPE */:
        va.va_start += size2;
        break;
      case 3 /* RE_FIT_TYPE */:
        va.va_end = nva_start_addr;
        break;
      case 4 /* NE_FIT_TYPE */:
        lva = this.ne_fit_preload_node[cpu] ?? null;
        this.ne_fit_preload_node[cpu] = null;
        lva ??= this.cache.alloc();
        if (!lva) return false;
        lva.va_start = va.va_start;
        lva.va_end = nva_start_addr;
        va.va_start = nva_start_addr + size2;
        break;
      default:
        return false;
    }
    this.augment_tree_propagate_from(va);
    if (lva) {
      link_va(lva, this.free, find_va_links(lva, this.free, va));
      this.augment_tree_propagate_from(lva);
    }
    return true;
  }
  /** Linux __alloc_vmap_area: the start of the carved range, or null. */
  __alloc_vmap_area(size2, align, vstart, vend, cpu) {
    const va = this.find_vmap_lowest_match(size2, align, vstart);
    if (!va) return null;
    const nva_start_addr = ALIGN(va.va_start > vstart ? va.va_start : vstart, align);
    if (nva_start_addr + size2 > vend) return null;
    const type = classify_va_fit_type(va, nva_start_addr, size2);
    if (type === 0 /* NOTHING_FIT */) throw new Error("vmap: lowest match does not fit the request");
    if (!this.adjust_va_to_fit_type(va, nva_start_addr, size2, type, cpu)) return null;
    this.fitCounts[type]++;
    return nva_start_addr;
  }
  alloc_busy(va, size2, align, vstart, vend, cpu) {
    const addr = this.__alloc_vmap_area(size2, align, vstart, vend, cpu);
    if (addr === null) return false;
    va.va_start = addr;
    va.va_end = addr + size2;
    insert_vmap_area(va, this.busy);
    return true;
  }
  /** __free_vmap_area: the busy area leaves the busy tree and its range merges into the free space. */
  free_busy(va) {
    unlink_va(va, this.busy);
    va.flags = 0;
    this.merge_or_add_vmap_area(va);
  }
  nodes() {
    return this.busy.count + this.free.count + this.ne_fit_preload_node.filter(Boolean).length;
  }
};
function is_within_this_va(va, size2, align, vstart) {
  const nva_start_addr = ALIGN(va.va_start > vstart ? va.va_start : vstart, align);
  if (wraps(nva_start_addr, size2) || nva_start_addr < vstart) return false;
  return nva_start_addr + size2 <= va.va_end;
}
function classify_va_fit_type(va, nva_start_addr, size2) {
  if (nva_start_addr < va.va_start || nva_start_addr + size2 > va.va_end) return 0 /* NOTHING_FIT */;
  if (va.va_start === nva_start_addr) return va.va_end === nva_start_addr + size2 ? 1 /* FL_FIT_TYPE */ : 2 /* LE_FIT_TYPE */;
  if (va.va_end === nva_start_addr + size2) return 3 /* RE_FIT_TYPE */;
  return 4 /* NE_FIT_TYPE */;
}

// kernel-model/mm/vmalloc/lazy.ts
var fls2 = (x) => x === 0 ? 0 : 32 - Math.clz32(x);
function lazy_max_pages(nrOnlineCpus) {
  return fls2(nrOnlineCpus) * (32 * 1024 * 1024 >> Number(PAGE_SHIFT2));
}
var VmapLazyPurge = class {
  constructor(lazyMaxPages, flush_tlb_kernel_range) {
    this.lazyMaxPages = lazyMaxPages;
    this.flush_tlb_kernel_range = flush_tlb_kernel_range;
  }
  lazyMaxPages;
  flush_tlb_kernel_range;
  /** Pages of lazily freed areas not yet purged (Linux vmap_lazy_nr). */
  vmap_lazy_nr = 0;
  vmap_purge_list = [];
  /** Purges done, and areas they released (statistics). */
  purges = 0;
  purged = 0;
  /** Queue a busy area for the purge. True when vmap_lazy_nr is over the threshold: purge now. */
  free_vmap_area_noflush(va) {
    va.flags = VM_LAZY_FREE;
    this.vmap_lazy_nr += Number(va.va_end - va.va_start >> PAGE_SHIFT2);
    this.vmap_purge_list.push(va);
    return this.vmap_lazy_nr > this.lazyMaxPages;
  }
  /** Purge the whole list as one batch; false when it was empty. */
  __purge_vmap_area_lazy(backend2, start = ULONG_MAX, end = 0n) {
    const batch = this.vmap_purge_list.splice(0);
    if (batch.length === 0) return false;
    for (const va of batch) {
      if (va.va_start < start) start = va.va_start;
      if (va.va_end > end) end = va.va_end;
    }
    this.flush_tlb_kernel_range(start, end);
    for (const va of batch) {
      const nr = Number(va.va_end - va.va_start >> PAGE_SHIFT2);
      backend2.free_busy(va);
      this.vmap_lazy_nr -= nr;
    }
    this.purges++;
    this.purged += batch.length;
    return true;
  }
};

// kernel-model/mm/vmalloc/list.ts
var ListVmapAllocator = class {
  constructor(cache, space) {
    this.cache = cache;
    this.space = space;
  }
  cache;
  space;
  kind = "list";
  busy = new VaTree();
  free_vmap_cache = null;
  cached_hole_size = 0n;
  cached_vstart = 0n;
  cached_align = 0n;
  /** Busy areas stepped over by the hole searches (the O(N) part), for benchmarks and tests. */
  walked = 0;
  /** Nodes the fit search has visited (VmapBackend.visited): the busy areas walked. */
  get visited() {
    return this.walked;
  }
  init(early) {
    for (const va of early) insert_vmap_area(va, this.busy);
  }
  preload(_cpu) {
  }
  /** The lowest busy area ending at or after addr; stops at one that contains addr. */
  first_at_or_after(addr) {
    let n = this.busy.root.rb_node;
    let first = null;
    while (n) {
      if (n.va_end >= addr) {
        first = n;
        if (n.va_start <= addr) break;
        n = n.rb_left;
      } else {
        n = n.rb_right;
      }
    }
    return first;
  }
  /** The hole search of alloc_vmap_area before v5.2; null on overflow. */
  find_hole(size2, align, vstart, vend) {
    const cached = this.free_vmap_cache;
    let useCache = cached !== null && !(size2 < this.cached_hole_size || vstart < this.cached_vstart || align < this.cached_align);
    let addr = 0n;
    if (useCache) {
      addr = ALIGN(cached.va_end, align);
      if (addr < vstart) useCache = false;
    }
    if (!useCache) {
      this.cached_hole_size = 0n;
      this.free_vmap_cache = null;
    }
    this.cached_vstart = vstart;
    this.cached_align = align;
    let first;
    if (useCache) {
      first = cached;
      if (wraps(addr, size2)) return null;
    } else {
      addr = ALIGN(vstart, align);
      if (wraps(addr, size2)) return null;
      first = this.first_at_or_after(addr);
    }
    while (first && addr + size2 > first.va_start && addr + size2 <= vend) {
      this.walked++;
      if (addr + this.cached_hole_size < first.va_start) this.cached_hole_size = first.va_start - addr;
      addr = ALIGN(first.va_end, align);
      if (wraps(addr, size2)) return null;
      first = first.list_next;
    }
    if (addr + size2 > vend || addr < vstart) return null;
    return addr;
  }
  alloc_busy(va, size2, align, vstart, vend, _cpu) {
    const addr = this.find_hole(size2, align, vstart, vend);
    if (addr === null) return false;
    va.va_start = addr;
    va.va_end = addr + size2;
    insert_vmap_area(va, this.busy);
    this.free_vmap_cache = va;
    return true;
  }
  free_busy(va) {
    const cached = this.free_vmap_cache;
    if (cached) {
      if (va.va_end < this.cached_vstart) this.free_vmap_cache = null;
      else if (va.va_start <= cached.va_start) this.free_vmap_cache = rb_prev(va);
    }
    unlink_va(va, this.busy);
    va.flags = 0;
    this.cache.free(va);
  }
  nodes() {
    return this.busy.count;
  }
};

// kernel-model/mm/vmalloc/vmap.ts
var Vmap = class {
  constructor(backend2, opts = {}) {
    this.backend = backend2;
    this.kind = backend2.kind;
    this.printk = opts.printk ?? (() => {
    });
    const nrCpus = opts.nrCpus ?? 1;
    this.lazy = new VmapLazyPurge(opts.lazyMaxPages ?? lazy_max_pages(nrCpus), opts.flush_tlb_kernel_range ?? (() => {
    }));
    backend2.init((opts.early ?? []).map((e) => this.early_area(e)));
  }
  backend;
  kind;
  lazy;
  printk;
  early_area(e) {
    const va = this.backend.cache.alloc();
    if (!va) throw new Error("vmalloc_init: no memory for the early vmap areas");
    va.va_start = e.start;
    va.va_end = e.start + e.size;
    va.flags = VM_VM_AREA;
    va.caller = e.caller ?? "";
    return va;
  }
  /** Why a request is malformed (Linux's BUG_ON checks and the space bounds), or null. */
  bad_request(size2, align, vstart, vend) {
    if (size2 <= 0n) return `size ${size2} (BUG_ON(!size))`;
    if (size2 > ULONG_MAX || align > ULONG_MAX) return "size or align does not fit in an unsigned long";
    if (size2 % PAGE_SIZE2 !== 0n) return `size 0x${size2.toString(16)} is not a multiple of PAGE_SIZE (BUG_ON(offset_in_page(size)))`;
    if (!is_power_of_22(align)) return `align 0x${align.toString(16)} is not a power of two (BUG_ON(!is_power_of_2(align)))`;
    const { start, end } = this.backend.space;
    if (vstart < start || vend > end || vstart >= vend)
      return `range [0x${px(vstart)}, 0x${px(vend)}) is empty or outside [0x${px(start)}, 0x${px(end)})`;
    return null;
  }
  alloc_vmap_area(size2, align, vstart, vend, opts = {}) {
    const why = this.bad_request(size2, align, vstart, vend);
    if (why) {
      this.printk(`vmap: alloc_vmap_area: bad request: ${why}`);
      return null;
    }
    const cpu = opts.cpu ?? 0;
    const va = this.backend.cache.alloc();
    if (!va) return null;
    for (let purged = false; ; purged = true) {
      this.backend.preload(cpu);
      if (this.backend.alloc_busy(va, size2, align, vstart, vend, cpu)) {
        va.flags = VM_VM_AREA;
        va.caller = opts.caller ?? "";
        return va;
      }
      if (purged || !this.lazy.__purge_vmap_area_lazy(this.backend)) break;
    }
    if (!opts.nowarn) this.printk(`vmap allocation for size ${size2} failed: use vmalloc=<size> to increase size`);
    this.backend.cache.free(va);
    return null;
  }
  alloc(size2, align, vstart, vend, opts) {
    return this.alloc_vmap_area(size2, align, vstart, vend, opts)?.va_start ?? null;
  }
  find_vmap_area(addr) {
    return find_va(this.backend.busy, addr);
  }
  find(addr) {
    return this.find_vmap_area(addr);
  }
  /** The live (not lazily freed) area containing addr, or null after vfree's warning. */
  live_area(addr) {
    if (addr < 0n || addr > ULONG_MAX || addr % PAGE_SIZE2 !== 0n) {
      this.printk(`Trying to vfree() bad address (${px(addr & ULONG_MAX)})`);
      return null;
    }
    const va = this.find_vmap_area(addr);
    if (!va || va.flags & VM_LAZY_FREE) {
      this.printk(`Trying to vfree() nonexistent vm area (${px(addr)})`);
      return null;
    }
    return va;
  }
  /** free_vmap_area: release the area containing addr at once (no TLB batching). */
  free(addr) {
    const va = this.live_area(addr);
    if (!va) return false;
    this.backend.free_busy(va);
    return true;
  }
  /**
   * vfree's path: queue the area for the lazy purge. Returns true when a
   * purge is due (vmap_lazy_nr > lazy_max_pages()); the caller runs
   * purge_vmap_area_lazy, inline or from a work item. False and vfree's
   * warning if addr is in no live area.
   */
  free_lazy(addr) {
    const va = this.live_area(addr);
    if (!va) return { freed: false, purgeDue: false };
    return { freed: true, purgeDue: this.lazy.free_vmap_area_noflush(va) };
  }
  purge_vmap_area_lazy() {
    return this.lazy.__purge_vmap_area_lazy(this.backend);
  }
  /** Busy areas in address order (lazily freed ones included). */
  busy_areas() {
    return this.backend.busy.list[Symbol.iterator]();
  }
};
function createVmap(opts) {
  const space = opts.space ?? { start: 1n, end: ULONG_MAX };
  const cache = opts.cache ?? new CountingVmapAreaCache(opts.kind === "augment" ? SIZEOF_VMAP_AREA_V5_10 : SIZEOF_VMAP_AREA_V4_19);
  const backend2 = opts.kind === "augment" ? new AugmentVmapAllocator(cache, space, opts.nrCpus ?? 1) : new ListVmapAllocator(cache, space);
  return new Vmap(backend2, opts);
}

// kernel-model/mm/vmalloc/vmallocinfo.ts
var VM_IOREMAP = 1;
var VM_ALLOC = 2;
var VM_MAP = 4;
var VM_USERMAP = 8;
var VM_DMA_COHERENT = 16;
var VM_NO_GUARD = 64;
var FLAG_WORDS = [
  [VM_IOREMAP, "ioremap"],
  [VM_ALLOC, "vmalloc"],
  [VM_MAP, "vmap"],
  [VM_USERMAP, "user"],
  [VM_DMA_COHERENT, "dma-coherent"]
];
var range = (start, end) => `0x${px(start)}-0x${px(end)} ${String(end - start).padStart(7)}`;
function vmallocinfo_line(e) {
  if (e.kind !== "vm_struct") return `${range(e.va_start, e.va_end)} ${e.kind === "vm_map_ram" ? "vm_map_ram" : "unpurged vm_area"}`;
  let s = range(e.addr, e.addr + e.size);
  if (e.caller) s += ` ${e.caller}`;
  if (e.nr_pages) s += ` pages=${e.nr_pages}`;
  if (e.phys_addr) s += ` phys=0x${e.phys_addr.toString(16).padStart(16, "0")}`;
  for (const [flag, word] of FLAG_WORDS) if (e.flags & flag) s += ` ${word}`;
  if (e.vpages) s += " vpages";
  return s;
}
function vmallocinfo(entries) {
  let out = "";
  for (const e of entries) out += `${vmallocinfo_line(e)}
`;
  return out;
}

// kernel-model/kern/diagnostic.ts
var KernelDiagnostic = class extends Error {
  name = "KernelDiagnostic";
};
function KASSERTMSG(cond2, expr, file2, msg) {
  if (cond2) return;
  const extra = msg ? ` ${msg()}` : "";
  throw new KernelDiagnostic(`panic: kernel diagnostic assertion "${expr}" failed: file "${file2}"${extra}`);
}
function panic(msg) {
  throw new KernelDiagnostic(`panic: ${msg}`);
}
function hex4(v) {
  return `0x${v.toString(16)}`;
}
function cannot_sleep(printf, fn, wchan) {
  printf(`${fn}: ${wchan}: out of memory and cannot sleep here (not in a kernel thread; kmem_alloc_sleep waits); failing as NOSLEEP`);
}

// kernel-model/kern/pool/subr_pool.ts
var PR_WAITOK = 1;
var PR_NOWAIT = 2;
var FILE = "subr_pool.c";
var PhList = class {
  head = null;
  size = 0;
  add(ph) {
    ph.ph_prev = null;
    ph.ph_next = this.head;
    if (this.head) this.head.ph_prev = ph;
    this.head = ph;
    this.size++;
  }
  delete(ph) {
    if (ph.ph_prev) ph.ph_prev.ph_next = ph.ph_next;
    else this.head = ph.ph_next;
    if (ph.ph_next) ph.ph_next.ph_prev = ph.ph_prev;
    ph.ph_prev = ph.ph_next = null;
    this.size--;
  }
  has(ph) {
    for (let p = this.head; p; p = p.ph_next) if (p === ph) return true;
    return false;
  }
  *[Symbol.iterator]() {
    for (let p = this.head; p; p = p.ph_next) yield p;
  }
};
var PoolPage = class {
  constructor(ph_page, ipp) {
    this.ph_page = ph_page;
    this.ph_freestack = new Int32Array(ipp);
    for (let i = 0; i < ipp; i++) this.ph_freestack[i] = ipp - 1 - i;
    this.ph_nfree = ipp;
    this.ph_isfree = new Uint8Array(ipp).fill(1);
  }
  ph_page;
  /** Items of this page that are out (allocated or cached above the pool). */
  ph_nmissing = 0;
  /** Indexes of the free items; the top of the stack is handed out first. */
  ph_freestack;
  ph_nfree;
  /** 1 where the item is free: the PR_NOTOUCH bitmap. */
  ph_isfree;
  /** Which of the pool's page lists holds the page, and the links in it. */
  ph_list = "empty";
  ph_prev = null;
  ph_next = null;
};
var POOL_MIN_ALIGN = 8;
var Pool = class {
  pr_wchan;
  pr_size;
  pr_align;
  pr_alloc;
  pr_itemsperpage;
  pr_maxidle;
  pr_printf;
  /** Every page, sorted by address. */
  pr_pages = [];
  pr_emptypages = new PhList();
  pr_partpages = new PhList();
  pr_fullpages = new PhList();
  /** Items out of the pool. */
  pr_nout = 0;
  /** Free items in the pool's pages. */
  pr_nitems = 0;
  /** Statistics, as vmstat -m prints them. */
  pr_nget = 0;
  pr_nput = 0;
  pr_nfail = 0;
  pr_npagealloc = 0;
  pr_npagefree = 0;
  pr_hiwat = 0;
  constructor(o) {
    const align = o.align || POOL_MIN_ALIGN;
    KASSERTMSG((align & align - 1) === 0, "powerof2(align)", FILE, () => `pool ${o.name} align ${align}`);
    KASSERTMSG(o.size > 0, "size > 0", FILE, () => `pool ${o.name}`);
    this.pr_wchan = o.name;
    this.pr_align = align;
    this.pr_size = Math.ceil(o.size / align) * align;
    this.pr_alloc = o.palloc;
    this.pr_itemsperpage = Math.floor(o.palloc.pa_pagesz / this.pr_size);
    KASSERTMSG(this.pr_itemsperpage > 0, "pr_itemsperpage > 0", FILE, () => `pool ${o.name}: item ${this.pr_size} > page ${o.palloc.pa_pagesz}`);
    this.pr_maxidle = o.maxidle ?? Infinity;
    this.pr_printf = o.printf ?? (() => {
    });
  }
  get pr_npages() {
    return this.pr_pages.length;
  }
  get pr_nidle() {
    return this.pr_emptypages.size;
  }
};
function pool_init(o) {
  return new Pool(o);
}
function ph_listof(pp, ph) {
  return ph.ph_list === "empty" ? pp.pr_emptypages : ph.ph_list === "part" ? pp.pr_partpages : pp.pr_fullpages;
}
function ph_relist(pp, ph) {
  const want = ph.ph_nmissing === 0 ? "empty" : ph.ph_nmissing === pp.pr_itemsperpage ? "full" : "part";
  if (want === ph.ph_list) return;
  ph_listof(pp, ph).delete(ph);
  ph.ph_list = want;
  ph_listof(pp, ph).add(ph);
}
function ph_search(pp, addr) {
  let lo = 0;
  let hi = pp.pr_pages.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = lo + hi >> 1;
    if (pp.pr_pages[mid].ph_page <= addr) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
function pr_find_pagehead(pp, v) {
  const i = ph_search(pp, v);
  if (i < 0) return void 0;
  const ph = pp.pr_pages[i];
  return v < ph.ph_page + pp.pr_itemsperpage * pp.pr_size ? ph : void 0;
}
function pool_grow(pp, flags) {
  const page = pp.pr_alloc.pa_alloc(pp, flags);
  if (page === null) return false;
  const ph = new PoolPage(page, pp.pr_itemsperpage);
  pp.pr_pages.splice(ph_search(pp, page) + 1, 0, ph);
  pp.pr_emptypages.add(ph);
  pp.pr_nitems += pp.pr_itemsperpage;
  pp.pr_npagealloc++;
  pp.pr_hiwat = Math.max(pp.pr_hiwat, pp.pr_pages.length);
  return true;
}
function pr_pagefree(pp, ph) {
  pp.pr_emptypages.delete(ph);
  pp.pr_pages.splice(ph_search(pp, ph.ph_page), 1);
  pp.pr_nitems -= pp.pr_itemsperpage;
  pp.pr_npagefree++;
  pp.pr_alloc.pa_free(pp, ph.ph_page);
}
function pool_reclaim(pp) {
  const idle = [...pp.pr_emptypages];
  for (const ph of idle) pr_pagefree(pp, ph);
  return idle.length;
}
function pr_curpage(pp) {
  return pp.pr_partpages.head ?? pp.pr_emptypages.head;
}
function pool_get(pp, flags) {
  let ph = pr_curpage(pp);
  if (!ph) {
    if (!pool_grow(pp, flags)) {
      pp.pr_nfail++;
      if (flags & PR_WAITOK) cannot_sleep(pp.pr_printf, "pool_get", pp.pr_wchan);
      return null;
    }
    ph = pr_curpage(pp);
  }
  const idx = ph.ph_freestack[--ph.ph_nfree];
  ph.ph_isfree[idx] = 0;
  ph.ph_nmissing++;
  ph_relist(pp, ph);
  pp.pr_nitems--;
  pp.pr_nout++;
  pp.pr_nget++;
  return ph.ph_page + idx * pp.pr_size;
}
function pr_item_lookup(pp, v) {
  const ph = pr_find_pagehead(pp, v);
  KASSERTMSG(ph !== void 0, "ph != NULL", FILE, () => `pool_put: [${pp.pr_wchan}] page header missing, page ${hex4(v)}`);
  const off = v - ph.ph_page;
  KASSERTMSG(off % pp.pr_size === 0, "(v - ph->ph_page) % pr_size == 0", FILE, () => `pool_put: [${pp.pr_wchan}] ${hex4(v)} is not an item start`);
  const idx = off / pp.pr_size;
  KASSERTMSG(ph.ph_isfree[idx] === 0, "(*bitmap & mask) == 0", FILE, () => `pool_put: ${pp.pr_wchan}: freeing free block ${hex4(v)}`);
  return { ph, idx };
}
function pool_put(pp, v) {
  const { ph, idx } = pr_item_lookup(pp, v);
  ph.ph_isfree[idx] = 1;
  ph.ph_freestack[ph.ph_nfree++] = idx;
  ph.ph_nmissing--;
  ph_relist(pp, ph);
  pp.pr_nitems++;
  pp.pr_nout--;
  pp.pr_nput++;
  if (ph.ph_nmissing === 0 && pp.pr_emptypages.size > pp.pr_maxidle) pr_pagefree(pp, ph);
}
function pool_destroy(pp) {
  KASSERTMSG(pp.pr_nout === 0, "pp->pr_nout == 0", FILE, () => `pool_destroy: pool busy: still out: ${pp.pr_nout}`);
  pool_reclaim(pp);
}

// kernel-model/kern/pool/pool_cache_cpu.ts
var HostPcg = class {
  constructor(pcg_size) {
    this.pcg_size = pcg_size;
    this.objects = new Float64Array(pcg_size);
  }
  pcg_size;
  pcg_avail = 0;
  objects;
  pcg_get(i) {
    return this.objects[i];
  }
  pcg_set(i, obj) {
    this.objects[i] = obj;
  }
};
var pcg_dummy = Object.freeze(new HostPcg(0));
var HostPoolCacheCpu = class {
  cc_current = pcg_dummy;
  cc_previous = pcg_dummy;
  cc_hits = 0;
  cc_misses = 0;
};
var hostPcCpuStore = (name, ctx) => {
  const cpus = Array.from({ length: ctx.ncpu }, () => new HostPoolCacheCpu());
  return {
    dummy: pcg_dummy,
    cpus,
    curcpu: () => {
      const cpu = ctx.curcpu();
      const cc = cpus[cpu];
      KASSERTMSG(cc !== void 0, "cc != NULL", "subr_pool.c", () => `pool_cache ${name}: no cache for cpu ${cpu}`);
      return cc;
    },
    pcg_alloc: (size2) => new HostPcg(size2),
    pcg_free: () => {
    },
    destroy: () => {
    }
  };
};

// kernel-model/kern/pool/pool_cache.ts
var PCG_NOBJECTS_NORMAL = 15;
var PCG_NOBJECTS_LARGE = 63;
var FILE2 = "subr_pool.c";
var PoolCache = class {
  pc_pool;
  pc_cpus;
  pc_store;
  pc_ctx;
  pc_pcgsize;
  pc_ctor;
  pc_dtor;
  pc_pcgfail;
  /** The depot, each list used as a stack (NetBSD's singly linked lists). */
  pc_fullgroups = [];
  pc_emptygroups = [];
  pc_partgroups = [];
  /** Depot exchanges that found a magazine / that had to go to the pool. */
  pc_hits = 0;
  pc_misses = 0;
  /** Magazines in existence (for leak checks: all are in a CPU or the depot). */
  pc_ngroups = 0;
  /** DEBUG's FREECHECK (kern/subr_debug.c): the objects handed out, when enabled. */
  pc_freecheck = null;
  constructor(o) {
    this.pc_pool = new Pool(o);
    this.pc_ctx = o.ctx;
    this.pc_store = (o.store ?? hostPcCpuStore)(o.name, o.ctx);
    this.pc_cpus = this.pc_store.cpus;
    this.pc_pcgsize = o.largecache ? PCG_NOBJECTS_LARGE : PCG_NOBJECTS_NORMAL;
    this.pc_ctor = o.ctor;
    this.pc_dtor = o.dtor;
    this.pc_pcgfail = o.pcgFail;
  }
  get pc_nfull() {
    return this.pc_fullgroups.length;
  }
  get pc_nempty() {
    return this.pc_emptygroups.length;
  }
  get pc_npart() {
    return this.pc_partgroups.length;
  }
};
function pool_cache_init(o) {
  return new PoolCache(o);
}
function pc_curcpu(pc) {
  return pc.pc_store.curcpu();
}
function pcg_alloc(pc) {
  if (pc.pc_pcgfail?.()) return null;
  const pcg = pc.pc_store.pcg_alloc(pc.pc_pcgsize);
  if (pcg) pc.pc_ngroups++;
  return pcg;
}
function pool_cache_destruct_object(pc, obj) {
  pc.pc_dtor?.(obj);
  pool_put(pc.pc_pool, obj);
}
function pool_cache_get_slow(pc, cc, flags) {
  cc.cc_misses++;
  const full = pc.pc_fullgroups.pop();
  if (full) {
    if (cc.cc_current !== pc.pc_store.dummy) pc.pc_emptygroups.push(cc.cc_current);
    cc.cc_current = full;
    pc.pc_hits++;
    return true;
  }
  pc.pc_misses++;
  const obj = pool_get(pc.pc_pool, flags);
  if (obj === null) return null;
  if (pc.pc_ctor && pc.pc_ctor(obj, flags) !== 0) {
    pool_put(pc.pc_pool, obj);
    return null;
  }
  return obj;
}
function pool_cache_freecheck(pc) {
  pc.pc_freecheck = /* @__PURE__ */ new Set();
}
function freecheck_out(pc, obj) {
  if (pc.pc_freecheck) {
    KASSERTMSG(!pc.pc_freecheck.has(obj), "freecheck", FILE2, () => `freecheck_out: ${hex4(obj)} already out`);
    pc.pc_freecheck.add(obj);
  }
  return obj;
}
function freecheck_in(pc, obj) {
  if (pc.pc_freecheck && !pc.pc_freecheck.delete(obj)) panic(`freecheck_in: ${hex4(obj)} not out`);
}
function pool_cache_get(pc, flags) {
  for (; ; ) {
    const cc = pc_curcpu(pc);
    const cur = cc.cc_current;
    if (cur.pcg_avail > 0) {
      cc.cc_hits++;
      const obj = cur.pcg_get(--cur.pcg_avail);
      return pc.pc_freecheck ? freecheck_out(pc, obj) : obj;
    }
    const prev = cc.cc_previous;
    if (prev.pcg_avail > 0) {
      cc.cc_previous = cur;
      cc.cc_current = prev;
      continue;
    }
    const got = pool_cache_get_slow(pc, cc, flags);
    if (got === true) continue;
    return got !== null && pc.pc_freecheck ? freecheck_out(pc, got) : got;
  }
}
function pool_cache_put_slow(pc, cc, obj) {
  cc.cc_misses++;
  const empty = pc.pc_emptygroups.pop() ?? pcg_alloc(pc);
  if (empty) {
    if (cc.cc_previous === pc.pc_store.dummy) {
      cc.cc_previous = empty;
    } else {
      if (cc.cc_current !== pc.pc_store.dummy) pc.pc_fullgroups.push(cc.cc_current);
      cc.cc_current = empty;
    }
    pc.pc_hits++;
    return true;
  }
  pc.pc_misses++;
  pool_cache_destruct_object(pc, obj);
  return false;
}
function pool_cache_put(pc, obj) {
  if (pc.pc_freecheck) freecheck_in(pc, obj);
  for (; ; ) {
    const cc = pc_curcpu(pc);
    const cur = cc.cc_current;
    if (cur.pcg_avail < cur.pcg_size) {
      cur.pcg_set(cur.pcg_avail++, obj);
      cc.cc_hits++;
      return;
    }
    const prev = cc.cc_previous;
    if (prev.pcg_avail < prev.pcg_size) {
      cc.cc_previous = cur;
      cc.cc_current = prev;
      continue;
    }
    if (!pool_cache_put_slow(pc, cc, obj)) return;
  }
}
function pc_depot_list(pc, pcg) {
  if (pcg.pcg_avail === pcg.pcg_size) return pc.pc_fullgroups;
  return pcg.pcg_avail === 0 ? pc.pc_emptygroups : pc.pc_partgroups;
}
function pool_cache_transfer(pc, cc) {
  for (const pcg of [cc.cc_current, cc.cc_previous]) if (pcg !== pc.pc_store.dummy) pc_depot_list(pc, pcg).push(pcg);
  cc.cc_current = pc.pc_store.dummy;
  cc.cc_previous = pc.pc_store.dummy;
}
function pool_cache_invalidate_groups(pc, groups) {
  for (const pcg of groups.splice(0)) {
    while (pcg.pcg_avail > 0) pool_cache_destruct_object(pc, pcg.pcg_get(--pcg.pcg_avail));
    pc.pc_store.pcg_free(pcg);
    pc.pc_ngroups--;
  }
}
function pool_cache_invalidate(pc) {
  for (const cc of pc.pc_cpus) pool_cache_transfer(pc, cc);
  pool_cache_invalidate_groups(pc, pc.pc_fullgroups);
  pool_cache_invalidate_groups(pc, pc.pc_emptygroups);
  pool_cache_invalidate_groups(pc, pc.pc_partgroups);
}
function pool_cache_destroy(pc) {
  pool_cache_invalidate(pc);
  pool_destroy(pc.pc_pool);
  pc.pc_store.destroy();
}

// kernel-model/mm/slab/slab.ts
var SLAB_HWCACHE_ALIGN = 8192;
var SLAB_RECLAIM_ACCOUNT = 131072;
var SLAB_PANIC = 262144;
var KMALLOC_MIN_SIZE = 128;
var KMALLOC_SHIFT_LOW = 7;
var KMALLOC_SHIFT_HIGH = 13;
var KMALLOC_MAX_CACHE_SIZE = 1 << KMALLOC_SHIFT_HIGH;
var PAGE_ALLOC_COSTLY_ORDER = 3;
var L1_CACHE_BYTES2 = 64;
var KmemCache = class {
  constructor(name, object_size, size2, align, flags, order, pc) {
    this.name = name;
    this.object_size = object_size;
    this.size = size2;
    this.align = align;
    this.flags = flags;
    this.order = order;
    this.pc = pc;
  }
  name;
  object_size;
  size;
  align;
  flags;
  order;
  pc;
  /** Objects out of the cache (allocated, not freed). */
  active = 0;
  get objperslab() {
    return this.pc.pc_pool.pr_itemsperpage;
  }
};
var fls3 = (x) => x <= 0 ? 0 : 32 - Math.clz32(x);
function kmalloc_index(size2) {
  if (size2 <= KMALLOC_MIN_SIZE) return KMALLOC_SHIFT_LOW;
  return fls3(size2 - 1);
}
function kmalloc_name(shift) {
  const n = 1 << shift;
  return n >= 1024 ? `kmalloc-${n >> 10}k` : `kmalloc-${n}`;
}
var Slab = class {
  constructor(o) {
    this.o = o;
    for (let shift = KMALLOC_SHIFT_LOW; shift <= KMALLOC_SHIFT_HIGH; shift++) {
      this.kmalloc_caches[shift] = this.kmem_cache_create(kmalloc_name(shift), 1 << shift, 0, SLAB_PANIC) ?? void 0;
    }
  }
  o;
  caches = [];
  /** kmalloc_caches[KMALLOC_NORMAL][index]. */
  kmalloc_caches = [];
  faults = {};
  /** page->slab_cache for every page of every slab. */
  pageCache = /* @__PURE__ */ new Map();
  /** The compound order of each kmalloc_large block, by head PFN. */
  large = /* @__PURE__ */ new Map();
  /** Pages in slabs, unreclaimable and reclaimable (NR_SLAB_*_B in pages). */
  nr_slab_unreclaimable = 0;
  nr_slab_reclaimable = 0;
  /** Pages of kmalloc_large blocks. */
  nr_large_pages = 0;
  slab_order(size2) {
    const minObjects = 4 * (fls3(this.o.ctx.ncpu) + 1);
    let order = 0;
    while (order < PAGE_ALLOC_COSTLY_ORDER && (PAGE_SIZE << order) / size2 < minObjects) order++;
    while (PAGE_SIZE << order < size2) order++;
    return order;
  }
  /** kmem_cache_create: a cache of `size`-byte objects; null (or a panic with SLAB_PANIC) on bad input. */
  kmem_cache_create(name, size2, align, flags, ctor) {
    const bad = !Number.isInteger(size2) || size2 <= 0 || size2 > KMALLOC_MAX_CACHE_SIZE * 4 ? `size ${size2}` : align && (align & align - 1) !== 0 ? `align ${align}` : "";
    if (bad) {
      const msg = `kmem_cache_create(${name}) failed with error -22 (${bad})`;
      if (flags & SLAB_PANIC) throw new KernelDiagnostic(`panic: ${msg}`);
      this.o.printk(msg);
      return null;
    }
    let a = Math.max(align, 8);
    if (flags & SLAB_HWCACHE_ALIGN) while (a < L1_CACHE_BYTES2 && a < size2) a *= 2;
    const objsize = Math.ceil(size2 / a) * a;
    const order = this.slab_order(objsize);
    const pages = this.o.pages;
    const cacheRef = {};
    const pc = pool_cache_init({
      size: objsize,
      align: a,
      name,
      ctx: this.o.ctx,
      store: this.o.store,
      ctor: ctor ? (obj) => (ctor(pages.va(obj)), 0) : void 0,
      palloc: {
        pa_pagesz: PAGE_SIZE << order,
        pa_alloc: () => this.faults.page?.() ? null : this.new_slab(cacheRef.s, order),
        pa_free: (_pp, koff) => this.discard_slab(cacheRef.s, koff, order)
      }
    });
    pool_cache_freecheck(pc);
    const s = new KmemCache(name, size2, objsize, a, flags, order, pc);
    cacheRef.s = s;
    this.caches.push(s);
    return s;
  }
  new_slab(s, order) {
    const koff = this.o.pages.alloc(GFP_KERNEL, order);
    if (koff === null) return null;
    const pfn = this.o.pages.pfn(koff);
    for (let i = 0; i < 1 << order; i++) this.pageCache.set(pfn + i, s);
    if (s.flags & SLAB_RECLAIM_ACCOUNT) this.nr_slab_reclaimable += 1 << order;
    else this.nr_slab_unreclaimable += 1 << order;
    return koff;
  }
  discard_slab(s, koff, order) {
    const pfn = this.o.pages.pfn(koff);
    for (let i = 0; i < 1 << order; i++) this.pageCache.delete(pfn + i);
    if (s.flags & SLAB_RECLAIM_ACCOUNT) this.nr_slab_reclaimable -= 1 << order;
    else this.nr_slab_unreclaimable -= 1 << order;
    this.o.pages.free(koff, order);
  }
  /** kmem_cache_destroy: objects still out are reported and the cache stays. */
  kmem_cache_destroy(s) {
    if (s.active > 0) {
      this.o.printk(`kmem_cache_destroy ${s.name}: Slab cache still has objects`);
      return;
    }
    pool_cache_destroy(s.pc);
    this.caches.splice(this.caches.indexOf(s), 1);
  }
  /** kmem_cache_alloc: an object's kernel VA, or 0n. */
  kmem_cache_alloc(s, gfp) {
    if (this.faults.object?.(s)) return 0n;
    const koff = pool_cache_get(s.pc, PR_NOWAIT);
    if (koff === null) return 0n;
    s.active++;
    if (gfp & __GFP_ZERO) this.o.pages.memset(koff, 0, s.object_size);
    return this.o.pages.va(koff);
  }
  kmem_cache_zalloc(s, gfp) {
    return this.kmem_cache_alloc(s, gfp | __GFP_ZERO);
  }
  /** kmem_cache_free: a pointer of another cache, or not out, is reported and nothing changes. */
  kmem_cache_free(s, va) {
    const owner = this.cacheOf(va);
    if (owner !== s) {
      this.o.printk(`cache_from_obj: Wrong slab cache. ${s.name} but object is from ${owner?.name ?? "no cache"}`);
      return;
    }
    this.slab_free(s, va);
  }
  slab_free(s, va) {
    const koff = this.o.pages.koff(va);
    if (!s.pc.pc_freecheck?.has(koff)) {
      this.o.printk(`kfree: double free or invalid pointer 0x${va.toString(16)} in ${s.name}`);
      return;
    }
    pool_cache_put(s.pc, koff);
    s.active--;
  }
  /** Run `fn` where the per-CPU caches have a current CPU (SlabOptions.asKernel). */
  asKernel(fn) {
    return this.o.asKernel ? this.o.asKernel(fn) : fn();
  }
  /** The kernel VA of a kernel offset (the pools' unit). */
  kva(koff) {
    return this.o.pages.va(koff);
  }
  /** The cache of a slab object (virt_to_head_page(p)->slab_cache). */
  cacheOf(va) {
    const koff = this.o.pages.koff(va);
    return koff >= 0 ? this.pageCache.get(this.o.pages.pfn(koff)) : void 0;
  }
  /** kmalloc: `size` bytes from the class that fits, or whole pages above 8 KiB; 0n on failure or size 0. */
  kmalloc(size2, gfp) {
    if (!Number.isInteger(size2) || size2 <= 0) return 0n;
    if (size2 > KMALLOC_MAX_CACHE_SIZE) return this.kmalloc_large(size2, gfp);
    return this.kmem_cache_alloc(this.kmalloc_caches[kmalloc_index(size2)], gfp);
  }
  kzalloc(size2, gfp) {
    return this.kmalloc(size2, gfp | __GFP_ZERO);
  }
  kmalloc_large(size2, gfp) {
    const order = Math.max(0, fls3(Math.ceil(size2 / PAGE_SIZE) - 1));
    if (this.faults.page?.()) return 0n;
    const koff = this.o.pages.alloc(gfp & ~__GFP_ZERO, order);
    if (koff === null) return 0n;
    if (gfp & __GFP_ZERO) this.o.pages.memset(koff, 0, PAGE_SIZE << order);
    this.large.set(this.o.pages.pfn(koff), order);
    this.nr_large_pages += 1 << order;
    return this.o.pages.va(koff);
  }
  /** kfree: NULL is ignored; a pointer kmalloc did not return is reported and nothing changes. */
  kfree(va) {
    if (va === 0n) return;
    const s = this.cacheOf(va);
    if (s) return this.slab_free(s, va);
    const koff = this.o.pages.koff(va);
    const order = koff >= 0 && koff % PAGE_SIZE === 0 ? this.large.get(this.o.pages.pfn(koff)) : void 0;
    if (order === void 0) {
      this.o.printk(`kfree: 0x${va.toString(16)} is not a slab object or a kmalloc'ed page`);
      return;
    }
    this.large.delete(this.o.pages.pfn(koff));
    this.nr_large_pages -= 1 << order;
    this.o.pages.free(koff, order);
  }
  /** ksize: the usable size of a kmalloc'ed object. */
  ksize(va) {
    const s = this.cacheOf(va);
    if (s) return s.size;
    const order = this.large.get(this.o.pages.pfn(this.o.pages.koff(va)));
    return order === void 0 ? 0 : PAGE_SIZE << order;
  }
};

// kernel-model/mm/vmalloc/vmap_area_slab.ts
var SlabVmapAreaCache = class {
  /**
   * @param objsize  sizeof(struct vmap_area): 64 (v5.10, its own cache) or 96 (v4.19, kmalloc)
   * @param shouldFail  fault injection, asked before each allocation
   */
  constructor(slab, objsize, ownCache, shouldFail = () => false) {
    this.slab = slab;
    this.objsize = objsize;
    this.shouldFail = shouldFail;
    this.cache = ownCache ? slab.kmem_cache_create("vmap_area", objsize, 0, SLAB_PANIC) ?? void 0 : void 0;
  }
  slab;
  objsize;
  shouldFail;
  active = 0;
  objects = /* @__PURE__ */ new Map();
  cache;
  alloc() {
    if (this.shouldFail()) return null;
    const cache = this.cache;
    const obj = this.slab.asKernel(() => cache ? this.slab.kmem_cache_alloc(cache, GFP_KERNEL) : this.slab.kmalloc(this.objsize, GFP_KERNEL));
    if (obj === 0n) return null;
    const va = new VmapArea();
    this.objects.set(va, obj);
    this.active++;
    return va;
  }
  free(va) {
    if (va.rb_linked || va.list_prev || va.list_next) throw new Error("vmap_area: freeing a node still linked in a tree or list");
    const obj = this.objects.get(va);
    if (obj === void 0) throw new Error("vmap_area: freeing a node this cache did not allocate");
    this.objects.delete(va);
    const cache = this.cache;
    this.slab.asKernel(() => cache ? this.slab.kmem_cache_free(cache, obj) : this.slab.kfree(obj));
    this.active--;
  }
};

// kernel-model/mm/vmalloc/vmalloc.ts
var PAGE2 = BigInt(PAGE_SIZE);
var VMALLOC_COST = {
  /** Entering vmalloc or vfree: checks, the node cache, the vm_struct. */
  call: 400,
  /** One vmap_area node the fit search visits. */
  node: 40,
  /** One page: alloc_page from the pcp list and its PTE, or the PTE cleared and the page freed. */
  page: 150
};
function vmap_allocator_param(value, printk) {
  if (value === void 0 || value === "augment") return "augment";
  if (value === "list") return "list";
  printk(`vmap_allocator=${value}: unknown (augment or list); using augment`);
  return "augment";
}
var Vmalloc = class {
  constructor(k, vmap, image, faults) {
    this.k = k;
    this.vmap = vmap;
    this.faults = faults;
    this.areas.set(image.addr, image);
  }
  k;
  vmap;
  faults;
  /** vmlist: the live vm_structs by address. */
  areas = /* @__PURE__ */ new Map();
  is_vmalloc_addr(addr) {
    return addr >= VMALLOC_START && addr < VMALLOC_END;
  }
  /** vmalloc(size): `size` bytes of kernel memory, page by page; 0n on failure. */
  vmalloc(size2, caller = "vmalloc") {
    return this.__vmalloc_node_range(size2, 1, VMALLOC_START, VMALLOC_END, GFP_KERNEL, 0, caller);
  }
  /** vzalloc(size): the same, zeroed. */
  vzalloc(size2, caller = "vzalloc") {
    return this.__vmalloc_node_range(size2, 1, VMALLOC_START, VMALLOC_END, GFP_KERNEL | __GFP_ZERO, 0, caller);
  }
  __vmalloc_node_range(size2, align, start, end, gfp, vmFlags, caller) {
    const pgalloc = this.k.mm.pgalloc;
    const realSize = size2;
    const bytes2 = Math.ceil(size2 / PAGE_SIZE) * PAGE_SIZE;
    const nrPages = bytes2 / PAGE_SIZE;
    if (!(size2 > 0) || nrPages > pgalloc.totalram_pages()) return this.fail(gfp, realSize);
    const visited = this.vmap.backend.visited;
    const area = this.get_vm_area(bytes2, align, start, end, VM_ALLOC | vmFlags, caller, gfp);
    this.k.charge(VMALLOC_COST.call + (this.vmap.backend.visited - visited) * VMALLOC_COST.node + nrPages * VMALLOC_COST.page);
    if (!area) return this.fail(gfp, realSize);
    for (let i = 0; i < nrPages; i++) {
      const pfn = this.faults.page?.() ? null : pgalloc.alloc_page(gfp);
      if (pfn === null) {
        this.__vunmap(area, true);
        return this.fail(gfp, realSize);
      }
      area.pages.push(pfn);
      this.map_page(area.addr + BigInt(i) * PAGE2, pfn);
    }
    return area.addr;
  }
  /** vmap(pages): the given pages at a new range; 0n on failure. */
  vmap_pages(pages, caller = "vmap") {
    if (pages.length === 0) return 0n;
    const area = this.get_vm_area(pages.length * PAGE_SIZE, 1, VMALLOC_START, VMALLOC_END, VM_MAP, caller, GFP_KERNEL);
    if (!area) return 0n;
    pages.forEach((pfn, i) => {
      area.pages.push(pfn);
      this.map_page(area.addr + BigInt(i) * PAGE2, pfn);
    });
    return area.addr;
  }
  /**
   * A range with no pages yet (get_vm_area with VM_ALLOC, as
   * pcpu_get_vm_areas makes them): its user maps pages one by one
   * (map_new_page) and gives it back with free_vm_area. 0n on failure.
   */
  get_vm_area_only(bytes2, caller) {
    const area = this.get_vm_area(Math.ceil(bytes2 / PAGE_SIZE) * PAGE_SIZE, PAGE_SIZE, VMALLOC_START, VMALLOC_END, VM_ALLOC | VM_NO_GUARD, caller, GFP_KERNEL);
    return area ? area.addr : 0n;
  }
  /** A new zeroed page mapped at `va`, inside a range of get_vm_area_only; false if no page. */
  map_new_page(va) {
    const pfn = this.faults.page?.() ? null : this.k.mm.pgalloc.alloc_page(GFP_KERNEL | __GFP_ZERO);
    if (pfn === null) return false;
    this.k.charge(VMALLOC_COST.page);
    this.map_page(va, pfn);
    this.areaAt(va)?.pages.push(pfn);
    return true;
  }
  /** Unmap the page at `va` and free it (the caller flushes the TLBs). */
  unmap_free_page(va) {
    const pfn = this.vmalloc_to_page(va);
    if (pfn === null) return;
    this.k.charge(VMALLOC_COST.page);
    this.k.arch.pgtables.swapper.unmap(va);
    this.k.mm.pgalloc.__free_pages(pfn, 0);
    const area = this.areaAt(va);
    if (area) area.pages.splice(area.pages.indexOf(pfn), 1);
  }
  /** free_vm_area: give back a range of get_vm_area_only, with whatever pages are still mapped in it. */
  free_vm_area(addr) {
    const area = this.find_vm_area(addr);
    if (!area) return void this.vmap.free_lazy(addr);
    for (let off = 0n; off < area.size; off += PAGE2) this.unmap_free_page(addr + off);
    this.__vunmap(area, true);
  }
  /** The live vm_struct containing `va`. */
  areaAt(va) {
    const va_ = this.vmap.find(va);
    return va_ ? this.areas.get(va_.va_start) : void 0;
  }
  /** vfree: unmap, give the pages back, queue the range for the lazy purge. */
  vfree(addr) {
    if (addr === 0n) return;
    const area = this.find_vm_area(addr);
    if (!area || !(area.flags & VM_ALLOC)) return void this.vmap.free_lazy(area ? addr + 1n : addr);
    this.__vunmap(area, true);
  }
  /** vunmap: unmap what vmap mapped (the pages stay the caller's). */
  vunmap(addr) {
    const area = this.find_vm_area(addr);
    if (!area || !(area.flags & VM_MAP)) return void this.vmap.free_lazy(area ? addr + 1n : addr);
    this.__vunmap(area, false);
  }
  /** find_vm_area: the live vm_struct starting at `addr`. */
  find_vm_area(addr) {
    return this.areas.get(addr);
  }
  /** vmalloc_to_page: the page mapped at a vmalloc address, through the page tables; null if none. */
  vmalloc_to_page(addr) {
    if (!this.is_vmalloc_addr(addr)) return null;
    const pa = this.k.arch.kmem.translate(addr);
    return pa === void 0 ? null : Math.floor(pa / PAGE_SIZE);
  }
  /** /proc/vmallocinfo (s_show): every busy area in address order, lazily freed ones as "unpurged vm_area". */
  vmallocinfo() {
    const entries = [];
    for (const va of this.vmap.busy_areas()) {
      const vm = this.areas.get(va.va_start);
      if (!vm || va.flags & VM_LAZY_FREE) {
        entries.push({ kind: "unpurged", va_start: va.va_start, va_end: va.va_end });
        continue;
      }
      entries.push({ kind: "vm_struct", addr: vm.addr, size: vm.size, caller: vm.caller, nr_pages: vm.flags & VM_ALLOC ? vm.pages.length : 0, phys_addr: vm.phys_addr, flags: vm.flags });
    }
    return vmallocinfo(entries);
  }
  /* ---- the steps ------------------------------------------------------------ */
  /** __get_vm_area_node: a range of `bytes` plus the guard page. */
  get_vm_area(bytes2, align, start, end, flags, caller, gfp) {
    const size2 = BigInt(bytes2) + (flags & VM_NO_GUARD ? 0n : PAGE2);
    const cpu = this.k.smp_processor_id();
    const addr = this.vmap.alloc(size2, BigInt(align), start, end, { cpu, caller, nowarn: (gfp & 512) !== 0 });
    if (addr === null) return null;
    const vm = { addr, size: size2, flags, pages: [], caller };
    this.areas.set(addr, vm);
    return vm;
  }
  map_page(va, pfn) {
    this.k.arch.pgtables.swapper.map(va, pfn * PAGE_SIZE, PAGE_SIZE, PROT.KERNEL, { pageGranular: true });
  }
  /** __vunmap: clear the entries now, pages back if asked, the range to the lazy purge. */
  __vunmap(area, freePages) {
    this.k.charge(VMALLOC_COST.call + area.pages.length * VMALLOC_COST.page);
    const swapper = this.k.arch.pgtables.swapper;
    area.pages.forEach((_, i) => swapper.unmap(area.addr + BigInt(i) * PAGE2));
    if (freePages) for (const pfn of area.pages) this.k.mm.pgalloc.__free_pages(pfn, 0);
    this.areas.delete(area.addr);
    const { purgeDue } = this.vmap.free_lazy(area.addr);
    if (purgeDue) this.purge();
  }
  /**
   * try_purge_vmap_area_lazy, inline in vfree as in the seed's kernel
   * (v5.2 free_vmap_area_noflush; later kernels moved it to a work item).
   * Each area purged is a node visited; the flush reaches every core.
   */
  purge() {
    const pending = this.vmap.lazy.vmap_purge_list.length;
    if (this.vmap.purge_vmap_area_lazy()) this.k.charge(VMALLOC_COST.call + pending * VMALLOC_COST.node);
  }
  fail(gfp, size2) {
    const pgalloc = this.k.mm.pgalloc;
    pgalloc.report.warn_alloc(pgalloc, gfp, `vmalloc: allocation failure: ${size2} bytes`, this.k.smp_processor_id());
    return 0n;
  }
};
function vmap_area_cache(kind, fail3, slab) {
  const objsize = kind === "augment" ? SIZEOF_VMAP_AREA_V5_10 : SIZEOF_VMAP_AREA_V4_19;
  return slab ? new SlabVmapAreaCache(slab, objsize, kind === "augment", fail3) : new CountingVmapAreaCache(objsize, fail3);
}
function vmalloc_init(k, kind, imageBytes, slab) {
  const image = { addr: KIMAGE_VADDR, size: BigInt(imageBytes), flags: VM_MAP, pages: [], caller: "paging_init", phys_addr: k.textPa };
  const faults = {};
  const vmap = createVmap({
    kind,
    cache: vmap_area_cache(kind, () => faults.vmap_area?.() ?? false, slab),
    printk: k.printk,
    nrCpus: k.machine.cores.length,
    space: { start: VMALLOC_START, end: VMALLOC_END },
    early: [{ start: image.addr, size: image.size, caller: image.caller }],
    flush_tlb_kernel_range: (start, end) => k.flush_tlb_kernel_range(start, end)
  });
  k.arch.pgtables.swapper.setTableAllocator(() => {
    const pfn = k.mm.pgalloc.alloc_page(GFP_KERNEL | __GFP_ZERO);
    if (pfn === null) throw new Error("vmalloc: no page for a page table");
    return pfn * PAGE_SIZE;
  });
  return new Vmalloc(k, vmap, image, faults);
}

// kernel-model/kern/pool/pool_cache_percpu.ts
var PCC_SIZE = 32;
var PCG_OBJECTS = 8;
var TWO32 = 2 ** 32;
var KVA_HI = 4294967168;
function setPtr(w, i, koff) {
  w[i] = koff % TWO32;
  w[i + 1] = KVA_HI + Math.floor(koff / TWO32);
}
function getPtr(w, i) {
  const hi = w[i + 1] - KVA_HI;
  return hi === 0 ? w[i] : hi * TWO32 + w[i];
}
function getU64(w, i) {
  const hi = w[i + 1];
  return hi === 0 ? w[i] : hi * TWO32 + w[i];
}
function setU64(w, i, v) {
  if (v < TWO32) {
    w[i] = v;
    w[i + 1] = 0;
    return;
  }
  w[i] = v % TWO32;
  w[i + 1] = Math.floor(v / TWO32);
}
var GuestPcg = class {
  constructor(koff, w) {
    this.koff = koff;
    this.w = w;
  }
  koff;
  w;
  get pcg_avail() {
    return this.w[0];
  }
  set pcg_avail(n) {
    this.w[0] = n;
  }
  get pcg_size() {
    return this.w[1];
  }
  pcg_get(i) {
    return getPtr(this.w, 2 + 2 * i);
  }
  pcg_set(i, obj) {
    setPtr(this.w, 2 + 2 * i, obj);
  }
};
var PcgSpace = class {
  constructor(g) {
    this.g = g;
    const d = this.alloc(0);
    KASSERTMSG(d !== null, "pcg_dummy != NULL", "subr_pool.c", () => "no page for the dummy magazine");
    this.dummy = d;
  }
  g;
  byKoff = /* @__PURE__ */ new Map();
  pools = /* @__PURE__ */ new Map();
  dummy;
  pool(size2) {
    let pp = this.pools.get(size2);
    if (!pp) {
      const bytes2 = PCG_OBJECTS + 8 * size2;
      pp = pool_init({ size: bytes2, align: 8, name: size2 === 0 ? "pcgdummy" : `pcg${size2}`, palloc: this.g.pages });
      this.pools.set(size2, pp);
    }
    return pp;
  }
  /** Every magazine pool (for vmstat -m). */
  get allPools() {
    return [...this.pools.values()];
  }
  alloc(size2) {
    const koff = pool_get(this.pool(size2), PR_NOWAIT);
    if (koff === null) return null;
    const w = this.g.words(koff, 2 + 2 * size2);
    w[0] = 0;
    w[1] = size2;
    const pcg = new GuestPcg(koff, w);
    this.byKoff.set(koff, pcg);
    return pcg;
  }
  free(pcg) {
    this.byKoff.delete(pcg.koff);
    pool_put(this.pool(pcg.pcg_size), pcg.koff);
  }
};
var GuestPoolCacheCpu = class {
  constructor(w, space) {
    this.w = w;
    this.space = space;
    this.seen = [space.dummy, space.dummy, space.dummy];
  }
  w;
  space;
  /** The last magazine each slot's pointer led to: the lookup is redone only when the pointer changed. */
  seen;
  pcg(i) {
    const koff = getPtr(this.w, i);
    const last = this.seen[i];
    if (last.koff === koff) return last;
    const pcg = this.space.byKoff.get(koff);
    if (pcg === void 0) throw new KernelDiagnostic('panic: kernel diagnostic assertion "pcg != NULL" failed: file "subr_pool.c" pool_cache_cpu points at no magazine');
    this.seen[i] = pcg;
    return pcg;
  }
  get cc_current() {
    return this.pcg(0);
  }
  set cc_current(p) {
    setPtr(this.w, 0, p.koff);
  }
  get cc_previous() {
    return this.pcg(2);
  }
  set cc_previous(p) {
    setPtr(this.w, 2, p.koff);
  }
  get cc_hits() {
    return getU64(this.w, 4);
  }
  set cc_hits(n) {
    setU64(this.w, 4, n);
  }
  get cc_misses() {
    return getU64(this.w, 6);
  }
  set cc_misses(n) {
    setU64(this.w, 6, n);
  }
};
var PercpuPoolCaches = class {
  constructor(g) {
    this.g = g;
    this.space = new PcgSpace(g);
  }
  g;
  space;
  /** The __percpu pointer of each cache's pool_cache_cpu, by cache name. */
  pcc = /* @__PURE__ */ new Map();
  /** The magazine pools, for the statistics. */
  get pools() {
    return this.space.allPools;
  }
  factory = (name) => this.store(name);
  store(name) {
    const g = this.g;
    const space = this.space;
    const ptr = g.alloc_percpu(PCC_SIZE, PCC_SIZE);
    KASSERTMSG(ptr !== 0n, "pc->pc_cpus != NULL", "subr_pool.c", () => `pool_cache ${name}: no per-CPU memory for its pool_cache_cpu`);
    this.pcc.set(name, ptr);
    const byKoff = /* @__PURE__ */ new Map();
    const ptrKoff = g.koff(ptr);
    const cpus = [];
    let lastAt = -1;
    let lastCc;
    for (let cpu = 0; cpu < g.ncpu; cpu++) {
      const koff = g.koff(g.per_cpu_ptr(ptr, cpu));
      const cc = new GuestPoolCacheCpu(g.words(koff, PCC_SIZE / 4), space);
      cc.cc_current = space.dummy;
      cc.cc_previous = space.dummy;
      byKoff.set(koff, cc);
      cpus.push(cc);
    }
    return {
      dummy: space.dummy,
      cpus,
      curcpu: () => {
        const at = ptrKoff + g.my_cpu_offset();
        if (at === lastAt) return lastCc;
        const cc = byKoff.get(at);
        KASSERTMSG(cc !== void 0, "cc != NULL", "subr_pool.c", () => `pool_cache ${name}: TPIDR_EL1 does not lead to a pool_cache_cpu`);
        lastAt = at;
        lastCc = cc;
        return cc;
      },
      pcg_alloc: (size2) => space.alloc(size2),
      pcg_free: (pcg) => space.free(pcg),
      destroy: () => {
        g.free_percpu(ptr);
        this.pcc.delete(name);
      }
    };
  }
};

// kernel-model/mm/slab/kpages.ts
var LINEAR_SPAN = Number(PAGE_END - PAGE_OFFSET);
var KernelPages = class {
  constructor(k, pgalloc) {
    this.k = k;
    this.pgalloc = pgalloc;
  }
  k;
  pgalloc;
  get physOffset() {
    return this.k.arch.linear.physOffset;
  }
  koff(va) {
    return Number(va - PAGE_OFFSET);
  }
  va(koff) {
    return PAGE_OFFSET + BigInt(koff);
  }
  /** The PFN of a linear-map kernel offset. */
  pfn(koff) {
    return Math.floor((koff + this.physOffset) / PAGE_SIZE);
  }
  /** The linear-map kernel offset of a PFN (page_address). */
  koffOfPfn(pfn) {
    return pfn * PAGE_SIZE - this.physOffset;
  }
  /** The physical address of a kernel offset, or undefined if nothing maps it. */
  pa(koff) {
    if (koff >= 0 && koff < LINEAR_SPAN) return koff + this.physOffset;
    return this.k.arch.kmem.translate(this.va(koff));
  }
  /** A live view of `count` 32-bit words at koff (within one page); a KernelFault if unmapped. */
  words(koff, count) {
    const pa = this.pa(koff);
    if (pa === void 0) throw new KernelFault(this.va(koff), false);
    return this.k.machine.ram.view(Uint32Array, pa, count, 4);
  }
  /** memset(koff, byte, len), page by page. */
  memset(koff, byte, len) {
    let off = 0;
    while (off < len) {
      const n = Math.min(len - off, PAGE_SIZE - (koff + off) % PAGE_SIZE);
      const pa = this.pa(koff + off);
      if (pa === void 0) throw new KernelFault(this.va(koff + off), true);
      this.k.machine.ram.fill(pa, n, byte);
      off += n;
    }
  }
  /** alloc_pages(gfp, order): the block's linear-map kernel offset, or null. */
  alloc(gfp, order) {
    const pfn = this.pgalloc.alloc_pages(gfp, order);
    return pfn === null ? null : this.koffOfPfn(pfn);
  }
  /** __free_pages of a block alloc() returned. */
  free(koff, order) {
    this.pgalloc.__free_pages(this.pfn(koff), order);
  }
};

// kernel-model/mm/slab/slabinfo.ts
function pad2(v, w) {
  return String(v).padStart(w);
}
function slabinfo(slab) {
  const lines = [
    "slabinfo - version: 2.1",
    "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>"
  ];
  for (const s of [...slab.caches].reverse()) {
    const pp = s.pc.pc_pool;
    const ipp = pp.pr_itemsperpage;
    const numSlabs = pp.pr_npages;
    const activeSlabs = numSlabs - pp.pr_nidle;
    const lim = s.pc.pc_pcgsize;
    lines.push(
      `${s.name.padEnd(17)} ${pad2(pp.pr_nout, 6)} ${pad2(numSlabs * ipp, 6)} ${pad2(s.size, 6)} ${pad2(ipp, 4)} ${pad2(1 << s.order, 4)} : tunables ${pad2(lim, 4)} ${pad2(lim, 4)} ${pad2(0, 4)} : slabdata ${pad2(activeSlabs, 6)} ${pad2(numSlabs, 6)} ${pad2(0, 6)}`
    );
  }
  return lines.join("\n") + "\n";
}

// kernel-model/mm/slab/slab_init.ts
function kmem_cache_init(k, pgalloc) {
  const percpu = k.percpu;
  if (!percpu) throw new Error("kmem_cache_init before setup_per_cpu_areas");
  const pages = new KernelPages(k, pgalloc);
  const ncpu = k.machine.cores.length;
  let lastOffset = -1n;
  let lastOffsetNum = 0;
  const pcc = new PercpuPoolCaches({
    words: (koff, count) => pages.words(koff, count),
    alloc_percpu: (size2, align) => percpu.__alloc_percpu(size2, align),
    free_percpu: (ptr) => percpu.free_percpu(ptr),
    per_cpu_ptr: (ptr, cpu) => percpu.per_cpu_ptr(ptr, cpu),
    my_cpu_offset: () => {
      const off = k.this_cpu.offset;
      if (off !== lastOffset) {
        lastOffset = off;
        lastOffsetNum = Number(BigInt.asIntN(64, off));
      }
      return lastOffsetNum;
    },
    koff: (va) => pages.koff(va),
    pages: { pa_pagesz: PAGE_SIZE, pa_alloc: () => pages.alloc(GFP_KERNEL, 0), pa_free: (_pp, koff) => pages.free(koff, 0) },
    ncpu
  });
  const slab = new Slab({ pages, ctx: { ncpu, curcpu: () => k.smp_processor_id() }, store: pcc.factory, printk: k.printk, asKernel: (fn) => k.this_cpu.active ? fn() : k.on(0, fn) });
  percpu.meta.guest = {
    zalloc: (bytes2) => {
      const va = slab.asKernel(() => slab.kzalloc(bytes2, GFP_KERNEL));
      if (va === 0n) return null;
      const pa = pages.pa(pages.koff(va));
      return { mem: k.machine.ram.view(Int32Array, pa, bytes2 >>> 2, 4), free: () => slab.asKernel(() => slab.kfree(va)) };
    }
  };
  k.slab = slab;
  k.proc.register("/proc/slabinfo", () => slabinfo(slab));
  return { slab, pages, pcc };
}

// kernel-model/kern/vmem/vmem_impl.ts
var VM_SLEEP = 1;
var VM_NOSLEEP = 2;
var VM_BESTFIT = 256;
var VM_INSTANTFIT = 4096;
var VM_FITMASK = VM_BESTFIT | VM_INSTANTFIT;
var VMEM_MAXORDER = 53;
var VMEM_HASHSIZE_MIN = 16;
var VMEM_HASHSIZE_MAX = 1 << 20;
var VMEM_QCACHE_IDX_MAX = 32;
var BT_TYPE_SPAN = 1;
var BT_TYPE_SPAN_STATIC = 2;
var BT_TYPE_FREE = 3;
var BT_TYPE_BUSY = 4;
var Bt = class {
  constructor(bt_type, bt_start, bt_size) {
    this.bt_type = bt_type;
    this.bt_start = bt_start;
    this.bt_size = bt_size;
  }
  bt_type;
  bt_start;
  bt_size;
  /** Address-ordered segment list (spans and their segments). */
  bt_prevseg = null;
  bt_nextseg = null;
  /** Free list of the tag's size class (FREE tags only). */
  bt_prevfree = null;
  bt_nextfree = null;
  /** Hash chain (BUSY tags only). */
  bt_hashnext = null;
  get bt_end() {
    return this.bt_start + this.bt_size;
  }
};
var Vmem = class {
  constructor(vm_name, quantum, vm_importfn, vm_releasefn, vm_printf = () => {
  }) {
    this.vm_name = vm_name;
    this.vm_importfn = vm_importfn;
    this.vm_releasefn = vm_releasefn;
    this.vm_printf = vm_printf;
    this.vm_quantum_mask = quantum - 1;
    this.vm_quantum_shift = calc_order(quantum);
  }
  vm_name;
  vm_importfn;
  vm_releasefn;
  vm_printf;
  /** Segment list: first and last tag. */
  vm_seghead = null;
  vm_segtail = null;
  vm_freelist = new Array(VMEM_MAXORDER).fill(null);
  /** Busy tags hashed by start address: vmem_xfree's lookup and its sanity check. */
  vm_hashlist = new Array(VMEM_HASHSIZE_MIN).fill(null);
  vm_nbusytag = 0;
  vm_quantum_mask;
  vm_quantum_shift;
  vm_qcache_max = 0;
  /** vm_qcache[i]: the cache for sizes of i+1 quanta (adjacent sizes may share one). */
  vm_qcache = [];
  /** Bytes in spans, and in busy segments. */
  vm_size = 0;
  vm_inuse = 0;
  /** Spans imported and released (statistics). */
  vm_nimport = 0;
  vm_nrelease = 0;
  get vm_quantum() {
    return this.vm_quantum_mask + 1;
  }
};
function calc_order(n) {
  if (n < 4294967296) return 31 - Math.clz32(n);
  let i = Math.floor(Math.log2(n));
  if (2 ** i > n) i--;
  else if (2 ** (i + 1) <= n) i++;
  return i;
}
function VMEM_ALIGNUP(addr, align) {
  return Math.ceil(addr / align) * align;
}
function VMEM_CROSS_P(a1, a2, boundary) {
  return boundary !== 0 && Math.floor(a1 / boundary) !== Math.floor(a2 / boundary);
}
function isPow22(n) {
  return n > 0 && 2 ** calc_order(n) === n;
}
function vmem_roundup_size(vm, size2) {
  return Math.ceil(size2 / vm.vm_quantum) * vm.vm_quantum;
}
function bt_freehead_tofree(vm, size2) {
  return calc_order(size2 / vm.vm_quantum);
}
function bt_freehead_toalloc(vm, size2, strat) {
  const qsize = size2 / vm.vm_quantum;
  const idx = calc_order(qsize);
  return strat === VM_INSTANTFIT && 2 ** idx !== qsize ? idx + 1 : idx;
}
function bt_insfree(vm, bt) {
  const idx = bt_freehead_tofree(vm, bt.bt_size);
  const head = vm.vm_freelist[idx];
  bt.bt_prevfree = null;
  bt.bt_nextfree = head;
  if (head) head.bt_prevfree = bt;
  vm.vm_freelist[idx] = bt;
}
function bt_remfree(vm, bt) {
  if (bt.bt_prevfree) bt.bt_prevfree.bt_nextfree = bt.bt_nextfree;
  else vm.vm_freelist[bt_freehead_tofree(vm, bt.bt_size)] = bt.bt_nextfree;
  if (bt.bt_nextfree) bt.bt_nextfree.bt_prevfree = bt.bt_prevfree;
  bt.bt_prevfree = bt.bt_nextfree = null;
}
function bt_hashhead(vm, addr) {
  const q = addr / vm.vm_quantum;
  const mixed = Math.imul((q | 0) ^ (q / 4294967296 | 0), 2654435761);
  return (mixed >>> 0) % vm.vm_hashlist.length;
}
function bt_lookupbusy(vm, addr) {
  for (let bt = vm.vm_hashlist[bt_hashhead(vm, addr)] ?? null; bt; bt = bt.bt_hashnext) if (bt.bt_start === addr) return bt;
  return void 0;
}
function vmem_rehash(vm, size2) {
  const old = vm.vm_hashlist;
  vm.vm_hashlist = new Array(size2).fill(null);
  for (const head of old) {
    for (let bt = head, next; bt; bt = next) {
      next = bt.bt_hashnext;
      const h = bt_hashhead(vm, bt.bt_start);
      bt.bt_hashnext = vm.vm_hashlist[h];
      vm.vm_hashlist[h] = bt;
    }
  }
}
function bt_insbusy(vm, bt) {
  const h = bt_hashhead(vm, bt.bt_start);
  bt.bt_hashnext = vm.vm_hashlist[h];
  vm.vm_hashlist[h] = bt;
  vm.vm_nbusytag++;
  vm.vm_inuse += bt.bt_size;
  if (vm.vm_nbusytag > 2 * vm.vm_hashlist.length && vm.vm_hashlist.length < VMEM_HASHSIZE_MAX) vmem_rehash(vm, vm.vm_hashlist.length * 2);
}
function bt_rembusy(vm, bt) {
  const h = bt_hashhead(vm, bt.bt_start);
  let prev = null;
  for (let t2 = vm.vm_hashlist[h] ?? null; t2; prev = t2, t2 = t2.bt_hashnext) {
    if (t2 !== bt) continue;
    if (prev) prev.bt_hashnext = bt.bt_hashnext;
    else vm.vm_hashlist[h] = bt.bt_hashnext;
    break;
  }
  bt.bt_hashnext = null;
  vm.vm_nbusytag--;
  vm.vm_inuse -= bt.bt_size;
}
function bt_insseg(vm, bt, prev) {
  const next = prev ? prev.bt_nextseg : vm.vm_seghead;
  bt.bt_prevseg = prev;
  bt.bt_nextseg = next;
  if (prev) prev.bt_nextseg = bt;
  else vm.vm_seghead = bt;
  if (next) next.bt_prevseg = bt;
  else vm.vm_segtail = bt;
}
function bt_remseg(vm, bt) {
  if (bt.bt_prevseg) bt.bt_prevseg.bt_nextseg = bt.bt_nextseg;
  else vm.vm_seghead = bt.bt_nextseg;
  if (bt.bt_nextseg) bt.bt_nextseg.bt_prevseg = bt.bt_prevseg;
  else vm.vm_segtail = bt.bt_prevseg;
  bt.bt_prevseg = bt.bt_nextseg = null;
}
function bt_span_insert_point(vm, addr) {
  let prev = null;
  for (let bt = vm.vm_seghead; bt && bt.bt_start < addr; bt = bt.bt_nextseg) prev = bt;
  return prev;
}

// kernel-model/kern/vmem/qcache.ts
function prf_to_vmf(prflags) {
  return prflags & PR_WAITOK ? VM_SLEEP : VM_NOSLEEP;
}
function qc_poolpage_size(qcache_max) {
  let size2 = 1;
  while (size2 <= qcache_max * 3) size2 *= 2;
  return size2;
}
function qc_init(vm, qcache_max, ctx, be) {
  const q = vm.vm_quantum;
  const max = Math.min(Math.floor(qcache_max / q), VMEM_QCACHE_IDX_MAX) * q;
  vm.vm_qcache_max = max;
  const pagesz = qc_poolpage_size(max);
  const palloc = {
    pa_pagesz: pagesz,
    pa_alloc: (_pp, prflags) => be.pageFail?.() ? null : be.alloc(pagesz, prf_to_vmf(prflags) | VM_INSTANTFIT),
    pa_free: (_pp, page) => be.free(page, pagesz)
  };
  const caches = new Array(max / q);
  let prev;
  for (let i = max / q; i > 0; i--) {
    const size2 = i * q;
    const ipp = Math.floor(pagesz / size2);
    if (prev && ipp === prev.qc_cache.pc_pool.pr_itemsperpage) {
      caches[i - 1] = prev;
      continue;
    }
    const name = `${vm.vm_name}-${size2}`;
    const qc_cache = pool_cache_init({ size: size2, align: q, name, palloc, ctx, printf: be.printf, pcgFail: be.pcgFail, store: be.store });
    if (be.debug) pool_cache_freecheck(qc_cache);
    prev = caches[i - 1] = { qc_cache, qc_name: name };
  }
  vm.vm_qcache = caches;
}

// kernel-model/kern/vmem/subr_vmem.ts
var FILE3 = "subr_vmem.c";
function vmem_add1(vm, addr, size2, type) {
  KASSERTMSG(Number.isSafeInteger(addr) && addr >= 0 && Number.isSafeInteger(addr + size2), "addr + size <= 2^53", FILE3, () => `vmem ${vm.vm_name} span ${hex4(addr)}+${hex4(size2)} is not exact in a number`);
  const span = new Bt(type, addr, size2);
  const free = new Bt(BT_TYPE_FREE, addr, size2);
  bt_insseg(vm, span, bt_span_insert_point(vm, addr));
  bt_insseg(vm, free, span);
  bt_insfree(vm, free);
  vm.vm_size += size2;
}
function vmem_span_overlapping(vm, addr, size2) {
  for (let bt = vm.vm_seghead; bt; bt = bt.bt_nextseg) {
    if ((bt.bt_type === BT_TYPE_SPAN || bt.bt_type === BT_TYPE_SPAN_STATIC) && bt.bt_start < addr + size2 && addr < bt.bt_end) return bt;
  }
  return void 0;
}
function vmem_import(vm, size2, flags) {
  if (!vm.vm_importfn) return false;
  const span = vm.vm_importfn(size2, flags);
  if (!span) return false;
  KASSERTMSG(span.size >= size2 && span.size % vm.vm_quantum === 0 && span.addr % vm.vm_quantum === 0, "imported span fits", FILE3, () => `vmem ${vm.vm_name}: import of ${hex4(size2)} returned ${hex4(span.addr)}+${hex4(span.size)}`);
  vmem_add1(vm, span.addr, span.size, BT_TYPE_SPAN);
  vm.vm_nimport++;
  return true;
}
function vmem_fit(bt, size2, align, phase, nocross, minaddr, maxaddr) {
  let start = Math.max(bt.bt_start, minaddr);
  const end = maxaddr !== 0 ? Math.min(bt.bt_end, maxaddr) : bt.bt_end;
  if (start >= end) return null;
  start = VMEM_ALIGNUP(start - phase, align) + phase;
  if (VMEM_CROSS_P(start, start + size2 - 1, nocross)) start = VMEM_ALIGNUP(start - phase, nocross) + phase;
  if (start < end && end - start >= size2) return start;
  return null;
}
function vmem_xalloc_check(vm, size0, align, phase, nocross, minaddr, maxaddr, flags) {
  const q = vm.vm_quantum;
  const size2 = vmem_roundup_size(vm, size0);
  const what = () => `vmem ${vm.vm_name} size ${hex4(size0)} align ${hex4(align)} phase ${hex4(phase)} nocross ${hex4(nocross)} min ${hex4(minaddr)} max ${hex4(maxaddr)}`;
  const strat = flags & VM_FITMASK;
  KASSERTMSG((flags & (VM_SLEEP | VM_NOSLEEP)) !== 0 && (~flags & (VM_SLEEP | VM_NOSLEEP)) !== 0, "(flags & (VM_SLEEP|VM_NOSLEEP)) exactly one", FILE3, what);
  KASSERTMSG(strat === VM_BESTFIT || strat === VM_INSTANTFIT, "strat == VM_BESTFIT || strat == VM_INSTANTFIT", FILE3, what);
  KASSERTMSG(Number.isSafeInteger(size0) && size0 > 0, "size0 > 0", FILE3, what);
  KASSERTMSG(align % q === 0, "(align & vm->vm_quantum_mask) == 0", FILE3, what);
  KASSERTMSG(align === 0 || isPow22(align), "(align & (align - 1)) == 0", FILE3, what);
  KASSERTMSG(phase % q === 0, "(phase & vm->vm_quantum_mask) == 0", FILE3, what);
  KASSERTMSG(nocross % q === 0, "(nocross & vm->vm_quantum_mask) == 0", FILE3, what);
  KASSERTMSG(nocross === 0 || isPow22(nocross), "(nocross & (nocross - 1)) == 0", FILE3, what);
  KASSERTMSG(align === 0 && phase === 0 || phase < align, "(align == 0 && phase == 0) || phase < align", FILE3, what);
  KASSERTMSG(nocross === 0 || nocross >= size2, "nocross == 0 || nocross >= size", FILE3, what);
  KASSERTMSG(maxaddr === 0 || minaddr < maxaddr, "maxaddr == 0 || minaddr < maxaddr", FILE3, what);
  KASSERTMSG(!VMEM_CROSS_P(phase, phase + size2 - 1, nocross), "!VMEM_CROSS_P(phase, phase + size - 1, nocross)", FILE3, what);
}
function vmem_search(vm, size2, strat, align, phase, nocross, minaddr, maxaddr) {
  for (let idx = bt_freehead_toalloc(vm, size2, strat); idx < VMEM_MAXORDER; idx++) {
    for (let bt = vm.vm_freelist[idx] ?? null; bt; bt = bt.bt_nextfree) {
      if (bt.bt_size >= size2) {
        const start = vmem_fit(bt, size2, align, phase, nocross, minaddr, maxaddr);
        if (start !== null) return { bt, start };
      }
      if (strat === VM_INSTANTFIT) break;
    }
  }
  return null;
}
function vmem_carve(vm, bt, start, size2) {
  bt_remfree(vm, bt);
  if (bt.bt_start !== start) {
    const before = new Bt(BT_TYPE_FREE, bt.bt_start, start - bt.bt_start);
    bt.bt_start = start;
    bt.bt_size -= before.bt_size;
    bt_insseg(vm, before, bt.bt_prevseg);
    bt_insfree(vm, before);
  }
  if (bt.bt_size > size2) {
    const busy = new Bt(BT_TYPE_BUSY, start, size2);
    bt.bt_start += size2;
    bt.bt_size -= size2;
    bt_insseg(vm, busy, bt.bt_prevseg);
    bt_insfree(vm, bt);
    bt_insbusy(vm, busy);
  } else {
    bt.bt_type = BT_TYPE_BUSY;
    bt_insbusy(vm, bt);
  }
}
function vmf_to_prf(vmflags) {
  return vmflags & VM_SLEEP ? PR_WAITOK : PR_NOWAIT;
}
function vmem_create(o) {
  KASSERTMSG(isPow22(o.quantum), "ORDER2SIZE(vm->vm_quantum_shift) == quantum", FILE3, () => `vmem ${o.name} quantum ${o.quantum}`);
  const vm = new Vmem(o.name, o.quantum, o.importfn ?? null, o.releasefn ?? null, o.printf);
  if (o.qcache_max) {
    KASSERTMSG(o.ctx !== void 0, "ctx != NULL", FILE3, () => `vmem ${o.name}: quantum caches need a CPU context`);
    qc_init(vm, o.qcache_max, o.ctx, {
      alloc: (size2, vmflags) => vmem_xalloc(vm, size2, 0, 0, 0, 0, 0, vmflags),
      free: (addr, size2) => vmem_xfree(vm, addr, size2),
      debug: o.debug ?? false,
      printf: vm.vm_printf,
      pcgFail: o.pcgFail,
      store: o.store,
      pageFail: o.qcPageFail
    });
  }
  if (o.size) vmem_add(vm, o.base ?? 0, o.size, VM_SLEEP);
  return vm;
}
function vmem_add(vm, addr, size2, _flags) {
  KASSERTMSG(size2 > 0 && addr % vm.vm_quantum === 0 && size2 % vm.vm_quantum === 0, "span is quantum aligned", FILE3, () => `vmem ${vm.vm_name} addr ${hex4(addr)} size ${hex4(size2)}`);
  const other = vmem_span_overlapping(vm, addr, size2);
  KASSERTMSG(other === void 0, "span does not overlap", FILE3, () => `vmem ${vm.vm_name} addr ${hex4(addr)} size ${hex4(size2)} overlaps span ${hex4(other.bt_start)}+${hex4(other.bt_size)}`);
  vmem_add1(vm, addr, size2, BT_TYPE_SPAN_STATIC);
  return addr;
}
function vmem_alloc(vm, size2, flags) {
  KASSERTMSG(Number.isSafeInteger(size2) && size2 > 0, "size > 0", FILE3, () => `vmem ${vm.vm_name} size ${size2}`);
  if (size2 <= vm.vm_qcache_max) {
    const qc = vm.vm_qcache[Math.ceil(size2 / vm.vm_quantum) - 1];
    return pool_cache_get(qc.qc_cache, vmf_to_prf(flags));
  }
  return vmem_xalloc(vm, size2, 0, 0, 0, 0, 0, flags);
}
function vmem_xalloc(vm, size0, align, phase, nocross, minaddr, maxaddr, flags) {
  vmem_xalloc_check(vm, size0, align, phase, nocross, minaddr, maxaddr, flags);
  const size2 = vmem_roundup_size(vm, size0);
  const a = align || vm.vm_quantum;
  let strat = flags & VM_FITMASK;
  let imported = false;
  for (; ; ) {
    const found = vmem_search(vm, size2, strat, a, phase, nocross, minaddr, maxaddr);
    if (found) {
      vmem_carve(vm, found.bt, found.start, size2);
      return found.start;
    }
    if (strat === VM_INSTANTFIT) {
      strat = VM_BESTFIT;
      continue;
    }
    const constrained = align !== 0 || phase !== 0 || nocross !== 0;
    if (!imported && !constrained && vmem_import(vm, size2, flags)) {
      imported = true;
      continue;
    }
    if (flags & VM_SLEEP) cannot_sleep(vm.vm_printf, "vmem_xalloc", vm.vm_name);
    return null;
  }
}
function vmem_free(vm, addr, size2) {
  KASSERTMSG(Number.isSafeInteger(size2) && size2 > 0, "size > 0", FILE3, () => `vmem ${vm.vm_name} addr ${hex4(addr)} size ${size2}`);
  if (size2 <= vm.vm_qcache_max) {
    const qc = vm.vm_qcache[Math.ceil(size2 / vm.vm_quantum) - 1];
    pool_cache_put(qc.qc_cache, addr);
    return;
  }
  vmem_xfree(vm, addr, size2);
}
function vmem_coalesce(vm, bt, t2) {
  if (!t2 || t2.bt_type !== BT_TYPE_FREE) return;
  bt_remfree(vm, t2);
  bt_remseg(vm, t2);
  if (t2.bt_start < bt.bt_start) bt.bt_start = t2.bt_start;
  bt.bt_size += t2.bt_size;
}
function vmem_xfree(vm, addr, size2) {
  const bt = bt_lookupbusy(vm, addr);
  KASSERTMSG(bt !== void 0, "bt != NULL", FILE3, () => `vmem ${vm.vm_name} addr ${hex4(addr)} size ${hex4(size2)}`);
  KASSERTMSG(bt.bt_size === vmem_roundup_size(vm, size2), "bt->bt_size == vmem_roundup_size(vm, size)", FILE3, () => `vmem ${vm.vm_name} addr ${hex4(addr)} size ${hex4(size2)} != busy size ${hex4(bt.bt_size)}`);
  bt_rembusy(vm, bt);
  bt.bt_type = BT_TYPE_FREE;
  vmem_coalesce(vm, bt, bt.bt_nextseg);
  vmem_coalesce(vm, bt, bt.bt_prevseg);
  const span = bt.bt_prevseg;
  if (vm.vm_releasefn && span.bt_type === BT_TYPE_SPAN && span.bt_size === bt.bt_size) {
    bt_remseg(vm, bt);
    bt_remseg(vm, span);
    vm.vm_size -= span.bt_size;
    vm.vm_nrelease++;
    vm.vm_releasefn(span.bt_start, span.bt_size);
    return;
  }
  bt_insfree(vm, bt);
}

// kernel-model/kern/kmem/subr_kmem.ts
var KM_SLEEP = 1;
var KM_NOSLEEP = 2;
var KMEM_CACHE_COUNT = 16;
var FILE4 = "subr_kmem.c";
function ffs(x) {
  return 32 - Math.clz32(x & -x);
}
function kmf_to_vmf(kmflags) {
  KASSERTMSG((kmflags & (KM_SLEEP | KM_NOSLEEP)) !== 0 && (~kmflags & (KM_SLEEP | KM_NOSLEEP)) !== 0, "(kmflags & (KM_SLEEP|KM_NOSLEEP)) exactly one", FILE4, () => `kmflags ${hex4(kmflags)}`);
  return kmflags & KM_SLEEP ? VM_SLEEP : VM_NOSLEEP;
}
function kmem_init(o) {
  const quantum = o.quantum ?? 8;
  const pageSize = o.pageSize ?? PAGE_SIZE;
  const qcache_max = quantum * 32;
  const printf = o.printf ?? (() => {
  });
  const debug = o.debug ?? false;
  const midcache = o.midcache ?? true;
  const roundPage = (n) => Math.ceil(n / pageSize) * pageSize;
  const arena = vmem_create({
    name: "kmem",
    quantum,
    qcache_max,
    ctx: o.ctx,
    debug,
    printf,
    pcgFail: o.pcgFail,
    store: o.store,
    qcPageFail: o.pageFail,
    importfn: (size2, vmflags) => {
      const sz = roundPage(size2);
      const addr = o.backend.alloc(sz, vmflags);
      return addr === null ? null : { addr, size: sz };
    },
    releasefn: (addr, size2) => o.backend.free(addr, size2)
  });
  const shift = ffs(qcache_max);
  const caches = [void 0];
  let max = 0;
  for (let i = 1; i <= KMEM_CACHE_COUNT; i++) {
    const sz = i << shift;
    if (sz > pageSize) break;
    max = sz;
    if (!midcache) continue;
    const pc = pool_cache_init({
      size: sz,
      align: quantum,
      name: `kmem-${sz}`,
      ctx: o.ctx,
      printf,
      pcgFail: o.pcgFail,
      store: o.store,
      palloc: {
        pa_pagesz: sz,
        pa_alloc: (_pp, prflags) => o.pageFail?.() ? null : vmem_alloc(arena, sz, kmf_to_vmf(prflags) | VM_INSTANTFIT),
        pa_free: (_pp, addr) => vmem_free(arena, addr, sz)
      }
    });
    if (debug) pool_cache_freecheck(pc);
    caches[i] = pc;
  }
  return {
    kmem_arena: arena,
    kmem_cache: caches,
    kmem_cache_min: 1 << shift,
    kmem_cache_max: max,
    kmem_cache_shift: shift,
    midcache,
    debug,
    size_size: debug ? Math.max(quantum, 8) : 0,
    headers: o.headers ?? /* @__PURE__ */ new Map(),
    memset: o.memset,
    pageSize,
    addrfmt: o.addrfmt ?? hex4
  };
}
function kmem_cache_lookup(km, allocsz) {
  if (!km.midcache || allocsz < km.kmem_cache_min || allocsz > km.kmem_cache_max) return void 0;
  const mask = km.kmem_cache_min - 1;
  return km.kmem_cache[Math.floor((allocsz + mask) / km.kmem_cache_min)];
}
function kmem_alloc(km, size2, kmflags) {
  KASSERTMSG(Number.isSafeInteger(size2) && size2 > 0, "size > 0", FILE4, () => `kmem_alloc(${size2})`);
  const vmflags = kmf_to_vmf(kmflags);
  const allocsz = size2 + km.size_size;
  const kc = kmem_cache_lookup(km, allocsz);
  const p = kc ? pool_cache_get(kc, kmflags & (KM_SLEEP | KM_NOSLEEP)) : vmem_alloc(km.kmem_arena, allocsz, vmflags | VM_INSTANTFIT);
  if (p === null) return null;
  if (km.debug) km.headers.set(p, size2);
  return p + km.size_size;
}
function kmem_zalloc(km, size2, kmflags) {
  KASSERTMSG(km.memset !== void 0, "memset != NULL", FILE4, () => "kmem_zalloc: kmem has no memory to zero yet (not wired to guest memory)");
  const p = kmem_alloc(km, size2, kmflags);
  if (p !== null) km.memset(p, 0, size2);
  return p;
}
function kmem_caller() {
  const frames = (new Error().stack ?? "").split("\n").slice(1);
  const outside = frames.find((f) => !/(subr_kmem|kmem_kernel)\.(ts|js)/.test(f));
  const named = outside?.match(/at (?:async )?([^\s(]+) \(/);
  if (named) return named[1];
  const anon = outside?.match(/([^/\\\s(]+\.(?:ts|js|mjs):\d+)/);
  return anon?.[1] ?? "?";
}
function kmem_size_check(km, p, size2) {
  const psz = km.headers.get(p);
  if (psz === size2) return;
  const user = km.addrfmt(p + km.size_size);
  if (psz === void 0) panic(`kmem_free(${user}, ${size2}): not allocated (caller ${kmem_caller()})`);
  panic(`kmem_free(${user}, ${size2}) != allocated size ${psz} (caller ${kmem_caller()})`);
}
function kmem_free(km, p, size2) {
  KASSERTMSG(Number.isSafeInteger(size2) && size2 > 0, "size > 0", FILE4, () => `kmem_free(${km.addrfmt(p)}, ${size2})`);
  const base = p - km.size_size;
  if (km.debug) {
    kmem_size_check(km, base, size2);
    km.headers.delete(base);
  }
  const allocsz = size2 + km.size_size;
  const kc = kmem_cache_lookup(km, allocsz);
  if (kc) pool_cache_put(kc, base);
  else vmem_free(km.kmem_arena, base, allocsz);
}
function kmem_caches(km) {
  const qcs = [...new Set(km.kmem_arena.vm_qcache.map((qc) => qc.qc_cache))];
  return [...qcs, ...km.kmem_cache.filter((pc) => pc !== void 0)];
}

// kernel-model/kern/pool/pool_stats.ts
function table(head, rows) {
  const cells = rows.map((r2) => r2.map(String));
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((r2) => r2[i].length)));
  const line = (r2) => r2.map((c, i) => i === 0 ? c.padEnd(width[i]) : c.padStart(width[i])).join(" ");
  return [line(head), ...cells.map(line)];
}
var pct = (hit, total) => total ? (hit * 100 / total).toFixed(1) : "0.0";
function vmstat_m(pools2) {
  const rows = pools2.map((pp) => [
    pp.pr_wchan,
    pp.pr_size,
    pp.pr_nget,
    pp.pr_nfail,
    pp.pr_nput,
    pp.pr_npagealloc,
    pp.pr_npagefree,
    pp.pr_npages,
    pp.pr_hiwat,
    0,
    Number.isFinite(pp.pr_maxidle) ? pp.pr_maxidle : "inf",
    pp.pr_nidle
  ]);
  const inuse = pools2.reduce((n, pp) => n + pp.pr_nout * pp.pr_size, 0);
  const total = pools2.reduce((n, pp) => n + pp.pr_npages * pp.pr_alloc.pa_pagesz, 0);
  return [
    "Memory resource pool statistics",
    ...table(["Name", "Size", "Requests", "Fail", "Releases", "Pgreq", "Pgrel", "Npage", "Hiwat", "Minpg", "Maxpg", "Idle"], rows),
    "",
    `In use ${Math.round(inuse / 1024)}K, total allocated ${Math.round(total / 1024)}K; utilization ${pct(inuse, total)}%`
  ].join("\n") + "\n";
}
function vmstat_C(caches) {
  const rows = caches.map((pc) => {
    let cpuhit = 0;
    let cpumiss = 0;
    for (const cc of pc.pc_cpus) {
      cpuhit += cc.cc_hits;
      cpumiss += cc.cc_misses;
    }
    const cache = pc.pc_hits + pc.pc_misses;
    return [pc.pc_pool.pr_wchan, 0, pc.pc_pcgsize, pc.pc_nfull, pc.pc_nempty, pc.pc_misses, cache, pct(pc.pc_hits, cache), cpuhit + cpumiss, pct(cpuhit, cpuhit + cpumiss)];
  });
  return ["Pool cache statistics.", ...table(["Name", "Spin", "GrpSz", "Full", "Emty", "PoolLayer", "CacheLayer", "Hit%", "CpuLayer", "Hit%"], rows)].join("\n") + "\n";
}

// kernel-model/kern/kmem/kmem_kernel.ts
var KMEM_SLEEP_RETRY_MS = 10;
var LINEAR_IMPORT_MAX = 8 * PAGE_SIZE;
function kmem_params(get, printk) {
  const mc = get("kmem_midcache");
  let midcache = true;
  if (mc === "off") midcache = false;
  else if (mc !== void 0 && mc !== "on") printk(`kmem_midcache=${mc}: unknown (on or off); using on`);
  const dbg = get("kmem_debug");
  let debug = false;
  if (dbg === "1") debug = true;
  else if (dbg !== void 0 && dbg !== "0") printk(`kmem_debug=${dbg}: unknown (0 or 1); using 0`);
  return { midcache, debug };
}
function guestHeaders(pages) {
  const at = (p) => pages.pa(p) === void 0 ? void 0 : pages.words(p, 2);
  return {
    set: (p, size2) => {
      const w = at(p);
      w[0] = size2;
      w[1] = 0;
    },
    get: (p) => {
      const w = at(p);
      return w && w[0] !== 0 ? w[0] : void 0;
    },
    delete: (p) => {
      const w = at(p);
      if (w) w[0] = 0;
    }
  };
}
var KernelKmem = class {
  constructor(k, pages, pcc, params) {
    this.k = k;
    this.pages = pages;
    this.pcc = pcc;
    this.params = params;
    this.km = kmem_init({
      ctx: { ncpu: k.machine.cores.length, curcpu: () => k.smp_processor_id() },
      backend: { alloc: (size2) => this.importSpan(size2), free: (addr, size2) => this.releaseSpan(addr, size2) },
      midcache: params.midcache,
      debug: params.debug,
      headers: params.debug ? guestHeaders(pages) : void 0,
      memset: (addr, byte, len) => pages.memset(addr, byte, len),
      addrfmt: (p) => `0x${pages.va(p).toString(16)}`,
      printf: k.printk,
      pcgFail: () => this.faults.pcg?.() ?? false,
      pageFail: () => this.faults.poolPage?.() ?? false,
      store: pcc.factory
    });
  }
  k;
  pages;
  pcc;
  params;
  km;
  faults = {};
  wq = new WaitQueueHead("kmem");
  /** Frees and releases so far: a sleeper retries when this moves. */
  frees = 0;
  /** Span sizes imported from vmalloc, by kernel offset (the rest came from the buddy allocator). */
  vmSpans = /* @__PURE__ */ new Map();
  /** Pages kmem_arena holds, from each source. */
  linearPages = 0;
  vmallocPages = 0;
  /** uvm_km_kmem_alloc: a span of `size` bytes (a multiple of PAGE_SIZE), as a kernel offset. */
  importSpan(size2) {
    if (this.faults.import?.()) return null;
    const npages = size2 / PAGE_SIZE;
    if (size2 <= LINEAR_IMPORT_MAX && (npages & npages - 1) === 0) {
      const koff2 = this.pages.alloc(GFP_KERNEL | __GFP_NOWARN, Math.log2(npages));
      if (koff2 !== null) this.linearPages += npages;
      return koff2;
    }
    const va = this.k.mm.vmalloc.vmalloc(size2, "kmem_arena");
    if (va === 0n) return null;
    const koff = this.pages.koff(va);
    this.vmSpans.set(koff, size2);
    this.vmallocPages += npages;
    return koff;
  }
  releaseSpan(koff, size2) {
    this.wakeSleepers();
    const npages = size2 / PAGE_SIZE;
    if (koff < LINEAR_SPAN && !this.vmSpans.has(koff)) {
      this.linearPages -= npages;
      return this.pages.free(koff, Math.log2(npages));
    }
    this.vmSpans.delete(koff);
    this.vmallocPages -= npages;
    this.k.mm.vmalloc.vfree(this.pages.va(koff));
  }
  wakeSleepers() {
    this.frees++;
    if (this.wq.waiters.size > 0) wake_up(this.k.sched, this.wq);
  }
  /** Run a kmem call; a diagnostic is logged and ends only this request. */
  guarded(fallback, fn) {
    try {
      return fn();
    } catch (e) {
      return this.diagnostic(e, fallback);
    }
  }
  diagnostic(e, fallback) {
    if (!(e instanceof KernelDiagnostic)) throw e;
    this.k.printk(e.message);
    return fallback;
  }
  /** kmem_alloc(size, KM_NOSLEEP or KM_SLEEP): a kernel VA, or 0n. */
  kmem_alloc(size2, flags) {
    try {
      const p = kmem_alloc(this.km, size2, flags);
      return p === null ? 0n : PAGE_OFFSET + BigInt(p);
    } catch (e) {
      return this.diagnostic(e, 0n);
    }
  }
  kmem_zalloc(size2, flags) {
    return this.guarded(0n, () => {
      const p = kmem_zalloc(this.km, size2, flags);
      return p === null ? 0n : this.pages.va(p);
    });
  }
  kmem_free(va, size2) {
    try {
      kmem_free(this.km, Number(va - PAGE_OFFSET), size2);
    } catch (e) {
      this.diagnostic(e, void 0);
    }
    this.wakeSleepers();
  }
  /** kmem_alloc(size, KM_SLEEP) in a kernel thread: waits until it succeeds (0n only for bad input). */
  *kmem_alloc_sleep(size2) {
    for (; ; ) {
      const seen = this.frees;
      const diag = { hit: false };
      const p = this.guarded(null, () => {
        try {
          return kmem_alloc(this.km, size2, KM_NOSLEEP);
        } catch (e) {
          diag.hit = true;
          throw e;
        }
      });
      if (p !== null) return this.pages.va(p);
      if (diag.hit) return 0n;
      const until = this.k.clockNs() + KMEM_SLEEP_RETRY_MS * 1e6;
      yield* wait_event_until(this.wq, () => this.frees !== seen, until, `kmem_alloc(${size2}, KM_SLEEP)`);
    }
  }
  /** The __percpu pointer of a cache's pool_cache_cpu (for ARM64 code reading it through TPIDR_EL1). */
  percpuPointer(cache) {
    return this.pcc.pcc.get(cache);
  }
  /** Every pool kmem owns, then the magazine pools. */
  pools() {
    return [...kmem_caches(this.km).map((pc) => pc.pc_pool), ...this.pcc.pools];
  }
  /** /proc/kmem: vmstat -m, then vmstat -C. */
  show() {
    return `${vmstat_m(this.pools())}
${vmstat_C(kmem_caches(this.km))}`;
  }
};

// kernel-model/kernel/rcu/kvfree.ts
var KVFREE_BULK_MAX_ENTR = (PAGE_SIZE - 16) / 8;
var KFREE_DRAIN_JIFFIES = HZ / 50;
var KFREE_N_BATCHES = 2;
var FREE_N_CHANNELS = 2;
var rcu_min_cached_objs = 5;
var KfreeRcuCpuWork = class {
  constructor(work) {
    this.work = work;
  }
  work;
  bkvhead_free = [null, null];
  head_free = 0n;
  /** queue_rcu_work's pending bit: set until the work starts. */
  rcuPending = false;
};
var KfreeRcuCpu = class {
  constructor(monitor_work) {
    this.monitor_work = monitor_work;
  }
  monitor_work;
  bkvhead = [null, null];
  head = 0n;
  count = 0;
  monitor_todo = false;
  krw_arr = [];
  bkvcache = [];
};
var KfreeRcu = class {
  constructor(k) {
    this.k = k;
    this.krc = Array.from({ length: k.machine.cores.length }, () => {
      const krcp = new KfreeRcuCpu(new DelayedWork(() => this.kfree_rcu_monitor(krcp), "kfree_rcu_monitor"));
      for (let i = 0; i < KFREE_N_BATCHES; i++) {
        const krw = new KfreeRcuCpuWork(new WorkStruct(() => this.kfree_rcu_work(krw), "kfree_rcu_work"));
        krcp.krw_arr.push(krw);
      }
      return krcp;
    });
  }
  k;
  krc;
  faults = {};
  /** Objects freed after their grace period, and inline (1-argument fallback). */
  freed = 0;
  freedInline = 0;
  /** Objects waiting, on every CPU (queued, detached, or behind a grace period). */
  get outstanding() {
    let n = 0;
    for (const krcp of this.krc) {
      for (const b of krcp.bkvhead) n += chainCount(b);
      n += this.headCount(krcp.head);
      for (const krw of krcp.krw_arr) {
        for (const b of krw.bkvhead_free) n += chainCount(b);
        n += this.headCount(krw.head_free);
      }
    }
    return n;
  }
  /** Bulk pages held (in chains and in the per-CPU caches). */
  get bulkPages() {
    let n = 0;
    const pages = (b) => b ? 1 + pages(b.next) : 0;
    for (const krcp of this.krc) {
      n += krcp.bkvcache.length;
      for (const b of krcp.bkvhead) n += pages(b);
      for (const krw of krcp.krw_arr) for (const b of krw.bkvhead_free) n += pages(b);
    }
    return n;
  }
  headCount(head) {
    let n = 0;
    for (let h = head; h !== 0n; h = this.k.arch.kmem.read64(h)) n++;
    return n;
  }
  kvfree(ptr) {
    if (this.k.mm.vmalloc.is_vmalloc_addr(ptr)) this.k.mm.vmalloc.vfree(ptr);
    else this.k.slab.kfree(ptr);
    this.freed++;
  }
  /* ---- bulk pages ------------------------------------------------------------ */
  get_bnode(krcp) {
    const cached = krcp.bkvcache.pop();
    if (cached) return cached;
    if (this.faults.bnode?.()) return null;
    const pfn = this.k.mm.pgalloc.alloc_page(GFP_NOWAIT | __GFP_NOWARN);
    return pfn === null ? null : { va: this.k.arch.linear.va(pfn * PAGE_SIZE), next: null, nr: 0 };
  }
  put_bnode(krcp, b) {
    if (krcp.bkvcache.length < rcu_min_cached_objs) {
      krcp.bkvcache.push(b);
      return;
    }
    this.k.mm.pgalloc.__free_pages(this.k.arch.linear.pa(b.va) / PAGE_SIZE, 0);
  }
  /** The page's header as Linux keeps it: nr_records, then next. */
  writeHeader(b) {
    this.k.arch.kmem.write64(b.va, BigInt(b.nr));
    this.k.arch.kmem.write64(b.va + 8n, b.next ? b.next.va : 0n);
  }
  /** kvfree_call_rcu_add_ptr_to_bulk */
  add_ptr_to_bulk(krcp, ptr) {
    const idx = this.k.mm.vmalloc.is_vmalloc_addr(ptr) ? 1 : 0;
    let b = krcp.bkvhead[idx];
    if (!b || b.nr === KVFREE_BULK_MAX_ENTR) {
      const n = this.get_bnode(krcp);
      if (!n) return false;
      n.nr = 0;
      n.next = b ?? null;
      krcp.bkvhead[idx] = b = n;
    }
    this.k.arch.kmem.write64(b.va + 16n + 8n * BigInt(b.nr), ptr);
    b.nr++;
    this.writeHeader(b);
    return true;
  }
  /* ---- queueing ------------------------------------------------------------ */
  /**
   * kvfree_call_rcu: queue `ptr` to be freed after a grace period. With an
   * rcu_head at `headOffset` the object can always be queued; without one
   * (the 1-argument form) false means the caller must wait and free it.
   */
  kvfree_call_rcu(ptr, headOffset) {
    const krcp = this.krc[this.k.smp_processor_id()];
    if (!this.add_ptr_to_bulk(krcp, ptr)) {
      if (headOffset === void 0) return false;
      const head = ptr + BigInt(headOffset);
      this.k.arch.kmem.write64(head, krcp.head);
      this.k.arch.kmem.write64(head + 8n, BigInt(headOffset));
      krcp.head = head;
    }
    krcp.count++;
    if (!krcp.monitor_todo) {
      krcp.monitor_todo = true;
      schedule_delayed_work(this.k, krcp.monitor_work, KFREE_DRAIN_JIFFIES);
    }
    return true;
  }
  /** kvfree_rcu(ptr, rhf) / kfree_rcu: the rcu_head is at `headOffset` in the object; never sleeps. */
  kvfree_rcu_2(ptr, headOffset) {
    if (ptr !== 0n) this.kvfree_call_rcu(ptr, headOffset);
  }
  /** kvfree_rcu(ptr): may wait for a grace period (a kernel thread's generator). */
  *kvfree_rcu_1(ptr) {
    if (ptr === 0n || this.kvfree_call_rcu(ptr)) return;
    yield* this.k.rcu.synchronize_rcu();
    this.kvfree(ptr);
    this.freedInline++;
  }
  /* ---- draining -------------------------------------------------------------- */
  /** kfree_rcu_monitor: hand the channels to a free batch, or try again later. */
  kfree_rcu_monitor(krcp) {
    krcp.monitor_todo = false;
    if (this.queue_kfree_rcu_work(krcp)) return;
    krcp.monitor_todo = true;
    schedule_delayed_work(this.k, krcp.monitor_work, KFREE_DRAIN_JIFFIES);
  }
  /** queue_kfree_rcu_work: true when every channel of krcp was handed over. */
  queue_kfree_rcu_work(krcp) {
    let repeat = false;
    for (const krw of krcp.krw_arr) {
      const attachable = krcp.bkvhead[0] && !krw.bkvhead_free[0] || krcp.bkvhead[1] && !krw.bkvhead_free[1] || krcp.head !== 0n && krw.head_free === 0n;
      if (attachable) {
        for (let j = 0; j < FREE_N_CHANNELS; j++) {
          if (!krw.bkvhead_free[j]) {
            krw.bkvhead_free[j] = krcp.bkvhead[j];
            krcp.bkvhead[j] = null;
          }
        }
        if (krw.head_free === 0n) {
          krw.head_free = krcp.head;
          krcp.head = 0n;
        }
        krcp.count = 0;
        this.queue_rcu_work(krw);
      }
      if (krcp.bkvhead[0] || krcp.bkvhead[1] || krcp.head !== 0n) repeat = true;
    }
    return !repeat;
  }
  /** queue_rcu_work: the batch's work on system_wq after a grace period; false if already pending. */
  queue_rcu_work(krw) {
    if (krw.rcuPending) return false;
    krw.rcuPending = true;
    this.k.rcu.call_rcu(() => void queue_work(this.k, system_wq, krw.work));
    return true;
  }
  /** kfree_rcu_work: after the grace period, free everything the batch holds. */
  kfree_rcu_work(krw) {
    krw.rcuPending = false;
    const krcp = this.krc[this.k.smp_processor_id()];
    const chains = krw.bkvhead_free;
    krw.bkvhead_free = [null, null];
    let head = krw.head_free;
    krw.head_free = 0n;
    for (let b of chains) {
      while (b) {
        for (let i = 0; i < b.nr; i++) this.kvfree(this.k.arch.kmem.read64(b.va + 16n + 8n * BigInt(i)));
        const next = b.next;
        this.put_bnode(krcp, b);
        b = next;
      }
    }
    while (head !== 0n) {
      const next = this.k.arch.kmem.read64(head);
      const offset = this.k.arch.kmem.read64(head + 8n);
      this.kvfree(head - offset);
      head = next;
    }
  }
};
function chainCount(b) {
  let n = 0;
  for (; b; b = b.next) n += b.nr;
  return n;
}

// kernel-model/mm/kswapd.ts
function* kswapd(k, pgalloc, wq) {
  for (; ; ) {
    yield* wait_event(wq, () => pgalloc.kswapd_pending || kthread_should_stop(k));
    if (kthread_should_stop(k)) return 0;
    pgalloc.kswapd();
  }
}
function kswapd_init(k, pgalloc) {
  const wq = new WaitQueueHead("kswapd_wait");
  pgalloc.wakeup_kswapd = () => wake_up(k.sched, wq);
  return kthread_run(k, () => kswapd(k, pgalloc, wq), 0, "kswapd0");
}

// kernel-model/init/initramfs.ts
import { gunzipSync } from "node:zlib";

// kernel-model/kernel/futex.ts
var FUTEX_WAIT = 0;
var FUTEX_WAKE = 1;
var FUTEX_WAIT_BITSET = 9;
var FUTEX_WAKE_BITSET = 10;
var FUTEX_PRIVATE_FLAG = 128;
var FUTEX_CLOCK_REALTIME = 256;
var FUTEX_CMD_MASK = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
var FUTEX_BITSET_MATCH_ANY = 4294967295;
var Futexes = class {
  queues = /* @__PURE__ */ new Map();
  /** futex_wait_queue_me: `task` sleeps on (mm, uaddr) until woken. */
  queue(mm, uaddr, task3, bitset) {
    let byAddr = this.queues.get(mm);
    if (!byAddr) this.queues.set(mm, byAddr = /* @__PURE__ */ new Map());
    const q = byAddr.get(uaddr) ?? [];
    q.push({ task: task3, bitset });
    byAddr.set(uaddr, q);
  }
  /** futex_wake: up to `n` waiters whose bitset matches leave the queue; each is passed to `wake`. */
  wake(mm, uaddr, n, bitset, wake) {
    const q = this.queues.get(mm)?.get(uaddr);
    if (!q) return 0;
    let woken = 0;
    for (let i = 0; i < q.length && woken < n; ) {
      if ((q[i].bitset & bitset) === 0) {
        i++;
        continue;
      }
      const [w] = q.splice(i, 1);
      wake(w.task);
      woken++;
    }
    if (q.length === 0) this.queues.get(mm).delete(uaddr);
    return woken;
  }
  /** A thread that stops waiting for another reason (timeout, exit) leaves every queue. */
  unqueue(task3) {
    for (const byAddr of this.queues.values())
      for (const [addr, q] of byAddr) {
        const i = q.findIndex((w) => w.task === task3);
        if (i >= 0) q.splice(i, 1);
        if (q.length === 0) byAddr.delete(addr);
      }
  }
  /** The mm is gone: its queues too. */
  forget(mm) {
    this.queues.delete(mm);
  }
  /** Waiters now (for leak checks). */
  count() {
    let n = 0;
    for (const byAddr of this.queues.values()) for (const q of byAddr.values()) n += q.length;
    return n;
  }
};

// kernel-model/mm/mmap.ts
var VM_READ = 1;
var VM_WRITE = 2;
var VM_EXEC = 4;
var VM_SHARED = 8;
var VM_GROWSDOWN = 256;
var VM_PFNMAP = 1024;
var PROT_READ = 1;
var PROT_WRITE = 2;
var PROT_EXEC = 4;
var PAGE3 = BigInt(PAGE_SIZE);
var STACK_TOP = TASK_SIZE;
var STACK_SIZE = 8n << 20n;
var MMAP_BASE = STACK_TOP - (128n << 20n) - STACK_SIZE;
var page_align = (v) => v + PAGE3 - 1n & ~(PAGE3 - 1n);
var page_down = (v) => v & ~(PAGE3 - 1n);
var VmArea = class _VmArea {
  constructor(start, end, flags, name = "", backing = [], pfnmapPa = 0) {
    this.start = start;
    this.end = end;
    this.flags = flags;
    this.name = name;
    this.backing = backing;
    this.pfnmapPa = pfnmapPa;
  }
  start;
  end;
  flags;
  name;
  backing;
  pfnmapPa;
  get size() {
    return this.end - this.start;
  }
  clone(start, end) {
    const pa = this.flags & VM_PFNMAP ? this.pfnmapPa + Number(start - this.start) : 0;
    return new _VmArea(start, end, this.flags, this.name, this.backing, pa);
  }
};
function vm_get_page_prot(flags) {
  let prot = PROT.USER;
  if (!(flags & VM_WRITE)) prot |= PTE_RDONLY;
  if (flags & VM_EXEC) prot &= ~PTE_UXN;
  return prot;
}
var MmError = class extends Error {
  constructor(errno, message) {
    super(message);
    this.errno = errno;
  }
  errno;
  name = "MmError";
};
var MmStruct = class {
  constructor(host, asid, root) {
    this.host = host;
    this.asid = asid;
    this.pgd = new PageTable(host.ram, () => this.allocTable(), root);
  }
  host;
  asid;
  pgd;
  vmas = [];
  start_brk = 0n;
  brk = 0n;
  start_stack = 0n;
  /** Where argv and envp strings sit (for /proc/PID/cmdline). */
  arg_start = 0n;
  arg_end = 0n;
  mmap_base = MMAP_BASE;
  /** Pages mapped that this mm owns (MM_ANONPAGES + MM_FILEPAGES: all private copies here). */
  rss = 0;
  /** Table pages under the root (nr_ptes + nr_pmds). */
  nr_tables = 0;
  /** Threads using this mm (mm_users). */
  users = 1;
  /** TTBR0_EL1 for this address space: its tables and its ASID (ASID in bits 63:48). */
  get ttbr0() {
    return BigInt(this.pgd.root) | BigInt(this.asid) << 48n;
  }
  allocTable() {
    const pa = this.host.allocTable();
    if (pa === null) throw new MmError(12, "out of memory for a page table");
    this.nr_tables++;
    return pa;
  }
  /* ---- areas ---------------------------------------------------------------- */
  /** Index of the first area ending above `addr` (find_vma), or vmas.length. */
  indexAbove(addr) {
    let lo = 0;
    let hi = this.vmas.length;
    while (lo < hi) {
      const mid = lo + hi >> 1;
      if (this.vmas[mid].end > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
  /** find_vma: the first area with end > addr (it may start above addr). */
  find_vma(addr) {
    return this.vmas[this.indexAbove(addr)];
  }
  /** The area containing addr, if any. */
  vma_at(addr) {
    const v = this.find_vma(addr);
    return v && v.start <= addr ? v : void 0;
  }
  /** Is [start, end) free of areas? */
  range_free(start, end) {
    const v = this.find_vma(start);
    return !v || v.start >= end;
  }
  /** insert_vm_struct: the range must be free. */
  insert_vma(v) {
    if (v.start >= v.end || v.start & PAGE3 - 1n || v.end & PAGE3 - 1n) throw new MmError(22, `bad area ${hex5(v.start)}-${hex5(v.end)}`);
    if (!this.range_free(v.start, v.end)) throw new MmError(17, `area ${hex5(v.start)}-${hex5(v.end)} overlaps another`);
    this.vmas.splice(this.indexAbove(v.start), 0, v);
  }
  /**
   * get_unmapped_area, top-down (arch_get_unmapped_area_topdown): the
   * highest gap of `len` bytes below mmap_base; a hint is used if free.
   */
  get_unmapped_area(len, hint = 0n) {
    if (len > TASK_SIZE) return void 0;
    if (hint) {
      const h = page_align(hint);
      if (h + len <= this.mmap_base && h >= PAGE3 && this.range_free(h, h + len)) return h;
    }
    let top = this.mmap_base;
    for (let i = this.vmas.length - 1; i >= -1; i--) {
      const v = this.vmas[i];
      if (v && v.start >= top) continue;
      if (v && v.end > top) {
        top = v.start;
        continue;
      }
      const bottom = v ? v.end : PAGE3;
      if (top >= bottom + len) return top - len;
      if (v) top = v.start;
    }
    return void 0;
  }
  /** split_vma: the area containing `addr` (if any) becomes two at `addr`. */
  split_vma(addr) {
    const i = this.indexAbove(addr);
    const v = this.vmas[i];
    if (v && v.start < addr) this.vmas.splice(i, 1, v.clone(v.start, addr), v.clone(addr, v.end));
  }
  /**
   * Cut areas at `start` and `end` so that the range is made of whole
   * areas (split_vma), and return the indices [first, last) covering it.
   */
  split_range(start, end) {
    let i = this.indexAbove(start);
    const v = this.vmas[i];
    if (v && v.start < start && v.end > start) {
      this.vmas.splice(i, 1, v.clone(v.start, start), v.clone(start, v.end));
      i++;
    }
    let j = i;
    while (j < this.vmas.length && this.vmas[j].start < end) {
      const w = this.vmas[j];
      if (w.end > end) this.vmas.splice(j, 1, w.clone(w.start, end), w.clone(end, w.end));
      j++;
    }
    return [i, j];
  }
  /** do_munmap: pages of [start, start+len) freed, their entries cleared, the areas cut. */
  munmap(start, len) {
    const end = start + page_align(len);
    const [i, j] = this.split_range(start, end);
    const gone = this.vmas.splice(i, j - i);
    let zapped = false;
    for (const v of gone) zapped = this.zap(v, v.start, v.end) || zapped;
    if (zapped) this.host.flushTlbMm(this);
  }
  /** MADV_DONTNEED: the pages of [start, end) are dropped; the areas stay, and read as new memory again. */
  discard(start, end) {
    let zapped = false;
    for (const v of this.vmas) {
      if (v.end <= start || v.start >= end || v.flags & VM_PFNMAP) continue;
      zapped = this.zap(v, v.start > start ? v.start : start, v.end < end ? v.end : end) || zapped;
    }
    if (zapped) this.host.flushTlbMm(this);
  }
  /** mprotect_fixup: new flags for the areas of the range, the present ptes rewritten. */
  mprotect(start, end, setFlags) {
    const [i, j] = this.split_range(start, end);
    for (let n = i; n < j; n++) {
      const v = this.vmas[n];
      v.flags = setFlags(v.flags);
      const prot = vm_get_page_prot(v.flags);
      for (let va = v.start; va < v.end; va += PAGE3) {
        const at = this.pgd.pteAddress(va, false);
        if (at === void 0) continue;
        const pte = this.host.ram.u64(at);
        if (pte & PTE_VALID) this.host.ram.setU64(at, PageTable.mkPte(PageTable.pteAddr(pte), prot));
      }
    }
    this.merge_all();
    this.host.flushTlbMm(this);
  }
  /** vma_merge, in bulk: neighbours that are alike and contiguous become one area. */
  merge_all() {
    for (let i = this.vmas.length - 1; i > 0; i--) {
      const a = this.vmas[i - 1];
      const b = this.vmas[i];
      if (a.end === b.start && a.flags === b.flags && a.name === b.name && a.backing === b.backing && !(a.flags & VM_PFNMAP)) {
        a.end = b.end;
        this.vmas.splice(i, 1);
      }
    }
  }
  /** Clear the ptes of [start, end) in area `v` and free the pages it owns (zap_page_range). */
  zap(v, start, end) {
    let any = false;
    for (let va = start; va < end; va += PAGE3) {
      const at = this.pgd.pteAddress(va, false);
      if (at === void 0) {
        va = (va | (1n << 21n) - 1n) + 1n - PAGE3;
        continue;
      }
      const pte = this.host.ram.u64(at);
      if (!(pte & PTE_VALID)) continue;
      this.host.ram.setU64(at, 0n);
      any = true;
      if (!(v.flags & VM_PFNMAP)) {
        this.host.freeUserPage(PageTable.pteAddr(pte));
        this.rss--;
      }
    }
    return any;
  }
  /**
   * Map one page for a fault in `v` (mm/memory.c's do_anonymous_page and
   * do_read_fault, for private mappings): a fresh zeroed page, with the
   * backing's bytes copied in. False if memory ran out.
   */
  populate(v, va) {
    const page = page_down(va);
    let at;
    try {
      at = this.pgd.pteAddress(page, true);
    } catch (e) {
      if (e instanceof MmError || e instanceof PgTableError) return false;
      throw e;
    }
    if (at === void 0) return false;
    if (v.flags & VM_PFNMAP) {
      this.host.ram.setU64(at, PageTable.mkPte(v.pfnmapPa + Number(page - v.start), vm_get_page_prot(v.flags)));
      return true;
    }
    const pa = this.host.allocUserPage();
    if (pa === null) return false;
    for (const b of v.backing) copyBacking(this.host.ram, pa, page, b);
    if (v.flags & VM_EXEC) this.host.codeChanged(pa);
    this.host.ram.setU64(at, PageTable.mkPte(pa, vm_get_page_prot(v.flags)));
    this.rss++;
    return true;
  }
  /**
   * dup_mmap (kernel/fork.c): `child`, a new empty mm, gets a copy of
   * every area; private pages are shared copy-on-write (both ptes made
   * read-only, the page's count raised), shared areas share their pages
   * writable, windows (VM_PFNMAP) are copied as they are. False, with the
   * child half built (the caller drops it), when a table page is missing.
   */
  dup_mmap(child) {
    const ram = this.host.ram;
    for (const v of this.vmas) child.vmas.push(v.clone(v.start, v.end));
    child.start_brk = this.start_brk;
    child.brk = this.brk;
    child.start_stack = this.start_stack;
    child.arg_start = this.arg_start;
    child.arg_end = this.arg_end;
    let wrprotected = false;
    for (const v of this.vmas) {
      const cow = !(v.flags & (VM_SHARED | VM_PFNMAP));
      for (let va = v.start; va < v.end; va += PAGE3) {
        const at = this.pgd.pteAddress(va, false);
        if (at === void 0) {
          va = (va | (1n << 21n) - 1n) + 1n - PAGE3;
          continue;
        }
        let pte = ram.u64(at);
        if (!(pte & PTE_VALID)) continue;
        if (cow && !(pte & PTE_RDONLY)) {
          pte |= PTE_RDONLY;
          ram.setU64(at, pte);
          wrprotected = true;
        }
        let cat;
        try {
          cat = child.pgd.pteAddress(va, true);
        } catch (e) {
          if (e instanceof MmError || e instanceof PgTableError) cat = void 0;
          else throw e;
        }
        if (cat === void 0) {
          if (wrprotected) this.host.flushTlbMm(this);
          return false;
        }
        ram.setU64(cat, pte);
        if (!(v.flags & VM_PFNMAP)) {
          this.host.getUserPage(PageTable.pteAddr(pte));
          child.rss++;
        }
      }
    }
    if (wrprotected) this.host.flushTlbMm(this);
    return true;
  }
  /**
   * do_wp_page: a write to a present read-only page of a writable private
   * area (shared since fork): the only user takes it back writable; others
   * get a copy. False if memory ran out.
   */
  wp_page(va) {
    const ram = this.host.ram;
    const v = this.vma_at(va);
    const at = this.pgd.pteAddress(page_down(va), false);
    const old = PageTable.pteAddr(ram.u64(at));
    const prot = vm_get_page_prot(v.flags);
    if (this.host.userPageCount(old) === 1) {
      ram.setU64(at, PageTable.mkPte(old, prot));
    } else {
      const copy = this.host.allocUserPage();
      if (copy === null) return false;
      ram.bytes(copy, PAGE_SIZE).set(ram.bytes(old, PAGE_SIZE));
      if (v.flags & VM_EXEC) this.host.codeChanged(copy);
      ram.setU64(at, PageTable.mkPte(copy, prot));
      this.host.freeUserPage(old);
    }
    this.host.flushTlbMm(this);
    return true;
  }
  /** The physical address `va` maps now, if a page is there. */
  lookup(va) {
    if (va < 0n || va >= TASK_SIZE) return void 0;
    const pa = this.user_pa(Number(va), false);
    return pa < 0 ? void 0 : { pa, writable: this.user_pa(Number(va), true) >= 0 };
  }
  /**
   * The physical address user address `va` (a number below TASK_SIZE)
   * reaches now, for a write when `write`; -1 when no page is mapped there,
   * or it is read-only for a write. What copies to and from user memory
   * ask page after page, without building anything.
   */
  user_pa(va, write) {
    const at = this.pgd.leaf(va);
    if (at < 0) return -1;
    const ram = this.host.ram;
    const lo = ram.u32(at);
    if (write && lo & 128) return -1;
    return ((lo & 4294963200) >>> 0) + (ram.u32(at + 4) & 65535) * 2 ** 32 + va % PAGE_SIZE;
  }
  /** exit_mmap: every area unmapped, every table freed (the root too when `freeRoot`). */
  exit_mmap(freeRoot = true) {
    for (const v of this.vmas) this.zap(v, v.start, v.end);
    this.vmas.length = 0;
    this.host.flushTlbMm(this);
    this.pgd.freeTables((pa) => this.host.freeTable(pa), freeRoot);
    this.nr_tables = 0;
  }
};
function copyBacking(ram, pa, page, b) {
  const from = page > b.va ? page : b.va;
  const to = page + PAGE3 < b.va + BigInt(b.bytes.length) ? page + PAGE3 : b.va + BigInt(b.bytes.length);
  if (from >= to) return;
  ram.bytes(pa + Number(from - page), Number(to - from)).set(b.bytes.subarray(Number(from - b.va), Number(to - b.va)));
}
var hex5 = (v) => `0x${v.toString(16)}`;

// kernel-model/mm/memory.ts
var NEEDS = { read: VM_READ, write: VM_WRITE, exec: VM_EXEC };
function handle_mm_fault(mm, va, access) {
  const v = mm.vma_at(va);
  if (!v) return "maperr";
  if (!(v.flags & NEEDS[access])) return "accerr";
  const present = mm.lookup(va);
  if (present && access === "write" && !present.writable) return mm.wp_page(va) ? "ok" : "oom";
  if (present) return "ok";
  return mm.populate(v, va) ? "ok" : "oom";
}
function faults_in_code(mm, va) {
  const v = mm.vma_at(va);
  return !!v && (v.flags & VM_EXEC) !== 0 && !mm.lookup(va);
}

// kernel-model/kernel/uaccess.ts
var PAGE4 = BigInt(PAGE_SIZE);
var NeedsSlowPath = class extends Error {
  name = "NeedsSlowPath";
};
var NEEDS_SLOW_PATH = new NeedsSlowPath("the call must take the trap path");
function needs_slow_path() {
  throw NEEDS_SLOW_PATH;
}
function access_ok(va, len) {
  return va >= 0n && len >= 0 && va + BigInt(len) <= TASK_SIZE;
}
var pagePa = [];
function eachUserPage(mm, va, len, write, inHook, fn) {
  if (!access_ok(va, len)) return false;
  const start = Number(va);
  pagePa.length = 0;
  for (let done = 0; done < len; ) {
    const at = start + done;
    let pa = mm.user_pa(at, write);
    if (pa < 0) {
      const big2 = BigInt(at);
      if (inHook && faults_in_code(mm, big2)) needs_slow_path();
      if (handle_mm_fault(mm, big2, write ? "write" : "read") !== "ok") return false;
      pa = mm.user_pa(at, write);
    }
    pagePa.push(pa);
    done += Math.min(len - done, PAGE_SIZE - at % PAGE_SIZE);
  }
  for (let i = 0, done = 0; done < len; i++) {
    const n = Math.min(len - done, PAGE_SIZE - (start + done) % PAGE_SIZE);
    fn(pagePa[i], done, n);
    done += n;
  }
  return true;
}
function copyFromUser(mm, ram, va, len, inHook = false) {
  const out = new Uint8Array(len);
  return copyFromUserInto(mm, ram, va, out, inHook) ? out : void 0;
}
function copyFromUserInto(mm, ram, va, out, inHook = false) {
  return eachUserPage(mm, va, out.length, false, inHook, (pa, off, n) => out.set(ram.bytes(pa, n), off));
}
function copyToUser(mm, ram, va, data, inHook = false) {
  return eachUserPage(mm, va, data.length, true, inHook, (pa, off, n) => ram.bytes(pa, n).set(data.subarray(off, off + n)));
}
function strncpyFromUser(mm, ram, va, max, inHook = false) {
  const bytes2 = [];
  for (let at = va; bytes2.length < max; ) {
    const n = Math.min(max - bytes2.length, Number(PAGE4 - at % PAGE4));
    const chunk = copyFromUser(mm, ram, at, n, inHook);
    if (!chunk) return void 0;
    const z = chunk.indexOf(0);
    if (z >= 0) return new TextDecoder().decode(Uint8Array.from([...bytes2, ...chunk.subarray(0, z)]));
    bytes2.push(...chunk);
    at += BigInt(n);
  }
  return "toolong";
}

// kernel-model/kernel/process.ts
var W_EXITCODE = (code) => (code & 255) << 8;
var W_SIGNALED = (sig) => sig & 127;
var Process = class {
  constructor(pid, comm, mm) {
    this.pid = pid;
    this.comm = comm;
    this.mm = mm;
    this.pgid = pid;
    this.sid = pid;
  }
  pid;
  comm;
  mm;
  threads = /* @__PURE__ */ new Set();
  children = /* @__PURE__ */ new Set();
  parent;
  state = "alive";
  /** The wait status once it has ended. */
  wstatus = 0;
  /** Threads (of this process) blocked in wait4 for a child. */
  waiters = /* @__PURE__ */ new Set();
  /** Called with the wait status when the process ends and nobody will wait4 for it. */
  onRelease = [];
  /** The executable's path (/proc/PID/exe, AT_EXECFN). */
  exe = "";
  /** Resource limits by RLIMIT_* number: [soft, hard]. */
  rlimits = /* @__PURE__ */ new Map();
  /**
   * Where writes to fds 1 and 2 go when not to the console: a host sink
   * (`uconsole run` passes a program's output through, as qemu-user does).
   */
  stdio;
  /** With `stdio`: what fd 0 reads (the read end of a pipe the host writes); end of file without it. */
  stdin;
  /** Process group and session ids (setpgid, setsid); a new process inherits its parent's. */
  pgid;
  sid;
  /** Virtual time it was made at (/proc/PID/stat's starttime). */
  startNs = 0;
  /** A vfork child: the parent thread sleeping until this process execs or exits. */
  vforkParent;
  /** Lives on when its last thread ends, keeping its address space (the test harness's process). */
  persistent = false;
  /** CPU time of its ended threads, and of its children reaped by wait (cutime, cstime), in virtual ns. */
  deadUtimeNs = 0;
  deadStimeNs = 0;
  cutimeNs = 0;
  cstimeNs = 0;
  /** Stopped by job control (kernel/jobctl.ts), by `stopSig`. */
  stopped = false;
  stopSig = 0;
  /** A stop or continue its parent's wait has not collected yet. */
  waitReport;
  /** rt_sigaction's stored actions, raw struct sigaction bytes by signal. */
  sigactions = /* @__PURE__ */ new Map();
  toString() {
    return `${this.comm}[${this.pid}]`;
  }
};
var scratch = /* @__PURE__ */ new Map();
function prepare_user_context(core, task3, start, retToUser) {
  const saved = scratch.get(core) ?? core.newContext();
  scratch.set(core, saved);
  core.saveContext(saved);
  try {
    core.restoreEl1();
    for (let i = 0; i <= 8; i++) core.setX(i, start.regs?.get(i) ?? 0n);
    core.sysWrite(SYSREG.TTBR0_EL1, start.ttbr0);
    core.sysWrite(SYSREG.TPIDR_EL0, start.tls ?? 0n);
    core.enterEl0(start.entry, start.sp);
    task3.context ??= core.newContext();
    core.saveContext(task3.context);
    task3.resumePc = retToUser;
  } finally {
    core.restoreContext(saved);
  }
}
function copy_thread(core, child, resumePc, sp, tls, ttbr0) {
  const x0 = core.x(0);
  const oldSp = core.sp;
  const oldTls = core.sysRead(SYSREG.TPIDR_EL0);
  const oldTtbr0 = core.sysRead(SYSREG.TTBR0_EL1);
  core.setX(0, 0n);
  if (sp !== void 0) core.sp = sp;
  if (tls !== void 0) core.sysWrite(SYSREG.TPIDR_EL0, tls);
  if (ttbr0 !== void 0) core.sysWrite(SYSREG.TTBR0_EL1, ttbr0);
  child.context ??= core.newContext();
  core.saveContext(child.context);
  child.resumePc = resumePc;
  core.setX(0, x0);
  core.sp = oldSp;
  core.sysWrite(SYSREG.TPIDR_EL0, oldTls);
  if (ttbr0 !== void 0) core.sysWrite(SYSREG.TTBR0_EL1, oldTtbr0);
}
var ProcessTable = class {
  byPid = /* @__PURE__ */ new Map();
  /** The process children are reparented to (find_child_reaper): /init when it runs. */
  init;
  /** Told of each process added and removed (its /proc/PID directory). */
  onAdd;
  onRemove;
  add(p) {
    this.byPid.set(p.pid, p);
    this.onAdd?.(p);
  }
  get(pid) {
    return this.byPid.get(pid);
  }
  /** A thread by tid, in any process. */
  thread(tid) {
    for (const p of this.byPid.values()) for (const t2 of p.threads) if (t2.tid === tid) return t2;
    return void 0;
  }
  remove(p) {
    if (this.byPid.get(p.pid) === p) this.byPid.delete(p.pid);
    this.onRemove?.(p);
  }
  all() {
    return [...this.byPid.values()].sort((a, b) => a.pid - b.pid);
  }
};
function thread_group_cputime(p) {
  let utime = p.deadUtimeNs;
  let stime = p.deadStimeNs;
  for (const t2 of p.threads) {
    utime += t2.utimeNs;
    stime += t2.stimeNs;
  }
  return { utime, stime };
}
function first_thread(p) {
  for (const t2 of p.threads) return t2;
  return void 0;
}

// kernel-model/include/errno.ts
var EPERM = 1;
var ENOENT2 = 2;
var ESRCH = 3;
var EINTR = 4;
var EIO = 5;
var ENXIO = 6;
var E2BIG = 7;
var ENOEXEC = 8;
var EBADF = 9;
var ECHILD = 10;
var EAGAIN = 11;
var ENOMEM3 = 12;
var EACCES = 13;
var EFAULT = 14;
var EBUSY4 = 16;
var EEXIST = 17;
var EXDEV = 18;
var ENODEV = 19;
var ENOTDIR = 20;
var EISDIR = 21;
var EINVAL4 = 22;
var EMFILE = 24;
var ENOTTY = 25;
var ESPIPE = 29;
var EROFS = 30;
var EPIPE = 32;
var ERANGE = 34;
var ENAMETOOLONG = 36;
var ENOSYS = 38;
var ENOTEMPTY = 39;
var ELOOP = 40;
var ENOTSUP = 95;
var ETIMEDOUT = 110;

// kernel-model/fs/binfmt_elf.ts
var ELF_ET_DYN_BASE = page_down(2n * TASK_SIZE / 3n);
var AT = {
  NULL: 0,
  PHDR: 3,
  PHENT: 4,
  PHNUM: 5,
  PAGESZ: 6,
  BASE: 7,
  FLAGS: 8,
  ENTRY: 9,
  UID: 11,
  EUID: 12,
  GID: 13,
  EGID: 14,
  PLATFORM: 15,
  HWCAP: 16,
  CLKTCK: 17,
  SECURE: 23,
  RANDOM: 25,
  HWCAP2: 26,
  EXECFN: 31
};
var ExecError = class extends Error {
  constructor(errno, message) {
    super(message);
    this.errno = errno;
  }
  errno;
  name = "ExecError";
};
var ARG_MAX = Number(STACK_SIZE / 4n);
var flagsOf2 = (pf) => (pf & PF_R ? VM_READ : 0) | (pf & PF_W ? VM_WRITE : 0) | (pf & PF_X ? VM_EXEC : 0);
function load_elf_binary(mm, a) {
  const bias = a.elf.type === ET_DYN ? ELF_ET_DYN_BASE : 0n;
  const loads = a.elf.phdrs.filter((p) => p.type === PT_LOAD).map((p) => ({ ...p, vaddr: p.vaddr + bias }));
  if (loads.length === 0) throw new ExecError(ENOEXEC, "no PT_LOAD segment");
  let end = 0n;
  let phdrVa;
  for (const p of loads) {
    if (p.filesz > p.memsz || p.offset + p.filesz > a.file.length) throw new ExecError(ENOEXEC, "a segment lies outside the file");
    if (BigInt(p.offset) % PAGE3 !== p.vaddr % PAGE3) throw new ExecError(ENOEXEC, "a segment is not congruent to its file offset modulo the page size");
    map_segment(mm, a.file, p, a.filename);
    const segEnd = p.vaddr + BigInt(p.memsz);
    if (segEnd > end) end = segEnd;
    if (a.elf.phoff >= p.offset && a.elf.phoff + a.elf.phnum * a.elf.phentsize <= p.offset + p.filesz)
      phdrVa = p.vaddr + BigInt(a.elf.phoff - p.offset);
  }
  mm.start_brk = mm.brk = page_align(end);
  mm.insert_vma(new VmArea(STACK_TOP - STACK_SIZE, STACK_TOP, VM_READ | VM_WRITE | VM_GROWSDOWN, "[stack]"));
  if (a.vdsoPa !== void 0) map_vdso(mm, a.vdsoPa);
  const entry = a.elf.entry + bias;
  const sp = create_elf_tables(mm, a, phdrVa ?? 0n, entry);
  return { entry, sp };
}
function map_segment(mm, file2, p, name) {
  if (p.memsz === 0) return;
  const start = page_down(p.vaddr);
  const end = page_align(p.vaddr + BigInt(p.memsz));
  const backing = { bytes: file2.subarray(p.offset, p.offset + p.filesz), va: p.vaddr };
  const flags = flagsOf2(p.flags);
  let from = start;
  if (mm.vma_at(start)) {
    mm.split_vma(start);
    mm.split_vma(start + PAGE3);
    const shared = mm.vma_at(start);
    if (shared.end !== start + PAGE3) throw new ExecError(ENOEXEC, "segments overlap");
    shared.flags |= flags;
    shared.backing = [...shared.backing, backing];
    from = start + PAGE3;
  }
  if (from < end) {
    if (!mm.range_free(from, end)) throw new ExecError(ENOEXEC, "segments overlap");
    mm.insert_vma(new VmArea(from, end, flags, name, [backing]));
  }
}
var VDSO_VA = STACK_TOP - STACK_SIZE - 2n * PAGE3;
function map_vdso(mm, pa) {
  mm.insert_vma(new VmArea(VDSO_VA, VDSO_VA + PAGE3, VM_READ | VM_EXEC | VM_PFNMAP, "[vdso]", [], pa));
}
var StackWriter = class {
  constructor(p) {
    this.p = p;
  }
  p;
  chunks = [];
  push(bytes2) {
    this.p -= BigInt(bytes2.length);
    this.chunks.push({ va: this.p, bytes: bytes2 });
    return this.p;
  }
  pushString(s) {
    const b = new TextEncoder().encode(s);
    const z = new Uint8Array(b.length + 1);
    z.set(b);
    return this.push(z);
  }
  /** Write everything into the mm's pages (faulting them in). */
  commit(mm) {
    for (const c of this.chunks) writeUser(mm, c.va, c.bytes);
  }
};
function writeUser(mm, va, bytes2) {
  for (let done = 0; done < bytes2.length; ) {
    const at = va + BigInt(done);
    const v = mm.vma_at(at);
    if (!v) throw new ExecError(ENOMEM3, `no area at 0x${at.toString(16)}`);
    let pa = mm.lookup(at);
    if (!pa) {
      if (!mm.populate(v, at)) throw new ExecError(ENOMEM3, "out of memory for the stack");
      pa = mm.lookup(at);
    }
    const n = Math.min(bytes2.length - done, Number(PAGE3 - at % PAGE3));
    mm.host.ram.bytes(pa.pa, n).set(bytes2.subarray(done, done + n));
    done += n;
  }
}
function create_elf_tables(mm, a, phdr, entry) {
  const argBytes = [...a.argv, ...a.envp].reduce((n, s) => n + s.length + 1, 0);
  if (argBytes > ARG_MAX) throw new ExecError(E2BIG, `argument list too long (${argBytes} bytes)`);
  const st = new StackWriter(STACK_TOP - 8n);
  const execfn = st.pushString(a.filename);
  const envp = [...a.envp].reverse().map((s) => st.pushString(s)).reverse();
  mm.arg_end = st.p;
  const argv2 = [...a.argv].reverse().map((s) => st.pushString(s)).reverse();
  mm.arg_start = st.p;
  st.p &= ~15n;
  const platform = st.pushString("aarch64");
  const random = st.push(a.random.slice(0, 16));
  const auxv = [
    [AT.HWCAP, a.hwcap],
    [AT.PAGESZ, PAGE3],
    [AT.CLKTCK, BigInt(a.clktck)],
    [AT.PHDR, phdr],
    [AT.PHENT, BigInt(a.elf.phentsize)],
    [AT.PHNUM, BigInt(a.elf.phnum)],
    [AT.BASE, 0n],
    [AT.FLAGS, 0n],
    [AT.ENTRY, entry],
    [AT.UID, 0n],
    [AT.EUID, 0n],
    [AT.GID, 0n],
    [AT.EGID, 0n],
    [AT.SECURE, 0n],
    [AT.RANDOM, random],
    [AT.HWCAP2, 0n],
    [AT.EXECFN, execfn],
    [AT.PLATFORM, platform],
    [AT.NULL, 0n]
  ];
  const words = [BigInt(a.argv.length), ...argv2, 0n, ...envp, 0n, ...auxv.flatMap(([k, v]) => [BigInt(k), v])];
  let sp = st.p - BigInt(words.length * 8) & ~15n;
  const table2 = new BigUint64Array(words);
  st.commit(mm);
  writeUser(mm, sp, new Uint8Array(table2.buffer));
  mm.start_stack = sp;
  if (STACK_TOP - sp > STACK_SIZE) throw new ExecError(E2BIG, "the initial stack does not fit");
  return sp;
}

// kernel-model/include/signal.ts
var SIGHUP = 1;
var SIGINT = 2;
var SIGQUIT = 3;
var SIGKILL = 9;
var SIGSEGV = 11;
var SIGPIPE = 13;
var SIGCHLD = 17;
var SIGCONT = 18;
var SIGSTOP = 19;
var SIGTSTP = 20;
var SIGTTIN = 21;
var SIGTTOU = 22;
var SIGWINCH = 28;
var NSIG = 64;

// kernel-model/kernel/jobctl.ts
var SA_NOCLDSTOP = 1n;
var bit = (sig) => 1n << BigInt(sig - 1);
var STOP_MASK = bit(SIGSTOP) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU);
function sig_kernel_stop(sig) {
  return (STOP_MASK & bit(sig)) !== 0n;
}
function is_orphaned_pgrp(k, pgid, ignoring) {
  for (const p of k.user.procs.all()) {
    if (p.pgid !== pgid || p === ignoring || p.state !== "alive") continue;
    const parent = p.parent;
    if (!parent || parent === ignoring || parent === k.user.procs.init) continue;
    if (parent.pgid !== pgid && parent.sid === p.sid) return false;
  }
  return true;
}
function pgrp_members(k, pgid) {
  return k.user.procs.all().filter((p) => p.pgid === pgid && p.state === "alive" && p.threads.size > 0);
}
function kill_pgrp(k, pgid, sig) {
  const members = pgrp_members(k, pgid);
  for (const p of members) {
    const t2 = first_thread(p);
    if (t2) send_signal(k, t2, sig, { code: 128 });
  }
  return members.length > 0;
}
function prepare_signal(k, proc3, sig) {
  if (sig === SIGCONT || sig === SIGKILL) {
    for (const t2 of proc3.threads) t2.pending &= ~STOP_MASK;
    if (proc3.stopped) do_continue(k, proc3);
  } else if (sig_kernel_stop(sig)) {
    for (const t2 of proc3.threads) t2.pending &= ~bit(SIGCONT);
  }
}
function do_signal_stop(k, proc3, sig) {
  if (proc3.stopped || proc3.state !== "alive") return;
  if (sig !== SIGSTOP && is_orphaned_pgrp(k, proc3.pgid)) return;
  proc3.stopped = true;
  proc3.stopSig = sig;
  for (const t2 of proc3.threads) {
    t2.jobStop = true;
    k.sched.stopRunnable(t2);
  }
  notify_parent_cldstop(k, proc3, "stopped");
}
function do_continue(k, proc3) {
  proc3.stopped = false;
  for (const t2 of proc3.threads) {
    t2.jobStop = false;
    k.sched.continueTask(t2);
  }
  notify_parent_cldstop(k, proc3, "continued");
}
function notify_parent_cldstop(k, proc3, what) {
  proc3.waitReport = what;
  const parent = proc3.parent;
  if (!parent || parent.state !== "alive") return;
  wake_parent_waiters(k, parent);
  const pt = first_thread(parent);
  if (pt && !(sigaction_flags(parent, SIGCHLD) & SA_NOCLDSTOP)) send_signal(k, pt, SIGCHLD, { code: what === "stopped" ? CLD_STOPPED : CLD_CONTINUED });
}
function kill_orphaned_pgrp(k, tsk, father) {
  const parent = father ?? tsk.parent;
  const ignoring = father ? void 0 : tsk;
  if (!parent || parent.pgid === tsk.pgid || parent.sid !== tsk.sid) return;
  if (!is_orphaned_pgrp(k, tsk.pgid, ignoring) || !pgrp_members(k, tsk.pgid).some((p) => p.stopped)) return;
  kill_pgrp(k, tsk.pgid, SIGHUP);
  kill_pgrp(k, tsk.pgid, SIGCONT);
}
function stopping(t2) {
  return t2.jobStop && t2.state === "running";
}
var TtyJobSignal = class extends Error {
  constructor(sig) {
    super(`tty job control: signal ${sig}`);
    this.sig = sig;
  }
  sig;
  name = "TtyJobSignal";
};
function tty_check_change(k, t2, sid, fgPgrp, sig) {
  const p = t2.proc;
  if (!p || p.sid !== sid || p.pgid === fgPgrp) return "ok";
  if (sig_ignored_or_blocked(t2, sig)) return sig === SIGTTIN ? "eio" : "ok";
  if (is_orphaned_pgrp(k, p.pgid)) return "eio";
  throw new TtyJobSignal(sig);
}
function tty_job_stop(k, t2, sig, svcPc) {
  kill_pgrp(k, t2.proc.pgid, sig);
  if (t2.state === "dead") return 0n;
  return t2.jobStop ? { kind: "sleep", what: "tty job control" } : { kind: "jump", pc: svcPc };
}

// kernel-model/kernel/signal.ts
var SA_SIGINFO = 0x4n;
var SA_RESTORER = 0x04000000n;
var SA_RESTART = 0x10000000n;
var SA_NODEFER = 0x40000000n;
var SA_RESETHAND = 0x80000000n;
var SIG_IGN = 1n;
var EINTR2 = 4;
var DEFAULT_IGNORE = /* @__PURE__ */ new Set([SIGCHLD, SIGCONT, 23, 28]);
var bit2 = (sig) => 1n << BigInt(sig - 1);
function action(t2, sig) {
  const raw = t2.proc.sigactions.get(sig);
  if (!raw) return { handler: 0n, flags: 0n, restorer: 0n, mask: 0n };
  const v = new DataView(raw.buffer, raw.byteOffset, 32);
  return { handler: v.getBigUint64(0, true), flags: v.getBigUint64(8, true), restorer: v.getBigUint64(16, true), mask: v.getBigUint64(24, true) };
}
function sigaction_flags(p, sig) {
  const raw = p.sigactions.get(sig);
  return raw ? new DataView(raw.buffer, raw.byteOffset, 32).getBigUint64(8, true) : 0n;
}
function sig_ignored_or_blocked(t2, sig) {
  return action(t2, sig).handler === SIG_IGN || (t2.sigmask & bit2(sig)) !== 0n;
}
function catches(t2, sig) {
  return action(t2, sig).handler > SIG_IGN && !(t2.sigmask & bit2(sig));
}
function send_signal(k, t2, sig, info = {}) {
  if (sig === 0 || t2.state === "dead") return false;
  prepare_signal(k, t2.proc, sig);
  const act = action(t2, sig);
  if (act.handler === 0n && t2.proc === k.user.procs.init) return false;
  if (act.handler === 0n && sig_kernel_stop(sig)) {
    do_signal_stop(k, t2.proc, sig);
    return false;
  }
  if (sig === SIGKILL || act.handler === 0n && !DEFAULT_IGNORE.has(sig)) {
    exit_group(k, t2, W_SIGNALED(sig));
    return true;
  }
  if (act.handler === 0n || act.handler === SIG_IGN) return false;
  t2.pending |= bit2(sig);
  t2.siginfo.set(sig, info);
  if (t2.state === "blocked" && t2.waitingFor !== STOPPED && !(t2.sigmask & bit2(sig))) {
    const restart = (act.flags & SA_RESTART) !== 0n && !t2.noRestart;
    t2.cancelWait?.();
    t2.cancelWait = void 0;
    wake_user(k, t2, restart ? void 0 : BigInt(-EINTR2));
  }
  return false;
}
function next_signal(t2) {
  const ready = t2.pending & ~t2.sigmask;
  if (!ready) return void 0;
  for (let s = 1; s <= NSIG; s++) if (ready & bit2(s)) return s;
  return void 0;
}
var SIGINFO_SIZE = 128;
var UC_MCONTEXT = 176;
var SC_RESERVED = 288;
var SIGFRAME_SIZE = SIGINFO_SIZE + UC_MCONTEXT + SC_RESERVED + 4096;
var FPSIMD_MAGIC = 1179680769;
var FPSIMD_SIZE = 528;
function do_signal(k, core, t2, pc) {
  const sig = next_signal(t2);
  if (sig === void 0 || !t2.proc) {
    restore_temp_sigmask(t2);
    return pc;
  }
  t2.pending &= ~bit2(sig);
  const info = t2.siginfo.get(sig) ?? {};
  t2.siginfo.delete(sig);
  const act = action(t2, sig);
  if (act.handler === 0n || act.handler === SIG_IGN) {
    restore_temp_sigmask(t2);
    return pc;
  }
  const mm = t2.proc.mm;
  const sp = core.sp;
  const frame = sp - BigInt(SIGFRAME_SIZE + 16) & ~15n;
  const record = frame + BigInt(SIGFRAME_SIZE);
  const b = new Uint8Array(SIGFRAME_SIZE + 16);
  const v = new DataView(b.buffer);
  v.setInt32(0, sig, true);
  v.setInt32(8, info.code ?? 0, true);
  if (info.addr !== void 0) v.setBigUint64(16, info.addr, true);
  else v.setInt32(16, t2.pid, true);
  const uc = SIGINFO_SIZE;
  v.setInt32(uc + 16 + 8, 2, true);
  v.setBigUint64(uc + 40, t2.savedSigmask ?? t2.sigmask, true);
  const sc = uc + UC_MCONTEXT;
  v.setBigUint64(sc, info.addr ?? 0n, true);
  for (let i = 0; i < 31; i++) v.setBigUint64(sc + 8 + 8 * i, core.x(i), true);
  v.setBigUint64(sc + 256, sp, true);
  v.setBigUint64(sc + 264, pc, true);
  v.setBigUint64(sc + 272, core.pstate, true);
  v.setUint32(sc + SC_RESERVED, FPSIMD_MAGIC, true);
  v.setUint32(sc + SC_RESERVED + 4, FPSIMD_SIZE, true);
  v.setBigUint64(SIGFRAME_SIZE, core.x(29), true);
  v.setBigUint64(SIGFRAME_SIZE + 8, core.x(30), true);
  if (!copyToUser(mm, k.machine.ram, frame, b)) {
    exit_group(k, t2, W_SIGNALED(SIGSEGV));
    return pc;
  }
  const at = t2.sigctxPool.findIndex((c) => c.core === core.index);
  const saved = at >= 0 ? t2.sigctxPool.splice(at, 1)[0] : core.newContext();
  core.saveContext(saved);
  t2.sigframes.push({ frame, saved });
  core.setX(0, sig);
  core.setX(1, frame);
  core.setX(2, frame + BigInt(uc));
  core.setX(29, record);
  core.setX(30, act.flags & SA_RESTORER ? act.restorer : VDSO_VA);
  core.sp = frame;
  t2.sigmask |= act.mask | (act.flags & SA_NODEFER ? 0n : bit2(sig));
  t2.savedSigmask = void 0;
  if (act.flags & SA_RESETHAND) t2.proc.sigactions.delete(sig);
  void SA_SIGINFO;
  return act.handler;
}
function set_temp_sigmask(t2, mask) {
  t2.savedSigmask ??= t2.sigmask;
  t2.sigmask = mask & ~(bit2(SIGKILL) | bit2(SIGSTOP));
  return (t2.pending & ~t2.sigmask) !== 0n;
}
function restore_temp_sigmask(t2) {
  if (t2.savedSigmask === void 0) return;
  t2.sigmask = t2.savedSigmask;
  t2.savedSigmask = void 0;
}
function sys_rt_sigreturn_frame(k, core, t2) {
  const frame = core.sp;
  const b = copyFromUser(t2.proc.mm, k.machine.ram, frame, SIGINFO_SIZE + UC_MCONTEXT + SC_RESERVED);
  if (!b || frame & 15n) return void 0;
  const v = new DataView(b.buffer);
  const sc = SIGINFO_SIZE + UC_MCONTEXT;
  const i = t2.sigframes.findIndex((f) => f.frame === frame);
  if (i >= 0) {
    const { saved } = t2.sigframes[i];
    for (const f of t2.sigframes.splice(i)) t2.sigctxPool.push(f.saved);
    if (saved.core === core.index) core.restoreContext(saved);
  }
  for (let r2 = 0; r2 < 31; r2++) core.setX(r2, v.getBigUint64(sc + 8 + 8 * r2, true));
  core.sp = v.getBigUint64(sc + 256, true);
  core.nzcv = v.getBigUint64(sc + 272, true);
  t2.sigmask = v.getBigUint64(SIGINFO_SIZE + 40, true) & ~(bit2(SIGKILL) | bit2(SIGSTOP));
  return v.getBigUint64(sc + 264, true);
}

// kernel-model/kernel/exit.ts
function wake_user(k, t2, x0) {
  if (x0 === void 0 && t2.resumeX0 !== void 0) t2.resumePc -= 4n;
  else if (x0 !== void 0 && t2.resumeX0 === void 0 && t2.state === "blocked") t2.resumePc += 4n;
  t2.resumeX0 = x0;
  t2.cancelWait = void 0;
  t2.noRestart = false;
  k.sched.wake_up_process(t2);
}
function exit_thread(k, t2, wstatus, callerCpu) {
  const proc3 = t2.proc;
  if (t2.clear_child_tid && copyToUser(proc3.mm, k.machine.ram, t2.clear_child_tid, new Uint8Array(4)))
    k.user.futex.wake(proc3.mm, t2.clear_child_tid, 1, FUTEX_BITSET_MATCH_ANY, (w) => wake_user(k, w, 0n));
  proc3.threads.delete(t2);
  proc3.deadUtimeNs += t2.utimeNs;
  proc3.deadStimeNs += t2.stimeNs;
  if (proc3.threads.size === 0 && !proc3.persistent) t2.files?.close_all();
  const onCore = k.sched.curr[t2.cpu] === t2;
  k.harness.ended(t2, wstatus);
  k.sched.userExited(t2, wstatus);
  if (onCore && t2.cpu !== callerCpu) k.idleNow(t2.cpu);
  if (proc3.threads.size === 0 && !proc3.persistent) exit_process(k, proc3, wstatus);
  else k.user.mem.mmput(proc3.mm);
}
function exit_group(k, t2, wstatus) {
  for (const other of [...t2.proc.threads]) if (other !== t2) exit_thread(k, other, wstatus, t2.cpu);
  exit_thread(k, t2, wstatus, t2.cpu);
}
function mm_release(k, proc3) {
  const parent = proc3.vforkParent;
  if (!parent) return;
  proc3.vforkParent = void 0;
  parent.cancelWait = void 0;
  k.sched.wake_up_process(parent);
}
function exit_process(k, proc3, wstatus) {
  mm_release(k, proc3);
  proc3.state = "zombie";
  proc3.wstatus = wstatus;
  if (proc3.mm.users === 1) k.user.futex.forget(proc3.mm);
  k.user.mem.mmput(proc3.mm);
  wake_parent_waiters(k, proc3);
  kill_orphaned_pgrp(k, proc3);
  forget_original_parent(k, proc3);
  const parent = proc3.parent;
  if (parent && parent.state === "alive") {
    wake_parent_waiters(k, parent);
    const pt = first_thread(parent);
    if (pt) send_signal(k, pt, SIGCHLD, { code: wstatus & 127 ? CLD_KILLED : CLD_EXITED });
  } else release_task(k, proc3);
}
function wake_parent_waiters(k, parent) {
  for (const w of parent.waiters) wake_user(k, w, void 0);
  parent.waiters.clear();
}
function forget_original_parent(k, proc3) {
  const reaper = k.user.procs.init;
  for (const c of proc3.children) {
    if (reaper && reaper !== proc3 && reaper.state === "alive") {
      c.parent = reaper;
      reaper.children.add(c);
      kill_orphaned_pgrp(k, c, proc3);
      if (c.state === "zombie") wake_parent_waiters(k, reaper);
    } else {
      c.parent = void 0;
      if (c.state === "zombie") release_task(k, c);
    }
  }
  proc3.children.clear();
}
function release_task(k, proc3) {
  proc3.state = "reaped";
  k.user.procs.remove(proc3);
  proc3.parent?.children.delete(proc3);
  for (const f of proc3.onRelease.splice(0)) f(proc3.wstatus);
}
var WNOHANG = 1;
var WSTOPPED = 2;
var WEXITED = 4;
var WCONTINUED = 8;
var WNOWAIT = 16777216;
var CLD_EXITED = 1;
var CLD_KILLED = 2;
var CLD_DUMPED = 3;
var CLD_STOPPED = 5;
var CLD_CONTINUED = 6;
function report_of(c, options) {
  const { utime, stime } = thread_group_cputime(c);
  const times = { utimeNs: utime + c.cutimeNs, stimeNs: stime + c.cstimeNs };
  if (c.state === "zombie" && options & WEXITED) {
    const w = c.wstatus;
    const sig = w & 127;
    return sig ? { pid: c.pid, wstatus: w, code: w & 128 ? CLD_DUMPED : CLD_KILLED, status: sig, ...times } : { pid: c.pid, wstatus: w, code: CLD_EXITED, status: w >> 8 & 255, ...times };
  }
  if (c.state !== "alive") return void 0;
  if (c.waitReport === "stopped" && c.stopped && options & WSTOPPED)
    return { pid: c.pid, wstatus: c.stopSig << 8 | 127, code: CLD_STOPPED, status: c.stopSig, ...times };
  if (c.waitReport === "continued" && options & WCONTINUED) return { pid: c.pid, wstatus: 65535, code: CLD_CONTINUED, status: 18, ...times };
  return void 0;
}
function do_wait(k, t2, select, options) {
  const proc3 = t2.proc;
  const candidates = [...proc3.children].filter(select);
  if (candidates.length === 0) return { none: true };
  for (const c of candidates) {
    const r2 = report_of(c, options);
    if (!r2) continue;
    if (!(options & WNOWAIT)) {
      if (c.state === "zombie") {
        proc3.cutimeNs += c.deadUtimeNs + c.cutimeNs;
        proc3.cstimeNs += c.deadStimeNs + c.cstimeNs;
        release_task(k, c);
      } else c.waitReport = void 0;
    }
    return r2;
  }
  if (options & WNOHANG) return { nohang: true };
  proc3.waiters.add(t2);
  t2.cancelWait = () => proc3.waiters.delete(t2);
  return { block: true };
}

// kernel-model/fs/errno.ts
var ErrnoError = class extends Error {
  constructor(errno, what = "") {
    super(`errno ${errno}${what ? `: ${what}` : ""}`);
    this.errno = errno;
  }
  errno;
  name = "ErrnoError";
};
function fail2(errno, what) {
  throw new ErrnoError(errno, what);
}

// kernel-model/fs/inode.ts
var SuperBlock = class {
  /**
   * @param dev the anonymous device number st_dev reports (major 0, minor `dev`)
   * @param readOnly MS_RDONLY: writes and creations fail with EROFS
   */
  constructor(fstype, dev, readOnly, now = () => 0) {
    this.fstype = fstype;
    this.dev = dev;
    this.readOnly = readOnly;
    this.now = now;
  }
  fstype;
  dev;
  readOnly;
  now;
  nextIno = 1;
  get_next_ino() {
    return this.nextIno++;
  }
};
var DEFAULT_ATTRS = { perm: 493, uid: 0, gid: 0, mtime: 0 };
var Inode = class {
  constructor(sb, attrs) {
    this.sb = sb;
    const a = { ...DEFAULT_ATTRS, ...attrs };
    this.ino = sb.get_next_ino();
    this.perm = a.perm & 4095;
    this.uid = a.uid;
    this.gid = a.gid;
    this.mtime = a.mtime;
  }
  sb;
  ino;
  /** Attributes chmod, chown and utimensat change (on a writable file system). */
  perm;
  uid;
  gid;
  mtime;
  get mode() {
    return this.type | this.perm;
  }
  get nlink() {
    return 1;
  }
  /** i_size. */
  get size() {
    return 0;
  }
  /** i_rdev, for device nodes. */
  get rdev() {
    return { major: 0, minor: 0 };
  }
};
var RegInode = class extends Inode {
  kind = "reg";
  bytes;
  len;
  /** Names in directories (hard links); the file lives while one is left or it is open. */
  links = 1;
  constructor(sb, attrs, data) {
    super(sb, attrs);
    this.bytes = data;
    this.len = data.length;
  }
  get type() {
    return S_IFREG;
  }
  /** The file's bytes now (a view: a write or truncate after it may leave it stale). */
  get data() {
    return this.bytes.subarray(0, this.len);
  }
  get size() {
    return this.len;
  }
  get nlink() {
    return this.links;
  }
  reserve(n) {
    if (n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(n, 2 * this.bytes.length, 64));
    grown.set(this.data);
    this.bytes = grown;
  }
  /** Write `src` at `pos`; a hole before it reads as zeroes. */
  write_at(pos, src) {
    const end = pos + src.length;
    this.reserve(end);
    if (pos > this.len) this.bytes.fill(0, this.len, pos);
    this.bytes.set(src, pos);
    this.len = Math.max(this.len, end);
  }
  /** The file is `n` bytes long: cut, or extended with zeroes. */
  truncate(n) {
    this.reserve(n);
    if (n > this.len) this.bytes.fill(0, this.len, n);
    this.len = n;
  }
};
var SymlinkInode = class extends Inode {
  constructor(sb, attrs, target2) {
    super(sb, { ...attrs, perm: 511 });
    this.target = target2;
  }
  target;
  kind = "symlink";
  get type() {
    return S_IFLNK;
  }
  get size() {
    return new TextEncoder().encode(this.target).length;
  }
};
var GeneratedInode = class extends Inode {
  constructor(sb, attrs, render) {
    super(sb, { ...attrs, perm: attrs.perm ?? 292 });
    this.render = render;
  }
  render;
  kind = "generated";
  get type() {
    return S_IFREG;
  }
};
var AnonInode = class extends Inode {
  /** `fileType`: S_IFIFO for a pipe's inode (pipefs), none for anon_inodefs. */
  constructor(sb, name, fileType = 0) {
    super(sb, { perm: 384 });
    this.name = name;
    this.fileType = fileType;
  }
  name;
  fileType;
  kind = "anon";
  get type() {
    return this.fileType;
  }
};
var CharDevInode = class extends Inode {
  constructor(sb, attrs, major, minor, cdev_map) {
    super(sb, attrs);
    this.major = major;
    this.minor = minor;
    this.cdev_map = cdev_map;
  }
  major;
  minor;
  cdev_map;
  kind = "chrdev";
  get type() {
    return S_IFCHR;
  }
  get rdev() {
    return { major: this.major, minor: this.minor };
  }
};
var DirInode = class extends Inode {
  kind = "dir";
  /** "..": the directory this one is in (itself for a root that is not mounted anywhere). */
  parent = this;
  get type() {
    return S_IFDIR;
  }
  get nlink() {
    return 2 + this.entries().filter(([, i]) => i.kind === "dir").length;
  }
};
var FsTreeError = class extends Error {
  name = "FsTreeError";
};
var RamDir = class extends DirInode {
  children = /* @__PURE__ */ new Map();
  lookup(name) {
    return this.children.get(name);
  }
  entries() {
    return [...this.children];
  }
  /** Add (or, for a mount or an archive that repeats a name, replace) a child. */
  link(name, inode) {
    if (name === "" || name === "." || name === ".." || name.includes("/")) throw new FsTreeError(`invalid file name ${JSON.stringify(name)}`);
    this.children.set(name, inode);
    if (inode instanceof DirInode) inode.parent = this;
  }
  /** Remove the name (the inode lives on while it is open or linked elsewhere). */
  unlink(name) {
    this.children.delete(name);
  }
};
function isDir(inode) {
  return inode.kind === "dir";
}

// kernel-model/fs/file.ts
var O_ACCMODE = 3;
var O_RDONLY = 0;
var O_WRONLY = 1;
var O_RDWR = 2;
var O_CREAT = 64;
var O_EXCL = 128;
var O_NOCTTY = 256;
var O_TRUNC = 512;
var O_APPEND = 1024;
var O_NONBLOCK = 2048;
var O_ASYNC = 8192;
var O_DIRECTORY = 16384;
var O_NOFOLLOW = 32768;
var O_DIRECT = 65536;
var O_LARGEFILE = 131072;
var O_NOATIME = 262144;
var O_CLOEXEC = 524288;
var O_PATH = 2097152;
var O_TMPFILE = 4194304 | O_DIRECTORY;
var SEEK_SET = 0;
var SEEK_CUR = 1;
var SEEK_END = 2;
var File = class {
  constructor(inode, f_flags, f_op) {
    this.inode = inode;
    this.f_flags = f_flags;
    this.f_op = f_op;
  }
  inode;
  f_flags;
  f_op;
  f_pos = 0;
  /** Descriptors naming this file (f_count); at zero it is released. */
  f_count = 0;
  /** What the file's operations keep (a BPF map for a map's descriptor). */
  private_data;
  /** A generated file's text, rendered at open. */
  content;
  get readable() {
    const acc = this.f_flags & O_ACCMODE;
    return (this.f_flags & O_PATH) === 0 && (acc === O_RDONLY || acc === O_RDWR);
  }
  get_file() {
    this.f_count++;
    return this;
  }
  /** fput: one reference fewer; the last one releases the file. */
  fput() {
    if (--this.f_count === 0) this.f_op.release?.(this);
  }
  get writable() {
    const acc = this.f_flags & O_ACCMODE;
    return (this.f_flags & O_PATH) === 0 && (acc === O_WRONLY || acc === O_RDWR);
  }
};
var noIoctl = () => BigInt(-ENOTTY);
function bytesAt(data, pos, count) {
  return pos >= data.length ? new Uint8Array(0) : data.subarray(pos, Math.min(data.length, pos + count));
}
var reg_file_operations = {
  // A copy: a tmpfs file may change under a view before the caller is done with it.
  read: (f, pos, count) => bytesAt(f.inode instanceof RegInode ? f.inode.data : new Uint8Array(0), pos, count).slice(),
  write: () => fail2(EBADF, "read-only file"),
  seekable: true,
  endOf: (f) => f.inode.size,
  ioctl: noIoctl
};
var generated_file_operations = {
  read: (f, pos, count) => bytesAt(f.content ?? new Uint8Array(0), pos, count),
  write: () => fail2(EBADF, "read-only file"),
  seekable: true,
  endOf: () => void 0,
  ioctl: noIoctl
};
var dir_operations = {
  read: () => fail2(EISDIR),
  write: () => fail2(EISDIR),
  seekable: true,
  endOf: () => void 0,
  ioctl: noIoctl
};
function vfs_llseek(f, offset, whence) {
  if (!f.f_op.seekable) fail2(ESPIPE);
  let base;
  if (whence === SEEK_SET) base = 0;
  else if (whence === SEEK_CUR) base = f.f_pos;
  else if (whence === SEEK_END) {
    const end = f.f_op.endOf(f);
    if (end === void 0) fail2(EINVAL4, "SEEK_END");
    base = end;
  } else fail2(EINVAL4, `whence ${whence}`);
  const pos = BigInt(base) + offset;
  if (pos < 0n || pos > BigInt(Number.MAX_SAFE_INTEGER)) fail2(EINVAL4, "offset");
  f.f_pos = Number(pos);
  return f.f_pos;
}

// kernel-model/include/unistd.ts
var NR = {
  getcwd: 17,
  dup: 23,
  dup3: 24,
  fcntl: 25,
  ioctl: 29,
  mkdirat: 34,
  unlinkat: 35,
  symlinkat: 36,
  linkat: 37,
  renameat: 38,
  statfs: 43,
  fstatfs: 44,
  truncate: 45,
  ftruncate: 46,
  faccessat: 48,
  chdir: 49,
  fchdir: 50,
  fchmod: 52,
  fchmodat: 53,
  fchownat: 54,
  fchown: 55,
  openat: 56,
  close: 57,
  pipe2: 59,
  getdents64: 61,
  lseek: 62,
  read: 63,
  write: 64,
  readv: 65,
  writev: 66,
  pread64: 67,
  pselect6: 72,
  ppoll: 73,
  readlinkat: 78,
  newfstatat: 79,
  fstat: 80,
  fsync: 82,
  fdatasync: 83,
  utimensat: 88,
  exit: 93,
  exit_group: 94,
  waitid: 95,
  set_tid_address: 96,
  futex: 98,
  set_robust_list: 99,
  get_robust_list: 100,
  nanosleep: 101,
  clock_gettime: 113,
  clock_getres: 114,
  clock_nanosleep: 115,
  sched_setaffinity: 122,
  sched_getaffinity: 123,
  sched_yield: 124,
  kill: 129,
  tkill: 130,
  tgkill: 131,
  sigaltstack: 132,
  rt_sigsuspend: 133,
  rt_sigaction: 134,
  rt_sigprocmask: 135,
  rt_sigpending: 136,
  rt_sigreturn: 139,
  reboot: 142,
  times: 153,
  setpgid: 154,
  getpgid: 155,
  getsid: 156,
  setsid: 157,
  uname: 160,
  getrlimit: 163,
  setrlimit: 164,
  getrusage: 165,
  umask: 166,
  prctl: 167,
  getcpu: 168,
  gettimeofday: 169,
  getpid: 172,
  getppid: 173,
  getuid: 174,
  geteuid: 175,
  getgid: 176,
  getegid: 177,
  gettid: 178,
  sysinfo: 179,
  brk: 214,
  munmap: 215,
  clone: 220,
  execve: 221,
  mmap: 222,
  mprotect: 226,
  madvise: 233,
  wait4: 260,
  prlimit64: 261,
  renameat2: 276,
  getrandom: 278,
  bpf: 280,
  rseq: 293
};
var SYSCALL_NAMES = new Map(Object.entries(NR).map(([k, v]) => [v, k]));

// kernel-model/fs/namei.ts
var PATH_MAX = 4096;
var NAME_MAX = 255;
var MAXSYMLINKS = 40;
function checkLength(path) {
  if (new TextEncoder().encode(path).length >= PATH_MAX) fail2(ENAMETOOLONG, "path");
}
function components(path) {
  return path.split("/").filter((c) => c !== "");
}
function stepInto(w, dir2, name) {
  if (new TextEncoder().encode(name).length > NAME_MAX) fail2(ENAMETOOLONG, name);
  if (name === ".") return dir2;
  if (name === "..") return dir2 === w.root ? dir2 : dir2.parent;
  const child = dir2.lookup(name);
  if (!child) fail2(ENOENT2, name);
  return child;
}
function followLink(w, dir2, link, follow) {
  if (++w.links > MAXSYMLINKS) fail2(ELOOP);
  return walk(w, link.target.startsWith("/") ? w.root : dir2, link.target, { follow });
}
function walk(w, start, path, flags) {
  if (path === "") fail2(ENOENT2, "empty path");
  let cur = path.startsWith("/") ? w.root : start;
  const parts = components(path);
  const trailingSlash = path.endsWith("/") && parts.length > 0;
  for (const [i, name] of parts.entries()) {
    if (!isDir(cur)) fail2(ENOTDIR, name);
    const dir2 = cur;
    let next = stepInto(w, dir2, name);
    const last = i === parts.length - 1;
    if (next instanceof SymlinkInode && (!last || flags.follow || trailingSlash)) next = followLink(w, dir2, next, true);
    cur = next;
  }
  if ((flags.directory || trailingSlash) && !isDir(cur)) fail2(ENOTDIR);
  return cur;
}
function path_lookupat(root, start, path, flags) {
  checkLength(path);
  return walk({ root, links: 0 }, start, path, flags);
}
var isDotName = (last) => last === "" || last === "." || last === "..";
function path_parentat(root, start, path) {
  checkLength(path);
  if (path === "") fail2(ENOENT2, "empty path");
  const parts = components(path);
  const trailingSlash = path.endsWith("/");
  const last = parts.pop() ?? "";
  const prefix = (path.startsWith("/") ? "/" : "") + parts.join("/");
  const dir2 = prefix === "" ? start : path_lookupat(root, start, prefix, { follow: true, directory: true });
  if (!isDir(dir2)) fail2(ENOTDIR);
  return { dir: dir2, last, trailingSlash };
}
function d_path(root, dir2) {
  const names = [];
  let d = dir2;
  while (d !== root) {
    const parent = d.parent;
    if (parent === d) return void 0;
    const entry = parent.entries().find(([, i]) => i === d);
    names.push(entry ? entry[0] : "?");
    d = parent;
  }
  return `/${names.reverse().join("/")}`;
}

// kernel-model/fs/sys_common.ts
var AT_FDCWD = -100;
var AT_SYMLINK_NOFOLLOW = 256;
var AT_NO_AUTOMOUNT = 2048;
var AT_EMPTY_PATH = 4096;
function errnoResult(body) {
  try {
    return BigInt(body());
  } catch (e) {
    if (e instanceof ErrnoError) return BigInt(-e.errno);
    throw e;
  }
}
var int = (v) => Number(BigInt.asIntN(32, v ?? 0n));
var uint = (v) => Number(BigInt.asUintN(32, v ?? 0n));
var size = (v) => Number(BigInt.asUintN(64, v ?? 0n) > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : BigInt.asUintN(64, v ?? 0n));
var implicit = /* @__PURE__ */ new WeakMap();
function adopt(ctx, t2) {
  const vfs2 = ctx.kernel.rootfs;
  if (!vfs2) return;
  const key = t2.proc ?? t2;
  let d = implicit.get(key);
  if (!d) {
    const sink = t2.proc?.stdio;
    d = { files: sink ? vfs2.stdio_files(sink, t2.proc?.stdin) : vfs2.initial_files(), fs: vfs2.initial_fs() };
    implicit.set(key, d);
  }
  t2.files ??= d.files;
  t2.fs ??= d.fs;
}
function current_files(ctx) {
  const t2 = ctx.task;
  if (!(t2 instanceof UserTask)) fail2(EBADF, "not a user task");
  if (!t2.files) adopt(ctx, t2);
  return t2.files ?? fail2(EBADF, "task has no files");
}
function current_fs(ctx) {
  const t2 = ctx.task;
  if (!(t2 instanceof UserTask)) fail2(ENOENT2, "not a user task");
  if (!t2.fs) adopt(ctx, t2);
  return t2.fs ?? fail2(ENOENT2, "task has no fs_struct");
}
function getname(ctx, va) {
  const bytes2 = [];
  let at = va ?? 0n;
  while (bytes2.length < PATH_MAX) {
    const chunk = Math.min(PATH_MAX - bytes2.length, 4096 - Number(at % 4096n));
    const b = ctx.copyFromUser(at, chunk);
    if (!b) fail2(EFAULT);
    const nul = b.indexOf(0);
    if (nul >= 0) {
      for (let i = 0; i < nul; i++) bytes2.push(b[i]);
      return new TextDecoder().decode(new Uint8Array(bytes2));
    }
    for (const x of b) bytes2.push(x);
    at += BigInt(chunk);
  }
  fail2(ENAMETOOLONG);
}
function at_start(ctx, dirfd, path) {
  const fs = current_fs(ctx);
  if (path.startsWith("/") || dirfd === AT_FDCWD) return fs.pwd;
  const f = current_files(ctx).fget(dirfd);
  if (!(f.inode instanceof DirInode)) {
    if (path === "") return fs.pwd;
    fail2(ENOTDIR);
  }
  return f.inode;
}

// kernel-model/fs/pipe.ts
var POLLIN = 1;
var POLLOUT = 4;
var POLLERR = 8;
var POLLHUP = 16;
var POLLNVAL = 32;
var POLLRDNORM = 64;
var POLLWRNORM = 256;
var PIPE_BUF = 4096;
var PIPE_SIZE = 16 * 4096;
var WouldBlock = class {
  constructor(waiters, what, timeoutNs) {
    this.waiters = waiters;
    this.what = what;
    this.timeoutNs = timeoutNs;
  }
  waiters;
  what;
  timeoutNs;
  toString() {
    return `WouldBlock: ${this.what}`;
  }
};
function would_block(waiters, what, timeoutNs) {
  throw new WouldBlock(waiters, what, timeoutNs);
}
var BrokenPipe = class extends Error {
  name = "BrokenPipe";
};
var Pipe = class {
  constructor(wake) {
    this.wake = wake;
  }
  wake;
  chunks = [];
  bytes = 0;
  readers = 0;
  writers = 0;
  readWait = /* @__PURE__ */ new Set();
  writeWait = /* @__PURE__ */ new Set();
  get buffered() {
    return this.bytes;
  }
  /** Wake every sleeper of `set`: each makes its call again. */
  wakeAll(set) {
    const ts = [...set];
    set.clear();
    for (const t2 of ts) this.wake(t2);
  }
  read(count, nonblock) {
    if (this.bytes === 0) {
      if (this.writers === 0) return new Uint8Array(0);
      if (nonblock) fail2(EAGAIN);
      would_block(this.readWait, "pipe_read");
    }
    const first = this.chunks[0];
    if (count <= first.length) {
      this.chunks[0] = first.subarray(count);
      if (count === first.length) this.release(this.chunks.shift());
      this.bytes -= count;
      this.wakeAll(this.writeWait);
      return first.subarray(0, count);
    }
    const out = new Uint8Array(Math.min(count, this.bytes));
    let at = 0;
    while (at < out.length) {
      const c = this.chunks[0];
      const n = Math.min(c.length, out.length - at);
      out.set(c.subarray(0, n), at);
      at += n;
      if (n === c.length) this.release(this.chunks.shift());
      else this.chunks[0] = c.subarray(n);
    }
    this.bytes -= out.length;
    this.wakeAll(this.writeWait);
    return out;
  }
  /**
   * Buffers of PIPE_SIZE bytes for writes to be copied into, taken back
   * when read: a pipe's steady traffic allocates nothing (Linux keeps its
   * pipe_buffer pages the same way, tmp_page). Only the pipe's own go
   * back to the pool.
   */
  pool = [];
  own = /* @__PURE__ */ new WeakSet();
  /** A buffer for a write of `count` bytes (at most PIPE_SIZE from the pool; a larger write gets its own). */
  write_buffer(count) {
    if (count > PIPE_SIZE) return new Uint8Array(count);
    let ab = this.pool.pop();
    if (!ab) {
      ab = new ArrayBuffer(PIPE_SIZE);
      this.own.add(ab);
    }
    return new Uint8Array(ab, 0, count);
  }
  release(chunk) {
    const ab = chunk.buffer;
    if (this.own.has(ab) && this.pool.length < 4 && !this.chunks.some((c) => c.buffer === ab)) this.pool.push(ab);
  }
  /** What a write of `count` bytes would meet before taking any: a broken pipe, or no room (EAGAIN, or a sleep). */
  may_write(count, nonblock) {
    if (this.readers === 0) throw new BrokenPipe();
    const room = PIPE_SIZE - this.bytes;
    if (room === 0 || count <= PIPE_BUF && room < count) {
      if (nonblock) fail2(EAGAIN);
      would_block(this.writeWait, "pipe_write");
    }
  }
  /** Takes as much of `data` as fits (the pipe keeps the caller's buffer: it is the write's own copy). */
  write(data, nonblock) {
    if (data.length === 0) return 0;
    this.may_write(data.length, nonblock);
    const n = Math.min(PIPE_SIZE - this.bytes, data.length);
    this.chunks.push(data.subarray(0, n));
    this.bytes += n;
    this.wakeAll(this.readWait);
    return n;
  }
  /** Ready events for one end, and where its poller waits. */
  poll(end) {
    if (end === "read") {
      const mask2 = (this.bytes > 0 ? POLLIN | POLLRDNORM : 0) | (this.writers === 0 ? POLLHUP : 0);
      return { mask: mask2, waiters: [this.readWait] };
    }
    const mask = this.readers === 0 ? POLLERR : PIPE_SIZE - this.bytes >= PIPE_BUF ? POLLOUT | POLLWRNORM : 0;
    return { mask, waiters: [this.writeWait] };
  }
  close(end) {
    if (end === "read") this.readers--;
    else this.writers--;
    this.wakeAll(end === "read" ? this.writeWait : this.readWait);
  }
};
var pipefs = new SuperBlock("pipefs", 12, false);
function pipe_fops(p, end) {
  return {
    read: (f, _pos, count) => end === "read" ? p.read(count, (f.f_flags & O_NONBLOCK) !== 0) : fail2(EINVAL4),
    write: (f, data) => end === "write" ? p.write(data, (f.f_flags & O_NONBLOCK) !== 0) : fail2(EINVAL4),
    may_write: (f, count) => end === "write" ? p.may_write(count, (f.f_flags & O_NONBLOCK) !== 0) : fail2(EINVAL4),
    write_buffer: (_f, count) => p.write_buffer(count),
    seekable: false,
    endOf: () => void 0,
    ioctl: () => BigInt(-25),
    // ENOTTY (FIONREAD is not modelled)
    release: () => p.close(end),
    poll: () => p.poll(end)
  };
}
function create_pipe_files(flags, wake) {
  const p = new Pipe(wake);
  const inode = new AnonInode(pipefs, "pipe", S_IFIFO);
  const r2 = new File(inode, O_RDONLY | flags & O_NONBLOCK, pipe_fops(p, "read"));
  const w = new File(inode, O_WRONLY | flags & O_NONBLOCK, pipe_fops(p, "write"));
  p.readers = 1;
  p.writers = 1;
  return [r2, w, p];
}
var HostPipe = class {
  constructor(wake, source) {
    this.source = source;
    const [r2, w, p] = create_pipe_files(0, wake);
    this.file = r2;
    this.pipe = p;
    this.writer = w.get_file();
  }
  source;
  file;
  pipe;
  writer;
  rest;
  /** Does a reader wait for input the host has not given yet? */
  get starving() {
    return this.writer !== void 0 && this.pipe.readWait.size > 0 && this.pipe.buffered === 0;
  }
  /** The host's next chunk into the pipe (what does not fit waits for the next time), or the end of its input. */
  feed() {
    if (!this.writer) return;
    const data = this.rest ?? this.source();
    this.rest = void 0;
    if (!data || data.length === 0 || this.pipe.readers === 0) {
      this.writer.fput();
      this.writer = void 0;
      return;
    }
    const n = this.pipe.write(data, true);
    if (n < data.length) this.rest = data.subarray(n);
  }
};
var O_CLOEXEC2 = 524288;
var O_DIRECT2 = 16384;
function sys_pipe2(ctx, [fdsVa, flags]) {
  return errnoResult(() => {
    const fl = int(flags);
    if (fl & ~(O_CLOEXEC2 | O_NONBLOCK | O_DIRECT2)) fail2(EINVAL4);
    const [r2, w] = create_pipe_files(fl, (t2) => wake_user(ctx.kernel, t2, void 0));
    const files = current_files(ctx);
    const cloexec = (fl & O_CLOEXEC2) !== 0;
    const rfd = files.alloc_fd(r2, cloexec);
    let wfd;
    try {
      wfd = files.alloc_fd(w, cloexec);
    } catch (e) {
      files.close_fd(rfd);
      throw e;
    }
    if (!ctx.copyToUser(fdsVa, new Uint8Array(new Int32Array([rfd, wfd]).buffer))) {
      files.close_fd(rfd);
      files.close_fd(wfd);
      fail2(EFAULT);
    }
    return 0;
  });
}
var PIPE_SYSCALLS = [[NR.pipe2, sys_pipe2, 2]];
function pipe_outcome(ctx, e) {
  if (ctx.inHook) needs_slow_path();
  const t2 = ctx.task;
  if (e instanceof WouldBlock) {
    e.waiters.add(t2);
    t2.cancelWait = () => e.waiters.delete(t2);
    if (e.timeoutNs !== void 0) return { kind: "sleep", what: e.what, untilNs: ctx.nowNs() + e.timeoutNs, ret: 0n };
    return { kind: "sleep", what: e.what };
  }
  if (send_signal(ctx.kernel, t2, SIGPIPE)) return 0n;
  return BigInt(-EPIPE);
}

// kernel-model/drivers/tty/termios.ts
var TERMIOS_SIZE = 36;
var ISTRIP = 32;
var INLCR = 64;
var IGNCR = 128;
var ICRNL = 256;
var IXON = 1024;
var IUTF8 = 16384;
var OPOST = 1;
var ONLCR = 4;
var B115200 = 4098;
var CS8 = 48;
var CREAD = 128;
var HUPCL = 1024;
var CLOCAL = 2048;
var ISIG = 1;
var ICANON = 2;
var ECHO = 8;
var ECHOE = 16;
var ECHOK = 32;
var ECHONL = 64;
var NOFLSH = 128;
var TOSTOP = 256;
var ECHOCTL = 512;
var ECHOKE = 2048;
var IEXTEN = 32768;
var VINTR = 0;
var VQUIT = 1;
var VERASE = 2;
var VKILL = 3;
var VEOF = 4;
var VTIME = 5;
var VMIN = 6;
var VSTART = 8;
var VSTOP = 9;
var VSUSP = 10;
var VEOL = 11;
var VREPRINT = 12;
var VWERASE = 14;
var VLNEXT = 15;
var VEOL2 = 16;
var CC_OFFSET = 17;
var INIT_C_CC = [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0];
var Termios = class _Termios {
  constructor(bytes2) {
    this.bytes = bytes2;
    if (bytes2.length !== TERMIOS_SIZE) throw new RangeError(`struct termios is ${TERMIOS_SIZE} bytes, not ${bytes2.length}`);
    this.view = new DataView(bytes2.buffer, bytes2.byteOffset, TERMIOS_SIZE);
  }
  bytes;
  view;
  /**
   * A serial console's termios after boot: tty_std_termios with the
   * console's speed, and the CREAD | HUPCL | CLOCAL uart_set_options adds.
   */
  static console() {
    const t2 = new _Termios(new Uint8Array(TERMIOS_SIZE));
    t2.view.setUint32(0, ICRNL | IXON, true);
    t2.view.setUint32(4, OPOST | ONLCR, true);
    t2.view.setUint32(8, B115200 | CS8 | CREAD | HUPCL | CLOCAL, true);
    t2.view.setUint32(12, ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN, true);
    t2.bytes.set(INIT_C_CC, CC_OFFSET);
    return t2;
  }
  get iflag() {
    return this.view.getUint32(0, true);
  }
  get oflag() {
    return this.view.getUint32(4, true);
  }
  get lflag() {
    return this.view.getUint32(12, true);
  }
  /** c_cc[i]; 0 is _POSIX_VDISABLE (the function is off). */
  cc(i) {
    return this.bytes[CC_OFFSET + i];
  }
  /** Is `c` the control character c_cc[i] (and that one enabled)? */
  is(c, i) {
    const v = this.cc(i);
    return v !== 0 && v === c;
  }
};

// kernel-model/drivers/tty/n_tty.ts
var N_TTY_BUF_SIZE = 4096;
var LIMIT = N_TTY_BUF_SIZE - 1;
var EOF_MARK = -1;
var NL = 10;
var CR = 13;
var TAB = 9;
var isCtrl = (c) => c < 32 || c === 127;
var isContinuation = (c) => (c & 192) === 128;
var isWordChar = (c) => c >= 48 && c <= 57 || c >= 65 && c <= 90 || c >= 97 && c <= 122 || c === 95;
var NTty = class {
  constructor(termios, port) {
    this.termios = termios;
    this.port = port;
  }
  termios;
  port;
  buf = [];
  ends = [];
  canonHead = 0;
  lnext = false;
  /** The column the line being edited started at (echo_set_canon_col). */
  canonColumn = 0;
  get lflag() {
    return this.termios.lflag;
  }
  get canonical() {
    return (this.lflag & ICANON) !== 0;
  }
  /** n_tty_set_termios: a change of ICANON makes what is buffered one line (raw to canonical) or plain bytes. */
  set_termios(t2) {
    const wasCanon = this.canonical;
    this.termios = t2;
    if (wasCanon === this.canonical) return;
    this.ends.fill(false);
    if (this.canonical && this.buf.length > 0) {
      this.ends[this.buf.length - 1] = true;
      this.canonHead = this.buf.length;
    } else this.canonHead = 0;
    this.lnext = false;
  }
  /** Discard every byte not yet read (TCFLSH, TCSETSF, a signal character). */
  flush() {
    this.buf = [];
    this.ends = [];
    this.canonHead = 0;
    this.lnext = false;
  }
  /** Bytes a read could take now, EOF marks aside. */
  get available() {
    let n = 0;
    for (const c of this.buf) if (c !== EOF_MARK) n++;
    return n;
  }
  /** FIONREAD: what a read could return now. */
  get readableBytes() {
    if (!this.canonical) return this.available;
    let n = 0;
    for (let i = 0; i < this.canonHead; i++) if (this.buf[i] !== EOF_MARK) n++;
    return n;
  }
  /** input_available_p: would a read return without waiting? */
  readable() {
    if (this.canonical) return this.canonHead > 0;
    return this.available >= Math.max(1, this.termios.cc(VMIN));
  }
  /** Can it take more input now (the driver holds the rest until a read makes room)? */
  get room() {
    return (this.canonical ? this.canonHead : this.buf.length) < LIMIT;
  }
  /** n_tty_receive_buf: bytes from the line; how many were taken (the rest must wait for room). */
  receive(data) {
    let i = 0;
    while (i < data.length && this.room) this.receive_char(data[i++]);
    return i;
  }
  /** The line's input ended (the host closed it): a line being typed is ended as VEOF would end it. */
  hangup() {
    if (this.canonical && this.buf.length > this.canonHead) this.end_line(EOF_MARK);
  }
  receive_char(c) {
    const t2 = this.termios;
    const iflag = t2.iflag;
    if (iflag & ISTRIP) c &= 127;
    if (this.lnext) {
      this.lnext = false;
      this.store(c);
      return;
    }
    if (c === CR) {
      if (iflag & IGNCR) return;
      if (iflag & ICRNL) c = NL;
    } else if (c === NL && iflag & INLCR) c = CR;
    const lflag = this.lflag;
    if (iflag & IXON && (t2.is(c, VSTOP) || t2.is(c, VSTART))) return;
    if (lflag & ISIG) {
      const sig = t2.is(c, VINTR) ? SIGINT : t2.is(c, VQUIT) ? SIGQUIT : t2.is(c, VSUSP) ? SIGTSTP : 0;
      if (sig) return this.signal_char(sig, c);
    }
    if (!this.canonical) return this.store(c);
    if (t2.is(c, VERASE) || t2.is(c, VKILL) || lflag & IEXTEN && t2.is(c, VWERASE)) return this.eraser(c);
    if (lflag & IEXTEN && t2.is(c, VLNEXT)) {
      this.lnext = true;
      if (lflag & ECHO && lflag & ECHOCTL) this.port.echo([94, 8]);
      return;
    }
    if (lflag & IEXTEN && lflag & ECHO && t2.is(c, VREPRINT)) return this.reprint(c);
    if (c === NL) {
      if (lflag & (ECHO | ECHONL)) this.port.echo([NL]);
      return this.end_line(NL);
    }
    if (t2.is(c, VEOF)) return this.end_line(EOF_MARK);
    if (t2.is(c, VEOL) || lflag & IEXTEN && t2.is(c, VEOL2)) {
      this.echo_char(c);
      return this.end_line(c);
    }
    this.store(c);
  }
  /** An ordinary byte: into the buffer (unless a canonical line is full), echoed. */
  store(c) {
    if (this.canonical && this.buf.length - this.canonHead >= LIMIT) return;
    if (this.lflag & ECHO) {
      if (this.buf.length === this.canonHead) this.canonColumn = this.port.column();
      if (c === NL) this.port.echo([NL]);
      else this.echo_char(c);
    }
    this.buf.push(c);
    this.ends.push(false);
  }
  end_line(c) {
    this.buf.push(c);
    this.ends.push(true);
    this.canonHead = this.buf.length;
  }
  /** echo_char: control characters as ^X with ECHOCTL (not TAB or NL). */
  echo_char(c) {
    if (!(this.lflag & ECHO)) return;
    if (this.lflag & ECHOCTL && isCtrl(c) && c !== TAB && c !== NL) this.port.echo([94, c ^ 64]);
    else this.port.echo([c]);
  }
  signal_char(sig, c) {
    if (!(this.lflag & NOFLSH)) this.flush();
    this.echo_char(c);
    this.port.signal(sig);
  }
  reprint(c) {
    this.echo_char(c);
    this.port.echo([NL]);
    this.canonColumn = 0;
    for (let i = this.canonHead; i < this.buf.length; i++) this.echo_char(this.buf[i]);
  }
  /** The columns the line being edited takes from its start up to (not including) index `upto`. */
  column_at(upto) {
    let col = this.canonColumn;
    for (let i = this.canonHead; i < upto; i++) {
      const c = this.buf[i];
      if (c === TAB) col = (col | 7) + 1;
      else if (isCtrl(c)) col += this.lflag & ECHOCTL ? 2 : 0;
      else if (!(this.termios.iflag & IUTF8 && isContinuation(c))) col++;
    }
    return col;
  }
  /** VERASE, VWERASE, VKILL: take back a character, a word, or the line, and show it. */
  eraser(c) {
    const t2 = this.termios;
    const lflag = this.lflag;
    if (this.buf.length === this.canonHead) return;
    const kill = t2.is(c, VKILL);
    if (kill && (!(lflag & ECHO) || !(lflag & ECHOK) || !(lflag & ECHOKE) || !(lflag & ECHOE))) {
      this.buf.length = this.ends.length = this.canonHead;
      if (lflag & ECHO) {
        this.echo_char(c);
        if (lflag & ECHOK) this.port.echo([NL]);
      }
      return;
    }
    const word = !kill && t2.is(c, VWERASE);
    let seenWord = false;
    while (this.buf.length > this.canonHead) {
      const last = this.buf[this.buf.length - 1];
      if (word) {
        if (isWordChar(last)) seenWord = true;
        else if (seenWord) break;
      }
      let from = this.buf.length - 1;
      if (t2.iflag & IUTF8) while (from > this.canonHead && isContinuation(this.buf[from])) from--;
      const erased = this.buf[from];
      const colAfter = this.column_at(this.buf.length);
      const colBefore = this.column_at(from);
      this.buf.length = this.ends.length = from;
      if (lflag & ECHO) this.echo_erase(erased, c, colAfter - colBefore);
      if (!kill && !word) break;
    }
  }
  /** What erasing one character shows: with ECHOE it is rubbed out (a tab by backspaces alone), else the erase character is echoed. */
  echo_erase(erased, eraseChar, width) {
    if (!(this.lflag & ECHOE)) return this.echo_char(eraseChar);
    const out = [];
    for (let i = 0; i < width; i++) out.push(...erased === TAB ? [8] : [8, 32, 8]);
    if (out.length) this.port.echo(out);
  }
  /**
   * n_tty_read's copy: at most `count` bytes, one line at most in
   * canonical mode; undefined when the reader must wait; an empty array
   * is end of file (VEOF at a line's start, VMIN 0 with nothing there,
   * or `ended`: the line's input is over and nothing is left).
   */
  read(count, ended) {
    if (this.canonical) return this.canonHead > 0 ? this.take_line(count) : ended ? new Uint8Array(0) : void 0;
    const min = this.termios.cc(VMIN);
    const time = this.termios.cc(VTIME);
    const avail = this.available;
    const need = min === 0 ? time > 0 ? 1 : 0 : time > 0 ? 1 : Math.min(min, count);
    if (avail < need && !ended) return void 0;
    return this.take(Math.min(avail, count));
  }
  /** How long a raw read that must wait may wait (VTIME with VMIN 0), in ns; undefined: until input comes. */
  get readTimeoutNs() {
    const time = this.termios.cc(VTIME);
    return !this.canonical && this.termios.cc(VMIN) === 0 && time > 0 ? time * 1e8 : void 0;
  }
  take_line(count) {
    const out = [];
    let i = 0;
    while (i < this.canonHead && out.length < count) {
      const c = this.buf[i];
      const end = this.ends[i];
      i++;
      if (c !== EOF_MARK) out.push(c);
      if (end) break;
    }
    if (i < this.canonHead && this.buf[i] === EOF_MARK && out.length > 0 && !this.ends[i - 1]) i++;
    this.buf.splice(0, i);
    this.ends.splice(0, i);
    this.canonHead -= i;
    return Uint8Array.from(out);
  }
  take(n) {
    const out = [];
    let i = 0;
    while (out.length < n) {
      const c = this.buf[i++];
      if (c !== EOF_MARK) out.push(c);
    }
    this.buf.splice(0, i);
    this.ends.splice(0, i);
    this.canonHead = Math.max(0, this.canonHead - i);
    return Uint8Array.from(out);
  }
};

// kernel-model/fs/console.ts
var TTYAUX_MAJOR = 5;
var TTY_MINOR = 0;
var CONSOLE_MINOR = 1;
var TCGETS = 21505;
var TCSETS = 21506;
var TCSETSW = 21507;
var TCSETSF = 21508;
var TCSBRK = 21513;
var TCXONC = 21514;
var TCFLSH = 21515;
var TIOCSCTTY = 21518;
var TIOCGPGRP = 21519;
var TIOCSPGRP = 21520;
var TIOCOUTQ = 21521;
var TIOCGWINSZ = 21523;
var TIOCSWINSZ = 21524;
var FIONREAD = 21531;
var TIOCNOTTY = 21538;
var TIOCGETD = 21540;
var TIOCGSID = 21545;
var TCIFLUSH = 0;
var TCIOFLUSH = 2;
var WINSIZE_SIZE = 8;
var int32 = (v) => new Uint8Array(new Int32Array([v]).buffer);
var ConsoleDevice = class {
  constructor(output) {
    this.output = output;
    const port = {
      echo: (bytes2) => this.put(Uint8Array.from(bytes2)),
      signal: (sig) => this.signalGroup(this.fgPgrp, sig),
      column: () => this.col
    };
    this.ldisc = new NTty(this.termios, port);
  }
  output;
  termios = Termios.console();
  winsz = new Uint8Array(new Uint16Array([24, 80, 0, 0]).buffer);
  ldisc;
  /** Host input the line discipline had no room for yet. */
  held = [];
  closed = false;
  col = 0;
  /** The foreground process group (tcsetpgrp); init's group until a shell takes it. */
  fgPgrp = 1;
  /** The session the console is the controlling terminal of (init's). */
  session = 1;
  /** Tasks sleeping in a read of the console. */
  readers = /* @__PURE__ */ new Set();
  /** Wakes a sleeper (the kernel sets it: the task makes its read again). */
  wake = () => {
  };
  /** Sends a signal to a process group (the kernel sets it): ^C, ^\ and ^Z with ISIG. */
  signalGroup = () => {
  };
  /**
   * May the calling process act on the console (the kernel sets it)?
   * 'eio' refuses; a background process whose group must be signalled
   * makes it throw (kernel/jobctl.ts's TtyJobSignal).
   */
  jobControl = () => "ok";
  /** Bytes to the line, with the column tracked for the line discipline's erasing. */
  put(data) {
    for (const b of data) {
      if (b === 10 || b === 13) this.col = 0;
      else if (b === 8) this.col = Math.max(0, this.col - 1);
      else if (b === 9) this.col = (this.col | 7) + 1;
      else if (b >= 32 && b !== 127 && (b & 192) !== 128) this.col++;
    }
    this.output(data);
  }
  /** The host terminal's size (rows, columns), what TIOCGWINSZ reports; a change is a SIGWINCH for the foreground group. */
  setWinsize(rows, cols) {
    this.tty_do_resize(new Uint8Array(new Uint16Array([rows, cols, 0, 0]).buffer));
  }
  /** tty_do_resize: a new size, and SIGWINCH to the foreground group when it differs. */
  tty_do_resize(ws) {
    if (ws.every((b, i) => b === this.winsz[i])) return;
    this.winsz = ws;
    this.signalGroup(this.fgPgrp, SIGWINCH);
  }
  /** Host input for the console: typed, or a script piped in. */
  input(data) {
    if (data.length) this.held.push(data.slice());
    this.feed();
  }
  /** Hand held input to the line discipline while it has room; wake readers if there is something for them. */
  feed() {
    while (this.held.length && this.ldisc.room) {
      const head = this.held[0];
      const n = this.ldisc.receive(head);
      if (n === head.length) this.held.shift();
      else this.held[0] = head.subarray(n);
    }
    if (this.closed && !this.held.length) this.ldisc.hangup();
    if (this.ldisc.readable() || this.closed) this.wakeReaders();
  }
  /** The host's input has ended: a hangup of the line once what is held has been taken. */
  closeInput() {
    this.closed = true;
    this.feed();
  }
  /** Is a task waiting for input that has not come? (the host should hand in more; a stopped reader does not count) */
  get starving() {
    if (this.ldisc.readable() || this.held.length > 0 || this.closed) return false;
    for (const t2 of this.readers) if (!t2.jobStop) return true;
    return false;
  }
  wakeReaders() {
    const ts = [...this.readers];
    this.readers.clear();
    for (const t2 of ts) this.wake(t2);
  }
  check(sig) {
    if (this.jobControl(sig) === "eio") throw new ErrnoError(EIO, "background process group of an orphaned group");
  }
  read(count) {
    this.check(SIGTTIN);
    const data = this.ldisc.read(count, this.closed && this.held.length === 0);
    if (data === void 0) would_block(this.readers, "console_read", this.ldisc.readTimeoutNs);
    this.feed();
    return data;
  }
  write(data) {
    if (this.termios.lflag & TOSTOP) this.check(SIGTTOU);
    this.put(data);
    return data.length;
  }
  fops = {
    read: (_f, _pos, count) => this.read(count),
    poll: () => ({ mask: (this.ldisc.readable() || this.closed ? POLLIN | POLLRDNORM : 0) | POLLOUT | POLLWRNORM, waiters: [this.readers] }),
    write: (_f, data) => this.write(data),
    seekable: false,
    endOf: () => void 0,
    ioctl: (_f, cmd, arg, io) => this.ioctl(cmd, arg, io)
  };
  set_termios(b, flush) {
    this.check(SIGTTOU);
    if (flush) this.ldisc.flush();
    this.termios = new Termios(b);
    this.ldisc.set_termios(this.termios);
    this.feed();
  }
  ioctl(cmd, arg, io) {
    const put = (data) => io.copyToUser(arg, data) ? 0n : BigInt(-EFAULT);
    const get = (len, set) => {
      const b = io.copyFromUser(arg, len);
      if (!b) return BigInt(-EFAULT);
      return set(b) ?? 0n;
    };
    switch (cmd) {
      case TCGETS:
        return put(this.termios.bytes);
      case TCSETS:
      case TCSETSW:
      case TCSETSF:
        return get(TERMIOS_SIZE, (b) => this.set_termios(b.slice(), cmd === TCSETSF));
      case TCFLSH: {
        const how = Number(arg);
        if (how < TCIFLUSH || how > TCIOFLUSH) return BigInt(-EINVAL4);
        if (how !== 1) this.ldisc.flush();
        return 0n;
      }
      case TCSBRK:
      case TCXONC:
      case TIOCNOTTY:
        return 0n;
      case FIONREAD:
        return put(int32(this.ldisc.readableBytes));
      case TIOCOUTQ:
      case TIOCGETD:
        return put(int32(0));
      // nothing waits to go out; N_TTY
      case TIOCGWINSZ:
        return put(this.winsz);
      case TIOCSWINSZ:
        return get(WINSIZE_SIZE, (b) => this.tty_do_resize(b.slice()));
      case TIOCSCTTY:
        return this.set_ctty(arg === 1n);
      case TIOCGPGRP:
        return this.isCtty() ? put(int32(this.fgPgrp)) : BigInt(-ENOTTY);
      case TIOCGSID:
        return this.isCtty() ? put(int32(this.session)) : BigInt(-ENOTTY);
      case TIOCSPGRP:
        if (!this.isCtty()) return BigInt(-ENOTTY);
        this.check(SIGTTOU);
        return get(4, (b) => this.set_pgrp(new DataView(b.buffer, b.byteOffset).getInt32(0, true)));
      default:
        return BigInt(-ENOTTY);
    }
  }
  /** Is there a process group `pgrp` in the console's session (tiocspgrp's check)? The kernel sets it. */
  groupInSession = () => true;
  /** The calling process's ids (the kernel sets it); undefined for kernel code. */
  caller = () => void 0;
  /** Is the console the caller's controlling terminal (its session's)? */
  isCtty() {
    return this.caller()?.sid === this.session;
  }
  /**
   * TIOCSCTTY: a session leader makes the console its controlling
   * terminal, taking it from another session only with `steal` (root's
   * arg 1); its group becomes the foreground one.
   */
  set_ctty(steal) {
    const c = this.caller();
    if (!c || c.pid !== c.sid) return BigInt(-EPERM);
    if (c.sid === this.session) return 0n;
    if (!steal && this.groupInSession(this.session, this.session)) return BigInt(-EPERM);
    this.session = c.sid;
    this.fgPgrp = c.pgid;
    return 0n;
  }
  set_pgrp(pgrp) {
    if (pgrp < 0) return BigInt(-EINVAL4);
    if (!this.groupInSession(pgrp, this.session)) return BigInt(-EPERM);
    this.fgPgrp = pgrp;
    return 0n;
  }
};

// kernel-model/fs/fdtable.ts
var INR_OPEN_CUR = 1024;
var FilesStruct = class _FilesStruct {
  constructor(nofile = INR_OPEN_CUR) {
    this.nofile = nofile;
  }
  nofile;
  fd = [];
  /** No descriptor below this one is free. */
  next_fd = 0;
  /** __alloc_fd: the lowest free descriptor >= `start`, now naming `file`. */
  alloc_fd(file2, cloexec, start = 0) {
    if (start >= this.nofile) fail2(EINVAL4, "start beyond RLIMIT_NOFILE");
    let fd = Math.max(start, this.next_fd);
    while (fd < this.fd.length && this.fd[fd]) fd++;
    if (fd >= this.nofile) fail2(EMFILE);
    this.fd[fd] = { file: file2.get_file(), cloexec };
    if (start <= this.next_fd) this.next_fd = fd + 1;
    return fd;
  }
  /** fget: the File of `fd`, or EBADF. */
  fget(fd) {
    const e = Number.isInteger(fd) && fd >= 0 ? this.fd[fd] : void 0;
    if (!e) fail2(EBADF);
    return e.file;
  }
  has(fd) {
    return Number.isInteger(fd) && fd >= 0 && this.fd[fd] !== void 0;
  }
  get_close_on_exec(fd) {
    this.fget(fd);
    return this.fd[fd].cloexec;
  }
  set_close_on_exec(fd, on) {
    this.fget(fd);
    this.fd[fd].cloexec = on;
  }
  /** close_fd: free the descriptor (the File lives on while another descriptor names it). */
  close_fd(fd) {
    const file2 = this.fget(fd);
    this.fd[fd] = void 0;
    file2.fput();
    if (fd < this.next_fd) this.next_fd = fd;
    while (this.fd.length > 0 && this.fd[this.fd.length - 1] === void 0) this.fd.pop();
  }
  /** do_dup2: make `newfd` name `file`, closing what it named. */
  replace_fd(newfd, file2, cloexec) {
    if (!Number.isInteger(newfd) || newfd < 0 || newfd >= this.nofile) fail2(EBADF);
    const old = this.fd[newfd]?.file;
    this.fd[newfd] = { file: file2.get_file(), cloexec };
    old?.fput();
    if (newfd === this.next_fd) {
      let n = newfd;
      while (n < this.fd.length && this.fd[n]) n++;
      this.next_fd = n;
    }
  }
  /** dup_fd: a copy for a child process (fork without CLONE_FILES); the Files are shared. */
  fork() {
    const copy = new _FilesStruct(this.nofile);
    this.fd.forEach((e, i) => {
      if (e) copy.fd[i] = { file: e.file.get_file(), cloexec: e.cloexec };
    });
    copy.next_fd = this.next_fd;
    return copy;
  }
  /** do_close_on_exec: drop every descriptor marked close-on-exec. */
  close_on_exec() {
    this.fd.forEach((e, i) => {
      if (e?.cloexec) this.close_fd(i);
    });
  }
  /** exit_files: the process is gone, every descriptor is closed. */
  close_all() {
    for (const fd of this.fds()) this.close_fd(fd);
  }
  /** check_files: the invariants above, one line per violation. */
  check() {
    const out = [];
    let firstFree = 0;
    while (firstFree < this.fd.length && this.fd[firstFree]) firstFree++;
    if (this.next_fd > firstFree) out.push(`next_fd ${this.next_fd} is above the lowest free descriptor ${firstFree}`);
    if (this.fd.length > this.nofile) out.push(`table has ${this.fd.length} slots, more than RLIMIT_NOFILE ${this.nofile}`);
    if (this.fd.length > 0 && this.fd[this.fd.length - 1] === void 0) out.push("table ends with an empty slot");
    return out;
  }
  /** Open descriptors, ascending. */
  fds() {
    return this.fd.flatMap((e, i) => e ? [i] : []);
  }
};

// kernel-model/fs/fs_struct.ts
var FsStruct = class _FsStruct {
  constructor(root, pwd) {
    this.root = root;
    this.pwd = pwd;
  }
  root;
  pwd;
  /** The bits a new file's mode loses (init's 0022). */
  umask = 18;
  /** copy_fs_struct: a child's own copy, starting where the parent stands. */
  fork() {
    const f = new _FsStruct(this.root, this.pwd);
    f.umask = this.umask;
    return f;
  }
};

// kernel-model/fs/proc_mount.ts
var ProcDir = class _ProcDir extends DirInode {
  constructor(sb, proc3, prefix, cache) {
    super(sb, { perm: 365 });
    this.proc = proc3;
    this.prefix = prefix;
    this.cache = cache;
  }
  proc;
  prefix;
  cache;
  child(path, make) {
    let i = this.cache.get(path);
    if (!i) {
      i = make();
      if (i instanceof DirInode) i.parent = this;
      this.cache.set(path, i);
    }
    return i;
  }
  lookup(name) {
    const path = `${this.prefix}/${name}`;
    if (path === "/proc/self") {
      const pid = this.proc.selfPid?.();
      return pid === void 0 ? void 0 : new SymlinkInode(this.sb, { perm: 511 }, String(pid));
    }
    if (this.proc.has(path)) return this.child(path, () => new GeneratedInode(this.sb, { perm: 292 }, () => this.proc.read(path)));
    if (this.proc.list().some((p) => p.startsWith(`${path}/`))) return this.child(path, () => new _ProcDir(this.sb, this.proc, path, this.cache));
    return void 0;
  }
  entries() {
    const names = /* @__PURE__ */ new Set();
    if (this.prefix === "/proc" && this.proc.selfPid?.() !== void 0) names.add("self");
    for (const p of this.proc.list()) if (p.startsWith(`${this.prefix}/`)) names.add(p.slice(this.prefix.length + 1).split("/")[0]);
    return [...names].map((n) => [n, this.lookup(n)]);
  }
};
function proc_mount(proc3, prefix, dev) {
  const sb = new SuperBlock(prefix === "/proc" ? "proc" : "sysfs", dev, false);
  return new ProcDir(sb, proc3, prefix, /* @__PURE__ */ new Map());
}

// kernel-model/fs/tmpfs.ts
var TMPFS_MAGIC = 16914836;
var shmem_file_operations = {
  ...reg_file_operations,
  write: (f, data) => {
    const inode = f.inode;
    inode.write_at(f.f_pos, data);
    inode.mtime = inode.sb.now();
    return data.length;
  }
};
function shmem_fill_super(dev, perm, now) {
  return new RamDir(new SuperBlock("tmpfs", dev, false, now), { perm, mtime: now() });
}

// kernel-model/fs/rootfs.ts
var ROOTFS_DEV = 1;
var PROC_DEV = 4;
var SYSFS_DEV = 5;
var Vfs = class {
  constructor(proc3, consoleOutput, now = () => 0) {
    this.proc = proc3;
    this.now = now;
    this.root = new RamDir(this.sb, { perm: 493 });
    this.console = new ConsoleDevice(consoleOutput);
    this.register_chrdev(TTYAUX_MAJOR, CONSOLE_MINOR, this.console.fops);
    this.register_chrdev(TTYAUX_MAJOR, TTY_MINOR, this.console.fops);
  }
  proc;
  now;
  sb = new SuperBlock("rootfs", ROOTFS_DEV, true);
  root;
  console;
  chrdevs = /* @__PURE__ */ new Map();
  /** What is mounted where, in mount order (the rootfs first). */
  mounts = [{ source: "rootfs", target: "/", fstype: "rootfs", options: "rw" }];
  nextDev = SYSFS_DEV + 1;
  register_chrdev(major, minor, fops) {
    this.chrdevs.set(`${major}:${minor}`, fops);
  }
  /** The driver of device `major:minor`, if one is registered (else opening the node gives ENXIO). */
  chrdev(major, minor) {
    return this.chrdevs.get(`${major}:${minor}`);
  }
  /** The directory at absolute `path` (no symlinks), if it exists. */
  dirAt(path) {
    let d = this.root;
    for (const c of path.split("/").filter((x) => x !== "")) {
      if (!(d instanceof DirInode)) return void 0;
      const next = d.lookup(c);
      if (!next) return void 0;
      d = next;
    }
    return d instanceof DirInode ? d : void 0;
  }
  /** Create one archive member; false when it was skipped (no parent, or a kind the model has no inode for). */
  create(e) {
    const name = e.name.replace(/^(\.\/|\/)+/, "").replace(/\/+$/, "");
    if (name === "" || name === ".") return true;
    const slash = name.lastIndexOf("/");
    const parent = this.dirAt(slash < 0 ? "" : name.slice(0, slash));
    const base = name.slice(slash + 1);
    if (!(parent instanceof RamDir) || base === ".." || base === ".") return false;
    const attrs = { perm: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime };
    let inode;
    switch (e.mode & S_IFMT) {
      case S_IFDIR: {
        const existing = parent.lookup(base);
        if (existing instanceof RamDir) return true;
        inode = new RamDir(this.sb, attrs);
        break;
      }
      case S_IFREG:
        inode = new RegInode(this.sb, attrs, e.data ?? new Uint8Array(0));
        break;
      case S_IFLNK:
        inode = new SymlinkInode(this.sb, attrs, e.linkTarget ?? "");
        break;
      case S_IFCHR:
        inode = new CharDevInode(this.sb, attrs, e.rdev?.major ?? 0, e.rdev?.minor ?? 0, (ma, mi) => this.chrdev(ma, mi));
        break;
      default:
        return false;
    }
    parent.link(base, inode);
    return true;
  }
  /** default_rootfs: what the kernel makes when there is no initramfs. */
  default_rootfs() {
    this.create({ name: "dev", mode: S_IFDIR | 493, uid: 0, gid: 0, mtime: 0 });
    this.create({ name: "dev/console", mode: S_IFCHR | 384, uid: 0, gid: 0, mtime: 0, rdev: { major: TTYAUX_MAJOR, minor: CONSOLE_MINOR } });
    this.create({ name: "root", mode: S_IFDIR | 448, uid: 0, gid: 0, mtime: 0 });
  }
  /**
   * console_on_rootfs: descriptors 0, 1 and 2 on /dev/console (one open
   * file, dup'ed twice), as init starts with them. A rootfs without the
   * node still gets the console, through a node outside the tree
   * (Linux would print "Warning: unable to open an initial console.").
   */
  initial_files() {
    const node = this.root.lookup("dev") instanceof DirInode ? this.root.lookup("dev").lookup("console") : void 0;
    const inode = node instanceof CharDevInode ? node : new CharDevInode(this.sb, { perm: 384 }, TTYAUX_MAJOR, CONSOLE_MINOR, (ma, mi) => this.chrdev(ma, mi));
    const fops = this.chrdev(inode.major, inode.minor) ?? this.console.fops;
    const files = new FilesStruct();
    const console2 = new File(inode, O_RDWR | O_LARGEFILE, fops);
    for (let i = 0; i < 3; i++) files.alloc_fd(console2, false);
    return files;
  }
  /**
   * Descriptors for a program whose output goes to the host, as under
   * qemu-user: 0 reads `stdin` (a pipe the host writes) or end of file, 1
   * and 2 write to `sink` (not a terminal: TCGETS is ENOTTY, as for a
   * pipe).
   */
  stdio_files(sink, stdin) {
    const inode = new CharDevInode(this.sb, { perm: 384 }, TTYAUX_MAJOR, CONSOLE_MINOR, () => void 0);
    const files = new FilesStruct();
    const eof = { read: () => new Uint8Array(0), write: () => 0, seekable: false, endOf: () => void 0, ioctl: () => BigInt(-ENOTTY) };
    files.alloc_fd(stdin ?? new File(inode, O_RDONLY | O_LARGEFILE, eof), false);
    for (const fd of [1, 2]) {
      const fops = {
        read: () => new Uint8Array(0),
        write: (_f, data) => {
          sink(fd, data);
          return data.length;
        },
        seekable: false,
        endOf: () => void 0,
        ioctl: () => BigInt(-ENOTTY)
      };
      files.alloc_fd(new File(inode, O_WRONLY | O_LARGEFILE, fops), false);
    }
    return files;
  }
  /** init's fs_struct: root and cwd at the rootfs's root. */
  initial_fs() {
    return new FsStruct(this.root, this.root);
  }
  /** Mount procfs at /proc and the /sys files at /sys (each mount point made if the archive had none). */
  mount_proc() {
    this.root.link("proc", proc_mount(this.proc, "/proc", PROC_DEV));
    this.root.link("sys", proc_mount(this.proc, "/sys", SYSFS_DEV));
    this.mounts.push(
      { source: "proc", target: "/proc", fstype: "proc", options: "rw,nosuid,nodev,noexec,relatime" },
      { source: "sysfs", target: "/sys", fstype: "sysfs", options: "rw,nosuid,nodev,noexec,relatime" }
    );
  }
  /** A tmpfs on the rootfs's directory `name`, if the archive made it (a mount needs its mount point); false otherwise. */
  mount_tmpfs(name, perm) {
    if (!(this.root.lookup(name) instanceof DirInode)) return false;
    this.root.link(name, shmem_fill_super(this.nextDev++, perm, this.now));
    this.mounts.push({ source: "tmpfs", target: `/${name}`, fstype: "tmpfs", options: "rw,relatime" });
    return true;
  }
  /** /proc/mounts (fs/proc_namespace.c show_vfsmnt): device, mount point, type, options, then "0 0". */
  proc_mounts() {
    return this.mounts.map((m) => `${m.source} ${m.target} ${m.fstype} ${m.options} 0 0
`).join("");
  }
};

// kernel-model/init/initramfs.ts
function unpack_to_rootfs(vfs2, image) {
  let bytes2 = image;
  if (bytes2[0] === 31 && bytes2[1] === 139) {
    try {
      bytes2 = new Uint8Array(gunzipSync(bytes2));
    } catch (e) {
      return { created: 0, skipped: 0, error: `invalid gzip data (${e.message})` };
    }
  }
  let entries;
  try {
    entries = readNewc(bytes2);
  } catch (e) {
    if (e instanceof CpioError) return { created: 0, skipped: 0, error: e.message };
    throw e;
  }
  let created = 0;
  for (const e of entries) if (vfs2.create(e)) created++;
  return { created, skipped: entries.length - created };
}
function populate_rootfs(k) {
  const vfs2 = new Vfs(k.proc, (data) => k.consoleWrite(data), () => Math.floor(k.clockNs() / 1e9));
  vfs2.console.wake = (t2) => wake_user(k, t2, void 0);
  vfs2.console.signalGroup = (pgrp, sig) => k.on(0, () => kill_pgrp(k, pgrp, sig));
  vfs2.console.jobControl = (sig) => {
    const t2 = k.current();
    return t2 instanceof UserTask ? tty_check_change(k, t2, vfs2.console.session, vfs2.console.fgPgrp, sig) : "ok";
  };
  vfs2.console.groupInSession = (pgrp, sid) => k.user.procs.all().some((p) => p.pgid === pgrp && p.sid === sid && p.state === "alive");
  vfs2.console.caller = () => {
    const p = k.current().proc;
    return p && { pid: p.pid, pgid: p.pgid, sid: p.sid };
  };
  for (const [minor, fops] of mem_devices((n) => k.user.random(n))) vfs2.register_chrdev(MEM_MAJOR, minor, fops);
  const initrd = k.arch.initrd;
  if (initrd && k.machine.ram.contains(initrd.start, initrd.end - initrd.start)) {
    k.printk("Trying to unpack rootfs image as initramfs...");
    const r2 = unpack_to_rootfs(vfs2, k.machine.ram.read(initrd.start, initrd.end - initrd.start));
    if (r2.error !== void 0) {
      k.printk(`rootfs image is not initramfs (${r2.error}); looks like an initrd`);
      k.printk("uconsole-mm: no ramdisk support; booting with an empty rootfs");
      vfs2.default_rootfs();
    }
    const pages = free_reserved_area(k.mm.pgalloc, initrd.start, initrd.end);
    k.printk(`Freeing initrd memory: ${pages * 4}K`);
  } else {
    if (initrd) k.printk(`initrd not fully accessible via the linear mapping -- please check your bootloader ...`);
    vfs2.default_rootfs();
  }
  vfs2.mount_proc();
  vfs2.mount_tmpfs("tmp", 1023);
  vfs2.mount_tmpfs("run", 493);
  k.rootfs = vfs2;
  return vfs2;
}

// kernel-model/fs/proc_misc.ts
var secs = (ns) => (Math.floor(ns / 1e7) / 100).toFixed(2);
var cpuLine = (name, user, system, idle) => `${name} ${clock_t(user)} 0 ${clock_t(system)} ${clock_t(idle)} 0 0 0 0 0 0
`;
var sum = (xs) => xs.reduce((a, b) => a + b, 0);
function proc_misc_init(k) {
  const stat = k.sched.cpustat;
  k.proc.register("/proc/uptime", () => `${secs(k.clockNs())} ${secs(sum(stat.idle))}
`);
  k.proc.register("/proc/loadavg", () => `${k.sched.loadavg.text().join(" ")} ${k.sched.nr_active()}/${k.sched.tasks.size} ${k.sched.last_pid()}
`);
  k.proc.register("/proc/stat", () => {
    const online = k.machine.cores.map((_, cpu) => cpu).filter((cpu) => k.cpu_online(cpu));
    const cpus = online.map((cpu) => cpuLine(`cpu${cpu}`, stat.user[cpu], stat.system[cpu], stat.idle[cpu])).join("");
    const total = cpuLine("cpu ", sum(stat.user), sum(stat.system), sum(stat.idle));
    return `${total}${cpus}intr 0
ctxt 0
btime 0
processes ${k.sched.last_pid()}
procs_running ${k.sched.nr_active()}
procs_blocked 0
softirq 0 0 0 0 0 0 0 0 0 0 0
`;
  });
  k.proc.register("/proc/mounts", () => k.rootfs?.proc_mounts() ?? "");
}

// kernel-model/fs/exec.ts
function exec_binprm(mem, b) {
  let elf;
  try {
    elf = parseElf(b.file);
  } catch (e) {
    if (e instanceof ExecFormatError) throw new ExecError(ENOEXEC, e.message);
    throw e;
  }
  const mm = mem.mm_alloc();
  if (!mm) throw new ExecError(ENOMEM3, "out of memory for a page table");
  try {
    const { entry, sp } = load_elf_binary(mm, { ...b, elf });
    return { mm, entry, sp };
  } catch (e) {
    mem.mmput(mm);
    if (e instanceof MmError || e instanceof PgTableError) throw new ExecError(ENOMEM3, e.message);
    throw e;
  }
}
var BINPRM_BUF_SIZE = 256;
function parse_shebang(file2, path, argv2) {
  if (file2[0] !== 35 || file2[1] !== 33) return void 0;
  const head = Buffer.from(file2.subarray(2, BINPRM_BUF_SIZE)).toString("latin1");
  const line = head.split("\n")[0].trim();
  if (line === "") throw new ExecError(ENOEXEC, `${path}: empty #! line`);
  const sp = line.search(/[ \t]/);
  const interp = sp < 0 ? line : line.slice(0, sp);
  const arg = sp < 0 ? "" : line.slice(sp).trim();
  return { interp, argv: [interp, ...arg ? [arg] : [], path, ...argv2.slice(1)] };
}
function open_exec(root, start, path) {
  let inode;
  try {
    inode = path_lookupat(root, start, path, { follow: true });
  } catch (e) {
    if (e instanceof ErrnoError) throw new ExecError(e.errno, `${path}: ${e.message}`);
    throw e;
  }
  if (!(inode instanceof RegInode)) throw new ExecError(EACCES, `${path}: not a regular file`);
  if (!(inode.mode & 73)) throw new ExecError(EACCES, `${path}: not executable`);
  return inode.data;
}
function resolve_exec(root, start, path, argv2) {
  const file2 = open_exec(root, start, path);
  const script = parse_shebang(file2, path, argv2);
  if (!script) return { file: file2, filename: path, argv: argv2 };
  const interp = open_exec(root, start, script.interp);
  if (parse_shebang(interp, script.interp, [])) throw new ExecError(ENOEXEC, `${script.interp}: an interpreter that is itself a script`);
  return { file: interp, filename: script.interp, argv: script.argv };
}

// kernel-model/kernel/fork.ts
var ENVP_INIT = ["HOME=/", "TERM=linux"];
var basename3 = (path) => path.slice(path.lastIndexOf("/") + 1).slice(0, 15);
function vdso_pa(k) {
  return k.textPa + Number(k.syms.offset("__kernel_rt_sigreturn"));
}
function binprm(k, file2, filename, argv2, envp) {
  return { file: file2, filename, argv: argv2, envp, hwcap: k.user.hwcap, random: k.user.random(16), clktck: USER_HZ, vdsoPa: vdso_pa(k) };
}
function spawn_process(k, o) {
  const u2 = k.user;
  const prog = exec_binprm(u2.mem, binprm(k, o.file, o.filename, o.argv, o.envp ?? ENVP_INIT));
  const pid = o.pid ?? k.sched.alloc_pid();
  const proc3 = new Process(pid, basename3(o.filename), prog.mm);
  proc3.exe = o.filename;
  if (o.parent) {
    proc3.parent = o.parent;
    o.parent.children.add(proc3);
  }
  const task3 = new UserTask(pid, pid, proc3.comm, o.cpu);
  task3.proc = proc3;
  prepare_user_context(k.machine.core(o.cpu), task3, { entry: prog.entry, sp: prog.sp, ttbr0: prog.mm.ttbr0 }, k.addr("ret_to_user"));
  proc3.threads.add(task3);
  u2.procs.add(proc3);
  k.sched.addUserTask(task3);
  k.sched.wake_up_process(task3);
  return proc3;
}
function clone_thread(k, parent, resumePc, sp, tls) {
  const proc3 = parent.proc;
  const tid = k.sched.alloc_pid();
  const child = new UserTask(proc3.pid, tid, parent.comm, parent.cpu);
  child.proc = proc3;
  child.sigmask = parent.sigmask;
  copy_thread(k.machine.core(parent.cpu), child, resumePc, sp, tls);
  proc3.threads.add(child);
  proc3.mm.users++;
  k.sched.addUserTask(child);
  k.sched.wake_up_process(child);
  return child;
}
function exec_in_task(k, t2, prog, filename) {
  const proc3 = t2.proc;
  for (const other of [...proc3.threads]) if (other !== t2) exit_thread(k, other, W_SIGNALED(9), t2.cpu);
  const old = proc3.mm;
  proc3.mm = prog.mm;
  if (old.users === 1) k.user.futex.forget(old);
  k.user.mem.mmput(old);
  mm_release(k, proc3);
  t2.files?.close_on_exec();
  proc3.exe = filename;
  proc3.comm = t2.comm = basename3(filename);
  proc3.sigactions.clear();
  t2.clear_child_tid = 0n;
  t2.robust_list = 0n;
  const core = k.machine.core(t2.cpu);
  prepare_user_context(core, t2, { entry: prog.entry, sp: prog.sp, ttbr0: prog.mm.ttbr0 }, k.addr("ret_to_user"));
  core.restoreContext(t2.context);
  k.switch_mm(core, t2);
}
function fork_process(k, parent, resumePc, o) {
  const pp = parent.proc;
  let mm = pp.mm;
  if (o.shareVm) mm.users++;
  else {
    const copy = k.user.mem.mm_alloc();
    if (!copy) return null;
    if (!pp.mm.dup_mmap(copy)) {
      k.user.mem.mmput(copy);
      return null;
    }
    mm = copy;
  }
  const pid = k.sched.alloc_pid();
  const proc3 = new Process(pid, pp.comm, mm);
  proc3.exe = pp.exe;
  proc3.parent = pp;
  pp.children.add(proc3);
  proc3.stdio = pp.stdio;
  proc3.pgid = pp.pgid;
  proc3.sid = pp.sid;
  for (const [r2, v] of pp.rlimits) proc3.rlimits.set(r2, v);
  for (const [s, a] of pp.sigactions) proc3.sigactions.set(s, a);
  const child = new UserTask(pid, pid, parent.comm, parent.cpu);
  child.proc = proc3;
  child.sigmask = parent.sigmask;
  child.files = parent.files?.fork();
  child.fs = parent.fs?.fork();
  copy_thread(k.machine.core(parent.cpu), child, resumePc, o.sp, o.tls, mm.ttbr0);
  proc3.threads.add(child);
  k.user.procs.add(proc3);
  k.sched.addUserTask(child);
  k.sched.wake_up_process(child);
  return proc3;
}

// kernel-model/kernel/time/clocksource.ts
var NSEC_PER_SEC2 = 1000000000n;
var U64_MAX = (1n << 64n) - 1n;
var ARCH_COUNTER_BITS = 56n;
function clocks_calc_mult_shift(from, to, maxsec) {
  let tmp = maxsec * from >> 32n;
  let sftacc = 32n;
  while (tmp) {
    tmp >>= 1n;
    sftacc--;
  }
  let sft = 32n;
  for (; sft > 0n; sft--) {
    tmp = ((to << sft) + from / 2n) / from;
    if (tmp >> sftacc === 0n) break;
  }
  return { mult: tmp & 0xffffffffn, shift: sft };
}
function clocks_calc_max_nsecs(mult, shift, maxadj, mask) {
  let maxCycles = U64_MAX / (mult + maxadj);
  if (maxCycles > mask) maxCycles = mask;
  const maxNsecs = maxCycles * (mult - maxadj) >> shift >> 1n;
  return { maxNsecs, maxCycles };
}
function archTimerLines(hz) {
  const rate = BigInt(hz);
  const mask = (1n << ARCH_COUNTER_BITS) - 1n;
  let sec = mask / rate;
  if (sec === 0n) sec = 1n;
  else if (sec > 600n && mask > 0xffffffffn) sec = 600n;
  const cs = clocks_calc_mult_shift(rate, NSEC_PER_SEC2, sec);
  const maxadj = cs.mult * 11n / 100n;
  const idle = clocks_calc_max_nsecs(cs.mult, cs.shift, maxadj, mask);
  const sc = clocks_calc_mult_shift(rate, NSEC_PER_SEC2, 3600n);
  const wrap = clocks_calc_max_nsecs(sc.mult, sc.shift, 0n, mask).maxNsecs;
  const res = sc.mult >> sc.shift;
  const [r2, unit] = hz >= 4e6 ? [Math.floor(hz / 1e6), "M"] : hz >= 1e3 ? [Math.floor(hz / 1e3), "k"] : [hz, " "];
  const mhz = `${Math.floor(hz / 1e6)}.${String(Math.floor(hz / 1e4) % 100).padStart(2, "0")}`;
  return [
    `arch_timer: cp15 timer(s) running at ${mhz}MHz (virt).`,
    `clocksource: arch_sys_counter: mask: 0x${mask.toString(16)} max_cycles: 0x${idle.maxCycles.toString(16)}, max_idle_ns: ${idle.maxNsecs} ns`,
    `sched_clock: ${ARCH_COUNTER_BITS} bits at ${r2}${unit}Hz, resolution ${res}ns, wraps every ${wrap}ns`
  ];
}
function time_init(k) {
  const [banner, clocksource, schedClock] = archTimerLines(k.machine.timerHz);
  k.printk(banner);
  k.printk(clocksource);
  k.startClock();
  k.printk(schedClock);
}

// kernel-model/init/main.ts
var UTS_RELEASE = "5.10.17-uconsole-mm";
var LINUX_BANNER = `Linux version ${UTS_RELEASE} (uconsole-mm@uconsole-mm) (uconsole-mm TypeScript kernel model) #1 SMP PREEMPT Thu Jan 1 00:00:00 UTC 1970`;
function start_kernel(k, dtbPa) {
  const regs = k.cpuRegs[0];
  k.printk(`Booting Linux on physical CPU ${hwid(regs.mpidr)} [${midrHex(regs.midr)}]`);
  k.printk(LINUX_BANNER);
  k.arch = setup_arch(k, Number(dtbPa));
  k.proc.register("/proc/version", () => `${LINUX_BANNER}
`);
  k.proc.register("/proc/cmdline", () => `${k.arch.cmdlineText}
`);
  k.proc.register("/proc/cpuinfo", () => cpuinfo(k.cpuRegs, k.onlineMask, k.machine.timerHz));
}
function start_kernel_percpu(k) {
  k.percpu = setup_per_cpu_areas(k, percpu_alloc_map_param(k.arch.cmdline.get("percpu_alloc_map"), k.printk));
  const percpu = k.percpu;
  k.proc.register("/sys/kernel/debug/percpu_stats", () => percpu.percpu_stats());
}
function start_kernel_rest(k) {
  k.onlineMask[0] = true;
  k.printk(icacheLine(0, k.cpuRegs[0]));
  const pgalloc = build_zonelists(k, k.arch.bootmem);
  k.printk(`Kernel command line: ${k.arch.cmdlineText}`);
  const swiotlb = mem_init(k, pgalloc);
  const slab = kmem_cache_init(k, pgalloc);
  const imageBytes = Math.ceil(k.imageSize / PAGE_SIZE) * PAGE_SIZE;
  const vmalloc = vmalloc_init(k, vmap_allocator_param(k.arch.cmdline.get("vmap_allocator"), k.printk), imageBytes, slab.slab);
  const kmem = new KernelKmem(k, slab.pages, slab.pcc, kmem_params((key) => k.arch.cmdline.get(key), k.printk));
  k.mm = { pgalloc, swiotlb, vmalloc, kmem, kfree_rcu: new KfreeRcu(k) };
  k.proc.register("/proc/vmallocinfo", () => vmalloc.vmallocinfo());
  k.proc.register("/proc/kmem", () => kmem.show());
  time_init(k);
  rest_init(k);
}
function rest_init(k) {
  kthread_run(k, kernel_init, 0, "kernel_init");
}
function* kernel_init(k) {
  yield* smp_init(k);
  k.machine.mapAllShadows();
  populate_rootfs(k);
  proc_misc_init(k);
  kswapd_init(k, k.mm.pgalloc);
  if (k.state === "booting") k.state = "running";
  if (k.runInit) run_init_process(k);
  return 0;
}
function run_init_process(k) {
  const path = k.arch.cmdline.get("rdinit") ?? "/init";
  const vfs2 = k.rootfs;
  let target2;
  try {
    if (!vfs2) throw new ExecError(2, "no root file system");
    target2 = resolve_exec(vfs2.root, vfs2.root, path, [path]);
  } catch (e) {
    if (!(e instanceof ExecError)) throw e;
    k.printk(`Failed to execute ${path} (error -${e.errno})`);
    k.panic("No working init found.  Try passing init= option to kernel. See Linux Documentation/admin-guide/init.rst for guidance.");
    return;
  }
  k.printk(`Run ${path} as init process`);
  try {
    const init = spawn_process(k, { cpu: 0, file: target2.file, filename: target2.filename, argv: target2.argv, pid: HARNESS_PID });
    k.user.procs.init = init;
    init.onRelease.push((wstatus) => {
      k.initStatus = wstatus;
      k.panic(`Attempted to kill init! exitcode=0x${(wstatus >>> 0).toString(16).padStart(8, "0")}`);
    });
  } catch (e) {
    if (!(e instanceof ExecError)) throw e;
    k.printk(`Failed to execute ${path} (error -${e.errno})`);
    k.panic("No working init found.  Try passing init= option to kernel. See Linux Documentation/admin-guide/init.rst for guidance.");
  }
}

// kernel-model/arch/arm64/kernel/traps.ts
var SIGILL = 4;
var SIGTRAP = 5;
var SIGBUS = 7;
var SIGSEGV2 = 11;
var ESR_CLASS = {
  0: "Unknown/Uncategorized",
  21: "SVC (AArch64)",
  32: "IABT (lower EL)",
  33: "IABT (current EL)",
  36: "DABT (lower EL)",
  37: "DABT (current EL)",
  60: "BRK (AArch64)"
};
var hex83 = (v) => `0x${(v >>> 0).toString(16).padStart(8, "0")}`;
function el0_fault(trap, task3) {
  const head = `${task3.comm}[${task3.pid}]: unhandled exception: `;
  const withEsr = (what) => `${head}${ESR_CLASS[trap.esr >>> 26] ?? `EC 0x${(trap.esr >>> 26).toString(16)}`}, ESR ${hex83(trap.esr)}, ${what}`;
  switch (trap.kind) {
    case "data-abort":
    case "insn-abort": {
      const alignment = (trap.esr & 63) === 33;
      return { signal: alignment ? SIGBUS : SIGSEGV2, message: withEsr(faultStatusName(trap.esr)) };
    }
    case "brk":
      return { signal: SIGTRAP, message: withEsr("User debug trap") };
    case "unmapped":
      return { signal: SIGSEGV2, message: `${head}${trap.detail ?? "access"} outside the machine at 0x${trap.far.toString(16).padStart(16, "0")}` };
    case "device":
      return { signal: SIGBUS, message: `${head}${trap.detail ?? "device access"}` };
    default:
      return { signal: SIGILL, message: `${head}undefined instruction` };
  }
}
function emulate_mrs(insn, regs) {
  if ((insn & 4294963200) >>> 0 !== 3577217024) return void 0;
  const crm = insn >>> 8 & 15;
  const op2 = insn >>> 5 & 7;
  const rt = insn & 31;
  let value = 0n;
  if (crm === 0 && op2 === 0) value = regs.midr;
  else if (crm === 0 && op2 === 5) value = regs.mpidr;
  else if (crm === 4 && op2 === 0) value = regs.pfr0;
  else if (crm === 6 && op2 === 0) value = regs.isar0;
  return { rt, value };
}

// kernel-model/kernel/harness.ts
var HARNESS_MAX_ROUNDS = 1e5;
var HarnessError = class extends Error {
  name = "HarnessError";
};
var Harness = class {
  constructor(k) {
    this.k = k;
  }
  k;
  outcomes = /* @__PURE__ */ new Map();
  /** Is `task` one of the harness's threads (the kernel's trap handlers ask)? */
  owns(task3) {
    return this.outcomes.has(task3);
  }
  proc_;
  /** The harness process, made on first use (its tables from CPU 0's page lists if no CPU is current). */
  process() {
    if (this.proc_ && this.proc_.state === "alive") return this.proc_;
    return this.k.on(0, () => this.createProcess());
  }
  createProcess() {
    const k = this.k;
    const mm = k.user.mem.mm_alloc();
    if (!mm) throw new HarnessError("out of memory for the harness process");
    const text = k.textPa + Number(k.syms.offset("harness_syscall"));
    const buffers = k.textPa + Number(k.syms.offset("harness_buffers"));
    const nr = k.machine.cores.length;
    mm.insert_vma(new VmArea(USER_TEXT, USER_TEXT + BigInt(PAGE_SIZE), VM_READ | VM_EXEC | VM_PFNMAP, "[harness]", [], text));
    mm.insert_vma(new VmArea(USER_BUFFERS, USER_BUFFERS + BigInt(nr * PAGE_SIZE), VM_READ | VM_WRITE | VM_EXEC | VM_PFNMAP, "[harness-buffers]", [], buffers));
    map_vdso(mm, vdso_pa(k));
    const pid = k.user.procs.get(HARNESS_PID) ? k.sched.alloc_pid() : HARNESS_PID;
    const p = new Process(pid, "harness", mm);
    p.persistent = true;
    k.user.procs.add(p);
    this.proc_ = p;
    return p;
  }
  /** The physical address of `cpu`'s buffer page (the area is a window on the image: no page is allocated). */
  bufferPa(cpu) {
    const mm = this.process().mm;
    const va = this.buffer(cpu);
    const v = mm.vma_at(va);
    return v.pfnmapPa + Number(va - v.start);
  }
  /** A harness thread ended with this wait status (exit, or killed by a signal). */
  ended(task3, wstatus) {
    if ((wstatus & 127) !== 0) this.killed(task3, wstatus & 127);
    else this.exited(task3, wstatus >> 8 & 255);
  }
  /* The kernel reports how a harness thread ended with one of these. */
  done(task3, x0) {
    const o = this.outcomes.get(task3);
    if (o) o.result = x0;
  }
  exited(task3, code) {
    const o = this.outcomes.get(task3);
    if (o && o.result === void 0) o.exited = code;
  }
  killed(task3, signal) {
    const o = this.outcomes.get(task3);
    if (o) o.signal = signal;
  }
  /** `svc #0` at EL0 on `cpu` with x8 = nr, x0.. = args. */
  syscall(cpu, nr, args) {
    if (args.length > 6) throw new HarnessError("a system call takes at most 6 arguments");
    const regs = new Map(args.map((a, i) => [i, BigInt(a)]));
    regs.set(8, BigInt(nr));
    return this.runUser(cpu, USER_TEXT, regs);
  }
  /** Run EL0 code on `cpu` from `entry`, registers x0..x8 preset from `regs`. */
  runUser(cpu, entry, regs = /* @__PURE__ */ new Map(), opts = {}) {
    const task3 = this.prepareThread(cpu, entry, regs, opts.sp ?? 0n);
    const o = {};
    this.outcomes.set(task3, o);
    try {
      this.k.sched.wake_up_process(task3);
      this.wait(task3, opts.maxRounds);
    } finally {
      this.outcomes.delete(task3);
    }
    if (o.signal !== void 0) return { ret: BigInt(-o.signal), signal: o.signal };
    if (o.exited !== void 0) return { ret: BigInt(o.exited), exited: o.exited };
    return { ret: BigInt.asIntN(64, o.result ?? 0n) };
  }
  /**
   * The harness thread of `cpu`, blocked, with the CPU state of an eret to
   * EL0 at `entry` saved in it (prepared on the idle core, which is then
   * put back as it was).
   */
  prepareThread(cpu, entry, regs, sp) {
    const core = this.idleCore(cpu);
    const p = this.process();
    const task3 = new UserTask(p.pid, p.pid + cpu, "harness", cpu);
    task3.proc = p;
    core.restoreEl1();
    prepare_user_context(core, task3, { entry, sp, ttbr0: p.mm.ttbr0, regs }, this.k.addr("ret_to_user"));
    p.threads.add(task3);
    p.mm.users++;
    this.k.sched.addUserTask(task3);
    return task3;
  }
  /**
   * Run a program as a new process on `cpu` until it is gone, its output
   * collected (or passed to `opts.stdio`). Throws ExecError when it cannot
   * be loaded; a program still running after `maxRounds` is stopped.
   */
  exec(file2, filename, argv2, opts = {}) {
    const cpu = opts.cpu ?? 0;
    this.idleCore(cpu);
    const out = [];
    const err7 = [];
    let wstatus;
    const proc3 = this.k.on(cpu, () => spawn_process(this.k, { cpu, file: file2, filename, argv: argv2, envp: opts.envp }));
    proc3.stdio = opts.stdio ?? ((fd, data) => (fd === 1 ? out : err7).push(data.slice()));
    const stdin = opts.stdin === void 0 ? void 0 : new HostPipe((t2) => wake_user(this.k, t2, void 0), byteSource(opts.stdin));
    proc3.stdin = stdin?.file;
    proc3.onRelease.push((w2) => wstatus = w2);
    try {
      for (; ; ) {
        this.k.run(() => wstatus !== void 0 || !!stdin?.starving, opts.maxRounds ?? HARNESS_MAX_ROUNDS);
        if (wstatus !== void 0 || !stdin) break;
        stdin.feed();
      }
    } catch (e) {
      if (!(e instanceof KernelRunError)) throw e;
      if (this.k.machine.halted) throw new HarnessError(this.k.machine.status.message);
      this.k.on(cpu, () => {
        for (const t2 of [...proc3.threads]) exit_thread(this.k, t2, W_SIGNALED(9));
      });
      throw new HarnessError(`${proc3}: ${e.message}; stopped`);
    }
    const text = (parts) => Buffer.concat(parts).toString("utf8");
    const w = wstatus;
    return { pid: proc3.pid, wstatus: w, exitCode: w & 127 ? void 0 : w >> 8 & 255, signal: w & 127 || void 0, stdout: text(out), stderr: text(err7) };
  }
  /** The page of buffer memory of `cpu`'s harness thread: its user VA. */
  buffer(cpu) {
    return USER_BUFFERS + BigInt(cpu * PAGE_SIZE);
  }
  /** Run one of the image's EL1 probes on `cpu` through its MMU; returns its x0 (-EFAULT on a fault). */
  probe(cpu, sym, args) {
    this.ready();
    return this.k.kcall(cpu, sym, ...args);
  }
  /** A kernel thread on `cpu` that calls `sym` once; x0() is its result once it is dead. */
  kcallThread(cpu, sym, args) {
    this.ready();
    let x0 = 0n;
    const task3 = kthread_run(this.k, function* () {
      x0 = yield* kcall(sym, ...args);
    }, cpu, "kcall/%u");
    return { task: task3, x0: () => x0 };
  }
  ready() {
    if (this.k.state !== "running") throw new HarnessError(`the kernel is ${this.k.state}, not running`);
  }
  idleCore(cpu) {
    this.ready();
    const core = this.k.machine.core(cpu);
    if (!this.k.cpu_online(cpu)) throw new HarnessError(`cpu${cpu} is not online`);
    if (this.k.sched.curr[cpu].kind !== "idle" || core.state !== "wfi" && core.state !== "running")
      throw new HarnessError(`cpu${cpu} is busy (${this.k.sched.curr[cpu].comm}, ${core.state})`);
    return core;
  }
  wait(task3, maxRounds = HARNESS_MAX_ROUNDS) {
    try {
      this.k.run(() => task3.state === "dead", maxRounds);
    } catch (e) {
      if (!(e instanceof KernelRunError)) throw e;
      const m = this.k.machine;
      if (m.halted) throw new HarnessError(m.status.message);
      if (task3.state !== "dead") {
        this.k.on(task3.cpu, () => exit_thread(this.k, task3, W_SIGNALED(9)));
      }
      throw new HarnessError(`cpu${task3.cpu}: ${e.message}; stopped`);
    }
  }
};
function byteSource(stdin) {
  if (typeof stdin === "function") return stdin;
  let given = false;
  return () => given ? null : (given = true, stdin);
}

// kernel-model/kernel/time/timespec.ts
var NSEC_PER_SEC3 = 1000000000n;
function get_timespec(copyFromUser2, va) {
  const ts = copyFromUser2(va, 16);
  if (!ts) return BigInt(-EFAULT);
  const v = new DataView(ts.buffer, ts.byteOffset, 16);
  const sec = v.getBigInt64(0, true);
  const nsec = v.getBigInt64(8, true);
  if (sec < 0n || nsec < 0n || nsec >= NSEC_PER_SEC3) return BigInt(-EINVAL4);
  return Number(sec * NSEC_PER_SEC3 + nsec);
}

// kernel-model/kernel/sys_times.ts
var err = (e) => BigInt(-e);
var RUSAGE_SIZE = 144;
function encode_rusage(utimeNs, stimeNs) {
  const b = new Uint8Array(RUSAGE_SIZE);
  const v = new DataView(b.buffer);
  [utimeNs, stimeNs].forEach((ns, i) => {
    v.setBigInt64(16 * i, BigInt(Math.floor(ns / 1e9)), true);
    v.setBigInt64(16 * i + 8, BigInt(Math.floor(ns % 1e9 / 1e3)), true);
  });
  return b;
}
function sys_times(ctx, [buf]) {
  const p = ctx.task.proc;
  if (buf !== 0n) {
    const { utime, stime } = thread_group_cputime(p);
    const tms = new BigInt64Array([utime, stime, p.cutimeNs, p.cstimeNs].map((ns) => BigInt(clock_t(ns))));
    if (!ctx.copyToUser(buf, new Uint8Array(tms.buffer))) return err(EFAULT);
  }
  return BigInt(Math.floor(jiffies_at(ctx.nowNs()) * USER_HZ / HZ));
}
var RUSAGE_SELF = 0;
var RUSAGE_CHILDREN = -1;
var RUSAGE_THREAD = 1;
function sys_getrusage(ctx, [who, ru]) {
  const t2 = ctx.task;
  const p = t2.proc;
  let times;
  switch (Number(BigInt.asIntN(32, who))) {
    case RUSAGE_SELF: {
      const { utime, stime } = thread_group_cputime(p);
      times = [utime, stime];
      break;
    }
    case RUSAGE_CHILDREN:
      times = [p.cutimeNs, p.cstimeNs];
      break;
    case RUSAGE_THREAD:
      times = [t2.utimeNs, t2.stimeNs];
      break;
    default:
      return err(EINVAL4);
  }
  return ctx.copyToUser(ru, encode_rusage(...times)) ? 0n : err(EFAULT);
}
var TIMES_SYSCALLS = [
  [NR.times, sys_times, 1],
  [NR.getrusage, sys_getrusage, 2]
];

// kernel-model/kernel/sys_process.ts
var err2 = (e) => BigInt(-e);
var task = (ctx) => ctx.task;
var proc = (ctx) => task(ctx).proc;
var u32 = (v) => new Uint8Array(new Uint32Array([v >>> 0]).buffer);
var u64s = (...v) => new Uint8Array(new BigUint64Array(v).buffer);
var CLONE_VM = 256;
var CLONE_VFORK = 16384;
var CLONE_THREAD = 65536;
var CLONE_SETTLS = 524288;
var CLONE_PARENT_SETTID = 1048576;
var CLONE_CHILD_CLEARTID = 2097152;
var CLONE_CHILD_SETTID = 16777216;
function sys_exit(ctx, [code]) {
  exit_thread(ctx.kernel, task(ctx), W_EXITCODE(Number(code & 0xffn)), ctx.cpu);
  return 0n;
}
function sys_exit_group(ctx, [code]) {
  exit_group(ctx.kernel, task(ctx), W_EXITCODE(Number(code & 0xffn)));
  return 0n;
}
function wait4_select(me, pid) {
  if (pid < -1) return (c) => c.pgid === -pid;
  if (pid === -1) return () => true;
  if (pid === 0) return (c) => c.pgid === me.pgid;
  return (c) => c.pid === pid;
}
function wait_outcome(r2) {
  if ("none" in r2) return err2(ECHILD);
  if ("nohang" in r2) return 0n;
  if ("block" in r2) return { kind: "sleep", what: "wait" };
  return r2;
}
var __WNOTHREAD = 536870912;
var __WALL = 1073741824;
var __WCLONE = 2147483648;
function sys_wait4(ctx, [pid, wstatus, options, rusage]) {
  const opts = Number(options);
  if (opts & ~(WNOHANG | WSTOPPED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE)) return err2(EINVAL4);
  const r2 = wait_outcome(do_wait(ctx.kernel, task(ctx), wait4_select(proc(ctx), Number(BigInt.asIntN(32, pid))), opts | WEXITED));
  if (typeof r2 === "bigint" || !("pid" in r2)) return r2;
  if (wstatus !== 0n && !ctx.copyToUser(wstatus, u32(r2.wstatus))) return err2(EFAULT);
  if (rusage !== 0n && !ctx.copyToUser(rusage, encode_rusage(r2.utimeNs, r2.stimeNs))) return err2(EFAULT);
  return BigInt(r2.pid);
}
var P_ALL = 0;
var P_PID = 1;
var P_PGID = 2;
function sys_waitid(ctx, [idtype, id, infop, options, rusage]) {
  const opts = Number(options);
  const which = Number(idtype);
  const n = Number(BigInt.asIntN(32, id));
  if (opts & ~(WNOHANG | WSTOPPED | WEXITED | WCONTINUED | WNOWAIT | __WNOTHREAD | __WALL | __WCLONE) || !(opts & (WEXITED | WSTOPPED | WCONTINUED))) return err2(EINVAL4);
  const me = proc(ctx);
  let select;
  if (which === P_ALL) select = () => true;
  else if (which === P_PID && n > 0) select = (c) => c.pid === n;
  else if (which === P_PGID && n >= 0) select = (c) => c.pgid === (n === 0 ? me.pgid : n);
  else return err2(EINVAL4);
  const r2 = wait_outcome(do_wait(ctx.kernel, task(ctx), select, opts));
  if (typeof r2 !== "bigint" && !("pid" in r2)) return r2;
  const info = new Uint8Array(128);
  if (typeof r2 !== "bigint") {
    const v = new DataView(info.buffer);
    v.setInt32(0, SIGCHLD, true);
    v.setInt32(8, r2.code, true);
    v.setInt32(16, r2.pid, true);
    v.setInt32(24, r2.status, true);
  } else if (r2 !== 0n) return r2;
  if (infop !== 0n && !ctx.copyToUser(infop, info)) return err2(EFAULT);
  if (rusage !== 0n && !ctx.copyToUser(rusage, typeof r2 === "bigint" ? new Uint8Array(RUSAGE_SIZE) : encode_rusage(r2.utimeNs, r2.stimeNs))) return err2(EFAULT);
  return 0n;
}
function sys_clone(ctx, [flags, newsp, ptid, tls, ctid]) {
  const f = Number(flags & 0xffffffffn);
  if (!(f & CLONE_THREAD)) return do_fork(ctx, f, newsp, ptid, tls, ctid);
  if (!(f & CLONE_VM)) return err2(EINVAL4);
  if (too_many_threads(ctx)) return err2(EAGAIN);
  const child = clone_thread(ctx.kernel, task(ctx), ctx.pc, newsp ? newsp : void 0, f & CLONE_SETTLS ? tls : void 0);
  const tid = u32(child.tid);
  if (f & CLONE_PARENT_SETTID) ctx.copyToUser(ptid, tid);
  if (f & CLONE_CHILD_SETTID) ctx.copyToUser(ctid, tid);
  if (f & CLONE_CHILD_CLEARTID) child.clear_child_tid = ctid;
  return BigInt(child.tid);
}
var too_many_threads = (ctx) => ctx.kernel.sched.tasks.size >= ctx.kernel.user.threadsMax;
function do_fork(ctx, f, newsp, ptid, tls, ctid) {
  const k = ctx.kernel;
  if (too_many_threads(ctx)) return err2(EAGAIN);
  current_files(ctx);
  current_fs(ctx);
  const vfork = (f & CLONE_VFORK) !== 0;
  const child = fork_process(k, task(ctx), ctx.pc, {
    shareVm: (f & CLONE_VM) !== 0,
    vfork,
    sp: newsp ? newsp : void 0,
    tls: f & CLONE_SETTLS ? tls : void 0
  });
  if (!child) return err2(ENOMEM3);
  const t2 = [...child.threads][0];
  const tid = new Uint8Array(new Uint32Array([child.pid]).buffer);
  if (f & CLONE_PARENT_SETTID) ctx.copyToUser(ptid, tid);
  if (f & CLONE_CHILD_SETTID) copyToUser(child.mm, ctx.kernel.machine.ram, ctid, tid);
  if (f & CLONE_CHILD_CLEARTID) t2.clear_child_tid = ctid;
  if (!vfork) return BigInt(child.pid);
  const parent = task(ctx);
  child.vforkParent = parent;
  parent.cancelWait = () => child.vforkParent = void 0;
  return { kind: "sleep", ret: BigInt(child.pid), what: `vfork ${child.pid}` };
}
function sys_set_tid_address(ctx, [tidptr]) {
  task(ctx).clear_child_tid = tidptr;
  return BigInt(ctx.task.tid);
}
function sys_set_robust_list(ctx, [head, len]) {
  if (len !== 24n) return err2(EINVAL4);
  task(ctx).robust_list = head;
  return 0n;
}
function copy_strings(ctx, mm, va) {
  const out = [];
  if (va === 0n) return out;
  for (let i = 0; i < 65536; i++) {
    const p = ctx.copyFromUser(va + BigInt(8 * i), 8);
    if (!p) return err2(EFAULT);
    const ptr = new DataView(p.buffer).getBigUint64(0, true);
    if (ptr === 0n) return out;
    const s = strncpyFromUser(mm, ctx.kernel.machine.ram, ptr, 1 << 17);
    if (s === void 0) return err2(EFAULT);
    if (s === "toolong") return err2(E2BIG);
    out.push(s);
  }
  return err2(E2BIG);
}
function sys_execve(ctx, [path, argvp, envpp]) {
  const k = ctx.kernel;
  const t2 = task(ctx);
  const mm = proc(ctx).mm;
  const name = strncpyFromUser(mm, k.machine.ram, path, 4096);
  if (name === void 0) return err2(EFAULT);
  if (name === "toolong") return err2(ENAMETOOLONG);
  const argv2 = copy_strings(ctx, mm, argvp);
  if (typeof argv2 === "bigint") return argv2;
  const envp = copy_strings(ctx, mm, envpp);
  if (typeof envp === "bigint") return envp;
  const vfs2 = k.rootfs;
  if (!vfs2) return err2(ENOENT2);
  try {
    const fs = current_fs(ctx);
    const target2 = resolve_exec(fs.root, fs.pwd, name, argv2);
    const prog = exec_binprm(k.user.mem, binprm(k, target2.file, target2.filename, target2.argv, envp));
    exec_in_task(k, t2, prog, target2.filename);
    return { kind: "jump", pc: t2.resumePc };
  } catch (e) {
    if (e instanceof ExecError) return err2(e.errno);
    throw e;
  }
}
function sys_futex(ctx, [uaddr, op, val, timeout, , val3]) {
  const cmd = Number(op) & FUTEX_CMD_MASK;
  const k = ctx.kernel;
  const mm = proc(ctx).mm;
  if (uaddr & 3n) return err2(EINVAL4);
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      const bitset = cmd === FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : Number(val3 & 0xffffffffn);
      if (bitset === 0) return err2(EINVAL4);
      const word = ctx.copyFromUser(uaddr, 4);
      if (!word) return err2(EFAULT);
      if (new DataView(word.buffer).getUint32(0, true) !== Number(val & 0xffffffffn)) return err2(EAGAIN);
      let untilNs;
      if (timeout !== 0n) {
        const ts = get_timespec(ctx.copyFromUser, timeout);
        if (typeof ts !== "number") return ts;
        untilNs = cmd === FUTEX_WAIT ? ctx.nowNs() + ts : ts;
        void FUTEX_CLOCK_REALTIME;
      }
      const t2 = task(ctx);
      k.user.futex.queue(mm, uaddr, t2, bitset);
      t2.cancelWait = () => k.user.futex.unqueue(t2);
      return { kind: "sleep", untilNs, ret: untilNs === void 0 ? 0n : err2(ETIMEDOUT), what: `futex 0x${uaddr.toString(16)}` };
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
      const bitset = cmd === FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : Number(val3 & 0xffffffffn);
      if (bitset === 0) return err2(EINVAL4);
      const n = Number(BigInt.asIntN(32, val));
      return BigInt(k.user.futex.wake(mm, uaddr, n <= 0 ? 1 : n, bitset, (w) => wake_user(k, w, 0n)));
    }
    default:
      return err2(ENOSYS);
  }
}
function sys_uname(ctx, [buf]) {
  const fields = ["Linux", ctx.kernel.user.hostname, UTS_RELEASE, "#1 SMP PREEMPT Thu Jan 1 00:00:00 UTC 1970", "aarch64", "(none)"];
  const out = new Uint8Array(65 * 6);
  fields.forEach((f, i) => out.set(new TextEncoder().encode(f).subarray(0, 64), i * 65));
  return ctx.copyToUser(buf, out) ? 0n : err2(EFAULT);
}
var RLIMIT_NLIMITS = 16;
var RLIM_INFINITY = 0xffffffffffffffffn;
var INIT_RLIMITS = [
  [RLIM_INFINITY, RLIM_INFINITY],
  // CPU
  [RLIM_INFINITY, RLIM_INFINITY],
  // FSIZE
  [RLIM_INFINITY, RLIM_INFINITY],
  // DATA
  [8n << 20n, RLIM_INFINITY],
  // STACK (_STK_LIM)
  [0n, RLIM_INFINITY],
  // CORE
  [RLIM_INFINITY, RLIM_INFINITY],
  // RSS
  [0n, 0n],
  // NPROC: set from threads-max at boot
  [1024n, 4096n],
  // NOFILE (INR_OPEN_CUR, INR_OPEN_MAX)
  [8n << 20n, 8n << 20n],
  // MEMLOCK (MLOCK_LIMIT)
  [RLIM_INFINITY, RLIM_INFINITY],
  // AS
  [RLIM_INFINITY, RLIM_INFINITY],
  // LOCKS
  [0n, 0n],
  // SIGPENDING: set from threads-max at boot
  [819200n, 819200n],
  // MSGQUEUE (MQ_BYTES_MAX)
  [0n, 0n],
  // NICE
  [0n, 0n],
  // RTPRIO
  [RLIM_INFINITY, RLIM_INFINITY]
  // RTTIME
];
function rlimit(ctx, res) {
  const p = proc(ctx);
  const nproc = BigInt(ctx.kernel.user.threadsMax);
  return p.rlimits.get(res) ?? (res === 6 || res === 11 ? [nproc, nproc] : INIT_RLIMITS[res]);
}
function sys_prlimit64(ctx, [pid, resource, newp, oldp]) {
  const res = Number(resource);
  if (res < 0 || res >= RLIMIT_NLIMITS) return err2(EINVAL4);
  if (pid !== 0n && Number(pid) !== proc(ctx).pid) return ctx.kernel.user.procs.get(Number(pid)) ? err2(EPERM) : err2(ESRCH);
  const old = rlimit(ctx, res);
  let next;
  if (newp !== 0n) {
    const b = ctx.copyFromUser(newp, 16);
    if (!b) return err2(EFAULT);
    const v = new BigUint64Array(b.buffer);
    if (v[0] > v[1]) return err2(EINVAL4);
    next = [v[0], v[1]];
  }
  if (oldp !== 0n && !ctx.copyToUser(oldp, u64s(...old))) return err2(EFAULT);
  if (next) proc(ctx).rlimits.set(res, next);
  return 0n;
}
function sys_getrandom(ctx, [buf, len, flags]) {
  if (flags & ~7n) return err2(EINVAL4);
  const n = Math.min(Number(len), 1 << 25);
  return ctx.copyToUser(buf, ctx.kernel.user.random(n)) ? BigInt(n) : err2(EFAULT);
}
var PR_SET_NAME = 15;
var PR_GET_NAME = 16;
function sys_prctl(ctx, [option, arg2]) {
  switch (Number(option)) {
    case PR_SET_NAME: {
      const b = ctx.copyFromUser(arg2, 16);
      if (!b) return err2(EFAULT);
      const z = b.indexOf(0);
      task(ctx).comm = new TextDecoder().decode(b.subarray(0, z < 0 ? 15 : Math.min(z, 15)));
      return 0n;
    }
    case PR_GET_NAME: {
      const out = new Uint8Array(16);
      out.set(new TextEncoder().encode(ctx.task.comm).subarray(0, 15));
      return ctx.copyToUser(arg2, out) ? 0n : err2(EFAULT);
    }
    default:
      return err2(EINVAL4);
  }
}
function sys_sysinfo(ctx, [info]) {
  const k = ctx.kernel;
  const pg = k.mm.pgalloc;
  const b = new Uint8Array(112);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, BigInt(Math.floor(ctx.nowNs() / NSEC_PER_SEC)), true);
  k.sched.loadavg.avenrun.forEach((a, i) => v.setBigUint64(8 + 8 * i, BigInt(a) << BigInt(16 - FSHIFT), true));
  v.setBigUint64(32, BigInt(pg.totalram_pages()) * 4096n, true);
  v.setBigUint64(40, BigInt(pg.nr_free_pages() + pg.nr_pcp_pages()) * 4096n, true);
  v.setUint16(80, Math.min(65535, k.sched.tasks.size + k.machine.cores.length), true);
  v.setUint32(104, 1, true);
  return ctx.copyToUser(info, b) ? 0n : err2(EFAULT);
}
var target_proc = (ctx, pid) => pid === 0n ? proc(ctx) : ctx.kernel.user.procs.get(Number(BigInt.asIntN(32, pid)));
function sys_setpgid(ctx, [pid, pgid]) {
  const me = proc(ctx);
  const p = target_proc(ctx, pid);
  const g = Number(BigInt.asIntN(32, pgid));
  if (g < 0) return err2(EINVAL4);
  if (!p || p !== me && p.parent !== me) return err2(ESRCH);
  if (p.sid !== me.sid || p.sid === p.pid) return err2(EPERM);
  const group = g === 0 ? p.pid : g;
  if (group !== p.pid && !ctx.kernel.user.procs.all().some((q) => q.pgid === group && q.sid === me.sid)) return err2(EPERM);
  p.pgid = group;
  return 0n;
}
function sys_getpgid(ctx, [pid]) {
  const p = target_proc(ctx, pid);
  return p ? BigInt(p.pgid) : err2(ESRCH);
}
function sys_getsid(ctx, [pid]) {
  const p = target_proc(ctx, pid);
  return p ? BigInt(p.sid) : err2(ESRCH);
}
function sys_setsid(ctx) {
  const p = proc(ctx);
  if (ctx.kernel.user.procs.all().some((q) => q.pgid === p.pid)) return err2(EPERM);
  p.sid = p.pgid = p.pid;
  return BigInt(p.sid);
}
var LINUX_REBOOT_MAGIC1 = 0xfee1deadn;
var LINUX_REBOOT_MAGIC2S = /* @__PURE__ */ new Set([672274793n, 85072278n, 369367448n, 537993216n]);
var LINUX_REBOOT_CMD_HALT = 0xcdef0123n;
var LINUX_REBOOT_CMD_POWER_OFF = 0x4321fedcn;
var LINUX_REBOOT_CMD_RESTART = 0x01234567n;
var LINUX_REBOOT_CMD_CAD_ON = 0x89abcdefn;
var LINUX_REBOOT_CMD_CAD_OFF = 0n;
function sys_reboot(ctx, [magic1, magic2, cmd]) {
  if ((magic1 & 0xffffffffn) !== LINUX_REBOOT_MAGIC1 || !LINUX_REBOOT_MAGIC2S.has(magic2 & 0xffffffffn)) return err2(EINVAL4);
  const c = cmd & 0xffffffffn;
  if (c === LINUX_REBOOT_CMD_CAD_ON || c === LINUX_REBOOT_CMD_CAD_OFF) return 0n;
  if (c === LINUX_REBOOT_CMD_HALT) ctx.kernel.halt();
  else if (c === LINUX_REBOOT_CMD_POWER_OFF) ctx.kernel.halt("Power down");
  else if (c === LINUX_REBOOT_CMD_RESTART) ctx.kernel.halt("Restarting system");
  else return err2(EINVAL4);
  return 0n;
}
var CLOCK_IDS = /* @__PURE__ */ new Set([0, 1, 4, 5, 6, 7]);
function sys_clock_gettime(ctx, [id, tp]) {
  const c = Number(BigInt.asIntN(32, id));
  if (!CLOCK_IDS.has(c) && c !== 2 && c !== 3 && c >= 0) return err2(EINVAL4);
  const ns = BigInt(Math.floor(ctx.nowNs()));
  return ctx.copyToUser(tp, u64s(ns / BigInt(NSEC_PER_SEC), ns % BigInt(NSEC_PER_SEC))) ? 0n : err2(EFAULT);
}
function sys_clock_getres(ctx, [id, tp]) {
  if (!CLOCK_IDS.has(Number(id)) && id !== 2n && id !== 3n) return err2(EINVAL4);
  if (tp === 0n) return 0n;
  return ctx.copyToUser(tp, u64s(0n, 1n)) ? 0n : err2(EFAULT);
}
function sys_gettimeofday(ctx, [tv, tz]) {
  const us = BigInt(Math.floor(ctx.nowNs() / 1e3));
  if (tv !== 0n && !ctx.copyToUser(tv, u64s(us / 1000000n, us % 1000000n))) return err2(EFAULT);
  if (tz !== 0n && !ctx.copyToUser(tz, new Uint8Array(8))) return err2(EFAULT);
  return 0n;
}
function sys_sched_getaffinity(ctx, [pid, len, mask]) {
  const t2 = pid === 0n ? ctx.task : ctx.kernel.user.procs.thread(Number(pid));
  if (!t2) return err2(ESRCH);
  const size2 = Number(len);
  const nr = ctx.kernel.machine.cores.length;
  if (size2 * 8 < nr || size2 & 7) return err2(EINVAL4);
  const out = new Uint8Array(8);
  out[t2.cpu >> 3] = 1 << (t2.cpu & 7);
  return ctx.copyToUser(mask, out) ? 8n : err2(EFAULT);
}
function sys_sched_setaffinity(ctx, [pid, len, mask]) {
  const t2 = pid === 0n ? task(ctx) : ctx.kernel.user.procs.thread(Number(pid));
  if (!t2) return err2(ESRCH);
  const b = ctx.copyFromUser(mask, Math.min(Number(len), 128));
  if (!b) return err2(EFAULT);
  const bit3 = (cpu) => cpu >> 3 < b.length && (b[cpu >> 3] & 1 << (cpu & 7)) !== 0;
  const online = ctx.kernel.machine.cores.map((_, cpu) => cpu).filter((cpu) => bit3(cpu) && ctx.kernel.cpu_online(cpu));
  if (online.length === 0) return err2(EINVAL4);
  if (online.includes(t2.cpu)) return 0n;
  if (t2 === ctx.task) return { kind: "migrate", cpu: online[0], ret: 0n };
  if (t2.state === "running") return err2(EBUSY4);
  return ctx.kernel.sched.migrateWaiting(t2, ctx.kernel.machine.core(t2.cpu), ctx.kernel.machine.core(online[0])) ? 0n : err2(EBUSY4);
}
var PROCESS_SYSCALLS = [
  [NR.exit, sys_exit, 1],
  [NR.exit_group, sys_exit_group, 1],
  [NR.wait4, sys_wait4, 4],
  [NR.waitid, sys_waitid, 5],
  [NR.clone, sys_clone, 5],
  [NR.execve, sys_execve, 3],
  [NR.reboot, sys_reboot, 4],
  [NR.sysinfo, sys_sysinfo, 1],
  [NR.setpgid, sys_setpgid, 2],
  [NR.getpgid, sys_getpgid, 1],
  [NR.getsid, sys_getsid, 1],
  [NR.setsid, sys_setsid, 0],
  [NR.set_tid_address, sys_set_tid_address, 1],
  [NR.set_robust_list, sys_set_robust_list, 2],
  [NR.futex, sys_futex, 6],
  [NR.getpid, (ctx) => BigInt(ctx.task.pid), 0],
  [NR.gettid, (ctx) => BigInt(ctx.task.tid), 0],
  [NR.getppid, (ctx) => BigInt(proc(ctx).parent?.pid ?? 0), 0],
  [NR.getuid, () => 0n, 0],
  [NR.geteuid, () => 0n, 0],
  [NR.getgid, () => 0n, 0],
  [NR.getegid, () => 0n, 0],
  [NR.uname, sys_uname, 1],
  [NR.prlimit64, sys_prlimit64, 4],
  [NR.getrandom, sys_getrandom, 3],
  [NR.prctl, sys_prctl, 2],
  [NR.clock_gettime, sys_clock_gettime, 2],
  [NR.clock_getres, sys_clock_getres, 2],
  [NR.gettimeofday, sys_gettimeofday, 2],
  [NR.sched_getaffinity, sys_sched_getaffinity, 3],
  [NR.sched_setaffinity, sys_sched_setaffinity, 3],
  [NR.rseq, () => err2(ENOSYS), 0]
];
var PROCESS_SLOW_CALLS = [NR.sched_setaffinity, NR.reboot, NR.execve, NR.exit, NR.exit_group, NR.wait4, NR.waitid, NR.clone, NR.futex];

// kernel-model/kernel/sys_signal.ts
var err3 = (e) => BigInt(-e);
var task2 = (ctx) => ctx.task;
var proc2 = (ctx) => task2(ctx).proc;
var u64s2 = (...v) => new Uint8Array(new BigUint64Array(v).buffer);
var UNBLOCKABLE = 1n << BigInt(SIGKILL - 1) | 1n << BigInt(SIGSTOP - 1);
function sys_rt_sigaction(ctx, [sig, act, oact, size2]) {
  const s = Number(sig);
  if (size2 !== 8n || s < 1 || s > NSIG) return err3(EINVAL4);
  if (act !== 0n && (s === SIGKILL || s === SIGSTOP)) return err3(EINVAL4);
  const p = proc2(ctx);
  const old = p.sigactions.get(s) ?? new Uint8Array(32);
  let next;
  if (act !== 0n) {
    next = ctx.copyFromUser(act, 32);
    if (!next) return err3(EFAULT);
  }
  if (oact !== 0n && !ctx.copyToUser(oact, old)) return err3(EFAULT);
  if (next) p.sigactions.set(s, next);
  return 0n;
}
function get_sigset(ctx, va) {
  const b = ctx.copyFromUser(va, 8);
  return b ? new BigUint64Array(b.buffer, b.byteOffset, 1)[0] & ~UNBLOCKABLE : void 0;
}
function sys_rt_sigprocmask(ctx, [how, set, oset, size2]) {
  if (size2 !== 8n) return err3(EINVAL4);
  const t2 = task2(ctx);
  const old = t2.sigmask;
  if (set !== 0n) {
    const m = get_sigset(ctx, set);
    if (m === void 0) return err3(EFAULT);
    const h = Number(how);
    if (h === 0) t2.sigmask |= m;
    else if (h === 1) t2.sigmask &= ~m;
    else if (h === 2) t2.sigmask = m;
    else return err3(EINVAL4);
  }
  if (oset !== 0n && !ctx.copyToUser(oset, u64s2(old))) return err3(EFAULT);
  return 0n;
}
function sys_rt_sigpending(ctx, [set, size2]) {
  if (size2 > 8n) return err3(EINVAL4);
  const t2 = task2(ctx);
  return ctx.copyToUser(set, u64s2(t2.pending & t2.sigmask)) ? 0n : err3(EFAULT);
}
function sys_rt_sigsuspend(ctx, [set, size2]) {
  if (size2 !== 8n) return err3(EINVAL4);
  const mask = get_sigset(ctx, set);
  if (mask === void 0) return err3(EFAULT);
  const t2 = task2(ctx);
  if (set_temp_sigmask(t2, mask)) return err3(EINTR);
  t2.noRestart = true;
  return { kind: "sleep", ret: err3(EINTR), what: "sigsuspend" };
}
function send(ctx, target2, sig) {
  send_signal(ctx.kernel, target2, sig, { code: target2 === ctx.task ? -6 : 0 });
  return 0n;
}
var valid = (sig) => sig >= 0n && sig <= BigInt(NSIG);
function sys_kill(ctx, [pid, sig]) {
  if (!valid(sig)) return err3(EINVAL4);
  const p = Number(BigInt.asIntN(32, pid));
  const s = Number(sig);
  const k = ctx.kernel;
  let targets;
  if (p > 0) {
    const one = k.user.procs.get(p);
    targets = one && one.state === "alive" ? [one] : [];
  } else if (p === -1) targets = k.user.procs.all().filter((q) => q.state === "alive" && q !== k.user.procs.init && q !== proc2(ctx));
  else targets = pgrp_members(k, p === 0 ? proc2(ctx).pgid : -p);
  targets.sort((a, b) => Number(a === proc2(ctx)) - Number(b === proc2(ctx)));
  let sent = 0;
  for (const q of targets) {
    const t2 = first_thread(q);
    if (!t2) continue;
    send(ctx, t2, s);
    sent++;
  }
  return sent > 0 ? 0n : err3(ESRCH);
}
function sys_tgkill(ctx, [tgid, tid, sig]) {
  if (BigInt.asIntN(32, tgid) <= 0n || BigInt.asIntN(32, tid) <= 0n || !valid(sig)) return err3(EINVAL4);
  const t2 = ctx.kernel.user.procs.thread(Number(tid));
  if (!t2 || t2.pid !== Number(tgid)) return err3(ESRCH);
  return send(ctx, t2, Number(sig));
}
function sys_tkill(ctx, [tid, sig]) {
  if (BigInt.asIntN(32, tid) <= 0n || !valid(sig)) return err3(EINVAL4);
  const t2 = ctx.kernel.user.procs.thread(Number(tid));
  return t2 ? send(ctx, t2, Number(sig)) : err3(ESRCH);
}
function sys_rt_sigreturn(ctx) {
  const t2 = task2(ctx);
  const pc = sys_rt_sigreturn_frame(ctx.kernel, ctx.kernel.machine.core(ctx.cpu), t2);
  if (pc === void 0) {
    exit_group(ctx.kernel, t2, W_SIGNALED(11));
    return 0n;
  }
  return { kind: "jump", pc };
}
var SIGNAL_SYSCALLS = [
  [NR.rt_sigaction, sys_rt_sigaction, 4],
  [NR.rt_sigprocmask, sys_rt_sigprocmask, 4],
  [NR.rt_sigpending, sys_rt_sigpending, 2],
  [NR.rt_sigsuspend, sys_rt_sigsuspend, 2],
  [NR.kill, sys_kill, 2],
  [NR.tgkill, sys_tgkill, 3],
  [NR.tkill, sys_tkill, 2],
  [NR.rt_sigreturn, sys_rt_sigreturn, 0]
];
var SIGNAL_SLOW_CALLS = [NR.rt_sigprocmask, NR.rt_sigsuspend, NR.kill, NR.tgkill, NR.tkill, NR.rt_sigreturn];

// kernel-model/mm/sys_mm.ts
var MAP_SHARED = 1;
var MAP_PRIVATE = 2;
var MAP_SHARED_VALIDATE = 3;
var MAP_TYPE = 15;
var MAP_FIXED = 16;
var MAP_ANONYMOUS = 32;
var MAP_FIXED_NOREPLACE = 1048576;
var MADV_DONTNEED2 = 4;
var err4 = (e) => BigInt(-e);
function current_mm(ctx) {
  return ctx.task.proc.mm;
}
function prot_to_flags(prot) {
  return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC | VM_READ : 0);
}
function vma_alloc_fails(ctx) {
  return ctx.kernel.user.mem.faults.vma?.() ?? false;
}
function sys_brk(ctx, [addr]) {
  const mm = current_mm(ctx);
  const want = addr;
  if (want < mm.start_brk) return mm.brk;
  const oldEnd = page_align(mm.brk);
  const newEnd = page_align(want);
  if (newEnd < oldEnd) mm.munmap(newEnd, oldEnd - newEnd);
  else if (newEnd > oldEnd) {
    if (!mm.range_free(oldEnd, newEnd) || newEnd > mm.mmap_base || vma_alloc_fails(ctx)) return mm.brk;
    extend_heap(mm, oldEnd, newEnd);
  }
  mm.brk = want;
  return want;
}
function extend_heap(mm, from, to) {
  const prev = mm.vma_at(from - 1n);
  if (prev && prev.name === "[heap]" && prev.end === from) prev.end = to;
  else mm.insert_vma(new VmArea(from, to, VM_READ | VM_WRITE, "[heap]"));
}
function sys_mmap(ctx, [addr, len, prot, flags, , off]) {
  const mm = current_mm(ctx);
  const f = Number(flags & 0xffffffffn);
  const size2 = page_align(len);
  if (len === 0n || size2 > TASK_SIZE || size2 === 0n) return err4(EINVAL4);
  if (off & PAGE3 - 1n) return err4(EINVAL4);
  const type = f & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return err4(EINVAL4);
  if (!(f & MAP_ANONYMOUS)) return err4(ENODEV);
  const fixed = (f & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
  let start;
  if (fixed) {
    start = addr;
    if (start & PAGE3 - 1n || start + size2 > TASK_SIZE || start < PAGE3) return err4(EINVAL4);
    if (!mm.range_free(start, start + size2)) {
      if (f & MAP_FIXED_NOREPLACE) return err4(EEXIST);
      if (vma_alloc_fails(ctx)) return err4(ENOMEM3);
      mm.munmap(start, size2);
    }
  } else {
    const at = mm.get_unmapped_area(size2, addr);
    if (at === void 0) return err4(ENOMEM3);
    start = at;
  }
  if (vma_alloc_fails(ctx)) return err4(ENOMEM3);
  const vmFlags = prot_to_flags(Number(prot)) | (type === MAP_PRIVATE ? 0 : VM_SHARED);
  mm.insert_vma(new VmArea(start, start + size2, vmFlags));
  return start;
}
function sys_munmap(ctx, [addr, len]) {
  const mm = current_mm(ctx);
  if (addr & PAGE3 - 1n || len === 0n || addr + page_align(len) > TASK_SIZE) return err4(EINVAL4);
  if (vma_alloc_fails(ctx)) return err4(ENOMEM3);
  mm.munmap(addr, len);
  return 0n;
}
function sys_mprotect(ctx, [addr, len, prot]) {
  const mm = current_mm(ctx);
  const start = addr;
  const end = start + page_align(len);
  if (start & PAGE3 - 1n || end > TASK_SIZE || end < start) return err4(EINVAL4);
  if (Number(prot) & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) return err4(EINVAL4);
  if (start === end) return 0n;
  for (let at = start; at < end; ) {
    const v = mm.vma_at(at);
    if (!v) return err4(ENOMEM3);
    at = v.end;
  }
  if (vma_alloc_fails(ctx)) return err4(ENOMEM3);
  const flags = prot_to_flags(Number(prot));
  mm.mprotect(start, end, (old) => old & ~(VM_READ | VM_WRITE | VM_EXEC) | flags);
  return 0n;
}
function sys_madvise(ctx, [addr, len, advice]) {
  const mm = current_mm(ctx);
  if (addr & PAGE3 - 1n) return err4(EINVAL4);
  if (Number(advice) === MADV_DONTNEED2) mm.discard(addr, addr + page_align(len));
  return 0n;
}
var MM_SYSCALLS = [
  [NR.brk, sys_brk, 1],
  [NR.mmap, sys_mmap, 6],
  [NR.munmap, sys_munmap, 2],
  [NR.mprotect, sys_mprotect, 3],
  [NR.madvise, sys_madvise, 3]
];
var MM_SLOW_CALLS = [NR.brk, NR.munmap, NR.mprotect, NR.madvise, NR.mmap];

// kernel-model/kernel/bpf/percpu_maps.ts
var BPF_MAP_TYPE_PERCPU_HASH = 5;
var BPF_MAP_TYPE_PERCPU_ARRAY = 6;
var BPF_F_NO_PREALLOC = 1;
var BPF_NOEXIST = 1n;
var BPF_EXIST = 2n;
var BpfMapError = class extends Error {
  constructor(errno) {
    super(`errno ${errno}`);
    this.errno = errno;
  }
  errno;
  name = "BpfMapError";
};
var round_up8 = (n) => n + 7 & ~7;
var PercpuMap = class {
  constructor(backend2, keySize, valueSize, maxEntries) {
    this.backend = backend2;
    this.keySize = keySize;
    this.valueSize = valueSize;
    this.maxEntries = maxEntries;
    this.slot = round_up8(valueSize);
  }
  backend;
  keySize;
  valueSize;
  maxEntries;
  /** Bytes of one CPU's copy of a value. */
  slot;
  /**
   * `n` values allocated up front (bpf_array_alloc_percpu, prealloc_init);
   * when one allocation fails, those taken go back and the map is ENOMEM.
   */
  preallocate(n) {
    const got = [];
    for (let i = 0; i < n; i++) {
      const p = this.backend.alloc(this.slot);
      if (p === 0n) {
        for (const q of got) this.backend.free(q);
        throw new BpfMapError(ENOMEM3);
      }
      got.push(p);
    }
    return got;
  }
  /** The user-visible buffer of all CPUs' values: nrCpus slots. */
  get valueBufferSize() {
    return this.slot * this.backend.nrCpus;
  }
  copyOut(pptr) {
    const out = new Uint8Array(this.valueBufferSize);
    for (let cpu = 0; cpu < this.backend.nrCpus; cpu++) out.set(this.backend.read(pptr, cpu, this.valueSize), cpu * this.slot);
    return out;
  }
  copyIn(pptr, values) {
    for (let cpu = 0; cpu < this.backend.nrCpus; cpu++) this.backend.write(pptr, cpu, values.subarray(cpu * this.slot, cpu * this.slot + this.valueSize));
  }
};
var PercpuArrayMap = class extends PercpuMap {
  pptrs;
  constructor(backend2, valueSize, maxEntries) {
    super(backend2, 4, valueSize, maxEntries);
    this.pptrs = this.preallocate(maxEntries);
  }
  index(key) {
    return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }
  lookup(key) {
    const i = this.index(key);
    if (i >= this.maxEntries) throw new BpfMapError(ENOENT2);
    return this.copyOut(this.pptrs[i]);
  }
  update(key, values, flags) {
    if (flags > BPF_EXIST) throw new BpfMapError(EINVAL4);
    const i = this.index(key);
    if (i >= this.maxEntries) throw new BpfMapError(E2BIG);
    if (flags === BPF_NOEXIST) throw new BpfMapError(EEXIST);
    this.copyIn(this.pptrs[i], values);
  }
  delete() {
    throw new BpfMapError(EINVAL4);
  }
  nextKey(key) {
    const i = key ? this.index(key) : this.maxEntries;
    const next = i >= this.maxEntries ? 0 : i + 1;
    if (next >= this.maxEntries) throw new BpfMapError(ENOENT2);
    return new Uint8Array(new Uint32Array([next]).buffer);
  }
  free() {
    for (const p of this.pptrs.splice(0)) this.backend.free(p);
  }
  allocated() {
    return this.pptrs.length;
  }
};
var PercpuHashMap = class _PercpuHashMap extends PercpuMap {
  /** Keys (as hex strings, insertion order = iteration order) to their values. */
  elems = /* @__PURE__ */ new Map();
  /** Preallocated values not in use (pcpu_freelist); absent with BPF_F_NO_PREALLOC. */
  freelist;
  constructor(backend2, keySize, valueSize, maxEntries, prealloc) {
    super(backend2, keySize, valueSize, maxEntries);
    this.freelist = prealloc ? this.preallocate(maxEntries) : void 0;
  }
  static id(key) {
    return Buffer.from(key).toString("hex");
  }
  lookup(key) {
    const p = this.elems.get(_PercpuHashMap.id(key));
    if (p === void 0) throw new BpfMapError(ENOENT2);
    return this.copyOut(p);
  }
  update(key, values, flags) {
    if (flags > BPF_EXIST) throw new BpfMapError(EINVAL4);
    const id = _PercpuHashMap.id(key);
    const old = this.elems.get(id);
    if (old !== void 0 && flags === BPF_NOEXIST) throw new BpfMapError(EEXIST);
    if (old === void 0 && flags === BPF_EXIST) throw new BpfMapError(ENOENT2);
    if (old !== void 0) return this.copyIn(old, values);
    if (this.elems.size >= this.maxEntries) throw new BpfMapError(E2BIG);
    const p = this.freelist ? this.freelist.pop() : this.backend.alloc(this.slot);
    if (p === void 0 || p === 0n) throw new BpfMapError(ENOMEM3);
    this.copyIn(p, values);
    this.elems.set(id, p);
  }
  delete(key) {
    const id = _PercpuHashMap.id(key);
    const p = this.elems.get(id);
    if (p === void 0) throw new BpfMapError(ENOENT2);
    this.elems.delete(id);
    if (this.freelist) this.freelist.push(p);
    else this.backend.free(p);
  }
  nextKey(key) {
    const ids = [...this.elems.keys()];
    const at = key ? ids.indexOf(_PercpuHashMap.id(key)) : -1;
    const next = ids[at + 1];
    if (next === void 0) throw new BpfMapError(ENOENT2);
    return Uint8Array.from(Buffer.from(next, "hex"));
  }
  free() {
    for (const p of this.elems.values()) this.backend.free(p);
    this.elems.clear();
    for (const p of this.freelist?.splice(0) ?? []) this.backend.free(p);
  }
  allocated() {
    return this.elems.size + (this.freelist?.length ?? 0);
  }
};

// kernel-model/kernel/bpf/syscall.ts
var BPF_MAP_CREATE = 0;
var BPF_MAP_LOOKUP_ELEM = 1;
var BPF_MAP_UPDATE_ELEM = 2;
var BPF_MAP_DELETE_ELEM = 3;
var BPF_MAP_GET_NEXT_KEY = 4;
var BPF_ATTR_SIZE = 120;
var MAX_BPF_STACK = 512;
var anon_sb = new SuperBlock("anon_inodefs", 13, false);
var bpf_map_fops = {
  read: () => fail2(EINVAL4),
  write: () => fail2(EINVAL4),
  seekable: false,
  endOf: () => void 0,
  ioctl: () => BigInt(-25),
  // ENOTTY
  release: (f) => f.private_data.free()
};
function backend(ctx) {
  const k = ctx.kernel;
  const pcpu = k.percpu;
  const mem = k.arch.kmem;
  return {
    nrCpus: k.machine.cores.length,
    alloc: (size2) => pcpu.__alloc_percpu(size2, 8),
    free: (p) => pcpu.free_percpu(p),
    read: (p, cpu, len) => mem.read(pcpu.per_cpu_ptr(p, cpu), len),
    write: (p, cpu, data) => mem.write(pcpu.per_cpu_ptr(p, cpu), data)
  };
}
function u322(b, at) {
  return new DataView(b.buffer, b.byteOffset).getUint32(at, true);
}
function u642(b, at) {
  return new DataView(b.buffer, b.byteOffset).getBigUint64(at, true);
}
function map_create(ctx, attr) {
  const [type, keySize, valueSize, maxEntries, flags] = [0, 4, 8, 12, 16].map((o) => u322(attr, o));
  if (maxEntries === 0 || keySize === 0 || valueSize === 0) fail2(EINVAL4);
  if (round_up8(valueSize) > PCPU_MIN_UNIT_SIZE2) fail2(E2BIG);
  let map;
  try {
    if (type === BPF_MAP_TYPE_PERCPU_ARRAY) {
      if (keySize !== 4 || flags !== 0) fail2(EINVAL4);
      map = new PercpuArrayMap(backend(ctx), valueSize, maxEntries);
    } else if (type === BPF_MAP_TYPE_PERCPU_HASH) {
      if (flags & ~BPF_F_NO_PREALLOC) fail2(EINVAL4);
      if (keySize > MAX_BPF_STACK) fail2(E2BIG);
      map = new PercpuHashMap(backend(ctx), keySize, valueSize, maxEntries, !(flags & BPF_F_NO_PREALLOC));
    } else fail2(EINVAL4);
  } catch (e) {
    if (e instanceof BpfMapError) fail2(e.errno);
    throw e;
  }
  const file2 = new File(new AnonInode(anon_sb, "bpf-map"), O_RDWR, bpf_map_fops);
  file2.private_data = map;
  try {
    return current_files(ctx).alloc_fd(
      file2,
      true
      /* bpf map fds are O_CLOEXEC */
    );
  } catch (e) {
    map.free();
    throw e;
  }
}
function map_of(ctx, fd) {
  const f = current_files(ctx).fget(fd);
  if (f.f_op !== bpf_map_fops) fail2(EINVAL4);
  return f.private_data;
}
function copy_in(ctx, va, len) {
  return ctx.copyFromUser(va, len) ?? fail2(EFAULT);
}
function map_elem(ctx, cmd, attr) {
  const map = map_of(ctx, u322(attr, 0));
  const keyVa = u642(attr, 8);
  const valueVa = u642(attr, 16);
  const flags = u642(attr, 24);
  const guard = (f) => {
    try {
      return f();
    } catch (e) {
      if (e instanceof BpfMapError) fail2(e.errno);
      throw e;
    }
  };
  switch (cmd) {
    case BPF_MAP_LOOKUP_ELEM: {
      if (flags) fail2(EINVAL4);
      const values = guard(() => map.lookup(copy_in(ctx, keyVa, map.keySize)));
      if (!ctx.copyToUser(valueVa, values)) fail2(EFAULT);
      return 0;
    }
    case BPF_MAP_UPDATE_ELEM: {
      const key = copy_in(ctx, keyVa, map.keySize);
      const values = copy_in(ctx, valueVa, map.valueBufferSize);
      guard(() => map.update(key, values, flags));
      return 0;
    }
    case BPF_MAP_DELETE_ELEM:
      guard(() => map.delete(copy_in(ctx, keyVa, map.keySize)));
      return 0;
    default: {
      const key = keyVa === 0n ? void 0 : copy_in(ctx, keyVa, map.keySize);
      const next = guard(() => map.nextKey(key));
      if (!ctx.copyToUser(valueVa, next)) fail2(EFAULT);
      return 0;
    }
  }
}
function sys_bpf(ctx, [cmd, uattr, size2]) {
  return errnoResult(() => {
    const n = Number(size2);
    if (n > 4096) fail2(E2BIG);
    const attr = new Uint8Array(Math.max(n, BPF_ATTR_SIZE));
    attr.set(copy_in(ctx, uattr, n));
    if (attr.subarray(BPF_ATTR_SIZE).some((b) => b !== 0)) fail2(E2BIG);
    if (!ctx.kernel.percpu) fail2(EPERM);
    const c = Number(cmd);
    if (c === BPF_MAP_CREATE) return map_create(ctx, attr);
    if (c >= BPF_MAP_LOOKUP_ELEM && c <= BPF_MAP_GET_NEXT_KEY) return map_elem(ctx, c, attr);
    fail2(EINVAL4);
  });
}
var BPF_SYSCALLS = [[NR.bpf, sys_bpf, 3]];
var BPF_SLOW_CALLS = [NR.bpf];

// kernel-model/fs/select.ts
var POLLPRI = 2;
var POLLRDBAND = 128;
var POLLWRBAND = 512;
var err5 = (e) => BigInt(-e);
var RLIMIT_NOFILE_MAX = 1024;
var ALWAYS = POLLERR | POLLHUP | POLLNVAL;
function poll_fd(files, fd) {
  let file2;
  try {
    file2 = files.fget(fd);
  } catch (e) {
    if (!(e instanceof ErrnoError)) throw e;
    return void 0;
  }
  return file2.f_op.poll?.(file2) ?? { mask: POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM, waiters: [] };
}
function deadline(ctx, tmo) {
  if (tmo === 0n) return void 0;
  const ns = get_timespec(ctx.copyFromUser, tmo);
  return typeof ns === "bigint" ? ns : ctx.nowNs() + ns;
}
function apply_sigmask(ctx, va, size2) {
  if (va === 0n) return false;
  if (size2 !== 8n) return err5(EINVAL4);
  const b = ctx.copyFromUser(va, 8);
  if (!b) return err5(EFAULT);
  return set_temp_sigmask(ctx.task, new BigUint64Array(b.buffer, b.byteOffset, 1)[0]);
}
function poll_sleep(ctx, waits, untilNs, what) {
  const t2 = ctx.task;
  t2.noRestart = true;
  for (const w of waits) w.add(t2);
  t2.cancelWait = () => {
    for (const w of waits) w.delete(t2);
  };
  return { kind: "sleep", untilNs, ret: untilNs === void 0 ? void 0 : 0n, what };
}
function sys_ppoll(ctx, [fdsVa, nfds, tmo, sigmask, sigsetsize]) {
  const n = Number(nfds);
  if (n > RLIMIT_NOFILE_MAX) return err5(EINVAL4);
  const raw = ctx.copyFromUser(fdsVa, 8 * n);
  if (!raw) return err5(EFAULT);
  const untilNs = deadline(ctx, tmo);
  if (typeof untilNs === "bigint") return untilNs;
  const interrupted = apply_sigmask(ctx, sigmask, sigsetsize);
  if (typeof interrupted === "bigint") return interrupted;
  if (interrupted) return err5(EINTR);
  const v = new DataView(raw.buffer, raw.byteOffset);
  const files = current_files(ctx);
  const waits = /* @__PURE__ */ new Set();
  let ready = 0;
  for (let i = 0; i < n; i++) {
    const fd = v.getInt32(8 * i, true);
    const events = v.getInt16(8 * i + 4, true);
    let revents = 0;
    if (fd >= 0) {
      const p = poll_fd(files, fd);
      if (!p) revents = POLLNVAL;
      else {
        revents = p.mask & (events | ALWAYS);
        for (const w of p.waiters) waits.add(w);
      }
    }
    v.setInt16(8 * i + 6, revents, true);
    if (revents) ready++;
  }
  if (ready > 0 || untilNs === ctx.nowNs()) return ctx.copyToUser(fdsVa, raw) ? BigInt(ready) : err5(EFAULT);
  return poll_sleep(ctx, waits, untilNs, "ppoll");
}
var POLLIN_SET = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
var POLLOUT_SET = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
var POLLEX_SET = POLLPRI;
var FD_SETSIZE_MAX = RLIMIT_NOFILE_MAX;
function sys_pselect6(ctx, [nfds, inp, outp, exp, tmo, sig]) {
  const n = Number(BigInt.asIntN(32, nfds));
  if (n < 0) return err5(EINVAL4);
  const bits = Math.min(n, FD_SETSIZE_MAX);
  const bytes2 = Math.ceil(bits / 64) * 8;
  const sets = [[inp, POLLIN_SET, void 0], [outp, POLLOUT_SET, void 0], [exp, POLLEX_SET, void 0]];
  for (const s of sets) {
    if (s[0] === 0n || bytes2 === 0) continue;
    const b = ctx.copyFromUser(s[0], bytes2);
    if (!b) return err5(EFAULT);
    s[2] = b;
  }
  const untilNs = deadline(ctx, tmo);
  if (typeof untilNs === "bigint") return untilNs;
  let interrupted = false;
  if (sig !== 0n) {
    const b = ctx.copyFromUser(sig, 16);
    if (!b) return err5(EFAULT);
    const v = new DataView(b.buffer, b.byteOffset, 16);
    interrupted = apply_sigmask(ctx, v.getBigUint64(0, true), v.getBigUint64(8, true));
  }
  if (typeof interrupted === "bigint") return interrupted;
  if (interrupted) return err5(EINTR);
  const files = current_files(ctx);
  const waits = /* @__PURE__ */ new Set();
  const out = sets.map(([, , b]) => b ? new Uint8Array(b.length) : void 0);
  let ready = 0;
  for (let fd = 0; fd < bits; fd++) {
    const byte = fd >> 3;
    const m = 1 << (fd & 7);
    if (!sets.some(([, , b]) => b && b[byte] & m)) continue;
    const p = poll_fd(files, fd);
    if (!p) return err5(EBADF);
    for (const w of p.waiters) waits.add(w);
    sets.forEach(([, want, b], i) => {
      if (b && b[byte] & m && p.mask & want) {
        out[i][byte] |= m;
        ready++;
      }
    });
  }
  if (ready === 0 && untilNs !== ctx.nowNs()) return poll_sleep(ctx, waits, untilNs, "pselect6");
  for (const [i, [va]] of sets.entries()) if (out[i] && !ctx.copyToUser(va, out[i])) return err5(EFAULT);
  return BigInt(ready);
}
var SELECT_SYSCALLS = [
  [NR.ppoll, sys_ppoll, 5],
  [NR.pselect6, sys_pselect6, 6]
];

// kernel-model/fs/read_write.ts
var MAX_RW_COUNT = 2147479552;
var MAX_WRITE_CHUNK = 1 << 20;
var UIO_MAXIOV = 1024;
function readable(ctx, fd) {
  const f = current_files(ctx).fget(int(fd));
  if (!f.readable) fail2(EBADF);
  return f;
}
function writable(ctx, fd) {
  const f = current_files(ctx).fget(int(fd));
  if (!f.writable) fail2(EBADF);
  return f;
}
function readTo(ctx, f, segments) {
  const total = Math.min(MAX_RW_COUNT, segments.reduce((s, [, n]) => s + n, 0));
  const data = f.f_op.read(f, f.f_pos, total);
  let done = 0;
  for (const [va, n] of segments) {
    if (done >= data.length) break;
    const piece = data.subarray(done, Math.min(data.length, done + n));
    if (!ctx.copyToUser(va, piece)) {
      if (done === 0) fail2(EFAULT);
      break;
    }
    done += piece.length;
  }
  if (f.f_op.seekable) f.f_pos += done;
  return done;
}
function writeFrom(ctx, f, segments) {
  const total = segments.reduce((s, [, n2]) => s + n2, 0);
  if (f.f_op.discards) return Math.min(total, MAX_RW_COUNT);
  f.f_op.may_write?.(f, Math.min(total, MAX_WRITE_CHUNK));
  const data = gatherUser(ctx, f, segments, Math.min(total, MAX_WRITE_CHUNK));
  if (f.f_flags & O_APPEND && f.f_op.seekable) f.f_pos = f.f_op.endOf(f) ?? f.f_pos;
  const n = f.f_op.write(f, data);
  if (f.f_op.seekable) f.f_pos += n;
  return n;
}
function gatherUser(ctx, f, segments, count) {
  if (segments.length === 1 && f.f_op.write_buffer) {
    const buf = f.f_op.write_buffer(f, count);
    if (count > 0 && !ctx.copyFromUserInto(segments[0][0], buf)) fail2(EFAULT);
    return buf;
  }
  const pieces = [];
  let room = count;
  for (const [va, n] of segments) {
    const want = Math.min(n, room);
    if (want === 0) continue;
    const b = ctx.copyFromUser(va, want);
    if (!b) {
      if (pieces.length === 0) fail2(EFAULT);
      break;
    }
    pieces.push(b);
    room -= want;
    if (room === 0) break;
  }
  return pieces.length === 1 ? pieces[0] : concat(pieces);
}
function concat(pieces) {
  const data = new Uint8Array(pieces.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    data.set(p, at);
    at += p.length;
  }
  return data;
}
function iovec(ctx, va, cnt) {
  const n = int(cnt);
  if (n < 0 || n > UIO_MAXIOV) fail2(EINVAL4);
  if (n === 0) return [];
  const raw = ctx.copyFromUser(va ?? 0n, 16 * n);
  if (!raw) fail2(EFAULT);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: n }, (_, i) => {
    const len = dv.getBigInt64(16 * i + 8, true);
    if (len < 0n) fail2(EINVAL4);
    return [dv.getBigUint64(16 * i, true), Number(len > BigInt(MAX_RW_COUNT) ? BigInt(MAX_RW_COUNT) : len)];
  });
}
var sys_read = (ctx, [fd, buf, count]) => errnoResult(() => readTo(ctx, readable(ctx, fd), [[buf, Math.min(size(count), MAX_RW_COUNT)]]));
var sys_write = (ctx, [fd, buf, count]) => errnoResult(() => writeFrom(ctx, writable(ctx, fd), [[buf, Math.min(size(count), MAX_RW_COUNT)]]));
var sys_readv = (ctx, [fd, vec, vlen]) => errnoResult(() => {
  const f = readable(ctx, fd);
  return readTo(ctx, f, iovec(ctx, vec, vlen));
});
var sys_writev = (ctx, [fd, vec, vlen]) => errnoResult(() => {
  const f = writable(ctx, fd);
  return writeFrom(ctx, f, iovec(ctx, vec, vlen));
});
var sys_pread64 = (ctx, [fd, buf, count, pos]) => errnoResult(() => {
  const f = readable(ctx, fd);
  const at = BigInt.asIntN(64, pos ?? 0n);
  if (at < 0n) fail2(EINVAL4);
  if (!f.f_op.seekable) fail2(ESPIPE);
  const data = f.f_op.read(f, Number(at), Math.min(size(count), MAX_RW_COUNT));
  if (data.length > 0 && !ctx.copyToUser(buf, data)) fail2(EFAULT);
  return data.length;
});
var sys_lseek = (ctx, [fd, offset, whence]) => errnoResult(() => vfs_llseek(current_files(ctx).fget(int(fd)), BigInt.asIntN(64, offset ?? 0n), uint(whence)));
var READ_WRITE_SYSCALLS = [
  [NR.read, sys_read, 3],
  [NR.write, sys_write, 3],
  [NR.readv, sys_readv, 3],
  [NR.writev, sys_writev, 3],
  [NR.pread64, sys_pread64, 4],
  [NR.lseek, sys_lseek, 3]
];

// kernel-model/fs/syscalls_fd.ts
var F_DUPFD = 0;
var F_GETFD = 1;
var F_SETFD = 2;
var F_GETFL = 3;
var F_SETFL = 4;
var F_DUPFD_CLOEXEC = 1030;
var FD_CLOEXEC = 1;
var SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;
var sys_dup = (ctx, [fildes]) => errnoResult(() => {
  const files = current_files(ctx);
  return files.alloc_fd(files.fget(int(fildes)), false);
});
var sys_dup3 = (ctx, [oldfd, newfd, flags]) => errnoResult(() => {
  const files = current_files(ctx);
  const fl = int(flags);
  if (fl & ~O_CLOEXEC) fail2(EINVAL4);
  const o = int(oldfd);
  const n = uint(newfd);
  if (o === n) fail2(EINVAL4);
  if (n >= files.nofile) fail2(EBADF);
  files.replace_fd(n, files.fget(o), (fl & O_CLOEXEC) !== 0);
  return n;
});
var sys_fcntl = (ctx, [fd, cmd, arg]) => errnoResult(() => {
  const files = current_files(ctx);
  const n = int(fd);
  const f = files.fget(n);
  const a = arg ?? 0n;
  switch (uint(cmd)) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      if (a >= BigInt(files.nofile)) fail2(EINVAL4);
      return files.alloc_fd(f, uint(cmd) === F_DUPFD_CLOEXEC, Number(a));
    }
    case F_GETFD:
      return files.get_close_on_exec(n) ? FD_CLOEXEC : 0;
    case F_SETFD:
      files.set_close_on_exec(n, (a & BigInt(FD_CLOEXEC)) !== 0n);
      return 0;
    case F_GETFL:
      return f.f_flags;
    case F_SETFL:
      if (f.f_flags & O_PATH) fail2(EBADF);
      f.f_flags = f.f_flags & ~SETFL_MASK | uint(a) & SETFL_MASK;
      return 0;
    default:
      return fail2(EINVAL4);
  }
});
var sys_ioctl = (ctx, [fd, cmd, arg]) => errnoResult(() => {
  const f = current_files(ctx).fget(int(fd));
  if (f.f_flags & O_PATH) fail2(EBADF);
  return f.f_op.ioctl(f, uint(cmd), arg ?? 0n, ctx);
});
var FD_SYSCALLS = [
  [NR.dup, sys_dup, 1],
  [NR.dup3, sys_dup3, 3],
  [NR.fcntl, sys_fcntl, 3],
  [NR.ioctl, sys_ioctl, 3]
];

// kernel-model/fs/open.ts
var OPEN_ONLY = O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC;
function wantsWrite(flags) {
  return (flags & O_ACCMODE) !== O_RDONLY || (flags & O_TRUNC) !== 0;
}
function lookupCreate(root, start, path, flags, mode) {
  const p = path_parentat(root, start, path);
  if (p.trailingSlash) fail2(EISDIR);
  let inode;
  try {
    inode = path_lookupat(root, start, path, { follow: (flags & O_NOFOLLOW) === 0 });
  } catch (e) {
    if (!(e instanceof ErrnoError) || e.errno !== ENOENT2) throw e;
  }
  if (inode) {
    if (flags & O_EXCL) fail2(EEXIST);
    return inode;
  }
  if (p.dir.sb.readOnly) fail2(EROFS, "create");
  if (!(p.dir instanceof RamDir) || isDotName(p.last)) fail2(EACCES, "create");
  if (p.dir.lookup(p.last)) fail2(ENOENT2);
  const file2 = new RegInode(p.dir.sb, { perm: mode & 4095, mtime: p.dir.sb.now() }, new Uint8Array(0));
  p.dir.link(p.last, file2);
  p.dir.mtime = file2.mtime;
  return file2;
}
function fopsFor(inode) {
  if (inode instanceof DirInode) return dir_operations;
  if (inode instanceof GeneratedInode) return generated_file_operations;
  if (inode instanceof CharDevInode) return inode.cdev_map(inode.major, inode.minor) ?? fail2(ENXIO);
  return inode.sb.readOnly ? reg_file_operations : shmem_file_operations;
}
function may_open(inode, flags) {
  if (flags & O_PATH) return;
  if (inode instanceof SymlinkInode) fail2(ELOOP);
  if (flags & O_DIRECTORY && !(inode instanceof DirInode)) fail2(ENOTDIR);
  if (!wantsWrite(flags)) return;
  if (inode instanceof DirInode) fail2(EISDIR);
  if (inode instanceof GeneratedInode) fail2(EACCES);
  if (!(inode instanceof CharDevInode) && inode.sb.readOnly) fail2(EROFS);
}
function do_filp_open(root, start, path, flags, mode = 420) {
  if ((flags & O_TMPFILE) === O_TMPFILE || flags & O_CREAT && flags & O_DIRECTORY) fail2(EINVAL4);
  const follow = (flags & O_NOFOLLOW) === 0;
  const inode = flags & O_CREAT ? lookupCreate(root, start, path, flags, mode) : path_lookupat(root, start, path, { follow, directory: (flags & O_DIRECTORY) !== 0 });
  may_open(inode, flags);
  if (flags & O_TRUNC && !(flags & O_PATH) && inode instanceof RegInode && inode.size > 0) {
    inode.truncate(0);
    inode.mtime = inode.sb.now();
  }
  const fops = flags & O_PATH ? dir_operations : fopsFor(inode);
  const f = new File(inode, flags & ~OPEN_ONLY | O_LARGEFILE, fops);
  if (inode instanceof GeneratedInode && !(flags & O_PATH)) f.content = new TextEncoder().encode(inode.render());
  return f;
}

// kernel-model/fs/readdir.ts
var DT_UNKNOWN = 0;
var DT_CHR = 2;
var DT_DIR = 4;
var DT_REG = 8;
var DT_LNK = 10;
function dtype(i) {
  return { reg: DT_REG, generated: DT_REG, dir: DT_DIR, symlink: DT_LNK, chrdev: DT_CHR, anon: DT_UNKNOWN }[i.kind] ?? DT_UNKNOWN;
}
function reclen(nameBytes) {
  return 19 + nameBytes + 1 + 7 & ~7;
}
function iterate_dir(f, size2) {
  const dir2 = f.inode;
  if (!(dir2 instanceof DirInode)) fail2(EINVAL4);
  const all = [[".", dir2], ["..", dir2.parent], ...dir2.entries()];
  const out = new Uint8Array(Math.max(0, Math.min(size2, 1 << 20)));
  const dv = new DataView(out.buffer);
  let used = 0;
  while (f.f_pos < all.length) {
    const [name, inode] = all[f.f_pos];
    const nb = new TextEncoder().encode(name);
    const len = reclen(nb.length);
    if (used + len > out.length) {
      if (used === 0) fail2(EINVAL4, "buffer too small");
      break;
    }
    dv.setBigUint64(used, BigInt(inode.ino), true);
    dv.setBigInt64(used + 8, BigInt(f.f_pos + 1), true);
    dv.setUint16(used + 16, len, true);
    out[used + 18] = dtype(inode);
    out.set(nb, used + 19);
    used += len;
    f.f_pos++;
  }
  return out.subarray(0, used);
}

// kernel-model/fs/stat.ts
var STAT_SIZE = 128;
function new_encode_dev(major, minor) {
  return BigInt(minor & 255 | major << 8 | (minor & ~255) << 12) & 0xffffffffn;
}
function encode_stat(inode) {
  const b = new Uint8Array(STAT_SIZE);
  const dv = new DataView(b.buffer);
  const size2 = inode.size;
  dv.setBigUint64(0, new_encode_dev(0, inode.sb.dev), true);
  dv.setBigUint64(8, BigInt(inode.ino), true);
  dv.setUint32(16, inode.mode, true);
  dv.setUint32(20, inode.nlink, true);
  dv.setUint32(24, inode.uid, true);
  dv.setUint32(28, inode.gid, true);
  dv.setBigUint64(32, new_encode_dev(inode.rdev.major, inode.rdev.minor), true);
  dv.setBigInt64(48, BigInt(size2), true);
  dv.setInt32(56, 4096, true);
  dv.setBigInt64(64, BigInt(Math.ceil(size2 / 4096) * 8), true);
  for (const at of [72, 88, 104]) dv.setBigInt64(at, BigInt(inode.mtime), true);
  return b;
}

// kernel-model/fs/syscalls_path.ts
var R_OK = 4;
var W_OK = 2;
var X_OK = 1;
var sys_openat = (ctx, [dfd, filename, flags, mode]) => errnoResult(() => {
  const path = getname(ctx, filename);
  const fl = uint(flags);
  const fs = current_fs(ctx);
  const file2 = do_filp_open(fs.root, at_start(ctx, int(dfd), path), path, fl, uint(mode) & ~fs.umask);
  return current_files(ctx).alloc_fd(file2, (fl & O_CLOEXEC) !== 0);
});
var sys_close = (ctx, [fd]) => errnoResult(() => {
  current_files(ctx).close_fd(int(fd));
  return 0;
});
function inodeAt(ctx, dfd, path, flags) {
  if (path === "" && flags & AT_EMPTY_PATH) return dfd === AT_FDCWD ? current_fs(ctx).pwd : current_files(ctx).fget(dfd).inode;
  return path_lookupat(current_fs(ctx).root, at_start(ctx, dfd, path), path, { follow: (flags & AT_SYMLINK_NOFOLLOW) === 0 });
}
function putStat(ctx, va, inode) {
  if (!ctx.copyToUser(va ?? 0n, encode_stat(inode))) fail2(EFAULT);
  return 0;
}
var sys_newfstatat = (ctx, [dfd, filename, statbuf, flag]) => errnoResult(() => {
  const flags = int(flag);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) fail2(EINVAL4);
  return putStat(ctx, statbuf, inodeAt(ctx, int(dfd), getname(ctx, filename), flags));
});
var sys_fstat = (ctx, [fd, statbuf]) => errnoResult(() => putStat(ctx, statbuf, current_files(ctx).fget(int(fd)).inode));
var sys_getdents64 = (ctx, [fd, dirent, count]) => errnoResult(() => {
  const f = current_files(ctx).fget(int(fd));
  if (f.f_flags & O_PATH) fail2(EBADF);
  if (!(f.inode instanceof DirInode)) fail2(ENOTDIR);
  const pos = f.f_pos;
  const records = iterate_dir(f, Math.min(uint(count), 1 << 20));
  if (records.length > 0 && !ctx.copyToUser(dirent ?? 0n, records)) {
    f.f_pos = pos;
    fail2(EFAULT);
  }
  return records.length;
});
var sys_readlinkat = (ctx, [dfd, pathname, buf, bufsiz]) => errnoResult(() => {
  const len = int(bufsiz);
  if (len <= 0) fail2(EINVAL4);
  const path = getname(ctx, pathname);
  const inode = path === "" ? int(dfd) === AT_FDCWD ? fail2(ENOENT2) : current_files(ctx).fget(int(dfd)).inode : inodeAt(ctx, int(dfd), path, AT_SYMLINK_NOFOLLOW);
  if (!(inode instanceof SymlinkInode)) fail2(path === "" ? ENOENT2 : EINVAL4);
  const target2 = new TextEncoder().encode(inode.target).subarray(0, len);
  if (!ctx.copyToUser(buf ?? 0n, target2)) fail2(EFAULT);
  return target2.length;
});
var sys_faccessat = (ctx, [dfd, filename, mode]) => errnoResult(() => {
  const m = int(mode);
  if (m & ~(R_OK | W_OK | X_OK)) fail2(EINVAL4);
  const inode = inodeAt(ctx, int(dfd), getname(ctx, filename), 0);
  if (m & W_OK && inode.sb.readOnly && !(inode instanceof CharDevInode)) fail2(EROFS);
  if (m & X_OK && !(inode instanceof DirInode) && (inode.perm & 73) === 0) fail2(EACCES);
  return 0;
});
var sys_getcwd = (ctx, [buf, sz]) => errnoResult(() => {
  const fs = current_fs(ctx);
  const path = d_path(fs.root, fs.pwd) ?? "(unreachable)/";
  const bytes2 = new TextEncoder().encode(`${path}\0`);
  if (bytes2.length > size(sz)) fail2(ERANGE);
  if (!ctx.copyToUser(buf ?? 0n, bytes2)) fail2(EFAULT);
  return bytes2.length;
});
var sys_chdir = (ctx, [filename]) => errnoResult(() => {
  const fs = current_fs(ctx);
  const path = getname(ctx, filename);
  const dir2 = path_lookupat(fs.root, fs.pwd, path, { follow: true, directory: true });
  if (!(dir2 instanceof DirInode)) fail2(ENOTDIR);
  fs.pwd = dir2;
  return 0;
});
var PATH_SYSCALLS = [
  [NR.openat, sys_openat, 4],
  [NR.close, sys_close, 1],
  [NR.newfstatat, sys_newfstatat, 4],
  [NR.fstat, sys_fstat, 2],
  [NR.getdents64, sys_getdents64, 3],
  [NR.readlinkat, sys_readlinkat, 4],
  [NR.faccessat, sys_faccessat, 3],
  [NR.getcwd, sys_getcwd, 2],
  [NR.chdir, sys_chdir, 1]
];

// kernel-model/fs/namei_ops.ts
var AT_REMOVEDIR = 512;
var AT_SYMLINK_FOLLOW = 1024;
var RENAME_NOREPLACE = 1;
var RENAME_EXCHANGE = 2;
var RENAME_WHITEOUT = 4;
function parentFor(ctx, dfd, path) {
  const p = path_parentat(current_fs(ctx).root, at_start(ctx, dfd, path), path);
  if (p.dir.sb.readOnly) fail2(EROFS);
  if (!(p.dir instanceof RamDir)) fail2(EPERM);
  return p;
}
var touch = (dir2) => void (dir2.mtime = dir2.sb.now());
var isMountRoot = (inode, dir2) => inode.sb !== dir2.sb;
var sys_mkdirat = (ctx, [dfd, pathname, mode]) => errnoResult(() => {
  const path = getname(ctx, pathname);
  const p = path_parentat(current_fs(ctx).root, at_start(ctx, int(dfd), path), path);
  if (isDotName(p.last) || p.dir.lookup(p.last)) fail2(EEXIST);
  if (p.dir.sb.readOnly) fail2(EROFS);
  if (!(p.dir instanceof RamDir)) fail2(EPERM);
  p.dir.link(p.last, new RamDir(p.dir.sb, { perm: uint(mode) & 4095 & ~current_fs(ctx).umask, mtime: p.dir.sb.now() }));
  touch(p.dir);
  return 0;
});
var sys_unlinkat = (ctx, [dfd, pathname, flag]) => errnoResult(() => {
  const flags = int(flag);
  if (flags & ~AT_REMOVEDIR) fail2(EINVAL4);
  const path = getname(ctx, pathname);
  const rmdir = (flags & AT_REMOVEDIR) !== 0;
  const p0 = path_parentat(current_fs(ctx).root, at_start(ctx, int(dfd), path), path);
  if (rmdir && p0.last === ".") fail2(EINVAL4);
  if (rmdir && p0.last === "..") fail2(ENOTEMPTY);
  if (isDotName(p0.last)) fail2(rmdir ? EBUSY4 : EISDIR);
  if (!p0.dir.lookup(p0.last)) fail2(ENOENT2);
  const p = parentFor(ctx, int(dfd), path);
  const victim = p.dir.lookup(p.last);
  if (rmdir) {
    if (!(victim instanceof DirInode)) fail2(ENOTDIR);
    if (isMountRoot(victim, p.dir) || victim === current_fs(ctx).root) fail2(EBUSY4);
    if (victim.entries().length > 0) fail2(ENOTEMPTY);
  } else {
    if (victim instanceof DirInode) fail2(EISDIR);
    if (p.trailingSlash) fail2(ENOTDIR);
  }
  p.dir.unlink(p.last);
  if (victim instanceof RegInode) victim.links--;
  touch(p.dir);
  return 0;
});
function isUnder(dir2, ancestor) {
  for (let d = dir2; ; d = d.parent) {
    if (d === ancestor) return true;
    if (d.parent === d) return false;
  }
}
function do_renameat2(ctx, olddfd, oldname, newdfd, newname, flags) {
  if (flags & ~RENAME_NOREPLACE) fail2(EINVAL4, flags & (RENAME_EXCHANGE | RENAME_WHITEOUT) ? "RENAME_EXCHANGE/WHITEOUT" : "flags");
  const from = path_parentat(current_fs(ctx).root, at_start(ctx, olddfd, oldname), oldname);
  const to = path_parentat(current_fs(ctx).root, at_start(ctx, newdfd, newname), newname);
  for (const p of [from, to]) if (isDotName(p.last)) fail2(EBUSY4);
  const source = from.dir.lookup(from.last);
  if (!source) fail2(ENOENT2);
  if (from.dir.sb !== to.dir.sb || isMountRoot(source, from.dir)) fail2(EXDEV);
  if (from.dir.sb.readOnly) fail2(EROFS);
  if (!(from.dir instanceof RamDir) || !(to.dir instanceof RamDir)) fail2(EPERM);
  if (!(source instanceof DirInode) && (from.trailingSlash || to.trailingSlash)) fail2(ENOTDIR);
  const target2 = to.dir.lookup(to.last);
  if (target2 && flags & RENAME_NOREPLACE) fail2(EEXIST);
  if (target2 === source) return 0;
  if (source instanceof DirInode && isUnder(to.dir, source)) fail2(EINVAL4);
  if (target2) {
    if (source instanceof DirInode && !(target2 instanceof DirInode)) fail2(ENOTDIR);
    if (!(source instanceof DirInode) && target2 instanceof DirInode) fail2(EISDIR);
    if (target2 instanceof DirInode && (target2.entries().length > 0 || isMountRoot(target2, to.dir))) fail2(target2.entries().length > 0 ? ENOTEMPTY : EBUSY4);
    if (target2 instanceof RegInode) target2.links--;
  }
  from.dir.unlink(from.last);
  to.dir.link(to.last, source);
  touch(from.dir);
  touch(to.dir);
  return 0;
}
var sys_renameat = (ctx, [olddfd, oldname, newdfd, newname]) => errnoResult(() => do_renameat2(ctx, int(olddfd), getname(ctx, oldname), int(newdfd), getname(ctx, newname), 0));
var sys_renameat2 = (ctx, [olddfd, oldname, newdfd, newname, flags]) => errnoResult(() => do_renameat2(ctx, int(olddfd), getname(ctx, oldname), int(newdfd), getname(ctx, newname), uint(flags)));
var sys_symlinkat = (ctx, [oldname, newdfd, newname]) => errnoResult(() => {
  const target2 = getname(ctx, oldname);
  if (target2 === "") fail2(ENOENT2);
  const path = getname(ctx, newname);
  const p0 = path_parentat(current_fs(ctx).root, at_start(ctx, int(newdfd), path), path);
  if (isDotName(p0.last) || p0.dir.lookup(p0.last)) fail2(EEXIST);
  const p = parentFor(ctx, int(newdfd), path);
  p.dir.link(p.last, new SymlinkInode(p.dir.sb, { mtime: p.dir.sb.now() }, target2));
  touch(p.dir);
  return 0;
});
var sys_linkat = (ctx, [olddfd, oldname, newdfd, newname, flag]) => errnoResult(() => {
  const flags = int(flag);
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) fail2(EINVAL4);
  const oldpath = getname(ctx, oldname);
  const fs = current_fs(ctx);
  const source = oldpath === "" && flags & AT_EMPTY_PATH && int(olddfd) !== AT_FDCWD ? fail2(ENOENT2) : path_lookupat(fs.root, at_start(ctx, int(olddfd), oldpath), oldpath, { follow: (flags & AT_SYMLINK_FOLLOW) !== 0 });
  const path = getname(ctx, newname);
  const p0 = path_parentat(fs.root, at_start(ctx, int(newdfd), path), path);
  if (isDotName(p0.last) || p0.dir.lookup(p0.last)) fail2(EEXIST);
  if (source.sb !== p0.dir.sb) fail2(EXDEV);
  const p = parentFor(ctx, int(newdfd), path);
  if (source instanceof DirInode) fail2(EPERM);
  p.dir.link(p.last, source);
  if (source instanceof RegInode) source.links++;
  touch(p.dir);
  return 0;
});
var NAMEI_SYSCALLS = [
  [NR.mkdirat, sys_mkdirat, 3],
  [NR.unlinkat, sys_unlinkat, 3],
  [NR.renameat, sys_renameat, 4],
  [NR.renameat2, sys_renameat2, 5],
  [NR.symlinkat, sys_symlinkat, 3],
  [NR.linkat, sys_linkat, 5]
];

// kernel-model/fs/attr.ts
function changeable(inode) {
  if (inode.sb.readOnly && !(inode instanceof CharDevInode)) fail2(EROFS);
  if (inode instanceof GeneratedInode) fail2(EPERM);
}
function do_truncate(inode, length) {
  if (length < 0n) fail2(EINVAL4);
  if (inode instanceof DirInode) fail2(EISDIR);
  if (!(inode instanceof RegInode)) fail2(EINVAL4);
  changeable(inode);
  inode.truncate(Number(length));
  inode.mtime = inode.sb.now();
  return 0;
}
var lookup = (ctx, dfd, path, follow) => path_lookupat(current_fs(ctx).root, at_start(ctx, dfd, path), path, { follow });
function target(ctx, dfd, pathname, flags) {
  if (pathname === 0n) return dfd === AT_FDCWD ? fail2(EFAULT) : current_files(ctx).fget(dfd).inode;
  const path = getname(ctx, pathname);
  if (path === "" && flags & AT_EMPTY_PATH) return dfd === AT_FDCWD ? current_fs(ctx).pwd : current_files(ctx).fget(dfd).inode;
  return lookup(ctx, dfd, path, (flags & AT_SYMLINK_NOFOLLOW) === 0);
}
var sys_truncate = (ctx, [pathname, length]) => errnoResult(() => do_truncate(lookup(ctx, AT_FDCWD, getname(ctx, pathname), true), BigInt.asIntN(64, length)));
var sys_ftruncate = (ctx, [fd, length]) => errnoResult(() => {
  const f = current_files(ctx).fget(int(fd));
  if (!f.writable || !(f.inode instanceof RegInode)) fail2(EINVAL4);
  return do_truncate(f.inode, BigInt.asIntN(64, length));
});
function chmod(inode, mode) {
  changeable(inode);
  inode.perm = mode & 4095;
  return 0;
}
var sys_fchmod = (ctx, [fd, mode]) => errnoResult(() => {
  const f = current_files(ctx).fget(int(fd));
  if (f.f_flags & O_PATH) fail2(EBADF);
  return chmod(f.inode, uint(mode));
});
var sys_fchmodat = (ctx, [dfd, pathname, mode]) => errnoResult(() => chmod(lookup(ctx, int(dfd), getname(ctx, pathname), true), uint(mode)));
function chown(inode, uid, gid) {
  changeable(inode);
  if (uid !== -1) inode.uid = uid >>> 0;
  if (gid !== -1) inode.gid = gid >>> 0;
  return 0;
}
var sys_fchown = (ctx, [fd, uid, gid]) => errnoResult(() => chown(current_files(ctx).fget(int(fd)).inode, int(uid), int(gid)));
var sys_fchownat = (ctx, [dfd, pathname, uid, gid, flag]) => errnoResult(() => {
  const flags = int(flag);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) fail2(EINVAL4);
  return chown(target(ctx, int(dfd), pathname, flags), int(uid), int(gid));
});
var UTIME_NOW = (1n << 30n) - 1n;
var UTIME_OMIT = (1n << 30n) - 2n;
var sys_utimensat = (ctx, [dfd, pathname, times, flag]) => errnoResult(() => {
  const flags = int(flag);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) fail2(EINVAL4);
  let mtime = UTIME_NOW;
  if (times !== 0n) {
    const b = ctx.copyFromUser(times, 32);
    if (!b) fail2(EFAULT);
    const v = new DataView(b.buffer, b.byteOffset, 32);
    for (const at of [8, 24]) {
      const nsec2 = v.getBigInt64(at, true);
      if (nsec2 !== UTIME_NOW && nsec2 !== UTIME_OMIT && (nsec2 < 0n || nsec2 >= 1000000000n)) fail2(EINVAL4);
    }
    const nsec = v.getBigInt64(24, true);
    mtime = nsec === UTIME_OMIT ? void 0 : nsec === UTIME_NOW ? UTIME_NOW : v.getBigInt64(16, true);
  }
  const inode = target(ctx, int(dfd), pathname, flags);
  changeable(inode);
  if (mtime !== void 0) inode.mtime = mtime === UTIME_NOW ? inode.sb.now() : Number(mtime);
  return 0;
});
var sys_umask = (ctx, [mask]) => {
  const fs = current_fs(ctx);
  const old = fs.umask;
  fs.umask = uint(mask) & 511;
  return BigInt(old);
};
var sys_fsync = (ctx, [fd]) => errnoResult(() => {
  current_files(ctx).fget(int(fd));
  return 0;
});
var MAGIC2 = { rootfs: 2240043254, tmpfs: TMPFS_MAGIC, proc: 40864, sysfs: 1650812274, pipefs: 1346981957, anon_inodefs: 151263540 };
var ST_VALID = 32;
var ST_NOSUID = 2;
var ST_NODEV = 4;
var ST_NOEXEC = 8;
var ST_RELATIME = 1024;
function encode_statfs(inode) {
  const b = new Uint8Array(120);
  const v = new DataView(b.buffer);
  const fstype = inode.sb.fstype;
  v.setBigInt64(0, BigInt(MAGIC2[fstype] ?? 0), true);
  v.setBigInt64(8, 4096n, true);
  v.setBigInt64(64, 255n, true);
  v.setBigInt64(72, 4096n, true);
  const pseudo = fstype === "proc" || fstype === "sysfs";
  v.setBigInt64(80, BigInt(ST_VALID | (pseudo ? ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RELATIME : fstype === "tmpfs" ? ST_RELATIME : 0)), true);
  return b;
}
function putStatfs(ctx, buf, inode) {
  if (!ctx.copyToUser(buf ?? 0n, encode_statfs(inode))) fail2(EFAULT);
  return 0;
}
var sys_statfs = (ctx, [pathname, buf]) => errnoResult(() => putStatfs(ctx, buf, lookup(ctx, AT_FDCWD, getname(ctx, pathname), true)));
var sys_fstatfs = (ctx, [fd, buf]) => errnoResult(() => putStatfs(ctx, buf, current_files(ctx).fget(int(fd)).inode));
var ATTR_SYSCALLS = [
  [NR.truncate, sys_truncate, 2],
  [NR.ftruncate, sys_ftruncate, 2],
  [NR.fchmod, sys_fchmod, 2],
  [NR.fchmodat, sys_fchmodat, 3],
  [NR.fchown, sys_fchown, 3],
  [NR.fchownat, sys_fchownat, 5],
  [NR.utimensat, sys_utimensat, 4],
  [NR.umask, sys_umask, 1],
  [NR.fsync, sys_fsync, 1],
  [NR.fdatasync, sys_fsync, 1],
  [NR.statfs, sys_statfs, 2],
  [NR.fstatfs, sys_fstatfs, 2]
];

// kernel-model/fs/syscalls.ts
var FS_SYSCALLS = [...READ_WRITE_SYSCALLS, ...PATH_SYSCALLS, ...FD_SYSCALLS, ...NAMEI_SYSCALLS, ...ATTR_SYSCALLS];

// kernel-model/kernel/sys.ts
var err6 = (e) => BigInt(-e);
function sys_getcpu(ctx, [cpup, nodep]) {
  const u323 = (v) => new Uint8Array(new Uint32Array([v]).buffer);
  if (cpup !== 0n && !ctx.copyToUser(cpup, u323(ctx.cpu))) return err6(EFAULT);
  if (nodep !== 0n && !ctx.copyToUser(nodep, u323(0))) return err6(EFAULT);
  return 0n;
}
function sys_nanosleep(ctx, [req]) {
  const ns = get_timespec(ctx.copyFromUser, req);
  if (typeof ns === "bigint") return ns;
  if (ns === 0) return { kind: "yield", ret: 0n };
  return { kind: "sleep", untilNs: ctx.nowNs() + ns, ret: 0n, what: `nanosleep ${ns} ns` };
}
var CORE_SYSCALLS = [
  [NR.getcpu, sys_getcpu, 3],
  [NR.nanosleep, sys_nanosleep, 2],
  [NR.clock_nanosleep, sys_clock_nanosleep, 4],
  [NR.sched_yield, () => ({ kind: "yield", ret: 0n }), 0]
];
var TABLE = [
  ...CORE_SYSCALLS,
  ...FS_SYSCALLS,
  ...PIPE_SYSCALLS,
  ...SELECT_SYSCALLS,
  ...PROCESS_SYSCALLS,
  ...SIGNAL_SYSCALLS,
  ...TIMES_SYSCALLS,
  ...MM_SYSCALLS,
  ...BPF_SYSCALLS
];
function sys_clock_nanosleep(ctx, [clock, flags, req]) {
  const c = Number(BigInt.asIntN(32, clock));
  if (![0, 1, 7].includes(c)) return err6(c === 2 || c === 3 ? ENOTSUP : EINVAL4);
  if ((flags & 1n) === 0n) return sys_nanosleep(ctx, [req]);
  const until = get_timespec(ctx.copyFromUser, req);
  if (typeof until === "bigint") return until;
  return until <= ctx.nowNs() ? 0n : { kind: "sleep", untilNs: until, ret: 0n, what: "clock_nanosleep" };
}
var SYSCALLS = new Map(TABLE.map(([nr, h]) => [nr, h]));
var NARGS = new Map(TABLE.map(([nr, , n]) => [nr, n]));
function syscall_nargs(nr) {
  return NARGS.get(nr) ?? 6;
}
var LEAVES_FAST_PATH = /* @__PURE__ */ new Set([NR.nanosleep, NR.clock_nanosleep, NR.sched_yield, ...PROCESS_SLOW_CALLS, ...SIGNAL_SLOW_CALLS, ...MM_SLOW_CALLS, ...BPF_SLOW_CALLS, NR.ppoll, NR.pselect6]);
function invokeSyscall(ctx, nr, args) {
  const handler = SYSCALLS.get(nr);
  if (!handler) return err6(ENOSYS);
  try {
    return handler(ctx, args);
  } catch (e) {
    if (e instanceof WouldBlock || e instanceof BrokenPipe) return pipe_outcome(ctx, e);
    if (e instanceof TtyJobSignal) {
      if (ctx.inHook) needs_slow_path();
      return tty_job_stop(ctx.kernel, ctx.task, e.sig, ctx.pc - 4n);
    }
    throw e;
  }
}

// kernel-model/arch/arm64/kernel/syscall.ts
var PLANNED_NRS = 1024;
var LEAVES = 255;
function planOf(nr) {
  return LEAVES_FAST_PATH.has(nr) ? LEAVES : 1 + syscall_nargs(nr);
}
var SyscallEntry = class {
  constructor(k) {
    this.k = k;
  }
  k;
  contexts = [];
  plans = new Uint8Array(PLANNED_NRS);
  args = [0n, 0n, 0n, 0n, 0n, 0n];
  /** Per core, a reader of TPIDR_EL1 from its svc register block (the call object is the core's, made once). */
  offsetReaders = [];
  context(cpu, pc, inHook) {
    const k = this.k;
    let ctx = this.contexts[cpu];
    if (!ctx) {
      const ram = k.machine.ram;
      const mm = () => c.task.proc.mm;
      const c = {
        cpu,
        task: k.sched.curr[cpu],
        kernel: k,
        pc,
        inHook,
        copyFromUser: (va, len) => copyFromUser(mm(), ram, va, len, c.inHook),
        copyFromUserInto: (va, out) => copyFromUserInto(mm(), ram, va, out, c.inHook),
        copyToUser: (va, data) => copyToUser(mm(), ram, va, data, c.inHook),
        consoleWrite: (data) => k.consoleWrite(data),
        nowNs: () => k.clockNs()
      };
      ctx = this.contexts[cpu] = c;
    }
    ctx.task = k.sched.curr[cpu];
    ctx.pc = pc;
    ctx.inHook = inHook;
    return ctx;
  }
  /**
   * Answer `call` on the spot if it can be: x0, which the native trap hook
   * writes back; undefined sends it down the slow path.
   */
  fast(call) {
    const nr = call.nr32;
    const plan = nr >= 0 && nr < PLANNED_NRS ? this.plans[nr] ||= planOf(nr) : planOf(nr);
    if (plan === LEAVES) return void 0;
    const k = this.k;
    const cpu = call.core;
    k.enter(k.machine.cores[cpu], k.sched.curr[cpu], this.offsetReaders[cpu] ??= () => call.tpidrEl1);
    try {
      for (let i = 0; i < plan - 1; i++) this.args[i] = call.arg(i);
      const ret = invokeSyscall(this.context(cpu, 0n, true), nr, this.args);
      if (typeof ret !== "bigint") throw new KernelPanic(`system call ${nr} blocked in the fast path (add it to LEAVES_FAST_PATH)`);
      return ret;
    } catch (e) {
      if (e instanceof NeedsSlowPath) return void 0;
      throw e;
    } finally {
      k.leave();
    }
  }
  /** A system call that stopped the core (the kernel's trap entry has set the per-CPU context). */
  slow(trap) {
    const k = this.k;
    const core = k.machine.core(trap.core);
    const ctx = this.context(trap.core, trap.pc, false);
    for (let i = 0; i < 6; i++) this.args[i] = core.trapX(i);
    const nr = Number(BigInt.asIntN(32, core.trapX(8)));
    k.strace?.(ctx.task, nr, this.args);
    const ret = invokeSyscall(ctx, nr, this.args);
    if (typeof ret === "bigint") k.straceRet?.(ret);
    if (ctx.task.state === "dead") return k.toIdle(trap.core);
    const t2 = ctx.task;
    if (t2 instanceof UserTask && stopping(t2) && (typeof ret === "bigint" || ret.kind === "jump" || ret.kind === "sleep" && ret.ret === void 0)) {
      if (typeof ret === "bigint") k.sched.stopUser(core, trap.pc, ret);
      else if (ret.kind === "jump") k.sched.stopUser(core, ret.pc, void 0);
      else {
        t2.cancelWait?.();
        t2.cancelWait = void 0;
        k.sched.stopUser(core, trap.pc - 4n, void 0);
      }
      return k.toIdle(trap.core);
    }
    if (typeof ret === "bigint") {
      core.setX(0, ret);
      return { resume: k.signal_return(core, ctx.task, trap.pc) };
    }
    if (ret.kind === "jump") return { resume: k.signal_return(core, ctx.task, ret.pc) };
    if (ret.kind === "migrate") {
      k.sched.migrateUser(core, k.machine.core(ret.cpu), trap.pc, ret.ret);
      return k.toIdle(trap.core);
    }
    if (ret.kind === "yield") {
      if (!k.sched.yieldUser(core, trap.pc)) {
        core.setX(0, ret.ret);
        return { resume: k.signal_return(core, ctx.task, trap.pc) };
      }
      return k.toIdle(trap.core);
    }
    k.sched.blockUser(core, ret.ret === void 0 ? trap.pc - 4n : trap.pc, ret.ret, ret.what, ret.untilNs);
    return k.toIdle(trap.core);
  }
};

// kernel-model/fs/proc.ts
var ProcError = class extends Error {
  name = "ProcError";
};
var ProcFs = class {
  files = /* @__PURE__ */ new Map();
  /** proc_create_single: add a file; paths are absolute ("/proc/meminfo"). */
  register(path, show) {
    if (!path.startsWith("/proc/") && !path.startsWith("/sys/")) throw new ProcError(`${path}: procfs paths start with /proc/ or /sys/`);
    this.files.set(path, show);
  }
  /** remove_proc_entry: the file is gone (a process's /proc/PID files when it is released). */
  unregister(path) {
    this.files.delete(path);
  }
  /** The pid /proc/self names for the task reading it (set by the kernel once processes exist). */
  selfPid;
  has(path) {
    return this.files.has(path);
  }
  /** The file's contents now; throws ProcError (ENOENT) if there is no such file. */
  read(path) {
    const show = this.files.get(path);
    if (!show) throw new ProcError(`${path}: No such file or directory (files: ${[...this.files.keys()].sort().join(", ")})`);
    return show();
  }
  list() {
    return [...this.files.keys()].sort();
  }
};

// kernel-model/arch/arm64/percpu.ts
var PerCpuContextError = class extends Error {
  name = "PerCpuContextError";
};
var ThisCpu = class {
  core_;
  task_;
  offset_;
  /** Where the offset comes from when the entry has it at hand (the svc fast path's register block). */
  offsetSource;
  cpu_;
  /** Kernel code starts running on `core` for `task`; `tpidrEl1` reads the offset if the caller has it (read only if needed). */
  enter(core, task3, tpidrEl1) {
    this.core_ = core;
    this.task_ = task3;
    this.offset_ = void 0;
    this.offsetSource = tpidrEl1;
    this.cpu_ = void 0;
  }
  /** No kernel code runs (back at the top level). */
  leave() {
    this.core_ = void 0;
    this.task_ = void 0;
    this.offset_ = void 0;
    this.offsetSource = void 0;
    this.cpu_ = void 0;
  }
  get active() {
    return this.core_ !== void 0;
  }
  get core() {
    if (!this.core_) throw new PerCpuContextError("no current CPU: kernel code runs in a trap, a kernel thread, or Kernel.on(cpu, fn)");
    return this.core_;
  }
  /** `current`. */
  get task() {
    this.core;
    return this.task_;
  }
  /** __my_cpu_offset: TPIDR_EL1 of the core. */
  get offset() {
    return this.offset_ ??= this.offsetSource ? this.offsetSource() : this.core.tpidrEl1;
  }
  /** Save and restore around a nested entry (Kernel.on from inside kernel code). */
  snapshot() {
    return [this.core_, this.task_, this.offset_, this.cpu_];
  }
  restore([core, task3, offset, cpu]) {
    this.core_ = core;
    this.task_ = task3;
    this.offset_ = offset;
    this.cpu_ = cpu;
  }
};

// kernel-model/kernel/rcu/tree.ts
var Rcu = class {
  constructor(host) {
    this.host = host;
    this.cblist = Array.from({ length: host.ncpu }, () => []);
  }
  host;
  /** Grace periods completed (gp_seq >> RCU_SEQ_CTR_SHIFT). */
  completed = 0;
  gpInProgress = false;
  /** CPUs the running grace period still waits for. */
  qsmask = /* @__PURE__ */ new Set();
  cblist;
  /** Callbacks queued and not yet invoked. */
  pending = 0;
  /** Callbacks invoked so far. */
  invoked = 0;
  /** Is there anything a quiescent state would move? (The scheduler's hot path asks first.) */
  get busy() {
    return this.gpInProgress || this.pending > 0;
  }
  rcu_gp_init() {
    this.gpInProgress = true;
    this.qsmask.clear();
    for (let cpu = 0; cpu < this.host.ncpu; cpu++) if (this.host.cpu_online(cpu)) this.qsmask.add(cpu);
    this.host.rcu_tick_arm();
  }
  rcu_gp_cleanup() {
    this.gpInProgress = false;
    this.completed++;
    if (this.cblist.some((l) => l.some((cb) => cb.gp > this.completed))) this.rcu_gp_init();
  }
  /** call_rcu: `fn` runs on this CPU after a grace period. */
  call_rcu(fn) {
    const gp = this.completed + (this.gpInProgress ? 2 : 1);
    this.cblist[this.host.smp_processor_id()].push({ fn, gp });
    this.pending++;
    if (!this.gpInProgress) this.rcu_gp_init();
  }
  /** rcu_qs + rcu_core: `cpu` passed a quiescent state; run its ready callbacks (as kernel code on it). */
  rcu_qs(cpu) {
    if (this.gpInProgress && this.qsmask.delete(cpu) && this.qsmask.size === 0) this.rcu_gp_cleanup();
    this.rcu_do_batch(cpu);
  }
  rcu_do_batch(cpu) {
    const list = this.cblist[cpu];
    if (list.length === 0 || list[0].gp > this.completed) return;
    const ready = list.filter((cb) => cb.gp <= this.completed);
    this.cblist[cpu] = list.filter((cb) => cb.gp > this.completed);
    for (const cb of ready) {
      this.pending--;
      this.invoked++;
      cb.fn();
    }
  }
  /** synchronize_rcu: wait, in a kernel thread, until a full grace period has passed. */
  *synchronize_rcu() {
    const done = new Completion("synchronize_rcu");
    this.call_rcu(() => complete(this.host, done));
    yield* wait_for_completion(done);
  }
  /** rcu_check: one line per broken invariant. */
  check() {
    const errors = [];
    for (const cpu of this.qsmask) if (!this.host.cpu_online(cpu)) errors.push(`rcu: qsmask holds offline cpu${cpu}`);
    if (!this.gpInProgress && this.qsmask.size > 0) errors.push("rcu: qsmask set with no grace period running");
    let n = 0;
    this.cblist.forEach((list, cpu) => {
      n += list.length;
      for (const cb of list) if (cb.gp > this.completed + 2) errors.push(`rcu: cpu${cpu} callback waits for grace period ${cb.gp}, ${this.completed} completed`);
      if (list.length > 0 && list[0].gp > this.completed + (this.gpInProgress ? 0 : 1) && !this.gpInProgress) errors.push(`rcu: cpu${cpu} has callbacks but no grace period runs`);
    });
    if (n !== this.pending) errors.push(`rcu: ${this.pending} pending, ${n} queued`);
    return errors;
  }
};

// kernel-model/arch/arm64/mm/context.ts
var NUM_USER_ASIDS = 256;
var AsidAllocator = class {
  used = new Uint8Array(NUM_USER_ASIDS);
  constructor() {
    this.used[0] = 1;
  }
  alloc() {
    for (let a = 1; a < NUM_USER_ASIDS; a++) {
      if (!this.used[a]) {
        this.used[a] = 1;
        return a;
      }
    }
    return 0;
  }
  free(asid) {
    if (asid !== 0) this.used[asid] = 0;
  }
};
var MmContexts = class {
  constructor(cores) {
    this.cores = cores;
  }
  cores;
  /** Per CPU: the user mm whose translations its TLB may hold. */
  active = [];
  /** The core is about to run user code of `mm` (its context, TTBR0 included, is already restored). */
  switch_mm(core, mm) {
    if (this.active[core.index] === mm && mm.asid !== 0) return;
    core.flushTlb();
    this.active[core.index] = mm;
  }
  /** flush_tlb_mm: entries of `mm` changed; every core that may cache them drops them. */
  flush_tlb_mm(mm) {
    for (const core of this.cores) if (this.active[core.index] === mm) core.flushTlb();
  }
  /** The mm is gone: no core may treat a later mm at the same place as cached. */
  forget(mm) {
    this.flush_tlb_mm(mm);
    for (let i = 0; i < this.active.length; i++) if (this.active[i] === mm) this.active[i] = void 0;
  }
};

// kernel-model/mm/user_mm.ts
var GFP_PGTABLE_USER = GFP_KERNEL | __GFP_ZERO;
var UserMemory = class {
  constructor(machine, pgalloc) {
    this.machine = machine;
    this.pgalloc = pgalloc;
    this.contexts = new MmContexts(machine.cores);
  }
  machine;
  pgalloc;
  faults = {};
  asids = new AsidAllocator();
  contexts;
  /** Live address spaces (for /proc and the leak checks). */
  live = /* @__PURE__ */ new Set();
  get ram() {
    return this.machine.ram;
  }
  allocUserPage() {
    if (this.faults.page?.()) return null;
    const pfn = this.pgalloc().alloc_page(GFP_HIGHUSER_MOVABLE);
    if (pfn === null) return null;
    this.machine.ram.fill(pfn_to_phys(pfn), PAGE_SIZE, 0);
    return pfn_to_phys(pfn);
  }
  freeUserPage(pa) {
    this.pgalloc().free_page(phys_to_pfn(pa));
  }
  getUserPage(pa) {
    this.pgalloc().get_page(phys_to_pfn(pa));
  }
  userPageCount(pa) {
    return this.pgalloc().page_count(phys_to_pfn(pa));
  }
  allocTable() {
    if (this.faults.pgtable?.()) return null;
    const pfn = this.pgalloc().alloc_page(GFP_PGTABLE_USER);
    return pfn === null ? null : pfn_to_phys(pfn);
  }
  freeTable(pa) {
    this.pgalloc().free_page(phys_to_pfn(pa));
  }
  flushTlbMm(mm) {
    this.contexts.flush_tlb_mm(mm);
  }
  /** Translated code of the page is stale on every core (each engine drops its blocks of that physical page). */
  codeChanged(pa) {
    for (const core of this.machine.cores) core.physCodeChanged(pa, PAGE_SIZE);
  }
  /** mm_alloc: an empty address space with its own root table and ASID; null without memory. */
  mm_alloc() {
    const root = this.allocTable();
    if (root === null) return null;
    const mm = new MmStruct(this, this.asids.alloc(), root);
    this.live.add(mm);
    return mm;
  }
  /** mmput: the last user is gone, everything the mm holds goes back. */
  mmput(mm) {
    if (--mm.users > 0) return;
    mm.exit_mmap();
    this.contexts.forget(mm);
    this.asids.free(mm.asid);
    this.live.delete(mm);
  }
};

// kernel-model/lib/random.ts
function xorshift32(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>>= 0;
  };
}

// kernel-model/fs/proc_pid.ts
var FILES = ["stat", "status", "cmdline", "comm", "maps"];
function state(p) {
  if (p.state !== "alive") return "Z";
  if (p.stopped) return "T";
  return [...p.threads].some((t2) => t2.state === "running" || t2.state === "runnable") ? "R" : "S";
}
var kb = (bytes2) => String(bytes2 / 1024n);
function vm_size(p) {
  return p.mm.vmas.reduce((n, v) => n + v.size, 0n);
}
function proc_pid_stat(k, p) {
  const mm = p.mm;
  const text = mm.vmas.find((v) => v.flags & VM_EXEC && v.name === p.exe);
  const data = mm.vmas.find((v) => v.flags & VM_WRITE && v.name === p.exe);
  const first = first_thread(p);
  const cpu = thread_group_cputime(p);
  const f = [
    p.pid,
    `(${p.comm})`,
    state(p),
    p.parent?.pid ?? 0,
    p.pgid,
    p.sid,
    0,
    -1,
    4194304,
    0,
    0,
    0,
    0,
    clock_t(cpu.utime),
    clock_t(cpu.stime),
    clock_t(p.cutimeNs),
    clock_t(p.cstimeNs),
    20,
    0,
    p.threads.size,
    0,
    Math.floor(p.startNs * USER_HZ / 1e9),
    vm_size(p),
    mm.rss,
    "18446744073709551615",
    text?.start ?? 0,
    text?.end ?? 0,
    mm.start_stack,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    17,
    first?.cpu ?? 0,
    0,
    0,
    0,
    0,
    0,
    data?.start ?? 0,
    data?.end ?? 0,
    mm.start_brk,
    mm.arg_start,
    mm.arg_end,
    mm.arg_end,
    mm.arg_end,
    p.state === "alive" ? 0 : p.wstatus
  ];
  void k;
  return `${f.join(" ")}
`;
}
function proc_pid_status(k, p) {
  const s = state(p);
  const stateName = { R: "R (running)", S: "S (sleeping)", T: "T (stopped)", Z: "Z (zombie)" }[s];
  const stack = p.mm.vmas.find((v) => v.name === "[stack]");
  const heap = p.mm.vmas.filter((v) => v.name === "[heap]" || !v.name && v.flags & VM_WRITE);
  const cpus = [...new Set([...p.threads].map((t2) => t2.cpu))].sort((a, b) => a - b).join(",");
  const lines = [
    ["Name", p.comm],
    ["Umask", "0022"],
    ["State", stateName],
    ["Tgid", String(p.pid)],
    ["Ngid", "0"],
    ["Pid", String(p.pid)],
    ["PPid", String(p.parent?.pid ?? 0)],
    ["TracerPid", "0"],
    ["Uid", "0	0	0	0"],
    ["Gid", "0	0	0	0"],
    ["FDSize", "64"],
    ["Groups", ""],
    ["VmPeak", `${kb(vm_size(p)).padStart(8)} kB`],
    ["VmSize", `${kb(vm_size(p)).padStart(8)} kB`],
    ["VmRSS", `${String(p.mm.rss * 4).padStart(8)} kB`],
    ["VmData", `${kb(heap.reduce((n, v) => n + v.size, 0n)).padStart(8)} kB`],
    ["VmStk", `${kb(stack?.size ?? 0n).padStart(8)} kB`],
    ["VmPTE", `${String(p.mm.nr_tables * 4).padStart(8)} kB`],
    ["Threads", String(p.threads.size)],
    ["SigBlk", first_thread(p)?.sigmask.toString(16).padStart(16, "0") ?? "0".repeat(16)],
    ["Cpus_allowed_list", cpus || "0"]
  ];
  void k;
  return lines.map(([a, b]) => `${a}:	${b}
`).join("");
}
function proc_pid_cmdline(k, p) {
  const mm = p.mm;
  const out = [];
  for (let va = mm.arg_start; va < mm.arg_end; va++) {
    const at = mm.lookup(va);
    out.push(at ? k.machine.ram.u8(at.pa) : 0);
  }
  return Buffer.from(out).toString("latin1");
}
function show_map(p) {
  return p.mm.vmas.map((v) => {
    const perms = `${v.flags & VM_READ ? "r" : "-"}${v.flags & VM_WRITE ? "w" : "-"}${v.flags & VM_EXEC ? "x" : "-"}${v.flags & VM_SHARED ? "s" : "p"}`;
    const head = `${v.start.toString(16).padStart(8, "0")}-${v.end.toString(16).padStart(8, "0")} ${perms} 00000000 00:00 0`;
    return v.name ? `${head.padEnd(73)}${v.name}
` : `${head}
`;
  }).join("");
}
function proc_pid_register(k, p) {
  const base = `/proc/${p.pid}`;
  k.proc.register(`${base}/stat`, () => proc_pid_stat(k, p));
  k.proc.register(`${base}/status`, () => proc_pid_status(k, p));
  k.proc.register(`${base}/cmdline`, () => proc_pid_cmdline(k, p));
  k.proc.register(`${base}/comm`, () => `${p.comm}
`);
  k.proc.register(`${base}/maps`, () => show_map(p));
}
function proc_pid_unregister(k, pid) {
  for (const f of FILES) k.proc.unregister(`/proc/${pid}/${f}`);
}

// kernel-model/kernel/user_state.ts
var USER_RANDOM_SEED = 1592590337;
var UserState = class {
  constructor(k) {
    this.k = k;
    this.mem = new UserMemory(k.machine, () => k.mm.pgalloc);
    this.procs.onAdd = (p) => {
      p.startNs = k.clockNs();
      proc_pid_register(k, p);
    };
    this.procs.onRemove = (p) => proc_pid_unregister(k, p.pid);
    k.proc.selfPid = () => k.this_cpu.active && k.this_cpu.task instanceof UserTask ? k.this_cpu.task.pid : void 0;
    const THREAD_PAGES = 4;
    this.threadsMax = Math.max(20, Math.floor(k.mm.pgalloc.totalram_pages() / (8 * THREAD_PAGES)));
  }
  k;
  procs = new ProcessTable();
  futex = new Futexes();
  mem;
  /** threads-max (kernel/fork.c's set_max_threads: a thread's stack may take at most 1/8 of RAM); the kernel.threads-max sysctl sets it. */
  threadsMax;
  hostname = "(none)";
  rnd = xorshift32(USER_RANDOM_SEED);
  /** AT_HWCAP: what every online CPU has. */
  get hwcap() {
    return elf_hwcap(this.k.cpuRegs.filter((r2, cpu) => !!r2 && this.k.cpu_online(cpu)));
  }
  random(n) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.rnd() & 255;
    return out;
  }
};

// kernel-model/arch/arm64/mm/fault.ts
var ESR_ELx_WNR = 1 << 6;
var SIGKILL2 = 9;
var isMmFault = (esr) => {
  const fsc = esr & 63;
  return fsc >= 4 && fsc <= 15;
};
var decided = /* @__PURE__ */ new WeakMap();
function decidedResult(task3, trap) {
  const d = decided.get(task3);
  if (!d) return void 0;
  decided.delete(task3);
  return d.far === trap.far && d.esr === trap.esr ? d.r : void 0;
}
function do_page_fault_fast(task3, trap) {
  if (trap.kind !== "data-abort" || trap.el !== 0 || !isMmFault(trap.esr)) return false;
  const mm = task3.proc.mm;
  const v = mm.vma_at(trap.far);
  const write = (trap.esr & ESR_ELx_WNR) !== 0;
  if (!v || v.flags & VM_EXEC || !(v.flags & (write ? VM_WRITE : VM_READ)) || mm.lookup(trap.far)) return false;
  const r2 = handle_mm_fault(mm, trap.far, write ? "write" : "read");
  if (r2 === "ok") return true;
  decided.set(task3, { far: trap.far, esr: trap.esr, r: r2 });
  return false;
}
function do_page_fault(k, task3, trap) {
  if (trap.kind !== "data-abort" && trap.kind !== "insn-abort") return "signal";
  if (!isMmFault(trap.esr)) return "signal";
  const access = trap.kind === "insn-abort" ? "exec" : trap.esr & ESR_ELx_WNR ? "write" : "read";
  const r2 = decidedResult(task3, trap) ?? handle_mm_fault(task3.proc.mm, trap.far, access);
  if (r2 === "ok") return "handled";
  if (r2 !== "oom") return "signal";
  k.printk(`Out of memory: Killed process ${task3.pid} (${task3.comm}) total-vm:${vmKb(task3)}kB, anon-rss:${task3.proc.mm.rss * 4}kB`);
  exit_group(k, task3, W_SIGNALED(SIGKILL2));
  return "killed";
}
var vmKb = (t2) => String(t2.proc.mm.vmas.reduce((n, v) => n + Number(v.size / 1024n), 0));
function vma_where(task3, pc) {
  const v = task3.proc?.mm.vma_at(pc);
  if (!v || !v.name || v.name.startsWith("[")) return "";
  const base = v.name.slice(v.name.lastIndexOf("/") + 1);
  return ` in ${base}[${v.start.toString(16)}+${v.size.toString(16)}]`;
}

// kernel-model/kernel.ts
var KernelPanic = class extends Error {
  name = "KernelPanic";
};
var KernelRunError = class extends Error {
  name = "KernelRunError";
};
var Kernel = class {
  constructor(machine, opts) {
    this.machine = machine;
    this.runInit = opts.runInit ?? false;
    this.syms = Kallsyms.fromFile(join8(opts.bootDir, "System.map"));
    this.log = new KernelLog(() => this.clockRunning ? machine.uptimeUsec : 0);
    this.log.onLine((line) => this.consoleWrite(new TextEncoder().encode(`${line}
`)));
    const n = machine.cores.length;
    this.onlineMask = new Array(n).fill(false);
    this.cpuRegs = new Array(n).fill(void 0);
    this.cpuRunning = Array.from({ length: n }, (_, cpu) => new Completion(`cpu_running ${cpu}`));
    this.sched = new Scheduler(this);
    this.harness = new Harness(this);
    this.rcu = new Rcu({ ncpu: n, cpu_online: (c) => this.cpu_online(c), smp_processor_id: () => this.smp_processor_id(), wake_up_process: (t2) => this.sched.wake_up_process(t2), rcu_tick_arm: () => this.rcu_tick_arm() });
    machine.onTrap = (trap) => this.handleTrap(trap);
    machine.onFastSvc = (call) => call.el === 0 && !this.strace ? this.fastSyscall(call) : void 0;
    if (process.env.UCONSOLE_FAST_FAULT !== "off") machine.onFastFault = (trap) => this.fastFault(trap);
    machine.os = this.sched;
  }
  machine;
  log;
  syms;
  state = "booting";
  /** Physical address the image runs at (learnt from its first hvc). */
  textPa = 0;
  /** Per-CPU state indexed by logical CPU number (= core index). */
  onlineMask;
  cpuRegs;
  /** cpu_running: each secondary completes its own when it comes online. */
  cpuRunning;
  /** True once the boot CPU runs on the kernel's page tables. */
  switched = false;
  proc = new ProcFs();
  sched;
  /** The per-CPU context of the kernel code running now. */
  this_cpu = new ThisCpu();
  /** How TypeScript runs code on a chosen core (tests, benchmarks, the API). */
  harness;
  /** RCU's grace periods and callbacks (kernel/rcu/tree.ts). */
  rcu;
  arch_;
  mm_;
  user_;
  /** With --strace: a line for every system call (all calls then take the trap path). */
  strace;
  straceRet;
  /** The root file system (populate_rootfs), once kernel_init has unpacked it. */
  rootfs;
  /** The per-CPU areas and their allocator (setup_per_cpu_areas), once they exist. */
  percpu;
  /** The slab allocator (kmem_cache_init), once it exists. */
  slab;
  /** printk timestamps stay at 0 until time_init, as before sched_clock runs. */
  clockRunning = false;
  runInit;
  /** The init process's wait status once it has ended. */
  initStatus;
  get printk() {
    return this.log.printk;
  }
  /* ---- boot phases' results ------------------------------------------------ */
  get arch() {
    if (!this.arch_) throw new KernelPanic("setup_arch has not run yet");
    return this.arch_;
  }
  set arch(a) {
    this.arch_ = a;
  }
  /** Processes, user memory, futexes: once the memory subsystems are up. */
  get user() {
    if (!this.user_) this.user_ = new UserState(this);
    return this.user_;
  }
  /**
   * A user task is about to return to EL0 at `pc` with its state on
   * `core`: where it really goes (a signal handler if one is due).
   */
  signal_return(core, task3, pc) {
    return task3 instanceof UserTask && (task3.pending || task3.savedSigmask !== void 0) ? do_signal(this, core, task3, pc) : pc;
  }
  /** SchedHost: a user task is switched back in at `pc` (its state restored): where it resumes. */
  resume_user(core, task3, pc) {
    if (!task3.pending && task3.savedSigmask === void 0 || pc === this.addr("ret_to_user")) return pc;
    return this.on(core.index, () => this.signal_return(core, task3, pc));
  }
  /** SchedHost: a user task is back on `core`; its address space's translations must be the ones cached. */
  switch_mm(core, task3) {
    if (task3.proc) this.user.mem.contexts.switch_mm(core, task3.proc.mm);
    if (task3.migrated) {
      core.sysWrite(SYSREG.TPIDR_EL1, this.per_cpu_offset(core.index));
      task3.migrated = false;
    }
  }
  get mm() {
    if (!this.mm_) throw new KernelPanic("the memory subsystems are not up yet (mm_init has not run)");
    return this.mm_;
  }
  set mm(m) {
    this.mm_ = m;
  }
  /** time_init: the clock starts showing in the log. */
  startClock() {
    this.clockRunning = true;
  }
  /* ---- the image ----------------------------------------------------------- */
  /** Physical address of a kernel symbol (the image is position independent). */
  paddr(sym) {
    return BigInt(this.textPa) + this.syms.offset(sym);
  }
  /** The symbol's address at KIMAGE_VADDR, where the image runs once the MMU is on. */
  vaddr(sym) {
    return KIMAGE_VADDR + this.syms.offset(sym);
  }
  /** Where the cores run a symbol now: its VA after the switch to the kernel's tables, its PA before. */
  addr(sym) {
    return this.switched ? this.vaddr(sym) : this.paddr(sym);
  }
  symbolAddress(sym) {
    return this.syms.has(sym) ? this.addr(sym) : void 0;
  }
  get imageSize() {
    return Number(this.syms.offset("_end"));
  }
  /** Bytes to the console UART, through its data register as the driver would. */
  consoleWrite(data) {
    for (const b of data) this.machine.console.write(0, 1, BigInt(b));
  }
  /* ---- per-CPU context, time ------------------------------------------------ */
  enter(core, task3, tpidrEl1) {
    this.this_cpu.enter(core, task3, tpidrEl1);
  }
  leave() {
    this.this_cpu.leave();
  }
  /** The scheduler found `core` between tasks, idle, or at EL0: report RCU's quiescent state there. */
  quiescent(core) {
    if (this.rcu.busy) this.on(core.index, () => this.rcu.rcu_qs(core.index));
  }
  rcuTick = false;
  /** RCU's tick: every jiffy while RCU has work, the CPUs idle or at EL0 report a quiescent state. */
  rcu_tick_arm() {
    if (this.rcuTick) return;
    this.rcuTick = true;
    this.sched.timers.add(jiffies_to_clock_ns(this.jiffies() + 1), () => {
      this.rcuTick = false;
      for (const core of this.machine.cores) {
        const t2 = this.sched.curr[core.index];
        if (this.cpu_online(core.index) && (t2?.kind === "idle" || t2?.kind === "user")) this.quiescent(core);
      }
      if (this.rcu.busy) this.rcu_tick_arm();
    }, "rcu tick");
  }
  cpu_online(cpu) {
    return this.onlineMask[cpu] === true;
  }
  online(cpu) {
    return this.cpu_online(cpu);
  }
  /** `current`: the task kernel code runs for. */
  current() {
    return this.this_cpu.task;
  }
  /** smp_processor_id(): this_cpu_read(cpu_number), through TPIDR_EL1 (kept for the entry). */
  smp_processor_id() {
    const c = this.this_cpu;
    if (c.cpu_ === void 0) c.cpu_ = this.percpu ? this.arch.kmem.read32(this.this_cpu_ptr("cpu_number")) : c.core.index;
    return c.cpu_;
  }
  /** __per_cpu_offset[cpu], as the image holds it. */
  per_cpu_offset(cpu) {
    return this.machine.ram.u64(Number(this.paddr("__per_cpu_offset")) + 8 * cpu);
  }
  /** this_cpu_ptr(&var): the running CPU's copy of a static per-CPU variable of the image. */
  this_cpu_ptr(sym) {
    return BigInt.asUintN(64, this.vaddr(sym) + this.this_cpu.offset);
  }
  /** per_cpu_ptr(&var, cpu). */
  per_cpu_ptr(sym, cpu) {
    return BigInt.asUintN(64, this.vaddr(sym) + this.per_cpu_offset(cpu));
  }
  /** ktime_get(): nanoseconds of virtual time since power-on. */
  clockNs() {
    return this.machine.clockNs;
  }
  jiffies() {
    return jiffies_at(this.machine.clockNs);
  }
  /**
   * Account `insns` instructions of work to the kernel code running now:
   * a kernel thread then keeps its core that much longer on the virtual
   * clock (Scheduler.charge). TypeScript work is otherwise free in virtual
   * time; code that wants its cost seen (an allocator's tree walk, a page
   * copy) charges it. Outside a kernel thread it is not counted.
   */
  charge(insns) {
    const t2 = this.this_cpu.active ? this.this_cpu.task : void 0;
    if (t2 instanceof KthreadTask) this.sched.charge(t2, insns);
  }
  /* ---- running kernel code from the top level ------------------------------- */
  /**
   * Run `fn` as kernel code on `cpu`, synchronously (the machine is
   * stopped between rounds, so this is what smp_call_function_single
   * would run there). From the top level only.
   */
  on(cpu, fn) {
    const core = this.machine.core(cpu);
    if (!this.cpu_online(cpu)) throw new KernelRunError(`cpu${cpu} is not online`);
    const saved = this.this_cpu.snapshot();
    this.enter(core, this.sched.curr[cpu]);
    try {
      return fn();
    } finally {
      this.this_cpu.restore(saved);
    }
  }
  /**
   * Run the machine from the top level until `until()` holds. Ends with a
   * KernelRunError when nothing can run any more ("no runnable task, N
   * waiting", with who waits for what) or after `maxRounds` (what each CPU
   * was running, with its PC).
   */
  run(until, maxRounds = 1e5) {
    if (this.this_cpu.active) throw new KernelRunError("Kernel.run from kernel code: only the top level may run the machine");
    const r2 = this.machine.run({ until, maxRounds });
    if (r2 === "until") return;
    if (r2 === "halted") throw new KernelRunError(this.machine.status?.message ?? "the machine halted");
    if (r2 === "idle") {
      const waiting = this.sched.waiting();
      throw new KernelRunError(`no runnable task, ${waiting.length} waiting${waiting.length ? `: ${waiting.join("; ")}` : ""}`);
    }
    throw new KernelRunError(`still running after ${maxRounds} scheduler rounds: ${this.runningReport()}`);
  }
  /** One clause per busy CPU: its task and the core's PC. */
  runningReport() {
    const parts = this.machine.cores.map((core) => {
      const t2 = this.sched.curr[core.index];
      if (t2.kind === "idle" && !this.sched.hasWaiting(core.index)) return void 0;
      return `cpu${core.index} ${t2.kind === "idle" ? "has runnable tasks" : `runs ${t2}`} at PC 0x${core.pc.toString(16).padStart(16, "0")}`;
    });
    return parts.filter(Boolean).join("; ") || "no CPU busy";
  }
  /**
   * kcall(cpu, fn, ...args): run a function of the kernel image (a symbol,
   * or an address) on `cpu`, as a short-lived kernel thread there calls
   * it, and return its x0. A fault in it is reported as that thread's
   * oops and thrown as a KernelRunError; the machine stays up.
   */
  kcall(cpu, fn, ...args) {
    if (typeof fn === "string" && !this.syms.has(fn)) throw new KernelRunError(`kcall: no symbol "${fn}" in the kernel image`);
    const name = typeof fn === "string" ? fn : `0x${fn.toString(16)}`;
    const call = this.harness.kcallThread(cpu, fn, args);
    this.run(() => call.task.state === "dead");
    if (call.task.oops) throw new KernelRunError(`kcall ${name} on cpu${cpu}: ${call.task.oops}`);
    return call.x0();
  }
  /**
   * flush_tlb_kernel_range for TypeScript code that changed the kernel's
   * page tables: what the image's tlbi vaale1is loop does, broadcast to
   * every core (TypeScript runs outside the cores, so it does it directly).
   */
  flush_tlb_kernel_range(_start, _end) {
    this.machine.flushTlbAll();
  }
  /* ---- traps ------------------------------------------------------------ */
  handleTrap(trap) {
    const core = this.machine.core(trap.core);
    this.enter(core, this.sched.curr[trap.core]);
    try {
      if (trap.kind === "hvc" && trap.el === 1) return this.kernelCall(trap);
      if (trap.kind === "svc" && trap.el === 0) return this.el0Syscall(trap);
      if (trap.kind === "brk" && trap.el === 0 && trap.imm === BRK.HARNESS_RETURN) return this.harnessReturn(trap);
      return this.fault(trap);
    } catch (e) {
      if (e instanceof KernelPanic) return this.panic(e.message);
      throw e;
    } finally {
      this.this_cpu.leave();
    }
  }
  idRegs(cpu) {
    const c = this.machine.core(cpu);
    return { mpidr: c.x(1), midr: c.x(2), pfr0: c.x(3), isar0: c.x(4), ctr: c.x(5) };
  }
  kernelCall(trap) {
    const core = this.machine.core(trap.core);
    const resume = { resume: trap.pc };
    switch (trap.imm) {
      case KCALL.EARLY_ENTRY:
        this.textPa = Number(trap.pc - this.syms.offset("early_entry_return"));
        for (const c of this.machine.cores) c.interceptSystemInstructions(BigInt(this.textPa), BigInt(this.textPa + this.imageSize - 1));
        return resume;
      case KCALL.START_KERNEL:
        this.cpuRegs[trap.core] = this.idRegs(trap.core);
        start_kernel(this, core.x(0));
        this.prepareMmuSwitch(trap.core, "primary_switched", "init_stack_end");
        return resume;
      case KCALL.PRIMARY_SWITCHED:
        this.switched = true;
        this.machine.codeChanged(this.textPa, this.imageSize, KIMAGE_VADDR);
        for (const c of this.machine.cores) c.interceptSystemInstructions(KIMAGE_VADDR, KIMAGE_VADDR + BigInt(this.imageSize - 1));
        start_kernel_percpu(this);
        core.setX(19, trap.core);
        return resume;
      case KCALL.START_KERNEL_REST:
        core.saveEl1();
        start_kernel_rest(this);
        return resume;
      case KCALL.SECONDARY_START:
        this.cpuRegs[trap.core] = this.idRegs(trap.core);
        this.prepareMmuSwitch(trap.core, "secondary_switched", "secondary_stacks", (trap.core + 1) * THREAD_SIZE);
        core.setX(19, trap.core);
        return resume;
      case KCALL.SECONDARY_SWITCHED:
        core.saveEl1();
        secondary_start_kernel(this, trap.core);
        return resume;
      case KCALL.RETURN:
        if (!this.sched.kcallOn(trap.core)) throw new KernelPanic(`cpu${trap.core}: kernel return with no call in progress`);
        this.sched.kcallReturned(trap.core, core.x(0));
        return this.toIdle(trap.core);
      default:
        throw new KernelPanic(`unknown kernel call hvc #${trap.imm} from cpu${trap.core}`);
    }
  }
  /** Registers for the image's __enable_mmu: the kernel's tables, then on to `continueAt`. */
  prepareMmuSwitch(cpu, continueAt, stack, stackOffset = 0) {
    const t2 = this.arch.pgtables;
    const core = this.machine.core(cpu);
    core.setX(0, t2.swapper.root);
    core.setX(1, t2.ttbr0.root);
    core.setX(2, t2.mair);
    core.setX(3, t2.tcr);
    core.setX(4, this.vaddr(continueAt));
    core.sp = this.vaddr(stack) + BigInt(stackOffset);
  }
  /** Back to EL1 and the idle loop (the core parks in its WFI). */
  toIdle(cpu) {
    this.machine.core(cpu).restoreEl1();
    return { resume: this.addr("cpu_idle") };
  }
  /** The same for a core stopped between rounds (from the top level). */
  idleNow(cpu) {
    this.machine.core(cpu).restoreEl1();
    this.machine.start(cpu, this.addr("cpu_idle"));
  }
  /* ---- system calls ----------------------------------------------------- */
  syscalls = new SyscallEntry(this);
  /** A system call answered inside the trap hook: x0, or undefined for the trap path (see SyscallEntry.fast). */
  fastSyscall(call) {
    return this.syscalls.fast(call);
  }
  /** A demand-paging fault at EL0, handled without stopping the core (do_page_fault_fast). */
  fastFault(trap) {
    const task3 = this.sched.curr[trap.core];
    if (!(task3 instanceof UserTask) || !task3.proc) return false;
    this.enter(this.machine.core(trap.core), task3);
    try {
      return do_page_fault_fast(task3, trap);
    } finally {
      this.leave();
    }
  }
  el0Syscall(trap) {
    return this.syscalls.slow(trap);
  }
  harnessReturn(trap) {
    const task3 = this.sched.curr[trap.core];
    if (!this.harness.owns(task3)) return this.fault(trap);
    const x0 = this.machine.core(trap.core).x(0);
    this.harness.done(task3, x0);
    exit_thread(this, task3, 0, trap.core);
    return this.toIdle(trap.core);
  }
  /* ---- faults ---------------------------------------------------------------- */
  fault(trap) {
    const inKcall = this.sched.kcallOn(trap.core);
    if (inKcall && this.isProbeFault(trap)) {
      this.sched.kcallReturned(trap.core, BigInt(-EFAULT));
      return this.toIdle(trap.core);
    }
    if (trap.el === 0) {
      const task3 = this.sched.curr[trap.core];
      if (trap.kind === "undef" && this.emulateMrs(trap)) return { resume: trap.pc + 4n };
      const r2 = task3 instanceof UserTask && task3.proc ? do_page_fault(this, task3, trap) : "signal";
      if (r2 === "handled") return { resume: trap.pc };
      if (r2 === "killed") return this.toIdle(trap.core);
      return this.killUserTask(trap);
    }
    if (inKcall) {
      this.sched.oops(inKcall, this.machine.describeTrap(trap));
      return this.toIdle(trap.core);
    }
    return this.panic(this.machine.describeTrap(trap), trap);
  }
  /** An EL0 `mrs` of an ID register: answered as Linux's emulate_mrs does (xzr as Rt discards it). */
  emulateMrs(trap) {
    const core = this.machine.core(trap.core);
    const insn = core.fetchWord(trap.pc);
    const regs = this.cpuRegs[trap.core];
    if (insn === void 0 || !regs) return false;
    const e = emulate_mrs(insn, regs);
    if (!e) return false;
    if (e.rt !== 31) core.setX(e.rt, e.value);
    return true;
  }
  isProbeFault(trap) {
    return trap.kind === "data-abort" && trap.el === 1 && this.switched && trap.pc >= this.vaddr("probe_read64") && trap.pc < this.vaddr("__probes_end");
  }
  /** A fault in user code: the task dies of its signal, the kernel says why, the core goes idle. */
  killUserTask(trap) {
    const task3 = this.sched.curr[trap.core];
    const { signal, message } = el0_fault(trap, task3);
    if (task3 instanceof UserTask && task3.proc && catches(task3, signal)) {
      send_signal(this, task3, signal, { code: 1, addr: trap.far });
      return { resume: this.signal_return(this.machine.core(trap.core), task3, trap.pc) };
    }
    this.printk(task3 instanceof UserTask ? message + vma_where(task3, trap.pc) : message);
    if (task3 instanceof UserTask && task3.proc) exit_group(this, task3, W_SIGNALED(signal));
    else {
      this.harness.killed(task3, signal);
      this.sched.userExited(task3, 128 + signal);
    }
    return this.toIdle(trap.core);
  }
  /* ---- the end ---------------------------------------------------------- */
  panic(message, trap) {
    this.printk(`Kernel panic - not syncing: ${message}`);
    this.state = "panic";
    this.machine.halt(message, false, trap);
    return "stop";
  }
  /** machine_halt(): stop every core ("Power down" and "Restarting system" for the other reboot commands). */
  halt(how = "System halted") {
    if (this.machine.halted) return;
    this.printk(`reboot: ${how}`);
    this.state = "halted";
    this.machine.halt("System halted", true);
  }
};

// api/uconsole.ts
import { existsSync as existsSync9, readFileSync as readFileSync8 } from "node:fs";
var BootError = class extends Error {
  name = "BootError";
};
var Uconsole = class {
  constructor(machine, kernel, firmware) {
    this.machine = machine;
    this.kernel = kernel;
    this.firmware = firmware;
  }
  machine;
  kernel;
  firmware;
  closed = false;
  live() {
    if (this.closed) throw new BootError("this uConsole was shut down");
  }
  /** A /proc (or /sys) file's contents, as `cat` would print them. */
  readFile(path) {
    this.live();
    return this.kernel.proc.read(path);
  }
  /** The kernel log in dmesg's format. */
  dmesg() {
    return this.kernel.log.dmesg();
  }
  /**
   * Run one system call at EL0 on `cpu` (x8 = nr, x0..x5 = args) and
   * return x0 as a signed value (a negative value is -errno).
   */
  syscall(cpu, nr, ...args) {
    this.live();
    return this.kernel.harness.syscall(cpu, nr, args).ret;
  }
  /**
   * Run a program to its end as a new process on `opts.cpu` (default 0):
   * `program` is a path in the initramfs ("/bin/hello"), a host file, or
   * the executable's bytes. Returns its exit code or signal and its output.
   */
  exec(program, argv2, opts = {}) {
    this.live();
    const k = this.kernel;
    let file2;
    let name;
    if (typeof program === "string") {
      name = program;
      try {
        const target2 = resolve_exec(k.rootfs.root, k.rootfs.root, program, argv2 ?? [program.slice(program.lastIndexOf("/") + 1)]);
        file2 = target2.file;
        if (target2.filename !== program) return k.harness.exec(file2, target2.filename, target2.argv, opts);
      } catch (e) {
        if (!(e instanceof ExecError) || !existsSync9(program)) throw new BootError(`${program}: not in the initramfs, not a host file`);
        file2 = readFileSync8(program);
      }
    } else {
      file2 = program;
      name = argv2?.[0] ?? "a.out";
    }
    return k.harness.exec(file2, name, argv2 ?? [name.slice(name.lastIndexOf("/") + 1)], opts);
  }
  /** `len` bytes of process `pid`'s memory at `va` (pages not yet touched read as zero; unmapped: an error). */
  readUser(pid, va, len) {
    this.live();
    const p = this.kernel.user.procs.get(pid);
    if (!p) throw new BootError(`no process ${pid}`);
    const out = new Uint8Array(len);
    for (let done = 0; done < len; ) {
      const at = va + BigInt(done);
      const n = Math.min(len - done, 4096 - Number(at % 4096n));
      const v = p.mm.vma_at(at);
      if (!v) throw new BootError(`process ${pid} has nothing mapped at 0x${at.toString(16)}`);
      const pa = p.mm.lookup(at)?.pa ?? (v.flags & VM_PFNMAP ? v.pfnmapPa + Number(at - v.start) : void 0);
      if (pa !== void 0) out.set(this.machine.ram.read(pa, n), done);
      done += n;
    }
    return out;
  }
  /** Host input for the console (what a user types, or a script piped in); `closeConsoleInput` ends it. */
  consoleInput(data) {
    this.live();
    this.kernel.rootfs?.console.input(typeof data === "string" ? new TextEncoder().encode(data) : data);
  }
  /** The host terminal changed size: TIOCGWINSZ reports it, and the console's foreground group gets SIGWINCH. */
  resizeConsole(rows, cols) {
    this.live();
    this.kernel.rootfs?.console.setWinsize(rows, cols);
  }
  closeConsoleInput() {
    this.live();
    this.kernel.rootfs?.console.closeInput();
  }
  /** A page of memory the harness's EL0 code on `cpu` can use for buffers. */
  userBuffer(cpu) {
    this.live();
    const va = this.kernel.harness.buffer(cpu);
    const pa = () => {
      this.live();
      return this.kernel.harness.bufferPa(cpu);
    };
    return {
      va,
      pa: pa(),
      write: (data) => this.machine.ram.write(pa(), data.subarray(0, 4096)),
      // Code written from outside: the cores' translated code of the page is dropped.
      writeCode: (code) => {
        this.machine.ram.write(pa(), code.subarray(0, 4096));
        this.machine.codeChanged(pa(), Math.min(code.length, 4096), va);
      },
      read: (len) => this.machine.ram.read(pa(), Math.min(len, 4096))
    };
  }
  /**
   * Run the machine until init has ended (the kernel then halts, as Linux
   * panics when init exits); its wait status, or undefined if the machine
   * stopped otherwise. When a task waits for console input, `moreInput`
   * is asked for it, told how long the machine may wait in real
   * milliseconds before its next timer is due (Infinity: nothing else
   * will happen): it returns bytes, null for the end of input, or
   * undefined when nothing came by then (the machine then runs on to
   * that timer, as a real device would go on while nobody types).
   */
  waitInit(maxRounds = Infinity, moreInput) {
    this.live();
    const k = this.kernel;
    if (!k.runInit) throw new BootError("this uConsole was booted without init");
    const console2 = k.rootfs?.console;
    let runTo;
    for (; ; ) {
      try {
        const waited = (to) => (k.sched.nextTimerNs() ?? Infinity) > to;
        k.run(() => k.initStatus !== void 0 || this.machine.halted || (runTo === void 0 ? !!console2?.starving : waited(runTo)), maxRounds);
      } catch (e) {
        if (!(e instanceof KernelRunError)) throw e;
        const clean = this.machine.status?.ok || k.initStatus !== void 0;
        if (!this.machine.halted || !clean) throw new BootError(e.message);
      }
      if (this.machine.halted || k.initStatus !== void 0) return k.initStatus;
      if (runTo !== void 0) {
        runTo = void 0;
        continue;
      }
      const next = k.sched.nextTimerNs();
      const waitMs = next === void 0 ? Infinity : Math.max(0, (next - k.clockNs()) / 1e6);
      const data = moreInput ? moreInput(waitMs) : null;
      if (data === void 0) runTo = next ?? k.clockNs();
      else if (data && data.length) console2.input(data);
      else console2.closeInput();
    }
  }
  /** Halt the kernel (prints "reboot: System halted") and release the machine. */
  shutdown() {
    if (this.closed) return;
    this.kernel.halt();
    this.machine.dispose();
    this.closed = true;
  }
};
function initramfs_overlay(files) {
  return writeNewc(files.map((f) => ({ name: f.path.replace(/^\/+/, ""), mode: S_IFREG | (f.mode ?? 420), uid: 0, gid: 0, mtime: 0, data: f.data })));
}
function ramBytes(ram) {
  if (ram === void 0 || typeof ram === "number") return ram;
  const n = parseRamSize(ram);
  if (!(n > 0)) throw new BootError(`bad RAM size "${ram}" (use e.g. 1G, 4G, 512M)`);
  return n;
}
async function bootUconsole(opts = {}) {
  const board = findBoard(opts.board ?? "uconsole-cm4");
  const ram = ramBytes(opts.ram) ?? board.defaultRam;
  if (!board.ramSizes.includes(ram))
    throw new BootError(`${board.name} has no ${formatRamSize(ram)} option (offered: ${board.ramSizes.map(formatRamSize).join(", ")})`);
  if (!opts.bootDir) await ensureImages();
  const dir2 = opts.bootDir ?? bootDir(board.name);
  const machine = await Machine.create({ board, ram, sliceInsns: opts.sliceInsns, trace: opts.trace, exec: opts.exec });
  try {
    if (opts.onConsole) {
      const dec = new TextDecoder();
      machine.onConsole((b) => opts.onConsole(dec.decode(Uint8Array.of(b), { stream: true })));
    }
    const initrdAppend = opts.initramfsFiles?.length ? initramfs_overlay(opts.initramfsFiles) : void 0;
    const handoff = firmwareBoot(machine, { bootDir: dir2, cmdline: opts.cmdline, dtbPath: opts.dtb, initrdPath: opts.initrd, initrdAppend });
    const kernel = new Kernel(machine, { bootDir: dir2, runInit: opts.init });
    machine.run({ until: () => kernel.state !== "booting" });
    if (kernel.state === "booting" && !machine.halted) machine.halt("the kernel never started: every core went idle", false);
    if (machine.status && !machine.status.ok) throw new BootError(machine.status.message);
    if (opts.consoleSize) kernel.rootfs?.console.setWinsize(opts.consoleSize.rows, opts.consoleSize.cols);
    return new Uconsole(machine, kernel, handoff);
  } catch (e) {
    machine.dispose();
    throw e;
  }
}

// ../../tmp/probe/sp4.ts
var u = await bootUconsole({ board: "uconsole-cm4" });
var vfs = u.kernel.rootfs;
var file = open_exec(vfs.root, vfs.root, "/bin/busybox");
var argv = process.argv.slice(2);
var bytes = 0;
var t = performance.now();
var r = u.kernel.harness.exec(file, "/bin/busybox", argv, { cpu: 1, maxRounds: Infinity, stdio: (fd, d) => {
  bytes += d.length;
} });
console.log("ms", (performance.now() - t).toFixed(0), r.exitCode, bytes);
u.shutdown();
