// The file system calls through a real `svc #0` at EL0, on a booted uConsole whose rootfs is the built initramfs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootUconsole, type Uconsole } from '../../../api/uconsole';
import { NR } from '../../../kernel-model/include/unistd';
import {
  EBADF, EEXIST, EFAULT, EINVAL, EISDIR, ELOOP, EMFILE, ENAMETOOLONG, ENOENT, ENOTDIR, ENOTTY, ERANGE, EROFS, ESPIPE, EACCES,
} from '../../../kernel-model/include/errno';
import { O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_LARGEFILE, O_NOFOLLOW, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } from '../../../kernel-model/fs/file';
import { AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW } from '../../../kernel-model/fs/sys_common';
import { TCGETS, TIOCGWINSZ, console_termios } from '../../../kernel-model/fs/console';
import { F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_SETFD } from '../../../kernel-model/fs/syscalls_fd';
import { S_IFCHR, S_IFDIR, S_IFLNK, S_IFREG } from '../../../lib/cpio/newc';
import { SymlinkInode } from '../../../kernel-model/fs/inode';

let u: Uconsole;
let out = '';
const CPU = 1;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const e = (errno: number): bigint => BigInt(-errno);

/** The harness page of CPU: bytes 0..1023 for a path, 1024.. for data. */
const page = (): { va: bigint; path: bigint; data: bigint } => {
  const va = u.userBuffer(CPU).va;
  return { va, path: va, data: va + 1024n };
};
function setPath(p: string): bigint {
  const b = new Uint8Array(4096);
  b.set(enc(`${p}\0`));
  u.userBuffer(CPU).write(b);
  return page().path;
}
const data = (len: number, off = 0): Uint8Array => u.userBuffer(CPU).read(4096).slice(1024 + off, 1024 + off + len);
const sys = (nr: number, ...args: (bigint | number)[]): bigint => u.syscall(CPU, nr, ...args);
const open = (p: string, flags = O_RDONLY, dirfd: number | bigint = AT_FDCWD): bigint => sys(NR.openat, dirfd, setPath(p), flags, 0);
const BAD = 0x7_0000_0000n;

function statOf(p: string, flags = 0): { mode: number; size: number; ino: bigint; nlink: number; rdev: bigint; dev: bigint } {
  const r = sys(NR.newfstatat, AT_FDCWD, setPath(p), page().data, flags);
  if (r !== 0n) throw new Error(`stat ${p}: ${r}`);
  const b = data(128);
  const dv = new DataView(b.buffer);
  return { dev: dv.getBigUint64(0, true), ino: dv.getBigUint64(8, true), mode: dv.getUint32(16, true), nlink: dv.getUint32(20, true), rdev: dv.getBigUint64(32, true), size: Number(dv.getBigInt64(48, true)) };
}

function readAll(fd: bigint): string {
  let s = '';
  for (;;) {
    const n = sys(NR.read, fd, page().data, 2048);
    if (n < 0n) throw new Error(`read: ${n}`);
    if (n === 0n) return s;
    s += dec(data(Number(n)));
  }
}

function names(fd: bigint, bufsize = 2048): string[] {
  const all: string[] = [];
  for (;;) {
    const n = Number(sys(NR.getdents64, fd, page().data, bufsize));
    if (n < 0) throw new Error(`getdents64: ${n}`);
    if (n === 0) return all;
    const b = data(n);
    const dv = new DataView(b.buffer);
    for (let at = 0; at < n; ) {
      const len = dv.getUint16(at + 16, true);
      const name = b.subarray(at + 19, at + len);
      all.push(`${dec(name.subarray(0, name.indexOf(0)))}:${b[at + 18]}`);
      at += len;
    }
  }
}

beforeAll(async () => {
  u = await bootUconsole({ board: 'uconsole-cm4', onConsole: (s) => (out += s) });
});
afterAll(() => u.shutdown());

