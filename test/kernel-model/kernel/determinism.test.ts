import { describe, expect, it } from 'vitest';
import { withUconsole } from '../../helpers/boot';
import { kcall, kthread_run, msleep, schedule } from '../../../kernel-model/kernel/kthread';
import { Completion, complete, wait_for_completion } from '../../../kernel-model/kernel/sched/wait';
import { WorkStruct, queue_work_on, system_wq } from '../../../kernel-model/kernel/workqueue';
import { NR } from '../../../kernel-model/include/unistd';

/** A workload of kernel threads on every core: sleeps of different lengths, kcalls, hand-offs, work items. */
async function workload(): Promise<string> {
  return withUconsole({ board: 'uconsole-a06', ram: '2G' }, (u) => {
    const k = u.kernel;
    const n = u.machine.cores.length;
    const handoff = new Completion('handoff');
    const ts = u.machine.cores.map((c) => kthread_run(k, function* () {
      for (let i = 0; i < 4; i++) {
        yield* msleep(k, 1 + ((c.index * 7 + i * 3) % 5));
        const cpu = yield* kcall('raw_smp_processor_id');
        k.printk(`worker ${c.index} step ${i} on cpu${cpu} jiffies ${k.jiffies()} cntvct ${u.machine.counter()}`);
        if (i === 1) queue_work_on(k, (c.index + 1) % n, system_wq, new WorkStruct(() => k.printk(`work from ${c.index} ran on cpu${k.smp_processor_id()}`)));
        yield* schedule();
      }
      complete(k.sched, handoff);
    }, c.index, 'det/%u'));
    const collector = kthread_run(k, function* () {
      for (let i = 0; i < n; i++) yield* wait_for_completion(handoff);
      k.printk('all workers done');
    }, 0, 'collector');
    k.run(() => [...ts, collector].every((t) => t.state === 'dead'));
    expect(u.syscall(5, NR.gettid)).toBe(6n);
    return u.dmesg();
  });
}

describe('determinism', () => {
  it('kernel threads on all cores interleave the same way in every run: byte-identical logs', async () => {
    const a = await workload();
    const b = await workload();
    expect(a).toContain('all workers done');
    expect(a.match(/worker \d step \d on cpu\d/g)).toHaveLength(24);
    expect(a.match(/work from \d ran on cpu\d/g)).toHaveLength(6);
    expect(b).toBe(a);
  });
});
