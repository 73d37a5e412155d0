// SPDX-License-Identifier: GPL-2.0-only
//
// Whether something built from files (the CLI bundle, the boot images) is
// still what those files make, cheaply. A stamp beside the product holds a
// hash of the files' contents and a fingerprint of their names, sizes and
// modification times. When the fingerprint matches, nothing is read; when
// it does not (a file touched, a fresh checkout), the contents are hashed,
// and only a different hash means a rebuild. Plain JavaScript, because the
// setup step uses it before anything is compiled; CommonJS, because every
// `uconsole` command loads it first thing (Node's ES module loader costs
// a start several milliseconds more).

'use strict';

const { createHash } = require('node:crypto');
const { readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');

function digest(files, base, extra, each) {
  const h = createHash('sha256').update(extra);
  for (const f of files) each(h, f, f.slice(base.length));
  return h.digest('hex');
}

/** Names (relative to `base`), sizes and modification times (ns) of `files`, and `extra`. */
function filesFingerprint(files, base, extra = '') {
  return digest(files, base, extra, (h, f, name) => {
    const st = statSync(f, { bigint: true });
    h.update(`${name}\0${st.size}\0${st.mtimeNs}\0`);
  });
}

/** Names (relative to `base`) and contents of `files`, and `extra`. */
function filesHash(files, base, extra = '') {
  return digest(files, base, extra, (h, f, name) => h.update(name).update(readFileSync(f)));
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
