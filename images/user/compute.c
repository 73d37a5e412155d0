// SPDX-License-Identifier: GPL-2.0-only
/*
 * compute: a compute-bound program for `bench syscall` (no system calls
 * in its loop): N rounds of a xorshift generator folded into a sum.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	unsigned long x = 88172645463325252UL, sum = 0;
	for (long i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		sum += x >> 60;
	}
	printf("%lu\n", sum);
	return 0;
}
