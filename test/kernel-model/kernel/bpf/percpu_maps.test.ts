// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BPF_ANY, BPF_EXIST, BPF_NOEXIST, BpfMapError, PercpuArrayMap, PercpuHashMap, type PercpuBackend } from '../../../../kernel-model/kernel/bpf/percpu_maps';
import { checkModel } from '../../../helpers/model-check';

/** Per-CPU memory as a map of byte arrays, counting what is live. */
function fakeBackend(nrCpus = 4, failAfter = Infinity): PercpuBackend & { live: Set<bigint> } {
  const mem = new Map<bigint, Uint8Array[]>();
  const live = new Set<bigint>();
  let next = 0x1000n;
  let n = 0;
  return {
    nrCpus,
    live,
    alloc: (size) => {
      if (++n > failAfter) return 0n;
      const p = (next += 0x100n);
      mem.set(p, Array.from({ length: nrCpus }, () => new Uint8Array(size)));
      live.add(p);
      return p;
    },
    free: (p) => {
      if (!live.delete(p)) throw new Error(`double free of ${p}`);
    },
    read: (p, cpu, len) => mem.get(p)![cpu]!.slice(0, len),
    write: (p, cpu, data) => mem.get(p)![cpu]!.set(data),
  };
}

const key = (k: number): Uint8Array => new Uint8Array(new Uint32Array([k]).buffer);
const errno = (f: () => unknown): number => {
  try {
    f();
  } catch (e) {
    if (e instanceof BpfMapError) return e.errno;
    throw e;
  }
  return 0;
};
/** One value per CPU, each slot (8 bytes for a 4-byte value) holding `v + cpu`. */
const values = (v: number, nr = 4): Uint8Array => {
  const b = new Uint8Array(8 * nr);
  for (let c = 0; c < nr; c++) new DataView(b.buffer).setUint32(8 * c, v + c, true);
  return b;
};

describe('BPF per-CPU maps (kernel/bpf/percpu_maps.ts)', () => {
  it('a percpu array: every element exists from the start, zeroed; index bounds and flags as arraymap.c has them', () => {
    const b = fakeBackend();
    const m = new PercpuArrayMap(b, 4, 3);
    expect(b.live.size).toBe(3);
    expect(m.lookup(key(2))).toEqual(new Uint8Array(32));
    m.update(key(1), values(10), BPF_ANY);
    expect(m.lookup(key(1))).toEqual(Uint8Array.from(values(10)));
    expect(errno(() => m.lookup(key(3)))).toBe(2); // ENOENT
    expect(errno(() => m.update(key(3), values(1), BPF_ANY))).toBe(7); // E2BIG
    expect(errno(() => m.update(key(0), values(1), BPF_NOEXIST))).toBe(17); // EEXIST
    expect(errno(() => m.delete())).toBe(22); // EINVAL
    expect([...m.nextKey(undefined)]).toEqual([...key(0)]);
    expect([...m.nextKey(key(1))]).toEqual([...key(2)]);
    expect(errno(() => m.nextKey(key(2)))).toBe(2);
    m.free();
    expect(b.live.size).toBe(0);
  });

  it('creation that runs out of per-CPU memory frees what it took', () => {
    const b = fakeBackend(4, 5);
    expect(errno(() => new PercpuArrayMap(b, 8, 10))).toBe(12);
    expect(b.live.size).toBe(0);
    const h = fakeBackend(4, 5);
    expect(errno(() => new PercpuHashMap(h, 4, 8, 10, true))).toBe(12);
    expect(h.live.size).toBe(0);
  });

  for (const prealloc of [true, false]) {
    it(`a percpu hash (${prealloc ? 'preallocated' : 'BPF_F_NO_PREALLOC'}) behaves as a map of keys to per-CPU values, against a plain Map`, () => {
      type Cmd = { op: 'update'; k: number; v: number; flags: bigint } | { op: 'delete'; k: number } | { op: 'lookup'; k: number };
      const MAX = 6;
      checkModel<{ b: ReturnType<typeof fakeBackend>; m: PercpuHashMap; oracle: Map<number, number>; freed?: boolean }, Cmd>(
        {
          setup: () => {
            const b = fakeBackend();
            return { b, m: new PercpuHashMap(b, 4, 4, MAX, prealloc), oracle: new Map() };
          },
          command: fc.oneof(
            fc.record({ op: fc.constant('update' as const), k: fc.integer({ min: 0, max: 9 }), v: fc.integer({ min: 0, max: 1000 }), flags: fc.constantFrom(BPF_ANY, BPF_NOEXIST, BPF_EXIST) }),
            fc.record({ op: fc.constant('delete' as const), k: fc.integer({ min: 0, max: 9 }) }),
            fc.record({ op: fc.constant('lookup' as const), k: fc.integer({ min: 0, max: 9 }) }),
          ),
          step: ({ m, oracle }, c) => {
            const has = oracle.has(c.k);
            if (c.op === 'update') {
              const want = has && c.flags === BPF_NOEXIST ? 17 : !has && c.flags === BPF_EXIST ? 2 : !has && oracle.size >= MAX ? 7 : 0;
              expect(errno(() => m.update(key(c.k), values(c.v), c.flags))).toBe(want);
              if (want === 0) oracle.set(c.k, c.v);
            } else if (c.op === 'delete') {
              expect(errno(() => m.delete(key(c.k)))).toBe(has ? 0 : 2);
              oracle.delete(c.k);
            } else if (has) expect(m.lookup(key(c.k))).toEqual(Uint8Array.from(values(oracle.get(c.k)!)));
            else expect(errno(() => m.lookup(key(c.k)))).toBe(2);
          },
          check: ({ b, m, oracle, freed }) => {
            if (freed) return b.live.size === 0 ? [] : [`${b.live.size} values still live after map_free`];
            const errors: string[] = [];
            if (m.allocated() !== b.live.size) errors.push(`map holds ${m.allocated()} values, backend has ${b.live.size} live`);
            if (prealloc && b.live.size !== MAX) errors.push(`preallocated map has ${b.live.size} values, not ${MAX}`);
            if (!prealloc && b.live.size !== oracle.size) errors.push(`${b.live.size} values for ${oracle.size} keys`);
            // get_next_key walks every key once.
            const seen: number[] = [];
            let k: Uint8Array | undefined;
            for (;;) {
              try {
                k = m.nextKey(k);
              } catch {
                break;
              }
              seen.push(new DataView(k.buffer).getUint32(0, true));
            }
            if ([...seen].sort().join() !== [...oracle.keys()].sort().join()) errors.push(`next_key walked ${seen}, keys are ${[...oracle.keys()]}`);
            return errors;
          },
          teardown: (sys) => {
            sys.m.free();
            sys.freed = true;
          },
        },
        { numRuns: 100, maxLength: 40, seed: 5 },
      );
    });
  }
});
