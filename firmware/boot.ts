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
 *     then the initramfs of config.txt's `initramfs FILE followkernel`
 *     line (or --initrd) after it, named in /chosen linux,initrd-start
 *     and linux,initrd-end;
 *  3. read the DTB (device_tree=, or the board's), apply the overlays
 *     (overlays.ts: the CMA size; the others are reported as not
 *     modelled), fill what only the firmware knows: /memory for the
 *     configured RAM less the GPU split, /chosen/bootargs (cmdline.txt
 *     with the firmware's own arguments in front and serial0 renamed,
 *     see firmwareCmdline), /chosen/kaslr-seed when a seed is given (a
 *     u64, Documentation/devicetree/bindings/chosen.txt; the Pi firmware
 *     writes one from its RNG, the model only a given one, so that a boot
 *     stays deterministic), every cpu's enable-method = "spin-table" and
 *     cpu-release-addr, a /memreserve/ for the stub page; place it in RAM
 *     (8-byte aligned, at most 2 MiB; see placeDtb);
 *  4. place the armstub at the start of RAM, check its magic, clear the
 *     magic word (it becomes spin_cpu3), write dtb_ptr32/kernel_entry32;
 *  5. release the cores: all start in the armstub, the primary jumps to
 *     the kernel, the others spin on their release slot.
 *
 * The other boards (RK3399, H6) boot through U-Boot and ATF with PSCI on
 * real hardware; the model boots them through this same stage.
 */

import { SZ_2M } from '../lib/sizes';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from '../emulator/machine';
import type { MemRange } from '../emulator/board/profile';
import {
  encodeReg, encodeString, encodeU32, encodeU64, ensureNode, FdtError, parseFdt, setProp, writeFdt, walkNodes, decodeCells,
  decodeString, type DeviceTree, addressCellsOf, sizeCellsOf,
} from '../lib/fdt';
import { readBootConfig, type BootConfig } from './config';
import { applyOverlays } from './overlays';

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
  /** An initramfs file to load instead of the one config.txt names (loaded after the kernel). */
  initrdPath?: string;
  /** A cpio archive loaded right after the initramfs, as a further file of config.txt's list would be (its members replace earlier ones). */
  initrdAppend?: Uint8Array;
  /** A KASLR seed for /chosen/kaslr-seed, as the Pi firmware passes one (none: the property is left out). */
  kaslrSeed?: bigint;
}

/** What the firmware hands over, and what it did (its log). */
export interface FirmwareHandoff {
  config: BootConfig;
  cmdline: string;
  memory: MemRange[];
  kernelPa: number;
  kernelSize: number;
  /** Offsets in the kernel of its WFE/WFI/SEV/SEVL instructions (Machine.codeChanged's), for the VA it will run at. */
  kernelEventSites: number[];
  dtbPa: number;
  dtbSize: number;
  /** Where the initramfs went, when there is one. */
  initrd?: { pa: number; size: number };
  armstubPa: number;
  /** The tree as written to RAM. */
  tree: DeviceTree;
  log: string[];
}

const IMAGE_MAGIC = 0x644d5241; // "ARM\x64" at offset 0x38
/** The arm64 Image header (Documentation/arm64/booting.rst): 64 bytes. */
const IMAGE_HEADER_SIZE = 64;
const DTB_MAX = SZ_2M;
const STUB_MAGIC = 0x5afe570b;
const STUB_MAGIC_OFF = 0xf0;
const STUB_DTB_PTR = 0xf8;
const STUB_KERNEL_ENTRY = 0xfc;
const STUB_SIZE = 0x1000;

const hex = (n: number): string => `0x${n.toString(16)}`;

