#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
// The uconsole command: runs the CLI bundle, rebuilt first if any source
// changed since it was made, and compiled from V8's code cache
// (scripts/bundle.cjs), so it is never stale and starts quickly.
import { createRequire } from 'node:module';

// bin/uconsole started Node without NODE_EXTRA_CA_CERTS (it costs Node 20
// about 50 ms at start); the programs uconsole starts get it back.
if (process.env.UCONSOLE_NODE_EXTRA_CA_CERTS !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = process.env.UCONSOLE_NODE_EXTRA_CA_CERTS;
  delete process.env.UCONSOLE_NODE_EXTRA_CA_CERTS;
}

const { ensureBundle, loadBundle } = createRequire(import.meta.url)('../scripts/bundle.cjs');

let bundle;
try {
  bundle = await ensureBundle((s) => process.stderr.write(`uconsole: ${s}\n`));
} catch (e) {
  process.stderr.write(`uconsole: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
await loadBundle(bundle, process.argv[2]).cli(process.argv.slice(2));
