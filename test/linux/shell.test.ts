// SPDX-License-Identifier: GPL-2.0-only
// Debian's kernel to a busybox shell on the emulated CM4: user space runs
// (exceptions from EL0 taken by Linux), the console is ttyAMA0 through the
// amba-pl011 driver, the mini-UART is ttyS0 through 8250_bcm2835aux, --exec
// ends the run with the command's exit status.
// Needs the cached kernel ("uconsole fetch linux") and busybox ("uconsole
// fetch busybox"); skipped with that message otherwise.
import { describe, expect, it } from 'vitest';
import { bootLinux } from '../../linux/boot';
import type { ConsoleInput } from '../../linux/console';
import { cachedLinuxKernel } from '../../linux/package';
import { cachedBusybox } from '../../images/busybox';

const ready = cachedLinuxKernel() !== undefined && cachedBusybox() !== undefined;
const SKIP = 'skipped: Debian\'s kernel or busybox is not fetched (run "uconsole fetch linux" and "uconsole fetch busybox")';

describe.skipIf(!ready)(`Debian's kernel to a busybox shell (${ready ? 'cached' : SKIP})`, () => {
  it('runs --exec through /init: its output on ttyAMA0, bytes out of the mini-UART (ttyS0) by interrupt, exit status 0, then the power-off', async () => {
    // The mini-UART's interrupt is counted while fd 3 holds ttyS0 open (the 8250 core frees it at the last close).
    const run = await bootLinux({ ram: '1G', exec: 'echo hello; uname -m; exec 3>/dev/ttyS0; echo mini >&3; grep ttyS0 /proc/interrupts; exec 3>&-' });
    expect(run.end.reason).toBe('power-off');
    expect(run.console).toMatch(/ttyAMA0 at MMIO 0xfe201000 \(irq = \d+, base_baud = \d+\) is a PL011/);
    // base_baud: the firmware's core clock (500 MHz, fixed by enable_uart=1) * 2 / 16 (8250_bcm2835aux.c), as a real CM4 prints it
    expect(run.console).toMatch(/fe215040\.serial: ttyS0 at MMIO 0xfe215040 \(irq = \d+, base_baud = 62500000\) is a 16550\r?\n/);
    const m = /Run \/init as init process\r?\nhello\r?\naarch64\r?\n\s*\d+:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+GIC-0 125 Level\s+ttyS0\r?\nuconsole-mm: exit status 0\r?\n/.exec(run.console);
    expect(m, run.console.slice(-600)).not.toBeNull();
    expect(m!.slice(1).reduce((n, c) => n + Number(c), 0)).toBeGreaterThan(0); // written by the transmit interrupt
    expect(run.miniUart).toBe('mini\r\n'); // the tty's onlcr
    expect(run.absent).not.toEqual(expect.arrayContaining(['/soc/aux@7e215000']));
    expect(run.absent).not.toEqual(expect.arrayContaining(['/soc/serial@7e215040']));
    expect(run.exitStatus).toBe(0);
    expect(run.console).not.toMatch(/Kernel panic|Unable to handle|Internal error/);
  }, 120_000);

  it('reaches the prompt, takes typed input through the PL011\'s receive interrupt, the same way twice, byte for byte', async () => {
    // What a pipe into `uconsole boot --kernel linux` gives: the lines, then the end of input.
    const typed = (): ConsoleInput => {
      let sent = false;
      return () => (sent ? null : ((sent = true), new TextEncoder().encode('echo $((6*7)); grep pl011 /proc/interrupts; exit\n')));
    };
    const a = await bootLinux({ ram: '1G', input: typed() });
    const b = await bootLinux({ ram: '1G', input: typed() });
    expect(a.end.reason).toBe('power-off');
    expect(a.console).toMatch(/uconsole-mm: busybox sh on the console\r?\n[\s\S]*built-in shell \(ash\)[\s\S]*\/ # /);
    expect(a.console).toMatch(/echo \$\(\(6\*7\)\); grep pl011 \/proc\/interrupts; exit\r?\n42\r?\n/); // echoed by the tty, then run
    const uart = /^\s*\d+:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+GIC-0 153 Level\s+uart-pl011/m.exec(a.console);
    expect(uart!.slice(1).reduce((n, c) => n + Number(c), 0)).toBeGreaterThan(0); // the input came by interrupt
    expect(a.prompt!.insns).toBeGreaterThan(0);
    expect(b.console).toBe(a.console);
    expect(b.prompt).toEqual(a.prompt);
    expect(b.insns).toBe(a.insns);
    expect(b.irqs).toEqual(a.irqs);
  }, 120_000);
});
