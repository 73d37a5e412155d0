// SPDX-License-Identifier: GPL-2.0-only
/*
 * The firmware stage, modelled on the Raspberry Pi GPU firmware (start4.elf)
 * as the Raspberry Pi documentation describes its boot flow
 * (asciidoc/computers/raspberry-pi/boot-eeprom.adoc, config_txt/boot.adoc)
 * and the armstubs (raspberrypi/tools armstubs/armstub8.S) show it:
 *
 *  1. read config.txt from the boot partition (optional, defaults apply);
 *  2. read the kernel (kernel8.img), check the arm64 Image header and load
 *     it text_offset bytes above a 2 MiB-aligned base (kernel_address);
 *  3. read the DTB (device_tree=, or the board's), fill what only the
 *     firmware knows: /memory for the configured RAM less the GPU split,
 *     /chosen/bootargs from cmdline.txt, every cpu's
 *     enable-method = "spin-table" and cpu-release-addr, a /memreserve/
 *     for the stub page; place it in RAM (8-byte aligned, at most 2 MiB);
 *  4. place the armstub at the start of RAM, check its magic, clear the
 *     magic word (it becomes spin_cpu3), write dtb_ptr32/kernel_entry32;
 *  5. release the cores: all start in the armstub, the primary jumps to
 *     the kernel, the others spin on their release slot.
 *
 * The other boards (RK3399, H6) boot through U-Boot and ATF with PSCI on
 * real hardware; the model boots them through this same stage.
 */

import { SZ_2M } from '../lib/sizes';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from '../emulator/machine';
import type { MemRange } from '../emulator/board/profile';
import {
  encodeReg, encodeString, encodeU64, ensureNode, FdtError, parseFdt, setProp, writeFdt, walkNodes, decodeU32,
  decodeString, type DeviceTree, addressCellsOf, sizeCellsOf,
} from '../lib/fdt';
import { readBootConfig, type BootConfig } from './config';

export class FirmwareError extends Error {
  override name = 'FirmwareError';
}

export interface FirmwareOptions {
  /** The boot partition: config.txt, cmdline.txt, kernel8.img, the DTB, armstub8.bin. */
  bootDir: string;
  /** Replaces the contents of cmdline.txt. */
  cmdline?: string;
  /** A DTB file to use instead of the one config.txt names. */
  dtbPath?: string;
}

/** What the firmware hands over, and what it did (its log). */
export interface FirmwareHandoff {
  config: BootConfig;
  cmdline: string;
  memory: MemRange[];
  kernelPa: number;
  kernelSize: number;
  dtbPa: number;
  dtbSize: number;
  armstubPa: number;
  /** The tree as written to RAM. */
  tree: DeviceTree;
  log: string[];
}

const IMAGE_MAGIC = 0x644d5241; // "ARM\x64" at offset 0x38
const DTB_MAX = SZ_2M;
const STUB_MAGIC = 0x5afe570b;
const STUB_MAGIC_OFF = 0xf0;
const STUB_DTB_PTR = 0xf8;
const STUB_KERNEL_ENTRY = 0xfc;
const STUB_SIZE = 0x1000;

const hex = (n: number): string => `0x${n.toString(16)}`;

function readBootFile(dir: string, name: string, what: string): Uint8Array {
  const path = join(dir, name);
  if (!existsSync(path)) throw new FirmwareError(`boot partition ${dir} has no ${what} (${name})`);
  return new Uint8Array(readFileSync(path));
}

interface ImageHeader {
  textOffset: number;
  imageSize: number;
}

/** Check and read the arm64 Image header (Documentation/arm64/booting.rst). */
export function parseImageHeader(img: Uint8Array, name = 'kernel image'): ImageHeader {
  if (img.length < 64) throw new FirmwareError(`${name} is too short for an arm64 Image header (${img.length} bytes)`);
  const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
  const magic = dv.getUint32(0x38, true);
  if (magic !== IMAGE_MAGIC) throw new FirmwareError(`${name} is not an arm64 Image (magic ${hex(magic)}, expected ${hex(IMAGE_MAGIC)})`);
  const flags = Number(dv.getBigUint64(0x18, true));
  if (flags & 1) throw new FirmwareError(`${name} is big-endian; the uConsole runs little-endian`);
  const pageSize = (flags >> 1) & 3;
  if (pageSize !== 0 && pageSize !== 1) throw new FirmwareError(`${name} wants ${pageSize === 2 ? '16K' : '64K'} pages; the model has 4K`);
  return { textOffset: Number(dv.getBigUint64(8, true)), imageSize: Number(dv.getBigUint64(0x10, true)) || img.length };
}

