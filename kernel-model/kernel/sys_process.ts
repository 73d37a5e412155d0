// SPDX-License-Identifier: GPL-2.0-only
/*
 * The process and thread system calls (kernel/exit.c, kernel/fork.c,
 * kernel/futex.c, kernel/sys.c, kernel/time/, kernel/sched/core.c), with
 * arm64's numbers and Linux's errors, as far as static programs and the
 * model's workloads use them.
 *
 * Identity is root's (uid 0, as on a board booted to an initramfs).
 * The signal calls are in sys_signal.ts.
 */

import { E2BIG, EAGAIN, EBUSY, ECHILD, EFAULT, EINVAL, ENAMETOOLONG, ENOENT, ENOMEM, ENOSYS, EPERM, ESRCH, ETIMEDOUT } from '../include/errno';
import { NR } from '../include/unistd';
import type { SyscallContext, SyscallDef, SyscallResult } from './sys';
import type { UserTask } from './sched/task';
import { W_EXITCODE, type Process } from './process';
import { binprm, clone_thread, exec_in_task, fork_process } from './fork';
import { current_files } from '../fs/sys_common';
import { exec_binprm, resolve_exec } from '../fs/exec';
import { ExecError } from '../fs/binfmt_elf';
import { current_fs } from '../fs/sys_common';
import { copyToUser, strncpyFromUser } from './uaccess';
import type { MmStruct } from '../mm/mmap';
import { WCONTINUED, WEXITED, WNOHANG, WNOWAIT, WSTOPPED, do_wait, exit_group, exit_thread, wake_user, type WaitReport, type WaitResult } from './exit';
import { FUTEX_BITSET_MATCH_ANY, FUTEX_CLOCK_REALTIME, FUTEX_CMD_MASK, FUTEX_WAIT, FUTEX_WAIT_BITSET, FUTEX_WAKE, FUTEX_WAKE_BITSET } from './futex';
import { UTS_RELEASE } from '../init/main';
import { get_timespec } from './time/timespec';
import { SIGCHLD } from './signal';
import { RUSAGE_SIZE, encode_rusage } from './sys_times';
import { FSHIFT } from './sched/loadavg';
import { NSEC_PER_SEC } from './time/jiffies';

const err = (e: number): bigint => BigInt(-e);
const task = (ctx: SyscallContext): UserTask => ctx.task as UserTask;
const proc = (ctx: SyscallContext): Process => task(ctx).proc!;
const u32 = (v: number): Uint8Array => new Uint8Array(new Uint32Array([v >>> 0]).buffer);
const u64s = (...v: bigint[]): Uint8Array => new Uint8Array(new BigUint64Array(v).buffer);

/* clone flags (include/uapi/linux/sched.h) */
const CLONE_VM = 0x100;
const CLONE_VFORK = 0x4000;
const CLONE_THREAD = 0x10000;
const CLONE_SETTLS = 0x80000;
const CLONE_PARENT_SETTID = 0x100000;
const CLONE_CHILD_CLEARTID = 0x200000;
const CLONE_CHILD_SETTID = 0x1000000;

/* ---- exit and wait --------------------------------------------------------- */

function sys_exit(ctx: SyscallContext, [code]: readonly bigint[]): bigint {
  exit_thread(ctx.kernel, task(ctx), W_EXITCODE(Number(code! & 0xffn)), ctx.cpu);
  return 0n;
}

function sys_exit_group(ctx: SyscallContext, [code]: readonly bigint[]): bigint {
  exit_group(ctx.kernel, task(ctx), W_EXITCODE(Number(code! & 0xffn)));
  return 0n;
}

/** The children wait4's `pid` names: < -1 group -pid, -1 any, 0 the caller's group, > 0 that one. */
function wait4_select(me: Process, pid: number): (c: Process) => boolean {
  if (pid < -1) return (c) => c.pgid === -pid;
  if (pid === -1) return () => true;
  if (pid === 0) return (c) => c.pgid === me.pgid;
  return (c) => c.pid === pid;
}

