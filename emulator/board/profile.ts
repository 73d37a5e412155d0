// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a board is, as data: its cores, its RAM options and layout, its
 * device windows and its console. The machine is built from a profile;
 * the firmware stage writes the device tree from the same profile, so the
 * two can never disagree.
 */

export type CpuModel = 'cortex-a72' | 'cortex-a53';

export interface CpuDesc {
  model: CpuModel;
  /** MPIDR_EL1 as this core reads it (bit 31 RES1, affinity fields below). */
  mpidr: number;
  /** MIDR_EL1 when the board's revision differs from the CPU model's (Unicorn's A72 is r0p3). */
  midr?: number;
}

export interface MemRange {
  base: number;
  size: number;
}

export interface DeviceWindow extends MemRange {
  name: string;
  /** Device-tree style compatible of the block, for messages and the DT. */
  compatible?: string;
}

export type ConsoleKind = 'pl011' | 'ns16550';

export interface ConsoleDesc {
  kind: ConsoleKind;
  base: number;
  /** Device-tree node name, e.g. "serial@7e201000". */
  dtName: string;
  compatible: string[];
  /** The address in the SoC bus's own view, where it differs from the CPU's (Pi: 0x7e201000). */
  busAddress?: number;
  /** Register stride for 16550-style UARTs (DT reg-shift). */
  regShift?: number;
  /** A DesignWare APB UART's configuration (emulator/devices/dw-apb-uart.ts): FIFO depth, CPR and UCV as the SoC reads them. */
  dw?: { fifoDepth: number; cpr: number; ucv: number };
}

export interface BoardProfile {
  name: string;
  description: string;
  /** DT /model and /compatible. */
  model: string;
  compatible: string[];
  soc: string;
  /** The DTB file the boot partition carries for this board. */
  dtbName: string;
  /** The kernel command line the board's image ships in cmdline.txt. */
  defaultCmdline: string;
  cpus: CpuDesc[];
  /** RAM sizes the board is sold with, in bytes; the first default is `defaultRam`. */
  ramSizes: number[];
  defaultRam: number;
  /** Physical address of the first byte of RAM. */
  ramBase: number;
  /** Peripheral windows (MMIO); RAM never overlaps them. */
  devices: DeviceWindow[];
  /** Bus-to-CPU address translations of the /soc node (DT `ranges`); none: identity. */
  socRanges?: { bus: number; cpu: number; size: number }[];
  /** What the SoC's DMA masters can reach (DT `dma-ranges` of /soc); none: all of the 32-bit space. */
  dmaRanges?: { bus: number; cpu: number; size: number }[];
  console: ConsoleDesc;
  /**
   * The generic timer's frequency (CNTFRQ_EL0), set by the boot firmware
   * from the SoC's crystal: 54 MHz on the BCM2711, 19.2 MHz on the BCM2837
   * (OSC_FREQ in the Raspberry Pi armstubs, raspberrypi/tools
   * armstubs/armstub8.S), 24 MHz on the RK3399 and the H6 (their 24 MHz
   * oscillators, as their device trees' timer nodes assume).
   */
  timerHz: number;
  /** GPU memory carved from the top of the first GiB, in MB (config.txt gpu_mem); 0 if the board has none. */
  defaultGpuMemMb: number;
  /** Where the firmware loads a 64-bit kernel by default. */
  kernelLoadAddress: number;
  /** Per-core spin-table release slots (cpu-release-addr) as offsets from the armstub (the start of RAM), cpu 0 included. */
  spinTable: number[];
  /** All DRAM the CPU can address for a given RAM size, GPU carve-out included. */
  dram(ramBytes: number): MemRange[];
  /** RAM ranges for a given size and GPU split, as the firmware writes them into /memory. */
  memoryRanges(ramBytes: number, gpuMemMb: number): MemRange[];
}

import { SZ_1G, SZ_1M } from '../../lib/sizes';

export const MiB = SZ_1M;
export const GiB = SZ_1G;

/** "4G" / "512M" / "4096" (MB) into bytes; NaN if malformed. */
export function parseRamSize(text: string): number {
  const m = /^(\d+)([MG]?)B?$/i.exec(text.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toUpperCase();
  return unit === 'G' ? n * GiB : n * MiB;
}

export function formatRamSize(bytes: number): string {
  return bytes % GiB === 0 ? `${bytes / GiB}G` : `${bytes / MiB}M`;
}

/** One past the highest byte of RAM for a layout. */
export function ramEnd(ranges: MemRange[]): number {
  return Math.max(...ranges.map((r) => r.base + r.size));
}
