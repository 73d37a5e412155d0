// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TypeScript API for experiments: boot a uConsole, issue system calls
 * on chosen CPUs, read its files, shut it down.
 *
 *   const u = await bootUconsole({ board: 'uconsole-cm4', ram: '4G' });
 *   u.syscall(2, NR.getcpu, buf);    // a real svc #0 at EL0 on CPU 2
 *   u.dmesg();                       // the kernel log
 *   u.shutdown();
 *
 * Boot is the real path: the image build (if sources changed), the
 * firmware stage on the boot partition, the armstub, the kernel image's
 * entry code on every core, and start_kernel in TypeScript.
 */

import { Machine } from '../emulator/machine';
import type { ExecMode } from '../emulator/core';
import { findBoard } from '../emulator/board/boards';
import { parseRamSize, formatRamSize } from '../emulator/board/profile';
import { firmwareBoot, type FirmwareHandoff } from '../firmware/boot';
import { bootDir, ensureImages } from '../images/build';
import { Kernel, KernelRunError } from '../kernel-model/kernel';
import { existsSync, readFileSync } from 'node:fs';
import { resolve_exec } from '../kernel-model/fs/exec';
import { ExecError } from '../kernel-model/fs/binfmt_elf';
import { VM_PFNMAP } from '../kernel-model/mm/mmap';
import { S_IFREG, writeNewc } from '../lib/cpio/newc';
import type { ExecOptions, ExecResult } from '../kernel-model/kernel/harness';

export interface BootOptions {
  /** Board profile name (default uconsole-cm4). */
  board?: string;
  /** RAM: bytes, or "1G", "4G", "512M" (default: the board's). */
  ram?: number | string;
  /** Replaces cmdline.txt. */
  cmdline?: string;
  /** A DTB to use instead of the boot partition's. */
  dtb?: string;
  /** A boot partition other than the built one. */
  bootDir?: string;
  /** An initramfs (newc cpio, maybe gzipped) to boot with instead of the boot partition's. */
  initrd?: string;
  /** Instructions per scheduler slice. */
  sliceInsns?: number;
  /** Every executed instruction, disassembled. */
  trace?: (line: string) => void;
  /** How the cores run (default 'deterministic'; the others are for measuring, see emulator/core.ts). */
  exec?: ExecMode;
  /** Console output as it happens (the UART). */
  onConsole?: (text: string) => void;
  /** Start the initramfs's /init (rdinit=) when the kernel is up; see Uconsole.waitInit (default false: tests drive the machine). */
  init?: boolean;
  /** Files put into the initramfs after the board's (a further archive the firmware loads; a name there replaces the board's), e.g. a workload script as /init. */
  initramfsFiles?: readonly { path: string; data: Uint8Array; mode?: number }[];
  /** The console's size, as TIOCGWINSZ reports it (the host terminal's; default 24 rows by 80 columns). */
  consoleSize?: { rows: number; cols: number };
}

export class BootError extends Error {
  override name = 'BootError';
}

export class Uconsole {
  private closed = false;

  constructor(readonly machine: Machine, readonly kernel: Kernel, readonly firmware: FirmwareHandoff) {}

  private live(): void {
    if (this.closed) throw new BootError('this uConsole was shut down');
  }

  /** A /proc (or /sys) file's contents, as `cat` would print them. */
  readFile(path: string): string {
    this.live();
    return this.kernel.proc.read(path);
  }

  /** The kernel log in dmesg's format. */
  dmesg(): string {
    return this.kernel.log.dmesg();
  }

  /**
   * Run one system call at EL0 on `cpu` (x8 = nr, x0..x5 = args) and
   * return x0 as a signed value (a negative value is -errno).
   */
  syscall(cpu: number, nr: number, ...args: (bigint | number)[]): bigint {
    this.live();
    return this.kernel.harness.syscall(cpu, nr, args).ret;
  }

