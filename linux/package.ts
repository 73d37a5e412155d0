// SPDX-License-Identifier: GPL-2.0-only
/*
 * Debian's arm64 kernel, as the oracle the model is compared with: the
 * package linux-image-<abi>-arm64 from Debian's archive, fetched with
 * apt-get on demand (`uconsole fetch linux`) and cached under
 * <project>/.cache/linux/ (gitignored, never committed).
 *
 * The cache holds, per package version, the .deb itself and what the
 * machine boots: the kernel Image (vmlinuz; Debian's arm64 vmlinuz is the
 * raw Image, decodeKernelImage also takes a gzip), the kernel's .config and
 * the device trees the boards boot with, as the package ships them
 * (WANTED_DTBS: bcm2711-rpi-cm4-io.dtb for the CM4, bcm2837-rpi-cm3-io3.dtb
 * for the CM3, sun50i-h6-pine-h64.dtb for the A-04, rk3399-evb.dtb for
 * the A-06). A manifest written
 * last marks a complete fetch, so an interrupted one is redone.
 *
 * A device tree added to WANTED_DTBS after a cache was filled is taken
 * from the .deb kept there, without the network, the first time the cache
 * is read (each extraction goes through a directory of its own and one
 * rename, so processes sharing the cache never see half a file). The
 * manifest is left as it was: the trees a cache holds are those it lists
 * and those on disk.
 *
 * Fetching needs the arm64 architecture in dpkg (`dpkg --add-architecture
 * arm64 && apt-get update`, as root) and the network; anything missing
 * ends in one line naming the command to run.
 */

import { childProcess } from '../lib/host-modules';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../lib/project-root';

export class LinuxFetchError extends Error {
  override name = 'LinuxFetchError';
}

/** The metapackage that names the current kernel ABI package. */
export const LINUX_METAPACKAGE = 'linux-image-arm64:arm64';
export const FETCH_COMMAND = 'uconsole fetch linux';

/** What a complete fetch left in the cache. */
export interface LinuxKernelFiles {
  /** e.g. linux-image-6.1.0-57-arm64 */
  package: string;
  /** e.g. 6.1.192-3 */
  version: string;
  /** e.g. 6.1.0-57-arm64 (uname -r) */
  release: string;
  dir: string;
  vmlinuz: string;
  config: string;
  /** Device trees by file name (bcm2711-rpi-cm4-io.dtb, ...). */
  dtbs: Record<string, string>;
}

interface Manifest {
  package: string;
  version: string;
  release: string;
  dtbs: string[];
}

/** Device trees of the boards the model has, as Debian ships them (under /usr/lib/linux-image-<release>/); cached by file name. */
export const WANTED_DTBS = ['broadcom/bcm2711-rpi-cm4-io.dtb', 'broadcom/bcm2837-rpi-cm3-io3.dtb', 'allwinner/sun50i-h6-pine-h64.dtb', 'rockchip/rk3399-evb.dtb'];

const dtbName = (wanted: string): string => wanted.slice(wanted.lastIndexOf('/') + 1);
const dtbMember = (release: string, wanted: string): string => `./usr/lib/linux-image-${release}/${wanted}`;

export function linuxCacheDir(): string {
  return process.env.UCONSOLE_LINUX_CACHE ?? join(projectRoot(), '.cache', 'linux');
}

function run(cmd: string, args: string[], cwd?: string): { ok: boolean; out: string; err: string } {
  const r = childProcess().spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  return { ok: r.status === 0, out: r.stdout ?? '', err: (r.stderr ?? '') + (r.error ? String(r.error.message) : '') };
}

const lastLine = (s: string): string => s.trim().split('\n').filter(Boolean).pop() ?? 'no output';

/** The kernel package the metapackage depends on now, and its candidate version. */
export function resolveLinuxPackage(): { package: string; version: string } {
  const retry = `run "dpkg --add-architecture arm64 && apt-get update" as root, then "${FETCH_COMMAND}"`;
  const dep = run('apt-cache', ['depends', LINUX_METAPACKAGE]);
  if (!dep.ok && /ENOENT/.test(dep.err)) throw new LinuxFetchError(`apt-cache is not available: fetching Debian's kernel needs apt (Debian); ${retry}`);
  const m = /Depends:\s*(linux-image-[0-9][^\s:]*-arm64)/.exec(dep.out);
  if (!dep.ok || !m) throw new LinuxFetchError(`apt knows no ${LINUX_METAPACKAGE} (${lastLine(dep.err || dep.out)}): ${retry}`);
  const pkg = m[1]!;
  const pol = run('apt-cache', ['policy', `${pkg}:arm64`]);
  const v = /Candidate:\s*(\S+)/.exec(pol.out);
  if (!v || v[1] === '(none)') throw new LinuxFetchError(`apt has no candidate version of ${pkg}:arm64: ${retry}`);
  return { package: pkg, version: v[1]! };
}

