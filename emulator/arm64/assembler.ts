// SPDX-License-Identifier: GPL-2.0-only
/*
 * A small two-pass ARM64 assembler front end over Keystone.
 *
 * Keystone (WASM, @alexaltea/keystone-js) encodes instructions, but gives
 * no symbol table and its `ldr xN, =imm` literal pools are broken. Every
 * A64 instruction is 4 bytes, so the layout is known before encoding: pass
 * one assigns addresses to labels and sizes to directives; pass two
 * replaces each symbol by its absolute value and has Keystone encode the
 * instruction at its own address (so PC-relative forms come out right).
 *
 * Source syntax: one statement per line; `//` and `;` comments; `label:`;
 * `.equ NAME, expr`; `.org off` (from the start of the unit); `.balign n`;
 * `.word`/`.quad` lists of expressions; `.ascii "..."`/`.asciz "..."`;
 * `.space n`; and the pseudo-instruction `mov64 xN, expr`, always four
 * instructions (movz + 3 movk) so that sizes never depend on values.
 * Expressions are integer arithmetic over numbers and symbols
 * (+ - * / << >> | & ~ and parentheses), evaluated as bigint.
 */

import { createRequire } from 'node:module';

export class AsmError extends Error {
  override name = 'AsmError';
}

export interface Assembled {
  /** Load address of the first byte. */
  base: bigint;
  bytes: Uint8Array;
  /** Label and .equ values (absolute addresses for labels). */
  symbols: Map<string, bigint>;
  /** The names in `symbols` that are labels (addresses), in source order. */
  labels: string[];
}

interface KeystoneEngine {
  asm(src: string, address: number): { mc: Uint8Array; count: number; failed: boolean };
}

let engine: KeystoneEngine | undefined;

async function keystone(): Promise<KeystoneEngine> {
  if (engine) return engine;
  const require = createRequire(import.meta.url);
  const init = require('@alexaltea/keystone-js') as () => Promise<{
    Keystone: new (arch: number, mode: number) => KeystoneEngine;
    ARCH_ARM64: number;
    MODE_LITTLE_ENDIAN: number;
  }>;
  const ks = await init();
  engine = new ks.Keystone(ks.ARCH_ARM64, ks.MODE_LITTLE_ENDIAN);
  return engine;
}

type Stmt =
  | { kind: 'insn'; text: string; line: number }
  | { kind: 'mov64'; reg: string; expr: string; line: number }
  | { kind: 'data'; width: 4 | 8; exprs: string[]; line: number }
  | { kind: 'bytes'; data: Uint8Array; line: number }
  | { kind: 'space'; size: number; line: number };

/** Numbers first, so that the "x20000" in "0x20000" is never taken for a name. */
const TOKEN = /0x[0-9a-fA-F]+|\b\d+[bf]?\b|[A-Za-z_.$][A-Za-z0-9_.$]*/g;
const isName = (tok: string): boolean => /^[A-Za-z_.$]/.test(tok);

/** Evaluate an integer expression over known symbols. */
export function evalExpr(expr: string, symbols: Map<string, bigint>, line = 0): bigint {
  const js = expr.replace(TOKEN, (name) => {
    if (!isName(name)) return name;
    const v = symbols.get(name);
    if (v === undefined) throw new AsmError(`line ${line}: unknown symbol "${name}" in "${expr}"`);
    return `(${v}n)`;
  }).replace(/\b(0x[0-9a-fA-F]+|\d+)\b(?!n)/g, '$1n');
  if (!/^[\s0-9a-fA-Fxn()+\-*/<>|&~^]*$/.test(js)) throw new AsmError(`line ${line}: bad expression "${expr}"`);
  try {
    return BigInt.asUintN(64, Function(`"use strict"; return (${js});`)() as bigint);
  } catch {
    throw new AsmError(`line ${line}: bad expression "${expr}"`);
  }
}

