// SPDX-License-Identifier: GPL-2.0-only
/*
 * Both allocators against the naive oracle on random sequences of
 * allocations (sizes, alignments, windows), immediate and lazy frees,
 * purges, lookups, frees of unknown addresses and (in one test) node
 * allocations that fail on demand, with the invariant checker after every
 * step (it also proves that no node leaks: live cache objects = nodes held).
 *
 * Where they must agree with the oracle exactly, and why not always:
 *   augment  exact lowest fit at alignment 1. At larger alignments v5.10
 *            searches for size + align - 1 bytes (augment.ts), so the
 *            answer lies between the exact lowest fit and the lowest fit
 *            among gaps of that length.
 *   list     exact lowest fit, except when the request's size equals
 *            cached_hole_size: the cache is then used and the hole of
 *            exactly that size below it is passed over (list.ts).
 */

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  check_vmap,
  CountingVmapAreaCache,
  ListVmapAllocator,
  NaiveVmap,
  SIZEOF_VMAP_AREA_V4_19,
  SIZEOF_VMAP_AREA_V5_10,
  ULONG_MAX,
  type Vmap,
  type VmapAllocatorKind,
} from '../../../../kernel-model/mm/vmalloc';
import { checkModel, type ModelSpec } from '../../../helpers/model-check';
import { make, P, VS } from './helpers';

/** The window requests fall in: 48 pages from VMALLOC_START, small enough to fill. */
const WINDOW = 48n;

type Cmd =
  | { op: 'alloc'; pages: number; alignShift: number; lo: number; span: number }
  | { op: 'free'; pick: number; lazy: boolean }
  | { op: 'purge' }
  | { op: 'bogus'; page: number }
  | { op: 'find'; page: number }
  | { op: 'faults'; every: number };

const command = (maxAlignShift: number): fc.Arbitrary<Cmd> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('alloc' as const), pages: fc.integer({ min: 1, max: 6 }), alignShift: fc.integer({ min: 0, max: maxAlignShift }), lo: fc.integer({ min: 0, max: 40 }), span: fc.integer({ min: 1, max: 48 }) }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat(), lazy: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('purge' as const)}) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('bogus' as const), page: fc.integer({ min: 0, max: 60 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('find' as const), page: fc.integer({ min: 0, max: 60 }) }) },
  );

/** The same, plus switching node-allocation failures on and off (fail every Nth; 0: none). */
const withFaults = (maxAlignShift: number): fc.Arbitrary<Cmd> =>
  fc.oneof(
    { weight: 8, arbitrary: command(maxAlignShift) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('faults' as const), every: fc.integer({ min: 0, max: 4 }) }) },
  );

interface Sys {
  vmap: Vmap;
  oracle: NaiveVmap;
  /** Oracle intervals waiting for the purge (busy in the oracle until then). */
  lazy: bigint[];
  log: string[];
  /** Steps where the allocator's answer differed from the exact lowest fit, with the reason. */
  divergences: string[];
  /** The last allocation's answer. */
  last: bigint | null;
  /** Fault injection: fail every `every`th node allocation; `injected` counts failures. */
  faults: { every: number; n: number; injected: number };
}

/** align in bytes: shift 0 is alignment 1, then PAGE_SIZE << (shift - 1). */
const alignOf = (shift: number): bigint => (shift === 0 ? 1n : P << BigInt(shift - 1));

function oraclePurge(s: Sys): void {
  for (const a of s.lazy.splice(0)) s.oracle.free(a);
}

function expectValidFit(o: NaiveVmap, addr: bigint, size: bigint, align: bigint, vstart: bigint, vend: bigint): void {
  expect(addr % align).toBe(0n);
  expect(addr >= vstart && addr + size <= vend).toBe(true);
  expect(o.busy.some((b) => b.start < addr + size && addr < b.end)).toBe(false);
}

