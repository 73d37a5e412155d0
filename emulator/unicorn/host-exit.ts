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
 *  - the standard descriptors' file status flags: Node sets O_NONBLOCK on
 *    a pipe or a terminal it reads or writes through a stream, on the open
 *    file description it shares with the processes around it, and puts the
 *    flags back at exit (ResetStdio in src/node.cc). noteStdioFlags records
 *    them before anything touches process.stdin/stdout/stderr, and they are
 *    put back here the same way.
 *  - a terminal's mode (raw input for `uconsole boot`'s console): not
 *    restored here, so with a terminal on any of the three the process
 *    takes Node's way out.
 *  - a profile or coverage report Node writes at teardown (--cpu-prof and
 *    friends, NODE_V8_COVERAGE): Node's way out too.
 * UCONSOLE_DEBUG=1 says on stderr when the process leaves this way.
 */

import koffi from 'koffi';
import type { KoffiFn } from './binding';

const F_GETFL = 3;
const F_SETFL = 4;
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
      const l = koffi.load('libc.so.6');
      // libc's isatty, not node:tty's: that module loads node:net with it (6 ms of a start).
      const f = (decl: string): KoffiFn => l.func(decl) as KoffiFn;
      libc = { fcntl: f('int fcntl(int fd, int cmd, ...)'), isatty: f('int isatty(int fd)'), exit: f('void _exit(int status)') };
    } catch {
      libc = null; // not glibc: Node's own way out
    }
  }
  return libc;
}

/** Record the standard descriptors' file status flags, before Node's streams change them. */
export function noteStdioFlags(): void {
  const l = loadLibc();
  stdioFlags = l ? STDIO.map((fd) => l.fcntl(fd, F_GETFL) as number) : undefined;
}

/** Whether Node was asked for something it writes at teardown. */
function nodeWritesAtTeardown(): boolean {
  const options = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  return Boolean(process.env.NODE_V8_COVERAGE) || /--(cpu-prof|heap-prof|prof|inspect|diagnostic|trace|report)/.test(options);
}

/**
 * End the process with _exit once the 'exit' event is over, its standard
 * descriptors' flags as noteStdioFlags found them. For a 'beforeExit'
 * listener: an 'exit' listener added after this one would not run.
 */
export function exitWithoutTeardown(): void {
  const l = loadLibc();
  const flags = stdioFlags;
  if (!l || !flags || nodeWritesAtTeardown() || STDIO.some((fd) => l.isatty(fd) === 1)) return;
  process.once('exit', (code) => {
    STDIO.forEach((fd, i) => {
      const was = flags[i]!;
      if (was >= 0 && (l.fcntl(fd, F_GETFL) as number) !== was) l.fcntl(fd, F_SETFL, 'int', was);
    });
    if (process.env.UCONSOLE_DEBUG) process.stderr.write(`uconsole: exit ${code} without Node's teardown\n`);
    l.exit(code);
  });
}
