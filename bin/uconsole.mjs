#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
// The uconsole command: runs the CLI bundle that scripts/setup.mjs builds.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/uconsole.mjs', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('uconsole: the CLI is not built yet: run "npm run setup" in the uconsole-mm checkout\n');
  process.exit(1);
}
const { cli } = await import(bundle.href);
await cli(process.argv.slice(2));
