// SPDX-License-Identifier: GPL-2.0-only
// uconsole boot --kernel linux, oracle and fetch: bad input ends in one line (no boot needed); --exec, --mini-uart and --kaslr-seed through the CLI.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../images/build';
import { cachedLinuxKernel } from '../../linux/package';
import { cachedBusybox } from '../../images/busybox';

const root = projectRoot();
const emptyCache = mkdtempSync(join(tmpdir(), 'uconsole-nolinux-'));
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [join(root, 'bin/uconsole.mjs'), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('uconsole boot --kernel linux, oracle, fetch: bad input', () => {
  it.each([
    [['boot', '--kernel', 'bsd'], /^uconsole: --kernel takes "linux" \(the default is the project's kernel\), not "bsd"\n$/],
    [['boot', '--kernel', 'linux', '--cat', '/proc/meminfo'], /^uconsole: --boot-dir, --cat, --trace, --no-init and --init are for the project's kernel, not --kernel linux\n$/],
    [['boot', '--kernel', 'linux', '--init', '/bin/sh'], /^uconsole: --boot-dir, --cat, --trace, --no-init and --init are for the project's kernel, not --kernel linux\n$/],
    [['boot', '--kernel', 'linux', '--time-limit', '0'], /^uconsole: --time-limit wants a positive number of seconds, not "0"\n$/],
    [['boot', '--time-limit', '5'], /^uconsole: --time-limit is for --kernel linux\n$/],
    [['boot', '--kernel', 'linux', '--kaslr-seed', 'abc'], /^uconsole: --kaslr-seed wants a number \(decimal or 0x hex\), not "abc"\n$/],
    [['boot', '--kernel', 'linux', '--kaslr-seed', '0x10000000000000000'], /^uconsole: --kaslr-seed 0x10000000000000000 does not fit 64 bits \(\/chosen\/kaslr-seed is a u64\)\n$/],
    [['boot', '--kaslr-seed', '5'], /^uconsole: --kaslr-seed is for --kernel linux\n$/],
    [['boot', '--kernel', 'linux', '--board', 'uconsole-a05'], /^uconsole: unknown board "uconsole-a05" \(boards: [^\n]*\)\n$/],
    [['boot', '--mini-uart', '/tmp/x'], /^uconsole: --mini-uart is for --kernel linux\n$/],
    [['boot', '--kernel', 'linux', '--mini-uart', '/nonexistent/dir/out'], /^uconsole: --mini-uart \/nonexistent\/dir\/out: no such directory\n$/],
    [['boot', '--kernel', 'linux', '--board', 'uconsole-cm3', '--mini-uart', join(emptyCache, 'mu')], /^uconsole: uconsole-cm3 has no emulated mini-UART \(the uconsole-cm4 has\)\n$/],
    [['boot', '--system-map', '/tmp/x'], /^uconsole: --system-map is for --kernel linux\n$/],
    [['boot', '--kernel', 'linux', '--system-map', '/nonexistent/System.map'], /^uconsole: System\.map \/nonexistent\/System\.map: not found\n$/],
    [['boot', '--kernel', 'linux', '--system-map', '/etc/hostname'], /^uconsole: \/etc\/hostname:1: not a System\.map line/],
    [['boot', '--kernel-image', '/nonexistent/vmlinuz'], /^uconsole: kernel image \/nonexistent\/vmlinuz not found\n$/],
    [['boot', '--kernel-image', '/etc/hostname'], /^uconsole: \/etc\/hostname is (too short for an arm64 Image header|not an arm64 Image)/],
    [['fetch', 'bsd'], /^uconsole: fetch takes one argument: busybox or linux \(got bsd\)\n$/],
    [['oracle', '--board', 'nope'], /^uconsole: unknown board "nope"/],
    [['oracle', '--kaslr-seed', '1.5'], /^uconsole: --kaslr-seed wants a number \(decimal or 0x hex\), not "1.5"\n$/],
  ])('%j fails with one line and exit 1', (args, message) => {
    const r = run(args as string[]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the fetch command when the kernel is not cached', () => {
    const r = run(['boot', '--kernel', 'linux'], { UCONSOLE_LINUX_CACHE: emptyCache });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('uconsole: Debian\'s arm64 kernel is not fetched yet: run "uconsole fetch linux"\n');
  });
});

const ready = cachedLinuxKernel() !== undefined && cachedBusybox() !== undefined;

describe.skipIf(!ready)(`uconsole boot --kernel linux --exec (${ready ? 'cached' : 'skipped: run "uconsole fetch linux" and "uconsole fetch busybox"'})`, () => {
  it('exits with a failing command\'s own status, after its output; --mini-uart FILE gets what ttyS0 sent', () => {
    const file = join(emptyCache, 'mini-uart.out');
    const r = run(['boot', '--kernel', 'linux', '--ram', '1G', '--mini-uart', file, '--exec', 'ls /nonexistent; printf "to\\377" > /dev/ttyS0; exit 3']);
    expect(r.stdout).toMatch(/ls: \/nonexistent: No such file or directory\r?\nuconsole-mm: exit status 3\r?\n/);
    expect(r.stderr).toMatch(/^uconsole: power-off: reboot: (System halted|Power down)$/m);
    expect(r.stderr).toContain(`uconsole: the mini-UART sent 3 bytes (in ${file})\n`);
    expect([...readFileSync(file)]).toEqual([0x74, 0x6f, 0xff]); // byte for byte, 8-bit mode
    expect(r.status).toBe(3);
  }, 120_000);

  it('refuses a --dtb that lacks what the CM4\'s devices need, naming the file (the CM3\'s tree: no firmware clocks for the mini-UART)', () => {
    const dtb = cachedLinuxKernel()!.dtbs['bcm2837-rpi-cm3-io3.dtb']!;
    const r = run(['boot', '--kernel', 'linux', '--dtb', dtb, '--exec', 'true']);
    expect(r.stderr).toBe(`uconsole: ${dtb}: the device tree has no raspberrypi,firmware-clocks node for the AUX block's core clock\n`);
    expect(r.status).toBe(1);
  });

  it('boots with --kaslr-seed and says where the image went', () => {
    const r = run(['boot', '--kernel', 'linux', '--ram', '1G', '--kaslr-seed', '0x1234567890abcdef', '--exec', 'true']);
    expect(r.stdout).toContain('KASLR enabled');
    expect(r.stderr).toMatch(/^uconsole: KASLR: kernel offset 0x367890a00000, image at 0xffffb67898a00000$/m);
    expect(r.status).toBe(0);
  }, 120_000);
});
