import { describe, expect, it } from 'vitest';
import { logLines, withUconsole } from '../helpers/boot';
import { bootUconsole } from '../../api/uconsole';

describe('boot log of each board', () => {
  it('uconsole-cm4 (default, 4 GB): four Cortex-A72 cores, in Linux\'s formats', async () => {
    await withUconsole({}, (u) => {
      const log = logLines(u);
      expect(log[0]).toBe('Booting Linux on physical CPU 0x0000000000 [0x410fd083]');
      expect(log).toContain('Machine model: Raspberry Pi Compute Module 4 Rev 1.0');
      expect(log).toContain('Kernel command line: coherent_pool=1M 8250.nr_uarts=1 snd_bcm2835.enable_compat_alsa=0 snd_bcm2835.enable_hdmi=1 vc_mem.mem_base=0x3ec00000 vc_mem.mem_size=0x40000000  console=ttyAMA0,115200');
      expect(log).toContain('Detected PIPT I-cache on CPU0');
      for (const cpu of [1, 2, 3]) expect(log).toContain(`CPU${cpu}: Booted secondary processor 0x000000000${cpu} [0x410fd083]`);
      expect(log).toContain('smp: Brought up 1 node, 4 CPUs');
      expect(log).toContain('CPU features: detected: 32-bit EL0 Support');
      expect(log.indexOf('smp: Bringing up secondary CPUs ...')).toBeLessThan(log.indexOf('CPU1: Booted secondary processor 0x0000000001 [0x410fd083]'));
      expect(u.machine.ramBytes).toBe(4 * 2 ** 30);
      expect(u.dmesg()).toMatch(/^\[ {4}0\.\d{6}\] Booting Linux/);
    });
  });

  it('uconsole-a06: four Cortex-A53 and two Cortex-A72 cores with their cluster affinities', async () => {
    await withUconsole({ board: 'uconsole-a06' }, (u) => {
      const log = logLines(u);
      expect(log[0]).toBe('Booting Linux on physical CPU 0x0000000000 [0x410fd034]');
      expect(log).toContain('Machine model: Clockworkpi A06');
      expect(log).toContain('Detected VIPT I-cache on CPU3');
      expect(log).toContain('CPU3: Booted secondary processor 0x0000000003 [0x410fd034]');
      expect(log).toContain('Detected PIPT I-cache on CPU4');
      expect(log).toContain('CPU4: Booted secondary processor 0x0000000100 [0x410fd082]');
      expect(log).toContain('CPU5: Booted secondary processor 0x0000000101 [0x410fd082]');
      expect(log).toContain('smp: Brought up 1 node, 6 CPUs');
    });
  });

  it.each([
    ['uconsole-cm3', 'Raspberry Pi Compute Module 3 Rev 1.0', '0x410fd034'],
    ['uconsole-a04', 'ClockworkPi A04', '0x410fd034'],
  ])('%s boots all four cores', async (board, model, midr) => {
    await withUconsole({ board }, (u) => {
      const log = logLines(u);
      expect(log).toContain(`Machine model: ${model}`);
      expect(log).toContain(`CPU3: Booted secondary processor 0x0000000003 [${midr}]`);
      expect(log).toContain('smp: Brought up 1 node, 4 CPUs');
    });
  });

  it.each(['1G', '2G', '8G'])('uconsole-cm4 boots with %s', async (ram) => {
    await withUconsole({ ram }, (u) => expect(logLines(u)).toContain('smp: Brought up 1 node, 4 CPUs'));
  });

  it('prints the log on the console UART and halts cleanly', async () => {
    let out = '';
    const u = await bootUconsole({ onConsole: (s) => (out += s) });
    u.shutdown();
    expect(out).toContain('] smp: Brought up 1 node, 4 CPUs\n');
    expect(out.trimEnd().split('\n').pop()).toMatch(/\] reboot: System halted$/);
    expect(u.machine.status).toEqual({ ok: true, message: 'System halted' });
  });

  it('refuses to be used after shutdown, without harm to the process', async () => {
    const u = await bootUconsole({ ram: '1G' });
    const pgalloc = u.kernel.mm.pgalloc;
    u.shutdown();
    expect(() => u.readFile('/proc/meminfo')).toThrow(/this uConsole was shut down/);
    expect(() => u.syscall(0, 172)).toThrow(/this uConsole was shut down/);
    expect(() => u.machine.run()).toThrow(/the machine was disposed/);
    expect(() => u.machine.core(0).x(0)).toThrow(/engine used after dispose/);
    pgalloc.nr_free_pages();
    expect(u.machine.ram.u64(0x20_0000 + 0x38)).toBe(0n); // a stale view of guest memory reads zeros, never an unmapped page
    u.shutdown(); // twice is fine
  });

  it('is deterministic: the same board and command line give the same log', async () => {
    const a = await withUconsole({ board: 'uconsole-a06' }, (u) => u.dmesg());
    const b = await withUconsole({ board: 'uconsole-a06' }, (u) => u.dmesg());
    expect(a).toBe(b);
  });

  it('passes --cmdline to the kernel through the device tree', async () => {
    await withUconsole({ cmdline: 'console=ttyAMA0 max_order=6 quiet' }, (u) => {
      expect(logLines(u)).toContain('Kernel command line: coherent_pool=1M 8250.nr_uarts=1 snd_bcm2835.enable_compat_alsa=0 snd_bcm2835.enable_hdmi=1 vc_mem.mem_base=0x3ec00000 vc_mem.mem_size=0x40000000  console=ttyAMA0 max_order=6 quiet');
      expect(u.kernel.arch.cmdline.getNumber('max_order')).toBe(6);
    });
  });
});