function stepAlloc(s: Sys, c: Extract<Cmd, { op: 'alloc' }>): void {
  const size = BigInt(c.pages) * P;
  const align = alignOf(c.alignShift);
  const vstart = VS + BigInt(c.lo) * P;
  const vend = vstart + BigInt(c.span) * P > VS + WINDOW * P ? VS + WINDOW * P : vstart + BigInt(c.span) * P;
  const b = s.vmap.backend;
  const holeBefore = b instanceof ListVmapAllocator ? b.cached_hole_size : -1n;
  const purgesBefore = s.vmap.lazy.purges;
  const injectedBefore = s.faults.injected;
  const got = s.vmap.alloc(size, align, vstart, vend, { nowarn: true });
  s.last = got;
  // alloc_vmap_area purges only after a failed first try; mirror it.
  if (s.vmap.lazy.purges !== purgesBefore) oraclePurge(s);
  const exact = s.oracle.lowest_fit(size, align, vstart, vend);
  if (got === null && s.faults.injected !== injectedBefore) {
    // A node allocation failed: the request may fail although room exists, and must change nothing.
    s.divergences.push('injected fault');
    return;
  }
  if (got === exact) {
    if (got !== null) s.oracle.take(got, size);
    return;
  }
  if (s.vmap.kind === 'augment') {
    expect(align).toBeGreaterThan(1n); // at alignment 1 the search is exact
    const big = s.oracle.lowest_fit(size, align, vstart, vend, size + align - 1n);
    if (big !== null) {
      expect(got).not.toBeNull();
      expect(got!).toBeLessThanOrEqual(big);
    }
    s.divergences.push('augment: v5.10 search length');
  } else {
    expect(size).toBe(holeBefore);
    s.divergences.push('list: size == cached_hole_size');
  }
  if (got !== null) {
    expect(exact).not.toBeNull();
    expect(got).toBeGreaterThan(exact!);
    expectValidFit(s.oracle, got, size, align, vstart, vend);
    s.oracle.take(got, size);
  }
}

function stepFree(s: Sys, c: Extract<Cmd, { op: 'free' }>): void {
  const live = s.oracle.busy.filter((b) => !s.lazy.includes(b.start));
  if (live.length === 0) return;
  const victim = live[c.pick % live.length]!;
  if (c.lazy) {
    expect(s.vmap.free_lazy(victim.start).freed).toBe(true);
    s.lazy.push(victim.start);
  } else {
    expect(s.vmap.free(victim.start)).toBe(true);
    s.oracle.free(victim.start);
  }
}

function spec(kind: VmapAllocatorKind): ModelSpec<Sys, Cmd> {
  return {
    setup: () => {
      const faults = { every: 0, n: 0, injected: 0 };
      const fail = (): boolean => faults.every > 0 && ++faults.n % faults.every === 0 && ++faults.injected > 0;
      const cache = new CountingVmapAreaCache(kind === 'augment' ? SIZEOF_VMAP_AREA_V5_10 : SIZEOF_VMAP_AREA_V4_19, fail);
      const { vmap, log } = make(kind, { lazyMaxPages: 1 << 30, cache });
      return { vmap, log, oracle: new NaiveVmap(1n, ULONG_MAX), lazy: [], divergences: [], last: null, faults };
    },
    command: command(4),
    step: (s, c) => {
      switch (c.op) {
        case 'alloc':
          return stepAlloc(s, c);
        case 'free':
          return stepFree(s, c);
        case 'purge':
          s.vmap.purge_vmap_area_lazy();
          return oraclePurge(s);
        case 'find': {
          const addr = VS + BigInt(c.page) * P + 123n;
          const va = s.vmap.find(addr);
          const o = s.oracle.find(addr);
          expect(va ? [va.va_start, va.va_end] : null).toEqual(o ? [o.start, o.end] : null);
          return;
        }
        case 'faults':
          s.faults.every = c.every;
          return;
        case 'bogus': {
          const addr = VS + BigInt(c.page) * P;
          const inOracle = s.oracle.find(addr);
          if (inOracle && !s.lazy.includes(inOracle.start)) return; // a real area: not bogus
          const before = s.log.length;
          expect(s.vmap.free(addr)).toBe(false);
          expect(s.log.slice(before)).toEqual([`Trying to vfree() nonexistent vm area (${addr.toString(16)})`]);
        }
      }
    },
    check: (s) => {
      const errors = check_vmap(s.vmap);
      const busy = [...s.vmap.busy_areas()].map((va) => `${va.va_start}-${va.va_end}`);
      const want = s.oracle.busy.map((b) => `${b.start}-${b.end}`);
      if (busy.join() !== want.join()) errors.push(`busy areas ${busy.join()} differ from the oracle's ${want.join()}`);
      return errors;
    },
    teardown: (s) => {
      s.faults.every = 0;
      s.vmap.purge_vmap_area_lazy();
      for (const va of [...s.vmap.busy_areas()]) expect(s.vmap.free(va.va_start)).toBe(true);
      s.oracle.busy.length = 0;
      s.lazy.length = 0;
      expect(s.vmap.backend.cache.active).toBe(s.vmap.backend.nodes());
      if (kind === 'augment') expect(s.vmap.backend.nodes()).toBeLessThanOrEqual(2); // one free area and at most one preload
      else expect(s.vmap.backend.nodes()).toBe(0);
    },
  };
}

