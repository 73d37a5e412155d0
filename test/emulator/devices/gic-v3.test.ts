// SPDX-License-Identifier: GPL-2.0-only
import { afterEach, describe, expect, it } from 'vitest';
import { GicV3, SPURIOUS } from '../../../emulator/devices/gic-v3';
import { GicV3Distributor, GicV3Redistributors, GICV3_REDIST_STRIDE } from '../../../emulator/devices/gic-v3-regs';
import { GicV3CpuInterface } from '../../../emulator/devices/gic-v3-cpuif';
import { TIMER_PPI } from '../../../emulator/devices/generic-timer';
import type { SysRegId } from '../../../emulator/devices/irq-controller';

/** The RK3399's cores: four A53s (Aff1 0), two A72s (Aff1 1). */
const RK3399_MPIDRS = [0x8000_0000, 0x8000_0001, 0x8000_0002, 0x8000_0003, 0x8000_0100, 0x8000_0101];
const SGI = 0x1_0000;

const icc = (crn: number, crm: number, op2: number): SysRegId => ({ op0: 3, op1: 0, crn, crm, op2 });
const ICC = {
  PMR: icc(4, 6, 0), IAR1: icc(12, 12, 0), EOIR1: icc(12, 12, 1), HPPIR1: icc(12, 12, 2), BPR1: icc(12, 12, 3), CTLR: icc(12, 12, 4),
  SRE: icc(12, 12, 5), IGRPEN1: icc(12, 12, 7), DIR: icc(12, 11, 1), RPR: icc(12, 11, 3), SGI1R: icc(12, 11, 5), AP1R0: icc(12, 9, 0),
};

interface Rig {
  gic: GicV3;
  dist: GicV3Distributor;
  rd: GicV3Redistributors;
  cpuif: GicV3CpuInterface;
}

let rig: Rig | undefined;
afterEach(() => {
  if (rig) expect(rig.gic.checkInvariants()).toEqual([]);
  rig = undefined;
});

function newRig(): Rig {
  const gic = new GicV3({ mpidrs: RK3399_MPIDRS, spis: 256 });
  rig = { gic, dist: new GicV3Distributor(gic), rd: new GicV3Redistributors(gic), cpuif: new GicV3CpuInterface(gic) };
  return rig;
}

/** What gic_dist_init, gic_cpu_init and gic_cpu_sys_reg_init leave (Linux 6.1 at EL1, EOImode 0). */
function linuxLike(): Rig {
  const r = newRig();
  r.dist.write(0x0, 4, 0x13n); // ARE_NS | EnableGrp1A | EnableGrp1
  for (let off = 0x420; off < 0x400 + r.gic.lines; off += 4) r.dist.write(off, 4, 0xa0a0a0a0n);
  for (let cpu = 0; cpu < RK3399_MPIDRS.length; cpu++) {
    const rd = cpu * GICV3_REDIST_STRIDE;
    r.rd.write(rd + 0x14, 4, 0n); // GICR_WAKER: ProcessorSleep off
    for (let off = 0x400; off < 0x420; off += 4) r.rd.write(rd + SGI + off, 4, 0xa0a0a0a0n);
    r.rd.write(rd + SGI + 0x100, 4, 0xffffn); // the IPIs (SGIs), as ipi_setup enables them
    r.cpuif.write(cpu, ICC.PMR, 0xf0n);
    r.cpuif.write(cpu, ICC.BPR1, 0n);
    r.cpuif.write(cpu, ICC.CTLR, 0n);
    r.cpuif.write(cpu, ICC.IGRPEN1, 1n);
  }
  return r;
}

