// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmdline.txt: the kernel command line the firmware passes in /chosen
 * bootargs. The firmware uses the first line only (the Raspberry Pi
 * documentation asks for all parameters on one line, because a newline
 * ends the command line), with surrounding whitespace dropped.
 */

/** The command line held in a cmdline.txt file: its first line, trimmed. */
export function readCmdlineTxt(content: string | Uint8Array): string {
  const text = typeof content === 'string' ? content : new TextDecoder('utf-8').decode(content);
  const firstLine = text.split(/\r\n|\r|\n/, 1)[0] ?? '';
  return firstLine.trim();
}
