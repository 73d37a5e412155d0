// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpf(2) for per-CPU maps (kernel/bpf/syscall.c): BPF_MAP_CREATE of
 * BPF_MAP_TYPE_PERCPU_ARRAY and BPF_MAP_TYPE_PERCPU_HASH, and the element
 * commands on them. A map is a file descriptor on an anonymous inode
 * ("anon_inode:bpf-map"); closing its last descriptor frees it. The
 * model loads no BPF programs: maps are what the percpu allocator's
 * workload needs.
 *
 * union bpf_attr (include/uapi/linux/bpf.h), the parts read here:
 *   BPF_MAP_CREATE  u32 map_type, key_size, value_size, max_entries, map_flags
 *   element cmds    u32 map_fd; (pad) u64 key; u64 value or next_key; u64 flags
 * An attr larger than the kernel's own must have zeroes past it (E2BIG
 * otherwise), as bpf_check_uarg_tail_zero requires.
 */

import { E2BIG, EFAULT, EINVAL, EPERM } from '../../include/errno';
import { NR } from '../../include/unistd';
import type { SyscallContext, SyscallDef } from '../sys';
import { AnonInode, SuperBlock } from '../../fs/inode';
import { File, O_RDWR, type FileOperations } from '../../fs/file';
import { current_files, errnoResult } from '../../fs/sys_common';
import { fail } from '../../fs/errno';
import { PCPU_MIN_UNIT_SIZE } from '../../mm/percpu/first_chunk';
import {
  BPF_F_NO_PREALLOC, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BpfMapError, PercpuArrayMap, PercpuHashMap,
  round_up8, type PercpuBackend, type PercpuMap,
} from './percpu_maps';

export const BPF_MAP_CREATE = 0;
export const BPF_MAP_LOOKUP_ELEM = 1;
export const BPF_MAP_UPDATE_ELEM = 2;
export const BPF_MAP_DELETE_ELEM = 3;
export const BPF_MAP_GET_NEXT_KEY = 4;

/** sizeof(union bpf_attr) the model knows; larger attrs must be zero past it. */
const BPF_ATTR_SIZE = 120;
/** MAX_BPF_STACK: the largest key a hash map takes. */
const MAX_BPF_STACK = 512;

const anon_sb = new SuperBlock('anon_inodefs', 13, false);

const bpf_map_fops: FileOperations = {
  read: () => fail(EINVAL),
  write: () => fail(EINVAL),
  seekable: false,
  endOf: () => undefined,
  ioctl: () => BigInt(-25), // ENOTTY
  release: (f) => (f.private_data as PercpuMap).free(),
};

/** The kernel's per-CPU allocator and memory, as the maps use them. */
function backend(ctx: SyscallContext): PercpuBackend {
  const k = ctx.kernel;
  const pcpu = k.percpu!;
  const mem = k.arch.kmem;
  return {
    nrCpus: k.machine.cores.length,
    alloc: (size) => pcpu.__alloc_percpu(size, 8),
    free: (p) => pcpu.free_percpu(p),
    read: (p, cpu, len) => mem.read(pcpu.per_cpu_ptr(p, cpu), len),
    write: (p, cpu, data) => mem.write(pcpu.per_cpu_ptr(p, cpu), data),
  };
}

function u32(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset).getUint32(at, true);
}
function u64(b: Uint8Array, at: number): bigint {
  return new DataView(b.buffer, b.byteOffset).getBigUint64(at, true);
}

