// Memory as the real device reserves it: /reserved-memory and CMA, cma=, swiotlb,
// the firmware's DTB placement and overlays, at boot, with bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootDir, ensureImages } from '../../../images/build';
import { addNode, encodeCells, encodeString, encodeU32, findNode, parseFdt, setProp, writeFdt, type DeviceTree } from '../../../lib/fdt';
import { check_page_allocator } from '../../../kernel-model/mm/page_alloc';
import { logLines, withUconsole } from '../../helpers/boot';

const dirs: string[] = [];
beforeAll(async () => {
  await ensureImages();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A copy of the CM4 boot partition with config.txt's overlay line replaced (null: removed). */
function bootWith(overlay: string | null): string {
  const d = mkdtempSync(join(tmpdir(), 'uconsole-rmem-'));
  cpSync(bootDir('uconsole-cm4'), d, { recursive: true });
  const cfg = readFileSync(join(d, 'config.txt'), 'utf8').replace('dtoverlay=vc4-kms-v3d-pi4,cma-384', overlay ?? '');
  writeFileSync(join(d, 'config.txt'), cfg);
  dirs.push(d);
  return d;
}

/** The CM4 DTB, edited, written to a file of its own. */
function dtbWith(edit: (t: DeviceTree) => void): string {
  const t = parseFdt(new Uint8Array(readFileSync(join(bootDir('uconsole-cm4'), 'bcm2711-rpi-cm4.dtb'))));
  edit(t);
  const d = mkdtempSync(join(tmpdir(), 'uconsole-dtb-'));
  dirs.push(d);
  const path = join(d, 'test.dtb');
  writeFileSync(path, writeFdt(t));
  return path;
}

const cmaLine = (log: string[]): string | undefined => log.find((l) => l.startsWith('Reserved memory: created CMA memory pool'));
const swiotlbLine = (log: string[]): string | undefined => log.find((l) => l.startsWith('software IO TLB:'));

describe('the uConsole\'s config.txt (dtoverlay=vc4-kms-v3d-pi4,cma-384)', () => {
  it.each(['1G', '2G', '4G', '8G'])('%s: 384 MiB of CMA below the DTB, swiotlb only above 1 GB', async (ram) => {
    await withUconsole({ ram }, (u) => {
      const log = logLines(u);
      expect(cmaLine(log)).toBe('Reserved memory: created CMA memory pool at 0x0000000016c00000, size 384 MiB');
      expect(log[log.indexOf(cmaLine(log)!) + 1]).toBe('OF: reserved mem: initialized node linux,cma, compatible id shared-dma-pool');
      expect(log.indexOf(cmaLine(log)!)).toBeLessThan(log.indexOf('Zone ranges:'));
      if (ram === '1G') expect(swiotlbLine(log)).toBeUndefined();
      else expect(swiotlbLine(log)).toBe('software IO TLB: mapped [mem 0x0000000037400000-0x000000003b400000] (64MB)');
      expect(log.find((l) => l.startsWith('Memory:'))).toMatch(/ 393216K cma-reserved\)$/);
      expect(u.readFile('/proc/meminfo')).toMatch(/\nCmaTotal:         393216 kB\nCmaFree:          393216 kB\n$/);
      expect(u.firmware.dtbPa + u.firmware.dtbSize).toBeLessThanOrEqual(0x2f00_0000);
      expect(u.firmware.log).toContain('dtoverlay=devterm-pmu: overlay not modelled (ignored)');
      expect(u.firmware.log.filter((l) => l.includes('devterm-pmu'))).toHaveLength(1);
      expect(check_page_allocator(u.kernel.mm.pgalloc)).toEqual([]);
    });
  });

  it.each([
    ['dtoverlay=vc4-kms-v3d-pi4,cma-64', '0x0000000037400000, size 64 MiB', '0x0000000033400000-0x0000000037400000'],
    ['dtoverlay=vc4-kms-v3d-pi4,cma-256', '0x000000001ec00000, size 256 MiB', '0x0000000037400000-0x000000003b400000'],
    ['dtoverlay=vc4-kms-v3d-pi4,cma-512', '0x000000000ec00000, size 512 MiB', '0x0000000037400000-0x000000003b400000'],
    ['dtoverlay=vc4-kms-v3d-pi4', '0x000000001ec00000, size 256 MiB', '0x0000000037400000-0x000000003b400000'],
    ['dtoverlay=vc4-kms-v3d-pi4,cma-size=0x6000000', '0x0000000035400000, size 96 MiB', '0x0000000031400000-0x0000000035400000'],
    ['dtoverlay=vc4-kms-v3d-pi4\ndtparam=cma-128', '0x0000000033400000, size 128 MiB', '0x000000002f400000-0x0000000033400000'],
  ])('%s at 4 GB', async (overlay, pool, tlb) => {
    await withUconsole({ bootDir: bootWith(overlay) }, (u) => {
      const log = logLines(u);
      expect(cmaLine(log)).toBe(`Reserved memory: created CMA memory pool at ${pool}`);
      expect(swiotlbLine(log)).toBe(`software IO TLB: mapped [mem ${tlb}] (64MB)`);
    });
  });

  it('without the overlay the DT\'s own linux,cma node is honoured: 64 MiB at the top of the first 1 GiB (as a distribution DTB on a 1 GB CM4)', async () => {
    await withUconsole({ bootDir: bootWith(null), ram: '1G' }, (u) => {
      expect(cmaLine(logLines(u))).toBe('Reserved memory: created CMA memory pool at 0x0000000037400000, size 64 MiB');
    });
  });

  it('an unknown cma parameter is reported and leaves the overlay\'s default', async () => {
    await withUconsole({ bootDir: bootWith('dtoverlay=vc4-kms-v3d-pi4,cma-100') }, (u) => {
      expect(u.firmware.log).toContain('dtoverlay vc4-kms-v3d-pi4: parameter cma-100 not modelled (ignored)');
      expect(cmaLine(logLines(u))).toMatch(/size 256 MiB$/);
    });
  });
});

describe('cma= on the command line', () => {
  it('takes precedence over the DT\'s default CMA node, with Linux\'s lines', async () => {
    await withUconsole({ cmdline: 'console=ttyAMA0,115200 cma=128M' }, (u) => {
      const log = logLines(u);
      const at = log.indexOf('Reserved memory: bypass linux,cma node, using cmdline CMA params instead');
      expect(at).toBeGreaterThan(0);
      expect(log[at + 1]).toBe('OF: reserved mem: node linux,cma compatible matching fail');
      expect(log[at + 2]).toBe('cma: Reserved 128 MiB at 0x0000000033400000');
      expect(log.find((l) => l.startsWith('Memory:'))).toMatch(/ 131072K cma-reserved\)$/);
      expect(check_page_allocator(u.kernel.mm.pgalloc)).toEqual([]);
    });
  });

  it('cma=size@base-limit places it in that range', async () => {
    await withUconsole({ cmdline: 'cma=64M@0x10000000-0x20000000' }, (u) => {
      expect(logLines(u)).toContain('cma: Reserved 64 MiB at 0x000000001c000000');
    });
  });

  it('cma=junk reads as size 0 (memparse stops at once): no CMA at all, as on Linux', async () => {
    await withUconsole({ cmdline: 'cma=junk' }, (u) => {
      const log = logLines(u);
      expect(log).toContain('Reserved memory: bypass linux,cma node, using cmdline CMA params instead');
      expect(log.some((l) => l.startsWith('cma: Reserved'))).toBe(false);
      expect(log.find((l) => l.startsWith('Memory:'))).toMatch(/ 0K cma-reserved\)$/);
      expect(u.readFile('/proc/meminfo')).toMatch(/\nCmaTotal:              0 kB\n/);
    });
  });

  it('a cma= size that does not fit below the DMA limit fails with Linux\'s lines and the boot goes on', async () => {
    await withUconsole({ cmdline: 'cma=2G' }, (u) => {
      const log = logLines(u);
      expect(log).toContain('cma: Size (0x0000000080000000) of region at 0x0000000000000000 exceeds limit (0x0000000040000000)');
      expect(log).toContain('cma: Failed to reserve 2048 MiB');
      expect(u.kernel.state).toBe('running');
    });
  });
});