/** Where a wait that found nothing yet goes: ECHILD, 0 (WNOHANG), or asleep until a child changes. */
function wait_outcome(r: WaitResult): SyscallResult | WaitReport {
  if ('none' in r) return err(ECHILD);
  if ('nohang' in r) return 0n;
  if ('block' in r) return { kind: 'sleep', what: 'wait' };
  return r;
}

const __WNOTHREAD = 0x20000000;
const __WALL = 0x40000000;
const __WCLONE = 0x80000000;

/** wait4(pid, wstatus, options, rusage): WNOHANG, WUNTRACED, WCONTINUED; rusage has the child's CPU times. */
function sys_wait4(ctx: SyscallContext, [pid, wstatus, options, rusage]: readonly bigint[]): SyscallResult {
  const opts = Number(options!);
  if (opts & ~(WNOHANG | WSTOPPED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE)) return err(EINVAL);
  const r = wait_outcome(do_wait(ctx.kernel, task(ctx), wait4_select(proc(ctx), Number(BigInt.asIntN(32, pid!))), opts | WEXITED));
  if (typeof r === 'bigint' || !('pid' in r)) return r;
  if (wstatus !== 0n && !ctx.copyToUser(wstatus!, u32(r.wstatus))) return err(EFAULT);
  if (rusage !== 0n && !ctx.copyToUser(rusage!, encode_rusage(r.utimeNs, r.stimeNs))) return err(EFAULT);
  return BigInt(r.pid);
}

const P_ALL = 0;
const P_PID = 1;
const P_PGID = 2;

/**
 * waitid(idtype, id, infop, options, rusage): P_ALL, P_PID, P_PGID (id 0:
 * the caller's group); options need one of WEXITED, WSTOPPED, WCONTINUED.
 * The report is a siginfo: SIGCHLD, its CLD_* code, the pid, uid 0 and
 * the status; with WNOHANG and nothing to report, a zeroed one and 0.
 */
function sys_waitid(ctx: SyscallContext, [idtype, id, infop, options, rusage]: readonly bigint[]): SyscallResult {
  const opts = Number(options!);
  const which = Number(idtype!);
  const n = Number(BigInt.asIntN(32, id!));
  if (opts & ~(WNOHANG | WSTOPPED | WEXITED | WCONTINUED | WNOWAIT | __WNOTHREAD | __WALL | __WCLONE) || !(opts & (WEXITED | WSTOPPED | WCONTINUED))) return err(EINVAL);
  const me = proc(ctx);
  let select: (c: Process) => boolean;
  if (which === P_ALL) select = () => true;
  else if (which === P_PID && n > 0) select = (c) => c.pid === n;
  else if (which === P_PGID && n >= 0) select = (c) => c.pgid === (n === 0 ? me.pgid : n);
  else return err(EINVAL);
  const r = wait_outcome(do_wait(ctx.kernel, task(ctx), select, opts));
  if (typeof r !== 'bigint' && !('pid' in r)) return r;
  const info = new Uint8Array(128);
  if (typeof r !== 'bigint') {
    const v = new DataView(info.buffer);
    v.setInt32(0, SIGCHLD, true);
    v.setInt32(8, r.code, true);
    v.setInt32(16, r.pid, true);
    v.setInt32(24, r.status, true);
  } else if (r !== 0n) return r;
  if (infop !== 0n && !ctx.copyToUser(infop!, info)) return err(EFAULT);
  if (rusage !== 0n && !ctx.copyToUser(rusage!, typeof r === 'bigint' ? new Uint8Array(RUSAGE_SIZE) : encode_rusage(r.utimeNs, r.stimeNs))) return err(EFAULT);
  return 0n;
}

/* ---- threads ------------------------------------------------------------------ */

/**
 * clone(flags, newsp, parent_tid, tls, child_tid): a thread with
 * CLONE_THREAD (which needs CLONE_VM), otherwise a new process (fork, or
 * vfork with CLONE_VM | CLONE_VFORK). The low byte (the exit signal) is
 * SIGCHLD in practice; the model wakes the parent's wait4 either way.
 */
