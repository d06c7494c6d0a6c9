import { RetrievalsError } from '@retrievals/core-tensor';
import type { AutoModelForEmbedding } from '@retrievals/models';
import type { TrainerCallback } from '../callbacks.js';
import { pearson, spearman } from './correlation.js';

export interface EmbeddingSimilarityEvaluatorOptions {
  sentences1: readonly string[];
  sentences2: readonly string[];
  /** Gold similarity of each pair (e.g. STS-B's 0–5). */
  scores: readonly number[];
  batchSize?: number;
  /** Prefix of the metric names in a trainer's log (default 'sts'). */
  name?: string;
}

/**
 * sentence-transformers' EmbeddingSimilarityEvaluator: Pearson and Spearman correlation of the
 * cosine similarity of each pair with the gold scores (`pearson_cosine`, `spearman_cosine`;
 * Spearman ranks ties by their average rank, as scipy). Standalone or as a trainer callback.
 */
export class EmbeddingSimilarityEvaluator implements TrainerCallback {
  readonly name: string;

  constructor(readonly options: EmbeddingSimilarityEvaluatorOptions) {
    this.name = options.name ?? 'sts';
    const { sentences1: a, sentences2: b, scores } = options;
    if (a.length !== b.length || a.length !== scores.length) throw new RetrievalsError(`EmbeddingSimilarityEvaluator: ${a.length} sentences1, ${b.length} sentences2 and ${scores.length} scores; they must be pairs`);
    if (a.length < 2) throw new RetrievalsError(`EmbeddingSimilarityEvaluator: needs at least 2 pairs, got ${a.length}`);
    const bad = scores.findIndex((s) => typeof s !== 'number' || !Number.isFinite(s));
    if (bad >= 0) throw new RetrievalsError(`EmbeddingSimilarityEvaluator: score ${bad} is ${scores[bad]}, expected a finite number`);
  }

  async evaluate(model: AutoModelForEmbedding): Promise<Record<string, number>> {
    const o = this.options;
    const e1 = await model.encode(o.sentences1, { batchSize: o.batchSize, normalize: true });
    const e2 = await model.encode(o.sentences2, { batchSize: o.batchSize, normalize: true });
    const dim = e1.dims[1];
    const cos = o.scores.map((_, i) => {
      let s = 0;
      for (let k = 0; k < dim; k++) s += e1.data[i * dim + k]! * e2.data[i * dim + k]!;
      return s;
    });
    return { pearson_cosine: pearson(cos, o.scores), spearman_cosine: spearman(cos, o.scores) };
  }
}
