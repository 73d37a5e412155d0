// SPDX-License-Identifier: GPL-2.0-only
/* uconsole bench SUITE: run a benchmark suite, print a table, optionally write JSON. */

import { benchEmu, EMU_DEFAULTS } from '../bench/emu';
import { writeReport } from '../bench/report';
import { parseOptions, UsageError } from './uconsole';

export const BENCH_HELP = `usage: uconsole bench <suite> [options]

suites:
  emu     the machine: guest MIPS (ALU and load/store loops, scheduled and
          free-running), scheduler slice cost, EL0 svc round trip, boot time

options:
  --json FILE       also write the results as JSON (the shape in DESIGN.md)
  --loops N         emu: loop iterations (default ${EMU_DEFAULTS.loops})
  --syscalls N      emu: svc round trips (default ${EMU_DEFAULTS.syscalls})
  --boots N         emu: boots to average (default ${EMU_DEFAULTS.boots})
  -h, --help        this help
`;

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} needs a positive integer, not "${v}"`);
  return n;
}

export async function benchCommand(args: string[]): Promise<number> {
  const [suite, ...rest] = args;
  if (!suite || suite.startsWith('-')) throw new UsageError('bench needs a suite name (suites: emu)');
  const { values } = parseOptions(rest, {
    json: { type: 'string' },
    loops: { type: 'string' },
    syscalls: { type: 'string' },
    boots: { type: 'string' },
  });
  const progress = (s: string): void => {
    process.stderr.write(`bench ${suite}: ${s}\n`);
  };
  switch (suite) {
    case 'emu': {
      const report = await benchEmu(
        {
          loops: positiveInt('loops', values.loops, EMU_DEFAULTS.loops),
          syscalls: positiveInt('syscalls', values.syscalls, EMU_DEFAULTS.syscalls),
          boots: positiveInt('boots', values.boots, EMU_DEFAULTS.boots),
        },
        progress,
      );
      writeReport(report, values.json);
      return 0;
    }
    default:
      throw new UsageError(`unknown bench suite "${suite}" (suites: emu)`);
  }
}
