// SPDX-License-Identifier: GPL-2.0-only
/*
 * Constants of the flattened devicetree (DTB) format, as laid down in the
 * Devicetree Specification v0.4, chapter 5 "Flattened Devicetree (DTB)
 * Format":
 *
 *   5.2  the header: ten big-endian u32 fields (version 17); version 16
 *        lacks the last one, size_dt_struct
 *   5.3  the memory reservation block: {u64 address, u64 size} pairs,
 *        8-byte aligned, ended by an all-zero pair
 *   5.4  the structure block: a stream of big-endian u32 tokens, each
 *        token and each piece of data aligned on 4 bytes
 *   5.5  the strings block: NUL-terminated property names, referenced by
 *        byte offset from the FDT_PROP tokens
 *
 * Everything in the blob is big-endian.
 */

export const FDT_MAGIC = 0xd00dfeed;

/** Tokens of the structure block (spec 5.4.1). */
export const FDT_BEGIN_NODE = 0x1;
export const FDT_END_NODE = 0x2;
export const FDT_PROP = 0x3;
export const FDT_NOP = 0x4;
export const FDT_END = 0x9;

/** The version this library writes, and the oldest one it still writes compatibly with. */
export const FDT_VERSION = 17;
export const FDT_LAST_COMP_VERSION = 16;
/** The oldest version the parser reads (no full paths in node names, no 8-byte property alignment). */
export const FDT_FIRST_READABLE_VERSION = 16;

/** Header sizes: version 16 ends after size_dt_strings, version 17 adds size_dt_struct. */
export const FDT_V16_HEADER_SIZE = 36;
export const FDT_V17_HEADER_SIZE = 40;

/** One memory reservation entry: u64 address, u64 size. */
export const FDT_RESERVE_ENTRY_SIZE = 16;

/** Byte offsets of the header fields. */
export const HDR = {
  magic: 0,
  totalsize: 4,
  offDtStruct: 8,
  offDtStrings: 12,
  offMemRsvmap: 16,
  version: 20,
  lastCompVersion: 24,
  bootCpuidPhys: 28,
  sizeDtStrings: 32,
  sizeDtStruct: 36,
} as const;

/** Rounds `n` up to a multiple of `align` (a power of two). */
export function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}
