// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GIC-500's memory-mapped registers (IHI 0069 chapter 12, GIC-500 TRM
 * chapter 3), over the state in gic-v3.ts: the distributor (one 64 KiB
 * frame, GICD_*) and one redistributor per CPU (two 64 KiB frames each:
 * RD_base with GICR_CTLR, TYPER, WAKER; SGI_base with the SGI and PPI
 * enables, pending and active bits, priorities and ICFGR). On the RK3399
 * the distributor is at 0xfee00000 and the redistributors follow each
 * other from 0xfef00000 every 128 KiB (rk3399.dtsi's gic `reg`), in the
 * cores' MPIDR order; a redistributor is found by its frame, not by the
 * accessing core, so no register here is banked.
 *
 * Non-secure view, affinity routing on (see gic-v3.ts): GICD_CTLR.ARE_NS
 * reads as one; the distributor's copies of the SGI/PPI registers and
 * GICD_ITARGETSR/SGIR are RAZ/WI; the group and group-modifier registers
 * are Secure-only (all interrupts are Non-secure Group 1: they read as
 * ones, writes are ignored); reserved offsets read as zero and ignore
 * writes. Identification: GICD_PIDR2/GICR_PIDR2 ArchRev 3, GICD_IIDR and
 * GICR_IIDR ARM (0x43b) GIC-500 r1p1 (ProductID 0; the revision is
 * assumed, no RK3399 log prints it).
 */

import type { MmioDevice } from './mmio';
import { GICV3_PRIO_MASK, type GicV3, type IrqBit } from './gic-v3';

export const GICV3_DIST_SIZE = 0x1_0000;
/** RD_base and SGI_base: 2 x 64 KiB per CPU (no VLPI frames on the GIC-500). */
export const GICV3_REDIST_STRIDE = 0x2_0000;

const GICD_CTLR = 0x0000;
const GICD_TYPER = 0x0004;
const GICD_IIDR = 0x0008;
const GICD_IGROUPR = 0x0080;
const GICD_SETCLEAR = 0x0100;
const GICD_IPRIORITYR = 0x0400;
const GICD_ICFGR = 0x0c00;
const GICD_IROUTER = 0x6000;
const PIDR2 = 0xffe8;

const GICR_CTLR = 0x0000;
const GICR_IIDR = 0x0004;
const GICR_TYPER = 0x0008;
const GICR_WAKER = 0x0014;
const GICR_PROPBASER = 0x0070;
const GICR_PENDBASER = 0x0078;
const SGI_BASE = 0x1_0000;

const CTLR_ARE_NS = 1 << 4;
const WAKER_PROCESSOR_SLEEP = 1 << 1;
const WAKER_CHILDREN_ASLEEP = 1 << 2;
const TYPER_SECURITY_EXTN = 1 << 10;
const TYPER_LPIS = 1 << 17;
/** GICD_TYPER.IDbits: 16 interrupt ID bits (the GIC-500's). */
const TYPER_IDBITS_16 = 15 << 19;
const GIC500_IIDR = 0x0001_143b;
const PIDR2_ARCH_GICV3 = 0x3b;
const IROUTER_IRM = 1n << 31n;

/** The six set/clear register pairs from offset 0x100, 0x80 bytes each. */
const SETCLEAR: { bit: IrqBit | 'pending'; set: boolean }[] = [
  { bit: 'enabled', set: true }, { bit: 'enabled', set: false },
  { bit: 'pending', set: true }, { bit: 'pending', set: false },
  { bit: 'active', set: true }, { bit: 'active', set: false },
];

/** GICD_IS/ICENABLER, IS/ICPENDR, IS/ICACTIVER (and the GICR_ ones): 32 interrupts per word, from `id0`. */
function readSetClear(gic: GicV3, cpu: number, rel: number, id0: number): number {
  const { bit } = SETCLEAR[rel >> 7]!;
  let v = 0;
  for (let i = 0; i < 32; i++) if (gic.getBit(cpu, id0 + i, bit)) v |= 1 << i;
  return v >>> 0;
}

function writeSetClear(gic: GicV3, cpu: number, rel: number, id0: number, value: number): void {
  const { bit, set } = SETCLEAR[rel >> 7]!;
  for (let i = 0; i < 32; i++) if (value & (1 << i)) gic.setBit(cpu, id0 + i, bit === 'pending' ? 'latch' : bit, set);
}

/** ICFGR: two bits per interrupt, bit 1 of each pair set for edge-triggered. */
function readIcfgr(gic: GicV3, cpu: number, id0: number): number {
  let v = 0;
  for (let i = 0; i < 16; i++) if (gic.getBit(cpu, id0 + i, 'edge')) v |= 2 << (2 * i);
  return v >>> 0;
}

function writeIcfgr(gic: GicV3, cpu: number, id0: number, value: number): void {
  for (let i = 0; i < 16; i++) gic.setBit(cpu, id0 + i, 'edge', ((value >>> (2 * i)) & 2) !== 0);
}

function readPriorities(gic: GicV3, cpu: number, id0: number, width: number): number {
  let v = 0;
  for (let i = 0; i < Math.min(width, 4); i++) v |= gic.priority(cpu, id0 + i) << (8 * i);
  return v >>> 0;
}

function writePriorities(gic: GicV3, cpu: number, id0: number, width: number, value: number): void {
  for (let i = 0; i < Math.min(width, 4); i++) gic.setPriority(cpu, id0 + i, (value >>> (8 * i)) & GICV3_PRIO_MASK);
}

/** The distributor frame. */
export class GicV3Distributor implements MmioDevice {
  readonly name = 'gic-500 distributor';
  readonly size = GICV3_DIST_SIZE;
  constructor(readonly gic: GicV3) {}

  read(off: number, width: number): number | bigint {
    const g = this.gic;
    if (off === GICD_CTLR) return g.distCtlr | CTLR_ARE_NS;
    if (off === GICD_TYPER) return (((g.ncpus - 1) << 5) | TYPER_SECURITY_EXTN | TYPER_LPIS | TYPER_IDBITS_16 | (g.lines / 32 - 1)) >>> 0;
    if (off === GICD_IIDR) return GIC500_IIDR;
    if (off === PIDR2) return PIDR2_ARCH_GICV3;
    if (off >= GICD_IGROUPR && off < GICD_SETCLEAR) return spiWord(off - GICD_IGROUPR) < g.lines && off >= GICD_IGROUPR + 4 ? 0xffff_ffff : 0;
    if (off >= GICD_SETCLEAR && off < GICD_IPRIORITYR) {
      const rel = off - GICD_SETCLEAR;
      const id0 = spiWord(rel & 0x7f);
      return id0 < 32 ? 0 : readSetClear(g, 0, rel, id0);
    }
    if (off >= GICD_IPRIORITYR + 32 && off < GICD_IPRIORITYR + g.lines) return readPriorities(g, 0, off - GICD_IPRIORITYR, width);
    if (off >= GICD_ICFGR + 8 && off < GICD_ICFGR + g.lines / 4) return readIcfgr(g, 0, (off - GICD_ICFGR) * 4);
    const spi = this.irouterSpi(off);
    if (spi !== undefined) {
      const v = (g.anyCpu[spi] ? IROUTER_IRM : 0n) | routeBits(g.route[spi]!);
      return width === 8 ? v : Number((off & 4 ? v >> 32n : v) & 0xffff_ffffn);
    }
    return 0;
  }

  write(off: number, width: number, value: bigint): void {
    const g = this.gic;
    const v = Number(value & 0xffff_ffffn);
    if (off === GICD_CTLR) {
      g.distCtlr = v & 3;
      g.changedAll();
      return;
    }
    if (off >= GICD_SETCLEAR && off < GICD_IPRIORITYR) {
      const rel = off - GICD_SETCLEAR;
      const id0 = spiWord(rel & 0x7f);
      if (id0 >= 32) writeSetClear(g, 0, rel, id0, v);
    } else if (off >= GICD_IPRIORITYR + 32 && off < GICD_IPRIORITYR + g.lines) {
      writePriorities(g, 0, off - GICD_IPRIORITYR, width, v);
    } else if (off >= GICD_ICFGR + 8 && off < GICD_ICFGR + g.lines / 4) {
      writeIcfgr(g, 0, (off - GICD_ICFGR) * 4, v);
    } else {
      const spi = this.irouterSpi(off);
      if (spi === undefined) return;
      this.writeIrouter(spi, off, width, value);
    }
    g.changedAll();
  }

  /** The SPI whose GICD_IROUTER holds `off` (either 32-bit half), if any. */
  private irouterSpi(off: number): number | undefined {
    if (off < GICD_IROUTER + 32 * 8 || off >= GICD_IROUTER + this.gic.lines * 8) return undefined;
    return (off - GICD_IROUTER) >> 3;
  }

  private writeIrouter(spi: number, off: number, width: number, value: bigint): void {
    const g = this.gic;
    const old = (g.anyCpu[spi] ? IROUTER_IRM : 0n) | routeBits(g.route[spi]!);
    const full = width === 8 ? value : off & 4 ? (old & 0xffff_ffffn) | ((value & 0xffff_ffffn) << 32n) : (old & ~0xffff_ffffn) | (value & 0xffff_ffffn);
    g.anyCpu[spi] = full & IROUTER_IRM ? 1 : 0;
    g.route[spi] = ((Number((full >> 32n) & 0xffn) << 24) | Number(full & 0xff_ffffn)) >>> 0;
  }
}

/** The redistributors' frames, one pair per CPU. */
export class GicV3Redistributors implements MmioDevice {
  readonly name = 'gic-500 redistributors';
  readonly size: number;
  private readonly lpiBase: bigint[][];
  private readonly ctlr: number[];
  constructor(readonly gic: GicV3) {
    this.size = gic.ncpus * GICV3_REDIST_STRIDE;
    this.lpiBase = Array.from({ length: gic.ncpus }, () => [0n, 0n]);
    this.ctlr = new Array<number>(gic.ncpus).fill(0);
  }

  /** GICR_TYPER: affinity in 63:32, Processor_Number in 23:8, Last (bit 4) on the final frame, PLPIS (bit 0). */
  typer(cpu: number): bigint {
    const last = cpu === this.gic.ncpus - 1 ? 1 << 4 : 0;
    return (BigInt(this.gic.affinity(cpu)) << 32n) | BigInt((cpu << 8) | last | 1);
  }

  read(offset: number, width: number): number | bigint {
    const cpu = Math.floor(offset / GICV3_REDIST_STRIDE);
    const off = offset % GICV3_REDIST_STRIDE;
    const g = this.gic;
    if (off >= SGI_BASE) return this.readSgiFrame(cpu, off - SGI_BASE, width);
    switch (off) {
      case GICR_CTLR:
        return this.ctlr[cpu]!;
      case GICR_IIDR:
        return GIC500_IIDR;
      case GICR_TYPER:
        return width === 8 ? this.typer(cpu) : Number(this.typer(cpu) & 0xffff_ffffn);
      case GICR_TYPER + 4:
        return Number(this.typer(cpu) >> 32n);
      case GICR_WAKER:
        return g.isAwake(cpu) ? 0 : WAKER_PROCESSOR_SLEEP | WAKER_CHILDREN_ASLEEP;
      case GICR_PROPBASER:
      case GICR_PENDBASER:
        return width === 8 ? this.lpiBase[cpu]![(off - GICR_PROPBASER) >> 3]! : Number(this.lpiBase[cpu]![(off - GICR_PROPBASER) >> 3]! & 0xffff_ffffn);
      case PIDR2:
        return PIDR2_ARCH_GICV3;
      default:
        return 0;
    }
  }

  write(offset: number, width: number, value: bigint): void {
    const cpu = Math.floor(offset / GICV3_REDIST_STRIDE);
    const off = offset % GICV3_REDIST_STRIDE;
    if (off >= SGI_BASE) {
      this.writeSgiFrame(cpu, off - SGI_BASE, width, Number(value & 0xffff_ffffn));
      return;
    }
    if (off === GICR_CTLR) this.ctlr[cpu] = Number(value & 1n);
    // ChildrenAsleep follows ProcessorSleep at once: the model has no wake-up latency to wait out.
    else if (off === GICR_WAKER) this.gic.setAwake(cpu, (value & BigInt(WAKER_PROCESSOR_SLEEP)) === 0n);
    else if ((off === GICR_PROPBASER || off === GICR_PENDBASER) && width === 8) this.lpiBase[cpu]![(off - GICR_PROPBASER) >> 3] = value;
  }

  private readSgiFrame(cpu: number, off: number, width: number): number {
    const g = this.gic;
    if (off === GICD_IGROUPR) return 0xffff_ffff;
    if (off >= GICD_SETCLEAR && off < GICD_IPRIORITYR && (off & 0x7f) === 0) return readSetClear(g, cpu, off - GICD_SETCLEAR, 0);
    if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 32) return readPriorities(g, cpu, off - GICD_IPRIORITYR, width);
    if (off === GICD_ICFGR || off === GICD_ICFGR + 4) return readIcfgr(g, cpu, (off - GICD_ICFGR) * 4);
    return 0;
  }

  private writeSgiFrame(cpu: number, off: number, width: number, v: number): void {
    const g = this.gic;
    if (off >= GICD_SETCLEAR && off < GICD_IPRIORITYR && (off & 0x7f) === 0) writeSetClear(g, cpu, off - GICD_SETCLEAR, 0, v);
    else if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 32) writePriorities(g, cpu, off - GICD_IPRIORITYR, width, v);
    else if (off === GICD_ICFGR + 4) writeIcfgr(g, cpu, 16, v);
    else return;
    g.changed(cpu);
  }
}

/** The first interrupt ID a bit-per-interrupt register word at `rel` (from its array's start) covers. */
function spiWord(rel: number): number {
  return (rel >> 2) * 32;
}

/** A stored route (Aff3 in 31:24, Aff2.Aff1.Aff0 below) as GICD_IROUTER's fields: Aff3 in 39:32, Aff2-0 in 23:0. */
function routeBits(route: number): bigint {
  return (BigInt(route >>> 24) << 32n) | BigInt(route & 0xff_ffff);
}
