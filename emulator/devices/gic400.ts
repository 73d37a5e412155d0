// SPDX-License-Identifier: GPL-2.0-only
/*
 * A minimal GIC-400 (GICv2): the distributor and the CPU interfaces, as the
 * ARM Generic Interrupt Controller Architecture Specification v2 (IHI
 * 0048B) and the GIC-400 TRM (DDI 0471B) define them, enough for Linux's
 * drivers/irqchip/irq-gic.c. On the BCM2711 the distributor is at
 * 0xff841000 and the CPU interface at 0xff842000 (bcm2711.dtsi, bus
 * 0x40041000/0x40042000 through the ARM-local ranges).
 *
 * One Gic400 holds the state; each core reaches it through its own
 * Gic400Port, because registers are banked by the accessing CPU (SGI and
 * PPI enables, pending and active bits, priorities 0-31, ITARGETSR0-7, the
 * whole CPU interface) and an MMIO callback does not say which core made
 * the access.
 *
 * Modelled: GICD_CTLR/TYPER/IIDR, enables, pending and active set/clear,
 * priorities, targets, ICFGR (stored; SPIs and PPIs are level inputs
 * here, SGIs edge), SGIR with its three target filters, GICC_CTLR, PMR,
 * BPR (stored), IAR, EOIR, RPR, HPPIR, IIDR, DIR. Group 0/1 and FIQs are not:
 * everything is signalled as IRQ, which is what Linux at non-secure EL1
 * sees. Interrupt IDs: 0-15 SGIs, 16-31 PPIs, 32-255 SPIs.
 *
 * Acknowledge (IAR) picks the highest-priority (lowest value) pending and
 * enabled interrupt whose priority is below both PMR and the running
 * priority, marks it active and no longer pending (a level input that
 * stays asserted makes it pending again: active and pending), and raises
 * the running priority to it. EOIR drops the running priority and
 * deactivates (EOImode 0, the only mode Linux uses without EL2).
 */

import type { MmioDevice } from './mmio';
import type { CoreIrqController } from './irq-controller';
import { TIMER_PPI, type TimerKind } from './generic-timer';

export const GIC_NR_IRQS = 256;
export const SPURIOUS = 1023;
const IDLE_PRIORITY = 0x100;
/** The GIC-400 implements 32 priority levels: the low 3 bits of a priority read as 0 (TRM 3.3). */
const PRIO_MASK = 0xf8;

/* Distributor */
const GICD_CTLR = 0x000;
const GICD_TYPER = 0x004;
const GICD_IIDR = 0x008;
const GICD_ISENABLER = 0x100;
const GICD_ICENABLER = 0x180;
const GICD_ISPENDR = 0x200;
const GICD_ICPENDR = 0x280;
const GICD_ISACTIVER = 0x300;
const GICD_IPRIORITYR = 0x400;
const GICD_ITARGETSR = 0x800;
const GICD_ICFGR = 0xc00;
const GICD_SGIR = 0xf00;
const GICD_PIDR2 = 0xfe8;

/* CPU interface (offsets inside its window) */
const GICC_CTLR = 0x00;
const GICC_PMR = 0x04;
const GICC_BPR = 0x08;
const GICC_IAR = 0x0c;
const GICC_EOIR = 0x10;
const GICC_RPR = 0x14;
const GICC_HPPIR = 0x18;
const GICC_IIDR = 0xfc;
const GICC_DIR = 0x1000;

/** The window a port maps: distributor (4 KiB) then CPU interface (8 KiB). */
export const GIC_DIST_SIZE = 0x1000;
export const GIC_CPU_SIZE = 0x2000;

interface CpuIf {
  enabled: boolean;
  pmr: number;
  bpr: number;
  /** Active interrupts, in acknowledge order (running priority = the last one's). */
  activeStack: number[];
  /** Banked per CPU: IDs 0-31. */
  enabled32: Uint8Array;
  pending32: Uint8Array;
  active32: Uint8Array;
  level32: Uint8Array;
  prio32: Uint8Array;
  /** Pending SGIs: bit s of sgiSources[id] = from CPU s. */
  sgiSources: Uint8Array;
}

export class Gic400 implements CoreIrqController {
  distEnabled = false;
  readonly ncpus: number;
  private readonly cpus: CpuIf[];
  /** SPI state, indexed by interrupt ID (0-31 unused). */
  private readonly enabled = new Uint8Array(GIC_NR_IRQS);
  private readonly pending = new Uint8Array(GIC_NR_IRQS);
  private readonly active = new Uint8Array(GIC_NR_IRQS);
  private readonly level = new Uint8Array(GIC_NR_IRQS);
  private readonly prio = new Uint8Array(GIC_NR_IRQS);
  private readonly targets = new Uint8Array(GIC_NR_IRQS);
  private readonly icfgr = new Uint32Array(GIC_NR_IRQS / 16);
  /** Called when a CPU's IRQ output may have changed (to wake a core in WFI). */
  onChange?: (cpu: number) => void;

