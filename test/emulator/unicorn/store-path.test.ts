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

/**
 * An engine with 64 KB of RAM at 0x10000 (MMU off: VA = PA), mapped as the
 * machine maps guest RAM (registered with the store path) or as plain
 * host memory (the engine's own store path).
 */
function engine(asGuestRam = false): { uc: Unicorn; ram: Uint8Array } {
  const mem = hostAlloc(0x10000);
  const uc = new Unicorn(UC_CPU_ARM64_A72);
  if (asGuestRam) uc.memMapRam(0x10000n, 0x10000, mem.ptr);
  else uc.memMapPtr(0x10000n, 0x10000, UC_PROT_ALL, mem.ptr);
  live.push({ uc, free: () => mem.free() });
  return { uc, ram: new Uint8Array(mem.buffers[0]!) };
}

describe('the engine store path (uc_store_path.c)', () => {
  it('is what the engine calls for every store to RAM not registered as guest RAM, and passes it on', async () => {
    const { uc, ram } = engine();
    // 1000 stores to a data page two pages away from the code.
    const code = await asm('mov64 x1, 0x12000\nmov x2, #1000\n1: str x2, [x1], #8\nsubs x2, x2, #1\nb.ne 1b\nnop', 0x10000);
    ram.set(code, 0);
    const before = storePathStats();
    expect(before, 'libuc_store_path.so is not in use: the engine runs the stock store path').toBeDefined();
    uc.emuStart(0x10000n, 0x10000n + BigInt(code.length - 4), 0, 0);
    const after = storePathStats()!;
    expect(after.storeChecks - before!.storeChecks).toBeGreaterThanOrEqual(1000n);
    expect(after.storeChecksPassed - before!.storeChecksPassed).toBeGreaterThanOrEqual(1000n);
    expect(after.codePagesProtected).toBeGreaterThan(before!.codePagesProtected);
    expect(new DataView(ram.buffer).getBigUint64(0x2000, true)).toBe(1000n);
  });

  it.each([false, true])('still invalidates code a guest store rewrites after it ran (guest RAM: %s)', async (asGuestRam) => {
    const { uc, ram } = engine(asGuestRam);
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

  it('lets stores to guest RAM without code take the inline path', async () => {
    const { uc, ram } = engine(true);
    const code = await asm('mov64 x1, 0x12000\nmov x2, #1000\n1: str x2, [x1], #8\nsubs x2, x2, #1\nb.ne 1b\nnop', 0x10000);
    ram.set(code, 0);
    const before = storePathStats()!;
    uc.emuStart(0x10000n, 0x10000n + BigInt(code.length - 4), 0, 0);
    const after = storePathStats()!;
    expect(after.storeChecks - before.storeChecks).toBeLessThan(10n);
    expect(after.fastStoreEntries).toBeGreaterThan(before.fastStoreEntries);
    expect(new DataView(ram.buffer).getBigUint64(0x2000 + 8 * 999, true)).toBe(1n);
  });

  it('gives TLB_NOTDIRTY back to a page written on the inline path once it holds code', async () => {
    const { uc, ram } = engine(true);
    // Write `mov x0, #7; ret` into 0x13000 with stores (the page has no code
    // yet: inline path), call it, write `mov x0, #9` over its first
    // instruction, call it again: the second call must run the new code.
    const dv = new DataView((await asm('mov x0, #7\nret\nmov x0, #9', 0x13000)).buffer);
    const [mov7, ret, mov9] = [0, 4, 8].map((o) => dv.getUint32(o, true));
    const caller = await asm(
      `mov64 x4, 0x13000\nmov64 x3, ${mov7}\nstr w3, [x4]\nmov64 x3, ${ret}\nstr w3, [x4, #4]\n` +
        `bl 0x13000\nmov x5, x0\nmov64 x3, ${mov9}\nstr w3, [x4]\nbl 0x13000\nnop`,
      0x10000,
    );
    ram.set(caller, 0);
    uc.emuStart(0x10000n, 0x10000n + BigInt(caller.length - 4), 0, 0);
    expect(uc.regRead(regX(5))).toBe(7n);
    expect(uc.regRead(REG_X0)).toBe(9n);
  });

  it('drops a page\'s translated code by physical address, and its stores run inline again', async () => {
    const { uc, ram } = engine(true);
    ram.set(await asm('mov x0, #1\nret', 0x14000), 0x4000);
    const call = await asm('bl 0x14000\nnop', 0x10000);
    ram.set(call, 0);
    uc.emuStart(0x10000n, 0x10004n, 0, 0);
    expect(uc.regRead(REG_X0)).toBe(1n);
    // Rewritten from outside the core: without the drop the old block would run.
    ram.set(await asm('mov x0, #3\nret', 0x14000), 0x4000);
    expect(uc.invalidatePhysCode(0x14000, 0x1000)).toBe(true);
    uc.emuStart(0x10000n, 0x10004n, 0, 0);
    expect(uc.regRead(REG_X0)).toBe(3n);
    expect(uc.invalidatePhysCode(0x14000, 0x1000)).toBe(true);
    const stores = await asm('mov64 x1, 0x14000\nmov x2, #1000\n1: str x2, [x1]\nsubs x2, x2, #1\nb.ne 1b\nnop', 0x11000);
    ram.set(stores, 0x1000);
    const before = storePathStats()!;
    uc.emuStart(0x11000n, 0x11000n + BigInt(stores.length - 4), 0, 0);
    expect(storePathStats()!.storeChecks - before.storeChecks).toBeLessThan(10n);
    // Not guest RAM of this engine: the caller must use the VA way.
    expect(uc.invalidatePhysCode(0x40000, 0x1000)).toBe(false);
    expect(engine(false).uc.invalidatePhysCode(0x14000, 0x1000)).toBe(false);
  });

  it("answers the jump cache's misses from its second level, and never with a block a store invalidated", async () => {
    const { uc, ram } = engine(true);
    // Two functions on one page whose slots in QEMU's jump cache collide
    // (tb_jmp_cache_hash_func for 4 KB pages), called in turn: each call
    // evicts the other from the first level.
    const slot = (pc: number): number => {
      const t = pc ^ (pc >>> 6);
      return ((t >>> 6) & 0xfc0) | (t & 0x3f);
    };
    const f = 0x15000;
    let g = f + 0x10;
    while (slot(g) !== slot(f)) g += 4;
    expect(g).toBeLessThan(0x16000);
    ram.set(await asm('add x0, x0, #1\nret', f), f - 0x10000);
    ram.set(await asm('add x1, x1, #1\nret', g), g - 0x10000);
    const addHundred = new DataView((await asm('add x0, x0, #100', f)).buffer).getUint32(0, true);
    const caller = await asm(
      `mov64 x5, ${f}\nmov64 x6, ${g}\nmov x0, #0\nmov x1, #0\nmov x2, #200\n` +
        '1: blr x5\nblr x6\nsubs x2, x2, #1\nb.ne 1b\n' +
        `mov x7, x0\nmov64 x3, ${addHundred}\nstr w3, [x5]\nmov x2, #10\n` +
        '2: blr x5\nblr x6\nsubs x2, x2, #1\nb.ne 2b\nnop',
      0x10000,
    );
    ram.set(caller, 0);
    const before = storePathStats()!;
    uc.emuStart(0x10000n, 0x10000n + BigInt(caller.length - 4), 0, 0);
    const after = storePathStats()!;
    expect(uc.regRead(regX(7))).toBe(200n);
    expect(uc.regRead(REG_X0)).toBe(200n + 10n * 100n); // the rewritten f ran, not its stale block
    expect(uc.regRead(regX(1))).toBe(210n);
    expect(after.jumpCacheL2Hits - before.jumpCacheL2Hits).toBeGreaterThanOrEqual(300n);
  });
});
