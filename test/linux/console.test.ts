// SPDX-License-Identifier: GPL-2.0-only
// The console of a Linux run (linux/console.ts): the lines that end a run, and the host's input into the PL011.
import { afterEach, describe, expect, it } from 'vitest';
import type { Machine } from '../../emulator/machine';
import { Pl011, PL011_INT } from '../../emulator/devices/pl011';
import { LinuxConsole, type ConsoleInput } from '../../linux/console';
import { smallMachine } from '../helpers/machine';

let m: Machine | undefined;
afterEach(() => {
  m?.dispose();
  m = undefined;
});

const IMSC = 0x38;
const LCR_H = 0x2c;
const DR = 0x00;
const FR = 0x18;
const FR_RXFE = 1 << 4;

async function setup(opts: { input?: ConsoleInput; stopAtPrompt?: boolean } = {}): Promise<{ m: Machine; uart: Pl011; con: LinuxConsole }> {
  m = await smallMachine();
  const uart = m.console as Pl011;
  const con = new LinuxConsole(m, { uart, ...opts });
  return { m, uart, con };
}

const print = (uart: Pl011, text: string): void => {
  for (const ch of text) uart.write(DR, 1, BigInt(ch.charCodeAt(0)));
};

describe('the Linux console', () => {
  it('ends the run at the power-off line, keeping the --exec status printed before it', async () => {
    const { m, uart, con } = await setup();
    print(uart, 'hello\r\nuconsole-mm: exit status 3\r\n[    0.545622] reboot: System halted\r\n');
    expect(con.exitStatus).toBe(3);
    expect(con.end).toEqual({ reason: 'power-off', message: 'reboot: System halted' });
    expect(m.status?.ok).toBe(true);
    expect(con.lines.slice(-3)).toEqual(['hello', 'uconsole-mm: exit status 3', '[    0.545622] reboot: System halted']);
  });

  it('ends it, not ok, at the end of a panic', async () => {
    const { m, uart, con } = await setup();
    print(uart, '[    0.6] ---[ end Kernel panic - not syncing: VFS: Unable to mount root fs ]---\n');
    expect(con.end?.reason).toBe('panic');
    expect(m.status?.ok).toBe(false);
  });

  it('notes the prompt only after /init said the shell starts, and stops there when asked', async () => {
    const { m, uart, con } = await setup({ stopAtPrompt: true });
    print(uart, 'a # \r\n');
    expect(con.prompt).toBeUndefined();
    print(uart, 'uconsole-mm: busybox sh on the console\r\n/ # ');
    expect(con.prompt).toBeDefined();
    expect(con.end?.reason).toBe('prompt');
    expect(m.halted).toBe(true);
  });

  it('asks the host for input only while the driver takes it by interrupt, fills the FIFO, keeps the rest, sends the end as Ctrl-D once the guest waits', async () => {
    const asked: number[] = [];
    const answers: (Uint8Array | null)[] = [new TextEncoder().encode('0123456789abcdefXYZ'), null];
    const { uart, con } = await setup({ input: (ms) => (asked.push(ms), answers.shift()) });
    expect(con.waitForInput(undefined)).toBe(false); // receive interrupt masked: the host is not asked
    expect(asked).toEqual([]);
    uart.write(LCR_H, 4, 0x70n);
    uart.write(IMSC, 4, BigInt(PL011_INT.RX | PL011_INT.RT));
    expect(con.waitForInput(undefined)).toBe(true);
    expect(asked).toEqual([Infinity]); // no timer: wait until something comes
    const read = (n: number): string => String.fromCharCode(...Array.from({ length: n }, () => uart.read(DR)));
    expect(read(16)).toBe('0123456789abcdef');
    con.round(); // the rest, now that there is room
    expect(read(3)).toBe('XYZ');
    con.round();
    expect(con.waitForInput(2_000_000)).toBe(true); // 2 ms to the next timer: waits at most that long; the input ended
    expect(asked).toEqual([Infinity, 2]);
    con.round();
    expect(uart.read(FR) & FR_RXFE).toBe(FR_RXFE); // the end is not sent while the guest is busy ...
    expect(con.waitForInput(undefined)).toBe(true); // ... but when it waits again
    expect(uart.read(DR)).toBe(0x04);
    expect(con.waitForInput(undefined)).toBe(false); // once
    expect(asked).toEqual([Infinity, 2]);
  });

  it('stops the run when the host asks (Ctrl-A x)', async () => {
    const { m, uart, con } = await setup({ input: () => 'halt' });
    uart.write(IMSC, 4, BigInt(PL011_INT.RX));
    expect(con.waitForInput(undefined)).toBe(true);
    expect(con.end?.reason).toBe('host-halt');
    expect(m.status?.ok).toBe(true);
  });
});
