// SPDX-License-Identifier: GPL-2.0-only
// Debian's arm64 kernel on the emulated A-06 (RK3399, GIC-500, six CPUs),
// with the RK3399 evaluation board's tree under the A-06's identity. One
// oracle run (the model's boot and Debian's, with busybox to a shell that
// prints /proc, or without it to the root-mount panic) serves the
// assertions; a second boot, stopped early, checks determinism against
// it. Needs the cached package ("uconsole fetch linux").
import { beforeAll, describe, expect, it } from 'vitest';
import { bootLinux, type LinuxRun } from '../../linux/boot';
import { PROC_SCRIPT, runOracle, type OracleResult } from '../../linux/oracle-run';
import { cachedLinuxKernel } from '../../linux/package';
import { cachedBusybox } from '../../images/busybox';

const fetched = cachedLinuxKernel() !== undefined;
const haveBusybox = cachedBusybox() !== undefined;
const note = fetched ? 'kernel cached' : 'skipped: Debian\'s kernel is not fetched (run "uconsole fetch linux")';

describe.skipIf(!fetched)(`Debian's kernel on the A-06 (${note})`, () => {
  let oracle: OracleResult;
  let run: LinuxRun;
  beforeAll(async () => {
    oracle = await runOracle({ board: 'uconsole-a06', ram: '2G' });
    run = oracle.linux;
  }, 240_000);

  it('boots as the A-06 with the GIC-500 as the RK3399\'s and all six CPUs up', () => {
    const log = run.console;
    expect(log).toContain('Machine model: Clockworkpi A06');
    expect(log).toContain('earlycon: uart8250 at MMIO32 0x00000000ff1a0000');
    expect(log).toContain('CPU features: detected: GIC system register CPU interface'); // ID_AA64PFR0_EL1.GIC
    expect(log).toContain('GICv3: 256 SPIs implemented');
    expect(log).toContain('GICv3: GICv3 features: 16 PPIs');
    expect(log).toContain('GICv3: CPU0: found redistributor 0 region 0:0x00000000fef00000');
    expect(log).toContain('GICv3: CPU5: found redistributor 101 region 0:0x00000000fefa0000');
    expect(log).toContain('ITS: No ITS available, not enabling LPIs');
    expect(log).toContain('arch_timer: cp15 timer(s) running at 24.00MHz (virt).');
    expect(log).toContain('CPU3: Booted secondary processor 0x0000000003 [0x410fd034]');
    expect(log).toContain('CPU4: Booted secondary processor 0x0000000100 [0x410fd082]');
    // Six CPUs online means the IPIs (SGIs through ICC_SGI1R_EL1) reached each of them.
    expect(log).toContain('smp: Brought up 1 node, 6 CPUs');
    // The console UART's interrupt is GIC SPI 100 (rk3399.dtsi), through the redistributors' routing.
    expect(log).toContain('ff1a0000.serial: ttyS2 at MMIO 0xff1a0000 (irq = ');
    expect(log).toMatch(/ttyS2 at MMIO 0xff1a0000 \(irq = \d+, base_baud = 1500000\) is a 16550A/);
    expect(run.irqs).toHaveLength(6);
    expect(run.irqs.every((n) => n > 0)).toBe(true);
    expect(run.absent).toEqual(expect.arrayContaining(['/psci', '/interrupt-controller@fee00000/interrupt-controller@fee20000', '/syscon@ff770000', '/pmu_a53']));
    expect(run.absent).not.toContain('/serial@ff1a0000');
    if (haveBusybox) {
      expect(run.exitStatus).toBe(0);
      expect(run.end.reason).toBe('power-off');
    } else {
      expect(run.end.reason).toBe('panic');
      expect(log).toContain('Kernel panic - not syncing: VFS: Unable to mount root fs');
    }
  });

  it('the oracle finds no unexplained difference; /proc/cpuinfo has both parts', () => {
    expect(oracle.proc).toBe(haveBusybox);
    expect(oracle.rows.filter((r) => r.status === 'different')).toEqual([]);
    expect(oracle.ok).toBe(true);
    expect(oracle.rows.find((r) => r.key === 'SMP')).toMatchObject({ status: 'equal', linux: '1 node, 6 CPUs' });
    expect(oracle.rows.find((r) => r.key === 'CMA reserved (K)')).toMatchObject({ status: 'known', linux: '65536' });
    if (oracle.proc) {
      expect(oracle.rows.find((r) => r.key === 'cpuinfo processors')).toMatchObject({ status: 'equal', linux: '6' });
      expect(oracle.rows.find((r) => r.key === 'cpuinfo CPU identification')).toMatchObject({ status: 'equal', linux: '0x41 8 0x0 0xd03 4; 0x41 8 0x0 0xd08 2' });
    }
  });

  it('is deterministic: the same boot stopped at 0.1 s of virtual time printed exactly the start of the full run\'s log', async () => {
    const same = haveBusybox ? { exec: PROC_SCRIPT } : { initramfs: false };
    const short = await bootLinux({ board: 'uconsole-a06', ram: '2G', ...same, limitSeconds: 0.1 });
    expect(short.end.reason).toBe('time-limit');
    expect(short.console).toContain('smp: Brought up 1 node, 6 CPUs');
    expect(run.console.startsWith(short.console)).toBe(true);
  }, 120_000);
});
