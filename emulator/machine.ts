// SPDX-License-Identifier: GPL-2.0-only
/*
 * The machine: a board's cores, one guest RAM shared by all of them, the
 * device windows, and a deterministic scheduler.
 *
 * Memory. One host mapping covers physical [0, end of DRAM); each core maps
 * the DRAM ranges of it with uc_mem_map_ptr, so all cores and TypeScript
 * (GuestRam) share the same bytes. Device windows are uc_mmio_map regions
 * dispatching to the device models. Code written from TypeScript is made
 * visible to every core by dropping their translated blocks for it.
 *
 * Scheduling. Cores run in a fixed round robin, each for a slice of a fixed
 * number of instructions, so the same inputs give the same interleaving.
 * Before each core's slice the operating system, if one is installed
 * (`os`, the kernel), has its turn at that core: it may switch what the
 * core runs, or use the slice itself for TypeScript work that runs "on"
 * the core (a kernel thread's step). A slice ends early on a trap (handed
 * to onTrap, i.e. the kernel, which says where the core goes next), or
 * when the core parks in WFE or WFI. A WFE-parked core wakes on an event
 * (SEV on any core, or sev() from the host) or when its watched word
 * changes (the spin-table slot the firmware gives it); a WFI-parked core
 * wakes when the kernel says so. halt() ends the machine.
 *
 * Virtual time. One clock for the machine, counted in instructions at
 * CLOCK_MHZ: every round that runs anything advances it by the
 * instructions of its longest slice (the cores run side by side; a turn
 * the OS uses counts as a whole slice); a round where nothing runs skips it to the OS's
 * next timer, as a tickless idle kernel would sleep, and with no timer
 * pending run() returns 'idle'. The generic timer's counter (CNTVCT_EL0,
 * CNTPCT_EL0 on the cores), the kernel's jiffies and ktime and the log's
 * timestamps all read this clock, so the same inputs give the same times.
 *
 * run() is only ever entered from the top (the API, the CLI, tests):
 * nothing the kernel does inside a trap or a turn may run the machine.
 */

import { hostAlloc, type HostMemory } from './unicorn/binding';
import { maskRecords, replicate } from './unicorn/native';
import { snapshotLayout } from './snapshot-layout';
import { GuestRam, BANK_SIZE } from './memory/guest-ram';
import { Core, SHADOW_HOST_SIZE, tlbiBroadcasts, type ExecMode, type SvcCall, type SysregModel, type TlbiOp } from './core';
import type { BoardProfile, MemRange } from './board/profile';
import { findBoard, BoardError } from './board/boards';
import { formatRamSize } from './board/profile';
import { Pl011 } from './devices/pl011';
import type { Ns16550 } from './devices/ns16550';
import { DwApbUart } from './devices/dw-apb-uart';
import { UnimplementedDevice, type MmioDevice } from './devices/mmio';
import { A64, describeAbort, type Trap } from './traps';
import { disassemble, loadDisassembler } from './arm64/disassembler';

export interface MachineOptions {
  board?: BoardProfile | string;
  /** RAM size in bytes; must be one the board offers. */
  ram?: number;
  /** Instructions per scheduler slice (default 100 000). */
  sliceInsns?: number;
  /** Print every executed instruction (very slow). */
  trace?: (line: string) => void;
  /** How the cores run (Core's ExecMode; default 'deterministic'). */
  exec?: ExecMode;
  /**
   * Devices mapped over the board's unimplemented windows, with one model
   * per core (a GIC's banked registers need to know which core accesses).
   */
  devices?: PerCoreDevice[];
}

/** A device window whose model is chosen per core. */
export interface PerCoreDevice {
  base: number;
  size: number;
  forCore(core: number): MmioDevice;
}

export interface RunOptions {
  /** Stop as soon as this returns true (checked after every slice). */
  until?: () => boolean;
  /** Stop after this many scheduler rounds. */
  maxRounds?: number;
}

export type RunResult = 'halted' | 'idle' | 'until' | 'limit';

/**
 * Where a trapped core goes next: resume at a PC (the kernel has set its
 * registers, or restored another task's context), or stay stopped where it
 * trapped until someone starts it again.
 */
