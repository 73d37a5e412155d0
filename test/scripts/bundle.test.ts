import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../../lib/project-root';

const loader = pathToFileURL(join(projectRoot(), 'scripts', 'bundle.cjs')).href;

/** Load `bundle` through loadBundle in a new Node process (the cache is written at its exit). */
function load(bundle: string, command: string): string {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e',
    `const { loadBundle } = await import(${JSON.stringify(loader)}); process.stdout.write(String(loadBundle(${JSON.stringify(bundle)}, ${JSON.stringify(command)}).answer()));`],
  { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout;
}

describe('loadBundle (scripts/bundle.cjs)', () => {
  it('runs a CommonJS bundle, keeps a code cache per command, and replaces a cache V8 rejects', () => {
    const dir = mkdtempSync(join(tmpdir(), 'uconsole-bundle-'));
    try {
      const bundle = join(dir, 'b.cjs');
      // A bundle is a CommonJS module in Node's wrapper, as esbuild writes it (its banner and footer).
      const wrapped = (body: string): string => `(function (exports, require, module, __filename, __dirname) {${body}\n})`;
      writeFileSync(bundle, wrapped(`const path = require('node:path'); exports.answer = () => path.basename(__filename) + ':' + (6 * 7);`));
      expect(load(bundle, 'run')).toBe('b.cjs:42');
      const cache = `${bundle}.run.cache`;
      expect(existsSync(cache)).toBe(true);
      const made = statSync(cache).mtimeMs;

      // A usable cache is read, not written again.
      expect(load(bundle, 'run')).toBe('b.cjs:42');
      expect(statSync(cache).mtimeMs).toBe(made);

      // Another command has a cache of its own; an odd command name a shared one.
      load(bundle, 'boot');
      expect(existsSync(`${bundle}.boot.cache`)).toBe(true);
      load(bundle, '../x');
      expect(existsSync(`${bundle}.other.cache`)).toBe(true);

      // A rebuilt bundle of the very same length: V8 alone would take the old cache
      // (it compares lengths), which would run the old code.
      writeFileSync(bundle, wrapped(`const path = require('node:path'); exports.answer = () => path.basename(__filename) + ':' + (6 * 8);`));
      expect(load(bundle, 'run')).toBe('b.cjs:48');
      expect(load(bundle, 'run')).toBe('b.cjs:48');

      // A cache made for another bundle (its key) is not used, and is made anew.
      writeFileSync(cache, 'not a code cache');
      expect(load(bundle, 'run')).toBe('b.cjs:48');
      expect(readFileSync(cache).toString('latin1')).not.toBe('not a code cache');

      // Garbage under the right key: V8 rejects it, the bundle still runs, and the cache is made anew.
      const st = statSync(bundle, { bigint: true });
      const key = `${st.size}:${st.mtimeNs}\n`;
      writeFileSync(cache, `${key}not a code cache`);
      expect(load(bundle, 'run')).toBe('b.cjs:48');
      const remade = readFileSync(cache).toString('latin1');
      expect(remade.startsWith(key)).toBe(true);
      expect(remade).not.toBe(`${key}not a code cache`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
