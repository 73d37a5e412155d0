// SPDX-License-Identifier: GPL-2.0-only
/*
 * config.txt, the Raspberry Pi firmware's boot configuration, read the way
 * the firmware reads it (Raspberry Pi documentation, asciidoc/computers/
 * config_txt: what_is_config_txt.adoc, conditional.adoc, boot.adoc,
 * memory.adoc; configuration/uart.adoc):
 *
 *   - one `property=value` per line; `#` starts a comment line; blank lines
 *     are ignored; characters past the 98th of a line are ignored (the
 *     documented limit; a warning says so);
 *   - `[filter]` lines start conditional sections (see conditions.ts);
 *     settings in sections that do not apply to the board are skipped;
 *   - a later setting of a key replaces an earlier one;
 *   - `initramfs FILE ADDRESS` is the one setting written without `=`;
 *     `include FILE` is refused (this model reads one file);
 *   - dtoverlay= and dtparam= lines are kept in order: dtparam lines after
 *     a dtoverlay set that overlay's parameters, a bare `dtoverlay=` goes
 *     back to the base device tree's parameters (overlays README);
 *   - unknown keys are kept (in `entries` and `values`) and otherwise
 *     ignored, as the firmware ignores them.
 *
 * Malformed lines are errors naming the line, in whichever section they
 * stand: no `=`, an empty key, an unclosed `[`, a non-numeric value for a
 * numeric key. Numbers are decimal or 0x hex.
 *
 * The result's snake_case fields are config.txt keys with their resolved
 * values (the firmware's defaults filled in for the board); camelCase
 * fields are derived facts.
 */

import { BOARDS, type BoardModel, isBoardModel } from './boards';
import { type FilterContext, FilterState, evaluateFilter } from './conditions';
import { ConfigTxtError } from './errors';

/** The documented line length limit: the rest of a longer line is ignored. */
export const CONFIG_TXT_MAX_LINE = 98;

export interface ConfigTxtOptions extends Partial<FilterContext> {
  /** The board reading the file; default 'cm4' (the uConsole's default core). */
  board?: BoardModel;
  /** Installed RAM in MB; default the board profile's. Picks gpu_mem_256/512/1024 and bounds total_mem. */
  ramMb?: number;
  /** Name used in error messages; default "config.txt". */
  fileName?: string;
}

/** One `key=value` line, applied or not. */
export interface ConfigEntry {
  line: number;
  key: string;
  value: string;
  /** True when the line's conditional section applies to the board. */
  active: boolean;
}

export type DtDirective =
  | { kind: 'overlay'; line: number; name: string; params: string[] }
  /** `target` is the overlay the parameters go to, or null for the base device tree. */
  | { kind: 'param'; line: number; target: string | null; params: string[] };

export interface Initramfs {
  files: string[];
  /** A load address, or 'followkernel' (also written as 0) to place it after the kernel. */
  address: number | 'followkernel';
}

export interface ConfigTxt {
  /** Non-zero: 64-bit kernel, cores started in AArch64. */
  arm_64bit: number;
  kernel: string;
  /** Where the kernel is loaded; for arm64 Images the firmware also honours the header's text_offset. */
  kernel_address: number;
  kernel_old: number;
  /** Base DTB file; undefined means the board default, "" means no device tree. */
  device_tree: string | undefined;
  device_tree_address: number | undefined;
  device_tree_end: number | undefined;
  /** MB of RAM given to the GPU, after gpu_mem_256/512/1024 and the default. */
  gpu_mem: number;
  /** MB of RAM the ARM side may use at most, as written (see memoryMb). */
  total_mem: number | undefined;
  arm_peri_high: number;
  enable_uart: number;
  uart_2ndstage: number;
  disable_commandline_tags: number;
  cmdline: string;
  initramfs: Initramfs | undefined;
  /** Names of the overlays loaded, in order. */
  overlays: string[];
  /** dtoverlay and dtparam lines in order. */
  dt: DtDirective[];

  board: BoardModel;
  /** Installed RAM in MB used to resolve the settings. */
  ramMb: number;
  /** RAM the system uses in MB: total_mem clamped to [128, ramMb], else ramMb. */
  memoryMb: number;
  /** Every key=value line, applied or not. */
  entries: ConfigEntry[];
  /** The last applied value of each key, as written. */
  values: Map<string, string>;
  /** Things the firmware would silently ignore: truncated lines, unknown filters. */
  warnings: string[];
}

