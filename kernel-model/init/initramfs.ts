// SPDX-License-Identifier: GPL-2.0-only
/*
 * populate_rootfs (init/initramfs.c), a rootfs_initcall: the initrd the
 * boot loader left in RAM is unpacked into the in-memory root file
 * system, then its pages go back to the page allocator.
 *
 *   - gzip-compressed archives are inflated first (Linux 5.10 detects the
 *     compression by its magic, decompress_method);
 *   - a region that is not a newc archive is not fatal: Linux then keeps
 *     it as /initrd.image for a ramdisk root; the model has no block
 *     devices, so it says so and boots with the empty rootfs;
 *   - with no initrd at all, default_rootfs makes /dev/console and /root;
 *   - /proc and /sys are mounted on the result.
 *
 * The log lines are Linux 5.10's (with CONFIG_BLK_DEV_RAM, as the
 * Raspberry Pi kernels have it): "Trying to unpack rootfs image as
 * initramfs...", then free_initrd_mem's "Freeing initrd memory: NK".
 */

import { zlib } from '../../lib/host-modules';
import { CpioError, readNewc } from '../../lib/cpio/newc';
import { wake_user } from '../kernel/exit';
import { kill_pgrp, tty_check_change } from '../kernel/jobctl';
import { UserTask } from '../kernel/sched/task';
import { MEM_MAJOR, mem_devices } from '../fs/mem_devices';
import type { Kernel } from '../kernel';
import { Vfs } from '../fs/rootfs';
import { free_reserved_area } from '../mm/page_alloc/mm_init';

/** What unpacking gave: members created and skipped, or why the image is not an initramfs. */
export interface UnpackResult {
  created: number;
  skipped: number;
  error?: string;
}

/** unpack_to_rootfs: the archive (maybe gzipped) into `vfs`. Never throws on bad input. */
export function unpack_to_rootfs(vfs: Vfs, image: Uint8Array): UnpackResult {
  let bytes = image;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = new Uint8Array(zlib().gunzipSync(bytes));
    } catch (e) {
      return { created: 0, skipped: 0, error: `invalid gzip data (${(e as Error).message})` };
    }
  }
  let entries;
  try {
    entries = readNewc(bytes);
  } catch (e) {
    if (e instanceof CpioError) return { created: 0, skipped: 0, error: e.message };
    throw e;
  }
  let created = 0;
  for (const e of entries) if (vfs.create(e)) created++;
  return { created, skipped: entries.length - created };
}

export function populate_rootfs(k: Kernel): Vfs {
  const vfs = new Vfs(k.proc, (data) => k.consoleWrite(data), () => Math.floor(k.clockNs() / 1e9));
  vfs.console.wake = (t) => wake_user(k, t, undefined); // a sleeping reader makes its read again
  // ^C and friends come with the UART's receive interrupt, taken on CPU 0: kernel code there (a killed task's pages go back to CPU 0's lists).
  vfs.console.signalGroup = (pgrp, sig) => k.on(0, () => kill_pgrp(k, pgrp, sig));
  vfs.console.jobControl = (sig) => {
    const t = k.current();
    return t instanceof UserTask ? tty_check_change(k, t, vfs.console.session, vfs.console.fgPgrp, sig) : 'ok';
  };
  vfs.console.groupInSession = (pgrp, sid) => k.user.procs.all().some((p) => p.pgid === pgrp && p.sid === sid && p.state === 'alive');
  vfs.console.caller = () => {
    const p = (k.current() as UserTask).proc;
    return p && { pid: p.pid, pgid: p.pgid, sid: p.sid };
  };
  for (const [minor, fops] of mem_devices((n) => k.user.random(n))) vfs.register_chrdev(MEM_MAJOR, minor, fops);
  const initrd = k.arch.initrd;
  if (initrd && k.machine.ram.contains(initrd.start, initrd.end - initrd.start)) {
    k.printk('Trying to unpack rootfs image as initramfs...');
    // The archive is read in place: its members are copied out (readNewc) before its pages are freed below.
    const r = unpack_to_rootfs(vfs, k.machine.ram.peek(initrd.start, initrd.end - initrd.start));
    if (r.error !== undefined) {
      k.printk(`rootfs image is not initramfs (${r.error}); looks like an initrd`);
      k.printk('uconsole-mm: no ramdisk support; booting with an empty rootfs');
      vfs.default_rootfs();
    }
    const pages = free_reserved_area(k.mm.pgalloc, initrd.start, initrd.end);
    k.printk(`Freeing initrd memory: ${pages * 4}K`);
  } else {
    if (initrd) k.printk(`initrd not fully accessible via the linear mapping -- please check your bootloader ...`);
    vfs.default_rootfs();
  }
  vfs.mount_proc();
  // What the device's init system mounts, where the archive has the mount points.
  vfs.mount_tmpfs('tmp', 0o1777);
  vfs.mount_tmpfs('run', 0o755);
  k.rootfs = vfs;
  return vfs;
}
