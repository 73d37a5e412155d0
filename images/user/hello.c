// SPDX-License-Identifier: GPL-2.0-only
/* hello: a static glibc hello world, the first C program the model runs. */
#include <stdio.h>

int main(void)
{
	printf("Hello, world! (from /bin/hello, static glibc)\n");
	return 0;
}
