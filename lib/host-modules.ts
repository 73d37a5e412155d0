// SPDX-License-Identifier: GPL-2.0-only
/*
 * Node's modules that only a few commands need, loaded on first use.
 *
 * Every `uconsole` command loads the whole CLI bundle, and a module that
 * any file of it imports at its top is loaded with it: node:child_process
 * alone took about 4 ms of each start on the project's machine,
 * node:worker_threads 3 ms, node:zlib about 1 ms, while only builds,
 * fetches, gzipped images, a console's input and the disassembler use them.
 */

import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);
let childProcessModule: typeof import('node:child_process') | undefined;
let zlibModule: typeof import('node:zlib') | undefined;
let workerThreadsModule: typeof import('node:worker_threads') | undefined;

/** node:child_process, loaded the first time it is asked for. */
export function childProcess(): typeof import('node:child_process') {
  return (childProcessModule ??= load('node:child_process') as typeof import('node:child_process'));
}

/** node:zlib, loaded the first time it is asked for. */
export function zlib(): typeof import('node:zlib') {
  return (zlibModule ??= load('node:zlib') as typeof import('node:zlib'));
}

/** node:worker_threads, loaded the first time it is asked for. */
export function workerThreads(): typeof import('node:worker_threads') {
  return (workerThreadsModule ??= load('node:worker_threads') as typeof import('node:worker_threads'));
}