function sys_clone(ctx: SyscallContext, [flags, newsp, ptid, tls, ctid]: readonly bigint[]): SyscallResult {
  const f = Number(flags! & 0xffffffffn);
  if (!(f & CLONE_THREAD)) return do_fork(ctx, f, newsp!, ptid!, tls!, ctid!);
  if (!(f & CLONE_VM)) return err(EINVAL);
  if (too_many_threads(ctx)) return err(EAGAIN);
  const child = clone_thread(ctx.kernel, task(ctx), ctx.pc, newsp ? newsp : undefined, f & CLONE_SETTLS ? tls : undefined);
  const tid = u32(child.tid);
  if (f & CLONE_PARENT_SETTID) ctx.copyToUser(ptid!, tid);
  if (f & CLONE_CHILD_SETTID) ctx.copyToUser(ctid!, tid); // same mm: the child sees it too
  if (f & CLONE_CHILD_CLEARTID) child.clear_child_tid = ctid!;
  return BigInt(child.tid);
}

/**
 * copy_process's limit on tasks: every thread, kernel threads included,
 * against threads-max (EAGAIN). RLIMIT_NPROC does not apply: every process
 * of the model is root's, and root (CAP_SYS_RESOURCE) is exempt from it.
 */
const too_many_threads = (ctx: SyscallContext): boolean => ctx.kernel.sched.tasks.size >= ctx.kernel.user.threadsMax;

function do_fork(ctx: SyscallContext, f: number, newsp: bigint, ptid: bigint, tls: bigint, ctid: bigint): SyscallResult {
  const k = ctx.kernel;
  if (too_many_threads(ctx)) return err(EAGAIN);
  current_files(ctx); // the parent's descriptors and fs_struct exist before they are copied
  current_fs(ctx);
  const vfork = (f & CLONE_VFORK) !== 0;
  const child = fork_process(k, task(ctx), ctx.pc, {
    shareVm: (f & CLONE_VM) !== 0,
    vfork,
    sp: newsp ? newsp : undefined,
    tls: f & CLONE_SETTLS ? tls : undefined,
  });
  if (!child) return err(ENOMEM);
  const t = [...child.threads][0]!;
  const tid = new Uint8Array(new Uint32Array([child.pid]).buffer);
  if (f & CLONE_PARENT_SETTID) ctx.copyToUser(ptid, tid);
  if (f & CLONE_CHILD_SETTID) copyToUser(child.mm, ctx.kernel.machine.ram, ctid, tid); // the child's own copy of the word
  if (f & CLONE_CHILD_CLEARTID) t.clear_child_tid = ctid;
  if (!vfork) return BigInt(child.pid);
  // The parent sleeps until the child has left the shared address space (exec or exit).
  const parent = task(ctx);
  child.vforkParent = parent;
  parent.cancelWait = () => (child.vforkParent = undefined);
  return { kind: 'sleep', ret: BigInt(child.pid), what: `vfork ${child.pid}` };
}

function sys_set_tid_address(ctx: SyscallContext, [tidptr]: readonly bigint[]): bigint {
  task(ctx).clear_child_tid = tidptr!;
  return BigInt(ctx.task.tid);
}

function sys_set_robust_list(ctx: SyscallContext, [head, len]: readonly bigint[]): bigint {
  if (len !== 24n) return err(EINVAL); // sizeof(struct robust_list_head)
  task(ctx).robust_list = head!;
  return 0n;
}

/* ---- execve ------------------------------------------------------------------ */

/** A NULL-terminated array of string pointers from user memory (argv, envp); at most MAX_ARG_STRINGS-ish entries. */
function copy_strings(ctx: SyscallContext, mm: MmStruct, va: bigint): string[] | bigint {
  const out: string[] = [];
  if (va === 0n) return out;
  for (let i = 0; i < 0x10000; i++) {
    const p = ctx.copyFromUser(va + BigInt(8 * i), 8);
    if (!p) return err(EFAULT);
    const ptr = new DataView(p.buffer).getBigUint64(0, true);
    if (ptr === 0n) return out;
    const s = strncpyFromUser(mm, ctx.kernel.machine.ram, ptr, 1 << 17);
    if (s === undefined) return err(EFAULT);
    if (s === 'toolong') return err(E2BIG);
    out.push(s);
  }
  return err(E2BIG);
}

