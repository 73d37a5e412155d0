// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VideoCore firmware's property channel (mailbox channel 8), as the
 * Raspberry Pi firmware wiki ("Mailbox property interface") defines it
 * and Linux's drivers/firmware/raspberrypi.c, drivers/clk/bcm/
 * clk-raspberrypi.c and drivers/pmdomain (soc/bcm) raspberrypi-power.c
 * use it at boot.
 *
 * A message carries the bus address of a buffer in guest RAM: u32 size,
 * u32 code (0: a request), then tags (u32 id, u32 value-buffer size, u32
 * request/response code, the value buffer) up to an end tag 0. The
 * firmware answers in place: each tag it knows gets its response values
 * (cut to the buffer) and code 0x80000000 | response length; tags it does
 * not know are left alone, as the wiki says; the buffer's code becomes
 * 0x80000000, or 0x80000001 when the buffer cannot be parsed.
 *
 * Answered, with the values the real firmware gives (FIRMWARE below):
 * the firmware revision, the board revision, ARM and VideoCore memory,
 * the throttled flags, the clocks (list, state, rate, min and max, set
 * rate within the range), the old power-device interface and the new
 * power-domain one. Not answered (left to the caller as unknown): the
 * board model, serial and MAC address (a device's own), the frame buffer,
 * GPIO, the OTP, the display and the rest.
 */

import type { GuestRam } from '../emulator/memory/guest-ram';
import type { BoardProfile, MemRange } from '../emulator/board/profile';

export const MBOX_CHAN_PROPERTY = 8;
const REQUEST = 0;
const SUCCESS = 0x8000_0000;
const PARSE_ERROR = 0x8000_0001;

const TAG = {
  GET_FIRMWARE_REVISION: 0x0000_0001,
  GET_BOARD_REVISION: 0x0001_0002,
  GET_ARM_MEMORY: 0x0001_0005,
  GET_VC_MEMORY: 0x0001_0006,
  GET_CLOCKS: 0x0001_0007,
  GET_POWER_STATE: 0x0002_0001,
  SET_POWER_STATE: 0x0002_8001,
  GET_CLOCK_STATE: 0x0003_0001,
  SET_CLOCK_STATE: 0x0003_8001,
  GET_CLOCK_RATE: 0x0003_0002,
  SET_CLOCK_RATE: 0x0003_8002,
  GET_MAX_CLOCK_RATE: 0x0003_0004,
  GET_MIN_CLOCK_RATE: 0x0003_0007,
  GET_DOMAIN_STATE: 0x0003_0030,
  SET_DOMAIN_STATE: 0x0003_8030,
  GET_THROTTLED: 0x0003_0046,
} as const;

/** Clock IDs of the property interface (clk-raspberrypi.c's rpi_firmware_clk_id). */
export const CLK = { UART: 2, ARM: 3, CORE: 4, V3D: 5, H264: 6, ISP: 7, SDRAM: 8, HEVC: 11 } as const;

interface ClockSpec {
  id: number;
  min: number;
  max: number;
}

interface SocFirmware {
  /** GET_FIRMWARE_REVISION: the build time, seconds since 1970 (UTC). */
  revision: number;
  clocks: ClockSpec[];
  /** The VPU core clock with enable_uart=1, which fixes it for the mini-UART's sake (Hz). */
  uartCoreHz: number;
}

const MHz = 1_000_000;

/** The documented defaults, in MHz, [minimum, maximum]: arm_freq, core_freq, the GPU blocks' (h264, isp, v3d, and hevc where there is one), sdram_freq. */
interface Defaults {
  arm: [number, number];
  core: [number, number];
  gpu: [number, number];
  sdram: [number, number];
  hevc: boolean;
}

function clocksFrom(d: Defaults): ClockSpec[] {
  const spec = (id: number, [min, max]: [number, number]): ClockSpec => ({ id, min: min * MHz, max: max * MHz });
  const gpuBlocks = [CLK.V3D, CLK.H264, CLK.ISP, ...(d.hevc ? [CLK.HEVC] : [])];
  return [spec(CLK.UART, [48, 48]), spec(CLK.ARM, d.arm), spec(CLK.CORE, d.core), ...gpuBlocks.map((id) => spec(id, d.gpu)), spec(CLK.SDRAM, d.sdram)]
    .sort((a, b) => a.id - b.id);
}

/**
 * What the firmware of release 1.20230405 answers: its build times are the
 * ones Raspberry Pi OS logs print ("Attached to firmware from
 * 2023-03-17T10:52:42" on BCM2837 boards, start.elf; "...10:50:39" on
 * BCM2711 ones, start4.elf). The clock ranges are the documented defaults
 * (documentation/asciidoc/computers/config_txt/overclocking.adoc: the
 * "Pi3" column for the CM3, "CM4 & Pi4B <= R1.3" for the CM4: arm_freq and
 * arm_freq_min, core_freq, h264/isp/v3d/hevc_freq and their minima,
 * sdram_freq); the UART clock is init_uart_clock's 48 MHz default (the config.txt documentation).
 */
const FIRMWARE: Record<string, SocFirmware> = {
  BCM2837: { revision: 1679050362, clocks: clocksFrom({ arm: [600, 1200], core: [250, 400], gpu: [250, 400], sdram: [400, 450], hevc: false }), uartCoreHz: 250 * MHz },
  BCM2711: { revision: 1679050239, clocks: clocksFrom({ arm: [600, 1500], core: [200, 500], gpu: [250, 500], sdram: [3200, 3200], hevc: true }), uartCoreHz: 500 * MHz },
};

/**
 * Board revision codes (documentation/asciidoc/computers/raspberry-pi/
 * revision-codes.adoc): CM3 rev 1.0, 1 GB, Sony UK; CM4 rev 1.0, Sony UK,
 * the memory size in bits 20-22.
 */
function boardRevision(board: BoardProfile, ramBytes: number): number | undefined {
  if (board.soc === 'BCM2837') return 0xa020a0;
  if (board.soc !== 'BCM2711') return undefined;
  const sizeCode = Math.log2(ramBytes / 2 ** 30) + 2; // 1 GB -> 2 (0xa), 2 GB -> 3, 4 GB -> 4, 8 GB -> 5
  return ((0x80_0000 | (sizeCode << 20) | 0x03140) >>> 0);
}

/** Power-domain IDs: RPI_POWER_DOMAIN_I2C0 (0) to RPI_POWER_DOMAIN_ARM (22) (include/dt-bindings/power/raspberrypi-power.h). */
const DOMAIN_COUNT = 23;
const DOMAIN_ARM = 22;
/** Old-interface power devices: SD card, UART0, UART1, USB HCD, I2C0-2, SPI, CCP2TX (the wiki's device IDs). */
const DEVICE_COUNT = 9;

export class PropertyBufferError extends Error {
  override name = 'PropertyBufferError';
}

export interface VideoCoreOptions {
  ram: GuestRam;
  board: BoardProfile;
  ramBytes: number;
  /** The ARM's memory as the firmware stage wrote /memory (its first range is GET_ARM_MEMORY). */
  memory: MemRange[];
  /** gpu_mem in MiB: the VideoCore's share right above the ARM's first range. */
  gpuMemMb: number;
  /** config.txt's enable_uart (the firmware then fixes the core clock). */
  enableUart?: boolean;
}

export class VideoCoreProperties {
  private readonly fw: SocFirmware;
  private readonly revision: number | undefined;
  private readonly rates = new Map<number, number>();
  private readonly clockOn = new Map<number, boolean>();
  private readonly domains = new Uint8Array(DOMAIN_COUNT);
  private readonly devices = new Uint8Array(DEVICE_COUNT);
  /** Every tag answered, by ID, for reports and tests. */
  readonly answered = new Map<number, number>();

  constructor(private readonly o: VideoCoreOptions) {
    const fw = FIRMWARE[o.board.soc];
    if (!fw) throw new Error(`no VideoCore firmware model for the ${o.board.soc}`);
    this.fw = fw;
    this.revision = boardRevision(o.board, o.ramBytes);
    // Every clock starts at its minimum (inferred, not measured: initial_turbo defaults to 0 and force_turbo=0 keeps idle clocks at their minima, overclocking.adoc).
    for (const c of fw.clocks) {
      this.rates.set(c.id, c.min);
      this.clockOn.set(c.id, true);
    }
    // But enable_uart=1 fixes the VPU core clock, from which the mini-UART's baud rate is divided
    // (configuration/uart.adoc: 250 MHz on the Pi 3 family). On the BCM2711 it is core_freq's
    // 500 MHz: a published CM4 log prints the mini-UART's base_baud = 62500000 (= 500 MHz * 2 / 16,
    // 8250_bcm2835aux.c; Raspberry Pi kernel 6.6.74, YeicoCom/yeico_firmware_rpi4's patches/readme-reterminal.txt).
    if (o.enableUart) this.rates.set(CLK.CORE, fw.uartCoreHz);
    this.domains[DOMAIN_ARM] = 1;
  }

  /** A channel-8 message: process the buffer at `bus` in place; the reply is the same address. */
  message(bus: number): number {
    const pa = this.busToPhys(bus);
    this.process(pa);
    return bus;
  }

  private busToPhys(bus: number): number {
    const r = this.o.board.dmaRanges?.find((d) => bus >= d.bus && bus < d.bus + d.size);
    if (!r) throw new PropertyBufferError(`VideoCore property buffer at bus address 0x${bus.toString(16)} is outside the DMA window`);
    return r.cpu + (bus - r.bus);
  }

  private process(pa: number): void {
    const ram = this.o.ram;
    if (!ram.contains(pa, 8)) throw new PropertyBufferError(`VideoCore property buffer at PA 0x${pa.toString(16)} is not in RAM`);
    const size = ram.u32(pa);
    if (ram.u32(pa + 4) !== REQUEST) return;
    if (size < 12 || (size & 3) !== 0 || size > 1 << 20 || !ram.contains(pa, size)) {
      ram.setU32(pa + 4, PARSE_ERROR);
      return;
    }
    let at = pa + 8;
    const end = pa + size;
    while (at + 4 <= end) {
      const tag = ram.u32(at);
      if (tag === 0) break;
      const bufSize = ram.u32(at + 4);
      if (at + 12 + bufSize > end) {
        ram.setU32(pa + 4, PARSE_ERROR);
        return;
      }
      const request = (i: number): number => (12 + 4 * i + 4 <= 12 + bufSize ? ram.u32(at + 12 + 4 * i) : 0);
      const response = this.answer(tag, request, bufSize);
      if (response) {
        for (let i = 0; i < response.length && 4 * i + 4 <= bufSize; i++) ram.setU32(at + 12 + 4 * i, response[i]! >>> 0);
        ram.setU32(at + 8, (SUCCESS | (4 * response.length)) >>> 0);
        this.answered.set(tag, (this.answered.get(tag) ?? 0) + 1);
      }
      at += 12 + ((bufSize + 3) & ~3);
    }
    ram.setU32(pa + 4, SUCCESS);
  }

  /** The response values of one tag, or undefined for a tag the firmware does not know. */
  private answer(tag: number, req: (i: number) => number, bufSize: number): number[] | undefined {
    switch (tag) {
      case TAG.GET_FIRMWARE_REVISION:
        return [this.fw.revision];
      case TAG.GET_BOARD_REVISION:
        return this.revision === undefined ? undefined : [this.revision];
      case TAG.GET_ARM_MEMORY: {
        const first = this.o.memory[0]!;
        return [first.base, first.size];
      }
      case TAG.GET_VC_MEMORY: {
        const first = this.o.memory[0]!;
        return [first.base + first.size, this.o.gpuMemMb * 2 ** 20];
      }
      case TAG.GET_THROTTLED:
        return [0]; // no under-voltage, capping, throttling or soft temperature limit, now or since boot
      case TAG.GET_CLOCKS:
        return this.fw.clocks.slice(0, Math.floor(bufSize / 8)).flatMap((c) => [0, c.id]);
      default:
        return this.clockAnswer(tag, req) ?? this.powerAnswer(tag, req);
    }
  }

  private clockAnswer(tag: number, req: (i: number) => number): number[] | undefined {
    const id = req(0);
    const clock = this.fw.clocks.find((c) => c.id === id);
    switch (tag) {
      case TAG.GET_CLOCK_STATE:
        // bit 0: on; bit 1: the clock does not exist
        return [id, clock ? (this.clockOn.get(id) ? 1 : 0) : 2];
      case TAG.SET_CLOCK_STATE:
        if (clock) this.clockOn.set(id, (req(1) & 1) === 1);
        return [id, clock ? (this.clockOn.get(id) ? 1 : 0) : 2];
      case TAG.GET_CLOCK_RATE:
        return [id, clock ? this.rates.get(id)! : 0];
      case TAG.SET_CLOCK_RATE:
        if (clock) this.rates.set(id, Math.min(clock.max, Math.max(clock.min, req(1))));
        return [id, clock ? this.rates.get(id)! : 0];
      case TAG.GET_MAX_CLOCK_RATE:
        return [id, clock?.max ?? 0];
      case TAG.GET_MIN_CLOCK_RATE:
        return [id, clock?.min ?? 0];
      default:
        return undefined;
    }
  }

  private powerAnswer(tag: number, req: (i: number) => number): number[] | undefined {
    const id = req(0);
    switch (tag) {
      case TAG.GET_DOMAIN_STATE:
        return [id, id < DOMAIN_COUNT ? this.domains[id]! : 0];
      case TAG.SET_DOMAIN_STATE:
        if (id < DOMAIN_COUNT) this.domains[id] = req(1) & 1;
        return [id, id < DOMAIN_COUNT ? this.domains[id]! : 0];
      case TAG.GET_POWER_STATE:
        // bit 0: on; bit 1: the device does not exist
        return [id, id < DEVICE_COUNT ? this.devices[id]! : 2];
      case TAG.SET_POWER_STATE:
        if (id < DEVICE_COUNT) this.devices[id] = req(1) & 1; // bit 1 (wait) is moot: the change is immediate
        return [id, id < DEVICE_COUNT ? this.devices[id]! : 2];
      default:
        return undefined;
    }
  }
}
