import { describe, expect, it } from 'vitest';
import { errnoOf } from '../../helpers/errno';
import { RamDir, RegInode, SuperBlock, SymlinkInode, type Inode } from '../../../kernel-model/fs/inode';
import { d_path, path_lookupat, path_parentat } from '../../../kernel-model/fs/namei';
import { ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR } from '../../../kernel-model/include/errno';
import { ProcFs } from '../../../kernel-model/fs/proc';
import { proc_mount } from '../../../kernel-model/fs/proc_mount';

const sb = new SuperBlock('t', 1, true);
function tree(): { root: RamDir; usr: RamDir; bin: RamDir; sh: RegInode } {
  const root = new RamDir(sb, {});
  const usr = new RamDir(sb, {});
  const bin = new RamDir(sb, {});
  const sh = new RegInode(sb, {}, new Uint8Array(3));
  root.link('usr', usr);
  usr.link('bin', bin);
  bin.link('sh', sh);
  root.link('bin', new SymlinkInode(sb, {}, 'usr/bin'));
  bin.link('abs', new SymlinkInode(sb, {}, '/usr/bin/sh'));
  bin.link('up', new SymlinkInode(sb, {}, '../..'));
  bin.link('dangling', new SymlinkInode(sb, {}, 'nothing'));
  return { root, usr, bin, sh };
}
const errno = errnoOf;

describe('namei', () => {
  it('walks absolute and relative paths, ".", "..", symlinks relative and absolute', () => {
    const { root, usr, bin, sh } = tree();
    const look = (p: string, start = root, follow = true): Inode => path_lookupat(root, start, p, { follow });
    expect(look('/usr/bin/sh')).toBe(sh);
    expect(look('bin/sh', usr)).toBe(sh);
    expect(look('./bin/../bin/./sh', usr)).toBe(sh);
    expect(look('/bin/sh')).toBe(sh); // through the symlink /bin -> usr/bin
    expect(look('/bin/abs')).toBe(sh);
    expect(look('/usr/bin/up')).toBe(root);
    expect(look('/../../usr')).toBe(usr);
    expect(look('/bin', root, false)).toBeInstanceOf(SymlinkInode);
    expect(look('/bin/', root, false)).toBe(bin); // a trailing slash follows
    expect(look('..', bin)).toBe(usr);
    expect(look('..', usr, true)).toBe(root);
    expect(look('..', root)).toBe(root);
  });

  it('fails as Linux does', () => {
    const { root, bin } = tree();
    const look = (p: string): number | 'ok' => errno(() => path_lookupat(root, root, p, { follow: true }));
    expect(look('')).toBe(ENOENT);
    expect(look('/nope')).toBe(ENOENT);
    expect(look('/usr/bin/dangling')).toBe(ENOENT);
    expect(look('/usr/bin/sh/x')).toBe(ENOTDIR);
    expect(look('/usr/bin/sh/')).toBe(ENOTDIR);
    expect(errno(() => path_lookupat(root, root, '/usr', { follow: true, directory: true }))).toBe('ok');
    expect(errno(() => path_lookupat(root, root, '/usr/bin/sh', { follow: true, directory: true }))).toBe(ENOTDIR);
    expect(look(`/${'x'.repeat(256)}`)).toBe(ENAMETOOLONG);
    expect(look(`/${'x'.repeat(255)}`)).toBe(ENOENT);
    expect(look('/x'.repeat(2048))).toBe(ENAMETOOLONG);
    bin.link('self', new SymlinkInode(sb, {}, 'self'));
    expect(look('/usr/bin/self')).toBe(ELOOP);
    expect(errno(() => path_lookupat(root, root, '/usr/bin/self', { follow: false }))).toBe('ok');
  });

  it('finds the parent for a creation, and d_path names a directory', () => {
    const { root, usr, bin } = tree();
    expect(path_parentat(root, root, '/usr/bin/new')).toEqual({ dir: bin, last: 'new', trailingSlash: false });
    expect(path_parentat(root, usr, 'x')).toEqual({ dir: usr, last: 'x', trailingSlash: false });
    expect(errno(() => path_parentat(root, root, '/nope/x'))).toBe(ENOENT);
    expect(d_path(root, bin)).toBe('/usr/bin');
    expect(d_path(root, root)).toBe('/');
    expect(d_path(usr, root)).toBeUndefined(); // outside a chroot
  });

  it('mounts ProcFs: files appear when registered, directories from their paths', () => {
    const { root } = tree();
    const proc = new ProcFs();
    root.link('proc', proc_mount(proc, '/proc', 4));
    root.link('sys', proc_mount(proc, '/sys', 5));
    expect(errno(() => path_lookupat(root, root, '/proc/meminfo', { follow: true }))).toBe(ENOENT);
    proc.register('/proc/meminfo', () => 'MemTotal: 1 kB\n');
    proc.register('/sys/kernel/debug/percpu_stats', () => 'x');
    const m = path_lookupat(root, root, '/proc/meminfo', { follow: true });
    expect(m.kind).toBe('generated');
    expect(path_lookupat(root, root, '/proc/meminfo', { follow: true })).toBe(m); // the same inode each time
    expect(path_lookupat(root, root, '/sys/kernel/debug/../debug/percpu_stats', { follow: true }).kind).toBe('generated');
    expect(path_lookupat(root, root, '/proc/..', { follow: true })).toBe(root);
  });
});
