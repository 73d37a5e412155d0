// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dtoverlay= lines of config.txt, as far as the model applies them.
 *
 * One effect of the overlays matters to memory, and is modelled: the
 * CMA size. The Raspberry Pi kernel's vc4-kms-v3d, vc4-kms-v3d-pi4,
 * vc4-fkms-v3d(-pi4) and cma overlays all include cma-overlay.dts, whose
 * fragment targets the base tree's `cma` node (/reserved-memory/
 * linux,cma, found through __symbols__) and sets its `size`: 256 MB by
 * default ("should be kept as is for backwards compatibility"), or the
 * value of one of its parameters (arch/arm/boot/dts/overlays/README,
 * rpi-5.10.y):
 *
 *   cma-512, cma-448, cma-384, cma-320, cma-256, cma-192, cma-128,
 *   cma-96, cma-64    CMA is that many MB
 *   cma-size=N        CMA is N bytes (4 MB aligned)
 *   cma-default       leave the base tree's size (the fragment is dropped)
 *
 * The uConsole's config.txt sets dtoverlay=vc4-kms-v3d-pi4,cma-384.
 * Parameters given on later dtparam= lines go to the overlay before them,
 * as the firmware does. Every other overlay, and every other parameter of
 * these, is not modelled: each is reported once in the firmware log and
 * otherwise ignored.
 */

import { encodeCells, findNode, getProp, decodeString, type DeviceTree, type FdtNode, setProp } from '../lib/fdt';
import type { DtDirective } from './config';

const CMA_OVERLAYS: ReadonlySet<string> = new Set(['cma', 'vc4-kms-v3d', 'vc4-kms-v3d-pi4', 'vc4-fkms-v3d', 'vc4-fkms-v3d-pi4']);
const CMA_MB: ReadonlySet<number> = new Set([512, 448, 384, 320, 256, 192, 128, 96, 64]);
const DEFAULT_MB = 256;
const SZ_4M = 0x40_0000;

/** The base tree's `cma` node: the __symbols__ label, else /reserved-memory/linux,cma. */
function cmaNode(tree: DeviceTree): FdtNode | undefined {
  const sym = findNode(tree, '/__symbols__');
  const label = sym && getProp(sym, 'cma');
  if (label) {
    const node = findNode(tree, decodeString(label));
    if (node) return node;
  }
  return findNode(tree, '/reserved-memory/linux,cma');
}

/** One overlay's CMA size from its parameters: bytes, 'default', or an error text. */
function cmaSize(params: string[], log: (line: string) => void, overlay: string): number | 'default' {
  let size: number | 'default' = DEFAULT_MB * 2 ** 20;
  for (const p of params) {
    const m = /^cma-(\d+)$/.exec(p);
    const eq = /^cma-size=(.*)$/.exec(p);
    if (m && CMA_MB.has(Number(m[1]))) size = Number(m[1]) * 2 ** 20;
    else if (p === 'cma-default') size = 'default';
    else if (eq) {
      const n = /^(0x[0-9a-f]+|\d+)$/i.test(eq[1]!) ? Number(eq[1]) : NaN;
      if (Number.isSafeInteger(n) && n > 0 && n % SZ_4M === 0 && n < 2 ** 32) size = n;
      else log(`dtoverlay ${overlay}: cma-size=${eq[1]} is not a 4 MB multiple below 4 GB (not applied)`);
    } else log(`dtoverlay ${overlay}: parameter ${p} not modelled (ignored)`);
  }
  return size;
}

/**
 * Apply the overlays of config.txt to `tree`: the CMA size, and a line in
 * the firmware log for each overlay (and parameter) not modelled.
 */
export function applyOverlays(tree: DeviceTree, dt: readonly DtDirective[], log: (line: string) => void): void {
  const reported = new Set<string>();
  const once = (line: string): void => {
    if (!reported.has(line)) {
      reported.add(line);
      log(line);
    }
  };
  // Parameters of each overlay line, with the dtparam= lines that follow it.
  const overlays: { name: string; params: string[] }[] = [];
  for (const d of dt) {
    if (d.kind === 'overlay') overlays.push({ name: d.name, params: [...d.params] });
    else if (d.target !== null) overlays.filter((o) => o.name === d.target).at(-1)?.params.push(...d.params);
  }
  for (const o of overlays) {
    if (!CMA_OVERLAYS.has(o.name)) {
      once(`dtoverlay=${o.name}: overlay not modelled (ignored)`);
      continue;
    }
    const size = cmaSize(o.params, once, o.name);
    if (size === 'default') continue;
    const node = cmaNode(tree);
    if (!node) {
      once(`dtoverlay ${o.name}: the device tree has no cma node (not applied)`);
      continue;
    }
    // As many cells as the node's size has (#size-cells of /reserved-memory).
    setProp(node, 'size', getProp(node, 'size')?.length === 8 ? encodeCells([Math.floor(size / 2 ** 32), size % 2 ** 32]) : encodeCells([size]));
    log(`dtoverlay ${o.name}: CMA size ${size / 2 ** 20} MB`);
  }
}
