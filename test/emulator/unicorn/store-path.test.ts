// SPDX-License-Identifier: GPL-2.0-only
import { afterEach, describe, expect, it } from 'vitest';
import { hostAlloc, Unicorn } from '../../../emulator/unicorn/binding';
import { storePathStats } from '../../../emulator/unicorn/store-path';
import { REG_X0, UC_CPU_ARM64_A72, UC_PROT_ALL, regX } from '../../../emulator/unicorn/constants';
import { asm } from '../../../emulator/arm64/assembler';

const live: { uc: Unicorn; free: () => void }[] = [];
afterEach(() => {
  while (live.length) {
    const e = live.pop()!;
    e.uc.dispose();
    e.free();
  }
});

/** An engine with 64 KB of RAM at 0x10000 (MMU off: VA = PA). */
function engine(): { uc: Unicorn; ram: Uint8Array } {
  const mem = hostAlloc(0x10000);
  const uc = new Unicorn(UC_CPU_ARM64_A72);
  uc.memMapPtr(0x10000n, 0x10000, UC_PROT_ALL, mem.ptr);
  live.push({ uc, free: () => mem.free() });
  return { uc, ram: new Uint8Array(mem.buffers[0]!) };
}

describe('the engine store path (uc_store_path.c)', () => {
  it('is what the engine calls for every store to RAM, and passes on only stores to pages that hold code', async () => {
    const { uc, ram } = engine();
    // 1000 stores to a data page two pages away from the code.
    const code = await asm('mov64 x1, 0x12000\nmov x2, #1000\n1: str x2, [x1], #8\nsubs x2, x2, #1\nb.ne 1b\nnop', 0x10000);
    ram.set(code, 0);
    const before = storePathStats();
    expect(before, 'libuc_store_path.so is not in use: the engine runs the stock store path').toBeDefined();
    uc.emuStart(0x10000n, 0x10000n + BigInt(code.length - 4), 0, 0);
    const after = storePathStats()!;
    expect(after.storeChecks - before!.storeChecks).toBeGreaterThanOrEqual(1000n);
    expect(after.storeChecksPassed - before!.storeChecksPassed).toBeLessThan(10n);
    expect(after.codePagesProtected).toBeGreaterThan(before!.codePagesProtected);
    expect(new DataView(ram.buffer).getBigUint64(0x2000, true)).toBe(1000n);
  });

  it('still invalidates code a guest store rewrites after it ran', async () => {
    const { uc, ram } = engine();
    // f (at 0x10100): mov x0, #1; ret. The caller runs f, overwrites its first
    // instruction with `mov x0, #2` (the word in w3), and runs it again.
    const newInsn = new DataView((await asm('mov x0, #2', 0x10100)).buffer).getUint32(0, true);
    const caller = await asm(`mov64 x4, 0x10100\nbl 0x10100\nmov x5, x0\nmov64 x3, ${newInsn}\nstr w3, [x4]\nbl 0x10100\nnop`, 0x10000);
    ram.set(caller, 0);
    ram.set(await asm('mov x0, #1\nret', 0x10100), 0x100);
    const end = 0x10000n + BigInt(caller.length - 4);
    const before = storePathStats()!;
    uc.emuStart(0x10000n, end, 0, 0);
    expect(uc.regRead(regX(5))).toBe(1n);
    expect(uc.regRead(REG_X0)).toBe(2n);
    expect(storePathStats()!.storeChecksPassed).toBeGreaterThan(before.storeChecksPassed);
  });
});
