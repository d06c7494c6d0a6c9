import { div, logSoftmax, mean, mul, softmax, sum } from '@retrievals/core-tensor';
import { defineLoss } from '../define-loss.js';
import { oneOf, opt, parseOptions, positive } from '../options.js';
import { SIMILARITIES, type Similarity } from '../similarity.js';
import { studentScores } from '../student-scores.js';
import { asFloat } from '../tensors.js';
import type { Loss } from '../types.js';

export interface ListwiseOptions {
  /** Model logits are its scores divided by this (default 0.05 for cosine; use 1 for given logits). */
  temperature?: number;
  /** Target distribution is softmax(labels / labelTemperature) (default 1). */
  labelTemperature?: number;
  /** How documents are scored from embeddings: 'cosine' (default) or 'dot'. */
  similarity?: Similarity;
}

const SPEC = {
  temperature: opt(0.05, positive),
  labelTemperature: opt(1, positive),
  similarity: opt<Similarity>('cosine', oneOf(...SIMILARITIES)),
};

/**
 * ListNet (Cao et al. 2007, top-one probability): cross entropy between softmax of the graded
 * labels and softmax of the model's scores over each query's list, averaged over queries.
 *
 * Inputs: labels [B, G] (relevance grades, column 0 for the positive, then the negatives), and
 * either query [B, D] + positive [B, D] + negative [B·(G−1), D], or scores [B, G]. G ≥ 2.
 */
export function listwise(options: ListwiseOptions = {}): Loss {
  const o = parseOptions('listwise', options, SPEC);
  return defineLoss({
    name: 'listwise',
    required: ['labels'],
    optional: ['query', 'positive', 'negative', 'scores'],
    compute(inputs) {
      const { scores, dims } = studentScores('listwise', inputs, o.similarity, 'a list of one document has nothing to rank');
      dims.expect('labels', inputs.labels!, ['B', 'G']);
      const target = softmax(div(asFloat(inputs.labels!, scores), o.labelTemperature), 1);
      return mean(mul(sum(mul(target, logSoftmax(div(scores, o.temperature), 1)), 1), -1));
    },
  });
}
