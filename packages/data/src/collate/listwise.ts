import { Tensor } from '@retrievals/core-tensor';
import { applyInstruction } from '@retrievals/models';
import { DataError } from '../errors.js';
import { BaseCollator, describe, textOf, textsOf } from './base.js';
import type { CollatorTokenizer } from './tokenize.js';
import type { CollatedBatch, CollatedField, CollateContext, Collator } from './types.js';

export interface ListwiseCollatorOptions {
  /** The query, documents and grades fields (default the listwise format's `query`, `docs`, `labels`). */
  keys?: readonly [string, string, string];
  /** Max tokens of queries and of documents (one number for both). */
  maxLengths?: number | readonly [number, number];
  queryInstruction?: string;
  documentInstruction?: string;
}

/**
 * Listwise examples (a query, G documents, G grades) → `query` [B], `positive` [B] (each list's
 * first document), `negative` [B·(G−1)] (the rest, in order) and `labels` [B, G], so column 0 of
 * the grades is the `positive` the listwise loss scores first. Every row of a batch has G documents.
 */
export class ListwiseCollator extends BaseCollator implements Collator<Record<string, unknown>> {
  readonly fields: readonly CollatedField[] = ['query', 'positive', 'negative', 'labels'];
  readonly exampleFields: readonly string[];

  constructor(tokenizer: CollatorTokenizer, readonly options: ListwiseCollatorOptions = {}) {
    super('ListwiseCollator', tokenizer);
    this.exampleFields = options.keys ?? ['query', 'docs', 'labels'];
    const l = options.maxLengths;
    this.setMaxLength('query', typeof l === 'number' ? l : l?.[0], 'maxLengths[0]');
    const d = typeof l === 'number' ? l : l?.[1];
    this.setMaxLength('positive', d, 'maxLengths[1]');
    this.setMaxLength('negative', d, 'maxLengths[1]');
  }

  textsOf(example: Record<string, unknown>): string[] {
    const [kq, kd] = this.exampleFields as [string, string];
    return [String(example[kq]), ...((example[kd] as string[] | undefined) ?? [])];
  }

  collate(examples: readonly Record<string, unknown>[], context: CollateContext = {}): CollatedBatch {
    const rows = this.rowsOf(examples.length, context);
    const [kq, kd, kl] = this.exampleFields as [string, string, string];
    const { queryInstruction: qi, documentInstruction: di } = this.options;
    const q: string[] = [], p: string[] = [], n: string[] = [], grades: number[] = [];
    let g: number | undefined;
    examples.forEach((ex, i) => {
      const row = rows[i]!;
      const docs = textsOf(this.name, ex, kd, row), labels = ex[kl];
      if (!Array.isArray(labels) || labels.length !== docs.length || labels.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
        throw new DataError(`${this.name}: row ${row}: field '${kl}' must hold one finite number per document (${docs.length}), got ${describe(labels)}`);
      }
      if (docs.length < 2) throw new DataError(`${this.name}: row ${row}: field '${kd}' holds ${docs.length} document; a list needs at least 2`);
      if (g !== undefined && docs.length !== g) throw new DataError(`${this.name}: row ${row}: field '${kd}' holds ${docs.length} documents, row ${rows[0]} ${g}; a batch's lists must have one length`);
      g = docs.length;
      q.push(applyInstruction(qi, textOf(this.name, ex, kq, row)));
      p.push(applyInstruction(di, docs[0]!));
      n.push(...docs.slice(1).map((d) => applyInstruction(di, d)));
      grades.push(...(labels as number[]));
    });
    return this.batch(
      rows,
      { query: this.feature('query', q), positive: this.feature('positive', p), negative: this.feature('negative', n) },
      { labels: new Tensor({ shape: [examples.length, g!], dtype: 'float32', buffer: Float32Array.from(grades) }) },
    );
  }
}
