// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect } from 'vitest';
import { useUconsole } from '../../helpers/boot';
import { buildC, cProgramIt } from '../../helpers/user-programs';

const cIt = cProgramIt();

const booted = useUconsole();

const TMPFS_C = `
#define _GNU_SOURCE
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <stdlib.h>
#define CHECK(name, expr) printf("%s=%d\\n", name, (expr))
#define ERR(name, call) do { errno = 0; int r_ = (call); printf("%s=%s\\n", name, r_ == -1 ? strerrorname_np(errno) : "ok"); } while (0)
int main(void) {
  char buf[64] = {0};
  int fd = open("/tmp/f", O_CREAT | O_RDWR | O_EXCL, 0666);
  CHECK("write", (int)write(fd, "hello", 5));
  lseek(fd, 10, SEEK_SET);
  write(fd, "!", 1);
  struct stat st; fstat(fd, &st);
  CHECK("size", (int)st.st_size);
  CHECK("mode", st.st_mode & 0777);
  pread(fd, buf, 11, 0);
  CHECK("hole_zero", buf[5] == 0 && buf[9] == 0 && buf[10] == '!');
  ERR("excl", open("/tmp/f", O_CREAT | O_EXCL | O_WRONLY, 0644));
  int ap = open("/tmp/f", O_WRONLY | O_APPEND);
  write(ap, "end", 3); close(ap);
  stat("/tmp/f", &st);
  CHECK("appended", (int)st.st_size);
  ERR("ftrunc_rdonly", ftruncate(open("/tmp/f", O_RDONLY), 2));
  ERR("ftruncate", ftruncate(fd, 2));
  stat("/tmp/f", &st); CHECK("truncated", (int)st.st_size);
  ERR("mkdir", mkdir("/tmp/d", 0755));
  ERR("mkdir_again", mkdir("/tmp/d", 0755));
  ERR("mkdir_nested", mkdir("/tmp/d/e", 0700));
  ERR("rmdir_notempty", rmdir("/tmp/d"));
  ERR("rename_into_itself", rename("/tmp/d", "/tmp/d/e/x"));
  ERR("rename_dir_over_file", rename("/tmp/d", "/tmp/f"));
  ERR("rename_file_over_dir", rename("/tmp/f", "/tmp/d"));
  ERR("rename", rename("/tmp/f", "/tmp/f2"));
  close(open("/tmp/other", O_CREAT | O_WRONLY, 0644));
  ERR("rename_noreplace", renameat2(AT_FDCWD, "/tmp/f2", AT_FDCWD, "/tmp/other", RENAME_NOREPLACE));
  int r1 = open("/tmp/r1", O_CREAT | O_WRONLY, 0644); write(r1, "x", 1); close(r1);
  ERR("rename_replace", rename("/tmp/r1", "/tmp/other"));
  stat("/tmp/other", &st); CHECK("replaced_size", (int)st.st_size);
  CHECK("old_name_gone", access("/tmp/r1", F_OK) == -1 && errno == ENOENT);
  ERR("rename_back", rename("/tmp/f2", "/tmp/f"));
  ERR("rename_gone", rename("/tmp/f2", "/tmp/f3"));
  ERR("exdev", rename("/tmp/f", "/run/f"));
  ERR("link", link("/tmp/f", "/tmp/d/hard"));
  stat("/tmp/f", &st); CHECK("nlink", (int)st.st_nlink);
  ERR("link_dir", link("/tmp/d", "/tmp/d2"));
  ERR("symlink", symlink("d/hard", "/tmp/s"));
  int sfd = open("/tmp/s", O_RDONLY); memset(buf, 0, sizeof buf); read(sfd, buf, 10); close(sfd);
  CHECK("through_symlink", strcmp(buf, "he") == 0);
  ERR("unlink_dir", unlink("/tmp/d"));
  ERR("unlink", unlink("/tmp/f"));
  memset(buf, 0, sizeof buf); pread(fd, buf, 2, 0);
  CHECK("open_after_unlink", strcmp(buf, "he") == 0);
  stat("/tmp/d/hard", &st); CHECK("nlink_after", (int)st.st_nlink);
  ERR("rmdir_busy", rmdir("/tmp"));
  ERR("rootfs", open("/newfile", O_CREAT | O_WRONLY, 0644));
  ERR("mkdir_rootfs", mkdir("/newdir", 0755));
  ERR("mkdir_proc", mkdir("/proc/x", 0755));
  umask(077);
  int g = open("/run/g", O_CREAT | O_WRONLY, 0666);
  fstat(g, &st); CHECK("umask_mode", st.st_mode & 0777);
  ERR("fchmod", fchmod(g, 0640));
  fstat(g, &st); CHECK("chmod_mode", st.st_mode & 0777);
  struct timespec ts[2] = { { 5, 0 }, { 123456, 0 } };
  ERR("utimensat", utimensat(AT_FDCWD, "/run/g", ts, 0));
  stat("/run/g", &st); CHECK("mtime", (int)st.st_mtime);
  struct statfs sf; statfs("/tmp", &sf);
  printf("tmpfs_magic=%lx\\n", (unsigned long)sf.f_type);
  statfs("/", &sf); printf("rootfs_magic=%lx\\n", (unsigned long)sf.f_type);
  ERR("trunc_dir", truncate("/tmp", 0));
  return 0;
}`;

