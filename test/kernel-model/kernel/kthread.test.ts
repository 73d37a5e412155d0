import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootUconsole, type Uconsole } from '../../../api/uconsole';
import type { Kernel } from '../../../kernel-model/kernel';
import { kthread_create_on_cpu, kthread_run, kthread_should_stop, kthread_stop, msleep, schedule, kcall } from '../../../kernel-model/kernel/kthread';
import { Completion, WaitQueueHead, complete, wait_event, wait_for_completion, wait_for_completion_until, wake_up } from '../../../kernel-model/kernel/sched/wait';
import { HZ, msecs_to_jiffies } from '../../../kernel-model/kernel/time/jiffies';
import type { KthreadGen } from '../../../kernel-model/kernel/sched/kthread_types';
import { CLOCK_MHZ } from '../../../emulator/machine';

let u: Uconsole;
let k: Kernel;
beforeAll(async () => {
  u = await bootUconsole({ board: 'uconsole-a06', ram: '2G' });
  k = u.kernel;
});
afterAll(() => u.shutdown());

const allDead = (ts: { state: string }[]) => () => ts.every((t) => t.state === 'dead');

describe('kernel threads', () => {
  it('run on the CPU they were created on, with that CPU as their per-CPU context', () => {
    const seen: [number, number, bigint][] = [];
    const ts = u.machine.cores.map((c) =>
      kthread_run(k, function* () {
        seen.push([c.index, k.smp_processor_id(), k.this_cpu.offset]);
      }, c.index, 'probe/%u'));
    k.run(allDead(ts));
    expect(seen.sort((a, b) => a[0] - b[0])).toEqual(u.machine.cores.map((c) => [c.index, c.index, k.per_cpu_offset(c.index)]));
    expect(ts.map((t) => t.comm)).toEqual(['probe/0', 'probe/1', 'probe/2', 'probe/3', 'probe/4', 'probe/5']);
  });

  it('sleep on the virtual clock: msleep(10) is msecs_to_jiffies(10) + 1 jiffies, and the clock moves on', () => {
    let j0 = 0;
    let j1 = 0;
    let t0 = 0;
    let t1 = 0;
    const t = kthread_run(k, function* () {
      j0 = k.jiffies();
      t0 = k.clockNs();
      yield* msleep(k, 10);
      j1 = k.jiffies();
      t1 = k.clockNs();
    }, 3, 'sleeper');
    k.run(allDead([t]));
    expect(HZ).toBe(250);
    expect(j1 - j0).toBe(msecs_to_jiffies(10) + 1);
    expect(t1 - t0).toBeGreaterThanOrEqual(10_000_000);
    expect(t1 - t0).toBeLessThan(20_000_000);
  });

  it('wait queues and completions hand work between threads on different CPUs', () => {
    const wq = new WaitQueueHead('test');
    const done = new Completion('test');
    let items = 0;
    const order: string[] = [];
    const consumer = kthread_run(k, function* () {
      for (let n = 0; n < 3; n++) {
        yield* wait_event(wq, () => items > 0);
        items--;
        order.push(`consumed ${n} on cpu${k.smp_processor_id()}`);
      }
      complete(k.sched, done);
    }, 1, 'consumer');
    const producer = kthread_run(k, function* () {
      for (let n = 0; n < 3; n++) {
        yield* msleep(k, 1);
        items++;
        order.push(`produced ${n}`);
        wake_up(k.sched, wq);
      }
      yield* wait_for_completion(done);
      order.push('producer saw completion');
    }, 4, 'producer');
    k.run(allDead([consumer, producer]));
    expect(order).toEqual(['produced 0', 'consumed 0 on cpu1', 'produced 1', 'consumed 1 on cpu1', 'produced 2', 'consumed 2 on cpu1', 'producer saw completion']);
  });

  it('a completion wait with a deadline gives up at the deadline', () => {
    const never = new Completion('never');
    let ok: boolean | undefined;
    let waited = 0;
    const t = kthread_run(k, function* () {
      const t0 = k.clockNs();
      ok = yield* wait_for_completion_until(never, t0 + 50_000_000);
      waited = k.clockNs() - t0;
    }, 2, 'patient');
    k.run(allDead([t]));
    expect(ok).toBe(false);
    expect(waited).toBeGreaterThanOrEqual(50_000_000);
  });

  it('kthread_stop wakes a sleeping thread, which sees kthread_should_stop and returns its exit code', () => {
    let loops = 0;
    const worker = kthread_run(k, function* () {
      while (!kthread_should_stop(k)) {
        loops++;
        yield* msleep(k, 100);
      }
      return 42;
    }, 5, 'stoppable');
    let code = -1;
    const stopper = kthread_run(k, function* () {
      yield* msleep(k, 250);
      code = yield* kthread_stop(k, worker);
    }, 0, 'stopper');
    k.run(allDead([worker, stopper]));
    expect(code).toBe(42);
    expect(loops).toBeGreaterThanOrEqual(2);
    expect(loops).toBeLessThanOrEqual(4);
  });

  it('threads on one CPU share it in turn (schedule)', () => {
    const order: string[] = [];
    const body = (name: string) => function* (): KthreadGen {
      for (let i = 0; i < 3; i++) {
        order.push(`${name}${i}`);
        yield* schedule();
      }
    };
    const a = kthread_run(k, body('a'), 2, 'a');
    const b = kthread_run(k, body('b'), 2, 'b');
    k.run(allDead([a, b]));
    expect(order).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
  });

  it('kcall from a kernel thread runs image code on its core and resumes with x0', () => {
    const got: bigint[] = [];
    const ts = u.machine.cores.map((c) => kthread_run(k, function* () {
      got[c.index] = yield* kcall('raw_smp_processor_id');
    }, c.index, 'kc/%u'));
    k.run(allDead(ts));
    expect(got).toEqual(u.machine.cores.map((c) => BigInt(c.index)));
  });
});

