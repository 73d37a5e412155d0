// SPDX-License-Identifier: GPL-2.0-only
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootUconsole, type Uconsole } from '../../../api/uconsole';
import { NR } from '../../../kernel-model/include/unistd';
import { PAGE } from '../../../kernel-model/mm/mmap';
import { check_mm } from '../../../kernel-model/mm/mmap_check';
import { ExecError } from '../../../kernel-model/fs/binfmt_elf';
import { asmProgram, buildC, cProgramIt } from '../../helpers/user-programs';

const cIt = cProgramIt('C program');

let u: Uconsole;
beforeAll(async () => {
  u = await bootUconsole({ board: 'uconsole-cm4', ram: '1G' });
});
afterAll(() => u?.shutdown());

const exec = (file: Uint8Array, argv: string[], cpu = 0, envp?: string[]) => u.kernel.harness.exec(file, `/bin/${argv[0]}`, argv, { cpu, envp });
/** Free pages, and the page cache's (programs' text stays cached after they exit, as in Linux): what must come back. */
const freeOrCached = (): number =>
  u.kernel.on(0, () => u.kernel.mm.pgalloc.nr_free_pages() + u.kernel.mm.pgalloc.nr_pcp_pages()) + u.kernel.user.mem.pageCache.nr_pages;

const AUXV_C = `
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <elf.h>
extern char **environ;
int main(int argc, char **argv) {
  printf("argc=%d", argc);
  for (int i = 0; i < argc; i++) printf(" [%s]", argv[i]);
  printf("\\n");
  for (char **e = environ; *e; e++) printf("env %s\\n", *e);
  const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
  printf("phent=%lu phnum=%lu phdr0type=%u pagesz=%lu clktck=%lu\\n", getauxval(AT_PHENT), getauxval(AT_PHNUM), ph[0].p_type, getauxval(AT_PAGESZ), getauxval(AT_CLKTCK));
  printf("entry_ok=%d execfn=%s platform=%s uid=%lu secure=%lu\\n", getauxval(AT_ENTRY) != 0, (char *)getauxval(AT_EXECFN), (char *)getauxval(AT_PLATFORM), getauxval(AT_UID), getauxval(AT_SECURE));
  unsigned char *r = (unsigned char *)getauxval(AT_RANDOM);
  printf("random=%02x%02x%02x%02x hwcap_fp=%lu hwcap_cpuid=%lu\\n", r[0], r[1], r[2], r[3], getauxval(AT_HWCAP) & 1, (getauxval(AT_HWCAP) >> 11) & 1);
  return argc;
}`;

