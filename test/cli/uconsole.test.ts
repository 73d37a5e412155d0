import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { assemble } from '../../emulator/arm64/assembler';
import { join } from 'node:path';
import { projectRoot } from '../../images/build';
import { cachedBusybox } from '../../images/busybox';

const root = projectRoot();
const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/uconsole.mjs'), ...args], { encoding: 'utf8' });

// bin/uconsole.mjs rebuilds a stale bundle itself (scripts/bundle.cjs); npm test's setup step has built it.

describe('uconsole CLI', () => {
  it('boot prints the boot log and exits 0 when the machine halts', () => {
    const r = run('boot');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\] Booting Linux on physical CPU 0x0000000000 \[0x410fd083\]\n/);
    expect(r.stdout).toMatch(/\] smp: Brought up 1 node, 4 CPUs\n/);
    expect(r.stdout).toMatch(/\] reboot: System halted\n$/);
  });

  it('boot --cat prints /proc files after the boot log', () => {
    const r = run('boot', '--cat', '/proc/buddyinfo', '--cat', '/proc/meminfo');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\nNode 0, zone      DMA( +\d+){11} \nNode 0, zone    DMA32( +\d+){11} \nMemTotal: +\d+ kB\n/);
    const bad = run('boot', '--cat', '/proc/nope');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^uconsole: \/proc\/nope: No such file or directory/);
  });

  it.each([
    ['emu', ['--loops', '20000', '--syscalls', '1000', '--boots', '1', '--repeats', '1', '--linux-boots', '0']],
    ['page', ['--pairs', '2000', '--order-pairs', '100', '--memarea-calls', '1', '--ram', '1G']],
    ['vmalloc', ['--test_loop_count=20', '--test_repeat_count=1', '--run_test_mask=5', '--sizes', '1000']],
    ['percpu', ['--objects', '256']],
    ['kmem', ['--pairs', '2000']],
  ])('bench %s writes the JSON shape of DESIGN.md', (suite, args) => {
    const dir = mkdtempSync(join(tmpdir(), 'uconsole-bench-'));
    try {
      const r = run('bench', suite as string, '--json', join(dir, 'r.json'), ...(args as string[]));
      expect(r.status).toBe(0);
      if (suite === 'vmalloc') {
        // Linux's lines for each allocator, then the table.
        expect(r.stdout).toMatch(/^augment:\n  Summary: fix_size_alloc_test passed: 1 failed: 0 repeat: 1 loops: 20 avg: \d+ usec\n  Summary: long_busy_list_alloc_test passed: 1 failed: 0 repeat: 1 loops: 20 avg: \d+ usec\n  All test took CPU0=\d+ cycles\nlist:\n/);
      } else expect(r.stdout).toMatch(new RegExp(`^suite ${suite} on ${suite === 'percpu' ? 'none' : 'uconsole-cm4'}`));
      const j = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
      expect(Object.keys(j)).toEqual(['suite', 'board', 'cmdline', 'revision', 'params', 'results']);
      expect(j.results.length).toBeGreaterThan(3);
      for (const row of j.results) expect(Object.keys(row)).toEqual(['variant', 'test', 'metric', 'unit', 'value']);
      if (suite === 'emu') {
        const rows = (j.results as { variant: string; test: string; metric: string; value: number }[]).map((r) => `${r.variant} ${r.test} ${r.metric}`);
        for (const test of ['alu-loop-booted', 'ldst-loop-booted'])
          for (const variant of ['deterministic', 'free-running']) expect(rows).toContain(`${variant} ${test} mips`);
        expect(rows).toContain('process uconsole-boot wall_ms');
      }
      if (suite === 'vmalloc') {
        const rows = (j.results as { variant: string; test: string; metric: string }[]).map((r) => `${r.variant} ${r.test} ${r.metric}`);
        for (const v of ['augment', 'list']) expect(rows).toEqual(expect.arrayContaining([`${v} long_busy_list_alloc_test avg_usec`, `${v} all cycles`, `${v} scaling-1000-busy alloc_free_cycles`]));
        expect(rows).toContain('list/augment all ratio');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a closed pipe (uconsole boot | head -1) is not an error', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${join(root, 'bin/uconsole.mjs')}" boot | head -1`], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^\[ +0\.\d+\] Booting Linux on physical CPU/);
    expect(r.stderr).toBe('');
  });

  it('boot --exec runs one command line and exits with its status; --init runs a script as /init', (ctx) => {
    if (!cachedBusybox(root)) return ctx.skip();
    const r = run('boot', '--exec', 'echo "it\'s $((6*7))"; exit 3');
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/\] Run \/init as init process\nit's 42\n/);
    const dir = mkdtempSync(join(tmpdir(), 'uconsole-init-'));
    try {
      writeFileSync(join(dir, 'w.sh'), '#!/bin/sh\necho "workload on $(grep -c ^processor /proc/cpuinfo) CPUs"\nexec halt -f\n');
      const w = run('boot', '--board', 'uconsole-a06', '--init', join(dir, 'w.sh'));
      expect(w.status).toBe(0);
      expect(w.stdout).toMatch(/\nworkload on 6 CPUs\n\[ *[\d.]+\] reboot: System halted\n$/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('boot --board uconsole-a06 boots six cores', () => {
    const r = run('boot', '--board', 'uconsole-a06');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('smp: Brought up 1 node, 6 CPUs');
  });

  it('--trace prints executed instructions with their core', () => {
    const r = run('boot', '--trace', '--no-init');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^cpu0 0000000000000000: mrs x6, mpidr_el1$/m);
    expect(r.stdout).toMatch(/^cpu1 00000000002000[0-9a-f]{2}: mrs x1, mpidr_el1$/m); // secondary_entry, MMU off
    expect(r.stdout).toMatch(/^cpu1 ffffffc01000[0-9a-f]{4}: hvc #5$/m); // secondary_switched, at KIMAGE_VADDR
    expect(r.stdout).toMatch(/^cpu1 ffffffc01000[0-9a-f]{4}: b #0xffffffc01000[0-9a-f]{4}$/m);
  });

  it.each([
    [['boot', '--board', 'nope'], /^uconsole: unknown board "nope" \(boards: uconsole-cm4, .*\)\n$/],
    [['boot', '--ram', '3G'], /^uconsole: uconsole-cm4 has no 3G option \(offered: 1G, 2G, 4G, 8G\)\n$/],
    [['boot', '--dtb', '/nonexistent.dtb'], /^uconsole: device tree \/nonexistent\.dtb not found\n$/],
    [['boot', '--frobnicate'], /^uconsole: Unknown option '--frobnicate'.*\n$/],
    [['boot', '--initrd', '/nonexistent.cpio'], /^uconsole: initramfs \/nonexistent\.cpio not found\n$/],
    [['boot', '--init', '/nonexistent.sh'], /^uconsole: --init \/nonexistent\.sh: no such file\n$/],
    [['boot', '--init', join(root, 'package.json')], /^uconsole: --init .*package\.json: neither a #! script nor an ELF program \(.*ENOEXEC.*\)\n$/],
    [['boot', '--init', join(root, 'images/init.sh'), '--exec', 'true'], /^uconsole: --init and --exec do not go together\n$/],
    [['boot', '--no-init', '--exec', 'true'], /^uconsole: --no-init does not go with --init or --exec\n$/],
    [['fetch'], /^uconsole: fetch takes one argument: busybox or linux \(got none\)\n$/],
    [['fetch', 'emacs'], /^uconsole: fetch takes one argument: busybox or linux \(got emacs\)\n$/],
    [['explode'], /^uconsole: unknown command "explode"/],
    [['bench'], /^uconsole: bench needs a suite name/],
    [['bench', 'emu', '--loops', 'many'], /^uconsole: --loops needs a positive integer/],
    [['bench', 'vmalloc', '--mode', 'nope'], /^uconsole: --mode must be performance or stress, not "nope"/],
    [['bench', 'vmalloc', '--sequential_test_order=2'], /^uconsole: --sequential_test_order is 0 or 1, not "2"/],
  ])('%j fails with one line and exit 1', (args, message) => {
    const r = run(...(args as string[]));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it.each([
    ['an undefined instruction', '.word 0', /^uconsole: guest fault: undefined instruction at cpu0 EL1 PC 0x0000000000200040 \(udf #0\): address 0x0000000000200040\n$/],
    ['a jump to unmapped memory', 'mov64 x0, 0x900000000\nbr x0', /^uconsole: guest fault: fetch of unmapped memory at cpu0 EL1 PC 0x0000000900000000 \(not in RAM\): address 0x0000000900000000\n$/],
  ])('a guest fault (%s) is one line with core, PC, instruction and address, exit 1', async (_what, code, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'uconsole-cli-'));
    try {
      cpSync(join(root, 'images/build/uconsole-cm4'), dir, { recursive: true });
      const img = readFileSync(join(dir, 'kernel8.img'));
      img.set((await assemble(code as string, 0x200040n)).bytes, 0x40); // at primary_entry
      writeFileSync(join(dir, 'kernel8.img'), img);
      const r = run('boot', '--boot-dir', dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message as RegExp);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--help on the command and on each subcommand', () => {
    expect(run('--help').stdout).toMatch(/usage: uconsole <command>/);
    expect(run('boot', '--help').stdout).toMatch(/--board NAME/);
    expect(run('bench', '--help').stdout).toMatch(/suites:\n\s+emu/);
  });
});
