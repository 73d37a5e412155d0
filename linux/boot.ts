// SPDX-License-Identifier: GPL-2.0-only
/*
 * Booting Debian's arm64 kernel on the emulated uConsole (`uconsole boot
 * --kernel linux`), through the same firmware stage as the project's own
 * kernel: a boot partition is assembled in a temporary directory from the
 * board's (config.txt, armstub8.bin), the kernel Image and Debian's device
 * tree for the module with the devices the machine lacks declared absent
 * (device-tree.ts); the firmware stage then fills /memory, /chosen and the
 * spin table, places the DTB and releases the cores, and LinuxGuest
 * (guest.ts) supplies the timer, the GIC and exception entry.
 *
 * With Debian's busybox in the cache the boot partition also holds an
 * initramfs (initramfs.ts) named by config.txt's `initramfs` line, which
 * the firmware stage loads after the kernel and names in /chosen
 * linux,initrd-start/end as the Pi firmware does: Linux runs its /init,
 * a shell on the console (ttyAMA0, or ttyS0 on the A-04 and ttyS2 on
 * the A-06, with input from the host through the UART's receive
 * interrupt) or the --exec command, and powers off, which ends the run (`reboot: Power down`). Without it
 * the kernel ends in its root-mount panic, which ends the run (status not
 * ok). A kernel that hangs ends at a virtual-time limit with its last
 * console lines and each core's PC.
 *
 * The machine must see the kernel's virtual addresses: Debian's kernel is
 * built with VA_BITS=48, so its linear map (0xffff000000000000), image,
 * vmalloc, fixmap and vmemmap lie below the machine's VA_BITS=39 shadow,
 * and get shadow regions of their own (va48.ts; Unicorn 2.0.1 checks every
 * virtual address against its regions before the MMU, issue #1718). The
 * mrs/msr hooks (MPIDR_EL1, the counters and the timer registers) and the
 * WFI/WFE sites must cover the kernel's code at its physical address
 * (before the MMU is on) and at its virtual address: its link address,
 * KIMAGE_VADDR, with `nokaslr` (the default); with a KASLR seed, that plus
 * the offset the kernel will choose from it (kaslr.ts), where the image's
 * code window of the shadow is put too.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Machine } from '../emulator/machine';
import { findBoard, BoardError } from '../emulator/board/boards';
import { parseRamSize, type BoardProfile, type ConsoleKind } from '../emulator/board/profile';
import { gic400Interrupts, gicV3Interrupts, bcm2836Interrupts, type BoardInterrupts } from '../emulator/board/interrupts';
import type { PagePart } from '../emulator/devices/mmio';
import { systemInstructionSites } from '../emulator/arm64/sysreg-sites';
import { firmwareBoot, FirmwareError, type FirmwareHandoff } from '../firmware/boot';
import { readKernelImage, type KernelFile } from '../firmware/kernel-image';
import { bootDir, ensureImages } from '../images/build';
import { parseFdt, writeFdt, FdtError } from '../lib/fdt';
import {
  DeviceTreeError, declareAbsentDevices, giveDwUartClock, giveUartFixedClock, interruptCells, removeUncheckedDevices, setMachineIdentity,
} from './device-tree';
import { connectVideoCore, videoCoreMailbox } from './videocore';
import { auxBlock, connectMiniUart, keepMiniUart } from './mini-uart';
import { AUX_MU_OFFSET } from '../emulator/devices/bcm2835-aux';
import { LinuxGuest, type GuestEnd } from './guest';
import type { ConsoleInput } from './console';
import { execArchive, linuxInitramfs, LinuxInitramfsError } from './initramfs';
import { FETCH_COMMAND, requireLinuxKernel } from './package';
import { cachedBusybox } from '../images/busybox';
import { kernelOffsetForTree } from './kaslr';
import { va48Shadows } from './va48';
import { SystemMap } from './system-map';

export interface LinuxBootOptions {
  board?: string;
  ram?: number | string;
  /** Replaces the default command line (the firmware still prepends its own arguments). */
  cmdline?: string;
  /** Any arm64 Image or vmlinuz instead of the cached Debian kernel. */
  kernelImage?: string;
  /** A DTB instead of Debian's for the board (devices are still declared absent). */
  dtb?: string;
  /**
   * The kernel's System.map, to name each core's PC in the end report
   * (system-map.ts). Debian's package ships only a stub in its place; the
   * real one comes with the -dbg package or from `nm -n vmlinux`.
   */
  systemMap?: string;
  /** Virtual time after which a run that has not ended is stopped (default 30 s; none for an interactive shell). */
  limitSeconds?: number;
  onConsole?: (text: string) => void;
  /** Boot with the busybox initramfs (default: when busybox is cached); false: to the root-mount panic. */
  initramfs?: boolean;
  /** A command for /init to run instead of the shell (sh syntax); the run ends with its exit status. */
  exec?: string;
  /** The host's side of the console: input for the shell (see ConsoleInput). */
  input?: ConsoleInput;
  /** End the run when the shell first prints its prompt (for timing and tests). */
  stopAtPrompt?: boolean;
  /**
   * A KASLR seed: the firmware stage writes it to /chosen/kaslr-seed and
   * the default command line leaves out `nokaslr`. None: KASLR off.
   */
  kaslrSeed?: bigint;
  /** Each byte the mini-UART sends (on boards that have one: the CM4). */
  onMiniUart?: (byte: number) => void;
}

