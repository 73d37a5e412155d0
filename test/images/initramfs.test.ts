// The initramfs's programs, run from the rootfs the kernel unpacked, through the harness's exec.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootUconsole, type Uconsole } from '../../api/uconsole';
import { parseElf, ET_EXEC } from '../../kernel-model/fs/binfmt_elf_parse';
import { RegInode, DirInode } from '../../kernel-model/fs/inode';
import { crossCompilerAvailable, CROSS_PACKAGES } from '../../images/initramfs';

const haveCc = crossCompilerAvailable();
const cIt = haveCc ? it : it.skip;
if (!haveCc) console.warn(`initramfs C programs not built, their tests skipped: apt-get install -y ${CROSS_PACKAGES.join(' ')}`);

let u: Uconsole;
beforeAll(async () => {
  u = await bootUconsole({ board: 'uconsole-cm4', ram: '1G' });
});
afterAll(() => u?.shutdown());

/** The bytes of a file of the unpacked rootfs. */
function rootfsFile(path: string): Uint8Array {
  let i: unknown = u.kernel.rootfs!.root;
  for (const c of path.split('/').filter(Boolean)) i = (i as DirInode).lookup(c);
  if (!(i instanceof RegInode)) throw new Error(`${path} is not a regular file of the rootfs`);
  return i.data;
}

const run = (path: string, args: string[] = [], cpu = 1) => u.kernel.harness.exec(rootfsFile(path), path, [path.split('/').pop()!, ...args], { cpu });

describe('the initramfs programs', () => {
  it('are static AArch64 executables (and /init, with busybox, a #! script)', () => {
    const init = rootfsFile('/init');
    if (init[0] === 0x23 && init[1] === 0x21) expect(new TextDecoder().decode(init.subarray(0, 10))).toBe('#!/bin/sh\n');
    else expect(parseElf(init).type).toBe(ET_EXEC);
    const names = ['/bin/hello-asm', ...(haveCc ? ['/bin/hello', '/bin/malloc-heavy', '/bin/syscalls'] : [])];
    for (const n of names) {
      const img = parseElf(rootfsFile(n));
      expect(img.type).toBe(ET_EXEC);
      expect(img.interp).toBeUndefined();
    }
  });

  it('/bin/hello-asm (assembled from images/programs) runs and exits 0', () => {
    expect(run('/bin/hello-asm', [], 2)).toMatchObject({ exitCode: 0, stdout: 'Hello, world! (from /bin/hello-asm)\n' });
  });

  cIt('/bin/hello and /bin/malloc-heavy (static glibc) run', () => {
    expect(run('/bin/hello')).toMatchObject({ exitCode: 0, stdout: 'Hello, world! (from /bin/hello, static glibc)\n' });
    const r = run('/bin/malloc-heavy', ['300']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^malloc-heavy: 300 rounds, checksum [0-9a-f]{16}\n$/);
  });

  cIt('/bin/syscalls reads the rootfs and /proc through openat, getdents64 and read', () => {
    const r = run('/bin/syscalls');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('uname: Linux 5.10.17-uconsole-mm aarch64');
    expect(lines).toContain('getcwd: /');
    expect(lines).toContain('openat /: ok');
    const dents = lines.find((l) => l.startsWith('getdents64 /:'))!.split(' ').slice(2);
    expect(dents).toEqual(expect.arrayContaining(['.', '..', 'init', 'bin', 'dev', 'proc', 'sys', 'root']));
    expect(lines.find((l) => l.startsWith('/proc/meminfo:'))).toMatch(/^\/proc\/meminfo: MemTotal: +\d+ kB$/);
  });
});
