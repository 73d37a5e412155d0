import { describe, expect, it } from 'vitest';
import { withUconsole } from '../../helpers/boot';
import { test_vmalloc_start, type TestVmallocModuleParams } from '../../../kernel-model/lib/test_vmalloc_module';
import { check_vmap } from '../../../kernel-model/mm/vmalloc';

const PERF: TestVmallocModuleParams = { test_loop_count: 200, test_repeat_count: 1, run_test_mask: 0x7f, sequential_test_order: true, nr_threads: 1 };

async function runModule(p: TestVmallocModuleParams, allocator = 'augment'): Promise<{ lines: string[]; log: string; cycles: bigint[] }> {
  return withUconsole({ ram: '1G', cmdline: `console=ttyAMA0 vmap_allocator=${allocator}` }, (u) => {
    const k = u.kernel;
    const run = test_vmalloc_start(k, p);
    k.run(run.done, 10_000_000);
    const lines = run.finish();
    k.mm.vmalloc.purge();
    expect(check_vmap(k.mm.vmalloc.vmap)).toEqual([]);
    return { lines, log: u.dmesg(), cycles: run.reports.map((r) => r.cycles) };
  });
}

describe('test_vmalloc on the booted uConsole', () => {
  it('kvfree_rcu_1_arg_vmalloc_test and kvfree_rcu_2_arg_vmalloc_test (bits 8, 9): every page freed after its grace period, in batches', async () => {
    await withUconsole({ ram: '1G' }, (u) => {
      const k = u.kernel;
      const kr = k.mm.kfree_rcu;
      const gp = k.rcu.completed;
      const run = test_vmalloc_start(k, { ...PERF, test_loop_count: 1500, run_test_mask: (1 << 8) | (1 << 9) });
      k.run(run.done, 10_000_000);
      const lines = run.finish();
      expect(lines[0]).toMatch(/^Summary: kvfree_rcu_1_arg_vmalloc_test passed: 1 failed: 0 repeat: 1 loops: 1500 avg: \d+ usec$/);
      expect(lines[1]).toMatch(/^Summary: kvfree_rcu_2_arg_vmalloc_test passed: 1 failed: 0 repeat: 1 loops: 1500 avg: \d+ usec$/);
      k.run(() => kr.outstanding === 0 && !k.rcu.busy, 10_000_000);
      expect(kr.freed).toBe(3000);
      expect(k.rcu.completed - gp).toBeLessThan(3000 / 10); // batched: far fewer grace periods than objects
      k.mm.vmalloc.purge();
      expect(u.readFile('/proc/vmallocinfo')).not.toMatch(/test_func/);
      expect(check_vmap(k.mm.vmalloc.vmap)).toEqual([]);
      expect(k.rcu.check()).toEqual([]);
    });
  });

  it('kvfree_rcu without a bulk page: the 2-argument form links the rcu_head, the 1-argument form waits a grace period inline', async () => {
    await withUconsole({ ram: '1G' }, (u) => {
      const k = u.kernel;
      const kr = k.mm.kfree_rcu;
      kr.faults.bnode = () => true;
      const run = test_vmalloc_start(k, { ...PERF, test_loop_count: 20, run_test_mask: (1 << 8) | (1 << 9) });
      k.run(run.done, 10_000_000);
      expect(run.finish().slice(0, 2).every((l) => / passed: 1 failed: 0 /.test(l))).toBe(true);
      k.run(() => kr.outstanding === 0 && !k.rcu.busy, 10_000_000);
      kr.faults.bnode = undefined;
      expect(kr.freedInline).toBe(20);
      expect(kr.freed).toBe(40);
      k.mm.vmalloc.purge();
      expect(u.readFile('/proc/vmallocinfo')).not.toMatch(/test_func/);
    });
  });

  it('pcpu_alloc_test: 35,000 per-CPU areas of the kernel\'s percpu allocator, across new vmalloc-backed chunks, all freed', async () => {
    const r = await runModule({ ...PERF, run_test_mask: 1 << 7 });
    expect(r.lines[0]).toMatch(/^Summary: pcpu_alloc_test passed: 1 failed: 0 repeat: 1 loops: 200 avg: \d+ usec$/);
    expect(r.log).toMatch(/pcpu_alloc_test passed: 1/);
  });

  it('performance mode: one worker on CPU 0 prints Linux\'s summary lines and its cycles, the same on every run', async () => {
    const a = await runModule(PERF);
    expect(a.lines).toHaveLength(8);
    expect(a.lines[0]).toMatch(/^Summary: fix_size_alloc_test passed: 1 failed: 0 repeat: 1 loops: 200 avg: \d+ usec$/);
    expect(a.lines[6]).toMatch(/^Summary: align_shift_alloc_test passed: 0 failed: 1 repeat: 1 loops: 200 avg: \d+ usec$/); // supposed to fail
    expect(a.lines.slice(0, 6).every((l) => / passed: 1 failed: 0 /.test(l))).toBe(true);
    expect(a.lines[7]).toMatch(/^All test took CPU0=\d+ cycles$/);
    expect(a.log).toContain(a.lines[7]);
    expect(a.cycles[0]).toBeGreaterThan(0n);
    const b = await runModule(PERF);
    expect(b.lines).toEqual(a.lines);
  });

  it('stress mode: a worker per CPU, tests shuffled, every worker reports', async () => {
    const r = await runModule({ ...PERF, test_loop_count: 30, sequential_test_order: false, nr_threads: 4, run_test_mask: 0x3d });
    for (let cpu = 0; cpu < 4; cpu++) expect(r.lines).toContain(r.lines.find((l) => l.startsWith(`All test took CPU${cpu}=`)));
    expect(r.lines.filter((l) => l.startsWith('Summary:'))).toHaveLength(4 * 5);
    expect(r.lines.filter((l) => / failed: 0 /.test(l))).toHaveLength(4 * 5);
  });

  it('long_busy_list costs the list allocator (the one the seed replaced) several times what it costs augment', async () => {
    const p = { ...PERF, test_loop_count: 1000, run_test_mask: 0x7 };
    const avg = (lines: string[]): number => Number(/long_busy_list_alloc_test .* avg: (\d+) usec/.exec(lines.join('\n'))![1]);
    const augment = await runModule(p, 'augment');
    const list = await runModule(p, 'list');
    expect(avg(list.lines) / avg(augment.lines)).toBeGreaterThan(2);
  });
});
