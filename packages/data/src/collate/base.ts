import type { Tensor } from '@retrievals/core-tensor';
import type { TokenBatch } from '@retrievals/models';
import { DataError } from '../errors.js';
import { resolveTokenizer, tokenizeBucketed, type CollatorTokenizer } from './tokenize.js';
import type { CollatedBatch, CollateContext, CollatorStats, TargetRole, TextFeature, TextRole } from './types.js';

/** What every collator shares: the tokenizer, per-role max lengths, lazy tokens and the shape record. */
export abstract class BaseCollator {
  readonly stats: CollatorStats = { signatures: new Set() };
  protected readonly tok: ReturnType<typeof resolveTokenizer>;
  protected readonly maxLengthOf: Partial<Record<TextRole, number>> = {};

  constructor(
    readonly name: string,
    tokenizer: CollatorTokenizer,
  ) {
    this.tok = resolveTokenizer(tokenizer);
  }

  /** A max length given for a role, else the model's / tokenizer's; an error naming the option when neither exists. */
  protected setMaxLength(role: TextRole, given: number | undefined, option: string): void {
    const v = given ?? this.tok.maxLength;
    if (v === undefined) throw new DataError(`${this.name}: option '${option}' is required (the tokenizer states no model_max_length)`);
    if (!Number.isInteger(v) || v < 2) throw new DataError(`${this.name}: option '${option}' must be an integer ≥ 2, got ${JSON.stringify(v)}`);
    this.maxLengthOf[role] = v;
  }

  tokenize(role: TextRole, texts: readonly string[]): TokenBatch {
    const max = this.maxLengthOf[role];
    if (max === undefined) throw new DataError(`${this.name}: no text field '${role}' (it has ${Object.keys(this.maxLengthOf).join(', ')})`);
    return tokenizeBucketed(this.tok, texts, max);
  }

  protected feature(role: TextRole, texts: string[]): TextFeature {
    let tokens: TokenBatch | undefined;
    const self = this;
    return {
      texts,
      maxLength: this.maxLengthOf[role]!,
      get tokens() {
        tokens ??= self.tokenize(role, texts);
        return tokens;
      },
    };
  }

  protected rowsOf(n: number, context: CollateContext): number[] {
    const rows = context.rows ? [...context.rows] : Array.from({ length: n }, (_, i) => i);
    if (rows.length !== n) throw new DataError(`${this.name}: ${n} examples but ${rows.length} row indices`);
    if (!n) throw new DataError(`${this.name}: an empty batch`);
    return rows;
  }

  /** Assembles a batch and records its signature (tokenizing the texts to learn their shapes). */
  protected batch(rows: number[], texts: Partial<Record<TextRole, TextFeature>>, targets: Partial<Record<TargetRole, Tensor>>, record = true): CollatedBatch {
    if (record) {
      const sig = Object.entries(texts).map(([role, f]) => `${role}[${f.tokens.inputIds.shape.join('x')}]`).join(' ');
      this.stats.signatures.add(sig);
    }
    return { size: rows.length, rows, texts, targets };
  }
}

/** Reads one text field of an example, failing with the row and field. */
export function textOf(collator: string, example: unknown, key: string, row: number): string {
  const v = (example as Record<string, unknown>)?.[key];
  if (typeof v !== 'string') throw new DataError(`${collator}: row ${row}: field '${key}' must be a string, got ${describe(v)}`);
  if (!v.length) throw new DataError(`${collator}: row ${row}: field '${key}' is an empty text`);
  return v;
}

/** Reads a text-or-texts field of an example as a list. */
export function textsOf(collator: string, example: unknown, key: string, row: number): string[] {
  const v = (example as Record<string, unknown>)?.[key];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.some((t) => typeof t !== 'string')) throw new DataError(`${collator}: row ${row}: field '${key}' must be a string or an array of strings, got ${describe(v)}`);
  if (list.some((t) => t === '')) throw new DataError(`${collator}: row ${row}: field '${key}' holds an empty text`);
  return list as string[];
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return `${v === null ? 'null' : typeof v}${typeof v === 'object' ? '' : ` ${JSON.stringify(v)?.slice(0, 40)}`}`;
}
