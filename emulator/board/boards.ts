// SPDX-License-Identifier: GPL-2.0-only
/*
 * The uConsole's core modules as board profiles.
 *
 * Sources: Linux's arch/arm/boot/dts/bcm2711*.dts and bcm283x.dtsi, the BCM2711
 * and BCM2837 peripheral datasheets, the BCM2711 and BCM283x
 * device trees (peripheral windows, PL011 at bus 0x7e201000, spin-table
 * slots 0xd8..0xf0), the firmware-written /memory nodes per RAM size with
 * the default gpu_mem=76 carve-out, the ClockworkPi A06 DT (RK3399,
 * cpus 0-3 Cortex-A53 and 4-5 Cortex-A72). What is inferred rather than
 * read is marked so.
 *
 * One deviation is common to every board: the firmware model releases the
 * secondaries through a spin table, as the Pi firmware does. The RK3399 and
 * H6 boards use PSCI on real hardware.
 */

import { GiB, MiB, type BoardProfile, type CpuModel, type MemRange } from './profile';
import { DW_CPR } from '../devices/dw-apb-uart';

/** The BCM2711 low-peripheral window [0xfc000000, 4 GiB) splits RAM above 3.9 GiB. */
const BCM2711_PERIPH = 0xfc00_0000;
const PI_SPIN_TABLE = [0xd8, 0xe0, 0xe8, 0xf0];

/** RAM on a Pi: the GPU's share comes off the top of the first GiB. */
function piMemoryRanges(ramBytes: number, gpuMemMb: number, periphBase: number): MemRange[] {
  // The GPU share is the top of the first GiB, peripheral window included (BCM2837: 0x3f000000 up).
  const first = Math.min(Math.min(ramBytes, GiB) - gpuMemMb * MiB, periphBase);
  const ranges: MemRange[] = [{ base: 0, size: first }];
  if (ramBytes > GiB) ranges.push({ base: GiB, size: Math.min(ramBytes, periphBase) - GiB });
  // Above 4 GiB the firmware writes 2 GiB entries (8 GB CM4: two of them).
  for (let base = 4 * GiB; base < ramBytes; base += 2 * GiB) ranges.push({ base, size: Math.min(2 * GiB, ramBytes - base) });
  return ranges;
}

function piDram(ramBytes: number, periphBase: number): MemRange[] {
  const ranges: MemRange[] = [{ base: 0, size: Math.min(ramBytes, periphBase) }];
  if (ramBytes > 4 * GiB) ranges.push({ base: 4 * GiB, size: ramBytes - 4 * GiB });
  return ranges;
}

/** What differs between the Raspberry Pi compute modules. */
type PiModule = Pick<BoardProfile, 'name' | 'description' | 'model' | 'compatible' | 'soc' | 'dtbName' | 'ramSizes' | 'defaultRam' | 'devices' | 'timerHz'> &
  Required<Pick<BoardProfile, 'socRanges' | 'dmaRanges'>> & {
    cpuModel: CpuModel;
    /** Start of the peripheral window: RAM stops below it. */
    periphBase: number;
  };

/** What every Raspberry Pi compute module shares: the firmware, the PL011 at bus 0x7e201000, the spin table. */
function piModule(m: PiModule): BoardProfile {
  const uart = m.socRanges.find((r) => r.bus === 0x7e00_0000)!;
  return {
    ...m,
    defaultCmdline: 'console=ttyAMA0,115200',
    cpus: [0, 1, 2, 3].map((n) => ({ model: m.cpuModel, mpidr: (0x8000_0000 | n) >>> 0 })),
    ramBase: 0,
    console: {
      kind: 'pl011',
      base: uart.cpu + 0x20_1000,
      busAddress: 0x7e20_1000,
      dtName: 'serial@7e201000',
      compatible: ['arm,pl011', 'arm,primecell'],
    },
    defaultGpuMemMb: 76,
    kernelLoadAddress: 0x20_0000,
    spinTable: PI_SPIN_TABLE,
    dram: (ram) => piDram(ram, m.periphBase),
    memoryRanges: (ram, gpu) => piMemoryRanges(ram, gpu, m.periphBase),
  };
}

