// SPDX-License-Identifier: GPL-2.0-only
//
// The CLI bundle (esbuild: cli/main.ts -> dist/uconsole.mjs), rebuilt
// whenever a source it is made from changed. Shared by the setup step and
// bin/uconsole.mjs, so that `npx uconsole` never runs a stale bundle: the
// check is a hash of the sources (a few milliseconds), not their dates.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every folder whose files go into the bundle or the boot images. */
export const SOURCE_DIRS = ['api', 'bench', 'cli', 'emulator', 'firmware', 'images', 'kernel-model', 'lib', 'linux'];

export function hashFiles(files) {
  const h = createHash('sha256');
  for (const f of files) h.update(f.slice(root.length)).update(readFileSync(f));
  return h.digest('hex');
}

export function sources(dirs, re) {
  const out = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        if (name !== 'node_modules' && name !== 'build') walk(p);
      } else if (re.test(name)) out.push(p);
    }
  };
  for (const d of dirs) walk(join(root, d));
  return out.sort();
}

/** Build dist/uconsole.mjs unless it is up to date; returns its path. */
export async function ensureBundle(say = () => {}) {
  const out = join(root, 'dist', 'uconsole.mjs');
  const stamp = join(root, 'dist', '.stamp');
  const want = hashFiles(sources(SOURCE_DIRS, /\.(ts|S|c)$/));
  if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return out;
  const esbuildMain = join(root, 'node_modules', 'esbuild', 'lib', 'main.js');
  if (!existsSync(esbuildMain)) throw new Error('the npm dependencies are not installed: run "npm run setup" in the uconsole-mm checkout');
  say('bundling the CLI (esbuild)');
  mkdirSync(join(root, 'dist'), { recursive: true });
  const esbuild = await import(pathToFileURL(esbuildMain).href);
  await esbuild.build({
    entryPoints: [join(root, 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    external: ['koffi', '@alexaltea/keystone-js', '@alexaltea/capstone-js'],
    banner: { js: "import { createRequire as __uconsoleRequire } from 'node:module'; const require = __uconsoleRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  writeFileSync(stamp, want);
  return out;
}
