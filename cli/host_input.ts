// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host's stdin for the console, readable with a timeout. The machine
 * runs on the main thread, synchronously, so it cannot wait for a key and
 * let virtual time pass at once: a guest program that waits for input
 * with a timeout (top's refresh, a shell's escape-sequence timer) would
 * otherwise freeze until something is typed. A worker thread reads stdin
 * (fs.readSync, blocking) into a shared buffer; the main thread takes
 * what is there, waiting at most as long as the guest may (Atomics.wait),
 * one chunk at a time.
 *
 * Protocol on the shared words: state 0 = the buffer is free for the
 * worker, 1 = it holds `len` bytes for the main thread, 2 = end of input
 * (or a read error). The worker fills and sets 1, then waits for 0; the
 * main thread copies, sets 0 and wakes it.
 */

import type { Worker } from 'node:worker_threads';
import { workerThreads } from '../lib/host-modules';

const CHUNK = 65536;
const FREE = 0;
const FULL = 1;
const END = 2;

const WORKER_SOURCE = `
const { readSync } = require('node:fs');
const { workerData } = require('node:worker_threads');
const ctl = new Int32Array(workerData.ctl);
const buf = new Uint8Array(workerData.buf);
for (;;) {
  let n;
  try {
    n = readSync(0, buf, 0, buf.length, null);
  } catch (e) {
    if (e.code === 'EAGAIN') { Atomics.wait(ctl, 0, ${FREE}, 10); continue; }
    n = 0;
  }
  if (n === 0) { Atomics.store(ctl, 0, ${END}); Atomics.notify(ctl, 0); break; }
  Atomics.store(ctl, 1, n);
  Atomics.store(ctl, 0, ${FULL});
  Atomics.notify(ctl, 0);
  Atomics.wait(ctl, 0, ${FULL});
}
`;

export class HostInput {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(8));
  private readonly buf = new Uint8Array(new SharedArrayBuffer(CHUNK));
  private readonly worker: Worker;

  constructor() {
    this.worker = new (workerThreads().Worker)(WORKER_SOURCE, { eval: true, workerData: { ctl: this.ctl.buffer, buf: this.buf.buffer } });
    this.worker.unref(); // a read still pending when the machine halts must not keep the process alive
  }

  /** What came in within `waitMs` (Infinity: until something does): bytes, null at the end of input, undefined when nothing came. */
  read(waitMs: number): Uint8Array | null | undefined {
    if (Atomics.load(this.ctl, 0) === FREE) Atomics.wait(this.ctl, 0, FREE, Number.isFinite(waitMs) ? Math.max(0, waitMs) : undefined);
    const state = Atomics.load(this.ctl, 0);
    if (state === END) return null;
    if (state !== FULL) return undefined;
    const data = this.buf.slice(0, Atomics.load(this.ctl, 1));
    Atomics.store(this.ctl, 0, FREE);
    Atomics.notify(this.ctl, 0);
    return data;
  }
}
