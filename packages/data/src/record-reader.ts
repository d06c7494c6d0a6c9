import { describeValue } from '@retrievals/core-tensor';
import { DataError } from './jsonl.js';
import type { RecordLocation } from './registry.js';

/**
 * Reads typed fields from one record. Every failure is a DataError `file:line: field 'k' ...`
 * naming the format, the record key, what was expected and what was there.
 */
export class RecordReader {
  constructor(
    readonly format: string,
    readonly record: Record<string, unknown>,
    readonly where: RecordLocation,
  ) {}

  fail(key: string, problem: string): never {
    throw new DataError(`${this.where.file}:${this.where.line}: field '${key}' ${problem} (format '${this.format}')`);
  }

  /** The record key to read: the configured one, else the first default present (FlagEmbedding's `pos` for `positive`). */
  key(configured: string | undefined, defaults: readonly [string, ...string[]]): string {
    if (configured !== undefined) return configured;
    return defaults.find((k) => this.record[k] !== undefined) ?? defaults[0];
  }

  private value(key: string, alternatives: readonly string[] = []): unknown {
    const v = this.record[key];
    if (v === undefined || v === null) {
      const also = alternatives.filter((a) => a !== key);
      this.fail(key, `is missing${also.length ? ` (also looked for ${also.map((a) => `'${a}'`).join(', ')})` : ''}; the record has ${Object.keys(this.record).map((k) => `'${k}'`).join(', ') || 'no fields'}`);
    }
    return v;
  }

  string(key: string, alternatives?: readonly string[]): string {
    const v = this.value(key, alternatives);
    if (typeof v !== 'string') this.fail(key, `must be a string, got ${kindOf(v)}`);
    return v;
  }

  /** A string or a list of strings, as a list; at least `min` entries. */
  strings(key: string, min: number, alternatives?: readonly string[]): string[] {
    const v = this.value(key, alternatives);
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) this.fail(key, `must be a string or an array of strings, got ${kindOf(v)}`);
    if (list.length < min) this.fail(key, `must hold at least ${min} text${min === 1 ? '' : 's'}, got ${list.length}`);
    return list as string[];
  }

  number(key: string): number {
    const v = this.value(key);
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, `must be a finite number, got ${kindOf(v)}`);
    return v;
  }

  /** A list of finite numbers, of the length its texts have. */
  numbers(key: string, length: number, of: string): number[] {
    const v = this.value(key);
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) this.fail(key, `must be an array of finite numbers, got ${kindOf(v)}`);
    if (v.length !== length) this.fail(key, `has ${v.length} scores for ${length} texts in '${of}'`);
    return v as number[];
  }

  /** A class label: a string or an integer. */
  label(key: string): string | number {
    const v = this.value(key);
    if (typeof v !== 'string' && !Number.isSafeInteger(v)) this.fail(key, `must be a string or an integer class label, got ${kindOf(v)}`);
    return v as string | number;
  }
}

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return `an array ${describeValue(v).slice(0, 60)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${describeValue(v).slice(0, 60)}`;
}
