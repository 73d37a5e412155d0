// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the boot log says about each CPU, from the identity registers the
 * core itself read (MIDR_EL1, MPIDR_EL1, CTR_EL0, ID_AA64PFR0_EL1,
 * ID_AA64ISAR0_EL1): arch/arm64/kernel/cpuinfo.c and cpufeature.c print
 * these lines. Only features the model really has are reported: the ones
 * read from the emulated CPU's ID registers. Errata and Spectre
 * mitigations are not modelled and not printed.
 */

import type { CpuIdRegs } from './kcalls';

/** MPIDR_HWID_BITMASK: the affinity fields (bit 31 and the MT/U bits dropped). */
export const MPIDR_HWID_BITMASK = 0xff00ffffffn;

export function mpidrHwid(mpidr: bigint): bigint {
  return mpidr & MPIDR_HWID_BITMASK;
}

export const hwid = (mpidr: bigint): string => `0x${mpidrHwid(mpidr).toString(16).padStart(10, '0')}`;
export const midrHex = (midr: bigint): string => `0x${(midr & 0xffffffffn).toString(16).padStart(8, '0')}`;

/** CTR_EL0.L1Ip (bits 15:14): the L1 instruction-cache policy, as cpuinfo.c names it. */
export function icachePolicy(ctr: bigint): string {
  return ['VPIPT', 'AIVIVT', 'VIPT', 'PIPT'][Number((ctr >> 14n) & 3n)]!;
}

/** "Detected PIPT I-cache on CPU1" (cpuinfo_detect_icache_policy). */
export function icacheLine(cpu: number, regs: CpuIdRegs): string {
  return `Detected ${icachePolicy(regs.ctr)} I-cache on CPU${cpu}`;
}

/**
 * The system-wide capabilities cpufeature.c reports once all CPUs are up,
 * when every CPU has them (a feature missing on one CPU is not detected).
 */
export function systemFeatures(all: CpuIdRegs[]): string[] {
  const every = (f: (r: CpuIdRegs) => boolean): boolean => all.length > 0 && all.every(f);
  const field = (v: bigint, shift: number): number => Number((v >> BigInt(shift)) & 0xfn);
  const out: string[] = [];
  if (every((r) => field(r.pfr0, 0) === 2)) out.push('32-bit EL0 Support'); // EL0: AArch64 and AArch32
  if (every((r) => field(r.isar0, 16) >= 1)) out.push('CRC32 instructions');
  return out.map((f) => `CPU features: detected: ${f}`);
}