const MALLOC_C = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
static unsigned x = 12345;
static unsigned rnd(void) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return x; }
static void *worker(void *arg) {
  long n = (long)arg, sum = 0;
  for (long i = 0; i < 2000; i++) { char *p = malloc(1 + (i * 37 + n) % 3000); memset(p, (int)n, 16); sum += p[3]; free(p); }
  return (void *)sum;
}
int main(void) {
  void *live[512] = {0};
  unsigned long check = 0;
  for (int i = 0; i < 4000; i++) {
    int slot = rnd() % 512;
    if (live[slot]) { check += ((unsigned char *)live[slot])[0]; free(live[slot]); }
    size_t n = 1 + rnd() % (i % 7 == 0 ? 100000 : 2000);
    live[slot] = malloc(n); memset(live[slot], i & 0xff, n);
  }
  for (int i = 0; i < 512; i++) free(live[i]);
  pthread_t t[4]; long total = 0;
  for (long i = 0; i < 4; i++) pthread_create(&t[i], 0, worker, (void *)(i + 1));
  for (int i = 0; i < 4; i++) { void *r; pthread_join(t[i], &r); total += (long)r; }
  printf("check=%lu threads=%ld\\n", check, total);
  return 0;
}`;

describe('static programs from ELF files (fs/exec.ts, fs/binfmt_elf.ts, kernel/fork.ts)', () => {
  cIt('a glibc program gets argv, envp and the auxiliary vector as Linux lays them out', () => {
    const r = exec(buildC(AUXV_C)!, ['auxv', 'one', 'two words'], 2, ['A=1', 'PATH=/bin']);
    expect(r.exitCode).toBe(3);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('argc=3 [auxv] [one] [two words]');
    expect(lines.slice(1, 3)).toEqual(['env A=1', 'env PATH=/bin']);
    expect(lines[3]).toMatch(/^phent=56 phnum=\d+ phdr0type=\d+ pagesz=4096 clktck=100$/);
    expect(lines[4]).toBe('entry_ok=1 execfn=/bin/auxv platform=aarch64 uid=0 secure=0');
    expect(lines[5]).toMatch(/^random=[0-9a-f]{8} hwcap_fp=1 hwcap_cpuid=1$/);
  });

  cIt('malloc-heavy code and pthreads: brk, mmap, munmap, mprotect, clone, futex and exit all work, and every page comes back', () => {
    const free0 = freeOrCached();
    const live0 = u.kernel.user.mem.live.size;
    const elf = buildC(MALLOC_C)!;
    const r = exec(elf, ['malloc'], 1);
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    expect(r.stdout).toMatch(/^check=\d+ threads=\d+\n$/);
    // The same run twice gives the same output (the machine is deterministic), from the same cached text.
    const cached = u.kernel.user.mem.pageCache.nr_pages;
    expect(exec(elf, ['malloc'], 1).stdout).toBe(r.stdout);
    expect(u.kernel.user.mem.pageCache.nr_pages).toBe(cached);
    expect(freeOrCached()).toBe(free0);
    expect(u.kernel.user.mem.live.size).toBe(live0);
    expect(u.kernel.user.futex.count()).toBe(0);
  });

  it('refuses what is not a static AArch64 executable with ENOEXEC and a reason', async () => {
    expect(() => exec(new TextEncoder().encode('#!/bin/sh\necho hi\n'), ['script'])).toThrow(ExecError);
    expect(() => exec(new TextEncoder().encode('#!/bin/sh\n'), ['script'])).toThrow(/not an ELF file/);
    const elf = await asmProgram('mov x0, #0\nmov x8, #93\nsvc #0');
    const elf32 = elf.slice();
    elf32[4] = 1; // ELFCLASS32
    expect(() => exec(elf32, ['e32'])).toThrow(/32-bit/);
  });

  it('an assembly program: demand-paged data and bss, its exit status, and its pages returned', async () => {
    // Write 1..4 to four pages of bss, sum them back, exit with the sum.
    const elf = await asmProgram(`
      mov64 x1, 0x410000
      mov x2, #1
    fill:
      str x2, [x1]
      add x1, x1, #4096
      add x2, x2, #1
      cmp x2, #5
      b.ne fill
      mov64 x1, 0x410000
      mov x0, #0
      mov x3, #4
    sum:
      ldr x2, [x1]
      add x0, x0, x2
      add x1, x1, #4096
      subs x3, x3, #1
      b.ne sum
      mov x8, #${NR.exit_group}
      svc #0`, 16 * 4096);
    expect(exec(elf, ['sum'], 3)).toMatchObject({ exitCode: 10, signal: undefined });
  });

  it("a store to read-only text kills the program with SIGSEGV and Linux's log line", async () => {
    const elf = await asmProgram('mov64 x1, 0x400000\nstr x0, [x1]');
    const r = exec(elf, ['rostore'], 0);
    expect(r.signal).toBe(11);
    expect(u.dmesg()).toMatch(/rostore\[\d+\]: unhandled exception: DABT \(lower EL\), ESR 0x9200004f, level 3 permission fault in rostore\[400000\+1000\]\n/);
    expect(u.machine.halted).toBe(false);
  });
});

