import { afterEach, describe, expect, it } from 'vitest';
import { hostAlloc, UcError, Unicorn, unicornVersion } from '../../emulator/unicorn/binding';
import { REG_PC, REG_X0, SYSREG, UC_CPU_ARM64_A53, UC_CPU_ARM64_A72, UC_PROT_ALL, regX } from '../../emulator/unicorn/constants';
import { asm } from '../../emulator/arm64/assembler';

const live: Unicorn[] = [];
function engine(model = UC_CPU_ARM64_A72): Unicorn {
  const uc = new Unicorn(model);
  live.push(uc);
  return uc;
}
afterEach(() => {
  while (live.length) live.pop()!.dispose();
});

describe('Unicorn binding', () => {
  it('is Unicorn 2.x', () => {
    expect(unicornVersion()).toMatch(/^2\./);
  });

  it('reads and writes 64-bit registers without precision loss', () => {
    const uc = engine();
    for (const v of [0n, 1n, 0xffff_ffff_ffff_ffffn, 0x8000_0000_0000_1008n, 0x20_0000_0000_1008n, 2n ** 53n + 1n]) {
      uc.regWrite(regX(5), v);
      expect(uc.regRead(regX(5))).toBe(v);
    }
    uc.regWrite(regX(30), -1n);
    expect(uc.regRead(regX(30))).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('reads and writes system registers through CP_REG', () => {
    const uc = engine();
    uc.sysWrite(SYSREG.TPIDR_EL1, 0xffff_ff80_1234_5678n);
    expect(uc.sysRead(SYSREG.TPIDR_EL1)).toBe(0xffff_ff80_1234_5678n);
  });

  it("runs ARM64 with the guests' 4 KB pages, not 2.0.1's 1 KB (ucs_set_page_bits)", () => {
    const uc = engine();
    expect(uc.pageSize).toBe(4096);
    const mem = hostAlloc(0x2000);
    try {
      // A 1 KB mapping is below the engine's page now.
      expect(() => uc.memMapPtr(0x10400n, 0x400, UC_PROT_ALL, mem.ptr)).toThrow(UcError);
      uc.memMapPtr(0x10000n, 0x1000, UC_PROT_ALL, mem.ptr);
    } finally {
      uc.dispose();
      live.splice(live.indexOf(uc), 1);
      mem.free();
    }
  });

  it('keeps 2.0.1\'s 1 KB pages with UCONSOLE_ENGINE_PAGES=1k (the A/B of bench syscall)', () => {
    const was = process.env.UCONSOLE_ENGINE_PAGES;
    process.env.UCONSOLE_ENGINE_PAGES = '1k';
    try {
      expect(engine().pageSize).toBe(1024);
    } finally {
      if (was === undefined) delete process.env.UCONSOLE_ENGINE_PAGES;
      else process.env.UCONSOLE_ENGINE_PAGES = was;
    }
  });

  it('sets the CPU model before first use', () => {
    expect(engine(UC_CPU_ARM64_A53).cpuModel).toBe(UC_CPU_ARM64_A53);
    expect(engine(UC_CPU_ARM64_A72).cpuModel).toBe(UC_CPU_ARM64_A72);
  });

  it('maps host memory, runs code, and sees the guest\'s stores in the host view', async () => {
    const mem = hostAlloc(0x10000);
    try {
      const uc = engine();
      uc.memMapPtr(0x1000n, 0x10000, UC_PROT_ALL, mem.ptr);
      new Uint8Array(mem.buffers[0]!).set(await asm('mov x0, #0x1234\nmov x1, #0x2000\nstr x0, [x1]\nnop', 0x1000), 0);
      expect(uc.emuStart(0x1000n, 0x100cn, 0, 0)).toBe(0);
      expect(uc.regRead(REG_PC)).toBe(0x100cn);
      expect(new DataView(mem.buffers[0]!).getBigUint64(0x1000, true)).toBe(0x1234n);
      expect(uc.memRead(0x2000n, 2)).toEqual(Uint8Array.of(0x34, 0x12));
    } finally {
      mem.free();
    }
  });

  it('turns errors into UcError with uc_strerror text', () => {
    const uc = engine();
    expect(() => uc.memRead(0x5000_0000n, 4)).toThrow(UcError);
    expect(() => uc.memRead(0x5000_0000n, 4)).toThrow(/uc_mem_read\(0x50000000\): Invalid memory read \(UC_ERR_READ_UNMAPPED\) \(UC_ERR 6\)/);
  });

  it('calls hooks, removes them, and rethrows a hook\'s exception from emuStart', async () => {
    const mem = hostAlloc(0x1000);
    try {
      const uc = engine();
      uc.memMapPtr(0n, 0x1000, UC_PROT_ALL, mem.ptr);
      new Uint8Array(mem.buffers[0]!).set(await asm('nop\nnop\nnop\nnop', 0), 0x100);
      const seen: bigint[] = [];
      const h = uc.hookCode(0x104n, 0x108n, (a) => seen.push(a));
      uc.emuStart(0x100n, 0x110n, 0, 0);
      expect(seen).toEqual([0x104n, 0x108n]);
      uc.hookDel(h);
      uc.emuStart(0x100n, 0x110n, 0, 0);
      expect(seen).toHaveLength(2);
      uc.hookCode(0x104n, 0x104n, () => {
        throw new Error('from the hook');
      });
      expect(() => uc.emuStart(0x100n, 0x110n, 0, 0)).toThrow('from the hook');
      expect(uc.regRead(REG_X0)).toBe(0n);
    } finally {
      mem.free();
    }
  });
});
