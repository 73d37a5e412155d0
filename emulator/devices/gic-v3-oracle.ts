// SPDX-License-Identifier: GPL-2.0-only
/*
 * A naive GICv3, the oracle the GIC-500 model (gic-v3.ts, driven through
 * its registers) is checked against in property tests: the same rules as
 * the header of gic-v3.ts states them (IHI 0069 chapter 4: the interrupt
 * life cycle, routing, prioritization; EOImode 0 and 1), written the
 * plainest way and sharing no code with the model. Each interrupt is one
 * record found by (CPU, ID) for SGIs and PPIs and by ID for SPIs; what
 * is signalled is recomputed from every record by sorting the candidates,
 * instead of the model's typed-array scan.
 */

export const NAIVE_SPURIOUS = 1023;

interface NaiveIrq {
  enabled: boolean;
  /** Latched pending state (an edge, an SGI, a software set). */
  latch: boolean;
  level: boolean;
  edge: boolean;
  active: boolean;
  prio: number;
}

interface NaiveCpu {
  affinity: number;
  awake: boolean;
  igrpen1: boolean;
  pmr: number;
  eoiMode: number;
  /** Priorities raised by acknowledges and not dropped, oldest first. */
  raised: { id: number; prio: number }[];
}

export class NaiveGicV3 {
  distEnabled = false;
  readonly cpus: NaiveCpu[];
  private readonly irqs = new Map<string, NaiveIrq>();
  /** SPI -> target affinity, or 'any' (1 of N). */
  private readonly routes = new Map<number, number | 'any'>();

  constructor(readonly affinities: readonly number[], readonly lines: number) {
    this.cpus = affinities.map((affinity) => ({ affinity, awake: false, igrpen1: false, pmr: 0, eoiMode: 0, raised: [] }));
  }

  /** The record of `id` as `cpu` sees it (SGIs and PPIs are per CPU). */
  irq(cpu: number, id: number): NaiveIrq {
    const key = id < 32 ? `${cpu}:${id}` : `${id}`;
    let r = this.irqs.get(key);
    if (!r) {
      r = { enabled: false, latch: false, level: false, edge: id < 16, active: false, prio: 0 };
      this.irqs.set(key, r);
    }
    return r;
  }

  setRoute(id: number, target: number | 'any'): void {
    this.routes.set(id, target);
  }

  /** A line (PPI of `cpu`, or SPI): an edge-triggered one latches when it rises. */
  setLine(cpu: number, id: number, level: boolean): void {
    const r = this.irq(cpu, id);
    if (level && !r.level && r.edge) r.latch = true;
    r.level = level;
  }

  sgi(id: number, targets: readonly number[]): void {
    for (const cpu of targets) this.irq(cpu, id).latch = true;
  }

  private pending(r: NaiveIrq): boolean {
    return r.latch || (r.level && !r.edge);
  }

  private reaches(cpu: number, id: number): boolean {
    if (id < 32) return true;
    const route = this.routes.get(id) ?? 0;
    return route === 'any' || route === this.cpus[cpu]!.affinity;
  }

  /** ICC_HPPIR1_EL1: candidates sorted by priority, then ID. */
  highestPending(cpu: number): number {
    const candidates: { id: number; prio: number }[] = [];
    for (let id = 0; id < this.lines; id++) {
      const r = this.irq(cpu, id);
      if (r.enabled && !r.active && this.pending(r) && this.reaches(cpu, id)) candidates.push({ id, prio: r.prio });
    }
    candidates.sort((a, b) => a.prio - b.prio || a.id - b.id);
    return candidates[0]?.id ?? NAIVE_SPURIOUS;
  }

  runningPriority(cpu: number): number {
    return this.cpus[cpu]!.raised.at(-1)?.prio ?? 0xff;
  }

  /** The interrupt `cpu`'s IRQ output signals, or NAIVE_SPURIOUS. */
  signalled(cpu: number): number {
    const c = this.cpus[cpu]!;
    if (!this.distEnabled || !c.awake || !c.igrpen1) return NAIVE_SPURIOUS;
    const id = this.highestPending(cpu);
    if (id === NAIVE_SPURIOUS) return id;
    const prio = this.irq(cpu, id).prio;
    return prio < c.pmr && prio < this.runningPriority(cpu) ? id : NAIVE_SPURIOUS;
  }

  acknowledge(cpu: number): number {
    const id = this.signalled(cpu);
    if (id === NAIVE_SPURIOUS) return id;
    const r = this.irq(cpu, id);
    r.active = true;
    r.latch = false;
    this.cpus[cpu]!.raised.push({ id, prio: r.prio });
    return id;
  }

  endOfInterrupt(cpu: number, id: number): void {
    if (id >= this.lines) return;
    const raised = this.cpus[cpu]!.raised;
    for (let i = raised.length - 1; i >= 0; i--) {
      if (raised[i]!.id === id) {
        raised.splice(i, 1);
        break;
      }
    }
    if (this.cpus[cpu]!.eoiMode === 0) this.irq(cpu, id).active = false;
  }

  deactivate(cpu: number, id: number): void {
    if (id < this.lines) this.irq(cpu, id).active = false;
  }
}