/** execve(path, argv, envp): on success the call does not return; the task starts the new program. */
function sys_execve(ctx: SyscallContext, [path, argvp, envpp]: readonly bigint[]): SyscallResult {
  const k = ctx.kernel;
  const t = task(ctx);
  const mm = proc(ctx).mm;
  const name = strncpyFromUser(mm, k.machine.ram, path!, 4096);
  if (name === undefined) return err(EFAULT);
  if (name === 'toolong') return err(ENAMETOOLONG);
  const argv = copy_strings(ctx, mm, argvp!);
  if (typeof argv === 'bigint') return argv;
  const envp = copy_strings(ctx, mm, envpp!);
  if (typeof envp === 'bigint') return envp;
  const vfs = k.rootfs;
  if (!vfs) return err(ENOENT);
  try {
    const fs = current_fs(ctx);
    const target = resolve_exec(fs.root, fs.pwd, name, argv);
    const prog = exec_binprm(k.user.mem, binprm(k, target.file, target.filename, target.argv, envp));
    exec_in_task(k, t, prog, target.filename);
    return { kind: 'jump', pc: t.resumePc };
  } catch (e) {
    if (e instanceof ExecError) return err(e.errno);
    throw e;
  }
}

/* ---- futex ------------------------------------------------------------------------ */

function sys_futex(ctx: SyscallContext, [uaddr, op, val, timeout, , val3]: readonly bigint[]): SyscallResult {
  const cmd = Number(op!) & FUTEX_CMD_MASK;
  const k = ctx.kernel;
  const mm = proc(ctx).mm;
  if (uaddr! & 3n) return err(EINVAL);
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      const bitset = cmd === FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : Number(val3! & 0xffffffffn);
      if (bitset === 0) return err(EINVAL);
      const word = ctx.copyFromUser(uaddr!, 4);
      if (!word) return err(EFAULT);
      if (new DataView(word.buffer).getUint32(0, true) !== Number(val! & 0xffffffffn)) return err(EAGAIN);
      let untilNs: number | undefined;
      if (timeout !== 0n) {
        const ts = get_timespec(ctx.copyFromUser, timeout!);
        if (typeof ts !== 'number') return ts;
        // FUTEX_WAIT's timeout is relative; the BITSET form's is absolute (CLOCK_REALTIME reads as CLOCK_MONOTONIC here).
        untilNs = cmd === FUTEX_WAIT ? ctx.nowNs() + ts : ts;
        void FUTEX_CLOCK_REALTIME;
      }
      const t = task(ctx);
      k.user.futex.queue(mm, uaddr!, t, bitset);
      t.cancelWait = () => k.user.futex.unqueue(t);
      return { kind: 'sleep', untilNs, ret: untilNs === undefined ? 0n : err(ETIMEDOUT), what: `futex 0x${uaddr!.toString(16)}` };
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
      const bitset = cmd === FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : Number(val3! & 0xffffffffn);
      if (bitset === 0) return err(EINVAL);
      const n = Number(BigInt.asIntN(32, val!));
      return BigInt(k.user.futex.wake(mm, uaddr!, n <= 0 ? 1 : n, bitset, (w) => wake_user(k, w, 0n)));
    }
    default:
      return err(ENOSYS);
  }
}

/* ---- identity and the system ------------------------------------------------------------------ */

/** uname: struct new_utsname, six fields of 65 bytes. */
function sys_uname(ctx: SyscallContext, [buf]: readonly bigint[]): bigint {
  const fields = ['Linux', ctx.kernel.user.hostname, UTS_RELEASE, '#1 SMP PREEMPT Thu Jan 1 00:00:00 UTC 1970', 'aarch64', '(none)'];
  const out = new Uint8Array(65 * 6);
  fields.forEach((f, i) => out.set(new TextEncoder().encode(f).subarray(0, 64), i * 65));
  return ctx.copyToUser(buf!, out) ? 0n : err(EFAULT);
}

