// SPDX-License-Identifier: GPL-2.0-only
/*
 * ARM64 disassembly through Capstone (WASM, @alexaltea/capstone-js), for
 * fault reports and --trace.
 *
 * disassemble() is synchronous: it runs inside hooks and trap handlers,
 * which cannot wait for a promise. Capstone's Emscripten glue only loads
 * asynchronously, and loading it costs about 100 ms of wall time on a
 * virtualised host (3.3 MB of WASM compiled, its heap first-touched),
 * which every boot would pay for a disassembler that most runs never use.
 * So there are two ways in:
 *
 *  - loadDisassembler(): Capstone in this thread, for callers that
 *    disassemble a lot (--trace: every instruction) and can await first.
 *  - otherwise the first disassemble() starts a worker thread that loads
 *    Capstone and answers through shared memory; this thread blocks on
 *    Atomics.wait until the answer is there (the worker has an event loop
 *    of its own, so it loads while this one is blocked). The first answer
 *    takes the worker's start and Capstone's load; later ones a few
 *    microseconds. A fault report pays for it, a clean run does not.
 *
 * If neither works (no worker within the timeout), the instruction is
 * given as its raw word, `.inst 0x...`, as an assembler would print it.
 */

import { createRequire } from 'node:module';
import { workerThreads } from '../../lib/host-modules';

interface CsInsn {
  mnemonic: string;
  op_str: string;
}
interface CsEngine {
  disasm(bytes: number[] | Uint8Array, address: number): CsInsn[];
}

let engine: CsEngine | undefined;

function capstonePath(): string {
  return createRequire(import.meta.url).resolve('@alexaltea/capstone-js');
}

/** Load Capstone into this thread (disassemble() then never blocks). */
export async function loadDisassembler(): Promise<void> {
  if (engine) return;
  const init = createRequire(import.meta.url)(capstonePath()) as () => Promise<{
    Capstone: new (arch: number, mode: number) => CsEngine;
    ARCH_ARM64: number;
    MODE_ARM: number;
  }>;
  const cs = await init();
  engine = new cs.Capstone(cs.ARCH_ARM64, cs.MODE_ARM);
}

/* ---- the blocking worker ------------------------------------------------ */

/** Shared words: state, the instruction word, the address (low, high), the answer's length. */
const S_IDLE = 0;
const S_ASKED = 1;
const S_ANSWERED = 2;
const S_BROKEN = 3;
const TEXT_BYTES = 512;
/** The worker's start and Capstone's load, on a loaded 2-core host: well under this. */
const FIRST_ANSWER_MS = 20_000;

/*
 * The worker's side, as source: it is eval'd (a CommonJS script), so the
 * bundle needs no second entry point. It loads Capstone, then serves one
 * question at a time: mnemonic and operands NUL-separated, or nothing for
 * an undefined encoding.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const ctrl = new Int32Array(workerData.sab, 0, 5);
const text = new Uint8Array(workerData.sab, 20);
require(workerData.capstone)().then((cs) => {
  const e = new cs.Capstone(cs.ARCH_ARM64, cs.MODE_ARM);
  for (;;) {
    Atomics.wait(ctrl, 0, ${S_IDLE});
    if (Atomics.load(ctrl, 0) !== ${S_ASKED}) continue;
    const w = ctrl[1] >>> 0;
    let insn;
    try {
      insn = e.disasm([w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24], ctrl[2] + ctrl[3] * 2 ** 32)[0];
    } catch {} // an encoding Capstone does not know: it throws rather than return nothing
    const out = new TextEncoder().encode(insn ? insn.mnemonic + '\\0' + insn.op_str : '').subarray(0, text.length);
    text.set(out);
    ctrl[4] = out.length;
    Atomics.store(ctrl, 0, ${S_ANSWERED});
    Atomics.notify(ctrl, 0);
  }
}, () => {
  Atomics.store(ctrl, 0, ${S_BROKEN});
  Atomics.notify(ctrl, 0);
});
`;

let remote: { ctrl: Int32Array; text: Uint8Array; answered: boolean } | undefined;

function startRemote(): NonNullable<typeof remote> {
  const sab = new SharedArrayBuffer(20 + TEXT_BYTES);
  const worker = new (workerThreads().Worker)(WORKER_SOURCE, { eval: true, workerData: { sab, capstone: capstonePath() } });
  worker.unref(); // it never keeps the process alive
  worker.on('error', () => Atomics.store(new Int32Array(sab, 0, 1), 0, S_BROKEN));
  return { ctrl: new Int32Array(sab, 0, 5), text: new Uint8Array(sab, 20), answered: false };
}

/** Ask the worker, blocking; undefined when it cannot answer. */
function askRemote(word: number, address48: number): CsInsn | null | undefined {
  const r = (remote ??= startRemote());
  if (Atomics.load(r.ctrl, 0) === S_BROKEN) return undefined;
  r.ctrl[1] = word | 0;
  r.ctrl[2] = address48 % 2 ** 32;
  r.ctrl[3] = Math.floor(address48 / 2 ** 32);
  Atomics.store(r.ctrl, 0, S_ASKED);
  Atomics.notify(r.ctrl, 0);
  const deadline = Date.now() + (r.answered ? 1000 : FIRST_ANSWER_MS);
  while (Atomics.load(r.ctrl, 0) === S_ASKED && Date.now() < deadline) Atomics.wait(r.ctrl, 0, S_ASKED, 50);
  if (Atomics.load(r.ctrl, 0) !== S_ANSWERED) return undefined;
  r.answered = true;
  const answer = new TextDecoder().decode(r.text.slice(0, r.ctrl[4]));
  Atomics.store(r.ctrl, 0, S_IDLE);
  if (!answer) return null;
  const nul = answer.indexOf('\0');
  return { mnemonic: answer.slice(0, nul), op_str: answer.slice(nul + 1) };
}

/* ---- the one entry point ------------------------------------------------ */

function disasmHere(e: CsEngine, word: number, address48: number): CsInsn | null {
  try {
    return e.disasm([word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, (word >>> 24) & 0xff], address48)[0] ?? null;
  } catch {
    return null; // Capstone throws on an encoding it does not know, rather than return nothing
  }
}

/** "mnemonic operands" of the A64 instruction `word` at `address`. */
export function disassemble(word: number, address: bigint): string {
  const hex = `.inst 0x${(word >>> 0).toString(16).padStart(8, '0')}`;
  // Capstone takes the address as a double: give it the low 48 bits, and
  // sign-extend PC-relative targets back into the upper half afterwards.
  const address48 = Number(address & 0xffffffffffffn);
  const insn = engine ? disasmHere(engine, word, address48) : askRemote(word, address48);
  if (insn === undefined) return hex;
  if (insn === null) return `${hex} (undefined)`;
  let ops = insn.op_str;
  if (address >> 47n) ops = ops.replace(/#0x([0-9a-f]{12})\b/g, (m, h: string) => (parseInt(h[0]!, 16) >= 8 ? `#0xffff${h}` : m));
  return ops ? `${insn.mnemonic} ${ops}` : insn.mnemonic;
}