export const uconsoleCm4 = piModule({
  name: 'uconsole-cm4',
  description: 'uConsole with Raspberry Pi CM4 (BCM2711, 4x Cortex-A72)',
  model: 'Raspberry Pi Compute Module 4 Rev 1.0',
  compatible: ['raspberrypi,4-compute-module', 'brcm,bcm2711'],
  soc: 'BCM2711',
  dtbName: 'bcm2711-rpi-cm4.dtb',
  timerHz: 54_000_000,
  cpuModel: 'cortex-a72',
  ramSizes: [1 * GiB, 2 * GiB, 4 * GiB, 8 * GiB],
  defaultRam: 4 * GiB,
  periphBase: BCM2711_PERIPH,
  devices: [
    { name: 'bcm2711-peripherals', base: 0xfc00_0000, size: 0x0200_0000, compatible: 'brcm,bcm2711' },
    { name: 'bcm283x-peripherals', base: 0xfe00_0000, size: 0x0180_0000, compatible: 'brcm,bcm2835' },
    { name: 'arm-local', base: 0xff80_0000, size: 0x0080_0000, compatible: 'brcm,bcm2836-l1-intc' },
  ],
  socRanges: [
    { bus: 0x7e00_0000, cpu: 0xfe00_0000, size: 0x0180_0000 },
    { bus: 0x7c00_0000, cpu: 0xfc00_0000, size: 0x0200_0000 },
    { bus: 0x4000_0000, cpu: 0xff80_0000, size: 0x0080_0000 },
  ],
  // "Emulate a contiguous 30-bit address range for DMA" (bcm2711.dtsi): ZONE_DMA is the first GiB.
  dmaRanges: [{ bus: 0xc000_0000, cpu: 0, size: 0x4000_0000 }],
});

/** BCM2837: peripherals at 0x3f000000, the ARM-local block at 0x40000000. */
const BCM2837_PERIPH = 0x3f00_0000;

export const uconsoleCm3 = piModule({
  name: 'uconsole-cm3',
  description: 'uConsole with Raspberry Pi CM3 (BCM2837, 4x Cortex-A53)',
  model: 'Raspberry Pi Compute Module 3 Rev 1.0',
  compatible: ['raspberrypi,3-compute-module', 'brcm,bcm2837'],
  soc: 'BCM2837',
  timerHz: 19_200_000,
  dtbName: 'bcm2710-rpi-cm3.dtb',
  cpuModel: 'cortex-a53',
  ramSizes: [1 * GiB],
  defaultRam: 1 * GiB,
  periphBase: BCM2837_PERIPH,
  devices: [
    { name: 'bcm283x-peripherals', base: 0x3f00_0000, size: 0x0100_0000, compatible: 'brcm,bcm2837' },
    { name: 'arm-local', base: 0x4000_0000, size: 0x0004_0000, compatible: 'brcm,bcm2836-l1-intc' },
  ],
  socRanges: [{ bus: 0x7e00_0000, cpu: 0x3f00_0000, size: 0x0100_0000 }],
  dmaRanges: [{ bus: 0xc000_0000, cpu: 0, size: 0x3f00_0000 }],
});

/** RK3399: DRAM from 0 up to the peripheral space at 0xf8000000. */
const RK3399_PERIPH = 0xf800_0000;

/**
 * The RK3399's UART2, a DesignWare APB UART with 64-byte FIFOs (RK3399
 * TRM part 1, UART chapter, which lists UART_CPR and UART_UCV among its
 * registers). RK3399 boards' logs print "ff1a0000.serial: ttyS2 at MMIO
 * 0xff1a0000 (irq = 35, base_baud = 1500000) is a 16550A", which with
 * 64-byte FIFOs only the CPR path of 8250_dwlib.c gives. The CPR flags
 * besides the FIFO depth and the UCV value are the H6's (below), assumed:
 * the driver uses only the FIFO mode and prints the version at debug level.
 */
const RK3399_UART = {
  fifoDepth: 64,
  cpr: DW_CPR.fifoMode(64) | DW_CPR.FIFO_STAT | DW_CPR.ADDITIONAL_FEATURES | DW_CPR.THRE_MODE | DW_CPR.AFCE_MODE | DW_CPR.APB_DATA_WIDTH_32,
  ucv: 0x3330_342a,
};

/** What the RK3399's trusted firmware keeps at the bottom of DRAM. */
const RK3399_ATF_SIZE = 0x20_0000;