  constructor(ncpus: number) {
    if (ncpus < 1 || ncpus > 8) throw new Error(`a GIC-400 serves 1 to 8 CPUs, not ${ncpus}`);
    this.ncpus = ncpus;
    this.cpus = Array.from({ length: ncpus }, () => ({
      enabled: false, pmr: 0, bpr: 0, activeStack: [],
      enabled32: new Uint8Array(32), pending32: new Uint8Array(32), active32: new Uint8Array(32),
      level32: new Uint8Array(32), prio32: new Uint8Array(32), sgiSources: new Uint8Array(16),
    }));
  }

  port(cpu: number): Gic400Port {
    return new Gic400Port(this, cpu);
  }

  /* ---- inputs ------------------------------------------------------------ */

  /** A PPI's line on `cpu` (16-31), level-sensitive. */
  setPpi(cpu: number, id: number, asserted: boolean): void {
    const c = this.cpu(cpu);
    const v = asserted ? 1 : 0;
    if (c.level32[id] === v) return;
    c.level32[id] = v;
    c.pending32[id] = v; // level-sensitive: pending follows the line
    this.onChange?.(cpu);
  }

  /** The timers' outputs are PPIs 30 (physical) and 27 (virtual), as "arm,armv8-timer" lists them. */
  setTimerLine(cpu: number, kind: TimerKind, asserted: boolean): void {
    this.setPpi(cpu, TIMER_PPI[kind], asserted);
  }

  /** An SPI's line (32-255), level-sensitive. */
  setSpi(id: number, asserted: boolean): void {
    const v = asserted ? 1 : 0;
    if (this.level[id] === v) return;
    this.level[id] = v;
    this.pending[id] = v;
    this.changedAll();
  }

  /** Send SGI `id` from `from` to the CPUs in `mask`. */
  sendSgi(from: number, id: number, mask: number): void {
    for (let cpu = 0; cpu < this.ncpus; cpu++) {
      if (!(mask & (1 << cpu))) continue;
      const c = this.cpus[cpu]!;
      c.sgiSources[id]! |= 1 << from;
      c.pending32[id] = 1;
      this.onChange?.(cpu);
    }
  }

  /* ---- outputs ----------------------------------------------------------- */

  private isEnabled(cpu: number, id: number): boolean {
    if (id < 16) return true; // the GIC-400's SGIs are permanently enabled
    return id < 32 ? this.cpu(cpu).enabled32[id] === 1 : this.enabled[id] === 1;
  }
  private isPending(cpu: number, id: number): boolean {
    if (id < 32) return this.cpu(cpu).pending32[id] === 1;
    return this.pending[id] === 1 && (this.targets[id]! & (1 << cpu)) !== 0;
  }
  private isActive(cpu: number, id: number): boolean {
    return id < 32 ? this.cpu(cpu).active32[id] === 1 : this.active[id] === 1;
  }
  priority(cpu: number, id: number): number {
    return id < 32 ? this.cpu(cpu).prio32[id]! : this.prio[id]!;
  }

  private runningPriority(cpu: number): number {
    const s = this.cpu(cpu).activeStack;
    return s.length ? this.priority(cpu, s[s.length - 1]!) : IDLE_PRIORITY;
  }

  /** The highest-priority pending, enabled, not-active interrupt for `cpu` (lowest ID on ties), or SPURIOUS. */
  highestPending(cpu: number): number {
    let best = SPURIOUS;
    let bestPrio = IDLE_PRIORITY;
    for (let id = 0; id < GIC_NR_IRQS; id++) {
      if (!this.isPending(cpu, id) || !this.isEnabled(cpu, id) || this.isActive(cpu, id)) continue;
      const p = this.priority(cpu, id);
      if (p < bestPrio) {
        best = id;
        bestPrio = p;
      }
    }
    return best;
  }

  /** Is `cpu`'s IRQ line asserted (what PSTATE.I masks)? */
  irqAsserted(cpu: number): boolean {
    const c = this.cpu(cpu);
    if (!this.distEnabled || !c.enabled) return false;
    const id = this.highestPending(cpu);
    if (id === SPURIOUS) return false;
    const p = this.priority(cpu, id);
    return p < c.pmr && p < this.runningPriority(cpu);
  }

  /* ---- CPU interface actions -------------------------------------------- */

