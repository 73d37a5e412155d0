// SPDX-License-Identifier: GPL-2.0-only
// Debian's arm64 kernel on the emulated CM4. Needs the cached package
// ("uconsole fetch linux"); skipped with that message otherwise.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { projectRoot } from '../../lib/project-root';
import { bootLinux, kimageVaddr48 } from '../../linux/boot';
import { cachedLinuxKernel } from '../../linux/package';

const fetched = cachedLinuxKernel() !== undefined;
const SKIP = 'skipped: Debian\'s kernel is not fetched (run "uconsole fetch linux")';

describe('booting Linux: bad input', () => {
  it('refuses a file that is not an arm64 Image, in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lxbad-'));
    writeFileSync(join(dir, 'vmlinuz'), 'not a kernel at all'.repeat(10));
    writeFileSync(join(dir, 'x.dtb'), '');
    await expect(bootLinux({ kernelImage: join(dir, 'vmlinuz'), dtb: join(dir, 'x.dtb') })).rejects.toThrow(/vmlinuz is not an arm64 Image \(magic/);
  });

  it('refuses a board it does not know, in one line', async () => {
    await expect(bootLinux({ board: 'uconsole-a05' })).rejects.toThrow(/^unknown board "uconsole-a05" \(boards: uconsole-cm4, uconsole-cm3, uconsole-a06, uconsole-a04\)$/);
  });

  it('places the 48-bit kernel image at KIMAGE_VADDR by version', () => {
    expect(kimageVaddr48('6.1.0-57-arm64')).toBe(0xffff_8000_0800_0000n);
    expect(kimageVaddr48('6.6.15')).toBe(0xffff_8000_8000_0000n);
  });
});

describe.skipIf(!fetched)(`Debian's kernel on the CM4 (${fetched ? 'cached' : SKIP})`, () => {
  // The full boot to the panic at 1 GB is checked by the oracle's test (test/linux/oracle.test.ts).
  // 0.12 s of virtual time: past the secondary CPUs' start, every core having taken timer and IPI interrupts.
  it('is deterministic, interrupts included, and a hang ends at the virtual-time limit with each core\'s PC, named by a System.map', async () => {
    // Debian ships a stub System.map: a map of two symbols around the image's text stands in for the -dbg package's.
    const map = join(mkdtempSync(join(tmpdir(), 'sysmap-')), 'System.map');
    writeFileSync(map, `${(0xffff_8000_0800_0000n).toString(16)} T _text\n${(0xffff_8000_0c00_0000n).toString(16)} B _end\n${(0xffff_8000_0c00_0000n).toString(16)} T _end_text\n`);
    const a = await bootLinux({ ram: '1G', limitSeconds: 0.12, systemMap: map });
    expect(a.end.reason).toBe('time-limit');
    expect(a.console).toContain('smp: Brought up 1 node, 4 CPUs');
    expect(a.irqs.every((n) => n > 0)).toBe(true);
    // At 0.12 s every core is in the kernel: each PC is named, as an offset into _text.
    for (const line of a.cores) expect(line).toMatch(/ at PC 0xffff8000[0-9a-f]{8} <_text\+0x[0-9a-f]+\/0x4000000> \(/);
    // The same run in another process, with the engine's own store path (emulator/native/uc_store_path.c
    // off): the same log byte for byte and the same instruction count, which is the determinism across
    // runs, and says the replacement does not change what the guest does (it once skipped invalidations
    // a core needed).
    const stock = spawnSync(process.execPath, [join(projectRoot(), 'bin/uconsole.mjs'), 'boot', '--kernel', 'linux', '--ram', '1G', '--time-limit', '0.12', '--system-map', map],
      { encoding: 'utf8', env: { ...process.env, UCONSOLE_STORE_PATH: 'off' } });
    expect(stock.stdout).toBe(a.console);
    expect(stock.stderr).toContain(`s of virtual time, ${a.insns} instructions`);
    for (const line of a.cores) expect(stock.stderr).toContain(line);
    expect(a.cores).toHaveLength(4);
    expect(a.cores[0]).toMatch(/^cpu0: \w+ at PC 0x[0-9a-f]{16}/);
    expect(a.lastLines.length).toBeGreaterThan(0);
  }, 240_000);
});

describe.skipIf(!fetched)(`Debian's kernel on the CM3 (${fetched ? 'cached' : SKIP})`, () => {
  // The full boot to the panic is checked by the oracle's test; here two runs past the secondaries' start.
  it('is deterministic through the BCM2836 local controller: timer IRQs and mailbox IPIs on every core', async () => {
    const a = await bootLinux({ board: 'uconsole-cm3', limitSeconds: 0.12 });
    const b = await bootLinux({ board: 'uconsole-cm3', limitSeconds: 0.12 });
    expect(a.end.reason).toBe('time-limit');
    expect(a.console).toContain('Root IRQ handler: bcm2836_arm_irqchip_handle_irq');
    expect(a.console).toContain('smp: Brought up 1 node, 4 CPUs');
    expect(a.irqs.every((n) => n > 0)).toBe(true);
    expect(a.absent).toContain('/soc/mailbox@7e00b840'); // VCHIQ
    expect(a.absent).not.toContain('/soc/local_intc@40000000');
    expect(a.absent).not.toContain('/soc/mailbox@7e00b880');
    expect(a.console).toBe(b.console);
    expect(a.insns).toBe(b.insns);
    expect(a.irqs).toEqual(b.irqs);
    expect(a.cores).toEqual(b.cores);
  }, 240_000);
});
