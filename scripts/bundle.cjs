// SPDX-License-Identifier: GPL-2.0-only
//
// The CLI bundle (esbuild: cli/main.ts -> dist/uconsole.cjs), rebuilt
// whenever a source it is made from changed, and loaded with V8's code
// cache. Shared by the setup step and bin/uconsole.cjs, so that
// `npx uconsole` never runs a stale bundle.
//
// Freshness: a stamp of the sources (lib/build/file-stamp.cjs): their
// sizes and dates when they match, their contents when they do not.
//
// Loading: every `uconsole` command starts a new Node process, which
// would compile the 1 MB bundle again (about 50 ms, and more for the
// functions compiled lazily as the command runs). The bundle is CommonJS
// so that it can be compiled through vm.Script with the code cache V8
// produced the last time. A cache holds the functions that were compiled
// when it was made, so there is one per command (dist/uconsole.cjs.run.cache
// for `uconsole run`, ...), written when a process exits without a usable
// one: V8 rejects a cache made by another V8 or for a source of another
// length, loadBundle one made for another bundle, and it is then written
// anew. CommonJS, as is the bin script's other helper
// (lib/build/file-stamp.cjs): Node's ES module loader costs each start
// several milliseconds more. `uconsole run busybox true` spends about 50 ms
// less CPU time with its cache.

'use strict';

const { existsSync, readFileSync, readdirSync, mkdirSync, statSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');
const { checkStamp, filesHash, writeAtomic } = require('../lib/build/file-stamp.cjs');

const root = join(__dirname, '..');

/** Every folder whose files go into the bundle or the boot images. */
const SOURCE_DIRS = ['api', 'bench', 'cli', 'emulator', 'firmware', 'images', 'kernel-model', 'lib', 'linux'];

function hashFiles(files) {
  return filesHash(files, root);
}

function sources(dirs, re) {
  const out = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = `${d}/${e.name}`; // not join(): its normalising is a few ms of every start over ~300 names
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'build') walk(p);
      } else if (re.test(e.name)) out.push(p);
    }
  };
  for (const d of dirs) walk(join(root, d));
  return out.sort();
}

/** Build dist/uconsole.cjs unless it is up to date; returns its path. */
async function ensureBundle(say = () => {}) {
  const out = join(root, 'dist', 'uconsole.cjs');
  // This file too: the bundle's format (Node's wrapper in it) is loadBundle's.
  const files = [...sources(SOURCE_DIRS, /\.(ts|mts|cts|mjs|cjs|S|c)$/), __filename];
  const stamp = checkStamp(join(root, 'dist', '.stamp'), files, root);
  if (existsSync(out) && stamp.current) return out;
  const esbuildMain = join(root, 'node_modules', 'esbuild', 'lib', 'main.js');
  if (!existsSync(esbuildMain)) throw new Error('the npm dependencies are not installed: run "npm run setup" in the uconsole-mm checkout');
  say('bundling the CLI (esbuild)');
  mkdirSync(join(root, 'dist'), { recursive: true });
  const esbuild = await import(pathToFileURL(esbuildMain).href);
  await esbuild.build({
    entryPoints: [join(root, 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: out,
    external: ['koffi', '@alexaltea/keystone-js', '@alexaltea/capstone-js'],
    // The sources are ES modules: import.meta.url is the bundle's own URL.
    define: { 'import.meta.url': '__uconsoleModuleUrl' },
    // Node's CommonJS wrapper, written into the file: loadBundle compiles
    // the file's text as it is, where wrapping it at load time made V8
    // copy the whole megabyte into a new string first.
    banner: { js: "(function (exports, require, module, __filename, __dirname) {const __uconsoleModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    footer: { js: '})' },
    logLevel: 'warning',
  });
  stamp.write();
  return out;
}

/**
 * Run the bundle at `path` as a CommonJS module, with V8's code cache for
 * `command` (the functions that command compiled last time); returns its exports.
 */
function loadBundle(path, command = 'setup') {
  const cachePath = `${path}.${/^[a-z][a-z0-9-]{0,31}$/.test(command) ? command : 'other'}.cache`;
  // V8 accepts a code cache for any source of the same length (its check
  // is the length, not the text), so a cache made for an earlier bundle
  // could run that bundle's code. Each cache starts with the size and date
  // of the bundle it was made from, and is used only with that bundle.
  const st = statSync(path, { bigint: true });
  const key = Buffer.from(`${st.size}:${st.mtimeNs}\n`);
  let cached;
  try {
    const file = readFileSync(cachePath);
    if (file.subarray(0, key.length).equals(key)) cached = file.subarray(key.length);
  } catch {
    cached = undefined;
  }
  // The file is a CommonJS module inside Node's own wrapper (see ensureBundle).
  const script = new vm.Script(readFileSync(path, 'utf8'), { filename: path, cachedData: cached });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(path), module, path, dirname(path));
  if (!cached || script.cachedDataRejected) {
    // At exit, so that the cache holds the functions this command compiled too.
    process.once('exit', () => {
      try {
        writeAtomic(cachePath, Buffer.concat([key, script.createCachedData()]));
      } catch {
        // a read-only checkout: every run compiles, nothing else changes
      }
    });
  }
  return module.exports;
}

module.exports = { root, SOURCE_DIRS, hashFiles, sources, ensureBundle, loadBundle };
