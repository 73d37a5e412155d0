// SPDX-License-Identifier: GPL-2.0-only
/*
 * Conditional filters of config.txt ("[pi4]", "[all]", ...), following the
 * Raspberry Pi documentation, config_txt/conditional.adoc:
 *
 *   - [all] resets every filter: what follows applies to all hardware.
 *   - Filters of the same type replace each other ([pi2] after [pi1]);
 *     filters of different types combine: a setting applies only when the
 *     latest filter of each type present is true.
 *   - Model filters ([pi4], [cm4], ...) are true when the board sees them
 *     (a CM4 sees [pi4] and [cm4]); [board-type=0x14] compares the
 *     revision-code board type; [none] is never true; [tryboot] is the
 *     tryboot flag; [EDID=name] the monitors' EDID names; [0x12345678]
 *     the serial number; [gpio4=1] a GPIO level.
 *   - [HDMI:0] / [HDMI:1] pick the HDMI port that later hdmi_* settings
 *     address; they are not a condition, and this model has no HDMI, so
 *     they change nothing here.
 *
 * A filter this model does not know is taken as false (with a warning
 * from the caller): its settings are not applied until the next [all].
 * What a filter needs to know about the machine (serial, GPIO levels,
 * monitors) comes from the caller; what is not given counts as false.
 */

import { BOARDS, type BoardModel, MODEL_FILTERS } from './boards';

export interface FilterContext {
  board: BoardModel;
  serial?: number;
  tryboot?: boolean;
  /** Levels of the GPIOs that [gpioN=v] filters test. */
  gpio?: Readonly<Record<number, 0 | 1>>;
  /** EDID names of the attached monitors. */
  edid?: readonly string[];
}

type FilterType = 'model' | 'board-type' | 'none' | 'tryboot' | 'edid' | 'serial' | 'gpio' | 'unknown';

export interface ParsedFilter {
  /** null for [all] (reset) and for [HDMI:n] (no condition). */
  type: FilterType | null;
  reset: boolean;
  value: boolean;
  /** False when the filter is not one this model knows. */
  known: boolean;
}

function parseInteger(text: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^\d+$/.test(text)) return Number.parseInt(text, 10);
  return undefined;
}

function cond(type: FilterType, value: boolean, known = true): ParsedFilter {
  return { type, reset: false, value, known };
}

function gpioFilter(pin: number, level: number, ctx: FilterContext): ParsedFilter {
  return cond('gpio', ctx.gpio?.[pin] === level);
}

/** Evaluates the text between the brackets of a section header. */
export function evaluateFilter(text: string, ctx: FilterContext): ParsedFilter {
  const f = text.trim();
  const lower = f.toLowerCase();
  if (lower === 'all') return { type: null, reset: true, value: true, known: true };
  if (lower === 'none') return cond('none', false);
  if (lower === 'tryboot') return cond('tryboot', ctx.tryboot === true);
  if (MODEL_FILTERS.has(lower)) return cond('model', BOARDS[ctx.board].filters.includes(lower));
  if (/^hdmi:[01]$/.test(lower)) return { type: null, reset: false, value: true, known: true };
  if (lower.startsWith('board-type=')) {
    const n = parseInteger(f.slice('board-type='.length));
    return n === undefined ? cond('unknown', false, false) : cond('board-type', n === BOARDS[ctx.board].boardType);
  }
  if (lower.startsWith('edid=')) return cond('edid', ctx.edid?.includes(f.slice('edid='.length)) ?? false);
  const gpio = /^gpio(\d+)=([01])$/.exec(lower);
  if (gpio) return gpioFilter(Number(gpio[1]), Number(gpio[2]), ctx);
  if (/^0x[0-9a-f]{1,16}$/.test(lower)) {
    const serial = BigInt(lower) & 0xffffffffn;
    return cond('serial', ctx.serial !== undefined && (BigInt(ctx.serial) & 0xffffffffn) === serial);
  }
  return cond('unknown', false, false);
}

/** The running state of the filters while config.txt is read. */
export class FilterState {
  private readonly current = new Map<FilterType, boolean>();

  apply(filter: ParsedFilter): void {
    if (filter.reset) this.current.clear();
    else if (filter.type) this.current.set(filter.type, filter.value);
  }

  /** True when settings at this point apply. */
  get active(): boolean {
    for (const v of this.current.values()) if (!v) return false;
    return true;
  }
}
