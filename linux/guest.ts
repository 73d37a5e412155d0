// SPDX-License-Identifier: GPL-2.0-only
/*
 * Running a real Linux kernel on the machine: what the hardware does that
 * Unicorn 2.0.1 does not, so that Debian's arm64 kernel boots through the
 * same firmware stage as the project's kernel.
 *
 *  - The generic timer of every core (emulator/devices/generic-timer.ts),
 *    reached through the cores' mrs/msr hooks (the machine's SysregModel),
 *    its count the machine's virtual clock.
 *  - The board's interrupt controller, seen through one seam
 *    (emulator/devices/irq-controller.ts): the GIC-400 on the CM4, the
 *    BCM2836 ARM-local controller on the CM3 (emulator/board/
 *    interrupts.ts); the timers' levels are its inputs, each core's IRQ
 *    output is what is delivered.
 *  - IRQs: Unicorn never takes one, so before each slice (the OS turn of
 *    the machine's scheduler, at a translated-block boundary) a core whose
 *    IRQ output is asserted and whose PSTATE.I is clear takes the
 *    exception as the architecture does it (emulator/arm64/
 *    exception-entry.ts): SPSR_EL1, ELR_EL1, PSTATE, PC = VBAR_EL1 +
 *    0x280. While the output is asserted the core's unmask watch is on
 *    (Core.watchIrqUnmask): the native block hook ends the slice before
 *    the first block that starts with the IRQ takeable, the one right
 *    after the kernel's `msr daifclr` or `msr daif` (both end their
 *    block), and the next turn takes it; with no IRQ pending the watch is
 *    off and costs nothing. A core parked in WFI wakes when its output is
 *    asserted, masked or not, as WFI does; when every core sleeps, the
 *    machine skips virtual time to the earliest timer deadline
 *    (nextTimerNs).
 *  - Synchronous exceptions the engine stopped on (svc, BRK, which is how
 *    Linux's WARN and BUG trap, aborts, undefined instructions) go to
 *    VBAR_EL1 + 0x200 from EL1h, + 0x400 from EL0, with ESR_EL1 (and
 *    FAR_EL1) from the syndrome the engine computed, so the kernel's own
 *    handlers take them: system calls, page faults, signals. IRQs are
 *    taken from EL0 too (+ 0x480). Leaving EL0 changes the level, which
 *    Unicorn 2.0.1 only notices once its cached hflags are rebuilt
 *    (Core.takeException); the way back is the kernel's own eret.
 *  - On the GICv3 (A-06) the CPU interface is system registers the
 *    engine does not know: their accesses trap as undefined at EL1 and
 *    are answered by the controller (answerCpuInterface).
 *  - User space's reads of the counter (the vDSO's clock_gettime) trap
 *    and are answered from the virtual clock (user-counter.ts).
 *  - The console: the UART's interrupt (the PL011's, or the DesignWare
 *    16550's on the A-04) is the line its DT node names; what the
 *    kernel prints and what the host types go through console.ts, which
 *    also ends the run at a panic, the power-off or the prompt.
 *
 * Deterministic: nothing here reads a clock; every decision depends on the
 * virtual count and the slice boundaries, which depend only on the inputs.
 * Not modelled yet: FIQs, SErrors, AArch32 user space.
 */

import type { Core, SysregModel } from '../emulator/core';
import type { CpReg } from '../emulator/unicorn/binding';
import { SYSREG, type SysReg } from '../emulator/unicorn/constants';
import type { Machine, MachineOs } from '../emulator/machine';
import { GenericTimer, timerRegister, type TimerKind } from '../emulator/devices/generic-timer';
import type { CoreIrqController } from '../emulator/devices/irq-controller';
import { decodeSystemRegisterAccess } from '../emulator/arm64/sysreg-sites';
import { exceptionEntry, PSTATE_I, type ExceptionType } from '../emulator/arm64/exception-entry';
import type { Trap } from '../emulator/traps';
import type { ConsoleUart } from '../emulator/devices/console-uart';
import { LinuxConsole, type ConsoleEnd, type ConsoleInput } from './console';
import { isCntkctl, UserCounterAccess } from './user-counter';

/** CNTHCTL_EL2: EL1PCTEN | EL1PCEN, so EL1 may use the physical counter and timer (as the Pi's armstub leaves it). */
const CNTHCTL_EL2: SysReg = { name: 'CNTHCTL_EL2', op0: 3, op1: 4, crn: 14, crm: 1, op2: 0 };

