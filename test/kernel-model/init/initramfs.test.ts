// The initramfs from the firmware to the rootfs: /chosen, memblock, populate_rootfs, --initrd.
import { afterAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootUconsole, type Uconsole } from '../../../api/uconsole';
import { bootDir, ensureImages } from '../../../images/build';
import { getNode, getProp } from '../../../lib/fdt';
import { S_IFDIR, S_IFREG, writeNewc, readNewc } from '../../../lib/cpio/newc';
import { logLines, withUconsole } from '../../helpers/boot';
import { NR } from '../../../kernel-model/include/unistd';
import { RegInode } from '../../../kernel-model/fs/inode';

const tmp = mkdtempSync(join(tmpdir(), 'uconsole-initrd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const u32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(0);
const file = (u: Uconsole, path: string): string => {
  const parts = path.split('/').filter(Boolean);
  let d = u.kernel.rootfs!.root as unknown as { lookup(n: string): unknown };
  for (const p of parts) d = d.lookup(p) as typeof d;
  return new TextDecoder().decode((d as unknown as RegInode).data);
};

function archive(name: string, bytes: Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

describe('the boot image\'s initramfs', () => {
  it('is loaded after the kernel, named in /chosen, reserved in memblock, unpacked, and its pages freed', async () => {
    await ensureImages();
    const built = readNewc(new Uint8Array(readFileSync(join(bootDir('uconsole-cm4'), 'initramfs.cpio'))));
    expect(built.map((e) => e.name)).toEqual(expect.arrayContaining(['dev', 'dev/console', 'root', 'proc', 'sys', 'bin', 'init', 'bin/hello-asm']));
    expect(readFileSync(join(bootDir('uconsole-cm4'), 'config.txt'), 'utf8')).toContain('\ninitramfs initramfs.cpio followkernel\n');
    await withUconsole({}, (u) => {
      const h = u.firmware;
      expect(h.initrd!.pa).toBe(Math.ceil((h.kernelPa + h.kernelSize) / 4096) * 4096);
      const chosen = getNode(h.tree, '/chosen');
      expect(u32(getProp(chosen, 'linux,initrd-start')!)).toBe(h.initrd!.pa);
      expect(u32(getProp(chosen, 'linux,initrd-end')!)).toBe(h.initrd!.pa + h.initrd!.size);
      expect(h.log).toContain(`Loaded 'initramfs.cpio' to 0x${h.initrd!.pa.toString(16)} size 0x${h.initrd!.size.toString(16)}`);
      expect(u.kernel.arch.initrd).toEqual({ start: h.initrd!.pa, end: h.initrd!.pa + h.initrd!.size });
      expect(u.kernel.arch.memblock.reserved.regions.some((r) => r.base <= h.initrd!.pa && r.base + r.size >= h.initrd!.pa + h.initrd!.size)).toBe(true);
      const log = logLines(u);
      expect(log).toContain('Trying to unpack rootfs image as initramfs...');
      expect(log).toContain(`Freeing initrd memory: ${Math.floor(h.initrd!.size / 4096) * 4}K`);
      expect(u.kernel.rootfs!.root.entries().map(([n]) => n)).toEqual(expect.arrayContaining(['init', 'bin', 'dev', 'proc', 'sys', 'root']));
    });
  });
});

describe('--initrd', () => {
  const entries = [
    { name: 'etc', mode: S_IFDIR | 0o755, uid: 0, gid: 0, mtime: 0 },
    { name: 'etc/motd', mode: S_IFREG | 0o644, uid: 0, gid: 0, mtime: 0, data: new TextEncoder().encode('welcome\n') },
    { name: 'orphan/file', mode: S_IFREG | 0o644, uid: 0, gid: 0, mtime: 0, data: new Uint8Array(1) }, // no parent: skipped, as Linux does
  ];

  it('boots another archive, plain or gzipped; /dev/console comes only from the archive', async () => {
    for (const bytes of [writeNewc(entries), new Uint8Array(gzipSync(writeNewc(entries)))]) {
      await withUconsole({ initrd: archive('mine.cpio', bytes) }, (u) => {
        expect(file(u, '/etc/motd')).toBe('welcome\n');
        expect(u.kernel.rootfs!.root.lookup('orphan')).toBeUndefined();
        expect(u.kernel.rootfs!.root.lookup('dev')).toBeUndefined();
        expect(u.kernel.rootfs!.root.lookup('proc')).toBeDefined(); // mounted anyway
        // fds 0..2 still reach the console.
        const b = u.userBuffer(0);
        b.write(new TextEncoder().encode('x'));
        expect(u.syscall(0, NR.write, 1, b.va, 1)).toBe(1n);
      });
    }
  });

  it('a region that is not an initramfs: Linux\'s line, and an empty rootfs with /dev/console', async () => {
    await withUconsole({ initrd: archive('junk.img', new TextEncoder().encode('this is an ext2 image, honest'.repeat(10))) }, (u) => {
      const log = logLines(u);
      expect(log.find((l) => l.startsWith('rootfs image is not initramfs'))).toBe('rootfs image is not initramfs (no cpio magic at offset 0 (found "this i"; newc archives start with 070701)); looks like an initrd');
      expect(log.some((l) => /^Freeing initrd memory: \d+K$/.test(l))).toBe(true);
      expect(u.kernel.rootfs!.root.lookup('dev')).toBeDefined();
    });
  });

  it('a missing file, or a boot partition without an initramfs line', async () => {
    await expect(bootUconsole({ initrd: join(tmp, 'nope.cpio') })).rejects.toThrow(/^initramfs .*nope\.cpio not found$/);
    const d = mkdtempSync(join(tmp, 'boot-'));
    cpSync(bootDir('uconsole-cm4'), d, { recursive: true });
    writeFileSync(join(d, 'config.txt'), readFileSync(join(d, 'config.txt'), 'utf8').replace('initramfs initramfs.cpio followkernel\n', ''));
    await withUconsole({ bootDir: d }, (u) => {
      expect(u.firmware.initrd).toBeUndefined();
      expect(logLines(u)).not.toContain('Trying to unpack rootfs image as initramfs...');
      expect(u.kernel.rootfs!.root.entries().map(([n]) => n)).toEqual(['dev', 'root', 'proc', 'sys']); // default_rootfs
    });
  });
});