function loadKernel(m: Machine, cfg: BootConfig, dir: string, memory: MemRange[], log: string[]): { pa: number; size: number } {
  const img = readBootFile(dir, cfg.kernel, 'kernel image');
  const hdr = parseImageHeader(img, cfg.kernel);
  const base = cfg.kernelAddress ?? m.board.kernelLoadAddress;
  const pa = base - (base % SZ_2M) + hdr.textOffset;
  const size = Math.max(hdr.imageSize, img.length);
  if (!memory.some((r) => pa >= r.base && pa + size <= r.base + r.size))
    throw new FirmwareError(`${cfg.kernel} (${hex(size)} bytes at ${hex(pa)}) does not fit in RAM`);
  m.ram.fill(pa, size, 0);
  m.loadCode(pa, img);
  log.push(`Loaded '${cfg.kernel}' to ${hex(pa)} size ${hex(img.length)}`);
  return { pa, size };
}

function readTree(path: string): DeviceTree {
  if (!existsSync(path)) throw new FirmwareError(`device tree ${path} not found`);
  if (!statSync(path).isFile()) throw new FirmwareError(`device tree ${path} is not a file`);
  try {
    return parseFdt(new Uint8Array(readFileSync(path)));
  } catch (e) {
    if (e instanceof FdtError) throw new FirmwareError(`${path}: ${e.message}`);
    throw e;
  }
}

/** /memory: the first node with device_type = "memory", or a new memory@<base>. */
function fillMemory(tree: DeviceTree, memory: MemRange[]): void {
  let node = [...walkNodes(tree)].find((e) => {
    const t = e.node.props.get('device_type');
    return t !== undefined && decodeString(t) === 'memory';
  })?.node;
  node ??= ensureNode(tree, `/memory@${memory[0]!.base.toString(16)}`);
  setProp(node, 'device_type', encodeString('memory'));
  setProp(node, 'reg', encodeReg(memory.map((r) => ({ address: r.base, size: r.size })), addressCellsOf(tree.root), sizeCellsOf(tree.root)));
}

/** Every /cpus/cpu@N gets the spin-table method and its core's release slot. */
function fillCpus(m: Machine, tree: DeviceTree, armstubPa: number): void {
  const cpus = [...walkNodes(tree)].filter((e) => e.path.startsWith('/cpus/cpu@'));
  if (cpus.length === 0) throw new FirmwareError('device tree has no /cpus/cpu@N nodes');
  for (const { node, path } of cpus) {
    const regProp = node.props.get('reg');
    if (!regProp) throw new FirmwareError(`${path} has no reg`);
    const reg = decodeU32(regProp, `reg of ${path}`);
    const index = m.cores.findIndex((c) => (c.mpidr & 0x00ff_ffff) === reg);
    if (index < 0) throw new FirmwareError(`${path}: no core with MPIDR affinity ${hex(reg)} on ${m.board.name}`);
    setProp(node, 'enable-method', encodeString('spin-table'));
    setProp(node, 'cpu-release-addr', encodeU64(armstubPa + m.board.spinTable[index]!));
  }
}

/** Put the DTB high in the first RAM range, as the Pi firmware does (observed: 0x2eff2c00). */
function placeDtb(m: Machine, blob: Uint8Array, memory: MemRange[], kernelEnd: number): number {
  if (blob.length > DTB_MAX) throw new FirmwareError(`device tree is ${blob.length} bytes; the arm64 boot protocol allows 2 MiB`);
  const first = memory[0]!;
  const pa = Math.floor((first.base + first.size - 0x0100_0000 - blob.length) / 8) * 8;
  if (pa < kernelEnd) throw new FirmwareError('no room for the device tree above the kernel');
  m.ram.write(pa, blob);
  return pa;
}

