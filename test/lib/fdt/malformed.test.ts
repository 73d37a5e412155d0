// SPDX-License-Identifier: GPL-2.0-only
// parseFdt on broken blobs: each defect gives its own one-line FdtError.
// Also valid blobs in unusual shapes (version 16, NOPs, other block order).

import { describe, expect, it } from 'vitest';
import { FdtError, findNode, parseFdt, writeFdt } from '../../../lib/fdt';
import { StructBuilder, TOK, buildBlob, patchU32, stringsBlock } from './blob-builder';
import { cm4Tree } from './cm4-tree';

const good = writeFdt(cm4Tree());
// Blobs from buildBlob without reservations: header 0x28, zero entry, structure block at 0x38.
const S = stringsBlock('compatible', 'reg');

function expectMalformed(blob: Uint8Array, message: RegExp): void {
  let err: unknown;
  try {
    parseFdt(blob);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(FdtError);
  expect((err as Error).message).toMatch(/^malformed DTB: /);
  expect((err as Error).message).toMatch(message);
  expect((err as Error).message).not.toContain('\n');
}

function withStruct(sb: StructBuilder, strings = S.bytes): Uint8Array {
  return buildBlob({ struct: sb.build(), strings });
}

describe('header defects', () => {
  it('bad magic', () => {
    expectMalformed(patchU32(good, 0, 0x12345678), /^malformed DTB: bad magic 0x12345678 \(expected 0xd00dfeed\)$/);
  });

  it('a buffer shorter than the header', () => {
    expectMalformed(good.subarray(0, 2), /buffer of 2 bytes is too short/);
    expectMalformed(good.subarray(0, 20), /buffer of 20 bytes is too short for a DTB header \(36 bytes\)/);
    expectMalformed(good.subarray(0, 38), /buffer of 38 bytes is too short for a DTB header \(40 bytes\)/);
  });

  it('totalsize larger than the buffer', () => {
    expectMalformed(good.subarray(0, good.length - 1), /totalsize 0x[0-9a-f]+ is larger than the buffer \(0x[0-9a-f]+ bytes\)/);
  });

  it('totalsize smaller than the header', () => {
    expectMalformed(patchU32(good, 4, 16), /totalsize 0x10 is smaller than the 40-byte header/);
  });

  it('version below 16', () => {
    expectMalformed(patchU32(good, 20, 15), /version 15 is too old \(this reader needs version 16 or later\)/);
  });

  it('last_comp_version newer than the reader', () => {
    expectMalformed(patchU32(good, 24, 18), /last_comp_version 18 is newer than this reader/);
  });

  it('block offsets inside the header, past totalsize or misaligned', () => {
    expectMalformed(patchU32(good, 8, 0x10), /structure block offset 0x10 lies inside the 40-byte header/);
    expectMalformed(patchU32(good, 8, good.length + 4), /structure block offset 0x[0-9a-f]+ is past totalsize/);
    expectMalformed(patchU32(good, 8, 0x4a), /structure block offset 0x4a is not 4-byte aligned/);
    expectMalformed(patchU32(good, 16, 0x2c), /memory reservation block offset 0x2c is not 8-byte aligned/);
    expectMalformed(patchU32(good, 12, good.length + 1), /strings block offset 0x[0-9a-f]+ is past totalsize/);
  });

  it('block sizes running past totalsize', () => {
    expectMalformed(patchU32(good, 36, good.length), /structure block \[0x48, 0x[0-9a-f]+\) runs past totalsize/);
    expectMalformed(patchU32(good, 32, 0x10000), /strings block \[0x[0-9a-f]+, 0x[0-9a-f]+\) runs past totalsize/);
  });

  it('a memory reservation block without its zero entry', () => {
    // Point the reservation block at the strings block's last 8-aligned bytes.
    const at = Math.floor((good.length - 8) / 8) * 8;
    const blob = patchU32(good, 16, at);
    for (let i = at; i < blob.length; i++) blob[i] = 0xff;
    expectMalformed(blob, /memory reservation block runs past totalsize 0x[0-9a-f]+ without a terminating zero entry/);
  });

  it('a reservation above 2^53', () => {
    const blob = buildBlob({ struct: new StructBuilder().begin('').end().fin().build(), strings: S.bytes, rsv: [[1n << 60n, 0x1000n]] });
    expectMalformed(blob, /memory reservation address 0x1000000000000000 at offset 0x28 exceeds 2\^53/);
  });
});

describe('structure block defects', () => {
  it('an unterminated node name', () => {
    const sb = new StructBuilder().word(TOK.BEGIN).raw(Buffer.from('abcdefgh', 'latin1'));
    expectMalformed(withStruct(sb), /unterminated node name at offset 0x3c/);
  });

  it('an unterminated property name in the strings block', () => {
    const strings = Uint8Array.from(Buffer.from('compatible', 'latin1'));
    const sb = new StructBuilder().begin('').prop(0, [1, 2, 3, 4]).end().fin();
    expectMalformed(withStruct(sb, strings), /unterminated property name at strings block offset 0x0/);
  });

  it('a property name offset outside the strings block', () => {
    const sb = new StructBuilder().begin('').prop(0x400, [1, 2, 3, 4]).end().fin();
    expectMalformed(withStruct(sb), /name offset 0x400 outside the strings block \(size 0xf\)/);
  });

  it('a bad token', () => {
    const sb = new StructBuilder().begin('').word(7).end().fin();
    expectMalformed(withStruct(sb), /bad token 0x7 at offset 0x40 in the structure block/);
  });

  it('a missing FDT_END', () => {
    expectMalformed(withStruct(new StructBuilder().begin('').begin('a').end().end()), /missing FDT_END: structure block ends at offset 0x[0-9a-f]+$/);
    expectMalformed(withStruct(new StructBuilder().begin('').begin('a')), /missing FDT_END: .* inside node \/a$/);
  });

  it('unbalanced nodes', () => {
    expectMalformed(withStruct(new StructBuilder().begin('').end().end().fin()), /FDT_END_NODE at offset 0x44 closes no node \(unbalanced nodes\)/);
    expectMalformed(withStruct(new StructBuilder().begin('').begin('cpus').begin('cpu@0').end().fin()), /FDT_END at offset 0x[0-9a-f]+ inside node \/cpus \(unbalanced nodes\)/);
  });

  it('no root node, or two', () => {
    expectMalformed(withStruct(new StructBuilder().nop().fin()), /FDT_END at offset 0x3c before any node \(no root node\)/);
    expectMalformed(withStruct(new StructBuilder().begin('').end().begin('').end().fin()), /second root node at offset 0x44/);
  });

  it('a property outside any node', () => {
    expectMalformed(withStruct(new StructBuilder().prop(S.off.reg ?? 0, [0, 0, 0, 1]).fin()), /property at offset 0x38 lies outside any node/);
  });

  it('a property after a child node', () => {
    const sb = new StructBuilder().begin('').begin('a').end().prop(0, [0x61, 0]).end().fin();
    expectMalformed(withStruct(sb), /property "compatible" at offset 0x[0-9a-f]+ follows a child node of \/ \(properties must come first\)/);
  });

  it('a duplicate property', () => {
    const sb = new StructBuilder().begin('').begin('soc').prop(0, [0x61, 0]).prop(0, [0x62, 0]).end().end().fin();
    expectMalformed(withStruct(sb), /duplicate property "compatible" in \/soc/);
  });

  it('a property value running past the structure block', () => {
    const sb = new StructBuilder().begin('').word(TOK.PROP).word(64).word(S.off.reg ?? 0).raw([1, 2, 3, 4]);
    expectMalformed(withStruct(sb), /property "reg" of \/ \(64 bytes at offset 0x[0-9a-f]+\) runs past the structure block end/);
  });
});

describe('valid blobs in unusual shapes', () => {
  it('reads version 16 (no size_dt_struct), NOPs anywhere and blocks in reverse order', () => {
    const sb = new StructBuilder()
      .nop()
      .begin('')
      .nop()
      .prop(S.off.compatible ?? 0, Buffer.from('brcm,bcm2711\0', 'latin1'))
      .nop()
      .begin('memory@0')
      .prop(S.off.reg ?? 0, [0, 0, 0, 0, 0, 0, 0, 0, 0x3b, 0x40, 0, 0])
      .end()
      .nop()
      .end()
      .nop()
      .fin();
    const blob = buildBlob({
      struct: sb.build(),
      strings: S.bytes,
      version: 16,
      rsv: [[0n, 0x1000n]],
      order: ['strings', 'struct', 'rsv'],
      bootCpuidPhys: 2,
    });
    const t = parseFdt(blob);
    expect(t.memReserve).toEqual([{ address: 0, size: 0x1000 }]);
    expect(t.bootCpuidPhys).toBe(2);
    expect(findNode(t, '/memory')?.props.get('reg')?.length).toBe(12);
    // Written back it is a plain version 17 blob with the same content.
    expect(parseFdt(writeFdt(t))).toEqual(t);
  });

  it('ignores bytes after totalsize and the rest of the structure block after FDT_END', () => {
    const padded = new Uint8Array(good.length + 64);
    padded.set(good);
    expect(parseFdt(padded)).toEqual(parseFdt(good));
  });

  it('reads a blob that is not at offset 0 of its ArrayBuffer', () => {
    const host = new Uint8Array(good.length + 3);
    host.set(good, 3);
    expect(parseFdt(host.subarray(3))).toEqual(parseFdt(good));
  });
});