export interface LinuxRun {
  end: GuestEnd;
  /** The whole console output. */
  console: string;
  firmware: FirmwareHandoff;
  /** Device-tree nodes declared absent. */
  absent: string[];
  /** Virtual time at the end, in seconds. */
  virtualSeconds: number;
  /** Guest instructions, all cores. */
  insns: number;
  cores: string[];
  irqs: number[];
  lastLines: string[];
  /** VideoCore property tags the kernel asked, by tag ID: how many times each was answered. */
  firmwareTags: Map<number, number>;
  /** The kernel offset the machine computed from the KASLR seed (0: KASLR off), and the image's VA with it. */
  kernelOffset: bigint;
  imageVa: bigint;
  /** The --exec command's exit status, when /init printed it. */
  exitStatus?: number;
  /** When the shell first printed its prompt: guest instructions (all cores) and virtual seconds. */
  prompt?: { insns: number; virtualSeconds: number };
  /** What the mini-UART sent, one character per byte (empty on boards without one). */
  miniUart: string;
}

/** What Linux needs of a board beyond its profile (emulator/board/boards.ts). */
interface LinuxBoard {
  /** Debian's device tree it boots with. */
  dtb: string;
  /** Its interrupt controllers (`armSide`: the other devices of the Pis' page at bus 0x7e00b000; the cores' MPIDRs, for a GICv3). */
  interrupts: (ncpus: number, armSide: PagePart[], mpidrs: number[]) => BoardInterrupts;
  /** The console UART (the profile's console, at its CPU address). */
  uart: number;
  /** The VideoCore mailbox, on the Pis. */
  mailbox?: number;
  /** The AUX block's page, where the mini-UART is emulated (linux/mini-uart.ts). */
  aux?: number;
  /** The tree is another board's on the same SoC: give it the profile's /model and /compatible. */
  adoptIdentity?: boolean;
  /** console= when not the kind's default (the RK3399's console is uart2 at 1.5 Mbaud). */
  console?: string;
}

/**
 * Debian's device tree for each board, its interrupt controllers (where
 * bcm2711.dtsi, bcm2837.dtsi, sun50i-h6.dtsi and rk3399.dtsi put them), its console
 * UART and, on the Pis, its VideoCore mailbox.
 */