const AFFINITY_C = `
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
static int pin(int cpu) { cpu_set_t s; CPU_ZERO(&s); CPU_SET(cpu, &s); return sched_setaffinity(0, sizeof s, &s); }
static void *worker(void *arg) {
  int cpu = (int)(long)arg;
  pin(cpu);
  volatile unsigned long x = 0;
  for (long i = 0; i < 200000; i++) x += i;
  return (void *)(long)sched_getcpu();
}
int main(void) {
  printf("start %d\\n", sched_getcpu());
  for (int c = 3; c >= 0; c--) { int r = pin(c); printf("pin %d -> %d on %d\\n", c, r, sched_getcpu()); }
  cpu_set_t none; CPU_ZERO(&none); CPU_SET(9, &none);
  printf("offline %d %d\\n", sched_setaffinity(0, sizeof none, &none), errno);
  pthread_t t[4];
  for (long i = 0; i < 4; i++) pthread_create(&t[i], 0, worker, (void *)i);
  for (int i = 0; i < 4; i++) { void *r; pthread_join(t[i], &r); printf("thread %d ran on %ld\\n", i, (long)r); }
  return 0;
}`;

const SYSCALLS_C = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#define T(name, expr) do { errno = 0; long r = (long)(expr); printf("%s %ld %d\n", name, r, r < 0 ? errno : 0); } while (0)
int main(void) {
  struct utsname u; uname(&u);
  printf("uname %s %s %s %s\n", u.sysname, u.nodename, u.release, u.machine);
  struct rlimit rl; getrlimit(RLIMIT_STACK, &rl); printf("stack %lu\n", (unsigned long)rl.rlim_cur);
  rl.rlim_cur = 1 << 20; T("setrlimit", setrlimit(RLIMIT_STACK, &rl));
  getrlimit(RLIMIT_STACK, &rl); printf("stack-now %lu\n", (unsigned long)rl.rlim_cur);
  rl.rlim_cur = 10; rl.rlim_max = 5; T("setrlimit-bad", setrlimit(RLIMIT_NOFILE, &rl));
  T("prlimit-bad-resource", syscall(SYS_prlimit64, 0, 99, 0, &rl));
  unsigned char r1[8]; T("getrandom", getrandom(r1, 8, 0));
  T("getrandom-bad-flags", syscall(SYS_getrandom, r1, 8, 0x100));
  char name[16]; prctl(PR_SET_NAME, "renamed"); prctl(PR_GET_NAME, name); printf("comm %s\n", name);
  T("prctl-bad", prctl(12345, 0));
  int word = 5; struct timespec ts = { 0, 2000000 };
  struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
  T("futex-timeout", syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 5, &ts, 0, 0));
  clock_gettime(CLOCK_MONOTONIC, &b);
  long waited = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
  printf("waited-at-least-2ms %d\n", waited >= 2000000);
  T("futex-eagain", syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 6, &ts, 0, 0));
  T("futex-wake-none", syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0));
  T("futex-unaligned", syscall(SYS_futex, (char *)&word + 1, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0));
  T("futex-fault", syscall(SYS_futex, (int *)16, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0));
  T("wait4-no-children", wait4(-1, 0, 0, 0));
  T("kill-self-0", kill(getpid(), 0));
  T("kill-nobody", kill(99999, 0));
  T("tgkill-bad", syscall(SYS_tgkill, 0, 1, 0));
  T("clock-bad", syscall(SYS_clock_gettime, 77, &a));
  T("gettimeofday", gettimeofday((struct timeval *)&a, 0));
  T("nanosleep-bad", syscall(SYS_nanosleep, &(struct timespec){ 0, 2000000000 }, 0));
  T("rseq", syscall(293, 0, 0, 0, 0));
  T("sigaction-kill", syscall(SYS_rt_sigaction, SIGKILL, &(char[32]){0}, 0, 8));
  T("uname-fault", syscall(SYS_uname, 8));
  printf("ppid %d uid %d\n", getppid(), getuid());
  return 0;
}`;

describe('process system calls and their errors (kernel/sys_process.ts)', () => {
  cIt('uname, limits, getrandom, prctl, futex timeouts and errors, wait4, kill, clocks', () => {
    const r = exec(buildC(SYSCALLS_C)!, ['sys'], 3);
    expect(r.exitCode).toBe(0);
    const got = Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.split(' ')[0], l.split(' ').slice(1).join(' ')]));
    expect(got).toEqual({
      uname: 'Linux (none) 5.10.17-uconsole-mm aarch64',
      stack: String(8 << 20),
      setrlimit: '0 0',
      'stack-now': String(1 << 20),
      'setrlimit-bad': '-1 22',
      'prlimit-bad-resource': '-1 22',
      getrandom: '8 0',
      'getrandom-bad-flags': '-1 22',
      comm: 'renamed',
      'prctl-bad': '-1 22',
      'futex-timeout': '-1 110',
      'waited-at-least-2ms': '1',
      'futex-eagain': '-1 11',
      'futex-wake-none': '0 0',
      'futex-unaligned': '-1 22',
      'futex-fault': '-1 14',
      'wait4-no-children': '-1 10',
      'kill-self-0': '0 0',
      'kill-nobody': '-1 3',
      'tgkill-bad': '-1 22',
      'clock-bad': '-1 22',
      gettimeofday: '0 0',
      'nanosleep-bad': '-1 22',
      rseq: '-1 38',
      'sigaction-kill': '-1 22',
      'uname-fault': '-1 14',
      ppid: '0 uid 0',
    });
  });
});

const FORK_C = String.raw`
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
extern char **environ;
int shared_value = 1;
int main(void) {
  char *heap = malloc(100000); memset(heap, 'p', 100000);
  pid_t pid = fork();
  if (pid == 0) {
    shared_value = 42; heap[5000] = 'c';
    printf("child sees %d %c pid-is-new %d\n", shared_value, heap[5000], getpid() != getppid());
    fflush(stdout);
    _exit(7);
  }
  int st = 0;
  pid_t w = waitpid(pid, &st, 0);
  printf("parent sees %d %c waited-right %d exited %d status %d\n", shared_value, heap[5000], w == pid, WIFEXITED(st), WEXITSTATUS(st));
  printf("no more children %d\n", waitpid(-1, &st, WNOHANG));
  pid_t sp;
  char *args[] = { "hello-asm", 0 };
  int r = posix_spawn(&sp, "/bin/hello-asm", 0, 0, args, environ);
  waitpid(sp, &st, 0);
  printf("spawn %d exited %d status %d\n", r, WIFEXITED(st), WEXITSTATUS(st));
  pid = fork();
  if (pid == 0) { execl("/bin/hello-asm", "hello-asm", (char *)0); _exit(99); }
  waitpid(pid, &st, 0);
  printf("exec child status %d\n", WEXITSTATUS(st));
  pid = fork();
  if (pid == 0) { *(volatile int *)8 = 1; _exit(0); }
  waitpid(pid, &st, 0);
  printf("crashed child signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
  return 0;
}`;

describe('processes: fork with copy-on-write, vfork (posix_spawn), execve, waitpid', () => {
  cIt('parent and child see their own writes; exit statuses and signals reach waitpid; nothing leaks', () => {
    const free0 = freeOrCached();
    const live0 = u.kernel.user.mem.live.size;
    const r = exec(buildC(FORK_C)!, ['fork'], 1);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => !/hello|Hello/i.test(l))).toEqual([
      'child sees 42 c pid-is-new 1',
      'parent sees 1 p waited-right 1 exited 1 status 7',
      'no more children -1',
      'spawn 0 exited 1 status 0',
      'exec child status 0',
      'crashed child signaled 1 sig 11',
    ]);
    expect(u.kernel.user.mem.live.size).toBe(live0);
    expect(freeOrCached()).toBe(free0);
  });
});

const PIPE_C = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
  int p[2];
  pipe(p);
  struct stat st; fstat(p[0], &st);
  printf("fifo %d\n", S_ISFIFO(st.st_mode));
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    static char buf[100000];
    for (int i = 0; i < (int)sizeof buf; i++) buf[i] = (char)i;
    long left = sizeof buf; char *at = buf;
    while (left > 0) { long n = write(p[1], at, left > 7000 ? 7000 : left); if (n < 0) _exit(3); at += n; left -= n; }
    _exit(0);
  }
  close(p[1]);
  long total = 0, sum = 0; char b[3000]; long n;
  while ((n = read(p[0], b, sizeof b)) > 0) { total += n; for (long i = 0; i < n; i++) sum += (unsigned char)b[i]; }
  int status; waitpid(pid, &status, 0);
  printf("read %ld sum %ld eof %ld child %d\n", total, sum, n, WEXITSTATUS(status));
  close(p[0]);
  pipe2(p, O_NONBLOCK);
  errno = 0; printf("nonblock-empty %ld %d\n", (long)read(p[0], b, 1), errno);
  close(p[0]);
  pid = fork();
  if (pid == 0) { write(p[1], "x", 1); _exit(0); }
  waitpid(pid, &status, 0);
  printf("sigpipe signaled %d sig %d\n", WIFSIGNALED(status), WTERMSIG(status));
  signal(SIGPIPE, SIG_IGN);
  errno = 0; printf("epipe %ld %d\n", (long)write(p[1], "x", 1), errno);
  printf("bad-flags %d %d\n", pipe2(p, 0x1), errno);
  return 0;
}`;

describe('pipes (fs/pipe.ts)', () => {
  cIt('a pipe between a parent and a forked child: blocking both ways, EOF, EAGAIN, SIGPIPE and EPIPE', () => {
    const r = exec(buildC(PIPE_C)!, ['pipe'], 0);
    expect(r.exitCode).toBe(0);
    let sum = 0;
    for (let i = 0; i < 100000; i++) sum += i & 0xff;
    expect(r.stdout.trim().split('\n')).toEqual([
      'fifo 1',
      `read 100000 sum ${sum} eof 0 child 0`,
      'nonblock-empty -1 11',
      'sigpipe signaled 1 sig 13',
      'epipe -1 32',
      'bad-flags -1 22',
    ]);
  });
});

const PGRP_C = String.raw`
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
  pid_t me = getpid();
  printf("leader %d %d\n", getpgid(0) == me, getsid(0) == me);
  errno = 0; printf("setsid-as-leader %d %d\n", setsid(), errno);
  pid_t c = fork();
  if (c == 0) { pause(); _exit(0); }
  printf("child-in-my-group %d\n", getpgid(c) == me);
  printf("setpgid-child %d new-group %d\n", setpgid(c, c), getpgid(c) == c);
  errno = 0; printf("getpgid-nobody %d %d\n", getpgid(99999), errno);
  int tty = open("/dev/console", O_RDWR);
  errno = 0; printf("not-my-terminal %d %d\n", tcgetpgrp(tty), errno);
  printf("take-it %d\n", ioctl(tty, TIOCSCTTY, 1));
  pid_t fg = tcgetpgrp(tty); printf("tcgetpgrp %d\n", fg == me);
  printf("tcsetpgrp %d now %d\n", tcsetpgrp(tty, c), tcgetpgrp(tty) == c);
  kill(c, 9); waitpid(c, 0, 0);
  return 0;
}`;

describe('process groups and sessions', () => {
  cIt('setsid, setpgid, getpgid, getsid and the console foreground group, with their errors', () => {
    const r = exec(buildC(PGRP_C)!, ['pgrp'], 1);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'leader 1 1',
      'setsid-as-leader -1 1',
      'child-in-my-group 1',
      'setpgid-child 0 new-group 1',
      'getpgid-nobody -1 3',
      'not-my-terminal -1 25', // ENOTTY: not its session's terminal
      'take-it 0',
      'tcgetpgrp 1',
      'tcsetpgrp 0 now 1',
    ]);
  });
});

