import { Tensor } from '@retrievals/core-tensor';
import { applyInstruction, documentText, type CorpusDocument } from '@retrievals/models';
import { DataError } from '../errors.js';
import { sampleGroup } from '../sampling/groups.js';
import { BaseCollator, describe, textOf } from './base.js';
import type { CollatorTokenizer } from './tokenize.js';
import type { CollatedBatch, CollatedField, CollateContext, Collator, TextFeature, TextRole } from './types.js';

export interface RetrievalCollatorOptions {
  /**
   * The example fields that hold the query, the positive(s) and the negative(s), in that order
   * (open-retrievals' `keys`); default `['query', 'positive', 'negative']` as the pair / triplet /
   * group formats name them. Give two keys for pairs (in-batch negatives only).
   */
  keys?: readonly string[];
  /** Max tokens per key, in the order of `keys` (one number for all); default the model's maxLength. */
  maxLengths?: number | readonly number[];
  /** Template applied to queries (`{}` marks the text; without it a prefix), as the model's. */
  queryInstruction?: string;
  /** Template applied to positives and negatives. */
  documentInstruction?: string;
  /**
   * G = 1 positive + G−1 negatives per query (FlagEmbedding's train_group_size), drawn each batch
   * from the batch's generator; without it every row must carry the same number of negatives.
   */
  trainGroupSize?: number;
  /** The example field with teacher scores (positives then negatives) to pass as `teacherScores` [B, G]; e.g. 'teacherScores' for the teacher-scored format. */
  teacherScoresKey?: string;
}

type Texts = string | CorpusDocument | readonly (string | CorpusDocument)[];

/**
 * query / positive / negative examples → the losses' layout: `query` [B], `positive` [B],
 * `negative` [B·(G−1)] (each query's G−1 negatives contiguous), each key tokenized to its own max
 * length and padded to a length bucket; `teacherScores` [B, G] when asked.
 */
export class RetrievalCollator extends BaseCollator implements Collator<Record<string, unknown>> {
  readonly keys: readonly string[];
  readonly fields: readonly CollatedField[];
  readonly exampleFields: readonly string[];
  readonly options: RetrievalCollatorOptions;

  constructor(tokenizer: CollatorTokenizer, options: RetrievalCollatorOptions = {}) {
    super('RetrievalCollator', tokenizer);
    this.options = options;
    const keys = options.keys ?? ['query', 'positive', 'negative'];
    if (!Array.isArray(keys) || keys.length < 1 || keys.length > 3 || keys.some((k) => typeof k !== 'string' || !k)) {
      throw new DataError(`RetrievalCollator: option 'keys' must list 1 to 3 field names (query, positive, negative), got ${JSON.stringify(keys)}`);
    }
    this.keys = keys;
    const lengths = options.maxLengths;
    if (Array.isArray(lengths) && lengths.length !== keys.length) {
      throw new DataError(`RetrievalCollator: option 'maxLengths' has ${lengths.length} entries for ${keys.length} keys (${keys.join(', ')})`);
    }
    const { trainGroupSize: g } = options;
    if (g !== undefined && (!Number.isInteger(g) || g < 1)) throw new DataError(`RetrievalCollator: option 'trainGroupSize' must be an integer ≥ 1, got ${JSON.stringify(g)}`);
    if (g !== undefined && g > 1 && keys.length < 3) throw new DataError(`RetrievalCollator: option 'trainGroupSize' ${g} needs a negatives key; 'keys' is ${JSON.stringify(keys)}`);
    const roles: TextRole[] = (['query', 'positive', 'negative'] as const).slice(0, keys.length).filter((r) => r !== 'negative' || g !== 1);
    roles.forEach((role, i) => this.setMaxLength(role, typeof lengths === 'number' ? lengths : (lengths as readonly number[] | undefined)?.[i], `maxLengths[${i}]`));
    this.fields = [...roles, ...(options.teacherScoresKey ? (['teacherScores'] as const) : [])];
    this.exampleFields = [...keys, ...(options.teacherScoresKey ? [options.teacherScoresKey] : [])];
  }

  textsOf(example: Record<string, unknown>): string[] {
    return this.keys.flatMap((k) => docs(example[k] as Texts));
  }