const RLIMIT_NLIMITS = 16;
const RLIM_INFINITY = 0xffff_ffff_ffff_ffffn;
/** The defaults init starts with (include/asm-generic/resource.h's INIT_RLIMITS), by resource. */
const INIT_RLIMITS: readonly [bigint, bigint][] = [
  [RLIM_INFINITY, RLIM_INFINITY], // CPU
  [RLIM_INFINITY, RLIM_INFINITY], // FSIZE
  [RLIM_INFINITY, RLIM_INFINITY], // DATA
  [8n << 20n, RLIM_INFINITY], // STACK (_STK_LIM)
  [0n, RLIM_INFINITY], // CORE
  [RLIM_INFINITY, RLIM_INFINITY], // RSS
  [0n, 0n], // NPROC: set from threads-max at boot
  [1024n, 4096n], // NOFILE (INR_OPEN_CUR, INR_OPEN_MAX)
  [8n << 20n, 8n << 20n], // MEMLOCK (MLOCK_LIMIT)
  [RLIM_INFINITY, RLIM_INFINITY], // AS
  [RLIM_INFINITY, RLIM_INFINITY], // LOCKS
  [0n, 0n], // SIGPENDING: set from threads-max at boot
  [819200n, 819200n], // MSGQUEUE (MQ_BYTES_MAX)
  [0n, 0n], // NICE
  [0n, 0n], // RTPRIO
  [RLIM_INFINITY, RLIM_INFINITY], // RTTIME
];

function rlimit(ctx: SyscallContext, res: number): [bigint, bigint] {
  const p = proc(ctx);
  const nproc = BigInt(ctx.kernel.user.threadsMax);
  return p.rlimits.get(res) ?? (res === 6 || res === 11 ? [nproc, nproc] : INIT_RLIMITS[res]!);
}

/** prlimit64(pid, resource, new, old): for the caller's own process (pid 0 or its own). */
function sys_prlimit64(ctx: SyscallContext, [pid, resource, newp, oldp]: readonly bigint[]): bigint {
  const res = Number(resource!);
  if (res < 0 || res >= RLIMIT_NLIMITS) return err(EINVAL);
  if (pid !== 0n && Number(pid) !== proc(ctx).pid) return ctx.kernel.user.procs.get(Number(pid)) ? err(EPERM) : err(ESRCH);
  const old = rlimit(ctx, res);
  let next: [bigint, bigint] | undefined;
  if (newp !== 0n) {
    const b = ctx.copyFromUser(newp!, 16);
    if (!b) return err(EFAULT);
    const v = new BigUint64Array(b.buffer);
    if (v[0]! > v[1]!) return err(EINVAL);
    next = [v[0]!, v[1]!];
  }
  if (oldp !== 0n && !ctx.copyToUser(oldp!, u64s(...old))) return err(EFAULT);
  if (next) proc(ctx).rlimits.set(res, next);
  return 0n;
}

/** getrandom(buf, len, flags): bytes from the boot-seeded generator (deterministic, as the model's runs are). */
function sys_getrandom(ctx: SyscallContext, [buf, len, flags]: readonly bigint[]): bigint {
  if (flags! & ~7n) return err(EINVAL);
  const n = Math.min(Number(len!), 1 << 25);
  return ctx.copyToUser(buf!, ctx.kernel.user.random(n)) ? BigInt(n) : err(EFAULT);
}

const PR_SET_NAME = 15;
const PR_GET_NAME = 16;

