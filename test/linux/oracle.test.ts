// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { compareBoots, extractFacts, formatRows } from '../../linux/oracle';
import { runOracle } from '../../linux/oracle-run';
import { cachedLinuxKernel } from '../../linux/package';
import { cachedBusybox } from '../../images/busybox';

const MODEL = `[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd083]
[    0.000000] Machine model: Raspberry Pi Compute Module 4 Rev 1.0
[    0.000000] Reserved memory: created CMA memory pool at 0x0000000016c00000, size 384 MiB
[    0.000000] Zone ranges:
[    0.000000]   DMA      [mem 0x0000000000000000-0x000000003b3fffff]
[    0.000000]   DMA32    empty
[    0.000000]   node   0: [mem 0x0000000000000000-0x000000003b3fffff]
[    0.000000]   DMA zone: 3792 pages used for memmap
[    0.000000] percpu: Embedded 10 pages/cpu s64 r8192 d32704 u40960
[    0.000000] Built 1 zonelists, mobility grouping on.  Total pages: 238896
[    0.000200] smp: Brought up 1 node, 4 CPUs
`;

describe('oracle comparison', () => {
  it('extracts the facts, ignoring timestamps and look-alike lines', () => {
    const f = extractFacts(MODEL);
    expect(f.get('zone DMA')).toBe('[mem 0x0000000000000000-0x000000003b3fffff]');
    expect(f.get('memory node ranges')).toBe('0 0x0000000000000000-0x000000003b3fffff');
    expect(f.get('zonelist total pages')).toBe('on 238896');
    expect(f.get('swiotlb')).toBe('');
  });

  it('marks equal rows, known differences only when the known explanation fits, and the rest as unexplained', () => {
    const linux = MODEL.replace('Rev 1.0', 'IO Board')
      .replace('0x0000000016c00000', '0x0000000016e00000')
      .replace('10 pages/cpu s64 r8192 d32704 u40960', '31 pages/cpu s87272 r8192 d31512 u126976');
    const rows = compareBoots(MODEL, linux, 4);
    const by = (k: string) => rows.find((r) => r.key === k)!;
    expect(by('zone DMA').status).toBe('equal');
    expect(by('machine model (DT)').status).toBe('known');
    expect(by('CMA pool').status).toBe('known');
    expect(by('percpu first chunk').status).toBe('known');
    expect(by("percpu rule on Debian's sizes")).toMatchObject({ status: 'equal', model: '31 pages/cpu s87272 r8192 d31512 u126976' });
    // a CMA pool placed 6 MiB away is not the alignment difference
    const far = compareBoots(MODEL, linux.replace('0x0000000016e00000', '0x0000000017200000'), 4);
    expect(far.find((r) => r.key === 'CMA pool')!.status).toBe('different');
    // a different total is a modelling error
    const off = compareBoots(MODEL, linux.replace('Total pages: 238896', 'Total pages: 238895'), 4);
    expect(off.find((r) => r.key === 'zonelist total pages')!.status).toBe('different');
    expect(formatRows(off)).toMatch(/1 unexplained\n$/);
  });
});

const fetched = cachedLinuxKernel() !== undefined;
const haveBusybox = cachedBusybox() !== undefined;
const skipNote = fetched ? 'kernel cached' : 'skipped: Debian\'s kernel is not fetched (run "uconsole fetch linux")';

describe.skipIf(!fetched)(`the oracle on the CM4 (${skipNote})`, () => {
  it('1 GB: Debian boots with all CPUs to its shell, which prints /proc, and nothing differs without a known reason', async () => {
    const r = await runOracle({ ram: '1G' });
    const log = r.linux.console;
    expect(r.proc).toBe(haveBusybox);
    if (r.proc) {
      expect(r.linux.exitStatus).toBe(0);
      for (const key of ['buddyinfo zones:orders', 'zoneinfo DMA spanned present', 'iomem System RAM', 'cpuinfo CPU identification', 'cpuinfo BogoMIPS'])
        expect(r.rows.find((row) => row.key === key)).toMatchObject({ status: 'equal' });
      expect(r.rows.find((row) => row.key === 'zoneinfo DMA managed')).toMatchObject({ status: 'known' });
    } else expect(r.linux.end.reason).toBe('panic');
    expect(log).toContain('smp: Brought up 1 node, 4 CPUs');
    expect(log).toContain('CPU: All CPU(s) started at EL1');
    expect(log).toContain('raspberrypi-firmware soc:firmware: Attached to firmware from 2023-03-17T10:50:39'); // through GIC SPI 33
    expect(log).not.toMatch(/WARNING:|Oops|BUG:/);
    expect(r.linux.irqs.every((n) => n > 0)).toBe(true);
    expect(r.rows.filter((row) => row.status === 'different')).toEqual([]);
    expect(r.rows.find((row) => row.key === 'zonelist total pages')).toMatchObject({ status: 'equal', linux: 'on 238896' });
  }, 300_000);

  // Each larger size is another full boot of both kernels (about 8 s of CPU time each).
  for (const ram of ['4G', '8G']) {
    it(`${ram}: nothing differs without a known reason`, async () => {
      const r = await runOracle({ ram });
      expect(r.linux.end.reason).toBe(r.proc ? 'power-off' : 'panic');
      expect(r.rows.filter((row) => row.status === 'different')).toEqual([]);
    }, 600_000);
  }
});

describe.skipIf(!fetched)(`the oracle on the CM3 (${skipNote})`, () => {
  it('1 GB: Debian boots on the BCM2837 with all CPUs, and nothing differs without a known reason', async () => {
    const r = await runOracle({ board: 'uconsole-cm3' });
    const log = r.linux.console;
    expect(r.linux.end.reason).toBe(r.proc ? 'power-off' : 'panic');
    expect(log).toContain('Machine model: Raspberry Pi Compute Module 3 IO board V3.0');
    expect(log).toContain('Root IRQ handler: bcm2836_arm_irqchip_handle_irq');
    expect(log).toContain('smp: Brought up 1 node, 4 CPUs');
    // the VideoCore mailbox through armctrl bank 0 bit 1: the firmware, clock and power drivers probe
    expect(log).toContain('bcm2835-mbox 3f00b880.mailbox: mailbox enabled');
    expect(log).toContain('raspberrypi-firmware soc:firmware: Attached to firmware from 2023-03-17T10:52:42');
    expect(log).not.toMatch(/Firmware transaction timeout|returned status|Failed to get clock/);
    for (const tag of [0x1, 0x10007, 0x30004, 0x30007, 0x30030]) expect(r.linux.firmwareTags.get(tag)).toBeGreaterThan(0);
    expect(log).not.toMatch(/WARNING:|Oops|BUG:/);
    expect(r.linux.irqs.every((n) => n > 0)).toBe(true);
    expect(r.rows.filter((row) => row.status === 'different')).toEqual([]);
    expect(r.rows.find((row) => row.key === 'generic timer')).toMatchObject({ status: 'equal', linux: 'cp15 timer(s) running at 19.20MHz (virt).' });
    expect(r.rows.find((row) => row.key === 'machine model (DT)')).toMatchObject({ status: 'known' });
  }, 300_000);
});