const LINUX_BOARDS: Record<string, LinuxBoard> = {
  'uconsole-cm4': {
    dtb: 'bcm2711-rpi-cm4-io.dtb', uart: 0xfe20_1000, mailbox: 0xfe00_b880, aux: 0xfe21_5000,
    interrupts: (n, armSide) => gic400Interrupts(n, 0xff84_1000, { base: 0xfe00_b000, parts: armSide }),
  },
  'uconsole-cm3': {
    dtb: 'bcm2837-rpi-cm3-io3.dtb', uart: 0x3f20_1000, mailbox: 0x3f00_b880,
    interrupts: (n, armSide) => bcm2836Interrupts(n, 0x4000_0000, 0x3f00_b200, armSide),
  },
  // Debian ships no ClockworkPi tree for the H6: the Pine H64's (device-tree.ts).
  'uconsole-a04': {
    dtb: 'sun50i-h6-pine-h64.dtb', uart: 0x0500_0000, adoptIdentity: true,
    interrupts: (n) => gic400Interrupts(n, 0x0302_1000),
  },
  // Nor for the RK3399: its evaluation board's. The GIC-500's distributor at 0xfee00000, redistributors
  // from 0xfef00000, 256 SPIs ("GICv3: 256 SPIs implemented" in RK3399 boards' logs).
  'uconsole-a06': {
    dtb: 'rk3399-evb.dtb', uart: 0xff1a_0000, adoptIdentity: true, console: 'ttyS2,1500000n8',
    interrupts: (_n, _armSide, mpidrs) => gicV3Interrupts(mpidrs, 0xfee0_0000, 0xfef0_0000, 256),
  },
};

/**
 * KIMAGE_VADDR for a kernel built with VA_BITS=48 (arch/arm64/include/asm/
 * memory.h): MODULES_END, with MODULES_VADDR = _PAGE_END(48) =
 * 0xffff800000000000 and MODULES_VSIZE 128 MiB up to 6.4, 2 GiB from 6.5.
 */
export function kimageVaddr48(release: string): bigint {
  const m = /^(\d+)\.(\d+)/.exec(release);
  const v = m ? Number(m[1]) * 100 + Number(m[2]) : 601;
  return 0xffff_8000_0000_0000n + (v >= 605 ? 0x8000_0000n : 0x0800_0000n);
}

/** The release (uname -r) an Image names in its banner ("Linux version 6.1.0-57-arm64 ..."). */
export function imageRelease(image: Uint8Array): string | undefined {
  const text = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  const at = text.indexOf('Linux version ');
  if (at < 0) return undefined;
  return /^Linux version (\S+)/.exec(text.subarray(at, at + 200).toString('latin1'))?.[1];
}

/**
 * The early console until the UART's driver binds (amba-pl011, or 8250_dw
 * on the A-04's DesignWare UART), then ttyAMA0 or ttyS0 (the early one
 * steps down then: no keep_bootcon, or every line would be printed twice).
 * With `kaslr`, no `nokaslr`: the kernel then takes the firmware's
 * /chosen/kaslr-seed.
 */
export function defaultLinuxCmdline(uart: number, kaslr = false, kind: ConsoleKind = 'pl011', console?: string): string {
  const [tty, early] = kind === 'pl011' ? ['ttyAMA0,115200', 'pl011'] : ['ttyS0,115200', 'uart8250'];
  return `console=${console ?? tty} earlycon=${early},mmio32,0x${uart.toString(16)}${kaslr ? '' : ' nokaslr'}`;
}

const INITRAMFS_FILE = 'linux-initramfs.cpio';

/**
 * Assemble the boot partition: the board's config.txt and armstub, the
 * Image, the prepared DTB, the initramfs if any. A raw Image is linked,
 * not copied (30 MB the firmware stage reads straight into guest RAM).
 */