describe('bad /reserved-memory nodes: Linux\'s line, that region skipped, the boot goes on', () => {
  const rm = (t: DeviceTree) => findNode(t, '/reserved-memory')!;
  it.each<[string, (t: DeviceTree) => void, string]>([
    ['a reg of the wrong length', (t) => addNode(rm(t), 'bad@1000000', [['reg', encodeCells([0, 0x100_0000])]]), "OF: fdt: Reserved memory: invalid reg property in 'bad@1000000', skipping node."],
    ['a size of the wrong length', (t) => addNode(rm(t), 'pool', [['compatible', encodeString('shared-dma-pool')], ['size', encodeCells([0, 0x100_0000])]]), "OF: reserved mem: invalid size property in 'pool' node."],
    ['alloc-ranges of the wrong length', (t) => setProp(findNode(t, '/reserved-memory/linux,cma')!, 'alloc-ranges', encodeCells([0, 0x4000_0000])), "OF: reserved mem: invalid alloc-ranges property in 'linux,cma', skipping node."],
    ['a CMA size that does not fit its range', (t) => setProp(findNode(t, '/reserved-memory/linux,cma')!, 'size', encodeCells([0x8000_0000])), "OF: reserved mem: failed to allocate memory for node 'linux,cma'"],
    ['a /reserved-memory whose cells differ from the root\'s', (t) => setProp(rm(t), '#size-cells', encodeU32(2)), 'OF: fdt: Reserved memory: unsupported node format, ignoring'],
  ])('%s', async (_what, edit, line) => {
    // Without the overlay, which would set the CMA size itself.
    await withUconsole({ dtb: dtbWith(edit), ram: '1G', bootDir: bootWith(null) }, (u) => {
      const log = logLines(u);
      expect(log).toContain(line);
      expect(u.kernel.state).toBe('running');
      expect(check_page_allocator(u.kernel.mm.pgalloc)).toEqual([]);
    });
  });

  it('overlapping static regions: both reserved, OVERLAP DETECTED, no-map memory leaves memblock', async () => {
    const dtb = dtbWith((t) => {
      addNode(rm(t), 'a@8000000', [['reg', encodeCells([0, 0x800_0000, 0x20_0000])]]);
      addNode(rm(t), 'b@8100000', [['reg', encodeCells([0, 0x810_0000, 0x20_0000])], ['no-map', new Uint8Array(0)]]);
    });
    await withUconsole({ dtb, ram: '1G' }, (u) => {
      const log = logLines(u);
      const at = log.indexOf('OF: reserved mem: OVERLAP DETECTED!');
      expect(at).toBeGreaterThan(0);
      expect(log[at + 1]).toBe('a@8000000 (0x0000000008000000--0x0000000008200000) overlaps with b@8100000 (0x0000000008100000--0x0000000008300000)');
      // no-map (5.10.17: memblock_remove): a hole in the node ranges.
      expect(log).toContain('  node   0: [mem 0x0000000000000000-0x00000000080fffff]');
      expect(log).toContain('  node   0: [mem 0x0000000008300000-0x000000003b3fffff]');
      expect(check_page_allocator(u.kernel.mm.pgalloc)).toEqual([]);
    });
  });

  it('a non-reusable shared-dma-pool is a reserved DMA pool, not CMA', async () => {
    const dtb = dtbWith((t) => addNode(rm(t), 'dmapool', [['compatible', encodeString('shared-dma-pool')], ['size', encodeCells([0x40_0000])], ['no-map', new Uint8Array(0)]]));
    await withUconsole({ dtb, ram: '1G' }, (u) => {
      const log = logLines(u);
      expect(log.some((l) => /^Reserved memory: created DMA memory pool at 0x[0-9a-f]{16}, size 4 MiB$/.test(l))).toBe(true);
      expect(log).toContain('OF: reserved mem: initialized node dmapool, compatible id shared-dma-pool');
    });
  });
});
