// SPDX-License-Identifier: GPL-2.0-only
// Helpers for tests that drive a bare machine with hand-written ARM64 code.
import { Machine, type MachineOptions } from '../../emulator/machine';
import { assemble } from '../../emulator/arm64/assembler';
import { MAIR_EL1_SET, PageTable, PROT, TCR_EL1_39BIT } from '../../kernel-model/arch/arm64/pgtable';

/** The smallest machine a board allows, for tests that only need cores and RAM. */
export async function smallMachine(opts: MachineOptions = {}): Promise<Machine> {
  return Machine.create({ board: 'uconsole-cm4', ram: 2 ** 30, ...opts });
}

/** Assemble `src` at physical `pa` and load it for every core; returns its symbols. */
export async function loadAsm(m: Machine, pa: number, src: string, syms: Record<string, bigint | number> = {}): Promise<Map<string, bigint>> {
  const a = await assemble(src, BigInt(pa), syms);
  m.loadCode(pa, a.bytes);
  return a.symbols;
}

/**
 * Run a stub on `cpu` that loads TTBR0/TTBR1/MAIR/TCR and sets SCTLR_EL1.M,
 * then traps back (hvc #0xfff). The stub must sit where the MMU-on fetch of
 * its next instruction still lands (an identity mapping).
 */
export async function enableMmu(m: Machine, cpu: number, stubPa: number, regs: { ttbr0: number; ttbr1: number; mair: bigint; tcr: bigint }): Promise<void> {
  await loadAsm(m, stubPa, `
    mov64 x0, ${regs.ttbr0}
    mov64 x1, ${regs.ttbr1}
    mov64 x2, ${regs.mair}
    mov64 x3, ${regs.tcr}
    msr ttbr0_el1, x0
    msr ttbr1_el1, x1
    msr mair_el1, x2
    msr tcr_el1, x3
    isb
    tlbi vmalle1
    dsb sy
    isb
    mrs x4, sctlr_el1
    orr x4, x4, #1
    msr sctlr_el1, x4
    isb
    hvc #0xfff`);
  await runUntilTrap(m, cpu, BigInt(stubPa), 'hvc');
}

/** Start `cpu` at `pc` and run until it traps; returns the trap (the core is left 'trapped'). */
export async function runUntilTrap(m: Machine, cpu: number, pc: bigint, expectKind?: string): Promise<import('../../emulator/traps').Trap> {
  let trap: import('../../emulator/traps').Trap | undefined;
  const prev = m.onTrap;
  m.onTrap = (t) => {
    if (t.core !== cpu) return prev(t, m);
    trap = t;
    return 'stop';
  };
  try {
    m.start(cpu, pc);
    m.run({ until: () => trap !== undefined, maxRounds: 1000 });
  } finally {
    m.onTrap = prev;
  }
  if (!trap) throw new Error(`cpu${cpu} did not trap`);
  if (expectKind && trap.kind !== expectKind) throw new Error(`cpu${cpu}: expected ${expectKind}, got ${m.describeTrap(trap)}`);
  return trap;
}

/**
 * A 1 GB machine whose cores run with the MMU on: `build` fills the two
 * tables (the identity map of the first 2 MiB, where test code lives, is
 * added here), then every core switches to them.
 */
export async function machineWithMmu(build: (ttbr1: PageTable, ttbr0: PageTable) => void, opts: MachineOptions = {}): Promise<Machine> {
  const m = await smallMachine(opts);
  let next = 0x0080_0000;
  const alloc = (): number => ((next += 0x1000), next - 0x1000);
  const ttbr1 = new PageTable(m.ram, alloc);
  const ttbr0 = new PageTable(m.ram, alloc);
  ttbr0.map(0n, 0, 0x20_0000, PROT.KERNEL_EXEC);
  build(ttbr1, ttbr0);
  for (const c of m.cores) await enableMmu(m, c.index, 0x1000, { ttbr0: ttbr0.root, ttbr1: ttbr1.root, mair: MAIR_EL1_SET, tcr: TCR_EL1_39BIT });
  return m;
}

/**
 * Run the started cores until one executes an hvc (a test's way out); every
 * other trap goes to the handler installed before (a guest's, which may
 * deliver it to the kernel's vectors). Returns the hvc, or undefined.
 */
export function runUntilHvc(m: Machine, maxRounds = 200): import('../../emulator/traps').Trap | undefined {
  let trap: import('../../emulator/traps').Trap | undefined;
  const guestHandler = m.onTrap;
  m.onTrap = (t, mm) => {
    if (t.kind !== 'hvc') return guestHandler(t, mm);
    trap = t;
    return 'stop';
  };
  m.run({ until: () => trap !== undefined, maxRounds });
  return trap;
}
