// SPDX-License-Identifier: GPL-2.0-only
/*
 * Builds each board's boot partition from the project's own sources, the
 * way a distribution image carries it:
 *
 *   images/build/<board>/config.txt     firmware configuration
 *   images/build/<board>/cmdline.txt    kernel command line
 *   images/build/<board>/kernel8.img    arm64 Image (images/kernel/head.S)
 *   images/build/<board>/System.map     its symbols, Linux's nm format
 *   images/build/<board>/armstub8.bin   firmware/armstub/armstub8.S
 *   images/build/<board>/<dtb>          the board's device tree (images/dtb.ts)
 *   images/build/<board>/initramfs.cpio the initramfs (images/initramfs.ts)
 *
 * Nothing prebuilt is committed. A stamp holds a hash of every input, so
 * the build runs again only when a source changed; files are written to a
 * temporary name and renamed, so concurrent test workers never see half a
 * file.
 */

import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../emulator/arm64/assembler';
import { BOARDS } from '../emulator/board/boards';
import type { BoardProfile } from '../emulator/board/profile';
import { imageSymbols } from '../kernel-model/arch/arm64/kernel/kcalls';
import { percpu_section_asm } from '../kernel-model/mm/percpu/static_vars';
import { writeFdt } from '../lib/fdt';
import { boardDeviceTree } from './dtb';
import { buildInitramfs, crossCompilerAvailable } from './initramfs';
import { cachedBusybox } from './busybox';
import { projectRoot } from '../lib/project-root';
import { checkStamp, writeAtomic } from '../lib/build/file-stamp.cjs';

export { projectRoot };

/** The 5.10 VA_BITS=39 link address of the image (KIMAGE_VADDR), used in System.map. */
export { KIMAGE_VADDR } from '../kernel-model/arch/arm64/memory';
import { KIMAGE_VADDR } from '../kernel-model/arch/arm64/memory';

export function bootDir(board: string): string {
  return join(projectRoot(), 'images', 'build', board);
}

/** Every file whose content decides the images. */
function inputs(root: string): string[] {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = `${d}/${e.name}`; // not join(): this runs at every boot
      if (e.isDirectory()) {
        if (e.name !== 'build') walk(p);
      } else if (/\.(S|ts|c|sh)$/.test(e.name)) files.push(p);
    }
  };
  for (const d of ['images', 'firmware', 'emulator/board']) walk(join(root, d));
  files.push(join(root, 'kernel-model/arch/arm64/kernel/kcalls.ts'), join(root, 'emulator/arm64/assembler.ts'), join(root, 'lib/cpio/newc.ts'), join(root, 'kernel-model/fs/mem_devices.ts'));
  files.push(join(root, 'kernel-model/mm/percpu/static_vars.ts'), join(root, 'kernel-model/mm/vmstat_items.ts'));
  const busybox = cachedBusybox(root);
  if (busybox) files.push(busybox); // fetched by `uconsole fetch busybox`: the initramfs carries it
  return files.sort();
}


/** Linux's System.map: "%016lx %c %s", sorted by address. */
function systemMap(symbols: Map<string, bigint>, labels: string[]): string {
  return labels
    .map((name) => [KIMAGE_VADDR + symbols.get(name)!, name] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([addr, name]) => `${addr.toString(16).padStart(16, '0')} ${name.startsWith('__') ? 't' : 'T'} ${name}\n`)
    .join('');
}

/** head.S with the static per-CPU section (the kernel model's DEFINE_PER_CPU list) in place of its marker. */
function kernelSource(root: string): string {
  const marker = '// @PERCPU_SECTION@';
  const src = readFileSync(join(root, 'images/kernel/head.S'), 'utf8');
  if (!src.includes(marker)) throw new Error(`images/kernel/head.S: no ${marker} line`);
  return src.replace(marker, percpu_section_asm());
}

/**
 * config.txt. The CM4 one carries the uConsole's own lines (its CM4
 * image's config.txt: clockworkpi/uConsole Code/patch/cm4/20230630/
 * README.md and wiki "How uConsole CM4 OS image is made"): the KMS
 * overlay with 384 MB of CMA, and the uConsole's panel, PMU and audio
 * overlays, which the firmware model reports as not modelled.
 */
function configTxt(b: BoardProfile): string {
  const uconsole =
    b.soc === 'BCM2711'
      ? [
          'ignore_lcd=1',
          'dtoverlay=dwc2,dr_mode=host',
          'dtoverlay=vc4-kms-v3d-pi4,cma-384',
          'dtoverlay=devterm-pmu',
          'dtoverlay=devterm-panel-uc',
          'dtoverlay=devterm-misc',
          'dtoverlay=audremap,pins_12_13',
        ]
      : [];
  return [
    `# ${b.description}: boot configuration built by uconsole-mm (images/build.ts)`,
    '[all]',
    'arm_64bit=1',
    'kernel=kernel8.img',
    'armstub=armstub8.bin',
    `device_tree=${b.dtbName}`,
    'enable_uart=1',
    'initramfs initramfs.cpio followkernel',
    ...uconsole,
    '',
  ].join('\n');
}

export interface BuiltImages {
  boards: string[];
  rebuilt: boolean;
}

/**
 * Build the boot partitions of every board if any source changed.
 * @param log progress lines (setup prints them)
 */
export async function ensureImages(log: (line: string) => void = () => {}): Promise<BuiltImages> {
  const root = projectRoot();
  const outRoot = join(root, 'images', 'build');
  // The initramfs has the C programs only where the cross compiler is: installing it must rebuild.
  const stamp = checkStamp(join(outRoot, '.stamp'), inputs(root), root, `cross-cc:${crossCompilerAvailable()}`);
  const names = BOARDS.map((b) => b.name);
  if (stamp.current && names.every((n) => existsSync(join(outRoot, n, 'kernel8.img')) && existsSync(join(outRoot, n, 'initramfs.cpio'))))
    return { boards: names, rebuilt: false };

  log('building boot images from source (images/, firmware/)');
  const kernel = await assemble(kernelSource(root), 0n, imageSymbols());
  const armstub = await assemble(readFileSync(join(root, 'firmware/armstub/armstub8.S'), 'utf8'), 0n);
  const map = systemMap(kernel.symbols, kernel.labels);
  const initramfs = await buildInitramfs(root);
  if (initramfs.missing) log(`initramfs: ${initramfs.missing}`);
  for (const b of BOARDS) {
    const dir = join(outRoot, b.name);
    mkdirSync(dir, { recursive: true });
    writeAtomic(join(dir, 'kernel8.img'), kernel.bytes);
    writeAtomic(join(dir, 'System.map'), map);
    writeAtomic(join(dir, 'armstub8.bin'), armstub.bytes);
    writeAtomic(join(dir, b.dtbName), writeFdt(boardDeviceTree(b)));
    writeAtomic(join(dir, 'config.txt'), configTxt(b));
    writeAtomic(join(dir, 'cmdline.txt'), `${b.defaultCmdline}\n`);
    writeAtomic(join(dir, 'initramfs.cpio'), initramfs.bytes);
    log(`  ${b.name}: kernel8.img ${kernel.bytes.length} bytes, ${b.dtbName}, initramfs.cpio ${initramfs.bytes.length} bytes (${initramfs.programs.join(' ')})`);
  }
  stamp.write();
  return { boards: names, rebuilt: true };
}
