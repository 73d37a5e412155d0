import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../emulator/machine';
import { firmwareBoot, parseImageHeader } from '../../firmware/boot';
import { bootDir, ensureImages } from '../../images/build';
import {
  addNode, decodeReg, decodeString, decodeU64, encodeCells, encodeU32, getNode, getProp, parseFdt, setProp, writeFdt,
} from '../../lib/fdt';
import { bootUconsole } from '../../api/uconsole';

let dirs: string[] = [];
/** A copy of a board's boot partition that a test may damage. */
function scratchBoot(board = 'uconsole-cm4'): string {
  const d = mkdtempSync(join(tmpdir(), 'uconsole-boot-'));
  cpSync(bootDir(board), d, { recursive: true });
  dirs.push(d);
  return d;
}
beforeAll(async () => {
  await ensureImages();
});
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('firmware stage', () => {
  it('fills /memory, bootargs and the spin table, and places the armstub, kernel and DTB', async () => {
    const m = await Machine.create({ board: 'uconsole-cm4', ram: 4 * 2 ** 30 });
    try {
      const h = firmwareBoot(m, { bootDir: bootDir('uconsole-cm4'), cmdline: 'console=ttyAMA0 foo=1' });
      expect(h.kernelPa).toBe(0x20_0000);
      expect(h.memory).toEqual([{ base: 0, size: 0x3b40_0000 }, { base: 0x4000_0000, size: 0xbc00_0000 }]);
      const mem = getNode(h.tree, '/memory@0');
      expect(decodeReg(getProp(mem, 'reg')!, 2, 1)).toEqual([{ address: 0, size: 0x3b40_0000 }, { address: 0x4000_0000, size: 0xbc00_0000 }]);
      expect(decodeString(getProp(getNode(h.tree, '/chosen'), 'bootargs')!)).toBe('coherent_pool=1M 8250.nr_uarts=1 snd_bcm2835.enable_compat_alsa=0 snd_bcm2835.enable_hdmi=1 vc_mem.mem_base=0x3ec00000 vc_mem.mem_size=0x40000000  console=ttyAMA0 foo=1');
      const releases = [0, 1, 2, 3].map((n) => decodeU64(getProp(getNode(h.tree, `/cpus/cpu@${n}`), 'cpu-release-addr')!));
      expect(releases).toEqual([0xd8n, 0xe0n, 0xe8n, 0xf0n]);
      expect(h.tree.memReserve[0]).toEqual({ address: 0, size: 0x1000 });
      expect(h.dtbPa % 8).toBe(0);
      expect(m.ram.u32(h.dtbPa)).toBe(0xedfe0dd0); // 0xd00dfeed, big-endian in memory
      expect(m.ram.u32(0xf8)).toBe(h.dtbPa); // dtb_ptr32
      expect(m.ram.u32(0xfc)).toBe(h.kernelPa); // kernel_entry32
      expect(m.ram.u64(0xf0)).toBe(0n); // the stub magic is cleared: it is spin_cpu3 now
      expect(m.ram.u32(h.kernelPa + 0x38)).toBe(0x644d5241);
    } finally {
      m.dispose();
    }
  });

  it('gives CPUs with two reg cells (rk3399.dtsi\'s /cpus) their release slots, leaving their child nodes alone', async () => {
    const d = scratchBoot('uconsole-a06');
    const tree = parseFdt(new Uint8Array(readFileSync(join(d, 'rk3399-clockworkpi-a06.dtb'))));
    const cpus = getNode(tree, '/cpus');
    setProp(cpus, '#address-cells', encodeU32(2));
    for (const name of ['cpu@0', 'cpu@1', 'cpu@2', 'cpu@3', 'cpu@100', 'cpu@101'])
      setProp(getNode(tree, `/cpus/${name}`), 'reg', encodeCells([0, parseInt(name.slice(4), 16)]));
    addNode(getNode(tree, '/cpus/cpu@100'), 'thermal-idle', [['#cooling-cells', encodeU32(2)]]);
    writeFileSync(join(d, 'two-cells.dtb'), writeFdt(tree));
    const m = await Machine.create({ board: 'uconsole-a06', ram: 2 * 2 ** 30 });
    try {
      const h = firmwareBoot(m, { bootDir: d, dtbPath: join(d, 'two-cells.dtb') });
      const releases = ['cpu@0', 'cpu@1', 'cpu@2', 'cpu@3', 'cpu@100', 'cpu@101'].map((n) => decodeU64(getProp(getNode(h.tree, `/cpus/${n}`), 'cpu-release-addr')!));
      expect(releases).toEqual([0xd8n, 0xe0n, 0xe8n, 0xf0n, 0x100n, 0x108n]);
      expect(getProp(getNode(h.tree, '/cpus/cpu@100/thermal-idle'), 'enable-method')).toBeUndefined();
    } finally {
      m.dispose();
    }
  });

  it('writes a given KASLR seed to /chosen/kaslr-seed as a u64, in the DTB in RAM too, and none otherwise', async () => {
    const m = await Machine.create({ board: 'uconsole-cm4', ram: 2 ** 30 });
    try {
      const h = firmwareBoot(m, { bootDir: bootDir('uconsole-cm4'), kaslrSeed: 0xfeed_beef_c0de_f00dn });
      const prop = getProp(getNode(h.tree, '/chosen'), 'kaslr-seed')!;
      expect(prop.length).toBe(8);
      expect(decodeU64(prop)).toBe(0xfeed_beef_c0de_f00dn);
      const inRam = m.ram.read(h.dtbPa, h.dtbSize);
      expect(decodeU64(getProp(getNode(parseFdt(inRam), '/chosen'), 'kaslr-seed')!)).toBe(0xfeed_beef_c0de_f00dn);
    } finally {
      m.dispose();
    }
    const plain = await Machine.create({ board: 'uconsole-cm4', ram: 2 ** 30 });
    try {
      expect(getProp(getNode(firmwareBoot(plain, { bootDir: bootDir('uconsole-cm4') }).tree, '/chosen'), 'kaslr-seed')).toBeUndefined();
    } finally {
      plain.dispose();
    }
  });

  it('honours gpu_mem from config.txt', async () => {
    const d = scratchBoot();
    writeFileSync(join(d, 'config.txt'), `${readFileSync(join(d, 'config.txt'), 'utf8')}gpu_mem=128\n`);
    const m = await Machine.create({ board: 'uconsole-cm4', ram: 2 ** 30 });
    try {
      expect(firmwareBoot(m, { bootDir: d }).memory).toEqual([{ base: 0, size: 0x3800_0000 }]);
    } finally {
      m.dispose();
    }
  });

  it('reads the arm64 Image header and rejects what is not one', () => {
    const img = readFileSync(join(bootDir('uconsole-cm4'), 'kernel8.img'));
    expect(parseImageHeader(img)).toEqual({ textOffset: 0, imageSize: expect.any(Number) });
    expect(() => parseImageHeader(new Uint8Array(100))).toThrow(/is not an arm64 Image \(magic 0x0, expected 0x644d5241\)/);
  });
});

