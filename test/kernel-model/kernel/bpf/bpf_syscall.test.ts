// SPDX-License-Identifier: GPL-2.0-only
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { bootUconsole, type Uconsole } from '../../../../api/uconsole';
import { spawn_process } from '../../../../kernel-model/kernel/fork';
import { open_exec } from '../../../../kernel-model/fs/exec';
import { buildC, cProgramIt } from '../../../helpers/user-programs';

const cIt = cProgramIt('BPF program');

let u: Uconsole;
beforeAll(async () => {
  u = await bootUconsole({ board: 'uconsole-cm4', ram: '1G' });
});
afterAll(() => u?.shutdown());

const curAlloc = (): number => Number(u.readFile('/sys/kernel/debug/percpu_stats').match(/nr_cur_alloc\s*:\s*(\d+)/)![1]);

/** Every case of the list, printed as "name result errno" lines. */
const BPF_C = `
#include <linux/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
static long bpf(int cmd, union bpf_attr *a, unsigned size) { return syscall(__NR_bpf, cmd, a, size); }
#define T(name, expr) do { errno = 0; long r = (expr); printf("%s %ld %d\\n", name, r, r < 0 ? errno : 0); } while (0)
int main(void) {
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.map_type = BPF_MAP_TYPE_PERCPU_ARRAY; a.key_size = 4; a.value_size = 12; a.max_entries = 4;
  int arr = bpf(BPF_MAP_CREATE, &a, sizeof a);
  printf("array fd>2 %d\\n", arr > 2);
  unsigned key = 1, vals[4 * 4], back[4 * 4];
  for (int i = 0; i < 16; i++) vals[i] = 100 + i;
  memset(&a, 0, sizeof a); a.map_fd = arr; a.key = (long)&key; a.value = (long)vals;
  T("array-update", bpf(BPF_MAP_UPDATE_ELEM, &a, sizeof a));
  a.value = (long)back; memset(back, 0, sizeof back);
  T("array-lookup", bpf(BPF_MAP_LOOKUP_ELEM, &a, sizeof a));
  printf("slots %u %u %u %u %u\\n", back[0], back[1], back[2], back[4], back[12]);
  key = 4; T("array-oob-lookup", bpf(BPF_MAP_LOOKUP_ELEM, &a, sizeof a));
  a.value = (long)vals; T("array-oob-update", bpf(BPF_MAP_UPDATE_ELEM, &a, sizeof a));
  key = 0; T("array-delete", bpf(BPF_MAP_DELETE_ELEM, &a, sizeof a));
  unsigned next = 99; a.key = 0; a.next_key = (long)&next;
  T("array-first-key", bpf(BPF_MAP_GET_NEXT_KEY, &a, sizeof a)); printf("next %u\\n", next);
  memset(&a, 0, sizeof a);
  a.map_type = BPF_MAP_TYPE_PERCPU_HASH; a.key_size = 8; a.value_size = 8; a.max_entries = 2;
  int h = bpf(BPF_MAP_CREATE, &a, sizeof a);
  unsigned long k = 5, v[4] = {1, 2, 3, 4};
  memset(&a, 0, sizeof a); a.map_fd = h; a.key = (long)&k; a.value = (long)v; a.flags = BPF_NOEXIST;
  T("hash-insert", bpf(BPF_MAP_UPDATE_ELEM, &a, sizeof a));
  T("hash-insert-again", bpf(BPF_MAP_UPDATE_ELEM, &a, sizeof a));
  k = 6; T("hash-insert-2", bpf(BPF_MAP_UPDATE_ELEM, &a, sizeof a));
  k = 7; a.flags = BPF_ANY; T("hash-full", bpf(BPF_MAP_UPDATE_ELEM, &a, sizeof a));
  a.flags = BPF_EXIST; T("hash-exist-missing", bpf(BPF_MAP_UPDATE_ELEM, &a, sizeof a));
  k = 6; a.flags = 0; T("hash-delete", bpf(BPF_MAP_DELETE_ELEM, &a, sizeof a));
  T("hash-delete-again", bpf(BPF_MAP_DELETE_ELEM, &a, sizeof a));
  T("hash-lookup-missing", bpf(BPF_MAP_LOOKUP_ELEM, &a, sizeof a));
  memset(&a, 0, sizeof a);
  a.map_type = BPF_MAP_TYPE_PERCPU_HASH; a.key_size = 4; a.value_size = 0; a.max_entries = 2;
  T("create-zero-value", bpf(BPF_MAP_CREATE, &a, sizeof a));
  a.value_size = 40000; T("create-huge-value", bpf(BPF_MAP_CREATE, &a, sizeof a));
  a.value_size = 8; a.map_type = 1; T("create-plain-hash", bpf(BPF_MAP_CREATE, &a, sizeof a));
  a.map_type = BPF_MAP_TYPE_PERCPU_ARRAY; a.key_size = 8; T("create-array-key8", bpf(BPF_MAP_CREATE, &a, sizeof a));
  T("bad-attr-pointer", bpf(BPF_MAP_CREATE, (union bpf_attr *)8, sizeof a));
  memset(&a, 0, sizeof a); a.map_fd = 1; T("not-a-map", bpf(BPF_MAP_LOOKUP_ELEM, &a, sizeof a));
  a.map_fd = 99; T("bad-fd", bpf(BPF_MAP_LOOKUP_ELEM, &a, sizeof a));
  close(arr);
  return 0;
}`;

