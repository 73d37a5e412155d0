// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading an arm64 kernel from a file, as a boot loader does: a raw Image,
 * or a vmlinuz that is the same Image gzip-compressed (Debian's arm64
 * vmlinuz is the raw Image since bookworm; older ones and the Pi's
 * kernel8.img may be gzip). The Image header (Documentation/arm64/
 * booting.rst) gives text_offset and image_size, which the firmware stage
 * honours when it places the kernel (parseImageHeader in boot.ts).
 *
 * EFI zboot images (CONFIG_EFI_ZBOOT: an EFI application that decompresses
 * the kernel itself) are refused with a clear line: the model has no UEFI.
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { zlib } from '../lib/host-modules';
import { FirmwareError, parseImageHeader, readHead } from './boot';

export interface KernelImage {
  /** The uncompressed Image. */
  image: Uint8Array;
  textOffset: number;
  /** Bytes the kernel occupies once running (image_size, BSS included). */
  imageSize: number;
  /** The file was gzip-compressed. */
  gzip: boolean;
}

const GZIP_MAGIC = [0x1f, 0x8b];
/** "zimg" at offset 4 of an EFI zboot image (drivers/firmware/efi/libstub/zboot-header.S). */
const ZBOOT_MAGIC = 0x676d697a;

/** An Image (or gzip of one) already in memory; `name` is for messages. */
export function decodeKernelImage(bytes: Uint8Array, name: string): KernelImage {
  let image = bytes;
  const gzip = bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
  if (gzip) {
    try {
      image = new Uint8Array(zlib().gunzipSync(bytes));
    } catch (e) {
      throw new FirmwareError(`${name} looks gzip-compressed but does not decompress (${(e as Error).message.split('\n')[0]})`);
    }
  }
  if (image.length >= 8 && new DataView(image.buffer, image.byteOffset).getUint32(4, true) === ZBOOT_MAGIC)
    throw new FirmwareError(`${name} is an EFI zboot image; the model boots a plain arm64 Image or a gzip of one`);
  const hdr = parseImageHeader(image, name);
  return { image, textOffset: hdr.textOffset, imageSize: Math.max(hdr.imageSize, image.length), gzip };
}

/** A checked kernel file: a raw Image is left where it is (only its header was read), a gzip is decoded. */
export interface KernelFile {
  path: string;
  /** The uncompressed Image when the file is gzip (a boot partition needs it written out). */
  decoded?: Uint8Array;
  /** Bytes of the uncompressed Image. */
  length: number;
  textOffset: number;
  imageSize: number;
  gzip: boolean;
}

/**
 * Read and check a kernel file (one-line FirmwareError on anything wrong).
 * A raw Image (Debian's is 30 MB) is not read past its header: the
 * firmware stage reads it into guest RAM, where whoever needs its bytes
 * finds them.
 */
export function readKernelImage(path: string): KernelFile {
  if (!existsSync(path)) throw new FirmwareError(`kernel image ${path} not found`);
  const st = statSync(path);
  if (!st.isFile()) throw new FirmwareError(`kernel image ${path} is not a file`);
  const head = readHead(path, 64);
  if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) {
    const k = decodeKernelImage(new Uint8Array(readFileSync(path)), path);
    return { path, decoded: k.image, length: k.image.length, textOffset: k.textOffset, imageSize: k.imageSize, gzip: true };
  }
  const k = decodeKernelImage(head, path);
  return { path, length: st.size, textOffset: k.textOffset, imageSize: Math.max(k.imageSize, st.size), gzip: false };
}
