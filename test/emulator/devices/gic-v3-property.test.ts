// SPDX-License-Identifier: GPL-2.0-only
// The GIC-500 model, driven through its registers (distributor and
// redistributor MMIO, the ICC_* system registers) and its input lines,
// against the naive GICv3 (emulator/devices/gic-v3-oracle.ts), with its
// invariant checker after every command.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkModel } from '../../helpers/model-check';
import { GicV3 } from '../../../emulator/devices/gic-v3';
import { GicV3Distributor, GicV3Redistributors, GICV3_REDIST_STRIDE } from '../../../emulator/devices/gic-v3-regs';
import { GicV3CpuInterface } from '../../../emulator/devices/gic-v3-cpuif';
import { NaiveGicV3 } from '../../../emulator/devices/gic-v3-oracle';
import type { SysRegId } from '../../../emulator/devices/irq-controller';

const MPIDRS = [0x8000_0000, 0x8000_0001, 0x8000_0002, 0x8000_0003, 0x8000_0100, 0x8000_0101];
const AFFINITIES = MPIDRS.map((m) => m & 0xff_ffff);
const NCPUS = MPIDRS.length;
const SGI = 0x1_0000;
const icc = (crn: number, crm: number, op2: number): SysRegId => ({ op0: 3, op1: 0, crn, crm, op2 });
const PMR = icc(4, 6, 0);
const IAR1 = icc(12, 12, 0);
const EOIR1 = icc(12, 12, 1);
const HPPIR1 = icc(12, 12, 2);
const CTLR = icc(12, 12, 4);
const IGRPEN1 = icc(12, 12, 7);
const DIR = icc(12, 11, 1);
const RPR = icc(12, 11, 3);
const SGI1R = icc(12, 11, 5);

interface Sys {
  gic: GicV3;
  dist: GicV3Distributor;
  rd: GicV3Redistributors;
  cpuif: GicV3CpuInterface;
  naive: NaiveGicV3;
}

type Cmd =
  | { op: 'enable' | 'pend'; cpu: number; id: number; on: boolean }
  | { op: 'prio'; cpu: number; id: number; prio: number }
  | { op: 'edge'; cpu: number; id: number; on: boolean }
  | { op: 'line'; cpu: number; id: number; on: boolean }
  | { op: 'route'; id: number; target: number }
  | { op: 'pmr'; cpu: number; value: number }
  | { op: 'ack' | 'eoi' | 'igrpen'; cpu: number; on: boolean }
  | { op: 'dir' | 'eoimode'; cpu: number; id: number; on: boolean }
  | { op: 'sgi'; from: number; id: number; targets: number; irm: boolean }
  | { op: 'wake'; cpu: number; on: boolean }
  | { op: 'dist'; on: boolean }
  | { op: 'handle'; cpu: number; on: boolean };

/** A few IDs of each kind (SGIs, the timers' PPIs, SPIs in two ICFGR and ISENABLER words), few enough to collide. */
const IDS = [0, 1, 27, 30, 32, 33, 48];
/**
 * Every CPU, but mostly cpu0 (where SPIs go by default, EOImode 0) and
 * cpu4 (EOImode 1), so that commands meet on a CPU: the helper's
 * sequences are short (fast-check's default size).
 */
const cpu = fc.constantFrom(0, 0, 0, 1, 2, 3, 4, 4, 4, 5);
const id = fc.constantFrom(...IDS);
const spi = fc.constantFrom(...IDS.filter((i) => i >= 32));
const line = fc.constantFrom(...IDS.filter((i) => i >= 16));
const on = fc.boolean();

const command: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ op: fc.constantFrom('enable' as const, 'pend' as const), cpu, id, on }),
  fc.record({ op: fc.constant('prio' as const), cpu, id, prio: fc.constantFrom(0x80, 0xa0, 0xa0, 0xf0) }),
  fc.record({ op: fc.constant('edge' as const), cpu, id: line, on }),
  fc.record({ op: fc.constant('line' as const), cpu, id: line, on }),
  fc.record({ op: fc.constant('line' as const), cpu, id: line, on }),
  fc.record({ op: fc.constant('route' as const), id: spi, target: fc.integer({ min: -1, max: NCPUS - 1 }) }),
  fc.record({ op: fc.constant('pmr' as const), cpu, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constantFrom('ack' as const, 'ack' as const, 'eoi' as const, 'eoi' as const, 'igrpen' as const), cpu, on: fc.boolean() }),
  fc.record({ op: fc.constantFrom('dir' as const, 'eoimode' as const), cpu, id, on }),
  fc.record({ op: fc.constant('sgi' as const), from: cpu, id: fc.constantFrom(0, 1, 2), targets: fc.integer({ min: 0, max: (1 << NCPUS) - 1 }), irm: fc.boolean() }),
  fc.record({ op: fc.constant('wake' as const), cpu, on }),
  fc.record({ op: fc.constant('dist' as const), on }),
  fc.record({ op: fc.constant('handle' as const), cpu, on }),
  fc.record({ op: fc.constant('handle' as const), cpu, on }),
);