/** map_create: validate as the map types' alloc_check functions do, then allocate. */
function map_create(ctx: SyscallContext, attr: Uint8Array): number {
  const [type, keySize, valueSize, maxEntries, flags] = [0, 4, 8, 12, 16].map((o) => u32(attr, o)) as [number, number, number, number, number];
  if (maxEntries === 0 || keySize === 0 || valueSize === 0) fail(EINVAL);
  if (round_up8(valueSize) > PCPU_MIN_UNIT_SIZE) fail(E2BIG); // a value must fit a percpu unit
  let map: PercpuMap;
  try {
    if (type === BPF_MAP_TYPE_PERCPU_ARRAY) {
      if (keySize !== 4 || flags !== 0) fail(EINVAL);
      map = new PercpuArrayMap(backend(ctx), valueSize, maxEntries);
    } else if (type === BPF_MAP_TYPE_PERCPU_HASH) {
      if (flags & ~BPF_F_NO_PREALLOC) fail(EINVAL);
      if (keySize > MAX_BPF_STACK) fail(E2BIG);
      map = new PercpuHashMap(backend(ctx), keySize, valueSize, maxEntries, !(flags & BPF_F_NO_PREALLOC));
    } else fail(EINVAL); // a type the model does not have
  } catch (e) {
    if (e instanceof BpfMapError) fail(e.errno);
    throw e;
  }
  const file = new File(new AnonInode(anon_sb, 'bpf-map'), O_RDWR, bpf_map_fops);
  file.private_data = map;
  try {
    return current_files(ctx).alloc_fd(file, true /* bpf map fds are O_CLOEXEC */);
  } catch (e) {
    map.free();
    throw e;
  }
}

function map_of(ctx: SyscallContext, fd: number): PercpuMap {
  const f = current_files(ctx).fget(fd);
  if (f.f_op !== bpf_map_fops) fail(EINVAL);
  return f.private_data as PercpuMap;
}

function copy_in(ctx: SyscallContext, va: bigint, len: number): Uint8Array {
  return ctx.copyFromUser(va, len) ?? fail(EFAULT);
}

/** The element commands: key, value and flags from the attr, each checked as map_lookup_elem and friends do. */
function map_elem(ctx: SyscallContext, cmd: number, attr: Uint8Array): number {
  const map = map_of(ctx, u32(attr, 0));
  const keyVa = u64(attr, 8);
  const valueVa = u64(attr, 16);
  const flags = u64(attr, 24);
  const guard = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof BpfMapError) fail(e.errno);
      throw e;
    }
  };
  switch (cmd) {
    case BPF_MAP_LOOKUP_ELEM: {
      if (flags) fail(EINVAL);
      const values = guard(() => map.lookup(copy_in(ctx, keyVa, map.keySize)));
      if (!ctx.copyToUser(valueVa, values)) fail(EFAULT);
      return 0;
    }
    case BPF_MAP_UPDATE_ELEM: {
      const key = copy_in(ctx, keyVa, map.keySize);
      const values = copy_in(ctx, valueVa, map.valueBufferSize);
      guard(() => map.update(key, values, flags));
      return 0;
    }
    case BPF_MAP_DELETE_ELEM:
      guard(() => map.delete(copy_in(ctx, keyVa, map.keySize)));
      return 0;
    default: {
      const key = keyVa === 0n ? undefined : copy_in(ctx, keyVa, map.keySize);
      const next = guard(() => map.nextKey(key));
      if (!ctx.copyToUser(valueVa, next)) fail(EFAULT);
      return 0;
    }
  }
}

/** bpf(cmd, attr, size). */
function sys_bpf(ctx: SyscallContext, [cmd, uattr, size]: readonly bigint[]): bigint {
  return errnoResult(() => {
    const n = Number(size!);
    if (n > 4096) fail(E2BIG);
    const attr = new Uint8Array(Math.max(n, BPF_ATTR_SIZE));
    attr.set(copy_in(ctx, uattr!, n));
    if (attr.subarray(BPF_ATTR_SIZE).some((b) => b !== 0)) fail(E2BIG);
    if (!ctx.kernel.percpu) fail(EPERM);
    const c = Number(cmd!);
    if (c === BPF_MAP_CREATE) return map_create(ctx, attr);
    if (c >= BPF_MAP_LOOKUP_ELEM && c <= BPF_MAP_GET_NEXT_KEY) return map_elem(ctx, c, attr);
    fail(EINVAL);
  });
}

export const BPF_SYSCALLS: readonly SyscallDef[] = [[NR.bpf, sys_bpf, 3]];
/** Maps allocate and free per-CPU memory (which may map vmalloc pages): the trap path only. */
export const BPF_SLOW_CALLS: readonly number[] = [NR.bpf];
