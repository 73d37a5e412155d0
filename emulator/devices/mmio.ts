// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory-mapped devices. A device model answers reads and writes at
 * offsets inside its window; the machine's region table maps each window
 * on every core (uc_mmio_map) and dispatches to the model. Devices never
 * touch host I/O: output leaves through callbacks (onByte), so tests can
 * capture a console without a terminal.
 */

export interface MmioDevice {
  readonly name: string;
  /** Window size in bytes (a multiple of 4 KiB: Unicorn maps whole pages). */
  readonly size: number;
  read(offset: number, width: number): number | bigint;
  write(offset: number, width: number, value: bigint): void;
}

/** A guest touched a device the model does not have: the machine reports it as a fault. */
export class DeviceAccessError extends Error {
  override name = 'DeviceAccessError';
  /** `reason`: why a device that exists refused the access (without it, the device is not emulated). */
  constructor(readonly device: string, readonly pa: number, readonly isWrite: boolean, reason?: string) {
    super(reason === undefined
      ? `${isWrite ? 'write to' : 'read from'} unimplemented device ${device} at PA 0x${pa.toString(16)}`
      : `${isWrite ? 'write to' : 'read from'} ${device} at PA 0x${pa.toString(16)}: ${reason}`);
  }
}

/**
 * A window the model knows exists but does not emulate (the ARM-local
 * interrupt block, the GPU mailbox, ...). Any access stops the machine
 * with a clear report rather than returning something plausible.
 */
export class UnimplementedDevice implements MmioDevice {
  constructor(readonly name: string, readonly base: number, readonly size: number) {}
  read(offset: number): number {
    throw new DeviceAccessError(this.name, this.base + offset, false);
  }
  write(offset: number): void {
    throw new DeviceAccessError(this.name, this.base + offset, true);
  }
}

/** A device that sits at an offset inside a shared page. */
export interface PagePart {
  offset: number;
  device: MmioDevice;
}

/**
 * Small devices that share one 4 KiB page (Unicorn maps whole pages): the
 * BCM2835's interrupt controller at 0x7e00b200 sits in the page of the
 * VideoCore mailboxes at 0x7e00b880. Each access goes to the part whose
 * range holds it; the rest of the page is unimplemented.
 */
export class SharedPage implements MmioDevice {
  readonly size = 0x1000;
  constructor(readonly name: string, readonly base: number, private readonly parts: readonly PagePart[]) {}

  read(offset: number, width: number): number | bigint {
    const p = this.part(offset, false);
    return p.device.read(offset - p.offset, width);
  }

  write(offset: number, width: number, value: bigint): void {
    const p = this.part(offset, true);
    p.device.write(offset - p.offset, width, value);
  }

  private part(offset: number, isWrite: boolean): PagePart {
    const p = this.parts.find((q) => offset >= q.offset && offset < q.offset + q.device.size);
    if (!p) throw new DeviceAccessError(this.name, this.base + offset, isWrite);
    return p;
  }
}