/** A bit-per-interrupt register pair (set at `set`, clear at `set + 0x80`), written through the frame that holds `id`. */
function writeBit(s: Sys, c: number, id: number, set: number, on: boolean): void {
  const off = (on ? set : set + 0x80) + (id >> 5) * 4;
  const bit = BigInt(1 << (id & 31)) & 0xffff_ffffn;
  if (id < 32) s.rd.write(c * GICV3_REDIST_STRIDE + SGI + off, 4, bit);
  else s.dist.write(off, 4, bit);
}

function setEdge(s: Sys, c: number, id: number, on: boolean): void {
  const off = 0xc00 + (id >> 4) * 4;
  const at = id < 32 ? c * GICV3_REDIST_STRIDE + SGI + off : off;
  const frame = id < 32 ? s.rd : s.dist;
  const word = Number(frame.read(at, 4));
  const bit = 2 << (2 * (id & 15));
  frame.write(at, 4, BigInt((on ? word | bit : word & ~bit) >>> 0));
}

/** ICC_SGI1R_EL1 writes for `targets`: one per cluster (Aff1 0: the A53s, Aff1 1: the A72s), or one with IRM. */
function sendSgi(s: Sys, from: number, id: number, targets: number, irm: boolean): void {
  if (irm) {
    s.cpuif.write(from, SGI1R, (BigInt(id) << 24n) | (1n << 40n));
    s.naive.sgi(id, AFFINITIES.map((_a, c) => c).filter((c) => c !== from));
    return;
  }
  for (const cluster of [0, 1]) {
    let list = 0;
    AFFINITIES.forEach((a, c) => {
      if (targets & (1 << c) && a >> 8 === cluster) list |= 1 << (a & 0xff);
    });
    if (list) s.cpuif.write(from, SGI1R, (BigInt(id) << 24n) | (BigInt(cluster) << 16n) | BigInt(list));
  }
  s.naive.sgi(id, AFFINITIES.map((_a, c) => c).filter((c) => targets & (1 << c)));
}