function readManifest(dir: string): Manifest | undefined {
  const p = join(dir, 'manifest.json');
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

function filesOf(dir: string, m: Manifest): LinuxKernelFiles {
  const names = new Set([...m.dtbs, ...WANTED_DTBS.map(dtbName).filter((d) => existsSync(join(dir, d)))]);
  return {
    package: m.package, version: m.version, release: m.release, dir,
    vmlinuz: join(dir, `vmlinuz-${m.release}`), config: join(dir, `config-${m.release}`),
    dtbs: Object.fromEntries([...names].map((d) => [d, join(dir, d)])),
  };
}

/** Unpack `members` of the .deb into `stage` (which must exist); false when dpkg-deb or tar fails. */
function unpack(deb: string, stage: string, members: string[]): { ok: boolean; err: string } {
  const tar = childProcess().spawnSync('sh', ['-c', `dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" ${members.map((m) => `'${m}'`).join(' ')}`, 'sh', deb, stage], { encoding: 'utf8' });
  return { ok: tar.status === 0, err: tar.stderr ?? '' };
}

/**
 * The wanted device trees a complete cache lacks, taken from its .deb
 * (see the header). One that the package does not ship stays missing;
 * bootLinux then names it.
 */
function addMissingDtbs(dir: string, m: Manifest): void {
  const missing = WANTED_DTBS.filter((w) => !m.dtbs.includes(dtbName(w)) && !existsSync(join(dir, dtbName(w))));
  const deb = missing.length > 0 ? readdirSync(dir).find((f) => f.endsWith('.deb')) : undefined;
  if (!deb) return;
  const stage = mkdtempSync(join(dir, 'dtb-'));
  try {
    for (const w of missing) {
      if (!unpack(join(dir, deb), stage, [dtbMember(m.release, w)]).ok) continue;
      renameSync(join(stage, dtbMember(m.release, w)), join(dir, dtbName(w)));
    }
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** The newest complete fetch in the cache, if any (no apt call, no network). */
export function cachedLinuxKernel(): LinuxKernelFiles | undefined {
  const root = linuxCacheDir();
  if (!existsSync(root)) return undefined;
  const found = readdirSync(root)
    .map((name) => ({ dir: join(root, name), m: readManifest(join(root, name)) }))
    .filter((e): e is { dir: string; m: Manifest } => e.m !== undefined)
    .sort((a, b) => a.dir.localeCompare(b.dir, 'en', { numeric: true }));
  const last = found.pop();
  if (!last) return undefined;
  addMissingDtbs(last.dir, last.m);
  return filesOf(last.dir, last.m);
}

/** The cached kernel, or a one-line error naming the fetch command. */
export function requireLinuxKernel(): LinuxKernelFiles {
  const k = cachedLinuxKernel();
  if (!k) throw new LinuxFetchError(`Debian's arm64 kernel is not fetched yet: run "${FETCH_COMMAND}"`);
  return k;
}

/**
 * Download the current kernel package into the cache and unpack what the
 * machine boots. Does nothing when that version is already there.
 */
export function fetchLinuxKernel(say: (line: string) => void = () => {}): LinuxKernelFiles {
  const { package: pkg, version } = resolveLinuxPackage();
  const dir = join(linuxCacheDir(), `${pkg}_${version}`);
  const have = readManifest(dir);
  if (have) return filesOf(dir, have);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  say(`downloading ${pkg}:arm64 ${version}`);
  const dl = run('apt-get', ['download', `${pkg}:arm64=${version}`], dir);
  const deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
  if (!dl.ok || !deb) throw new LinuxFetchError(`apt-get download ${pkg}:arm64 failed (${lastLine(dl.err)}): check the network, then run "${FETCH_COMMAND}"`);
  const release = pkg.replace(/^linux-image-/, '');
  const members = [`./boot/vmlinuz-${release}`, `./boot/config-${release}`, ...WANTED_DTBS.map((w) => dtbMember(release, w))];
  const stage = join(dir, 'unpack');
  mkdirSync(stage);
  say(`unpacking ${deb}`);
  const tar = unpack(join(dir, deb), stage, members);
  if (!tar.ok) throw new LinuxFetchError(`unpacking ${deb} failed (${lastLine(tar.err)}): delete ${dir} and run "${FETCH_COMMAND}"`);
  renameSync(join(stage, 'boot', `vmlinuz-${release}`), join(dir, `vmlinuz-${release}`));
  renameSync(join(stage, 'boot', `config-${release}`), join(dir, `config-${release}`));
  const present = WANTED_DTBS.filter((w) => existsSync(join(stage, dtbMember(release, w))));
  for (const w of present) renameSync(join(stage, dtbMember(release, w)), join(dir, dtbName(w)));
  const dtbs = present.map(dtbName);
  rmSync(stage, { recursive: true, force: true });
  const m: Manifest = { package: pkg, version, release, dtbs };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(m, null, 2)}\n`);
  say(`cached in ${dir}`);
  return filesOf(dir, m);
}
