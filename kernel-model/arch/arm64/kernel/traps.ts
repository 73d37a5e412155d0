// SPDX-License-Identifier: GPL-2.0-only
/*
 * What happens to user code that faults: the task gets a signal and the
 * kernel says so, as arm64's arm64_show_signal (arch/arm64/kernel/traps.c)
 * prints it when show_unhandled_signals is on:
 *
 *   harness[1]: unhandled exception: DABT (lower EL), ESR 0x92000007, level 3 translation fault
 *
 * The class strings are esr_class_str's, the fault names fault_info's
 * (arch/arm64/mm/fault.c, shared with the machine's own fault reports); an undefined instruction is force_signal_inject's
 * "undefined instruction" with no syndrome. The model has no VMAs, so the
 * " in comm[base+offset]" part is not printed. The machine stays up.
 */

import { faultStatusName, type Trap } from '../../../../emulator/traps';
import type { Task } from '../../../kernel/sched/task';

export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGBUS = 7;
export const SIGSEGV = 11;

const ESR_CLASS: Record<number, string> = {
  0x00: 'Unknown/Uncategorized',
  0x15: 'SVC (AArch64)',
  0x20: 'IABT (lower EL)',
  0x21: 'IABT (current EL)',
  0x24: 'DABT (lower EL)',
  0x25: 'DABT (current EL)',
  0x3c: 'BRK (AArch64)',
};

export interface UserFault {
  signal: number;
  /** The kernel log line. */
  message: string;
}

const hex8 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** The signal a user-mode trap earns, and the line the kernel prints for it. */
export function el0_fault(trap: Trap, task: Task): UserFault {
  const head = `${task.comm}[${task.pid}]: unhandled exception: `;
  const withEsr = (what: string): string => `${head}${ESR_CLASS[trap.esr >>> 26] ?? `EC 0x${(trap.esr >>> 26).toString(16)}`}, ESR ${hex8(trap.esr)}, ${what}`;
  switch (trap.kind) {
    case 'data-abort':
    case 'insn-abort': {
      const alignment = (trap.esr & 0x3f) === 0x21;
      return { signal: alignment ? SIGBUS : SIGSEGV, message: withEsr(faultStatusName(trap.esr)) };
    }
    case 'brk':
      return { signal: SIGTRAP, message: withEsr('User debug trap') };
    case 'unmapped':
      return { signal: SIGSEGV, message: `${head}${trap.detail ?? 'access'} outside the machine at 0x${trap.far.toString(16).padStart(16, '0')}` };
    case 'device':
      return { signal: SIGBUS, message: `${head}${trap.detail ?? 'device access'}` };
    default:
      return { signal: SIGILL, message: `${head}undefined instruction` };
  }
}
