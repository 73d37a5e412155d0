import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../lib/project-root';
import { MALLOC_TUNABLES } from '../../emulator/unicorn/host-malloc';

// bin/uconsole starts Node without NODE_EXTRA_CA_CERTS and with glibc's
// malloc tunables, and bin/uconsole.cjs gives uconsole's own children the
// environment it was given.

const bin = join(projectRoot(), 'bin');
/** A file Node cannot read: Node warns at start when NODE_EXTRA_CA_CERTS names one. */
const MISSING = '/nonexistent/uconsole-test-ca.pem';
const WARNING = /Ignoring extra certs from/;
/** glibc advises its heap (glibc.malloc.hugetlb=1) only where transparent huge pages are in madvise mode. */
const THP_MADVISE = (() => {
  try {
    return readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').includes('[madvise]');
  } catch {
    return false;
  }
})();

/**
 * `uconsole --help` through a symlink to bin/uconsole (as npm links a
 * package's bin), with `env`: the environment Node was started with
 * (/proc/self/environ) and the one uconsole's children get (process.env
 * as it exits), for the variables named.
 */
interface AtStart {
  NODE_EXTRA_CA_CERTS?: string;
  GLIBC_TUNABLES?: string;
  UCONSOLE_LAUNCHER?: string;
  UCONSOLE_HOST_GLIBC_TUNABLES?: string;
  heapOver64Mb: boolean;
  advised: boolean;
}

function environments(env: NodeJS.ProcessEnv): { status: number | null; stderr: string; atStart: AtStart; forChildren: Record<string, string | undefined> } {
  const dir = mkdtempSync(join(tmpdir(), 'uconsole-bin-'));
  try {
    const hook = join(dir, 'hook.cjs');
    // At Node's start (before bin/uconsole.cjs): the environment as Node
    // has it (glibc rewrites GLIBC_TUNABLES as it parses it) and the brk
    // heap (the tunables' doing: one advised mapping of 64 MB or more).
    writeFileSync(hook, `
const names = ['NODE_EXTRA_CA_CERTS', 'GLIBC_TUNABLES', 'UCONSOLE_LAUNCHER', 'UCONSOLE_HOST_GLIBC_TUNABLES'];
const pick = () => Object.fromEntries(names.filter((n) => process.env[n] !== undefined).map((n) => [n, process.env[n]]));
let heapMb = 0, advised = false, inHeap = false;
for (const l of require('fs').readFileSync('/proc/self/smaps', 'utf8').split('\\n')) {
  const m = /^([0-9a-f]+)-([0-9a-f]+) /.exec(l);
  if (m) { inHeap = l.endsWith('[heap]'); if (inHeap) heapMb += (parseInt(m[2], 16) - parseInt(m[1], 16)) / 2 ** 20; }
  else if (inHeap && l.startsWith('VmFlags:') && / hg/.test(l)) advised = true;
}
const atStart = { ...pick(), heapOver64Mb: heapMb >= 64, advised };
process.on('exit', () => process.stderr.write('ENV ' + JSON.stringify({ atStart, forChildren: pick() }) + '\\n'));
`);
    const link = join(dir, 'uconsole');
    symlinkSync(join(bin, 'uconsole'), link);
    const r = spawnSync(link, ['--help'], { encoding: 'utf8', env: { ...env, NODE_OPTIONS: `--require ${hook}` } });
    const line = r.stderr.split('\n').find((l) => l.startsWith('ENV '));
    return { status: r.status, stderr: r.stderr, ...JSON.parse(line?.slice(4) ?? '{"atStart":{},"forChildren":{}}') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function hostEnv(vars: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['NODE_EXTRA_CA_CERTS', 'GLIBC_TUNABLES', 'UCONSOLE_MALLOC_HUGEPAGES', 'UCONSOLE_LAUNCHER', 'UCONSOLE_HOST_GLIBC_TUNABLES']) delete env[name];
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
  return env;
}

describe('bin/uconsole', () => {
  it('starts Node without NODE_EXTRA_CA_CERTS (node bin/uconsole.mjs starts with it)', () => {
    const env = hostEnv({ NODE_EXTRA_CA_CERTS: MISSING });
    const viaLauncher = spawnSync(join(bin, 'uconsole'), ['--help'], { encoding: 'utf8', env });
    expect(viaLauncher.status).toBe(0);
    expect(viaLauncher.stdout).toMatch(/^usage: uconsole/);
    expect(viaLauncher.stderr).not.toMatch(WARNING);
    const direct = spawnSync(process.execPath, [join(bin, 'uconsole.mjs'), '--help'], { encoding: 'utf8', env });
    expect(direct.status).toBe(0);
    expect(direct.stderr).toMatch(WARNING);
  });

  it('starts Node with glibc malloc tunables, and gives the children the environment it was given', () => {
    const r = environments(hostEnv({ NODE_EXTRA_CA_CERTS: MISSING }));
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(WARNING);
    expect(r.atStart).toMatchObject({ UCONSOLE_LAUNCHER: 'NODE_EXTRA_CA_CERTS GLIBC_TUNABLES', heapOver64Mb: true, advised: THP_MADVISE });
    expect(r.atStart.NODE_EXTRA_CA_CERTS).toBeUndefined();
    expect(r.atStart.GLIBC_TUNABLES).toMatch(/^glibc\.malloc\.hugetlb=1/);
    expect(r.forChildren).toEqual({ NODE_EXTRA_CA_CERTS: MISSING });
  });

  it('puts tunables the host set after its own, and gives them back', () => {
    const mine = 'glibc.malloc.arena_max=2';
    const r = environments(hostEnv({ GLIBC_TUNABLES: mine }));
    expect(r.atStart).toMatchObject({ UCONSOLE_LAUNCHER: ' GLIBC_TUNABLES', UCONSOLE_HOST_GLIBC_TUNABLES: mine, heapOver64Mb: true, advised: THP_MADVISE });
    expect(r.forChildren).toEqual({ GLIBC_TUNABLES: mine });
  });

  it('leaves malloc alone with UCONSOLE_MALLOC_HUGEPAGES=off, and a stray saved value is not taken for the host\'s', () => {
    const r = environments(hostEnv({ UCONSOLE_MALLOC_HUGEPAGES: 'off', GLIBC_TUNABLES: 'glibc.malloc.arena_max=2', UCONSOLE_HOST_GLIBC_TUNABLES: 'stray' }));
    expect(r.atStart).toMatchObject({ UCONSOLE_LAUNCHER: '', heapOver64Mb: false, advised: false });
    expect(r.atStart.UCONSOLE_HOST_GLIBC_TUNABLES).toBeUndefined();
    expect(r.forChildren).toEqual({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' });
  });

  it("sets the tunables emulator/unicorn/host-malloc.ts sets at run time", () => {
    const launcher = readFileSync(join(bin, 'uconsole'), 'utf8');
    expect(/export GLIBC_TUNABLES="([^$"]*)\$\{/.exec(launcher)?.[1]).toBe(MALLOC_TUNABLES);
  });

  it('says so when there is no node on PATH', () => {
    const r = spawnSync(join(bin, 'uconsole'), ['--help'], { encoding: 'utf8', env: { PATH: '/nonexistent' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('uconsole: node is not on PATH (Node.js 20 or later is needed)\n');
  });
});
