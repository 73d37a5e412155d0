#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
//
// The setup step that `npm start`, `npm test` and `npm run setup` run first.
// It makes a fresh Debian machine with Node.js 20 ready, doing only what is
// missing or stale:
//
//   1. npm dependencies: `npm ci` when node_modules is missing or older
//      than package-lock.json;
//   2. the Unicorn engine (Debian package libunicorn2) and what the
//      emulator's native part is built with (gcc, libc6-dev,
//      libunicorn-dev): installed with apt-get when running as root,
//      otherwise the exact command is printed;
//   3. the CLI bundle (esbuild: cli/ -> dist/uconsole.cjs) when a source
//      changed;
//   4. the native part (emulator/native/uc_slice.c ->
//      emulator/native/build/libuc_slice.so, and uc_store_path.c ->
//      libuc_store_path.so) when its source changed;
//   5. Debian's cross compiler for the initramfs's C programs
//      (gcc-aarch64-linux-gnu, libc6-dev-arm64-cross): installed with
//      apt-get when running as root; otherwise the exact command is
//      printed and the images are built without those programs;
//   6. Debian's busybox-static for arm64, the initramfs's userland (the
//      shell on the console): fetched as the Debian package when running
//      as root with apt (images/busybox.ts; best effort: without network
//      the images are built without it and its tests skip), otherwise the
//      exact command is printed;
//   7. the boot images (images/build/<board>/) when a source changed.
//
// Plain JavaScript with Node's own modules: it has to run before anything
// is installed.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBundle, hashFiles, loadBundle, root } from './bundle.cjs';
const buildOnly = process.argv.includes('--build-only');
const say = (s) => process.stderr.write(`setup: ${s}\n`);

function fail(message) {
  process.stderr.write(`setup: ${message}\n`);
  process.exit(1);
}

function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) fail(`Node.js ${process.versions.node} is too old: uconsole-mm needs Node.js 20 or newer`);
}

function ensureDependencies() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.uconsole-lock-hash');
  const want = hashFiles([lock]);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  say('installing npm dependencies (npm ci)');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) fail('npm ci failed; run it by hand in the uconsole-mm folder to see why');
  writeFileSync(stamp, want);
}

function unicornLoads() {
  // A child process, so that a failed dlopen leaves nothing behind here.
  const probe = "const k=require('koffi');k.load('libunicorn.so.2');";
  return spawnSync(process.execPath, ['-e', probe], { cwd: root, stdio: 'ignore' }).status === 0;
}

const NATIVE_TOOLS = ['gcc', 'libc6-dev', 'libunicorn-dev'];

function nativeToolsPresent() {
  const hasCc = spawnSync('sh', ['-c', 'command -v cc'], { stdio: 'ignore' }).status === 0;
  return hasCc && existsSync('/usr/include/unicorn/unicorn.h') && existsSync('/usr/include/stdlib.h');
}

/** apt-get install `pkgs` as root, or stop with the exact command to run. */
function aptInstall(pkgs, why) {
  const command = `apt-get install -y ${pkgs.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) fail(`${why}: run "sudo ${command}", then try again`);
  say(`installing ${why.replace(/ is missing$/, '')} (${command})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const args = ['install', '-y', '--no-install-recommends', ...pkgs];
  let r = spawnSync('apt-get', args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    r = spawnSync('apt-get', args, { stdio: 'inherit', env });
  }
  return r.status === 0;
}

function ensureUnicorn() {
  if (!unicornLoads() && (!aptInstall(['libunicorn2'], 'the Unicorn engine (libunicorn.so.2) is missing') || !unicornLoads()))
    fail('could not install libunicorn2 with apt-get; install it by hand: apt-get install -y libunicorn2');
  if (!nativeToolsPresent() && (!aptInstall(NATIVE_TOOLS, 'the C compiler or the Unicorn headers (for the native part) are missing') || !nativeToolsPresent()))
    fail(`could not install the native build tools; install them by hand: apt-get install -y ${NATIVE_TOOLS.join(' ')}`);
}

const CROSS_CC = 'aarch64-linux-gnu-gcc';
const CROSS_PACKAGES = ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross'];

function crossCompilerPresent() {
  return spawnSync('sh', ['-c', `command -v ${CROSS_CC}`], { stdio: 'ignore' }).status === 0;
}

/** The cross compiler is optional: without it the initramfs has no C programs and their tests skip. */
function ensureCrossCompiler() {
  if (crossCompilerPresent()) return;
  const command = `apt-get install -y ${CROSS_PACKAGES.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    say(`${CROSS_CC} is missing: the initramfs is built without its C programs (to add them: sudo ${command})`);
    return;
  }
  say(`installing the arm64 cross compiler (${command})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const args = ['install', '-y', '--no-install-recommends', ...CROSS_PACKAGES];
  if (spawnSync('apt-get', args, { stdio: 'inherit', env }).status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    spawnSync('apt-get', args, { stdio: 'inherit', env });
  }
  if (!crossCompilerPresent()) say(`could not install ${CROSS_CC}: the initramfs is built without its C programs (try: ${command})`);
}

function ensureNative({ ensureNativeLibrary, storePathPaths }) {
  try {
    ensureNativeLibrary(say);
    ensureNativeLibrary(say, storePathPaths());
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
}

function ensureBusybox({ cachedBusybox, fetchBusybox, FETCH_COMMAND }) {
  if (cachedBusybox(root)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    say(`busybox is not fetched: the uConsole boots without a shell (to add it: sudo ${FETCH_COMMAND})`);
    return;
  }
  say("fetching Debian's busybox-static for arm64 (the shell on the console)");
  try {
    fetchBusybox(say, root);
  } catch (e) {
    say(`${e instanceof Error ? e.message : String(e)}; the uConsole boots without a shell`);
  }
}

async function ensureBootImages({ ensureImages }) {
  await ensureImages(say);
}

checkNode();
ensureDependencies();
ensureUnicorn();
ensureCrossCompiler();
const bundle = loadBundle(await ensureBundle(say));
ensureNative(bundle);
ensureBusybox(bundle);
await ensureBootImages(bundle);
if (buildOnly) say('build up to date');