function apply(s: Sys, cmd: Cmd): void {
  const { naive } = s;
  switch (cmd.op) {
    case 'enable':
      writeBit(s, cmd.cpu, cmd.id, 0x100, cmd.on);
      naive.irq(cmd.cpu, cmd.id).enabled = cmd.on;
      return;
    case 'pend':
      writeBit(s, cmd.cpu, cmd.id, 0x200, cmd.on);
      naive.irq(cmd.cpu, cmd.id).latch = cmd.on;
      return;
    case 'prio':
      if (cmd.id < 32) s.rd.write(cmd.cpu * GICV3_REDIST_STRIDE + SGI + 0x400 + cmd.id, 1, BigInt(cmd.prio));
      else s.dist.write(0x400 + cmd.id, 1, BigInt(cmd.prio));
      naive.irq(cmd.cpu, cmd.id).prio = cmd.prio;
      return;
    case 'edge':
      setEdge(s, cmd.cpu, cmd.id, cmd.on);
      naive.irq(cmd.cpu, cmd.id).edge = cmd.on;
      return;
    case 'line':
      if (cmd.id < 32) s.gic.setPpi(cmd.cpu, cmd.id, cmd.on);
      else s.gic.setSpi(cmd.id, cmd.on);
      naive.setLine(cmd.cpu, cmd.id, cmd.on);
      return;
    case 'route':
      s.dist.write(0x6000 + cmd.id * 8, 8, cmd.target < 0 ? 1n << 31n : BigInt(AFFINITIES[cmd.target]!));
      naive.setRoute(cmd.id, cmd.target < 0 ? 'any' : AFFINITIES[cmd.target]!);
      return;
    case 'pmr':
      s.cpuif.write(cmd.cpu, PMR, BigInt(cmd.value));
      naive.cpus[cmd.cpu]!.pmr = cmd.value & 0xf0;
      return;
    case 'ack':
      expect(s.cpuif.read(cmd.cpu, IAR1)).toBe(BigInt(naive.acknowledge(cmd.cpu)));
      return;
    case 'eoi': {
      // What a handler does: EOI the interrupt it acknowledged last (or, once in a while, a stray ID).
      const last = naive.cpus[cmd.cpu]!.raised.at(-1)?.id;
      const eoi = cmd.on || last === undefined ? 33 : last;
      s.cpuif.write(cmd.cpu, EOIR1, BigInt(eoi));
      naive.endOfInterrupt(cmd.cpu, eoi);
      return;
    }
    case 'igrpen':
      s.cpuif.write(cmd.cpu, IGRPEN1, cmd.on ? 1n : 0n);
      naive.cpus[cmd.cpu]!.igrpen1 = cmd.on;
      return;
    case 'dir':
      s.cpuif.write(cmd.cpu, DIR, BigInt(cmd.id));
      naive.deactivate(cmd.cpu, cmd.id);
      return;
    case 'eoimode':
      s.cpuif.write(cmd.cpu, CTLR, cmd.on ? 2n : 0n);
      naive.cpus[cmd.cpu]!.eoiMode = cmd.on ? 1 : 0;
      return;
    case 'sgi':
      sendSgi(s, cmd.from, cmd.id, cmd.targets, cmd.irm);
      return;
    case 'wake':
      s.rd.write(cmd.cpu * GICV3_REDIST_STRIDE + 0x14, 4, cmd.on ? 0n : 2n);
      naive.cpus[cmd.cpu]!.awake = cmd.on;
      return;
    case 'dist':
      s.dist.write(0, 4, cmd.on ? 0x13n : 0x10n);
      naive.distEnabled = cmd.on;
      return;
    case 'handle': {
      // A handler: acknowledge, EOI what it got, and with `on` deactivate it too (Linux's split mode at EL2).
      const got = Number(s.cpuif.read(cmd.cpu, IAR1));
      expect(got).toBe(naive.acknowledge(cmd.cpu));
      if (got === 1023) return;
      s.cpuif.write(cmd.cpu, EOIR1, BigInt(got));
      naive.endOfInterrupt(cmd.cpu, got);
      if (!cmd.on) return;
      s.cpuif.write(cmd.cpu, DIR, BigInt(got));
      naive.deactivate(cmd.cpu, got);
    }
  }
}

function setup(): Sys {
  const gic = new GicV3({ mpidrs: MPIDRS, spis: 256 });
  const s: Sys = { gic, dist: new GicV3Distributor(gic), rd: new GicV3Redistributors(gic), cpuif: new GicV3CpuInterface(gic), naive: new NaiveGicV3(AFFINITIES, gic.lines) };
  // Start where Linux leaves it (every ID enabled at 0xa0, the SGIs 0-2 too), so that most sequences
  // signal something and ties are common, the A72s in EOImode 1 (as Linux at EL2 sets it); the
  // commands undo any of it.
  apply(s, { op: 'dist', on: true });
  for (let c = 0; c < NCPUS; c++) {
    apply(s, { op: 'wake', cpu: c, on: true });
    apply(s, { op: 'igrpen', cpu: c, on: true });
    apply(s, { op: 'pmr', cpu: c, value: 0xf0 });
    apply(s, { op: 'eoimode', cpu: c, id: 0, on: c >= 4 });
    for (const i of [...IDS, 2]) {
      apply(s, { op: 'enable', cpu: c, id: i, on: true });
      apply(s, { op: 'prio', cpu: c, id: i, prio: 0xa0 });
    }
  }
  return s;
}

describe('GIC-500 model against the naive GICv3', () => {
  it('signals, acknowledges and completes as the naive one does, through its registers, keeping its invariants', () => {
    checkModel<Sys, Cmd>({
      setup,
      command,
      step: (s, cmd) => {
        apply(s, cmd);
        for (let c = 0; c < NCPUS; c++) {
          expect(s.gic.irqAsserted(c), `cpu${c} output`).toBe(s.naive.signalled(c) !== 1023);
          expect(s.cpuif.read(c, HPPIR1), `cpu${c} HPPIR1`).toBe(BigInt(s.naive.highestPending(c)));
          expect(s.cpuif.read(c, RPR), `cpu${c} RPR`).toBe(BigInt(s.naive.runningPriority(c)));
        }
      },
      check: (s) => s.gic.checkInvariants(),
    }, { numRuns: 1500, maxLength: 80, seed: 1 });
  });
});
