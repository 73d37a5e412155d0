// SPDX-License-Identifier: GPL-2.0-only
/*
 * Errors of firmware/config. Each message is one self-explanatory line
 * that the CLI prints as it is, e.g.
 *
 *   config.txt line 7: gpu_mem=lots: expected a number (decimal or 0x hex)
 */

export class ConfigTxtError extends Error {
  override name = 'ConfigTxtError';

  /** `line` is 1-based (undefined for a problem with the whole file); the message names the file and the line. */
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    what: string,
  ) {
    super(line === undefined ? `${file}: ${what}` : `${file} line ${line}: ${what}`);
  }
}
