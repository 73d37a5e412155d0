// SPDX-License-Identifier: GPL-2.0-only
/*
 * Timers on the virtual clock: a list of callbacks by expiry time, run
 * when the machine's clock reaches them (the model's timer wheel and
 * hrtimers in one). An idle machine skips its clock straight to the first
 * expiry, as a tickless kernel sleeps until its next event.
 *
 * Ties are broken by the order the timers were added, so that the same
 * inputs always run the same callbacks in the same order.
 */

export class Timer {
  /** Position in the list, or -1 when not pending. */
  constructor(
    readonly expiresNs: number,
    readonly seq: number,
    readonly fn: () => void,
    readonly what: string,
  ) {}
  pending = true;
}

export class TimerList {
  private readonly timers: Timer[] = [];
  private seq = 0;

  /** add_timer: run `fn` once the clock reaches `expiresNs`. */
  add(expiresNs: number, fn: () => void, what: string): Timer {
    const t = new Timer(expiresNs, this.seq++, fn, what);
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.timers[mid]!;
      if (m.expiresNs < expiresNs || (m.expiresNs === expiresNs && m.seq < t.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, t);
    return t;
  }

  /** del_timer: true if it was pending. */
  del(t: Timer): boolean {
    if (!t.pending) return false;
    t.pending = false;
    const i = this.timers.indexOf(t);
    if (i >= 0) this.timers.splice(i, 1);
    return true;
  }

  /** Run every timer due at `nowNs`, earliest first. */
  runDue(nowNs: number): void {
    while (this.timers.length && this.timers[0]!.expiresNs <= nowNs) {
      const t = this.timers.shift()!;
      t.pending = false;
      t.fn();
    }
  }

  /** Expiry of the first pending timer. */
  next(): number | undefined {
    return this.timers[0]?.expiresNs;
  }

  get size(): number {
    return this.timers.length;
  }
}