describe('bad boot partitions give one clear error', () => {
  const boot = (d: string, extra = {}) => bootUconsole({ bootDir: d, ...extra });

  it('missing kernel image', async () => {
    const d = scratchBoot();
    rmSync(join(d, 'kernel8.img'));
    await expect(boot(d)).rejects.toThrow(/has no kernel image \(kernel8\.img\)/);
  });

  it('a kernel that is not an arm64 Image', async () => {
    const d = scratchBoot();
    writeFileSync(join(d, 'kernel8.img'), new Uint8Array(4096));
    await expect(boot(d)).rejects.toThrow(/kernel8\.img is not an arm64 Image/);
  });

  it('malformed DTB', async () => {
    const d = scratchBoot();
    writeFileSync(join(d, 'bcm2711-rpi-cm4.dtb'), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    await expect(boot(d)).rejects.toThrow(/bcm2711-rpi-cm4\.dtb: .*(magic|short)/);
  });

  it('malformed config.txt', async () => {
    const d = scratchBoot();
    writeFileSync(join(d, 'config.txt'), 'gpu_mem=lots\n');
    await expect(boot(d)).rejects.toThrow(/config\.txt.*line 1/);
  });

  it('unknown board and RAM size the board does not offer', async () => {
    await expect(bootUconsole({ board: 'uconsole-x9' })).rejects.toThrow(/unknown board "uconsole-x9"/);
    await expect(bootUconsole({ board: 'uconsole-cm3', ram: '4G' })).rejects.toThrow(/uconsole-cm3 has no 4G option \(offered: 1G\)/);
    await expect(bootUconsole({ ram: 'lots' })).rejects.toThrow(/bad RAM size "lots"/);
  });

  it('config.txt that leaves nothing to boot with', async () => {
    const d = scratchBoot();
    writeFileSync(join(d, 'config.txt'), 'gpu_mem=1024\n');
    await expect(boot(d)).rejects.toThrow(/gpu_mem=1024 leaves the ARM cores no memory below 1 GiB/);
    writeFileSync(join(d, 'config.txt'), 'device_tree=\n');
    await expect(boot(d)).rejects.toThrow(/empty device_tree=/);
  });

  it('a kernel command line with a NUL byte', async () => {
    await expect(bootUconsole({ cmdline: 'a\0b' })).rejects.toThrow(/command line contains a NUL byte/);
  });

  it('a DTB given with --dtb that does not exist', async () => {
    await expect(bootUconsole({ dtb: '/nonexistent/x.dtb' })).rejects.toThrow(/device tree \/nonexistent\/x\.dtb not found/);
  });
});
