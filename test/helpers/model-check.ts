// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one model-checking helper every allocator's property tests go
 * through: random command sequences (fast-check) applied to the system
 * under test, which compares itself with its naive oracle inside `step`,
 * and the structure's invariant checker run after every command. A
 * failure names the command that broke the invariant and the shrunk
 * sequence that leads there, with the seed to replay it.
 *
 *   checkModel({
 *     setup: () => ({ real: new Allocator(), oracle: new NaiveAllocator() }),
 *     command: cmdArb,
 *     step: (s, c) => { expect(apply(s.real, c)).toEqual(apply(s.oracle, c)); },
 *     check: (s) => check_allocator(s.real),
 *     teardown: (s) => { freeAll(s); expect(s.real.free).toBe(s.real.size); },
 *   }, { numRuns: 100, maxLength: 200, seed: 1 });
 */

import fc from 'fast-check';

export interface ModelSpec<Sys, Cmd> {
  /** A fresh system under test (with its oracle) for each run. */
  setup(): Sys;
  /** One random command. */
  command: fc.Arbitrary<Cmd>;
  /** Apply a command to the system and its oracle; throw (or fail an expect) where they disagree. */
  step(sys: Sys, cmd: Cmd): void;
  /** The invariant checker: one line per violated invariant, [] when all hold. */
  check(sys: Sys): string[];
  /** After the whole sequence: release everything, assert nothing leaked. */
  teardown?(sys: Sys): void;
}

export interface ModelRuns {
  numRuns: number;
  /** Longest command sequence. */
  maxLength: number;
  /** Fixed, so that every run of the suite checks the same sequences. */
  seed: number;
}

export class InvariantError extends Error {
  override name = 'InvariantError';
}

/** Run one sequence (also useful to replay a hand-written one). */
export function runModel<Sys, Cmd>(spec: ModelSpec<Sys, Cmd>, cmds: readonly Cmd[]): Sys {
  const sys = spec.setup();
  const broken = (when: string): void => {
    const errors = spec.check(sys);
    if (errors.length) throw new InvariantError(`${when}:\n  ${errors.join('\n  ')}`);
  };
  broken('after setup');
  cmds.forEach((cmd, i) => {
    spec.step(sys, cmd);
    broken(`after command ${i} ${JSON.stringify(cmd, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`);
  });
  spec.teardown?.(sys);
  broken('after teardown');
  return sys;
}

/** Random sequences of up to `maxLength` commands, `numRuns` of them, each checked after every step. */
export function checkModel<Sys, Cmd>(spec: ModelSpec<Sys, Cmd>, runs: ModelRuns): void {
  fc.assert(
    fc.property(fc.array(spec.command, { minLength: 1, maxLength: runs.maxLength }), (cmds) => {
      runModel(spec, cmds);
    }),
    { numRuns: runs.numRuns, seed: runs.seed },
  );
}
