import { mean, mul, softplus } from '@retrievals/core-tensor';
import { defineLoss } from '../define-loss.js';
import { ownGroupGaps } from '../gaps.js';
import { groupLayout } from '../layout.js';
import { oneOf, opt, parseOptions, positive } from '../options.js';
import { groupScores, SIMILARITIES, type Similarity } from '../similarity.js';
import type { Loss } from '../types.js';

export interface PairwiseLogisticOptions {
  /** Multiplies the similarity difference before the logistic (default 1, the seed's form; ~20 suits cosine). */
  scale?: number;
  /** 'cosine' (default) or 'dot'. */
  similarity?: Similarity;
}

const SPEC = {
  scale: opt(1, positive),
  similarity: opt<Similarity>('cosine', oneOf(...SIMILARITIES)),
};

/**
 * Pairwise logistic (RankNet-style): −log σ(scale·(s(q, p) − s(q, n))) = log(1 + exp(scale·(s(q, n) − s(q, p)))),
 * mean over every (query, own negative) pair.
 *
 * Inputs: query [B, D], positive [B, D], negative [B·(G−1), D] (G ≥ 2).
 */
export function pairwiseLogistic(options: PairwiseLogisticOptions = {}): Loss {
  const o = parseOptions('pairwise-logistic', options, SPEC);
  return defineLoss({
    name: 'pairwise-logistic',
    required: ['query', 'positive', 'negative'],
    compute(inputs) {
      const g = groupLayout('pairwise-logistic', inputs, 'each positive is compared with its query\'s own negatives');
      return mean(softplus(mul(ownGroupGaps(groupScores(g, o.similarity)), o.scale)));
    },
  });
}
