import { describe, expect, it } from 'vitest';
import { benchSyscall, SYSCALL_DEFAULTS } from '../../bench/syscall';
import { cachedBusybox } from '../../images/busybox';

const tiny = {
  ...SYSCALL_DEFAULTS,
  syscalls: 100, faults: 8, pairs: 8, bpfElements: 16, seqLines: 50, computeRounds: 1000,
  runLoopIterations: 50, runRepeats: 1, loopIterations: 20, forks: 2, execs: 2, pipeMB: 1,
};

describe('bench syscall (shape only: speed claims come from running it, not from tests)', () => {
  it.skipIf(!cachedBusybox())('has the run-vs-qemu rows, their engine A/B variants and the determinism row', async () => {
    const r = await benchSyscall(tiny, () => {});
    const has = (variant: string, test: string, metric: string): boolean =>
      r.results.some((x) => x.variant === variant && x.test === test && x.metric === metric);
    for (const test of ['busybox-seq', 'busybox-shell-loop']) {
      expect(has('uconsole-exec', test, 'wall_ms')).toBe(true);
      for (const v of ['uconsole-run', 'uconsole-run-1k-pages', 'uconsole-run-call-per-block', 'uconsole-run-access-exit-checks', 'uconsole-run-malloc-4k', 'uconsole-run-jump-cache-l1-only']) {
        expect(has(v, test, 'wall_ms'), `${v} ${test}`).toBe(true);
        expect(has(v, test, 'cpu_ms'), `${v} ${test}`).toBe(true);
      }
    }
    expect(has('uconsole-exec', 'busybox-shell-loop-warm', 'wall_ms')).toBe(true);
    expect(has('uconsole-exec-free-running', 'busybox-shell-loop-warm', 'wall_ms')).toBe(true);
    expect(has('deterministic/free-running', 'busybox-shell-loop-warm', 'wall_ratio')).toBe(true);
    // A qemu row, where there is one, has its ratio.
    for (const q of r.results.filter((x) => x.variant === 'qemu-aarch64' && x.metric === 'wall_ms'))
      expect(has('uconsole-run/qemu-aarch64', q.test, 'wall_ratio'), q.test).toBe(true);
    expect(r.results.filter((x) => !Number.isFinite(x.value))).toEqual([]);
    // A fault's cost is the first touch's time less a second touch's: at this size, noise can outweigh it.
    expect(r.results.filter((x) => x.value < 0 && x.metric !== 'fault_us')).toEqual([]);
  }, 120_000);
});