  collate(examples: readonly Record<string, unknown>[], context: CollateContext = {}): CollatedBatch {
    const rows = this.rowsOf(examples.length, context);
    const { queryInstruction: qi, documentInstruction: di, trainGroupSize: g, teacherScoresKey } = this.options;
    const [qKey, pKey, nKey] = this.keys;
    const queries: string[] = [], positives: string[] = [], negatives: string[] = [], scores: number[][] = [];
    let perQuery: number | undefined;
    examples.forEach((ex, i) => {
      const row = rows[i]!;
      const query = textOf(this.name, ex, qKey!, row);
      const pos = pKey ? this.read(ex, pKey, row) : [];
      const neg = nKey ? this.read(ex, nKey, row) : [];
      const teacher = teacherScoresKey ? this.scores(ex, teacherScoresKey, row) : undefined;
      let group: { positive: string; negative: string[]; teacherScores?: number[] };
      if (g !== undefined) group = context.generator ? sampleGroup({ query, positive: pos, negative: neg, teacherScores: teacher }, g, context.generator, row) : firstGroup(pos, neg, teacher, g, row);
      else {
        if (pKey && pos.length !== 1) throw new DataError(`${this.name}: row ${row}: field '${pKey}' holds ${pos.length} texts; set trainGroupSize to draw one positive per query`);
        if (perQuery !== undefined && neg.length !== perQuery) {
          throw new DataError(`${this.name}: row ${row}: field '${nKey}' holds ${neg.length} negatives, row ${rows[0]} ${perQuery}; set trainGroupSize so every query gets G−1`);
        }
        perQuery = neg.length;
        group = { positive: pos[0] ?? '', negative: neg, teacherScores: teacher };
      }
      queries.push(applyInstruction(qi, query));
      if (pKey) positives.push(applyInstruction(di, group.positive));
      negatives.push(...group.negative.map((n) => applyInstruction(di, n)));
      if (group.teacherScores) scores.push(group.teacherScores);
    });
    const texts: Partial<Record<TextRole, TextFeature>> = { query: this.feature('query', queries) };
    if (pKey) texts.positive = this.feature('positive', positives);
    if (this.fields.includes('negative')) {
      if (!negatives.length) throw new DataError(`${this.name}: rows ${rows.slice(0, 5).join(', ')}${rows.length > 5 ? ', …' : ''}: field '${nKey}' holds no negatives; give some, or trainGroupSize 1 for in-batch negatives only`);
      texts.negative = this.feature('negative', negatives);
    }
    const targets = teacherScoresKey ? { teacherScores: new Tensor({ shape: [examples.length, scores[0]!.length], dtype: 'float32', buffer: Float32Array.from(scores.flat()) }) } : {};
    return this.batch(rows, texts, targets);
  }

  private read(ex: Record<string, unknown>, key: string, row: number): string[] {
    const v = ex[key] as Texts | undefined;
    const ok = v !== undefined && (Array.isArray(v) ? v.every(isDoc) : isDoc(v));
    if (!ok) throw new DataError(`${this.name}: row ${row}: field '${key}' must be a text, a { title, text } document or a list of them, got ${describe(v)}`);
    const out = docs(v);
    if (out.some((t) => !t)) throw new DataError(`${this.name}: row ${row}: field '${key}' holds an empty text`);
    return out;
  }

  private scores(ex: Record<string, unknown>, key: string, row: number): number[] {
    const v = ex[key];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw new DataError(`${this.name}: row ${row}: field '${key}' must be an array of finite numbers, got ${describe(v)}`);
    return v as number[];
  }
}

const isDoc = (v: unknown): boolean => typeof v === 'string' || (typeof v === 'object' && v !== null && typeof (v as { text?: unknown }).text === 'string');

function docs(v: Texts | undefined): string[] {
  if (v === undefined) return [];
  const list = Array.isArray(v) ? (v as readonly (string | CorpusDocument)[]) : [v as string | CorpusDocument];
  return list.map((d) => documentText(d));
}

/** The deterministic group used without a generator (evaluation): the first positive and the first G−1 negatives, cycled. */
function firstGroup(pos: string[], neg: string[], teacher: number[] | undefined, g: number, row: number) {
  if (g > 1 && !neg.length) throw new DataError(`row ${row}: field 'negative' holds no text, but trainGroupSize ${g} needs ${g - 1} negatives per query`);
  const idx = Array.from({ length: g - 1 }, (_, i) => i % neg.length);
  return { positive: pos[0]!, negative: idx.map((i) => neg[i]!), teacherScores: teacher && [teacher[0]!, ...idx.map((i) => teacher[pos.length + i]!)] };
}
