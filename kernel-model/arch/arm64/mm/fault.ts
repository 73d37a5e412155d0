// SPDX-License-Identifier: GPL-2.0-only
/*
 * User page faults (arch/arm64/mm/fault.c's do_page_fault, the model's
 * version): an instruction or data abort from EL0 is decoded from its
 * syndrome (the fault status code in ESR.ISS[5:0], WnR in ISS[6]) and
 * handed to handle_mm_fault. A translation fault in an area that allows
 * the access maps the page and the instruction is retried; everything
 * else is the caller's to report as a signal. Running out of memory kills
 * the task, as the OOM killer would pick the faulting task when it is the
 * only candidate.
 */

import type { Kernel } from '../../../kernel';
import type { Trap } from '../../../../emulator/traps';
import type { UserTask } from '../../../kernel/sched/task';
import { handle_mm_fault, type FaultAccess } from '../../../mm/memory';
import { exit_group } from '../../../kernel/exit';
import { W_SIGNALED } from '../../../kernel/process';

const ESR_ELx_WNR = 1 << 6;
const SIGKILL = 9;

/**
 * Translation faults at levels 0-3 and access-flag faults (the page may
 * just be missing), and permission faults (a write to a page shared
 * copy-on-write since fork): handle_mm_fault decides.
 */
const isMmFault = (esr: number): boolean => {
  const fsc = esr & 0x3f;
  return fsc >= 0x04 && fsc <= 0x0f;
};

export type PageFaultResult = 'handled' | 'signal' | 'killed';

export function do_page_fault(k: Kernel, task: UserTask, trap: Trap): PageFaultResult {
  if (trap.kind !== 'data-abort' && trap.kind !== 'insn-abort') return 'signal';
  if (!isMmFault(trap.esr)) return 'signal';
  const access: FaultAccess = trap.kind === 'insn-abort' ? 'exec' : trap.esr & ESR_ELx_WNR ? 'write' : 'read';
  const r = handle_mm_fault(task.proc!.mm, trap.far, access);
  if (r === 'ok') return 'handled';
  if (r !== 'oom') return 'signal';
  k.printk(`Out of memory: Killed process ${task.pid} (${task.comm}) total-vm:${vmKb(task)}kB, anon-rss:${task.proc!.mm.rss * 4}kB`);
  exit_group(k, task, W_SIGNALED(SIGKILL));
  return 'killed';
}

const vmKb = (t: UserTask): string => String(t.proc!.mm.vmas.reduce((n, v) => n + Number(v.size / 1024n), 0));

/** print_vma_addr's " in comm[start+size]" for a PC inside a named area, or ''. */
export function vma_where(task: UserTask, pc: bigint): string {
  const v = task.proc?.mm.vma_at(pc);
  if (!v || !v.name || v.name.startsWith('[')) return '';
  const base = v.name.slice(v.name.lastIndexOf('/') + 1);
  return ` in ${base}[${v.start.toString(16)}+${v.size.toString(16)}]`;
}
