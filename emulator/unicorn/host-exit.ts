// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CLI's process ends as soon as its command is done.
 *
 * Once the last 'exit' listener has run, Node still tears itself down
 * before the process ends: it stops and joins its platform's worker
 * threads (waiting for the compile and GC tasks they run), frees the heap
 * and runs the C++ destructors. None of it is the command's work: 10-13 ms
 * of `uconsole run busybox true` (220-240 ms) on the project's machine. So
 * when the event loop has drained, the CLI ends with _exit(2) after the
 * 'exit' event, as a C program that is done would.
 *
 * What Node's teardown would have done that matters outside the process:
 *  - output still queued: none. A pipe Node could not write at once keeps
 *    the event loop alive until it is written, and this runs only when the
 *    loop has drained ('beforeExit'; an explicit process.exit() takes
 *    Node's way out).
 *  - the standard descriptors' O_NONBLOCK: Node sets it on a pipe or a
 *    terminal it reads or writes through a stream, on the open file
 *    description it shares with the processes around it, and puts the bit
 *    back at exit (ResetStdio in src/node.cc), and so does this. The flags
 *    are recorded before anything touches process.stdin/stdout/stderr,
 *    by bin/uconsole.cjs, which starts the command, from
 *    /proc/self/fdinfo; where they are not known, Node's way out.
 *  - a terminal's mode (raw input for `uconsole boot`'s console): not
 *    restored here, so with a terminal on any of the three the process
 *    takes Node's way out.
 *  - anything Node or V8 writes at teardown (a profile, a log, a coverage
 *    report; V8's logs go through buffered C stdio, which _exit does not
 *    flush): Node's way out whenever Node has an option other than a few
 *    harmless ones, or NODE_V8_COVERAGE.
 * UCONSOLE_DEBUG=1 says on stderr when the process leaves this way.
 */

import { libc as loadLibcHandle } from './koffi';
import { writeSync } from 'node:fs';
import type { KoffiFn } from './binding';

const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;
const STDIO = [0, 1, 2] as const;

interface Libc {
  fcntl: KoffiFn;
  isatty: KoffiFn;
  exit: KoffiFn;
}
let libc: Libc | null | undefined;
let stdioFlags: number[] | undefined;

function loadLibc(): Libc | null {
  if (libc === undefined) {
    try {
      const l = loadLibcHandle();
      // libc's isatty, not node:tty's: that module loads node:net with it (6 ms of a start).
      const f = (decl: string): KoffiFn => l.func(decl) as KoffiFn;
      libc = { fcntl: f('int fcntl(int fd, int cmd, ...)'), isatty: f('int isatty(int fd)'), exit: f('void _exit(int status)') };
    } catch {
      libc = null; // not glibc: Node's own way out
    }
  }
  return libc;
}

/**
 * The standard descriptors' file status flags as the command's entry read
 * them before Node's streams changed them (-1: not known). Without them
 * the process takes Node's way out.
 */
export function noteStdioFlags(flags?: readonly number[]): void {
  stdioFlags = flags && STDIO.map((fd) => flags[fd] ?? -1);
}

/** Node's options that leave nothing to write at teardown. */
const HARMLESS_OPTION = /^--(max-old-space-size|max-semi-space-size|stack-size|no-warnings|no-deprecation)(=|$)/;

/** Whether Node may have something of its own to do at teardown. */
function nodeMayWriteAtTeardown(): boolean {
  const options = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)];
  return Boolean(process.env.NODE_V8_COVERAGE) || options.some((o) => !HARMLESS_OPTION.test(o));
}

/**
 * End the process with _exit once the 'exit' event is over, the standard
 * descriptors' O_NONBLOCK as noteStdioFlags found it. For a 'beforeExit'
 * listener: an 'exit' listener added after this one would not run.
 */
export function exitWithoutTeardown(): void {
  const l = loadLibc();
  const flags = stdioFlags;
  if (!l || !flags || flags.some((f) => f < 0) || nodeMayWriteAtTeardown() || STDIO.some((fd) => l.isatty(fd) === 1)) return;
  process.once('exit', (code) => {
    // Written first and straight to the descriptor: process.stderr would set O_NONBLOCK again.
    if (process.env.UCONSOLE_DEBUG) writeSync(2, `uconsole: exit ${code} without Node's teardown\n`);
    STDIO.forEach((fd, i) => {
      const was = flags[i]!;
      const now = l.fcntl(fd, F_GETFL) as number;
      if (now >= 0 && (now ^ was) & O_NONBLOCK) l.fcntl(fd, F_SETFL, 'int', (now & ~O_NONBLOCK) | (was & O_NONBLOCK));
    });
    l.exit(code);
  });
}
