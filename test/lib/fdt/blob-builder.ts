// SPDX-License-Identifier: GPL-2.0-only
/*
 * Builds DTBs token by token for the parser tests, independently of
 * writeFdt, so that broken blobs (and valid ones in unusual shapes:
 * version 16, NOPs, blocks in another order) can be made at will. Layout
 * per the Devicetree Specification v0.4, chapter 5.
 */

export const TOK = { BEGIN: 1, END_NODE: 2, PROP: 3, NOP: 4, END: 9 } as const;

/** A structure block assembled from tokens. */
export class StructBuilder {
  private readonly bytes: number[] = [];

  word(v: number): this {
    this.bytes.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    return this;
  }

  raw(data: Iterable<number>): this {
    for (const b of data) this.bytes.push(b);
    return this;
  }

  pad(): this {
    while (this.bytes.length % 4 !== 0) this.bytes.push(0);
    return this;
  }

  begin(name: string): this {
    return this.word(TOK.BEGIN).raw(Buffer.from(`${name}\0`, 'latin1')).pad();
  }

  prop(nameoff: number, value: Iterable<number> = []): this {
    const v = [...value];
    return this.word(TOK.PROP).word(v.length).word(nameoff).raw(v).pad();
  }

  end(): this {
    return this.word(TOK.END_NODE);
  }

  nop(): this {
    return this.word(TOK.NOP);
  }

  fin(): this {
    return this.word(TOK.END);
  }

  build(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export interface BlobParts {
  struct: Uint8Array;
  strings: Uint8Array;
  /** {address, size} pairs, the terminator is added. */
  rsv?: [bigint, bigint][];
  version?: 16 | 17;
  /** Block order after the header. */
  order?: ('rsv' | 'struct' | 'strings')[];
  bootCpuidPhys?: number;
}

/** A complete blob from its parts, with a correct header. */
export function buildBlob(parts: BlobParts): Uint8Array {
  const version = parts.version ?? 17;
  const headerSize = version === 17 ? 40 : 36;
  const rsv = new Uint8Array(((parts.rsv?.length ?? 0) + 1) * 16);
  const rdv = new DataView(rsv.buffer);
  (parts.rsv ?? []).forEach(([a, s], i) => {
    rdv.setBigUint64(i * 16, a);
    rdv.setBigUint64(i * 16 + 8, s);
  });
  const blocks = { rsv, struct: parts.struct, strings: parts.strings };
  const offsets = { rsv: 0, struct: 0, strings: 0 };
  let at = headerSize;
  for (const name of parts.order ?? (['rsv', 'struct', 'strings'] as const)) {
    at = Math.ceil(at / 8) * 8;
    offsets[name] = at;
    at += blocks[name].length;
  }
  const blob = new Uint8Array(at);
  const dv = new DataView(blob.buffer);
  const fields = [
    0xd00dfeed,
    at,
    offsets.struct,
    offsets.strings,
    offsets.rsv,
    version,
    16,
    parts.bootCpuidPhys ?? 0,
    parts.strings.length,
    parts.struct.length,
  ];
  fields.slice(0, headerSize / 4).forEach((v, i) => dv.setUint32(i * 4, v));
  for (const name of ['rsv', 'struct', 'strings'] as const) blob.set(blocks[name], offsets[name]);
  return blob;
}

/** A strings block from names; returns the block and each name's offset. */
export function stringsBlock(...names: string[]): { bytes: Uint8Array; off: Record<string, number> } {
  const off: Record<string, number> = {};
  let text = '';
  for (const n of names) {
    off[n] = text.length;
    text += `${n}\0`;
  }
  return { bytes: Uint8Array.from(Buffer.from(text, 'latin1')), off };
}

/** Overwrites the big-endian u32 at `at` in a copy of `blob`. */
export function patchU32(blob: Uint8Array, at: number, value: number): Uint8Array {
  const copy = blob.slice();
  new DataView(copy.buffer).setUint32(at, value);
  return copy;
}
