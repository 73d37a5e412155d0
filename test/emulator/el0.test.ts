import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Machine } from '../../emulator/machine';
import { loadAsm, machineWithMmu, runUntilTrap } from '../helpers/machine';
import { PROT } from '../../kernel-model/arch/arm64/pgtable';

const LINEAR = 0xffff_ff80_0000_0000n;
const USER_TEXT = 0x40_0000n;
let m: Machine;

beforeAll(async () => {
  m = await machineWithMmu((ttbr1, ttbr0) => {
    ttbr1.map(LINEAR, 0, 2 ** 30, PROT.KERNEL);
    ttbr0.map(USER_TEXT, 0x0600_0000, 0x1000, PROT.USER_EXEC);
    ttbr0.map(USER_TEXT + 0x10_0000n, 0x0601_0000, 0x1000, PROT.USER); // user stack page
  });
  await loadAsm(m, 0x2000, 'eret');
  for (const c of m.cores) c.saveEl1();
});
afterAll(() => m.dispose());

/** Enter EL0 at `entry` on `cpu` through the eret stub. */
function enterUser(cpu: number, entry: bigint): void {
  const c = m.core(cpu);
  c.restoreEl1();
  c.enterEl0(entry, USER_TEXT + 0x10_1000n);
  m.start(cpu, 0x2000n);
}

describe('EL0', () => {
  it('enters EL0 through eret, takes svc to TypeScript and returns to EL0 on every core', async () => {
    await loadAsm(m, 0x0600_0000, `
      mov x8, #172
      mov x0, #7
      svc #0
      mov x1, x0
      mov x2, sp
      brk #1`, {});
    for (const c of m.cores) {
      m.codeChanged(0x0600_0000, 0x100, USER_TEXT);
      const traps: string[] = [];
      m.onTrap = (t) => {
        traps.push(`${t.kind}@EL${t.el}`);
        if (t.kind === 'svc') {
          expect(m.core(t.core).x(8)).toBe(172n);
          m.core(t.core).setX(0, 1000 + t.core);
          return { resume: t.pc }; // still at EL0: a plain restart returns there
        }
        m.core(t.core).state = 'off';
        return 'stop';
      };
      enterUser(c.index, USER_TEXT);
      m.run({ until: () => traps.length === 2, maxRounds: 100 });
      expect(traps).toEqual(['svc@EL0', 'brk@EL0']);
      expect(c.x(1)).toBe(BigInt(1000 + c.index));
      expect(c.x(2)).toBe(USER_TEXT + 0x10_1000n); // SP at EL0 is SP_EL0
    }
  });

  it('faults an EL0 load from a kernel-only mapping with the EL0 syndrome', async () => {
    await loadAsm(m, 0x0600_0100, `
      mov64 x1, ${LINEAR + 0x1000n}
      ldr x0, [x1]`);
    m.codeChanged(0x0600_0100, 0x40, USER_TEXT + 0x100n);
    let trap: import('../../emulator/traps').Trap | undefined;
    m.onTrap = (t) => {
      trap = t;
      m.core(t.core).state = 'off';
      return 'stop';
    };
    enterUser(2, USER_TEXT + 0x100n);
    m.run({ until: () => trap !== undefined, maxRounds: 10 });
    expect(trap).toMatchObject({ kind: 'data-abort', el: 0, far: LINEAR + 0x1000n });
    expect(trap!.esr >>> 26).toBe(0x24); // data abort from a lower exception level
    expect(trap!.esr & 0x3c).toBe(0x0c); // a permission fault
  });

  it('comes back to EL1 from a snapshot after running at EL0', async () => {
    const c = m.core(3);
    c.restoreEl1();
    await loadAsm(m, 0x3000, `
      mrs x0, CurrentEL
      hvc #5`);
    await runUntilTrap(m, 3, 0x3000n, 'hvc');
    expect(c.x(0)).toBe(4n); // EL1 in CurrentEL[3:2]
  });
});
