import { describe, expect, it } from 'vitest';
import { withUconsole } from '../../helpers/boot';
import { NR } from '../../../kernel-model/include/unistd';
import { EFAULT, EINVAL } from '../../../kernel-model/include/errno';
import { kthread_run, msleep, schedule } from '../../../kernel-model/kernel/kthread';
import { assemble } from '../../../emulator/arm64/assembler';
import { archTimerLines } from '../../../kernel-model/kernel/time/clocksource';
import type { Uconsole } from '../../../api/uconsole';

function timespec(u: Uconsole, cpu: number, sec: bigint, nsec: bigint): bigint {
  const buf = u.userBuffer(cpu);
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, sec, true);
  v.setBigInt64(8, nsec, true);
  buf.write(b);
  return buf.va;
}

describe('virtual time', () => {
  it('the generic timer on every core counts the machine\'s clock at the board\'s frequency', async () => {
    await withUconsole({ board: 'uconsole-a06', ram: '2G' }, (u) => {
      const k = u.kernel;
      expect(k.kcall(4, 'arch_timer_get_cntfrq')).toBe(24_000_000n);
      let last = 0n;
      for (const c of u.machine.cores) {
        const before = u.machine.counter();
        const cnt = k.kcall(c.index, 'arch_counter_get_cntvct');
        expect(cnt).toBeGreaterThanOrEqual(before);
        expect(cnt).toBeLessThanOrEqual(u.machine.counter());
        expect(cnt).toBeGreaterThanOrEqual(last);
        last = cnt;
      }
      // 10 ms of sleep is 240 000 ticks at 24 MHz.
      const t = kthread_run(k, function* () {
        yield* msleep(k, 10);
      }, 2, 's');
      const before = u.machine.counter();
      k.run(() => t.state === 'dead');
      expect(u.machine.counter() - before).toBeGreaterThanOrEqual(240_000n);
    });
  });

  it('time_init prints the arch timer lines Linux prints for each board\'s crystal', () => {
    expect(archTimerLines(54_000_000)).toEqual([
      'arch_timer: cp15 timer(s) running at 54.00MHz (virt).',
      'clocksource: arch_sys_counter: mask: 0xffffffffffffff max_cycles: 0xc743ce346, max_idle_ns: 440795203123 ns',
      'sched_clock: 56 bits at 54MHz, resolution 18ns, wraps every 4398046511102ns',
    ]);
    expect(archTimerLines(19_200_000)[2]).toBe('sched_clock: 56 bits at 19MHz, resolution 52ns, wraps every 4398046511078ns');
    expect(archTimerLines(24_000_000)[1]).toBe('clocksource: arch_sys_counter: mask: 0xffffffffffffff max_cycles: 0x588fe9dc0, max_idle_ns: 440795202592 ns');
  });

  it('log timestamps are 0 until sched_clock starts, then follow the clock and never go back', async () => {
    await withUconsole({ board: 'uconsole-cm4', ram: '1G' }, (u) => {
      const lines = u.kernel.log.lines;
      const sched = lines.findIndex((l) => l.text.startsWith('sched_clock:'));
      expect(sched).toBeGreaterThan(0);
      expect(lines.slice(0, sched).every((l) => l.usec === 0)).toBe(true);
      expect(lines[lines.length - 1]!.usec).toBeGreaterThan(0);
      for (let i = 1; i < lines.length; i++) expect(lines[i]!.usec).toBeGreaterThanOrEqual(lines[i - 1]!.usec);
    });
  });
});

describe('blocking system calls', () => {
  it('nanosleep blocks the task for that long on the virtual clock; the core idles meanwhile', async () => {
    await withUconsole({ board: 'uconsole-cm4', ram: '1G' }, (u) => {
      const ts = timespec(u, 2, 0n, 30_000_000n);
      const t0 = u.machine.clockNs;
      expect(u.syscall(2, NR.nanosleep, ts, 0)).toBe(0n);
      const slept = u.machine.clockNs - t0;
      expect(slept).toBeGreaterThanOrEqual(30_000_000);
      expect(slept).toBeLessThan(31_000_000);
      expect(u.machine.rounds).toBeLessThan(1000); // skipped ahead while everything was idle
    });
  });

  it('nanosleep refuses bad timespecs and pointers', async () => {
    await withUconsole({ board: 'uconsole-cm4', ram: '1G' }, (u) => {
      expect(u.syscall(1, NR.nanosleep, timespec(u, 1, 0n, 1_000_000_000n), 0)).toBe(BigInt(-EINVAL));
      expect(u.syscall(1, NR.nanosleep, timespec(u, 1, -1n, 0n), 0)).toBe(BigInt(-EINVAL));
      expect(u.syscall(1, NR.nanosleep, 0, 0)).toBe(BigInt(-EFAULT));
      expect(u.syscall(1, NR.nanosleep, timespec(u, 1, 0n, 0n), 0)).toBe(0n);
    });
  });

  it('sched_yield gives the CPU to a waiting kernel thread and comes back with 0', async () => {
    await withUconsole({ board: 'uconsole-cm4', ram: '1G' }, async (u) => {
      const k = u.kernel;
      expect(u.syscall(3, NR.sched_yield)).toBe(0n); // nobody waiting: straight back
      // User code: three times, count in the buffer's last word and yield; then return.
      const buf = u.userBuffer(3);
      const code = await assemble(`
        mov x19, #0
        mov64 x20, ${buf.va + 0xff8n}
      again:
        add x19, x19, #1
        str x19, [x20]
        mov x8, #${NR.sched_yield}
        svc #0
        cmp x19, #3
        b.lt again
        mov x0, x19
        brk #0x100`, buf.va);
      buf.writeCode(code.bytes);
      const counter = buf.pa + 0xff8;
      u.machine.ram.setU64(counter, 0n);
      // A kernel thread on the same CPU samples the counter each time it gets the CPU.
      const seen: bigint[] = [];
      const t = kthread_run(k, function* () {
        for (let i = 0; i < 4; i++) {
          seen.push(u.machine.ram.u64(counter));
          yield* schedule();
        }
      }, 3, 'sampler');
      expect(u.kernel.harness.runUser(3, buf.va)).toEqual({ ret: 3n });
      k.run(() => t.state === 'dead');
      expect(seen).toEqual([0n, 1n, 2n, 3n]); // one user iteration between two samples: each yield handed the CPU over
    });
  });
});
