// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Linux kernel command line, split and read the way Linux does it
 * (kernel/params.c: parse_args/next_arg; lib/cmdline.c: memparse;
 * lib/kstrtox.c: kstrtoint, kstrtobool), reimplemented here from that
 * documented behaviour:
 *
 *   - parameters are separated by unquoted whitespace; a double quote
 *     starts or ends a quoted stretch, so `a="b c"` is one parameter;
 *   - `key=value` splits at the first `=`; without `=` the parameter is a
 *     flag; a quote opening the parameter or its value is dropped together
 *     with a quote closing the parameter (`"a=b c"`, `a="b c"` give key a,
 *     value `b c`);
 *   - a bare `--` ends the kernel's parameters: the rest goes to init
 *     (`initArgs`);
 *   - in parameter names `-` and `_` are the same (parameq), so
 *     get('page_alloc.shuffle') also finds `page-alloc.shuffle`;
 *   - when a key is given more than once, get/getNumber/getSize return
 *     the last value (each handler runs per occurrence, the last one
 *     wins), getAll returns them all;
 *   - numbers are kstrtoint-style: optional sign, 0x hex, leading-0 octal,
 *     else decimal; sizes are memparse: such a number followed by an
 *     optional K, M, G, T, P or E (binary multiples); booleans are
 *     kstrtobool: y/Y/1/on or n/N/0/off, and a bare flag is true.
 *
 * Sizes are `number` (the project's convention for sizes); a size of 2^53
 * or more is an error rather than a silently rounded value.
 */

export interface CmdlineParam {
  key: string;
  /** undefined for a flag (no `=`). */
  value: string | undefined;
}

const SPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);

/** Splits at unquoted whitespace; the tokens keep their quotes. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuote = false;
  for (const ch of s) {
    if (ch === '"') inQuote = !inQuote;
    if (SPACE.has(ch) && !inQuote) {
      if (cur !== '') out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur !== '') out.push(cur);
  return out;
}

function dropClosingQuote(s: string): string {
  return s.endsWith('"') ? s.slice(0, -1) : s;
}

function parseParam(token: string): CmdlineParam {
  const quotedWhole = token.startsWith('"');
  const t = quotedWhole ? token.slice(1) : token;
  const eq = t.indexOf('=');
  if (eq < 0) return { key: quotedWhole ? dropClosingQuote(t) : t, value: undefined };
  const key = t.slice(0, eq);
  const rest = t.slice(eq + 1);
  if (rest.startsWith('"')) return { key, value: dropClosingQuote(rest.slice(1)) };
  return { key, value: quotedWhole ? dropClosingQuote(rest) : rest };
}

/** Parameter names compare with `-` and `_` as the same character. */
function normalKey(key: string): string {
  return key.replaceAll('-', '_');
}

const DIGITS: Record<number, RegExp> = { 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-f]+$/i };

/** The leading unsigned number of `s` in C's base-0 notation: [value, characters used], or undefined. */
function leadingNumber(s: string): [bigint, number] | undefined {
  const hexM = /^0x([0-9a-f]+)/i.exec(s);
  if (hexM) return [BigInt(`0x${hexM[1]}`), hexM[0].length];
  const octM = /^0([0-7]*)/.exec(s);
  if (octM) return [octM[1] ? BigInt(`0o${octM[1]}`) : 0n, octM[0].length];
  const decM = /^[1-9][0-9]*/.exec(s);
  if (decM) return [BigInt(decM[0]), decM[0].length];
  return undefined;
}

function toSafeNumber(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER))
    throw new CmdlineError(`${what}: value exceeds 2^53`);
  return Number(v);
}

const SIZE_SHIFT: Record<string, bigint> = { k: 10n, m: 20n, g: 30n, t: 40n, p: 50n, e: 60n };

