import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { check_files, FilesStruct, NaiveFdTable } from '../../../kernel-model/fs/fdtable';
import { errnoOf } from '../../helpers/errno';
import { File, reg_file_operations } from '../../../kernel-model/fs/file';
import { RegInode, SuperBlock } from '../../../kernel-model/fs/inode';
import { EBADF, EMFILE } from '../../../kernel-model/include/errno';
import { checkModel } from '../../helpers/model-check';

const sb = new SuperBlock('test', 9, true);
const fileNo = new Map<File, number>();
function file(id: number): File {
  const f = new File(new RegInode(sb, {}, new Uint8Array(0)), 0, reg_file_operations);
  fileNo.set(f, id);
  return f;
}
const errno = errnoOf;

type Cmd =
  | { op: 'alloc'; cloexec: boolean; start: number }
  | { op: 'close'; fd: number }
  | { op: 'dup3'; old: number; fd: number }
  | { op: 'fork' }
  | { op: 'exec' };

describe('FilesStruct', () => {
  it('hands out the lowest free descriptor, EMFILE at the limit, EBADF for unknown ones', () => {
    const t = new FilesStruct(4);
    expect([0, 1, 2, 3].map((i) => t.alloc_fd(file(i), false))).toEqual([0, 1, 2, 3]);
    expect(errno(() => t.alloc_fd(file(9), false))).toBe(EMFILE);
    t.close_fd(1);
    expect(t.alloc_fd(file(5), false)).toBe(1);
    expect(errno(() => t.close_fd(7))).toBe(EBADF);
    expect(errno(() => t.fget(-1))).toBe(EBADF);
    expect(check_files(t)).toEqual([]);
  });

  it('property: agrees with a naive table through alloc, close, dup3, fork and exec', () => {
    checkModel<{ real: FilesStruct; oracle: NaiveFdTable; next: number }, Cmd>(
      {
        setup: () => ({ real: new FilesStruct(16), oracle: new NaiveFdTable(16), next: 0 }),
        command: fc.oneof(
          fc.record({ op: fc.constant('alloc' as const), cloexec: fc.boolean(), start: fc.integer({ min: 0, max: 17 }) }),
          fc.record({ op: fc.constant('close' as const), fd: fc.integer({ min: -1, max: 17 }) }),
          fc.record({ op: fc.constant('dup3' as const), old: fc.integer({ min: 0, max: 16 }), fd: fc.integer({ min: 0, max: 16 }) }),
          fc.constant({ op: 'fork' as const }),
          fc.constant({ op: 'exec' as const }),
        ),
        step: (s, c) => {
          const { real, oracle } = s;
          if (c.op === 'alloc') {
            const id = s.next++;
            const want = oracle.alloc(id, c.cloexec, c.start);
            const got = errno(() => real.alloc_fd(file(id), c.cloexec, c.start));
            if (typeof want === 'number') {
              expect(got).toBe('ok');
              expect(fileNo.get(real.fget(want))).toBe(id);
            } else expect(got).toBe(want === 'EMFILE' ? EMFILE : 22);
          } else if (c.op === 'close') {
            const had = oracle.map.delete(c.fd);
            expect(errno(() => real.close_fd(c.fd))).toBe(had ? 'ok' : EBADF);
          } else if (c.op === 'dup3') {
            const src = oracle.map.get(c.old);
            if (!src) expect(errno(() => real.fget(c.old))).toBe(EBADF);
            else {
              oracle.map.set(c.fd, { id: src.id, cloexec: false });
              real.replace_fd(c.fd, real.fget(c.old), false);
            }
          } else if (c.op === 'fork') {
            s.real = real.fork();
          } else {
            for (const [fd, e] of [...oracle.map]) if (e.cloexec) oracle.map.delete(fd);
            real.close_on_exec();
          }
          expect(s.real.fds()).toEqual([...oracle.map.keys()].sort((a, b) => a - b));
          for (const [fd, e] of oracle.map) {
            expect(fileNo.get(s.real.fget(fd))).toBe(e.id);
            expect(s.real.get_close_on_exec(fd)).toBe(e.cloexec);
          }
        },
        check: (s) => check_files(s.real),
      },
      { numRuns: 100, maxLength: 60, seed: 1 },
    );
  });
});