const SIGNAL_C = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
static volatile int got, code, usr2;
static sigjmp_buf jb;
static void on_usr1(int sig, siginfo_t *si, void *uc) { got = sig; code = si->si_code; (void)uc; }
static void on_usr2(int sig) { usr2++; (void)sig; }
static void on_segv(int sig) { (void)sig; siglongjmp(jb, 1); }
int main(void) {
  struct sigaction sa; memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_usr1; sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, 0);
  volatile double d = 1.5; long keep = 12345;
  raise(SIGUSR1);
  printf("handler sig %d code %d keep %ld d %.1f\n", got, code, keep, d);
  signal(SIGUSR2, on_usr2);
  sigset_t m; sigemptyset(&m); sigaddset(&m, SIGUSR2);
  sigprocmask(SIG_BLOCK, &m, 0);
  raise(SIGUSR2);
  printf("blocked %d\n", usr2);
  sigprocmask(SIG_UNBLOCK, &m, 0);
  printf("unblocked %d\n", usr2);
  signal(SIGSEGV, on_segv);
  if (sigsetjmp(jb, 1) == 0) { *(volatile int *)16 = 1; printf("not reached\n"); }
  else printf("segv caught\n");
  struct sigaction s2; memset(&s2, 0, sizeof s2);
  s2.sa_handler = on_usr2; // no SA_RESTART (signal() sets it): the read ends with EINTR
  sigaction(SIGUSR2, &s2, 0);
  int p[2]; pipe(p);
  pid_t c = fork();
  if (c == 0) { usleep(1000); kill(getppid(), SIGUSR2); usleep(100000); _exit(0); }
  char b[4]; errno = 0;
  long n = read(p[0], b, 4);
  printf("read interrupted %ld %d usr2 %d\n", n, errno, usr2);
  kill(c, SIGKILL); int st; waitpid(c, &st, 0);
  printf("child killed %d\n", WTERMSIG(st));
  return 0;
}`;

describe('signals (kernel/signal.ts)', () => {
  cIt('handlers with siginfo, masks, a SIGSEGV handler with siglongjmp, EINTR from a blocked read, SIGKILL', () => {
    const r = exec(buildC(SIGNAL_C)!, ['signals'], 2);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'handler sig 10 code -6 keep 12345 d 1.5',
      'blocked 0',
      'unblocked 1',
      'segv caught',
      'read interrupted -1 4 usr2 2',
      'child killed 9',
    ]);
  });
});

describe('affinity (sched_setaffinity moves a task between CPUs)', () => {
  cIt('getcpu follows sched_setaffinity on every core; threads pinned to every core run there; an offline-only mask is EINVAL', () => {
    const r = exec(buildC(AFFINITY_C)!, ['affinity'], 2);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'start 2',
      'pin 3 -> 0 on 3',
      'pin 2 -> 0 on 2',
      'pin 1 -> 0 on 1',
      'pin 0 -> 0 on 0',
      'offline -1 22',
      'thread 0 ran on 0',
      'thread 1 ran on 1',
      'thread 2 ran on 2',
      'thread 3 ran on 3',
    ]);
  });
});

describe('the harness process: mmap, mprotect, munmap and faults from EL0 (mm/sys_mm.ts, mm/memory.ts)', () => {
  const MAP_PRIVATE_ANON = 0x22;
  it('anonymous memory is mapped on first touch only, mprotect makes writes fault, munmap gives the pages back', async () => {
    const k = u.kernel;
    const mm = k.harness.process().mm;
    const rss0 = mm.rss;
    const addr = u.syscall(1, NR.mmap, 0, 16 * 4096, 3, MAP_PRIVATE_ANON, -1, 0);
    expect(addr > 0n && addr % PAGE === 0n).toBe(true);
    expect(mm.rss).toBe(rss0);
    const buf = u.userBuffer(1);
    const { assemble } = await import('../../../emulator/arm64/assembler');
    const store = await assemble(`mov64 x1, ${addr}\nmov x2, #7\nstr x2, [x1]\nadd x1, x1, #${8 * 4096}\nstr x2, [x1]\nmov x0, #0\nbrk #0x100`, buf.va);
    buf.writeCode(store.bytes);
    expect(k.harness.runUser(1, buf.va).ret).toBe(0n);
    expect(mm.rss).toBe(rss0 + 2);
    expect(check_mm(mm)).toEqual([]);
    expect(u.syscall(1, NR.mprotect, addr, 16 * 4096, 1)).toBe(0n);
    expect(k.harness.runUser(1, buf.va).signal).toBe(11);
    expect(u.syscall(1, NR.munmap, addr, 16 * 4096)).toBe(0n);
    expect(mm.rss).toBe(rss0);
    expect(check_mm(mm)).toEqual([]);
  });

  it('mmap and munmap refuse bad arguments as Linux does', () => {
    expect(u.syscall(0, NR.mmap, 0, 0, 3, MAP_PRIVATE_ANON, -1, 0)).toBe(-22n); // length 0
    expect(u.syscall(0, NR.mmap, 0, 4096, 3, 0x20, -1, 0)).toBe(-22n); // neither shared nor private
    expect(u.syscall(0, NR.mmap, 0x1001, 4096, 3, 0x32, -1, 0)).toBe(-22n); // MAP_FIXED, unaligned
    expect(u.syscall(0, NR.mmap, 0, 4096, 3, 0x02, 3, 0)).toBe(-19n); // a file: ENODEV
    expect(u.syscall(0, NR.munmap, 0x1001, 4096)).toBe(-22n);
    expect(u.syscall(0, NR.mprotect, 0x7000_0000, 4096, 1)).toBe(-12n); // nothing mapped there
  });

  it('page-fault and page-table allocations fail on demand: the program is killed, nothing leaks', async () => {
    const k = u.kernel;
    const elf = await asmProgram(`mov64 x1, 0x410000\nstr x1, [x1]\nmov x0, #0\nmov x8, #${NR.exit_group}\nsvc #0`);
    const live = k.user.mem.live.size;
    let n = 0;
    k.user.mem.faults.page = () => ++n === 3; // the third user page: the bss page the program stores to
    try {
      const r = exec(elf, ['oom'], 2);
      expect(r.signal).toBe(9);
      expect(u.dmesg()).toMatch(/Out of memory: Killed process \d+ \(oom\)/);
    } finally {
      k.user.mem.faults.page = undefined;
    }
    expect(k.user.mem.live.size).toBe(live);
    k.user.mem.faults.pgtable = () => true;
    try {
      expect(() => exec(elf, ['oom'], 2)).toThrow(/out of memory/);
    } finally {
      k.user.mem.faults.pgtable = undefined;
    }
    expect(k.user.mem.live.size).toBe(live);
    // mmap's metadata (a new area): ENOMEM, the address space unchanged.
    const mm = k.harness.process().mm;
    const areas = mm.vmas.length;
    k.user.mem.faults.vma = () => true;
    try {
      expect(u.syscall(0, NR.mmap, 0, 4096, 3, 0x22, -1, 0)).toBe(-12n);
      expect(u.syscall(0, NR.munmap, 0x1000_0000, 4096)).toBe(-12n);
    } finally {
      k.user.mem.faults.vma = undefined;
    }
    expect(mm.vmas.length).toBe(areas);
    expect(check_mm(mm)).toEqual([]);
  });

  cIt('a dynamically linked program is refused with ENOEXEC (no interpreter on the initramfs)', () => {
    expect(() => exec(buildC('#include <stdio.h>\nint main(void) { puts("x"); return 0; }\n', ['-dynamic'])!, ['dyn'])).toThrow(/dynamic|interpreter/i);
  });
});

describe('the API: exec by path, and reading a process memory', () => {
  it('u.exec runs an initramfs program by its path; u.readUser reads a live process', () => {
    const r = u.exec('/bin/hello-asm');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(() => u.exec('/no/such/program')).toThrow(/not in the initramfs, not a host file/);
    const harness = u.kernel.harness.process();
    const stub = u.readUser(harness.pid, 0x40_0000n, 4);
    expect(new DataView(stub.buffer).getUint32(0, true)).toBe(0xd4000001); // svc #0
    expect(() => u.readUser(harness.pid, 0x7000_0000n, 4)).toThrow(/nothing mapped/);
  });
});

describe('translated code of reused pages', () => {
  it('a second program at the same address on the same core runs its own code, not the first one\'s', async () => {
    const a = await asmProgram(`mov x0, #3\nmov x8, #${NR.exit_group}\nsvc #0`);
    const b = await asmProgram(`mov x0, #5\nmov x8, #${NR.exit_group}\nsvc #0`);
    for (let i = 0; i < 3; i++) {
      expect(exec(a, ['a'], 3).exitCode).toBe(3);
      expect(exec(b, ['b'], 3).exitCode).toBe(5);
    }
  });
});