export type CoreAction = { resume: bigint } | 'stop';

export type TrapHandler = (trap: Trap, machine: Machine) => CoreAction;

/** The operating system's side of the scheduler (the kernel implements it). */
export interface MachineOs {
  /**
   * The OS's turn at `core`, before its slice: it may switch what the core
   * runs. Returns true if it used the slice itself (TypeScript work that
   * ran on the core), so the core's guest code does not run this round.
   */
  turn(core: Core): boolean;
  /** Virtual time (ns) has reached `nowNs`: run what is due (timers). */
  runTimers(nowNs: number): void;
  /** When the next timer is due (ns), or undefined when none is pending. */
  nextTimerNs(): number | undefined;
}

export interface HaltStatus {
  ok: boolean;
  message: string;
  trap?: Trap;
}

const LOW_VA_END = 2 ** 39;
/** Instructions per microsecond of virtual time (a 1.5 GHz core at one instruction per cycle). */
export const CLOCK_MHZ = 1500;

let shadowHost: HostMemory | undefined;

function sharedShadowHost(): bigint {
  shadowHost ??= hostAlloc(SHADOW_HOST_SIZE, false);
  return shadowHost.ptr;
}

/** The parts of [0, LOW_VA_END) that hold neither RAM nor devices. */
function lowGaps(taken: MemRange[]): MemRange[] {
  const sorted = [...taken].sort((a, b) => a.base - b.base);
  const gaps: MemRange[] = [];
  let at = 0;
  for (const r of sorted) {
    if (r.base > at) gaps.push({ base: at, size: r.base - at });
    at = Math.max(at, r.base + r.size);
  }
  if (at < LOW_VA_END) gaps.push({ base: at, size: LOW_VA_END - at });
  return gaps;
}

export class MachineError extends Error {
  override name = 'MachineError';
}

export class Machine {
  readonly board: BoardProfile;
  readonly ramBytes: number;
  readonly dram: MemRange[];
  readonly ram: GuestRam;
  readonly cores: Core[];
  readonly console: Pl011 | Ns16550;
  readonly sliceInsns: number;
  onTrap: TrapHandler = (trap, m) => {
    m.halt(m.describeTrap(trap), false, trap);
    return 'stop';
  };
  /** The kernel's side of scheduling, once it runs (see MachineOs). */
  os?: MachineOs;
  /**
   * Offered each svc inside the trap hook, before the core stops: return
   * x0's new value if it was answered on the spot, undefined to trap (see
   * CoreHooks.onFastSvc). It must not run the scheduler or touch other
   * cores.
   */
  onFastSvc?: (call: SvcCall, machine: Machine) => bigint | undefined;
  /**
   * Offered each data abort inside the trap hook (see
   * CoreHooks.onFastFault): true if a page was mapped and the core retries
   * the access in its slice. The same rules as onFastSvc.
   */
  onFastFault?: (trap: Trap, machine: Machine) => boolean;
  /** System registers a guest driver emulates (the generic timer; see SysregModel). */
  sysregs?: SysregModel;
  /** Set once the machine has halted. */
  status?: HaltStatus;
  /** Scheduler rounds so far. */
  rounds = 0;
  /** Virtual time since power-on, in instructions at CLOCK_MHZ (see the header). */
  private ticks = 0;
  /** CNTFRQ_EL0 of the board's generic timer. */
  readonly timerHz: number;

  private readonly host: HostMemory;
  private disposed = false;
  private readonly consoleListeners: ((byte: number) => void)[] = [];

