// SPDX-License-Identifier: GPL-2.0-only
// The uconsole command, as bin/uconsole starts it: runs the CLI bundle,
// rebuilt first if any source changed since it was made, and compiled
// from V8's code cache (scripts/bundle.cjs), so it is never stale and
// starts quickly. CommonJS, as every file a start loads before the bundle:
// an ES module entry costs each start Node's ES module loader (about
// 5 ms). bin/uconsole.mjs is the same for `node bin/uconsole.mjs`.

'use strict';

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

ensureBundle((s) => process.stderr.write(`uconsole: ${s}\n`)).then(
  (bundle) => loadBundle(bundle, process.argv[2]).cli(process.argv.slice(2)),
  (e) => {
    process.stderr.write(`uconsole: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
