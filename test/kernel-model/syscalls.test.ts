import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootUconsole, type Uconsole } from '../../api/uconsole';
import { NR } from '../../kernel-model/include/unistd';
import { EBADF, EFAULT, ENOSYS } from '../../kernel-model/include/errno';
import { PAGE_OFFSET } from '../../kernel-model/arch/arm64/memory';
import { USER_TEXT } from '../../kernel-model/arch/arm64/mm/mmu';
import { assemble } from '../../emulator/arm64/assembler';
import { BRK } from '../../kernel-model/arch/arm64/kernel/kcalls';

let u: Uconsole;
let out = '';
beforeAll(async () => {
  u = await bootUconsole({ board: 'uconsole-a06', onConsole: (s) => (out += s) });
});
afterAll(() => u.shutdown());

describe('system calls through svc #0 at EL0', () => {
  it('getpid and gettid on every core: one harness process, a thread per CPU', () => {
    for (const c of u.machine.cores) {
      expect(u.syscall(c.index, NR.getpid)).toBe(1n);
      expect(u.syscall(c.index, NR.gettid)).toBe(BigInt(1 + c.index));
    }
  });

  it('getcpu writes the CPU the call ran on, and node 0', () => {
    for (const c of u.machine.cores) {
      const buf = u.userBuffer(c.index);
      buf.write(new Uint8Array(8).fill(0xff));
      expect(u.syscall(c.index, NR.getcpu, buf.va, buf.va + 4n, 0)).toBe(0n);
      const v = new DataView(buf.read(8).buffer);
      expect([v.getUint32(0, true), v.getUint32(4, true)]).toEqual([c.index, 0]);
    }
  });

  it('write(1, ...) goes to the console; a bad fd or buffer fails with -errno', () => {
    const buf = u.userBuffer(5);
    buf.write(new TextEncoder().encode('hello from cpu5\n'));
    out = '';
    expect(u.syscall(5, NR.write, 1, buf.va, 16)).toBe(16n);
    expect(out).toBe('hello from cpu5\n');
    expect(u.syscall(5, NR.write, 7, buf.va, 16)).toBe(BigInt(-EBADF));
    expect(u.syscall(5, NR.write, 1, 0x7_0000_0000n, 16)).toBe(BigInt(-EFAULT));
    expect(u.syscall(2, NR.getcpu, 0x7_0000_0000n, 0, 0)).toBe(BigInt(-EFAULT));
  });

  it('refuses kernel pointers, the kernel image\'s identity map and read-only user pages (-EFAULT)', () => {
    const kernelVa = PAGE_OFFSET + 0x0100_0000n; // the linear map: mapped, but not for EL0
    expect(u.syscall(1, NR.write, 1, kernelVa, 8)).toBe(BigInt(-EFAULT));
    u.machine.ram.setU64(0x0100_0000, 0x1234n);
    expect(u.syscall(1, NR.getcpu, kernelVa, 0, 0)).toBe(BigInt(-EFAULT));
    expect(u.machine.ram.u64(0x0100_0000)).toBe(0x1234n); // nothing written
    const idmap = BigInt(u.kernel.textPa); // mapped in TTBR0 for the MMU switch, kernel-only
    expect(u.syscall(1, NR.write, 1, idmap, 8)).toBe(BigInt(-EFAULT));
    expect(u.syscall(1, NR.getcpu, USER_TEXT, 0, 0)).toBe(BigInt(-EFAULT)); // the stub page is read-only
    expect(u.syscall(1, NR.write, 1, USER_TEXT, 4)).toBe(4n); // but readable
    const last = u.userBuffer(5); // the last buffer page: the next page is unmapped
    expect(u.syscall(5, NR.getcpu, last.va + 4094n, 0, 0)).toBe(BigInt(-EFAULT));
  });

  it('answers -ENOSYS for calls the model does not have', () => {
    expect(u.syscall(0, 435 /* clone3: glibc falls back to clone */)).toBe(BigInt(-ENOSYS));
    expect(u.syscall(3, 999)).toBe(BigInt(-ENOSYS));
  });

  it('reads the number as an int, as el0_svc_common does: the high half of x8 is ignored', () => {
    const high = (regs: [number, bigint][]) => u.kernel.harness.runUser(2, USER_TEXT, new Map(regs)).ret;
    expect(high([[8, (1n << 32n) + BigInt(NR.gettid)]])).toBe(3n); // fast path
    expect(high([[8, (7n << 40n) + BigInt(NR.exit_group)], [0, 5n]])).toBe(5n); // slow path
  });

  it('exit ends the thread and returns the core to the kernel, which stays usable', () => {
    expect(u.kernel.harness.syscall(4, NR.exit_group, [42])).toEqual({ ret: 42n, exited: 42 });
    expect(u.syscall(4, NR.gettid)).toBe(5n);
  });

  /** Put EL0 code in cpu's harness buffer page (user RW + executable) and return its VA. */
  async function userCode(cpu: number, src: string): Promise<bigint> {
    const buf = u.userBuffer(cpu);
    const code = await assemble(src, buf.va);
    buf.writeCode(code.bytes);
    return buf.va;
  }

  it('a fault in user code kills the task with its signal, says so, and leaves the machine up', async () => {
    const entry = await userCode(2, 'mov64 x1, 0x7000000000\nldr x0, [x1]');
    expect(u.kernel.harness.runUser(2, entry)).toEqual({ ret: -11n, signal: 11 });
    expect(u.dmesg()).toMatch(/\] harness\[1\]: unhandled exception: DABT \(lower EL\), ESR 0x92000005, level 1 translation fault\n/);
    const undef = await userCode(3, '.word 0');
    expect(u.kernel.harness.runUser(3, undef)).toEqual({ ret: -4n, signal: 4 });
    expect(u.dmesg()).toMatch(/\] harness\[1\]: unhandled exception: undefined instruction\n/);
    expect(u.machine.halted).toBe(false);
    expect(u.syscall(2, NR.gettid)).toBe(3n);
  });

  it('stops user code that does not come back, and the core stays usable', async () => {
    const spin = await userCode(1, '1: b 1b');
    expect(() => u.kernel.harness.runUser(1, spin, new Map(), { maxRounds: 20 })).toThrow(/cpu1: still running after 20 scheduler rounds: cpu1 runs harness\[2\] at PC 0x[0-9a-f]{16}; stopped/);
    expect(u.syscall(1, NR.getcpu, 0, 0, 0)).toBe(0n);
  });

  it('answers the same through the native fast path and through the trap (slow) path', async () => {
    const buf = u.userBuffer(3);
    buf.write(new TextEncoder().encode('same either way\n'));
    // Each result goes to buf + 48 + 8 * i (the core's registers do not outlive the call).
    const calls = [
      `mov x8, #${NR.getpid}`,
      `mov x8, #${NR.gettid}`,
      `mov64 x0, ${buf.va + 32n}\nmov64 x1, ${buf.va + 36n}\nmov x2, #0\nmov x8, #${NR.getcpu}`,
      `mov x0, #1\nmov64 x1, ${buf.va}\nmov x2, #16\nmov x8, #${NR.write}`,
      'mov x8, #435',
      `mov x0, #1\nmov64 x1, 0x700000000\nmov x2, #8\nmov x8, #${NR.write}`,
    ];
    const entry = await userCode(2, [
      `mov64 x19, ${buf.va + 48n}`,
      ...calls.map((c, i) => `${c}\nsvc #0\nstr x0, [x19, #${8 * i}]`),
      `brk #${BRK.HARNESS_RETURN}`,
    ].join('\n'));
    const run = (): { regs: bigint[]; cpu: Uint8Array; console: string } => {
      out = '';
      buf.write(new Uint8Array(4096));
      buf.write(new TextEncoder().encode('same either way\n'));
      expect(u.kernel.harness.runUser(2, entry).signal).toBeUndefined();
      const bytes = buf.read(48 + 8 * calls.length);
      const v = new DataView(bytes.buffer);
      return { regs: calls.map((_, i) => v.getBigInt64(48 + 8 * i, true)), cpu: bytes.slice(32, 40), console: out };
    };
    const fast = run();
    const answer = u.machine.onFastSvc;
    const onTrap = u.machine.onTrap;
    let svcTraps = 0;
    u.machine.onFastSvc = undefined; // every svc now stops the core and goes through the kernel's trap handler
    u.machine.onTrap = (t, m) => {
      if (t.kind === 'svc') svcTraps++;
      return onTrap(t, m);
    };
    let slow: ReturnType<typeof run>;
    try {
      slow = run();
    } finally {
      u.machine.onFastSvc = answer;
      u.machine.onTrap = onTrap;
    }
    expect(svcTraps).toBe(calls.length);
    expect(slow).toEqual(fast);
    expect(fast.regs).toEqual([1n, 3n, 0n, 16n, BigInt(-ENOSYS), BigInt(-EFAULT)]);
    expect(Array.from(fast.cpu)).toEqual([2, 0, 0, 0, 0, 0, 0, 0]);
    expect(fast.console).toBe('same either way\n');
  });

  it('refuses bad harness requests with clear errors', () => {
    expect(() => u.syscall(9, NR.getpid)).toThrow(/no cpu9/);
    expect(() => u.syscall(0, NR.getpid, 1, 2, 3, 4, 5, 6, 7)).toThrow(/at most 6 arguments/);
  });
});