describe('bad input and stuck work', () => {
  it('refuses a thread on a CPU the board does not have', () => {
    expect(() => kthread_create_on_cpu(k, function* () {}, 6, 'x')).toThrow(/kthread_create_on_cpu: no CPU 6 on uconsole-a06 \(it has 6\)/);
    expect(() => kthread_create_on_cpu(k, function* () {}, -1, 'x')).toThrow(/no CPU -1/);
  });

  it('a thread that throws dies with an oops; the machine and the other threads go on', () => {
    const t = kthread_run(k, function* () {
      yield* msleep(k, 1);
      throw new Error('BUG at test');
    }, 1, 'buggy');
    k.run(allDead([t]));
    expect(t.oops).toBe('BUG at test');
    expect(u.dmesg()).toMatch(/Internal error: Oops: BUG at test \[#\d+\] SMP\n.*CPU: 1 PID: \d+ Comm: buggy/);
    expect(k.kcall(1, 'raw_smp_processor_id')).toBe(1n);
  });

  it('waiting for a completion nobody completes ends the run with a report, not a hang', () => {
    const orphan = new Completion('orphan');
    const t = kthread_run(k, function* () {
      yield* wait_for_completion(orphan);
    }, 3, 'waiter');
    expect(() => k.run(() => t.state === 'dead')).toThrow(/no runnable task, \d+ waiting: .*waiter\[\d+\] on cpu3: completion orphan/);
    complete(k.sched, orphan);
    k.run(allDead([t]));
  });

  it('a thread that never blocks is stopped by the round limit, reported with its CPU and PC', () => {
    const t = kthread_run(k, function* () {
      for (;;) yield* schedule();
    }, 4, 'spinner');
    expect(() => k.run(() => t.state === 'dead', 50)).toThrow(/still running after 50 scheduler rounds: cpu4 has runnable tasks at PC 0x[0-9a-f]{16}/);
    k.sched.requestStop(t);
    expect(t.state).not.toBe('dead'); // it ignores kthread_should_stop: it stays, as in Linux
  });
});

describe('charged work', () => {
  it('a thread that charges work keeps its core that long on the virtual clock; other cores run on', () => {
    const slice = u.machine.sliceInsns;
    let t0 = 0;
    let t1 = 0;
    let other = 0;
    const worker = kthread_run(k, function* () {
      t0 = k.clockNs();
      k.charge(25 * slice); // 25 rounds of work in one step
      yield* schedule();
      t1 = k.clockNs();
    }, 1, 'charged');
    const ticker = kthread_run(k, function* () {
      for (let i = 0; i < 10; i++) {
        other++;
        yield* schedule();
      }
    }, 2, 'ticker');
    k.run(() => worker.state === 'dead' && ticker.state === 'dead');
    const rounds = Math.round(((t1 - t0) * CLOCK_MHZ) / 1000 / slice);
    expect(rounds).toBeGreaterThanOrEqual(25);
    expect(rounds).toBeLessThanOrEqual(27);
    expect(other).toBe(10);
  });

  it('work charged outside a kernel thread is not counted', () => {
    const before = u.machine.clockNs;
    k.on(0, () => k.charge(1e9));
    expect(u.machine.clockNs).toBe(before);
  });
});
