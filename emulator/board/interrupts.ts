// SPDX-License-Identifier: GPL-2.0-only
/*
 * Each board's interrupt controllers, built for one machine: the device
 * windows to map (MachineOptions.devices) and the one CoreIrqController
 * the IRQ delivery reads the cores' lines from (emulator/devices/
 * irq-controller.ts). The BCM2711 has a GIC-400; the BCM2837 has no GIC,
 * only the ARM-local controller with the legacy armctrl controller chained
 * to its GPU input (Linux's bcm2837.dtsi and bcm2836-l1-intc binding).
 *
 * The RK3399 has a GIC-500 (GICv3): a distributor and one redistributor
 * per core in memory, the CPU interface in system registers.
 *
 * The armctrl controller shares its 4 KiB page (bus 0x7e00b000) with the
 * VideoCore mailboxes; whoever emulates those passes them as `armSide`
 * parts, and the page is mapped once, on either board.
 */

import type { PerCoreDevice } from '../machine';
import type { CoreIrqController } from '../devices/irq-controller';
import { Gic400, GIC_CPU_SIZE, GIC_DIST_SIZE, GIC_NR_IRQS } from '../devices/gic400';
import { GicV3 } from '../devices/gic-v3';
import { GicV3Distributor, GicV3Redistributors, GICV3_DIST_SIZE } from '../devices/gic-v3-regs';
import { GicV3CpuInterface } from '../devices/gic-v3-cpuif';
import { Bcm2836LocalIntc, LOCAL_INTC_SIZE } from '../devices/bcm2836-local-intc';
import { Bcm2835ArmCtrl, ARMCTRL_OFFSET } from '../devices/bcm2835-armctrl';
import { SharedPage, type PagePart } from '../devices/mmio';

export interface BoardInterrupts {
  controller: CoreIrqController;
  devices: PerCoreDevice[];
  /**
   * A device's interrupt output, named by the cells of its `interrupts`
   * property as the board's device tree gives them (GIC: type, number,
   * flags; BCM2836 armctrl: bank, bit), as a level setter.
   */
  line(cells: readonly number[]): (asserted: boolean) => void;
}

export class InterruptSpecError extends Error {
  override name = 'InterruptSpecError';
}

export interface Gic400Interrupts extends BoardInterrupts {
  controller: Gic400;
}

export interface GicV3Interrupts extends BoardInterrupts {
  controller: GicV3;
}

export interface Bcm2836Interrupts extends BoardInterrupts {
  controller: Bcm2836LocalIntc;
  armctrl: Bcm2835ArmCtrl;
}

/** The devices of the BCM283x's ARM-side page other than armctrl, and where that page is. */
export interface ArmSidePage {
  base: number;
  parts: PagePart[];
}

const ARM_SIDE_PAGE_NAME = 'bcm283x ARM-side page (interrupts, mailboxes)';

/** A GIC-400 with its distributor at `distBase` and CPU interface right after, one port per core (banked registers). */
export function gic400Interrupts(ncpus: number, distBase: number, armSide?: ArmSidePage): Gic400Interrupts {
  const gic = new Gic400(ncpus);
  const devices: PerCoreDevice[] = [{ base: distBase, size: GIC_DIST_SIZE + GIC_CPU_SIZE, forCore: (core) => gic.port(core) }];
  if (armSide?.parts.length) {
    const page = new SharedPage(ARM_SIDE_PAGE_NAME, armSide.base, armSide.parts);
    devices.push({ base: armSide.base, size: page.size, forCore: () => page });
  }
  return {
    controller: gic,
    devices,
    line: (cells) => {
      // Only SPIs are device lines shared by all cores; a PPI is one line per core (the timers feed theirs directly).
      const [type, spi] = cells;
      if (cells.length !== 3 || type !== 0 || spi === undefined || spi < 0 || 32 + spi >= GIC_NR_IRQS)
        throw new InterruptSpecError(`interrupts <${cells.join(' ')}> is not a GIC SPI (0 n flags, n < ${GIC_NR_IRQS - 32})`);
      return (asserted) => gic.setSpi(32 + spi, asserted);
    },
  };
}

/**
 * A GIC-500 with its distributor at `distBase` and the redistributors of
 * the cores (in `mpidrs` order) from `redistBase`, `spis` SPIs. A device
 * line is named by GICv3 cells (type 0 for an SPI, number, flags, and
 * optionally a PPI partition, which must be 0 for an SPI).
 */
export function gicV3Interrupts(mpidrs: readonly number[], distBase: number, redistBase: number, spis: number): GicV3Interrupts {
  const gic = new GicV3({ mpidrs, spis });
  gic.systemRegisters = new GicV3CpuInterface(gic);
  const dist = new GicV3Distributor(gic);
  const redist = new GicV3Redistributors(gic);
  return {
    controller: gic,
    devices: [
      { base: distBase, size: GICV3_DIST_SIZE, forCore: () => dist },
      { base: redistBase, size: redist.size, forCore: () => redist },
    ],
    line: (cells) => {
      const [type, spi, , partition] = cells;
      if ((cells.length !== 3 && cells.length !== 4) || type !== 0 || spi === undefined || spi < 0 || 32 + spi >= gic.lines || (partition ?? 0) !== 0)
        throw new InterruptSpecError(`interrupts <${cells.join(' ')}> is not a GICv3 SPI (0 n flags [0], n < ${gic.lines - 32})`);
      return (asserted) => gic.setSpi(32 + spi, asserted);
    },
  };
}

/**
 * The BCM2836/7 pair: the local controller at `localBase` (its registers
 * are per core by address, so every core sees the same model), the armctrl
 * controller at `armctrlBase` inside the page it shares with the VideoCore
 * mailboxes (`armSideParts`; the rest of that page stays unimplemented).
 */
export function bcm2836Interrupts(ncpus: number, localBase: number, armctrlBase: number, armSideParts: PagePart[] = []): Bcm2836Interrupts {
  const local = new Bcm2836LocalIntc(ncpus, localBase);
  const armctrl = new Bcm2835ArmCtrl(armctrlBase);
  armctrl.onOutput = (asserted) => local.setGpuLine(asserted);
  const pageBase = armctrlBase - ARMCTRL_OFFSET;
  const page = new SharedPage(ARM_SIDE_PAGE_NAME, pageBase, [{ offset: ARMCTRL_OFFSET, device: armctrl }, ...armSideParts]);
  return {
    controller: local,
    armctrl,
    line: (cells) => {
      const [bank, bit] = cells;
      if (cells.length !== 2 || bank === undefined || bit === undefined || !armctrl.hasInput(bank, bit))
        throw new InterruptSpecError(`interrupts <${cells.join(' ')}> is not an armctrl input (bank 0-2, bit)`);
      return (asserted) => armctrl.setLine(bank, bit, asserted);
    },
    devices: [
      { base: localBase, size: LOCAL_INTC_SIZE, forCore: () => local },
      { base: pageBase, size: page.size, forCore: () => page },
    ],
  };
}