function sys_prctl(ctx: SyscallContext, [option, arg2]: readonly bigint[]): bigint {
  switch (Number(option!)) {
    case PR_SET_NAME: {
      const b = ctx.copyFromUser(arg2!, 16);
      if (!b) return err(EFAULT);
      const z = b.indexOf(0);
      task(ctx).comm = new TextDecoder().decode(b.subarray(0, z < 0 ? 15 : Math.min(z, 15)));
      return 0n;
    }
    case PR_GET_NAME: {
      const out = new Uint8Array(16);
      out.set(new TextEncoder().encode(ctx.task.comm).subarray(0, 15));
      return ctx.copyToUser(arg2!, out) ? 0n : err(EFAULT);
    }
    default:
      return err(EINVAL);
  }
}

/**
 * sysinfo(info): struct sysinfo of a 64-bit kernel (112 bytes): uptime,
 * the load averages (SI_LOAD_SHIFT 16 fixed point), RAM in bytes
 * (mem_unit 1) from the page allocator, no swap, the number of tasks.
 */
function sys_sysinfo(ctx: SyscallContext, [info]: readonly bigint[]): bigint {
  const k = ctx.kernel;
  const pg = k.mm.pgalloc;
  const b = new Uint8Array(112);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, BigInt(Math.floor(ctx.nowNs() / NSEC_PER_SEC)), true);
  k.sched.loadavg.avenrun.forEach((a, i) => v.setBigUint64(8 + 8 * i, BigInt(a) << BigInt(16 - FSHIFT), true));
  v.setBigUint64(32, BigInt(pg.totalram_pages()) * 4096n, true);
  v.setBigUint64(40, BigInt(pg.nr_free_pages() + pg.nr_pcp_pages()) * 4096n, true);
  v.setUint16(80, Math.min(0xffff, k.sched.tasks.size + k.machine.cores.length), true);
  v.setUint32(104, 1, true);
  return ctx.copyToUser(info!, b) ? 0n : err(EFAULT);
}

/* ---- process groups and sessions (kernel/sys.c) ---------------------------------------- */

const target_proc = (ctx: SyscallContext, pid: bigint): Process | undefined =>
  pid === 0n ? proc(ctx) : ctx.kernel.user.procs.get(Number(BigInt.asIntN(32, pid)));

/** setpgid(pid, pgid): the caller or one of its children moves to a group of its session. */
function sys_setpgid(ctx: SyscallContext, [pid, pgid]: readonly bigint[]): bigint {
  const me = proc(ctx);
  const p = target_proc(ctx, pid!);
  const g = Number(BigInt.asIntN(32, pgid!));
  if (g < 0) return err(EINVAL);
  if (!p || (p !== me && p.parent !== me)) return err(ESRCH);
  if (p.sid !== me.sid || p.sid === p.pid) return err(EPERM); // another session, or a session leader
  const group = g === 0 ? p.pid : g;
  if (group !== p.pid && !ctx.kernel.user.procs.all().some((q) => q.pgid === group && q.sid === me.sid)) return err(EPERM);
  p.pgid = group;
  return 0n;
}

function sys_getpgid(ctx: SyscallContext, [pid]: readonly bigint[]): bigint {
  const p = target_proc(ctx, pid!);
  return p ? BigInt(p.pgid) : err(ESRCH);
}

function sys_getsid(ctx: SyscallContext, [pid]: readonly bigint[]): bigint {
  const p = target_proc(ctx, pid!);
  return p ? BigInt(p.sid) : err(ESRCH);
}

/** setsid: a new session and group led by the caller, unless it already leads a group. */
function sys_setsid(ctx: SyscallContext): bigint {
  const p = proc(ctx);
  if (ctx.kernel.user.procs.all().some((q) => q.pgid === p.pid)) return err(EPERM);
  p.sid = p.pgid = p.pid;
  return BigInt(p.sid);
}

/* ---- reboot ------------------------------------------------------------------------- */

const LINUX_REBOOT_MAGIC1 = 0xfee1deadn;
const LINUX_REBOOT_MAGIC2S = new Set([672274793n, 85072278n, 369367448n, 537993216n]);
const LINUX_REBOOT_CMD_HALT = 0xcdef0123n;
const LINUX_REBOOT_CMD_POWER_OFF = 0x4321fedcn;
const LINUX_REBOOT_CMD_RESTART = 0x01234567n;
const LINUX_REBOOT_CMD_CAD_ON = 0x89abcdefn;
const LINUX_REBOOT_CMD_CAD_OFF = 0n;

