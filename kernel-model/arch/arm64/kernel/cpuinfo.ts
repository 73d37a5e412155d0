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
 * The hwcaps /proc/cpuinfo lists, in hwcap_str order (5.10), as far as
 * the identity registers the model reads decide them: fp and fphp
 * (ID_AA64PFR0_EL1.FP), asimd and asimdhp (.AdvSIMD), aes, pmull, sha1,
 * sha2, crc32, atomics (ID_AA64ISAR0_EL1), evtstrm (the generic timer's
 * event stream, which arm64 kernels enable) and cpuid (always).
 */
export function hwcaps(r: CpuIdRegs): string[] {
  const f = (v: bigint, shift: number): number => Number((v >> BigInt(shift)) & 0xfn);
  const fp = f(r.pfr0, 16);
  const simd = f(r.pfr0, 20);
  const out: string[] = [];
  if (fp !== 0xf) out.push('fp');
  if (simd !== 0xf) out.push('asimd');
  out.push('evtstrm');
  if (f(r.isar0, 4) >= 1) out.push('aes');
  if (f(r.isar0, 4) >= 2) out.push('pmull');
  if (f(r.isar0, 8) >= 1) out.push('sha1');
  if (f(r.isar0, 12) >= 1) out.push('sha2');
  if (f(r.isar0, 16) >= 1) out.push('crc32');
  if (f(r.isar0, 20) >= 2) out.push('atomics');
  if (fp === 1) out.push('fphp');
  if (simd === 1) out.push('asimdhp');
  out.push('cpuid');
  return out;
}

/**
 * /proc/cpuinfo, arm64's c_show (arch/arm64/kernel/cpuinfo.c, 5.10): per
 * online CPU its number, BogoMIPS (from the timer frequency: 2 * freq /
 * 1e6 with the arch timer's loops_per_jiffy), Features, and the MIDR
 * fields; no Hardware/Revision lines (mainline arm64 has none).
 */
export function cpuinfo(regs: readonly (CpuIdRegs | undefined)[], online: readonly boolean[], timerHz: number): string {
  let out = '';
  const bogo = (2 * timerHz) / 1e6;
  regs.forEach((r, cpu) => {
    if (!r || !online[cpu]) return;
    const midr = Number(r.midr & 0xffffffffn);
    out +=
      `processor\t: ${cpu}\n` +
      `BogoMIPS\t: ${bogo.toFixed(2)}\n` +
      `Features\t: ${hwcaps(r).join(' ')}\n` +
      `CPU implementer\t: 0x${(midr >>> 24).toString(16).padStart(2, '0')}\n` +
      'CPU architecture: 8\n' +
      `CPU variant\t: 0x${((midr >>> 20) & 0xf).toString(16)}\n` +
      `CPU part\t: 0x${((midr >>> 4) & 0xfff).toString(16).padStart(3, '0')}\n` +
      `CPU revision\t: ${midr & 0xf}\n\n`;
  });
  return out;
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

/* The AT_HWCAP bits of those names (arch/arm64/include/uapi/asm/hwcap.h). */
const HWCAP_BIT: Readonly<Record<string, number>> = {
  fp: 0, asimd: 1, evtstrm: 2, aes: 3, pmull: 4, sha1: 5, sha2: 6, crc32: 7, atomics: 8, fphp: 9, asimdhp: 10, cpuid: 11,
};

/** elf_hwcap: the capabilities every CPU has, as the AT_HWCAP word user space receives. */
export function elf_hwcap(all: readonly CpuIdRegs[]): bigint {
  let caps = -1n;
  for (const r of all) {
    let mine = 0n;
    for (const name of hwcaps(r)) mine |= 1n << BigInt(HWCAP_BIT[name]!);
    caps &= mine;
  }
  return all.length ? caps : 0n;
}
