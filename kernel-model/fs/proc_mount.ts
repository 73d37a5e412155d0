// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's ProcFs table (fs/proc.ts) as mounted file systems: /proc
 * and /sys are directories whose children are computed from the paths
 * registered under them at the moment of the lookup, so a file appears
 * as soon as its subsystem registers it. Files are GeneratedInodes
 * (rendered at open), directories ProcDirs; both are made once per path,
 * so an inode number stays the same between lookups. Read-only: procfs
 * files are mode 0444, directories 0555.
 */

import type { ProcFs } from './proc';
import { DirInode, GeneratedInode, type Inode, SuperBlock, SymlinkInode } from './inode';

export class ProcDir extends DirInode {
  constructor(
    sb: SuperBlock,
    private readonly proc: ProcFs,
    /** The absolute path this directory stands for ("/proc", "/sys/kernel"). */
    readonly prefix: string,
    private readonly cache: Map<string, Inode>,
  ) {
    super(sb, { perm: 0o555 });
  }

  private child(path: string, make: () => Inode): Inode {
    let i = this.cache.get(path);
    if (!i) {
      i = make();
      if (i instanceof DirInode) i.parent = this;
      this.cache.set(path, i);
    }
    return i;
  }

  lookup(name: string): Inode | undefined {
    const path = `${this.prefix}/${name}`;
    if (path === '/proc/self') {
      // A symlink to the reader's own pid directory (proc_self_get_link), made afresh for each reader.
      const pid = this.proc.selfPid?.();
      return pid === undefined ? undefined : new SymlinkInode(this.sb, { perm: 0o777 }, String(pid));
    }
    if (this.proc.has(path)) return this.child(path, () => new GeneratedInode(this.sb, { perm: 0o444 }, () => this.proc.read(path)));
    if (this.proc.list().some((p) => p.startsWith(`${path}/`))) return this.child(path, () => new ProcDir(this.sb, this.proc, path, this.cache));
    return undefined;
  }

  entries(): [string, Inode][] {
    const names = new Set<string>();
    if (this.prefix === '/proc' && this.proc.selfPid?.() !== undefined) names.add('self');
    for (const p of this.proc.list()) if (p.startsWith(`${this.prefix}/`)) names.add(p.slice(this.prefix.length + 1).split('/')[0]!);
    return [...names].map((n) => [n, this.lookup(n)!]);
  }
}

/** The root of a procfs-backed file system for `prefix` ("/proc" or "/sys"). */
export function proc_mount(proc: ProcFs, prefix: '/proc' | '/sys', dev: number): ProcDir {
  const sb = new SuperBlock(prefix === '/proc' ? 'proc' : 'sysfs', dev, false);
  return new ProcDir(sb, proc, prefix, new Map());
}
