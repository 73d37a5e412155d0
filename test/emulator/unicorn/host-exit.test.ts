// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { projectRoot } from '../../../lib/project-root';
import { cachedBusybox } from '../../../images/busybox';

// The CLI's process ends with _exit once its command is done
// (emulator/unicorn/host-exit.ts); what Node's teardown would have put
// right must be right.

const uconsole = join(projectRoot(), 'bin', 'uconsole');
const O_NONBLOCK = 0o4000;
const busybox = cachedBusybox();

/** `uconsole ARGS` with its stdout a pipe, then the pipe's file status flags as the next writer sees them. */
function thenPipeFlags(args: string, env: NodeJS.ProcessEnv = {}): { status: number; out: string; err: string; flags: number } {
  const r = spawnSync('sh', ['-c', `"${uconsole}" ${args}; echo "status $?"; grep '^flags' /proc/self/fdinfo/1`], {
    encoding: 'utf8',
    env: { ...process.env, UCONSOLE_DEBUG: '1', ...env },
    maxBuffer: 1 << 26,
  });
  const lines = r.stdout.trimEnd().split('\n');
  const flags = parseInt(lines.pop()!.split(/\s+/)[1]!, 8);
  const status = Number(/^status (\d+)$/.exec(lines.pop()!)![1]);
  return { status, out: lines.join('\n'), err: r.stderr, flags };
}

describe.skipIf(!busybox)('the CLI ends without Node\'s teardown', () => {
  it('with the exit status and all the output, and the pipe blocking again for the next writer', () => {
    const r = thenPipeFlags(`run ${busybox} -- sh -c 'seq 30000; exit 7'`);
    expect(r.err).toContain("uconsole: exit 7 without Node's teardown\n");
    expect(r.status).toBe(7);
    const lines = r.out.split('\n');
    expect(lines).toHaveLength(30000);
    expect(lines.at(-1)).toBe('30000');
    expect(r.flags & O_NONBLOCK).toBe(0);
  });

  it('takes Node\'s way out where Node writes something at teardown', () => {
    const coverage = mkdtempSync(join(tmpdir(), 'uconsole-coverage-'));
    try {
      const r = thenPipeFlags(`run ${busybox} -- true`, { NODE_V8_COVERAGE: coverage });
      expect(r.status).toBe(0);
      expect(r.err).not.toContain('without Node');
      expect(r.flags & O_NONBLOCK).toBe(0);
      expect(readdirSync(coverage).length).toBeGreaterThan(0); // Node wrote its report
    } finally {
      rmSync(coverage, { recursive: true, force: true });
    }
  });
});
