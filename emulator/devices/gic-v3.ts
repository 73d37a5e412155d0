// SPDX-License-Identifier: GPL-2.0-only
/*
 * A GIC-500 (GICv3), the RK3399's interrupt controller, as the ARM Generic
 * Interrupt Controller Architecture Specification for GICv3 and GICv4
 * (IHI 0069) and the CoreLink GIC-500 TRM (DDI 0516) define it, enough
 * for Linux's drivers/irqchip/irq-gic-v3.c. This file holds the state and
 * the interrupt life cycle; the distributor's and redistributors'
 * registers are gic-v3-regs.ts, the CPU interface's system registers
 * gic-v3-cpuif.ts.
 *
 * What Linux at Non-secure EL1 sees, and so what is modelled:
 *
 *  - Affinity routing only (the GIC-500 has no GICv2 compatibility mode:
 *    GICD_CTLR.ARE_NS reads as one). SGIs and PPIs live in each CPU's
 *    redistributor, SPIs in the distributor and go to the CPU whose
 *    affinity their GICD_IROUTER names (or to any CPU with
 *    Interrupt_Routing_Mode set).
 *  - Security enabled (GICD_CTLR.DS = 0), with every interrupt in
 *    Non-secure Group 1, as the RK3399's trusted firmware (BL31) leaves
 *    the GIC before Linux runs: the group registers are Secure-only and
 *    read as all ones from the Non-secure side. Group 0 and FIQs do not
 *    exist for the kernel.
 *  - Five priority bits (32 levels, GIC-500 TRM "Interrupt
 *    prioritization"). A Non-secure access sees the Non-secure view of a
 *    priority (IHI 0069 4.8.6): it loses one more bit, so every priority,
 *    the PMR and the running priority are kept as the kernel reads them,
 *    masked with 0xf0. This is also how Linux's gic_has_group0() tells
 *    that Group 0 belongs to EL3: a PMR write of 0x08 reads back as 0.
 *  - Inputs: PPIs and SPIs are level or edge as GICD_ICFGR/GICR_ICFGR1
 *    configure them. A pending latch (set by an edge, an SGI or
 *    GICD_ISPENDR) plus the level of the line: a level interrupt is
 *    pending while its line is high, so one still asserted at EOI is
 *    pending again.
 *  - LPIs: GICD_TYPER.LPIS is set, as on the real part, but the ITS the
 *    LPIs need is declared absent in the device tree, so Linux prints "ITS:
 *    No ITS available, not enabling LPIs" and never touches the LPI
 *    tables (GICR_PROPBASER/PENDBASER read as stored).
 *
 * The running priority is a stack of the priorities acknowledged and not
 * yet dropped (the architecture's active priority registers): an
 * interrupt is signalled to a core when its priority is below both the
 * PMR and the top of that stack. With ICC_CTLR_EL1.EOImode = 0 (what
 * Linux uses when it runs at EL1) ICC_EOIR1_EL1 drops the priority and
 * deactivates; with EOImode = 1 ICC_DIR_EL1 deactivates. Binary-point
 * grouping is not modelled: preemption compares whole priorities, which
 * is the same as long as the kernel never nests interrupts (it does not:
 * its handlers run with PSTATE.I set).
 */

import type { CoreIrqController, SystemRegisterCpuInterface } from './irq-controller';
import { TIMER_PPI, type TimerKind } from './generic-timer';

export const SPURIOUS = 1023;
const IDLE_PRIORITY = 0xff;
/** The Non-secure view of five priority bits (see the header). */
export const GICV3_PRIO_MASK = 0xf0;

/** Per CPU: the redistributor's SGI/PPI state and the CPU interface. */
interface CpuState {
  /** Aff3.Aff2.Aff1.Aff0 of its MPIDR, as GICR_TYPER[63:32] and GICD_IROUTER give it. */
  affinity: number;
  /** GICR_WAKER.ProcessorSleep clear: the redistributor forwards interrupts. */
  awake: boolean;
  igrpen1: boolean;
  pmr: number;
  bpr1: number;
  eoiMode: number;
  /** Acknowledged interrupts whose priority is not dropped yet, oldest first. */
  prioStack: { id: number; prio: number }[];
}

/** The bit-per-interrupt state, for one bank (a CPU's 0-31, or the SPIs). */
export type IrqBit = 'enabled' | 'latch' | 'active' | 'edge';

class IrqBank {
  readonly enabled: Uint8Array;
  readonly latch: Uint8Array;
  readonly active: Uint8Array;
  readonly level: Uint8Array;
  readonly edge: Uint8Array;
  readonly prio: Uint8Array;
  constructor(n: number) {
    this.enabled = new Uint8Array(n);
    this.latch = new Uint8Array(n);
    this.active = new Uint8Array(n);
    this.level = new Uint8Array(n);
    this.edge = new Uint8Array(n);
    this.prio = new Uint8Array(n);
  }
  pending(i: number): boolean {
    return this.latch[i] === 1 || (this.level[i] === 1 && this.edge[i] === 0);
  }
}

