// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tasks, as far as the model has them: a pid, a tid and a name. The test
 * harness runs its system calls as the threads of one process (pid 1,
 * "harness"), one thread per CPU; the thread on CPU n has tid 1 + n, so
 * the one on CPU 0 is the thread-group leader (tid == pid).
 */

export interface Task {
  pid: number;
  tid: number;
  comm: string;
  /** Set when the task called exit/exit_group. */
  exitCode?: number;
}

export const HARNESS_PID = 1;

export function harnessThread(cpu: number): Task {
  return { pid: HARNESS_PID, tid: HARNESS_PID + cpu, comm: 'harness' };
}
