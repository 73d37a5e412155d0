// SPDX-License-Identifier: GPL-2.0-only
/*
 * The boot partition's config.txt as the firmware stage (firmware/boot.ts)
 * uses it: read the file from the boot directory, parse it for the board,
 * and hand over the few settings the stage acts on.
 *
 * Settings that have a board-specific fallback in the board profile
 * (kernel_address, device_tree, gpu_mem) are reported only when config.txt
 * sets them, so that the profile's value applies otherwise; the full parse
 * is in `txt` for anything else. A missing config.txt is not an error: the
 * firmware then runs on its defaults.
 *
 * Only Raspberry Pi modules read config.txt on real hardware; this model
 * boots every board through the same stage, and a board whose profile name
 * does not say cm3 reads the file as a CM4 would.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BoardModel } from './boards';
import { type ConfigTxt, parseConfigTxt } from './config-txt';

/** What the firmware stage needs to know about the board: a structural subset of the emulator's BoardProfile. */
export interface BootConfigBoard {
  name: string;
  /** Installed RAM in bytes. */
  defaultRam: number;
}

export interface BootConfig {
  arm64bit: boolean;
  kernel: string;
  /** kernel_address (or 0 with kernel_old=1) when config.txt sets it. */
  kernelAddress: number | undefined;
  /** device_tree when config.txt sets it. */
  deviceTree: string | undefined;
  /** The armstub file; the model's boot partition carries armstub8.bin. */
  armstub: string;
  cmdlineFile: string;
  /** gpu_mem for the installed RAM when config.txt sets gpu_mem or the gpu_mem_N that applies. */
  gpuMemMb: number | undefined;
  totalMemMb: number | undefined;
  enableUart: boolean;
  armPeriHigh: boolean;
  overlays: string[];
  txt: ConfigTxt;
}

export const DEFAULT_ARMSTUB = 'armstub8.bin';

/** The Raspberry Pi model whose config.txt rules a board profile follows. */
export function configModelOf(boardName: string): BoardModel {
  return /cm3/i.test(boardName) ? 'cm3' : 'cm4';
}

function gpuMemKeyApplies(key: string, ramMb: number): boolean {
  if (key === 'gpu_mem') return true;
  if (key === 'gpu_mem_1024') return ramMb >= 1024;
  if (key === 'gpu_mem_512') return ramMb === 512;
  if (key === 'gpu_mem_256') return ramMb === 256;
  return false;
}

/** The BootConfig view of a parsed config.txt. */
export function bootConfigFrom(txt: ConfigTxt): BootConfig {
  const set = (k: string): boolean => txt.values.has(k);
  const gpuSet = [...txt.values.keys()].some((k) => gpuMemKeyApplies(k, txt.ramMb));
  return {
    arm64bit: txt.arm_64bit !== 0,
    kernel: txt.kernel,
    kernelAddress: set('kernel_address') || txt.kernel_old !== 0 ? txt.kernel_address : undefined,
    deviceTree: txt.device_tree,
    armstub: txt.values.get('armstub') ?? DEFAULT_ARMSTUB,
    cmdlineFile: txt.cmdline,
    gpuMemMb: gpuSet ? txt.gpu_mem : undefined,
    totalMemMb: txt.total_mem,
    enableUart: txt.enable_uart !== 0,
    armPeriHigh: txt.arm_peri_high !== 0,
    overlays: txt.overlays,
    txt,
  };
}

/**
 * Reads `config.txt` in the boot directory `dir` for `board`.
 * @param ramBytes installed RAM (default the board's default RAM)
 */
export function readBootConfig(dir: string, board: BootConfigBoard, ramBytes = board.defaultRam): BootConfig {
  const path = join(dir, 'config.txt');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const ramMb = Math.max(1, Math.round(ramBytes / 2 ** 20));
  return bootConfigFrom(parseConfigTxt(text, { board: configModelOf(board.name), ramMb }));
}