describe('bpf(2) per-CPU maps through svc (kernel/bpf/syscall.ts)', () => {
  cIt("creates, fills, reads and destroys maps with Linux's results and errors; per-CPU memory goes back when the program ends", () => {
    const before = curAlloc();
    const r = u.kernel.harness.exec(buildC(BPF_C)!, '/bin/bpf', ['bpf'], { cpu: 1 });
    expect(r.exitCode).toBe(0);
    const got = Object.fromEntries(r.stdout.trim().split('\n').map((l) => {
      const [name, ...rest] = l.split(' ');
      return [name, rest.join(' ')];
    }));
    expect(got).toMatchObject({
      array: 'fd>2 1',
      'array-update': '0 0',
      'array-lookup': '0 0',
      slots: '100 101 102 104 112', // each CPU's 12 bytes in a 16-byte slot
      'array-oob-lookup': '-1 2',
      'array-oob-update': '-1 7',
      'array-delete': '-1 22',
      'array-first-key': '0 0',
      next: '0',
      'hash-insert': '0 0',
      'hash-insert-again': '-1 17',
      'hash-insert-2': '0 0',
      'hash-full': '-1 7',
      'hash-exist-missing': '-1 2',
      'hash-delete': '0 0',
      'hash-delete-again': '-1 2',
      'hash-lookup-missing': '-1 2',
      'create-zero-value': '-1 22',
      'create-huge-value': '-1 7',
      'create-plain-hash': '-1 22',
      'create-array-key8': '-1 22',
      'bad-attr-pointer': '-1 14',
      'not-a-map': '-1 22',
      'bad-fd': '-1 9',
    });
    expect(curAlloc()).toBe(before); // the hash map was never closed: exit closed it
  });

  cIt('the bpf-storm workload on every core at once: maps created, filled and destroyed, nothing leaked', () => {
    const k = u.kernel;
    const vfs = k.rootfs!;
    const file = open_exec(vfs.root, vfs.root, '/bin/bpf-storm');
    const before = curAlloc();
    const statuses: number[] = [];
    const out: string[] = [];
    for (let cpu = 0; cpu < 4; cpu++) {
      const p = k.on(cpu, () => spawn_process(k, { cpu, file, filename: '/bin/bpf-storm', argv: ['bpf-storm', '2', '200', '16', cpu % 2 ? 'array' : 'hash-noprealloc'] }));
      p.stdio = (_fd, d) => out.push(Buffer.from(d).toString());
      p.onRelease.push((w) => statuses.push(w));
    }
    k.run(() => statuses.length === 4, 1_000_000);
    expect(statuses).toEqual([0, 0, 0, 0]);
    expect(out.join('').trim().split('\n')).toHaveLength(8);
    expect(curAlloc()).toBe(before);
  });
});