/** reboot(magic1, magic2, cmd, arg) (kernel/reboot.c): halt, power off and restart all stop the machine. */
function sys_reboot(ctx: SyscallContext, [magic1, magic2, cmd]: readonly bigint[]): bigint {
  if ((magic1! & 0xffffffffn) !== LINUX_REBOOT_MAGIC1 || !LINUX_REBOOT_MAGIC2S.has(magic2! & 0xffffffffn)) return err(EINVAL);
  const c = cmd! & 0xffffffffn;
  if (c === LINUX_REBOOT_CMD_CAD_ON || c === LINUX_REBOOT_CMD_CAD_OFF) return 0n;
  if (c === LINUX_REBOOT_CMD_HALT) ctx.kernel.halt();
  else if (c === LINUX_REBOOT_CMD_POWER_OFF) ctx.kernel.halt('Power down');
  else if (c === LINUX_REBOOT_CMD_RESTART) ctx.kernel.halt('Restarting system');
  else return err(EINVAL);
  return 0n;
}

/* ---- time ---------------------------------------------------------------------------- */

const CLOCK_IDS = new Set([0, 1, 4, 5, 6, 7]); // REALTIME, MONOTONIC, MONOTONIC_RAW, REALTIME_COARSE, MONOTONIC_COARSE, BOOTTIME

/**
 * clock_gettime: every clock reads the virtual clock since boot. With no
 * RTC and no network time, a board's CLOCK_REALTIME also starts at the
 * epoch, so REALTIME and MONOTONIC agree here. CPU-time clocks give the
 * same (the model keeps no per-task accounting).
 */
function sys_clock_gettime(ctx: SyscallContext, [id, tp]: readonly bigint[]): bigint {
  const c = Number(BigInt.asIntN(32, id!));
  if (!CLOCK_IDS.has(c) && c !== 2 && c !== 3 && c >= 0) return err(EINVAL);
  const ns = BigInt(Math.floor(ctx.nowNs()));
  return ctx.copyToUser(tp!, u64s(ns / BigInt(NSEC_PER_SEC), ns % BigInt(NSEC_PER_SEC))) ? 0n : err(EFAULT);
}

function sys_clock_getres(ctx: SyscallContext, [id, tp]: readonly bigint[]): bigint {
  if (!CLOCK_IDS.has(Number(id!)) && id !== 2n && id !== 3n) return err(EINVAL);
  if (tp === 0n) return 0n;
  return ctx.copyToUser(tp!, u64s(0n, 1n)) ? 0n : err(EFAULT); // hrtimer resolution: 1 ns
}

function sys_gettimeofday(ctx: SyscallContext, [tv, tz]: readonly bigint[]): bigint {
  const us = BigInt(Math.floor(ctx.nowNs() / 1000));
  if (tv !== 0n && !ctx.copyToUser(tv!, u64s(us / 1_000_000n, us % 1_000_000n))) return err(EFAULT);
  if (tz !== 0n && !ctx.copyToUser(tz!, new Uint8Array(8))) return err(EFAULT);
  return 0n;
}

/* ---- affinity ---------------------------------------------------------------------------- */

/** sched_getaffinity(pid, len, mask): the CPU the task is pinned to; returns the bytes written, as the raw call does. */
function sys_sched_getaffinity(ctx: SyscallContext, [pid, len, mask]: readonly bigint[]): bigint {
  const t = pid === 0n ? ctx.task : ctx.kernel.user.procs.thread(Number(pid!));
  if (!t) return err(ESRCH);
  const size = Number(len!);
  const nr = ctx.kernel.machine.cores.length;
  if (size * 8 < nr || size & 7) return err(EINVAL);
  const out = new Uint8Array(8);
  out[t.cpu >> 3] = 1 << (t.cpu & 7);
  return ctx.copyToUser(mask!, out) ? 8n : err(EFAULT);
}