/**
 * ID_AA64PFR0_EL1.GIC (bits 27:24) = 1: the GICv3 CPU interface's system
 * registers are implemented, as on the RK3399's cores (Linux then prints
 * "CPU features: detected: GIC system register CPU interface"). The
 * engine's value has 0, having no GICv3; the other boards' GICs have no
 * system-register interface, so they keep it.
 */
const PFR0_GIC_SYSREGS = 1n << 24n;

function isIdAa64pfr0(r: CpReg): boolean {
  const p = SYSREG.ID_AA64PFR0_EL1;
  return r.op0 === p.op0 && r.op1 === p.op1 && r.crn === p.crn && r.crm === p.crm && r.op2 === p.op2;
}

/**
 * When takeIrq can deliver: PSTATE.I clear in AArch64 at EL0 or EL1
 * (M[4] = 0, M[3] = 0, M[1] = 0: EL0t, EL1t or EL1h), as the unmask
 * watch's PSTATE mask and value. Linux's user space always runs with I
 * clear, so at EL0 the watch ends the slice at the next block.
 */
const IRQ_TAKEABLE = { mask: Number(PSTATE_I) | 0x1a, match: 0 };

/** What the kernel's vectors take, from EL0 or EL1 (hvc and smc trap as undefined at EL0). */
const DELIVERABLE: Record<0 | 1, readonly string[]> = {
  0: ['svc', 'brk', 'data-abort', 'insn-abort', 'undef'],
  1: ['svc', 'brk', 'data-abort', 'insn-abort', 'undef', 'hvc', 'smc'],
};
/** Trap kinds whose ESR is the engine's syndrome (the rest are reported as EC 0, unknown reason). */
const ENGINE_SYNDROME = new Set(['svc', 'brk', 'data-abort', 'insn-abort']);

/** ESR_EL1 for an undefined instruction: EC 0 (unknown reason), IL set. */
const ESR_UNKNOWN = 1 << 25;

export interface GuestOptions {
  /** Console lines to keep for the report (default 20). */
  keepLines?: number;
  /** The console UART's interrupt line (BoardInterrupts.line of its DT cells): enables its interrupts. */
  uartLine?: (asserted: boolean) => void;
  input?: ConsoleInput;
  /** Halt the machine at the shell's first prompt. */
  stopAtPrompt?: boolean;
}

/** How a Linux run ended. */
export interface GuestEnd {
  reason: ConsoleEnd['reason'] | 'time-limit' | 'machine-halt' | 'idle';
  message: string;
}

export class LinuxGuest implements MachineOs, SysregModel {
  readonly intc: CoreIrqController;
  readonly timers: GenericTimer[];
  /** What the kernel prints and the host types. */
  readonly console: LinuxConsole;
  /** User space's counter reads (the vDSO's), answered from the virtual clock. */
  private readonly userCounter: UserCounterAccess;
  /** IRQs taken, per core. */
  readonly irqs: number[];
  /** Synchronous exceptions delivered to the kernel (BRK and the rest), per kind. */
  readonly syncs = new Map<string, number>();

  /** `intc` is the controller whose windows the machine maps (emulator/board/interrupts.ts). */
  constructor(readonly machine: Machine, intc: CoreIrqController, opts: GuestOptions = {}) {
    const n = machine.cores.length;
    if (intc.ncpus !== n) throw new Error(`the interrupt controller serves ${intc.ncpus} CPUs, the machine has ${n}`);
    this.intc = intc;
    this.timers = Array.from({ length: n }, () => new GenericTimer());
    this.irqs = new Array<number>(n).fill(0);
    let uart: ConsoleUart | undefined;
    if (opts.uartLine) {
      uart = machine.console;
      uart.onIrq = opts.uartLine;
    }
    this.console = new LinuxConsole(machine, { keepLines: opts.keepLines, uart, input: uart && opts.input, stopAtPrompt: opts.stopAtPrompt });
    this.intc.onChange = (cpu) => this.irqOutputChanged(cpu);
    machine.os = this;
    machine.sysregs = this;
    machine.onTrap = (trap) => this.onTrap(trap);
    this.userCounter = new UserCounterAccess(machine.cores, () => machine.counter(), machine.timerHz);
    for (const core of machine.cores) {
      core.sysWrite(CNTHCTL_EL2, 3n);
      core.irqSignalled = () => this.intc.irqAsserted(core.index);
    }
  }

