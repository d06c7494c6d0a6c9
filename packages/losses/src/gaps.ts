import { div, gatherElements, mean, reshape, slice, sub, sum, where, type Tensor } from '@retrievals/core-tensor';
import { diagonalTargets, filled } from './tensors.js';

/**
 * How far each negative's similarity is above the positive's, s(q, n) − s(q, p), for each query's
 * own negatives: [B, G] group scores (column 0 the positive) → [B, G−1]. Pair losses are functions
 * of this gap: hinge max(0, gap + margin), logistic log(1 + exp(gap/τ)).
 */
export function ownGroupGaps(scores: Tensor): Tensor {
  const G = scores.shape[1]!;
  return sub(slice(scores, 1, 1, G), slice(scores, 1, 0, 1));
}

export interface Candidates {
  /** bool [B, M]: true where the column is a negative for the row's query. */
  mask: Tensor;
  count: number;
}

/**
 * The same gaps against every document of the batch: [B, M] scores whose column i is query i's
 * positive → [B, M] gaps, with a mask that leaves out that positive's own column.
 */
export function inBatchGaps(scores: Tensor): { gaps: Tensor; candidates: Candidates } {
  const [B, M] = scores.shape as [number, number];
  const positive = gatherElements(scores, reshape(diagonalTargets(B), [B, 1]), 1);
  const mask = filled([B, M], 'bool', (i) => (i % M === Math.floor(i / M) ? 0 : 1));
  return { gaps: sub(scores, positive), candidates: { mask, count: B * (M - 1) } };
}

/** Mean of the terms over the candidate entries only (all entries without a mask). */
export function candidateMean(terms: Tensor, candidates: Candidates | undefined): Tensor {
  if (!candidates) return mean(terms);
  return div(sum(where(candidates.mask, terms, 0)), candidates.count);
}
