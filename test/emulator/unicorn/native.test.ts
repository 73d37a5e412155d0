// SPDX-License-Identifier: GPL-2.0-only
import { afterEach, describe, expect, it } from 'vitest';
import { cpus } from 'node:os';
import { hostAlloc, Unicorn } from '../../../emulator/unicorn/binding';
import { maskRecords, replicate, skipAccessExitChecks } from '../../../emulator/unicorn/native';
import { maskRecordsInJs, replicateInJs } from '../../../emulator/memory/guest-ram';
import { UC_CPU_ARM64_A72, UC_PROT_ALL, regX } from '../../../emulator/unicorn/constants';
import { asm } from '../../../emulator/arm64/assembler';
import type { ExecMode } from '../../../emulator/core';
import type { Machine } from '../../../emulator/machine';
import { smallMachine } from '../../helpers/machine';

const live: (() => void)[] = [];
afterEach(() => {
  while (live.length) live.pop()!();
});

const MMIO = 0x5000_0000n;

/**
 * One block: a load from or a store to a device that rejects it, then a
 * store to RAM and an add, then a branch to itself. Returns what the
 * engine did.
 */
async function rejected(access: 'load' | 'store', skipChecks: boolean, prologue = ''): Promise<{ error: string; block?: bigint; ramStore: bigint; x5: bigint; skipped: boolean }> {
  const mem = hostAlloc(0x10000);
  const uc = new Unicorn(UC_CPU_ARM64_A72);
  live.push(() => {
    uc.dispose();
    mem.free();
  });
  uc.memMapPtr(0x10000n, 0x10000, UC_PROT_ALL, mem.ptr);
  uc.mmioMap(MMIO, 0x1000, {
    read: () => {
      throw new Error('register not modelled');
    },
    write: () => {
      throw new Error('register not modelled');
    },
  });
  const skipped = skipChecks && skipAccessExitChecks(uc);
  const code = await asm(`${prologue}mov x3, #0x77\nmov64 x2, ${MMIO}\nmov64 x4, 0x12000\n${access === 'load' ? 'ldr x6, [x2]' : 'str x3, [x2]'}\nstr x3, [x4]\nadd x5, x5, #1\nb .`, 0x10000);
  new Uint8Array(mem.buffers[0]!).set(code, 0);
  let error = '';
  try {
    uc.emuStart(0x10000n, 0x10000n + BigInt(code.length), 0, 0);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const ramStore = new DataView(mem.buffers[0]!).getBigUint64(0x2000, true);
  return { error, block: uc.refusedAccessBlock, ramStore, x5: uc.regRead(regX(5)), skipped };
}

describe("the exit check after every load and store (uc_slice.c, 7.; stores: uc_store_path.c)", () => {
  it.each(['load', 'store'] as const)("is 2.0.1's by default: a device's rejection of a %s stops the engine right after it", async (access) => {
    const r = await rejected(access, false);
    expect(r.error).toBe('register not modelled');
    expect(r.ramStore).toBe(0n); // the store after the rejected access never ran
    expect(r.x5).toBe(0n);
    expect(r.block).toBe(0x10000n); // the block that made the access (ucs_access_block)
  });

  it('can be dropped after loads: the block runs on to its next check, and the error still surfaces', async () => {
    const r = await rejected('load', true);
    expect(r.skipped, 'this libunicorn build offers no no_exit_request flag, or the store-path library is not in use').toBe(true);
    expect(r.error).toBe('register not modelled');
    expect(r.ramStore).toBe(0x77n); // the store after the rejected load ran ...
    expect(r.x5).toBe(0n); // ... and its own exit check stopped the engine
    expect(r.block).toBe(0x10000n); // the access is traced to its own block
  });

  it('stays after stores: a rejected store stops the engine right after it with the load checks dropped', async () => {
    const r = await rejected('store', true);
    expect(r.skipped).toBe(true);
    expect(r.error).toBe('register not modelled');
    expect(r.ramStore).toBe(0n);
    expect(r.x5).toBe(0n);
    expect(r.block).toBe(0x10000n);
  });

  it('names the block that made the access, not the first block of the run', async () => {
    // A counted loop of chained blocks first, then the block with the access.
    const prologue = 'mov x6, #50\n1: subs x6, x6, #1\nb.ne 1b\nb 2f\nnop\n2: ';
    for (const skip of [false, true]) {
      const r = await rejected('load', skip, prologue);
      expect(r.error).toBe('register not modelled');
      expect(r.block).toBe(0x10000n + 5n * 4n);
    }
  });

  it("is dropped for the modes whose stops come at block starts, kept where a code hook stops the engine", async () => {
    const modes: ExecMode[] = ['deterministic', 'free-running', 'code-hook-sites', 'counted'];
    const checks: Record<string, boolean> = {};
    for (const exec of modes) {
      const m: Machine = await smallMachine({ exec });
      live.push(() => m.dispose());
      checks[exec] = m.core(0).accessExitChecks;
    }
    expect(checks).toEqual({ deterministic: false, 'free-running': false, 'code-hook-sites': true, counted: true });
  });

  it('stays as 2.0.1 has it with UCONSOLE_ACCESS_EXIT_CHECKS=on (the A/B of bench syscall)', async () => {
    const was = process.env.UCONSOLE_ACCESS_EXIT_CHECKS;
    process.env.UCONSOLE_ACCESS_EXIT_CHECKS = 'on';
    try {
      const r = await rejected('load', true);
      expect(r.skipped).toBe(false);
      expect(r.ramStore).toBe(0n);
    } finally {
      if (was === undefined) delete process.env.UCONSOLE_ACCESS_EXIT_CHECKS;
      else process.env.UCONSOLE_ACCESS_EXIT_CHECKS = was;
    }
  });
});

describe('replicate (ucs_replicate: a unit repeated on every host core)', () => {
  /** `len` bytes of host memory, the unit at its start and a guard byte after it. */
  function filled(unitLen: number, len: number, fill: (b: Uint8Array, u: number) => void): Uint8Array {
    const mem = hostAlloc(len + 4096);
    live.push(() => mem.free());
    const all = new Uint8Array(mem.buffers[0]!, 0, len + 1);
    for (let i = 0; i < unitLen; i++) all[i] = (i * 37 + 11) & 0xff;
    all[len] = 0xa5;
    fill(all.subarray(0, len), unitLen);
    expect(all[len]).toBe(0xa5); // nothing written past the range
    return all.subarray(0, len);
  }

  const cases: [string, number, number][] = [
    ['one unit', 64, 64],
    ['a few units', 64, 64 * 7],
    ['struct pages of a 16 MB zone (one part per core)', 64, 16 << 20],
    ['a unit that does not divide the parts evenly', 24, 24 * 700_001],
    ['the largest unit', 0x10000, 0x10000 * 130],
  ];
  for (const [what, unit, len] of cases) {
    it(`${what}: every unit equals the first, as the JavaScript fill writes it`, () => {
      const native = filled(unit, len, replicate);
      const js = filled(unit, len, replicateInJs);
      expect(Buffer.compare(native, js)).toBe(0);
      const first = native.subarray(0, unit);
      for (let off = unit; off < len; off += unit) if (Buffer.compare(native.subarray(off, off + unit), first) !== 0) expect.fail(`unit at ${off} differs`);
    });
  }

  it('fills a view that starts inside its buffer, and nothing before it', () => {
    const mem = hostAlloc(0x20000);
    live.push(() => mem.free());
    const all = new Uint8Array(mem.buffers[0]!, 0, 0x20000);
    all.fill(0xee, 0, 4096);
    const view = all.subarray(4096, 4096 + 64 * 100);
    for (let i = 0; i < 64; i++) view[i] = i;
    replicate(view, 64);
    expect(all.subarray(0, 4096).every((b) => b === 0xee)).toBe(true);
    for (let off = 0; off < view.length; off += 64) expect(view[off + 63]).toBe(63);
    expect(all[4096 + 64 * 100]).toBe(0);
  });

  it('fills in one part per online CPU (at most 4), none under 4 MB', () => {
    const parts = (len: number) => filled(64, len, (b, u) => expect(replicate(b, u)).toBe(Math.max(1, Math.min(4, cpus().length, Math.floor(len / (4 << 20))))));
    parts(64 * 1000);
    parts(8 << 20);
    parts(32 << 20);
  });

  it('refuses a length that is not a multiple of the unit, and a unit of 0', () => {
    expect(() => replicate(new Uint8Array(100), 64)).toThrow(/cannot repeat 64 bytes through 100/);
    expect(() => replicate(new Uint8Array(100), 0)).toThrow(/a unit of 0 bytes/);
  });
});

describe('maskRecords (ucs_mask_records: (record & keep) | set, on every host core)', () => {
  /** A keep and a set mask of `unit` bytes, each byte different. */
  function masks(unit: number): [Uint8Array, Uint8Array] {
    const keep = new Uint8Array(unit).map((_, i) => (i * 29 + 7) & 0xff);
    const set = new Uint8Array(unit).map((_, i) => (i * 53 + 1) & 0xff & ~keep[i]!);
    return [keep, set];
  }
  for (const [what, unit, len] of [['a few struct pages', 64, 64 * 9], ['a 16 MB stretch of them (one part per core)', 64, 16 << 20], ['records of 24 bytes', 24, 24 * 500_000]] as const) {
    it(`${what}: what the JavaScript loop writes, and nothing outside`, () => {
      const [keep, set] = masks(unit);
      const runs = Array.from({ length: 2 }, () => {
        const mem = hostAlloc(len + 8192);
        live.push(() => mem.free());
        const all = new Uint8Array(mem.buffers[0]!, 0, len + 8192);
        for (let i = 0; i < all.length; i++) all[i] = (i * 131 + (i >> 8)) & 0xff;
        return all;
      });
      maskRecords(runs[0]!.subarray(4096, 4096 + len), keep, set);
      maskRecordsInJs(runs[1]!.subarray(4096, 4096 + len), keep, set);
      expect(Buffer.compare(runs[0]!, runs[1]!)).toBe(0);
      expect(runs[0]![4096 + len]).toBe(((4096 + len) * 131 + ((4096 + len) >> 8)) & 0xff); // the byte after: untouched
      expect(runs[0]![4095]).toBe((4095 * 131 + (4095 >> 8)) & 0xff); // the byte before: untouched
    });
  }

  it('refuses records that are not whole words, and a length that is not whole records', () => {
    expect(() => maskRecords(new Uint8Array(60), new Uint8Array(12), new Uint8Array(12))).toThrow(/cannot mask 60 bytes in records of 12/);
    expect(() => maskRecords(new Uint8Array(100), new Uint8Array(64), new Uint8Array(64))).toThrow(/cannot mask 100 bytes/);
    expect(() => maskRecords(new Uint8Array(64), new Uint8Array(64), new Uint8Array(8))).toThrow(/differ in length/);
  });
});
