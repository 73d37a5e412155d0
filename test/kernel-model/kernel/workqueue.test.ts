import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootUconsole, type Uconsole } from '../../../api/uconsole';
import type { Kernel } from '../../../kernel-model/kernel';
import { kthread_run, msleep } from '../../../kernel-model/kernel/kthread';
import { DelayedWork, WorkStruct, cancel_delayed_work, flush_work, queue_work_on, schedule_delayed_work, schedule_work, system_wq } from '../../../kernel-model/kernel/workqueue';
import { msecs_to_jiffies } from '../../../kernel-model/kernel/time/jiffies';

let u: Uconsole;
let k: Kernel;
beforeAll(async () => {
  u = await bootUconsole({ board: 'uconsole-cm4', ram: '1G' });
  k = u.kernel;
});
afterAll(() => u.shutdown());

describe('workqueues', () => {
  it('queue_work_on runs the item on that CPU\'s kworker, in order, once per queueing', () => {
    const ran: string[] = [];
    const a = new WorkStruct(() => void ran.push(`a on cpu${k.smp_processor_id()} by ${k.current().comm}`));
    const b = new WorkStruct(() => void ran.push(`b on cpu${k.smp_processor_id()} by ${k.current().comm}`));
    expect(k.on(0, () => [queue_work_on(k, 2, system_wq, a), queue_work_on(k, 2, system_wq, a), queue_work_on(k, 3, system_wq, b)])).toEqual([true, false, true]);
    k.run(() => ran.length === 2);
    expect(ran).toEqual(['a on cpu2 by kworker/2:0', 'b on cpu3 by kworker/3:0']);
    expect(a.pending).toBe(false);
  });

  it('work may sleep; flush_work waits for it to finish', () => {
    const log: string[] = [];
    const w = new WorkStruct(function* () {
      log.push('start');
      yield* msleep(k, 5);
      log.push('end');
    });
    const t = kthread_run(k, function* () {
      schedule_work(k, w); // on this CPU (1)
      expect(yield* flush_work(w)).toBe(true);
      log.push('flushed');
      expect(yield* flush_work(w)).toBe(false); // nothing pending any more
    }, 1, 'flusher');
    k.run(() => t.state === 'dead');
    expect(log).toEqual(['start', 'end', 'flushed']);
  });

  it('delayed work runs after its delay on the virtual clock, unless cancelled', () => {
    let at = 0;
    let start = 0;
    const dw = new DelayedWork(() => void (at = k.clockNs()));
    const never = new DelayedWork(() => void (at = -1));
    k.on(0, () => {
      start = k.clockNs();
      schedule_delayed_work(k, dw, msecs_to_jiffies(20));
      schedule_delayed_work(k, never, msecs_to_jiffies(10));
      expect(cancel_delayed_work(k, never)).toBe(true);
    });
    k.run(() => at !== 0);
    expect(at - start).toBeGreaterThanOrEqual(16_000_000); // 5 jiffies of 4 ms, counted from the jiffy it was queued in
    expect(at - start).toBeLessThan(30_000_000);
    expect(never.pending).toBe(false);
  });
});