describe('tmpfs on /tmp and /run (fs/tmpfs.ts, fs/namei_ops.ts, fs/attr.ts)', () => {
  cIt('files, directories and links are made, renamed and removed with Linux errors; the rootfs stays read-only', () => {
    const r = booted.u.kernel.harness.exec(buildC(TMPFS_C)!, '/bin/tmpfs', ['tmpfs'], { cpu: 2 });
    expect(r.stderr).toBe('');
    const got = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('=') as [string, string]));
    expect(got).toEqual({
      write: '5', size: '11', mode: '420', hole_zero: '1', excl: 'EEXIST', appended: '14', ftrunc_rdonly: 'EINVAL', ftruncate: 'ok', truncated: '2',
      mkdir: 'ok', mkdir_again: 'EEXIST', mkdir_nested: 'ok', rmdir_notempty: 'ENOTEMPTY', rename_into_itself: 'EINVAL',
      rename_dir_over_file: 'ENOTDIR', rename_file_over_dir: 'EISDIR', rename: 'ok', rename_noreplace: 'EEXIST', rename_replace: 'ok',
      replaced_size: '1', old_name_gone: '1', rename_back: 'ok', rename_gone: 'ENOENT', exdev: 'EXDEV',
      link: 'ok', nlink: '2', link_dir: 'EPERM', symlink: 'ok', through_symlink: '1', unlink_dir: 'EISDIR', unlink: 'ok',
      open_after_unlink: '1', nlink_after: '1', rmdir_busy: 'EROFS', rootfs: 'EROFS', mkdir_rootfs: 'EROFS', mkdir_proc: 'EPERM',
      umask_mode: '384', fchmod: 'ok', chmod_mode: '416', utimensat: 'ok', mtime: '123456', tmpfs_magic: '1021994', rootfs_magic: '858458f6',
      trunc_dir: 'EISDIR',
    });
    expect(booted.u.readFile('/proc/mounts')).toMatch(/\ntmpfs \/tmp tmpfs rw,relatime 0 0\ntmpfs \/run tmpfs rw,relatime 0 0\n$/);
  });
});

const EXEC_C = `
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
static void put(const char *path, const char *text) {
  int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0755);
  write(fd, text, strlen(text));
  close(fd);
}
int main(void) {
  put("/tmp/plain", "echo not a script\\n");
  put("/tmp/script", "#!/bin/sh -e\\necho \\"script $0 $1\\"\\nexit 4\\n");
  char *argv[] = { "x", "arg", 0 }, *envp[] = { 0 };
  errno = 0; execve("/tmp/plain", argv, envp);
  printf("plain: %s\\n", strerrorname_np(errno));
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) { execve("/tmp/script", argv, envp); _exit(127); }
  int st; waitpid(c, &st, 0);
  printf("script exit %d\\n", WEXITSTATUS(st));
  return 0;
}`;

describe('exec from tmpfs (fs/exec.ts)', () => {
  cIt('a file without #! and not ELF is ENOEXEC; a #! script runs its interpreter with its argument', (ctx) => {
    const bin = booted.u.kernel.rootfs?.root.lookup('bin');
    if (!bin || !('lookup' in bin) || !(bin as { lookup(n: string): unknown }).lookup('sh')) return ctx.skip();
    const r = booted.u.kernel.harness.exec(buildC(EXEC_C)!, '/bin/execer', ['execer'], { cpu: 1 });
    expect(r.stdout).toBe('plain: ENOEXEC\nscript /tmp/script arg\nscript exit 4\n');
  });
});
