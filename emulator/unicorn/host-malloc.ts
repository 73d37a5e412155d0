// SPDX-License-Identifier: GPL-2.0-only
/*
 * glibc's malloc in 2 MB pages, for the CLI's process.
 *
 * Why. On a virtual machine whose page faults trap to the hypervisor, a
 * page fault is the dearest thing a short `uconsole run` does: about 10 us
 * each on the project's machine (copying 6 MB into fresh memory took 16 ms),
 * and `uconsole run busybox true` took about 11,000 of them, against 2,100
 * for `node -e 0`. Guest RAM is already one mapping in transparent huge
 * pages (hostAlloc); most of the rest comes from glibc's malloc: the
 * engines' TCG state and TLBs, koffi's buffers, and every ArrayBuffer's
 * backing store (Node allocates them with calloc), such as the kernel
 * model's copies of the initramfs's files.
 *
 * What. The effect of glibc's tunables glibc.malloc.hugetlb=1,
 * glibc.malloc.mmap_threshold and glibc.malloc.top_pad, which glibc reads
 * only from GLIBC_TUNABLES at process start, obtained once the process
 * runs: mallopt raises M_MMAP_THRESHOLD so that large blocks come from the
 * heap too rather than from mappings of their own, M_TOP_PAD so that the
 * heap grows by HEAP_PAD at once, and M_TRIM_THRESHOLD so that it does not
 * give that back; one allocation then grows it, and madvise(MADV_HUGEPAGE)
 * on the heap's mapping has the kernel back it with huge pages (the usual
 * host setting, /sys/kernel/mm/transparent_hugepage/enabled, is
 * "madvise"). A fault then brings in 2 MB instead of 4 KB. The heap keeps
 * what it grew to, which is what a short process wants; growth past the
 * advised mapping gets ordinary pages again. Only the main thread's arena
 * is the brk heap; other threads' arenas keep 4 KB pages.
 *
 * bin/uconsole, the command's launcher, sets the same tunables in
 * GLIBC_TUNABLES for Node's exec, so that a command started through it
 * has them from its first allocation (Node's own start and the bundle's
 * loading included): `uconsole run busybox true` then takes about 4,950
 * faults and 220 ms (best of 10) instead of 8,350 and 265 with this
 * function alone. This function is for a process started otherwise
 * (`node bin/uconsole.mjs`, the tests); after the launcher it changes
 * nothing.
 *
 * Every command gets it, a long `uconsole boot` session too, which then
 * keeps blocks of up to 32 MB it freed in its heap rather than giving them
 * back: a few tens of megabytes at most, against the 4 GB of guest RAM it
 * maps.
 *
 * Measured: the faults of `uconsole run busybox true` from 11,100 to about
 * 8,700 (perf stat -e page-faults; called before the bundle loads, 7,700),
 * its mean wall time from 0.43 to 0.40 s; the A/B rows of `bench syscall`
 * in README. UCONSOLE_MALLOC_HUGEPAGES=off leaves malloc as it is, for
 * the A/B.
 */

import { libc } from './koffi';
import { readFileSync } from 'node:fs';
import type { KoffiFn } from './binding';

/** glibc's mallopt parameters (malloc.h). */
const M_TRIM_THRESHOLD = -1;
const M_TOP_PAD = -2;
const M_MMAP_THRESHOLD = -3;
const MADV_HUGEPAGE = 14;
const HUGE_PAGE = 2n << 20n;

/** The heap's growth step and the largest block it serves (above: a mapping of its own). */
const HEAP_PAD = 64 << 20;
const MMAP_THRESHOLD = 32 << 20; /* glibc caps it at HEAP_MAX_SIZE / 2 (32 MB) */
const HUGE_GROW = 8 << 20;
const TRIM_THRESHOLD = 4 * HEAP_PAD;

/** The same settings as glibc's tunables: what bin/uconsole puts in GLIBC_TUNABLES for Node's exec (a test holds the two equal). */
export const MALLOC_TUNABLES = `glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=${MMAP_THRESHOLD}:glibc.malloc.top_pad=${HEAP_PAD}:glibc.malloc.trim_threshold=${TRIM_THRESHOLD}`;

let done: boolean | undefined;

/**
 * Put the brk heap on transparent huge pages (see the top of this file):
 * true when it did, false where it cannot (not glibc, no [heap] mapping, a
 * refusal) or UCONSOLE_MALLOC_HUGEPAGES=off. Once per process.
 */
export function mallocInHugePages(): boolean {
  if (process.env.UCONSOLE_MALLOC_HUGEPAGES === 'off') return false;
  if (done !== undefined) return done;
  done = false;
  try {
    const c = libc();
    const f = (decl: string): KoffiFn => c.func(decl) as KoffiFn;
    const mallopt = f('int mallopt(int param, int value)');
    if (!mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) || !mallopt(M_TOP_PAD, HEAP_PAD) || !mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)) return done;
    // Grow the heap now (a block larger than its free top, and the pad), so that the advice covers what is to come.
    f('void free(void *p)')(f('void *malloc(size_t n)')(HUGE_GROW));
    const heap = heapMapping();
    // A heap that could not grow in place (something mapped just above it) is left alone.
    if (!heap || heap.end - heap.start < BigInt(HEAP_PAD)) return done;
    const start = (heap.start + HUGE_PAGE - 1n) & ~(HUGE_PAGE - 1n);
    done = f('int madvise(uint64_t addr, size_t len, int advice)')(start, Number(heap.end - start), MADV_HUGEPAGE) === 0;
  } catch {
    // not glibc, or no libc.so.6: malloc stays as it is
  }
  return done;
}

/** The brk heap's mapping: the [heap] lines of /proc/self/maps (one, or several once advised in parts). */
export function heapMapping(): { start: bigint; end: bigint } | undefined {
  let heap: { start: bigint; end: bigint } | undefined;
  for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const m = line.endsWith('[heap]') && /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (!m) continue;
    const [start, end] = [BigInt(`0x${m[1]}`), BigInt(`0x${m[2]}`)];
    if (heap && start === heap.end) heap.end = end;
    else heap ??= { start, end };
  }
  return heap;
}