/** Linux's memparse, strictly: a number (0x hex, 0 octal, decimal) and an optional K/M/G/T/P/E suffix, nothing else. */
export function memparse(text: string, what = text): number {
  const bad = (): CmdlineError =>
    new CmdlineError(`${what}: ${JSON.stringify(text)} is not a size (digits with an optional K, M, G, T, P or E suffix)`);
  const lead = leadingNumber(text);
  if (!lead) throw bad();
  const [n, used] = lead;
  const suffix = text.slice(used);
  if (suffix === '') return toSafeNumber(n, what);
  const shift = SIZE_SHIFT[suffix.toLowerCase()];
  if (shift === undefined) throw bad();
  return toSafeNumber(n << shift, what);
}

/** kstrtoint with base 0: optional sign, then 0x hex, 0 octal or decimal, and nothing else. */
export function parseKernelInt(text: string, what = text): number {
  const m = /^([+-]?)(.*)$/s.exec(text) as RegExpExecArray;
  const body = m[2] ?? '';
  const base = /^0x/i.test(body) ? 16 : body.startsWith('0') && body.length > 1 ? 8 : 10;
  const digits = base === 16 ? body.slice(2) : body;
  if (!(DIGITS[base] as RegExp).test(digits)) throw new CmdlineError(`${what}: ${JSON.stringify(text)} is not an integer`);
  const v = BigInt(base === 16 ? `0x${digits}` : base === 8 ? `0o${digits}` : digits);
  return toSafeNumber(m[1] === '-' ? -v : v, what);
}

function parseKernelBool(text: string, what: string): boolean {
  const t = text.toLowerCase();
  if (t.startsWith('y') || t === '1' || t === 'on') return true;
  if (t.startsWith('n') || t === '0' || t === 'off') return false;
  throw new CmdlineError(`${what}: ${JSON.stringify(text)} is not a boolean (y/n, 1/0, on/off)`);
}

export class KernelCmdline {
  /** Kernel parameters in order (what comes before a bare `--`). */
  readonly params: readonly CmdlineParam[];
  /** What follows a bare `--`: arguments for init. */
  readonly initArgs: readonly string[];

  constructor(readonly raw: string) {
    const tokens = splitArgs(raw);
    const dashes = tokens.indexOf('--');
    const kernel = dashes < 0 ? tokens : tokens.slice(0, dashes);
    this.params = kernel.map(parseParam);
    this.initArgs = dashes < 0 ? [] : tokens.slice(dashes + 1);
  }

  private matching(key: string): CmdlineParam[] {
    const k = normalKey(key);
    return this.params.filter((p) => normalKey(p.key) === k);
  }

  /** True when `key` appears, as a flag or with a value. */
  has(key: string): boolean {
    return this.matching(key).length > 0;
  }

  /** The value of the last `key=...`; undefined when absent or a bare flag. */
  get(key: string): string | undefined {
    const all = this.matching(key);
    return all[all.length - 1]?.value;
  }

  /** Every occurrence's value, in order (undefined for flags). */
  getAll(key: string): (string | undefined)[] {
    return this.matching(key).map((p) => p.value);
  }

  /** The last value as an integer (kstrtoint, base 0); CmdlineError when it is not one. */
  getNumber(key: string): number | undefined {
    const v = this.get(key);
    return v === undefined ? undefined : parseKernelInt(v, `${key}=${v}`);
  }

  /** The last value as a size in bytes (memparse: 64M, 0x1000, 1G). */
  getSize(key: string): number | undefined {
    const v = this.get(key);
    return v === undefined ? undefined : memparse(v, `${key}=${v}`);
  }

  /** The last value as a boolean (kstrtobool); a bare flag is true. */
  getBool(key: string): boolean | undefined {
    const all = this.matching(key);
    const last = all[all.length - 1];
    if (!last) return undefined;
    return last.value === undefined ? true : parseKernelBool(last.value, `${key}=${last.value}`);
  }

  toString(): string {
    return this.raw;
  }
}

export function parseCmdline(s: string): KernelCmdline {
  return new KernelCmdline(s);
}

/** A malformed kernel command-line value; the message is one line, e.g. `kernel command line: mem=12X: "12X" is not a size ...`. */
export class CmdlineError extends Error {
  override name = 'CmdlineError';

  constructor(what: string) {
    super(`kernel command line: ${what}`);
  }
}