function bootPartition(board: string, kernel: KernelFile, tree: Uint8Array, cmdline: string, initramfs: Uint8Array | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'uconsole-linux-'));
  const src = bootDir(board);
  // The board's initramfs holds the project's own /init: Debian's kernel gets its own, or none (to its root-mount panic).
  const initLine = initramfs ? `initramfs ${INITRAMFS_FILE} followkernel\n` : '';
  const config = readFileSync(join(src, 'config.txt'), 'utf8').replace(/^device_tree=.*$/m, 'device_tree=linux.dtb').replace(/^initramfs .*\n?/m, initLine);
  writeFileSync(join(dir, 'config.txt'), config);
  if (initramfs) writeFileSync(join(dir, INITRAMFS_FILE), initramfs);
  writeFileSync(join(dir, 'cmdline.txt'), `${cmdline}\n`);
  copyFileSync(join(src, 'armstub8.bin'), join(dir, 'armstub8.bin'));
  if (kernel.decoded) writeFileSync(join(dir, 'kernel8.img'), kernel.decoded);
  else symlinkSync(resolve(kernel.path), join(dir, 'kernel8.img'));
  writeFileSync(join(dir, 'linux.dtb'), tree);
  return dir;
}

interface PreparedTree {
  blob: Uint8Array;
  absent: string[];
  uartIrq: number[];
  /** The VideoCore mailbox's interrupt cells, on the Pis. */
  mailboxIrq?: number[];
  /** The mini-UART's interrupt cells, where it is emulated. */
  miniUartIrq?: number[];
}

/** Debian's tree for the board, as Linux boots with it (device-tree.ts). */
function preparedTree(path: string, board: BoardProfile, lb: LinuxBoard): PreparedTree {
  try {
    const tree = parseFdt(new Uint8Array(readFileSync(path)));
    const uart = board.console.kind === 'pl011' ? giveUartFixedClock(tree, lb.uart) : giveDwUartClock(tree, lb.uart);
    const mini = lb.aux === undefined ? undefined : keepMiniUart(tree, lb.aux + AUX_MU_OFFSET);
    const absent = [...removeUncheckedDevices(tree), ...declareAbsentDevices(tree, [uart.path, ...(mini?.paths ?? [])])];
    if (lb.adoptIdentity) setMachineIdentity(tree, board.model, board.compatible);
    const mailboxIrq = lb.mailbox === undefined ? undefined : interruptCells(tree, 'brcm,bcm2835-mbox');
    return { blob: writeFdt(tree), absent, mailboxIrq, uartIrq: uart.irqCells, miniUartIrq: mini?.irqCells };
  } catch (e) {
    if (e instanceof FdtError || e instanceof DeviceTreeError) throw new FirmwareError(`${path}: ${e.message}`);
    throw e;
  }
}

