// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { Gic400, SPURIOUS } from '../../../emulator/devices/gic400';
import { GenericTimer, CTL_ENABLE, CTL_IMASK, TIMER_PPI } from '../../../emulator/devices/generic-timer';

const DIST = 0;
const CPU = 0x1000;

/** The distributor and CPU interface set up the way Linux's gic_dist_init/gic_cpu_init leave them. */
function linuxLikeGic(ncpus = 4): Gic400 {
  const g = new Gic400(ncpus);
  for (let cpu = 0; cpu < ncpus; cpu++) {
    const p = g.port(cpu);
    for (let off = 0x400; off < 0x420; off += 4) p.write(DIST + off, 4, 0xa0a0a0a0n);
    p.write(CPU + 0x04, 4, 0xf0n); // PMR
    p.write(CPU + 0x00, 4, 1n); // GICC_CTLR enable
  }
  const p0 = g.port(0);
  for (let off = 0x420; off < 0x500; off += 4) p0.write(DIST + off, 4, 0xa0a0a0a0n);
  p0.write(DIST + 0x000, 4, 1n); // GICD_CTLR enable
  return g;
}

describe('GIC-400', () => {
  it('identifies itself and answers ITARGETSR0-7 with the reading CPU', () => {
    const g = new Gic400(4);
    expect(g.port(0).read(DIST + 0x004, 4)).toBe((3 << 5) | 7);
    expect(g.port(2).read(DIST + 0x800, 4)).toBe(0x04040404);
    expect(g.port(0).read(CPU + 0x0c, 4)).toBe(SPURIOUS);
  });

  it('a due timer raises its PPI; masking holds it; EOI clears it', () => {
    const g = linuxLikeGic();
    const p = g.port(1);
    const t = new GenericTimer();
    const ppi = TIMER_PPI.virt;
    p.write(DIST + 0x100, 4, BigInt(1 << ppi)); // enable PPI 27 on cpu1
    t.write('virt', 'cval', 100n, 0n);
    t.write('virt', 'ctl', CTL_ENABLE, 0n);
    g.setPpi(1, ppi, t.asserted('virt', 50n));
    expect(g.irqAsserted(1)).toBe(false);
    g.setPpi(1, ppi, t.asserted('virt', 100n));
    expect(g.irqAsserted(1)).toBe(true);
    expect(g.irqAsserted(0)).toBe(false); // a PPI is private to its core
    // PMR at the interrupt's priority masks it
    p.write(CPU + 0x04, 4, 0xa0n);
    expect(g.irqAsserted(1)).toBe(false);
    p.write(CPU + 0x04, 4, 0xf0n);
    expect(p.read(CPU + 0x0c, 4)).toBe(ppi);
    expect(g.irqAsserted(1)).toBe(false); // active: the running priority hides it
    // the handler masks the timer (IMASK), then EOIs: nothing left
    t.write('virt', 'ctl', CTL_ENABLE | CTL_IMASK, 120n);
    g.setPpi(1, ppi, t.asserted('virt', 120n));
    p.write(CPU + 0x10, 4, BigInt(ppi));
    expect(g.irqAsserted(1)).toBe(false);
    expect(p.read(CPU + 0x0c, 4)).toBe(SPURIOUS);
  });

  it('a level PPI still asserted at EOI is pending again', () => {
    const g = linuxLikeGic();
    const p = g.port(0);
    p.write(DIST + 0x100, 4, BigInt(1 << 27));
    g.setPpi(0, 27, true);
    expect(p.read(CPU + 0x0c, 4)).toBe(27);
    p.write(CPU + 0x10, 4, 27n);
    expect(g.irqAsserted(0)).toBe(true);
  });

  it('a disabled interrupt is held pending until enabled', () => {
    const g = linuxLikeGic();
    const p = g.port(0);
    g.setPpi(0, 30, true);
    expect(g.irqAsserted(0)).toBe(false);
    p.write(DIST + 0x100, 4, BigInt(1 << 30));
    expect(g.irqAsserted(0)).toBe(true);
    p.write(DIST + 0x180, 4, BigInt(1 << 30));
    expect(g.irqAsserted(0)).toBe(false);
  });

  it('SGIs go to the listed CPUs with their source, and to all others with filter 1', () => {
    const g = linuxLikeGic();
    g.port(0).write(DIST + 0xf00, 4, BigInt((0b0110 << 16) | 1)); // SGI 1 to cpus 1, 2
    expect(g.irqAsserted(0)).toBe(false);
    expect(g.port(1).read(CPU + 0x0c, 4)).toBe(1 | (0 << 10));
    expect(g.port(2).read(CPU + 0x0c, 4)).toBe(1);
    g.port(3).write(DIST + 0xf00, 4, BigInt((1 << 24) | 5)); // SGI 5 to all but cpu3
    expect(g.port(0).read(CPU + 0x0c, 4)).toBe(5 | (3 << 10));
    expect(g.irqAsserted(3)).toBe(false);
  });

  it('SPIs reach the CPUs in their target mask, highest priority first', () => {
    const g = linuxLikeGic();
    const p = g.port(0);
    p.write(DIST + 0x100 + 4, 4, BigInt((1 << 1) | (1 << 2))); // enable 33, 34
    p.write(DIST + 0x820, 4, 0x02020202n); // targets 32-35 -> cpu1
    p.write(DIST + 0x422, 1, 0x80n); // priority of 34 higher than 33's 0xa0
    g.setSpi(33, true);
    g.setSpi(34, true);
    expect(g.irqAsserted(0)).toBe(false);
    const p1 = g.port(1);
    expect(p1.read(CPU + 0x0c, 4)).toBe(34);
    expect(p1.read(CPU + 0x0c, 4)).toBe(SPURIOUS); // 33 is lower priority than the running 34
    g.setSpi(34, false); // the device's handler cleared its line
    p1.write(CPU + 0x10, 4, 34n);
    expect(p1.read(CPU + 0x0c, 4)).toBe(33);
  });

  it('nothing is signalled while the distributor or the CPU interface is disabled', () => {
    const g = linuxLikeGic();
    g.port(0).write(DIST + 0x100, 4, BigInt(1 << 27));
    g.setPpi(0, 27, true);
    g.port(0).write(CPU + 0x00, 4, 0n);
    expect(g.irqAsserted(0)).toBe(false);
    g.port(0).write(CPU + 0x00, 4, 1n);
    g.port(0).write(DIST + 0x000, 4, 0n);
    expect(g.irqAsserted(0)).toBe(false);
  });
});