  acknowledge(cpu: number): number {
    if (!this.irqAsserted(cpu)) return SPURIOUS;
    const c = this.cpu(cpu);
    const id = this.highestPending(cpu);
    let source = 0;
    if (id < 16) {
      source = 31 - Math.clz32(c.sgiSources[id]!); // highest-numbered source first
      c.sgiSources[id]! &= ~(1 << source);
      c.pending32[id] = c.sgiSources[id] ? 1 : 0;
      c.active32[id] = 1;
    } else if (id < 32) {
      c.active32[id] = 1;
      c.pending32[id] = 0;
    } else {
      this.active[id] = 1;
      this.pending[id] = 0;
    }
    c.activeStack.push(id);
    this.onChange?.(cpu); // the running priority rose: the output may drop
    return id | (source << 10);
  }

  endOfInterrupt(cpu: number, value: number): void {
    const id = value & 0x3ff;
    const c = this.cpu(cpu);
    const at = c.activeStack.lastIndexOf(id);
    if (at < 0) return; // not active: UNPREDICTABLE, ignored
    c.activeStack.splice(at, 1);
    if (id < 32) {
      c.active32[id] = 0;
      if (id >= 16 && c.level32[id]) c.pending32[id] = 1;
    } else {
      this.active[id] = 0;
      if (this.level[id]) this.pending[id] = 1;
    }
    this.changedAll();
  }

  private cpu(n: number): CpuIf {
    const c = this.cpus[n];
    if (!c) throw new Error(`GIC: no CPU interface ${n}`);
    return c;
  }

  private changedAll(): void {
    for (let cpu = 0; cpu < this.ncpus; cpu++) this.onChange?.(cpu);
  }

  /* ---- register access (from Gic400Port) --------------------------------- */

  /** The bit-per-interrupt registers: 32 interrupts per word. */
  private bits(cpu: number, base: number, id0: number): number {
    let v = 0;
    for (let i = 0; i < 32; i++) {
      const id = id0 + i;
      if (id >= GIC_NR_IRQS) break;
      let b = false;
      if (base === GICD_ISENABLER || base === GICD_ICENABLER) b = this.isEnabled(cpu, id);
      else if (base === GICD_ISPENDR || base === GICD_ICPENDR) b = this.isPending(cpu, id) || (id >= 32 && this.pending[id] === 1);
      else b = this.isActive(cpu, id);
      if (b) v |= 1 << i;
    }
    return v >>> 0;
  }

  private setBits(cpu: number, base: number, id0: number, value: number): void {
    const c = this.cpu(cpu);
    for (let i = 0; i < 32; i++) {
      if (!(value & (1 << i))) continue;
      const id = id0 + i;
      if (id >= GIC_NR_IRQS) break;
      const banked = id < 32;
      switch (base) {
        case GICD_ISENABLER:
        case GICD_ICENABLER:
          if (id < 16) break; // SGIs are always enabled on the GIC-400
          (banked ? c.enabled32 : this.enabled)[id] = base === GICD_ISENABLER ? 1 : 0;
          break;
        case GICD_ISPENDR:
        case GICD_ICPENDR:
          if (id < 16) break; // SGIs through SPENDSGIR/CPENDSGIR only
          (banked ? c.pending32 : this.pending)[id] = base === GICD_ISPENDR ? 1 : 0;
          break;
        default:
          (banked ? c.active32 : this.active)[id] = base === GICD_ISACTIVER ? 1 : 0;
      }
    }
    this.changedAll();
  }

