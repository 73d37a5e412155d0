// SPDX-License-Identifier: GPL-2.0-only
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootUconsole, type Uconsole } from '../../../api/uconsole';

let u: Uconsole;
let have = false;
beforeAll(async () => {
  u = await bootUconsole({ board: 'uconsole-cm4', ram: '1G' });
  have = u.kernel.rootfs?.root.lookup('bin')?.kind === 'dir' && (() => {
    try {
      u.exec('/bin/busybox', ['busybox', 'true']);
      return true;
    } catch {
      return false;
    }
  })();
  if (!have) console.warn('busybox tests skipped: no /bin/busybox in the initramfs (run: npx uconsole fetch busybox)');
});
afterAll(() => u?.shutdown());

const sh = (script: string, cpu = 0) => u.exec('/bin/busybox', ['sh', '-c', script], { cpu });

describe("Debian's busybox-static on the emulated uConsole (fork, execve, pipes, wait4)", () => {
  it('runs pipelines, loops and exit statuses in sh -c', (ctx) => {
    if (!have) return ctx.skip();
    expect(sh('echo a | cat; seq 1 100 | sort -rn | head -3; for i in 1 2 3; do echo "i=$i"; done')).toMatchObject({
      exitCode: 0,
      stdout: 'a\n100\n99\n98\ni=1\ni=2\ni=3\n',
    });
    expect(sh('exit 3').exitCode).toBe(3);
    expect(sh('kill -9 $$').signal).toBe(9);
  });

  it('uptime, top -b -n 1 and mount read /proc/uptime, loadavg, stat and mounts', (ctx) => {
    if (!have) return ctx.skip();
    const r = sh('uptime; top -b -n 1 | head -4; mount');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/up \d+ min, +0 users, +load average: 0\.00, 0\.00, 0\.00\n/);
    expect(r.stdout).toMatch(/\nMem: \d+K used, \d+K free/);
    expect(r.stdout).toMatch(/\n +PID +PPID +USER +STAT +VSZ/);
    expect(r.stdout).toMatch(/\nrootfs on \/ type rootfs \(rw\)\nproc on \/proc type proc/);
  });

  it('free and uname read the kernel', (ctx) => {
    if (!have) return ctx.skip();
    const free = sh('free', 2);
    expect(free.stdout).toMatch(/^\s+total\s+used\s+free\s+shared\s+buff\/cache\s+available\nMem:\s+\d+/);
    const total = Number(free.stdout.split('\n')[1]!.trim().split(/\s+/)[1]);
    expect(total).toBe(Number(u.readFile('/proc/meminfo').match(/MemTotal:\s+(\d+)/)![1]));
    expect(sh('uname -m -r').stdout).toBe('5.10.17-uconsole-mm aarch64\n');
  });
});

describe('/proc/PID (fs/proc_pid.ts)', () => {
  it("a process's stat, status, comm, cmdline and maps in Linux's formats; gone once it is released", () => {
    const h = u.kernel.harness.process();
    const stat = u.readFile(`/proc/${h.pid}/stat`).trim().split(' ');
    expect(stat).toHaveLength(52);
    expect(stat.slice(0, 3)).toEqual([String(h.pid), '(harness)', 'S']);
    expect(u.readFile(`/proc/${h.pid}/status`)).toMatch(/^Name:\tharness\nUmask:\t0022\nState:\tS \(sleeping\)\nTgid:\t\d+\n/);
    expect(u.readFile(`/proc/${h.pid}/comm`)).toBe('harness\n');
    expect(u.readFile(`/proc/${h.pid}/maps`)).toMatch(/^00400000-00401000 r-xp 00000000 00:00 0 +\[harness\]\n10000000-10004000 rwxp/);
    const r = u.exec('/bin/hello-asm');
    expect(u.kernel.proc.has(`/proc/${r.pid}/stat`)).toBe(false);
  });

  it('busybox ps lists the processes and /proc/self is the reader', (ctx) => {
    if (!have) return ctx.skip();
    const r = sh('ps; cat /proc/self/comm; cat /proc/self/cmdline | tr "\\0" " "');
    expect(r.stdout).toMatch(/^PID +USER +COMMAND\n/);
    expect(r.stdout).toMatch(/\n +\d+ 0 +\{busybox\} sh -c ps/); // argv[0] is not the comm: ps shows both
    expect(r.stdout).toMatch(/\n +1 0 +\[harness\]\n/); // no argv: ps shows the comm in brackets
    expect(r.stdout).toMatch(/\ncat\ncat \/proc\/self\/cmdline $/);
  });
});

describe('a shell on the console (/init = images/init.sh with busybox)', () => {
  it('reads commands from the console input and halts the machine at its end', async (ctx) => {
    if (!have) return ctx.skip();
    let out = '';
    const b = await bootUconsole({ board: 'uconsole-cm4', ram: '1G', init: true, onConsole: (s) => (out += s) });
    try {
      let fed = false;
      const status = b.waitInit(Infinity, () => {
        if (fed) return null;
        fed = true;
        return new TextEncoder().encode('echo one two | wc -w\nexit\n');
      });
      expect(status).toBeUndefined(); // halted by halt -f, not by init exiting
      expect(out).toMatch(/busybox sh on the console/);
      expect(out).toMatch(/\n2\r?\n/);
      expect(out).toMatch(/reboot: System halted\n$/);
    } finally {
      b.shutdown();
    }
  });
});
