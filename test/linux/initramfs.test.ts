// SPDX-License-Identifier: GPL-2.0-only
// The initramfs Debian's kernel boots with (linux/initramfs.ts).
import { describe, expect, it } from 'vitest';
import { readNewc, S_IFCHR, S_IFLNK, S_IFREG } from '../../lib/cpio/newc';
import { execArchive, linuxInitramfs } from '../../linux/initramfs';
import { cachedBusybox } from '../../images/busybox';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { projectRoot } from '../../lib/project-root';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const busybox = cachedBusybox();

describe('the initramfs for Linux', () => {
  it.skipIf(!busybox)(`holds /init, /dev/console, busybox and its links, byte for byte the same each time${busybox ? '' : ' (skipped: busybox is not fetched)'}`, () => {
    const a = linuxInitramfs();
    expect(linuxInitramfs()).toBe(a); // the process keeps what it built
    // Packed anew (the same busybox by another path): the same bytes.
    const dir = mkdtempSync(join(tmpdir(), 'uconsole-busybox-'));
    copyFileSync(busybox!, join(dir, 'busybox'));
    const b = linuxInitramfs(projectRoot(), join(dir, 'busybox'));
    expect(b === a).toBe(false); // (not.toBe would deep-compare 2 MB for its message)
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
    const byName = new Map(readNewc(a).map((e) => [e.name, e]));
    expect(new TextDecoder().decode(byName.get('init')!.data)).toMatch(/^#!\/bin\/sh\n[\s\S]*mount -t devtmpfs/);
    expect(byName.get('init')!.mode).toBe(S_IFREG | 0o755);
    expect(byName.get('dev/console')).toMatchObject({ mode: S_IFCHR | 0o600, rdev: { major: 5, minor: 1 } });
    expect(byName.get('bin/sh')).toMatchObject({ mode: S_IFLNK | 0o777, linkTarget: 'busybox' });
    expect(byName.get('bin/busybox')!.data!.length).toBeGreaterThan(100_000);
  });

  it('says which command fetches busybox when it is missing', () => {
    expect(() => linuxInitramfs(mkdtempSync(join(tmpdir(), 'uconsole-nobusybox-')))).toThrow(/^a shell for Linux needs Debian's busybox: run npx uconsole fetch busybox$/);
  });

  it('puts the --exec command in /exec, an archive of its own', () => {
    const [exec] = readNewc(execArchive('echo hi; exit 3'));
    expect(exec!.name).toBe('exec');
    expect(new TextDecoder().decode(exec!.data)).toBe('echo hi; exit 3\n');
  });
});
