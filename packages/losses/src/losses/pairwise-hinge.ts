import { add, mean, relu } from '@retrievals/core-tensor';
import { defineLoss } from '../define-loss.js';
import { ownGroupGaps } from '../gaps.js';
import { groupLayout } from '../layout.js';
import { nonNegative, oneOf, opt, parseOptions } from '../options.js';
import { groupScores, SIMILARITIES, type Similarity } from '../similarity.js';
import type { Loss } from '../types.js';

export interface PairwiseHingeOptions {
  /** How much s(q, p) must exceed s(q, n) (default 0.5). */
  margin?: number;
  /** 'cosine' (default) or 'dot'. */
  similarity?: Similarity;
}

const SPEC = {
  margin: opt(0.5, nonNegative),
  similarity: opt<Similarity>('cosine', oneOf(...SIMILARITIES)),
};

/**
 * Pairwise hinge: similarity(q, p) must exceed similarity(q, n) by a margin,
 * mean over every (query, own negative) pair of max(0, margin − (s(q, p) − s(q, n))).
 *
 * Inputs: query [B, D], positive [B, D], negative [B·(G−1), D] (G ≥ 2).
 */
export function pairwiseHinge(options: PairwiseHingeOptions = {}): Loss {
  const o = parseOptions('pairwise-hinge', options, SPEC);
  return defineLoss({
    name: 'pairwise-hinge',
    required: ['query', 'positive', 'negative'],
    compute(inputs) {
      const g = groupLayout('pairwise-hinge', inputs, 'each positive is compared with its query\'s own negatives');
      return mean(relu(add(ownGroupGaps(groupScores(g, o.similarity)), o.margin)));
    },
  });
}
