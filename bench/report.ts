// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark results in the project's one shape (README, "Benchmarks"):
 * { suite, board, cmdline, revision, params, results: [{ variant, test,
 * metric, unit, value }] }, printed as a table and optionally written as
 * JSON. Figures compared in a table come from the same run.
 */

import { childProcess } from '../lib/host-modules';
import { writeFileSync } from 'node:fs';

export interface BenchRow {
  variant: string;
  test: string;
  metric: string;
  unit: string;
  value: number;
}

export interface BenchReport {
  suite: string;
  board: string;
  cmdline: string;
  revision: string;
  params: Record<string, number | string | boolean>;
  results: BenchRow[];
}

export function gitRevision(): string {
  try {
    return childProcess().execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toPrecision(3);
}

export function formatTable(r: BenchReport): string {
  const head = ['variant', 'test', 'metric', 'value', 'unit'];
  const rows = r.results.map((x) => [x.variant, x.test, x.metric, fmt(x.value), x.unit]);
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 3 ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join('  ').trimEnd();
  const params = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ');
  return [
    `suite ${r.suite} on ${r.board} (revision ${r.revision})${params ? `: ${params}` : ''}`,
    line(head),
    line(width.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n') + '\n';
}

export function writeReport(r: BenchReport, jsonPath?: string): void {
  process.stdout.write(formatTable(r));
  if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(r, null, 2)}\n`);
}

/**
 * CPU time of this process (user and system, all its threads) while fn
 * runs, in milliseconds: the same as wall time on an idle host, and not
 * inflated by other work on a shared one.
 */
export function cpuTimeMs(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

/** Wall time of fn in milliseconds. */
export function timeMs(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
