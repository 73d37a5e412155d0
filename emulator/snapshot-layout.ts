// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where things are in a uc_context snapshot of this Unicorn build.
 *
 * A snapshot is QEMU's CPUARMState copied raw (after a small header). The
 * trap path reads three things from the snapshot its INTR hook saves,
 * instead of one uc_reg_read call each: the general registers (xregs[32]),
 * PSTATE's mode bits (pstate, right after pc), and the exception syndrome
 * and fault address (env->exception), which no register API exposes at
 * all in 2.0.1. Offsets differ between builds, so they are found once per
 * process on a scratch engine: registers are seeded with markers and a
 * known `svc #0x5a5a` is trapped; each field is then looked up and checked.
 * (uc_context_save in Unicorn 2.0.1's uc.c copies CPUARMState raw.)
 */

import { hostAlloc, Unicorn } from './unicorn/binding';
import { UC_CPU_ARM64_A53, UC_PROT_ALL, regX } from './unicorn/constants';

export interface SnapshotLayout {
  /** env->exception.syndrome (u32); vaddress (FAR) is at +8. */
  syndrome: number;
  /** env->xregs[0] (u64 each; [31] is SP). */
  xregs: number;
  /** env->pstate (u32): PSTATE.M, so EL = bits 3:2. */
  pstate: number;
}

let layout: SnapshotLayout | undefined;

const MARK = 0x5eed_0000_0000_0000n;
const SVC_5A5A = (0xd4000001 | (0x5a5a << 5)) >>> 0;
const SVC_PC = 0x800;

export function snapshotLayout(): SnapshotLayout {
  if (layout) return layout;
  const mem = hostAlloc(0x1000);
  const uc = new Unicorn(UC_CPU_ARM64_A53);
  try {
    uc.memMapPtr(0n, 0x1000, UC_PROT_ALL, mem.ptr);
    new DataView(mem.buffers[0]!).setUint32(SVC_PC, SVC_5A5A, true);
    for (let i = 0; i < 31; i++) uc.regWrite(regX(i), MARK + BigInt(i));
    const ctx = uc.contextAlloc();
    uc.hookIntr(() => {
      uc.contextSave(ctx);
      uc.emuStop();
    });
    uc.emuStart(BigInt(SVC_PC), 0n, 0, 1);
    const dv = ctx.bytes;
    const find = (pred: (off: number) => boolean): number => {
      for (let off = 0; off + 8 <= ctx.size; off += 4) if (pred(off)) return off;
      throw new Error('cannot find the CPU state in Unicorn context snapshots: this Unicorn build is not supported');
    };
    const syndrome = find((o) => dv.getUint32(o, true) === 0x56005a5a);
    const xregs = find((o) => dv.getBigUint64(o, true) === MARK && dv.getBigUint64(o + 8 * 30, true) === MARK + 30n);
    // CPUARMState: xregs[32], then pc (u64), then pstate (u32).
    const pc = xregs + 32 * 8;
    const pstate = pc + 8;
    if (dv.getBigUint64(pc, true) !== BigInt(SVC_PC + 4) || (dv.getUint32(pstate, true) & 0xf) !== 0b0101)
      throw new Error('unexpected CPUARMState layout in Unicorn context snapshots: this Unicorn build is not supported');
    ctx.free();
    return (layout = { syndrome, xregs, pstate });
  } finally {
    uc.dispose();
    mem.free();
  }
}