export interface GicV3Options {
  /** Each CPU's MPIDR_EL1, in the order of the redistributors. */
  mpidrs: readonly number[];
  /** SPIs implemented, a multiple of 32 (the RK3399's GIC-500: 256). */
  spis: number;
}

export class GicV3 implements CoreIrqController {
  readonly ncpus: number;
  /** Interrupt IDs 0 to lines - 1 exist (GICD_TYPER.ITLinesNumber). */
  readonly lines: number;
  /** GICD_CTLR's group enables (EnableGrp1NS and the Non-secure EnableGrp1A bit). */
  distCtlr = 0;
  private readonly cpus: CpuState[];
  private readonly banks: IrqBank[];
  private readonly spi: IrqBank;
  /** GICD_IROUTER per SPI: the target affinity, and Interrupt_Routing_Mode (any CPU). */
  readonly route: Uint32Array;
  readonly anyCpu: Uint8Array;
  onChange?: (cpu: number) => void;
  /** The ICC_* registers (gic-v3-cpuif.ts), attached by whoever builds the board's controller. */
  systemRegisters?: SystemRegisterCpuInterface;

  constructor(opts: GicV3Options) {
    const n = opts.mpidrs.length;
    if (n < 1 || n > 8) throw new Error(`a GIC-500 model serves 1 to 8 CPUs, not ${n}`);
    if (opts.spis % 32 !== 0 || opts.spis < 32 || opts.spis > 988) throw new Error(`SPIs must be a multiple of 32 up to 988, not ${opts.spis}`);
    this.ncpus = n;
    this.lines = 32 + opts.spis;
    this.cpus = opts.mpidrs.map((m) => ({
      affinity: affinityOf(m), awake: false, igrpen1: false, pmr: 0, bpr1: 0, eoiMode: 0, prioStack: [],
    }));
    this.banks = opts.mpidrs.map(() => new IrqBank(32));
    this.spi = new IrqBank(this.lines);
    this.route = new Uint32Array(this.lines);
    this.anyCpu = new Uint8Array(this.lines);
    // SGIs are always edge; PPIs reset to level (GICR_ICFGR1 is writable on the GIC-500, Linux leaves them level).
    for (const b of this.banks) b.edge.fill(1, 0, 16);
  }

  /* ---- inputs ------------------------------------------------------------ */

  /** A PPI line of `cpu` (16-31). */
  setPpi(cpu: number, id: number, asserted: boolean): void {
    if (id < 16 || id > 31) throw new Error(`GICv3: ${id} is not a PPI`);
    if (this.input(this.bank(cpu), id, asserted)) this.changed(cpu);
  }

  /** The timers' outputs are PPIs 30 (physical) and 27 (virtual), as rk3399.dtsi's timer node lists them. */
  setTimerLine(cpu: number, kind: TimerKind, asserted: boolean): void {
    this.setPpi(cpu, TIMER_PPI[kind], asserted);
  }

  /** An SPI's line (32 up). */
  setSpi(id: number, asserted: boolean): void {
    if (id < 32 || id >= this.lines) throw new Error(`GICv3: ${id} is not an SPI of this distributor (32-${this.lines - 1})`);
    if (this.input(this.spi, id, asserted)) this.changedAll();
  }

  /** A level change; an edge interrupt latches on the rising edge. Returns whether anything changed. */
  private input(bank: IrqBank, id: number, asserted: boolean): boolean {
    const v = asserted ? 1 : 0;
    if (bank.level[id] === v) return false;
    bank.level[id] = v;
    if (v && bank.edge[id]) bank.latch[id] = 1;
    return true;
  }

  /** SGI `id` made pending on every CPU in `targets` (a bit mask of CPU indexes). */
  sendSgi(id: number, targets: number): void {
    for (let cpu = 0; cpu < this.ncpus; cpu++) {
      if (!(targets & (1 << cpu))) continue;
      this.banks[cpu]!.latch[id] = 1;
      this.changed(cpu);
    }
  }

