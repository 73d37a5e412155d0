// Debian's busybox-static in the initramfs, when `uconsole fetch busybox` has fetched it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootUconsole, type Uconsole } from '../../api/uconsole';
import { busyboxApplets, cachedBusybox, FETCH_COMMAND } from '../../images/busybox';
import { DirInode, RegInode, SymlinkInode } from '../../kernel-model/fs/inode';

describe('busyboxApplets', () => {
  it('reads the sorted NUL-separated applet names that start with "[" and "[["', () => {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    const bin = new Uint8Array([...enc('\x7fELF junk\0more\0'), ...enc('[\0[[\0ash\0cat\0ls\0'), 0, 1, 2, ...enc('tail')]);
    expect(busyboxApplets(bin)).toEqual(['[', '[[', 'ash', 'cat', 'ls']);
    expect(busyboxApplets(enc('no applets here'))).toEqual([]);
  });
});

const have = cachedBusybox() !== undefined;
if (!have) console.warn(`busybox tests skipped: Debian's busybox-static is not fetched (${FETCH_COMMAND}, as root)`);
const bbIt = have ? it : it.skip;

let u: Uconsole | undefined;
beforeAll(async () => {
  if (have) u = await bootUconsole({ board: 'uconsole-cm4', ram: '1G' });
});
afterAll(() => u?.shutdown());

describe('busybox in the initramfs', () => {
  bbIt('is /bin/busybox with a link per applet, and runs', () => {
    const bin = u!.kernel.rootfs!.root.lookup('bin') as DirInode;
    const bb = bin.lookup('busybox') as RegInode;
    expect(bb).toBeInstanceOf(RegInode);
    const sh = bin.lookup('sh');
    expect(sh).toBeInstanceOf(SymlinkInode);
    expect((sh as SymlinkInode).target).toBe('busybox');
    const run = (argv: string[]) => u!.kernel.harness.exec(bb.data, '/bin/busybox', argv, { cpu: 2 });
    expect(run(['echo', 'hello', 'from', 'busybox'])).toMatchObject({ exitCode: 0, stdout: 'hello from busybox\n' });
    const ls = run(['ls', '/']);
    expect(ls.exitCode).toBe(0);
    expect(ls.stdout.split(/\s+/)).toEqual(expect.arrayContaining(['bin', 'dev', 'init', 'proc', 'root', 'sys']));
    const cat = run(['cat', '/proc/version']);
    expect(cat).toMatchObject({ exitCode: 0, stdout: u!.readFile('/proc/version') });
  });
});