/**
 * sched_setaffinity: the mask must name an online CPU. The model pins a
 * task to one CPU, so the affinity is a single CPU: the task stays where
 * it is if the mask allows it, and otherwise moves to the lowest CPU the
 * mask names (as a migration to an allowed CPU would place it). Another
 * task of the process that is not running moves at once; the caller moves
 * on its way out of the call.
 */
function sys_sched_setaffinity(ctx: SyscallContext, [pid, len, mask]: readonly bigint[]): SyscallResult {
  const t = pid === 0n ? task(ctx) : ctx.kernel.user.procs.thread(Number(pid!));
  if (!t) return err(ESRCH);
  const b = ctx.copyFromUser(mask!, Math.min(Number(len!), 128));
  if (!b) return err(EFAULT);
  const bit = (cpu: number): boolean => cpu >> 3 < b.length && (b[cpu >> 3]! & (1 << (cpu & 7))) !== 0;
  const online = ctx.kernel.machine.cores.map((_, cpu) => cpu).filter((cpu) => bit(cpu) && ctx.kernel.cpu_online(cpu));
  if (online.length === 0) return err(EINVAL);
  if (online.includes(t.cpu)) return 0n;
  if (t === ctx.task) return { kind: 'migrate', cpu: online[0]!, ret: 0n };
  if (t.state === 'running') return err(EBUSY); // running on another CPU now: the model moves only tasks that are off their CPU
  return ctx.kernel.sched.migrateWaiting(t, ctx.kernel.machine.core(t.cpu), ctx.kernel.machine.core(online[0]!)) ? 0n : err(EBUSY);
}

/** The calls of this file: number, handler, argument registers read. */
export const PROCESS_SYSCALLS: readonly SyscallDef[] = [
  [NR.exit, sys_exit, 1],
  [NR.exit_group, sys_exit_group, 1],
  [NR.wait4, sys_wait4, 4],
  [NR.waitid, sys_waitid, 5],
  [NR.clone, sys_clone, 5],
  [NR.execve, sys_execve, 3],
  [NR.reboot, sys_reboot, 4],
  [NR.sysinfo, sys_sysinfo, 1],
  [NR.setpgid, sys_setpgid, 2],
  [NR.getpgid, sys_getpgid, 1],
  [NR.getsid, sys_getsid, 1],
  [NR.setsid, sys_setsid, 0],
  [NR.set_tid_address, sys_set_tid_address, 1],
  [NR.set_robust_list, sys_set_robust_list, 2],
  [NR.futex, sys_futex, 6],
  [NR.getpid, (ctx) => BigInt(ctx.task.pid), 0],
  [NR.gettid, (ctx) => BigInt(ctx.task.tid), 0],
  [NR.getppid, (ctx) => BigInt(proc(ctx).parent?.pid ?? 0), 0],
  [NR.getuid, () => 0n, 0],
  [NR.geteuid, () => 0n, 0],
  [NR.getgid, () => 0n, 0],
  [NR.getegid, () => 0n, 0],
  [NR.uname, sys_uname, 1],
  [NR.prlimit64, sys_prlimit64, 4],
  [NR.getrandom, sys_getrandom, 3],
  [NR.prctl, sys_prctl, 2],
  [NR.clock_gettime, sys_clock_gettime, 2],
  [NR.clock_getres, sys_clock_getres, 2],
  [NR.gettimeofday, sys_gettimeofday, 2],
  [NR.sched_getaffinity, sys_sched_getaffinity, 3],
  [NR.sched_setaffinity, sys_sched_setaffinity, 3],
  [NR.rseq, () => err(ENOSYS), 0],
];

/** Calls that end, block or create tasks: the trap path only. */
export const PROCESS_SLOW_CALLS: readonly number[] = [NR.sched_setaffinity, NR.reboot, NR.execve, NR.exit, NR.exit_group, NR.wait4, NR.waitid, NR.clone, NR.futex];
