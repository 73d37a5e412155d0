// SPDX-License-Identifier: GPL-2.0-only
// KASLR: Linux 6.1's rule for the kernel offset, and Debian's kernel booted with a seed
// (needs the cached package, "uconsole fetch linux"; skipped with that message otherwise).
import { describe, expect, it } from 'vitest';
import { cmdlineDisablesKaslr, kaslrOffset, kernelOffsetForTree } from '../../linux/kaslr';
import { createTree, encodeString, encodeU32, encodeU64, ensureNode, setProp } from '../../lib/fdt';
import { bootLinux, type LinuxRun } from '../../linux/boot';
import { cachedLinuxKernel } from '../../linux/package';
import { runOracle } from '../../linux/oracle-run';
import { cachedBusybox } from '../../images/busybox';

const fetched = cachedLinuxKernel() !== undefined;
const SKIP = 'skipped: Debian\'s kernel is not fetched (run "uconsole fetch linux")';
const ARGS = 'console=ttyAMA0,115200 keep_bootcon';

describe('the kernel offset from a seed (kaslr_early.c, head.S)', () => {
  it('is BIT(45) plus the seed\'s low 46 bits, 2 MiB aligned, with the image\'s offset within 2 MiB', () => {
    expect(kaslrOffset(0x1234_5678_90ab_cdefn, 0x20_0000, ARGS)).toBe(0x3678_90a0_0000n);
    expect(kaslrOffset(42n, 0x20_0000, ARGS)).toBe(0x2000_0000_0000n);
    expect(kaslrOffset((1n << 64n) - 1n, 0x20_0000, ARGS)).toBe(0x5fff_ffe0_0000n);
    expect(kaslrOffset(42n, 0x28_0000, ARGS)).toBe(0x2000_0008_0000n);
  });

  it('stays in the middle half of the 128 TiB vmalloc area for any seed', () => {
    for (let i = 0n; i < 64n; i++) {
      const off = kaslrOffset(0x9e37_79b9_7f4a_7c15n * (i + 1n) & ((1n << 64n) - 1n), 0x20_0000, ARGS);
      expect(off >= 1n << 45n && off < 3n << 45n).toBe(true);
      expect(off % 0x20_0000n).toBe(0n);
    }
  });

  it('is 0 without a seed, with a zero seed (no RNDR on a Cortex-A72 or A53), and with nokaslr', () => {
    expect(kaslrOffset(undefined, 0x20_0000, ARGS)).toBe(0n);
    expect(kaslrOffset(0n, 0x20_0000, ARGS)).toBe(0n);
    expect(kaslrOffset(5n, 0x20_0000, `${ARGS} nokaslr`)).toBe(0n);
    expect(kaslrOffset(5n, 0x20_0000, `nokaslr ${ARGS}`)).toBe(0n);
  });

  it('reads the seed and bootargs from the tree the kernel gets, as get_kaslr_seed does (8 bytes or none)', () => {
    const tree = createTree();
    expect(kernelOffsetForTree(tree, 0x20_0000)).toBe(0n); // no /chosen
    const chosen = ensureNode(tree, '/chosen');
    setProp(chosen, 'bootargs', encodeString(ARGS));
    setProp(chosen, 'kaslr-seed', encodeU64(42n));
    expect(kernelOffsetForTree(tree, 0x20_0000)).toBe(0x2000_0000_0000n);
    setProp(chosen, 'bootargs', encodeString(`${ARGS} nokaslr`));
    expect(kernelOffsetForTree(tree, 0x20_0000)).toBe(0n);
    setProp(chosen, 'bootargs', encodeString(ARGS));
    setProp(chosen, 'kaslr-seed', encodeU32(42));
    expect(kernelOffsetForTree(tree, 0x20_0000)).toBe(0n);
  });

  it('finds nokaslr as the kernel does: the first one, at the start or after a space', () => {
    expect(cmdlineDisablesKaslr('a nokaslr')).toBe(true);
    expect(cmdlineDisablesKaslr('nokaslr')).toBe(true);
    expect(cmdlineDisablesKaslr('a=nokaslr')).toBe(false);
    expect(cmdlineDisablesKaslr('a=nokaslr nokaslr')).toBe(false); // strstr stops at the first
    expect(cmdlineDisablesKaslr('a nokaslrx')).toBe(true);
  });
});

