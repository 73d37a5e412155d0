#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
// The uconsole command: runs the CLI bundle, rebuilt first if any source
// changed since it was made (scripts/bundle.mjs), so it is never stale.
import { ensureBundle } from '../scripts/bundle.mjs';

let bundle;
try {
  bundle = await ensureBundle((s) => process.stderr.write(`uconsole: ${s}\n`));
} catch (e) {
  process.stderr.write(`uconsole: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
const { cli } = await import(new URL(`file://${bundle}`).href);
await cli(process.argv.slice(2));
