// SPDX-License-Identifier: GPL-2.0-only
/*
 * A DTS-like text dump of a DeviceTree, for debugging and the CLI.
 *
 * The output follows the DTS source format (Devicetree Specification
 * v0.4, chapter 6) closely enough for dtc to compile it back:
 *
 *   /dts-v1/;
 *
 *   /memreserve/ 0x0000000000000000 0x0000000000001000;
 *
 *   / {
 *   	#address-cells = <0x2>;
 *   	compatible = "arm,pl011", "arm,primecell";
 *   	local-mac-address = [dc a6 32 00 00 01];
 *   	dma-coherent;
 *   };
 *
 * A DTB does not say what type a value has, so the shape is guessed the
 * way dtc's decompiler does: a value made of non-empty NUL-terminated
 * printable strings is shown as strings, a value whose length is a
 * multiple of 4 as <cells>, anything else as [bytes]. boot_cpuid_phys has
 * no DTS syntax and is shown as a comment when it is not 0.
 */

import type { DeviceTree, FdtNode } from './tree';

function isPrintable(c: number): boolean {
  return (c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** True when `value` is one or more non-empty, NUL-terminated printable strings. */
function looksLikeStrings(value: Uint8Array): boolean {
  if (value.length === 0 || value[value.length - 1] !== 0) return false;
  let runLength = 0;
  for (const c of value) {
    if (c === 0) {
      if (runLength === 0) return false;
      runLength = 0;
    } else if (!isPrintable(c)) {
      return false;
    } else {
      runLength++;
    }
  }
  return true;
}

const ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' };

function quote(bytes: Uint8Array): string {
  let s = '"';
  for (const c of bytes) s += ESCAPES[c] ?? String.fromCharCode(c);
  return `${s}"`;
}

function formatStrings(value: Uint8Array): string {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== 0) continue;
    parts.push(quote(value.subarray(start, i)));
    start = i + 1;
  }
  return parts.join(', ');
}

function formatCells(value: Uint8Array): string {
  const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const cells: string[] = [];
  for (let at = 0; at < value.length; at += 4) cells.push(`0x${dv.getUint32(at).toString(16)}`);
  return `<${cells.join(' ')}>`;
}

function formatBytes(value: Uint8Array): string {
  return `[${Array.from(value, (b) => b.toString(16).padStart(2, '0')).join(' ')}]`;
}

/** The right-hand side of `name = ...;` for a non-empty value. */
export function formatPropValue(value: Uint8Array): string {
  if (looksLikeStrings(value)) return formatStrings(value);
  if (value.length % 4 === 0) return formatCells(value);
  return formatBytes(value);
}

function formatProp(name: string, value: Uint8Array, indent: string): string {
  return value.length === 0 ? `${indent}${name};\n` : `${indent}${name} = ${formatPropValue(value)};\n`;
}

function u64Hex(n: number): string {
  return `0x${n.toString(16).padStart(16, '0')}`;
}

/** Opening line and properties of a node at `depth`. */
function openNode(node: FdtNode, depth: number): string {
  const indent = '\t'.repeat(depth);
  let s = `${indent}${depth === 0 ? '/' : node.name} {\n`;
  for (const [name, value] of node.props) s += formatProp(name, value, `${indent}\t`);
  return s;
}

function formatNodes(root: FdtNode): string {
  const parts: string[] = [openNode(root, 0)];
  const stack: { node: FdtNode; next: number }[] = [{ node: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { node: FdtNode; next: number };
    const child = top.node.children[top.next++];
    if (child) {
      parts.push('\n', openNode(child, stack.length));
      stack.push({ node: child, next: 0 });
    } else {
      stack.pop();
      parts.push(`${'\t'.repeat(stack.length)}};\n`);
    }
  }
  return parts.join('');
}

export function formatDts(tree: DeviceTree): string {
  let s = '/dts-v1/;\n';
  if (tree.bootCpuidPhys !== 0) s += `// boot_cpuid_phys: 0x${tree.bootCpuidPhys.toString(16)}\n`;
  s += '\n';
  for (const r of tree.memReserve) s += `/memreserve/ ${u64Hex(r.address)} ${u64Hex(r.size)};\n`;
  if (tree.memReserve.length > 0) s += '\n';
  return s + formatNodes(tree.root);
}
