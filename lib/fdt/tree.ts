// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-memory device tree and the operations the firmware model needs on
 * it: look nodes up by path, alias or phandle, find them by `compatible`,
 * read and edit properties, add and remove nodes.
 *
 * The model follows the Devicetree Specification v0.4: chapter 2 for node
 * names (`name@unit-address`), paths, aliases, phandles and the
 * #address-cells/#size-cells rules, chapter 5 for what a blob carries
 * besides the tree (the memory reservation list and boot_cpuid_phys).
 *
 *   - A node is { name, props, children }. `props` is a Map, so properties
 *     keep the order they were read or set in, and writing a parsed tree
 *     gives back the same blob. A node has no parent pointer: operations
 *     that need the parent (reg decoding) walk from the root.
 *   - The root's name is "" (spec 5.4.1: version 16 and later).
 *   - Paths are absolute ("/cpus/cpu@1"). A component may leave out the
 *     unit address ("/memory") when exactly one child has that base name;
 *     an exact name always wins, and an ambiguous one is an error. A path
 *     that does not start with "/" starts with an alias from /aliases
 *     (spec 3.3), as in Linux's of_find_node_by_path.
 *
 * Walks are iterative, so trees of any depth are fine.
 */

import { FdtError, hex } from './errors';
import {
  DEFAULT_ADDRESS_CELLS,
  DEFAULT_SIZE_CELLS,
  type RegEntry,
  decodeReg,
  decodeString,
  decodeStringList,
  decodeU32,
  encodeU32,
} from './values';

export interface FdtNode {
  /** `name` or `name@unit-address`; "" for the root. */
  name: string;
  /** Property values by name, in blob order. */
  props: Map<string, Uint8Array>;
  children: FdtNode[];
}

export interface MemReserveEntry {
  address: number;
  size: number;
}

export interface DeviceTree {
  root: FdtNode;
  /** The memory reservation block (/memreserve/ in DTS), in order. */
  memReserve: MemReserveEntry[];
  /** The header's boot_cpuid_phys: the `reg` of the boot CPU node. */
  bootCpuidPhys: number;
}

/** A node found by a walk or a lookup, with its absolute path and its parent (none for the root). */
export interface NodeEntry {
  path: string;
  node: FdtNode;
  parent: FdtNode | undefined;
}

export function createNode(name: string, props?: Iterable<readonly [string, Uint8Array]>): FdtNode {
  return { name, props: new Map(props), children: [] };
}

export function createTree(): DeviceTree {
  return { root: createNode(''), memReserve: [], bootCpuidPhys: 0 };
}

