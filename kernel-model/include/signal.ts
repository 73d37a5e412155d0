// SPDX-License-Identifier: GPL-2.0-only
/* Signal numbers (include/uapi/asm-generic/signal.h, which arm64 uses). */

export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGILL = 4;
export const SIGBUS = 7;
export const SIGKILL = 9;
export const SIGSEGV = 11;
export const SIGPIPE = 13;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;
export const SIGWINCH = 28;
export const NSIG = 64;
