import { add, concat, matmul, maximum, mul, normalize, reshape, sqrt, sub, sum, transpose, type Tensor } from '@retrievals/core-tensor';
import type { Group } from './layout.js';

/** cosine: dot product of L2-normalised vectors (F.normalize, eps 1e-12); dot: raw inner product. */
export type Similarity = 'cosine' | 'dot';
export const SIMILARITIES = ['cosine', 'dot'] as const;

export const prepare = (x: Tensor, similarity: Similarity) => (similarity === 'cosine' ? normalize(x, -1) : x);

/** Every row of a against every row of b: [n, D] × [m, D] → [n, m]. */
export function scoreMatrix(a: Tensor, b: Tensor, similarity: Similarity): Tensor {
  return matmul(prepare(a, similarity), transpose(prepare(b, similarity)));
}

/** Row i of a against row i of b: [n, D] × [n, D] → [n]. */
export function rowScores(a: Tensor, b: Tensor, similarity: Similarity): Tensor {
  return sum(mul(prepare(a, similarity), prepare(b, similarity)), -1);
}

/** Each query's documents as [B, G, D]: its positive, then its G−1 negatives. */
export function groupDocuments(g: Group): Tensor {
  const p = reshape(g.positive, [g.B, 1, g.D]);
  return g.negative ? concat([p, reshape(g.negative, [g.B, g.G - 1, g.D])], 1) : p;
}

/** Each query against its own group only: [B, G], column 0 the positive. One batched matmul. */
export function groupScores(g: Group, similarity: Similarity): Tensor {
  const docs = prepare(groupDocuments(g), similarity);
  const q = reshape(prepare(g.query, similarity), [g.B, g.D, 1]);
  return reshape(matmul(docs, q), [g.B, g.G]);
}

// sqrt has an infinite slope at 0: flooring the squared distance keeps the gradient of a query
// that coincides with a document at 0 instead of NaN, and changes no distance above 1e-6.
const MIN_SQUARED = 1e-12;

/** Euclidean distance of each query to its own group's documents: [B, G], from the differences. */
export function groupDistances(g: Group): Tensor {
  const diff = sub(groupDocuments(g), reshape(g.query, [g.B, 1, g.D]));
  return sqrt(maximum(sum(mul(diff, diff), -1), MIN_SQUARED));
}

/**
 * Euclidean distances of every row of a to every row of b, [n, m], through ‖a‖² + ‖b‖² − 2a·b:
 * one matmul instead of an [n, m, D] difference tensor (which would not fit for in-batch mining).
 */
export function distanceMatrix(a: Tensor, b: Tensor): Tensor {
  const a2 = sum(mul(a, a), -1, true);
  const b2 = reshape(sum(mul(b, b), -1), [1, b.shape[0]!]);
  const d2 = sub(add(a2, b2), mul(matmul(a, transpose(b)), 2));
  return sqrt(maximum(d2, MIN_SQUARED));
}
