// SPDX-License-Identifier: GPL-2.0-only
/*
 * The contract between the kernel image's ARM64 code (images/kernel/*.S)
 * and the TypeScript kernel: the immediates of the `hvc` calls the image
 * makes into the model, and of the `brk` that marks the end of a harness
 * syscall. The image build passes these to the assembler as symbols, so
 * the two sides cannot drift apart.
 */

export const KCALL = {
  /** Primary core, first thing: the PC after this hvc tells where the image runs. */
  EARLY_ENTRY: 3,
  /** Primary core: x0 = DTB PA, x1 = MPIDR, x2 = MIDR, x3 = ID_AA64PFR0, x4 = ID_AA64ISAR0, x5 = CTR_EL0. */
  START_KERNEL: 1,
  /** A secondary core entered the kernel: same registers, x0 = 0. */
  SECONDARY_START: 2,
  /** The primary core runs at KIMAGE_VADDR with the kernel's page tables; the kernel sets x19 = its CPU number. */
  PRIMARY_SWITCHED: 4,
  /** The primary core has set its per-CPU offset: the rest of start_kernel. */
  START_KERNEL_REST: 7,
  /** A secondary core runs with the kernel's page tables. */
  SECONDARY_SWITCHED: 5,
  /** A function the kernel ran on a core (kcall) returned; x0 = its result. */
  RETURN: 6,
} as const;

/** The identity registers a core passes with START_KERNEL and SECONDARY_START. */
export interface CpuIdRegs {
  mpidr: bigint;
  midr: bigint;
  pfr0: bigint;
  isar0: bigint;
  ctr: bigint;
}

export const BRK = {
  /** EL0 harness stub: the syscall returned, x0 holds its result. */
  HARNESS_RETURN: 0x100,
} as const;

import { NR_CPUS_MAX } from '../../../kernel/sched/task';

/** Each CPU's kernel stack. */
export const THREAD_SIZE = 16384;

/** The symbols the image source may use. */
export function imageSymbols(): Record<string, number> {
  return {
    KCALL_EARLY_ENTRY: KCALL.EARLY_ENTRY,
    KCALL_START_KERNEL: KCALL.START_KERNEL,
    KCALL_PRIMARY_SWITCHED: KCALL.PRIMARY_SWITCHED,
    KCALL_START_KERNEL_REST: KCALL.START_KERNEL_REST,
    KCALL_SECONDARY_SWITCHED: KCALL.SECONDARY_SWITCHED,
    KCALL_RETURN: KCALL.RETURN,
    KCALL_SECONDARY_START: KCALL.SECONDARY_START,
    BRK_HARNESS_RETURN: BRK.HARNESS_RETURN,
    THREAD_SIZE,
    NR_CPUS_MAX,
  };
}