  /* ---- the timer's registers (SysregModel) ------------------------------ */

  read(core: Core, r: CpReg): bigint | undefined {
    if (isCntkctl(r)) return this.userCounter.read(core);
    if (this.intc.systemRegisters && isIdAa64pfr0(r)) return core.sysRead(SYSREG.ID_AA64PFR0_EL1) | PFR0_GIC_SYSREGS;
    const t = timerRegister(r.op0, r.op1, r.crn, r.crm, r.op2);
    return t && this.timers[core.index]!.read(t.kind, t.reg, this.machine.counter());
  }

  write(core: Core, r: CpReg): boolean {
    if (isCntkctl(r)) {
      this.userCounter.write(core, BigInt(r.val));
      return true;
    }
    const t = timerRegister(r.op0, r.op1, r.crn, r.crm, r.op2);
    if (!t) return false;
    this.timers[core.index]!.write(t.kind, t.reg, BigInt(r.val), this.machine.counter());
    this.updateTimerLines(core.index);
    return true;
  }

  private updateTimerLines(cpu: number): void {
    const now = this.machine.counter();
    const t = this.timers[cpu]!;
    for (const kind of ['virt', 'phys'] as TimerKind[]) this.intc.setTimerLine(cpu, kind, t.asserted(kind, now));
  }

  /* ---- scheduling (MachineOs) -------------------------------------------- */

  turn(core: Core): boolean {
    this.updateTimerLines(core.index);
    if (core.state === 'running' && this.intc.irqAsserted(core.index)) this.takeIrq(core);
    this.watchUnmask(core.index);
    return false;
  }

  /** A core's IRQ output may have changed (a line, an acknowledge, an EOI, a register write). */
  private irqOutputChanged(cpu: number): void {
    this.wakeIfSignalled(cpu);
    this.watchUnmask(cpu);
  }

  /** The core's unmask watch is on exactly while its IRQ output is asserted. */
  private watchUnmask(cpu: number): void {
    this.machine.cores[cpu]!.watchIrqUnmask(this.intc.irqAsserted(cpu) ? IRQ_TAKEABLE : undefined);
  }

  runTimers(): void {
    this.console.round();
    const now = this.machine.counter();
    for (let cpu = 0; cpu < this.timers.length; cpu++) {
      this.updateTimerLines(cpu);
      this.wakeIfSignalled(cpu);
      this.eventStream(cpu, now);
    }
    this.lastCount = now;
  }

  private lastCount = 0n;

  /**
   * The timer's event stream (CNTKCTL_EL1.EVNTEN, D11.2.3): an event
   * every 2^(EVNTI+1) counts, which wakes a core in WFE. Linux turns it on
   * at 10 kHz so that WFE-based waits (__cmpwait) end even when no core
   * sends an event: the exclusive monitor's events are not modelled here.
   */
  private eventStream(cpu: number, now: bigint): void {
    const core = this.machine.cores[cpu]!;
    if (core.state !== 'wfe') return;
    const period = this.eventPeriod(core);
    if (period !== undefined && now / period !== this.lastCount / period) {
      core.event = true;
      core.state = 'running';
    }
  }

  private eventPeriod(core: Core): bigint | undefined {
    const k = core.sysRead(SYSREG.CNTKCTL_EL1);
    return (k & 4n) === 0n ? undefined : 1n << (((k >> 4n) & 0xfn) + 1n);
  }

  /**
   * Every core sleeps: the next timer's deadline (ns), or now when the
   * host typed something while the machine waited for it.
   */
  nextTimerNs(): number | undefined {
    const next = this.timerDeadlineNs();
    if (this.console.waitForInput(next)) return this.machine.clockNs;
    return next;
  }

  private timerDeadlineNs(): number | undefined {
    const now = this.machine.counter();
    let next: bigint | undefined;
    for (const t of this.timers) {
      const d = t.nextDeadline(now);
      if (d !== undefined && (next === undefined || d < next)) next = d;
    }
    for (const core of this.machine.cores) {
      const period = core.state === 'wfe' ? this.eventPeriod(core) : undefined;
      const d = period === undefined ? undefined : (now / period + 1n) * period;
      if (d !== undefined && (next === undefined || d < next)) next = d;
    }
    if (next === undefined) return undefined;
    // Rounded up, so that the skipped-to count is at or past the deadline.
    const hz = BigInt(this.machine.timerHz);
    return Number((next * 1_000_000_000n + hz - 1n) / hz);
  }

