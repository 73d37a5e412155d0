// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { withUconsole } from '../../../helpers/boot';
import { kthread_run, schedule } from '../../../../kernel-model/kernel/kthread';

describe('RCU grace periods on the booted uConsole', () => {
  it('a callback waits until every CPU has passed a quiescent state, and runs on the CPU that queued it', async () => {
    await withUconsole({ ram: '1G' }, (u) => {
      const k = u.kernel;
      const rcu = k.rcu;
      const events: string[] = [];
      // A reader on cpu2: a long non-preemptible section (charged work keeps the CPU), then a context switch.
      const reader = kthread_run(k, function* () {
        events.push('reader: section starts');
        k.charge(5_000_000);
        yield* schedule(); // the charged work is paid before this takes effect
        events.push('reader: section ends');
        return 0;
      }, 2, 'rcu_reader');
      k.run(() => events.length === 1);
      const gp = rcu.completed;
      let ranOn = -1;
      k.on(1, () => rcu.call_rcu(() => {
        ranOn = k.smp_processor_id();
        events.push('callback');
      }));
      expect(rcu.gpInProgress).toBe(true);
      k.run(() => ranOn >= 0);
      expect(events).toEqual(['reader: section starts', 'reader: section ends', 'callback']);
      expect(ranOn).toBe(1);
      expect(rcu.completed).toBeGreaterThan(gp);
      expect(reader.state === 'dead' || events.includes('reader: section ends')).toBe(true);
      expect(rcu.check()).toEqual([]);
    });
  });

  it('synchronize_rcu in a kernel thread returns after a full grace period', async () => {
    await withUconsole({ ram: '1G' }, (u) => {
      const k = u.kernel;
      const before = k.rcu.completed;
      let after = -1;
      const t = kthread_run(k, function* () {
        yield* k.rcu.synchronize_rcu();
        after = k.rcu.completed;
        return 0;
      }, 3, 'sync_rcu');
      k.run(() => t.state === 'dead');
      expect(after).toBeGreaterThanOrEqual(before + 1);
      expect(k.rcu.pending).toBe(0);
      expect(k.rcu.check()).toEqual([]);
    });
  });
});
