// SPDX-License-Identifier: GPL-2.0-only
/*
 * How TypeScript code holds a per-CPU object for fast access: one Int32
 * view over every CPU's copy. In the embedded first chunk unit i (CPU i)
 * starts at pcpu_base_addr + i * unit_size, so CPU c's copy of the object
 * at a __percpu pointer p, per_cpu_ptr(p, c), is `at + c * stride` words
 * into the view of the whole group (at = offset of p in the unit / 4,
 * stride = unit_size / 4). this_cpu_ptr(p) is the same address for c =
 * smp_processor_id(), which the booted kernel reads through TPIDR_EL1.
 *
 * A page allocator that runs without a kernel (mm_init_buddy, for tests
 * and benchmarks of the allocator alone) has no per-CPU areas; its
 * per-CPU objects get the same layout in a host buffer (host_percpu_place).
 */

import { STATIC_PERCPU_VARS } from './static_vars';

/** Every CPU's copy of one per-CPU object: CPU c's begins at word `at + c * stride` of `w`. */
export interface PercpuWords {
  readonly w: Int32Array;
  readonly at: number;
  readonly stride: number;
  /** The __percpu pointer, when the object is in the per-CPU areas (not in a host buffer). */
  readonly ptr?: bigint;
}

/** Where a subsystem's per-CPU objects live: the image's static variables and alloc_percpu. */
export interface PercpuPlace {
  /** The copies of a static per-CPU variable (DEFINE_PER_CPU) by name. */
  static_var(name: string): PercpuWords;
  /** alloc_percpu(bytes, align), zeroed; early boot users get it from the first chunk. */
  alloc(bytes: number, align: number): PercpuWords;
}

const wordsOf = (bytes: number): number => Math.ceil(bytes / 4);

/** The same layout in host memory, for `nrCpus` CPUs (no kernel, hence no per-CPU areas). */
export function host_percpu_place(nrCpus: number): PercpuPlace {
  const statics = new Map<string, PercpuWords>();
  const alloc = (bytes: number): PercpuWords => {
    const stride = wordsOf(bytes);
    return { w: new Int32Array(stride * nrCpus), at: 0, stride };
  };
  return {
    static_var(name) {
      const v = STATIC_PERCPU_VARS.find((x) => x.name === name);
      if (!v) throw new Error(`no static per-CPU variable ${name}`);
      let p = statics.get(name);
      if (!p) statics.set(name, (p = alloc(v.size)));
      return p;
    },
    alloc,
  };
}
