// SPDX-License-Identifier: GPL-2.0-only
// The uconsole command, as bin/uconsole starts it: runs the CLI bundle,
// rebuilt first if any source changed since it was made, and compiled
// from V8's code cache (scripts/bundle.cjs), so it is never stale and
// starts quickly. CommonJS, as every file a start loads before the bundle:
// an ES module entry costs each start Node's ES module loader (about
// 5 ms). bin/uconsole.mjs is the same for `node bin/uconsole.mjs`.

'use strict';

const { readFileSync, writeSync } = require('node:fs');

/**
 * File status flags of descriptors 0-2 (-1 where not known), read before
 * anything touches process.stdin/stdout/stderr: Node's streams set
 * O_NONBLOCK, and the process, which ends without Node's teardown, puts
 * the flags back as that teardown would (emulator/unicorn/host-exit.ts).
 */
function stdioFlags() {
  return [0, 1, 2].map((fd) => {
    try {
      return parseInt(/^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'))[1], 8);
    } catch {
      return -1;
    }
  });
}
const start = { stdioFlags: stdioFlags() };

// bin/uconsole started Node with an environment of its own (it says why):
// the programs uconsole starts get the one it was given.
if (process.env.UCONSOLE_LAUNCHER !== undefined) {
  for (const name of process.env.UCONSOLE_LAUNCHER.split(' ').filter(Boolean)) {
    const host = process.env[`UCONSOLE_HOST_${name}`];
    if (host === undefined) delete process.env[name];
    else process.env[name] = host;
    delete process.env[`UCONSOLE_HOST_${name}`];
  }
  delete process.env.UCONSOLE_LAUNCHER;
}

const { ensureBundle, loadBundle } = require('../scripts/bundle.cjs');

// Straight to the descriptor: process.stderr would change its flags before they are recorded.
const say = (s) => writeSync(2, `uconsole: ${s}\n`);
ensureBundle(say).then(
  (bundle) => loadBundle(bundle, process.argv[2]).cli(process.argv.slice(2), start),
  (e) => {
    say(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
