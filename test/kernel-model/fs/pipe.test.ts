// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { BrokenPipe, PIPE_BUF, PIPE_SIZE, Pipe, WouldBlock } from '../../../kernel-model/fs/pipe';
import { ErrnoError } from '../../../kernel-model/fs/errno';
import { EAGAIN } from '../../../kernel-model/include/errno';

/** A pipe with one reader and one writer; `put` writes through the pipe's own buffers as a write(2) does. */
function pipe() {
  const p = new Pipe(() => {});
  p.readers = 1;
  p.writers = 1;
  const put = (bytes: Uint8Array): number => {
    const b = p.write_buffer(bytes.length);
    b.set(bytes);
    return p.write(b, false);
  };
  return { p, put };
}

const pattern = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

describe('pipes (fs/pipe.ts)', () => {
  it('moves bytes in order, whole, through its reused buffers', () => {
    const { p, put } = pipe();
    const want: number[] = [];
    const got: number[] = [];
    for (let round = 0; round < 40; round++) {
      const data = pattern(1 + ((round * 9973) % PIPE_SIZE), round);
      if (p.buffered + data.length > PIPE_SIZE) {
        const out = p.read(PIPE_SIZE, false).slice(); // as read(2) copies it out at once
        got.push(...out);
      }
      const n = put(data);
      want.push(...data.subarray(0, n));
      if (round % 3 === 0) got.push(...p.read(1 + round * 101, false));
    }
    while (p.buffered > 0) got.push(...p.read(4096, false));
    expect(got.length).toBe(want.length);
    expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
  });

  it('a full pipe blocks a write before taking a byte (atomic up to PIPE_BUF), O_NONBLOCK is EAGAIN, no reader is EPIPE; a zero-length write is 0', () => {
    const { p, put } = pipe();
    expect(put(new Uint8Array(PIPE_SIZE - 100))).toBe(PIPE_SIZE - 100);
    expect(() => p.may_write(PIPE_BUF, false)).toThrow(WouldBlock);
    expect(() => p.may_write(50, false)).not.toThrow();
    try {
      p.may_write(PIPE_BUF, true);
      expect.unreachable();
    } catch (e) {
      expect((e as ErrnoError).errno).toBe(EAGAIN);
    }
    expect(p.write(new Uint8Array(0), false)).toBe(0);
    p.readers = 0;
    expect(() => p.may_write(1, false)).toThrow(BrokenPipe);
  });
});
