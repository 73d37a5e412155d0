// SPDX-License-Identifier: GPL-2.0-only
/*
 * lib/fdt: a flattened devicetree (DTB, version 17) library, written
 * for this project from the Devicetree Specification v0.4, chapter 5
 * "Flattened Devicetree (DTB) Format" (and chapters 2-3 for the tree
 * conventions).
 *
 *   tree.ts    the DeviceTree model, path/alias/phandle/compatible lookup, edits
 *   values.ts  property value encoders and decoders (cells, u64, strings, reg)
 *   write.ts   writeFdt: DeviceTree -> DTB bytes
 *   parse.ts   parseFdt / readFdtHeader: DTB bytes -> DeviceTree, strictly checked
 *   dts.ts     formatDts: a DTS-like dump for humans
 *   errors.ts  FdtError, the only error thrown
 */

export { FdtError } from './errors';
export { FDT_MAGIC, FDT_VERSION, FDT_LAST_COMP_VERSION } from './format';
export * from './tree';
export * from './values';
export { writeFdt } from './write';
export { parseFdt, readFdtHeader, type FdtHeader } from './parse';
export { formatDts, formatPropValue } from './dts';
