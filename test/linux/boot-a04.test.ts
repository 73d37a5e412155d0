// SPDX-License-Identifier: GPL-2.0-only
// Debian's kernel on the A-04 (Allwinner H6): the Pine H64's tree under the
// A-04's model, the GIC-400 at 0x03021000, the console on UART0 through
// 8250_dw with its interrupt (TX and RX), all four CPUs through the spin
// table; and the oracle there, at 1 GB and 3 GB. Three boots of Linux (two
// in the oracle), each about 6 s of CPU time. Needs the cached kernel (and busybox for the shell);
// skipped with the fetch commands otherwise.
import { describe, expect, it } from 'vitest';
import { bootLinux } from '../../linux/boot';
import { runOracle } from '../../linux/oracle-run';
import type { ConsoleInput } from '../../linux/console';
import { cachedLinuxKernel } from '../../linux/package';
import { cachedBusybox } from '../../images/busybox';

const ready = cachedLinuxKernel() !== undefined && cachedBusybox() !== undefined;
const SKIP = 'skipped: Debian\'s kernel or busybox is not fetched (run "uconsole fetch linux" and "uconsole fetch busybox")';

describe.skipIf(!ready)(`Debian's kernel on the A-04 (${ready ? 'cached' : SKIP})`, () => {
  it('boots on four CPUs; a command reads a typed line through the UART\'s receive interrupt and exits with its own status', async () => {
    let sent = false;
    const typed: ConsoleInput = () => (sent ? null : ((sent = true), new TextEncoder().encode('hello a04\n')));
    const run = await bootLinux({ board: 'uconsole-a04', ram: '1G', input: typed, exec: 'read line; echo "got $line"; grep ttyS0 /proc/interrupts; exit 5' });
    const log = run.console;
    expect(log).toContain('Machine model: ClockworkPi A04');
    expect(log).toContain('earlycon: uart8250 at MMIO32 0x0000000005000000');
    expect(log).toContain('Root IRQ handler: gic_handle_irq');
    expect(log).toContain('arch_timer: cp15 timer(s) running at 24.00MHz (virt).');
    expect(log).toContain('smp: Brought up 1 node, 4 CPUs');
    expect(log).toMatch(/5000000\.serial: ttyS0 at MMIO 0x5000000 \(irq = \d+, base_baud = 1500000\) is a 16550A/);
    expect(log).toMatch(/got hello a04\r?\n/);
    // SPI 0 (GIC ID 32), counted on some CPU: the input came by interrupt
    const uart = /^\s*\d+:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+GIC-0\s+32 Level\s+ttyS0/m.exec(log);
    expect(uart!.slice(1).reduce((n, c) => n + Number(c), 0)).toBeGreaterThan(0);
    expect(run.exitStatus).toBe(5);
    expect(run.end.reason).toBe('power-off');
    expect(run.firmwareTags.size).toBe(0); // no VideoCore on the H6
    for (const absent of ['/psci', '/soc/clock@3001000', '/soc/pinctrl@300b000', '/soc/interrupt-controller@7021000']) expect(run.absent).toContain(absent);
    expect(run.absent).not.toContain('/soc/serial@5000000');
    expect(log).not.toMatch(/WARNING:|Oops|BUG:|Kernel panic/);
  }, 180_000);

  it('the oracle at 1 GB: DRAM from 0x40000000 all in ZONE_DMA, nothing differs without a known reason', async () => {
    const r = await runOracle({ board: 'uconsole-a04', ram: '1G' });
    const row = (key: string) => r.rows.find((x) => x.key === key);
    expect(r.linux.exitStatus).toBe(0);
    expect(row('zone DMA')).toMatchObject({ status: 'equal', linux: '[mem 0x0000000040000000-0x000000007fffffff]' });
    expect(row('zone DMA32')).toMatchObject({ status: 'equal', linux: 'empty' });
    expect(row('machine model (DT)')).toMatchObject({ status: 'equal', linux: 'ClockworkPi A04' });
    expect(row('zonelist total pages')).toMatchObject({ status: 'equal', linux: 'on 258048' });
    expect(row('CMA reserved (K)')).toMatchObject({ status: 'known', model: '8192', linux: '65536' });
    expect(row('buddyinfo zones:orders')).toMatchObject({ status: 'equal' });
    expect(row('iomem System RAM')).toMatchObject({ status: 'equal' });
    expect(r.rows.filter((x) => x.status === 'different')).toEqual([]);
  }, 300_000);

  it('the oracle at 3 GB (the default): the DRAM ends at 4 GiB, the 32-bit DMA limit, so ZONE_DMA is still all of it', async () => {
    const r = await runOracle({ board: 'uconsole-a04', ram: '3G' });
    const row = (key: string) => r.rows.find((x) => x.key === key);
    expect(row('zone DMA')).toMatchObject({ status: 'equal', linux: '[mem 0x0000000040000000-0x00000000ffffffff]' });
    expect(row('zone DMA32')).toMatchObject({ status: 'equal', linux: 'empty' });
    expect(row('zone Normal')).toMatchObject({ status: 'equal', linux: 'empty' });
    expect(row('iomem System RAM')).toMatchObject({ status: 'equal' });
    expect(r.rows.filter((x) => x.status === 'different')).toEqual([]);
  }, 300_000);
});
