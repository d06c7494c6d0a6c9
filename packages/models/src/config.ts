import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, ModelNotFoundError } from './errors.js';

/** Reads any JSON file; errors name the file. */
export function readJson(file: string, what = 'file'): unknown {
  if (!existsSync(file)) throw new ModelNotFoundError(`${file}: ${what} not found`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

/** Reads a JSON object file; errors name the file. */
export function readJsonFile(file: string, what = 'file'): Record<string, unknown> {
  const value = readJson(file, what);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${file}: expected a JSON object`);
  return value as Record<string, unknown>;
}

/** No size or count in a real checkpoint's config comes near this; beyond it a value is a typo or an attack. */
export const MAX_SIZE = 2 ** 31 - 1;
/** More layers than any real model (the deepest have ~128); refused before a module tree is built for them. */
export const MAX_LAYERS = 4096;

/**
 * Typed access to config.json fields. Every getter names the file, the field, what was expected
 * and what was found, so a bad config fails at load time with a message the user can act on
 * rather than as a NaN deep inside a forward pass.
 */
export class ConfigReader {
  constructor(
    readonly file: string,
    readonly raw: Record<string, unknown>,
  ) {}

  static fromFile(file: string): ConfigReader {
    return new ConfigReader(file, readJsonFile(file, 'config.json'));
  }

  has(field: string): boolean {
    return this.raw[field] !== undefined && this.raw[field] !== null;
  }

  private fail(field: string, expected: string): never {
    const actual = this.raw[field];
    throw new ConfigError(`${this.file}: field '${field}' must be ${expected}, got ${actual === undefined ? 'nothing (missing)' : JSON.stringify(actual)}`);
  }

  /**
   * A positive (or, with min 0, non-negative) integer, at most `max`: sizes and counts far beyond any
   * real model (`num_hidden_layers: 1e300`) are refused here, before anything is built from them.
   */
  int(field: string, fallback?: number, min = 1, max = MAX_SIZE): number {
    const v = this.raw[field] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) this.fail(field, `an integer ≥ ${min}`);
    if (v > max) this.fail(field, `an integer ≤ ${max}`);
    return v;
  }

  /** A finite number in a range (`gt`: strictly greater, e.g. an epsilon or rope_theta > 0; `lt`: strictly less). */
  number(field: string, fallback?: number, range: { gt?: number; min?: number; max?: number; lt?: number } = {}): number {
    const v = this.raw[field] ?? fallback;
    const { gt, min, max, lt } = range;
    const ok = typeof v === 'number' && Number.isFinite(v) && (gt === undefined || v > gt) && (min === undefined || v >= min) && (max === undefined || v <= max) && (lt === undefined || v < lt);
    if (!ok) {
      const bounds = [gt !== undefined && `> ${gt}`, min !== undefined && `≥ ${min}`, max !== undefined && `≤ ${max}`, lt !== undefined && `< ${lt}`].filter(Boolean);
      this.fail(field, bounds.length ? `a number ${bounds.join(' and ')}` : 'a finite number');
    }
    return v as number;
  }

  /** A dropout probability, in [0, 1). */
  probability(field: string, fallback?: number): number {
    return this.number(field, fallback, { min: 0, lt: 1 });
  }

  /** A normalisation epsilon: > 0 and small (a negative or huge one makes every activation wrong). */
  epsilon(field: string, fallback?: number): number {
    return this.number(field, fallback, { gt: 0, max: 0.1 });
  }

  bool(field: string, fallback?: boolean): boolean {
    const v = this.raw[field] ?? fallback;
    if (typeof v !== 'boolean') this.fail(field, 'true or false');
    return v;
  }

  string(field: string, fallback?: string): string {
    const v = this.raw[field] ?? fallback;
    if (typeof v !== 'string' || v.length === 0) this.fail(field, 'a non-empty string');
    return v;
  }

  /** One of a fixed set of strings. */
  oneOf<T extends string>(field: string, allowed: readonly T[], fallback?: T): T {
    const v = this.raw[field] ?? fallback;
    if (typeof v !== 'string' || !allowed.includes(v as T)) this.fail(field, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    return v as T;
  }

  /** An integer or null/missing (e.g. pad_token_id). */
  optionalInt(field: string, min = 0): number | undefined {
    return this.has(field) ? this.int(field, undefined, min) : undefined;
  }

  /** Checks that a field divides another (hidden_size by num_attention_heads, ...). */
  divisible(field: string, value: number, by: number, byField: string): void {
    if (value % by !== 0) throw new ConfigError(`${this.file}: field '${field}' (${value}) must be divisible by '${byField}' (${by})`);
  }

  /** Raises for a field whose value is valid JSON but a feature we do not implement. */
  unsupported(field: string, detail: string): never {
    throw new ConfigError(`${this.file}: field '${field}' = ${JSON.stringify(this.raw[field])} is not supported (${detail})`);
  }
}
