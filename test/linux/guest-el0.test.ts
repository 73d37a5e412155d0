// SPDX-License-Identifier: GPL-2.0-only
// Exceptions taken from EL0 (and from EL1 on SP_EL0) into the kernel's
// vectors, on a real core, checked against the ARM ARM's rules for
// exception entry: the vector by source level and SP selection, ESR_EL1,
// ELR_EL1, SPSR_EL1, FAR_EL1, the SP bank and the level the handler runs at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Machine } from '../../emulator/machine';
import { gic400Interrupts } from '../../emulator/board/interrupts';
import { PROT } from '../../kernel-model/arch/arm64/pgtable';
import { LinuxGuest } from '../../linux/guest';
import { SYSREG } from '../../emulator/unicorn/constants';
import { loadAsm, machineWithMmu } from '../helpers/machine';
import { gicAsLinuxLeavesIt, virtualTimerIn } from '../helpers/linux-guest';

const GICD = 0xff84_1000;
const GICC = 0xff84_2000;
const CODE = 0x10000;
const VECTORS = 0x20000;
const KSTACK = 0x30000n;
const LINEAR = 0xffff_ff80_0000_0000n;
const USER_TEXT = 0x40_0000n;
const USER_STACK = 0x50_1000n; // the top of the user stack page
const USER_TEXT_PA = 0x0600_0000;

/** What a handler saw, recorded by the test at the handler's hvc. */
interface Seen {
  vector: number;
  esr: bigint;
  elr: bigint;
  spsr: bigint;
  far: bigint;
  sp: bigint;
  spEl0: bigint;
  currentEl: bigint;
}

