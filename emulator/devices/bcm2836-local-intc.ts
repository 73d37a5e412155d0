// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BCM2836/BCM2837 ARM-local interrupt controller ("brcm,bcm2836-l1-intc"),
 * as the BCM2836 ARM-local peripherals document (QA7 rev 3.4) lays it out
 * at 0x40000000 and as Linux drives it (drivers/irqchip/irq-bcm2836.c). It
 * is the only thing between the interrupt sources and each core's nIRQ on
 * the CM3: there is no GIC.
 *
 * Per core, four sources reach the IRQ pending register:
 *   - the generic timer's four outputs (CNTPS, CNTPNS, CNTHP, CNTV: bits
 *     0-3), each enabled for IRQ or FIQ in the core's timer interrupt
 *     control register (0x40 + 4n; an FIQ enable overrides the IRQ one);
 *   - four 32-bit mailboxes (bits 4-7 when non-zero and enabled in the
 *     mailbox interrupt control register, 0x50 + 4n). A write to the
 *     write-set address (0x80 + 16n + 4m) ORs bits in; a write to the
 *     read/clear address (0xc0 + 16n + 4m) clears the bits written; a read
 *     there returns the mailbox. Linux sends its IPIs as bits of mailbox 0
 *     and clears them in the target's handler;
 *   - the GPU's interrupt (bit 8), i.e. the legacy armctrl controller's
 *     output (bcm2835-armctrl.ts), on the one core the GPU routing
 *     register (0x0c, bits 1:0) names;
 *   - the PMU's interrupt (bit 9), routed per core by the set/clear pair
 *     at 0x10/0x14 (kept, but no PMU drives the input here).
 * The core's IRQ output is its pending register being non-zero: every
 * source is a level, so nothing is acknowledged here; a handler silences
 * its source (the timer's IMASK, the mailbox's clear). LOCAL_CONTROL and
 * the prescaler (which Linux sets to 19.2 MHz crystal, 1:1) are kept and
 * read back; the machine's counter runs at the board's CNTFRQ regardless.
 *
 * Not modelled: the FIQ outputs (the FIQ pending registers read right,
 * but no core takes an FIQ), the local timer, the AXI counters and the
 * core-timer access registers; touching those stops the machine with a
 * clear report, as an unemulated device does.
 */

import { DeviceAccessError, type MmioDevice } from './mmio';
import type { CoreIrqController } from './irq-controller';
import type { TimerKind } from './generic-timer';

export const LOCAL_INTC_SIZE = 0x1000;

const LOCAL_CONTROL = 0x00;
const LOCAL_PRESCALER = 0x08;
const LOCAL_GPU_ROUTING = 0x0c;
const LOCAL_PM_ROUTING_SET = 0x10;
const LOCAL_PM_ROUTING_CLR = 0x14;
const LOCAL_TIMER_INT_CONTROL0 = 0x40;
const LOCAL_MAILBOX_INT_CONTROL0 = 0x50;
const LOCAL_IRQ_PENDING0 = 0x60;
const LOCAL_FIQ_PENDING0 = 0x70;
const LOCAL_MAILBOX0_SET0 = 0x80;
const LOCAL_MAILBOX0_CLR0 = 0xc0;
const LOCAL_END = 0x100;

/** Bits of the IRQ/FIQ pending registers (irq-bcm2836.c's LOCAL_IRQ_*). */
export const LOCAL_IRQ = { CNTPS: 0, CNTPNS: 1, CNTHP: 2, CNTV: 3, MAILBOX0: 4, GPU: 8, PMU: 9 } as const;

/** Which timer input each generic-timer output is: the EL1 physical timer is the non-secure one here. */
const TIMER_INPUT: Record<TimerKind, number> = { phys: LOCAL_IRQ.CNTPNS, virt: LOCAL_IRQ.CNTV };

interface LocalCore {
  timerLines: number;
  timerControl: number;
  mailboxControl: number;
  mailboxes: Uint32Array;
}

export class Bcm2836LocalIntc implements MmioDevice, CoreIrqController {
  readonly name = 'bcm2836-l1-intc';
  readonly size = LOCAL_INTC_SIZE;
  onChange?: (cpu: number) => void;
  private readonly cores: LocalCore[];
  private control = 0;
  private prescaler = 0;
  private gpuRouting = 0;
  private pmuRouting = 0;
  private gpuLine = false;

  /** `base` is where the window sits, for fault reports. */
  constructor(readonly ncpus: number, readonly base = 0x4000_0000) {
    if (ncpus < 1 || ncpus > 4) throw new Error(`the BCM2836 local controller serves 1 to 4 cores, not ${ncpus}`);
    this.cores = Array.from({ length: ncpus }, () => ({ timerLines: 0, timerControl: 0, mailboxControl: 0, mailboxes: new Uint32Array(4) }));
  }

  /* ---- inputs ------------------------------------------------------------ */

  setTimerLine(cpu: number, kind: TimerKind, asserted: boolean): void {
    const c = this.core(cpu);
    const bit = 1 << TIMER_INPUT[kind];
    const lines = asserted ? c.timerLines | bit : c.timerLines & ~bit;
    if (lines === c.timerLines) return;
    c.timerLines = lines;
    this.onChange?.(cpu);
  }

  /** The GPU's interrupt: the armctrl controller's output. */
  setGpuLine(asserted: boolean): void {
    if (asserted === this.gpuLine) return;
    this.gpuLine = asserted;
    this.onChange?.(this.gpuIrqCore());
  }

