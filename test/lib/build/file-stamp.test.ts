import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkStamp } from '../../../lib/build/file-stamp.cjs';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function tree(): { dir: string; files: string[]; stamp: string } {
  const dir = mkdtempSync(join(tmpdir(), 'uconsole-stamp-'));
  dirs.push(dir);
  const files = ['a.ts', 'b.S'].map((n) => join(dir, n));
  files.forEach((f, i) => writeFileSync(f, `file ${i}\n`));
  return { dir, files, stamp: join(dir, '.stamp') };
}

describe('checkStamp (lib/build/file-stamp.cjs)', () => {
  it('is not current without a stamp, and is once the stamp is written', () => {
    const { dir, files, stamp } = tree();
    const first = checkStamp(stamp, files, dir);
    expect(first.current).toBe(false);
    first.write();
    expect(checkStamp(stamp, files, dir).current).toBe(true);
  });

  it('stays current when only a date changed, and refreshes its fingerprint', () => {
    const { dir, files, stamp } = tree();
    checkStamp(stamp, files, dir).write();
    const before = JSON.parse(readFileSync(stamp, 'utf8'));
    utimesSync(files[0]!, new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(checkStamp(stamp, files, dir).current).toBe(true);
    const after = JSON.parse(readFileSync(stamp, 'utf8'));
    expect(after.hash).toBe(before.hash);
    expect(after.fingerprint).not.toBe(before.fingerprint);
  });

  it('is not current when a content, the file list or the extra input changed', () => {
    const { dir, files, stamp } = tree();
    checkStamp(stamp, files, dir, 'cc:yes').write();
    expect(checkStamp(stamp, files, dir, 'cc:no').current).toBe(false);
    expect(checkStamp(stamp, files.slice(1), dir, 'cc:yes').current).toBe(false);
    writeFileSync(files[1]!, 'changed\n');
    expect(checkStamp(stamp, files, dir, 'cc:yes').current).toBe(false);
  });
});
