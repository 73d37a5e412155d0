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
import { handle_mm_fault, type FaultAccess, type FaultResult } from '../../../mm/memory';
import { VM_EXEC, VM_READ, VM_WRITE } from '../../../mm/mmap';
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

/** A fault the fast path tried and could not resolve: the slow path takes its result. */
const decided = new WeakMap<UserTask, { far: bigint; esr: number; r: FaultResult }>();

function decidedResult(task: UserTask, trap: Trap): FaultResult | undefined {
  const d = decided.get(task);
  if (!d) return undefined;
  decided.delete(task);
  return d.far === trap.far && d.esr === trap.esr ? d.r : undefined;
}

/**
 * From the exception hook: map the missing page of a data abort at EL0 in
 * a readable (for a write, writable) area without VM_EXEC. True when the
 * access can now be retried; false leaves the fault to do_page_fault.
 */
export function do_page_fault_fast(task: UserTask, trap: Trap): boolean {
  if (trap.kind !== 'data-abort' || trap.el !== 0 || !isMmFault(trap.esr)) return false;
  const mm = task.proc!.mm;
  const v = mm.vma_at(trap.far);
  const write = (trap.esr & ESR_ELx_WNR) !== 0;
  if (!v || v.flags & VM_EXEC || !(v.flags & (write ? VM_WRITE : VM_READ)) || mm.lookup(trap.far)) return false;
  const r = handle_mm_fault(mm, trap.far, write ? 'write' : 'read');
  if (r === 'ok') return true;
  decided.set(task, { far: trap.far, esr: trap.esr, r });
  return false;
}

export function do_page_fault(k: Kernel, task: UserTask, trap: Trap): PageFaultResult {
  if (trap.kind !== 'data-abort' && trap.kind !== 'insn-abort') return 'signal';
  if (!isMmFault(trap.esr)) return 'signal';
  const access: FaultAccess = trap.kind === 'insn-abort' ? 'exec' : trap.esr & ESR_ELx_WNR ? 'write' : 'read';
  const r = decidedResult(task, trap) ?? handle_mm_fault(task.proc!.mm, trap.far, access);
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