  /**
   * Run a program to its end as a new process on `opts.cpu` (default 0):
   * `program` is a path in the initramfs ("/bin/hello"), a host file, or
   * the executable's bytes. Returns its exit code or signal and its output.
   */
  exec(program: string | Uint8Array, argv?: readonly string[], opts: ExecOptions = {}): ExecResult {
    this.live();
    const k = this.kernel;
    let file: Uint8Array;
    let name: string;
    if (typeof program === 'string') {
      name = program;
      try {
        const target = resolve_exec(k.rootfs!.root, k.rootfs!.root, program, argv ?? [program.slice(program.lastIndexOf('/') + 1)]);
        file = target.file;
        if (target.filename !== program) return k.harness.exec(file, target.filename, target.argv, opts);
      } catch (e) {
        if (!(e instanceof ExecError) || !existsSync(program)) throw new BootError(`${program}: not in the initramfs, not a host file`);
        file = readFileSync(program);
      }
    } else {
      file = program;
      name = argv?.[0] ?? 'a.out';
    }
    return k.harness.exec(file, name, argv ?? [name.slice(name.lastIndexOf('/') + 1)], opts);
  }

  /** `len` bytes of process `pid`'s memory at `va` (pages not yet touched read as zero; unmapped: an error). */
  readUser(pid: number, va: bigint, len: number): Uint8Array {
    this.live();
    const p = this.kernel.user.procs.get(pid);
    if (!p) throw new BootError(`no process ${pid}`);
    const out = new Uint8Array(len);
    for (let done = 0; done < len; ) {
      const at = va + BigInt(done);
      const n = Math.min(len - done, 4096 - Number(at % 4096n));
      const v = p.mm.vma_at(at);
      if (!v) throw new BootError(`process ${pid} has nothing mapped at 0x${at.toString(16)}`);
      const pa = p.mm.lookup(at)?.pa ?? (v.flags & VM_PFNMAP ? v.pfnmapPa + Number(at - v.start) : undefined);
      if (pa !== undefined) out.set(this.machine.ram.read(pa, n), done);
      done += n;
    }
    return out;
  }

