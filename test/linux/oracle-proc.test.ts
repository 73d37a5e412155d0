// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { compareProc, procFacts, splitCatOutput } from '../../linux/oracle-proc';
import { formatRows } from '../../linux/oracle';

const zone = (name: string, spanned: number, present: number, managed: number, cma: number): string =>
  `Node 0, zone ${name.padStart(8)}\n  pages free     1000\n        min      973\n        spanned  ${spanned}\n        present  ${present}\n        managed  ${managed}\n        cma      ${cma}\n        protection: (0, 0, 0, 0)\n`;

const cpu = (n: number, part = '0xd08'): string =>
  `processor\t: ${n}\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: ${part}\nCPU revision\t: 3\n`;

/** The model's /proc on a 1 GB CM4 (shortened), as `uconsole boot` prints it. */
const MODEL = new Map([
  ['/proc/buddyinfo', 'Node 0, zone      DMA      5      4      4      4      4      4      6      6      6      4    228 \n'],
  ['/proc/zoneinfo', zone('DMA', 242688, 242688, 238492, 98304) + zone('DMA32', 0, 0, 0, 0) + zone('Normal', 0, 0, 0, 0)],
  ['/proc/iomem', '00000000-3b3fffff : System RAM\n  00000000-00000fff : reserved\n  00200000-00202fff : Kernel code\n'],
  ['/proc/cpuinfo', [0, 1, 2, 3].map((n) => cpu(n)).join('\n')],
]);

/** Debian's, as its shell cats them: other free counts, a 30 MB image, devices in iomem. */
const LINUX_CAT = [
  '==> /proc/buddyinfo <==',
  'Node 0, zone      DMA     12     10      8      7      5      4      3      3      2      1    200 ',
  '==> /proc/zoneinfo <==',
  zone('DMA', 242688, 242688, 226130, 98304) + zone('DMA32', 0, 0, 0, 0),
  '==> /proc/iomem <==',
  '00000000-3b3fffff : System RAM\n  00000000-00000fff : reserved\n  00210000-0165ffff : Kernel code\nfe201000-fe2011ff : serial@7e201000',
  '==> /proc/cpuinfo <==',
  [0, 1, 2, 3].map((n) => cpu(n)).join('\n'),
].join('\n');

describe('the /proc half of the oracle', () => {
  it('splits a shell\'s `head`-style output into files', () => {
    const files = splitCatOutput(LINUX_CAT);
    expect([...files.keys()]).toEqual(['/proc/buddyinfo', '/proc/zoneinfo', '/proc/iomem', '/proc/cpuinfo']);
    expect(files.get('/proc/iomem')).toMatch(/^00000000-3b3fffff : System RAM\n[^]*serial@7e201000\n$/);
  });

  it('keeps what the hardware decides: zone shape, spanned and present, System RAM, the CPUs', () => {
    const f = procFacts(MODEL);
    expect(f.get('buddyinfo zones:orders')).toBe('DMA:11');
    expect(f.get('zoneinfo DMA spanned present')).toBe('242688 242688');
    expect(f.has('zoneinfo DMA32 spanned present')).toBe(false);
    expect(f.get('iomem System RAM')).toBe('00000000-3b3fffff');
    expect(f.get('cpuinfo processors')).toBe('4');
    expect(f.get('cpuinfo CPU identification')).toBe('0x41 8 0x0 0xd08 3');
    expect(f.get('cpuinfo BogoMIPS')).toBe('108.00');
  });

  it('is equal where the hardware decides, explains managed pages within the bound, and flags the rest', () => {
    const rows = compareProc(MODEL, splitCatOutput(LINUX_CAT));
    const by = (k: string) => rows.find((r) => r.key === k)!;
    expect(by('buddyinfo zones:orders').status).toBe('equal');
    expect(by('zoneinfo DMA spanned present').status).toBe('equal');
    expect(by('zoneinfo DMA managed').status).toBe('known');
    expect(by('iomem System RAM').status).toBe('equal');
    expect(by('cpuinfo CPU identification').status).toBe('equal');
    expect(formatRows(rows)).toMatch(/0 unexplained\n$/);
    // More managed pages in Linux than in the model, a present count off by one, another CPU part: unexplained.
    const off = compareProc(MODEL, splitCatOutput(LINUX_CAT.replace('managed  226130', 'managed  240000').replace('present  242688', 'present  242687').replace(/0xd08/g, '0xd03')));
    const byOff = (k: string) => off.find((r) => r.key === k)!;
    expect(byOff('zoneinfo DMA managed').status).toBe('different');
    expect(byOff('zoneinfo DMA spanned present').status).toBe('different');
    expect(byOff('cpuinfo CPU identification').status).toBe('different');
  });
});