function readBootFile(dir: string, name: string, what: string): Uint8Array {
  return new Uint8Array(readFileSync(bootFilePath(dir, name, what)));
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

/**
 * The kernel goes from its file straight into guest RAM (a Debian Image
 * is 30 MB: no host copy of it), after its header says where; the rest
 * of image_size (the BSS) is zeroed.
 */
function loadKernel(m: Machine, cfg: BootConfig, dir: string, memory: MemRange[], log: string[]): { pa: number; size: number; sites: number[] } {
  const path = bootFilePath(dir, cfg.kernel, 'kernel image');
  const fileSize = statSync(path).size;
  const hdr = parseImageHeader(readHead(path, IMAGE_HEADER_SIZE), cfg.kernel);
  const base = cfg.kernelAddress ?? m.board.kernelLoadAddress;
  const pa = base - (base % SZ_2M) + hdr.textOffset;
  const size = Math.max(hdr.imageSize, fileSize);
  if (!memory.some((r) => pa >= r.base && pa + size <= r.base + r.size))
    throw new FirmwareError(`${cfg.kernel} (${hex(size)} bytes at ${hex(pa)}) does not fit in RAM`);
  readFileInto(m, path, pa, fileSize);
  m.ram.fill(pa + fileSize, size - fileSize, 0);
  const sites = m.codeChanged(pa, fileSize);
  log.push(`Loaded '${cfg.kernel}' to ${hex(pa)} size ${hex(fileSize)}`);
  return { pa, size, sites };
}

/** The first `len` bytes of a file (fewer if it is shorter). */
export function readHead(path: string, len: number): Uint8Array {
  const buf = new Uint8Array(len);
  const fd = openSync(path, 'r');
  try {
    return buf.subarray(0, readSync(fd, buf, 0, len, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * config.txt's `initramfs FILE[,FILE...] ADDRESS`: the files one after
 * the other (the firmware concatenates them, and the kernel reads
 * concatenated cpio archives), at ADDRESS or, with followkernel, after
 * the kernel image (page-aligned: the firmware documents only "after the
 * kernel", so the alignment is the model's). `override` (a host path)
 * replaces the files config.txt names.
 */
function loadInitramfs(m: Machine, cfg: BootConfig, dir: string, memory: MemRange[], kernelEnd: number, override: string | undefined, append: Uint8Array | undefined, log: string[]): { pa: number; size: number } | undefined {
  const spec = cfg.txt.initramfs;
  if (!spec && override === undefined && !append) return undefined;
  const files = override !== undefined ? [hostFilePath(override, 'initramfs')] : spec ? spec.files.map((f) => bootFilePath(dir, f, 'initramfs')) : [];
  const sizes = files.map((f) => statSync(f).size);
  const size = sizes.reduce((s, n) => s + n, 0) + (append?.length ?? 0);
  const address = spec?.address ?? 'followkernel';
  const pa = address === 'followkernel' ? Math.ceil(kernelEnd / 0x1000) * 0x1000 : address;
  if (size === 0) throw new FirmwareError('the initramfs is empty');
  if (!memory.some((r) => pa >= r.base && pa + size <= r.base + r.size)) throw new FirmwareError(`initramfs (${hex(size)} bytes at ${hex(pa)}) does not fit in RAM`);
  if (pa < kernelEnd) throw new FirmwareError(`initramfs address ${hex(pa)} overlaps the kernel (which ends at ${hex(kernelEnd)})`);
  let at = pa;
  for (const [i, f] of files.entries()) {
    readFileInto(m, f, at, sizes[i]!);
    at += sizes[i]!;
  }
  if (append) m.ram.write(at, append);
  log.push(`Loaded '${[override ?? spec?.files.join(','), append ? '(appended archive)' : undefined].filter(Boolean).join(',')}' to ${hex(pa)} size ${hex(size)}`);
  return { pa, size };
}

/**
 * Read `size` bytes of `path` straight into guest RAM at `pa`, as the
 * firmware loads a file: no host copy of a file of megabytes (each host
 * page it would touch costs a fault), a chunk at a time so that no view
 * straddles a bank of the host mapping.
 */
function readFileInto(m: Machine, path: string, pa: number, size: number): void {
  const fd = openSync(path, 'r');
  try {
    for (let done = 0; done < size; ) {
      const n = readSync(fd, m.ram.bytes(pa + done, Math.min(SZ_2M, size - done)));
      if (n === 0) throw new FirmwareError(`${path} shrank while it was read`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
}

function bootFilePath(dir: string, name: string, what: string): string {
  const path = join(dir, name);
  if (!existsSync(path)) throw new FirmwareError(`boot partition ${dir} has no ${what} (${name})`);
  return path;
}

function hostFilePath(path: string, what: string): string {
  if (!existsSync(path)) throw new FirmwareError(`${what} ${path} not found`);
  if (!statSync(path).isFile()) throw new FirmwareError(`${what} ${path} is not a file`);
  return path;
}

/** /chosen linux,initrd-start and linux,initrd-end, one cell each below 4 GiB as the Pi firmware writes them. */
function fillInitrd(tree: DeviceTree, initrd: { pa: number; size: number }): void {
  const chosen = ensureNode(tree, '/chosen');
  const cell = (v: number): Uint8Array => (v <= 0xffff_ffff ? encodeU32(v) : encodeU64(v));
  setProp(chosen, 'linux,initrd-start', cell(initrd.pa));
  setProp(chosen, 'linux,initrd-end', cell(initrd.pa + initrd.size));
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
  const cpus = [...walkNodes(tree)].filter((e) => /^\/cpus\/cpu@[^/]+$/.test(e.path));
  if (cpus.length === 0) throw new FirmwareError('device tree has no /cpus/cpu@N nodes');
  for (const { node, path } of cpus) {
    const regProp = node.props.get('reg');
    if (!regProp) throw new FirmwareError(`${path} has no reg`);
    // One cell on the Pi trees, two on the RK3399's (#address-cells = 2 in /cpus): the affinity is the low cell.
    const cells = decodeCells(regProp, `reg of ${path}`);
    const reg = cells.length === 2 && cells[0] === 0 ? cells[1]! : cells.length === 1 ? cells[0]! : -1;
    const index = m.cores.findIndex((c) => (c.mpidr & 0x00ff_ffff) === reg);
    if (index < 0) throw new FirmwareError(`${path}: no core with MPIDR affinity ${hex(reg)} on ${m.board.name}`);
    setProp(node, 'enable-method', encodeString('spin-table'));
    setProp(node, 'cpu-release-addr', encodeU64(armstubPa + m.board.spinTable[index]!));
  }
}

/** Where the Pi firmware ends the device tree: just below 0x2f000000, or the end of the first bank if lower. */
export const PI_DTB_END = 0x2f00_0000;

/**
 * Where the DTB goes. The Pi firmware documents no address ("By default
 * the firmware will choose a suitable place", device_tree_address), so it
 * is measured from published boot logs: a Pi 4B 4 GB firmware log shows
 * "Device tree loaded to 0x2eff2c00 (size 0xd31e)" (the blob ends just
 * below 0x2f000000, its start rounded down to 256 bytes;
 * github.com/cyberkaida/bootloaders-with-kaida, 01-initial-research/
 * annotated-boot-log.md), and the CMA pools 5.10 places top-down below it
 * agree: 256 MiB at 0x1ec00000 on a 4 GB Pi 4 (raspberrypi/linux#4044)
 * and a 1 GB CM4 (agherzan/meta-raspberrypi#1022); where the first bank
 * ends below 0x2f000000 (a large gpu_mem: bank end 0x27300000) the pool
 * sits at 0x17000000, just under the bank's end (raspberrypi/linux#4188),
 * so the DTB then ends at the bank's end. device_tree_address= places it
 * where config.txt says. The other boards (U-Boot on real hardware) keep
 * the model's own rule: 16 MiB below the end of the first bank.
 */
function placeDtb(m: Machine, cfg: BootConfig, blob: Uint8Array, memory: MemRange[], kernelEnd: number): number {
  if (blob.length > DTB_MAX) throw new FirmwareError(`device tree is ${blob.length} bytes; the arm64 boot protocol allows 2 MiB`);
  const first = memory[0]!;
  const firstEnd = first.base + first.size;
  const isPi = m.board.defaultGpuMemMb > 0;
  let pa: number;
  const fixed = cfg.txt.device_tree_address;
  if (fixed !== undefined && fixed !== 0) {
    if (fixed % 8 !== 0 || !memory.some((r) => fixed >= r.base && fixed + blob.length <= r.base + r.size))
      throw new FirmwareError(`device_tree_address=${hex(fixed)} is not an 8-byte aligned place in RAM for ${blob.length} bytes`);
    pa = fixed;
  } else if (isPi) pa = Math.floor((Math.min(PI_DTB_END, firstEnd) - blob.length) / 0x100) * 0x100;
  else pa = Math.floor((firstEnd - 0x0100_0000 - blob.length) / 8) * 8;
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
    // The stub reads MPIDR_EL1 to find its core: the machine answers it there.
    core.interceptSystemInstructions(BigInt(armstubPa), BigInt(armstubPa + STUB_SIZE - 1));
    core.wfeWatch = { pa: armstubPa + m.board.spinTable[core.index]!, value: 0n };
    m.start(core.index, BigInt(armstubPa));
  }
}

/**
 * The command line the Pi firmware passes: its own arguments first, then
 * cmdline.txt after two spaces, with `serial0` renamed to the primary
 * UART's device (here the board's console: ttyAMA0 for the PL011,
 * ttyS0 for a 16550), unless disable_commandline_tags is set. The
 * prepended arguments are measured from published Raspberry Pi OS logs
 * (no document lists them): on a Pi 4 "coherent_pool=1M 8250.nr_uarts=0
 * snd_bcm2835.enable_compat_alsa=0 snd_bcm2835.enable_hdmi=1 ...
 * vc_mem.mem_base=0x3ec00000 vc_mem.mem_size=0x40000000  console=..."
 * (raspberrypi/linux#3922), on a Pi 3 "coherent_pool=1M 8250.nr_uarts=0
 * ... vc_mem.mem_base=0x3ec00000 vc_mem.mem_size=0x40000000  ..."
 * (raspberrypi/linux#2966); 8250.nr_uarts is 1 with enable_uart=1 (CM4
 * logs, raspberrypi/linux#5271). The arguments that depend on a display
 * or an Ethernet chip the uConsole does not have (bcm2708_fb.*, video=,
 * smsc95xx.macaddr=, snd_bcm2835.enable_headphones) are left out. The
 * other boards boot through U-Boot on real hardware, which passes
 * bootargs as they are.
 */
export function firmwareCmdline(m: Machine, cfg: BootConfig, cmdline: string): string {
  if (m.board.defaultGpuMemMb === 0 || cfg.txt.disable_commandline_tags !== 0) return cmdline;
  const serial0 = m.board.console.kind === 'pl011' ? 'ttyAMA0' : 'ttyS0';
  const user = cmdline.replace(/(^|\s)console=serial0(?=[,\s]|$)/g, `$1console=${serial0}`);
  const uarts = cfg.enableUart ? 1 : 0;
  const snd = m.board.soc === 'BCM2711' ? ' snd_bcm2835.enable_compat_alsa=0 snd_bcm2835.enable_hdmi=1' : '';
  return `coherent_pool=1M 8250.nr_uarts=${uarts}${snd} vc_mem.mem_base=0x3ec00000 vc_mem.mem_size=0x40000000  ${user}`;
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
  const initrd = loadInitramfs(m, cfg, dir, memory, kernel.pa + kernel.size, opts.initrdPath, opts.initrdAppend, log);
  const dtbPath = opts.dtbPath ?? join(dir, cfg.deviceTree ?? m.board.dtbName);
  const tree = readTree(dtbPath);
  applyOverlays(tree, cfg.txt.dt, (line) => log.push(line));
  fillMemory(tree, memory);
  const bootargs = firmwareCmdline(m, cfg, cmdline);
  setProp(ensureNode(tree, '/chosen'), 'bootargs', encodeString(bootargs));
  if (initrd) fillInitrd(tree, initrd);
  if (opts.kaslrSeed !== undefined) setProp(ensureNode(tree, '/chosen'), 'kaslr-seed', encodeU64(opts.kaslrSeed, '/chosen/kaslr-seed'));
  const armstubPa = m.board.ramBase;
  fillCpus(m, tree, armstubPa);
  if (!tree.memReserve.some((r) => r.address === armstubPa)) tree.memReserve.unshift({ address: armstubPa, size: STUB_SIZE });
  const blob = writeFdt(tree);
  const dtbPa = placeDtb(m, cfg, blob, memory, initrd ? initrd.pa + initrd.size : kernel.pa + kernel.size);
  log.push(`Device tree loaded to ${hex(dtbPa)} (size ${hex(blob.length)})`);
  loadArmstub(m, cfg, dir, dtbPa, kernel.pa, log);
  releaseCores(m, armstubPa);
  return { config: cfg, cmdline: bootargs, memory, kernelPa: kernel.pa, kernelSize: kernel.size, kernelEventSites: kernel.sites, dtbPa, dtbSize: blob.length, initrd, armstubPa, tree, log };
}
