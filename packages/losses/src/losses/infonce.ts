import { add, concat, crossEntropy, div, mul, slice, transpose, type Tensor } from '@retrievals/core-tensor';
import { defineLoss } from '../define-loss.js';
import { LossOptionError } from '../errors.js';
import { groupLayout } from '../layout.js';
import { boolean, oneOf, opt, parseOptions, positive, unitInterval } from '../options.js';
import { groupScores, scoreMatrix, SIMILARITIES, type Similarity } from '../similarity.js';
import { diagonalTargets, firstColumnTargets } from '../tensors.js';
import type { Loss } from '../types.js';

export interface InfoNCEOptions {
  /** Logits are similarities divided by this (default 0.05; use ~1 with similarity 'dot'). */
  temperature?: number;
  /** Contrast each query with every document of the batch (default true), else only its own group. */
  useInbatchNegative?: boolean;
  /** Add the document→query direction and average the two (needs useInbatchNegative). */
  symmetric?: boolean;
  /** As F.cross_entropy's label_smoothing (default 0). */
  labelSmoothing?: number;
  /** 'cosine' (default, as open-retrievals normalises) or 'dot'. */
  similarity?: Similarity;
}

const SPEC = {
  temperature: opt(0.05, positive),
  useInbatchNegative: opt(true, boolean),
  symmetric: opt(false, boolean),
  labelSmoothing: opt(0, unitInterval),
  similarity: opt<Similarity>('cosine', oneOf(...SIMILARITIES)),
};

/**
 * InfoNCE / multiple-negatives ranking: cross entropy over similarity/τ with the positive as the
 * target class. In-batch, the columns are every positive and every hard negative of the batch
 * ([B, B + B·(G−1)], target i); otherwise each query's own group ([B, G], target 0).
 *
 * Inputs: query [B, D], positive [B, D], negative [B·(G−1), D] (optional in-batch).
 */
export function infonce(options: InfoNCEOptions = {}): Loss {
  const o = parseOptions('infonce', options, SPEC);
  if (o.symmetric && !o.useInbatchNegative) {
    throw new LossOptionError("infonce: option 'symmetric' needs useInbatchNegative: the document→query term contrasts each positive with the batch's other queries");
  }
  const ce = (logits: Tensor, targets: Tensor) => crossEntropy(logits, targets, { labelSmoothing: o.labelSmoothing });
  return defineLoss({
    name: 'infonce',
    required: ['query', 'positive'],
    optional: ['negative'],
    compute(inputs) {
      const g = groupLayout('infonce', inputs, o.useInbatchNegative ? undefined : 'with useInbatchNegative false a query is contrasted only with its own negatives');
      if (!o.useInbatchNegative) return ce(div(groupScores(g, o.similarity), o.temperature), firstColumnTargets(g.B));
      const docs = g.negative ? concat([g.positive, g.negative]) : g.positive;
      const logits = div(scoreMatrix(g.query, docs, o.similarity), o.temperature);
      const targets = diagonalTargets(g.B);
      const forward = ce(logits, targets);
      if (!o.symmetric) return forward;
      // Document→query: the transposed query×positive block; hard negatives have no query of their own.
      const backward = ce(transpose(slice(logits, 1, 0, g.B)), targets);
      return mul(add(forward, backward), 0.5);
    },
  });
}
