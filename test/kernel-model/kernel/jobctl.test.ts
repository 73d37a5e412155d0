// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { useUconsole } from '../../helpers/boot';
import { buildC, cProgramIt } from '../../helpers/user-programs';

const cIt = cProgramIt();

const booted = useUconsole();

const run = (src: string, name: string) => booted.u.kernel.harness.exec(buildC(src)!, `/bin/${name}`, [name], { cpu: 1 });

const JOBS_C = `
#include <stdio.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
#include <errno.h>
#include <string.h>
static volatile int got;
static void on_usr1(int s) { got = s; }
int main(void) {
  pid_t c = fork();
  if (c == 0) { for (;;) pause(); }
  kill(c, SIGSTOP);
  siginfo_t si; memset(&si, 0, sizeof si);
  int r = waitid(P_PID, c, &si, WSTOPPED);
  printf("stopped r=%d signo=%d code=%d status=%d pid_ok=%d\\n", r, si.si_signo, si.si_code, si.si_status, si.si_pid == c);
  kill(c, SIGCONT);
  memset(&si, 0, sizeof si);
  r = waitid(P_PID, c, &si, WCONTINUED);
  printf("continued r=%d code=%d status=%d\\n", r, si.si_code, si.si_status);
  int st;
  printf("nothing more r=%d\\n", waitpid(c, &st, WNOHANG | WUNTRACED | WCONTINUED));
  kill(c, SIGTERM);
  memset(&si, 0, sizeof si);
  r = waitid(P_ALL, 0, &si, WEXITED);
  printf("killed r=%d code=%d status=%d\\n", r, si.si_code, si.si_status);
  c = fork();
  if (c == 0) { raise(SIGSTOP); _exit(7); }
  waitpid(c, &st, WUNTRACED);
  printf("self-stop stopped=%d sig=%d\\n", WIFSTOPPED(st), WSTOPSIG(st));
  kill(c, SIGCONT);
  waitpid(c, &st, 0);
  printf("then exit=%d\\n", WEXITSTATUS(st));
  c = fork();
  if (c == 0) { raise(SIGTSTP); _exit(8); }
  waitpid(c, &st, WUNTRACED);
  printf("orphaned group ignores SIGTSTP: exited=%d code=%d\\n", WIFEXITED(st), WEXITSTATUS(st));
  signal(SIGUSR1, on_usr1);
  sigset_t block, none, now;
  sigemptyset(&block); sigaddset(&block, SIGUSR1); sigemptyset(&none);
  sigprocmask(SIG_BLOCK, &block, NULL);
  c = fork();
  if (c == 0) { usleep(1000); kill(getppid(), SIGUSR1); _exit(0); }
  r = sigsuspend(&none);
  int e = errno;
  sigprocmask(SIG_SETMASK, NULL, &now);
  printf("sigsuspend r=%d eintr=%d got=%d mask_back=%d\\n", r, e == EINTR, got, sigismember(&now, SIGUSR1));
  waitpid(c, &st, 0);
  kill(getpid(), SIGUSR1);
  sigpending(&now);
  printf("pending=%d\\n", sigismember(&now, SIGUSR1));
  errno = 0; int esrch = kill(99999, 0) == -1 && errno == ESRCH;
  errno = 0; int einval = kill(getpid(), 99) == -1 && errno == EINVAL;
  printf("kill esrch=%d einval=%d\\n", esrch, einval);
  return 0;
}`;

const BOMB_C = `
#include <stdio.h>
#include <signal.h>
#include <unistd.h>
#include <errno.h>
#include <sys/wait.h>
int main(void) {
  int n = 0;
  for (;;) {
    pid_t p = fork();
    if (p == 0) { pause(); _exit(0); }
    if (p < 0) break;
    n++;
  }
  int e = errno;
  signal(SIGTERM, SIG_IGN);
  kill(0, SIGTERM);
  int reaped = 0;
  while (wait(NULL) > 0) reaped++;
  printf("forks=%d errno=%d reaped=%d\\n", n, e, reaped);
  return 0;
}`;

describe('job control (kernel/jobctl.ts): stop, continue, wait reports, sigsuspend', () => {
  cIt('stops and continues a child as waitid and waitpid report it; orphaned groups ignore SIGTSTP; sigsuspend', () => {
    const r = run(JOBS_C, 'jobs');
    expect(r.stdout).toBe(
      [
        'stopped r=0 signo=17 code=5 status=19 pid_ok=1', // CLD_STOPPED by SIGSTOP
        'continued r=0 code=6 status=18', // CLD_CONTINUED
        'nothing more r=0',
        'killed r=0 code=2 status=15', // CLD_KILLED by SIGTERM
        'self-stop stopped=1 sig=19',
        'then exit=7',
        'orphaned group ignores SIGTSTP: exited=1 code=8',
        'sigsuspend r=-1 eintr=1 got=10 mask_back=1',
        'pending=1',
        'kill esrch=1 einval=1',
        '',
      ].join('\n'),
    );
    expect(r.exitCode).toBe(0);
  });

  cIt('a fork bomb stops at threads-max with EAGAIN, and the machine goes on', () => {
    // kernel.threads-max lowered, as sysctl would, so the bomb is quick (1 GB's default lets 7,000 processes be made).
    const threadsMax = booted.u.kernel.user.threadsMax;
    booted.u.kernel.user.threadsMax = booted.u.kernel.sched.tasks.size + 300;
    let r;
    try {
      r = run(BOMB_C, 'bomb');
    } finally {
      booted.u.kernel.user.threadsMax = threadsMax;
    }
    const m = r.stdout.match(/^forks=(\d+) errno=(\d+) reaped=(\d+)\n$/);
    expect(m).not.toBeNull();
    const [forks, errno, reaped] = m!.slice(1).map(Number);
    expect(errno).toBe(11); // EAGAIN
    expect(reaped).toBe(forks);
    expect(forks).toBeGreaterThanOrEqual(298);
    expect(booted.u.kernel.user.procs.all().length).toBeLessThan(5);
    expect(run(JOBS_C, 'jobs').exitCode).toBe(0);
  });
});

