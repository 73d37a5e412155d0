// SPDX-License-Identifier: GPL-2.0-only
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cachedBusybox } from '../../images/busybox';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../images/build';
import { asmProgram } from '../helpers/user-programs';
import { NR } from '../../kernel-model/include/unistd';

const run = (...args: string[]) => spawnSync(process.execPath, [join(projectRoot(), 'bin/uconsole.mjs'), 'run', ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'uconsole-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function program(name: string, src: string): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, await asmProgram(src));
  return path;
}

describe('uconsole run', () => {
  it('passes the program its arguments and its output and exit status through, like qemu-aarch64', async () => {
    // write(1, argv[1], 3); write(2, "e\n", 2); exit_group(argc)
    const path = await program('echo3', `
      ldr x19, [sp]
      ldr x1, [sp, #16]
      mov x0, #1
      mov x2, #3
      mov x8, #${NR.write}
      svc #0
      adr x1, msg
      mov x0, #2
      mov x2, #2
      svc #0
      mov x0, x19
      mov x8, #${NR.exit_group}
      svc #0
    msg: .ascii "e\\n"`);
    const r = run('--cpu', '3', path, '--', 'abc', '--help');
    expect(r.stdout).toBe('abc');
    expect(r.stderr).toBe('e\n');
    expect(r.status).toBe(3);
  });

  it('--strace prints every system call as qemu -strace does', async () => {
    const path = await program('getpid', `mov x8, #${NR.getpid}\nsvc #0\nmov x0, #0\nmov x8, #${NR.exit_group}\nsvc #0`);
    const r = run('--strace', path);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^\d+ getpid\(0,0,0,0,0,0\) = \d+\n\d+ exit_group\(0,/);
  });

  it('a program killed by a signal: 128 + the signal, and the kernel line on stderr', async () => {
    const path = await program('crash', 'mov x1, #8\nldr x0, [x1]');
    const r = run(path);
    expect(r.status).toBe(128 + 11);
    expect(r.stderr).toMatch(/\] crash\[\d+\]: unhandled exception: DABT \(lower EL\), ESR 0x9200000\d, level \d translation fault in crash\[400000\+1000\]\n/);
  });

  it('runs a program from the initramfs by its path there', () => {
    const r = run('/bin/hello-asm');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/hello/i);
  });

  it("passes the host's stdin to the program as a pipe, read as the program asks, with end of file at its end", (ctx) => {
    if (!cachedBusybox(projectRoot())) return ctx.skip();
    const lines = Array.from({ length: 15000 }, (_, i) => `${i}\n`).join(''); // 83 KB: more than a pipe holds
    const r = spawnSync(process.execPath, [join(projectRoot(), 'bin/uconsole.mjs'), 'run', '--ram', '1G', '/bin/busybox', '--', 'sh', '-c', 'sort -rn | head -2; wc -l'], { encoding: 'utf8', input: lines });
    expect(r.stdout).toBe('14999\n14998\n0\n'); // sort read everything; wc then reads end of file
    expect(r.status).toBe(0);
  });

  it('refuses what it cannot run with one line and exit status 1', async () => {
    const elf32 = Buffer.from(await asmProgram('nop'));
    elf32[4] = 1;
    writeFileSync(join(dir, 'elf32'), elf32);
    writeFileSync(join(dir, 'text'), 'just text\n');
    const cases: [string[], RegExp][] = [
      [['missing-here'], /^uconsole: missing-here: No such file or directory\n$/],
      [['/bin/not-there'], /not-there: No such file or directory \(on the host or in the initramfs\)\n$/],
      [[join(dir, 'text')], /not an ELF file/],
      [[join(dir, 'elf32')], /32-bit/],
      [['/etc/hostname', '--cpu', 'x'], /--cpu x: not a CPU number/],
      [[], /no PROGRAM given/],
    ];
    for (const [args, msg] of cases) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
