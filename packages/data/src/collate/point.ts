import { Tensor } from '@retrievals/core-tensor';
import { applyInstruction } from '@retrievals/models';
import { DataError } from '../errors.js';
import { BaseCollator, describe, textOf } from './base.js';
import type { CollatorTokenizer } from './tokenize.js';
import type { CollatedBatch, CollatedField, CollateContext, Collator } from './types.js';

export interface PointCollatorOptions {
  /** The text and label fields (default the point format's `text`, `label`). */
  keys?: readonly [string, string];
  maxLength?: number;
  instruction?: string;
  /**
   * The class names in class-id order, for string labels (`classesOf(examples)` lists a dataset's).
   * Integer labels are class ids as they are.
   */
  classes?: readonly (string | number)[];
}

/** The sorted distinct labels of a dataset: the class list a PointCollator maps string labels with. */
export function classesOf(examples: readonly Record<string, unknown>[], key = 'label'): (string | number)[] {
  return [...new Set(examples.map((e) => e[key] as string | number))].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
}

/** Point-wise (text, class) examples → `embeddings` [N] texts and `labels` [N] int64 class ids, what arcface reads. */
export class PointCollator extends BaseCollator implements Collator<Record<string, unknown>> {
  readonly fields: readonly CollatedField[] = ['embeddings', 'labels'];
  readonly exampleFields: readonly string[];
  private readonly classIds: Map<string | number, number> | undefined;

  constructor(tokenizer: CollatorTokenizer, readonly options: PointCollatorOptions = {}) {
    super('PointCollator', tokenizer);
    this.exampleFields = options.keys ?? ['text', 'label'];
    this.setMaxLength('embeddings', options.maxLength, 'maxLength');
    this.classIds = options.classes && new Map(options.classes.map((c, i) => [c, i]));
  }

  textsOf(example: Record<string, unknown>): string[] {
    return [String(example[this.exampleFields[0]!])];
  }

  collate(examples: readonly Record<string, unknown>[], context: CollateContext = {}): CollatedBatch {
    const rows = this.rowsOf(examples.length, context);
    const [kt, kl] = this.exampleFields as [string, string];
    const texts: string[] = [], labels = new BigInt64Array(examples.length);
    examples.forEach((ex, i) => {
      texts.push(applyInstruction(this.options.instruction, textOf(this.name, ex, kt, rows[i]!)));
      labels[i] = BigInt(this.classId(ex[kl], kl, rows[i]!));
    });
    return this.batch(rows, { embeddings: this.feature('embeddings', texts) }, { labels: new Tensor({ shape: [examples.length], dtype: 'int64', buffer: labels }) });
  }

  private classId(label: unknown, key: string, row: number): number {
    if (this.classIds) {
      const id = this.classIds.get(label as string | number);
      if (id === undefined) throw new DataError(`${this.name}: row ${row}: field '${key}' is ${describe(label)}, not one of the ${this.classIds.size} classes given in 'classes'`);
      return id;
    }
    if (!Number.isSafeInteger(label) || (label as number) < 0) {
      throw new DataError(`${this.name}: row ${row}: field '${key}' is ${describe(label)}; string labels need option 'classes' (e.g. classesOf(examples)), integer labels must be ≥ 0`);
    }
    return label as number;
  }
}
