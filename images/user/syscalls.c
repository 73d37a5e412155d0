// SPDX-License-Identifier: GPL-2.0-only
/*
 * syscalls: a tour of the calls a static program makes, each result
 * printed: getpid, uname, clock_gettime, getcwd, and reading the root
 * directory (openat + getdents64) and /proc/meminfo (openat + read).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int main(void)
{
	struct utsname u;
	struct timespec ts;
	char buf[4096];

	printf("getpid: %d\n", (int)getpid());
	if (uname(&u) == 0)
		printf("uname: %s %s %s\n", u.sysname, u.release, u.machine);
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
		printf("clock_gettime: ok (%s)\n", ts.tv_sec >= 0 ? "non-negative" : "negative");
	if (getcwd(buf, sizeof buf))
		printf("getcwd: %s\n", buf);

	int fd = openat(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY);
	printf("openat /: %s\n", fd >= 0 ? "ok" : "failed");
	if (fd >= 0) {
		long n;
		printf("getdents64 /:");
		while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
			for (long at = 0; at < n;) {
				struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + at);
				printf(" %s", d->d_name);
				at += d->d_reclen;
			}
		printf("\n");
		close(fd);
	}

	fd = openat(AT_FDCWD, "/proc/meminfo", O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof buf - 1);
		if (n > 0) {
			buf[n] = 0;
			char *nl = buf;
			while (*nl && *nl != '\n')
				nl++;
			*nl = 0;
			printf("/proc/meminfo: %s\n", buf);
		}
		close(fd);
	} else {
		printf("/proc/meminfo: open failed\n");
	}
	return 0;
}