  private wakeIfSignalled(cpu: number): void {
    const core = this.machine.cores[cpu]!;
    if (core.state === 'wfi' && this.intc.irqAsserted(cpu)) core.state = 'running';
  }

  /* ---- exception entry ---------------------------------------------------- */

  private takeIrq(core: Core): void {
    if ((Number(core.pstate) & IRQ_TAKEABLE.mask) !== IRQ_TAKEABLE.match) return;
    this.enter(core, 'irq', core.pc);
    this.irqs[core.index]!++;
  }

  private enter(core: Core, type: ExceptionType, returnAddress: bigint): void {
    core.takeException(exceptionEntry({
      type, pstate: core.pstate, returnAddress, vbar: core.sysRead(SYSREG.VBAR_EL1), sctlr: core.sysRead(SYSREG.SCTLR_EL1),
      hasPan: false, // Cortex-A72 and A53 are ARMv8.0: no FEAT_PAN
    }));
  }

  /**
   * A synchronous exception from EL0 or EL1: to the kernel's vector with
   * its syndrome (the engine's, whose EC already says which level it came
   * from: 0x24/0x25 for data aborts, 0x20/0x21 for instruction aborts), and
   * FAR_EL1 for an abort; anything else stops the machine. The return
   * address is the trap's PC: after the instruction for svc (the engine
   * reports it there), at it for the rest.
   */
  private onTrap(trap: Trap): { resume: bigint } | 'stop' {
    const m = this.machine;
    const core = m.core(trap.core);
    const counterRead = this.userCounter.answer(core, trap);
    if (counterRead !== undefined) return { resume: counterRead };
    const cpuInterface = this.answerCpuInterface(core, trap);
    if (cpuInterface !== undefined) return { resume: cpuInterface };
    if (!DELIVERABLE[trap.el].includes(trap.kind)) {
      m.halt(m.describeTrap(trap), false, trap);
      return 'stop';
    }
    const insnPc = trap.kind === 'hvc' || trap.kind === 'smc' ? trap.pc - 4n : trap.pc;
    const esr = ENGINE_SYNDROME.has(trap.kind) ? trap.esr : ESR_UNKNOWN;
    core.sysWrite(SYSREG.ESR_EL1, BigInt(esr >>> 0));
    if (trap.kind === 'data-abort' || trap.kind === 'insn-abort') core.sysWrite(SYSREG.FAR_EL1, trap.far);
    this.enter(core, 'sync', insnPc);
    this.syncs.set(trap.kind, (this.syncs.get(trap.kind) ?? 0) + 1);
    return { resume: core.pc };
  }

  /**
   * A GICv3 CPU-interface access: the engine does not know the ICC_*
   * registers and traps their `mrs`/`msr` at EL1 as undefined
   * (emulator/devices/gic-v3-cpuif.ts says why hooks cannot serve them);
   * the controller answers and the core resumes after the instruction.
   * Undefined when the trap is anything else (then it goes to the kernel).
   */
  private answerCpuInterface(core: Core, trap: Trap): bigint | undefined {
    const regs = this.intc.systemRegisters;
    if (!regs || trap.kind !== 'undef' || trap.el !== 1) return undefined;
    const word = core.fetchWord(trap.pc);
    const access = word === undefined ? undefined : decodeSystemRegisterAccess(word);
    if (!access) return undefined;
    if (access.isRead) {
      const v = regs.read(core.index, access);
      if (v === undefined) return undefined;
      if (access.rt !== 31) core.setX(access.rt, v);
    } else if (!regs.write(core.index, access, access.rt === 31 ? 0n : core.x(access.rt))) {
      return undefined;
    }
    return trap.pc + 4n;
  }

  /** Each core's state and PC, for a report. */
  /** Each core's state and PC, the PC named by `symbolize` where it can (a System.map: "<name+0xoff/0xsize>"). */
  coreReport(symbolize?: (pc: bigint) => string | undefined): string[] {
    return this.machine.cores.map((c) => {
      const sym = symbolize?.(c.pc);
      return `cpu${c.index}: ${c.state} at PC 0x${c.pc.toString(16).padStart(16, '0')}${sym ? ` <${sym}>` : ''} (${c.insns} instructions, ${this.irqs[c.index]} IRQs)`;
    });
  }
}
