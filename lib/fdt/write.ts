// SPDX-License-Identifier: GPL-2.0-only
/*
 * Serialising a DeviceTree into a flattened devicetree blob, version 17.
 *
 * Layout (Devicetree Specification v0.4, 5.1 and figure 5.1), the same one
 * dtc produces, with no free space at the end:
 *
 *   0x00  header (40 bytes, 5.2)
 *   0x28  memory reservation block (5.3): 16-byte entries, then a zero
 *         entry; 0x28 is already 8-byte aligned
 *         structure block (5.4): FDT_BEGIN_NODE + padded name, FDT_PROP +
 *         len + nameoff + padded value, ..., FDT_END_NODE, and finally
 *         FDT_END; every token 4-byte aligned
 *         strings block (5.5): the property names
 *
 * Property names are stored once. Like dtc and libfdt, a name that is the
 * tail of a name already stored ("phandle" in "linux,phandle") points into
 * that one, and names are added in the order the properties are written
 * (depth-first, properties before children). With that, parse -> write of
 * a dtc-built blob gives back the same bytes.
 *
 * A reservation entry of size 0 is refused: readers (libfdt, and so Linux)
 * stop the list at the first entry whose size is 0.
 */

import { ByteWriter, latin1Z } from './bytes';
import { FdtError, hex } from './errors';
import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_LAST_COMP_VERSION,
  FDT_MAGIC,
  FDT_PROP,
  FDT_V17_HEADER_SIZE,
  FDT_VERSION,
} from './format';
import type { DeviceTree, FdtNode, MemReserveEntry } from './tree';

/** The strings block under construction, sharing tails like dtc. */
class StringTable {
  private readonly at = new Map<string, number>();
  private readonly out = new ByteWriter();

  offsetOf(name: string): number {
    const known = this.at.get(name);
    if (known !== undefined) return known;
    const start = this.out.length;
    this.out.bytes(latin1Z(name, 'property name'));
    for (let i = 0; i <= name.length; i++) {
      const tail = name.slice(i);
      if (!this.at.has(tail)) this.at.set(tail, start + i);
    }
    return start;
  }

  finish(): Uint8Array {
    return this.out.finish();
  }
}

function checkU64(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new FdtError(`${what} ${value} is not a non-negative integer below 2^53`);
}

function memReserveBlock(entries: readonly MemReserveEntry[]): Uint8Array {
  const out = new ByteWriter();
  entries.forEach((e, i) => {
    checkU64(e.address, `memory reservation ${i}: address`);
    checkU64(e.size, `memory reservation ${i}: size`);
    if (e.size === 0)
      throw new FdtError(`memory reservation ${i} at ${hex(e.address)} has size 0, which would end the list early`);
    out.u64(e.address);
    out.u64(e.size);
  });
  out.u64(0);
  out.u64(0);
  return out.finish();
}

function beginNode(out: ByteWriter, node: FdtNode, strings: StringTable): void {
  out.u32(FDT_BEGIN_NODE);
  out.bytes(latin1Z(node.name, 'node name'));
  out.pad(4);
  for (const [name, value] of node.props) {
    out.u32(FDT_PROP);
    out.u32(value.length);
    out.u32(strings.offsetOf(name));
    out.bytes(value);
    out.pad(4);
  }
}

/** The structure block, filling `strings` on the way (iterative pre-order walk). */
function structureBlock(root: FdtNode, strings: StringTable): Uint8Array {
  const out = new ByteWriter();
  const stack: { node: FdtNode; next: number }[] = [{ node: root, next: 0 }];
  beginNode(out, root, strings);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { node: FdtNode; next: number };
    const child = top.node.children[top.next++];
    if (child) {
      beginNode(out, child, strings);
      stack.push({ node: child, next: 0 });
    } else {
      out.u32(FDT_END_NODE);
      stack.pop();
    }
  }
  out.u32(FDT_END);
  return out.finish();
}

function header(fields: {
  totalsize: number;
  offDtStruct: number;
  offDtStrings: number;
  offMemRsvmap: number;
  bootCpuidPhys: number;
  sizeDtStrings: number;
  sizeDtStruct: number;
}): Uint8Array {
  const out = new ByteWriter();
  for (const v of [
    FDT_MAGIC,
    fields.totalsize,
    fields.offDtStruct,
    fields.offDtStrings,
    fields.offMemRsvmap,
    FDT_VERSION,
    FDT_LAST_COMP_VERSION,
    fields.bootCpuidPhys,
    fields.sizeDtStrings,
    fields.sizeDtStruct,
  ])
    out.u32(v);
  return out.finish();
}

export function writeFdt(tree: DeviceTree): Uint8Array {
  const boot = tree.bootCpuidPhys;
  if (!Number.isInteger(boot) || boot < 0 || boot > 0xffffffff)
    throw new FdtError(`boot_cpuid_phys ${boot} does not fit 32 bits`);
  const rsv = memReserveBlock(tree.memReserve);
  const strings = new StringTable();
  const struct = structureBlock(tree.root, strings);
  const str = strings.finish();
  const offMemRsvmap = FDT_V17_HEADER_SIZE;
  const offDtStruct = offMemRsvmap + rsv.length;
  const offDtStrings = offDtStruct + struct.length;
  const totalsize = offDtStrings + str.length;
  if (totalsize > 0xffffffff) throw new FdtError(`device tree of ${totalsize} bytes is too large for a DTB`);
  const blob = new Uint8Array(totalsize);
  blob.set(
    header({
      totalsize,
      offDtStruct,
      offDtStrings,
      offMemRsvmap,
      bootCpuidPhys: boot,
      sizeDtStrings: str.length,
      sizeDtStruct: struct.length,
    }),
    0,
  );
  blob.set(rsv, offMemRsvmap);
  blob.set(struct, offDtStruct);
  blob.set(str, offDtStrings);
  return blob;
}