describe('GIC-500 (GICv3): identification and layout', () => {
  it('reads as the RK3399\'s: arch rev 3, 256 SPIs, LPIs and 16 ID bits, affinity routing on', () => {
    const { dist, gic } = newRig();
    expect(dist.read(0xffe8, 4)).toBe(0x3b);
    const typer = Number(dist.read(0x4, 4));
    expect(typer & 0x1f).toBe(8); // ITLinesNumber: 32 * 9 = 288 IDs, "256 SPIs implemented"
    expect(gic.lines - 32).toBe(256);
    expect((typer >> 17) & 1).toBe(1);
    expect((typer >> 19) & 0x1f).toBe(15);
    expect(Number(dist.read(0x0, 4)) & 0x10).toBe(0x10);
  });

  it('one redistributor per core at 128 KiB strides: GICR_TYPER has its affinity, its number and Last on the final one', () => {
    const { rd } = newRig();
    expect(rd.size).toBe(6 * 0x2_0000);
    expect(rd.read(4 * GICV3_REDIST_STRIDE + 0x8, 8)).toBe((0x100n << 32n) | (4n << 8n) | 1n);
    expect(rd.read(5 * GICV3_REDIST_STRIDE + 0x8, 8)).toBe((0x101n << 32n) | (5n << 8n) | 0x10n | 1n);
    expect(rd.read(5 * GICV3_REDIST_STRIDE + 0xc, 4)).toBe(0x101);
    expect(rd.read(2 * GICV3_REDIST_STRIDE + 0xffe8, 4)).toBe(0x3b);
  });

  it('GICR_WAKER: ChildrenAsleep follows ProcessorSleep; an asleep redistributor signals nothing', () => {
    const r = linuxLike();
    const waker = 3 * GICV3_REDIST_STRIDE + 0x14;
    expect(r.rd.read(waker, 4)).toBe(0);
    r.rd.write(3 * GICV3_REDIST_STRIDE + SGI + 0x100, 4, BigInt(1 << TIMER_PPI.virt));
    r.gic.setTimerLine(3, 'virt', true);
    expect(r.gic.irqAsserted(3)).toBe(true);
    r.rd.write(waker, 4, 2n);
    expect(r.rd.read(waker, 4)).toBe(6);
    expect(r.gic.irqAsserted(3)).toBe(false);
  });

  it('the group registers are Secure-only: all Group 1, writes ignored', () => {
    const { dist, rd } = newRig();
    dist.write(0x84, 4, 0n);
    expect(dist.read(0x84, 4)).toBe(0xffff_ffff);
    expect(dist.read(0x80, 4)).toBe(0); // IDs 0-31 live in the redistributors
    expect(rd.read(SGI + 0x80, 4)).toBe(0xffff_ffff);
  });
});

