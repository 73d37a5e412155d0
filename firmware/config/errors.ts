// SPDX-License-Identifier: GPL-2.0-only
/*
 * Errors of firmware/config. Each message is one self-explanatory line
 * that the CLI prints as it is, e.g.
 *
 *   config.txt line 7: gpu_mem=lots: expected a number (decimal or 0x hex)
 *   kernel command line: mem=12X: "12X" is not a size (digits with an optional K, M, G, T, P or E suffix)
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

export class CmdlineError extends Error {
  override name = 'CmdlineError';

  constructor(what: string) {
    super(`kernel command line: ${what}`);
  }
}
