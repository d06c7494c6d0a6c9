import { Tensor } from '@retrievals/core-tensor';
import { applyInstruction } from '@retrievals/models';
import { DataError } from '../errors.js';
import { BaseCollator, describe, textOf } from './base.js';
import type { CollatorTokenizer } from './tokenize.js';
import type { CollatedBatch, CollatedField, CollateContext, Collator } from './types.js';

export interface ScoredPairCollatorOptions {
  /** The two text fields and the score field (default the scored-pair format's `text1`, `text2`, `score`). */
  keys?: readonly [string, string, string];
  /** Max tokens of the two texts (one number for both); default the model's maxLength. */
  maxLengths?: number | readonly [number, number];
  /** Template applied to both texts (a symmetric task has one instruction). */
  instruction?: string;
}

/**
 * Scored pairs (STS) → `query` [B] (first texts), `positive` [B] (second texts) and `labels` [B]
 * float32 scores, what cosent / angle read.
 */
export class ScoredPairCollator extends BaseCollator implements Collator<Record<string, unknown>> {
  readonly fields: readonly CollatedField[] = ['query', 'positive', 'labels'];
  readonly exampleFields: readonly string[];

  constructor(tokenizer: CollatorTokenizer, readonly options: ScoredPairCollatorOptions = {}) {
    super('ScoredPairCollator', tokenizer);
    this.exampleFields = options.keys ?? ['text1', 'text2', 'score'];
    if (this.exampleFields.length !== 3) throw new DataError(`ScoredPairCollator: option 'keys' must name text1, text2 and score fields, got ${JSON.stringify(options.keys)}`);
    const l = options.maxLengths;
    this.setMaxLength('query', typeof l === 'number' ? l : l?.[0], 'maxLengths[0]');
    this.setMaxLength('positive', typeof l === 'number' ? l : l?.[1], 'maxLengths[1]');
  }

  textsOf(example: Record<string, unknown>): string[] {
    return this.exampleFields.slice(0, 2).map((k) => String(example[k]));
  }

  collate(examples: readonly Record<string, unknown>[], context: CollateContext = {}): CollatedBatch {
    const rows = this.rowsOf(examples.length, context);
    const [k1, k2, ks] = this.exampleFields as [string, string, string];
    const a: string[] = [], b: string[] = [], scores = new Float32Array(examples.length);
    examples.forEach((ex, i) => {
      a.push(applyInstruction(this.options.instruction, textOf(this.name, ex, k1, rows[i]!)));
      b.push(applyInstruction(this.options.instruction, textOf(this.name, ex, k2, rows[i]!)));
      const s = ex[ks];
      if (typeof s !== 'number' || !Number.isFinite(s)) throw new DataError(`${this.name}: row ${rows[i]}: field '${ks}' must be a finite number, got ${describe(s)}`);
      scores[i] = s;
    });
    return this.batch(rows, { query: this.feature('query', a), positive: this.feature('positive', b) }, { labels: new Tensor({ shape: [examples.length], dtype: 'float32', buffer: scores }) });
  }
}