  /**
   * ICC_SGI1R_EL1 written by `from` (IHI 0069 12.11.13): IRM (bit 40) set,
   * every CPU but the sender; otherwise the CPUs of cluster
   * Aff3.Aff2.Aff1 (bits 55:48, 39:32, 23:16) whose Aff0 is RS * 16 + a
   * set bit of TargetList (bits 15:0, RS in 47:44). INTID in 27:24.
   */
  writeSgi1r(from: number, value: bigint): void {
    const id = Number((value >> 24n) & 0xfn);
    let targets = 0;
    if ((value >> 40n) & 1n) {
      targets = ((1 << this.ncpus) - 1) & ~(1 << from);
    } else {
      const cluster = (Number((value >> 48n) & 0xffn) << 24) | (Number((value >> 32n) & 0xffn) << 16) | (Number((value >> 16n) & 0xffn) << 8);
      const rs = Number((value >> 44n) & 0xfn);
      const list = Number(value & 0xffffn);
      this.cpus.forEach((c, cpu) => {
        const aff0 = c.affinity & 0xff;
        if ((c.affinity & ~0xff) >>> 0 === cluster >>> 0 && aff0 >> 4 === rs && list & (1 << (aff0 & 15))) targets |= 1 << cpu;
      });
    }
    this.sendSgi(id, targets);
  }

  /* ---- state queries ----------------------------------------------------- */

  affinity(cpu: number): number {
    return this.cpu(cpu).affinity;
  }

  /** The bank that holds `id` as `cpu` sees it: its own 0-31, or the shared SPIs. */
  bankOf(cpu: number, id: number): IrqBank {
    return id < 32 ? this.bank(cpu) : this.spi;
  }

  private routedTo(cpu: number, id: number): boolean {
    return id < 32 || this.anyCpu[id] === 1 || this.route[id] === this.cpu(cpu).affinity;
  }

  /**
   * Highest-priority pending, enabled, inactive interrupt routed to `cpu`
   * (lowest ID on ties), or SPURIOUS, whatever the PMR: ICC_HPPIR1_EL1.
   */
  highestPending(cpu: number): number {
    let best = SPURIOUS;
    let bestPrio = 0x100;
    const own = this.bank(cpu);
    for (let id = 0; id < this.lines; id++) {
      const b = id < 32 ? own : this.spi;
      if (!b.enabled[id] || b.active[id] || !b.pending(id) || b.prio[id]! >= bestPrio || !this.routedTo(cpu, id)) continue;
      best = id;
      bestPrio = b.prio[id]!;
    }
    return best;
  }

  runningPriority(cpu: number): number {
    const s = this.cpu(cpu).prioStack;
    return s.length ? s[s.length - 1]!.prio : IDLE_PRIORITY;
  }

  private signalled(cpu: number): number {
    const c = this.cpu(cpu);
    if (!(this.distCtlr & 3) || !c.awake || !c.igrpen1) return SPURIOUS;
    const id = this.highestPending(cpu);
    if (id === SPURIOUS) return SPURIOUS;
    const p = this.bankOf(cpu, id).prio[id]!;
    return p < c.pmr && p < this.runningPriority(cpu) ? id : SPURIOUS;
  }

  irqAsserted(cpu: number): boolean {
    return this.signalled(cpu) !== SPURIOUS;
  }

  /* ---- the CPU interface's actions (gic-v3-cpuif.ts) ---------------------- */

  /** ICC_IAR1_EL1: acknowledge the signalled interrupt (active, no longer latched), raise the running priority. */
  acknowledge(cpu: number): number {
    const id = this.signalled(cpu);
    if (id === SPURIOUS) return SPURIOUS;
    const b = this.bankOf(cpu, id);
    b.active[id] = 1;
    b.latch[id] = 0;
    this.cpu(cpu).prioStack.push({ id, prio: b.prio[id]! });
    this.changed(cpu);
    return id;
  }

  /** ICC_EOIR1_EL1: drop the priority of `id` (the most recent one, as software must), and with EOImode 0 deactivate it. */
  endOfInterrupt(cpu: number, id: number): void {
    const c = this.cpu(cpu);
    if (id >= this.lines) return; // special INTIDs 1020-1023: ignored
    const at = c.prioStack.map((e) => e.id).lastIndexOf(id);
    if (at >= 0) c.prioStack.splice(at, 1);
    if (c.eoiMode === 0) this.deactivate(cpu, id);
    else this.changed(cpu);
  }

  /** ICC_DIR_EL1 (and EOI with EOImode 0): `id` is no longer active. */
  deactivate(cpu: number, id: number): void {
    if (id >= this.lines) return;
    this.bankOf(cpu, id).active[id] = 0;
    if (id < 32) this.changed(cpu);
    else this.changedAll();
  }

  /** ICC_AP1R0_EL1 written with 0 (Linux's reset of the active priorities): no priority stays raised. */
  clearActivePriorities(cpu: number): void {
    this.cpu(cpu).prioStack.length = 0;
    this.changed(cpu);
  }

