// SPDX-License-Identifier: GPL-2.0-only
// Helpers for tests that drive a bare machine with hand-written ARM64 code.
import { Machine, type MachineOptions } from '../../emulator/machine';
import { assemble } from '../../emulator/arm64/assembler';

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
