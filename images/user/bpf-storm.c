// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpf-storm: the workload behind the percpu allocator's seed. BPF per-CPU
 * maps are created, filled and destroyed in a loop: each map's elements
 * take per-CPU memory from __alloc_percpu, and closing the map gives it
 * back. Run one per core (taskset, or `uconsole run --cpu N`) for the
 * storm on every core.
 *
 * usage: bpf-storm [ROUNDS [ELEMENTS [VALUE_SIZE [hash|array|hash-noprealloc]]]]
 * Prints one line per round: the map type, the elements filled, and a
 * checksum of what lookups read back.
 */
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long bpf(int cmd, union bpf_attr *attr) { return syscall(__NR_bpf, cmd, attr, sizeof(*attr)); }

/* Possible CPUs: the slots a per-CPU lookup returns. The uConsole boards have at most 8. */
#define MAX_CPUS 8

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 3;
  int elements = argc > 2 ? atoi(argv[2]) : 1000;
  int value_size = argc > 3 ? atoi(argv[3]) : 8;
  const char *kind = argc > 4 ? argv[4] : "hash";
  int hash = strncmp(kind, "hash", 4) == 0;
  int slot = (value_size + 7) & ~7;
  unsigned char *values = calloc(MAX_CPUS, slot), *back = calloc(MAX_CPUS, slot);
  for (int r = 0; r < rounds; r++) {
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = hash ? BPF_MAP_TYPE_PERCPU_HASH : BPF_MAP_TYPE_PERCPU_ARRAY;
    a.key_size = 4;
    a.value_size = value_size;
    a.max_entries = elements;
    a.map_flags = strcmp(kind, "hash-noprealloc") == 0 ? BPF_F_NO_PREALLOC : 0;
    int fd = bpf(BPF_MAP_CREATE, &a);
    if (fd < 0) { perror("BPF_MAP_CREATE"); return 1; }
    unsigned long sum = 0;
    for (unsigned key = 0; key < (unsigned)elements; key++) {
      for (int c = 0; c < MAX_CPUS; c++) memset(values + c * slot, (key + c + r) & 0xff, value_size);
      memset(&a, 0, sizeof(a));
      a.map_fd = fd;
      a.key = (unsigned long)&key;
      a.value = (unsigned long)values;
      a.flags = BPF_ANY;
      if (bpf(BPF_MAP_UPDATE_ELEM, &a)) { perror("BPF_MAP_UPDATE_ELEM"); return 1; }
      a.value = (unsigned long)back;
      a.flags = 0;
      if (bpf(BPF_MAP_LOOKUP_ELEM, &a)) { perror("BPF_MAP_LOOKUP_ELEM"); return 1; }
      sum += back[0] + back[slot];
    }
    close(fd);
    printf("round %d: %s map, %d elements of %d bytes per CPU, checksum %lu\n", r, kind, elements, value_size, sum);
  }
  return 0;
}