function parseString(s: string, line: number): Uint8Array {
  const m = /^"(.*)"$/.exec(s.trim());
  if (!m) throw new AsmError(`line ${line}: expected a quoted string`);
  return new TextEncoder().encode(m[1]!.replace(/\\n/g, '\n').replace(/\\0/g, '\0'));
}

function stripComment(raw: string): string {
  return raw.replace(/\/\/.*$/, '').replace(/;.*$/, '').trim();
}

/** Pass one: statements, label addresses and .equ values. */
function layout(src: string, base: bigint, predefined: Map<string, bigint>): { stmts: Stmt[]; symbols: Map<string, bigint>; locals: LocalLabel[]; labels: string[] } {
  const symbols = new Map(predefined);
  const labels: string[] = [];
  const locals: LocalLabel[] = [];
  const stmts: Stmt[] = [];
  let pc = base;
  const lines = src.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    let s = stripComment(lines[i]!);
    const local = /^(\d+):/.exec(s);
    if (local) {
      locals.push({ name: local[1]!, address: pc });
      s = s.slice(local[0].length).trim();
    }
    const label = /^([A-Za-z_.$][A-Za-z0-9_.$]*):/.exec(s);
    if (label) {
      if (symbols.has(label[1]!)) throw new AsmError(`line ${line}: symbol "${label[1]}" defined twice`);
      symbols.set(label[1]!, pc);
      labels.push(label[1]!);
      s = s.slice(label[0].length).trim();
    }
    if (!s) continue;
    const [op, ...restParts] = s.split(/\s+/);
    const rest = restParts.join(' ');
    const args = rest.split(',').map((a) => a.trim()).filter(Boolean);
    const emit = (st: Stmt, size: number): void => {
      stmts.push(st);
      pc += BigInt(size);
    };
    switch (op) {
      case '.equ':
        symbols.set(args[0]!, evalExpr(args.slice(1).join(','), symbols, line));
        break;
      case '.org': {
        const target = base + evalExpr(rest, symbols, line);
        if (target < pc) throw new AsmError(`line ${line}: .org moves backwards`);
        emit({ kind: 'space', size: Number(target - pc), line }, Number(target - pc));
        break;
      }
      case '.balign': {
        const n = evalExpr(rest, symbols, line);
        const pad = Number((n - (pc % n)) % n);
        emit({ kind: 'space', size: pad, line }, pad);
        break;
      }
      case '.space':
        emit({ kind: 'space', size: Number(evalExpr(rest, symbols, line)), line }, Number(evalExpr(rest, symbols, line)));
        break;
      case '.word':
      case '.quad': {
        const width = op === '.word' ? 4 : 8;
        emit({ kind: 'data', width, exprs: args, line }, width * args.length);
        break;
      }
      case '.ascii':
      case '.asciz': {
        let data = parseString(rest, line);
        if (op === '.asciz') data = Uint8Array.of(...data, 0);
        emit({ kind: 'bytes', data, line }, data.length);
        break;
      }
      case 'mov64':
        emit({ kind: 'mov64', reg: args[0]!, expr: args.slice(1).join(','), line }, 16);
        break;
      default:
        if (op!.startsWith('.')) throw new AsmError(`line ${line}: unknown directive ${op}`);
        emit({ kind: 'insn', text: s, line }, 4);
    }
  }
  return { stmts, symbols, locals, labels };
}

/**
 * Replace symbols, and GNU local-label references ("1b": the nearest "1:"
 * before, "1f": the nearest after), by their values. Register names and
 * mnemonics are not symbols and are left alone.
 */
