// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { ConsoleDevice, TIOCGWINSZ, TIOCSWINSZ } from '../../../kernel-model/fs/console';
import { File } from '../../../kernel-model/fs/file';
import { WouldBlock } from '../../../kernel-model/fs/pipe';
import { SIGWINCH } from '../../../kernel-model/include/signal';
import { AnonInode, SuperBlock } from '../../../kernel-model/fs/inode';
import { UserTask } from '../../../kernel-model/kernel/sched/task';

/** A console with its output and signals recorded, and a user-memory stand-in for ioctls. */
function console_() {
  let out = '';
  const signals: [number, number][] = [];
  const c = new ConsoleDevice((d) => (out += new TextDecoder().decode(d)));
  c.signalGroup = (pgrp, sig) => signals.push([pgrp, sig]);
  const f = new File(new AnonInode(new SuperBlock('test', 9, false), 'console'), 2, c.fops);
  const mem = new Map<bigint, Uint8Array>();
  const io = { copyFromUser: (va: bigint) => mem.get(va), copyToUser: (va: bigint, d: Uint8Array) => (mem.set(va, d.slice()), true) };
  const read = (n = 4096): string => new TextDecoder().decode(c.fops.read(f, 0, n));
  return { c, f, io, mem, signals, read, out: () => out };
}

describe('the console device (fs/console.ts)', () => {
  it('a size change is a SIGWINCH for the foreground group, the same size is not; TIOCSWINSZ does the same', () => {
    const { c, f, io, mem, signals } = console_();
    c.fgPgrp = 7;
    c.setWinsize(40, 100);
    c.setWinsize(40, 100);
    expect(signals).toEqual([[7, SIGWINCH]]);
    c.fops.ioctl(f, TIOCGWINSZ, 0x100n, io);
    expect([...new Uint16Array(mem.get(0x100n)!.buffer)]).toEqual([40, 100, 0, 0]);
    mem.set(0x200n, new Uint8Array(new Uint16Array([50, 132, 0, 0]).buffer));
    expect(c.fops.ioctl(f, TIOCSWINSZ, 0x200n, io)).toBe(0n);
    expect(signals).toEqual([[7, SIGWINCH], [7, SIGWINCH]]);
  });

  it('input the line discipline has no room for is held and fed as reads make room: nothing a host pastes is lost', () => {
    const { c, read } = console_();
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i}\n`).join('');
    c.input(new TextEncoder().encode(lines));
    let got = '';
    for (let i = 0; i < 2000; i++) got += read();
    expect(got).toBe(lines);
  });

  it('a reader waits while a line is incomplete (the host is asked for more), not while it is stopped; a hangup ends the line', () => {
    const { c, read, out } = console_();
    const t = new UserTask(50, 50, 'reader', 0);
    c.input(new TextEncoder().encode('par'));
    expect(() => read()).toThrow(WouldBlock);
    c.readers.add(t);
    expect(c.starving).toBe(true);
    t.jobStop = true;
    expect(c.starving).toBe(false);
    t.jobStop = false;
    c.closeInput();
    expect(c.starving).toBe(false);
    expect(read()).toBe('par');
    expect(read()).toBe('');
    expect(out()).toBe('par'); // echoed as it came
  });
});
