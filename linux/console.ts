// SPDX-License-Identifier: GPL-2.0-only
/*
 * The console of a Linux run, as the machine sees both its sides.
 *
 * Out: every byte the UART sends is gathered into lines, and the lines
 * that end a run are watched for: the end of a panic (`---[ end Kernel
 * panic`), the power-off (`reboot: Power down`, or `reboot: System
 * halted` when, as here, nothing can cut the power), the exit status
 * /init prints after an --exec command (linux/init.sh), and the shell's
 * first prompt, after the line /init prints before it starts the shell.
 *
 * In: the host's input (ConsoleInput) enters the UART's receive FIFO
 * only while the driver has its receive interrupt unmasked. When every
 * core sleeps the host is asked for input, waiting at most until the next
 * timer is due: virtual time passes as the host waits, as it would on the
 * device, and a shell at its prompt costs nothing while nothing is typed.
 * While the cores are busy the host is asked without waiting once per
 * millisecond of virtual time, so a Ctrl-C reaches a program that never
 * sleeps. What does not fit in the FIFO waits for room; the end of the
 * host's input is sent as one Ctrl-D (EOF to a shell at an empty line),
 * once the guest waits for input again.
 * With an input that answers the same way at every call (a test's, or
 * none), the run stays deterministic: the calls happen at virtual times.
 */

import type { Machine } from '../emulator/machine';
import type { ConsoleUart } from '../emulator/devices/console-uart';
import { EXIT_STATUS_LINE, SHELL_LINE } from './initramfs';

/**
 * The host's side of the console: bytes typed within `waitMs` ms
 * (Infinity: wait until some come), undefined when none came in time, null
 * at the end of input (as cli/host_input.ts reads stdin), 'halt' when the
 * host's user asks to stop the machine (Ctrl-A x at a terminal).
 */
export type ConsoleInput = (waitMs: number) => Uint8Array | null | undefined | 'halt';

/** How the console ended a run. */
export interface ConsoleEnd {
  reason: 'panic' | 'power-off' | 'prompt' | 'host-halt';
  message: string;
}

export interface ConsoleOptions {
  /** Console lines to keep for the report (default 20). */
  keepLines?: number;
  /** The UART whose receive FIFO takes the input. */
  uart?: ConsoleUart;
  input?: ConsoleInput;
  /** End the run at the shell's first prompt. */
  stopAtPrompt?: boolean;
}

const POWER_OFF_LINE = /^(\[[ \d.]+\] )?reboot: (Power down|System halted)$/;
const PANIC_END_LINE = /^(\[[ \d.]+\] )?---\[ end Kernel panic/;
/** A shell prompt: what busybox sh prints for PS1='\w \$ ' as root. */
const PROMPT = /[#$] $/;
const CTRL_D = Uint8Array.of(0x04);
/** How often the host is asked for input while the cores are busy (ns of virtual time). */
const POLL_NS = 1e6;

export class LinuxConsole {
  /** The last console lines (complete lines only; keepLines of them). */
  readonly lines: string[] = [];
  panicLine?: string;
  /** How the console ended the run, when it did. */
  end?: ConsoleEnd;
  /** The --exec command's exit status, once /init printed it. */
  exitStatus?: number;
  /** When the shell first printed its prompt. */
  prompt?: { insns: number; virtualSeconds: number };
  private partial = '';
  private shellStarted = false;
  private readonly keep: number;
  /** Input that did not fit in the receive FIFO yet; null once the host's input ended. */
  private pending: Uint8Array | null = new Uint8Array(0);
  private eofSent = false;
  private lastPollNs = 0;

  constructor(private readonly machine: Machine, private readonly opts: ConsoleOptions = {}) {
    this.keep = opts.keepLines ?? 20;
    machine.onConsole((byte) => this.byte(byte));
  }

  /* ---- out ------------------------------------------------------------------ */

  private byte(byte: number): void {
    if (byte === 0x0a) {
      const line = this.partial.replace(/\r$/, '');
      this.partial = '';
      this.lines.push(line);
      if (this.lines.length > this.keep) this.lines.shift();
      this.line(line);
      return;
    }
    this.partial += String.fromCharCode(byte);
    if (this.shellStarted && !this.prompt && PROMPT.test(this.partial)) this.promptSeen();
  }

  private line(line: string): void {
    const text = line.replace(/^\[[ \d.]+\] /, '');
    if (PANIC_END_LINE.test(line)) {
      this.panicLine = line;
      this.endRun({ reason: 'panic', message: text }, false);
    } else if (POWER_OFF_LINE.test(line)) {
      this.endRun({ reason: 'power-off', message: text }, true);
    } else if (line === SHELL_LINE) {
      this.shellStarted = true;
    } else {
      const status = EXIT_STATUS_LINE.exec(line);
      if (status) this.exitStatus = Number(status[1]);
    }
  }

  private promptSeen(): void {
    const m = this.machine;
    this.prompt = { insns: m.cores.reduce((s, c) => s + c.insns, 0), virtualSeconds: m.clockNs / 1e9 };
    if (this.opts.stopAtPrompt) this.endRun({ reason: 'prompt', message: 'the shell printed its prompt' }, true);
  }

  private endRun(end: ConsoleEnd, ok: boolean): void {
    this.end ??= end;
    this.machine.halt(end.message, ok);
  }

  /* ---- in -------------------------------------------------------------------- */

  /**
   * Every core sleeps until `deadlineNs` (undefined: no timer): true if
   * input came meanwhile, or its end. The end is sent here, to a guest
   * that waits, and not as soon as the host's input ends: a Ctrl-D typed
   * ahead while a command still runs would reach that command's terminal
   * mode, not the shell's prompt.
   */
  waitForInput(deadlineNs: number | undefined): boolean {
    if (!this.uartTakesInput()) return false;
    if (this.pending === null) return this.sendEof();
    if (this.pending.length > 0) return false;
    const waitMs = deadlineNs === undefined ? Infinity : Math.max(0, (deadlineNs - this.machine.clockNs) / 1e6);
    return this.take(waitMs);
  }

  /** A scheduler round: fill the FIFO from what is pending, and look for new input now and then. */
  round(): void {
    this.feed();
    const now = this.machine.clockNs;
    if (now - this.lastPollNs < POLL_NS || !this.uartTakesInput() || this.pending === null || this.pending.length > 0) return;
    this.lastPollNs = now;
    this.take(0);
  }

  private uartTakesInput(): boolean {
    const uart = this.opts.uart;
    return uart !== undefined && this.opts.input !== undefined && uart.rxInterruptEnabled && uart.rxRoom > 0;
  }

  private sendEof(): boolean {
    if (this.eofSent) return false;
    this.eofSent = this.opts.uart!.receive(CTRL_D) === 1;
    return this.eofSent;
  }

  private take(waitMs: number): boolean {
    const data = this.opts.input!(waitMs);
    if (data === undefined) return false;
    if (data === 'halt') {
      this.endRun({ reason: 'host-halt', message: 'halted from the host' }, true);
      return true;
    }
    this.pending = data;
    this.feed();
    return true;
  }

  /** Move what the host typed into the receive FIFO, as far as it has room. */
  private feed(): void {
    const uart = this.opts.uart;
    if (!uart || !this.pending?.length) return;
    const n = uart.receive(this.pending);
    this.pending = this.pending.subarray(n);
  }
}