export const uconsoleA06: BoardProfile = {
  name: 'uconsole-a06',
  description: 'uConsole with ClockworkPi A-06 (RK3399, 4x Cortex-A53 + 2x Cortex-A72)',
  model: 'Clockworkpi A06',
  compatible: ['clockwork,devterm-a06', 'rockchip,rk3399'],
  soc: 'RK3399',
  timerHz: 24_000_000,
  dtbName: 'rk3399-clockworkpi-a06.dtb',
  defaultCmdline: 'console=ttyS2,1500000',
  cpus: [
    ...[0, 1, 2, 3].map((n) => ({ model: 'cortex-a53' as const, mpidr: (0x8000_0000 | n) >>> 0 })),
    // The RK3399's A72s are r0p2 (0x410fd082 in its boot logs).
    ...[0, 1].map((n) => ({ model: 'cortex-a72' as const, mpidr: (0x8000_0100 | n) >>> 0, midr: 0x410fd082 })),
  ],
  ramSizes: [2 * GiB, 4 * GiB],
  defaultRam: 4 * GiB,
  ramBase: 0,
  devices: [{ name: 'rk3399-peripherals', base: RK3399_PERIPH, size: 0x0800_0000, compatible: 'rockchip,rk3399' }],
  console: {
    kind: 'ns16550',
    base: 0xff1a_0000,
    dtName: 'serial@ff1a0000',
    compatible: ['rockchip,rk3399-uart', 'snps,dw-apb-uart'],
    regShift: 2,
    dw: RK3399_UART,
  },
  defaultGpuMemMb: 0,
  kernelLoadAddress: 0x20_0000,
  // Slots 4 and 5 go past the words at 0xf8/0xfc (dtb_ptr32, kernel_entry32).
  spinTable: PI_SPIN_TABLE.concat([0x100, 0x108]),
  dram: (ram) => [{ base: 0, size: Math.min(ram, RK3399_PERIPH) }],
  // The first 2 MiB hold the ARM Trusted Firmware (BL31), which U-Boot
  // leaves out of /memory: RK3399 boot logs show "node 0: [mem
  // 0x0000000000200000-0x00000000f7ffffff]" at 4 GB.
  memoryRanges: (ram) => [{ base: RK3399_ATF_SIZE, size: Math.min(ram, RK3399_PERIPH) - RK3399_ATF_SIZE }],
};

/** Allwinner H6: DRAM at 0x40000000 (inferred from the sunxi64 family; the SoC itself is not confirmed). */
const H6_DRAM = 0x4000_0000;

/**
 * The H6's UART0, a DesignWare APB UART with 64-byte FIFOs, auto flow
 * control, the programmable THRE mode (IER.PTIME) and the FIFO status
 * registers (USR, TFL, RFL), all of which the H6 user manual's UART
 * chapter lists, on a 32-bit APB. The manual does not list CPR and UCV;
 * that they are implemented is inferred: mainline kernels print "is a
 * 16550A" for the H6's and H616's UARTs (e.g. "5000000.serial: ttyS0 at
 * MMIO 0x5000000 (irq = 18, base_baud = 1500000) is a 16550A"), which with
 * 64-byte FIFOs only the CPR path of 8250_dwlib.c gives (autoconfig would
 * measure 64 entries and print U6_16550A). The version in UCV is the
 * model's choice ("3.04*"): the driver only prints it at debug level.
 */
const H6_UART = {
  fifoDepth: 64,
  cpr: DW_CPR.fifoMode(64) | DW_CPR.FIFO_STAT | DW_CPR.ADDITIONAL_FEATURES | DW_CPR.THRE_MODE | DW_CPR.AFCE_MODE | DW_CPR.APB_DATA_WIDTH_32,
  ucv: 0x3330_342a,
};

export const uconsoleA04: BoardProfile = {
  name: 'uconsole-a04',
  description: 'uConsole with ClockworkPi A-04 (Allwinner H6, 4x Cortex-A53)',
  model: 'ClockworkPi A04',
  compatible: ['clockwork,devterm-a04', 'allwinner,sun50i-h6'],
  soc: 'H6',
  timerHz: 24_000_000,
  dtbName: 'sun50i-h6-clockworkpi-a04.dtb',
  defaultCmdline: 'console=ttyS0,115200',
  cpus: [0, 1, 2, 3].map((n) => ({ model: 'cortex-a53', mpidr: (0x8000_0000 | n) >>> 0 })),
  ramSizes: [1 * GiB, 2 * GiB, 3 * GiB],
  defaultRam: 3 * GiB,
  ramBase: H6_DRAM,
  devices: [{ name: 'h6-peripherals', base: 0x0100_0000, size: 0x0800_0000, compatible: 'allwinner,sun50i-h6' }],
  console: {
    kind: 'ns16550',
    base: 0x0500_0000,
    dtName: 'serial@5000000',
    compatible: ['snps,dw-apb-uart'],
    regShift: 2,
    dw: H6_UART,
  },
  defaultGpuMemMb: 0,
  kernelLoadAddress: H6_DRAM + 0x20_0000,
  spinTable: PI_SPIN_TABLE,
  dram: (ram) => [{ base: H6_DRAM, size: ram }],
  memoryRanges: (ram) => [{ base: H6_DRAM, size: ram }],
};

export const BOARDS: readonly BoardProfile[] = [uconsoleCm4, uconsoleCm3, uconsoleA06, uconsoleA04];
export const DEFAULT_BOARD = uconsoleCm4.name;

export class BoardError extends Error {
  override name = 'BoardError';
}

export function findBoard(name: string): BoardProfile {
  const b = BOARDS.find((p) => p.name === name);
  if (!b) throw new BoardError(`unknown board "${name}" (boards: ${BOARDS.map((p) => p.name).join(', ')})`);
  return b;
}
