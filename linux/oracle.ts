// SPDX-License-Identifier: GPL-2.0-only
/*
 * The oracle: the project's kernel and Debian's kernel booted on the same
 * emulated board and RAM size, through the same firmware stage, and every
 * boot-log value the hardware and the firmware decide compared side by
 * side (`uconsole oracle`, and tests).
 *
 * Each row is a fact extracted from both logs (FACTS): equal, different
 * for a reason this file documents (KNOWN, the one table of known
 * reasons, each with a check that the difference is the explained one),
 * or different (a modelling error, or a reason nobody wrote down yet). One
 * row is computed rather than read: the model's percpu rule
 * (pcpu_build_alloc_info) fed Debian's static per-CPU size must print
 * Debian's own "percpu: Embedded" line.
 *
 * The /proc files are compared in oracle-proc.ts, the same way.
 */

import { pcpu_build_alloc_info, percpu_boot_lines, PERCPU_DYNAMIC_RESERVE } from '../kernel-model/mm/percpu/first_chunk';
import { PAGE_SIZE } from '../kernel-model/arch/arm64/page-def';
import { CONFIG_CMA_SIZE_MBYTES } from '../kernel-model/kernel/dma/contiguous';

export type RowStatus = 'equal' | 'known' | 'different';

export interface OracleRow {
  key: string;
  model: string;
  linux: string;
  status: RowStatus;
  reason?: string;
}

const TIMESTAMP = /^\[[ \d.]+\] /;

function logLines(log: string): string[] {
  return log.split('\n').map((l) => l.replace(/\r$/, '').replace(TIMESTAMP, ''));
}

/** A fact: the first match's groups joined, or every match joined with "; " (all). */
interface Fact {
  key: string;
  re: RegExp;
  all?: boolean;
}

/** The boot-log facts the hardware and the firmware decide. */
export const FACTS: readonly Fact[] = [
  { key: 'boot CPU (MPIDR, MIDR)', re: /^Booting Linux on physical CPU (\S+) \[(0x[0-9a-f]+)\]/ },
  { key: 'machine model (DT)', re: /^Machine model: (.*)$/ },
  { key: 'CMA pool', re: /^Reserved memory: created CMA memory pool at (0x[0-9a-f]+), size (\d+ MiB)/ },
  { key: 'zone DMA', re: /^ {2}DMA +(\[mem [^\]]+\]|empty)$/ },
  { key: 'zone DMA32', re: /^ {2}DMA32 +(\[mem [^\]]+\]|empty)$/ },
  { key: 'zone Normal', re: /^ {2}Normal +(\[mem [^\]]+\]|empty)$/ },
  { key: 'memory node ranges', re: /^ {2}node +(\d+): \[mem ([^\]]+)\]$/, all: true },
  { key: 'initmem setup', re: /^Initmem setup node (.*)$/ },
  { key: 'zonelist total pages', re: /^Built \d+ zonelists, mobility grouping (on|off)\. {2}Total pages: (\d+)$/ },
  { key: 'percpu first chunk', re: /^percpu: Embedded (.*)$/ },
  { key: 'firmware command line', re: /^Kernel command line: (.*?) {2}/ },
  { key: 'memory total (K)', re: /^Memory: \d+K\/(\d+)K available/ },
  { key: 'memory available (K)', re: /^Memory: (\d+)K\/\d+K available/ },
  { key: 'CMA reserved (K)', re: /^Memory: .* (\d+)K cma-reserved\)/ },
  { key: 'swiotlb', re: /^software IO TLB: mapped \[mem ([^\]]+)\] \((\d+)MB\)/ },
  { key: 'generic timer', re: /^arch_timer: (cp15 timer\(s\) running at .*)$/ },
  { key: 'sched_clock', re: /^sched_clock: (.*)$/ },
  { key: 'I-cache per CPU', re: /^Detected (\S+ I-cache on CPU\d+)$/, all: true },
  { key: 'secondary CPUs', re: /^(CPU\d+: Booted secondary processor .*)$/, all: true },
  { key: 'SMP', re: /^smp: Brought up (.*)$/ },
  { key: 'boot exception level', re: /^CPU: All CPU\(s\) started at (EL\d)$/ },
];

/** The facts of one boot log (absent facts are ''). */
export function extractFacts(log: string): Map<string, string> {
  const lines = logLines(log);
  const facts = new Map<string, string>();
  for (const f of FACTS) {
    const hits: string[] = [];
    for (const line of lines) {
      const m = f.re.exec(line);
      if (!m) continue;
      hits.push(m.slice(1).join(' '));
      if (!f.all) break;
    }
    facts.set(f.key, hits.join('; '));
  }
  return facts;
}

const hexOf = (s: string): number => Number.parseInt(s, 16);

/** Both models name the same compute module ("Raspberry Pi Compute Module 3 ..."), whatever carrier board follows. */
function sameModule(model: string, linux: string): boolean {
  const module = /^Raspberry Pi Compute Module \d+ /.exec(model)?.[0];
  return module !== undefined && linux.startsWith(module);
}

/**
 * Known reasons for a difference, in one place. `applies` checks that the
 * difference is the one explained, so that an unrelated change in the same
 * row still shows as different.
 */
export interface KnownReason {
  /** The row (or rows) it explains. */
  key: string | RegExp;
  reason: string;
  /** Whether the difference is the one explained. */
  applies: (model: string, linux: string) => boolean;
}

/** CONFIG_CMA_SIZE_MBYTES in Debian's arm64 kernel (its config-6.1.0-*-arm64 in the package). */
export const DEBIAN_CMA_SIZE_MBYTES = 64;
/** 5.10's CMA alignment: MAX_ORDER-1 pages (4 MiB), to which the model rounds its default area. */
const CMA_ALIGN_5_10 = 4 << 20;