describe('vmap allocators against the naive oracle', () => {
  for (const kind of ['augment', 'list'] as const) {
    it(`${kind}: lowest fit (within the stated exceptions), checker clean after every step`, () => {
      checkModel(spec(kind), { numRuns: 300, maxLength: 80, seed: 4 });
    });
  }

  for (const kind of ['augment', 'list'] as const) {
    it(`${kind} with node allocations failing on and off: failed requests change nothing, no node leaks`, () => {
      const s = spec(kind);
      let refused = 0;
      const step = (x: Sys, c: Cmd): void => {
        const before = x.divergences.length;
        s.step(x, c);
        if (x.divergences.slice(before).includes('injected fault')) refused++;
      };
      checkModel({ ...s, step, command: withFaults(4) }, { numRuns: 200, maxLength: 80, seed: 6 });
      expect(refused).toBeGreaterThan(20);
    });
  }

  it('augment at alignment 1 is exactly the oracle, and so is list outside its cache exception', () => {
    for (const kind of ['augment', 'list'] as const) {
      const s = spec(kind);
      checkModel({ ...s, command: command(0) }, { numRuns: 200, maxLength: 80, seed: 5 });
    }
  });

  it('in lockstep, both allocators give the same address whenever they start from the same areas, unless a stated reason applies', () => {
    const busyKey = (x: Sys): string => [...x.vmap.busy_areas()].map((va) => `${va.va_start}-${va.va_end}:${va.flags}`).join();
    let compared = 0;
    let explained = 0;
    for (const seed of [77, 78, 79, 80]) {
      const cmds = fc.sample(fc.array(command(3), { minLength: 300, maxLength: 300 }), { numRuns: 1, seed })[0]!;
      const [sa, sl] = [spec('augment'), spec('list')];
      const a = sa.setup();
      const l = sl.setup();
      for (const c of cmds) {
        const same = busyKey(a) === busyKey(l);
        const [da, dl] = [a.divergences.length, l.divergences.length];
        sa.step(a, c);
        sl.step(l, c);
        expect(sa.check(a)).toEqual([]);
        expect(sl.check(l)).toEqual([]);
        if (!same || c.op !== 'alloc') continue;
        compared++;
        if (a.last === l.last) continue;
        // Different answers from the same state: one of them left the exact lowest fit, for its stated reason.
        expect(a.divergences.length + l.divergences.length).toBeGreaterThan(da + dl);
        explained++;
      }
    }
    expect(compared).toBeGreaterThan(100);
    expect(explained).toBeGreaterThan(0);
  });
});
