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

/*
 * emulate_mrs (arch/arm64/kernel/cpufeature.c): user space may read the
 * CPU identification registers (op0 = 3, op1 = 0, CRn = 0) with mrs;
 * the architecture makes that undefined at EL0 and Linux answers from
 * the trap with the register's value (HWCAP_CPUID advertises it; glibc
 * reads MIDR_EL1 at startup to pick its string routines). MIDR_EL1 and
 * MPIDR_EL1 read as the CPU's own, REVIDR_EL1 as 0; of the feature
 * registers the model knows ID_AA64PFR0_EL1 and ID_AA64ISAR0_EL1 and
 * shows them as read (Linux masks fields it does not expose; the cores'
 * values need no masking for the fields glibc looks at), the rest as 0.
 */
export interface MrsEmulation {
  rt: number;
  value: bigint;
}

/** The emulated value of `mrs Xt, <ID register>` at EL0, or undefined if `insn` is not one. */
export function emulate_mrs(insn: number, regs: { midr: bigint; mpidr: bigint; pfr0: bigint; isar0: bigint }): MrsEmulation | undefined {
  // mrs Xt, S3_0_C0_Cm_op2: 1101 0101 0011 1000 0000 mmmm ooot tttt
  if ((insn & 0xfffff000) >>> 0 !== 0xd5380000) return undefined;
  const crm = (insn >>> 8) & 0xf;
  const op2 = (insn >>> 5) & 0x7;
  const rt = insn & 0x1f;
  let value = 0n;
  if (crm === 0 && op2 === 0) value = regs.midr;
  else if (crm === 0 && op2 === 5) value = regs.mpidr;
  else if (crm === 4 && op2 === 0) value = regs.pfr0;
  else if (crm === 6 && op2 === 0) value = regs.isar0;
  return { rt, value };
}
