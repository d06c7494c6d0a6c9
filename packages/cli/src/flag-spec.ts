import { describeValue } from '@retrievals/core-tensor';
import { checkRange, parseRange } from '@retrievals/hard-negatives';

/**
 * What a flag's value is. `bool` takes transformers' HfArgumentParser syntax (`--x` alone, or
 * `--x True|false|yes|no|1|0`); `range` is build_hn's `lo-hi`; `component` is a registry name, and
 * in a config file also `{ name, ...options }`; `list` is comma-separated on the command line and
 * an array (or the same string) in a config file.
 */
export type FlagType = 'string' | 'int' | 'number' | 'bool' | 'list' | 'range' | 'component';

export interface FlagSpec {
  /** open-retrievals' snake_case name, without the dashes. */
  name: string;
  type: FlagType;
  help: string;
  /** Shown in --help and used when neither the command line nor the config file sets it. */
  default?: unknown;
  /** Allowed values (string flags). */
  choices?: readonly string[];
  /** Lower bound (int and number flags). */
  min?: number;
  /** `min` itself is not allowed (a number that must be > min). */
  exclusive?: boolean;
  /** The value's name in --help (`<dir>`, `<file>`). */
  metavar?: string;
  /** An empty string is a value (instructions); otherwise `--x ''` is an error, not "unset". */
  allowEmpty?: boolean;
}

const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);

/** HfArgumentParser's boolean words (`True`, `no`, `1`, ...), or undefined for any other text. */
export function boolOf(text: string): boolean | undefined {
  const t = text.toLowerCase();
  return TRUE.has(t) ? true : FALSE.has(t) ? false : undefined;
}

/** A flag's text (from the command line or a config file string) → its value; a problem is returned as the expectation it failed. */
export function parseFlagText(spec: FlagSpec, text: string): { value: unknown } | { expected: string } {
  switch (spec.type) {
    case 'string':
    case 'component':
      if (text === '' && !spec.allowEmpty) return { expected: 'a non-empty value' };
      if (spec.choices && !spec.choices.includes(text)) return { expected: `one of ${spec.choices.join(', ')}` };
      return { value: text };
    case 'bool': {
      const value = boolOf(text);
      return value === undefined ? { expected: 'true or false (or the flag alone)' } : { value };
    }
    case 'int': {
      if (!/^[+-]?\d+$/.test(text.trim())) return { expected: intExpected(spec) };
      return checkNumber(spec, Number(text));
    }
    case 'number': {
      const n = text.trim() === '' ? NaN : Number(text);
      return checkNumber(spec, n);
    }
    case 'list': {
      const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
      return items.length ? { value: items } : { expected: 'a comma-separated list' };
    }
    case 'range':
      // The miner's own rule (@retrievals/hard-negatives parseRange), its message replaced by the flag's expectation.
      try {
        return { value: parseRange(text) };
      } catch {
        return { expected: "a range 'lo-hi' of ranks with lo < hi (e.g. 2-200)" };
      }
  }
}

/** A value from a JSON / YAML config file → the flag's value: strings go through the command-line rule, other JSON types are checked as they are. */
export function parseConfigValue(spec: FlagSpec, value: unknown): { value: unknown } | { expected: string } {
  if (typeof value === 'string') return parseFlagText(spec, value);
  switch (spec.type) {
    case 'bool':
      return typeof value === 'boolean' ? { value } : { expected: 'true or false' };
    case 'int':
      return typeof value === 'number' && Number.isSafeInteger(value) ? checkNumber(spec, value) : { expected: intExpected(spec) };
    case 'number':
      return typeof value === 'number' ? checkNumber(spec, value) : { expected: 'a number' };
    case 'list':
      // YAML `k: [1, 3, 5]` is a list of numbers: taken as their text, as on the command line.
      return Array.isArray(value) && value.length && value.every((v) => (typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isFinite(v)))
        ? { value: value.map((v) => (typeof v === 'number' ? String(v) : (v as string))) }
        : { expected: 'a list of strings or numbers' };
    case 'range':
      try {
        return { value: checkRange(value) };
      } catch {
        return { expected: 'a range [lo, hi] (or "lo-hi") with lo < hi' };
      }
    case 'component':
      return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { name?: unknown }).name === 'string'
        ? { value }
        : { expected: 'a registered name or { name, ...options }' };
    case 'string':
      return { expected: spec.choices ? `one of ${spec.choices.join(', ')}` : 'a string' };
  }
}

function intExpected(spec: FlagSpec): string {
  return spec.min === undefined ? 'an integer' : `an integer ≥ ${spec.exclusive ? spec.min + 1 : spec.min}`;
}

function checkNumber(spec: FlagSpec, n: number): { value: number } | { expected: string } {
  const integer = spec.type === 'int';
  const bound = spec.min === undefined ? '' : spec.exclusive ? ` > ${spec.min}` : ` ≥ ${spec.min}`;
  const expected = integer ? intExpected(spec) : `a finite number${bound}`;
  if (!Number.isFinite(n) || (integer && !Number.isSafeInteger(n))) return { expected };
  if (spec.min !== undefined && (spec.exclusive ? n <= spec.min : n < spec.min)) return { expected };
  return { value: n };
}

/** The default as --help shows it. */
export function describeDefault(spec: FlagSpec): string | undefined {
  if (spec.default === undefined) return undefined;
  if (spec.type === 'range') return (spec.default as number[]).join('-');
  if (spec.type === 'list') return (spec.default as string[]).join(',');
  if (typeof spec.default === 'number' && spec.default !== 0 && Math.abs(spec.default) < 1e-3) return spec.default.toExponential();
  return typeof spec.default === 'string' ? JSON.stringify(spec.default) : describeValue(spec.default);
}
