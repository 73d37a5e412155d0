// SPDX-License-Identifier: GPL-2.0-only
/*
 * lib/cmdline: the Linux kernel command line (param=value words, quoting,
 * memparse sizes, kstrtoint-style integers), shared by the firmware stage
 * (which writes /chosen/bootargs) and the kernel (which parses it).
 */

export { type CmdlineParam, CmdlineError, KernelCmdline, memparse, parseCmdline, parseKernelInt } from './cmdline';