describe('the rootfs at boot', () => {
  it('unpacks the initramfs with Linux 5.10\'s lines and frees its pages', () => {
    const lines = u.kernel.log.lines.map((l) => l.text);
    const at = lines.indexOf('Trying to unpack rootfs image as initramfs...');
    expect(at).toBeGreaterThan(0);
    const initrd = u.firmware.initrd!;
    expect(lines[at + 1]).toBe(`Freeing initrd memory: ${Math.floor(initrd.size / 4096) * 4}K`);
    // The initrd's pages are buddy pages again.
    const mm = u.kernel.mm.pgalloc.mem_map;
    expect(mm.PageReserved(initrd.pa / 4096)).toBe(false);
  });
});

describe('open, read, lseek, close', () => {
  it('reads an initramfs file through fds, with f_pos, SEEK_SET/CUR/END and pread64', () => {
    const fd = open('/bin/hello-asm');
    expect(fd).toBe(3n);
    expect(sys(NR.read, fd, page().data, 4)).toBe(4n);
    expect([...data(4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(sys(NR.lseek, fd, 0, 1)).toBe(4n); // SEEK_CUR
    const size = statOf('/bin/hello-asm').size;
    expect(sys(NR.lseek, fd, -4, 2)).toBe(BigInt(size - 4)); // SEEK_END
    expect(sys(NR.lseek, fd, -1, 0)).toBe(e(EINVAL));
    expect(sys(NR.lseek, fd, 0, 7)).toBe(e(EINVAL));
    expect(sys(NR.pread64, fd, page().data, 2, 1)).toBe(2n);
    expect(dec(data(2))).toBe('EL');
    expect(sys(NR.pread64, fd, page().data, 2, -1)).toBe(e(EINVAL));
    expect(sys(NR.lseek, fd, 0, 1)).toBe(BigInt(size - 4)); // pread left f_pos alone
    expect(sys(NR.lseek, fd, size + 100, 0)).toBe(BigInt(size + 100));
    expect(sys(NR.read, fd, page().data, 16)).toBe(0n); // past the end: end of file
    expect(sys(NR.read, fd, BAD, 16)).toBe(0n); // nothing to copy, no fault
    sys(NR.lseek, fd, 0, 0);
    expect(sys(NR.read, fd, BAD, 16)).toBe(e(EFAULT));
    expect(sys(NR.lseek, fd, 0, 1)).toBe(0n); // a faulting read moves nothing
    expect(sys(NR.write, fd, page().data, 1)).toBe(e(EBADF)); // opened read-only
    expect(sys(NR.close, fd)).toBe(0n);
    expect(sys(NR.close, fd)).toBe(e(EBADF));
    expect(sys(NR.read, fd, page().data, 1)).toBe(e(EBADF));
  });

  it('gives Linux\'s errors for paths', () => {
    expect(open('/no/such')).toBe(e(ENOENT));
    expect(open('')).toBe(e(ENOENT));
    expect(open('/bin/hello-asm/x')).toBe(e(ENOTDIR));
    expect(open('/bin/hello-asm/')).toBe(e(ENOTDIR));
    expect(open('/bin/hello-asm', O_DIRECTORY)).toBe(e(ENOTDIR));
    expect(open(`/${'a'.repeat(256)}`)).toBe(e(ENAMETOOLONG));
    // A path of 4200 bytes spans this CPU's buffer page and the next one (the pages are adjacent).
    const long = enc(`${'/a'.repeat(2100)}\0`);
    u.userBuffer(CPU).write(long.subarray(0, 4096));
    u.userBuffer(CPU + 1).write(long.subarray(4096));
    expect(sys(NR.openat, AT_FDCWD, page().path, 0, 0)).toBe(e(ENAMETOOLONG));
    long[4000] = 0; // 4000 bytes: long, but within PATH_MAX
    u.userBuffer(CPU).write(long.subarray(0, 4096));
    expect(sys(NR.openat, AT_FDCWD, page().path, 0, 0)).toBe(e(ENOENT));
    expect(sys(NR.openat, AT_FDCWD, BAD, 0, 0)).toBe(e(EFAULT));
    expect(sys(NR.openat, 55, setPath('bin'), 0, 0)).toBe(e(EBADF));
  });

  it('refuses writing the read-only rootfs (EROFS), a directory (EISDIR), /proc (EACCES)', () => {
    expect(open('/init', O_WRONLY)).toBe(e(EROFS));
    expect(open('/init', O_RDWR)).toBe(e(EROFS));
    expect(open('/init', O_RDONLY | O_TRUNC)).toBe(e(EROFS));
    expect(open('/newfile', O_CREAT | O_WRONLY)).toBe(e(EROFS));
    expect(open('/nodir/newfile', O_CREAT | O_WRONLY)).toBe(e(ENOENT));
    expect(open('/init', O_CREAT | O_EXCL | O_WRONLY)).toBe(e(EEXIST));
    expect(open('/bin', O_WRONLY)).toBe(e(EISDIR));
    expect(open('/proc/meminfo', O_WRONLY)).toBe(e(EACCES));
    const fd = open('/init', O_CREAT | O_RDONLY); // exists: O_CREAT alone is fine
    expect(fd).toBeGreaterThanOrEqual(3n);
    sys(NR.close, fd);
  });

  it('follows symlinks, ELOOP after 40, O_NOFOLLOW', () => {
    // The initramfs has no symlinks; add some to the live rootfs, as an archive member would.
    const root = u.kernel.rootfs!.root;
    const mk = (name: string, target: string): void => root.link(name, new SymlinkInode(root.sb, {}, target));
    mk('hello-link', 'bin/hello-asm');
    mk('bin-link', '/bin');
    mk('loop', 'loop');
    for (let i = 0; i < 41; i++) mk(`chain${i}`, `chain${i + 1}`);
    root.link('chain41', root.lookup('init')!);
    expect(statOf('/hello-link').mode & 0o170000).toBe(S_IFREG);
    expect(statOf('/hello-link', AT_SYMLINK_NOFOLLOW).mode & 0o170000).toBe(S_IFLNK);
    expect(statOf('/bin-link/hello-asm').ino).toBe(statOf('/bin/hello-asm').ino);
    expect(open('/loop')).toBe(e(ELOOP));
    expect(open('/hello-link', O_NOFOLLOW)).toBe(e(ELOOP));
    expect(open('/chain2')).toBeGreaterThan(0n); // 39 links
    expect(open('/chain0')).toBe(e(ELOOP)); // 41 links
    expect(sys(NR.readlinkat, AT_FDCWD, setPath('/hello-link'), page().data, 100)).toBe(13n);
    expect(dec(data(13))).toBe('bin/hello-asm');
    expect(sys(NR.readlinkat, AT_FDCWD, setPath('/hello-link'), page().data, 3)).toBe(3n); // truncated
    expect(sys(NR.readlinkat, AT_FDCWD, setPath('/init'), page().data, 100)).toBe(e(EINVAL));
    expect(sys(NR.readlinkat, AT_FDCWD, setPath('/hello-link'), page().data, 0)).toBe(e(EINVAL));
    expect(sys(NR.readlinkat, AT_FDCWD, setPath('/hello-link'), BAD, 10)).toBe(e(EFAULT));
    expect(sys(NR.readlinkat, AT_FDCWD, setPath('/nothing'), page().data, 10)).toBe(e(ENOENT));
    for (let fd = 3n; fd < 10n; fd++) sys(NR.close, fd);
  });
});

describe('stat, getdents64, getcwd, chdir, faccessat', () => {
  it('newfstatat and fstat fill the 128-byte arm64 struct stat', () => {
    const d = statOf('/');
    expect(d.mode).toBe(S_IFDIR | 0o755);
    expect(statOf('/init').mode).toBe(S_IFREG | 0o755);
    const c = statOf('/dev/console');
    expect(c.mode).toBe(S_IFCHR | 0o600);
    expect(c.rdev).toBe(0x501n); // new_encode_dev(5, 1)
    expect(statOf('/proc/meminfo').mode).toBe(S_IFREG | 0o444);
    expect(statOf('/proc').dev).not.toBe(d.dev);
    const fd = open('/init');
    expect(sys(NR.fstat, fd, page().data)).toBe(0n);
    expect(new DataView(data(128).buffer).getUint32(16, true)).toBe(S_IFREG | 0o755);
    expect(sys(NR.fstat, fd, BAD)).toBe(e(EFAULT));
    expect(sys(NR.newfstatat, fd, setPath(''), page().data, AT_EMPTY_PATH)).toBe(0n);
    expect(sys(NR.newfstatat, fd, setPath(''), page().data, 0)).toBe(e(ENOENT));
    expect(sys(NR.newfstatat, fd, setPath('x'), page().data, 0)).toBe(e(ENOTDIR));
    expect(sys(NR.newfstatat, AT_FDCWD, setPath('/'), page().data, 0x4)).toBe(e(EINVAL));
    expect(sys(NR.fstat, 99, page().data)).toBe(e(EBADF));
    sys(NR.close, fd);
  });

  it('getdents64 lists ., .., the entries with d_type, resumably, EINVAL for a tiny buffer', () => {
    const fd = open('/', O_RDONLY | O_DIRECTORY);
    const all = names(fd);
    expect(all.slice(0, 2)).toEqual(['.:4', '..:4']);
    for (const n of ['dev:4', 'bin:4', 'init:8', 'proc:4', 'sys:4', 'root:4']) expect(all).toContain(n);
    sys(NR.lseek, fd, 0, 0);
    expect(names(fd, 48)).toEqual(all); // one or two records per call, the same list
    sys(NR.lseek, fd, 0, 0);
    expect(sys(NR.getdents64, fd, page().data, 10)).toBe(e(EINVAL));
    expect(sys(NR.getdents64, fd, BAD, 1024)).toBe(e(EFAULT));
    expect(names(fd)).toEqual(all); // the fault consumed nothing
    sys(NR.close, fd);
    const f = open('/init');
    expect(sys(NR.getdents64, f, page().data, 1024)).toBe(e(ENOTDIR));
    expect(sys(NR.read, open('/bin', O_DIRECTORY), page().data, 10)).toBe(e(EISDIR));
    const dev = open('/dev');
    expect(names(dev)).toContain('console:2');
    const proc = open('/proc');
    expect(names(proc)).toEqual(expect.arrayContaining(['meminfo:8', 'buddyinfo:8', 'version:8']));
    for (const x of [f, f + 1n, dev, proc]) sys(NR.close, x);
  });

  it('reads /proc files rendered at open', () => {
    const fd = open('/proc/version');
    expect(readAll(fd)).toBe(u.readFile('/proc/version'));
    expect(sys(NR.lseek, fd, 0, 2)).toBe(e(EINVAL)); // seq_lseek has no SEEK_END
    sys(NR.close, fd);
    const m = open('/proc/meminfo');
    expect(readAll(m)).toMatch(/^MemTotal: +\d+ kB\n/);
    sys(NR.close, m);
    expect(statOf('/sys/kernel/debug/percpu_stats').mode).toBe(S_IFREG | 0o444);
  });

  it('getcwd and chdir: relative paths, . and .., dirfd-relative openat', () => {
    const cwd = (): string => {
      const n = sys(NR.getcwd, page().data, 200);
      return dec(data(Number(n) - 1));
    };
    expect(cwd()).toBe('/');
    expect(sys(NR.chdir, setPath('bin'))).toBe(0n);
    expect(cwd()).toBe('/bin');
    const fd = open('hello-asm');
    expect(fd).toBeGreaterThan(2n);
    sys(NR.close, fd);
    expect(sys(NR.chdir, setPath('../dev/./'))).toBe(0n);
    expect(cwd()).toBe('/dev');
    expect(sys(NR.chdir, setPath('../../../..'))).toBe(0n); // never above the root
    expect(cwd()).toBe('/');
    expect(sys(NR.chdir, setPath('/init'))).toBe(e(ENOTDIR));
    expect(sys(NR.chdir, setPath('/nope'))).toBe(e(ENOENT));
    expect(sys(NR.getcwd, page().data, 1)).toBe(e(ERANGE));
    expect(sys(NR.getcwd, BAD, 100)).toBe(e(EFAULT));
    const bin = open('/bin', O_DIRECTORY);
    const h = open('hello-asm', O_RDONLY, bin);
    expect(h).toBeGreaterThan(bin);
    expect(open('hello-asm', O_RDONLY, h)).toBe(e(ENOTDIR)); // a dirfd that is not a directory
    expect(open('/init', O_RDONLY, h)).toBeGreaterThan(h); // absolute: the dirfd does not matter
    for (const x of [bin, h, h + 1n]) sys(NR.close, x);
  });

  it('faccessat: existence, EROFS for W_OK on the rootfs, X_OK needs an execute bit', () => {
    expect(sys(NR.faccessat, AT_FDCWD, setPath('/init'), 4)).toBe(0n);
    expect(sys(NR.faccessat, AT_FDCWD, setPath('/init'), 1)).toBe(0n);
    expect(sys(NR.faccessat, AT_FDCWD, setPath('/init'), 2)).toBe(e(EROFS));
    expect(sys(NR.faccessat, AT_FDCWD, setPath('/proc/meminfo'), 1)).toBe(e(EACCES));
    expect(sys(NR.faccessat, AT_FDCWD, setPath('/dev/console'), 2)).toBe(0n);
    expect(sys(NR.faccessat, AT_FDCWD, setPath('/missing'), 0)).toBe(e(ENOENT));
    expect(sys(NR.faccessat, AT_FDCWD, setPath('/init'), 8)).toBe(e(EINVAL));
  });
});

describe('the console and descriptor calls', () => {
  it('fds 0, 1, 2 are /dev/console: write to the UART, read what the host typed then end of file, ESPIPE, TCGETS, TIOCGWINSZ', () => {
    const b = new Uint8Array(4096);
    b.set(enc('abc'), 0);
    b.set(enc('def\n'), 16);
    const iov = new DataView(b.buffer, 1024);
    const va = page().va;
    iov.setBigUint64(0, va, true);
    iov.setBigUint64(8, 3n, true);
    iov.setBigUint64(16, va + 16n, true);
    iov.setBigUint64(24, 4n, true);
    u.userBuffer(CPU).write(b);
    out = '';
    expect(sys(NR.writev, 1, va + 1024n, 2)).toBe(7n);
    expect(sys(NR.write, 2, va, 3)).toBe(3n);
    expect(out).toBe('abcdef\nabc');
    expect(sys(NR.writev, 1, va + 1024n, 1025)).toBe(e(EINVAL));
    expect(sys(NR.writev, 1, BAD, 1)).toBe(e(EFAULT));
    u.consoleInput('typed\nmore');
    u.closeConsoleInput();
    expect(sys(NR.read, 0, page().data, 10)).toBe(6n); // a line at a time, as a canonical read
    expect(sys(NR.read, 0, page().data, 10)).toBe(4n);
    expect(sys(NR.read, 0, page().data, 10)).toBe(0n); // the host's input has ended
    expect(sys(NR.lseek, 1, 0, 0)).toBe(e(ESPIPE));
    expect(sys(NR.pread64, 0, page().data, 1, 0)).toBe(e(ESPIPE));
    expect(sys(NR.ioctl, 1, TCGETS, page().data)).toBe(0n);
    expect(data(36)).toEqual(console_termios());
    expect(new DataView(data(36).buffer).getUint32(8, true) & 0o10017).toBe(0o10002); // B115200
    expect(sys(NR.ioctl, 1, TIOCGWINSZ, page().data)).toBe(0n);
    expect([...new Uint16Array(data(8).buffer)]).toEqual([24, 80, 0, 0]);
    expect(sys(NR.ioctl, 1, TCGETS, BAD)).toBe(e(EFAULT));
    expect(sys(NR.ioctl, 1, 0x1234, page().data)).toBe(e(ENOTTY));
    const f = open('/init');
    expect(sys(NR.ioctl, f, TCGETS, page().data)).toBe(e(ENOTTY));
    sys(NR.close, f);
    expect(sys(NR.fcntl, 1, F_GETFL)).toBe(BigInt(O_RDWR | O_LARGEFILE));
    const c = open('/dev/console', O_WRONLY);
    u.userBuffer(CPU).write(enc('abc'));
    out = '';
    expect(sys(NR.write, c, page().va, 3)).toBe(3n);
    expect(out).toBe('abc');
    sys(NR.close, c);
  });

  it('dup, dup3 and fcntl: lowest free fd, shared f_pos, close-on-exec flags', () => {
    const fd = open('/init', O_RDONLY | O_CLOEXEC);
    expect(sys(NR.fcntl, fd, F_GETFD)).toBe(1n);
    expect(sys(NR.fcntl, fd, F_GETFL)).toBe(BigInt(O_LARGEFILE));
    const d = sys(NR.dup, fd);
    expect(d).toBe(fd + 1n);
    expect(sys(NR.fcntl, d, F_GETFD)).toBe(0n);
    sys(NR.read, fd, page().data, 10);
    expect(sys(NR.lseek, d, 0, 1)).toBe(10n); // one open file, one position
    expect(sys(NR.dup3, fd, 20, O_CLOEXEC)).toBe(20n);
    expect(sys(NR.fcntl, 20, F_GETFD)).toBe(1n);
    expect(sys(NR.dup3, fd, fd, 0)).toBe(e(EINVAL));
    expect(sys(NR.dup3, fd, 21, 1)).toBe(e(EINVAL));
    expect(sys(NR.dup3, 99, 21, 0)).toBe(e(EBADF));
    expect(sys(NR.dup3, fd, 5000, 0)).toBe(e(EBADF));
    expect(sys(NR.fcntl, fd, F_DUPFD, 30)).toBe(30n);
    expect(sys(NR.fcntl, fd, F_DUPFD_CLOEXEC, 30)).toBe(31n);
    expect(sys(NR.fcntl, 31, F_GETFD)).toBe(1n);
    expect(sys(NR.fcntl, 31, F_SETFD, 0)).toBe(0n);
    expect(sys(NR.fcntl, 31, F_GETFD)).toBe(0n);
    expect(sys(NR.fcntl, fd, F_DUPFD, 1024)).toBe(e(EINVAL));
    expect(sys(NR.fcntl, fd, 9999)).toBe(e(EINVAL));
    expect(sys(NR.fcntl, 77, F_GETFD)).toBe(e(EBADF));
    expect(sys(NR.dup, 77)).toBe(e(EBADF));
    // Fill the table: EMFILE at RLIMIT_NOFILE.
    let last = 0n;
    for (;;) {
      const n = sys(NR.dup, fd);
      if (n < 0n) {
        expect(n).toBe(e(EMFILE));
        break;
      }
      last = n;
    }
    expect(last).toBe(1023n);
    for (let i = 3n; i <= 1023n; i++) sys(NR.close, i);
    expect(open('/init')).toBe(3n);
    sys(NR.close, 3);
  });
});

describe('the memory devices (fs/mem_devices.ts)', () => {
  it('/dev/null and /dev/zero take any write without reading the buffer (write_null); zero reads zeroes, null end of file; urandom reads its bytes and reads a write', () => {
    const nul = open('/dev/null', O_RDWR);
    expect(sys(NR.write, nul, BAD, 1000)).toBe(1000n); // a bad pointer is never looked at
    expect(sys(NR.read, nul, page().data, 100)).toBe(0n);
    const zero = open('/dev/zero', O_RDWR);
    u.userBuffer(CPU).write(new Uint8Array(4096).fill(0xee));
    expect(sys(NR.read, zero, page().data, 64)).toBe(64n);
    expect(data(64).every((b) => b === 0)).toBe(true);
    expect(sys(NR.write, zero, BAD, 10)).toBe(10n);
    const rnd = open('/dev/urandom', O_RDWR);
    expect(sys(NR.read, rnd, page().data, 16)).toBe(16n);
    expect(data(16).some((b) => b !== 0)).toBe(true);
    expect(sys(NR.write, rnd, BAD, 10)).toBe(e(EFAULT)); // random's write mixes the bytes in: it reads them
    for (const fd of [nul, zero, rnd]) expect(sys(NR.close, fd)).toBe(0n);
  });
});