function loadArmstub(m: Machine, cfg: BootConfig, dir: string, dtbPa: number, kernelPa: number, log: string[]): number {
  const stub = readBootFile(dir, cfg.armstub, 'armstub');
  if (stub.length > STUB_SIZE) throw new FirmwareError(`${cfg.armstub} is larger than its page (${stub.length} bytes)`);
  const pa = m.board.ramBase;
  m.ram.fill(pa, STUB_SIZE, 0);
  m.ram.write(pa, stub);
  if (m.ram.u32(pa + STUB_MAGIC_OFF) !== STUB_MAGIC) throw new FirmwareError(`${cfg.armstub} has no stub magic at ${hex(STUB_MAGIC_OFF)}`);
  m.ram.setU64(pa + STUB_MAGIC_OFF, 0n); // now spin_cpu3
  m.ram.setU32(pa + STUB_DTB_PTR, dtbPa);
  m.ram.setU32(pa + STUB_KERNEL_ENTRY, kernelPa);
  m.codeChanged(pa, STUB_SIZE);
  log.push(`Loaded '${cfg.armstub}' to ${hex(pa)} size ${hex(stub.length)}`);
  return pa;
}

/** Release every core into the armstub; each waits on its own spin-table slot. */
function releaseCores(m: Machine, armstubPa: number): void {
  for (const core of m.cores) {
    core.wfeWatch = { pa: armstubPa + m.board.spinTable[core.index]!, value: 0n };
    m.start(core.index, BigInt(armstubPa));
  }
}

/** Run the firmware stage on a freshly built machine. */
export function firmwareBoot(m: Machine, opts: FirmwareOptions): FirmwareHandoff {
  const log: string[] = [];
  const dir = opts.bootDir;
  if (!existsSync(dir)) throw new FirmwareError(`boot partition ${dir} does not exist (run "npm run build")`);
  const cfg = readBootConfig(dir, m.board, m.ramBytes);
  if (!cfg.arm64bit) throw new FirmwareError('config.txt sets arm_64bit=0; the model boots 64-bit kernels only');
  const cmdline = opts.cmdline ?? (existsSync(join(dir, cfg.cmdlineFile)) ? readFileSync(join(dir, cfg.cmdlineFile), 'utf8').split('\n')[0]!.trim() : '');

  let ramBytes = m.ramBytes;
  if (cfg.totalMemMb !== undefined) ramBytes = Math.min(ramBytes, cfg.totalMemMb * 2 ** 20);
  const gpuMemMb = m.board.defaultGpuMemMb === 0 ? 0 : (cfg.gpuMemMb ?? m.board.defaultGpuMemMb);
  const memory = m.board.memoryRanges(ramBytes, gpuMemMb);
  if (memory.some((r) => r.size <= 0)) throw new FirmwareError(`gpu_mem=${gpuMemMb} leaves the ARM cores no memory below 1 GiB`);
  if (cfg.deviceTree === '') throw new FirmwareError('config.txt sets an empty device_tree=: the model boots with a device tree only');
  if (cmdline.includes('\0')) throw new FirmwareError('the kernel command line contains a NUL byte');

  const kernel = loadKernel(m, cfg, dir, memory, log);
  const dtbPath = opts.dtbPath ?? join(dir, cfg.deviceTree ?? m.board.dtbName);
  const tree = readTree(dtbPath);
  fillMemory(tree, memory);
  setProp(ensureNode(tree, '/chosen'), 'bootargs', encodeString(cmdline));
  const armstubPa = m.board.ramBase;
  fillCpus(m, tree, armstubPa);
  if (!tree.memReserve.some((r) => r.address === armstubPa)) tree.memReserve.unshift({ address: armstubPa, size: STUB_SIZE });
  const blob = writeFdt(tree);
  const dtbPa = placeDtb(m, blob, memory, kernel.pa + kernel.size);
  log.push(`Device tree loaded to ${hex(dtbPa)} (size ${hex(blob.length)})`);
  loadArmstub(m, cfg, dir, dtbPa, kernel.pa, log);
  releaseCores(m, armstubPa);
  return { config: cfg, cmdline, memory, kernelPa: kernel.pa, kernelSize: kernel.size, dtbPa, dtbSize: blob.length, armstubPa, tree, log };
}