describe('GIC-500 (GICv3): the interrupt life cycle', () => {
  it('a due timer raises its PPI at its own redistributor only; PMR masks it; IAR1 and EOIR1 complete it', () => {
    const r = linuxLike();
    const { gic, cpuif } = r;
    const ppi = TIMER_PPI.virt;
    r.rd.write(1 * GICV3_REDIST_STRIDE + SGI + 0x100, 4, BigInt(1 << ppi));
    gic.setTimerLine(1, 'virt', true);
    expect(gic.irqAsserted(1)).toBe(true);
    expect(gic.irqAsserted(0)).toBe(false);
    cpuif.write(1, ICC.PMR, 0xa0n);
    expect(gic.irqAsserted(1)).toBe(false);
    cpuif.write(1, ICC.PMR, 0xf0n);
    expect(cpuif.read(1, ICC.HPPIR1)).toBe(BigInt(ppi));
    expect(cpuif.read(1, ICC.IAR1)).toBe(BigInt(ppi));
    expect(cpuif.read(1, ICC.RPR)).toBe(0xa0n);
    expect(gic.irqAsserted(1)).toBe(false); // active: the running priority hides it
    gic.setTimerLine(1, 'virt', false); // the handler masks the timer
    cpuif.write(1, ICC.EOIR1, BigInt(ppi));
    expect(cpuif.read(1, ICC.RPR)).toBe(0xffn);
    expect(cpuif.read(1, ICC.IAR1)).toBe(BigInt(SPURIOUS));
  });

  it('a level line still high at EOI is pending again; an edge one is not', () => {
    const r = linuxLike();
    const { gic, cpuif, dist } = r;
    dist.write(0x104, 4, 0b11n); // SPIs 32 and 33
    dist.write(0xc08, 4, 0b1000n); // SPI 33 edge-triggered
    gic.setSpi(32, true);
    gic.setSpi(33, true);
    expect(cpuif.read(0, ICC.IAR1)).toBe(32n);
    cpuif.write(0, ICC.EOIR1, 32n);
    expect(cpuif.read(0, ICC.IAR1)).toBe(32n);
    cpuif.write(0, ICC.EOIR1, 32n);
    gic.setSpi(32, false);
    expect(cpuif.read(0, ICC.IAR1)).toBe(33n);
    cpuif.write(0, ICC.EOIR1, 33n);
    expect(cpuif.read(0, ICC.IAR1)).toBe(BigInt(SPURIOUS)); // the edge was taken once, the line stays high
    expect(dist.read(0xc08, 4)).toBe(0b1000);
  });

  it('an SPI goes to the core its GICD_IROUTER names, or to any core with Interrupt_Routing_Mode', () => {
    const r = linuxLike();
    const { gic, dist } = r;
    dist.write(0x104, 4, 1n << 8n); // SPI 40
    dist.write(0x6000 + 40 * 8, 8, 0x101n); // to the second A72
    gic.setSpi(40, true);
    expect([0, 1, 2, 3, 4, 5].map((c) => gic.irqAsserted(c))).toEqual([false, false, false, false, false, true]);
    expect(dist.read(0x6000 + 40 * 8, 8)).toBe(0x101n);
    dist.write(0x6000 + 40 * 8, 4, 1n << 31n);
    expect([0, 1, 2, 3, 4, 5].every((c) => gic.irqAsserted(c))).toBe(true);
    expect(r.cpuif.read(2, ICC.IAR1)).toBe(40n);
    expect(gic.irqAsserted(5)).toBe(false); // active now: no other core takes it
  });

  it('ICC_SGI1R_EL1 reaches cores by cluster and target list, or every other core with IRM', () => {
    const r = linuxLike();
    const { gic, cpuif } = r;
    const asserted = (): boolean[] => [0, 1, 2, 3, 4, 5].map((c) => gic.irqAsserted(c));
    // SGI 1 to Aff1 = 1, Aff0 0 and 1: the two A72s
    cpuif.write(0, ICC.SGI1R, (1n << 24n) | (1n << 16n) | 0b11n);
    expect(asserted()).toEqual([false, false, false, false, true, true]);
    expect(cpuif.read(4, ICC.IAR1)).toBe(1n);
    cpuif.write(4, ICC.EOIR1, 1n);
    expect(cpuif.read(5, ICC.IAR1)).toBe(1n);
    cpuif.write(5, ICC.EOIR1, 1n);
    // SGI 3 to Aff1 = 0, Aff0 2: cpu2 alone
    cpuif.write(4, ICC.SGI1R, (3n << 24n) | 0b100n);
    expect(asserted()).toEqual([false, false, true, false, false, false]);
    expect(cpuif.read(2, ICC.IAR1)).toBe(3n);
    cpuif.write(2, ICC.EOIR1, 3n);
    // IRM: everyone but the sender
    cpuif.write(3, ICC.SGI1R, (5n << 24n) | (1n << 40n));
    expect(asserted()).toEqual([true, true, true, false, true, true]);
  });

  it('EOImode 1: EOIR1 drops the priority, the interrupt stays active until ICC_DIR_EL1', () => {
    const r = linuxLike();
    const { gic, cpuif, dist } = r;
    cpuif.write(0, ICC.CTLR, 2n);
    expect(cpuif.read(0, ICC.CTLR)).toBe((4n << 8n) | 2n);
    dist.write(0x104, 4, 1n);
    gic.setSpi(32, true);
    expect(cpuif.read(0, ICC.IAR1)).toBe(32n);
    cpuif.write(0, ICC.EOIR1, 32n);
    expect(cpuif.read(0, ICC.RPR)).toBe(0xffn);
    expect(dist.read(0x304, 4)).toBe(1); // still active
    expect(gic.irqAsserted(0)).toBe(false);
    cpuif.write(0, ICC.DIR, 32n);
    expect(dist.read(0x304, 4)).toBe(0);
    expect(gic.irqAsserted(0)).toBe(true); // the line is still high
  });

  it('priorities in the Non-secure view: a PMR of 0x08 reads back 0 (no Group 0 for Linux), five bits less one', () => {
    const r = newRig();
    r.cpuif.write(0, ICC.PMR, 0x08n);
    expect(r.cpuif.read(0, ICC.PMR)).toBe(0n);
    r.dist.write(0x420, 1, 0xa8n);
    expect(r.dist.read(0x420, 1)).toBe(0xa0);
    expect(r.cpuif.read(0, ICC.SRE)).toBe(7n);
    expect(((r.cpuif.read(0, ICC.CTLR)! >> 8n) & 7n) + 1n).toBe(5n);
    r.cpuif.write(0, ICC.BPR1, 0n);
    expect(r.cpuif.read(0, ICC.BPR1)).toBe(3n);
  });

  it('a higher-priority interrupt preempts an active one; AP1R0 shows both levels; a write of 0 drops them', () => {
    const r = linuxLike();
    const { gic, cpuif, dist } = r;
    dist.write(0x104, 4, 0b11n);
    dist.write(0x420, 4, 0x8000a0n); // SPI 32 at 0xa0, SPI 33 at 0x80 (bytes 0 and 2 of the word hold 32 and 34)
    dist.write(0x421, 1, 0x80n);
    gic.setSpi(32, true);
    expect(cpuif.read(0, ICC.IAR1)).toBe(32n);
    gic.setSpi(33, true);
    expect(gic.irqAsserted(0)).toBe(true);
    expect(cpuif.read(0, ICC.IAR1)).toBe(33n);
    expect(cpuif.read(0, ICC.AP1R0)).toBe(BigInt((1 << (0xa0 >> 3)) | (1 << (0x80 >> 3))));
    cpuif.write(0, ICC.AP1R0, 0n);
    expect(cpuif.read(0, ICC.RPR)).toBe(0xffn);
  });

  it('refuses lines it does not have, in one line', () => {
    const { gic } = newRig();
    expect(() => gic.setSpi(288, true)).toThrow(/^GICv3: 288 is not an SPI of this distributor \(32-287\)$/);
    expect(() => gic.setPpi(0, 40, true)).toThrow(/^GICv3: 40 is not a PPI$/);
    expect(() => new GicV3({ mpidrs: [], spis: 256 })).toThrow(/^a GIC-500 model serves 1 to 8 CPUs, not 0$/);
  });
});