/** Keys whose values must be numbers. */
const NUMERIC_KEYS: ReadonlySet<string> = new Set([
  'arm_64bit',
  'kernel_address',
  'kernel_old',
  'device_tree_address',
  'device_tree_end',
  'gpu_mem',
  'gpu_mem_256',
  'gpu_mem_512',
  'gpu_mem_1024',
  'total_mem',
  'arm_peri_high',
  'enable_uart',
  'uart_2ndstage',
  'disable_commandline_tags',
  'enable_gic',
  'ramfsaddr',
  'init_uart_baud',
  'init_uart_clock',
  'boot_delay',
  'boot_delay_ms',
]);

/** A config.txt number: decimal or 0x hex, optionally negative. */
export function parseConfigNumber(text: string): number | undefined {
  const m = /^([+-]?)(?:0x([0-9a-f]+)|(\d+))$/i.exec(text.trim());
  if (!m) return undefined;
  const n = m[2] !== undefined ? Number.parseInt(m[2], 16) : Number.parseInt(m[3] ?? '', 10);
  return m[1] === '-' ? -n : n;
}

interface Reader {
  file: string;
  ctx: FilterContext;
  filters: FilterState;
  entries: ConfigEntry[];
  dt: DtDirective[];
  overlayTarget: string | null;
  initramfs: Initramfs | undefined;
  warnings: string[];
}

function fail(r: Reader, line: number, what: string): never {
  throw new ConfigTxtError(r.file, line, what);
}

function readSection(r: Reader, text: string, line: number): void {
  if (!text.endsWith(']')) fail(r, line, `section header ${JSON.stringify(text)} has no closing ]`);
  const inner = text.slice(1, -1);
  const filter = evaluateFilter(inner, r.ctx);
  if (!filter.known) r.warnings.push(`${r.file} line ${line}: unknown filter [${inner}] taken as false`);
  r.filters.apply(filter);
}

function readInitramfs(r: Reader, text: string, line: number): void {
  const words = text.split(/\s+/);
  if (words.length !== 3) fail(r, line, `expected "initramfs FILE ADDRESS", got ${JSON.stringify(text)}`);
  const [, files = '', addr = ''] = words;
  const n = parseConfigNumber(addr);
  if (addr !== 'followkernel' && n === undefined)
    fail(r, line, `initramfs address ${JSON.stringify(addr)} is neither a number nor followkernel`);
  if (!r.filters.active) return;
  r.initramfs = { files: files.split(','), address: addr === 'followkernel' || n === 0 ? 'followkernel' : (n as number) };
}

function readDt(r: Reader, key: string, value: string, line: number): void {
  const parts = value.split(',').map((p) => p.trim());
  const [head = '', ...rest] = parts;
  if (key === 'dtoverlay') {
    if (head === '') {
      r.overlayTarget = null;
      return;
    }
    r.dt.push({ kind: 'overlay', line, name: head, params: rest.filter((p) => p !== '') });
    r.overlayTarget = head;
  } else {
    r.dt.push({ kind: 'param', line, target: r.overlayTarget, params: parts.filter((p) => p !== '') });
  }
}

function readSetting(r: Reader, text: string, line: number): void {
  const eq = text.indexOf('=');
  if (eq < 0) fail(r, line, `expected key=value, got ${JSON.stringify(text)}`);
  const key = text.slice(0, eq).trim();
  const value = text.slice(eq + 1).trim();
  if (key === '') fail(r, line, `empty key in ${JSON.stringify(text)}`);
  if (NUMERIC_KEYS.has(key) && parseConfigNumber(value) === undefined)
    fail(r, line, `${key}=${value}: expected a number (decimal or 0x hex)`);
  const active = r.filters.active;
  r.entries.push({ line, key, value, active });
  if (active && (key === 'dtoverlay' || key === 'dtparam')) readDt(r, key, value, line);
}