/** The part of a node name before "@". */
export function nodeBaseName(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

/** The part of a node name after "@", or undefined when there is none. */
export function nodeUnitAddress(name: string): string | undefined {
  const at = name.indexOf('@');
  return at < 0 ? undefined : name.slice(at + 1);
}

// ---------------------------------------------------------------- properties

export function getProp(node: FdtNode, name: string): Uint8Array | undefined {
  return node.props.get(name);
}

export function hasProp(node: FdtNode, name: string): boolean {
  return node.props.has(name);
}

function checkPropName(name: string): void {
  if (name.length === 0) throw new FdtError('property name is empty');
  if (name.includes('\0')) throw new FdtError(`property name ${JSON.stringify(name)} contains NUL`);
}

/** Sets a property; a new one goes after the existing ones, an existing one keeps its place. */
export function setProp(node: FdtNode, name: string, value: Uint8Array): void {
  checkPropName(name);
  node.props.set(name, value);
}

export function deleteProp(node: FdtNode, name: string): boolean {
  return node.props.delete(name);
}

// --------------------------------------------------------------------- nodes

function checkNodeName(name: string): void {
  if (name.length === 0) throw new FdtError('node name is empty');
  if (name.includes('/') || name.includes('\0'))
    throw new FdtError(`node name ${JSON.stringify(name)} contains "/" or NUL`);
}

/** Adds a child named `name` (which must not exist yet) and returns it. */
export function addNode(parent: FdtNode, name: string, props?: Iterable<readonly [string, Uint8Array]>): FdtNode {
  checkNodeName(name);
  if (parent.children.some((c) => c.name === name))
    throw new FdtError(`node ${JSON.stringify(parent.name || '/')} already has a child named ${JSON.stringify(name)}`);
  const child = createNode(name, props);
  for (const [k] of child.props) checkPropName(k);
  parent.children.push(child);
  return child;
}

/** Removes the child named exactly `name`; true when there was one. */
export function removeNode(parent: FdtNode, name: string): boolean {
  const i = parent.children.findIndex((c) => c.name === name);
  if (i < 0) return false;
  parent.children.splice(i, 1);
  return true;
}

/**
 * The child called `name`: an exact match, else the only child whose base
 * name is `name` when `name` has no unit address. Undefined when none;
 * FdtError when the base name matches several children.
 */
export function findChild(parent: FdtNode, name: string, where = ''): FdtNode | undefined {
  const exact = parent.children.find((c) => c.name === name);
  if (exact || name.includes('@')) return exact;
  const byBase = parent.children.filter((c) => nodeBaseName(c.name) === name);
  if (byBase.length > 1)
    throw new FdtError(`path ${where || name} is ambiguous: ${name} matches ${byBase.map((c) => c.name).join(', ')}`);
  return byBase[0];
}

type TreeOrRoot = DeviceTree | FdtNode;

function rootOf(t: TreeOrRoot): FdtNode {
  return 'root' in t ? t.root : t;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((c) => c.length > 0);
}

/** The absolute path an alias stands for, from /aliases. */
function resolveAlias(root: FdtNode, alias: string): string | undefined {
  const aliases = findChild(root, 'aliases');
  const value = aliases?.props.get(alias);
  if (!value) return undefined;
  const target = decodeString(value, `alias "${alias}"`);
  if (!target.startsWith('/')) throw new FdtError(`alias "${alias}" is ${JSON.stringify(target)}, not an absolute path`);
  return target;
}

/** Turns an alias-relative path ("serial0/foo") into an absolute one; undefined for an unknown alias. */
function absolutePath(root: FdtNode, path: string): string | undefined {
  if (path.startsWith('/')) return path;
  const slash = path.indexOf('/');
  const alias = slash < 0 ? path : path.slice(0, slash);
  const target = resolveAlias(root, alias);
  if (target === undefined) return undefined;
  return slash < 0 ? target : `${target}/${path.slice(slash + 1)}`;
}

/** The node and its parent at `path`, or undefined. */
export function lookupNode(tree: TreeOrRoot, path: string): NodeEntry | undefined {
  const root = rootOf(tree);
  const abs = absolutePath(root, path);
  if (abs === undefined) return undefined;
  let node = root;
  let parent: FdtNode | undefined;
  let walked = '';
  for (const part of splitPath(abs)) {
    const child = findChild(node, part, `${walked}/${part}`);
    if (!child) return undefined;
    parent = node;
    node = child;
    walked = `${walked}/${child.name}`;
  }
  return { path: walked || '/', node, parent };
}

export function findNode(tree: TreeOrRoot, path: string): FdtNode | undefined {
  return lookupNode(tree, path)?.node;
}

/** Like findNode, but a missing node is an FdtError. */
export function getNode(tree: TreeOrRoot, path: string): FdtNode {
  const node = findNode(tree, path);
  if (!node) throw new FdtError(`no node at ${path} in the device tree`);
  return node;
}

/** The node at an absolute `path`, creating missing nodes on the way (like `mkdir -p`). */
export function ensureNode(tree: TreeOrRoot, path: string): FdtNode {
  if (!path.startsWith('/')) throw new FdtError(`ensureNode needs an absolute path, got ${JSON.stringify(path)}`);
  let node = rootOf(tree);
  for (const part of splitPath(path)) node = findChild(node, part, path) ?? addNode(node, part);
  return node;
}

/** Every node in depth-first pre-order (the order of the blob), root first. */
export function* walkNodes(tree: TreeOrRoot): Generator<NodeEntry> {
  const root = rootOf(tree);
  const stack: NodeEntry[] = [{ path: '/', node: root, parent: undefined }];
  while (stack.length > 0) {
    const entry = stack.pop() as NodeEntry;
    yield entry;
    const prefix = entry.path === '/' ? '' : entry.path;
    for (let i = entry.node.children.length - 1; i >= 0; i--) {
      const child = entry.node.children[i] as FdtNode;
      stack.push({ path: `${prefix}/${child.name}`, node: child, parent: entry.node });
    }
  }
}

/** The nodes whose `compatible` list contains `compatible`, in tree order. */
export function findCompatible(tree: TreeOrRoot, compatible: string): NodeEntry[] {
  const out: NodeEntry[] = [];
  for (const entry of walkNodes(tree)) {
    const value = entry.node.props.get('compatible');
    if (value && decodeStringList(value, `compatible of ${entry.path}`).includes(compatible)) out.push(entry);
  }
  return out;
}

// ------------------------------------------------------------------ phandles

/** A node's phandle from `phandle` or the older `linux,phandle`, or undefined. */
export function getPhandle(node: FdtNode): number | undefined {
  const value = node.props.get('phandle') ?? node.props.get('linux,phandle');
  return value ? decodeU32(value, `phandle of node ${JSON.stringify(node.name || '/')}`) : undefined;
}

export function findByPhandle(tree: TreeOrRoot, phandle: number): NodeEntry | undefined {
  for (const entry of walkNodes(tree)) if (getPhandle(entry.node) === phandle) return entry;
  return undefined;
}

/** The largest phandle in use, 0 when none. */
export function maxPhandle(tree: TreeOrRoot): number {
  let max = 0;
  for (const { node } of walkNodes(tree)) {
    const ph = getPhandle(node);
    if (ph !== undefined && ph !== 0xffffffff && ph > max) max = ph;
  }
  return max;
}

/** Gives `node` a phandle (one above the largest in use) unless it has one; returns it. */
export function ensurePhandle(tree: TreeOrRoot, node: FdtNode): number {
  const existing = getPhandle(node);
  if (existing !== undefined) return existing;
  const next = maxPhandle(tree) + 1;
  if (next >= 0xffffffff) throw new FdtError(`no phandle left (largest in use is ${hex(next - 1)})`);
  setProp(node, 'phandle', encodeU32(next));
  return next;
}

// ----------------------------------------------------------------------- reg

/** A node's #address-cells (what its children's `reg` use), default 2. */
export function addressCellsOf(node: FdtNode): number {
  const v = node.props.get('#address-cells');
  return v ? decodeU32(v, '#address-cells') : DEFAULT_ADDRESS_CELLS;
}

/** A node's #size-cells (what its children's `reg` use), default 1. */
export function sizeCellsOf(node: FdtNode): number {
  const v = node.props.get('#size-cells');
  return v ? decodeU32(v, '#size-cells') : DEFAULT_SIZE_CELLS;
}

/** The decoded `reg` of the node at `path`, using its parent's cell counts; [] when it has no `reg`. */
export function getReg(tree: TreeOrRoot, path: string): RegEntry[] {
  const entry = lookupNode(tree, path);
  if (!entry) throw new FdtError(`no node at ${path} in the device tree`);
  const value = entry.node.props.get('reg');
  if (!value) return [];
  if (!entry.parent) throw new FdtError('the root node has no parent to give #address-cells for its reg');
  return decodeReg(value, addressCellsOf(entry.parent), sizeCellsOf(entry.parent), `reg of ${entry.path}`);
}

// ---------------------------------------------------------------------- copy

export function cloneNode(node: FdtNode): FdtNode {
  const copy = createNode(node.name, [...node.props].map(([k, v]) => [k, v.slice()] as const));
  const stack: [FdtNode, FdtNode][] = [[node, copy]];
  while (stack.length > 0) {
    const [from, to] = stack.pop() as [FdtNode, FdtNode];
    for (const child of from.children) {
      const c = createNode(child.name, [...child.props].map(([k, v]) => [k, v.slice()] as const));
      to.children.push(c);
      stack.push([child, c]);
    }
  }
  return copy;
}

export function cloneTree(tree: DeviceTree): DeviceTree {
  return {
    root: cloneNode(tree.root),
    memReserve: tree.memReserve.map((r) => ({ ...r })),
    bootCpuidPhys: tree.bootCpuidPhys,
  };
}