  private constructor(opts: MachineOptions) {
    this.board = typeof opts.board === 'string' ? findBoard(opts.board) : (opts.board ?? findBoard('uconsole-cm4'));
    this.ramBytes = opts.ram ?? this.board.defaultRam;
    if (!this.board.ramSizes.includes(this.ramBytes))
      throw new BoardError(`${this.board.name} has no ${formatRamSize(this.ramBytes)} option (offered: ${this.board.ramSizes.map(formatRamSize).join(', ')})`);
    this.sliceInsns = opts.sliceInsns ?? 100_000;
    this.dram = this.board.dram(this.ramBytes);
    const end = Math.max(...this.dram.map((r) => r.base + r.size));
    this.host = hostAlloc(end, true, true);
    this.ram = new GuestRam(this.host.buffers.map((buffer, k) => ({ base: k * BANK_SIZE, buffer })), { replicate, maskRecords });

    const b = this.board;
    this.console = b.console.kind === 'pl011' ? new Pl011(b.console.dtName) : new DwApbUart(b.console.dtName, { regShift: b.console.regShift, base: b.console.base, ...b.console.dw });
    this.console.onByte = (byte) => this.consoleListeners.forEach((l) => l(byte));
    const windows: [number, MmioDevice][] = [[b.console.base, this.console]];
    const holes = [{ base: b.console.base, size: this.console.size }, ...(opts.devices ?? [])];
    for (const d of b.devices) windows.push(...this.carve(d, holes));

    const taken = [...this.dram, ...b.devices, { base: b.console.base, size: this.console.size }];
    this.timerHz = this.board.timerHz;
    const hooks = {
      onSev: (from: Core) => this.sev(from),
      counter: () => this.counter(),
      timerHz: this.timerHz,
      onTlbi: (core: Core, op: TlbiOp) => this.onTlbi(core, op),
      onFastSvc: (call: SvcCall) => this.onFastSvc?.(call, this),
      onFastFault: (trap: Trap) => this.onFastFault?.(trap, this) ?? false,
      sysregModel: () => this.sysregs,
      exec: opts.exec,
      snapshot: snapshotLayout(),
      shadowHost: sharedShadowHost(),
      lowGaps: lowGaps(taken),
    };
    this.cores = [];
    try {
      for (const [i, cpu] of b.cpus.entries()) {
        const core = new Core(i, cpu, this.ram, hooks);
        this.cores.push(core);
        for (const r of this.dram) core.mapRam(r.base, r.size, this.host.ptr + BigInt(r.base));
        for (const [base, dev] of windows) core.mapMmio(base, dev.size, dev);
        for (const d of opts.devices ?? []) core.mapMmio(d.base, d.size, d.forCore(i));
        if (opts.trace) core.installTrace(opts.trace, disassemble);
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /**
   * Build a machine. With a trace, Capstone is loaded here (every
   * instruction is disassembled); fault reports otherwise load it on
   * their first use (emulator/arm64/disassembler.ts).
   */
  static async create(opts: MachineOptions = {}): Promise<Machine> {
    if (opts.trace) await loadDisassembler();
    return new Machine(opts);
  }

  /** A device window less the emulated devices inside it (the console, opts.devices), as unimplemented pieces. */
  private carve(d: MemRange & { name: string }, holes: MemRange[]): [number, MmioDevice][] {
    const pieces: [number, number][] = [];
    let at = d.base;
    const end = d.base + d.size;
    for (const h of [...holes].sort((x, y) => x.base - y.base)) {
      if (h.base + h.size <= at || h.base >= end) continue;
      if (h.base > at) pieces.push([at, h.base - at]);
      at = Math.max(at, h.base + h.size);
    }
    if (at < end) pieces.push([at, end - at]);
    return pieces.map(([base, size]) => [base, new UnimplementedDevice(d.name, base, size)]);
  }

  onConsole(listener: (byte: number) => void): void {
    this.consoleListeners.push(listener);
  }

  /* ---- code ------------------------------------------------------------- */

  /**
   * Write code into guest RAM at `pa` and make every core see it: drop the
   * translated blocks for it (at `va` too, if the code also runs there) and
   * watch its WFE/WFI/SEV instructions.
   */
  loadCode(pa: number, bytes: Uint8Array, va?: bigint): void {
    this.ram.write(pa, bytes);
    this.codeChanged(pa, bytes.length, va);
  }

  /**
   * Code at `pa` (and `va`) was changed in place. Returns the offsets of
   * its event sites, for codeMappedAt when the code turns out to run at
   * another VA too.
   */
  codeChanged(pa: number, len: number, va?: bigint): number[] {
    const sites = this.eventSites(pa, len);
    for (const core of this.cores) {
      core.physCodeChanged(pa, len); // every VA's translation of these bytes
      core.addEventSites(sites.map((off) => BigInt(pa + off)));
    }
    if (va !== undefined) this.codeMappedAt(va, sites);
    return sites;
  }

  /** Code whose event sites codeChanged found (`sites`, offsets) also runs at `va`: watch them there, without reading it again. */
  codeMappedAt(va: bigint, sites: readonly number[]): void {
    for (const core of this.cores) core.addEventSites(sites.map((off) => va + BigInt(off)));
  }

  /**
   * Offsets of the WFE, WFI, SEV and SEVL instructions in [pa, pa+len).
   * A 30 MB kernel image is 7.5 million words: they are read through one
   * word view of guest RAM (little-endian like the guest on every host
   * Node runs on here), a word at a time only where the range is not
   * word-aligned or spans two banks.
   */
  private eventSites(pa: number, len: number): number[] {
    const sites: number[] = [];
    const isSite = (w: number): boolean => w === A64.WFE || w === A64.WFI || w === A64.SEV || w === A64.SEVL;
    const n = Math.floor(len / 4);
    if (n === 0) return sites;
    if (pa % 4 === 0 && Math.floor(pa / BANK_SIZE) === Math.floor((pa + 4 * n - 1) / BANK_SIZE)) {
      const words = this.ram.view(Uint32Array, pa, n, 4);
      for (let i = 0; i < n; i++) if (isSite(words[i]!)) sites.push(4 * i);
      return sites;
    }
    for (let off = 0; off + 4 <= len; off += 4) if (isSite(this.ram.u32(pa + off))) sites.push(off);
    return sites;
  }

  /* ---- cores ------------------------------------------------------------ */

  /** Start (or redirect) a core at `pc`. */
  start(cpu: number, pc: bigint): void {
    const core = this.core(cpu);
    core.pc = pc;
    core.state = 'running';
  }

  core(cpu: number): Core {
    const c = this.cores[cpu];
    if (!c) throw new MachineError(`no cpu${cpu} on ${this.board.name} (it has ${this.cores.length})`);
    return c;
  }

  /** Send an event to every core (SEV). */
  sev(_from?: Core): void {
    for (const c of this.cores) {
      c.event = true;
      if (c.state === 'wfe') c.state = 'running';
    }
  }

  /** Wake a core parked in WFI or WFE. */
  wake(cpu: number): void {
    const c = this.core(cpu);
    if (c.state === 'wfi' || c.state === 'wfe') c.state = 'running';
  }

  halt(message = 'halted', ok = true, trap?: Trap): void {
    this.status ??= trap ? { ok, message, trap } : { ok, message };
  }

  get halted(): boolean {
    return this.status !== undefined;
  }

  /* ---- virtual time and the TLBs ---------------------------------------- */

  /** Virtual time since power-on, in nanoseconds. */
  get clockNs(): number {
    return Math.floor((this.ticks * 1000) / CLOCK_MHZ);
  }

  /** Virtual time since power-on, in microseconds. */
  get uptimeUsec(): number {
    return this.ticks / CLOCK_MHZ;
  }

  /** The generic timer's count: CNTVCT_EL0 and CNTPCT_EL0 on every core. */
  counter(): bigint {
    return (BigInt(this.ticks) * BigInt(this.timerHz)) / BigInt(CLOCK_MHZ * 1_000_000);
  }

  /** Skip an idle machine's clock forward to `ns` (never back). */
  private skipTo(ns: number): void {
    this.ticks = Math.max(this.ticks, Math.ceil((ns * CLOCK_MHZ) / 1000));
  }

  /**
   * A core executes tlbi. Its own engine does the invalidation; a broadcast
   * (Inner Shareable) form must also reach the other cores, each a separate
   * engine with its own TLB. They get a whole flush: a superset of any
   * tlbi, which the architecture allows an implementation to do.
   */
  private onTlbi(from: Core, op: TlbiOp): void {
    if (!tlbiBroadcasts(op)) return;
    for (const c of this.cores) if (c !== from) c.flushTlb();
  }

  /** Every core runs with its MMU on from now on: the shadow regions of the low half are mapped on all of them (Core.mapAllShadows). */
  mapAllShadows(): void {
    for (const c of this.cores) c.mapAllShadows();
  }

  /** What a broadcast tlbi does, for page-table changes made outside the cores: every core's TLB flushed. */
  flushTlbAll(): void {
    for (const c of this.cores) c.flushTlb();
  }

  /* ---- scheduler -------------------------------------------------------- */

  private wakeWatchers(): void {
    for (const c of this.cores) {
      if (c.state === 'wfe' && c.wfeWatch && this.ram.u64(c.wfeWatch.pa) !== c.wfeWatch.value) c.state = 'running';
    }
  }

  run(opts: RunOptions = {}): RunResult {
    if (this.disposed) throw new MachineError('the machine was disposed');
    if (this.running) throw new MachineError('Machine.run re-entered (from a trap or a turn): only the top level may run the machine');
    this.running = true;
    try {
      return this.loop(opts);
    } finally {
      this.running = false;
    }
  }

  private running = false;

  private loop(opts: RunOptions): RunResult {
    for (let round = 0; ; round++) {
      if (this.halted) return 'halted';
      if (opts.until?.()) return 'until';
      if (opts.maxRounds !== undefined && round >= opts.maxRounds) return 'limit';
      this.wakeWatchers();
      this.os?.runTimers(this.clockNs);
      // The cores run side by side: the round lasts as long as its longest slice.
      let roundInsns = 0;
      let ran = false;
      for (const core of this.cores) {
        if (this.os?.turn(core)) {
          roundInsns = Math.max(roundInsns, this.sliceInsns);
        } else if (core.state === 'running') {
          const end = core.runSlice(this.sliceInsns);
          roundInsns = Math.max(roundInsns, end.insns || this.sliceInsns); // free-running slices count nothing
          if (end.kind === 'trap') this.afterTrap(end.trap);
        } else {
          continue;
        }
        ran = true;
        if (this.halted || opts.until?.()) {
          this.ticks += roundInsns;
          return this.halted ? 'halted' : 'until';
        }
      }
      if (ran) {
        this.rounds++;
        this.ticks += roundInsns;
        continue;
      }
      const next = this.os?.nextTimerNs();
      if (next === undefined) return 'idle';
      this.skipTo(next);
    }
  }

  private afterTrap(trap: Trap): void {
    const core = this.core(trap.core);
    const next = this.onTrap(trap, this);
    if (this.halted) return;
    if (next !== 'stop') this.start(core.index, next.resume);
  }

  /* ---- reports ---------------------------------------------------------- */

  /** One line: core, kind, PC, disassembled instruction, address, syndrome. */
  describeTrap(t: Trap): string {
    const core = this.core(t.core);
    const insnPc = t.kind === 'svc' || t.kind === 'hvc' ? t.pc - 4n : t.pc;
    const word = core.fetchWord(insnPc);
    const insn = word === undefined ? 'not in RAM' : disassemble(word, insnPc);
    const hex = (v: bigint | number): string => `0x${v.toString(16).padStart(16, '0')}`;
    const where = `cpu${t.core} EL${t.el} ${t.inBlock ? 'in the block at ' : ''}PC ${hex(insnPc)} (${insn})`;
    switch (t.kind) {
      case 'data-abort':
      case 'insn-abort':
        return `guest fault: ${t.kind.replace('-', ' ')} at ${where}: address ${hex(t.far)}, ESR 0x${t.esr.toString(16)} (${describeAbort(t.esr)})`;
      case 'unmapped':
        return `guest fault: ${t.detail ?? 'unmapped access'} at ${where}: address ${hex(t.far)}`;
      case 'device':
        return `guest fault: ${t.detail} at ${where}`;
      case 'undef':
        return `guest fault: undefined instruction at ${where}: address ${hex(insnPc)}`;
      default:
        return `guest ${t.kind} #${t.imm} not handled at ${where}`;
    }
  }

  /**
   * Close every engine and give the RAM back. A typed view of guest memory
   * kept past this reads zeros (never unmapped memory); running the machine
   * again is an error.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.status ??= { ok: true, message: 'machine disposed' };
    for (const c of this.cores) c.dispose();
    this.host.free();
  }
}