/** Each vector slot records the state into x19..x25, traps out with its offset / 0x80 as the hvc immediate, then returns. */
const RECORD = (slot: number): string => `
    .org ${slot * 0x80}
    mrs x19, esr_el1
    mrs x20, elr_el1
    mrs x21, spsr_el1
    mrs x22, far_el1
    mov x23, sp
    mrs x24, sp_el0
    mrs x25, CurrentEL
    ${slot === 9 ? `ldr w7, [x3, #0xc]
    msr cntv_ctl_el0, xzr
    str w7, [x3, #0x10]` : ''}
    hvc #${slot}
    eret`;

let m: Machine;
let guest: LinuxGuest;
const seen: Seen[] = [];
let prog: Map<string, bigint>;
let user: Map<string, bigint>;

beforeAll(async () => {
  const intc = gic400Interrupts(4, GICD);
  m = await machineWithMmu((ttbr1, ttbr0) => {
    ttbr1.map(LINEAR, 0, 2 ** 30, PROT.KERNEL);
    ttbr0.map(USER_TEXT, USER_TEXT_PA, 0x1000, PROT.USER_EXEC);
    ttbr0.map(USER_STACK - 0x1000n, 0x0601_0000, 0x1000, PROT.USER);
    ttbr0.map(BigInt(GICD), GICD, 0x2000, PROT.DEVICE);
  }, { devices: intc.devices });
  guest = new LinuxGuest(m, intc.controller);
  // Slots 0 (sync from EL1t), 8 (sync from EL0) and 9 (IRQ from EL0).
  await loadAsm(m, VECTORS, [0, 8, 9].map(RECORD).join('\n'));
  prog = await loadAsm(m, CODE, `
    mov64 x0, ${VECTORS}
    msr vbar_el1, x0
    mov64 x0, ${KSTACK}
    mov sp, x0
    ${gicAsLinuxLeavesIt(GICD, GICC)}
    // EL1t: a brk on SP_EL0 enters at +0x000 on SP_EL1
    mov64 x0, 0x7000
    msr spsel, #0
    mov sp, x0
    el1t_brk: brk #0x11
    msr spsel, #1
    // the virtual timer due in 100,000 counts, then eret to EL0t with interrupts unmasked
    ${virtualTimerIn(100000)}
    // EL0 may read the virtual counter and the frequency (Linux's arch_counter_set_user_access)
    mov x0, #2
    msr cntkctl_el1, x0
    mov64 x0, ${USER_TEXT}
    msr elr_el1, x0
    msr spsr_el1, xzr
    mov64 x0, ${USER_STACK}
    msr sp_el0, x0
    eret`);
  user = await loadAsm(m, USER_TEXT_PA, `
        mov x8, #64
    svc_at: svc #0x123
        mov64 x1, ${LINEAR + 0x1000n}
    load_at: ldr x0, [x1]
    brk_at: brk #7
    udf_at: .word 0
        mrs x17, cntvct_el0
        mrs x18, cntfrq_el0
        mov x15, sp
    spin: add x16, x16, #1
        b spin`);
  m.codeChanged(USER_TEXT_PA, 0x100, USER_TEXT);
  for (const c of m.cores) c.interceptSystemInstructions(BigInt(CODE), BigInt(CODE + 0x1000));
  m.onTrap = ((deliver) => (t, mm) => {
    if (t.kind !== 'hvc') return deliver(t, mm);
    const c = mm.core(t.core);
    seen.push({
      vector: t.imm * 0x80, esr: c.x(19), elr: c.x(20), spsr: c.x(21), far: c.x(22), sp: c.x(23), spEl0: c.x(24), currentEl: c.x(25),
    });
    // Step over what trapped (svc and IRQs return to where ELR already points).
    if ((c.x(19) >> 26n) !== 0x15n && t.imm !== 9) c.elrEl1 = c.x(20) + 4n;
    if (t.imm === 9) c.state = 'off';
    return t.imm === 9 ? 'stop' : { resume: t.pc };
  })(m.onTrap);
  m.start(0, BigInt(CODE));
  m.run({ until: () => m.core(0).state === 'off', maxRounds: 10_000 });
});
afterAll(() => m.dispose());

const at = (sym: string): bigint => USER_TEXT + (user.get(sym)! - BigInt(USER_TEXT_PA));

describe('Linux guest: exceptions from EL0 and EL1t', () => {
  it('takes them in order, each to its vector', () => {
    expect(seen.map((s) => s.vector.toString(16))).toEqual(['0', '400', '400', '400', '400', '480']);
    expect(seen.every((s) => s.currentEl === 4n)).toBe(true); // the handler runs at EL1
  });

  it('a brk at EL1t: ESR EC 0x3c, ELR at the brk, SPSR EL1t, SP_EL1 selected and SP_EL0 kept', () => {
    const s = seen[0]!;
    expect(s.esr).toBe(0xf2000011n);
    expect(s.elr).toBe(prog.get('el1t_brk')!);
    expect(s.spsr & 0xfn).toBe(0x4n);
    expect(s.sp).toBe(KSTACK);
    expect(s.spEl0).toBe(0x7000n);
  });

  it('svc from EL0: EC 0x15 with imm16, ELR after the svc, SPSR EL0t, the user SP in SP_EL0, the kernel stack active', () => {
    const s = seen[1]!;
    expect(s.esr).toBe(0x56000123n);
    expect(s.elr).toBe(at('svc_at') + 4n);
    expect(s.spsr & 0x3cfn).toBe(0n); // EL0t, DAIF clear
    expect(s.sp).toBe(KSTACK);
    expect(s.spEl0).toBe(USER_STACK);
  });

  it('a load from a kernel-only page at EL0: EC 0x24 (lower EL), a permission fault, FAR the address, ELR at the load', () => {
    const s = seen[2]!;
    expect(s.esr >> 26n).toBe(0x24n);
    expect(s.esr & 0x3cn).toBe(0x0cn);
    expect(s.far).toBe(LINEAR + 0x1000n);
    expect(s.elr).toBe(at('load_at'));
  });

  it('brk from EL0: EC 0x3c; an undefined instruction: EC 0 with IL', () => {
    expect(seen[3]!.esr).toBe(0xf2000007n);
    expect(seen[3]!.elr).toBe(at('brk_at'));
    expect(seen[4]!.esr).toBe(0x02000000n);
    expect(seen[4]!.elr).toBe(at('udf_at'));
  });

  it('an IRQ at EL0 enters at +0x480 with ELR in the interrupted loop and SPSR EL0t, I clear; eret gave back the user SP', () => {
    const s = seen[5]!;
    expect(s.elr).toBeGreaterThanOrEqual(at('spin'));
    expect(s.elr).toBeLessThanOrEqual(at('spin') + 4n);
    expect(s.spsr & 0x3cfn).toBe(0n);
    expect(s.sp).toBe(KSTACK);
    expect(s.spEl0).toBe(USER_STACK);
    expect(m.core(0).x(15)).toBe(USER_STACK); // the user SP survived four round trips
    expect(m.core(0).x(7)).toBe(27n); // the handler acknowledged the virtual timer's PPI
    expect(guest.irqs[0]).toBe(1);
    // The user's counter reads were answered from the machine's virtual clock, not the host's, without reaching the kernel.
    expect(m.core(0).x(17)).toBeGreaterThan(0n);
    expect(m.core(0).x(17)).toBeLessThanOrEqual(m.counter());
    expect(m.core(0).x(18)).toBe(BigInt(m.timerHz));
    expect(m.core(0).sysRead(SYSREG.CNTKCTL_EL1) & 3n).toBe(0n); // the engine traps EL0's reads
    expect(guest.syncs.get('svc')).toBe(1);
  });
});
