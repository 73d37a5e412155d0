// SPDX-License-Identifier: GPL-2.0-only
/*
 * firmware/config: the Raspberry Pi boot configuration files as the
 * firmware model reads them.
 *
 *   config-txt.ts      parseConfigTxt: config.txt with conditional sections and board defaults
 *   conditions.ts      the [filter] rules
 *   boards.ts          per-board facts the firmware uses (filters, defaults, DTB names)
 *   cmdline-txt.ts     readCmdlineTxt: the first line of cmdline.txt
 *   boot-config.ts     readBootConfig: config.txt from a boot directory, as firmware/boot.ts uses it
 *   errors.ts          ConfigTxtError

 * The kernel command line itself is parsed by lib/cmdline, shared with the kernel.
 */

export { ConfigTxtError } from './errors';
export { BOARDS, type BoardInfo, type BoardModel, defaultDeviceTreeName, isBoardModel } from './boards';
export { evaluateFilter, FilterState, type FilterContext, type ParsedFilter } from './conditions';
export {
  CONFIG_TXT_MAX_LINE,
  type ConfigEntry,
  type ConfigTxt,
  type ConfigTxtOptions,
  type DtDirective,
  type Initramfs,
  parseConfigNumber,
  parseConfigTxt,
} from './config-txt';
export { readCmdlineTxt } from './cmdline-txt';
export { type BootConfig, type BootConfigBoard, DEFAULT_ARMSTUB, bootConfigFrom, configModelOf, readBootConfig } from './boot-config';