/**
 * The default CMA area, where the device tree declares no pool (the
 * A-04's H6 tree, the A-06's RK3399 one; the Pis' trees have one): the kernels' configurations
 * differ. Shared by the boot-log row (KiB) and the /proc row (pages).
 */
export const CMA_DEFAULT_SIZE: { reason: string; sizes: (modelBytes: number, linuxBytes: number) => boolean } = {
  reason: `kernel configuration: with no CMA pool in the device tree (the A-04, the A-06) the default area is CONFIG_CMA_SIZE_MBYTES, ${CONFIG_CMA_SIZE_MBYTES} MiB in the uConsole kernels' bcm2711_defconfig (the model, rounded up to 5.10's 4 MiB CMA alignment), ${DEBIAN_CMA_SIZE_MBYTES} MiB in Debian's`,
  sizes: (m, l) => m === Math.ceil((CONFIG_CMA_SIZE_MBYTES << 20) / CMA_ALIGN_5_10) * CMA_ALIGN_5_10 && l === DEBIAN_CMA_SIZE_MBYTES << 20,
};

export const KNOWN: readonly KnownReason[] = [
  {
    key: 'machine model (DT)',
    reason: "device tree: Debian ships the IO boards' trees (bcm2711-rpi-cm4-io.dtb, bcm2837-rpi-cm3-io3.dtb), the uConsole boots the module's (bcm2711-rpi-cm4.dtb, bcm2710-rpi-cm3.dtb)",
    applies: (m, l) => sameModule(m, l),
  },
  {
    key: 'CMA pool',
    reason: 'CMA alignment: 4 MiB (MAX_ORDER-1 pages) in 5.10, one pageblock (2 MiB) since 5.18 (mm/cma.c CMA_MIN_ALIGNMENT_BYTES): the same top-down placement rounds to another boundary',
    applies: (m, l) => {
      const [mb, ms] = m.split(' ');
      const [lb, ls] = l.split(' ');
      return ms === ls && hexOf(lb!) - hexOf(mb!) > 0 && hexOf(lb!) - hexOf(mb!) < 4 << 20 && hexOf(lb!) % (2 << 20) === 0;
    },
  },
  {
    key: 'percpu first chunk',
    reason: "the kernel image's own static per-CPU data differs (s = __per_cpu_end - __per_cpu_start); the rule is checked in the row 'percpu rule on Debian's sizes'",
    applies: (m, l) => m.split(' ')[2] !== l.split(' ')[2],
  },
  {
    key: 'CMA reserved (K)',
    reason: CMA_DEFAULT_SIZE.reason,
    applies: (m, l) => CMA_DEFAULT_SIZE.sizes(Number(m) * 1024, Number(l) * 1024),
  },
  {
    key: 'memory available (K)',
    reason: "kernel image size and configuration: Debian's is 30 MB with CONFIG_DEFERRED_STRUCT_PAGE_INIT=y (mem_init counts only the pages freed before deferred init), the model's image is a few KiB",
    applies: () => true,
  },
];

/** The model's percpu rule applied to the sizes Debian's kernel printed: must give Debian's line. */
function percpuRuleRow(linuxPercpu: string, nrCpus: number): OracleRow {
  const m = /s(\d+) r(\d+) d\d+ u\d+/.exec(linuxPercpu);
  const key = "percpu rule on Debian's sizes";
  if (!m) return { key, model: '', linux: linuxPercpu, status: 'different', reason: 'no percpu line from Linux' };
  const ai = pcpu_build_alloc_info(Number(m[1]), Number(m[2]), PERCPU_DYNAMIC_RESERVE, PAGE_SIZE, nrCpus);
  const model = percpu_boot_lines(ai, nrCpus)[0]!.replace(/^percpu: Embedded /, '');
  return { key, model, linux: linuxPercpu, status: model === linuxPercpu ? 'equal' : 'different' };
}

/** One row: equal, different for a reason of `known` that applies, or unexplained. */
export function rowOf(key: string, model: string, linux: string, known: readonly KnownReason[]): OracleRow {
  if (model === linux) return { key, model, linux, status: 'equal' };
  const why = known.find((k) => (typeof k.key === 'string' ? k.key === key : k.key.test(key)) && k.applies(model, linux));
  return why ? { key, model, linux, status: 'known', reason: why.reason } : { key, model, linux, status: 'different' };
}

/** Compare two boot logs fact by fact. */
export function compareBoots(modelLog: string, linuxLog: string, nrCpus: number): OracleRow[] {
  const a = extractFacts(modelLog);
  const b = extractFacts(linuxLog);
  const rows: OracleRow[] = [];
  for (const f of FACTS) {
    rows.push(rowOf(f.key, a.get(f.key)!, b.get(f.key)!, KNOWN));
  }
  rows.push(percpuRuleRow(b.get('percpu first chunk')!, nrCpus));
  return rows;
}

/** The rows as a table for a terminal. */
export function formatRows(rows: readonly OracleRow[]): string {
  const out: string[] = [];
  for (const r of rows) {
    const mark = r.status === 'equal' ? '=' : r.status === 'known' ? '~' : '!';
    out.push(`${mark} ${r.key}`);
    if (r.status === 'equal') out.push(`    both:  ${r.model || '(absent)'}`);
    else {
      out.push(`    model: ${r.model || '(absent)'}`, `    linux: ${r.linux || '(absent)'}`);
      if (r.reason) out.push(`    known: ${r.reason}`);
    }
  }
  const n = (s: RowStatus): number => rows.filter((r) => r.status === s).length;
  out.push(`${n('equal')} equal, ${n('known')} different for a known reason, ${n('different')} unexplained`);
  return `${out.join('\n')}\n`;
}
