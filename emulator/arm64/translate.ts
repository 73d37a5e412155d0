// SPDX-License-Identifier: GPL-2.0-only
/*
 * A software walk of the AArch64 stage-1 translation tables, 4 KiB
 * granule, for TypeScript code that must see what a core sees: reading the
 * instruction at a faulting PC, copying a syscall's user buffer, checking
 * a kernel VA in a test. Unicorn's uc_mem_read takes physical addresses
 * (and on a shadowed VA silently reads the shadow), so this walk is the
 * only correct way from a VA to guest memory.
 *
 * Reference: Arm ARM (DDI 0487) D8.2 "Translation table walk"; the
 * descriptor formats of D8.3. Only what the project uses is supported:
 * 4 KiB granules, 39- or 48-bit input ranges (T0SZ/T1SZ 16..39), table,
 * block (1 GiB at level 1, 2 MiB at level 2) and page descriptors.
 */

const VALID = 1n;
const TABLE_OR_PAGE = 2n;
const OA_MASK = 0x0000_ffff_ffff_f000n;

export interface TranslationRegs {
  sctlr: bigint;
  tcr: bigint;
  ttbr0: bigint;
  ttbr1: bigint;
}

export type WalkResult =
  | { ok: true; pa: number; level: number; /** AP[1]: EL0 may access */ user: boolean; /** AP[2] */ readOnly: boolean }
  | { ok: false; level: number; reason: 'translation' | 'range' | 'granule' };

/** The leaf's access permissions (stage 1 AP[2:1], descriptor bits 7:6). */
function leaf(pa: number, level: number, desc: bigint): WalkResult {
  return { ok: true, pa, level, user: ((desc >> 6n) & 1n) === 1n, readOnly: ((desc >> 7n) & 1n) === 1n };
}

/** Read a u64 descriptor at a physical address (undefined outside RAM). */
export type ReadPhys64 = (pa: number) => bigint | undefined;

function field(v: bigint, shift: number, bits: number): number {
  return Number((v >> BigInt(shift)) & ((1n << BigInt(bits)) - 1n));
}

/** Translate `va` as EL1/EL0 stage 1 would. With the MMU off, VA == PA. */
export function walkStage1(regs: TranslationRegs, va: bigint, read64: ReadPhys64): WalkResult {
  va = BigInt.asUintN(64, va);
  // MMU off: flat, and no permission checks at either level.
  if ((regs.sctlr & 1n) === 0n) return { ok: true, pa: Number(va & 0xffff_ffff_ffffn), level: -1, user: true, readOnly: false };
  const upper = (va >> 55n) & 1n;
  const tsz = upper ? field(regs.tcr, 16, 6) : field(regs.tcr, 0, 6);
  const tg = upper ? field(regs.tcr, 30, 2) : field(regs.tcr, 14, 2);
  const epd = upper ? field(regs.tcr, 23, 1) : field(regs.tcr, 7, 1);
  const is4k = upper ? tg === 2 : tg === 0;
  if (!is4k) return { ok: false, level: 0, reason: 'granule' };
  const inputBits = 64 - tsz;
  const top = va >> BigInt(inputBits);
  const expected = upper ? (1n << BigInt(tsz)) - 1n : 0n;
  if (top !== expected || epd) return { ok: false, level: 0, reason: 'range' };
  // 4 KiB granule: 9 bits per level, level 3 resolves bits 20:12.
  let level = 4 - Math.ceil((inputBits - 12) / 9);
  let table = (upper ? regs.ttbr1 : regs.ttbr0) & OA_MASK;
  for (; level <= 3; level++) {
    const shift = 12 + 9 * (3 - level);
    const index = Number((va >> BigInt(shift)) & 0x1ffn);
    const desc = read64(Number(table) + index * 8);
    if (desc === undefined || (desc & VALID) === 0n) return { ok: false, level, reason: 'translation' };
    const isTable = (desc & TABLE_OR_PAGE) !== 0n;
    if (level === 3) {
      if (!isTable) return { ok: false, level, reason: 'translation' };
      return leaf(Number((desc & OA_MASK) | (va & 0xfffn)), level, desc);
    }
    if (!isTable) {
      if (level === 0) return { ok: false, level, reason: 'translation' };
      const blockMask = (1n << BigInt(shift)) - 1n;
      return leaf(Number((desc & OA_MASK & ~blockMask) | (va & blockMask)), level, desc);
    }
    table = desc & OA_MASK;
  }
  return { ok: false, level: 3, reason: 'translation' };
}
