// SPDX-License-Identifier: GPL-2.0-only
/*
 * printk: the kernel log. Lines are stored without timestamps and printed
 * the way dmesg shows them, "[    0.123456] text", with the time taken from
 * the machine's virtual clock so that the same boot prints the same log.
 */

export type Printk = (line: string) => void;

export interface LogLine {
  /** Virtual time in microseconds since the kernel started. */
  usec: number;
  text: string;
}

export class KernelLog {
  readonly lines: LogLine[] = [];
  private readonly listeners: ((formatted: string) => void)[] = [];

  constructor(private readonly clockUsec: () => number = () => 0) {}

  /** The Printk function handed to subsystems. */
  readonly printk: Printk = (text: string) => {
    for (const part of text.split('\n')) {
      const line = { usec: this.clockUsec(), text: part };
      this.lines.push(line);
      const formatted = formatLogLine(line);
      for (const l of this.listeners) l(formatted);
    }
  };

  onLine(listener: (formatted: string) => void): void {
    this.listeners.push(listener);
  }

  /** The whole log in dmesg's format. */
  dmesg(): string {
    return this.lines.map(formatLogLine).join('\n') + (this.lines.length ? '\n' : '');
  }
}

export function formatLogLine({ usec, text }: LogLine): string {
  const sec = Math.floor(usec / 1e6);
  const frac = String(Math.floor(usec % 1e6)).padStart(6, '0');
  return `[${String(sec).padStart(5, ' ')}.${frac}] ${text}`;
}
