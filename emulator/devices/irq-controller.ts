// SPDX-License-Identifier: GPL-2.0-only
/*
 * The seam between a board's interrupt controller and the cores' IRQ
 * lines. The machine's IRQ delivery (linux/guest.ts: exception entry, the
 * unmask watch, waking a core in WFI) needs only this: whether a core's
 * nIRQ is asserted, a call when it may have changed, and a place to plug
 * in the generic timer's outputs, which every board wires to its own
 * controller (the GIC-400's PPIs 27 and 30 on the BCM2711, the ARM-local
 * controller's per-core timer inputs on the BCM2836/7). The board chooses
 * the controller; the delivery code does not know which one it has.
 */

import type { TimerKind } from './generic-timer';

/** A system register by its encoding (op0, op1, CRn, CRm, op2). */
export interface SysRegId {
  op0: number;
  op1: number;
  crn: number;
  crm: number;
  op2: number;
}

/**
 * A CPU interface reached through system registers (the GICv3's ICC_*),
 * which the engine does not know: the delivery code answers each trapped
 * `mrs`/`msr` through it (undefined / false: not one of its registers).
 */
export interface SystemRegisterCpuInterface {
  read(cpu: number, r: SysRegId): bigint | undefined;
  write(cpu: number, r: SysRegId, value: bigint): boolean;
}

export interface CoreIrqController {
  /** The cores it serves (one IRQ output each). */
  readonly ncpus: number;
  /** Is `cpu`'s IRQ output asserted (what PSTATE.I masks)? */
  irqAsserted(cpu: number): boolean;
  /** A generic-timer output of `cpu` changed level. */
  setTimerLine(cpu: number, kind: TimerKind, asserted: boolean): void;
  /** Called when `cpu`'s output may have changed (set by the delivery code). */
  onChange?: (cpu: number) => void;
  /** The GICv3's: its CPU interface is system registers. */
  readonly systemRegisters?: SystemRegisterCpuInterface;
}
