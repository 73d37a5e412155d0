// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unicorn 2.0.x constants for ARM64, as the values of the enums in
 * /usr/include/unicorn/{unicorn,arm64}.h (Debian libunicorn-dev 2.0.1).
 * They were printed by a small C program against those headers and are
 * checked at load time against uc_version() being 2.0.x (see binding.ts).
 */

export const UC_API_MAJOR = 2;

export const UC_ARCH_ARM64 = 2;
export const UC_MODE_ARM = 0;

export const UC_CPU_ARM64_A57 = 0;
export const UC_CPU_ARM64_A53 = 1;
export const UC_CPU_ARM64_A72 = 2;
export const UC_CPU_ARM64_MAX = 3;

export const UC_PROT_READ = 1;
export const UC_PROT_WRITE = 2;
export const UC_PROT_EXEC = 4;
export const UC_PROT_ALL = 7;

export const UC_HOOK_INTR = 1;
export const UC_HOOK_INSN = 2;
export const UC_HOOK_CODE = 4;
export const UC_HOOK_BLOCK = 8;
export const UC_HOOK_MEM_READ_UNMAPPED = 16;
export const UC_HOOK_MEM_WRITE_UNMAPPED = 32;
export const UC_HOOK_MEM_FETCH_UNMAPPED = 64;
export const UC_HOOK_MEM_UNMAPPED = 112;

export const UC_ARM64_INS_MRS = 1;
export const UC_ARM64_INS_MSR = 2;
export const UC_ARM64_INS_SYS = 3;

export const UC_ERR_OK = 0;
export const UC_ERR_READ_UNMAPPED = 6;
export const UC_ERR_WRITE_UNMAPPED = 7;
export const UC_ERR_FETCH_UNMAPPED = 8;
export const UC_ERR_INSN_INVALID = 10;
export const UC_ERR_READ_PROT = 13;
export const UC_ERR_FETCH_PROT = 14;
export const UC_ERR_EXCEPTION = 21;

/* uc_ctl request words: UC_CTL(type, nr, rw) = type | nr << 26 | rw << 30. */
const UC_CTL_IO_WRITE = 1;
const UC_CTL_IO_READ = 2;
const ucCtl = (type: number, nr: number, rw: number): number => (type | (nr << 26) | (rw << 30)) >>> 0;
export const UC_CTL_PAGE_SIZE_READ = ucCtl(1, 1, UC_CTL_IO_READ);
export const UC_CTL_CPU_MODEL_WRITE = ucCtl(7, 1, UC_CTL_IO_WRITE);
export const UC_CTL_CPU_MODEL_READ = ucCtl(7, 1, UC_CTL_IO_READ);
export const UC_CTL_TB_REMOVE_CACHE_WRITE = ucCtl(9, 2, UC_CTL_IO_WRITE);
export const UC_CTL_TB_FLUSH_WRITE = ucCtl(10, 0, UC_CTL_IO_WRITE);

/* General registers. X0..X28 are consecutive; X29 and X30 are not. */
export const REG_X29 = 1;
export const REG_X30 = 2;
export const REG_NZCV = 3;
export const REG_SP = 4;
export const REG_X0 = 199;
export const REG_PC = 260;
export const REG_TPIDR_EL0 = 262;
export const REG_TPIDR_EL1 = 264;
export const REG_PSTATE = 265;
export const REG_ELR_EL1 = 267;
export const REG_SP_EL0 = 270;
export const REG_SP_EL1 = 271;
export const REG_TTBR0_EL1 = 274;
export const REG_TTBR1_EL1 = 275;
export const REG_CP_REG = 290;

/** The register id of Xn, n in 0..30. */
export function regX(n: number): number {
  if (n === 29) return REG_X29;
  if (n === 30) return REG_X30;
  if (n >= 0 && n <= 28) return REG_X0 + n;
  throw new RangeError(`no register x${n}`);
}

/** A system register as the CP_REG interface names it (op0, op1, CRn, CRm, op2). */
export interface SysReg {
  name: string;
  op0: number;
  op1: number;
  crn: number;
  crm: number;
  op2: number;
}

const sysreg = (name: string, op0: number, op1: number, crn: number, crm: number, op2: number): SysReg => ({
  name, op0, op1, crn, crm, op2,
});

/* Encodings from the Arm ARM (DDI 0487), chapter D13/D17 register descriptions. */
export const SYSREG = {
  MIDR_EL1: sysreg('MIDR_EL1', 3, 0, 0, 0, 0),
  MPIDR_EL1: sysreg('MPIDR_EL1', 3, 0, 0, 0, 5),
  ID_AA64PFR0_EL1: sysreg('ID_AA64PFR0_EL1', 3, 0, 0, 4, 0),
  SCTLR_EL1: sysreg('SCTLR_EL1', 3, 0, 1, 0, 0),
  CPACR_EL1: sysreg('CPACR_EL1', 3, 0, 1, 0, 2),
  TTBR0_EL1: sysreg('TTBR0_EL1', 3, 0, 2, 0, 0),
  TTBR1_EL1: sysreg('TTBR1_EL1', 3, 0, 2, 0, 1),
  TCR_EL1: sysreg('TCR_EL1', 3, 0, 2, 0, 2),
  SPSR_EL1: sysreg('SPSR_EL1', 3, 0, 4, 0, 0),
  ELR_EL1: sysreg('ELR_EL1', 3, 0, 4, 0, 1),
  SP_EL0: sysreg('SP_EL0', 3, 0, 4, 1, 0),
  ESR_EL1: sysreg('ESR_EL1', 3, 0, 5, 2, 0),
  FAR_EL1: sysreg('FAR_EL1', 3, 0, 6, 0, 0),
  PAR_EL1: sysreg('PAR_EL1', 3, 0, 7, 4, 0),
  MAIR_EL1: sysreg('MAIR_EL1', 3, 0, 10, 2, 0),
  VBAR_EL1: sysreg('VBAR_EL1', 3, 0, 12, 0, 0),
  TPIDR_EL1: sysreg('TPIDR_EL1', 3, 0, 13, 0, 4),
  TPIDR_EL0: sysreg('TPIDR_EL0', 3, 3, 13, 0, 2),
  CNTFRQ_EL0: sysreg('CNTFRQ_EL0', 3, 3, 14, 0, 0),
  CNTPCT_EL0: sysreg('CNTPCT_EL0', 3, 3, 14, 0, 1),
  CNTVCT_EL0: sysreg('CNTVCT_EL0', 3, 3, 14, 0, 2),
  CNTKCTL_EL1: sysreg('CNTKCTL_EL1', 3, 0, 14, 1, 0),
  HCR_EL2: sysreg('HCR_EL2', 3, 4, 1, 1, 0),
  SCR_EL3: sysreg('SCR_EL3', 3, 6, 1, 1, 0),
} as const;

/** The QEMU exception numbers Unicorn passes to UC_HOOK_INTR on ARM64. */
export const EXCP = {
  UDEF: 1,
  SWI: 2,
  PREFETCH_ABORT: 3,
  DATA_ABORT: 4,
  BKPT: 7,
  SMC: 13,
} as const;
