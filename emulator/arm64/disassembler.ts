// SPDX-License-Identifier: GPL-2.0-only
/*
 * ARM64 disassembly through Capstone (WASM, @alexaltea/capstone-js), for
 * fault reports and --trace. Capstone loads asynchronously, so the machine
 * calls loadDisassembler() once before it may need one; disassemble() is
 * then synchronous (it runs inside hooks) and falls back to the raw word
 * if Capstone was never loaded.
 */

import { createRequire } from 'node:module';

interface CsInsn {
  mnemonic: string;
  op_str: string;
}
interface CsEngine {
  disasm(bytes: number[] | Uint8Array, address: number): CsInsn[];
}

let engine: CsEngine | undefined;

export async function loadDisassembler(): Promise<void> {
  if (engine) return;
  const require = createRequire(import.meta.url);
  const init = require('@alexaltea/capstone-js') as () => Promise<{
    Capstone: new (arch: number, mode: number) => CsEngine;
    ARCH_ARM64: number;
    MODE_ARM: number;
  }>;
  const cs = await init();
  engine = new cs.Capstone(cs.ARCH_ARM64, cs.MODE_ARM);
}

/** "mnemonic operands" of the A64 instruction `word` at `address`. */
export function disassemble(word: number, address: bigint): string {
  const hex = `.inst 0x${(word >>> 0).toString(16).padStart(8, '0')}`;
  if (!engine) return hex;
  const bytes = [word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, (word >>> 24) & 0xff];
  // Capstone takes the address as a double: give it the low 48 bits, and
  // sign-extend PC-relative targets back into the upper half afterwards.
  const [insn] = engine.disasm(bytes, Number(address & 0xffffffffffffn));
  if (!insn) return `${hex} (undefined)`;
  let ops = insn.op_str;
  if (address >> 47n) ops = ops.replace(/#0x([0-9a-f]{12})\b/g, (m, h: string) => (parseInt(h[0]!, 16) >= 8 ? `#0xffff${h}` : m));
  return ops ? `${insn.mnemonic} ${ops}` : insn.mnemonic;
}