function substituteSymbols(text: string, symbols: Map<string, bigint>, locals: LocalLabel[], pc: bigint): string {
  const [mnemonic, ...rest] = text.split(/\s+/);
  const operands = rest.join(' ').replace(TOKEN, (tok) => {
    const local = /^(\d+)([bf])$/.exec(tok);
    if (local) {
      const hit = local[2] === 'b'
        ? locals.filter((l) => l.name === local[1] && l.address <= pc).pop()
        : locals.find((l) => l.name === local[1] && l.address > pc);
      if (!hit) throw new AsmError(`no local label ${tok} for "${text}"`);
      return `0x${hit.address.toString(16)}`;
    }
    const v = isName(tok) ? symbols.get(tok) : undefined;
    return v === undefined ? tok : `0x${v.toString(16)}`;
  });
  return `${mnemonic} ${operands}`.trim();
}

interface LocalLabel {
  name: string;
  address: bigint;
}

/**
 * Assemble `src` for load address `base`.
 * @param predefined symbols visible to the source (e.g. board constants)
 */
export async function assemble(src: string, base: bigint, predefined: Record<string, bigint | number> = {}): Promise<Assembled> {
  const ks = await keystone();
  const pre = new Map(Object.entries(predefined).map(([k, v]) => [k, BigInt(v)] as [string, bigint]));
  const { stmts, symbols, locals, labels } = layout(src, base, pre);
  const out: number[] = [];
  const pcOf = (): bigint => base + BigInt(out.length);
  const encode = (text: string, line: number): void => {
    const r = ks.asm(text, Number(pcOf()));
    if (r.failed || r.mc.length !== 4) throw new AsmError(`line ${line}: cannot assemble "${text}"`);
    out.push(...r.mc);
  };
  for (const st of stmts) {
    switch (st.kind) {
      case 'insn': {
        const adr = /^adr\s+x(\d+|zr)\s*,\s*(.+)$/i.exec(st.text);
        if (adr) {
          // Keystone mis-encodes adr with an absolute target; encode it here.
          const target = evalExpr(substituteSymbols(`x ${adr[2]!}`, symbols, locals, pcOf()).slice(2), symbols, st.line);
          pushWord(out, encodeAdr(adr[1] === 'zr' ? 31 : Number(adr[1]), target - pcOf(), st.line));
          break;
        }
        encode(substituteSymbols(st.text, symbols, locals, pcOf()), st.line);
        break;
      }
      case 'mov64': {
        const v = evalExpr(st.expr, symbols, st.line);
        for (let k = 0; k < 4; k++) {
          const chunk = (v >> BigInt(16 * k)) & 0xffffn;
          encode(`${k === 0 ? 'movz' : 'movk'} ${st.reg}, #0x${chunk.toString(16)}, lsl #${16 * k}`, st.line);
        }
        break;
      }
      case 'data':
        for (const e of st.exprs) {
          let v = evalExpr(e, symbols, st.line);
          for (let b = 0; b < st.width; b++, v >>= 8n) out.push(Number(v & 0xffn));
        }
        break;
      case 'bytes':
        out.push(...st.data);
        break;
      case 'space':
        for (let b = 0; b < st.size; b++) out.push(0);
        break;
    }
  }
  return { base, bytes: Uint8Array.from(out), symbols, labels };
}

function pushWord(out: number[], w: number): void {
  out.push(w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff);
}

/** ADR Xd, pc+offset: 0x10000000 | immlo << 29 | immhi << 5 | Rd (Arm ARM C6.2.10). */
function encodeAdr(rd: number, offset: bigint, line: number): number {
  const off = BigInt.asIntN(64, offset);
  if (off < -(1n << 20n) || off >= 1n << 20n) throw new AsmError(`line ${line}: adr target out of range (${off} bytes)`);
  const imm = Number(BigInt.asUintN(21, off));
  return (0x1000_0000 | ((imm & 3) << 29) | ((imm >>> 2) << 5) | rd) >>> 0;
}

/** Assemble a short snippet (tests, probes) at `base`. */
export async function asm(src: string, base: bigint | number = 0): Promise<Uint8Array> {
  return (await assemble(src, BigInt(base))).bytes;
}
