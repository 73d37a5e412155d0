import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../lib/project-root';

// bin/uconsole starts Node without NODE_EXTRA_CA_CERTS and hands it back to
// the environment uconsole's own child processes inherit.

const bin = join(projectRoot(), 'bin');
/** A file Node cannot read: Node warns at start when NODE_EXTRA_CA_CERTS names one. */
const MISSING = '/nonexistent/uconsole-test-ca.pem';
const WARNING = /Ignoring extra certs from/;

describe('bin/uconsole', () => {
  it('starts Node without NODE_EXTRA_CA_CERTS (node bin/uconsole.mjs starts with it)', () => {
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: MISSING };
    const viaLauncher = spawnSync(join(bin, 'uconsole'), ['--help'], { encoding: 'utf8', env });
    expect(viaLauncher.status).toBe(0);
    expect(viaLauncher.stdout).toMatch(/^usage: uconsole/);
    expect(viaLauncher.stderr).not.toMatch(WARNING);
    const direct = spawnSync(process.execPath, [join(bin, 'uconsole.mjs'), '--help'], { encoding: 'utf8', env });
    expect(direct.status).toBe(0);
    expect(direct.stderr).toMatch(WARNING);
  });

  it('gives NODE_EXTRA_CA_CERTS back to the environment of what uconsole starts, through a symlink too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'uconsole-bin-'));
    try {
      // Runs in the uconsole process: its environment as it exits.
      const hook = join(dir, 'hook.cjs');
      writeFileSync(hook, "process.on('exit', () => process.stderr.write(`env: ${process.env.NODE_EXTRA_CA_CERTS}|${process.env.UCONSOLE_NODE_EXTRA_CA_CERTS}\\n`));\n");
      const link = join(dir, 'uconsole');
      symlinkSync(join(bin, 'uconsole'), link); // as npm links a package's bin
      const r = spawnSync(link, ['--help'], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: MISSING, NODE_OPTIONS: `--require ${hook}` } });
      expect(r.status).toBe(0);
      expect(r.stderr).toContain(`env: ${MISSING}|undefined\n`);
      expect(r.stderr).not.toMatch(WARNING);
      const unset: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--require ${hook}` };
      delete unset.NODE_EXTRA_CA_CERTS;
      expect(spawnSync(link, ['--help'], { encoding: 'utf8', env: unset }).stderr).toContain('env: undefined|undefined\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says so when there is no node on PATH', () => {
    const r = spawnSync(join(bin, 'uconsole'), ['--help'], { encoding: 'utf8', env: { PATH: '/nonexistent' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('uconsole: node is not on PATH (Node.js 20 or later is needed)\n');
  });
});