  /** ICC_AP1R0_EL1 read: one bit per active priority level (five bits: level = priority >> 3). */
  activePriorities(cpu: number): number {
    let v = 0;
    for (const e of this.cpu(cpu).prioStack) v |= 1 << (e.prio >> 3);
    return v >>> 0;
  }

  cpuInterface(cpu: number): Pick<CpuState, 'igrpen1' | 'pmr' | 'bpr1' | 'eoiMode'> {
    return this.cpu(cpu);
  }

  setCpuInterface(cpu: number, r: Partial<Pick<CpuState, 'igrpen1' | 'pmr' | 'bpr1' | 'eoiMode'>>): void {
    Object.assign(this.cpu(cpu), r);
    this.changed(cpu);
  }

  /* ---- for the registers (gic-v3-regs.ts) --------------------------------- */

  isAwake(cpu: number): boolean {
    return this.cpu(cpu).awake;
  }

  setAwake(cpu: number, awake: boolean): void {
    this.cpu(cpu).awake = awake;
    this.changed(cpu);
  }

  /** A set/clear register's bit for `id` as `cpu`'s redistributor (id < 32) or the distributor holds it. */
  setBit(cpu: number, id: number, bit: IrqBit, on: boolean): void {
    if (id >= this.lines) return;
    if (bit === 'edge' && id < 16) return; // SGIs are edge-triggered, read-only
    this.bankOf(cpu, id)[bit][id] = on ? 1 : 0;
  }

  getBit(cpu: number, id: number, bit: IrqBit | 'pending'): boolean {
    if (id >= this.lines) return false;
    const b = this.bankOf(cpu, id);
    return bit === 'pending' ? b.pending(id) : b[bit][id] === 1;
  }

  priority(cpu: number, id: number): number {
    return id < this.lines ? this.bankOf(cpu, id).prio[id]! : 0;
  }

  setPriority(cpu: number, id: number, prio: number): void {
    if (id < this.lines) this.bankOf(cpu, id).prio[id] = prio & GICV3_PRIO_MASK;
  }

  /** After a register write that may change what is signalled: `cpu`'s own state, or every CPU's (SPIs, the distributor). */
  changed(cpu: number): void {
    this.onChange?.(cpu);
  }

  changedAll(): void {
    for (let cpu = 0; cpu < this.ncpus; cpu++) this.onChange?.(cpu);
  }

  private bank(cpu: number): IrqBank {
    const b = this.banks[cpu];
    if (!b) throw new Error(`GICv3: no redistributor for CPU ${cpu}`);
    return b;
  }

  private cpu(n: number): CpuState {
    const c = this.cpus[n];
    if (!c) throw new Error(`GICv3: no CPU interface ${n}`);
    return c;
  }

  /* ---- invariants ---------------------------------------------------------- */

  /**
   * The rules the state must keep, one line per broken one: each CPU's
   * priority stack strictly rising in priority (falling in value: an
   * interrupt is acknowledged only above the running priority), every
   * priority in the Non-secure view, SGIs edge-triggered, flags 0 or 1,
   * SPI routes naming an affinity at most 32 bits wide.
   */
  checkInvariants(): string[] {
    const bad: string[] = [];
    this.cpus.forEach((c, cpu) => {
      for (let i = 1; i < c.prioStack.length; i++)
        if (c.prioStack[i]!.prio >= c.prioStack[i - 1]!.prio) bad.push(`cpu${cpu}: priority stack not rising at ${i}`);
      if (c.pmr & ~GICV3_PRIO_MASK) bad.push(`cpu${cpu}: PMR 0x${c.pmr.toString(16)} outside the Non-secure view`);
      const b = this.banks[cpu]!;
      for (let id = 0; id < 16; id++) if (!b.edge[id]) bad.push(`cpu${cpu}: SGI ${id} not edge-triggered`);
      bad.push(...bankProblems(b, 32, `cpu${cpu}`));
    });
    bad.push(...bankProblems(this.spi, this.lines, 'SPIs', 32));
    return bad;
  }
}

function bankProblems(b: IrqBank, n: number, what: string, from = 0): string[] {
  const bad: string[] = [];
  for (let id = from; id < n; id++) {
    for (const k of ['enabled', 'latch', 'active', 'level', 'edge'] as const) if (b[k][id]! > 1) bad.push(`${what}: ${k}[${id}] = ${b[k][id]}`);
    if (b.prio[id]! & ~GICV3_PRIO_MASK) bad.push(`${what}: priority of ${id} outside the Non-secure view`);
  }
  return bad;
}

/** Aff3.Aff2.Aff1.Aff0 of an MPIDR_EL1 value (Aff3 is bits 39:32; the boards' MPIDRs are 32-bit, so it is 0). */
export function affinityOf(mpidr: number): number {
  return mpidr & 0x00ff_ffff;
}