  /* ---- outputs ----------------------------------------------------------- */

  /** The core's IRQ pending register (IRQ source, 0x60 + 4n). */
  irqPending(cpu: number): number {
    return this.sources(cpu, false);
  }

  /** The core's FIQ pending register (0x70 + 4n). */
  fiqPending(cpu: number): number {
    return this.sources(cpu, true);
  }

  irqAsserted(cpu: number): boolean {
    return this.irqPending(cpu) !== 0;
  }

  /**
   * A source appears in the IRQ register when enabled for IRQ and not for
   * FIQ, in the FIQ register when enabled for FIQ (QA7 4.6 and 4.7).
   */
  private sources(cpu: number, fiq: boolean): number {
    const c = this.core(cpu);
    const routed = (lines: number, control: number): number => {
      const toFiq = (control >> 4) & 0xf;
      return lines & (fiq ? toFiq : control & 0xf & ~toFiq);
    };
    let mailboxLines = 0;
    for (let m = 0; m < 4; m++) if (c.mailboxes[m] !== 0) mailboxLines |= 1 << m;
    let v = routed(c.timerLines, c.timerControl) | (routed(mailboxLines, c.mailboxControl) << LOCAL_IRQ.MAILBOX0);
    if (this.gpuLine && (fiq ? this.gpuFiqCore() : this.gpuIrqCore()) === cpu) v |= 1 << LOCAL_IRQ.GPU;
    return v;
  }

  private gpuIrqCore(): number {
    return this.gpuRouting & 3;
  }

  private gpuFiqCore(): number {
    return (this.gpuRouting >> 2) & 3;
  }

  /* ---- registers --------------------------------------------------------- */

  read(offset: number, width: number): number {
    const reg = this.register(offset, width, false);
    const n = (reg >> 2) & 3;
    if (reg === LOCAL_CONTROL) return this.control;
    if (reg === LOCAL_PRESCALER) return this.prescaler;
    if (reg === LOCAL_GPU_ROUTING) return this.gpuRouting;
    if (reg === LOCAL_PM_ROUTING_SET || reg === LOCAL_PM_ROUTING_CLR) return this.pmuRouting;
    if (reg >= LOCAL_MAILBOX0_CLR0) return this.core((reg - LOCAL_MAILBOX0_CLR0) >> 4).mailboxes[n]!;
    if (reg >= LOCAL_MAILBOX0_SET0) return 0; // write-only
    const cpu = n;
    if (reg >= LOCAL_FIQ_PENDING0) return this.fiqPending(cpu);
    if (reg >= LOCAL_IRQ_PENDING0) return this.irqPending(cpu);
    if (reg >= LOCAL_MAILBOX_INT_CONTROL0) return this.core(cpu).mailboxControl;
    return this.core(cpu).timerControl;
  }

  write(offset: number, width: number, value: bigint): void {
    const reg = this.register(offset, width, true);
    const v = Number(value & 0xffff_ffffn);
    const n = (reg >> 2) & 3;
    if (reg === LOCAL_CONTROL) this.control = v & 0x300;
    else if (reg === LOCAL_PRESCALER) this.prescaler = v;
    else if (reg === LOCAL_GPU_ROUTING) this.gpuRouting = v & 0xf;
    else if (reg === LOCAL_PM_ROUTING_SET) this.pmuRouting |= v & 0xff;
    else if (reg === LOCAL_PM_ROUTING_CLR) this.pmuRouting &= ~v & 0xff;
    else if (reg >= LOCAL_MAILBOX0_CLR0) this.core((reg - LOCAL_MAILBOX0_CLR0) >> 4).mailboxes[n]! &= ~v;
    else if (reg >= LOCAL_MAILBOX0_SET0) this.core((reg - LOCAL_MAILBOX0_SET0) >> 4).mailboxes[n]! |= v;
    else if (reg >= LOCAL_IRQ_PENDING0) return; // the pending registers are read-only
    else if (reg >= LOCAL_MAILBOX_INT_CONTROL0) this.core(n).mailboxControl = v & 0xff;
    else this.core(n).timerControl = v & 0xff;
    this.changedAll();
  }

  /** The register an access names; anything not modelled stops the machine (see the header). */
  private register(offset: number, width: number, isWrite: boolean): number {
    const modelled = offset < LOCAL_END && (offset & 3) === 0 && width === 4 &&
      (offset >= LOCAL_TIMER_INT_CONTROL0 || [LOCAL_CONTROL, LOCAL_PRESCALER, LOCAL_GPU_ROUTING, LOCAL_PM_ROUTING_SET, LOCAL_PM_ROUTING_CLR].includes(offset));
    if (!modelled) throw new DeviceAccessError(`${this.name} (${width}-byte access at offset 0x${offset.toString(16)})`, this.base + offset, isWrite);
    const perCore = offset >= LOCAL_MAILBOX0_SET0 ? (offset >> 4) & 3 : offset >= LOCAL_TIMER_INT_CONTROL0 ? (offset >> 2) & 3 : 0;
    if (perCore >= this.ncpus) throw new DeviceAccessError(`${this.name} (register of core ${perCore}, which this machine lacks)`, this.base + offset, isWrite);
    return offset;
  }

  private core(cpu: number): LocalCore {
    const c = this.cores[cpu];
    if (!c) throw new Error(`BCM2836 local controller: no core ${cpu}`);
    return c;
  }

  private changedAll(): void {
    for (let cpu = 0; cpu < this.ncpus; cpu++) this.onChange?.(cpu);
  }
}
