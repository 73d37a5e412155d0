// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one error class of the flattened-device-tree library.
 *
 * Every failure of lib/fdt (a malformed blob, a bad property value, a
 * path that names no node) is an FdtError whose message is one
 * self-explanatory line, so that the CLI can print it as it is:
 *
 *   malformed DTB: bad magic 0x12345678 (expected 0xd00dfeed)
 *
 * Messages about the blob itself start with "malformed DTB:" (see
 * `malformed`); messages about using the tree model do not.
 */

export class FdtError extends Error {
  override name = 'FdtError';
}

/** An FdtError for a blob that breaks the format: "malformed DTB: <what>". */
export function malformed(what: string): FdtError {
  return new FdtError(`malformed DTB: ${what}`);
}

/** `0x` followed by lower-case hex: the notation used in every message. */
export function hex(value: number | bigint): string {
  return `0x${value.toString(16)}`;
}

/** A 32-bit value as `0x` and exactly eight hex digits. */
export function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
