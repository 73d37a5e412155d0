// SPDX-License-Identifier: GPL-2.0-only
/* seq: print 1..N, one per line (the output-heavy program of `bench syscall`, like coreutils' seq). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10;
	for (long i = 1; i <= n; i++)
		printf("%ld\n", i);
	return 0;
}
