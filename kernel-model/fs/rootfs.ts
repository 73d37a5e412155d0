// SPDX-License-Identifier: GPL-2.0-only
/*
 * The root file system and what is mounted on it: the in-memory rootfs
 * the initramfs is unpacked into (read-only in the model, where Linux's
 * is writable: writes go to the tmpfs mounts), procfs at /proc, the /sys
 * files the ProcFs table carries, tmpfs at /tmp and /run, and the
 * character devices known by number (the console 5:1, /dev/tty 5:0).
 *
 * unpack_to_rootfs creates each archive member as init/initramfs.c's
 * do_name/do_copy/do_symlink do: a member whose parent directory does not
 * exist is skipped (Linux's init_mknod/init_open fail with ENOENT and the
 * unpacker goes on), a name that exists is replaced; "." and "./" prefixes
 * are stripped. When there is no initramfs, default_rootfs
 * (init/noinitramfs.c) makes /dev, /dev/console and /root.
 */

import type { CpioEntry } from '../../lib/cpio/newc';
import { S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../../lib/cpio/newc';
import { ConsoleDevice, CONSOLE_MINOR, TTY_MINOR, TTYAUX_MAJOR } from './console';
import { File, O_LARGEFILE, O_RDONLY, O_RDWR, O_WRONLY, type FileOperations } from './file';
import { ENOTTY } from '../include/errno';
import { FilesStruct } from './fdtable';
import { FsStruct } from './fs_struct';
import { CharDevInode, DirInode, type Inode, RamDir, RegInode, SuperBlock, SymlinkInode } from './inode';
import type { ProcFs } from './proc';
import { proc_mount } from './proc_mount';
import { shmem_fill_super } from './tmpfs';

/** Anonymous device numbers in mount order (minor numbers of major 0). */
const ROOTFS_DEV = 1;
const PROC_DEV = 4;
const SYSFS_DEV = 5;

export class Vfs {
  readonly sb = new SuperBlock('rootfs', ROOTFS_DEV, true);
  readonly root: RamDir;
  readonly console: ConsoleDevice;
  private readonly chrdevs = new Map<string, FileOperations>();

  /** What is mounted where, in mount order (the rootfs first). */
  readonly mounts: { source: string; target: string; fstype: string; options: string }[] = [{ source: 'rootfs', target: '/', fstype: 'rootfs', options: 'rw' }];
  private nextDev = SYSFS_DEV + 1;

  constructor(
    private readonly proc: ProcFs,
    consoleOutput: (data: Uint8Array) => void,
    /** The time now, seconds since the epoch (what new and written files get as mtime). */
    readonly now: () => number = () => 0,
  ) {
    this.root = new RamDir(this.sb, { perm: 0o755 });
    this.console = new ConsoleDevice(consoleOutput);
    this.register_chrdev(TTYAUX_MAJOR, CONSOLE_MINOR, this.console.fops);
    this.register_chrdev(TTYAUX_MAJOR, TTY_MINOR, this.console.fops); // /dev/tty: the controlling terminal, which is the console
  }

  register_chrdev(major: number, minor: number, fops: FileOperations): void {
    this.chrdevs.set(`${major}:${minor}`, fops);
  }

  /** The driver of device `major:minor`, if one is registered (else opening the node gives ENXIO). */
  chrdev(major: number, minor: number): FileOperations | undefined {
    return this.chrdevs.get(`${major}:${minor}`);
  }

  /** The directory at absolute `path` (no symlinks), if it exists. */
  private dirAt(path: string): DirInode | undefined {
    let d: Inode = this.root;
    for (const c of path.split('/').filter((x) => x !== '')) {
      if (!(d instanceof DirInode)) return undefined;
      const next: Inode | undefined = d.lookup(c);
      if (!next) return undefined;
      d = next;
    }
    return d instanceof DirInode ? d : undefined;
  }

  /** Create one archive member; false when it was skipped (no parent, or a kind the model has no inode for). */
  create(e: CpioEntry): boolean {
    const name = e.name.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
    if (name === '' || name === '.') return true; // the root itself
    const slash = name.lastIndexOf('/');
    const parent = this.dirAt(slash < 0 ? '' : name.slice(0, slash));
    const base = name.slice(slash + 1);
    if (!(parent instanceof RamDir) || base === '..' || base === '.') return false;
    const attrs = { perm: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime };
    let inode: Inode;
    switch (e.mode & S_IFMT) {
      case S_IFDIR: {
        const existing = parent.lookup(base);
        if (existing instanceof RamDir) return true; // init_mkdir's EEXIST: keep what is there
        inode = new RamDir(this.sb, attrs);
        break;
      }
      case S_IFREG:
        inode = new RegInode(this.sb, attrs, e.data ?? new Uint8Array(0));
        break;
      case S_IFLNK:
        inode = new SymlinkInode(this.sb, attrs, e.linkTarget ?? '');
        break;
      case S_IFCHR:
        inode = new CharDevInode(this.sb, attrs, e.rdev?.major ?? 0, e.rdev?.minor ?? 0, (ma, mi) => this.chrdev(ma, mi));
        break;
      default:
        return false; // block devices, fifos, sockets: not modelled
    }
    parent.link(base, inode);
    return true;
  }

  /** default_rootfs: what the kernel makes when there is no initramfs. */
  default_rootfs(): void {
    this.create({ name: 'dev', mode: S_IFDIR | 0o755, uid: 0, gid: 0, mtime: 0 });
    this.create({ name: 'dev/console', mode: S_IFCHR | 0o600, uid: 0, gid: 0, mtime: 0, rdev: { major: TTYAUX_MAJOR, minor: CONSOLE_MINOR } });
    this.create({ name: 'root', mode: S_IFDIR | 0o700, uid: 0, gid: 0, mtime: 0 });
  }

  /**
   * console_on_rootfs: descriptors 0, 1 and 2 on /dev/console (one open
   * file, dup'ed twice), as init starts with them. A rootfs without the
   * node still gets the console, through a node outside the tree
   * (Linux would print "Warning: unable to open an initial console.").
   */
  initial_files(): FilesStruct {
    const node = this.root.lookup('dev') instanceof DirInode ? (this.root.lookup('dev') as DirInode).lookup('console') : undefined;
    const inode = node instanceof CharDevInode ? node : new CharDevInode(this.sb, { perm: 0o600 }, TTYAUX_MAJOR, CONSOLE_MINOR, (ma, mi) => this.chrdev(ma, mi));
    const fops = this.chrdev(inode.major, inode.minor) ?? this.console.fops;
    const files = new FilesStruct();
    const console = new File(inode, O_RDWR | O_LARGEFILE, fops);
    for (let i = 0; i < 3; i++) files.alloc_fd(console, false);
    return files;
  }

  /**
   * Descriptors for a program whose output goes to the host, as under
   * qemu-user: 0 reads `stdin` (a pipe the host writes) or end of file, 1
   * and 2 write to `sink` (not a terminal: TCGETS is ENOTTY, as for a
   * pipe).
   */
  stdio_files(sink: (fd: 1 | 2, data: Uint8Array) => void, stdin?: File): FilesStruct {
    const inode = new CharDevInode(this.sb, { perm: 0o600 }, TTYAUX_MAJOR, CONSOLE_MINOR, () => undefined);
    const files = new FilesStruct();
    const eof: FileOperations = { read: () => new Uint8Array(0), write: () => 0, seekable: false, endOf: () => undefined, ioctl: () => BigInt(-ENOTTY) };
    files.alloc_fd(stdin ?? new File(inode, O_RDONLY | O_LARGEFILE, eof), false);
    for (const fd of [1, 2] as const) {
      const fops: FileOperations = {
        read: () => new Uint8Array(0),
        write: (_f, data) => {
          sink(fd, data);
          return data.length;
        },
        seekable: false,
        endOf: () => undefined,
        ioctl: () => BigInt(-ENOTTY),
      };
      files.alloc_fd(new File(inode, O_WRONLY | O_LARGEFILE, fops), false);
    }
    return files;
  }

  /** init's fs_struct: root and cwd at the rootfs's root. */
  initial_fs(): FsStruct {
    return new FsStruct(this.root, this.root);
  }

  /** Mount procfs at /proc and the /sys files at /sys (each mount point made if the archive had none). */
  mount_proc(): void {
    this.root.link('proc', proc_mount(this.proc, '/proc', PROC_DEV));
    this.root.link('sys', proc_mount(this.proc, '/sys', SYSFS_DEV));
    this.mounts.push(
      { source: 'proc', target: '/proc', fstype: 'proc', options: 'rw,nosuid,nodev,noexec,relatime' },
      { source: 'sysfs', target: '/sys', fstype: 'sysfs', options: 'rw,nosuid,nodev,noexec,relatime' },
    );
  }

  /** A tmpfs on the rootfs's directory `name`, if the archive made it (a mount needs its mount point); false otherwise. */
  mount_tmpfs(name: string, perm: number): boolean {
    if (!(this.root.lookup(name) instanceof DirInode)) return false;
    this.root.link(name, shmem_fill_super(this.nextDev++, perm, this.now));
    this.mounts.push({ source: 'tmpfs', target: `/${name}`, fstype: 'tmpfs', options: 'rw,relatime' });
    return true;
  }

  /** /proc/mounts (fs/proc_namespace.c show_vfsmnt): device, mount point, type, options, then "0 0". */
  proc_mounts(): string {
    return this.mounts.map((m) => `${m.source} ${m.target} ${m.fstype} ${m.options} 0 0\n`).join('');
  }
}