  distRead(cpu: number, off: number, width: number): number {
    if (off === GICD_CTLR) return this.distEnabled ? 1 : 0;
    if (off === GICD_TYPER) return (((this.ncpus - 1) << 5) | (GIC_NR_IRQS / 32 - 1)) >>> 0;
    if (off === GICD_IIDR) return 0x0200143b; // GIC-400 r0p2, implementer ARM
    if (off === GICD_PIDR2) return 0x2b; // architecture version 2
    if (off >= GICD_ISENABLER && off < GICD_IPRIORITYR) {
      const base = off & ~0x7f;
      return this.bits(cpu, base, ((off - base) >> 2) * 32);
    }
    if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + GIC_NR_IRQS) return this.bytesRead(off - GICD_IPRIORITYR, width, (id) => this.priority(cpu, id));
    if (off >= GICD_ITARGETSR && off < GICD_ITARGETSR + GIC_NR_IRQS)
      return this.bytesRead(off - GICD_ITARGETSR, width, (id) => (id < 32 ? 1 << cpu : this.targets[id]!));
    if (off >= GICD_ICFGR && off < GICD_ICFGR + GIC_NR_IRQS / 4) return id16(off) < 2 ? (off === GICD_ICFGR ? 0xaaaaaaaa : 0) : this.icfgr[id16(off)]!;
    return 0;
  }

  distWrite(cpu: number, off: number, width: number, value: number): void {
    if (off === GICD_CTLR) {
      this.distEnabled = (value & 1) === 1;
      this.changedAll();
    } else if (off >= GICD_ISENABLER && off < GICD_IPRIORITYR) {
      const base = off & ~0x7f;
      this.setBits(cpu, base, ((off - base) >> 2) * 32, value);
    } else if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + GIC_NR_IRQS) {
      this.bytesWrite(off - GICD_IPRIORITYR, width, value, (id, b) => {
        (id < 32 ? this.cpu(cpu).prio32 : this.prio)[id] = b & PRIO_MASK;
      });
      this.changedAll();
    } else if (off >= GICD_ITARGETSR && off < GICD_ITARGETSR + GIC_NR_IRQS) {
      this.bytesWrite(off - GICD_ITARGETSR, width, value, (id, b) => {
        if (id >= 32) this.targets[id] = b; // 0-31 read-only
      });
      this.changedAll();
    } else if (off >= GICD_ICFGR && off < GICD_ICFGR + GIC_NR_IRQS / 4) {
      if (id16(off) >= 2) this.icfgr[id16(off)] = value >>> 0;
    } else if (off === GICD_SGIR) {
      this.writeSgir(cpu, value);
    }
  }

  /** GICD_SGIR: TargetListFilter (25:24) 0 = the list, 1 = all but self, 2 = self; list in 23:16; ID in 3:0. */
  private writeSgir(cpu: number, value: number): void {
    const filter = (value >>> 24) & 3;
    const all = (1 << this.ncpus) - 1;
    const mask = filter === 0 ? (value >>> 16) & 0xff & all : filter === 1 ? all & ~(1 << cpu) : filter === 2 ? 1 << cpu : 0;
    this.sendSgi(cpu, value & 0xf, mask);
  }

  private bytesRead(at: number, width: number, get: (id: number) => number): number {
    let v = 0;
    for (let i = 0; i < width; i++) v |= (get(at + i) & 0xff) << (8 * i);
    return v >>> 0;
  }

  private bytesWrite(at: number, width: number, value: number, set: (id: number, b: number) => void): void {
    for (let i = 0; i < width; i++) set(at + i, (value >>> (8 * i)) & 0xff);
  }

  cpuRead(cpu: number, off: number): number {
    const c = this.cpu(cpu);
    switch (off) {
      case GICC_CTLR:
        return c.enabled ? 1 : 0;
      case GICC_PMR:
        return c.pmr;
      case GICC_BPR:
        return c.bpr;
      case GICC_IAR:
        return this.acknowledge(cpu);
      case GICC_RPR:
        return this.runningPriority(cpu) & 0xff;
      case GICC_HPPIR:
        return this.highestPending(cpu);
      case GICC_IIDR:
        return 0x0202143b; // GIC-400, architecture v2
      default:
        return 0;
    }
  }

  cpuWrite(cpu: number, off: number, value: number): void {
    const c = this.cpu(cpu);
    switch (off) {
      case GICC_CTLR:
        c.enabled = (value & 1) === 1;
        break;
      case GICC_PMR:
        c.pmr = value & PRIO_MASK;
        break;
      case GICC_BPR:
        c.bpr = value & 7;
        break;
      case GICC_EOIR:
        this.endOfInterrupt(cpu, value);
        return;
      case GICC_DIR:
        return;
      default:
        return;
    }
    this.onChange?.(cpu);
  }
}

const id16 = (off: number): number => (off - GICD_ICFGR) >> 2;

/** One core's view of the GIC: distributor then CPU interface, in one window. */
export class Gic400Port implements MmioDevice {
  readonly name = 'gic-400';
  readonly size = GIC_DIST_SIZE + GIC_CPU_SIZE;
  constructor(readonly gic: Gic400, readonly cpu: number) {}

  read(offset: number, width: number): number {
    if (offset < GIC_DIST_SIZE) return this.gic.distRead(this.cpu, offset, width);
    return this.gic.cpuRead(this.cpu, offset - GIC_DIST_SIZE);
  }

  write(offset: number, width: number, value: bigint): void {
    const v = Number(value & 0xffffffffn);
    if (offset < GIC_DIST_SIZE) this.gic.distWrite(this.cpu, offset, width, v);
    else this.gic.cpuWrite(this.cpu, offset - GIC_DIST_SIZE, v);
  }
}