/**
 * Every register a handler can touch: x1-x30 (x0 carries tkill's result),
 * d0-d31 and NZCV are set to patterns, a SIGUSR1 handler clobbers them all
 * and returns through the [vdso] trampoline; rt_sigreturn must bring each
 * back. The program stores what it has after tkill and counts the
 * registers that differ (its exit status).
 */
function sigreturnProgram(): string {
  const pat = (i: number): string => `0x${(i * 0x01010101).toString(16).padStart(8, '0')}${((i + 0x40) * 0x01010101).toString(16).padStart(8, '0')}`;
  const gp = Array.from({ length: 30 }, (_, k) => k + 1).filter((i) => i !== 1 && i !== 8); // x1 and x8 carry tkill's arguments
  const lines = [
    'mov64 x9, 0x410000', // struct sigaction: handler, flags 0, restorer 0, mask 0
    'adr x10, handler',
    'str x10, [x9]',
    'mov x0, #10',
    'mov x1, x9',
    'mov x2, #0',
    'mov x3, #8',
    'mov x8, #134', // rt_sigaction
    'svc #0',
    'mov x8, #178', // gettid
    'svc #0',
    'str x0, [x9, #0x100]', // the tid, for after the patterns
    ...Array.from({ length: 32 }, (_, i) => [`mov64 x9, ${pat(i + 40)}`, `fmov d${i}, x9`]).flat(),
    ...gp.map((i) => `mov64 x${i}, ${pat(i)}`),
    'mov64 x0, 0x410100',
    'ldr x0, [x0]',
    'mov x1, #10', // tkill(tid, SIGUSR1): x1 stays 10, x8 130
    'mov x8, #130',
    'msr nzcv, x10', // flags from a pattern (bits 28-31 of x10's pattern)
    'svc #0',
    'mrs x0, nzcv',
    'str x0, [sp, #-16]!',
    'mov64 x0, 0x411000',
    ...Array.from({ length: 15 }, (_, k) => `stp x${2 * k + 1}, x${2 * k + 2}, [x0, #${16 * k + 8}]`),
    ...Array.from({ length: 16 }, (_, k) => `stp d${2 * k}, d${2 * k + 1}, [x0, #${256 + 16 * k}]`),
    'ldr x1, [sp], #16',
    'str x1, [x0, #512]',
    // The first register that differs is the exit status: xN as N, dN as 40 + N, the flags as 99; 0 when all match.
    'mov64 x3, 0x411000',
    ...gp.map((i) => [`ldr x4, [x3, #${8 * i}]`, `mov64 x5, ${pat(i)}`, `mov x0, #${i}`, 'cmp x4, x5', 'b.ne done']).flat(),
    'ldr x4, [x3, #8]', 'mov x0, #1', 'cmp x4, #10', 'b.ne done',
    ...Array.from({ length: 32 }, (_, i) => [`ldr x4, [x3, #${256 + 8 * i}]`, `mov64 x5, ${pat(i + 40)}`, `mov x0, #${40 + i}`, 'cmp x4, x5', 'b.ne done']).flat(),
    'ldr x4, [x3, #512]', `mov64 x5, ${pat(10)}`, 'and x5, x5, #0xf0000000', 'mov x0, #99', 'cmp x4, x5', 'b.ne done',
    'ldr x4, [x3, #0x800]', 'mov x0, #98', 'cmp x4, #1', 'b.ne done', // the handler ran
    'mov x0, #0',
    'done:',
    'mov x8, #94', // exit_group
    'svc #0',
    'handler:',
    'str x30, [sp, #-16]!',
    'mov64 x0, 0x411800',
    'mov x1, #1',
    'str x1, [x0]',
    ...Array.from({ length: 30 }, (_, i) => `mov x${i}, #${0x5a + i}`),
    ...Array.from({ length: 32 }, (_, i) => `movi v${i}.16b, #0xa5`),
    'cmp x0, #1', // flags changed too
    'ldr x30, [sp], #16',
    'ret',
  ];
  return lines.join('\n');
}

describe('rt_sigreturn (kernel/signal.ts)', () => {
  it('brings back every general and SIMD register and the flags a handler clobbered', async () => {
    const { asmProgram } = await import('../../helpers/user-programs');
    const elf = await asmProgram(sigreturnProgram(), 2 * 4096);
    const r = booted.u.kernel.harness.exec(elf, '/bin/regs', ['regs'], { cpu: 0 });
    expect(r).toMatchObject({ exitCode: 0, signal: undefined });
  });
});
