import { afterAll, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNativeLibrary, nativeLibraryFresh, nativePaths, NativeBuildError } from '../../../emulator/native/build';

// A copy of the source in a folder of its own: the checkout's library is in use by other test workers.
const dir = mkdtempSync(join(tmpdir(), 'uc-slice-'));
const paths = { source: join(dir, 'uc_slice.c'), library: join(dir, 'build', 'libuc_slice.so'), stamp: join(dir, 'build', '.stamp') };
copyFileSync(nativePaths().source, paths.source);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the native part is built when missing or stale', () => {
  it('builds a missing library, then leaves a fresh one alone', () => {
    const log: string[] = [];
    expect(ensureNativeLibrary((l) => log.push(l), paths)).toBe(paths.library);
    expect(log).toEqual([`building the native part (${paths.source})`]);
    const built = statSync(paths.library).mtimeMs;
    ensureNativeLibrary((l) => log.push(l), paths);
    expect(log).toHaveLength(1);
    expect(statSync(paths.library).mtimeMs).toBe(built);
  });

  it('rebuilds after its source changed', () => {
    appendFileSync(paths.source, '\n/* changed */\n');
    expect(nativeLibraryFresh(paths)).toBe(false);
    const log: string[] = [];
    ensureNativeLibrary((l) => log.push(l), paths);
    expect(log).toHaveLength(1);
    expect(nativeLibraryFresh(paths)).toBe(true);
  });

  it('says in one line what to install when it cannot be built', () => {
    appendFileSync(paths.source, '\n/* changed again */\n');
    const cc = process.env.CC;
    process.env.CC = join(dir, 'no-such-compiler');
    try {
      expect(() => ensureNativeLibrary(() => {}, paths)).toThrow(NativeBuildError);
      expect(() => ensureNativeLibrary(() => {}, paths)).toThrow(
        /^cannot build the native part \(emulator\/native\/uc_slice\.c\): .*no-such-compiler not found; install the build tools with "apt-get install -y gcc libc6-dev libunicorn-dev" \(as root\), then run "npm run setup"$/,
      );
    } finally {
      if (cc === undefined) delete process.env.CC;
      else process.env.CC = cc;
    }
  });

  it('reports a compile error by its first error line', () => {
    appendFileSync(paths.source, '\nthis is not C;\n');
    expect(() => ensureNativeLibrary(() => {}, paths)).toThrow(/^cannot build the native part .*error.*; install the build tools/);
  });
});
