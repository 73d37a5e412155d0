// SPDX-License-Identifier: GPL-2.0-only
/*
 * The oracle's /proc half: the values of /proc/buddyinfo, /proc/zoneinfo,
 * /proc/iomem and /proc/cpuinfo that the hardware and the firmware decide,
 * read from the project's kernel and from Debian's (its busybox shell cats
 * them), compared row by row like the boot-log facts (oracle.ts), with the
 * known reasons for a difference in this file's own table.
 *
 * What a row holds, and why only that:
 * - buddyinfo: the zones that have pages and the number of orders (the
 *   shape; the free counts are the moment's, not the hardware's);
 * - zoneinfo, per populated zone: spanned and present pages (the memory
 *   the firmware handed over, the zone boundaries), the CMA pages, and
 *   managed pages (present less what the kernel itself reserved: its
 *   image, the memory map, early allocations; a known difference, bounded);
 * - iomem: the top-level "System RAM" ranges (not the reservations inside
 *   them, which are the kernel's own layout);
 * - cpuinfo: the processors, and for each distinct CPU its identification
 *   (implementer, architecture, variant, part, revision), its Features and
 *   its BogoMIPS (twice the generic timer's frequency in MHz).
 */

import { CMA_DEFAULT_SIZE, rowOf, type KnownReason, type OracleRow } from './oracle';
import { PAGE_SIZE } from '../kernel-model/arch/arm64/page-def';

/** The files both kernels are asked for. */
export const PROC_FILES = ['/proc/buddyinfo', '/proc/zoneinfo', '/proc/iomem', '/proc/cpuinfo'] as const;

/** Zone name -> the numbers of its "pages" block (free, min, ..., spanned, present, managed, cma). */
function zoneinfoCounts(text: string): Map<string, Map<string, number>> {
  const zones = new Map<string, Map<string, number>>();
  let current: Map<string, number> | undefined;
  for (const line of text.split('\n')) {
    const head = /^Node \d+, zone +(\S+)/.exec(line);
    if (head) {
      current = new Map();
      zones.set(head[1]!, current);
      continue;
    }
    const count = /^\s+(?:pages free|spanned|present|managed|cma)\s+(\d+)$/.exec(line);
    if (current && count) current.set(line.trim().replace(/^pages free/, 'free').split(/\s+/)[0]!, Number(count[1]));
  }
  return zones;
}

function buddyinfoShape(text: string): string {
  return text
    .split('\n')
    .map((l) => /^Node \d+, zone +(\S+)((?:\s+\d+)+)\s*$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}:${m[2]!.trim().split(/\s+/).length}`)
    .join(' ');
}

function systemRam(text: string): string {
  return text
    .split('\n')
    .filter((l) => /^[0-9a-f]+-[0-9a-f]+ : System RAM$/.test(l))
    .map((l) => l.split(' ')[0]!)
    .join(', ');
}

/** Each distinct value of a cpuinfo field, in order of first appearance. */
function cpuinfoField(text: string, field: string): string {
  const values = text
    .split('\n')
    .filter((l) => l.startsWith(field))
    .map((l) => l.slice(l.indexOf(':') + 1).trim());
  return [...new Set(values)].join('; ');
}

function cpuIdentity(text: string): string {
  const ids = text.split(/\n\s*\n/).map((block) =>
    ['CPU implementer', 'CPU architecture', 'CPU variant', 'CPU part', 'CPU revision'].map((f) => cpuinfoField(block, f)).join(' '),
  );
  return [...new Set(ids.filter((id) => id.trim()))].join('; ');
}

/** The /proc facts of one kernel, by row key (absent files give absent rows). */
export function procFacts(files: ReadonlyMap<string, string>): Map<string, string> {
  const facts = new Map<string, string>();
  const buddy = files.get('/proc/buddyinfo');
  if (buddy !== undefined) facts.set('buddyinfo zones:orders', buddyinfoShape(buddy));
  const zoneinfo = files.get('/proc/zoneinfo');
  if (zoneinfo !== undefined) {
    for (const [zone, c] of zoneinfoCounts(zoneinfo)) {
      if (!c.get('present')) continue;
      facts.set(`zoneinfo ${zone} spanned present`, `${c.get('spanned')} ${c.get('present')}`);
      facts.set(`zoneinfo ${zone} cma`, String(c.get('cma') ?? ''));
      facts.set(`zoneinfo ${zone} managed`, String(c.get('managed')));
    }
  }
  const iomem = files.get('/proc/iomem');
  if (iomem !== undefined) facts.set('iomem System RAM', systemRam(iomem));
  const cpuinfo = files.get('/proc/cpuinfo');
  if (cpuinfo !== undefined) {
    facts.set('cpuinfo processors', String(cpuinfo.split('\n').filter((l) => /^processor\s*:/.test(l)).length));
    facts.set('cpuinfo CPU identification', cpuIdentity(cpuinfo));
    facts.set('cpuinfo Features', cpuinfoField(cpuinfo, 'Features'));
    facts.set('cpuinfo BogoMIPS', cpuinfoField(cpuinfo, 'BogoMIPS'));
  }
  return facts;
}

/** The most a kernel image, its memory map and early allocations may take (Debian's: about 40 MB at 1 GB). */
const RESERVED_BOUND_PAGES = (96 << 20) / 4096;

/** Known reasons for a /proc difference (see oracle.ts's KNOWN for the boot log's). */
export const PROC_KNOWN: readonly KnownReason[] = [
  {
    key: /^zoneinfo \S+ managed$/,
    reason:
      "managed = present - what the kernel reserved for itself: Debian's image is about 30 MB (the model's a few KiB), and with CONFIG_DEFERRED_STRUCT_PAGE_INIT its memory map is set up in parts; fewer managed pages in Linux, by less than 96 MB",
    applies: (m, l) => Number(l) < Number(m) && Number(m) - Number(l) < RESERVED_BOUND_PAGES,
  },
  {
    key: /^zoneinfo \S+ cma$/,
    reason: CMA_DEFAULT_SIZE.reason,
    applies: (m, l) => CMA_DEFAULT_SIZE.sizes(Number(m) * PAGE_SIZE, Number(l) * PAGE_SIZE),
  },
];

/** Compare the /proc files of the model and of Linux, row by row. */
export function compareProc(model: ReadonlyMap<string, string>, linux: ReadonlyMap<string, string>): OracleRow[] {
  const a = procFacts(model);
  const b = procFacts(linux);
  const keys = [...new Set([...b.keys(), ...a.keys()])];
  return keys.map((key) => rowOf(key, a.get(key) ?? '', b.get(key) ?? '', PROC_KNOWN));
}

/** Split `cat`ed files marked by "==> PATH <==" lines (as `tail`/`head` print them) into a map. */
export function splitCatOutput(text: string): Map<string, string> {
  const files = new Map<string, string>();
  let path: string | undefined;
  let body: string[] = [];
  const flush = (): void => {
    if (path !== undefined) files.set(path, `${body.join('\n').replace(/\n+$/, '')}\n`);
  };
  for (const line of text.replace(/\r/g, '').split('\n')) {
    const head = /^==> (\S+) <==$/.exec(line);
    if (head) {
      flush();
      path = head[1];
      body = [];
    } else if (path !== undefined) body.push(line);
  }
  flush();
  return files;
}
