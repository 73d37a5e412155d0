// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { useUconsole } from '../../helpers/boot';
import { cachedBusybox } from '../../../images/busybox';
import { open_exec } from '../../../kernel-model/fs/exec';

const have = cachedBusybox(process.cwd()) !== undefined;
if (!have) console.warn('page cache tests skipped: busybox is not cached (run: npx uconsole fetch busybox)');

describe('the page cache of executables (mm/filemap.ts)', () => {
  const boot = useUconsole();

  it('maps a read-only file\'s text from the same cached pages in every process; a tmpfs copy of it gets private pages', (ctx) => {
    if (!have) return ctx.skip();
    const k = boot.u.kernel;
    const vfs = k.rootfs!;
    const busybox = open_exec(vfs.root, vfs.root, '/bin/busybox');
    expect(open_exec(vfs.root, vfs.root, '/bin/busybox')).toBe(busybox); // one view for the file's life
    const free = (): number => k.on(0, () => k.mm.pgalloc.nr_free_pages() + k.mm.pgalloc.nr_pcp_pages());
    const run = (argv: string[]) => k.harness.exec(busybox, '/bin/busybox', argv, { cpu: 1 });
    expect(run(['true']).exitCode).toBe(0);
    const cached = k.user.mem.pageCache.nr_pages;
    expect(cached).toBeGreaterThan(0);
    const free0 = free();
    for (let i = 0; i < 3; i++) expect(run(['true']).exitCode).toBe(0);
    expect(k.user.mem.pageCache.nr_pages).toBe(cached); // nothing read again
    expect(free()).toBe(free0); // and nothing leaked
    // A copy on tmpfs (writable: its bytes may change) is not cached: a second run of the same
    // script adds no page to the cache, and gives every page back.
    const script = ['sh', '-c', '/bin/busybox cp /bin/busybox /tmp/true && /tmp/true && /bin/busybox rm /tmp/true'];
    expect(run(script)).toMatchObject({ exitCode: 0, stderr: '' });
    const [cached1, free1] = [k.user.mem.pageCache.nr_pages, free()];
    expect(run(script)).toMatchObject({ exitCode: 0, stderr: '' });
    expect([k.user.mem.pageCache.nr_pages, free()]).toEqual([cached1, free1]);
  });
});
