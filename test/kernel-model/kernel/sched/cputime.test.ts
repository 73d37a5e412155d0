// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { useUconsole } from '../../../helpers/boot';
import { FIXED_1, LOAD_FREQ_NS, LoadAvg, calc_load } from '../../../../kernel-model/kernel/sched/loadavg';
import { buildC, cProgramIt } from '../../../helpers/user-programs';

const cIt = cProgramIt();

describe('the load average (kernel/sched/loadavg.ts)', () => {
  it("one task always active for a minute gives 1 - 1/e on the 1-minute average, as Linux's fixed point does", () => {
    const l = new LoadAvg();
    for (let k = 1; k <= 12; k++) l.update(k * LOAD_FREQ_NS, () => 1);
    expect(l.text()).toEqual(['0.63', '0.18', '0.06']); // 1-(1884/2048)^12, 1-(2014/2048)^12, 1-(2037/2048)^12
    expect(calc_load(0, 1884, FIXED_1)).toBe(164); // (2048 * 164 + 2047) / 2048, truncated: the rounding up toward a rising load stays below the next unit
  });

  it('boundaries passed while every core slept fold in zero load', () => {
    const busy = new LoadAvg();
    for (let k = 1; k <= 12; k++) busy.update(k * LOAD_FREQ_NS, () => 1);
    const decayed = new LoadAvg();
    for (let k = 1; k <= 12; k++) decayed.update(k * LOAD_FREQ_NS, () => 1);
    decayed.update(24 * LOAD_FREQ_NS, () => 0); // one look after twelve boundaries
    for (let k = 13; k <= 24; k++) busy.update(k * LOAD_FREQ_NS, () => 0);
    expect(decayed.avenrun).toEqual(busy.avenrun);
    expect(decayed.text()[0]).toBe('0.23');
  });
});

const booted = useUconsole();

const BURN_C = `
#include <stdio.h>
#include <time.h>
#include <sys/times.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
static void spin(long n) { for (volatile long i = 0; i < n; i++) ; }
static double secs(struct timeval tv) { return tv.tv_sec + tv.tv_usec / 1e6; }
int main(void) {
  struct timespec until = { 4, 990000000 };
  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL); // asleep: idle time, no load
  pid_t c = fork();
  if (c == 0) { spin(12000000); _exit(0); }
  spin(8000000); // both busy across the 5.004 s sample
  struct rusage ru; int st;
  wait4(c, &st, 0, &ru);
  struct tms t; times(&t);
  struct rusage self, kids; getrusage(RUSAGE_SELF, &self); getrusage(RUSAGE_CHILDREN, &kids);
  FILE *f = fopen("/proc/loadavg", "r"); char la[64]; fgets(la, sizeof la, f); fclose(f);
  f = fopen("/proc/self/stat", "r"); long v[17]; char comm[32], state;
  fscanf(f, "%ld %s %c %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld", &v[0], comm, &state, &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11], &v[12], &v[13], &v[14], &v[15], &v[16]);
  fclose(f);
  printf("%.3f %.3f %.3f %ld %ld %ld %ld %.14s\\n", secs(ru.ru_utime), secs(self.ru_utime), secs(kids.ru_utime), (long)t.tms_utime, (long)t.tms_cutime, v[13], v[15], la);
  return 0;
}`;

describe('CPU time accounting (kernel/sched/cputime.ts)', () => {
  cIt('user time of a process and its reaped child in wait4, getrusage, times and /proc; idle time while asleep; the load average', () => {
    const r = booted.u.kernel.harness.exec(buildC(BURN_C)!, '/bin/burn', ['burn'], { cpu: 2 });
    const [child, self, kids, tmsUtime, tmsCutime, statUtime, statCutime, ...load] = r.stdout.trim().split(' ');
    // Parent and child share CPU 2 while both spin: each gets some of the 30-50 ms.
    expect(Number(child)).toBeGreaterThan(0.015);
    expect(Number(child)).toBeLessThanOrEqual(0.06);
    expect(Number(self)).toBeGreaterThan(0.01);
    expect(kids).toBe(child);
    expect(Number(tmsCutime)).toBe(Math.floor(Number(child) * 100 + 1e-9));
    expect(Number(statCutime)).toBe(Number(tmsCutime));
    expect(Number(statUtime)).toBe(Number(tmsUtime));
    expect(load.join(' ')).toBe('0.16 0.03 0.01'); // two tasks active at the first sample (5.004 s): 2 * (1 - 1884/2048)...
    const cpu2 = booted.u.readFile('/proc/stat').split('\n').find((l) => l.startsWith('cpu2 '))!.split(' ').map(Number);
    expect(cpu2[1]).toBeGreaterThanOrEqual(Number(tmsUtime) + Number(tmsCutime) - 1); // user
    expect(cpu2[4]).toBeGreaterThan(400); // idle: the 4.99 s asleep
    const [up, idle] = booted.u.readFile('/proc/uptime').trim().split(' ').map(Number);
    expect(up).toBeGreaterThanOrEqual(5);
    expect(idle).toBeGreaterThan(3 * 4.9); // the other three CPUs idled all along, CPU 2 while the program slept
  });
});
