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

/**
 * `uconsole ARGS` with its stdout and stderr pipes, then the pipes' file
 * status flags as the next writer sees them (UCONSOLE_DEBUG on, no Node
 * options from the environment).
 */
function thenPipeFlags(args: string, env: NodeJS.ProcessEnv = {}): { status: number; out: string; err: string; flags: number[] } {
  const base: NodeJS.ProcessEnv = { ...process.env, UCONSOLE_DEBUG: '1' };
  delete base.NODE_OPTIONS;
  delete base.NODE_V8_COVERAGE;
  const r = spawnSync('sh', ['-c', `"${uconsole}" ${args}; echo "status $?"; grep -h '^flags' /proc/self/fdinfo/1 /proc/self/fdinfo/2`], {
    encoding: 'utf8',
    env: { ...base, ...env },
    maxBuffer: 1 << 26,
  });
  const lines = r.stdout.trimEnd().split('\n');
  const flags = lines.splice(-2).map((l) => parseInt(l.split(/\s+/)[1]!, 8));
  const status = Number(/^status (\d+)$/.exec(lines.pop()!)![1]);
  return { status, out: lines.join('\n'), err: r.stderr, flags };
}

describe.skipIf(!busybox)('the CLI ends without Node\'s teardown', () => {
  it('with the exit status and all the output, and the pipe blocking again for the next writer', () => {
    const r = thenPipeFlags(`run ${busybox} -- sh -c 'seq 30000; echo to-stderr >&2; exit 7'`);
    expect(r.err).toContain('to-stderr\n');
    expect(r.err).toContain("uconsole: exit 7 without Node's teardown\n");
    expect(r.status).toBe(7);
    const lines = r.out.split('\n');
    expect(lines).toHaveLength(30000);
    expect(lines.at(-1)).toBe('30000');
    expect(r.flags.map((f) => f & O_NONBLOCK)).toEqual([0, 0]); // stdout and stderr (the debug line wrote to it)
  });

  it('takes Node\'s way out where Node has an option, or writes coverage at teardown', () => {
    const withOption = thenPipeFlags(`run ${busybox} -- true`, { NODE_OPTIONS: '--trace-warnings' });
    expect(withOption.status).toBe(0);
    expect(withOption.err).not.toContain('without Node');
    // A harmless option; and the debug line is the first use of stderr here, which must not leave it non-blocking.
    const harmless = thenPipeFlags(`run ${busybox} -- true`, { NODE_OPTIONS: '--max-old-space-size=2048' });
    expect(harmless.err).toContain('without Node');
    expect(harmless.flags.map((f) => f & O_NONBLOCK)).toEqual([0, 0]);
    const coverage = mkdtempSync(join(tmpdir(), 'uconsole-coverage-'));
    try {
      const r = thenPipeFlags(`run ${busybox} -- true`, { NODE_V8_COVERAGE: coverage });
      expect(r.status).toBe(0);
      expect(r.err).not.toContain('without Node');
      expect(r.flags.map((f) => f & O_NONBLOCK)).toEqual([0, 0]);
      expect(readdirSync(coverage).length).toBeGreaterThan(0); // Node wrote its report
    } finally {
      rmSync(coverage, { recursive: true, force: true });
    }
  });
});