/** Boot a real kernel and run it to its end (panic, fault, hang limit). */
export async function bootLinux(opts: LinuxBootOptions = {}): Promise<LinuxRun> {
  const board = findBoard(opts.board ?? 'uconsole-cm4');
  const lb = LINUX_BOARDS[board.name];
  if (!lb) throw new BoardError(`booting Linux on ${board.name} is not modelled (its interrupt controller is missing); boards: ${Object.keys(LINUX_BOARDS).join(', ')}`);
  if (opts.onMiniUart && lb.aux === undefined) throw new BoardError(`${board.name} has no emulated mini-UART (the uconsole-cm4 has)`);
  const symbols = opts.systemMap === undefined ? undefined : SystemMap.read(opts.systemMap);
  const ram = typeof opts.ram === 'string' ? parseRamSize(opts.ram) : opts.ram;
  const given = opts.kernelImage === undefined ? undefined : readKernelImage(opts.kernelImage);
  const cached = given && opts.dtb ? undefined : requireLinuxKernel();
  const kernel = given ?? readKernelImage(cached!.vmlinuz);
  const dtbPath = opts.dtb ?? cached!.dtbs[lb.dtb];
  if (!dtbPath) throw new FirmwareError(`the cached kernel package has no ${lb.dtb}: delete ${cached!.dir} and run "${FETCH_COMMAND}"`);
  const { blob, absent, mailboxIrq, uartIrq, miniUartIrq } = preparedTree(dtbPath, board, lb);
  const withInitramfs = opts.initramfs ?? (opts.exec !== undefined || cachedBusybox() !== undefined);
  if (opts.exec !== undefined && !withInitramfs) throw new LinuxInitramfsError('exec needs the busybox initramfs, and initramfs: false was asked');
  const initramfs = withInitramfs ? linuxInitramfs() : undefined;
  await ensureImages();

  const vc = lb.mailbox === undefined ? undefined : videoCoreMailbox(lb.mailbox);
  const intc = lb.interrupts(board.cpus.length, vc ? [vc.part] : [], board.cpus.map((c) => c.mpidr));
  const aux = lb.aux === undefined ? undefined : auxBlock(lb.aux);
  const m = await Machine.create({ board, ram, devices: [...intc.devices, ...(aux ? [aux.device] : [])] });
  const dir = bootPartition(board.name, kernel, blob, opts.cmdline ?? defaultLinuxCmdline(lb.uart, opts.kaslrSeed !== undefined, board.console.kind, lb.console), initramfs);
  let console = '';
  let miniUart = '';
  try {
    if (aux && miniUartIrq) connectMiniUart(aux.aux, intc, miniUartIrq, (b) => {
      miniUart += String.fromCharCode(b);
      opts.onMiniUart?.(b);
    });
    const guest = new LinuxGuest(m, intc.controller, { uartLine: intc.line(uartIrq), input: opts.input, stopAtPrompt: opts.stopAtPrompt });
    m.onConsole((b) => {
      const ch = String.fromCharCode(b);
      console += ch;
      opts.onConsole?.(ch);
    });
    const fw = firmwareBoot(m, { bootDir: dir, initrdAppend: opts.exec === undefined ? undefined : execArchive(opts.exec), kaslrSeed: opts.kaslrSeed });
    const properties = vc && mailboxIrq ? connectVideoCore(vc.mailbox, intc, mailboxIrq, m, fw) : undefined;
    rmSync(dir, { recursive: true, force: true });
    const kernelOffset = kernelOffsetForTree(fw.tree, fw.kernelPa);
    const image = m.ram.peek(fw.kernelPa, kernel.length); // as the firmware loaded it, before it runs
    const va = kimageVaddr48(imageRelease(image) ?? '6.1') + kernelOffset;
    for (const core of m.cores) for (const r of va48Shadows(va)) core.mapVaShadow(r.base, r.size, r.code);
    const found = systemInstructionSites(image);
    const at = (offs: number[]): bigint[] => offs.flatMap((o) => [BigInt(fw.kernelPa + o), va + BigInt(o)]);
    const sites = { mrs: at(found.mrs), msr: at(found.msr), tlbi: at(found.tlbi) };
    for (const core of m.cores) core.interceptSystemInstructionsAt(sites);
    m.codeMappedAt(va, fw.kernelEventSites); // the firmware stage found them at the physical address
    // User space may run code at any low VA, also where no RAM is behind the
    // same PA (below the A-04's DRAM at 0x40000000: busybox's text at
    // 0x400000); a fetch cannot map its shadow on the spot (Core.mapShadow),
    // so all are mapped now. Linux's own MMU-off code touches only RAM.
    m.mapAllShadows();

    const limitSeconds = opts.limitSeconds ?? (opts.input && opts.exec === undefined ? Infinity : 30);
    const limitNs = limitSeconds * 1e9;
    const result = m.run({ until: () => m.clockNs >= limitNs });
    const end: GuestEnd = guest.console.end ?? (
      result === 'halted' ? { reason: 'machine-halt', message: m.status?.message ?? 'halted' }
      : result === 'idle' ? { reason: 'idle', message: 'every core waits for an interrupt and no timer is armed' }
      : { reason: 'time-limit', message: `no end after ${limitSeconds} s of virtual time` });
    return {
      end, console, firmware: fw, absent, virtualSeconds: m.clockNs / 1e9,
      insns: m.cores.reduce((s, c) => s + c.insns, 0), cores: guest.coreReport(symbols && ((pc) => symbols.symbolize(pc - kernelOffset))), irqs: [...guest.irqs], lastLines: [...guest.console.lines],
      firmwareTags: new Map(properties?.answered), exitStatus: guest.console.exitStatus, prompt: guest.console.prompt, kernelOffset, imageVa: va, miniUart,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    m.dispose();
  }
}

export { parseRamSize };