/** The offset the kernel prints in its panic ("Kernel Offset: 0x... from 0x..."), or undefined for "disabled". */
function printedOffset(run: LinuxRun): { offset: bigint; from: bigint } | undefined {
  const m = /Kernel Offset: (?:0x([0-9a-f]+) from 0x([0-9a-f]+)|disabled)/.exec(run.console);
  if (!m) throw new Error('no Kernel Offset line');
  return m[1] === undefined ? undefined : { offset: BigInt(`0x${m[1]}`), from: BigInt(`0x${m[2]}`) };
}

describe.skipIf(!fetched)(`Debian's kernel with KASLR (${fetched ? 'cached' : SKIP})`, () => {
  it('moves where the machine computed, all CPUs up; the same seed gives the same log, another seed another offset', async () => {
    const a = await bootLinux({ ram: '1G', kaslrSeed: 0x1234_5678_90ab_cdefn, initramfs: false });
    expect(a.end.reason).toBe('panic');
    expect(a.console).toContain('smp: Brought up 1 node, 4 CPUs');
    expect(a.console).toContain('KASLR enabled');
    expect(a.kernelOffset).toBe(0x3678_90a0_0000n);
    expect(printedOffset(a)).toEqual({ offset: a.kernelOffset, from: a.imageVa - a.kernelOffset });

    // The same seed again, for the first 0.12 s of virtual time (the kernel has moved itself and said so by
    // then, at 0.026 s on its own clock): the same log, byte for byte, as far as it goes.
    const again = await bootLinux({ ram: '1G', kaslrSeed: 0x1234_5678_90ab_cdefn, initramfs: false, limitSeconds: 0.12 });
    expect(again.end.reason).toBe('time-limit');
    expect(again.console).toContain('KASLR enabled');
    expect(a.console.startsWith(again.console)).toBe(true);

    const b = await bootLinux({ ram: '1G', kaslrSeed: 42n, initramfs: false });
    expect(b.end.reason).toBe('panic');
    expect(b.console).toContain('smp: Brought up 1 node, 4 CPUs');
    expect(b.kernelOffset).toBe(0x2000_0000_0000n);
    expect(printedOffset(b)?.offset).toBe(b.kernelOffset);
  }, 300_000);

  it('stays off when the command line says nokaslr, seed or not, as the kernel agrees', async () => {
    // kaslr_init says so within 0.12 s of virtual time (0.026 s on the kernel's clock); the panic's
    // "Kernel Offset: disabled" would say it again half a second later.
    const run = await bootLinux({ ram: '1G', kaslrSeed: 42n, initramfs: false, limitSeconds: 0.12, cmdline: 'console=ttyAMA0,115200 earlycon=pl011,mmio32,0xfe201000 keep_bootcon nokaslr' });
    expect(run.end.reason).toBe('time-limit');
    expect(run.kernelOffset).toBe(0n);
    expect(run.console).toContain('KASLR disabled on command line');
    expect(run.console).not.toContain('KASLR enabled');
  }, 120_000);

  it('moves nothing the oracle compares: no row differs without a known reason', async () => {
    const r = await runOracle({ ram: '1G', kaslrSeed: 0xfeed_beef_c0de_f00dn });
    expect(r.linux.kernelOffset).toBe(0x5eef_c0c0_0000n);
    expect(r.linux.console).toContain('KASLR enabled');
    expect(r.rows.filter((row) => row.status === 'different')).toEqual([]);
    expect(r.ok).toBe(true);
  }, 120_000);
});

const shell = fetched && cachedBusybox() !== undefined;
const SKIP_SHELL = 'skipped: Debian\'s kernel or busybox is not fetched (run "uconsole fetch linux" and "uconsole fetch busybox")';

describe.skipIf(!shell)(`Debian's kernel with KASLR to user space (${shell ? 'cached' : SKIP_SHELL})`, () => {
  // KASLR forces KPTI on: every exception from EL0 enters through the trampoline in the fixmap (va48.ts).
  it('runs a command with the image moved, and the kernel has consumed the firmware\'s seed (wiped to zero)', async () => {
    const run = await bootLinux({ ram: '1G', kaslrSeed: 0x1234_5678_90ab_cdefn, exec: 'echo from user space; od -An -tx1 /proc/device-tree/chosen/kaslr-seed' });
    expect(run.end.reason).toBe('power-off');
    expect(run.exitStatus).toBe(0);
    expect(run.console).toContain('kernel page table isolation forced ON by KASLR');
    expect(run.console).toContain('KASLR enabled');
    expect(run.console).toMatch(/\nfrom user space\r?\n\s*00 00 00 00 00 00 00 00\r?\nuconsole-mm: exit status 0/);
    expect(run.kernelOffset).toBe(0x3678_90a0_0000n);
  }, 120_000);
});
