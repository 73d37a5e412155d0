// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF per-CPU maps (kernel/bpf/arraymap.c and hashtab.c, their percpu
 * flavours): the workload the percpu allocator's seed was written for.
 * Every element's value lives in per-CPU memory from __alloc_percpu, one
 * copy per possible CPU at per_cpu_ptr(pptr, cpu), so each core's BPF
 * program would update its own copy without atomics.
 *
 *   PERCPU_ARRAY  max_entries elements, all allocated when the map is
 *                 created (bpf_array_alloc_percpu), zeroed; keys are u32
 *                 indices; elements cannot be deleted.
 *   PERCPU_HASH   up to max_entries keys. Preallocated by default: every
 *                 element's per-CPU value is allocated at creation and
 *                 recycled through a free list (htab's pcpu_freelist);
 *                 with BPF_F_NO_PREALLOC each update of a new key
 *                 allocates its value and each delete frees it.
 *
 * Values cross the syscall boundary as Linux copies them: for lookup and
 * update, num_possible_cpus() slots of round_up(value_size, 8) bytes, the
 * slot of CPU n at n * round_up(value_size, 8) (bpf_percpu_array_copy,
 * bpf_percpu_hash_copy). The map is freed (every per-CPU value back to
 * the allocator) when the last descriptor naming it is closed.
 */

export const BPF_MAP_TYPE_PERCPU_HASH = 5;
export const BPF_MAP_TYPE_PERCPU_ARRAY = 6;
export const BPF_F_NO_PREALLOC = 1;
export const BPF_ANY = 0n;
export const BPF_NOEXIST = 1n;
export const BPF_EXIST = 2n;

/** Where a map's values live: the kernel's per-CPU allocator and memory. */
export interface PercpuBackend {
  nrCpus: number;
  /** __alloc_percpu (zeroed); 0n when it fails. */
  alloc(size: number): bigint;
  free(pptr: bigint): void;
  /** The value's copy on `cpu`. */
  read(pptr: bigint, cpu: number, len: number): Uint8Array;
  write(pptr: bigint, cpu: number, data: Uint8Array): void;
}

export class BpfMapError extends Error {
  override name = 'BpfMapError';
  constructor(readonly errno: number) {
    super(`errno ${errno}`);
  }
}

import { E2BIG, EEXIST, EINVAL, ENOENT, ENOMEM } from '../../include/errno';

export const round_up8 = (n: number): number => (n + 7) & ~7;

export abstract class PercpuMap {
  /** Bytes of one CPU's copy of a value. */
  readonly slot: number;

  constructor(readonly backend: PercpuBackend, readonly keySize: number, readonly valueSize: number, readonly maxEntries: number) {
    this.slot = round_up8(valueSize);
  }

  /**
   * `n` values allocated up front (bpf_array_alloc_percpu, prealloc_init);
   * when one allocation fails, those taken go back and the map is ENOMEM.
   */
  protected preallocate(n: number): bigint[] {
    const got: bigint[] = [];
    for (let i = 0; i < n; i++) {
      const p = this.backend.alloc(this.slot);
      if (p === 0n) {
        for (const q of got) this.backend.free(q);
        throw new BpfMapError(ENOMEM);
      }
      got.push(p);
    }
    return got;
  }

  /** The user-visible buffer of all CPUs' values: nrCpus slots. */
  get valueBufferSize(): number {
    return this.slot * this.backend.nrCpus;
  }

  protected copyOut(pptr: bigint): Uint8Array {
    const out = new Uint8Array(this.valueBufferSize);
    for (let cpu = 0; cpu < this.backend.nrCpus; cpu++) out.set(this.backend.read(pptr, cpu, this.valueSize), cpu * this.slot);
    return out;
  }

  protected copyIn(pptr: bigint, values: Uint8Array): void {
    for (let cpu = 0; cpu < this.backend.nrCpus; cpu++) this.backend.write(pptr, cpu, values.subarray(cpu * this.slot, cpu * this.slot + this.valueSize));
  }

  abstract lookup(key: Uint8Array): Uint8Array;
  abstract update(key: Uint8Array, values: Uint8Array, flags: bigint): void;
  abstract delete(key: Uint8Array): void;
  abstract nextKey(key: Uint8Array | undefined): Uint8Array;
  /** map_free: every per-CPU value goes back. */
  abstract free(): void;
  /** Per-CPU values held now (for leak checks). */
  abstract allocated(): number;
}

export class PercpuArrayMap extends PercpuMap {
  private readonly pptrs: bigint[];

  constructor(backend: PercpuBackend, valueSize: number, maxEntries: number) {
    super(backend, 4, valueSize, maxEntries);
    this.pptrs = this.preallocate(maxEntries);
  }

  private index(key: Uint8Array): number {
    return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }

  lookup(key: Uint8Array): Uint8Array {
    const i = this.index(key);
    if (i >= this.maxEntries) throw new BpfMapError(ENOENT);
    return this.copyOut(this.pptrs[i]!);
  }

  update(key: Uint8Array, values: Uint8Array, flags: bigint): void {
    if (flags > BPF_EXIST) throw new BpfMapError(EINVAL);
    const i = this.index(key);
    if (i >= this.maxEntries) throw new BpfMapError(E2BIG);
    if (flags === BPF_NOEXIST) throw new BpfMapError(EEXIST); // every element exists
    this.copyIn(this.pptrs[i]!, values);
  }

  delete(): void {
    throw new BpfMapError(EINVAL);
  }

  nextKey(key: Uint8Array | undefined): Uint8Array {
    const i = key ? this.index(key) : this.maxEntries;
    const next = i >= this.maxEntries ? 0 : i + 1;
    if (next >= this.maxEntries) throw new BpfMapError(ENOENT);
    return new Uint8Array(new Uint32Array([next]).buffer);
  }

  free(): void {
    for (const p of this.pptrs.splice(0)) this.backend.free(p);
  }

  allocated(): number {
    return this.pptrs.length;
  }
}

export class PercpuHashMap extends PercpuMap {
  /** Keys (as hex strings, insertion order = iteration order) to their values. */
  private readonly elems = new Map<string, bigint>();
  /** Preallocated values not in use (pcpu_freelist); absent with BPF_F_NO_PREALLOC. */
  private readonly freelist: bigint[] | undefined;

  constructor(backend: PercpuBackend, keySize: number, valueSize: number, maxEntries: number, prealloc: boolean) {
    super(backend, keySize, valueSize, maxEntries);
    this.freelist = prealloc ? this.preallocate(maxEntries) : undefined;
  }

  private static id(key: Uint8Array): string {
    return Buffer.from(key).toString('hex');
  }

  lookup(key: Uint8Array): Uint8Array {
    const p = this.elems.get(PercpuHashMap.id(key));
    if (p === undefined) throw new BpfMapError(ENOENT);
    return this.copyOut(p);
  }

  update(key: Uint8Array, values: Uint8Array, flags: bigint): void {
    if (flags > BPF_EXIST) throw new BpfMapError(EINVAL);
    const id = PercpuHashMap.id(key);
    const old = this.elems.get(id);
    if (old !== undefined && flags === BPF_NOEXIST) throw new BpfMapError(EEXIST);
    if (old === undefined && flags === BPF_EXIST) throw new BpfMapError(ENOENT);
    if (old !== undefined) return this.copyIn(old, values);
    if (this.elems.size >= this.maxEntries) throw new BpfMapError(E2BIG);
    const p = this.freelist ? this.freelist.pop() : this.backend.alloc(this.slot);
    if (p === undefined || p === 0n) throw new BpfMapError(ENOMEM);
    this.copyIn(p, values);
    this.elems.set(id, p);
  }

  delete(key: Uint8Array): void {
    const id = PercpuHashMap.id(key);
    const p = this.elems.get(id);
    if (p === undefined) throw new BpfMapError(ENOENT);
    this.elems.delete(id);
    if (this.freelist) this.freelist.push(p);
    else this.backend.free(p);
  }

  nextKey(key: Uint8Array | undefined): Uint8Array {
    const ids = [...this.elems.keys()];
    const at = key ? ids.indexOf(PercpuHashMap.id(key)) : -1;
    const next = ids[at + 1]; // a key not in the map restarts at the first, as htab_map_get_next_key does
    if (next === undefined) throw new BpfMapError(ENOENT);
    return Uint8Array.from(Buffer.from(next, 'hex'));
  }

  free(): void {
    for (const p of this.elems.values()) this.backend.free(p);
    this.elems.clear();
    for (const p of this.freelist?.splice(0) ?? []) this.backend.free(p);
  }

  allocated(): number {
    return this.elems.size + (this.freelist?.length ?? 0);
  }
}
