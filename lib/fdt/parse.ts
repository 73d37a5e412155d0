// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading a flattened devicetree blob (DTB) into a DeviceTree.
 *
 * The parser follows the Devicetree Specification v0.4, chapter 5, and
 * reads any blob of version 16 or later whose last_comp_version it
 * understands (at most 17): it finds the blocks through the header offsets
 * (so any block order works), skips FDT_NOP tokens wherever they stand, and
 * walks the structure block with an explicit stack, so big or deep trees
 * are fine. Version 16 has no size_dt_struct: its structure block is taken
 * to run up to totalsize.
 *
 * It is strict, because a blob it accepts is handed to a kernel. Each
 * defect gives an FdtError "malformed DTB: ..." naming the offset:
 *   - header: buffer too short, bad magic, version < 16, last_comp_version
 *     > 17, totalsize beyond the buffer or below the header, a block
 *     offset inside the header, past totalsize or misaligned (8 bytes for
 *     the reservation block, 4 for the structure block);
 *   - reservation block: no terminating entry before totalsize, a value
 *     above 2^53 (addresses are numbers in this project);
 *   - structure block: unterminated node name, bad token, property outside
 *     a node or after a child node (5.4.2: properties come first), a
 *     duplicate property, a property name offset outside the strings block
 *     or a name without its NUL, a value running past the block,
 *     FDT_END_NODE without a node, FDT_END inside a node, a second root,
 *     no FDT_END.
 *
 * The reservation list ends at the first entry whose size is 0 (the spec's
 * terminator is all-zero; libfdt, and so Linux, stop at size 0).
 * Property values are copied out, so the tree does not alias the input.
 */

import { findNul, latin1 } from './bytes';
import { type FdtError, hex, hex32, malformed } from './errors';
import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_FIRST_READABLE_VERSION,
  FDT_MAGIC,
  FDT_NOP,
  FDT_PROP,
  FDT_RESERVE_ENTRY_SIZE,
  FDT_V16_HEADER_SIZE,
  FDT_V17_HEADER_SIZE,
  FDT_VERSION,
  HDR,
  alignUp,
} from './format';
import type { DeviceTree, FdtNode, MemReserveEntry } from './tree';

