// SPDX-License-Identifier: GPL-2.0-only
//
// Whether something built from files (the CLI bundle, the boot images,
// the native libraries) is still what those files make, cheaply. A stamp
// beside the product holds a hash of the files' contents and their
// fingerprint: their names, sizes and modification times, as text. When
// the fingerprint matches, nothing is read or hashed (node:crypto is not
// even loaded: its first use costs a start about 7 ms); when it does not
// (a file touched, a fresh checkout), the contents are hashed, and only a
// different hash means a rebuild. Plain JavaScript, because the setup step
// uses it before anything is compiled; CommonJS, because every `uconsole`
// command loads it first thing (Node's ES module loader costs a start
// several milliseconds more).

'use strict';

const { readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');

/** Names (relative to `base`), sizes and modification times (ns) of `files`, and `extra`, as one string. */
function filesFingerprint(files, base, extra = '') {
  let print = extra;
  for (const f of files) {
    const st = statSync(f, { bigint: true });
    print += `\n${f.slice(base.length)}\0${st.size}\0${st.mtimeNs}`;
  }
  return print;
}

/** A SHA-256 of the names (relative to `base`) and contents of `files`, and `extra`. */
function filesHash(files, base, extra = '') {
  const h = require('node:crypto').createHash('sha256').update(extra);
  for (const f of files) h.update(f.slice(base.length)).update(readFileSync(f));
  return h.digest('hex');
}

function writeAtomic(path, data) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * The stamp at `stampPath` against `files`: `current` when the product it
 * describes is up to date (its fingerprint is brought up to date when only
 * the times changed); `write()` records `files` as they are, once the
 * product is rebuilt.
 */
function checkStamp(stampPath, files, base, extra = '') {
  const print = filesFingerprint(files, base, extra);
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
  } catch {
    stamp = undefined;
  }
  let hash;
  const write = () => writeAtomic(stampPath, JSON.stringify({ hash: (hash ??= filesHash(files, base, extra)), fingerprint: print }));
  if (stamp?.fingerprint === print) return { current: true, write };
  hash = filesHash(files, base, extra);
  if (stamp?.hash === hash) {
    write();
    return { current: true, write };
  }
  return { current: false, write };
}

module.exports = { filesFingerprint, filesHash, writeAtomic, checkStamp };
