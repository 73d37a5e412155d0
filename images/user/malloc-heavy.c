// SPDX-License-Identifier: GPL-2.0-only
/*
 * malloc-heavy: many malloc/free pairs of pseudo-random sizes (16 bytes
 * to 256 KiB, so both glibc's brk heap and its mmap threshold are
 * crossed), each block filled and checked, and a checksum of everything
 * written printed at the end. The generator is fixed (xorshift64 from a
 * constant seed), so the checksum is the same on every machine: the
 * output can be compared with qemu-aarch64's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 256
#define ROUNDS 20000

static uint64_t state = 0x2545F4914F6CDD1DULL;

static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

int main(int argc, char **argv)
{
	static unsigned char *slot[SLOTS];
	static size_t len[SLOTS];
	uint64_t sum = 0;
	long rounds = argc > 1 ? atol(argv[1]) : ROUNDS;

	for (long r = 0; r < rounds; r++) {
		unsigned i = next() % SLOTS;
		if (slot[i]) {
			for (size_t k = 0; k < len[i]; k += 61)
				if (slot[i][k] != (unsigned char)(i + k)) {
					printf("malloc-heavy: corrupted block %u at %zu\n", i, k);
					return 1;
				}
			free(slot[i]);
			slot[i] = NULL;
			continue;
		}
		uint64_t v = next();
		len[i] = (v & 1) ? 16 + v % 4096 : 16 + v % (256 * 1024);
		slot[i] = malloc(len[i]);
		if (!slot[i]) {
			printf("malloc-heavy: malloc(%zu) failed\n", len[i]);
			return 1;
		}
		for (size_t k = 0; k < len[i]; k++)
			slot[i][k] = (unsigned char)(i + k);
		sum = sum * 31 + len[i];
	}
	for (unsigned i = 0; i < SLOTS; i++)
		free(slot[i]);
	printf("malloc-heavy: %ld rounds, checksum %016llx\n", rounds, (unsigned long long)sum);
	return 0;
}