export interface FdtHeader {
  magic: number;
  totalsize: number;
  offDtStruct: number;
  offDtStrings: number;
  offMemRsvmap: number;
  version: number;
  lastCompVersion: number;
  bootCpuidPhys: number;
  sizeDtStrings: number;
  /** Absent before version 17. */
  sizeDtStruct: number | undefined;
  /** 36 bytes for version 16, 40 from version 17 on. */
  headerSize: number;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function tooShort(length: number, need: number): FdtError {
  return malformed(`buffer of ${length} bytes is too short for a DTB header (${need} bytes)`);
}

function checkMagic(dv: DataView): void {
  if (dv.byteLength < 4) throw tooShort(dv.byteLength, FDT_V16_HEADER_SIZE);
  const magic = dv.getUint32(HDR.magic);
  if (magic !== FDT_MAGIC)
    throw malformed(`bad magic ${hex32(magic)} (expected ${hex32(FDT_MAGIC)})`);
}

function checkVersions(version: number, lastComp: number): void {
  if (version < FDT_FIRST_READABLE_VERSION)
    throw malformed(`version ${version} is too old (this reader needs version ${FDT_FIRST_READABLE_VERSION} or later)`);
  if (lastComp > FDT_VERSION)
    throw malformed(`last_comp_version ${lastComp} is newer than this reader (version ${FDT_VERSION})`);
}

function checkBlockStart(label: string, offset: number, align: number, h: FdtHeader): void {
  if (offset < h.headerSize) throw malformed(`${label} offset ${hex(offset)} lies inside the ${h.headerSize}-byte header`);
  if (offset > h.totalsize) throw malformed(`${label} offset ${hex(offset)} is past totalsize ${hex(h.totalsize)}`);
  if (offset % align !== 0) throw malformed(`${label} offset ${hex(offset)} is not ${align}-byte aligned`);
}

function checkBlockEnd(label: string, offset: number, size: number, h: FdtHeader): void {
  if (offset + size > h.totalsize)
    throw malformed(`${label} [${hex(offset)}, ${hex(offset + size)}) runs past totalsize ${hex(h.totalsize)}`);
}

/** Reads and checks the header of the blob in `bytes`. */
export function readFdtHeader(bytes: Uint8Array): FdtHeader {
  const dv = viewOf(bytes);
  checkMagic(dv);
  if (dv.byteLength < FDT_V16_HEADER_SIZE) throw tooShort(dv.byteLength, FDT_V16_HEADER_SIZE);
  const version = dv.getUint32(HDR.version);
  const lastCompVersion = dv.getUint32(HDR.lastCompVersion);
  checkVersions(version, lastCompVersion);
  const headerSize = version >= 17 ? FDT_V17_HEADER_SIZE : FDT_V16_HEADER_SIZE;
  if (dv.byteLength < headerSize) throw tooShort(dv.byteLength, headerSize);
  const h: FdtHeader = {
    magic: FDT_MAGIC,
    totalsize: dv.getUint32(HDR.totalsize),
    offDtStruct: dv.getUint32(HDR.offDtStruct),
    offDtStrings: dv.getUint32(HDR.offDtStrings),
    offMemRsvmap: dv.getUint32(HDR.offMemRsvmap),
    version,
    lastCompVersion,
    bootCpuidPhys: dv.getUint32(HDR.bootCpuidPhys),
    sizeDtStrings: dv.getUint32(HDR.sizeDtStrings),
    sizeDtStruct: version >= 17 ? dv.getUint32(HDR.sizeDtStruct) : undefined,
    headerSize,
  };
  if (h.totalsize > dv.byteLength)
    throw malformed(`totalsize ${hex(h.totalsize)} is larger than the buffer (${hex(dv.byteLength)} bytes)`);
  if (h.totalsize < headerSize) throw malformed(`totalsize ${hex(h.totalsize)} is smaller than the ${headerSize}-byte header`);
  checkBlockStart('memory reservation block', h.offMemRsvmap, 8, h);
  checkBlockStart('structure block', h.offDtStruct, 4, h);
  checkBlockStart('strings block', h.offDtStrings, 1, h);
  if (h.sizeDtStruct !== undefined) checkBlockEnd('structure block', h.offDtStruct, h.sizeDtStruct, h);
  checkBlockEnd('strings block', h.offDtStrings, h.sizeDtStrings, h);
  return h;
}

function readU64Number(dv: DataView, at: number, what: string): number {
  const v = dv.getBigUint64(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(`${what} ${hex(v)} at offset ${hex(at)} exceeds 2^53`);
  return Number(v);
}

function readMemReserve(dv: DataView, h: FdtHeader): MemReserveEntry[] {
  const out: MemReserveEntry[] = [];
  for (let at = h.offMemRsvmap; ; at += FDT_RESERVE_ENTRY_SIZE) {
    if (at + FDT_RESERVE_ENTRY_SIZE > h.totalsize)
      throw malformed(`memory reservation block runs past totalsize ${hex(h.totalsize)} without a terminating zero entry`);
    if (dv.getBigUint64(at + 8) === 0n) return out;
    out.push({
      address: readU64Number(dv, at, 'memory reservation address'),
      size: readU64Number(dv, at + 8, 'memory reservation size'),
    });
  }
}

/** Property names by strings-block offset, read on demand. */
function stringsReader(bytes: Uint8Array, h: FdtHeader): (nameoff: number, at: number) => string {
  const cache = new Map<number, string>();
  const start = h.offDtStrings;
  const end = start + h.sizeDtStrings;
  return (nameoff, at) => {
    const known = cache.get(nameoff);
    if (known !== undefined) return known;
    if (nameoff >= h.sizeDtStrings)
      throw malformed(`property at offset ${hex(at)} has name offset ${hex(nameoff)} outside the strings block (size ${hex(h.sizeDtStrings)})`);
    const nul = findNul(bytes, start + nameoff, end);
    if (nul < 0) throw malformed(`unterminated property name at strings block offset ${hex(nameoff)}`);
    const name = latin1(bytes, start + nameoff, nul);
    cache.set(nameoff, name);
    return name;
  };
}

interface OpenNode {
  node: FdtNode;
  path: string;
  hasChild: boolean;
}

/** The structure-block walk: a cursor over tokens plus the stack of open nodes. */
class StructureReader {
  private pos: number;
  private readonly end: number;
  private readonly stack: OpenNode[] = [];
  private root: FdtNode | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly dv: DataView,
    h: FdtHeader,
    private readonly nameAt: (nameoff: number, at: number) => string,
  ) {
    this.pos = h.offDtStruct;
    this.end = h.sizeDtStruct !== undefined ? h.offDtStruct + h.sizeDtStruct : h.totalsize;
  }

  private u32(): number {
    if (this.pos + 4 > this.end) throw this.missingEnd();
    const v = this.dv.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  private missingEnd(): FdtError {
    const open = this.stack[this.stack.length - 1];
    const where = open ? ` inside node ${open.path}` : '';
    return malformed(`missing FDT_END: structure block ends at offset ${hex(this.end)}${where}`);
  }

  run(): FdtNode {
    for (;;) {
      const at = this.pos;
      const token = this.u32();
      switch (token) {
        case FDT_NOP:
          break;
        case FDT_BEGIN_NODE:
          this.beginNode(at);
          break;
        case FDT_END_NODE:
          if (!this.stack.pop()) throw malformed(`FDT_END_NODE at offset ${hex(at)} closes no node (unbalanced nodes)`);
          break;
        case FDT_PROP:
          this.property(at);
          break;
        case FDT_END:
          return this.finish(at);
        default:
          throw malformed(`bad token ${hex(token)} at offset ${hex(at)} in the structure block`);
      }
    }
  }

  private beginNode(at: number): void {
    const parent = this.stack[this.stack.length - 1];
    if (!parent && this.root) throw malformed(`second root node at offset ${hex(at)}`);
    const nul = findNul(this.bytes, this.pos, this.end);
    if (nul < 0) throw malformed(`unterminated node name at offset ${hex(this.pos)}`);
    const name = latin1(this.bytes, this.pos, nul);
    this.pos = alignUp(nul + 1, 4);
    const node: FdtNode = { name, props: new Map(), children: [] };
    if (parent) {
      parent.node.children.push(node);
      parent.hasChild = true;
    } else {
      this.root = node;
    }
    const path = !parent ? '/' : parent.path === '/' ? `/${name}` : `${parent.path}/${name}`;
    this.stack.push({ node, path, hasChild: false });
  }

  private property(at: number): void {
    const open = this.stack[this.stack.length - 1];
    if (!open) throw malformed(`property at offset ${hex(at)} lies outside any node`);
    const len = this.u32();
    const nameoff = this.u32();
    const name = this.nameAt(nameoff, at);
    if (this.pos + len > this.end)
      throw malformed(`property "${name}" of ${open.path} (${len} bytes at offset ${hex(this.pos)}) runs past the structure block end ${hex(this.end)}`);
    if (open.hasChild) throw malformed(`property "${name}" at offset ${hex(at)} follows a child node of ${open.path} (properties must come first)`);
    if (open.node.props.has(name)) throw malformed(`duplicate property "${name}" in ${open.path} at offset ${hex(at)}`);
    open.node.props.set(name, this.bytes.slice(this.pos, this.pos + len));
    this.pos = alignUp(this.pos + len, 4);
  }

  private finish(at: number): FdtNode {
    const open = this.stack[this.stack.length - 1];
    if (open) throw malformed(`FDT_END at offset ${hex(at)} inside node ${open.path} (unbalanced nodes)`);
    if (!this.root) throw malformed(`FDT_END at offset ${hex(at)} before any node (no root node)`);
    return this.root;
  }
}

/** Parses a DTB. Bytes after totalsize are ignored. */
export function parseFdt(bytes: Uint8Array): DeviceTree {
  const h = readFdtHeader(bytes);
  const dv = viewOf(bytes);
  const memReserve = readMemReserve(dv, h);
  const root = new StructureReader(bytes, dv, h, stringsReader(bytes, h)).run();
  return { root, memReserve, bootCpuidPhys: h.bootCpuidPhys };
}
