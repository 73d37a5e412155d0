// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect } from 'vitest';
import { useUconsole } from '../../helpers/boot';
import { buildC, cProgramIt } from '../../helpers/user-programs';

const cIt = cProgramIt();

const booted = useUconsole();

const SELECT_C = `
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/select.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <errno.h>
#include <sys/wait.h>
static volatile int got;
static void h(int s) { got = s; }
int main(void) {
  int p[2]; pipe(p);
  fd_set r, w; FD_ZERO(&r); FD_ZERO(&w); FD_SET(p[0], &r); FD_SET(p[1], &w);
  struct timespec zero = {0, 0}, t = {0, 5000000};
  int n = pselect(p[1] + 1, &r, &w, NULL, &zero, NULL);
  printf("ready=%d r=%d w=%d\\n", n, FD_ISSET(p[0], &r), FD_ISSET(p[1], &w));
  pid_t c = fork();
  if (c == 0) { usleep(2000); write(p[1], "x", 1); _exit(0); }
  FD_ZERO(&r); FD_SET(p[0], &r);
  n = pselect(p[0] + 1, &r, NULL, NULL, NULL, NULL);
  printf("woken=%d r=%d\\n", n, FD_ISSET(p[0], &r));
  waitpid(c, 0, 0);
  char b; read(p[0], &b, 1);
  FD_ZERO(&r); FD_SET(p[0], &r);
  printf("timeout=%d\\n", pselect(p[0] + 1, &r, NULL, NULL, &t, NULL));
  FD_ZERO(&r); FD_SET(77, &r);
  errno = 0; n = pselect(78, &r, NULL, NULL, &zero, NULL);
  printf("ebadf=%d %d\\n", n, errno == EBADF);
  signal(SIGUSR1, h);
  sigset_t block, none, now; sigemptyset(&block); sigaddset(&block, SIGUSR1); sigemptyset(&none);
  sigprocmask(SIG_BLOCK, &block, NULL);
  c = fork();
  if (c == 0) { usleep(2000); kill(getppid(), SIGUSR1); _exit(0); }
  struct pollfd pf = { p[0], POLLIN, 0 };
  errno = 0; n = ppoll(&pf, 1, NULL, &none);
  int e = errno;
  sigprocmask(SIG_SETMASK, NULL, &now);
  printf("ppoll=%d eintr=%d got=%d blocked_again=%d\\n", n, e == EINTR, got, sigismember(&now, SIGUSR1));
  waitpid(c, 0, 0);
  n = ppoll(&pf, 1, &t, &none);
  sigprocmask(SIG_SETMASK, NULL, &now);
  printf("ppoll_timeout=%d blocked=%d\\n", n, sigismember(&now, SIGUSR1));
  return 0;
}`;

describe('pselect6 and ppoll (fs/select.ts)', () => {
  cIt('select sets, sleeping until a pipe is written, timeouts, EBADF; a signal mask that holds only while the call sleeps', () => {
    const r = booted.u.kernel.harness.exec(buildC(SELECT_C)!, '/bin/select', ['select'], { cpu: 3 });
    expect(r.stdout).toBe('ready=1 r=0 w=1\nwoken=1 r=1\ntimeout=0\nebadf=-1 1\nppoll=-1 eintr=1 got=10 blocked_again=1\nppoll_timeout=0 blocked=1\n');
  });
});