  /** Host input for the console (what a user types, or a script piped in); `closeConsoleInput` ends it. */
  consoleInput(data: string | Uint8Array): void {
    this.live();
    this.kernel.rootfs?.console.input(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }

  /** The host terminal changed size: TIOCGWINSZ reports it, and the console's foreground group gets SIGWINCH. */
  resizeConsole(rows: number, cols: number): void {
    this.live();
    this.kernel.rootfs?.console.setWinsize(rows, cols);
  }

  closeConsoleInput(): void {
    this.live();
    this.kernel.rootfs?.console.closeInput();
  }

  /** A page of memory the harness's EL0 code on `cpu` can use for buffers. */
  userBuffer(cpu: number): { va: bigint; pa: number; write(data: Uint8Array): void; writeCode(code: Uint8Array): void; read(len: number): Uint8Array } {
    this.live();
    const va = this.kernel.harness.buffer(cpu);
    const pa = (): number => {
      this.live();
      return this.kernel.harness.bufferPa(cpu);
    };
    return {
      va,
      pa: pa(),
      write: (data) => this.machine.ram.write(pa(), data.subarray(0, 4096)),
      // Code written from outside: the cores' translated code of the page is dropped.
      writeCode: (code) => {
        this.machine.ram.write(pa(), code.subarray(0, 4096));
        this.machine.codeChanged(pa(), Math.min(code.length, 4096), va);
      },
      read: (len) => this.machine.ram.read(pa(), Math.min(len, 4096)),
    };
  }

  /**
   * Run the machine until init has ended (the kernel then halts, as Linux
   * panics when init exits); its wait status, or undefined if the machine
   * stopped otherwise. When a task waits for console input, `moreInput`
   * is asked for it, told how long the machine may wait in real
   * milliseconds before its next timer is due (Infinity: nothing else
   * will happen): it returns bytes, null for the end of input, or
   * undefined when nothing came by then (the machine then runs on to
   * that timer, as a real device would go on while nobody types).
   */
  waitInit(maxRounds = Infinity, moreInput?: (waitMs: number) => Uint8Array | null | undefined): number | undefined {
    this.live();
    const k = this.kernel;
    if (!k.runInit) throw new BootError('this uConsole was booted without init');
    const console = k.rootfs?.console;
    let runTo: number | undefined;
    for (;;) {
      try {
        // Until the guest waits for input, or, after a wait that brought none, until the timers due by then have run.
        const waited = (to: number): boolean => (k.sched.nextTimerNs() ?? Infinity) > to;
        k.run(() => k.initStatus !== undefined || this.machine.halted || (runTo === undefined ? !!console?.starving : waited(runTo)), maxRounds);
      } catch (e) {
        if (!(e instanceof KernelRunError)) throw e;
        // A halt (reboot(2)) or init's own end stop the machine: that is how init finishes.
        const clean = this.machine.status?.ok || k.initStatus !== undefined;
        if (!this.machine.halted || !clean) throw new BootError(e.message);
      }
      if (this.machine.halted || k.initStatus !== undefined) return k.initStatus;
      if (runTo !== undefined) {
        runTo = undefined; // the timer has fired: is the guest still waiting for input?
        continue;
      }
      // A task waits for console input: the host's, or end of input when there is no more.
      const next = k.sched.nextTimerNs();
      const waitMs = next === undefined ? Infinity : Math.max(0, (next - k.clockNs()) / 1e6);
      const data = moreInput ? moreInput(waitMs) : null;
      if (data === undefined) runTo = next ?? k.clockNs();
      else if (data && data.length) console!.input(data);
      else console!.closeInput();
    }
  }

  /** Halt the kernel (prints "reboot: System halted") and release the machine. */
  shutdown(): void {
    if (this.closed) return;
    this.kernel.halt();
    this.machine.dispose();
    this.closed = true;
  }
}

/** A newc archive of regular files (their directories must exist in the initramfs before it). */
function initramfs_overlay(files: readonly { path: string; data: Uint8Array; mode?: number }[]): Uint8Array {
  return writeNewc(files.map((f) => ({ name: f.path.replace(/^\/+/, ''), mode: S_IFREG | (f.mode ?? 0o644), uid: 0, gid: 0, mtime: 0, data: f.data })));
}

function ramBytes(ram: number | string | undefined): number | undefined {
  if (ram === undefined || typeof ram === 'number') return ram;
  const n = parseRamSize(ram);
  if (!(n > 0)) throw new BootError(`bad RAM size "${ram}" (use e.g. 1G, 4G, 512M)`);
  return n;
}

/** Boot a uConsole to a running kernel with every CPU online. */
export async function bootUconsole(opts: BootOptions = {}): Promise<Uconsole> {
  const board = findBoard(opts.board ?? 'uconsole-cm4');
  const ram = ramBytes(opts.ram) ?? board.defaultRam;
  if (!board.ramSizes.includes(ram))
    throw new BootError(`${board.name} has no ${formatRamSize(ram)} option (offered: ${board.ramSizes.map(formatRamSize).join(', ')})`);
  if (!opts.bootDir) await ensureImages();
  const dir = opts.bootDir ?? bootDir(board.name);
  const machine = await Machine.create({ board, ram, sliceInsns: opts.sliceInsns, trace: opts.trace, exec: opts.exec });
  try {
    if (opts.onConsole) {
      const dec = new TextDecoder();
      machine.onConsole((b) => opts.onConsole!(dec.decode(Uint8Array.of(b), { stream: true })));
    }
    const initrdAppend = opts.initramfsFiles?.length ? initramfs_overlay(opts.initramfsFiles) : undefined;
    const handoff = firmwareBoot(machine, { bootDir: dir, cmdline: opts.cmdline, dtbPath: opts.dtb, initrdPath: opts.initrd, initrdAppend });
    const kernel = new Kernel(machine, { bootDir: dir, runInit: opts.init });
    machine.run({ until: () => kernel.state !== 'booting' });
    if (kernel.state === 'booting' && !machine.halted) machine.halt('the kernel never started: every core went idle', false);
    if (machine.status && !machine.status.ok) throw new BootError(machine.status.message);
    if (opts.consoleSize) kernel.rootfs?.console.setWinsize(opts.consoleSize.rows, opts.consoleSize.cols); // before init has run an instruction
    return new Uconsole(machine, kernel, handoff);
  } catch (e) {
    machine.dispose();
    throw e;
  }
}