function readLine(r: Reader, raw: string, line: number): void {
  let text = raw;
  if (text.length > CONFIG_TXT_MAX_LINE) {
    r.warnings.push(`${r.file} line ${line}: characters past the ${CONFIG_TXT_MAX_LINE}th are ignored`);
    text = text.slice(0, CONFIG_TXT_MAX_LINE);
  }
  text = text.trim();
  if (text === '' || text.startsWith('#')) return;
  if (text.startsWith('[')) return readSection(r, text, line);
  const word = /^(\S+)\s+(.*)$/.exec(text);
  if (word && !word[1]?.includes('=')) {
    if (word[1] === 'include') fail(r, line, `include ${word[2] ?? ''} is not supported: put those settings in ${r.file} itself`);
    if (word[1] === 'initramfs') return readInitramfs(r, text, line);
  }
  readSetting(r, text, line);
}

function lastValues(entries: readonly ConfigEntry[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const e of entries) if (e.active) values.set(e.key, e.value);
  return values;
}

/** gpu_mem for the installed RAM: gpu_mem_256/512/1024 override gpu_mem, default 64 below 1 GB and 76 from 1 GB. */
function resolveGpuMem(num: (k: string) => number | undefined, ramMb: number): number {
  const specific =
    ramMb >= 1024 ? num('gpu_mem_1024') : ramMb === 512 ? num('gpu_mem_512') : ramMb === 256 ? num('gpu_mem_256') : undefined;
  return specific ?? num('gpu_mem') ?? (ramMb >= 1024 ? 76 : 64);
}

function resolve(r: Reader, board: BoardModel, ramMb: number): ConfigTxt {
  const info = BOARDS[board];
  const values = lastValues(r.entries);
  const num = (k: string): number | undefined => {
    const v = values.get(k);
    return v === undefined ? undefined : parseConfigNumber(v);
  };
  const arm64 = num('arm_64bit') ?? info.arm64Default;
  const kernelOld = num('kernel_old') ?? 0;
  const totalMem = num('total_mem');
  return {
    arm_64bit: arm64,
    kernel: values.get('kernel') ?? (arm64 !== 0 ? 'kernel8.img' : info.kernel32),
    kernel_address: num('kernel_address') ?? (kernelOld !== 0 ? 0 : arm64 !== 0 ? 0x200000 : 0x8000),
    kernel_old: kernelOld,
    device_tree: values.get('device_tree'),
    device_tree_address: num('device_tree_address'),
    device_tree_end: num('device_tree_end'),
    gpu_mem: resolveGpuMem(num, ramMb),
    total_mem: totalMem,
    arm_peri_high: num('arm_peri_high') ?? 0,
    enable_uart: num('enable_uart') ?? (info.pl011Primary ? 1 : 0),
    uart_2ndstage: num('uart_2ndstage') ?? 0,
    disable_commandline_tags: num('disable_commandline_tags') ?? 0,
    cmdline: values.get('cmdline') ?? 'cmdline.txt',
    initramfs: r.initramfs,
    overlays: r.dt.flatMap((d) => (d.kind === 'overlay' ? [d.name] : [])),
    dt: r.dt,
    board,
    ramMb,
    memoryMb: totalMem === undefined ? ramMb : Math.min(Math.max(totalMem, 128), ramMb),
    entries: r.entries,
    values,
    warnings: r.warnings,
  };
}

/** Parses config.txt as the firmware of `options.board` (default CM4) would read it. */
export function parseConfigTxt(text: string, options: ConfigTxtOptions = {}): ConfigTxt {
  const file = options.fileName ?? 'config.txt';
  const board = options.board ?? 'cm4';
  if (!isBoardModel(board)) throw new ConfigTxtError(file, undefined, `unknown board model ${JSON.stringify(board)}`);
  const ramMb = options.ramMb ?? BOARDS[board].ramMb;
  if (!Number.isInteger(ramMb) || ramMb <= 0) throw new ConfigTxtError(file, undefined, `installed RAM ${ramMb} MB is not a positive integer`);
  const r: Reader = {
    file,
    ctx: { ...options, board },
    filters: new FilterState(),
    entries: [],
    dt: [],
    overlayTarget: null,
    initramfs: undefined,
    warnings: [],
  };
  text.split(/\r\n|\r|\n/).forEach((raw, i) => readLine(r, raw, i + 1));
  return resolve(r, board, ramMb);
}
