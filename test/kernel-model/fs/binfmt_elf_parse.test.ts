import { describe, expect, it } from 'vitest';
import { ExecFormatError, parseElf, PF_R, PF_W, PF_X, PT_GNU_STACK, PT_INTERP, PT_LOAD, ET_EXEC, type ExecFormatReason } from '../../../kernel-model/fs/binfmt_elf_parse';
import { writeElf } from '../../../images/elf';

/** A hand-made ELF64 header with `phdrs` program headers right after it. */
function elf(opts: { cls?: number; data?: number; type?: number; machine?: number; phentsize?: number; phdrs?: [number, number, number, number][]; tail?: Uint8Array } = {}): Uint8Array {
  const phdrs = opts.phdrs ?? [[PT_LOAD, PF_R | PF_X, 0, 0x100]];
  const b = new Uint8Array(64 + phdrs.length * 56 + (opts.tail?.length ?? 0) + 0x100);
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, opts.cls ?? 2, opts.data ?? 1, 1]);
  dv.setUint16(16, opts.type ?? 2, true);
  dv.setUint16(18, opts.machine ?? 183, true);
  dv.setBigUint64(24, 0x400078n, true);
  dv.setBigUint64(32, 64n, true);
  dv.setUint16(54, opts.phentsize ?? 56, true);
  dv.setUint16(56, phdrs.length, true);
  phdrs.forEach(([type, flags, off, size], i) => {
    const at = 64 + i * 56;
    dv.setUint32(at, type, true);
    dv.setUint32(at + 4, flags, true);
    dv.setBigUint64(at + 8, BigInt(off), true);
    dv.setBigUint64(at + 16, 0x400000n, true);
    dv.setBigUint64(at + 32, BigInt(size), true);
    dv.setBigUint64(at + 40, BigInt(size + 0x10), true);
    dv.setBigUint64(at + 48, 0x10000n, true);
  });
  if (opts.tail) b.set(opts.tail, 64 + phdrs.length * 56);
  return b;
}

function reasonOf(bytes: Uint8Array): [ExecFormatReason, string] {
  try {
    parseElf(bytes);
  } catch (e) {
    if (e instanceof ExecFormatError) return [e.reason, e.message];
    throw e;
  }
  throw new Error('parsed');
}

describe('parseElf', () => {
  it('reads the entry and the program headers of a static executable', () => {
    const img = parseElf(elf());
    expect(img).toMatchObject({ type: ET_EXEC, entry: 0x400078n, phoff: 64, phentsize: 56, phnum: 1 });
    expect(img.phdrs[0]).toEqual({ type: PT_LOAD, flags: PF_R | PF_X, offset: 0, vaddr: 0x400000n, filesz: 0x100, memsz: 0x110, align: 0x10000 });
    expect(img.interp).toBeUndefined();
  });

  it('says why a file is not one it runs', () => {
    expect(reasonOf(new TextEncoder().encode('#!/bin/sh\necho hi\n'))).toEqual(['not-elf', 'not an ELF file (no \\x7fELF magic)']);
    expect(reasonOf(elf({ cls: 1 }))[0]).toBe('elf32');
    expect(reasonOf(elf({ machine: 62 }))).toEqual(['not-aarch64', 'an ELF for machine 62, not AArch64 (183)']);
    expect(reasonOf(elf({ data: 2 }))[0]).toBe('not-aarch64');
    expect(reasonOf(elf({ type: 1 }))[1]).toMatch(/relocatable object/);
    expect(reasonOf(elf({ type: 4 }))[0]).toBe('not-executable');
    expect(reasonOf(elf({ phentsize: 32 }))[0]).toBe('not-executable');
    expect(reasonOf(elf({ phdrs: [[PT_GNU_STACK, PF_R | PF_W, 0, 0]] }))[1]).toBe('no PT_LOAD segment');
    expect(reasonOf(elf().subarray(0, 40))[0]).toBe('truncated');
    expect(reasonOf(elf().subarray(0, 100))[1]).toMatch(/^program headers at 64 run past the end/);
    expect(reasonOf(elf({ phdrs: [[PT_LOAD, PF_R, 0, 0x10000]] }))[1]).toMatch(/^segment 0 .* runs past the end of the file/);
  });

  it('refuses a dynamically linked executable unless asked, naming its interpreter', () => {
    const interp = new TextEncoder().encode('/lib/ld-linux-aarch64.so.1\0');
    const bytes = elf({ type: 3, phdrs: [[PT_INTERP, PF_R, 64 + 2 * 56, interp.length], [PT_LOAD, PF_R | PF_X, 0, 0x100]], tail: interp });
    expect(reasonOf(bytes)).toEqual(['dynamic', 'dynamically linked (interpreter /lib/ld-linux-aarch64.so.1); the model runs static executables only']);
    expect(parseElf(bytes, { allowInterp: true }).interp).toBe('/lib/ld-linux-aarch64.so.1');
  });

  it('reads what images/elf.ts writes', () => {
    const text = new Uint8Array([0x1f, 0x20, 0x03, 0xd5]);
    const bytes = writeElf(0x400000n, [{ vaddr: 0x400000n, data: text, perms: 'rx' }, { vaddr: 0x410000n, data: new Uint8Array(8), memsz: 0x2000, perms: 'rw' }]);
    const img = parseElf(bytes);
    expect(img.entry).toBe(0x400000n);
    expect(img.phdrs.map((p) => [p.type, p.flags, p.vaddr, p.filesz, p.memsz])).toEqual([
      [PT_LOAD, PF_R | PF_X, 0x400000n, 4, 4],
      [PT_LOAD, PF_R | PF_W, 0x410000n, 8, 0x2000],
      [PT_GNU_STACK, PF_R | PF_W, 0n, 0, 0],
    ]);
    expect(bytes.subarray(img.phdrs[0]!.offset, img.phdrs[0]!.offset + 4)).toEqual(text);
    expect(img.phdrs[0]!.offset % 0x1000).toBe(0);
  });
});
